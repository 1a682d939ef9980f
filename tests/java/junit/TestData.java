package org.datasparse.tests;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/** Deterministic data and direct buffers for the tests. */
final class TestData {
  private TestData() {}

  /** A direct, native-order buffer of n floats (zero). */
  static FloatBuffer direct(int n) {
    return ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder()).asFloatBuffer();
  }

  /** A direct, native-order buffer holding values. */
  static FloatBuffer direct(float[] values) {
    FloatBuffer buffer = direct(values.length);
    buffer.put(values).rewind();
    return buffer;
  }

  /** sin(0.37 i + phase), the seed example's batches. */
  static float[] sine(int n, double phase) {
    float[] out = new float[n];
    for (int i = 0; i < n; ++i) out[i] = (float) Math.sin(0.37 * i + phase);
    return out;
  }

  static void fill(FloatBuffer buffer, float[] values) {
    for (int i = 0; i < values.length; ++i) buffer.put(i, values[i]);
  }

  static float[] toArray(FloatBuffer buffer) {
    float[] out = new float[buffer.capacity()];
    for (int i = 0; i < out.length; ++i) out[i] = buffer.get(i);
    return out;
  }

  static int zeros(byte[] mask) {
    int n = 0;
    for (byte b : mask) if (b == 0) ++n;
    return n;
  }

  /** Python's round (half to even), as the norm sparsifier counts blocks. */
  static long roundHalfEven(double x) {
    return (long) Math.rint(x);
  }

  /** Asks the JVM hard to collect garbage and run finalisers. */
  static void collectGarbage() {
    for (int i = 0; i < 3; ++i) {
      System.gc();
      System.runFinalization();
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
