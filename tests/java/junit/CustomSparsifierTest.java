package org.datasparse.tests;

import static org.datasparse.tests.Failing.fails;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.datasparse.Config;
import org.datasparse.DataScheduler;
import org.datasparse.DataSparsifier;
import org.datasparse.DataView;
import org.datasparse.CallbackException;
import org.datasparse.InvalidArgumentException;
import org.datasparse.MaskView;
import org.datasparse.Status;
import org.junit.jupiter.api.Test;

/** A sparsifier whose updateMask is written in Java. */
class CustomSparsifierTest {
  /** Zeroes every element whose magnitude is below the item's "threshold". */
  static class ThresholdSparsifier extends DataSparsifier {
    final List<String> seen = new ArrayList<>();
    DataView keptData;
    MaskView keptMask;
    Config keptConfig;

    ThresholdSparsifier(Config defaults) {
      super(defaults);
    }

    @Override
    public void updateMask(String name, DataView data, Config config, MaskView mask) {
      seen.add(name + " " + data.rows() + "x" + data.cols());
      double threshold = config.get("threshold");
      float[] values = data.toArray();
      byte[] out = new byte[values.length];
      for (int i = 0; i < values.length; ++i) out[i] = (byte) (Math.abs(values[i]) < threshold ? 0 : 1);
      mask.copyFrom(out);
      keptData = data;
      keptMask = mask;
      keptConfig = config;
    }
  }

  @Test
  void updateMaskSeesDataAndConfigAndWritesTheMask() {
    try (Config defaults = new Config().with("threshold", 0.5);
         ThresholdSparsifier sparsifier = new ThresholdSparsifier(defaults)) {
      sparsifier.addData("a", new float[] {0.1f, 0.7f, -0.9f, 0.2f, 0.5f, -0.4f}, 2, 3);
      sparsifier.addData("b", TestData.direct(new float[] {1, 2, 3, 4}), 1, 4, new Config().with("threshold", 2.5));
      sparsifier.step();
      assertEquals(List.of("a 2x3", "b 1x4"), sparsifier.seen);
      assertArrayEquals(new byte[] {0, 1, 1, 0, 1, 0}, sparsifier.getMask("a"));
      assertArrayEquals(new byte[] {0, 0, 1, 1}, sparsifier.getMask("b"));
      assertEquals(0.5, sparsifier.getSparsity("b"), 1e-12);
      assertEquals(2.5, sparsifier.getParam("b", "threshold"), 0);
    }
  }

  @Test
  void viewsAreInvalidOutsideTheirCallback() {
    try (ThresholdSparsifier sparsifier = new ThresholdSparsifier(new Config().with("threshold", 0))) {
      sparsifier.addData("a", new float[] {1, 2}, 1, 2);
      sparsifier.step();
      IllegalStateException e = fails(IllegalStateException.class, Status.STATE, () -> sparsifier.keptData.get(0, 0));
      assertTrue(e.getMessage().contains("DataView"), e.getMessage());
      fails(IllegalStateException.class, Status.STATE, () -> sparsifier.keptMask.set(0, 0, 0));
      fails(IllegalStateException.class, Status.STATE, () -> sparsifier.keptConfig.get("threshold"));
    }
  }

  @Test
  void elementAccessAndViewChecks() {
    List<String> log = new ArrayList<>();
    try (DataSparsifier sparsifier = new DataSparsifier() {
          @Override
          public void updateMask(String name, DataView data, Config config, MaskView mask) {
            log.add("get(1,0)=" + data.get(1, 0) + " size=" + data.size());
            mask.fill(1);
            mask.set(1, 0, 0);
            log.add("mask(1,0)=" + mask.get(1, 0));
            InvalidArgumentException outside = assertThrows(InvalidArgumentException.class, () -> data.get(2, 0));
            log.add(outside.getStatusName());
            float[] copy = new float[4];
            data.copyTo(copy);
            log.add("copy[3]=" + copy[3]);
          }
        }) {
      sparsifier.addData("x", new float[] {1, 2, 3, 4}, 2, 2);
      sparsifier.step();
      assertEquals(List.of("get(1,0)=3.0 size=4", "mask(1,0)=0", "DS_ERR_INVALID_ARGUMENT", "copy[3]=4.0"), log);
      assertArrayEquals(new byte[] {1, 1, 0, 1}, sparsifier.getMask("x"));
    }
  }

  @Test
  void anInvalidMaskValueFailsTheStepAndChangesNothing() {
    try (DataSparsifier sparsifier = new DataSparsifier() {
          @Override
          public void updateMask(String name, DataView data, Config config, MaskView mask) {
            mask.fill(0);
            if (name.equals("second")) mask.set(0, 0, 7); // not 0 or 1: throws inside the callback
          }
        }) {
      sparsifier.addData("first", new float[] {1, 2}, 1, 2);
      sparsifier.addData("second", new float[] {1, 2}, 1, 2);
      CallbackException e = fails(CallbackException.class, Status.CALLBACK, sparsifier::step);
      assertTrue(e.getMessage().contains("mask values are 0 or 1, got 7"), e.getMessage());
      assertTrue(e.getCause() instanceof InvalidArgumentException);
      // all-or-nothing: the first item's mask was not changed either
      assertArrayEquals(new byte[] {1, 1}, sparsifier.getMask("first"));
      assertArrayEquals(new byte[] {1, 1}, sparsifier.getMask("second"));
      assertEquals(0, sparsifier.stepCount());
    }
  }

  @Test
  void aJavaExceptionInUpdateMaskReachesStep() {
    IllegalStateException thrown = new IllegalStateException("no mask for you");
    try (DataSparsifier sparsifier = new DataSparsifier() {
          @Override
          public void updateMask(String name, DataView data, Config config, MaskView mask) {
            mask.fill(0);
            throw thrown;
          }
        }) {
      sparsifier.addData("x", new float[] {1, 2, 3}, 1, 3);
      CallbackException e = fails(CallbackException.class, Status.CALLBACK, sparsifier::step);
      assertEquals("DS_ERR_CALLBACK", e.getStatusName());
      assertTrue(e.getMessage().contains("java.lang.IllegalStateException: no mask for you"), e.getMessage());
      assertTrue(e.getMessage().contains("'x'"), e.getMessage());
      assertSame(thrown, e.getCause());
      assertArrayEquals(new byte[] {1, 1, 1}, sparsifier.getMask("x"));
      // the sparsifier is still usable
      sparsifier.removeData("x");
      sparsifier.step();
      assertEquals(1, sparsifier.stepCount());
    }
  }

  @Test
  void aCustomSparsifierWorksWithAScheduler() {
    try (ThresholdSparsifier sparsifier = new ThresholdSparsifier(new Config().with("threshold", 1.5))) {
      sparsifier.addData("x", new float[] {1, 2, 3, 4}, 1, 4);
      try (DataScheduler scheduler = new DataScheduler(sparsifier, "threshold", new GammaSchedule(2.0, 10.0))) {
        sparsifier.step();
        assertArrayEquals(new byte[] {0, 1, 1, 1}, sparsifier.getMask("x"));
        scheduler.step(); // threshold 3
        sparsifier.step();
        assertArrayEquals(new byte[] {0, 0, 1, 1}, sparsifier.getMask("x"));
        assertEquals(3.0, scheduler.getLastParam("x"), 0);
      }
    }
  }
}
