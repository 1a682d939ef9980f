package org.datasparse;

/**
 * What every exception of the library carries: the {@link Status} of the
 * failed call and its C name. The exceptions are ordinary Java exceptions
 * chosen by meaning, so callers catch them as they would any other:
 * <ul>
 * <li>{@link InvalidArgumentException} ({@code IllegalArgumentException}):
 *     {@code INVALID_ARGUMENT}, {@code SHAPE};</li>
 * <li>{@link NotFoundException} ({@code NoSuchElementException}): {@code NOT_FOUND};</li>
 * <li>{@link StateException} ({@code IllegalStateException}): {@code STATE},
 *     also for any use of a closed object;</li>
 * <li>{@link CallbackException} ({@code RuntimeException}): {@code CALLBACK},
 *     with the callback's exception as its cause;</li>
 * <li>{@link FileException} and {@link CorruptStateException} (checked
 *     {@code java.io.IOException}s, from saving and loading): {@code IO}, {@code CORRUPT};</li>
 * <li>{@link NoMemoryError} ({@code OutOfMemoryError}): {@code NO_MEMORY};</li>
 * <li>{@link UnsupportedException} ({@code UnsupportedOperationException}): {@code UNSUPPORTED};</li>
 * <li>{@link InternalException} ({@code RuntimeException}): {@code INTERNAL}.</li>
 * </ul>
 * A null argument is a {@code NullPointerException} naming the parameter.
 */
public interface DatasparseFailure {
  /**
   * The status of the failed call.
   *
   * @return the status
   */
  Status getStatus();

  /**
   * The status's constant name in the C API, e.g. "DS_ERR_NOT_FOUND".
   *
   * @return the name
   */
  default String getStatusName() {
    return Failures.statusName(getStatus());
  }
}
