// What several test classes share: data, a gamma schedule, quiet logging.
using System;
using System.Collections.Generic;

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
