// The loaded native library: its version, and where its log messages go.
namespace Datasparse {

/// <summary>The loaded native library: its version, and where its log messages go.</summary>
public static class Library {
  // The installed handler: native code may call it at any time.
#pragma warning disable 414 // only held, never read
  private static DelegateLogHandler installed;
#pragma warning restore 414
  private static readonly object gate = new object();

  /// <summary>The version of the native library actually loaded, "MAJOR.MINOR.PATCH".</summary>
  public static string Version { get { return datasparse.Version(); } }

  /// <summary>
  /// Receives the library's messages (e.g. the warning when data replaces an item of the same name, or a
  /// verbose scheduler's values); null restores the default (warnings to stderr). Called on the thread
  /// that caused the message; exceptions it throws are ignored. When it returns, the previous handler is
  /// no longer called.
  /// </summary>
  /// <param name="logHandler">The handler, or null.</param>
  public static void SetLogHandler(global::System.Action<LogLevel, string> logHandler) {
    lock (gate) {
      DelegateLogHandler handler = logHandler == null ? null : new DelegateLogHandler(logHandler);
      LogHandler.Install(handler);
      installed = handler;
    }
  }

  // The shared LogHandler (a director), forwarding to a delegate.
  private sealed class DelegateLogHandler : LogHandler {
    private readonly global::System.Action<LogLevel, string> handler;

    internal DelegateLogHandler(global::System.Action<LogLevel, string> handler) {
      this.handler = handler;
    }

    internal override void Log(LogLevel level, string message) {
      handler(level, message);
    }
  }
}

}
