// Save/load round trips of sparsifier and scheduler state, in memory and in files.
using System;
using NUnit.Framework;
using System.IO;

namespace Datasparse.Tests {

[TestFixture]
public class StateTests {
  static DataNormSparsifier NewSparsifier(float[] a, float[] b) {
    var sparsifier = new DataNormSparsifier(Norm.L2);
    using (var config = new Config { ["sparsity_level"] = 0.3, ["block_cols"] = 2 }) {
      sparsifier.AddData("a", a.AsMemory(), 8, 8, config);
      sparsifier.AddData("b", b.AsMemory(), 4, 16);
    }
    return sparsifier;
  }

  [Test]
  public void SparsifierStateRoundTripsThroughBytes() {
    float[] a = TestData.Make(64, 1), b = TestData.Make(64, 2);
    byte[] state;
    byte[] maskA, maskB;
    using (var sparsifier = NewSparsifier(a, b)) {
      sparsifier.Step();
      sparsifier.SetParam("b", "sparsity_level", 0.7);
      sparsifier.Step();
      maskA = sparsifier.GetMask("a");
      maskB = sparsifier.GetMask("b");
      state = sparsifier.SaveToBytes();
      Assert.IsTrue(state.Length > 0, "state has bytes");
    }
    using (var restored = NewSparsifier((float[])a.Clone(), (float[])b.Clone())) {
      restored.LoadFromBytes(state);
      CollectionAssert.AreEqual(maskA, restored.GetMask("a"), "mask a");
      CollectionAssert.AreEqual(maskB, restored.GetMask("b"), "mask b");
      Assert.AreEqual(0.7, restored.GetParam("b", "sparsity_level"), 0, "param b");
      Assert.AreEqual(2.0, restored.GetParam("a", "block_cols"), 0, "param a");
      Assert.AreEqual(2L, restored.StepCount, "step count");
    }
  }

  [Test]
  public void SavedDataIsCopiedIntoTheRegisteredArrays() {
    float[] a = TestData.Make(64, 1), b = TestData.Make(64, 2);
    byte[] state;
    using (var sparsifier = NewSparsifier(a, b)) {
      sparsifier.Step();
      state = sparsifier.SaveToBytes(true);
      Assert.IsTrue(state.Length > sparsifier.SaveToBytes().Length, "with data is larger");
    }
    float[] a2 = new float[64], b2 = new float[64];
    using (var restored = NewSparsifier(a2, b2)) {
      restored.LoadFromBytes(state);
      CollectionAssert.AreEqual(a, a2, "data a written into the pinned array");
      CollectionAssert.AreEqual(b, b2, "data b");
    }
  }

  [Test]
  public void AFailedLoadChangesNothing() {
    float[] a = TestData.Make(64, 1), b = TestData.Make(64, 2);
    using (var sparsifier = NewSparsifier(a, b)) {
      sparsifier.Step();
      byte[] state = sparsifier.SaveToBytes();
      byte[] mask = sparsifier.GetMask("a");
      state[state.Length / 2] ^= 0xff;
      Expect.Fails(Status.Corrupt, () => sparsifier.LoadFromBytes(state), "flipped byte");
      CollectionAssert.AreEqual(mask, sparsifier.GetMask("a"), "mask unchanged");
    }
  }

  [Test]
  public void SchedulerStateRoundTrips() {
    float[] a = TestData.Make(64, 1), b = TestData.Make(64, 2);
    byte[] sparsifierState, schedulerState;
    using (var sparsifier = NewSparsifier(a, b))
    using (var scheduler = new DataScheduler(sparsifier, "sparsity_level", BuiltinSchedule.Gamma(1.2, 0.95))) {
      for (int i = 0; i < 3; ++i) {
        sparsifier.Step();
        scheduler.Step();
      }
      sparsifierState = sparsifier.SaveToBytes();
      schedulerState = scheduler.SaveToBytes();
    }
    using (var sparsifier = NewSparsifier(a, b))
    using (var scheduler = new DataScheduler(sparsifier, "sparsity_level", BuiltinSchedule.Gamma(1.2, 0.95))) {
      sparsifier.LoadFromBytes(sparsifierState);
      scheduler.LoadFromBytes(schedulerState);
      Assert.AreEqual(3L, scheduler.LastEpoch, "epoch");
      Assert.AreEqual(0.3 * 1.2 * 1.2 * 1.2, scheduler.GetLastParam("a"), 1e-12, "last param a");
      Assert.AreEqual(0.3, scheduler.GetBaseParam("a"), 1e-12, "base param a");
      scheduler.Step();
      Assert.AreEqual(0.3 * Math.Pow(1.2, 4), sparsifier.GetParam("a", "sparsity_level"), 1e-12, "resumed");
    }
  }

  [Test]
  public void StateRoundTripsThroughFiles() {
    string dir = Path.Combine(Path.GetTempPath(), "datasparse-cs-" + Guid.NewGuid().ToString("N"));
    Directory.CreateDirectory(dir);
    try {
      float[] a = TestData.Make(64, 1), b = TestData.Make(64, 2);
      string sparsifierPath = Path.Combine(dir, "sparsifier.bin"), schedulerPath = Path.Combine(dir, "scheduler.bin");
      byte[] mask;
      using (var sparsifier = NewSparsifier(a, b))
      using (var scheduler = new DataScheduler(sparsifier, "sparsity_level", new GammaSchedule(2, 0.9))) {
        sparsifier.Step();
        scheduler.Step();
        sparsifier.Step();
        mask = sparsifier.GetMask("b");
        sparsifier.Save(sparsifierPath);
        scheduler.Save(schedulerPath);
      }
      using (var sparsifier = NewSparsifier(a, b))
      using (var scheduler = new DataScheduler(sparsifier, "sparsity_level", new GammaSchedule(2, 0.9))) {
        sparsifier.Load(sparsifierPath);
        scheduler.Load(schedulerPath);
        CollectionAssert.AreEqual(mask, sparsifier.GetMask("b"), "mask");
        Assert.AreEqual(1L, scheduler.LastEpoch, "epoch");
        Assert.AreEqual(0.9, sparsifier.GetParam("b", "sparsity_level"), 1e-12, "level b (0.5 x 2, capped)");
      }
    } finally {
      Directory.Delete(dir, true);
    }
  }
}

}
