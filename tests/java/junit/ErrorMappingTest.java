package org.datasparse.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.datasparse.Config;
import org.datasparse.DataNormSparsifier;
import org.datasparse.DatasparseException;
import org.datasparse.Norm;
import org.datasparse.datasparse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Failed calls throw DatasparseException with the C API's status and ds_last_error()'s message. */
class ErrorMappingTest {
  static DatasparseException fails(int status, Executable call) {
    DatasparseException e = assertThrows(DatasparseException.class, call);
    assertEquals(status, e.getStatus(), e.toString());
    assertFalse(e.getMessage().startsWith("DS_"), "the message has no status prefix: " + e.getMessage());
    assertTrue(e.toString().contains(e.getStatusName() + ": " + e.getMessage()), e.toString());
    return e;
  }

  @Test
  void invalidArguments() {
    try (DataNormSparsifier sparsifier = new DataNormSparsifier()) {
      DatasparseException e = fails(DatasparseException.INVALID_ARGUMENT,
          () -> sparsifier.addData("a.b", new float[4], 2, 2));
      assertEquals("DS_ERR_INVALID_ARGUMENT", e.getStatusName());
      fails(DatasparseException.INVALID_ARGUMENT, () -> sparsifier.addData("", new float[4], 2, 2));
      fails(DatasparseException.INVALID_ARGUMENT, () -> sparsifier.addData("a", new float[4], 0, 2));
      try (Config bad = new Config()) {
        fails(DatasparseException.INVALID_ARGUMENT, () -> bad.set("level", Double.NaN));
        bad.set("zeros_per_block", 5);
        DatasparseException zeros = fails(DatasparseException.INVALID_ARGUMENT,
            () -> sparsifier.addData("a", new float[4], 2, 2, bad));
        assertTrue(zeros.getMessage().contains("zeros_per_block"), zeros.getMessage());
      }
      fails(DatasparseException.INVALID_ARGUMENT,
          () -> new DataNormSparsifier(Norm.L1, new Config().with("block_rows", 0)));
      assertEquals(0, sparsifier.size());
    }
  }

  @Test
  void unknownNames() {
    try (DataNormSparsifier sparsifier = new DataNormSparsifier()) {
      DatasparseException e = fails(DatasparseException.NOT_FOUND, () -> sparsifier.getMask("nope"));
      assertTrue(e.getMessage().contains("nope"), e.getMessage());
      fails(DatasparseException.NOT_FOUND, () -> sparsifier.removeData("nope"));
      fails(DatasparseException.NOT_FOUND, () -> sparsifier.getParam("nope", "sparsity_level"));
      try (Config c = new Config()) {
        fails(DatasparseException.NOT_FOUND, () -> c.get("nope"));
        fails(DatasparseException.NOT_FOUND, () -> c.remove("nope"));
      }
    }
  }

  @Test
  void shapeAndState() {
    try (DataNormSparsifier sparsifier = new DataNormSparsifier()) {
      sparsifier.addData("a", new float[8], 2, 4);
      fails(DatasparseException.SHAPE, () -> sparsifier.addData("a", new float[8], 4, 2, null, true));
      assertEquals(4, sparsifier.cols("a")); // unchanged
      sparsifier.squashAll();
      fails(DatasparseException.STATE, () -> sparsifier.getMask("a"));
      fails(DatasparseException.STATE, () -> sparsifier.getData("a", true));
    }
  }

  @Test
  void corruptStateAndIo() {
    try (DataNormSparsifier sparsifier = new DataNormSparsifier()) {
      sparsifier.addData("a", new float[8], 2, 4);
      fails(DatasparseException.CORRUPT, () -> sparsifier.loadFromBytes(new byte[] {1, 2, 3, 4, 5}));
      byte[] state = sparsifier.saveToBytes();
      state[state.length / 2] ^= 0x55;
      fails(DatasparseException.CORRUPT, () -> sparsifier.loadFromBytes(state));
      fails(DatasparseException.IO, () -> sparsifier.load("/nonexistent/dir/state.bin"));
      fails(DatasparseException.IO, () -> sparsifier.save("/nonexistent/dir/state.bin"));
      assertThrows(NullPointerException.class, () -> sparsifier.loadFromBytes(null));
      sparsifier.step(); // still usable
    }
  }

  @Test
  void nullArguments() {
    try (DataNormSparsifier sparsifier = new DataNormSparsifier()) {
      assertThrows(NullPointerException.class, () -> sparsifier.getMask(null));
      assertThrows(NullPointerException.class, () -> sparsifier.squashMask(null));
      assertThrows(NullPointerException.class, () -> sparsifier.squashMask(new String[] {null}));
      assertThrows(NullPointerException.class, () -> sparsifier.getMask("a", null));
    }
  }

  @Test
  void configIsAMapOfDoubles() {
    try (Config c = new Config().with("b", 2).with("a", 1)) {
      assertEquals(2, c.size());
      assertArrayEquals(new String[] {"a", "b"}, c.keys());
      assertEquals("b", c.keyAt(1));
      assertTrue(c.contains("a"));
      assertEquals("{a=1.0, b=2.0}", c.toString());
      try (Config copy = new Config(c)) {
        copy.remove("a");
        assertFalse(copy.contains("a"));
        assertTrue(c.contains("a"));
      }
      fails(DatasparseException.INVALID_ARGUMENT, () -> c.keyAt(5));
      fails(DatasparseException.INVALID_ARGUMENT, () -> c.set("", 1));
    }
  }

  @Test
  void version() {
    assertTrue(datasparse.version().matches("\\d+\\.\\d+\\.\\d+"), datasparse.version());
  }
}
