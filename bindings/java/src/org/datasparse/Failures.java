package org.datasparse;

/*
 * The Java side of the exception policy (bindings/swig/datasparse.i): the
 * exception class for each status. The native side calls of() for every
 * failed call; the Java side of the binding uses it for its own checks.
 */
final class Failures {
  private Failures() {}

  /* The exception for a failed call: status, message, the class of a closed
   * handle (or expired view) if that was the failure, and the exception a
   * callback threw (the cause of a CALLBACK failure). */
  static Throwable of(int statusValue, String message, String closedType, Throwable cause) {
    Status status;
    try {
      status = Status.of(statusValue);
    } catch (IllegalArgumentException unknown) {
      return new InternalException(Status.INTERNAL, "status " + statusValue + ": " + message, cause);
    }
    if (closedType != null) return new StateException(status, message, cause);
    switch (status) {
      case INVALID_ARGUMENT:
      case SHAPE:
        return new InvalidArgumentException(status, message, cause);
      case NOT_FOUND:
        return new NotFoundException(status, message, cause);
      case STATE:
        return new StateException(status, message, cause);
      case CALLBACK:
        return new CallbackException(status, message, cause);
      case CORRUPT:
        return new CorruptStateException(status, message, cause);
      case IO:
        return new FileException(status, message, cause);
      case NO_MEMORY:
        return new NoMemoryError(status, message, cause);
      case UNSUPPORTED:
        return new UnsupportedException(status, message, cause);
      default:
        return new InternalException(status, message, cause);
    }
  }

  /* "DS_ERR_NOT_FOUND": the C API's name (ds_status_string). */
  static String statusName(Status status) {
    return datasparse.statusName(status);
  }
}
