package org.datasparse.tests;

import static org.datasparse.tests.Failing.fails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.NoSuchElementException;
import org.datasparse.Config;
import org.datasparse.CorruptStateException;
import org.datasparse.DataNormSparsifier;
import org.datasparse.FileException;
import org.datasparse.InvalidArgumentException;
import org.datasparse.Library;
import org.datasparse.Norm;
import org.datasparse.NotFoundException;
import org.datasparse.StateException;
import org.datasparse.Status;
import org.junit.jupiter.api.Test;

/** Failed calls throw Java exceptions by meaning, each carrying the C API's status and ds_last_error()'s message. */
class ErrorMappingTest {
  @Test
  void invalidArguments() {
    try (DataNormSparsifier sparsifier = new DataNormSparsifier()) {
      IllegalArgumentException e = fails(IllegalArgumentException.class, Status.INVALID_ARGUMENT,
          () -> sparsifier.addData("a.b", new float[4], 2, 2));
      assertTrue(e instanceof InvalidArgumentException, e.toString());
      assertEquals("DS_ERR_INVALID_ARGUMENT", ((InvalidArgumentException) e).getStatusName());
      fails(IllegalArgumentException.class, Status.INVALID_ARGUMENT, () -> sparsifier.addData("", new float[4], 2, 2));
      fails(IllegalArgumentException.class, Status.INVALID_ARGUMENT, () -> sparsifier.addData("a", new float[4], 0, 2));
      try (Config bad = new Config()) {
        fails(IllegalArgumentException.class, Status.INVALID_ARGUMENT, () -> bad.set("level", Double.NaN));
        bad.set("zeros_per_block", 5);
        IllegalArgumentException zeros = fails(IllegalArgumentException.class, Status.INVALID_ARGUMENT,
            () -> sparsifier.addData("a", new float[4], 2, 2, bad));
        assertTrue(zeros.getMessage().contains("zeros_per_block"), zeros.getMessage());
      }
      fails(IllegalArgumentException.class, Status.INVALID_ARGUMENT,
          () -> new DataNormSparsifier(Norm.L1, new Config().with("block_rows", 0)));
      assertEquals(0, sparsifier.size());
    }
  }

  @Test
  void unknownNames() {
    try (DataNormSparsifier sparsifier = new DataNormSparsifier()) {
      NoSuchElementException e = fails(NoSuchElementException.class, Status.NOT_FOUND, () -> sparsifier.getMask("nope"));
      assertTrue(e instanceof NotFoundException, e.toString());
      assertTrue(e.getMessage().contains("nope"), e.getMessage());
      fails(NoSuchElementException.class, Status.NOT_FOUND, () -> sparsifier.removeData("nope"));
      fails(NoSuchElementException.class, Status.NOT_FOUND, () -> sparsifier.getParam("nope", "sparsity_level"));
      try (Config c = new Config()) {
        fails(NoSuchElementException.class, Status.NOT_FOUND, () -> c.get("nope"));
        fails(NoSuchElementException.class, Status.NOT_FOUND, () -> c.remove("nope"));
      }
    }
  }

  @Test
  void shapeAndState() {
    try (DataNormSparsifier sparsifier = new DataNormSparsifier()) {
      sparsifier.addData("a", new float[8], 2, 4);
      fails(IllegalArgumentException.class, Status.SHAPE, () -> sparsifier.addData("a", new float[8], 4, 2, null, true));
      assertEquals(4, sparsifier.cols("a")); // unchanged
      sparsifier.squashAll();
      IllegalStateException e = fails(IllegalStateException.class, Status.STATE, () -> sparsifier.getMask("a"));
      assertTrue(e instanceof StateException, e.toString());
      fails(IllegalStateException.class, Status.STATE, () -> sparsifier.getData("a", true));
    }
  }

  @Test
  void corruptStateAndIo() throws IOException {
    try (DataNormSparsifier sparsifier = new DataNormSparsifier()) {
      sparsifier.addData("a", new float[8], 2, 4);
      fails(CorruptStateException.class, Status.CORRUPT, () -> sparsifier.loadFromBytes(new byte[] {1, 2, 3, 4, 5}));
      byte[] state = sparsifier.saveToBytes();
      state[state.length / 2] ^= 0x55;
      fails(CorruptStateException.class, Status.CORRUPT, () -> sparsifier.loadFromBytes(state));
      // both are IOExceptions, as Java's file and format errors are
      assertTrue(assertThrows(IOException.class, () -> sparsifier.loadFromBytes(state)) instanceof CorruptStateException);
      fails(FileException.class, Status.IO, () -> sparsifier.load("/nonexistent/dir/state.bin"));
      fails(FileException.class, Status.IO, () -> sparsifier.save("/nonexistent/dir/state.bin"));
      assertTrue(assertThrows(IOException.class, () -> sparsifier.save("/nonexistent/dir/state.bin")) instanceof FileException);
      assertThrows(NullPointerException.class, () -> sparsifier.loadFromBytes(null));
      sparsifier.step(); // still usable
    }
  }

  @Test
  void nullArgumentsNameTheParameter() {
    try (DataNormSparsifier sparsifier = new DataNormSparsifier()) {
      assertEquals("name", assertThrows(NullPointerException.class, () -> sparsifier.getMask(null)).getMessage());
      assertEquals("names", assertThrows(NullPointerException.class, () -> sparsifier.squashMask((String[]) null)).getMessage());
      assertEquals("names", assertThrows(NullPointerException.class, () -> sparsifier.squashMask((List<String>) null)).getMessage());
      assertEquals("names[0]", assertThrows(NullPointerException.class, () -> sparsifier.squashMask(new String[] {null})).getMessage());
      assertEquals("out", assertThrows(NullPointerException.class, () -> sparsifier.getMask("a", null)).getMessage());
      assertEquals("norm", assertThrows(NullPointerException.class, () -> new DataNormSparsifier(null, null)).getMessage());
    }
  }

  @Test
  void configIsAMapOfDoubles() {
    try (Config c = new Config().with("b", 2).with("a", 1)) {
      assertEquals(2, c.size());
      assertEquals(List.of("a", "b"), c.keys());
      assertEquals("b", c.keys().get(1));
      assertTrue(c.contains("a"));
      assertEquals("{a=1.0, b=2.0}", c.toString());
      assertEquals(2.0, c.toMap().get("b"), 0);
      try (Config copy = new Config(c)) {
        copy.remove("a");
        assertFalse(copy.contains("a"));
        assertTrue(c.contains("a"));
      }
      assertThrows(IndexOutOfBoundsException.class, () -> c.keys().get(5));
      assertThrows(UnsupportedOperationException.class, () -> c.keys().add("c")); // a copy, not a view
      fails(IllegalArgumentException.class, Status.INVALID_ARGUMENT, () -> c.set("", 1));
    }
  }

  @Test
  void version() {
    assertTrue(Library.version().matches("\\d+\\.\\d+\\.\\d+"), Library.version());
  }

  @Test
  void statusesAreTheCApisValues() {
    assertEquals(0, Status.OK.value());
    assertEquals(2, Status.NOT_FOUND.value());
    assertEquals(10, Status.INTERNAL.value());
    assertEquals(1, Norm.L2.value());
  }
}
