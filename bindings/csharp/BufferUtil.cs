// Pinning, conversions and argument checks shared by the C# proxies.
namespace Datasparse {

internal static class BufferUtil {
  // A pinned array for the duration of one native call.
  internal struct PinnedArray : global::System.IDisposable {
    private global::System.Runtime.InteropServices.GCHandle handle;

    internal PinnedArray(object array) {
      handle = global::System.Runtime.InteropServices.GCHandle.Alloc(array, global::System.Runtime.InteropServices.GCHandleType.Pinned);
    }

    internal global::System.IntPtr Address { get { return handle.AddrOfPinnedObject(); } }

    public void Dispose() {
      if (handle.IsAllocated) handle.Free();
    }
  }

  internal static PinnedArray Pin(global::System.Array array) {
    return new PinnedArray(array);
  }

  internal static void RequireArray(global::System.Array array, string name) {
    if (array == null) throw new global::System.ArgumentNullException(name);
  }

  // A proxy passed as an argument must not be disposed (native code would see NULL).
  internal static global::System.Runtime.InteropServices.HandleRef Live(
      global::System.Runtime.InteropServices.HandleRef handle, object proxy, string type) {
    if (proxy != null && handle.Handle == global::System.IntPtr.Zero)
      throw new global::System.ObjectDisposedException(type, type + " was disposed");
    return handle;
  }

  internal static string[] ToArray(StringVector vector) {
    string[] result = new string[vector.Count];
    vector.CopyTo(result);
    return result;
  }
}

}
