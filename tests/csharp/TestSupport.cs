// What several test classes share: data, a gamma schedule, quiet logging, and
// the check of a failed call (the .NET exception type by meaning and its Status).
using System;
using System.Collections.Generic;
using NUnit.Framework;

namespace Datasparse.Tests {

static class TestData {
  // Deterministic data: a smooth pattern plus noise (like the C demo's).
  public static float[] Make(int count, int seed) {
    var random = new Random(seed);
    var data = new float[count];
    for (int i = 0; i < count; ++i) data[i] = (float)(Math.Sin(i * 0.01) + random.NextDouble() - 0.5);
    return data;
  }

  public static int Zeros(byte[] mask) {
    int zeros = 0;
    foreach (byte b in mask) if (b == 0) ++zeros;
    return zeros;
  }

  // Sparsity a norm sparsifier with 1x4 blocks and 4 zeros per block reaches.
  public static double NormSparsity(double level, int rows, int cols) {
    int blocks = rows * ((cols + 3) / 4);
    double sparsified = Math.Round(Math.Max(0.0, Math.Min(1.0, level)) * blocks, MidpointRounding.ToEven);
    return sparsified * 4 / (rows * cols);
  }

  public static void CollectGarbage() {
    for (int i = 0; i < 3; ++i) {
      GC.Collect();
      GC.WaitForPendingFinalizers();
    }
  }
}

static class Expect {
  // The .NET type a failure of each status is (or derives from).
  public static Type TypeOf(Status status) {
    switch (status) {
      case Status.InvalidArgument:
      case Status.Shape: return typeof(ArgumentException);
      case Status.NotFound: return typeof(KeyNotFoundException);
      case Status.State: return typeof(InvalidOperationException);
      case Status.Callback: return typeof(CallbackException);
      case Status.Corrupt: return typeof(CorruptStateException);
      case Status.IO: return typeof(FileException);
      default: return typeof(Exception);
    }
  }

  // call must throw the type of status (or a subclass), an IDatasparseException carrying status.
  public static Exception Fails(Status status, TestDelegate call, string what = "call") {
    Exception e = Assert.Catch(TypeOf(status), call, what);
    var failure = e as IDatasparseException;
    Assert.IsNotNull(failure, what + ": " + e.GetType().Name + " carries a status");
    Assert.AreEqual(status, failure.Status, what + ": " + e.Message);
    Assert.AreEqual(status == Status.Ok ? "DS_OK" : "DS_ERR_" + StatusWords(status), failure.StatusName, what);
    Assert.IsFalse(e.Message.StartsWith("DS_"), what + ": the message has no status prefix: " + e.Message);
    return e;
  }

  public static string StatusName(Exception e) {
    return ((IDatasparseException)e).StatusName;
  }

  // NotFound -> NOT_FOUND
  static string StatusWords(Status status) {
    string name = status.ToString();
    var words = new System.Text.StringBuilder();
    for (int i = 0; i < name.Length; ++i) {
      if (i > 0 && char.IsUpper(name[i]) && !char.IsUpper(name[i - 1])) words.Append('_');
      words.Append(char.ToUpperInvariant(name[i]));
    }
    return words.ToString();
  }
}

// The seed's GammaScheduler: the base value at epoch 0, then the current
// value times gamma, capped at threshold.
class GammaSchedule : Schedule {
  private readonly double gamma, threshold;
  public int Calls;

  public GammaSchedule(double gamma, double threshold) {
    this.gamma = gamma;
    this.threshold = threshold;
  }

  public override double Compute(string name, long epoch, double baseValue, double current) {
    ++Calls;
    return epoch == 0 ? baseValue : Math.Min(threshold, current * gamma);
  }
}

// Captures the library's log messages for the duration of a test.
sealed class LogCapture : IDisposable {
  public readonly List<string> Messages = new List<string>();

  public LogCapture() {
    Library.SetLogHandler((level, message) => { lock (Messages) Messages.Add(level + ": " + message); });
  }

  public void Dispose() {
    Library.SetLogHandler(null);
  }
}

}
