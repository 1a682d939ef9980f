package org.datasparse;

/**
 * The loaded native library: its version, and where its log messages go.
 * The JNI library ({@code libdatasparse_java.so}, which links
 * {@code libdatasparse.so.0}) is found through the system property
 * {@code datasparse.library.path} (the file or its directory), then
 * {@code java.library.path}, then beside the jar.
 */
public final class Library {
  /* The installed handler: native code may call it at any time. */
  private static LogHandler installed;

  private Library() {}

  /**
   * The version of the native library actually loaded.
   *
   * @return "MAJOR.MINOR.PATCH"
   */
  public static String version() {
    return datasparse.version();
  }

  /**
   * Makes handler receive the library's messages (from every thread, on the
   * thread that caused them). When this returns, the previous handler is no
   * longer called. An exception thrown by the handler is dropped.
   *
   * @param handler the handler, or null for the default (warnings to stderr)
   */
  public static synchronized void setLogHandler(LogHandler handler) {
    LogHandler.installNative(handler);
    installed = handler;
  }

  /**
   * The installed handler.
   *
   * @return the handler, or null for the default
   */
  public static synchronized LogHandler logHandler() {
    return installed;
  }
}
