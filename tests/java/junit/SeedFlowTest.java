package org.datasparse.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.FloatBuffer;
import org.datasparse.Config;
import org.datasparse.DataNormSparsifier;
import org.datasparse.DataScheduler;
import org.datasparse.Norm;
import org.junit.jupiter.api.Test;

/** The seed document's flow: a Java gamma schedule over a training-like loop. */
class SeedFlowTest {
  static final int ROWS = 32, COLS = 64, BLOCKS = ROWS * COLS / 4;

  @Test
  void gammaScheduleRaisesTheSparsityEachEpoch() {
    double[] expectedLevels = {0.1, 0.2, 0.4, 0.8, 0.8};
    FloatBuffer batch = TestData.direct(ROWS * COLS);
    GammaSchedule gamma = new GammaSchedule(2.0, 0.8);
    try (Config defaults = new Config().with("sparsity_level", 0.1);
         DataNormSparsifier sparsifier = new DataNormSparsifier(Norm.L2, defaults)) {
      sparsifier.addData("train_data", batch, ROWS, COLS);
      try (DataScheduler scheduler = new DataScheduler(sparsifier, "sparsity_level", gamma)) {
        assertEquals(0, scheduler.lastEpoch());
        for (int epoch = 0; epoch < 5; ++epoch) {
          for (int step = 0; step < 3; ++step) {
            TestData.fill(batch, TestData.sine(ROWS * COLS, 1.3 * step + epoch));
            sparsifier.addData("train_data", batch, ROWS, COLS);
            sparsifier.step();
          }
          double level = sparsifier.getParam("train_data", "sparsity_level");
          assertEquals(expectedLevels[epoch], level, 1e-12, "level at epoch " + epoch);
          // 1x4 blocks, all 4 zeroed: sparsity = round(level * blocks) / blocks.
          double expectedSparsity = TestData.roundHalfEven(level * BLOCKS) / (double) BLOCKS;
          assertEquals(expectedSparsity, sparsifier.getSparsity("train_data"), 1e-12, "sparsity at epoch " + epoch);
          assertEquals(TestData.roundHalfEven(level * BLOCKS) * 4, TestData.zeros(sparsifier.getMask("train_data")));
          assertEquals(expectedLevels[epoch], scheduler.getLastParam("train_data"), 1e-12);
          scheduler.step();
          assertEquals(epoch + 1, scheduler.lastEpoch());
        }
        assertEquals(0.1, scheduler.getBaseParam("train_data"), 1e-12);
        assertEquals(6, scheduler.stepCount());
        assertEquals("sparsity_level", scheduler.scheduleParam());
        assertEquals(java.util.List.of("train_data"), scheduler.names());
        assertEquals(15, sparsifier.stepCount());
      }
    }
    assertEquals("train_data@0", gamma.calls.get(0));
    assertEquals(6, gamma.calls.size());
  }

  @Test
  void maskMatchesTheNormRuleAndSquashZeroesTheBuffer() {
    // Row of 8 values, blocks of 4: the block with the smaller L1 mean is zeroed.
    float[] values = {1, -1, 2, -2, 9, 9, -9, 9};
    FloatBuffer data = TestData.direct(values);
    try (Config defaults = new Config().with("sparsity_level", 0.5).with("block_cols", 4);
         DataNormSparsifier sparsifier = new DataNormSparsifier(Norm.L1, defaults)) {
      sparsifier.addData("w", data, 1, 8);
      sparsifier.step();
      assertArrayEquals(new byte[] {0, 0, 0, 0, 1, 1, 1, 1}, sparsifier.getMask("w"));
      assertArrayEquals(new float[] {0, 0, 0, 0, 9, 9, -9, 9}, sparsifier.getData("w", false));
      assertArrayEquals(values, sparsifier.getData("w", true));
      sparsifier.squashAll();
      assertArrayEquals(new float[] {0, 0, 0, 0, 9, 9, -9, 9}, TestData.toArray(data));
      assertEquals(true, sparsifier.isSquashed("w"));
    }
  }
}
