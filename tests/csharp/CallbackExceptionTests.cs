// An exception thrown in a C# callback reaches the caller of Step() as a
// CallbackException (Status.Callback) whose message includes the original one
// and whose InnerException is the original; the step changes nothing.
using System;
using System.Reflection;
using NUnit.Framework;

namespace Datasparse.Tests {

// Throws for one item from a given epoch on; otherwise the gamma rule.
class FailingSchedule : Schedule {
  public long FailFromEpoch = long.MaxValue;
  public string FailFor = "b";
  public Exception Thrown;

  public override double Compute(string name, long epoch, double baseValue, double current) {
    if (epoch >= FailFromEpoch && name == FailFor) {
      Thrown = new InvalidOperationException("boom at epoch " + epoch);
      throw Thrown;
    }
    return epoch == 0 ? baseValue : Math.Min(0.9, current * 2);
  }
}

class FailingFactor : LambdaFactor {
  public override double Factor(long epoch) {
    if (epoch == 2) throw new ArgumentException("no factor for epoch 2");
    return 1.0 + epoch;
  }
}

[TestFixture]
public class CallbackExceptionTests {
  [Test]
  public void AScheduleExceptionFailsTheStepAndChangesNothing() {
    var schedule = new FailingSchedule();
    using (var sparsifier = new DataNormSparsifier(Norm.L1))
    using (var config = new Config { ["sparsity_level"] = 0.1 }) {
      sparsifier.AddData("a", TestData.Make(64, 1), 8, 8, config);
      sparsifier.AddData("b", TestData.Make(64, 2), 8, 8, config);
      using (var scheduler = new DataScheduler(sparsifier, "sparsity_level", schedule)) {
        sparsifier.Step();
        scheduler.Step();
        byte[] maskA = sparsifier.GetMask("a"), maskB = sparsifier.GetMask("b");
        schedule.FailFromEpoch = 2;

        var e = Expect.Fails(Status.Callback, () => scheduler.Step(), "scheduler step");
        Assert.IsInstanceOf<CallbackException>(e, "a CallbackException");
        Assert.AreEqual("DS_ERR_CALLBACK", Expect.StatusName(e), "status name");
        StringAssert.Contains("boom at epoch 2", e.Message, "message includes the original");
        StringAssert.Contains("InvalidOperationException", e.Message, "and its type");
        Assert.IsTrue(ReferenceEquals(schedule.Thrown, e.InnerException), "the original is the InnerException");

        Assert.AreEqual(1L, scheduler.LastEpoch, "epoch not advanced");
        Assert.AreEqual(2L, scheduler.StepCount, "steps not counted");
        Assert.AreEqual(0.2, sparsifier.GetParam("a", "sparsity_level"), 1e-12, "a (before b in the step) unchanged");
        Assert.AreEqual(0.2, sparsifier.GetParam("b", "sparsity_level"), 1e-12, "b unchanged");
        Assert.AreEqual(0.2, scheduler.GetLastParam("a"), 1e-12, "last param unchanged");
        CollectionAssert.AreEqual(maskA, sparsifier.GetMask("a"), "mask a unchanged");
        CollectionAssert.AreEqual(maskB, sparsifier.GetMask("b"), "mask b unchanged");

        schedule.FailFromEpoch = long.MaxValue;
        scheduler.Step();
        Assert.AreEqual(2L, scheduler.LastEpoch, "the next step works");
        Assert.AreEqual(0.4, sparsifier.GetParam("b", "sparsity_level"), 1e-12, "b after the next step");
      }
    }
  }

  [Test]
  public void AnUpdateMaskExceptionFailsTheStepAndKeepsEveryMask() {
    int calls = 0;
    bool fail = false;
    using (var sparsifier = new LambdaSparsifier((name, data, config, mask) => {
      ++calls;
      mask.Fill(0);  // changes the mask ... then fails for the second item
      if (fail && name == "second") throw new InvalidOperationException("cannot mask " + name);
    }))
    using (new LogCapture()) {  // replacing items logs a warning
      sparsifier.AddData("first", new float[4], 2, 2);
      sparsifier.AddData("second", new float[4], 2, 2);
      sparsifier.Step();
      sparsifier.AddData("first", new float[4], 2, 2);   // resets the mask to ones
      sparsifier.AddData("second", new float[4], 2, 2);
      fail = true;

      var e = Expect.Fails(Status.Callback, () => sparsifier.Step(), "sparsifier step");
      StringAssert.Contains("cannot mask second", e.Message, "message");
      Assert.AreEqual(typeof(InvalidOperationException), e.InnerException.GetType(), "inner exception type");
      CollectionAssert.AreEqual(new byte[] { 1, 1, 1, 1 }, sparsifier.GetMask("first"), "first's mask unchanged");
      CollectionAssert.AreEqual(new byte[] { 1, 1, 1, 1 }, sparsifier.GetMask("second"), "second's mask unchanged");
      Assert.AreEqual(1L, sparsifier.StepCount, "step not counted");
      Assert.AreEqual(4, calls, "both items were visited in both steps");
    }
  }

  [Test]
  public void ALibraryErrorInsideACallbackBecomesTheInnerException() {
    using (var sparsifier = new LambdaSparsifier((name, data, config, mask) => mask.Set(0, 0, 2))) {
      sparsifier.AddData("w", new float[4], 2, 2);
      var e = Expect.Fails(Status.Callback, () => sparsifier.Step(), "step");
      var inner = e.InnerException as IDatasparseException;
      Assert.IsTrue(inner != null, "inner is an IDatasparseException");
      Assert.IsInstanceOf<ArgumentException>(e.InnerException, "an ArgumentException");
      Assert.AreEqual(Status.InvalidArgument, inner.Status, "inner status");
      StringAssert.Contains("mask values are 0 or 1", e.Message, "message");
    }
  }

  [Test]
  public void ALambdaFactorExceptionFailsTheStep() {
    using (var sparsifier = new DataNormSparsifier())
    using (var scheduler = NewLambdaScheduler(sparsifier)) {
      sparsifier.Step();
      scheduler.Step();
      var e = Expect.Fails(Status.Callback, () => scheduler.Step(), "step to epoch 2");
      StringAssert.Contains("no factor for epoch 2", e.Message, "message");
      Assert.AreEqual(typeof(ArgumentException), e.InnerException.GetType(), "inner");
      Assert.AreEqual(1L, scheduler.LastEpoch, "epoch not advanced");
      Assert.AreEqual(0.5 * 2.0, sparsifier.GetParam("w", "sparsity_level"), 1e-12, "value of epoch 1 kept");
    }
  }

  [Test]
  public void AnExceptionInTheFirstStepFailsTheConstructor() {
    var schedule = new FailingSchedule { FailFromEpoch = 0, FailFor = "w" };
    using (var sparsifier = new DataNormSparsifier()) {
      sparsifier.AddData("w", new float[8], 2, 4);
      var e = Expect.Fails(Status.Callback, () => new DataScheduler(sparsifier, "sparsity_level", schedule), "constructor");
      StringAssert.Contains("boom at epoch 0", e.Message, "message");
      Assert.IsTrue(ReferenceEquals(schedule.Thrown, e.InnerException), "inner");
      Assert.AreEqual(0.5, sparsifier.GetParam("w", "sparsity_level"), 1e-12, "unchanged");
    }
  }

  [Test]
  public void ALaterUnrelatedErrorHasNoInnerException() {
    var schedule = new FailingSchedule { FailFromEpoch = 1, FailFor = "w" };
    using (var sparsifier = new DataNormSparsifier()) {
      sparsifier.AddData("w", new float[8], 2, 4);
      using (var scheduler = new DataScheduler(sparsifier, "sparsity_level", schedule)) {
        sparsifier.Step();
        Expect.Fails(Status.Callback, () => scheduler.Step(), "failing step");
        var e = Expect.Fails(Status.NotFound, () => sparsifier.GetMask("nope"), "unrelated");
        Assert.IsTrue(e.InnerException == null, "no stale inner exception");
      }
    }
  }

  [Test]
  public void CallbackFailuresStayOnTheirThread() {
    var schedule = new FailingSchedule { FailFromEpoch = 1, FailFor = "w" };
    using (var sparsifier = new DataNormSparsifier()) {
      sparsifier.AddData("w", new float[8], 2, 4);
      using (var scheduler = new DataScheduler(sparsifier, "sparsity_level", schedule)) {
        sparsifier.Step();
        Exception onWorker = null;
        var worker = new System.Threading.Thread(() => {
          try { scheduler.Step(); } catch (Exception e) { onWorker = e; }
        });
        worker.Start();
        worker.Join();
        var failure = onWorker as CallbackException;
        Assert.IsTrue(failure != null && failure.Status == Status.Callback, "the worker got the callback failure");
        Assert.IsTrue(ReferenceEquals(schedule.Thrown, failure.InnerException), "with its inner exception");
        var here = Expect.Fails(Status.NotFound, () => sparsifier.GetParam("w", "absent"), "this thread");
        Assert.IsTrue(here.InnerException == null, "nothing leaked to this thread");
      }
    }
  }

  // A schedule, factor or custom sparsifier must implement its method: they
  // are abstract, so forgetting it is a compile-time error (it was a runtime
  // failure of the first step).
  [Test]
  public void TheCallbacksAreAbstract() {
    MethodInfo compute = typeof(Schedule).GetMethod("Compute");
    MethodInfo factor = typeof(LambdaFactor).GetMethod("Factor");
    MethodInfo update = typeof(DataSparsifier).GetMethod("UpdateMask");
    Assert.IsTrue(typeof(Schedule).IsAbstract && compute.IsAbstract && compute.IsPublic, "Schedule.Compute");
    Assert.IsTrue(typeof(LambdaFactor).IsAbstract && factor.IsAbstract && factor.IsPublic, "LambdaFactor.Factor");
    Assert.IsTrue(typeof(DataSparsifier).IsAbstract && update.IsAbstract && update.IsPublic, "DataSparsifier.UpdateMask");
  }

  static DataScheduler NewLambdaScheduler(Sparsifier sparsifier) {
    sparsifier.AddData("w", new float[8], 2, 4);
    return new DataScheduler(sparsifier, "sparsity_level", BuiltinSchedule.Lambda(new FailingFactor()));
  }
}

}
