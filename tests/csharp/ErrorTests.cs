// Failures become DatasparseException with the status and the library's message.
using System;

namespace Datasparse.Tests {

public class ErrorTests {
  [Test]
  public void UnknownNamesAreNotFound() {
    using (var sparsifier = new DataNormSparsifier()) {
      var e = Assert.Fails(DatasparseException.NotFound, () => sparsifier.GetMask("missing"), "GetMask");
      Assert.AreEqual("DS_ERR_NOT_FOUND", e.StatusName, "status name");
      Assert.Contains("missing", e.Message, "message names the item");
      Assert.Fails(DatasparseException.NotFound, () => sparsifier.RemoveData("missing"), "RemoveData");
      Assert.Fails(DatasparseException.NotFound, () => sparsifier.SquashMask(true, "missing"), "SquashMask");
    }
    using (var config = new Config()) {
      var e = Assert.Fails(DatasparseException.NotFound, () => GC.KeepAlive(config["absent"]), "Config indexer");
      Assert.Contains("absent", e.Message, "message names the key");
    }
  }

  [Test]
  public void InvalidArgumentsAreRejectedWithTheLibrarysMessage() {
    using (var config = new Config()) {
      Assert.Fails(DatasparseException.InvalidArgument, () => config.Set("level", double.NaN), "NaN value");
      Assert.Fails(DatasparseException.InvalidArgument, () => config.Set("", 1), "empty key");
    }
    using (var bad = new Config { ["zeros_per_block"] = 5 })
    using (var sparsifier = new DataNormSparsifier()) {
      var e = Assert.Fails(DatasparseException.InvalidArgument, () => sparsifier.AddData("layer1", new float[16], 4, 4, bad), "zeros_per_block");
      Assert.Contains("zeros_per_block", e.Message, "message names the key");
      Assert.Fails(DatasparseException.InvalidArgument, () => sparsifier.AddData("a.b", new float[4], 2, 2), "name with a dot");
      Assert.Fails(DatasparseException.InvalidArgument, () => sparsifier.AddData("w", new float[4], 0, 4), "zero rows");
      Assert.IsTrue(sparsifier.Names().Length == 0, "nothing registered");
    }
  }

  [Test]
  public void AFailedConstructorLeavesNothingBehindForTheFinalizer() {
    using (var bad = new Config { ["zeros_per_block"] = 99 }) {
      Assert.Fails(DatasparseException.InvalidArgument, () => new DataNormSparsifier(Norm.L1, bad), "norm sparsifier");
      Assert.Throws<ObjectDisposedException>(() => new ThresholdSparsifier(DisposedConfig()), "custom sparsifier");
    }
    GC.Collect();
    GC.WaitForPendingFinalizers();  // the half-made proxies are finalized here
  }

  static Config DisposedConfig() {
    var c = new Config();
    c.Dispose();
    return c;
  }

  [Test]
  public void ShapeAndStateErrors() {
    using (var sparsifier = new DataNormSparsifier())
    using (new LogCapture()) {
      sparsifier.AddData("w", new float[8], 2, 4);
      Assert.Fails(DatasparseException.Shape, () => sparsifier.AddData("w", new float[8], 4, 2, null, true), "reuse mask, other shape");
      Assert.AreEqual(2L, sparsifier.Rows("w"), "shape kept");
      sparsifier.Step();
      sparsifier.SquashMask();
      var e = Assert.Fails(DatasparseException.State, () => sparsifier.GetMask("w"), "mask after squash");
      Assert.Contains("squashed", e.Message, "message");
      Assert.Fails(DatasparseException.State, () => sparsifier.GetData("w", true), "original after squash");
    }
  }

  [Test]
  public void CorruptStateIsRejected() {
    using (var sparsifier = new DataNormSparsifier()) {
      sparsifier.AddData("w", new float[8], 2, 4);
      Assert.Fails(DatasparseException.Corrupt, () => sparsifier.LoadFromBytes(new byte[] { 1, 2, 3, 4, 5 }), "garbage");
      Assert.Fails(DatasparseException.InvalidArgument, () => sparsifier.LoadFromBytes(new byte[0]), "empty");
      Assert.Throws<ArgumentNullException>(() => sparsifier.LoadFromBytes(null), "null");
    }
  }

  [Test]
  public void FileErrorsAreIO() {
    using (var sparsifier = new DataNormSparsifier())
      Assert.Fails(DatasparseException.IO, () => sparsifier.Load("/nonexistent/dir/state.bin"), "missing file");
  }

  [Test]
  public void TheExceptionIsAnOrdinaryException() {
    Exception e = new DatasparseException(DatasparseException.State, "DS_ERR_STATE: test");
    Assert.AreEqual("DS_ERR_STATE", ((DatasparseException)e).StatusName, "status name");
    Assert.AreEqual("DS_UNKNOWN_STATUS", new DatasparseException(99, "x").StatusName, "unknown status");
  }

  [Test]
  public void VersionIsTheLoadedLibrarys() {
    Assert.IsTrue(System.Text.RegularExpressions.Regex.IsMatch(Library.Version, @"^\d+\.\d+\.\d+$"), "version " + Library.Version);
  }

  [Test]
  public void LogMessagesReachAHandler() {
    using (var log = new LogCapture())
    using (var sparsifier = new DataNormSparsifier()) {
      sparsifier.AddData("w", new float[8], 2, 4);
      sparsifier.AddData("w", new float[8], 2, 4);
      Assert.IsTrue(log.Messages.Count == 1, "one warning, got " + log.Messages.Count);
      Assert.Contains("Warning: ", log.Messages[0], "level");
      Assert.Contains("'w'", log.Messages[0], "message");
    }
  }
}

}
