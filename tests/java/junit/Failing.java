package org.datasparse.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.datasparse.DatasparseFailure;
import org.datasparse.Status;
import org.junit.jupiter.api.function.Executable;

/** Checks a failed call: the Java exception class by meaning, the status it carries, its message. */
final class Failing {
  private Failing() {}

  /** call must throw type (or a subclass) that is a DatasparseFailure with status. */
  static <T extends Throwable> T fails(Class<T> type, Status status, Executable call) {
    T e = assertThrows(type, call);
    assertTrue(e instanceof DatasparseFailure, e + " is a DatasparseFailure");
    DatasparseFailure failure = (DatasparseFailure) e;
    assertEquals(status, failure.getStatus(), e.toString());
    assertEquals(status == Status.OK ? "DS_OK" : "DS_ERR_" + status.name(), failure.getStatusName());
    assertFalse(e.getMessage().startsWith("DS_"), "the message has no status prefix: " + e.getMessage());
    assertTrue(e.toString().contains(failure.getStatusName() + ": " + e.getMessage()), e.toString());
    return e;
  }
}
