package org.datasparse;

/**
 * A native allocation failed ({@link Status#NO_MEMORY}); the call changed nothing.
 */
public class NoMemoryError extends OutOfMemoryError implements DatasparseFailure {
  private static final long serialVersionUID = 1L;

  /** The status. */
  private final Status status;

  /**
   * An error for a failed call.
   *
   * @param status the status of the call
   * @param message the library's message
   */
  public NoMemoryError(Status status, String message) {
    this(status, message, null);
  }

  /**
   * An error for a failed call, with a cause.
   *
   * @param status the status of the call
   * @param message the library's message
   * @param cause what caused it, or null
   */
  public NoMemoryError(Status status, String message, Throwable cause) {
    super(message);
    if (cause != null) initCause(cause);
    this.status = java.util.Objects.requireNonNull(status, "status");
  }

  @Override
  public Status getStatus() {
    return status;
  }

  /** The message with the status name in front, so stack traces show both. */
  @Override
  public String getLocalizedMessage() {
    return getStatusName() + ": " + getMessage();
  }
}
