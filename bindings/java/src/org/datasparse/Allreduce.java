package org.datasparse;

/**
 * Sums counts element-wise over every participant, in place (as
 * MPI_Allreduce with MPI_SUM): the way sparsifiers holding shards of the
 * same tensors, or groups, in several threads or processes are joined (see
 * {@link Sparsifier#setAllreduce}). Every participant's step calls it the
 * same number of times with arrays of the same length. An exception thrown
 * here fails the step with a {@link CallbackException} whose cause it is, no
 * mask changed; it must then be thrown on every participant.
 */
@FunctionalInterface
public interface Allreduce {
  /**
   * Replaces each element of counts by its sum over every participant.
   *
   * @param counts this participant's counts (each at least 0), to sum in place
   */
  void sum(long[] counts);
}
