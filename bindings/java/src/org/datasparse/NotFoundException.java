package org.datasparse;

/**
 * No data item, config key or scheduled item of that name ({@link Status#NOT_FOUND}).
 */
public class NotFoundException extends java.util.NoSuchElementException implements DatasparseFailure {
  private static final long serialVersionUID = 1L;

  /** The status. */
  private final Status status;

  /**
   * An exception for a failed call.
   *
   * @param status the status of the call
   * @param message the library's message
   */
  public NotFoundException(Status status, String message) {
    this(status, message, null);
  }

  /**
   * An exception for a failed call, with a cause.
   *
   * @param status the status of the call
   * @param message the library's message
   * @param cause what caused it, or null
   */
  public NotFoundException(Status status, String message, Throwable cause) {
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
