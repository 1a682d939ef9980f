// A sparsifier whose masks are computed in C# (DataSparsifier.UpdateMask).
using System;
using NUnit.Framework;
using System.Collections.Generic;

namespace Datasparse.Tests {

// Zeroes every element whose magnitude is below the item's "threshold".
class ThresholdSparsifier : DataSparsifier {
  public readonly List<string> Seen = new List<string>();
  public DataView LastView;

  public ThresholdSparsifier(Config defaults = null) : base(defaults) {}

  public override void UpdateMask(string name, DataView data, Config config, MaskView mask) {
    Seen.Add(name);
    LastView = data;
    double threshold = config.Contains("threshold") ? config["threshold"] : 0.5;
    float[] values = data.ToArray();
    byte[] keep = new byte[values.Length];
    for (int i = 0; i < values.Length; ++i) keep[i] = (byte)(Math.Abs(values[i]) < threshold ? 0 : 1);
    mask.CopyFrom(keep);
  }
}

[TestFixture]
public class CustomSparsifierTests {
  [Test]
  public void UpdateMaskComputesTheMask() {
    float[] data = { 0.1f, -0.9f, 0.4f, 2.0f, -0.2f, 0.6f };
    using (var sparsifier = new ThresholdSparsifier()) {
      sparsifier.AddData("w", data, 2, 3);
      CollectionAssert.AreEqual(new byte[] { 1, 1, 1, 1, 1, 1 }, sparsifier.GetMask("w"), "a new item's mask");
      sparsifier.Step();
      CollectionAssert.AreEqual(new byte[] { 0, 1, 0, 1, 0, 1 }, sparsifier.GetMask("w"), "mask");
      CollectionAssert.AreEqual(new[] { 0f, -0.9f, 0f, 2.0f, 0f, 0.6f }, sparsifier.GetData("w"), "masked data");
      CollectionAssert.AreEqual(data, sparsifier.GetData("w", true), "original data");
      Assert.AreEqual(0.5, sparsifier.GetSparsity("w"), 1e-12, "sparsity");
    }
  }

  [Test]
  public void UpdateMaskReceivesTheMergedConfigAndEveryItem() {
    using (var defaults = new Config { ["threshold"] = 0.3 })
    using (var strict = new Config { ["threshold"] = 1.0 })
    using (var sparsifier = new ThresholdSparsifier(defaults)) {
      sparsifier.AddData("a", new[] { 0.2f, 0.5f }, 1, 2);
      sparsifier.AddData("b", new[] { 0.2f, 0.5f }, 1, 2, strict);
      sparsifier.Step();
      CollectionAssert.AreEqual(new[] { "a", "b" }, sparsifier.Seen, "items visited in order");
      CollectionAssert.AreEqual(new byte[] { 0, 1 }, sparsifier.GetMask("a"), "defaults' threshold");
      CollectionAssert.AreEqual(new byte[] { 0, 0 }, sparsifier.GetMask("b"), "item's own threshold");
      Assert.AreEqual(1.0, sparsifier.GetParam("b", "threshold"), 0, "param");
    }
  }

  [Test]
  public void PerElementViewAccess() {
    var seen = new List<float>();
    using (var sparsifier = new LambdaSparsifier((name, data, config, mask) => {
      Assert.AreEqual(2L, data.Rows, "rows");
      Assert.AreEqual(2L, data.Cols, "cols");
      seen.Add(data.Get(1, 0));
      mask.Fill(1);
      mask.Set(1, 0, 0);
      Assert.AreEqual(0, mask.Get(1, 0), "mask element");
    })) {
      sparsifier.AddData("x", new[] { 1f, 2f, 3f, 4f }, 2, 2);
      sparsifier.Step();
      CollectionAssert.AreEqual(new[] { 3f }, seen, "data element");
      CollectionAssert.AreEqual(new byte[] { 1, 1, 0, 1 }, sparsifier.GetMask("x"), "mask");
    }
  }

  [Test]
  public void ViewsAreOnlyValidDuringTheCallback() {
    using (var sparsifier = new ThresholdSparsifier()) {
      sparsifier.AddData("w", new[] { 1f, 2f }, 1, 2);
      sparsifier.Step();
      DataView kept = sparsifier.LastView;
      Assert.Catch<ObjectDisposedException>(() => kept.Get(0, 0), "a view used after its callback");
      Assert.Catch<ObjectDisposedException>(() => kept.ToArray(), "a view copied after its callback");
    }
  }

  [Test]
  public void ACustomKeyCanBeScheduled() {
    using (var sparsifier = new ThresholdSparsifier())
    using (var config = new Config { ["threshold"] = 0.25 }) {
      float[] data = { 0.3f, 0.6f, 0.9f, 1.2f };
      sparsifier.AddData("w", data, 1, 4, config);
      using (var scheduler = new DataScheduler(sparsifier, "threshold", BuiltinSchedule.Step(1, 2.0))) {
        sparsifier.Step();
        CollectionAssert.AreEqual(new byte[] { 1, 1, 1, 1 }, sparsifier.GetMask("w"), "threshold 0.25");
        scheduler.Step();
        sparsifier.Step();
        CollectionAssert.AreEqual(new byte[] { 0, 1, 1, 1 }, sparsifier.GetMask("w"), "threshold 0.5");
        scheduler.Step();
        sparsifier.Step();
        CollectionAssert.AreEqual(new byte[] { 0, 0, 0, 1 }, sparsifier.GetMask("w"), "threshold 1.0");
      }
    }
  }

  [Test]
  public void SquashingACustomSparsifierWritesIntoTheArray() {
    float[] data = { 0.1f, 0.9f, 0.2f, 0.8f };
    using (var sparsifier = new ThresholdSparsifier()) {
      sparsifier.AddData("w", data.AsMemory(), 2, 2);
      sparsifier.Step();
      sparsifier.SquashAll();
      CollectionAssert.AreEqual(new[] { 0f, 0.9f, 0f, 0.8f }, data, "the caller's array after squash");
      Assert.IsTrue(sparsifier.IsSquashed("w"), "squashed");
    }
  }
}

// A DataSparsifier whose UpdateMask is a delegate (handy in tests).
class LambdaSparsifier : DataSparsifier {
  private readonly Action<string, DataView, Config, MaskView> update;

  public LambdaSparsifier(Action<string, DataView, Config, MaskView> update) {
    this.update = update;
  }

  public override void UpdateMask(string name, DataView data, Config config, MaskView mask) {
    update(name, data, config, mask);
  }
}

}
