package org.datasparse;

import java.lang.ref.Cleaner;
import java.util.function.LongConsumer;

/*
 * The Java half of the one RAII pattern (bindings/swig/datasparse.i): every
 * proxy that owns its C++ object registers it here, and the Cleaner deletes
 * the object once the proxy is unreachable. The cleaning action holds only
 * the pointer and the (static) delete function, never the proxy. A handle's
 * close() releases its native resources long before; the cleaner then frees
 * the small wrapper.
 */
final class NativeObjects {
  private static final Cleaner CLEANER = Cleaner.create();

  private NativeObjects() {}

  static void deleteWhenUnreachable(Object proxy, long cPtr, LongConsumer delete) {
    CLEANER.register(proxy, () -> delete.accept(cPtr));
  }
}
