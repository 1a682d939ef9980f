package org.datasparse.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.List;
import org.datasparse.Allreduce;
import org.datasparse.BuiltinSchedule;
import org.datasparse.CallbackException;
import org.datasparse.Config;
import org.datasparse.CorruptStateException;
import org.datasparse.DType;
import org.datasparse.DataNormSparsifier;
import org.datasparse.DataScheduler;
import org.datasparse.DataSparsifier;
import org.datasparse.DataView;
import org.datasparse.DatasparseFailure;
import org.datasparse.FileException;
import org.datasparse.InternalException;
import org.datasparse.InvalidArgumentException;
import org.datasparse.LambdaFactor;
import org.datasparse.Library;
import org.datasparse.LogHandler;
import org.datasparse.LogLevel;
import org.datasparse.MaskView;
import org.datasparse.NoMemoryError;
import org.datasparse.Norm;
import org.datasparse.NotFoundException;
import org.datasparse.Schedule;
import org.datasparse.Sparsifier;
import org.datasparse.StateException;
import org.datasparse.Status;
import org.datasparse.TensorDesc;
import org.datasparse.UnsupportedException;
import org.junit.jupiter.api.Test;

/** The public surface is Java's, not SWIG's: no SWIG member or module class, no finalize(), real enums. */
class SurfaceTest {
  static final List<Class<?>> PUBLIC = List.of(Allreduce.class, BuiltinSchedule.class, CallbackException.class, Config.class,
      CorruptStateException.class, DType.class, DataNormSparsifier.class, DataScheduler.class, DataSparsifier.class,
      DataView.class, DatasparseFailure.class, FileException.class, InternalException.class,
      InvalidArgumentException.class, LambdaFactor.class, Library.class, LogHandler.class, LogLevel.class,
      MaskView.class, NoMemoryError.class, Norm.class, NotFoundException.class, Schedule.class, Sparsifier.class,
      StateException.class, Status.class, TensorDesc.class, UnsupportedException.class);

  /** Public, or protected (visible to a subclass in another package). */
  static boolean visible(Member member) {
    return Modifier.isPublic(member.getModifiers()) || Modifier.isProtected(member.getModifiers());
  }

  @Test
  void noSwigInternalsAreVisible() {
    for (Class<?> type : PUBLIC) {
      assertTrue(Modifier.isPublic(type.getModifiers()), type + " is public");
      for (Method method : type.getDeclaredMethods()) {
        String what = type.getSimpleName() + "." + method.getName();
        assertFalse(method.getName().equals("finalize"), what + ": Cleaner, not finalize()");
        if (!visible(method)) continue;
        assertFalse(method.getName().toLowerCase().contains("swig"), what + " is SWIG's");
        assertFalse(List.of("delete", "getCPtr", "swigRelease").contains(method.getName()), what + " is SWIG's");
        assertFalse(method.getName().endsWith("Native"), what + " is the binding's");
        for (Class<?> p : method.getParameterTypes())
          assertFalse(p.getSimpleName().startsWith("SWIGTYPE"), what + " takes a SWIG type wrapper");
      }
      for (Field field : type.getDeclaredFields())
        if (visible(field) && !field.isEnumConstant()) throw new AssertionError(type.getSimpleName() + "." + field.getName() + " is a visible field");
    }
  }

  @Test
  void theModuleAndJniClassesAreNotPublic() throws ClassNotFoundException {
    for (String name : List.of("org.datasparse.datasparse", "org.datasparse.datasparseJNI", "org.datasparse.Failures",
        "org.datasparse.NativeLoader", "org.datasparse.NativeObjects")) {
      assertFalse(Modifier.isPublic(Class.forName(name).getModifiers()), name + " is package-private");
    }
  }

  @Test
  void handlesAreAutoCloseableAndCallbacksAreNot() {
    for (Class<?> type : List.of(Config.class, Sparsifier.class, DataScheduler.class, BuiltinSchedule.class))
      assertTrue(AutoCloseable.class.isAssignableFrom(type), type + " is AutoCloseable");
    for (Class<?> type : List.of(Schedule.class, LambdaFactor.class, LogHandler.class, DataView.class, MaskView.class))
      assertFalse(AutoCloseable.class.isAssignableFrom(type), type + " is not a handle");
  }

  @Test
  void enumsAreRealEnumsWithTheCValues() {
    assertTrue(Status.class.isEnum() && Norm.class.isEnum() && LogLevel.class.isEnum() && DType.class.isEnum());
    assertEquals(List.of(DType.FLOAT32, DType.FLOAT64, DType.FLOAT16, DType.BFLOAT16), List.of(DType.values()));
    assertEquals(List.of(0, 1, 2, 3), List.of(DType.values()).stream().map(DType::value).toList());
    assertThrows(NoSuchFieldException.class, () -> DType.class.getField("DTYPE_MAX_ENUM"));
    assertEquals(11, Status.values().length);
    assertEquals(List.of(LogLevel.DEBUG, LogLevel.INFO, LogLevel.WARNING), List.of(LogLevel.values()));
    assertEquals(2, LogLevel.WARNING.value());
    assertThrows(NoSuchFieldException.class, () -> Status.class.getField("STATUS_MAX_ENUM"));
  }

  @Test
  void everyExceptionCarriesAStatus() {
    for (Class<?> type : PUBLIC)
      if (Throwable.class.isAssignableFrom(type))
        assertTrue(DatasparseFailure.class.isAssignableFrom(type), type + " is a DatasparseFailure");
    // checked exactly where a file or a state is read or written
    assertTrue(java.io.IOException.class.isAssignableFrom(FileException.class));
    assertTrue(java.io.IOException.class.isAssignableFrom(CorruptStateException.class));
    assertTrue(IllegalStateException.class.isAssignableFrom(StateException.class));
  }
}
