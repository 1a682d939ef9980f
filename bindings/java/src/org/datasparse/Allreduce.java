package org.datasparse;

/**
 * Sums counts element-wise over every participant, in place (as
 * MPI_Allreduce with MPI_SUM): the way sparsifiers holding shards of the
 * same tensors, or groups, in several threads or processes are joined (see
 * {@link Sparsifier#setAllreduce}). Every participant's step calls it the
 * same number of times with arrays of the same length. An exception thrown
 * here fails the step with a {@link CallbackException} whose cause it is,
 * and every other participant's step with it, no mask changed anywhere (the
 * failure is announced in the next exchange). At the step's last exchange
 * every participant had finished its selection: an exception there is
 * logged as a warning and the masks are written as on the others. Take part
 * in the sum even when throwing, or the others wait.
 */
@FunctionalInterface
public interface Allreduce {
  /**
   * Replaces each element of counts by its sum over every participant.
   *
   * @param counts this participant's values, to sum in place: uint64 values
   *     in a long's bits (not all of them are counts: one is a fingerprint
   *     of any value), so sum them with {@code +}, whose wrapping gives the
   *     bits of the uint64 sum
   */
  void sum(long[] counts);
}
