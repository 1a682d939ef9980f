// The seed's flow in C#: a custom gamma schedule, a training-like loop.
using System;
using Datasparse;

// Epoch 0: the base value; then the current value times gamma, capped.
sealed class Gamma : Schedule {
    readonly double gamma, threshold;

    public Gamma(double gamma, double threshold) {
        this.gamma = gamma;
        this.threshold = threshold;
    }

    public override double Compute(string name, long epoch, double baseValue, double current) {
        return epoch == 0 ? baseValue : Math.Min(threshold, current * gamma);
    }
}

static class ReadmeExample {
    static void Main() {
        const int Rows = 32, Cols = 64;
        var batch = new float[Rows * Cols];  // borrowed zero-copy as a Memory<float> (an array is copied)
        // Re-adding a batch under the same name warns (as PyTorch does): count them.
        int warnings = 0;
        Library.SetLogHandler((level, message) => { if (level == LogLevel.Warning) ++warnings; });

        using (var defaults = new Config { ["sparsity_level"] = 0.1 })
        using (var sparsifier = new DataNormSparsifier(Norm.L2, defaults)) {
            sparsifier.AddData("train_data", batch.AsMemory(), Rows, Cols);
            using (var scheduler = new DataScheduler(sparsifier, "sparsity_level", new Gamma(2.0, 0.8))) {
                for (int epoch = 0; epoch < 5; ++epoch) {
                    for (int step = 0; step < 3; ++step) {
                        for (int i = 0; i < batch.Length; ++i)  // the next batch
                            batch[i] = (float)Math.Sin(0.37 * i + 1.3 * step + epoch);
                        sparsifier.AddData("train_data", batch.AsMemory(), Rows, Cols);
                        // ... forward, backward, optimizer step ...
                        sparsifier.Step();
                    }
                    Console.WriteLine("epoch {0}: sparsity_level {1:F2}, sparsity {2:F3}", epoch,
                                      sparsifier.GetParam("train_data", "sparsity_level"),
                                      sparsifier.GetSparsity("train_data"));
                    scheduler.Step();
                }
            }
        }  // a failed call throws the usual .NET exception (ArgumentException, ...) with its Status
        Console.WriteLine("{0} replace warnings", warnings);
    }
}
