// The built-in schedules, stepped epoch by epoch against their formulas (datasparse.h).
using System;
using NUnit.Framework;

namespace Datasparse.Tests {

class HarmonicFactor : LambdaFactor {
  public override double Factor(long epoch) { return 1.0 / (1 + epoch); }
}

[TestFixture]
public class BuiltinScheduleTests {
  const double Base = 0.6;

  // The values the schedule sets for an item of base value Base, for epochs 0..epochs-1.
  static double[] Run(BuiltinSchedule schedule, int epochs) {
    using (schedule)
    using (var sparsifier = new DataNormSparsifier())
    using (var config = new Config { ["sparsity_level"] = Base }) {
      sparsifier.AddData("w", new float[16], 4, 4, config);
      using (var scheduler = new DataScheduler(sparsifier, "sparsity_level", schedule)) {
        var values = new double[epochs];
        for (int t = 0; t < epochs; ++t) {
          if (t > 0) {
            sparsifier.Step();
            scheduler.Step();
          }
          Assert.AreEqual((long)t, scheduler.LastEpoch, "epoch");
          values[t] = sparsifier.GetParam("w", "sparsity_level");
          Assert.AreEqual(values[t], scheduler.GetLastParam("w"), 0, "last param");
        }
        return values;
      }
    }
  }

  static void ExpectValues(Func<int, double, double> formula, double[] actual, string what) {
    double current = Base;
    for (int t = 0; t < actual.Length; ++t) {
      current = formula(t, current);
      Assert.AreEqual(current, actual[t], 1e-12, what + " at epoch " + t);
    }
  }

  [Test]
  public void Gamma() {
    Assert.AreEqual("gamma", BuiltinSchedule.Gamma(1.2, 0.9).Kind, "kind");
    ExpectValues((t, cur) => t == 0 ? Base : Math.Min(0.9, cur * 1.2), Run(BuiltinSchedule.Gamma(1.2, 0.9), 6), "gamma");
  }

  [Test]
  public void Step() {
    Assert.AreEqual("step", BuiltinSchedule.Step(2, 0.5).Kind, "kind");
    ExpectValues((t, cur) => Base * Math.Pow(0.5, t / 2), Run(BuiltinSchedule.Step(2, 0.5), 7), "step");
  }

  [Test]
  public void LambdaWithACSharpFactor() {
    BuiltinSchedule schedule = BuiltinSchedule.Lambda(new HarmonicFactor());
    Assert.AreEqual("lambda", schedule.Kind, "kind");
    ExpectValues((t, cur) => Base / (1 + t), Run(schedule, 5), "lambda");
    Assert.Catch<ArgumentNullException>(() => BuiltinSchedule.Lambda(null), "null factor");
  }

  [Test]
  public void Cubic() {
    // s_i = 0.1, s_f = base; from epoch 2 over 2 * 3 epochs.
    Func<int, double, double> cubic = (t, cur) => {
      double x = Base + (0.1 - Base) * Math.Pow(1 - (t - 2) / (2.0 * 3.0), 3);
      return Math.Max(0.1, Math.Min(Base, x));
    };
    Assert.AreEqual("cubic", BuiltinSchedule.Cubic(0.1, 2, 2, 3, false).Kind, "kind");
    ExpectValues(cubic, Run(BuiltinSchedule.Cubic(0.1, 2, 2, 3, false), 10), "cubic");
    ExpectValues((t, cur) => t < 2 ? 0.0 : cubic(t, cur), Run(BuiltinSchedule.Cubic(0.1, 2, 2, 3, true), 10), "cubic, initially zero");
  }

  [Test]
  public void PolynomialDecay() {
    // initial 0.2 -> final 0.8 from epoch 1 to 5, power 3, every 2nd epoch.
    Func<int, double, double> poly = (t, cur) => {
      if (t < 1 || t > 5 || (t - 1) % 2 != 0) return cur;
      double p = Math.Max(0, Math.Min(1, (t - 1) / 4.0));
      return 0.8 + (0.2 - 0.8) * Math.Pow(1 - p, 3);
    };
    Assert.AreEqual("polynomial_decay", BuiltinSchedule.PolynomialDecay(0.2, 0.8, 1, 5, 3, 2).Kind, "kind");
    ExpectValues(poly, Run(BuiltinSchedule.PolynomialDecay(0.2, 0.8, 1, 5, 3, 2), 8), "polynomial decay");
  }

  [Test]
  public void Constant() {
    Func<int, double, double> constant = (t, cur) => t >= 3 && t <= 6 && (t - 3) % 3 == 0 ? 0.25 : cur;
    Assert.AreEqual("constant", BuiltinSchedule.Constant(0.25, 3, 6, 3).Kind, "kind");
    ExpectValues(constant, Run(BuiltinSchedule.Constant(0.25, 3, 6, 3), 9), "constant");
  }

  [Test]
  public void InvalidParametersAreRejected() {
    Expect.Fails(Status.InvalidArgument, () => BuiltinSchedule.Step(0, 0.5), "step size 0");
    Expect.Fails(Status.InvalidArgument, () => BuiltinSchedule.Gamma(double.NaN, 0.5), "NaN gamma");
    Expect.Fails(Status.InvalidArgument, () => BuiltinSchedule.Cubic(0.1, 0, 0, 1, false), "delta_t 0");
    Expect.Fails(Status.InvalidArgument, () => BuiltinSchedule.PolynomialDecay(0.1, 0.5, 5, 5, 1, 1), "begin == end");
    Expect.Fails(Status.InvalidArgument, () => BuiltinSchedule.Constant(0.1, 0, -1, 0), "frequency 0");
  }
}

}
