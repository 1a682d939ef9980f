package org.datasparse.tests;

/** float16 and bfloat16 bits, independent of the library's conversions (as tests/c/test_tensors.c). */
final class Half {
  private Half() {}

  /** float to IEEE binary16, rounded to nearest even (finite values in range). */
  static short toHalf(float f) {
    int x = Float.floatToRawIntBits(f);
    int sign = (x >>> 16) & 0x8000;
    x &= 0x7FFFFFFF;
    if (x >= 0x7F800000) return (short) (sign | 0x7C00 | (x > 0x7F800000 ? 0x200 : 0));
    if (x >= 0x477FF000) return (short) (sign | 0x7C00); // overflows to infinity
    if (x < 0x38800000) // a subnormal half (or 0): the half's step 2^-24 becomes 1
      return (short) (sign | (int) Math.rint(Float.intBitsToFloat(x) * 16777216.0f));
    int rounded = x + 0xFFF + ((x >>> 13) & 1);
    return (short) (sign | ((rounded - 0x38000000) >>> 13));
  }

  static float halfValue(short bits) {
    int h = bits & 0xFFFF, e = (h >>> 10) & 0x1F, m = h & 0x3FF;
    float v = e == 0 ? Math.scalb((float) m, -24)
        : e == 31 ? (m != 0 ? Float.NaN : Float.POSITIVE_INFINITY) : Math.scalb((float) (m | 0x400), e - 25);
    return (h & 0x8000) != 0 ? -v : v;
  }

  /** float to bfloat16, rounded to nearest even (finite values). */
  static short toBf16(float f) {
    int x = Float.floatToRawIntBits(f);
    return (short) ((x + 0x7FFF + ((x >>> 16) & 1)) >>> 16);
  }

  static float bf16Value(short bits) {
    return Float.intBitsToFloat((bits & 0xFFFF) << 16);
  }
}
