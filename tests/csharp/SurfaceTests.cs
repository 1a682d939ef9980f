// The public surface is .NET's, not SWIG's: no SWIG member, delegate type or
// module class is visible, sizes are long or int (never uint), the handle
// classes are IDisposable and .NET properties are properties.
using System;
using System.Linq;
using System.Reflection;
using NUnit.Framework;

namespace Datasparse.Tests {

[TestFixture]
public class SurfaceTests {
  static readonly Assembly Binding = typeof(Library).Assembly;
  const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance |
                                BindingFlags.Static | BindingFlags.DeclaredOnly;

  // Public, or protected (visible to a subclass in another assembly).
  static bool Visible(MemberInfo member) {
    var method = member as MethodBase;
    if (method != null) return method.IsPublic || method.IsFamily || method.IsFamilyOrAssembly;
    var field = member as FieldInfo;
    if (field != null) return field.IsPublic || field.IsFamily || field.IsFamilyOrAssembly;
    var property = member as PropertyInfo;
    if (property != null) return property.GetAccessors(true).Any(Visible);
    var nested = member as Type;
    if (nested != null) return nested.IsNestedPublic || nested.IsNestedFamily || nested.IsNestedFamORAssem;
    return false;
  }

  [Test]
  public void NoSwigInternalsAreVisible() {
    var types = Binding.GetExportedTypes();
    CollectionAssert.IsNotEmpty(types);
    foreach (Type type in types) {
      StringAssert.DoesNotStartWith("datasparse", type.Name, "no module or P/Invoke class");
      StringAssert.DoesNotStartWith("SWIG", type.Name, "no SWIG type wrapper");
      foreach (MemberInfo member in type.GetMembers(Declared).Where(Visible)) {
        string what = type.Name + "." + member.Name;
        Assert.IsFalse(member.Name.ToLowerInvariant().Contains("swig"), what + " is SWIG's");
        Assert.IsFalse(member.Name == "getCPtr" || member.Name.EndsWith("Native") || member.Name.EndsWith("Raw"), what + " is the binding's");
        Assert.IsFalse(member is Type, what + " is a nested (delegate) type");
        Assert.IsFalse(member is FieldInfo && !type.IsEnum, what + " is a field");
      }
    }
  }

  [Test]
  public void SizesAreLongOrIntNeverUnsigned() {
    foreach (Type type in Binding.GetExportedTypes()) {
      foreach (MethodInfo method in type.GetMethods(Declared).Where(Visible)) {
        var types = method.GetParameters().Select(p => p.ParameterType).Concat(new[] { method.ReturnType });
        foreach (Type t in types)
          Assert.IsFalse(t == typeof(uint) || t == typeof(ulong) || t == typeof(UIntPtr), type.Name + "." + method.Name + " uses " + t.Name);
      }
    }
  }

  [Test]
  public void HandlesAreDisposableAndCallbacksAreNot() {
    foreach (Type t in new[] { typeof(Config), typeof(Sparsifier), typeof(DataNormSparsifier), typeof(DataSparsifier),
                               typeof(DataScheduler), typeof(BuiltinSchedule) })
      Assert.IsTrue(typeof(IDisposable).IsAssignableFrom(t), t.Name + " is IDisposable");
    foreach (Type t in new[] { typeof(Schedule), typeof(LambdaFactor), typeof(DataView), typeof(MaskView) })
      Assert.IsFalse(typeof(IDisposable).IsAssignableFrom(t), t.Name + " is not a handle");
  }

  [Test]
  public void DotNetPropertiesAreProperties() {
    foreach (string p in new[] { "LastEpoch", "StepCount", "ScheduleParam", "Names", "Verbose", "Sparsifier", "IsDisposed" })
      Assert.IsNotNull(typeof(DataScheduler).GetProperty(p), "DataScheduler." + p);
    foreach (string p in new[] { "Count", "Names", "StepCount", "MaskUpdate", "IsDisposed" })
      Assert.IsNotNull(typeof(Sparsifier).GetProperty(p), "Sparsifier." + p);
    foreach (string p in new[] { "Count", "Keys", "IsDisposed" })
      Assert.IsNotNull(typeof(Config).GetProperty(p), "Config." + p);
    Assert.IsNotNull(typeof(BuiltinSchedule).GetProperty("Kind"), "BuiltinSchedule.Kind");
    foreach (string p in new[] { "DType", "Shape", "Rank", "RowStride", "Count", "Rows", "Cols" })
      Assert.IsNotNull(typeof(TensorDesc).GetProperty(p), "TensorDesc." + p);
    Assert.AreEqual(typeof(long), typeof(TensorDesc).GetProperty("RowStride").PropertyType, "RowStride is a long");
    Assert.IsNotNull(typeof(DataView).GetProperty("Rows"), "DataView.Rows");
    Assert.AreEqual(typeof(long), typeof(DataScheduler).GetProperty("LastEpoch").PropertyType, "LastEpoch is a long");
    Assert.AreEqual(typeof(int), typeof(Sparsifier).GetProperty("Count").PropertyType, "Count is an int");
    Assert.IsTrue(typeof(Sparsifier).GetProperty("MaskUpdate").CanWrite, "MaskUpdate can be set");
  }

  [Test]
  public void StatusesAreAnEnumOnTheExceptions() {
    Assert.IsTrue(typeof(Status).IsEnum && typeof(Norm).IsEnum && typeof(LogLevel).IsEnum && typeof(DType).IsEnum, "enums");
    CollectionAssert.AreEqual(new[] { "Float32", "Float64", "Float16", "BFloat16" }, Enum.GetNames(typeof(DType)), "DType");
    CollectionAssert.AreEqual(new[] { 0, 1, 2, 3 }, Enum.GetValues(typeof(DType)).Cast<int>().ToArray(), "DType values (the C header's)");
    foreach (Type t in Binding.GetExportedTypes().Where(t => typeof(Exception).IsAssignableFrom(t)))
      Assert.IsTrue(typeof(IDatasparseException).IsAssignableFrom(t), t.Name + " carries a Status");
  }
}

}
