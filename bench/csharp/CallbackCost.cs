// What one C# callback costs: a scheduler over many tiny items steps with a
// C# schedule and with the same rule built in; the difference per item and
// step is the cost of one Compute upcall (native -> C# -> native, with the
// exception guard). The same for UpdateMask against a no-op native mask update
// is reported too.
// Run: cmake --build <build> --target bench_csharp_callback
//  or: mono CallbackCost.exe [steps [items]]   (beside Datasparse.dll)
using System;
using System.Diagnostics;
using Datasparse;

static class CallbackCost {
  static int Items = 1000;

  // min(threshold, current * gamma) from epoch 1: the built-in gamma rule.
  sealed class CSharpGamma : Schedule {
    public override double Compute(string name, long epoch, double baseValue, double current) {
      return epoch == 0 ? baseValue : Math.Min(1.0, current * 1.0);
    }
  }

  sealed class KeepAll : DataSparsifier {
    public override void UpdateMask(string name, DataView data, Config config, MaskView mask) {}
  }

  static void AddItems(Sparsifier sparsifier) {
    var item = new float[] { 1, 2, 3, 4 };
    for (int i = 0; i < Items; ++i) sparsifier.AddData("item" + i, item, 1, 4);
  }

  // Seconds per scheduler step.
  static double TimeScheduler(DataScheduler scheduler, int steps) {
    for (int i = 0; i < steps / 10 + 1; ++i) scheduler.Step();  // warm-up (JIT, caches)
    var watch = Stopwatch.StartNew();
    for (int i = 0; i < steps; ++i) scheduler.Step();
    return watch.Elapsed.TotalSeconds / steps;
  }

  // Seconds per sparsifier step.
  static double TimeSparsifier(Sparsifier sparsifier, int steps) {
    for (int i = 0; i < steps / 10 + 1; ++i) sparsifier.Step();
    var watch = Stopwatch.StartNew();
    for (int i = 0; i < steps; ++i) sparsifier.Step();
    return watch.Elapsed.TotalSeconds / steps;
  }

  static int Main(string[] args) {
    int steps = args.Length > 0 ? int.Parse(args[0]) : 500;
    if (args.Length > 1) Items = int.Parse(args[1]);
    const double Ns = 1e9;
    Console.WriteLine("datasparse {0}: C# callback cost, {1} items of 1x4, {2} steps, best of 7", Library.Version, Items, steps);

    // Both variants live side by side and are timed in turns (best of 7 each),
    // so that load from other processes hits both alike.
    double builtin = double.MaxValue, csharp = double.MaxValue;
    using (var builtinSparsifier = new DataNormSparsifier())
    using (var csharpSparsifier = new DataNormSparsifier()) {
      AddItems(builtinSparsifier);
      AddItems(csharpSparsifier);
      using (var builtinScheduler = new DataScheduler(builtinSparsifier, "sparsity_level", BuiltinSchedule.Gamma(1.0, 1.0)))
      using (var csharpScheduler = new DataScheduler(csharpSparsifier, "sparsity_level", new CSharpGamma())) {
        builtinSparsifier.Step();  // as in training: the sparsifier steps before its scheduler
        csharpSparsifier.Step();
        for (int round = 0; round < 7; ++round) {
          builtin = Math.Min(builtin, TimeScheduler(builtinScheduler, steps));
          csharp = Math.Min(csharp, TimeScheduler(csharpScheduler, steps));
        }
      }
    }
    Console.WriteLine("schedule   built-in gamma: {0,8:F1} ns per item and step", builtin * Ns / Items);
    Console.WriteLine("schedule   C# Compute    : {0,8:F1} ns per item and step", csharp * Ns / Items);
    Console.WriteLine("=> one C# Compute callback costs {0:F1} ns more than the built-in rule", (csharp - builtin) * Ns / Items);

    double norm = double.MaxValue, custom = double.MaxValue;
    using (var normSparsifier = new DataNormSparsifier())
    using (var customSparsifier = new KeepAll()) {
      AddItems(normSparsifier);
      AddItems(customSparsifier);
      for (int round = 0; round < 7; ++round) {
        norm = Math.Min(norm, TimeSparsifier(normSparsifier, steps));
        custom = Math.Min(custom, TimeSparsifier(customSparsifier, steps));
      }
    }
    Console.WriteLine("sparsifier norm (native) : {0,8:F1} ns per item and step", norm * Ns / Items);
    Console.WriteLine("sparsifier C# UpdateMask : {0,8:F1} ns per item and step (no-op body; views + config copy)", custom * Ns / Items);
    return 0;
  }
}
