// A small test runner (no NUnit console on Debian 12): every public method
// marked [Test] of every class in this program runs on a fresh instance of
// its class; each result is printed, then "N passed, M failed". The exit
// code is non-zero if a test failed or none ran.
// Usage: DatasparseTests.exe [ClassName ...]   (no names: every class)
using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;

namespace Datasparse.Tests {

[AttributeUsage(AttributeTargets.Method)]
public sealed class TestAttribute : Attribute {}

public sealed class AssertionException : Exception {
  public AssertionException(string message) : base(message) {}
}

public static class Assert {
  public static void IsTrue(bool condition, string what = "condition") {
    if (!condition) throw new AssertionException("expected true: " + what);
  }

  public static void IsFalse(bool condition, string what = "condition") {
    if (condition) throw new AssertionException("expected false: " + what);
  }

  public static void AreEqual<T>(T expected, T actual, string what = "value") {
    if (!EqualityComparer<T>.Default.Equals(expected, actual))
      throw new AssertionException(string.Format("{0}: expected <{1}>, got <{2}>", what, expected, actual));
  }

  public static void AreClose(double expected, double actual, double tolerance, string what = "value") {
    if (!(Math.Abs(expected - actual) <= tolerance))
      throw new AssertionException(string.Format("{0}: expected {1:R} +- {2}, got {3:R}", what, expected, tolerance, actual));
  }

  public static void SequenceEqual<T>(IEnumerable<T> expected, IEnumerable<T> actual, string what = "sequence") {
    T[] e = expected.ToArray(), a = actual.ToArray();
    if (e.Length != a.Length)
      throw new AssertionException(string.Format("{0}: expected {1} elements, got {2}", what, e.Length, a.Length));
    for (int i = 0; i < e.Length; ++i)
      if (!EqualityComparer<T>.Default.Equals(e[i], a[i]))
        throw new AssertionException(string.Format("{0}: element {1}: expected <{2}>, got <{3}>", what, i, e[i], a[i]));
  }

  public static void Contains(string expectedPart, string actual, string what = "text") {
    if (actual == null || !actual.Contains(expectedPart))
      throw new AssertionException(string.Format("{0}: expected to contain \"{1}\", got \"{2}\"", what, expectedPart, actual));
  }

  // Runs action and returns the exception of type T it must throw.
  public static T Throws<T>(Action action, string what = "action") where T : Exception {
    try {
      action();
    } catch (T e) {
      return e;
    } catch (Exception e) {
      throw new AssertionException(string.Format("{0}: expected {1}, got {2}: {3}", what, typeof(T).Name, e.GetType().Name, e.Message));
    }
    throw new AssertionException(string.Format("{0}: expected {1}, nothing was thrown", what, typeof(T).Name));
  }

  // Throws<DatasparseException> that also checks the status.
  public static DatasparseException Fails(int status, Action action, string what = "action") {
    DatasparseException e = Throws<DatasparseException>(action, what);
    if (e.Status != status)
      throw new AssertionException(string.Format("{0}: expected status {1}, got {2} ({3})", what, status, e.Status, e.Message));
    return e;
  }
}

public static class TestRunner {
  public static int Main(string[] args) {
    var wanted = new HashSet<string>(args);
    var classes = Assembly.GetExecutingAssembly().GetTypes()
        .Where(t => t.IsClass && !t.IsAbstract && (wanted.Count == 0 || wanted.Contains(t.Name)))
        .Where(t => t.GetMethods().Any(m => m.GetCustomAttributes(typeof(TestAttribute), false).Length > 0))
        .OrderBy(t => t.Name)
        .ToList();
    foreach (string name in wanted)
      if (!classes.Any(t => t.Name == name)) {
        Console.WriteLine("no test class named " + name);
        return 2;
      }

    int passed = 0, failed = 0;
    foreach (Type type in classes) {
      var tests = type.GetMethods()
          .Where(m => m.GetCustomAttributes(typeof(TestAttribute), false).Length > 0)
          .OrderBy(m => m.MetadataToken);
      foreach (MethodInfo test in tests) {
        string name = type.Name + "." + test.Name;
        try {
          object fixture = Activator.CreateInstance(type);
          try {
            test.Invoke(fixture, null);
          } finally {
            var disposable = fixture as IDisposable;
            if (disposable != null) disposable.Dispose();
          }
          // Run the finalizers of what the test dropped, so a crash shows up here.
          GC.Collect();
          GC.WaitForPendingFinalizers();
          Console.WriteLine("PASS  " + name);
          ++passed;
        } catch (Exception e) {
          Exception cause = e is TargetInvocationException && e.InnerException != null ? e.InnerException : e;
          Console.WriteLine("FAIL  " + name + ": " + cause.GetType().Name + ": " + cause.Message);
          if (!(cause is AssertionException)) Console.WriteLine(cause.StackTrace);
          ++failed;
        }
      }
    }
    Console.WriteLine("{0} passed, {1} failed", passed, failed);
    return failed == 0 && passed > 0 ? 0 : 1;
  }
}

}
