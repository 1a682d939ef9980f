// Pinning and argument checks shared by the C# proxies.
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

  // The argument, or an ArgumentNullException naming the parameter.
  internal static T NotNull<T>(T argument, string name) where T : class {
    if (argument == null) throw new global::System.ArgumentNullException(name);
    return argument;
  }
}

}
