package org.datasparse.tests;

import static org.datasparse.tests.Failing.fails;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.datasparse.Allreduce;
import org.datasparse.CallbackException;
import org.datasparse.Config;
import org.datasparse.CorruptStateException;
import org.datasparse.DataNormSparsifier;
import org.datasparse.DatasparseFailure;
import org.datasparse.Norm;
import org.datasparse.Status;
import org.junit.jupiter.api.Test;

/**
 * Groups and shards (issue 14): a group masks like its items stacked; shards
 * held by threads, joined by an allreduce written in Java, mask like one
 * sparsifier holding everything; a failure on one participant fails all.
 */
class GroupsTest {
  static float[] random(int n, long seed) {
    Random r = new Random(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; ++i) x[i] = (float) (r.nextGaussian());
    return x;
  }

  static DataNormSparsifier sparsifier(double level, int blockRows, int blockCols) {
    try (Config defaults = new Config().with("sparsity_level", level).with("block_rows", blockRows)
             .with("block_cols", blockCols)) {
      return new DataNormSparsifier(Norm.L1, defaults);
    }
  }

  /** An allreduce over n threads: each adds its counts, then every one reads the sum. */
  static final class ThreadSum {
    final int parts;
    long[] total;
    final CyclicBarrier start, added, read;

    ThreadSum(int parts) {
      this.parts = parts;
      start = new CyclicBarrier(parts, () -> total = null);
      added = new CyclicBarrier(parts);
      read = new CyclicBarrier(parts);
    }

    Allreduce participant() {
      return counts -> {
        try {
          start.await(30, TimeUnit.SECONDS);
          synchronized (this) {
            if (total == null) total = new long[counts.length];
            assertEquals(total.length, counts.length);
            for (int i = 0; i < counts.length; ++i) total[i] += counts[i];  // uint64 bits: + wraps as uint64
          }
          added.await(30, TimeUnit.SECONDS);
          synchronized (this) {
            System.arraycopy(total, 0, counts, 0, counts.length);
          }
          read.await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      };
    }
  }

  /** Runs body(p) on parts threads at once; returns what each threw (or null). */
  interface Part {
    void run(int p) throws Exception;
  }

  static Throwable[] onThreads(int parts, Part body) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(parts);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int p = 0; p < parts; ++p) {
        final int part = p;
        futures.add(pool.submit(() -> {
          body.run(part);
          return null;
        }));
      }
      Throwable[] thrown = new Throwable[parts];
      for (int p = 0; p < parts; ++p) {
        try {
          futures.get(p).get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
          thrown[p] = e.getCause();
        }
      }
      return thrown;
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aGroupOfTwoItemsMasksLikeTheStackedItem() {
    final int cols = 8, rowsA = 4, rowsB = 6;
    float[] a = random(rowsA * cols, 1), b = random(rowsB * cols, 2);
    for (int i = 0; i < b.length; ++i) b[i] *= 0.25f;  // the small member gives up more than its share
    float[] stacked = new float[(rowsA + rowsB) * cols];
    System.arraycopy(a, 0, stacked, 0, a.length);
    System.arraycopy(b, 0, stacked, a.length, b.length);
    for (double level : new double[] {0.3, 0.5, 0.8}) {
      try (DataNormSparsifier group = sparsifier(level, 2, 4); DataNormSparsifier one = sparsifier(level, 2, 4)) {
        group.addData("a", a, rowsA, cols);
        group.addData("b", b, rowsB, cols);
        group.setGroup("g", "a", "b");
        assertEquals(Map.of("g", List.of("a", "b")), group.groups());
        assertThrows(UnsupportedOperationException.class, () -> group.groups().clear());
        assertThrows(UnsupportedOperationException.class, () -> group.groups().get("g").clear());
        one.addData("ab", stacked, rowsA + rowsB, cols);
        group.step();
        one.step();
        byte[] expected = one.getMask("ab");
        byte[] got = new byte[expected.length];
        System.arraycopy(group.getMask("a"), 0, got, 0, rowsA * cols);
        System.arraycopy(group.getMask("b"), 0, got, rowsA * cols, rowsB * cols);
        assertArrayEquals(expected, got, "level " + level);
        assertTrue(TestData.zeros(group.getMask("b")) * rowsA > TestData.zeros(group.getMask("a")) * rowsB,
                   "b (small) gives up more than its share");
        // A group's selection exchanges even alone (with itself); the plain item's does not.
        assertTrue(group.lastExchange()[0] > 0, Arrays.toString(group.lastExchange()));
        assertArrayEquals(new long[] {0, 0}, one.lastExchange());
      }
    }
    try (DataNormSparsifier s = sparsifier(0.5, 1, 4)) {
      s.addData("a", a, rowsA, cols);
      fails(java.util.NoSuchElementException.class, Status.NOT_FOUND, () -> s.setGroup("g", "a", "nope"));
      assertEquals(Map.of(), s.groups());
      s.setGroup("g", "a");
      s.removeGroup("g");
      assertEquals(Map.of(), s.groups());
      fails(java.util.NoSuchElementException.class, Status.NOT_FOUND, () -> s.removeGroup("g"));
      assertThrows(NullPointerException.class, () -> s.setGroup(null, "a"));
    }
  }

  /**
   * A state keeps the groups and the shards' rows (format version 3): it
   * loads back into the same registration, groups restored, and fails
   * (CorruptStateException, nothing changed) where a shard holds other rows.
   */
  @Test
  void aStateKeepsGroupsAndShardRows() throws Exception {
    final int cols = 8;
    float[] x = random(6 * cols, 5), y = random(6 * cols, 6);
    byte[] state;
    try (DataNormSparsifier a = sparsifier(0.5, 2, 4)) {
      a.addShard("x", x, 12, 6, 6, cols);
      a.addData("y", y, 6, cols);
      a.setGroup("g", "y", "x");
      state = a.saveToBytes();
      assertEquals(3, state[8], "groups and shards need format version 3");
    }
    try (DataNormSparsifier b = sparsifier(0.5, 2, 4)) {
      b.addShard("x", x, 12, 6, 6, cols);
      b.addData("y", y, 6, cols);
      b.loadFromBytes(state);
      assertEquals(Map.of("g", List.of("y", "x")), b.groups());
      assertArrayEquals(state, b.saveToBytes());
    }
    try (DataNormSparsifier c = sparsifier(0.5, 2, 4)) {
      c.addShard("x", x, 12, 0, 6, cols);  // the other rows
      c.addData("y", y, 6, cols);
      byte[] before = c.saveToBytes();
      CorruptStateException e = fails(CorruptStateException.class, Status.CORRUPT, () -> c.loadFromBytes(state));
      assertTrue(e.getMessage().contains("as rows [6, 12) of 12, the registered data is rows [0, 6) of 12"),
                 e.getMessage());
      assertEquals(Map.of(), c.groups());
      assertArrayEquals(before, c.saveToBytes());
    }
  }

  /** Rows [first, first + n) of x (cols wide). */
  static float[] rows(float[] x, int cols, int first, int n) {
    return Arrays.copyOfRange(x, first * cols, (first + n) * cols);
  }

  @Test
  void shardsOnThreeThreadsMaskLikeOneSparsifier() throws Exception {
    final int globalRows = 12, cols = 8;
    final int[] first = {0, 6, 12}, held = {6, 6, 0};  // the third participant holds no rows
    float[] x = random(globalRows * cols, 3), y = random(globalRows * cols, 4);
    byte[] expectedX, expectedY;
    try (DataNormSparsifier one = sparsifier(0.6, 2, 4)) {
      one.addData("x", x, globalRows, cols);
      one.addData("y", y, globalRows, cols);
      one.setGroup("g", "x", "y");
      one.step();
      expectedX = one.getMask("x");
      expectedY = one.getMask("y");
    }
    ThreadSum sum = new ThreadSum(3);
    byte[][] gotX = new byte[3][], gotY = new byte[3][];
    long[][] exchange = new long[3][];
    Throwable[] thrown = onThreads(3, p -> {
      try (DataNormSparsifier s = sparsifier(0.6, 2, 4)) {
        // x borrowed from a direct buffer, y copied from an array.
        FloatBuffer bx = TestData.direct(rows(x, cols, first[p], held[p]));
        s.addShard("x", bx, globalRows, first[p], held[p], cols);
        s.addShard("y", rows(y, cols, first[p], held[p]), globalRows, first[p], held[p], cols);
        assertArrayEquals(new long[] {globalRows, first[p]}, s.getShard("x"));
        s.setGroup("g", "x", "y");
        s.setAllreduce(sum.participant());
        s.step();
        gotX[p] = s.getMask("x");
        gotY[p] = s.getMask("y");
        exchange[p] = s.lastExchange();
      }
    });
    for (Throwable t : thrown) if (t != null) throw new AssertionError(t);
    for (int p = 0; p < 3; ++p) {
      assertArrayEquals(Arrays.copyOfRange(expectedX, first[p] * cols, (first[p] + held[p]) * cols), gotX[p]);
      assertArrayEquals(Arrays.copyOfRange(expectedY, first[p] * cols, (first[p] + held[p]) * cols), gotY[p]);
      assertTrue(exchange[p][0] > 0 && exchange[p][1] > 0, Arrays.toString(exchange[p]));
      assertArrayEquals(exchange[0], exchange[p]);
    }
    assertEquals(0, gotX[2].length);
  }

  @Test
  void aParticipantWithBadInputFailsEveryParticipantAndNoMaskChanges() throws Exception {
    final int globalRows = 12, cols = 8;
    float[] x = random(globalRows * cols, 5);
    ThreadSum sum = new ThreadSum(3);
    byte[][] before = new byte[3][], after = new byte[3][];
    Throwable[] thrown = new Throwable[3];
    DataNormSparsifier[] s = new DataNormSparsifier[3];
    try {
      for (int p = 0; p < 3; ++p) {
        s[p] = sparsifier(0.5, 1, 4);
        s[p].addShard("t", rows(x, cols, p * 4, 4), globalRows, p * 4, 4, cols);
        s[p].setAllreduce(sum.participant());
      }
      Throwable[] first = onThreads(3, p -> s[p].step());
      for (Throwable t : first) if (t != null) throw new AssertionError(t);
      for (int p = 0; p < 3; ++p) before[p] = s[p].getMask("t");
      assertNotEquals(TestData.zeros(before[0]) + TestData.zeros(before[1]) + TestData.zeros(before[2]), 0);
      s[2].setParam("t", "block_rows", 3);        // and its shard straddles a block: bad input
      thrown = onThreads(3, p -> s[p].step());
      for (int p = 0; p < 3; ++p) after[p] = s[p].getMask("t");
    } finally {
      for (DataNormSparsifier each : s) if (each != null) each.close();
    }
    for (int p = 0; p < 3; ++p) {
      assertInstanceOf(DatasparseFailure.class, thrown[p], "participant " + p + " must fail");
      assertArrayEquals(before[p], after[p], "participant " + p + "'s mask changed");
    }
    assertInstanceOf(IllegalArgumentException.class, thrown[2], String.valueOf(thrown[2]));
    assertInstanceOf(IllegalStateException.class, thrown[0], String.valueOf(thrown[0]));
  }

  @Test
  void anExceptionThrownInTheAllreduceFailsTheStep() {
    final int rows = 4, cols = 8;
    ArithmeticException error = new ArithmeticException("allreduce blew up");
    boolean[] armed = {false};
    try (DataNormSparsifier s = sparsifier(0.5, 1, 4)) {
      s.addShard("t", random(rows * cols, 6), rows, 0, rows, cols);
      s.setAllreduce(counts -> {
        if (armed[0]) throw error;  // alone: the sum is the counts themselves
      });
      s.step();
      byte[] before = s.getMask("t");
      assertTrue(TestData.zeros(before) > 0);
      s.setParam("t", "sparsity_level", 0.25);
      armed[0] = true;
      CallbackException e = fails(CallbackException.class, Status.CALLBACK, s::step);
      assertSame(error, e.getCause());
      assertTrue(e.getMessage().contains("allreduce blew up"), e.getMessage());
      assertArrayEquals(before, s.getMask("t"));
      assertEquals(1, s.stepCount());
      // An allreduce that does not sum (each participant adds another 1) fails every participant.
      s.setAllreduce(counts -> counts[0] += 1);
      assertInstanceOf(DatasparseFailure.class, assertThrows(RuntimeException.class, s::step));
      assertArrayEquals(before, s.getMask("t"));
      s.setAllreduce(null);
      s.step();
      assertEquals(2, s.stepCount());
      assertNotEquals(TestData.zeros(before), TestData.zeros(s.getMask("t")));
    }
  }
}
