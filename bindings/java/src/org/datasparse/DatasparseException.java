package org.datasparse;

/**
 * A failed datasparse call: the status (one of the constants below, the C
 * API's {@code ds_status}) and the library's message ({@code ds_last_error()}).
 * When a callback written in Java (a {@link Schedule}, {@link LambdaFactor} or
 * {@link DataSparsifier#updateMask}) throws, the call that ran it fails with
 * status {@link #CALLBACK}, a message that includes the original exception's,
 * and that exception as {@link #getCause()}.
 */
public class DatasparseException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public static final int INVALID_ARGUMENT = 1;
  public static final int NOT_FOUND = 2;
  public static final int SHAPE = 3;
  public static final int STATE = 4;
  public static final int CALLBACK = 5;
  public static final int CORRUPT = 6;
  public static final int IO = 7;
  public static final int NO_MEMORY = 8;
  public static final int UNSUPPORTED = 9;
  public static final int INTERNAL = 10;

  private static final String[] NAMES = {
    "DS_OK", "DS_ERR_INVALID_ARGUMENT", "DS_ERR_NOT_FOUND", "DS_ERR_SHAPE", "DS_ERR_STATE",
    "DS_ERR_CALLBACK", "DS_ERR_CORRUPT", "DS_ERR_IO", "DS_ERR_NO_MEMORY", "DS_ERR_UNSUPPORTED",
    "DS_ERR_INTERNAL"
  };

  private final int status;
  private final String statusName;

  /** Made by the native side. */
  DatasparseException(int status, String statusName, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.statusName = statusName;
  }

  /** Made by the Java side of the binding. */
  DatasparseException(int status, String message) {
    this(status, status >= 0 && status < NAMES.length ? NAMES[status] : "DS_UNKNOWN_STATUS", message, null);
  }

  /** The status, e.g. {@link #NOT_FOUND}. */
  public int getStatus() {
    return status;
  }

  /** The status's constant name in the C API, e.g. "DS_ERR_NOT_FOUND". */
  public String getStatusName() {
    return statusName;
  }

  /** The message with the status name in front, so stack traces show both. */
  @Override
  public String getLocalizedMessage() {
    return statusName + ": " + getMessage();
  }
}
