package org.datasparse;

/**
 * A callback failed ({@link Status#CALLBACK}): a {@link Schedule}, {@link LambdaFactor} or {@link DataSparsifier#updateMask} threw (that exception is the cause, and its text is in the message), returned a non-finite value, or wrote a mask value other than 0 or 1. The call changed nothing.
 */
public class CallbackException extends RuntimeException implements DatasparseFailure {
  private static final long serialVersionUID = 1L;

  /** The status. */
  private final Status status;

  /**
   * An exception for a failed call.
   *
   * @param status the status of the call
   * @param message the library's message
   */
  public CallbackException(Status status, String message) {
    this(status, message, null);
  }

  /**
   * An exception for a failed call, with a cause.
   *
   * @param status the status of the call
   * @param message the library's message
   * @param cause what caused it, or null
   */
  public CallbackException(Status status, String message, Throwable cause) {
    super(message, cause);
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
