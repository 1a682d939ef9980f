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
/// <param name="counts">This participant's values, to sum in place: uint64 values in a long's bits (not all of
/// them are counts: one is a fingerprint of any value), so sum them with unchecked +, whose wrapping gives the
/// bits of the uint64 sum.</param>
public delegate void Allreduce(long[] counts);

}
