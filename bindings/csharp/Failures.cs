// The exceptions of the library: the usual .NET types, chosen by the status of
// the failed call (the C# side of the exception policy in
// bindings/swig/datasparse.i), each carrying that Status.
namespace Datasparse {

/// <summary>
/// What every exception of the library carries: the <see cref="Datasparse.Status"/> of the failed call.
/// The exceptions themselves are the usual .NET types, so callers catch them as any other:
/// <see cref="InvalidArgumentException"/> (an ArgumentException: InvalidArgument, Shape),
/// <see cref="NotFoundException"/> (a KeyNotFoundException: NotFound),
/// <see cref="StateException"/> (an InvalidOperationException: State),
/// <see cref="DisposedException"/> (an ObjectDisposedException: State, any use of a disposed object),
/// <see cref="CallbackException"/> (Callback, with the callback's exception as InnerException),
/// <see cref="CorruptStateException"/> and <see cref="FileException"/> (IOExceptions: Corrupt, IO),
/// <see cref="NoMemoryException"/> (an OutOfMemoryException: NoMemory),
/// <see cref="UnsupportedException"/> (a NotSupportedException: Unsupported) and
/// <see cref="InternalException"/> (Internal). A null argument is an ArgumentNullException.
/// </summary>
public interface IDatasparseException {
  /// <summary>The status of the failed call.</summary>
  Status Status { get; }

  /// <summary>The status's constant name in the C API, e.g. "DS_ERR_NOT_FOUND".</summary>
  string StatusName { get; }
}

/// <summary>An argument was refused: malformed or out of range (InvalidArgument), or of a shape that does not agree (Shape).</summary>
public class InvalidArgumentException : global::System.ArgumentException, IDatasparseException {
  /// <summary>An exception for a failed call.</summary>
  /// <param name="status">The status of the call.</param>
  /// <param name="message">The library's message.</param>
  /// <param name="innerException">What caused it, or null.</param>
  public InvalidArgumentException(Status status, string message, global::System.Exception innerException = null)
      : base(message, innerException) {
    Status = status;
  }

  /// <inheritdoc/>
  public Status Status { get; private set; }

  /// <inheritdoc/>
  public string StatusName { get { return Failures.StatusName(Status); } }
}

/// <summary>No data item, config key or scheduled item of that name (NotFound).</summary>
public class NotFoundException : global::System.Collections.Generic.KeyNotFoundException, IDatasparseException {
  /// <summary>An exception for a failed call.</summary>
  /// <param name="status">The status of the call.</param>
  /// <param name="message">The library's message.</param>
  /// <param name="innerException">What caused it, or null.</param>
  public NotFoundException(Status status, string message, global::System.Exception innerException = null)
      : base(message, innerException) {
    Status = status;
  }

  /// <inheritdoc/>
  public Status Status { get; private set; }

  /// <inheritdoc/>
  public string StatusName { get { return Failures.StatusName(Status); } }
}

/// <summary>
/// Not possible in the object's current state (State): an item was squashed, a callback tried to modify
/// what is running it, or a scheduler's sparsifier was disposed.
/// </summary>
public class StateException : global::System.InvalidOperationException, IDatasparseException {
  /// <summary>An exception for a failed call.</summary>
  /// <param name="status">The status of the call.</param>
  /// <param name="message">The library's message.</param>
  /// <param name="innerException">What caused it, or null.</param>
  public StateException(Status status, string message, global::System.Exception innerException = null)
      : base(message, innerException) {
    Status = status;
  }

  /// <inheritdoc/>
  public Status Status { get; private set; }

  /// <inheritdoc/>
  public string StatusName { get { return Failures.StatusName(Status); } }
}

/// <summary>
/// A disposed object was used (Status State), also as an argument, or a callback's view after its
/// callback. ObjectName is its class.
/// </summary>
public class DisposedException : global::System.ObjectDisposedException, IDatasparseException {
  /// <summary>An exception for a use of a disposed object.</summary>
  /// <param name="status">The status of the call.</param>
  /// <param name="objectName">The class of the disposed object.</param>
  /// <param name="message">The library's message.</param>
  public DisposedException(Status status, string objectName, string message) : base(objectName, message) {
    Status = status;
  }

  /// <inheritdoc/>
  public Status Status { get; private set; }

  /// <inheritdoc/>
  public string StatusName { get { return Failures.StatusName(Status); } }
}

/// <summary>
/// A callback failed (Callback): a Schedule, LambdaFactor or DataSparsifier.UpdateMask threw (that
/// exception is the InnerException, and its text is in the message), returned a non-finite value, or
/// wrote a mask value other than 0 or 1. The call changed nothing.
/// </summary>
public class CallbackException : global::System.Exception, IDatasparseException {
  /// <summary>An exception for a failed call.</summary>
  /// <param name="status">The status of the call.</param>
  /// <param name="message">The library's message.</param>
  /// <param name="innerException">What the callback threw, or null.</param>
  public CallbackException(Status status, string message, global::System.Exception innerException = null)
      : base(message, innerException) {
    Status = status;
  }

  /// <inheritdoc/>
  public Status Status { get; private set; }

  /// <inheritdoc/>
  public string StatusName { get { return Failures.StatusName(Status); } }
}

/// <summary>A saved state is malformed, or does not fit the object it is loaded into (Corrupt); nothing was changed.</summary>
public class CorruptStateException : global::System.IO.IOException, IDatasparseException {
  /// <summary>An exception for a failed call.</summary>
  /// <param name="status">The status of the call.</param>
  /// <param name="message">The library's message.</param>
  /// <param name="innerException">What caused it, or null.</param>
  public CorruptStateException(Status status, string message, global::System.Exception innerException = null)
      : base(message, innerException) {
    Status = status;
  }

  /// <inheritdoc/>
  public Status Status { get; private set; }

  /// <inheritdoc/>
  public string StatusName { get { return Failures.StatusName(Status); } }
}

/// <summary>Reading or writing a state file failed (IO); a failed save leaves the previous file intact.</summary>
public class FileException : global::System.IO.IOException, IDatasparseException {
  /// <summary>An exception for a failed call.</summary>
  /// <param name="status">The status of the call.</param>
  /// <param name="message">The library's message.</param>
  /// <param name="innerException">What caused it, or null.</param>
  public FileException(Status status, string message, global::System.Exception innerException = null)
      : base(message, innerException) {
    Status = status;
  }

  /// <inheritdoc/>
  public Status Status { get; private set; }

  /// <inheritdoc/>
  public string StatusName { get { return Failures.StatusName(Status); } }
}

/// <summary>A native allocation failed (NoMemory); the call changed nothing.</summary>
public class NoMemoryException : global::System.OutOfMemoryException, IDatasparseException {
  /// <summary>An exception for a failed call.</summary>
  /// <param name="status">The status of the call.</param>
  /// <param name="message">The library's message.</param>
  /// <param name="innerException">What caused it, or null.</param>
  public NoMemoryException(Status status, string message, global::System.Exception innerException = null)
      : base(message, innerException) {
    Status = status;
  }

  /// <inheritdoc/>
  public Status Status { get; private set; }

  /// <inheritdoc/>
  public string StatusName { get { return Failures.StatusName(Status); } }
}

/// <summary>A valid request this build cannot do (Unsupported).</summary>
public class UnsupportedException : global::System.NotSupportedException, IDatasparseException {
  /// <summary>An exception for a failed call.</summary>
  /// <param name="status">The status of the call.</param>
  /// <param name="message">The library's message.</param>
  /// <param name="innerException">What caused it, or null.</param>
  public UnsupportedException(Status status, string message, global::System.Exception innerException = null)
      : base(message, innerException) {
    Status = status;
  }

  /// <inheritdoc/>
  public Status Status { get; private set; }

  /// <inheritdoc/>
  public string StatusName { get { return Failures.StatusName(Status); } }
}

/// <summary>A bug in datasparse (Internal): please report it with the message.</summary>
public class InternalException : global::System.Exception, IDatasparseException {
  /// <summary>An exception for a failed call.</summary>
  /// <param name="status">The status of the call.</param>
  /// <param name="message">The library's message.</param>
  /// <param name="innerException">What caused it, or null.</param>
  public InternalException(Status status, string message, global::System.Exception innerException = null)
      : base(message, innerException) {
    Status = status;
  }

  /// <inheritdoc/>
  public Status Status { get; private set; }

  /// <inheritdoc/>
  public string StatusName { get { return Failures.StatusName(Status); } }
}

// The exception class of each status (the C# side of the shared policy).
internal static class Failures {
  // Called (through the binding's error callback) while a native call fails.
  // closedType names the class of a disposed object (or expired view) when
  // that was the failure. A failed callback's own exception, kept by
  // CallbackGuard, becomes the InnerException.
  internal static global::System.Exception FromNative(int value, string message, string closedType) {
    global::System.Exception inner = CallbackGuard.TakeFailure();
    var status = (Status)value;
    if (closedType != null) return new DisposedException(status, closedType, message);
    switch (status) {
      case Status.InvalidArgument:
      case Status.Shape:
        return new InvalidArgumentException(status, message);
      case Status.NotFound:
        return new NotFoundException(status, message);
      case Status.State:
        return new StateException(status, message);
      case Status.Callback:
        return new CallbackException(status, message, inner);
      case Status.Corrupt:
        return new CorruptStateException(status, message);
      case Status.IO:
        return new FileException(status, message);
      case Status.NoMemory:
        return new NoMemoryException(status, message);
      case Status.Unsupported:
        return new UnsupportedException(status, message);
      default:
        return new InternalException(status, message);
    }
  }

  // "DS_ERR_NOT_FOUND": the C API's name (ds_status_string).
  internal static string StatusName(Status status) {
    return datasparse.StatusName(status);
  }
}

}
