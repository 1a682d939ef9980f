package org.datasparse.tests;

import static org.datasparse.tests.Failing.fails;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.File;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.datasparse.BuiltinSchedule;
import org.datasparse.Config;
import org.datasparse.DataNormSparsifier;
import org.datasparse.DataScheduler;
import org.datasparse.CorruptStateException;
import org.datasparse.Norm;
import org.datasparse.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Save/load round trips, in memory (byte[]) and through files. */
class StateTest {
  static DataNormSparsifier sparsifier(FloatBuffer a, float[] b) {
    try (Config defaults = new Config().with("sparsity_level", 0.3).with("block_rows", 2).with("block_cols", 2)) {
      DataNormSparsifier sparsifier = new DataNormSparsifier(Norm.L2, defaults);
      sparsifier.addData("a", a, 8, 8);
      sparsifier.addData("b", b, 4, 6, new Config().with("zeros_per_block", 1));
      return sparsifier;
    }
  }

  @Test
  void sparsifierAndSchedulerRoundTripThroughBytes() throws CorruptStateException {
    FloatBuffer a = TestData.direct(TestData.sine(64, 0));
    float[] b = TestData.sine(24, 1);
    byte[] sparsifierState, schedulerState, maskA, maskB;
    try (DataNormSparsifier sparsifier = sparsifier(a, b);
         DataScheduler scheduler = new DataScheduler(sparsifier, "sparsity_level", new GammaSchedule(1.5, 0.9))) {
      for (int epoch = 0; epoch < 3; ++epoch) {
        sparsifier.step();
        scheduler.step();
      }
      sparsifier.step();
      maskA = sparsifier.getMask("a");
      maskB = sparsifier.getMask("b");
      sparsifierState = sparsifier.saveToBytes();
      schedulerState = scheduler.saveToBytes();
    }
    // a fresh process, in effect: new objects over the same data
    try (DataNormSparsifier sparsifier = sparsifier(a, b)) {
      sparsifier.loadFromBytes(sparsifierState);
      assertArrayEquals(maskA, sparsifier.getMask("a"));
      assertArrayEquals(maskB, sparsifier.getMask("b"));
      assertEquals(4, sparsifier.stepCount());
      assertEquals(1, sparsifier.getParam("b", "zeros_per_block"), 0);
      try (DataScheduler scheduler = new DataScheduler(sparsifier, "sparsity_level", new GammaSchedule(1.5, 0.9), 3)) {
        scheduler.loadFromBytes(schedulerState);
        assertEquals(3, scheduler.lastEpoch());
        assertEquals(0.3, scheduler.getBaseParam("a"), 1e-12);
        scheduler.step();
        assertEquals(Math.min(0.9, 0.3 * 1.5 * 1.5 * 1.5 * 1.5), sparsifier.getParam("a", "sparsity_level"), 1e-12);
        // saving again gives a loadable state
        assertArrayEquals(scheduler.saveToBytes(), scheduler.saveToBytes());
      }
    }
  }

  @Test
  void savedDataIsCopiedIntoTheRegisteredBuffer() throws CorruptStateException {
    FloatBuffer a = TestData.direct(TestData.sine(64, 0));
    byte[] state;
    try (DataNormSparsifier sparsifier = sparsifier(a, new float[24])) {
      sparsifier.step();
      state = sparsifier.saveToBytes(true);
    }
    FloatBuffer other = TestData.direct(64);
    try (DataNormSparsifier sparsifier = sparsifier(other, new float[24])) {
      sparsifier.loadFromBytes(state);
      assertArrayEquals(TestData.toArray(a), TestData.toArray(other), 0f);
    }
  }

  @Test
  void filesAndABuiltinSchedule(@TempDir Path dir) throws IOException {
    String sparsifierPath = dir.resolve("sparsifier.state").toString();
    String schedulerPath = dir.resolve("scheduler.state").toString();
    FloatBuffer a = TestData.direct(TestData.sine(64, 0));
    float[] b = TestData.sine(24, 1);
    byte[] mask;
    try (DataNormSparsifier sparsifier = sparsifier(a, b);
         DataScheduler scheduler = new DataScheduler(sparsifier, "sparsity_level", BuiltinSchedule.step(2, 2.0))) {
      for (int epoch = 0; epoch < 3; ++epoch) {
        sparsifier.step();
        scheduler.step();
      }
      mask = sparsifier.getMask("a");
      sparsifier.save(sparsifierPath);
      scheduler.save(schedulerPath);
    }
    assertEquals(true, Files.size(Path.of(sparsifierPath)) > 0);
    try (DataNormSparsifier sparsifier = sparsifier(a, b);
         DataScheduler scheduler = new DataScheduler(sparsifier, "sparsity_level", BuiltinSchedule.step(1, 1.0), 3)) {
      sparsifier.load(sparsifierPath);
      scheduler.load(schedulerPath); // the saved step(2, 2.0) parameters come back
      assertArrayEquals(mask, sparsifier.getMask("a"));
      scheduler.step(); // epoch 4: 0.3 * 2^2
      assertEquals(1.2, scheduler.getLastParam("a"), 1e-12);
      // a state for another schedule kind is refused, and nothing changes
      try (DataScheduler gamma = new DataScheduler(sparsifier, "sparsity_level", BuiltinSchedule.gamma(2, 1))) {
        fails(CorruptStateException.class, Status.CORRUPT, () -> gamma.load(schedulerPath));
      }
    }
    assertEquals(false, new File(dir.toFile(), "sparsifier.state.tmp").exists());
  }

  @Test
  void pathsAreAcceptedWhereverAFileIs(@TempDir Path dir) throws IOException {
    Path sparsifierPath = dir.resolve("sparsifier.state"), schedulerPath = dir.resolve("scheduler.state");
    FloatBuffer a = TestData.direct(TestData.sine(64, 0));
    float[] b = TestData.sine(24, 1);
    byte[] mask;
    try (DataNormSparsifier sparsifier = sparsifier(a, b);
         DataScheduler scheduler = new DataScheduler(sparsifier, "sparsity_level", BuiltinSchedule.step(2, 2.0))) {
      sparsifier.step();
      scheduler.step();
      sparsifier.step();
      mask = sparsifier.getMask("b");
      sparsifier.save(sparsifierPath, true);
      scheduler.save(schedulerPath);
    }
    try (DataNormSparsifier sparsifier = sparsifier(TestData.direct(64), new float[24]);
         DataScheduler scheduler = new DataScheduler(sparsifier, "sparsity_level", BuiltinSchedule.step(1, 1.0))) {
      sparsifier.load(sparsifierPath, true);
      scheduler.load(schedulerPath);
      assertArrayEquals(mask, sparsifier.getMask("b"));
      assertEquals(1, scheduler.lastEpoch());
      assertArrayEquals(TestData.toArray(a), sparsifier.getData("a", true), 0f); // the saved data came back
    }
    fails(org.datasparse.FileException.class, Status.IO, () -> {
      try (DataNormSparsifier sparsifier = sparsifier(a, b)) {
        sparsifier.load(dir.resolve("missing.state"));
      }
    });
  }
}
