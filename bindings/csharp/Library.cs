// Facts about the loaded native library, and its log output.
namespace Datasparse {

/// <summary>Levels of the library's log messages (ds_log_level).</summary>
public enum LogLevel { Debug = 0, Info = 1, Warning = 2 }

public static class Library {
  // Native code may hold a pointer to this delegate: it stays reachable for good.
  private static datasparsePINVOKE.LogCallback installed;
  private static global::System.Action<LogLevel, string> handler;
  private static readonly object gate = new object();

  /// <summary>The version of the native library actually loaded, "MAJOR.MINOR.PATCH".</summary>
  public static string Version { get { return datasparse.Version(); } }

  /// <summary>
  /// Receives the library's messages (e.g. the warning when data replaces an item of the same
  /// name, or the scheduler's verbose output); null restores the default (warnings to stderr).
  /// Called on the thread that caused the message; exceptions it throws are ignored.
  /// </summary>
  public static void SetLogHandler(global::System.Action<LogLevel, string> logHandler) {
    lock (gate) {
      handler = logHandler;
      if (logHandler == null) {
        datasparsePINVOKE.DatasparseCs_SetLogHandler(null);
      } else {
        if (installed == null) installed = new datasparsePINVOKE.LogCallback(Forward);
        datasparsePINVOKE.DatasparseCs_SetLogHandler(installed);
      }
    }
  }

  private static void Forward(int level, string message) {
    try {
      global::System.Action<LogLevel, string> h = handler;
      if (h != null) h((LogLevel)level, message);
    } catch (global::System.Exception) {
      // Nothing may escape into native code.
    }
  }
}

}
