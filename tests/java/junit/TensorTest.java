package org.datasparse.tests;

import static org.datasparse.tests.Failing.fails;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.ShortBuffer;
import java.util.Random;
import org.datasparse.Config;
import org.datasparse.DType;
import org.datasparse.DataNormSparsifier;
import org.datasparse.DataSparsifier;
import org.datasparse.DataView;
import org.datasparse.MaskView;
import org.datasparse.Norm;
import org.datasparse.Status;
import org.datasparse.TensorDesc;
import org.junit.jupiter.api.Test;

/**
 * Tensors from Java: float64, float16 and bfloat16 data (as short bits), N-D shapes and row strides,
 * borrowed from direct buffers or copied from arrays; read back in their own type and shape.
 */
class TensorTest {
  static final int ROWS = 12, COLS = 16, N = ROWS * COLS;

  /** Values every dtype holds exactly (few mantissa bits, moderate exponents), some ties and zeros. */
  static float[] exactValues(int n, long seed) {
    Random random = new Random(seed);
    float[] out = new float[n];
    for (int i = 0; i < n; ++i) out[i] = Math.scalb((float) (random.nextInt(31) - 15), random.nextInt(19) - 10);
    return out;
  }

  static DataNormSparsifier sparsifier(Norm norm, double level, int blockRows, int blockCols, int zeros) {
    try (Config defaults = new Config().with("sparsity_level", level).with("block_rows", blockRows)
        .with("block_cols", blockCols).with("zeros_per_block", zeros)) {
      return new DataNormSparsifier(norm, defaults);
    }
  }

  /** The mask the library makes of these values as a float32 matrix (the reference). */
  static byte[] float32Mask(float[] values, long rows, long cols, Norm norm, double level, int br, int bc, int z) {
    try (DataNormSparsifier s = sparsifier(norm, level, br, bc, z)) {
      s.addData("x", values, rows, cols);
      s.step();
      return s.getMask("x");
    }
  }

  static double[] toDoubles(float[] values) {
    double[] out = new double[values.length];
    for (int i = 0; i < values.length; ++i) out[i] = values[i];
    return out;
  }

  static short[] toBits(float[] values, DType dtype) {
    short[] out = new short[values.length];
    for (int i = 0; i < values.length; ++i)
      out[i] = dtype == DType.FLOAT16 ? Half.toHalf(values[i]) : Half.toBf16(values[i]);
    return out;
  }

  static ByteBuffer directBytes(int bytes) {
    return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
  }

  static DoubleBuffer direct(double[] values) {
    DoubleBuffer buffer = directBytes(8 * values.length).asDoubleBuffer();
    buffer.put(values).rewind();
    return buffer;
  }

  static ShortBuffer direct(short[] values) {
    ShortBuffer buffer = directBytes(2 * values.length).asShortBuffer();
    buffer.put(values).rewind();
    return buffer;
  }

  @Test
  void theHelpersRoundTripTheValues() {
    for (float v : exactValues(N, 1)) {
      assertEquals(v, Half.halfValue(Half.toHalf(v)), "float16 of " + v);
      assertEquals(v, Half.bf16Value(Half.toBf16(v)), "bfloat16 of " + v);
    }
    assertEquals((short) 0x3C00, Half.toHalf(1f));
    assertEquals((short) 0x3F80, Half.toBf16(1f));
  }

  /** float64, float16 and bfloat16 data mask as float32 data of the same values, borrowed or copied. */
  @Test
  void everyDtypeMasksLikeFloat32OfTheSameValues() {
    float[] values = exactValues(N, 7);
    double[] doubles = toDoubles(values);
    short[] halves = toBits(values, DType.FLOAT16), bf16 = toBits(values, DType.BFLOAT16);
    int[][] blocks = {{1, 4, 4}, {2, 2, 3}, {1, 4, 2}, {3, 5, 7}};
    for (Norm norm : Norm.values()) {
      for (int[] b : blocks) {
        byte[] want = float32Mask(values, ROWS, COLS, norm, 0.6, b[0], b[1], b[2]);
        int zeros = TestData.zeros(want);
        assertTrue(zeros > N / 8 && zeros < N, "a mask worth comparing: " + zeros + " zeros");
        try (DataNormSparsifier s = sparsifier(norm, 0.6, b[0], b[1], b[2])) {
          s.addData("f64", doubles, ROWS, COLS);
          s.addData("f64_buffer", direct(doubles), ROWS, COLS);
          s.addData("f16", halves, DType.FLOAT16, ROWS, COLS);
          s.addData("f16_buffer", direct(halves), DType.FLOAT16, ROWS, COLS);
          s.addData("bf16", bf16, DType.BFLOAT16, ROWS, COLS);
          ByteBuffer bytes = directBytes(2 * N);
          bytes.asShortBuffer().put(bf16);
          s.addData("bf16_bytes", bytes, DType.BFLOAT16, ROWS, COLS);
          s.step();
          String what = norm + " " + b[0] + "x" + b[1] + " zeros " + b[2];
          for (String name : s.names()) assertArrayEquals(want, s.getMask(name), name + ", " + what);
        }
      }
    }
  }

  /** Squash writes +0 in the data's own type into borrowed buffers; getData reads each type back. */
  @Test
  void squashWritesZerosInTheDataOwnType() {
    float[] values = exactValues(N, 3);
    byte[] mask = float32Mask(values, ROWS, COLS, Norm.L1, 0.5, 1, 4, 2);
    double[] doubles = toDoubles(values);
    short[] halves = toBits(values, DType.FLOAT16), bf16 = toBits(values, DType.BFLOAT16);
    DoubleBuffer d = direct(doubles);
    ShortBuffer h = direct(halves);
    ByteBuffer b = directBytes(2 * N);
    b.asShortBuffer().put(bf16);
    try (DataNormSparsifier s = sparsifier(Norm.L1, 0.5, 1, 4, 2)) {
      s.addData("d", d, ROWS, COLS);
      s.addData("h", h, DType.FLOAT16, ROWS, COLS);
      s.addData("b", b, DType.BFLOAT16, ROWS, COLS);
      s.addData("copy", halves, DType.FLOAT16, ROWS, COLS);
      s.step();
      for (String name : s.names()) assertArrayEquals(mask, s.getMask(name), name);
      // data * mask in each type, before the squash too
      double[] sparseD = s.getDoubleData("d", false);
      short[] sparseH = s.getShortData("h", false), sparseB = s.getShortData("b", false);
      assertArrayEquals(doubles, s.getDoubleData("d", true));
      assertArrayEquals(halves, s.getShortData("h", true));
      assertArrayEquals(bf16, s.getShortData("b", true));
      s.squashAll();
      int zeroed = 0;
      for (int i = 0; i < N; ++i) {
        boolean kept = mask[i] == 1;
        zeroed += kept ? 0 : 1;
        assertEquals(kept ? Double.doubleToRawLongBits(doubles[i]) : 0L, Double.doubleToRawLongBits(d.get(i)), "d " + i);
        assertEquals(kept ? halves[i] : 0, h.get(i), "h " + i);
        assertEquals(kept ? bf16[i] : 0, b.getShort(2 * i), "b " + i);
        assertEquals(d.get(i), sparseD[i], "d sparsified " + i);
        assertEquals(h.get(i), sparseH[i], "h sparsified " + i);
        assertEquals(b.getShort(2 * i), sparseB[i], "b sparsified " + i);
      }
      assertEquals(N / 4, zeroed, "2 of each 1x4 block, in half of the blocks");
      // the copy is squashed in the sparsifier's memory, the caller's array is left as it was
      assertArrayEquals(toBits(values, DType.FLOAT16), halves);
      short[] squashedCopy = s.getShortData("copy", false);
      for (int i = 0; i < N; ++i) assertEquals(mask[i] == 1 ? halves[i] : 0, squashedCopy[i], "copy " + i);
    }
  }

  /**
   * A column slice of a bigger matrix, borrowed through a row stride: the sparsifier reads the caller's
   * memory at every step (no copy) and squashes zeros into the slice and nothing else.
   */
  @Test
  void aStridedViewIsBorrowedWithoutACopy() {
    final int bigRows = 9, bigCols = 20, c0 = 3, cols = 12;
    double[] big = toDoubles(exactValues(bigRows * bigCols, 11));
    double[] slice = new double[bigRows * cols];
    for (int r = 0; r < bigRows; ++r) System.arraycopy(big, r * bigCols + c0, slice, r * cols, cols);
    DoubleBuffer buffer = direct(big);
    buffer.position(c0); // element (0, 0) of the view
    TensorDesc view = new TensorDesc(DType.FLOAT64, new long[] {bigRows, cols}, bigCols);
    try (DataNormSparsifier s = sparsifier(Norm.L2, 0.5, 1, 4, 4);
         DataNormSparsifier reference = sparsifier(Norm.L2, 0.5, 1, 4, 4)) {
      s.addData("view", buffer, view);
      assertEquals(view, s.getDesc("view"));
      assertEquals(c0, buffer.position(), "the caller's position is left as it was");
      assertArrayEquals(slice, s.getDoubleData("view", true), "the view, read back contiguous");
      reference.addData("slice", slice, bigRows, cols);
      s.step();
      reference.step();
      assertArrayEquals(reference.getMask("slice"), s.getMask("view"));

      // The sparsifier reads the caller's memory: make row 0's first block the largest, no re-add.
      for (int j = 0; j < 4; ++j) buffer.put(c0 + j, 1e6);
      for (int j = 0; j < 4; ++j) slice[j] = 1e6;
      reference.removeData("slice");
      reference.addData("slice", slice, bigRows, cols);
      s.step();
      reference.step();
      byte[] mask = s.getMask("view");
      assertArrayEquals(reference.getMask("slice"), mask, "the step saw the caller's change");
      assertEquals(1, mask[0], "the changed block is kept");

      double[] before = new double[big.length];
      for (int i = 0; i < big.length; ++i) before[i] = buffer.get(i);
      s.squashAll();
      int zeroed = 0;
      for (int r = 0; r < bigRows; ++r) {
        for (int c = 0; c < bigCols; ++c) {
          boolean inside = c >= c0 && c < c0 + cols;
          boolean masked = inside && mask[r * cols + c - c0] == 0;
          zeroed += masked ? 1 : 0;
          assertEquals(masked ? 0.0 : before[r * bigCols + c], buffer.get(r * bigCols + c), "(" + r + ", " + c + ")");
        }
      }
      long blocks = bigRows * (cols / 4);
      assertEquals(4 * TestData.roundHalfEven(0.5 * blocks), zeroed, "the view's blocks squashed into the caller's buffer");
    }
  }

  /** A view into a float[] is copied contiguous: the copy has no row stride. */
  @Test
  void aStridedViewOfAnArrayIsCopiedContiguous() {
    float[] big = exactValues(6 * 10, 5);
    float[] slice = new float[6 * 4];
    for (int r = 0; r < 6; ++r) System.arraycopy(big, r * 10, slice, r * 4, 4);
    try (DataNormSparsifier s = sparsifier(Norm.L1, 0.5, 1, 4, 4)) {
      s.addData("v", big, new TensorDesc(DType.FLOAT32, new long[] {6, 4}, 10), null, false);
      assertEquals(new TensorDesc(DType.FLOAT32, 6, 4), s.getDesc("v"));
      assertArrayEquals(slice, s.getData("v", true));
      float[] before = big.clone();
      s.step();
      s.squashAll();
      assertArrayEquals(before, big, "an array is never written");
    }
  }

  /** A 4-D tensor (a conv weight) is sparsified as its matrix; its mask is in its own shape. */
  @Test
  void aFourDimensionalTensorMasksAsItsMatrix() {
    final long o = 4, in = 3, kh = 2, kw = 8;
    float[] values = exactValues((int) (o * in * kh * kw), 9);
    short[] bits = toBits(values, DType.BFLOAT16);
    TensorDesc conv = new TensorDesc(DType.BFLOAT16, o, in, kh, kw);
    assertEquals(o * in * kh, conv.rows());
    assertEquals(kw, conv.cols());
    byte[] matrixMask = float32Mask(values, o * in * kh, kw, Norm.L1, 0.5, 2, 2, 2);
    try (DataNormSparsifier s = sparsifier(Norm.L1, 0.5, 2, 2, 2)) {
      s.addData("conv", direct(bits), DType.BFLOAT16, o, in, kh, kw);
      s.step();
      TensorDesc back = s.getDesc("conv");
      assertEquals(conv, back);
      assertArrayEquals(new long[] {o, in, kh, kw}, back.shape());
      assertEquals(0, back.rowStride());
      assertEquals(o * in * kh, s.rows("conv"), "rows: the matrix");
      byte[] mask = s.getMask("conv");
      assertEquals(back.size(), mask.length);
      int zeros = 0;
      for (long a = 0; a < o; ++a)
        for (long b = 0; b < in; ++b)
          for (long c = 0; c < kh; ++c)
            for (long d = 0; d < kw; ++d) {
              long row = (a * in + b) * kh + c;
              byte m = mask[(int) back.index(a, b, c, d)];
              assertEquals(matrixMask[(int) (row * kw + d)], m, "(" + a + ", " + b + ", " + c + ", " + d + ")");
              zeros += m == 0 ? 1 : 0;
            }
      assertEquals(mask.length / 4, zeros, "2 of 4 in half of the 2x2 blocks");
      assertArrayEquals(bits, s.getShortData("conv", true));
    }
  }

  @Test
  void anItemAddedAsAMatrixIsA2DFloat32Tensor() {
    try (DataNormSparsifier s = new DataNormSparsifier()) {
      s.addData("m", new float[12], 3, 4);
      assertEquals(new TensorDesc(DType.FLOAT32, 3, 4), s.getDesc("m"));
      s.addData("v", new float[12], 12L);
      assertEquals(new TensorDesc(DType.FLOAT32, 12), s.getDesc("v"));
      assertEquals(1, s.rows("v"));
      fails(java.util.NoSuchElementException.class, Status.NOT_FOUND, () -> s.getDesc("nope"));
    }
  }

  @Test
  void theDescriptorIsAValue() {
    TensorDesc a = new TensorDesc(DType.FLOAT16, 2, 3, 4);
    long[] shape = {2, 3, 4};
    TensorDesc b = new TensorDesc(DType.FLOAT16, shape, 0);
    shape[0] = 99; // copied
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    assertEquals("FLOAT16 2x3x4", a.toString());
    assertEquals("FLOAT16 2x3x4, row stride 9", a.withRowStride(9).toString());
    assertTrue(!a.equals(a.withRowStride(9)) && !a.equals(new TensorDesc(DType.BFLOAT16, 2, 3, 4)));
    a.shape()[0] = 99;
    assertEquals(2, a.shape()[0], "shape() is a copy");
    assertEquals(24, a.size());
    assertEquals(3, a.ndim());
    assertEquals(23, a.index(1, 2, 3));
    assertEquals(4 * 1 + 3, a.index(0, 1, 3));
    assertThrows(IndexOutOfBoundsException.class, () -> a.index(2, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> a.index(1, 1));
    assertThrows(NullPointerException.class, () -> new TensorDesc(null, 1));
    assertEquals(a, new TensorDesc(DType.FLOAT16, new int[] {2, 3, 4}), "ints");
    assertThrows(NullPointerException.class, () -> new TensorDesc(DType.FLOAT16, (int[]) null));
  }

  /** A borrowed buffer stays reachable while registered, and only then. */
  @Test
  void aBorrowedBufferIsKeptWhileRegistered() {
    try (DataNormSparsifier s = sparsifier(Norm.L1, 0.5, 1, 4, 4)) {
      WeakReference<ByteBuffer> weak = borrowUnreferenced(s);
      TestData.collectGarbage();
      assertNotNull(weak.get(), "the sparsifier keeps the buffer");
      s.step();
      assertArrayEquals(new double[] {1, 1, 1, 1, 9, 9, 9, 9}, s.getDoubleData("w", true));
      assertArrayEquals(new byte[] {0, 0, 0, 0, 1, 1, 1, 1}, s.getMask("w"));
      s.removeData("w");
      for (int i = 0; i < 20 && weak.get() != null; ++i) TestData.collectGarbage();
      assertNull(weak.get(), "released once removed");
    }
  }

  static WeakReference<ByteBuffer> borrowUnreferenced(DataNormSparsifier s) {
    ByteBuffer bytes = directBytes(8 * 8);
    bytes.asDoubleBuffer().put(new double[] {1, 1, 1, 1, 9, 9, 9, 9});
    s.addData("w", bytes, DType.FLOAT64, 1, 8);
    return new WeakReference<>(bytes);
  }

  /** A state saved with data restores a float16 tensor into the registered buffer. */
  @Test
  void aStateWithDataRestoresTheTensor() throws Exception {
    short[] halves = toBits(exactValues(N, 13), DType.FLOAT16);
    byte[] state;
    byte[] mask;
    try (DataNormSparsifier s = sparsifier(Norm.L2, 0.5, 2, 2, 2)) {
      s.addData("w", direct(halves), DType.FLOAT16, 3, 4, 16);
      s.step();
      mask = s.getMask("w");
      state = s.saveToBytes(true);
    }
    ShortBuffer target = direct(new short[N]);
    try (DataNormSparsifier s = sparsifier(Norm.L2, 0.5, 2, 2, 2)) {
      s.addData("w", target, DType.FLOAT16, 3, 4, 16);
      s.loadFromBytes(state);
      assertArrayEquals(mask, s.getMask("w"));
      short[] back = new short[N];
      target.get(0, back);
      assertArrayEquals(halves, back, "the data was copied into the caller's buffer");
    }
    try (DataNormSparsifier s = sparsifier(Norm.L2, 0.5, 2, 2, 2)) {
      s.addData("w", new short[N], DType.BFLOAT16, 3, 4, 16);
      fails(org.datasparse.CorruptStateException.class, Status.CORRUPT, () -> s.loadFromBytes(state));
    }
  }

  /** A custom sparsifier's updateMask reads float rows: it takes contiguous float32 tensors only. */
  @Test
  void aCustomSparsifierTakesContiguousFloat32Only() {
    try (DataSparsifier s = new DataSparsifier() {
      @Override
      public void updateMask(String name, DataView data, Config config, MaskView mask) {
        mask.set(0, 0, 0);
      }
    }) {
      IllegalArgumentException e = fails(IllegalArgumentException.class, Status.INVALID_ARGUMENT,
          () -> s.addData("h", new short[8], DType.FLOAT16, 2, 4));
      assertTrue(e.getMessage().contains("contiguous float32"), e.getMessage());
      s.addData("nd", new float[16], 2, 2, 4);
      s.step();
      assertEquals(0, s.getMask("nd")[0]);
    }
  }

  // --- Arguments ------------------------------------------------------------------------------

  static void refused(DataNormSparsifier s, String needle, org.junit.jupiter.api.function.Executable call) {
    IllegalArgumentException e = fails(IllegalArgumentException.class, Status.INVALID_ARGUMENT, call);
    assertTrue(e.getMessage().contains(needle), "\"" + e.getMessage() + "\" says \"" + needle + "\"");
    assertEquals(0, s.size(), "nothing registered");
  }

  @Test
  void badShapesAreRefusedNamingTheArgument() {
    try (DataNormSparsifier s = new DataNormSparsifier()) {
      refused(s, "shape[1] must be >= 1, got -3", () -> s.addData("w", direct(new double[6]), 2, -3));
      refused(s, "shape[0] must be >= 1, got 0", () -> s.addData("w", new short[6], DType.FLOAT16, 0, 6));
      refused(s, "shape must have 1 to 8 dimensions, got 9 (1x1x1x1x1x1x1x1x1)",
          () -> s.addData("w", new double[1], 1, 1, 1, 1, 1, 1, 1, 1, 1));
      refused(s, "shape must have 1 to 8 dimensions, got 0", () -> s.addData("w", new double[1]));
      refused(s, "rowStride must be 0 (contiguous) or >= the last size 5, got 4",
          () -> s.addData("w", TestData.direct(40), new TensorDesc(DType.FLOAT32, new long[] {3, 5}, 4)));
      refused(s, "rowStride must be 0 (contiguous) or >= the last size 5, got -1",
          () -> s.addData("w", new float[40], new TensorDesc(DType.FLOAT32, new long[] {3, 5}, -1)));
      refused(s, "has too many elements",
          () -> s.addData("w", TestData.direct(8), Long.MAX_VALUE, 4, 2));
      refused(s, "spans more than memory",
          () -> s.addData("w", TestData.direct(8), new TensorDesc(DType.FLOAT32, new long[] {3, 2}, Long.MAX_VALUE / 2)));
      // a valid descriptor with a name the library refuses
      refused(s, "'a.b'", () -> s.addData("a.b", direct(new double[4]), 2, 2));
    }
  }

  @Test
  void buffersShorterThanTheTensorAreRefused() {
    try (DataNormSparsifier s = new DataNormSparsifier()) {
      refused(s, "data has 5 elements, fewer than the 6 the float64 tensor 2x3 spans",
          () -> s.addData("w", direct(new double[5]), 2, 3));
      refused(s, "data has 20 elements, fewer than the 21 the float32 tensor 3x5 with row stride 8 spans",
          () -> s.addData("w", TestData.direct(20), new TensorDesc(DType.FLOAT32, new long[] {3, 5}, 8)));
      refused(s, "data has 23 bytes, fewer than the 24 the bfloat16 tensor 2x2x3 spans",
          () -> s.addData("w", directBytes(23), DType.BFLOAT16, 2, 2, 3));
      refused(s, "data has 11 elements, fewer than the 12 the float16 tensor 3x4 spans",
          () -> s.addData("w", new short[11], DType.FLOAT16, 3, 4));
      DoubleBuffer positioned = direct(new double[8]);
      positioned.position(3); // 5 remaining
      refused(s, "data has 5 elements, fewer than the 6", () -> s.addData("w", positioned, 6L));
      s.addData("w", positioned, 5L); // exactly the remaining ones
      assertEquals(1, s.size());
    }
  }

  @Test
  void aBufferOfAnotherElementTypeThanTheDtypeIsRefused() {
    try (DataNormSparsifier s = new DataNormSparsifier()) {
      refused(s, "data has 4-byte elements, dtype float64 has 8-byte ones",
          () -> s.addData("w", TestData.direct(8), new TensorDesc(DType.FLOAT64, 2, 4)));
      refused(s, "data has 2-byte elements, dtype float32 has 4-byte ones",
          () -> s.addData("w", direct(new short[8]), DType.FLOAT32, 2, 4));
      refused(s, "data has 8-byte elements, dtype bfloat16 has 2-byte ones",
          () -> s.addData("w", new double[8], new TensorDesc(DType.BFLOAT16, 2, 4)));
      refused(s, "data has 4-byte elements, dtype float16 has 2-byte ones",
          () -> s.addData("w", new float[8], new TensorDesc(DType.FLOAT16, 8)));
      assertThrows(NullPointerException.class, () -> s.addData("w", new short[8], (DType) null, 8));
      assertThrows(NullPointerException.class, () -> s.addData("w", (double[]) null, 8));
      assertThrows(NullPointerException.class, () -> s.addData("w", (DoubleBuffer) null, 8));
      assertThrows(NullPointerException.class, () -> s.addData("w", new float[8], (TensorDesc) null));
      assertEquals(0, s.size());
    }
  }

  @Test
  void buffersThatCannotBeBorrowedAreRefused() {
    try (DataNormSparsifier s = new DataNormSparsifier()) {
      refused(s, "data must be a direct DoubleBuffer", () -> s.addData("w", DoubleBuffer.allocate(8), 8L));
      refused(s, "use addData(String, short[], ...)",
          () -> s.addData("w", ShortBuffer.allocate(8), DType.FLOAT16, 8));
      refused(s, "data must be a direct ByteBuffer", () -> s.addData("w", ByteBuffer.allocate(32), DType.FLOAT32, 8));
      if (ByteOrder.nativeOrder() != ByteOrder.BIG_ENDIAN)
        refused(s, "native byte order", () -> s.addData("w", ByteBuffer.allocateDirect(32), DType.FLOAT32, 8));
      refused(s, "read-only", () -> s.addData("w", direct(new double[8]).asReadOnlyBuffer(), 8L));
      refused(s, "data must be a ByteBuffer, ShortBuffer, FloatBuffer or DoubleBuffer",
          () -> s.addData("w", IntBuffer.allocate(8), new TensorDesc(DType.FLOAT32, 8)));
      ByteBuffer odd = directBytes(8 * 9);
      odd.position(1);
      refused(s, "data must be aligned to its 8-byte float64 elements", () -> s.addData("w", odd, DType.FLOAT64, 8));
    }
  }

  @Test
  void dataIsReadInItsOwnTypeOnly() {
    try (DataNormSparsifier s = new DataNormSparsifier()) {
      s.addData("h", new short[8], DType.FLOAT16, 2, 4);
      s.addData("d", new double[8], 2, 4);
      s.addData("f", new float[8], 2, 4);
      IllegalArgumentException e = fails(IllegalArgumentException.class, Status.INVALID_ARGUMENT,
          () -> s.getDoubleData("h", true));
      assertTrue(e.getMessage().contains("out has 8-byte elements, the item's float16 data has 2-byte ones"),
          e.getMessage());
      fails(IllegalArgumentException.class, Status.INVALID_ARGUMENT, () -> s.getShortData("d", true));
      fails(IllegalArgumentException.class, Status.INVALID_ARGUMENT, () -> s.getShortData("f", true));
      IllegalArgumentException f = fails(IllegalArgumentException.class, Status.INVALID_ARGUMENT,
          () -> s.getData("d", true));
      assertTrue(f.getMessage().contains("float64"), f.getMessage());
      short[] small = {7, 7, 7};
      fails(IllegalArgumentException.class, Status.INVALID_ARGUMENT, () -> s.getData("h", true, small));
      assertArrayEquals(new short[] {7, 7, 7}, small, "written only on success");
      short[] large = new short[10];
      java.util.Arrays.fill(large, (short) 7);
      s.getData("h", true, large);
      assertArrayEquals(new short[] {0, 0, 0, 0, 0, 0, 0, 0, 7, 7}, large, "past the item: untouched");
      fails(java.util.NoSuchElementException.class, Status.NOT_FOUND, () -> s.getDoubleData("nope", true));
    }
  }

  @Test
  void aClosedSparsifierOrConfigIsRefused() {
    DataNormSparsifier s = new DataNormSparsifier();
    Config config = new Config().with("sparsity_level", 0.5);
    config.close();
    fails(IllegalStateException.class, Status.STATE,
        () -> s.addData("w", new double[8], new TensorDesc(DType.FLOAT64, 8), config, false));
    assertEquals(0, s.size());
    s.close();
    fails(IllegalStateException.class, Status.STATE, () -> s.addData("w", direct(new double[8]), 8L));
    fails(IllegalStateException.class, Status.STATE, () -> s.getDesc("w"));
  }
}
