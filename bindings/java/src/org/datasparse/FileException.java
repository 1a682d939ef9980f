package org.datasparse;

/**
 * Reading or writing a state file failed ({@link Status#IO}); the message names the step and the system's reason. A failed save leaves the previous file intact.
 */
public class FileException extends java.io.IOException implements DatasparseFailure {
  private static final long serialVersionUID = 1L;

  /** The status. */
  private final Status status;

  /**
   * An exception for a failed call.
   *
   * @param status the status of the call
   * @param message the library's message
   */
  public FileException(Status status, String message) {
    this(status, message, null);
  }

  /**
   * An exception for a failed call, with a cause.
   *
   * @param status the status of the call
   * @param message the library's message
   * @param cause what caused it, or null
   */
  public FileException(Status status, String message, Throwable cause) {
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
