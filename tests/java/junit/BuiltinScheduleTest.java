package org.datasparse.tests;

import static org.datasparse.tests.Failing.fails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.function.BiFunction;
import org.datasparse.BuiltinSchedule;
import org.datasparse.Config;
import org.datasparse.DataNormSparsifier;
import org.datasparse.DataScheduler;
import org.datasparse.LambdaFactor;
import org.datasparse.Norm;
import org.datasparse.Status;
import org.junit.jupiter.api.Test;

/** The built-in schedules, checked against their formulas in datasparse.h. */
class BuiltinScheduleTest {
  static final double BASE = 0.5;
  static final int EPOCHS = 12;

  /** Steps a scheduler EPOCHS times and compares each epoch's value with expected(epoch, current). */
  static void check(BuiltinSchedule schedule, String kind, BiFunction<Long, Double, Double> expected) {
    try (schedule;
         Config defaults = new Config().with("sparsity_level", BASE);
         DataNormSparsifier sparsifier = new DataNormSparsifier(Norm.L2, defaults)) {
      assertEquals(kind, schedule.kind());
      sparsifier.addData("x", TestData.sine(64, 0), 8, 8);
      try (DataScheduler scheduler = new DataScheduler(sparsifier, "sparsity_level", schedule)) {
        double current = BASE;
        for (long epoch = 0; epoch < EPOCHS; ++epoch) {
          if (epoch > 0) {
            sparsifier.step();
            scheduler.step();
          }
          current = expected.apply(epoch, current);
          assertEquals(epoch, scheduler.lastEpoch());
          assertEquals(current, scheduler.getLastParam("x"), 1e-12, kind + " at epoch " + epoch);
          assertEquals(current, sparsifier.getParam("x", "sparsity_level"), 1e-12);
        }
        assertEquals(BASE, scheduler.getBaseParam("x"), 0);
      }
    }
  }

  static double clamp(double x, double lo, double hi) {
    return Math.max(lo, Math.min(hi, x));
  }

  @Test
  void gamma() {
    check(BuiltinSchedule.gamma(1.5, 0.95), "gamma", (t, cur) -> t == 0 ? BASE : Math.min(0.95, cur * 1.5));
  }

  @Test
  void step() {
    check(BuiltinSchedule.step(3, 0.5), "step", (t, cur) -> BASE * Math.pow(0.5, Math.floor(t / 3.0)));
  }

  @Test
  void lambdaWithAJavaFactor() {
    LambdaFactor decay = new LambdaFactor() {
      @Override
      public double factor(long epoch) {
        return 1.0 / (1 + epoch);
      }
    };
    check(BuiltinSchedule.lambda(decay), "lambda", (t, cur) -> BASE / (1 + t));
  }

  @Test
  void cubic() {
    double si = 0.05;
    long t0 = 2, dt = 2, n = 4;
    check(BuiltinSchedule.cubic(si, t0, dt, n, false), "cubic",
        (t, cur) -> clamp(BASE + (si - BASE) * Math.pow(1 - (t - t0) / (double) (dt * n), 3), si, BASE));
    check(BuiltinSchedule.cubic(si, t0, dt, n, true), "cubic",
        (t, cur) -> t < t0 ? 0.0 : clamp(BASE + (si - BASE) * Math.pow(1 - (t - t0) / (double) (dt * n), 3), si, BASE));
  }

  @Test
  void polynomialDecay() {
    double initial = 0.1, fin = 0.8, power = 3;
    long begin = 2, end = 8, freq = 2;
    check(BuiltinSchedule.polynomialDecay(initial, fin, begin, end, power, freq), "polynomial_decay", (t, cur) -> {
      boolean turn = begin <= t && t <= end && (t - begin) % freq == 0;
      if (!turn) return cur;
      double p = clamp((t - begin) / (double) (end - begin), 0, 1);
      return fin + (initial - fin) * Math.pow(1 - p, power);
    });
  }

  @Test
  void constant() {
    check(BuiltinSchedule.constant(0.7, 3, 9, 3), "constant",
        (t, cur) -> 3 <= t && t <= 9 && (t - 3) % 3 == 0 ? 0.7 : cur);
    check(BuiltinSchedule.constant(0.7, 1, -1, 4), "constant",
        (t, cur) -> 1 <= t && (t - 1) % 4 == 0 ? 0.7 : cur);
  }

  @Test
  void invalidParametersAreRejected() {
    fails(IllegalArgumentException.class, Status.INVALID_ARGUMENT, () -> BuiltinSchedule.step(0, 0.5));
    fails(IllegalArgumentException.class, Status.INVALID_ARGUMENT, () -> BuiltinSchedule.gamma(Double.NaN, 1));
    fails(IllegalArgumentException.class, Status.INVALID_ARGUMENT, () -> BuiltinSchedule.cubic(0, 0, 0, 1, false));
    fails(IllegalArgumentException.class, Status.INVALID_ARGUMENT,
        () -> BuiltinSchedule.polynomialDecay(0, 1, 5, 5, 1, 1));
    fails(IllegalArgumentException.class, Status.INVALID_ARGUMENT, () -> BuiltinSchedule.constant(0.5, 0, 0, 0));
    assertThrows(NullPointerException.class, () -> BuiltinSchedule.lambda(null));
  }
}
