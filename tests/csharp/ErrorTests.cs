// Failures throw the usual .NET exceptions, each an IDatasparseException with
// the status and the library's message.
using System;
using System.Collections.Generic;
using System.IO;
using NUnit.Framework;

namespace Datasparse.Tests {

[TestFixture]
public class ErrorTests {
  [Test]
  public void UnknownNamesAreNotFound() {
    using (var sparsifier = new DataNormSparsifier()) {
      var e = Expect.Fails(Status.NotFound, () => sparsifier.GetMask("missing"), "GetMask");
      Assert.IsInstanceOf<KeyNotFoundException>(e, "a KeyNotFoundException");
      Assert.AreEqual("DS_ERR_NOT_FOUND", Expect.StatusName(e), "status name");
      StringAssert.Contains("missing", e.Message, "message names the item");
      Expect.Fails(Status.NotFound, () => sparsifier.RemoveData("missing"), "RemoveData");
      Expect.Fails(Status.NotFound, () => sparsifier.SquashMask(new[] { "missing" }), "SquashMask");
    }
    using (var config = new Config()) {
      var e = Expect.Fails(Status.NotFound, () => GC.KeepAlive(config["absent"]), "Config indexer");
      StringAssert.Contains("absent", e.Message, "message names the key");
    }
  }

  [Test]
  public void InvalidArgumentsAreRejectedWithTheLibrarysMessage() {
    using (var config = new Config()) {
      Assert.IsInstanceOf<ArgumentException>(Expect.Fails(Status.InvalidArgument, () => config.Set("level", double.NaN), "NaN value"));
      Expect.Fails(Status.InvalidArgument, () => config.Set("", 1), "empty key");
    }
    using (var bad = new Config { ["zeros_per_block"] = 5 })
    using (var sparsifier = new DataNormSparsifier()) {
      var e = Expect.Fails(Status.InvalidArgument, () => sparsifier.AddData("layer1", new float[16], 4, 4, bad), "zeros_per_block");
      StringAssert.Contains("zeros_per_block", e.Message, "message names the key");
      Expect.Fails(Status.InvalidArgument, () => sparsifier.AddData("a.b", new float[4], 2, 2), "name with a dot");
      Expect.Fails(Status.InvalidArgument, () => sparsifier.AddData("w", new float[4], 0, 4), "zero rows");
      Assert.IsTrue(sparsifier.Names.Count == 0, "nothing registered");
    }
  }

  [Test]
  public void AFailedConstructorLeavesNothingBehindForTheFinalizer() {
    using (var bad = new Config { ["zeros_per_block"] = 99 }) {
      Expect.Fails(Status.InvalidArgument, () => new DataNormSparsifier(Norm.L1, bad), "norm sparsifier");
      Assert.Catch<ObjectDisposedException>(() => new ThresholdSparsifier(DisposedConfig()), "custom sparsifier");
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
      Expect.Fails(Status.Shape, () => sparsifier.AddData("w", new float[8], 4, 2, null, true), "reuse mask, other shape");
      Assert.AreEqual(2L, sparsifier.Rows("w"), "shape kept");
      sparsifier.Step();
      sparsifier.SquashAll();
      var e = Expect.Fails(Status.State, () => sparsifier.GetMask("w"), "mask after squash");
      Assert.IsInstanceOf<StateException>(e, "an InvalidOperationException");
      StringAssert.Contains("squashed", e.Message, "message");
      Expect.Fails(Status.State, () => sparsifier.GetData("w", true), "original after squash");
    }
  }

  [Test]
  public void CorruptStateIsRejected() {
    using (var sparsifier = new DataNormSparsifier()) {
      sparsifier.AddData("w", new float[8], 2, 4);
      var e = Expect.Fails(Status.Corrupt, () => sparsifier.LoadFromBytes(new byte[] { 1, 2, 3, 4, 5 }), "garbage");
      Assert.IsInstanceOf<IOException>(e, "an IOException");
      Expect.Fails(Status.InvalidArgument, () => sparsifier.LoadFromBytes(new byte[0]), "empty");
      var n = Assert.Catch<ArgumentNullException>(() => sparsifier.LoadFromBytes(null), "null");
      Assert.AreEqual("state", n.ParamName, "the parameter");
    }
  }

  [Test]
  public void FileErrorsAreIO() {
    using (var sparsifier = new DataNormSparsifier()) {
      var e = Expect.Fails(Status.IO, () => sparsifier.Load("/nonexistent/dir/state.bin"), "missing file");
      Assert.IsInstanceOf<IOException>(e, "an IOException");
    }
  }

  [Test]
  public void NullArgumentsNameTheParameter() {
    using (var sparsifier = new DataNormSparsifier()) {
      Assert.AreEqual("name", Assert.Catch<ArgumentNullException>(() => sparsifier.GetMask(null)).ParamName);
      Assert.AreEqual("names", Assert.Catch<ArgumentNullException>(() => sparsifier.SquashMask(null)).ParamName);
      Assert.AreEqual("data", Assert.Catch<ArgumentNullException>(() => sparsifier.AddData("w", (float[])null, 2, 2)).ParamName);
      Assert.AreEqual("sparsifier", Assert.Catch<ArgumentNullException>(
          () => new DataScheduler(null, "sparsity_level", new GammaSchedule(2, 1))).ParamName);
    }
  }

  [Test]
  public void TheExceptionsAreOrdinaryExceptions() {
    Exception e = new StateException(Status.State, "test");
    Assert.IsInstanceOf<InvalidOperationException>(e, "by meaning");
    Assert.AreEqual("DS_ERR_STATE", ((IDatasparseException)e).StatusName, "status name");
    Assert.AreEqual("DS_UNKNOWN_STATUS", new InternalException((Status)99, "x").StatusName, "unknown status");
    Assert.AreEqual(2, (int)Status.NotFound, "the C API's value");
    Assert.AreEqual(7, (int)Status.IO, "the C API's value");
  }

  [Test]
  public void VersionIsTheLoadedLibrarys() {
    Assert.IsTrue(System.Text.RegularExpressions.Regex.IsMatch(Library.Version, @"^\d+\.\d+\.\d+$"), "version " + Library.Version);
    Assert.AreEqual(Library.Version + ".0", typeof(Library).Assembly.GetName().Version.ToString(), "the assembly's version is the library's");
  }

  [Test]
  public void LogMessagesReachAHandler() {
    using (var log = new LogCapture())
    using (var sparsifier = new DataNormSparsifier()) {
      sparsifier.AddData("w", new float[8], 2, 4);
      sparsifier.AddData("w", new float[8], 2, 4);
      Assert.IsTrue(log.Messages.Count == 1, "one warning, got " + log.Messages.Count);
      StringAssert.Contains("Warning: ", log.Messages[0], "level");
      StringAssert.Contains("'w'", log.Messages[0], "message");
    }
  }

  [Test]
  public void AThrowingLogHandlerDoesNotFailTheCall() {
    Library.SetLogHandler((level, message) => { throw new InvalidOperationException("handler failed"); });
    try {
      using (var sparsifier = new DataNormSparsifier()) {
        sparsifier.AddData("w", new float[8], 2, 4);
        sparsifier.AddData("w", new float[8], 2, 4);  // logs; the handler throws; the call still succeeds
        Assert.AreEqual(1, sparsifier.Count, "registered");
        var e = Expect.Fails(Status.NotFound, () => sparsifier.GetMask("missing"), "an unrelated failure");
        Assert.IsNull(e.InnerException, "the handler's exception does not resurface");
      }
    } finally {
      Library.SetLogHandler(null);
    }
  }
}

}
