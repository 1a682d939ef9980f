// One rule in every language: an array is copied; memory (Memory<float>,
// unmanaged memory) is borrowed zero-copy, pinned while registered.
using System;
using System.Collections;
using System.Reflection;
using System.Runtime.InteropServices;
using NUnit.Framework;

namespace Datasparse.Tests {

[TestFixture]
public class ZeroCopyTests {
  static Config HalfOf1x4Blocks() {
    return new Config { ["sparsity_level"] = 0.5, ["block_rows"] = 1, ["block_cols"] = 4, ["zeros_per_block"] = 4 };
  }

  [Test]
  public void ChangesToBorrowedMemoryAreSeenByTheNextStep() {
    float[] data = { 1, 1, 1, 1, 9, 9, 9, 9 };
    using (var config = HalfOf1x4Blocks())
    using (var sparsifier = new DataNormSparsifier(Norm.L1, config)) {
      sparsifier.AddData("w", data.AsMemory(), 1, 8);
      sparsifier.Step();
      CollectionAssert.AreEqual(new byte[] { 0, 0, 0, 0, 1, 1, 1, 1 }, sparsifier.GetMask("w"), "first block is smaller");
      for (int i = 0; i < 4; ++i) data[i] = 20;  // no call in between: the library reads this array
      sparsifier.Step();
      CollectionAssert.AreEqual(new byte[] { 1, 1, 1, 1, 0, 0, 0, 0 }, sparsifier.GetMask("w"), "now the second is");
      CollectionAssert.AreEqual(data, sparsifier.GetData("w", true), "original data is the array");
    }
  }

  [Test]
  public void SquashWritesIntoBorrowedMemory() {
    float[] data = { 1, 2, 3, 4, 9, 9, 9, 9 };
    using (var config = HalfOf1x4Blocks())
    using (var sparsifier = new DataNormSparsifier(Norm.L2, config)) {
      sparsifier.AddData("w", data.AsMemory(), 2, 4);
      sparsifier.Step();
      sparsifier.SquashMask(new[] { "w" });
      CollectionAssert.AreEqual(new float[] { 0, 0, 0, 0, 9, 9, 9, 9 }, data, "masked elements zeroed in place");
      CollectionAssert.AreEqual(data, sparsifier.GetData("w"), "data after squash");
    }
  }

  [Test]
  public void ASliceOfMemoryIsBorrowedFromItsStart() {
    float[] whole = { 100, 100, 1, 1, 1, 1, 9, 9, 9, 9 };
    using (var config = HalfOf1x4Blocks())
    using (var sparsifier = new DataNormSparsifier(Norm.L1, config)) {
      sparsifier.AddData("w", whole.AsMemory(2), 1, 8);
      sparsifier.Step();
      sparsifier.SquashAll();
      CollectionAssert.AreEqual(new float[] { 100, 100, 0, 0, 0, 0, 9, 9, 9, 9 }, whole, "the slice, squashed in place");
    }
  }

  [Test]
  public void SquashWithoutLeavingParametrizedLeavesTheMemory() {
    float[] data = { 1, 2, 3, 4, 9, 9, 9, 9 };
    using (var config = HalfOf1x4Blocks())
    using (var sparsifier = new DataNormSparsifier(Norm.L2, config)) {
      sparsifier.AddData("w", data.AsMemory(), 2, 4);
      sparsifier.Step();
      sparsifier.SquashMask(new[] { "w" }, false);
      CollectionAssert.AreEqual(new float[] { 1, 2, 3, 4, 9, 9, 9, 9 }, data, "untouched");
    }
  }

  [Test]
  public void AnEmptyListOfNamesSquashesNothing() {
    float[] data = { 1, 2, 3, 4, 9, 9, 9, 9 };
    using (var config = HalfOf1x4Blocks())
    using (var sparsifier = new DataNormSparsifier(Norm.L2, config)) {
      sparsifier.AddData("w", data.AsMemory(), 2, 4);
      sparsifier.Step();
      sparsifier.SquashMask(new string[0], true);
      CollectionAssert.AreEqual(new float[] { 1, 2, 3, 4, 9, 9, 9, 9 }, data, "untouched");
      Assert.IsFalse(sparsifier.IsSquashed("w"), "not squashed");
    }
  }

  // The rule Java has too: AddData with an array copies it (it used to borrow
  // in C# and copy in Java).
  [Test]
  public void AnArrayIsCopied() {
    float[] data = { 1, 1, 1, 1, 9, 9, 9, 9 };
    using (var config = HalfOf1x4Blocks())
    using (var sparsifier = new DataNormSparsifier(Norm.L1, config)) {
      sparsifier.AddData("w", data, 1, 8);
      for (int i = 0; i < 4; ++i) data[i] = 20;
      sparsifier.Step();
      CollectionAssert.AreEqual(new byte[] { 0, 0, 0, 0, 1, 1, 1, 1 }, sparsifier.GetMask("w"), "mask of the copy");
      sparsifier.SquashAll();
      CollectionAssert.AreEqual(new float[] { 20, 20, 20, 20, 9, 9, 9, 9 }, data, "the array is not written");
      CollectionAssert.AreEqual(new float[] { 0, 0, 0, 0, 9, 9, 9, 9 }, sparsifier.GetData("w"), "the copy is");
      Assert.AreEqual(0, PinCount(sparsifier), "nothing pinned");
    }
  }

  [Test]
  public void ABufferSmallerThanRowsTimesColsIsRejected() {
    using (var sparsifier = new DataNormSparsifier()) {
      var e = Expect.Fails(Status.InvalidArgument, () => sparsifier.AddData("w", new float[15].AsMemory(), 4, 4), "AddData");
      StringAssert.Contains("fewer than rows*cols", e.Message, "message");
      StringAssert.Contains("15", e.Message, "message");
      Expect.Fails(Status.InvalidArgument, () => sparsifier.AddData("w", new float[3], 2, 2), "AddData of an array");
      Assert.Catch<ArgumentNullException>(() => sparsifier.AddData("w", (float[])null, 2, 2), "null array");
      Assert.IsFalse(sparsifier.Contains("w"), "nothing registered");
      Assert.AreEqual(0, PinCount(sparsifier), "nothing pinned");
      sparsifier.AddData("w", new float[16], 4, 4);
      var small = new byte[15];
      Expect.Fails(Status.InvalidArgument, () => sparsifier.GetMask("w", small), "GetMask into a small array");
      Expect.Fails(Status.InvalidArgument, () => sparsifier.GetData("w", true, new float[3]), "GetData into a small array");
    }
  }

  [Test]
  public void MemoryIsPinnedUntilReplacedRemovedOrDisposed() {
    var sparsifier = new DataNormSparsifier();
    using (new LogCapture()) {
      sparsifier.AddData("a", new float[8].AsMemory(), 2, 4);
      sparsifier.AddData("b", new float[8].AsMemory(), 2, 4);
      Assert.AreEqual(2, PinCount(sparsifier), "two arrays pinned");
      sparsifier.AddData("a", new float[8].AsMemory(), 2, 4);
      Assert.AreEqual(2, PinCount(sparsifier), "replacing swaps the pin");
      sparsifier.AddData("a", new float[8], 2, 4);
      Assert.AreEqual(1, PinCount(sparsifier), "a copy needs no pin");
      Expect.Fails(Status.Shape, () => sparsifier.AddData("b", new float[9].AsMemory(), 3, 3, null, true), "reuseMask with another shape");
      Assert.AreEqual(1, PinCount(sparsifier), "a failed replacement keeps the old pin");
      sparsifier.RemoveData("b");
      Assert.AreEqual(0, PinCount(sparsifier), "removed: unpinned");
      sparsifier.AddData("c", new float[8].AsMemory(), 2, 4);
      sparsifier.Dispose();
      Assert.AreEqual(0, PinCount(sparsifier), "disposed: unpinned");
    }
  }

  [Test]
  public void RegisteredMemoryStaysAliveWithoutOtherReferences() {
    using (var config = HalfOf1x4Blocks())
    using (var sparsifier = new DataNormSparsifier(Norm.L1, config)) {
      WeakReference weak = AddUnreferenced(sparsifier);
      for (int i = 0; i < 3; ++i) {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.KeepAlive(new byte[1 << 20]);
      }
      Assert.IsTrue(weak.IsAlive, "the sparsifier keeps its array");
      sparsifier.Step();
      CollectionAssert.AreEqual(new byte[] { 0, 0, 0, 0, 1, 1, 1, 1 }, sparsifier.GetMask("w"), "mask from the array");
      CollectionAssert.AreEqual(new float[] { 1, 1, 1, 1, 9, 9, 9, 9 }, sparsifier.GetData("w", true), "data");
      sparsifier.RemoveData("w");
      GC.Collect();
      GC.WaitForPendingFinalizers();
      Assert.IsFalse(weak.IsAlive, "released after RemoveData");
    }
  }

  [Test]
  public void UnmanagedMemoryCanBeBorrowed() {
    IntPtr memory = Marshal.AllocHGlobal(8 * sizeof(float));
    try {
      Marshal.Copy(new float[] { 1, 2, 3, 4, 9, 9, 9, 9 }, 0, memory, 8);
      using (var config = HalfOf1x4Blocks())
      using (var sparsifier = new DataNormSparsifier(Norm.L1, config)) {
        sparsifier.AddData("w", memory, 8, 2, 4);
        sparsifier.Step();
        sparsifier.SquashAll();
        var back = new float[8];
        Marshal.Copy(memory, back, 0, 8);
        CollectionAssert.AreEqual(new float[] { 0, 0, 0, 0, 9, 9, 9, 9 }, back, "squashed in place");
        Expect.Fails(Status.InvalidArgument, () => sparsifier.AddData("v", memory, 7, 2, 4), "count too small");
      }
    } finally {
      Marshal.FreeHGlobal(memory);
    }
  }

  static WeakReference AddUnreferenced(Sparsifier sparsifier) {
    var data = new float[] { 1, 1, 1, 1, 9, 9, 9, 9 };
    sparsifier.AddData("w", data.AsMemory(), 1, 8);
    return new WeakReference(data);
  }

  // The number of memory blocks the sparsifier has pinned (a private detail, read for the test).
  static int PinCount(Sparsifier sparsifier) {
    FieldInfo field = typeof(Sparsifier).GetField("pins", BindingFlags.NonPublic | BindingFlags.Instance);
    return ((ICollection)field.GetValue(sparsifier)).Count;
  }
}

}
