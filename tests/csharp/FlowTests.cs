// The seed's flow: a C# gamma schedule; each batch is added under one name
// and the sparsifier steps; the scheduler steps once per epoch.
using System;
using NUnit.Framework;

namespace Datasparse.Tests {

[TestFixture]
public class FlowTests {
  [Test]
  public void TrainingLoopReachesTheScheduledSparsityEachEpoch() {
    const int Epochs = 6, Batches = 4, Rows = 64, Cols = 128;
    var schedule = new GammaSchedule(2.0, 0.9);
    using (new LogCapture()) // the loop replaces "train_data" on purpose: no warnings on stderr
    using (var defaults = new Config { ["sparsity_level"] = 0.1 })
    using (var sparsifier = new DataNormSparsifier(Norm.L1, defaults))
    using (var scheduler = new DataScheduler(sparsifier, "sparsity_level", schedule)) {
      double expectedLevel = 0.1;
      for (int epoch = 0; epoch < Epochs; ++epoch) {
        for (int b = 0; b < Batches; ++b) {
          float[] batch = TestData.Make(Rows * Cols, epoch * Batches + b + 1);
          sparsifier.AddData("train_data", batch, Rows, Cols);
          sparsifier.Step();
          Assert.AreEqual(Rows * Cols - TestData.Zeros(sparsifier.GetMask("train_data")),
                          CountNonZero(sparsifier.GetData("train_data")), "kept elements of batch " + b);
        }
        double level = sparsifier.GetParam("train_data", "sparsity_level");
        Assert.AreEqual(expectedLevel, level, 1e-12, "sparsity_level at epoch " + epoch);
        Assert.AreEqual(TestData.NormSparsity(expectedLevel, Rows, Cols), sparsifier.GetSparsity("train_data"), 1e-12,
                        "sparsity at epoch " + epoch);
        scheduler.Step();
        Assert.AreEqual((long)epoch + 1, scheduler.LastEpoch, "last epoch");
        expectedLevel = Math.Min(0.9, expectedLevel * 2.0);
        Assert.AreEqual(expectedLevel, scheduler.GetLastParam("train_data"), 1e-12, "last param");
      }
      Assert.AreEqual(0.1, scheduler.GetBaseParam("train_data"), 1e-12, "base param");
      CollectionAssert.AreEqual(new[] { "train_data" }, scheduler.Names, "scheduled names");
      Assert.AreEqual("sparsity_level", scheduler.ScheduleParam, "schedule param");
      Assert.AreEqual((long)Epochs * Batches, sparsifier.StepCount, "sparsifier steps");
      Assert.IsTrue(schedule.Calls >= Epochs, "the C# schedule was called");
    }
  }

  [Test]
  public void SchedulerVariesEveryItemFromItsOwnBase() {
    using (var sparsifier = new DataNormSparsifier(Norm.L2))
    using (var low = new Config { ["sparsity_level"] = 0.2 })
    using (var high = new Config { ["sparsity_level"] = 0.3 }) {
      sparsifier.AddData("low", TestData.Make(32 * 32, 1), 32, 32, low);
      sparsifier.AddData("high", TestData.Make(32 * 32, 2), 32, 32, high);
      using (var scheduler = new DataScheduler(sparsifier, "sparsity_level", new GammaSchedule(1.5, 0.6))) {
        sparsifier.Step();
        scheduler.Step();
        scheduler.Step();
        Assert.AreEqual(2L, scheduler.LastEpoch, "epoch");
        Assert.AreEqual(0.2 * 1.5 * 1.5, sparsifier.GetParam("low", "sparsity_level"), 1e-12, "low");
        Assert.AreEqual(0.6, sparsifier.GetParam("high", "sparsity_level"), 1e-12, "high (capped)");
        CollectionAssert.AreEqual(new[] { "low", "high" }, sparsifier.Names, "names in insertion order");
      }
    }
  }

  [Test]
  public void PropertiesReadAndWrite() {
    using (var sparsifier = new DataNormSparsifier())
    using (var config = new Config { ["b"] = 2, ["a"] = 1 }) {
      Assert.AreEqual(2, config.Count, "Config.Count");
      CollectionAssert.AreEqual(new[] { "a", "b" }, config.Keys, "Config.Keys, in order");
      double value;
      Assert.IsTrue(config.TryGetValue("b", out value) && value == 2, "TryGetValue of a key");
      Assert.IsFalse(config.TryGetValue("c", out value), "TryGetValue of no key");
      sparsifier.AddData("w", new float[8], 2, 4);
      Assert.AreEqual(1, sparsifier.Count, "Sparsifier.Count");
      Assert.IsTrue(sparsifier.MaskUpdate, "mask update is on by default");
      sparsifier.MaskUpdate = false;
      Assert.IsFalse(sparsifier.MaskUpdate, "MaskUpdate set");
      using (var scheduler = new DataScheduler(sparsifier, "sparsity_level", BuiltinSchedule.Gamma(2, 1))) {
        Assert.IsFalse(scheduler.Verbose, "not verbose by default");
        scheduler.Verbose = true;
        Assert.IsTrue(scheduler.Verbose, "Verbose set");
        Assert.AreEqual(0L, scheduler.LastEpoch, "LastEpoch");
        Assert.AreEqual(1L, scheduler.StepCount, "StepCount");
        Assert.AreSame(sparsifier, scheduler.Sparsifier, "Sparsifier");
      }
    }
  }

  static int CountNonZero(float[] data) {
    int n = 0;
    foreach (float x in data) if (x != 0.0f) ++n;
    return n;
  }
}

}
