package org.datasparse;

/**
 * A saved state is malformed, or does not fit the object it is loaded into ({@link Status#CORRUPT}); nothing was changed.
 */
public class CorruptStateException extends java.io.IOException implements DatasparseFailure {
  private static final long serialVersionUID = 1L;

  /** The status. */
  private final Status status;

  /**
   * An exception for a failed call.
   *
   * @param status the status of the call
   * @param message the library's message
   */
  public CorruptStateException(Status status, String message) {
    this(status, message, null);
  }

  /**
   * An exception for a failed call, with a cause.
   *
   * @param status the status of the call
   * @param message the library's message
   * @param cause what caused it, or null
   */
  public CorruptStateException(Status status, String message, Throwable cause) {
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
