// Tensors from C#: float64, float16 and bfloat16 data (ushort bits), N-D
// shapes and row strides, borrowed as Memory<T> or copied from arrays; read
// back in their own type and shape.
using System;
using System.Collections;
using System.Reflection;
using System.Runtime.InteropServices;
using NUnit.Framework;

namespace Datasparse.Tests {

// float16 and bfloat16 bits, independent of the library's conversions (as tests/c/test_tensors.c).
static class Half {
  // float to IEEE binary16, rounded to nearest even (finite values in range).
  public static ushort ToHalf(float f) {
    uint x = (uint)BitConverter.ToInt32(BitConverter.GetBytes(f), 0);
    uint sign = (x >> 16) & 0x8000u;
    x &= 0x7FFFFFFFu;
    if (x >= 0x7F800000u) return (ushort)(sign | 0x7C00u | (x > 0x7F800000u ? 0x200u : 0u));
    if (x >= 0x477FF000u) return (ushort)(sign | 0x7C00u);  // overflows to infinity
    if (x < 0x38800000u) {  // a subnormal half (or 0): the half's step 2^-24 becomes 1
      float a = BitConverter.ToSingle(BitConverter.GetBytes(x), 0);
      return (ushort)(sign | (uint)Math.Round(a * 16777216.0f, MidpointRounding.ToEven));
    }
    uint rounded = x + 0xFFFu + ((x >> 13) & 1u);
    return (ushort)(sign | ((rounded - 0x38000000u) >> 13));
  }

  public static float HalfValue(ushort h) {
    int e = (h >> 10) & 0x1F, m = h & 0x3FF;
    double v = e == 0 ? m * Math.Pow(2, -24) : e == 31 ? (m != 0 ? double.NaN : double.PositiveInfinity) : (m | 0x400) * Math.Pow(2, e - 25);
    return (float)((h & 0x8000) != 0 ? -v : v);
  }

  // float to bfloat16, rounded to nearest even (finite values).
  public static ushort ToBf16(float f) {
    uint x = (uint)BitConverter.ToInt32(BitConverter.GetBytes(f), 0);
    return (ushort)((x + 0x7FFFu + ((x >> 16) & 1u)) >> 16);
  }

  public static float Bf16Value(ushort b) {
    return BitConverter.ToSingle(BitConverter.GetBytes((uint)b << 16), 0);
  }
}

[TestFixture]
public class TensorTests {
  const int Rows = 12, Cols = 16, N = Rows * Cols;

  // Values every dtype holds exactly (few mantissa bits, moderate exponents), some ties and zeros.
  static float[] ExactValues(int n, int seed) {
    var random = new Random(seed);
    var values = new float[n];
    for (int i = 0; i < n; ++i) values[i] = (float)((random.Next(31) - 15) * Math.Pow(2, random.Next(19) - 10));
    return values;
  }

  static DataNormSparsifier Sparsifier(Norm norm, double level, int blockRows, int blockCols, int zeros) {
    using (var config = new Config { ["sparsity_level"] = level, ["block_rows"] = blockRows, ["block_cols"] = blockCols,
                                     ["zeros_per_block"] = zeros })
      return new DataNormSparsifier(norm, config);
  }

  // The mask the library makes of these values as a float32 matrix (the reference).
  static byte[] Float32Mask(float[] values, long rows, long cols, Norm norm, double level, int br, int bc, int z) {
    using (var s = Sparsifier(norm, level, br, bc, z)) {
      s.AddData("x", values, rows, cols);
      s.Step();
      return s.GetMask("x");
    }
  }

  static double[] Doubles(float[] values) {
    return Array.ConvertAll(values, v => (double)v);
  }

  static ushort[] Bits(float[] values, DType dtype) {
    return Array.ConvertAll(values, v => dtype == DType.Float16 ? Half.ToHalf(v) : Half.ToBf16(v));
  }

  [Test]
  public void TheHelpersRoundTripTheValues() {
    foreach (float v in ExactValues(N, 1)) {
      Assert.AreEqual(v, Half.HalfValue(Half.ToHalf(v)), "float16 of " + v);
      Assert.AreEqual(v, Half.Bf16Value(Half.ToBf16(v)), "bfloat16 of " + v);
    }
    Assert.AreEqual(0x3C00, Half.ToHalf(1f));
    Assert.AreEqual(0x3F80, Half.ToBf16(1f));
  }

  // float64, float16 and bfloat16 data mask as float32 data of the same values, borrowed or copied.
  [Test]
  public void EveryDtypeMasksLikeFloat32OfTheSameValues() {
    float[] values = ExactValues(N, 7);
    double[] doubles = Doubles(values);
    ushort[] halves = Bits(values, DType.Float16), bf16 = Bits(values, DType.BFloat16);
    int[][] blocks = { new[] { 1, 4, 4 }, new[] { 2, 2, 3 }, new[] { 1, 4, 2 }, new[] { 3, 5, 7 } };
    foreach (Norm norm in new[] { Norm.L1, Norm.L2 }) {
      foreach (int[] b in blocks) {
        byte[] want = Float32Mask(values, Rows, Cols, norm, 0.6, b[0], b[1], b[2]);
        int zeros = TestData.Zeros(want);
        Assert.IsTrue(zeros > N / 8 && zeros < N, "a mask worth comparing: " + zeros + " zeros");
        using (var s = Sparsifier(norm, 0.6, b[0], b[1], b[2])) {
          s.AddData("f64", doubles, Rows, Cols);
          s.AddData("f64_memory", ((double[])doubles.Clone()).AsMemory(), Rows, Cols);
          s.AddData("f16", halves, DType.Float16, Rows, Cols);
          s.AddData("f16_memory", ((ushort[])halves.Clone()).AsMemory(), DType.Float16, new[] { Rows, Cols });
          s.AddData("bf16", bf16, new TensorDesc(DType.BFloat16, Rows, Cols));
          s.AddData("bf16_memory", ((ushort[])bf16.Clone()).AsMemory(), new TensorDesc(DType.BFloat16, Rows, Cols));
          IntPtr unmanaged = Marshal.AllocHGlobal(8 * N);
          try {
            Marshal.Copy(doubles, 0, unmanaged, N);
            s.AddData("f64_unmanaged", unmanaged, N, new TensorDesc(DType.Float64, Rows, Cols));
            s.Step();
            string what = norm + " " + b[0] + "x" + b[1] + " zeros " + b[2];
            foreach (string name in s.Names) CollectionAssert.AreEqual(want, s.GetMask(name), name + ", " + what);
            s.RemoveData("f64_unmanaged");
          } finally {
            Marshal.FreeHGlobal(unmanaged);
          }
        }
      }
    }
  }

  // Squash writes +0 in the data's own type into borrowed memory; GetData<T> reads each type back.
  [Test]
  public void SquashWritesZerosInTheDataOwnType() {
    float[] values = ExactValues(N, 3);
    byte[] mask = Float32Mask(values, Rows, Cols, Norm.L1, 0.5, 1, 4, 2);
    double[] doubles = Doubles(values), d = (double[])doubles.Clone();
    ushort[] halves = Bits(values, DType.Float16), h = (ushort[])halves.Clone();
    ushort[] bf16 = Bits(values, DType.BFloat16), b = (ushort[])bf16.Clone();
    using (var s = Sparsifier(Norm.L1, 0.5, 1, 4, 2)) {
      s.AddData("d", d.AsMemory(), Rows, Cols);
      s.AddData("h", h.AsMemory(), DType.Float16, Rows, Cols);
      s.AddData("b", b.AsMemory(), DType.BFloat16, Rows, Cols);
      s.AddData("copy", halves, DType.Float16, Rows, Cols);
      s.Step();
      foreach (string name in s.Names) CollectionAssert.AreEqual(mask, s.GetMask(name), name);
      double[] sparseD = s.GetData<double>("d");
      ushort[] sparseH = s.GetData<ushort>("h"), sparseB = s.GetData<ushort>("b");
      CollectionAssert.AreEqual(doubles, s.GetData<double>("d", true));
      CollectionAssert.AreEqual(halves, s.GetData<ushort>("h", true));
      CollectionAssert.AreEqual(bf16, s.GetData<ushort>("b", true));
      s.SquashAll();
      int zeroed = 0;
      for (int i = 0; i < N; ++i) {
        bool kept = mask[i] == 1;
        zeroed += kept ? 0 : 1;
        Assert.AreEqual(kept ? BitConverter.DoubleToInt64Bits(doubles[i]) : 0L, BitConverter.DoubleToInt64Bits(d[i]), "d " + i);
        Assert.AreEqual(kept ? halves[i] : 0, h[i], "h " + i);
        Assert.AreEqual(kept ? bf16[i] : 0, b[i], "b " + i);
        Assert.AreEqual(d[i], sparseD[i], "d sparsified " + i);
        Assert.AreEqual(h[i], sparseH[i], "h sparsified " + i);
        Assert.AreEqual(b[i], sparseB[i], "b sparsified " + i);
      }
      Assert.AreEqual(N / 4, zeroed, "2 of each 1x4 block, in half of the blocks");
      CollectionAssert.AreEqual(Bits(values, DType.Float16), halves, "the copied array is never written");
      ushort[] squashedCopy = s.GetData<ushort>("copy");
      for (int i = 0; i < N; ++i) Assert.AreEqual(mask[i] == 1 ? halves[i] : 0, squashedCopy[i], "copy " + i);
    }
  }

  // A column slice of a bigger matrix, borrowed through a row stride: the sparsifier reads the caller's
  // memory at every step (no copy) and squashes zeros into the slice and nothing else.
  [Test]
  public void AStridedViewIsBorrowedWithoutACopy() {
    const int bigRows = 9, bigCols = 20, c0 = 3, cols = 12;
    double[] big = Doubles(ExactValues(bigRows * bigCols, 11));
    var slice = new double[bigRows * cols];
    for (int r = 0; r < bigRows; ++r) Array.Copy(big, r * bigCols + c0, slice, r * cols, cols);
    var view = new TensorDesc(DType.Float64, new long[] { bigRows, cols }, bigCols);
    using (var s = Sparsifier(Norm.L2, 0.5, 1, 4, 4))
    using (var reference = Sparsifier(Norm.L2, 0.5, 1, 4, 4)) {
      s.AddData("view", big.AsMemory(c0), view);  // element (0, 0) of the view is big[c0]
      Assert.AreEqual(view, s.GetDesc("view"));
      CollectionAssert.AreEqual(slice, s.GetData<double>("view", true), "the view, read back contiguous");
      reference.AddData("slice", slice, bigRows, cols);
      s.Step();
      reference.Step();
      CollectionAssert.AreEqual(reference.GetMask("slice"), s.GetMask("view"));

      // The sparsifier reads the caller's memory: make row 0's first block the largest, no re-add.
      for (int j = 0; j < 4; ++j) big[c0 + j] = slice[j] = 1e6;
      reference.RemoveData("slice");
      reference.AddData("slice", slice, bigRows, cols);
      s.Step();
      reference.Step();
      byte[] mask = s.GetMask("view");
      CollectionAssert.AreEqual(reference.GetMask("slice"), mask, "the step saw the caller's change");
      Assert.AreEqual(1, mask[0], "the changed block is kept");

      var before = (double[])big.Clone();
      s.SquashAll();
      int zeroed = 0;
      for (int r = 0; r < bigRows; ++r)
        for (int c = 0; c < bigCols; ++c) {
          bool inside = c >= c0 && c < c0 + cols;
          bool masked = inside && mask[r * cols + c - c0] == 0;
          zeroed += masked ? 1 : 0;
          Assert.AreEqual(masked ? 0.0 : before[r * bigCols + c], big[r * bigCols + c], "(" + r + ", " + c + ")");
        }
      int blocks = bigRows * (cols / 4);
      Assert.AreEqual(4 * (int)Math.Round(0.5 * blocks, MidpointRounding.ToEven), zeroed, "the view's blocks squashed in place");
    }
  }

  // A view into an array is copied contiguous: the copy has no row stride.
  [Test]
  public void AStridedViewOfAnArrayIsCopiedContiguous() {
    float[] big = ExactValues(6 * 10, 5);
    var slice = new float[6 * 4];
    for (int r = 0; r < 6; ++r) Array.Copy(big, r * 10, slice, r * 4, 4);
    using (var s = Sparsifier(Norm.L1, 0.5, 1, 4, 4)) {
      s.AddData("v", big, new TensorDesc(DType.Float32, new long[] { 6, 4 }, 10));
      Assert.AreEqual(new TensorDesc(DType.Float32, 6, 4), s.GetDesc("v"));
      CollectionAssert.AreEqual(slice, s.GetData("v", true));
      var before = (float[])big.Clone();
      s.Step();
      s.SquashAll();
      CollectionAssert.AreEqual(before, big, "an array is never written");
      Assert.AreEqual(0, PinCount(s), "a copy pins nothing");
    }
  }

  // A 4-D tensor (a conv weight) is sparsified as its matrix; its mask is in its own shape.
  [Test]
  public void AFourDimensionalTensorMasksAsItsMatrix() {
    const long o = 4, cin = 3, kh = 2, kw = 8;
    float[] values = ExactValues((int)(o * cin * kh * kw), 9);
    ushort[] bits = Bits(values, DType.BFloat16);
    var conv = new TensorDesc(DType.BFloat16, o, cin, kh, kw);
    Assert.AreEqual(o * cin * kh, conv.Rows);
    Assert.AreEqual(kw, conv.Cols);
    byte[] matrixMask = Float32Mask(values, o * cin * kh, kw, Norm.L1, 0.5, 2, 2, 2);
    using (var s = Sparsifier(Norm.L1, 0.5, 2, 2, 2)) {
      s.AddData("conv", bits.AsMemory(), DType.BFloat16, o, cin, kh, kw);
      s.Step();
      TensorDesc back = s.GetDesc("conv");
      Assert.AreEqual(conv, back);
      Assert.IsTrue(conv == back && !(conv != back), "== and !=");
      CollectionAssert.AreEqual(new long[] { o, cin, kh, kw }, back.Shape);
      Assert.AreEqual(0, back.RowStride);
      Assert.AreEqual(4, back.Rank);
      Assert.AreEqual(o * cin * kh, s.Rows("conv"), "Rows: the matrix");
      byte[] mask = s.GetMask("conv");
      Assert.AreEqual(back.Count, mask.Length);
      int zeros = 0;
      for (long a = 0; a < o; ++a)
        for (long b = 0; b < cin; ++b)
          for (long c = 0; c < kh; ++c)
            for (long d = 0; d < kw; ++d) {
              long row = (a * cin + b) * kh + c;
              byte m = mask[back.Index(a, b, c, d)];
              Assert.AreEqual(matrixMask[row * kw + d], m, "(" + a + ", " + b + ", " + c + ", " + d + ")");
              zeros += m == 0 ? 1 : 0;
            }
      Assert.AreEqual(mask.Length / 4, zeros, "2 of 4 in half of the 2x2 blocks");
      CollectionAssert.AreEqual(bits, s.GetData<ushort>("conv", true));
    }
  }

  [Test]
  public void AnItemAddedAsAMatrixIsA2DFloat32Tensor() {
    using (var s = new DataNormSparsifier()) {
      s.AddData("m", new float[12], 3, 4);
      Assert.AreEqual(new TensorDesc(DType.Float32, 3, 4), s.GetDesc("m"));
      s.AddData("v", new float[12], 12);
      Assert.AreEqual(new TensorDesc(DType.Float32, 12), s.GetDesc("v"));
      Assert.AreEqual(1, s.Rows("v"));
      s.AddData("i", new float[12], new[] { 2, 2, 3 });
      Assert.AreEqual(new TensorDesc(DType.Float32, new[] { 2, 2, 3 }), s.GetDesc("i"));
      Expect.Fails(Status.NotFound, () => s.GetDesc("nope"), "GetDesc of an unknown item");
    }
  }

  [Test]
  public void TheDescriptorIsAValue() {
    var a = new TensorDesc(DType.Float16, 2, 3, 4);
    var shape = new long[] { 2, 3, 4 };
    var b = new TensorDesc(DType.Float16, shape, 0);
    shape[0] = 99;  // copied
    Assert.AreEqual(a, b);
    Assert.AreEqual(a.GetHashCode(), b.GetHashCode());
    Assert.AreEqual("Float16 2x3x4", a.ToString());
    Assert.AreEqual("Float16 2x3x4, row stride 9", a.WithRowStride(9).ToString());
    Assert.AreNotEqual(a, a.WithRowStride(9));
    Assert.AreNotEqual(a, new TensorDesc(DType.BFloat16, 2, 3, 4));
    Assert.AreEqual(24, a.Count);
    Assert.AreEqual(3, a.Rank);
    Assert.AreEqual(23, a.Index(1, 2, 3));
    Assert.AreEqual(4 * 1 + 3, a.Index(0, 1, 3));
    Assert.Throws<ArgumentOutOfRangeException>(() => a.Index(2, 0, 0));
    Assert.Catch<ArgumentException>(() => a.Index(1, 1));
    Assert.Throws<ArgumentNullException>(() => new TensorDesc(DType.Float32, (long[])null));
  }

  // Borrowed memory stays pinned and alive while registered, and only then.
  [Test]
  public void BorrowedMemoryIsPinnedWhileRegistered() {
    using (var s = Sparsifier(Norm.L1, 0.5, 1, 4, 4)) {
      WeakReference weak = BorrowUnreferenced(s);
      TestData.CollectGarbage();
      GC.KeepAlive(new byte[1 << 20]);
      Assert.IsTrue(weak.IsAlive, "the sparsifier keeps the array");
      Assert.AreEqual(1, PinCount(s));
      s.Step();
      CollectionAssert.AreEqual(new double[] { 1, 1, 1, 1, 9, 9, 9, 9 }, s.GetData<double>("w", true));
      CollectionAssert.AreEqual(new byte[] { 0, 0, 0, 0, 1, 1, 1, 1 }, s.GetMask("w"));
      s.AddData("w", new double[8], 8);  // replaced by a copy: unpinned
      Assert.AreEqual(0, PinCount(s));
      TestData.CollectGarbage();
      Assert.IsFalse(weak.IsAlive, "released once replaced");
      s.AddData("x", new ushort[8].AsMemory(), DType.Float16, 8);
      Expect.Fails(Status.InvalidArgument, () => s.AddData("x", new ushort[7].AsMemory(), DType.Float16, 8), "too short");
      Assert.AreEqual(1, PinCount(s), "a failed replacement keeps the old pin");
    }
  }

  static WeakReference BorrowUnreferenced(Sparsifier s) {
    var data = new double[] { 1, 1, 1, 1, 9, 9, 9, 9 };
    s.AddData("w", data.AsMemory(), 1, 8);
    return new WeakReference(data);
  }

  static int PinCount(Sparsifier sparsifier) {
    FieldInfo field = typeof(Sparsifier).GetField("pins", BindingFlags.NonPublic | BindingFlags.Instance);
    return ((ICollection)field.GetValue(sparsifier)).Count;
  }

  // A state saved with data restores a float16 tensor into the registered memory.
  [Test]
  public void AStateWithDataRestoresTheTensor() {
    ushort[] halves = Bits(ExactValues(N, 13), DType.Float16);
    byte[] state, mask;
    using (var s = Sparsifier(Norm.L2, 0.5, 2, 2, 2)) {
      s.AddData("w", halves.AsMemory(), DType.Float16, 3, 4, 16);
      s.Step();
      mask = s.GetMask("w");
      state = s.SaveToBytes(true);
    }
    var target = new ushort[N];
    using (var s = Sparsifier(Norm.L2, 0.5, 2, 2, 2)) {
      s.AddData("w", target.AsMemory(), DType.Float16, 3, 4, 16);
      s.LoadFromBytes(state);
      CollectionAssert.AreEqual(mask, s.GetMask("w"));
      CollectionAssert.AreEqual(halves, target, "the data was copied into the caller's array");
    }
    using (var s = Sparsifier(Norm.L2, 0.5, 2, 2, 2)) {
      s.AddData("w", new ushort[N], DType.BFloat16, 3, 4, 16);
      Expect.Fails(Status.Corrupt, () => s.LoadFromBytes(state), "another dtype");
    }
  }

  class ZeroFirst : DataSparsifier {
    public override void UpdateMask(string name, DataView data, Config config, MaskView mask) {
      mask.Set(0, 0, 0);
    }
  }

  // A custom sparsifier's UpdateMask reads float rows: it takes contiguous float32 tensors only.
  [Test]
  public void ACustomSparsifierTakesContiguousFloat32Only() {
    using (var s = new ZeroFirst()) {
      var e = Expect.Fails(Status.InvalidArgument, () => s.AddData("h", new ushort[8], DType.Float16, 2, 4), "float16");
      StringAssert.Contains("contiguous float32", e.Message);
      s.AddData("nd", new float[16], 2, 2, 4);
      s.Step();
      Assert.AreEqual(0, s.GetMask("nd")[0]);
    }
  }

  // --- Arguments --------------------------------------------------------------------------

  static void Refused(Sparsifier s, string needle, TestDelegate call) {
    Exception e = Expect.Fails(Status.InvalidArgument, call, needle);
    StringAssert.Contains(needle, e.Message);
    Assert.AreEqual(0, s.Count, "nothing registered");
    Assert.AreEqual(0, PinCount(s), "nothing pinned");
  }

  [Test]
  public void BadShapesAreRefusedNamingTheArgument() {
    using (var s = new DataNormSparsifier()) {
      Refused(s, "shape[1] must be >= 1, got -3", () => s.AddData("w", new double[6].AsMemory(), 2, -3));
      Refused(s, "shape[0] must be >= 1, got 0", () => s.AddData("w", new ushort[6], DType.Float16, 0, 6));
      Refused(s, "shape[0] must be >= 1, got -1", () => s.AddData("w", new double[6], new[] { -1, 6 }));
      Refused(s, "shape must have 1 to 8 dimensions, got 9 (1x1x1x1x1x1x1x1x1)",
              () => s.AddData("w", new double[1], 1, 1, 1, 1, 1, 1, 1, 1, 1));
      Refused(s, "shape must have 1 to 8 dimensions, got 0", () => s.AddData("w", new double[1]));
      Refused(s, "rowStride must be 0 (contiguous) or >= the last size 5, got 4",
              () => s.AddData("w", new float[40].AsMemory(), new TensorDesc(DType.Float32, new long[] { 3, 5 }, 4)));
      Refused(s, "rowStride must be 0 (contiguous) or >= the last size 5, got -1",
              () => s.AddData("w", new float[40], new TensorDesc(DType.Float32, new long[] { 3, 5 }, -1)));
      Refused(s, "has too many elements", () => s.AddData("w", new float[8].AsMemory(), long.MaxValue, 4, 2));
      Refused(s, "spans more than memory",
              () => s.AddData("w", new float[8], new TensorDesc(DType.Float32, new long[] { 3, 2 }, long.MaxValue / 2)));
      Refused(s, "dtype must be float32 (0), float64 (1), float16 (2) or bfloat16 (3), got 7",
              () => s.AddData("w", new ushort[8], (DType)7, 8));
      Refused(s, "'a.b'", () => s.AddData("a.b", new double[4].AsMemory(), 2, 2));
    }
  }

  [Test]
  public void BuffersShorterThanTheTensorAreRefused() {
    using (var s = new DataNormSparsifier()) {
      Refused(s, "data has 5 elements, fewer than the 6 the float64 tensor 2x3 spans",
              () => s.AddData("w", new double[5].AsMemory(), 2, 3));
      Refused(s, "data has 20 elements, fewer than the 21 the float32 tensor 3x5 with row stride 8 spans",
              () => s.AddData("w", new float[20].AsMemory(), new TensorDesc(DType.Float32, new long[] { 3, 5 }, 8)));
      Refused(s, "data has 11 elements, fewer than the 12 the float16 tensor 3x4 spans",
              () => s.AddData("w", new ushort[11], DType.Float16, 3, 4));
      Refused(s, "data has 5 elements, fewer than the 6", () => s.AddData("w", new double[8].AsMemory(3), 6));
      IntPtr memory = Marshal.AllocHGlobal(64);
      try {
        Refused(s, "data has 7 elements, fewer than the 8 the float64 tensor 8 spans",
                () => s.AddData("w", memory, 7, new TensorDesc(DType.Float64, 8)));
        Assert.Throws<ArgumentOutOfRangeException>(() => s.AddData("w", memory, -1, new TensorDesc(DType.Float64, 8)));
        Assert.Throws<ArgumentNullException>(() => s.AddData("w", IntPtr.Zero, 8, new TensorDesc(DType.Float64, 8)));
      } finally {
        Marshal.FreeHGlobal(memory);
      }
      s.AddData("w", new double[8].AsMemory(3), 5);  // exactly the slice's elements
      Assert.AreEqual(1, s.Count);
    }
  }

  [Test]
  public void MemoryOfAnotherElementTypeThanTheDtypeIsRefused() {
    using (var s = new DataNormSparsifier()) {
      Refused(s, "data has 4-byte elements, dtype float64 has 8-byte ones",
              () => s.AddData("w", new float[8].AsMemory(), new TensorDesc(DType.Float64, 2, 4)));
      Refused(s, "data has 2-byte elements, dtype float32 has 4-byte ones",
              () => s.AddData("w", new ushort[8].AsMemory(), DType.Float32, 2, 4));
      Refused(s, "data has 8-byte elements, dtype bfloat16 has 2-byte ones",
              () => s.AddData("w", new double[8], new TensorDesc(DType.BFloat16, 2, 4)));
      Refused(s, "data has 4-byte elements, dtype float16 has 2-byte ones",
              () => s.AddData("w", new float[8], new TensorDesc(DType.Float16, 8)));
      Assert.Throws<ArgumentNullException>(() => s.AddData("w", (double[])null, 8));
      Assert.Throws<ArgumentNullException>(() => s.AddData("w", new float[8], (TensorDesc)null));
      Assert.Throws<ArgumentNullException>(() => s.AddData("w", new float[8].AsMemory(), (TensorDesc)null));
      Assert.Throws<ArgumentNullException>(() => s.AddData(null, new float[8], 8));
      Assert.AreEqual(0, s.Count);
    }
  }

  [Test]
  public void MisalignedMemoryIsRefused() {
    IntPtr memory = Marshal.AllocHGlobal(8 * 9);
    try {
      using (var s = new DataNormSparsifier())
        Refused(s, "data must be aligned to its 8-byte float64 elements",
                () => s.AddData("w", memory + 1, 8, new TensorDesc(DType.Float64, 8)));
    } finally {
      Marshal.FreeHGlobal(memory);
    }
  }

  [Test]
  public void DataIsReadInItsOwnTypeOnly() {
    using (var s = new DataNormSparsifier()) {
      s.AddData("h", new ushort[8], DType.Float16, 2, 4);
      s.AddData("d", new double[8], 2, 4);
      s.AddData("f", new float[8], 2, 4);
      var e = Expect.Fails(Status.InvalidArgument, () => s.GetData<double>("h", true), "double of float16");
      StringAssert.Contains("out has 8-byte elements, the item's float16 data has 2-byte ones", e.Message);
      Expect.Fails(Status.InvalidArgument, () => s.GetData<ushort>("d", true), "ushort of float64");
      Expect.Fails(Status.InvalidArgument, () => s.GetData<ushort>("f", true), "ushort of float32");
      var f = Expect.Fails(Status.InvalidArgument, () => s.GetData("d", true), "float of float64");
      StringAssert.Contains("float64", f.Message);
      var t = Expect.Fails(Status.InvalidArgument, () => s.GetData<int>("d", true), "int");
      StringAssert.Contains("T must be float (float32), double (float64) or ushort (float16, bfloat16), got Int32", t.Message);
      CollectionAssert.AreEqual(new float[8], s.GetData<float>("f", true), "float32 through the generic method");
      var small = new ushort[] { 7, 7, 7 };
      Expect.Fails(Status.InvalidArgument, () => s.GetData("h", true, small), "too small");
      CollectionAssert.AreEqual(new ushort[] { 7, 7, 7 }, small, "written only on success");
      var large = new ushort[] { 7, 7, 7, 7, 7, 7, 7, 7, 7, 7 };
      s.GetData("h", true, large);
      CollectionAssert.AreEqual(new ushort[] { 0, 0, 0, 0, 0, 0, 0, 0, 7, 7 }, large, "past the item: untouched");
      Expect.Fails(Status.NotFound, () => s.GetData<double>("nope", true), "unknown item");
    }
  }

  [Test]
  public void ADisposedSparsifierOrConfigIsRefused() {
    var s = new DataNormSparsifier();
    var config = new Config { ["sparsity_level"] = 0.5 };
    config.Dispose();
    Assert.Throws<DisposedException>(() => s.AddData("w", new double[8], new TensorDesc(DType.Float64, 8), config));
    Assert.AreEqual(0, s.Count);
    s.Dispose();
    Assert.Throws<DisposedException>(() => s.AddData("w", new double[8].AsMemory(), 8));
    Assert.Throws<DisposedException>(() => s.GetDesc("w"));
    Assert.AreEqual(0, PinCount(s), "a failed borrow pins nothing");
  }
}

}
