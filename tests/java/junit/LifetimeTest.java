package org.datasparse.tests;

import static org.datasparse.tests.Failing.fails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.nio.FloatBuffer;
import org.datasparse.BuiltinSchedule;
import org.datasparse.Config;
import org.datasparse.DataNormSparsifier;
import org.datasparse.DataScheduler;
import org.datasparse.DataSparsifier;
import org.datasparse.DataView;
import org.datasparse.LambdaFactor;
import org.datasparse.MaskView;
import org.datasparse.Norm;
import org.datasparse.Schedule;
import org.datasparse.StateException;
import org.datasparse.Status;
import org.junit.jupiter.api.Test;

/** The binding keeps callbacks, sparsifiers and buffers alive while they are used;
 * close() releases native objects, and calls after it throw instead of crashing. */
class LifetimeTest {
  static int calls;

  static DataNormSparsifier sparsifier() {
    try (Config defaults = new Config().with("sparsity_level", 0.1).with("block_cols", 1)) {
      DataNormSparsifier sparsifier = new DataNormSparsifier(Norm.L1, defaults);
      sparsifier.addData("x", TestData.sine(100, 0), 10, 10);
      return sparsifier;
    }
  }

  /** Made in its own frame so that nothing but the scheduler refers to the schedule. */
  static DataScheduler schedulerWithAnonymousSchedule(DataNormSparsifier sparsifier, WeakReference<?>[] ref) {
    Schedule schedule = new Schedule() {
      @Override
      public double compute(String name, long epoch, double base, double current) {
        ++calls;
        return Math.min(1.0, base * (1 + epoch));
      }
    };
    ref[0] = new WeakReference<>(schedule);
    return new DataScheduler(sparsifier, "sparsity_level", schedule);
  }

  @Test
  void aScheduleSurvivesGarbageCollectionWhileRegistered() {
    WeakReference<?>[] ref = new WeakReference<?>[1];
    calls = 0;
    try (DataNormSparsifier sparsifier = sparsifier();
         DataScheduler scheduler = schedulerWithAnonymousSchedule(sparsifier, ref)) {
      for (int epoch = 1; epoch <= 5; ++epoch) {
        TestData.collectGarbage();
        sparsifier.step();
        scheduler.step();
        assertEquals(0.1 * (1 + epoch), sparsifier.getParam("x", "sparsity_level"), 1e-12);
      }
      assertNotNull(ref[0].get());
      assertEquals(6, calls);
    }
  }

  @Test
  void aScheduleIsCollectedAfterItsSchedulerIs() {
    WeakReference<?>[] ref = new WeakReference<?>[1];
    try (DataNormSparsifier sparsifier = sparsifier()) {
      schedulerWithAnonymousSchedule(sparsifier, ref).close();
      for (int i = 0; i < 20 && ref[0].get() != null; ++i) TestData.collectGarbage();
      assertEquals(null, ref[0].get());
      sparsifier.step(); // unaffected
    }
  }

  static DataScheduler schedulerOwningItsSparsifier(WeakReference<DataNormSparsifier>[] ref) {
    DataNormSparsifier sparsifier = sparsifier();
    ref[0] = new WeakReference<>(sparsifier);
    return new DataScheduler(sparsifier, "sparsity_level", BuiltinSchedule.step(1, 2.0));
  }

  @Test
  void aSchedulerKeepsItsSparsifierAlive() {
    @SuppressWarnings({"unchecked", "rawtypes"})
    WeakReference<DataNormSparsifier>[] ref = new WeakReference[1];
    try (DataScheduler scheduler = schedulerOwningItsSparsifier(ref)) {
      for (int epoch = 1; epoch <= 3; ++epoch) {
        TestData.collectGarbage();
        scheduler.step();
      }
      assertNotNull(ref[0].get());
      assertSame(ref[0].get(), scheduler.getSparsifier());
      assertEquals(0.8, scheduler.getSparsifier().getParam("x", "sparsity_level"), 1e-12);
      scheduler.getSparsifier().close();
    }
  }

  static BuiltinSchedule lambdaWithAnonymousFactor(WeakReference<?>[] ref) {
    LambdaFactor factor = new LambdaFactor() {
      @Override
      public double factor(long epoch) {
        return 1.0 + epoch;
      }
    };
    ref[0] = new WeakReference<>(factor);
    return BuiltinSchedule.lambda(factor);
  }

  @Test
  void aLambdaFactorSurvivesWhileItsSchedulerUsesIt() {
    WeakReference<?>[] ref = new WeakReference<?>[1];
    try (DataNormSparsifier sparsifier = sparsifier();
         DataScheduler scheduler = new DataScheduler(sparsifier, "sparsity_level", lambdaWithAnonymousFactor(ref))) {
      for (int epoch = 1; epoch <= 3; ++epoch) {
        TestData.collectGarbage();
        scheduler.step();
        assertEquals(0.1 * (1 + epoch), sparsifier.getParam("x", "sparsity_level"), 1e-12);
      }
      assertNotNull(ref[0].get());
    }
  }

  static DataSparsifier customSparsifier(WeakReference<?>[] ref) {
    DataSparsifier sparsifier = new DataSparsifier() {
      @Override
      public void updateMask(String name, DataView data, Config config, MaskView mask) {
        mask.fill(0);
      }
    };
    ref[0] = new WeakReference<>(sparsifier);
    sparsifier.addData("x", new float[] {1, 2}, 1, 2, new Config().with("sparsity_level", 0.5));
    return sparsifier;
  }

  @Test
  void aCustomSparsifierHeldOnlyByItsSchedulerStillSteps() {
    WeakReference<?>[] ref = new WeakReference<?>[1];
    try (DataScheduler scheduler = new DataScheduler(customSparsifier(ref), "sparsity_level", new GammaSchedule(2, 1))) {
      TestData.collectGarbage();
      scheduler.step();
      scheduler.getSparsifier().step();
      assertEquals(1.0, scheduler.getSparsifier().getSparsity("x"), 0);
      assertNotNull(ref[0].get());
      scheduler.getSparsifier().close();
    }
  }

  static WeakReference<FloatBuffer> borrow(DataNormSparsifier sparsifier, String name) {
    FloatBuffer buffer = TestData.direct(TestData.sine(100, 2));
    sparsifier.addData(name, buffer, 10, 10);
    return new WeakReference<>(buffer);
  }

  @Test
  void aBorrowedBufferStaysReachableWhileRegistered() {
    try (DataNormSparsifier sparsifier = sparsifier()) {
      WeakReference<FloatBuffer> kept = borrow(sparsifier, "y");
      for (int i = 0; i < 3; ++i) {
        TestData.collectGarbage();
        sparsifier.step();
      }
      assertNotNull(kept.get());
      sparsifier.removeData("y");
      for (int i = 0; i < 20 && kept.get() != null; ++i) TestData.collectGarbage();
      assertEquals(null, kept.get());

      WeakReference<FloatBuffer> replaced = borrow(sparsifier, "z");
      sparsifier.addData("z", TestData.sine(100, 3), 10, 10); // replaced by a copy
      for (int i = 0; i < 20 && replaced.get() != null; ++i) TestData.collectGarbage();
      assertEquals(null, replaced.get());
      sparsifier.step();
    }
  }

  @Test
  void callsAfterCloseThrowInsteadOfCrashing() {
    DataNormSparsifier sparsifier = sparsifier();
    DataScheduler scheduler = new DataScheduler(sparsifier, "sparsity_level", BuiltinSchedule.gamma(2, 1));
    Config config = new Config().with("k", 1);
    BuiltinSchedule gamma = BuiltinSchedule.gamma(2, 1);

    sparsifier.close();
    assertTrue(sparsifier.isClosed());
    IllegalStateException e = fails(IllegalStateException.class, Status.STATE, sparsifier::step);
    assertTrue(e.getMessage().contains("closed"), e.getMessage());
    assertEquals("DataNormSparsifier was closed", e.getMessage());
    assertThrows(StateException.class, () -> sparsifier.getMask("x"));
    assertThrows(StateException.class, () -> sparsifier.addData("x", new float[4], 2, 2));
    // the scheduler outlived its sparsifier: it refuses to step
    fails(IllegalStateException.class, Status.STATE, scheduler::step);

    scheduler.close();
    assertThrows(StateException.class, scheduler::lastEpoch);
    assertThrows(StateException.class, scheduler::step);
    config.close();
    assertThrows(StateException.class, () -> config.get("k"));
    gamma.close();
    assertThrows(StateException.class, gamma::kind);
    // closing twice is harmless
    sparsifier.close();
    scheduler.close();
    config.close();
    gamma.close();
  }

  /** A closed Config is refused wherever it is passed: never read as "no config" (the
   * defaults, sparsity 0.5, instead of the 0.9 it held). */
  @Test
  void aClosedConfigIsRefusedAsAnArgument() {
    Config closed = new Config().with("sparsity_level", 0.9);
    closed.close();
    IllegalStateException e = fails(IllegalStateException.class, Status.STATE,
        () -> new DataNormSparsifier(Norm.L1, closed));
    assertEquals("Config was closed", e.getMessage());
    try (DataNormSparsifier sparsifier = new DataNormSparsifier()) {
      fails(IllegalStateException.class, Status.STATE, () -> sparsifier.addData("w", new float[8], 2, 4, closed));
      fails(IllegalStateException.class, Status.STATE,
          () -> sparsifier.addData("w", TestData.direct(8), 2, 4, closed));
      assertFalse(sparsifier.contains("w"));
      fails(IllegalStateException.class, Status.STATE, () -> new DataSparsifier(closed) {
        @Override
        public void updateMask(String name, DataView data, Config config, MaskView mask) {}
      });
    }
  }

  /** A closed sparsifier or schedule given to a scheduler: IllegalStateException naming the
   * Java class, not a NullPointerException naming a C++ type. */
  @Test
  void aClosedHandleGivenToASchedulerIsRefusedByName() {
    DataNormSparsifier closed = sparsifier();
    closed.close();
    IllegalStateException e = fails(IllegalStateException.class, Status.STATE,
        () -> new DataScheduler(closed, "sparsity_level", new GammaSchedule(2, 1)));
    assertEquals("DataNormSparsifier was closed", e.getMessage());
    fails(IllegalStateException.class, Status.STATE,
        () -> new DataScheduler(closed, "sparsity_level", BuiltinSchedule.gamma(2, 1)));
    try (DataNormSparsifier sparsifier = sparsifier()) {
      BuiltinSchedule gamma = BuiltinSchedule.gamma(2, 1);
      gamma.close();
      IllegalStateException schedule = fails(IllegalStateException.class, Status.STATE,
          () -> new DataScheduler(sparsifier, "sparsity_level", gamma));
      assertEquals("BuiltinSchedule was closed", schedule.getMessage());
      assertEquals(0.1, sparsifier.getParam("x", "sparsity_level"), 0); // nothing scheduled
    }
  }

  /** null is a NullPointerException naming the parameter. */
  @Test
  void nullHandlesAreNullPointerExceptions() {
    try (DataNormSparsifier sparsifier = sparsifier()) {
      assertEquals("sparsifier", assertThrows(NullPointerException.class,
          () -> new DataScheduler(null, "sparsity_level", new GammaSchedule(2, 1))).getMessage());
      assertEquals("schedule", assertThrows(NullPointerException.class,
          () -> new DataScheduler(sparsifier, "sparsity_level", (Schedule) null)).getMessage());
      assertEquals("scheduleParam", assertThrows(NullPointerException.class,
          () -> new DataScheduler(sparsifier, null, BuiltinSchedule.gamma(2, 1))).getMessage());
    }
  }

  @Test
  void closingABuiltinScheduleAfterUseIsSafe() {
    try (DataNormSparsifier sparsifier = sparsifier()) {
      BuiltinSchedule gamma = BuiltinSchedule.gamma(2, 1);
      try (DataScheduler scheduler = new DataScheduler(sparsifier, "sparsity_level", gamma)) {
        gamma.close(); // the scheduler has its own copy
        scheduler.step();
        assertEquals(0.2, sparsifier.getParam("x", "sparsity_level"), 1e-12);
      }
    }
  }

  @Test
  void droppedObjectsAreFinalisedWithoutHarm() {
    for (int i = 0; i < 50; ++i) {
      DataNormSparsifier sparsifier = sparsifier();
      new DataScheduler(sparsifier, "sparsity_level", new GammaSchedule(2, 1)).step();
      new Config().with("k", i);
    }
    TestData.collectGarbage();
    try (DataNormSparsifier sparsifier = sparsifier()) {
      sparsifier.step();
      assertFalse(sparsifier.isClosed());
    }
  }

  /** Closing a handle from inside its own callback: the running call fails with
   * DS_ERR_STATE, nothing crashes, and the handle is closed afterwards. */
  @Test
  void closingTheSchedulerInsideComputeFailsTheStep() {
    try (DataNormSparsifier sparsifier = sparsifier()) {
      DataScheduler[] self = new DataScheduler[1];
      boolean[] armed = {false};
      self[0] = new DataScheduler(sparsifier, "sparsity_level", new Schedule() {
        @Override
        public double compute(String name, long epoch, double base, double current) {
          if (armed[0]) self[0].close();
          return base;
        }
      });
      sparsifier.step();
      armed[0] = true;
      fails(IllegalStateException.class, Status.STATE, () -> self[0].step());
      assertTrue(self[0].isClosed());
      TestData.collectGarbage();
      sparsifier.step();  // the sparsifier is unharmed
      assertEquals(0.1, sparsifier.getParam("x", "sparsity_level"), 0);
    }
  }

  @Test
  void closingTheSparsifierInsideComputeFailsTheStep() {
    DataNormSparsifier sparsifier = sparsifier();
    boolean[] armed = {false};
    try (DataScheduler scheduler = new DataScheduler(sparsifier, "sparsity_level", new Schedule() {
      @Override
      public double compute(String name, long epoch, double base, double current) {
        if (armed[0]) sparsifier.close();
        return base;
      }
    })) {
      sparsifier.step();
      armed[0] = true;
      fails(IllegalStateException.class, Status.STATE, scheduler::step);
      assertTrue(sparsifier.isClosed());
      assertThrows(StateException.class, scheduler::step);  // its sparsifier is gone
    }
  }

  @Test
  void closingTheSparsifierInsideUpdateMaskFailsTheStep() {
    float[] data = TestData.sine(16, 0);
    DataSparsifier[] self = new DataSparsifier[1];
    self[0] = new DataSparsifier() {
      @Override
      public void updateMask(String name, DataView view, Config config, MaskView mask) {
        self[0].close();
        mask.fill(0);  // the views stay valid for the rest of the callback
      }
    };
    self[0].addData("x", data, 4, 4);
    self[0].addData("y", data, 2, 8);
    fails(IllegalStateException.class, Status.STATE, () -> self[0].step());
    assertTrue(self[0].isClosed());
    TestData.collectGarbage();
  }
}
