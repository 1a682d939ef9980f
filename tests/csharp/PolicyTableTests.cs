// The shared table of tests/bindings/policy.txt, in C#: each case fails (or
// not) as the table says. The table's path is in DATASPARSE_POLICY_TABLE.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using NUnit.Framework;

namespace Datasparse.Tests {

[TestFixture]
public class PolicyTableTests {
  public sealed class Row {
    public string Name, Status, Kind;
    public override string ToString() { return Name; }
  }

  public static IEnumerable<Row> Table() {
    string path = Environment.GetEnvironmentVariable("DATASPARSE_POLICY_TABLE");
    if (path == null) throw new InvalidOperationException("DATASPARSE_POLICY_TABLE=<tests/bindings/policy.txt> is not set");
    var rows = new List<Row>();
    foreach (string line in File.ReadAllLines(path)) {
      int hash = line.IndexOf('#');
      string text = (hash >= 0 ? line.Substring(0, hash) : line).Trim();
      if (text.Length == 0) continue;
      string[] cols = text.Split((char[])null, StringSplitOptions.RemoveEmptyEntries);
      if (cols.Length != 4) throw new InvalidDataException("four columns: " + line);
      if (cols[3] == "all" || cols[3].Split(',').Contains("csharp"))
        rows.Add(new Row { Name = cols[0], Status = cols[1], Kind = cols[2] });
    }
    return rows;
  }

  // What a case may use; everything is disposed afterwards.
  sealed class Fixture : IDisposable {
    readonly List<IDisposable> owned = new List<IDisposable>();
    public Exception ThrownByCallback;

    public T Own<T>(T o) where T : IDisposable {
      owned.Add(o);
      return o;
    }

    public DataNormSparsifier Sparsifier() {
      var sparsifier = Own(new DataNormSparsifier());
      sparsifier.AddData("w", TestData.Make(8, 1), 2, 4);
      return sparsifier;
    }

    public void Dispose() {
      for (int i = owned.Count - 1; i >= 0; --i) owned[i].Dispose();
    }
  }

  static readonly Dictionary<string, Action<Fixture>> Cases = new Dictionary<string, Action<Fixture>> {
    { "add_data_with_a_dot_in_the_name", f => f.Sparsifier().AddData("a.b", new float[4], 2, 2) },
    { "config_value_nan", f => f.Own(new Config()).Set("level", double.NaN) },
    { "set_param_more_zeros_than_the_block", f => f.Sparsifier().SetParam("w", "zeros_per_block", 5) },
    { "reuse_mask_with_another_shape", f => f.Sparsifier().AddData("w", new float[8], 4, 2, null, true) },
    { "get_mask_of_an_unknown_item", f => f.Sparsifier().GetMask("nope") },
    { "remove_an_unknown_item", f => f.Sparsifier().RemoveData("nope") },
    { "config_get_of_an_absent_key", f => f.Own(new Config()).Get("nope") },
    { "get_mask_after_squash", f => {
      var sparsifier = f.Sparsifier();
      sparsifier.SquashAll();
      sparsifier.GetMask("w");
    } },
    { "scheduler_step_after_its_sparsifier_closed", f => {
      var sparsifier = f.Sparsifier();
      var scheduler = f.Own(new DataScheduler(sparsifier, "sparsity_level", BuiltinSchedule.Gamma(2, 1)));
      sparsifier.Dispose();
      scheduler.Step();
    } },
    { "step_a_closed_sparsifier", f => {
      var sparsifier = f.Sparsifier();
      sparsifier.Dispose();
      sparsifier.Step();
    } },
    { "closed_config_as_defaults", f => {
      var config = new Config { ["sparsity_level"] = 0.9 };
      config.Dispose();
      f.Own(new DataNormSparsifier(Norm.L1, config));
    } },
    { "closed_config_as_an_items_config", f => {
      var config = new Config { ["sparsity_level"] = 0.9 };
      config.Dispose();
      f.Sparsifier().AddData("v", new float[4], 1, 4, config);
    } },
    { "closed_sparsifier_given_to_a_scheduler", f => {
      var sparsifier = f.Sparsifier();
      sparsifier.Dispose();
      f.Own(new DataScheduler(sparsifier, "sparsity_level", BuiltinSchedule.Gamma(2, 1)));
    } },
    { "closed_schedule_given_to_a_scheduler", f => {
      var gamma = BuiltinSchedule.Gamma(2, 1);
      gamma.Dispose();
      f.Own(new DataScheduler(f.Sparsifier(), "sparsity_level", gamma));
    } },
    { "view_used_after_its_callback", f => {
      DataView kept = null;
      var sparsifier = f.Own(new LambdaSparsifier((name, data, config, mask) => kept = data));
      sparsifier.AddData("w", new float[4], 1, 4);
      sparsifier.Step();
      kept.Get(0, 0);
    } },
    { "schedule_throws", f => {
      var schedule = new FailingSchedule { FailFromEpoch = 0, FailFor = "w" };
      try {
        f.Own(new DataScheduler(f.Sparsifier(), "sparsity_level", schedule));
      } finally {
        f.ThrownByCallback = schedule.Thrown;
      }
    } },
    { "load_bytes_that_are_not_a_state", f => f.Sparsifier().LoadFromBytes(new byte[] { 1, 2, 3, 4, 5 }) },
    { "load_a_missing_file", f => f.Sparsifier().Load("/nonexistent/dir/state.bin") },
    { "null_name", f => f.Sparsifier().GetMask(null) },
    { "add_tensor_with_a_negative_size", f => f.Sparsifier().AddData("t", new double[8], 2, -4) },
    { "add_tensor_with_too_many_dimensions", f => f.Sparsifier().AddData("t", new double[1], 1, 1, 1, 1, 1, 1, 1, 1, 1) },
    { "add_tensor_shorter_than_its_shape", f => f.Sparsifier().AddData("t", new ushort[7], DType.Float16, 2, 4) },
    { "add_tensor_of_another_element_type", f => f.Sparsifier().AddData("t", new float[8], new TensorDesc(DType.Float64, 2, 4)) },
    { "get_data_in_another_element_type", f => f.Sparsifier().GetData<double>("w", true) },
    { "squash_an_empty_list_of_names", f => {
      float[] data = { 1, 2, 3, 4, 5, 6, 7, 8 };
      var sparsifier = f.Own(new DataNormSparsifier());
      sparsifier.AddData("w", data.AsMemory(), 2, 4);
      sparsifier.Step();
      sparsifier.SquashMask(new string[0]);
      CollectionAssert.AreEqual(new float[] { 1, 2, 3, 4, 5, 6, 7, 8 }, data, "the data");
      Assert.IsFalse(sparsifier.IsSquashed("w"), "squashed");
    } },
  };

  // The .NET exception type of each kind of the table.
  static readonly Dictionary<string, Type> Kinds = new Dictionary<string, Type> {
    { "argument", typeof(ArgumentException) },
    { "not_found", typeof(KeyNotFoundException) },
    { "state", typeof(InvalidOperationException) },
    { "closed", typeof(ObjectDisposedException) },
    { "callback", typeof(CallbackException) },
    { "corrupt", typeof(CorruptStateException) },
    { "io", typeof(FileException) },
    { "null", typeof(ArgumentNullException) },
  };

  [Test]
  public void EveryCaseOfTheTableIsImplementedAndNoOther() {
    CollectionAssert.AreEquivalent(Table().Select(row => row.Name).ToArray(), Cases.Keys.ToArray());
  }

  [Test, TestCaseSource("Table")]
  public void EachCaseFailsAsTheTableSays(Row row) {
    Action<Fixture> call;
    Assert.IsTrue(Cases.TryGetValue(row.Name, out call), "no C# implementation of " + row.Name);
    using (var f = new Fixture()) {
      if (row.Kind == "none") {
        call(f);
        return;
      }
      Type type;
      Assert.IsTrue(Kinds.TryGetValue(row.Kind, out type), "unknown kind " + row.Kind);
      Exception e = Assert.Catch(type, () => call(f), row.Name);
      if (row.Kind == "state") Assert.IsNotInstanceOf<ObjectDisposedException>(e, "not the closed case");
      var failure = e as IDatasparseException;
      if (row.Status == "-") {
        Assert.IsNull(failure, row.Name + ": no status");
        return;
      }
      Assert.IsNotNull(failure, row.Name + ": " + e.GetType().Name + " carries a status");
      Assert.AreEqual(row.Status, Expect.StatusName(e).Replace("DS_ERR_", ""), row.Name + ": " + e.Message);
      if (row.Kind == "closed")
        StringAssert.IsMatch("^[A-Z][A-Za-z]*$", ((ObjectDisposedException)e).ObjectName, "names the class");
      if (row.Kind == "callback") Assert.AreSame(f.ThrownByCallback, e.InnerException, "the callback's exception");
      if (row.Kind == "corrupt" || row.Kind == "io") Assert.IsInstanceOf<IOException>(e, "an IOException");
    }
  }
}

}
