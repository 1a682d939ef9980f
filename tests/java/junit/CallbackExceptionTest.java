package org.datasparse.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.datasparse.BuiltinSchedule;
import org.datasparse.Config;
import org.datasparse.DataNormSparsifier;
import org.datasparse.DataScheduler;
import org.datasparse.DatasparseException;
import org.datasparse.LambdaFactor;
import org.datasparse.Norm;
import org.datasparse.Schedule;
import org.junit.jupiter.api.Test;

/** An exception thrown in a Java callback fails the step and changes nothing. */
class CallbackExceptionTest {
  /** Gamma that throws for item "b" at a chosen epoch (and the epochs after, while armed). */
  static class Flaky extends Schedule {
    long failAt = Long.MAX_VALUE;
    RuntimeException error = new ArithmeticException("schedule blew up");

    @Override
    public double compute(String name, long epoch, double base, double current) {
      if (name.equals("b") && epoch >= failAt) throw error;
      return epoch == 0 ? base : Math.min(0.9, current * 2);
    }
  }

  static DataNormSparsifier twoItems() {
    try (Config defaults = new Config().with("sparsity_level", 0.1).with("block_cols", 1)) {
      DataNormSparsifier sparsifier = new DataNormSparsifier(Norm.L1, defaults);
      sparsifier.addData("a", TestData.sine(20, 0), 4, 5);
      sparsifier.addData("b", TestData.sine(20, 1), 4, 5);
      return sparsifier;
    }
  }

  @Test
  void aThrowingScheduleFailsTheStepAndChangesNothing() {
    Flaky schedule = new Flaky();
    try (DataNormSparsifier sparsifier = twoItems();
         DataScheduler scheduler = new DataScheduler(sparsifier, "sparsity_level", schedule)) {
      sparsifier.step();
      scheduler.step(); // epoch 1: 0.2
      sparsifier.step();
      byte[] maskA = sparsifier.getMask("a"), maskB = sparsifier.getMask("b");

      schedule.failAt = 2;
      DatasparseException e = assertThrows(DatasparseException.class, scheduler::step);
      assertEquals(DatasparseException.CALLBACK, e.getStatus());
      assertTrue(e.getMessage().contains("java.lang.ArithmeticException: schedule blew up"), e.getMessage());
      assertTrue(e.getMessage().contains("'b'") && e.getMessage().contains("epoch 2"), e.getMessage());
      assertSame(schedule.error, e.getCause());
      // nothing changed: epoch, params (also "a", computed before "b" failed), masks
      assertEquals(1, scheduler.lastEpoch());
      assertEquals(0.2, sparsifier.getParam("a", "sparsity_level"), 1e-12);
      assertEquals(0.2, sparsifier.getParam("b", "sparsity_level"), 1e-12);
      assertEquals(0.2, scheduler.getLastParam("a"), 1e-12);
      assertArrayEquals(maskA, sparsifier.getMask("a"));
      assertArrayEquals(maskB, sparsifier.getMask("b"));

      // the same failure again, then recovery: the epoch advances from where it was
      assertThrows(DatasparseException.class, scheduler::step);
      schedule.failAt = Long.MAX_VALUE;
      scheduler.step();
      assertEquals(2, scheduler.lastEpoch());
      assertEquals(0.4, sparsifier.getParam("b", "sparsity_level"), 1e-12);
    }
  }

  @Test
  void aFailureInTheFirstStepFailsTheConstructor() {
    Flaky schedule = new Flaky();
    schedule.failAt = 0;
    schedule.error = new IllegalArgumentException("bad base");
    try (DataNormSparsifier sparsifier = twoItems()) {
      DatasparseException e = assertThrows(DatasparseException.class,
          () -> new DataScheduler(sparsifier, "sparsity_level", schedule));
      assertEquals(DatasparseException.CALLBACK, e.getStatus());
      assertTrue(e.getMessage().contains("IllegalArgumentException: bad base"), e.getMessage());
      assertEquals(0.1, sparsifier.getParam("a", "sparsity_level"), 1e-12);
    }
  }

  @Test
  void aNonFiniteValueFailsTheStep() {
    Schedule nan = new Schedule() {
      @Override
      public double compute(String name, long epoch, double base, double current) {
        return epoch == 0 ? base : Double.NaN;
      }
    };
    try (DataNormSparsifier sparsifier = twoItems();
         DataScheduler scheduler = new DataScheduler(sparsifier, "sparsity_level", nan)) {
      DatasparseException e = assertThrows(DatasparseException.class, scheduler::step);
      assertEquals(DatasparseException.CALLBACK, e.getStatus());
      assertNull(e.getCause());
      assertEquals(0, scheduler.lastEpoch());
    }
  }

  @Test
  void aThrowingLambdaFactorFailsTheStep() {
    LambdaFactor factor = new LambdaFactor() {
      @Override
      public double factor(long epoch) {
        if (epoch == 3) throw new UnsupportedOperationException("factor at 3");
        return 1.0 + epoch;
      }
    };
    try (DataNormSparsifier sparsifier = twoItems();
         BuiltinSchedule lambda = BuiltinSchedule.lambda(factor);
         DataScheduler scheduler = new DataScheduler(sparsifier, "sparsity_level", lambda)) {
      scheduler.step();
      scheduler.step();
      assertEquals(0.3, sparsifier.getParam("a", "sparsity_level"), 1e-12);
      DatasparseException e = assertThrows(DatasparseException.class, scheduler::step);
      assertEquals(DatasparseException.CALLBACK, e.getStatus());
      assertTrue(e.getMessage().contains("UnsupportedOperationException: factor at 3"), e.getMessage());
      assertTrue(e.getCause() instanceof UnsupportedOperationException);
      assertEquals(2, scheduler.lastEpoch());
      assertEquals(0.3, sparsifier.getParam("a", "sparsity_level"), 1e-12);
    }
  }

  @Test
  void anErrorThrownByAJavaCallbackIsReportedToo() {
    Schedule deep = new Schedule() {
      @Override
      public double compute(String name, long epoch, double base, double current) {
        if (epoch > 0) throw new StackOverflowError("simulated");
        return base;
      }
    };
    try (DataNormSparsifier sparsifier = twoItems();
         DataScheduler scheduler = new DataScheduler(sparsifier, "sparsity_level", deep)) {
      DatasparseException e = assertThrows(DatasparseException.class, scheduler::step);
      assertTrue(e.getMessage().contains("java.lang.StackOverflowError: simulated"), e.getMessage());
      assertTrue(e.getCause() instanceof StackOverflowError);
    }
  }

  @Test
  void aCallbackMayCallTheLibraryAndItsErrorsDoNotLeak() {
    // compute() makes a failing call of its own and handles it: the step succeeds,
    // and the handled error's cause does not stick to a later, unrelated error.
    Schedule careful = new Schedule() {
      @Override
      public double compute(String name, long epoch, double base, double current) {
        try (Config c = new Config()) {
          c.get("missing");
        } catch (DatasparseException expected) {
          // ignored on purpose
        }
        return base;
      }
    };
    try (DataNormSparsifier sparsifier = twoItems();
         DataScheduler scheduler = new DataScheduler(sparsifier, "sparsity_level", careful)) {
      scheduler.step();
      assertEquals(1, scheduler.lastEpoch());
      DatasparseException e = assertThrows(DatasparseException.class, () -> sparsifier.getParam("zzz", "x"));
      assertEquals(DatasparseException.NOT_FOUND, e.getStatus());
      assertNull(e.getCause());
    }
  }

  @Test
  void callingTheSchedulerFromItsOwnScheduleIsRefused() {
    DataScheduler[] self = new DataScheduler[1];
    Schedule reentrant = new Schedule() {
      @Override
      public double compute(String name, long epoch, double base, double current) {
        if (epoch > 0) self[0].step();
        return base;
      }
    };
    try (DataNormSparsifier sparsifier = twoItems();
         DataScheduler scheduler = new DataScheduler(sparsifier, "sparsity_level", reentrant)) {
      self[0] = scheduler;
      DatasparseException e = assertThrows(DatasparseException.class, scheduler::step);
      assertEquals(DatasparseException.CALLBACK, e.getStatus());
      assertTrue(e.getCause() instanceof DatasparseException);
      assertEquals(DatasparseException.STATE, ((DatasparseException) e.getCause()).getStatus());
      assertEquals(0, scheduler.lastEpoch());
    }
  }
}
