package org.datasparse;

/**
 * Not possible in the object's current state ({@link Status#STATE}): the object was closed (also when passed as an argument), a callback's view was used after its callback, an item was squashed, or a callback tried to modify what is running it.
 */
public class StateException extends IllegalStateException implements DatasparseFailure {
  private static final long serialVersionUID = 1L;

  /** The status. */
  private final Status status;

  /**
   * An exception for a failed call.
   *
   * @param status the status of the call
   * @param message the library's message
   */
  public StateException(Status status, String message) {
    this(status, message, null);
  }

  /**
   * An exception for a failed call, with a cause.
   *
   * @param status the status of the call
   * @param message the library's message
   * @param cause what caused it, or null
   */
  public StateException(Status status, String message, Throwable cause) {
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
