package org.datasparse.tests;

import static org.datasparse.tests.Failing.fails;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.datasparse.Config;
import org.datasparse.DataNormSparsifier;
import org.datasparse.Norm;
import org.datasparse.Status;
import org.junit.jupiter.api.Test;

/** Direct FloatBuffers are borrowed (both sides see changes); float[] is copied. */
class ZeroCopyTest {
  static DataNormSparsifier halfOfFourBlocks() {
    try (Config defaults = new Config().with("sparsity_level", 0.5).with("block_cols", 1)) {
      return new DataNormSparsifier(Norm.L1, defaults);
    }
  }

  @Test
  void theSparsifierSeesChangesMadeToTheBuffer() {
    FloatBuffer data = TestData.direct(new float[] {1, 2, 3, 4});
    try (DataNormSparsifier sparsifier = halfOfFourBlocks()) {
      sparsifier.addData("w", data, 1, 4);
      sparsifier.step();
      assertArrayEquals(new byte[] {0, 0, 1, 1}, sparsifier.getMask("w"));
      data.put(0, 10).put(1, 20); // no re-add: the next step reads the new values
      sparsifier.step();
      assertArrayEquals(new byte[] {1, 1, 0, 0}, sparsifier.getMask("w"));
      assertArrayEquals(new float[] {10, 20, 3, 4}, sparsifier.getData("w", true));
    }
  }

  @Test
  void squashWritesIntoTheBuffer() {
    FloatBuffer data = TestData.direct(new float[] {1, 2, 3, 4});
    try (DataNormSparsifier sparsifier = halfOfFourBlocks()) {
      sparsifier.addData("w", data, 2, 2);
      sparsifier.step();
      sparsifier.squashMask(new String[] {"w"});
      assertArrayEquals(new float[] {0, 0, 3, 4}, TestData.toArray(data));
      fails(IllegalStateException.class, Status.STATE, () -> sparsifier.getMask("w"));
    }
  }

  @Test
  void anEmptyListOfNamesSquashesNothing() {
    FloatBuffer data = TestData.direct(new float[] {1, 2, 3, 4});
    try (DataNormSparsifier sparsifier = halfOfFourBlocks()) {
      sparsifier.addData("w", data, 2, 2);
      sparsifier.step();
      sparsifier.squashMask(new String[0], true);
      assertArrayEquals(new float[] {1, 2, 3, 4}, TestData.toArray(data));
      assertEquals(false, sparsifier.isSquashed("w"));
    }
  }

  @Test
  void squashWithoutParametrizationLeavesTheBuffer() {
    FloatBuffer data = TestData.direct(new float[] {1, 2, 3, 4});
    try (DataNormSparsifier sparsifier = halfOfFourBlocks()) {
      sparsifier.addData("w", data, 2, 2);
      sparsifier.step();
      sparsifier.squashAll(false);
      assertArrayEquals(new float[] {1, 2, 3, 4}, TestData.toArray(data));
    }
  }

  @Test
  void aSliceIsBorrowedFromItsPosition() {
    FloatBuffer whole = TestData.direct(new float[] {100, 100, 1, 2, 3, 4});
    whole.position(2);
    FloatBuffer slice = whole.slice();
    try (DataNormSparsifier sparsifier = halfOfFourBlocks()) {
      sparsifier.addData("w", slice, 1, 4);
      sparsifier.step();
      sparsifier.squashAll();
      assertArrayEquals(new float[] {100, 100, 0, 0, 3, 4}, TestData.toArray(whole));
    }
  }

  @Test
  void aBufferIsBorrowedFromItsPositionLikeEveryNioApi() {
    FloatBuffer whole = TestData.direct(new float[] {100, 100, 1, 2, 3, 4});
    whole.position(2); // not sliced: the position alone says where the item starts
    try (DataNormSparsifier sparsifier = halfOfFourBlocks()) {
      sparsifier.addData("w", whole, 1, 4);
      sparsifier.step();
      assertArrayEquals(new float[] {1, 2, 3, 4}, sparsifier.getData("w", true));
      sparsifier.squashAll();
      assertArrayEquals(new float[] {100, 100, 0, 0, 3, 4}, TestData.toArray(whole));
      assertEquals(2, whole.position()); // the caller's position is left as it was
    }
  }

  @Test
  void aBufferWithFewerRemainingThanRowsTimesColsIsRejected() {
    FloatBuffer data = TestData.direct(8);
    data.position(4); // 4 remaining, 8 in all
    try (DataNormSparsifier sparsifier = halfOfFourBlocks()) {
      IllegalArgumentException e = fails(IllegalArgumentException.class, Status.INVALID_ARGUMENT,
          () -> sparsifier.addData("w", data, 2, 4));
      assertTrue(e.getMessage().contains("4 elements, fewer than rows*cols = 2*4"), e.getMessage());
      assertEquals(0, sparsifier.size());
    }
  }

  @Test
  void anArrayIsCopied() {
    float[] data = {1, 2, 3, 4};
    try (DataNormSparsifier sparsifier = halfOfFourBlocks()) {
      sparsifier.addData("w", data, 1, 4);
      data[0] = 100; // not seen: the sparsifier has its own copy
      sparsifier.step();
      assertArrayEquals(new byte[] {0, 0, 1, 1}, sparsifier.getMask("w"));
      sparsifier.squashAll();
      assertArrayEquals(new float[] {100, 2, 3, 4}, data);
      assertArrayEquals(new float[] {0, 0, 3, 4}, sparsifier.getData("w", false));
    }
  }

  @Test
  void resultsCanBeReadIntoCallerArrays() {
    try (DataNormSparsifier sparsifier = halfOfFourBlocks()) {
      sparsifier.addData("w", new float[] {4, 3, 2, 1}, 1, 4);
      sparsifier.step();
      byte[] mask = {9, 9, 9, 9, 9, 9};
      float[] masked = new float[4];
      sparsifier.getMask("w", mask);
      sparsifier.getData("w", false, masked);
      assertArrayEquals(new byte[] {1, 1, 0, 0, 9, 9}, mask); // past the item: untouched
      assertArrayEquals(new float[] {4, 3, 0, 0}, masked);
      byte[] small = {9, 9, 9};
      fails(IllegalArgumentException.class, Status.INVALID_ARGUMENT, () -> sparsifier.getMask("w", small));
      assertArrayEquals(new byte[] {9, 9, 9}, small); // written only on success
    }
  }

  @Test
  void buffersThatCannotBeBorrowedAreRejected() {
    try (DataNormSparsifier sparsifier = halfOfFourBlocks()) {
      IllegalArgumentException heap = fails(IllegalArgumentException.class, Status.INVALID_ARGUMENT,
          () -> sparsifier.addData("w", FloatBuffer.allocate(4), 1, 4));
      assertTrue(heap.getMessage().contains("direct FloatBuffer"), heap.getMessage());

      FloatBuffer bigEndian = ByteBuffer.allocateDirect(16).order(ByteOrder.BIG_ENDIAN).asFloatBuffer();
      if (ByteOrder.nativeOrder() != ByteOrder.BIG_ENDIAN) {
        IllegalArgumentException order = fails(IllegalArgumentException.class, Status.INVALID_ARGUMENT,
            () -> sparsifier.addData("w", bigEndian, 1, 4));
        assertTrue(order.getMessage().contains("native byte order"), order.getMessage());
      }
      IllegalArgumentException readOnly = fails(IllegalArgumentException.class, Status.INVALID_ARGUMENT,
          () -> sparsifier.addData("w", TestData.direct(4).asReadOnlyBuffer(), 1, 4));
      assertTrue(readOnly.getMessage().contains("read-only"), readOnly.getMessage());

      assertThrows(NullPointerException.class, () -> sparsifier.addData("w", (FloatBuffer) null, 1, 4));
      assertThrows(NullPointerException.class, () -> sparsifier.addData("w", (float[]) null, 1, 4));
      assertEquals(0, sparsifier.size());
    }
  }

  @Test
  void aBufferSmallerThanRowsTimesColsIsRejected() {
    try (DataNormSparsifier sparsifier = halfOfFourBlocks()) {
      IllegalArgumentException direct = fails(IllegalArgumentException.class, Status.INVALID_ARGUMENT,
          () -> sparsifier.addData("w", TestData.direct(5), 2, 3));
      assertTrue(direct.getMessage().contains("5 elements, fewer than rows*cols = 2*3"), direct.getMessage());
      IllegalArgumentException array = fails(IllegalArgumentException.class, Status.INVALID_ARGUMENT,
          () -> sparsifier.addData("w", new float[5], 2, 3));
      assertTrue(array.getMessage().contains("fewer than rows*cols"), array.getMessage());
      assertEquals(0, sparsifier.size());
      // a larger buffer is fine: its first rows*cols floats are the item
      sparsifier.addData("w", TestData.direct(new float[] {1, 2, 3, 4, 5, 6, 7}), 2, 3);
      assertEquals(2, sparsifier.rows("w"));
      assertEquals(3, sparsifier.cols("w"));
    }
  }
}
