// What a C# callback (a director upcall) threw. Under mono a managed
// exception must not unwind through the library's native frames, so each
// upcall runs inside a Guarded* method of its proxy (datasparse_csharp.i)
// that catches everything and calls Fail: the exception is kept for the
// thread, the native side is told the callback failed (it then fails the
// step, which changes nothing), and the exception becomes the
// InnerException of the CallbackException that step() throws.
namespace Datasparse {

internal static class CallbackGuard {
  [global::System.ThreadStatic] private static global::System.Exception failure;

  internal static void Fail(global::System.Exception e) {
    failure = e;
    try {
      datasparsePINVOKE.DatasparseCs_CallbackFailed(e.GetType().Name + ": " + e.Message);
    } catch (global::System.Exception) {
      // Nothing may escape into native code.
    }
  }

  internal static global::System.Exception TakeFailure() {
    global::System.Exception e = failure;
    failure = null;
    return e;
  }
}

}
