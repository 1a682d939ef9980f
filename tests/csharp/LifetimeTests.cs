// Handles are IDisposable; a scheduler keeps its schedule (and a lambda
// schedule its factor) and its sparsifier alive; disposed objects throw.
using System;
using NUnit.Framework;

namespace Datasparse.Tests {

class DoublingFactor : LambdaFactor {
  public override double Factor(long epoch) { return Math.Pow(2, epoch); }
}

// Disposes a handle from inside its own callback.
class DisposingSchedule : Schedule {
  public IDisposable Target;
  public override double Compute(string name, long epoch, double baseValue, double current) {
    if (Target != null) {
      Target.Dispose();
      Target = null;
    }
    return baseValue;
  }
}

class DisposingSparsifier : DataSparsifier {
  public override void UpdateMask(string name, DataView data, Config config, MaskView mask) {
    Dispose();
    mask.Fill(0);  // the views stay valid for the rest of the callback
  }
}

[TestFixture]
public class LifetimeTests {
  static void CollectGarbage() {
    for (int i = 0; i < 3; ++i) {
      GC.Collect();
      GC.WaitForPendingFinalizers();
    }
  }

  // Only the scheduler is returned: the schedule is referenced by nothing else.
  static DataScheduler SchedulerWithUnreferencedSchedule(Sparsifier sparsifier, out WeakReference schedule) {
    var gamma = new GammaSchedule(2.0, 0.9);
    schedule = new WeakReference(gamma);
    return new DataScheduler(sparsifier, "sparsity_level", gamma);
  }

  // Only the scheduler is returned: its sparsifier and schedule are referenced by nothing else.
  static DataScheduler SchedulerWithUnreferencedSparsifier(out WeakReference sparsifier) {
    var norm = new DataNormSparsifier(Norm.L1);
    using (var config = new Config { ["sparsity_level"] = 0.1 })
      norm.AddData("w", TestData.Make(16 * 16, 3), 16, 16, config);
    sparsifier = new WeakReference(norm);
    return new DataScheduler(norm, "sparsity_level", new GammaSchedule(2.0, 0.9));
  }

  [Test]
  public void AScheduleSurvivesGarbageCollectionWhileRegistered() {
    using (var sparsifier = new DataNormSparsifier())
    using (var config = new Config { ["sparsity_level"] = 0.1 }) {
      sparsifier.AddData("w", TestData.Make(64, 1), 8, 8, config);
      WeakReference schedule;
      using (DataScheduler scheduler = SchedulerWithUnreferencedSchedule(sparsifier, out schedule)) {
        double expected = 0.1;
        for (int epoch = 1; epoch <= 5; ++epoch) {
          CollectGarbage();
          Assert.IsTrue(schedule.IsAlive, "schedule alive at epoch " + epoch);
          sparsifier.Step();
          scheduler.Step();
          expected = Math.Min(0.9, expected * 2);
          Assert.AreEqual(expected, sparsifier.GetParam("w", "sparsity_level"), 1e-12, "level at epoch " + epoch);
        }
      }
    }
  }

  [Test]
  public void TheSparsifierSurvivesGarbageCollectionWhileItsSchedulerLives() {
    WeakReference sparsifier;
    using (DataScheduler scheduler = SchedulerWithUnreferencedSparsifier(out sparsifier)) {
      for (int epoch = 1; epoch <= 3; ++epoch) {
        CollectGarbage();
        Assert.IsTrue(sparsifier.IsAlive, "sparsifier alive at epoch " + epoch);
        scheduler.Sparsifier.Step();
        scheduler.Step();
      }
      Assert.AreEqual(0.8, scheduler.Sparsifier.GetParam("w", "sparsity_level"), 1e-12, "level");
      Assert.AreEqual(TestData.NormSparsity(0.4, 16, 16), scheduler.Sparsifier.GetSparsity("w"), 1e-12, "sparsity of the last sparsifier step");
    }
  }

  [Test]
  public void ALambdaFactorSurvivesGarbageCollection() {
    using (var sparsifier = new DataNormSparsifier())
    using (var config = new Config { ["sparsity_level"] = 0.1 }) {
      sparsifier.AddData("w", TestData.Make(64, 1), 8, 8, config);
      using (var scheduler = new DataScheduler(sparsifier, "sparsity_level", BuiltinSchedule.Lambda(new DoublingFactor()))) {
        for (int epoch = 1; epoch <= 3; ++epoch) {
          CollectGarbage();
          sparsifier.Step();
          scheduler.Step();
          Assert.AreEqual(0.1 * Math.Pow(2, epoch), sparsifier.GetParam("w", "sparsity_level"), 1e-12, "level at epoch " + epoch);
        }
      }
    }
  }

  [Test]
  public void ACustomSparsifierSurvivesGarbageCollection() {
    DataScheduler scheduler = CustomSparsifierScheduler();
    using (scheduler) {
      for (int epoch = 1; epoch <= 3; ++epoch) {
        CollectGarbage();
        scheduler.Sparsifier.Step();
        scheduler.Step();
      }
      scheduler.Sparsifier.Step();
      CollectionAssert.AreEqual(new byte[] { 0, 0, 1, 1 }, scheduler.Sparsifier.GetMask("w"), "mask with threshold 0.8");
    }
  }

  static DataScheduler CustomSparsifierScheduler() {
    var sparsifier = new ThresholdSparsifier();
    using (var config = new Config { ["threshold"] = 0.1 })
      sparsifier.AddData("w", new[] { 0.3f, 0.7f, 0.9f, 1.1f }, 2, 2, config);
    return new DataScheduler(sparsifier, "threshold", BuiltinSchedule.Step(1, 2.0));
  }

  [Test]
  public void DisposedObjectsThrowInsteadOfCrashing() {
    var sparsifier = new DataNormSparsifier();
    sparsifier.AddData("w", new float[8], 2, 4);
    var scheduler = new DataScheduler(sparsifier, "sparsity_level", BuiltinSchedule.Gamma(2, 0.9));
    var config = new Config();
    var schedule = BuiltinSchedule.Constant(0.5, 0, -1, 1);
    using (sparsifier) using (scheduler) using (config) using (schedule) {}

    Assert.Catch<ObjectDisposedException>(() => sparsifier.Step(), "sparsifier.Step");
    Assert.Catch<ObjectDisposedException>(() => sparsifier.GetMask("w"), "sparsifier.GetMask");
    Assert.Catch<ObjectDisposedException>(() => sparsifier.AddData("v", new float[4], 2, 2), "sparsifier.AddData");
    Assert.Catch<ObjectDisposedException>(() => scheduler.Step(), "scheduler.Step");
    Assert.Catch<ObjectDisposedException>(() => config.Set("k", 1), "config.Set");
    Assert.Catch<ObjectDisposedException>(() => GC.KeepAlive(schedule.Kind), "schedule.Kind");
    var e = Assert.Catch<ObjectDisposedException>(() => GC.KeepAlive(sparsifier.Names), "sparsifier.Names");
    Assert.AreEqual("DataNormSparsifier", e.ObjectName, "object name: the class");
    Assert.AreEqual(Status.State, ((IDatasparseException)e).Status, "its status");
    Assert.IsTrue(sparsifier.IsDisposed && scheduler.IsDisposed && config.IsDisposed && schedule.IsDisposed, "IsDisposed");
    sparsifier.Dispose();  // twice is fine
    scheduler.Dispose();
    Assert.Catch<ObjectDisposedException>(() => new DataScheduler(sparsifier, "sparsity_level", BuiltinSchedule.Gamma(2, 0.9)),
                                           "a scheduler over a disposed sparsifier");
  }

  [Test]
  public void DisposedArgumentsAreRejected() {
    var config = new Config { ["sparsity_level"] = 0.9 };
    config.Dispose();
    var schedule = BuiltinSchedule.Gamma(2, 0.9);
    schedule.Dispose();
    using (var sparsifier = new DataNormSparsifier()) {
      var e = Assert.Catch<ObjectDisposedException>(() => sparsifier.AddData("w", new float[8], 2, 4, config), "disposed config");
      Assert.AreEqual("Config", e.ObjectName, "object name");
      Assert.IsFalse(sparsifier.Contains("w"), "not registered with the defaults instead");
      Assert.Catch<ObjectDisposedException>(() => sparsifier.AddData("w", new float[8].AsMemory(), 2, 4, config), "disposed config, borrowed data");
      Assert.Catch<ObjectDisposedException>(() => new DataNormSparsifier(Norm.L2, config), "disposed defaults");
      var s = Assert.Catch<ObjectDisposedException>(() => new DataScheduler(sparsifier, "sparsity_level", schedule), "disposed schedule");
      Assert.AreEqual("BuiltinSchedule", s.ObjectName, "object name");
      Assert.Catch<ArgumentNullException>(() => new DataScheduler(sparsifier, "sparsity_level", (Schedule)null), "null schedule");
    }
  }

  [Test]
  public void DisposingTheSparsifierFirstLeavesTheSchedulerFailingCleanly() {
    var sparsifier = new DataNormSparsifier();
    sparsifier.AddData("w", new float[8], 2, 4);
    using (var scheduler = new DataScheduler(sparsifier, "sparsity_level", new GammaSchedule(2, 0.9))) {
      sparsifier.Dispose();
      Expect.Fails(Status.State, () => scheduler.Step(), "step without its sparsifier");
    }
  }

  [Test]
  public void DroppedObjectsAreFinalizedSafely() {
    for (int i = 0; i < 20; ++i) {
      var sparsifier = new ThresholdSparsifier();
      sparsifier.AddData("w", new float[16], 4, 4);
      var scheduler = new DataScheduler(sparsifier, "sparsity_level", new GammaSchedule(2, 0.9));
      sparsifier.Step();
      GC.KeepAlive(scheduler);
    }
    CollectGarbage();  // finalizers run in any order: scheduler, sparsifier, schedule
  }

  // Disposing a handle from inside its own callback: the running call fails
  // with Status State, nothing crashes, and the handle is disposed afterwards.
  [Test]
  public void DisposingTheSchedulerInsideComputeFailsTheStep() {
    var data = TestData.Make(64, 5);
    using (var sparsifier = new DataNormSparsifier()) {
      sparsifier.AddData("w", data.AsMemory(), 8, 8);
      var schedule = new DisposingSchedule();
      var scheduler = new DataScheduler(sparsifier, "sparsity_level", schedule);
      sparsifier.Step();
      schedule.Target = scheduler;
      Expect.Fails(Status.State, () => scheduler.Step(), "the step that disposed it");
      Assert.Catch<ObjectDisposedException>(() => scheduler.Step());
      CollectGarbage();
      sparsifier.Step();
    }
  }

  [Test]
  public void DisposingTheSparsifierInsideComputeFailsTheStep() {
    var data = TestData.Make(64, 6);
    var sparsifier = new DataNormSparsifier();
    sparsifier.AddData("w", data.AsMemory(), 8, 8);
    var schedule = new DisposingSchedule();
    using (var scheduler = new DataScheduler(sparsifier, "sparsity_level", schedule)) {
      sparsifier.Step();
      schedule.Target = sparsifier;
      Expect.Fails(Status.State, () => scheduler.Step(), "the step that disposed it");
      Assert.Catch<ObjectDisposedException>(() => sparsifier.Step());
      CollectGarbage();
    }
  }

  [Test]
  public void DisposingTheSparsifierInsideUpdateMaskFailsTheStep() {
    var data = TestData.Make(64, 7);
    var sparsifier = new DisposingSparsifier();
    sparsifier.AddData("w", data.AsMemory(), 8, 8);
    sparsifier.AddData("v", data.AsMemory(), 4, 16);
    Expect.Fails(Status.State, () => sparsifier.Step(), "the step that disposed it");
    CollectGarbage();
    for (int i = 0; i < data.Length; ++i) data[i] += 1;  // the array is still the caller's, and usable
  }
}

}
