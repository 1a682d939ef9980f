// The exception every failed datasparse call throws: the library's status
// and its message (ds_last_error()).
namespace Datasparse {

public class DatasparseException : global::System.Exception {
  // The ds_status values (datasparse.h); new codes are only ever appended.
  public const int InvalidArgument = 1;
  public const int NotFound = 2;
  public const int Shape = 3;
  public const int State = 4;
  public const int Callback = 5;
  public const int Corrupt = 6;
  public const int IO = 7;
  public const int NoMemory = 8;
  public const int Unsupported = 9;
  public const int Internal = 10;

  private static readonly string[] Names = {
    "DS_OK", "DS_ERR_INVALID_ARGUMENT", "DS_ERR_NOT_FOUND", "DS_ERR_SHAPE", "DS_ERR_STATE",
    "DS_ERR_CALLBACK", "DS_ERR_CORRUPT", "DS_ERR_IO", "DS_ERR_NO_MEMORY", "DS_ERR_UNSUPPORTED",
    "DS_ERR_INTERNAL"
  };

  public DatasparseException(int status, string message, global::System.Exception innerException = null)
      : base(message, innerException) {
    Status = status;
  }

  /// <summary>The ds_status of the failed call (see the constants above).</summary>
  public int Status { get; private set; }

  /// <summary>The status' constant name, e.g. "DS_ERR_NOT_FOUND".</summary>
  public string StatusName {
    get { return Status >= 0 && Status < Names.Length ? Names[Status] : "DS_UNKNOWN_STATUS"; }
  }

  // Called (through the binding's error callback) while a native call fails.
  // status -1 means the proxy had been disposed; message is then the C++ type.
  // A failed callback's own exception, kept by CallbackGuard, becomes the
  // InnerException.
  internal static global::System.Exception FromNative(int status, string message) {
    if (status == -1) {
      string type = message ?? "object";
      int colon = type.LastIndexOf(':');
      if (colon >= 0) type = type.Substring(colon + 1);
      return new global::System.ObjectDisposedException(type, type + " was disposed (or, for a callback's view, its callback has returned)");
    }
    global::System.Exception inner = CallbackGuard.TakeFailure();
    return new DatasparseException(status, message, status == Callback ? inner : null);
  }
}

}
