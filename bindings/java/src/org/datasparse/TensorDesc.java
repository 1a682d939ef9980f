package org.datasparse;

import java.util.Arrays;
import java.util.Objects;

/**
 * A data item's tensor: its element type, its shape and its row stride (the
 * C API's {@code ds_tensor_desc}). What {@link Sparsifier#addData(String,
 * java.nio.Buffer, TensorDesc, Config, boolean)} registers and
 * {@link Sparsifier#getDesc(String)} reads back.
 *
 * <p>A tensor of shape (d0, ..., dk) is sparsified as the row-major matrix
 * {@link #rows()} x {@link #cols()} = (d0 * ... * d(k-1)) x dk (1-D: one row);
 * its mask has one byte per element, row-major in the tensor's own shape
 * ({@link #index(long...)}). The last dimension is contiguous; the row stride
 * is the distance in elements between the starts of consecutive rows of that
 * matrix: 0 for contiguous data, else at least {@link #cols()} (a view into a
 * bigger buffer, such as a column slice of a matrix).
 *
 * <p>A value: immutable, compared by dtype, shape and row stride. Its values
 * are checked where it is used (a shape of 1 to 8 dimensions, each at least
 * 1; a row stride of 0 or at least the last size).
 */
public final class TensorDesc {
  private final DType dtype;
  private final long[] shape;
  private final long rowStride;

  /**
   * A contiguous tensor.
   *
   * @param dtype the element type
   * @param shape the sizes, outermost first (copied)
   */
  public TensorDesc(DType dtype, long... shape) {
    this(dtype, shape, 0);
  }

  /**
   * A contiguous tensor, its sizes given as ints.
   *
   * @param dtype the element type
   * @param shape the sizes, outermost first (copied)
   */
  public TensorDesc(DType dtype, int[] shape) {
    this(dtype, java.util.Arrays.stream(Objects.requireNonNull(shape, "shape")).asLongStream().toArray(), 0);
  }

  /**
   * A tensor with a row stride.
   *
   * @param dtype the element type
   * @param shape the sizes, outermost first (copied)
   * @param rowStride elements between the starts of consecutive rows: 0
   *     (contiguous) or at least the last size
   */
  public TensorDesc(DType dtype, long[] shape, long rowStride) {
    this.dtype = Objects.requireNonNull(dtype, "dtype");
    this.shape = Objects.requireNonNull(shape, "shape").clone();
    this.rowStride = rowStride;
  }

  /**
   * This tensor with another row stride.
   *
   * @param rowStride elements between the starts of consecutive rows: 0
   *     (contiguous) or at least the last size
   * @return a new descriptor
   */
  public TensorDesc withRowStride(long rowStride) {
    return new TensorDesc(dtype, shape, rowStride);
  }

  /**
   * The element type.
   *
   * @return the dtype
   */
  public DType dtype() {
    return dtype;
  }

  /**
   * The sizes, outermost first.
   *
   * @return a copy of the shape
   */
  public long[] shape() {
    return shape.clone();
  }

  /* The shape itself, for the binding. */
  long[] shapeArray() {
    return shape;
  }

  /**
   * The number of dimensions.
   *
   * @return the length of the shape
   */
  public int ndim() {
    return shape.length;
  }

  /**
   * Elements between the starts of consecutive rows of the matrix; 0 when
   * contiguous.
   *
   * @return the row stride
   */
  public long rowStride() {
    return rowStride;
  }

  /**
   * The number of elements: the product of the shape.
   *
   * @return the element count
   * @throws ArithmeticException if it overflows a long
   */
  public long size() {
    long n = 1;
    for (long d : shape) n = Math.multiplyExact(n, d);
    return n;
  }

  /**
   * The rows of the matrix the tensor is sparsified as: the product of every
   * size but the last (1 for 1-D data).
   *
   * @return the rows
   * @throws ArithmeticException if it overflows a long
   */
  public long rows() {
    long n = 1;
    for (int i = 0; i + 1 < shape.length; ++i) n = Math.multiplyExact(n, shape[i]);
    return n;
  }

  /**
   * The columns of the matrix the tensor is sparsified as: the last size.
   *
   * @return the columns
   * @throws IllegalStateException if the shape is empty
   */
  public long cols() {
    if (shape.length == 0) throw new IllegalStateException("an empty shape has no columns");
    return shape[shape.length - 1];
  }

  /**
   * Where element (i0, ..., ik) is in the mask, in {@link Sparsifier#getData}
   * and in contiguous data: the row-major index ((i0 * d1 + i1) * d2 + ...) * dk + ik.
   *
   * @param indices one index per dimension, each in [0, size)
   * @return the flat index
   * @throws IllegalArgumentException for another number of indices
   * @throws IndexOutOfBoundsException for an index outside its dimension
   */
  public long index(long... indices) {
    Objects.requireNonNull(indices, "indices");
    if (indices.length != shape.length)
      throw new IllegalArgumentException("indices has " + indices.length + " values, the shape " + shapeText()
          + " has " + shape.length + " dimensions");
    long at = 0;
    for (int i = 0; i < shape.length; ++i) {
      if (indices[i] < 0 || indices[i] >= shape[i])
        throw new IndexOutOfBoundsException("indices[" + i + "] = " + indices[i] + " is outside [0, " + shape[i] + ")");
      at = at * shape[i] + indices[i];
    }
    return at;
  }

  private String shapeText() {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < shape.length; ++i) text.append(i > 0 ? "x" : "").append(shape[i]);
    return text.toString();
  }

  /**
   * Whether other describes the same tensor: same dtype, shape and row stride.
   *
   * @param other another object
   * @return true if it is an equal TensorDesc
   */
  @Override
  public boolean equals(Object other) {
    if (this == other) return true;
    if (!(other instanceof TensorDesc)) return false;
    TensorDesc that = (TensorDesc) other;
    return dtype == that.dtype && rowStride == that.rowStride && Arrays.equals(shape, that.shape);
  }

  @Override
  public int hashCode() {
    return Objects.hash(dtype, rowStride, Arrays.hashCode(shape));
  }

  /**
   * The descriptor as {@code FLOAT16 64x3x3x3} or {@code FLOAT32 40x29, row stride 50}.
   *
   * @return the text
   */
  @Override
  public String toString() {
    return dtype + " " + shapeText() + (rowStride != 0 ? ", row stride " + rowStride : "");
  }
}
