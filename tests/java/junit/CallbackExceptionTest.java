package org.datasparse.tests;

import static org.datasparse.tests.Failing.fails;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.datasparse.BuiltinSchedule;
import org.datasparse.CallbackException;
import org.datasparse.Config;
import org.datasparse.DataNormSparsifier;
import org.datasparse.DataScheduler;
import org.datasparse.LambdaFactor;
import org.datasparse.Norm;
import org.datasparse.Schedule;
import org.datasparse.StateException;
import org.datasparse.Status;
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
      CallbackException e = fails(CallbackException.class, Status.CALLBACK, scheduler::step);
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
      assertThrows(CallbackException.class, scheduler::step);
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
      CallbackException e = fails(CallbackException.class, Status.CALLBACK,
          () -> new DataScheduler(sparsifier, "sparsity_level", schedule));
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
      CallbackException e = fails(CallbackException.class, Status.CALLBACK, scheduler::step);
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
      CallbackException e = fails(CallbackException.class, Status.CALLBACK, scheduler::step);
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
      CallbackException e = fails(CallbackException.class, Status.CALLBACK, scheduler::step);
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
        } catch (java.util.NoSuchElementException expected) {
          // ignored on purpose
        }
        return base;
      }
    };
    try (DataNormSparsifier sparsifier = twoItems();
         DataScheduler scheduler = new DataScheduler(sparsifier, "sparsity_level", careful)) {
      scheduler.step();
      assertEquals(1, scheduler.lastEpoch());
      java.util.NoSuchElementException e = fails(java.util.NoSuchElementException.class, Status.NOT_FOUND,
          () -> sparsifier.getParam("zzz", "x"));
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
      CallbackException e = fails(CallbackException.class, Status.CALLBACK, scheduler::step);
      assertTrue(e.getCause() instanceof StateException);
      assertEquals(Status.STATE, ((StateException) e.getCause()).getStatus());
      assertEquals(0, scheduler.lastEpoch());
    }
  }
}
