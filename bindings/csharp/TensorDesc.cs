// A data item's tensor: dtype, shape and row stride (the C API's ds_tensor_desc).
namespace Datasparse {

/// <summary>
/// A data item's tensor: its element type, its shape and its row stride (the C API's ds_tensor_desc).
/// What <see cref="Sparsifier.AddData(string, float[], TensorDesc, Config, bool)"/> and its overloads
/// register and <see cref="Sparsifier.GetDesc"/> reads back. A tensor of shape (d0, ..., dk) is
/// sparsified as the row-major matrix <see cref="Rows"/> x <see cref="Cols"/> = (d0 * ... * d(k-1)) x dk
/// (1-D: one row); its mask has one byte per element, row-major in the tensor's own shape
/// (<see cref="Index"/>). The last dimension is contiguous; the row stride is the distance in elements
/// between the starts of consecutive rows of that matrix: 0 for contiguous data, else at least
/// <see cref="Cols"/> (a view into a bigger buffer, such as a column slice of a matrix). Immutable,
/// compared by value; its values are checked where it is used (1 to 8 sizes, each at least 1; a row
/// stride of 0 or at least the last size).
/// </summary>
public sealed class TensorDesc : global::System.IEquatable<TensorDesc> {
  private readonly long[] shape;

  /// <summary>A contiguous tensor.</summary>
  /// <param name="dtype">The element type.</param>
  /// <param name="shape">The sizes, outermost first (copied).</param>
  public TensorDesc(DType dtype, params long[] shape) : this(dtype, shape, 0) {
  }

  /// <summary>A contiguous tensor, its sizes given as ints.</summary>
  /// <param name="dtype">The element type.</param>
  /// <param name="shape">The sizes, outermost first (copied).</param>
  public TensorDesc(DType dtype, int[] shape) : this(dtype, Longs(shape), 0) {
  }

  /// <summary>A tensor with a row stride.</summary>
  /// <param name="dtype">The element type.</param>
  /// <param name="shape">The sizes, outermost first (copied).</param>
  /// <param name="rowStride">Elements between the starts of consecutive rows: 0 (contiguous) or at least the last size.</param>
  public TensorDesc(DType dtype, long[] shape, long rowStride) {
    BufferUtil.NotNull(shape, "shape");
    DType = dtype;
    this.shape = (long[])shape.Clone();
    RowStride = rowStride;
  }

  private static long[] Longs(int[] shape) {
    BufferUtil.NotNull(shape, "shape");
    var result = new long[shape.Length];
    for (int i = 0; i < shape.Length; ++i) result[i] = shape[i];
    return result;
  }

  /// <summary>This tensor with another row stride.</summary>
  /// <param name="rowStride">Elements between the starts of consecutive rows: 0 (contiguous) or at least the last size.</param>
  /// <returns>A new descriptor.</returns>
  public TensorDesc WithRowStride(long rowStride) {
    return new TensorDesc(DType, shape, rowStride);
  }

  /// <summary>The element type.</summary>
  public DType DType { get; private set; }

  /// <summary>The sizes, outermost first (a copy).</summary>
  public global::System.Collections.Generic.IReadOnlyList<long> Shape {
    get { return (long[])shape.Clone(); }
  }

  // The sizes themselves, for the binding.
  internal long[] ShapeArray {
    get { return shape; }
  }

  /// <summary>The number of dimensions.</summary>
  public int Rank {
    get { return shape.Length; }
  }

  /// <summary>Elements between the starts of consecutive rows of the matrix; 0 when contiguous.</summary>
  public long RowStride { get; private set; }

  /// <summary>The number of elements: the product of the sizes.</summary>
  /// <exception cref="System.OverflowException">It overflows a long.</exception>
  public long Count {
    get {
      long n = 1;
      foreach (long d in shape) n = checked(n * d);
      return n;
    }
  }

  /// <summary>The rows of the matrix the tensor is sparsified as: the product of every size but the last (1 for 1-D data).</summary>
  /// <exception cref="System.OverflowException">It overflows a long.</exception>
  public long Rows {
    get {
      long n = 1;
      for (int i = 0; i + 1 < shape.Length; ++i) n = checked(n * shape[i]);
      return n;
    }
  }

  /// <summary>The columns of the matrix the tensor is sparsified as: the last size.</summary>
  /// <exception cref="System.InvalidOperationException">The shape is empty.</exception>
  public long Cols {
    get {
      if (shape.Length == 0) throw new global::System.InvalidOperationException("an empty shape has no columns");
      return shape[shape.Length - 1];
    }
  }

  /// <summary>
  /// Where element (i0, ..., ik) is in the mask, in <see cref="Sparsifier.GetData(string, bool)"/> and in
  /// contiguous data: the row-major index ((i0 * d1 + i1) * d2 + ...) * dk + ik.
  /// </summary>
  /// <param name="indices">One index per dimension, each in [0, size).</param>
  /// <returns>The flat index.</returns>
  /// <exception cref="System.ArgumentException">Another number of indices.</exception>
  /// <exception cref="System.ArgumentOutOfRangeException">An index outside its dimension.</exception>
  public long Index(params long[] indices) {
    BufferUtil.NotNull(indices, "indices");
    if (indices.Length != shape.Length)
      throw new global::System.ArgumentException("indices has " + indices.Length + " values, the shape " + ShapeText() +
                                                 " has " + shape.Length + " dimensions", "indices");
    long at = 0;
    for (int i = 0; i < shape.Length; ++i) {
      if (indices[i] < 0 || indices[i] >= shape[i])
        throw new global::System.ArgumentOutOfRangeException("indices", indices[i],
                                                             "indices[" + i + "] is outside [0, " + shape[i] + ")");
      at = at * shape[i] + indices[i];
    }
    return at;
  }

  private string ShapeText() {
    return string.Join("x", shape);
  }

  /// <summary>Whether other describes the same tensor: same dtype, shape and row stride.</summary>
  /// <param name="other">Another descriptor.</param>
  /// <returns>True if they are equal.</returns>
  public bool Equals(TensorDesc other) {
    if (ReferenceEquals(other, null)) return false;
    if (DType != other.DType || RowStride != other.RowStride || shape.Length != other.shape.Length) return false;
    for (int i = 0; i < shape.Length; ++i)
      if (shape[i] != other.shape[i]) return false;
    return true;
  }

  /// <summary>Whether other is an equal descriptor.</summary>
  /// <param name="other">Another object.</param>
  /// <returns>True if it is an equal TensorDesc.</returns>
  public override bool Equals(object other) {
    return Equals(other as TensorDesc);
  }

  /// <summary>A hash of the dtype, shape and row stride.</summary>
  /// <returns>The hash.</returns>
  public override int GetHashCode() {
    int hash = (int)DType * 31 + RowStride.GetHashCode();
    foreach (long d in shape) hash = hash * 31 + d.GetHashCode();
    return hash;
  }

  /// <summary>Whether a and b describe the same tensor.</summary>
  /// <param name="a">A descriptor, or null.</param>
  /// <param name="b">A descriptor, or null.</param>
  /// <returns>True if both are null or equal.</returns>
  public static bool operator ==(TensorDesc a, TensorDesc b) {
    return ReferenceEquals(a, null) ? ReferenceEquals(b, null) : a.Equals(b);
  }

  /// <summary>Whether a and b describe different tensors.</summary>
  /// <param name="a">A descriptor, or null.</param>
  /// <param name="b">A descriptor, or null.</param>
  /// <returns>True unless both are null or equal.</returns>
  public static bool operator !=(TensorDesc a, TensorDesc b) {
    return !(a == b);
  }

  /// <summary>The descriptor as "Float16 64x3x3x3" or "Float32 40x29, row stride 50".</summary>
  /// <returns>The text.</returns>
  public override string ToString() {
    return DType + " " + ShapeText() + (RowStride != 0 ? ", row stride " + RowStride : "");
  }
}

}
