// The allreduce of Sparsifier.SetAllreduce, written in C#.
namespace Datasparse {

/// <summary>
/// Sums counts element-wise over every participant, in place (as MPI_Allreduce with MPI_SUM): the way
/// sparsifiers holding shards of the same tensors, or groups, in several threads or processes are joined
/// (see <see cref="Sparsifier.SetAllreduce"/>). Every participant's step calls it the same number of
/// times with arrays of the same length. An exception thrown here fails the step with a
/// <see cref="CallbackException"/> whose InnerException it is, no mask changed; it must then be thrown
/// on every participant.
/// </summary>
/// <param name="counts">This participant's counts (each at least 0), to sum in place.</param>
public delegate void Allreduce(long[] counts);

}
