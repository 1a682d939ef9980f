// Groups and shards (issue 14): a group masks like its items stacked; shards held by threads, joined by an
// allreduce written in C# (a delegate over a barrier), mask like one sparsifier holding everything; a
// failure on one participant fails all with no mask changed; an exception thrown in the allreduce becomes
// the step's CallbackException.
using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using NUnit.Framework;

namespace Datasparse.Tests {

// An allreduce over n threads: each adds its counts, then every one reads the sum.
sealed class ThreadSum {
  readonly Barrier start, added, read;
  readonly object gate = new object();
  long[] total;

  public ThreadSum(int parts) {
    start = new Barrier(parts, b => total = null);
    added = new Barrier(parts);
    read = new Barrier(parts);
  }

  public Allreduce Participant() {
    return counts => {
      if (!start.SignalAndWait(TimeSpan.FromSeconds(30))) throw new TimeoutException("start");
      lock (gate) {
        if (total == null) total = new long[counts.Length];
        for (int i = 0; i < counts.Length; ++i) total[i] = unchecked(total[i] + counts[i]);  // uint64 bits: wrapping sum
      }
      if (!added.SignalAndWait(TimeSpan.FromSeconds(30))) throw new TimeoutException("added");
      lock (gate) Array.Copy(total, counts, counts.Length);
      if (!read.SignalAndWait(TimeSpan.FromSeconds(30))) throw new TimeoutException("read");
    };
  }
}

[TestFixture]
public class GroupTests {
  static float[] Random(int n, int seed) {
    var r = new Random(seed);
    var x = new float[n];
    for (int i = 0; i < n; ++i) x[i] = (float)(r.NextDouble() * 2 - 1);
    return x;
  }

  static DataNormSparsifier Make(double level, int blockRows, int blockCols) {
    using (var c = new Config { ["sparsity_level"] = level, ["block_rows"] = blockRows, ["block_cols"] = blockCols })
      return new DataNormSparsifier(Norm.L1, c);
  }

  // Runs body(p) on parts threads at once; returns what each threw (or null).
  static Exception[] OnThreads(int parts, Action<int> body) {
    var thrown = new Exception[parts];
    var threads = new Thread[parts];
    for (int p = 0; p < parts; ++p) {
      int part = p;
      threads[p] = new Thread(() => {
        try {
          body(part);
        } catch (Exception e) {
          thrown[part] = e;
        }
      });
      threads[p].Start();
    }
    foreach (var t in threads) Assert.IsTrue(t.Join(TimeSpan.FromSeconds(60)), "a participant hangs");
    return thrown;
  }

  static float[] Rows(float[] x, int cols, int first, int n) {
    return x.Skip(first * cols).Take(n * cols).ToArray();
  }

  // A state keeps the groups and the shards' rows (format version 3): it loads back into the same
  // registration, groups restored, and fails (CorruptStateException, nothing changed) where a shard holds
  // other rows.
  [Test]
  public void AStateKeepsGroupsAndShardRows() {
    const int cols = 8;
    float[] x = Random(6 * cols, 5), y = Random(6 * cols, 6);
    byte[] state;
    using (var a = Make(0.5, 2, 4)) {
      a.AddShard("x", x, 12, 6, 6, cols);
      a.AddData("y", y, 6, cols);
      a.SetGroup("g", "y", "x");
      state = a.SaveToBytes();
      Assert.AreEqual(3, state[8], "groups and shards need format version 3");
    }
    using (var b = Make(0.5, 2, 4)) {
      b.AddShard("x", x, 12, 6, 6, cols);
      b.AddData("y", y, 6, cols);
      b.LoadFromBytes(state);
      Assert.AreEqual(1, b.Groups.Count);
      CollectionAssert.AreEqual(new[] { "y", "x" }, b.Groups["g"].ToArray());
      CollectionAssert.AreEqual(state, b.SaveToBytes());
    }
    using (var c = Make(0.5, 2, 4)) {
      c.AddShard("x", x, 12, 0, 6, cols);  // the other rows
      c.AddData("y", y, 6, cols);
      byte[] before = c.SaveToBytes();
      var e = Expect.Fails(Status.Corrupt, () => c.LoadFromBytes(state), "a shard with other rows");
      Assert.IsInstanceOf<CorruptStateException>(e);
      StringAssert.Contains("as rows [6, 12) of 12, the registered data is rows [0, 6) of 12", e.Message);
      Assert.AreEqual(0, c.Groups.Count);
      CollectionAssert.AreEqual(before, c.SaveToBytes());
    }
  }

  [Test]
  public void AGroupOfTwoItemsMasksLikeTheStackedItem() {
    const int cols = 8, rowsA = 4, rowsB = 6;
    float[] a = Random(rowsA * cols, 1), b = Random(rowsB * cols, 2).Select(v => v * 0.25f).ToArray();
    float[] stacked = a.Concat(b).ToArray();
    foreach (double level in new[] { 0.3, 0.5, 0.8 }) {
      using (var group = Make(level, 2, 4))
      using (var one = Make(level, 2, 4)) {
        group.AddData("a", a, rowsA, cols);
        group.AddData("b", b, rowsB, cols);
        group.SetGroup("g", "a", "b");
        Assert.AreEqual(1, group.Groups.Count);
        CollectionAssert.AreEqual(new[] { "a", "b" }, group.Groups["g"].ToArray());
        one.AddData("ab", stacked, rowsA + rowsB, cols);
        group.Step();
        one.Step();
        CollectionAssert.AreEqual(one.GetMask("ab"), group.GetMask("a").Concat(group.GetMask("b")).ToArray(),
                                  "level " + level);
        Assert.Greater(TestData.Zeros(group.GetMask("b")) * rowsA, TestData.Zeros(group.GetMask("a")) * rowsB,
                       "b (small) gives up more than its share");
        Assert.Greater(group.LastExchange().Item1, 0);  // a group exchanges even alone (with itself)
        Assert.AreEqual(Tuple.Create(0L, 0L), one.LastExchange());
      }
    }
    using (var s = Make(0.5, 1, 4)) {
      s.AddData("a", a, rowsA, cols);
      Expect.Fails(Status.NotFound, () => s.SetGroup("g", "a", "nope"));
      Assert.AreEqual(0, s.Groups.Count);
      s.SetGroup("g", "a");
      s.RemoveGroup("g");
      Assert.AreEqual(0, s.Groups.Count);
      Expect.Fails(Status.NotFound, () => s.RemoveGroup("g"));
      Assert.Throws<ArgumentNullException>(() => s.SetGroup(null, "a"));
    }
  }

  [Test]
  public void ShardsOnThreeThreadsMaskLikeOneSparsifier() {
    const int globalRows = 12, cols = 8;
    int[] first = { 0, 6, 12 }, held = { 6, 6, 0 };  // the third participant holds no rows
    float[] x = Random(globalRows * cols, 3), y = Random(globalRows * cols, 4);
    byte[] expectedX, expectedY;
    using (var one = Make(0.6, 2, 4)) {
      one.AddData("x", x, globalRows, cols);
      one.AddData("y", y, globalRows, cols);
      one.SetGroup("g", "x", "y");
      one.Step();
      expectedX = one.GetMask("x");
      expectedY = one.GetMask("y");
    }
    var sum = new ThreadSum(3);
    var gotX = new byte[3][];
    var gotY = new byte[3][];
    var exchange = new Tuple<long, long>[3];
    Exception[] thrown = OnThreads(3, p => {
      using (var s = Make(0.6, 2, 4)) {
        // x borrowed from memory, y copied from an array.
        float[] xs = Rows(x, cols, first[p], held[p]);
        s.AddShard("x", new Memory<float>(xs), globalRows, first[p], held[p], cols);
        s.AddShard("y", Rows(y, cols, first[p], held[p]), globalRows, first[p], held[p], cols);
        Assert.AreEqual(Tuple.Create((long)globalRows, (long)first[p]), s.GetShard("x"));
        s.SetGroup("g", "x", "y");
        s.SetAllreduce(sum.Participant());
        s.Step();
        gotX[p] = s.GetMask("x");
        gotY[p] = s.GetMask("y");
        exchange[p] = s.LastExchange();
      }
    });
    foreach (var e in thrown) if (e != null) throw new Exception("a participant failed", e);
    for (int p = 0; p < 3; ++p) {
      CollectionAssert.AreEqual(expectedX.Skip(first[p] * cols).Take(held[p] * cols).ToArray(), gotX[p], "x " + p);
      CollectionAssert.AreEqual(expectedY.Skip(first[p] * cols).Take(held[p] * cols).ToArray(), gotY[p], "y " + p);
      Assert.Greater(exchange[p].Item1, 0);
      Assert.Greater(exchange[p].Item2, 0);
      Assert.AreEqual(exchange[0], exchange[p]);
    }
    Assert.AreEqual(0, gotX[2].Length);
  }

  [Test]
  public void AParticipantWithBadInputFailsEveryParticipantAndNoMaskChanges() {
    const int globalRows = 12, cols = 8;
    float[] x = Random(globalRows * cols, 5);
    var sum = new ThreadSum(3);
    var s = new DataNormSparsifier[3];
    var before = new byte[3][];
    var after = new byte[3][];
    Exception[] thrown;
    try {
      for (int p = 0; p < 3; ++p) {
        s[p] = Make(0.5, 1, 4);
        s[p].AddShard("t", Rows(x, cols, p * 4, 4), globalRows, p * 4, 4, cols);
        s[p].SetAllreduce(sum.Participant());
      }
      foreach (var e in OnThreads(3, p => s[p].Step())) if (e != null) throw new Exception("first step", e);
      for (int p = 0; p < 3; ++p) before[p] = s[p].GetMask("t");
      Assert.Greater(before.Sum(m => TestData.Zeros(m)), 0);
      s[2].SetParam("t", "block_rows", 3);  // its shard now straddles a block: bad input
      thrown = OnThreads(3, p => s[p].Step());
      for (int p = 0; p < 3; ++p) after[p] = s[p].GetMask("t");
    } finally {
      foreach (var each in s) if (each != null) each.Dispose();
    }
    for (int p = 0; p < 3; ++p) {
      Assert.IsInstanceOf<IDatasparseException>(thrown[p], "participant " + p + " must fail");
      CollectionAssert.AreEqual(before[p], after[p], "participant " + p + "'s mask changed");
    }
    Assert.IsInstanceOf<ArgumentException>(thrown[2], thrown[2].ToString());
    Assert.IsInstanceOf<InvalidOperationException>(thrown[0], thrown[0].ToString());
  }

  [Test]
  public void AnExceptionThrownInTheAllreduceFailsTheStep() {
    const int rows = 4, cols = 8;
    var error = new ArithmeticException("allreduce blew up");
    bool armed = false;
    using (var s = Make(0.5, 1, 4)) {
      s.AddShard("t", Random(rows * cols, 6), rows, 0, rows, cols);
      s.SetAllreduce(counts => {
        if (armed) throw error;  // alone: the sum is the counts themselves
      });
      s.Step();
      byte[] before = s.GetMask("t");
      Assert.Greater(TestData.Zeros(before), 0);
      s.SetParam("t", "sparsity_level", 0.25);
      armed = true;
      var e = (CallbackException)Expect.Fails(Status.Callback, () => s.Step());
      Assert.AreSame(error, e.InnerException);
      StringAssert.Contains("allreduce blew up", e.Message);
      CollectionAssert.AreEqual(before, s.GetMask("t"));
      s.SetAllreduce(counts => counts[0] += 1);  // an allreduce that does not sum fails the step too
      Assert.IsInstanceOf<IDatasparseException>(Assert.Catch(() => s.Step()));
      CollectionAssert.AreEqual(before, s.GetMask("t"));
      s.SetAllreduce(null);
      s.Step();
      Assert.AreNotEqual(TestData.Zeros(before), TestData.Zeros(s.GetMask("t")));
    }
  }
}

}
