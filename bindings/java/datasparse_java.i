/* Java idioms for the language-neutral interface ../swig/datasparse.i
 * (package org.datasparse; SWIG is run with -package org.datasparse).
 *
 *  - Errors: every wrapper catches datasparse::Error (and anything else) and
 *    throws org.datasparse.DatasparseException(status, statusName, message).
 *    A Java exception thrown in a callback is kept as the cause of the
 *    DatasparseException (DS_ERR_CALLBACK) that step() throws.
 *  - Handles (Config, the sparsifiers, DataScheduler, BuiltinSchedule) are
 *    AutoCloseable; close() releases the native object, and any call after
 *    it throws DatasparseException (DS_ERR_STATE) instead of crashing.
 *  - Lifetimes: a sparsifier keeps the direct FloatBuffers it borrows, a
 *    DataScheduler keeps its sparsifier and schedule, a lambda
 *    BuiltinSchedule keeps its LambdaFactor.
 *  - Arrays cross JNI in one bulk copy (Get/Set<Type>ArrayRegion), never
 *    element by element; direct FloatBuffers are borrowed zero-copy.
 */

/* ---------------------------------------------------------------------
 * Native helpers
 * --------------------------------------------------------------------- */
%{
#include <climits>
#include <new>
#include <string>
#include <vector>

namespace ds_java {

/* The Java exception a failed callback threw, kept (as a global ref) on its
 * thread until the DatasparseException of the failed call takes it as cause. */
static thread_local jthrowable t_callback_cause = nullptr;

static void keepCallbackCause(JNIEnv *jenv, jthrowable cause) {
    if (t_callback_cause) jenv->DeleteGlobalRef(t_callback_cause);
    t_callback_cause = cause ? static_cast<jthrowable>(jenv->NewGlobalRef(cause)) : nullptr;
}

/* "java.lang.IllegalStateException: message", with the pending exception cleared. */
static std::string describeThrowable(JNIEnv *jenv, jthrowable error) {
    jenv->ExceptionClear();
    std::string text = "Java exception";
    jclass throwable = jenv->FindClass("java/lang/Throwable");
    if (throwable) {
        jmethodID toString = jenv->GetMethodID(throwable, "toString", "()Ljava/lang/String;");
        jstring jtext = toString ? static_cast<jstring>(jenv->CallObjectMethod(error, toString)) : nullptr;
        if (jtext && !jenv->ExceptionCheck()) {
            const char *chars = jenv->GetStringUTFChars(jtext, nullptr);
            if (chars) {
                text = chars;
                jenv->ReleaseStringUTFChars(jtext, chars);
            }
        }
        if (jtext) jenv->DeleteLocalRef(jtext);
        jenv->DeleteLocalRef(throwable);
    }
    jenv->ExceptionClear();
    return text;
}

/* Throws org.datasparse.DatasparseException. message may start with the
 * status name ("DS_ERR_SHAPE: ..."), as datasparse::Error's do: that
 * prefix is dropped, getStatusName() carries it. */
static void throwError(JNIEnv *jenv, int status, const char *message) {
    jthrowable cause = t_callback_cause;
    t_callback_cause = nullptr;
    jenv->ExceptionClear();
    const char *name = ds_status_string(static_cast<ds_status>(status));
    std::string text = message ? message : "";
    const std::string prefix = std::string(name) + ": ";
    if (text.compare(0, prefix.size(), prefix) == 0) text.erase(0, prefix.size());

    jclass cls = jenv->FindClass("org/datasparse/DatasparseException");
    jmethodID ctor = cls ? jenv->GetMethodID(cls, "<init>", "(ILjava/lang/String;Ljava/lang/String;Ljava/lang/Throwable;)V")
                         : nullptr;
    jstring jname = ctor ? jenv->NewStringUTF(name) : nullptr;
    jstring jtext = jname ? jenv->NewStringUTF(text.c_str()) : nullptr;
    jobject error = jtext ? jenv->NewObject(cls, ctor, static_cast<jint>(status), jname, jtext,
                                            status == DS_ERR_CALLBACK ? cause : nullptr)
                          : nullptr;
    if (error) jenv->Throw(static_cast<jthrowable>(error));
    /* else: the JVM already has an exception pending (NoClassDefFoundError, OutOfMemoryError). */
    if (cause) jenv->DeleteGlobalRef(cause);
}

static void throwNull(JNIEnv *jenv, const char *what) {
    jenv->ExceptionClear();
    SWIG_JavaThrowException(jenv, SWIG_JavaNullPointerException, what);
}

static bool javaArrayLength(JNIEnv *jenv, size_t size) {
    if (size > static_cast<size_t>(INT_MAX)) {
        throwError(jenv, DS_ERR_INVALID_ARGUMENT, "the result is too large for a Java array");
        return false;
    }
    return true;
}

static jbyteArray toByteArray(JNIEnv *jenv, const std::vector<uint8_t> &v) {
    if (!javaArrayLength(jenv, v.size())) return nullptr;
    jbyteArray out = jenv->NewByteArray(static_cast<jsize>(v.size()));
    if (out) jenv->SetByteArrayRegion(out, 0, static_cast<jsize>(v.size()), reinterpret_cast<const jbyte *>(v.data()));
    return out;
}

static jfloatArray toFloatArray(JNIEnv *jenv, const std::vector<float> &v) {
    if (!javaArrayLength(jenv, v.size())) return nullptr;
    jfloatArray out = jenv->NewFloatArray(static_cast<jsize>(v.size()));
    if (out) jenv->SetFloatArrayRegion(out, 0, static_cast<jsize>(v.size()), v.data());
    return out;
}

static jobjectArray toStringArray(JNIEnv *jenv, const std::vector<std::string> &v) {
    if (!javaArrayLength(jenv, v.size())) return nullptr;
    jclass stringClass = jenv->FindClass("java/lang/String");
    if (!stringClass) return nullptr;
    jobjectArray out = jenv->NewObjectArray(static_cast<jsize>(v.size()), stringClass, nullptr);
    for (size_t i = 0; out && i < v.size(); ++i) {
        jstring s = jenv->NewStringUTF(v[i].c_str());
        if (!s) return nullptr;
        jenv->SetObjectArrayElement(out, static_cast<jsize>(i), s);
        jenv->DeleteLocalRef(s);
    }
    return out;
}

/* Copies a Java array into temp; false (with a Java exception pending) on failure. */
static bool fromByteArray(JNIEnv *jenv, jbyteArray in, std::vector<uint8_t> &temp, const char *what) {
    if (!in) {
        throwNull(jenv, what);
        return false;
    }
    temp.resize(static_cast<size_t>(jenv->GetArrayLength(in)));
    jenv->GetByteArrayRegion(in, 0, static_cast<jsize>(temp.size()), reinterpret_cast<jbyte *>(temp.data()));
    return !jenv->ExceptionCheck();
}

static bool fromFloatArray(JNIEnv *jenv, jfloatArray in, std::vector<float> &temp, const char *what) {
    if (!in) {
        throwNull(jenv, what);
        return false;
    }
    temp.resize(static_cast<size_t>(jenv->GetArrayLength(in)));
    jenv->GetFloatArrayRegion(in, 0, static_cast<jsize>(temp.size()), temp.data());
    return !jenv->ExceptionCheck();
}

static bool fromStringArray(JNIEnv *jenv, jobjectArray in, std::vector<std::string> &temp, const char *what) {
    if (!in) {
        throwNull(jenv, what);
        return false;
    }
    const jsize n = jenv->GetArrayLength(in);
    temp.clear();
    for (jsize i = 0; i < n; ++i) {
        jstring s = static_cast<jstring>(jenv->GetObjectArrayElement(in, i));
        if (!s) {
            throwNull(jenv, "a name in the array is null");
            return false;
        }
        const char *chars = jenv->GetStringUTFChars(s, nullptr);
        if (!chars) return false;
        temp.emplace_back(chars);
        jenv->ReleaseStringUTFChars(s, chars);
        jenv->DeleteLocalRef(s);
    }
    return true;
}

/* The Java proxies handed to updateMask (DataView, Config, MaskView) point at
 * objects that live only during the call: the director makes them, and a
 * guard zeroes their swigCPtr when the call returns (or throws), so a view
 * kept past its callback throws DS_ERR_STATE instead of touching freed memory. */
static jobject newCallbackView(JNIEnv *jenv, const char *className, const void *object) {
    jobject view = nullptr;
    jclass cls = jenv->FindClass(className);
    if (cls) {
        jmethodID ctor = jenv->GetMethodID(cls, "<init>", "(JZ)V");
        if (ctor) view = jenv->NewObject(cls, ctor, static_cast<jlong>(reinterpret_cast<intptr_t>(object)), JNI_FALSE);
        jenv->DeleteLocalRef(cls);
    }
    if (!view) {
        jenv->ExceptionClear();
        throw Swig::DirectorException("cannot create the Java view for updateMask");
    }
    return view;
}

static void *callbackViewPointer(JNIEnv *jenv, jobject view) {
    if (!view) return nullptr;
    jclass cls = jenv->GetObjectClass(view);
    jfieldID field = jenv->GetFieldID(cls, "swigCPtr", "J");
    jenv->DeleteLocalRef(cls);
    return field ? reinterpret_cast<void *>(static_cast<intptr_t>(jenv->GetLongField(view, field))) : nullptr;
}

class CallbackViewGuard {
public:
    CallbackViewGuard(JNIEnv *jenv, jobject view) : jenv_(jenv), view_(view) {}
    ~CallbackViewGuard() {
        jclass cls = jenv_->GetObjectClass(view_);
        jfieldID field = jenv_->GetFieldID(cls, "swigCPtr", "J");
        if (field) jenv_->SetLongField(view_, field, 0);
        jenv_->ExceptionClear();
        jenv_->DeleteLocalRef(cls);
        jenv_->DeleteLocalRef(view_);
    }
    CallbackViewGuard(const CallbackViewGuard &) = delete;
    CallbackViewGuard &operator=(const CallbackViewGuard &) = delete;

private:
    JNIEnv *jenv_;
    jobject view_;
};

}  // namespace ds_java
%}

/* ---------------------------------------------------------------------
 * Loading the JNI library: org.datasparse.NativeLoader (datasparse.library.path,
 * then java.library.path, then beside the jar).
 * --------------------------------------------------------------------- */
%pragma(java) jniclasscode=%{
  static {
    NativeLoader.load();
  }
%}

/* ---------------------------------------------------------------------
 * Errors
 * --------------------------------------------------------------------- */
%exception {
  try {
    $action
  } catch (const datasparse::Error &e) {
    ds_java::throwError(jenv, e.status(), e.what());
    return $null;
  } catch (const Swig::DirectorException &e) {
    ds_java::throwError(jenv, DS_ERR_CALLBACK, e.what());
    return $null;
  } catch (const std::bad_alloc &) {
    ds_java::throwError(jenv, DS_ERR_NO_MEMORY, "out of memory");
    return $null;
  } catch (const std::exception &e) {
    ds_java::throwError(jenv, DS_ERR_INTERNAL, e.what());
    return $null;
  } catch (...) {
    ds_java::throwError(jenv, DS_ERR_INTERNAL, "unknown C++ exception");
    return $null;
  }
}

/* A Java exception thrown in updateMask/compute/factor: clear it (nothing
 * may stay pending on the way back through native frames), keep it as the
 * cause of the coming DatasparseException, and unwind to the trampoline
 * in datasparse.hpp, which reports its text through ds_set_callback_error. */
%feature("director:except") %{
  jthrowable $error = jenv->ExceptionOccurred();
  if ($error) {
    std::string ds_message = ds_java::describeThrowable(jenv, $error);
    ds_java::keepCallbackCause(jenv, $error);
    jenv->DeleteLocalRef($error);
    throw Swig::DirectorException(ds_message.c_str());
  }
%}

/* Calls on a closed (deleted) object reach C++ with a null this: refuse them. */
%typemap(check) SWIGTYPE *self %{
  if (!$1) {
    ds_java::throwError(jenv, DS_ERR_STATE, "$symname: the object was closed");
    return $null;
  }
%}

/* ---------------------------------------------------------------------
 * Arrays and buffers
 * --------------------------------------------------------------------- */

/* std::vector<uint8_t> <-> byte[] (masks, saved state) */
%typemap(jni) std::vector<uint8_t> "jbyteArray"
%typemap(jtype) std::vector<uint8_t> "byte[]"
%typemap(jstype) std::vector<uint8_t> "byte[]"
%typemap(javaout) std::vector<uint8_t> { return $jnicall; }
%typemap(out) std::vector<uint8_t> %{ $result = ds_java::toByteArray(jenv, $1); %}

%typemap(jni) const std::vector<uint8_t> & "jbyteArray"
%typemap(jtype) const std::vector<uint8_t> & "byte[]"
%typemap(jstype) const std::vector<uint8_t> & "byte[]"
%typemap(javain) const std::vector<uint8_t> & "$javainput"
%typemap(in) const std::vector<uint8_t> & (std::vector<uint8_t> temp) %{
  if (!ds_java::fromByteArray(jenv, $input, temp, "$1_name is null")) return $null;
  $1 = &temp;
%}

/* std::vector<float> -> float[] */
%typemap(jni) std::vector<float> "jfloatArray"
%typemap(jtype) std::vector<float> "float[]"
%typemap(jstype) std::vector<float> "float[]"
%typemap(javaout) std::vector<float> { return $jnicall; }
%typemap(out) std::vector<float> %{ $result = ds_java::toFloatArray(jenv, $1); %}

/* std::vector<std::string> <-> String[] (names, config keys) */
%typemap(jni) std::vector<std::string> "jobjectArray"
%typemap(jtype) std::vector<std::string> "String[]"
%typemap(jstype) std::vector<std::string> "String[]"
%typemap(javaout) std::vector<std::string> { return $jnicall; }
%typemap(out) std::vector<std::string> %{ $result = ds_java::toStringArray(jenv, $1); %}

%typemap(jni) const std::vector<std::string> & "jobjectArray"
%typemap(jtype) const std::vector<std::string> & "String[]"
%typemap(jstype) const std::vector<std::string> & "String[]"
%typemap(javain) const std::vector<std::string> & "$javainput"
%typemap(in) const std::vector<std::string> & (std::vector<std::string> temp) %{
  if (!ds_java::fromStringArray(jenv, $input, temp, "$1_name is null")) return $null;
  $1 = &temp;
%}

/* (out, count) pairs that C++ fills: a caller's array, written only on success
 * (C++ fills a copy of it, copied back in one call afterwards; elements past
 * the item's size keep their values). */
%typemap(jni) (uint8_t *out, size_t count) "jbyteArray"
%typemap(jtype) (uint8_t *out, size_t count) "byte[]"
%typemap(jstype) (uint8_t *out, size_t count) "byte[]"
%typemap(javain) (uint8_t *out, size_t count) "$javainput"
%typemap(in) (uint8_t *out, size_t count) (std::vector<uint8_t> temp) %{
  if (!$input) {
    ds_java::throwNull(jenv, "out is null");
    return $null;
  }
  temp.resize(static_cast<size_t>(jenv->GetArrayLength($input)));
  jenv->GetByteArrayRegion($input, 0, static_cast<jsize>(temp.size()), reinterpret_cast<jbyte *>(temp.data()));
  $1 = temp.data();
  $2 = temp.size();
%}
%typemap(argout) (uint8_t *out, size_t count) %{
  jenv->SetByteArrayRegion($input, 0, static_cast<jsize>(temp$argnum.size()), reinterpret_cast<const jbyte *>(temp$argnum.data()));
%}

%typemap(jni) (float *out, size_t count) "jfloatArray"
%typemap(jtype) (float *out, size_t count) "float[]"
%typemap(jstype) (float *out, size_t count) "float[]"
%typemap(javain) (float *out, size_t count) "$javainput"
%typemap(in) (float *out, size_t count) (std::vector<float> temp) %{
  if (!$input) {
    ds_java::throwNull(jenv, "out is null");
    return $null;
  }
  temp.resize(static_cast<size_t>(jenv->GetArrayLength($input)));
  jenv->GetFloatArrayRegion($input, 0, static_cast<jsize>(temp.size()), temp.data());
  $1 = temp.data();
  $2 = temp.size();
%}
%typemap(argout) (float *out, size_t count) %{
  jenv->SetFloatArrayRegion($input, 0, static_cast<jsize>(temp$argnum.size()), temp$argnum.data());
%}

/* (values, count) pairs that C++ reads: copied in from a Java array. */
%typemap(jni) (const float *data, size_t count) "jfloatArray"
%typemap(jtype) (const float *data, size_t count) "float[]"
%typemap(jstype) (const float *data, size_t count) "float[]"
%typemap(javain) (const float *data, size_t count) "$javainput"
%typemap(in) (const float *data, size_t count) (std::vector<float> temp) %{
  if (!ds_java::fromFloatArray(jenv, $input, temp, "data is null")) return $null;
  $1 = temp.data();
  $2 = temp.size();
%}

%typemap(jni) (const uint8_t *values, size_t count) "jbyteArray"
%typemap(jtype) (const uint8_t *values, size_t count) "byte[]"
%typemap(jstype) (const uint8_t *values, size_t count) "byte[]"
%typemap(javain) (const uint8_t *values, size_t count) "$javainput"
%typemap(in) (const uint8_t *values, size_t count) (std::vector<uint8_t> temp) %{
  if (!ds_java::fromByteArray(jenv, $input, temp, "values is null")) return $null;
  $1 = temp.data();
  $2 = temp.size();
%}

/* (data, count) borrowed zero-copy from a direct FloatBuffer: its capacity
 * is the element count. The Java side (Sparsifier.addData) checks byte
 * order and writability first and keeps the buffer while registered. */
%typemap(jni) (float *data, size_t count) "jobject"
%typemap(jtype) (float *data, size_t count) "java.nio.FloatBuffer"
%typemap(jstype) (float *data, size_t count) "java.nio.FloatBuffer"
%typemap(javain) (float *data, size_t count) "$javainput"
%typemap(in) (float *data, size_t count) %{
  if (!$input) {
    ds_java::throwNull(jenv, "data is null");
    return $null;
  }
  $1 = static_cast<float *>(jenv->GetDirectBufferAddress($input));
  if (!$1) {
    ds_java::throwError(jenv, DS_ERR_INVALID_ARGUMENT,
                        "data must be a direct FloatBuffer (ByteBuffer.allocateDirect(4 * n)"
                        ".order(ByteOrder.nativeOrder()).asFloatBuffer()); use a float[] to copy instead");
    return $null;
  }
  $2 = static_cast<size_t>(jenv->GetDirectBufferCapacity($input));
%}

/* ---------------------------------------------------------------------
 * Classes
 * --------------------------------------------------------------------- */

/* Error becomes DatasparseException (above); Config's copy is new Config(other). */

/* Views used after their callback: say so rather than "closed". */
%typemap(check) datasparse::DataView *self, datasparse::DataView const *self,
                datasparse::MaskView *self, datasparse::MaskView const *self %{
  if (!$1) {
    ds_java::throwError(jenv, DS_ERR_STATE, "$symname: a view is only valid during its updateMask call");
    return $null;
  }
%}

/* Views exist only inside updateMask; Java never constructs them. */

/* Java close() replaces the C++ close()/isClosed(): it deletes the whole object
 * (each closeable class below has the same close() and isClosed()). */
%ignore datasparse::Sparsifier::close;
%ignore datasparse::Sparsifier::isClosed;
%ignore datasparse::DataScheduler::close;
%ignore datasparse::DataScheduler::isClosed;

%define DS_JAVA_CLOSEABLE(TYPE)
%typemap(javainterfaces) TYPE "AutoCloseable"
%enddef


DS_JAVA_CLOSEABLE(datasparse::Config)
DS_JAVA_CLOSEABLE(datasparse::Sparsifier)
DS_JAVA_CLOSEABLE(datasparse::DataScheduler)
DS_JAVA_CLOSEABLE(datasparse::BuiltinSchedule)

/* Config ------------------------------------------------------------ */
%typemap(javacode) datasparse::Config %{
  /** Releases the native object now (the finaliser is only a safety net).
   * Calls after close() throw DatasparseException (DS_ERR_STATE); closing
   * twice does nothing. */
  @Override
  public void close() {
    delete();
  }

  /** Whether close() was called. */
  public boolean isClosed() {
    return swigCPtr == 0;
  }

  /** Sets key to value and returns this config, for chaining. */
  public Config with(String key, double value) {
    set(key, value);
    return this;
  }

  @Override
  public String toString() {
    if (isClosed()) return "Config(closed)";
    StringBuilder out = new StringBuilder("{");
    for (String key : keys()) {
      if (out.length() > 1) out.append(", ");
      out.append(key).append('=').append(get(key));
    }
    return out.append('}').toString();
  }
%}

/* updateMask's arguments: Java proxies made by the director and invalidated
 * when the call ends (ds_java::CallbackViewGuard). */
%define DS_JAVA_CALLBACK_VIEW(CTYPE, JCLASS)
%typemap(jni) CTYPE "jobject"
%typemap(jtype) CTYPE "JCLASS"
%typemap(jstype) CTYPE "JCLASS"
%typemap(javain) CTYPE "$javainput"
%typemap(in) CTYPE %{
  $1 = static_cast<$1_ltype>(ds_java::callbackViewPointer(jenv, $input));
  if (!$1) {
    ds_java::throwError(jenv, DS_ERR_STATE, "a JCLASS is only valid during its updateMask call");
    return $null;
  }
%}
%typemap(javadirectorin) CTYPE "$jniinput"
%typemap(directorin, descriptor="Lorg/datasparse/JCLASS;") CTYPE %{
  $input = ds_java::newCallbackView(jenv, "org/datasparse/JCLASS", &$1);
  ds_java::CallbackViewGuard $1_viewguard(jenv, $input);
%}
%enddef
DS_JAVA_CALLBACK_VIEW(const datasparse::DataView &data, DataView)
DS_JAVA_CALLBACK_VIEW(const datasparse::Config &config, Config)
DS_JAVA_CALLBACK_VIEW(datasparse::MaskView &mask, MaskView)

/* Class documentation goes with the class modifiers. */
%typemap(javaclassmodifiers) datasparse::Sparsifier %{/**
 * What the sparsifiers share: named data items (row-major float matrices,
 * borrowed from a direct FloatBuffer or copied from a float[]), each with a
 * config and a mask (1 = keep, 0 = zero) that step() recomputes. Close it
 * (try-with-resources) to release the native object.
 */
public abstract class%}
%typemap(javaclassmodifiers) datasparse::DataSparsifier %{/**
 * A sparsifier whose masks you compute: subclass it and implement
 * updateMask, which step() calls once per item with the item's data, its
 * merged config and its current mask to modify. The views are valid only
 * during the call. An exception thrown there fails the step (no mask
 * changes) with a DatasparseException whose cause it is.
 */
public abstract class%}
%typemap(javaclassmodifiers) datasparse::Schedule %{/**
 * A schedule written in Java: subclass it and implement compute(name, epoch,
 * base, current), the item's new value. Hand it to a DataScheduler, which
 * keeps it alive. An exception thrown there fails the scheduler's step
 * (nothing changes, the epoch does not advance).
 */
public abstract class%}
%typemap(javaclassmodifiers) datasparse::LambdaFactor %{/**
 * f(epoch) for BuiltinSchedule.lambda (value = base * f(epoch)): subclass it
 * and implement factor.
 */
public abstract class%}
%typemap(javaclassmodifiers) datasparse::DataNormSparsifier %{/**
 * PyTorch's DataNormSparsifier: zeroes the lowest-norm blocks (L1 or L2) of
 * each item. Config keys: sparsity_level, block_rows, block_cols,
 * zeros_per_block (see datasparse.h).
 */
public class%}
%typemap(javaclassmodifiers) datasparse::DataScheduler %{/**
 * Varies one config key (usually "sparsity_level") of every item of a
 * sparsifier over epochs, with a Schedule written in Java or a
 * BuiltinSchedule. Creating it performs the first step (epoch 0). It keeps
 * its sparsifier and schedule alive; step the sparsifier before it.
 */
public class%}
%typemap(javaclassmodifiers) datasparse::BuiltinSchedule %{/**
 * The built-in schedules (gamma, step, lambda, cubic, polynomialDecay,
 * constant; formulas in datasparse.h). A DataScheduler copies it, so it may
 * be closed once the scheduler exists.
 */
public class%}
%typemap(javaclassmodifiers) datasparse::Config %{/**
 * A map from key to a finite double: defaults of a sparsifier, or one item's
 * overrides. new Config().with("sparsity_level", 0.5).with("block_cols", 4).
 */
public class%}
%typemap(javaclassmodifiers) datasparse::DataView %{/**
 * Read-only view of an item's data, valid only during updateMask.
 */
public class%}
%typemap(javaclassmodifiers) datasparse::MaskView %{/**
 * Writable view of an item's mask (values 0 or 1), valid only during updateMask.
 */
public class%}
/* The callbacks are abstract in Java: a subclass must implement them. */
%javamethodmodifiers datasparse::DataSparsifier::updateMask "public abstract";
%javamethodmodifiers datasparse::Schedule::compute "public abstract";
%javamethodmodifiers datasparse::LambdaFactor::factor "public abstract";
%typemap(javaout) void datasparse::DataSparsifier::updateMask ";"
%typemap(javaout) double datasparse::Schedule::compute ";"
%typemap(javaout) double datasparse::LambdaFactor::factor ";"

/* Views: valid only during the callback; afterwards calls throw. */
%extend datasparse::DataView {
  /** A copy of the data, row-major (rows() * cols() floats). */
  std::vector<float> toArray() const {
    std::vector<float> out($self->size());
    $self->copyTo(out.data(), out.size());
    return out;
  }
}
%extend datasparse::MaskView {
  /** A copy of the mask, row-major (rows() * cols() bytes, each 0 or 1). */
  std::vector<uint8_t> toArray() const {
    std::vector<uint8_t> out($self->size());
    $self->copyTo(out.data(), out.size());
    return out;
  }
}

/* Sparsifier --------------------------------------------------------- */
%rename(addDataBorrowedNative) datasparse::Sparsifier::addDataBorrowed;
%rename(addDataCopyNative) datasparse::Sparsifier::addDataCopy;
%rename(removeDataNative) datasparse::Sparsifier::removeData;
%javamethodmodifiers datasparse::Sparsifier::addDataBorrowed "private";
%javamethodmodifiers datasparse::Sparsifier::addDataCopy "private";
%javamethodmodifiers datasparse::Sparsifier::removeData "private";

/* Method documentation (Javadoc) for the main calls. */
%javamethodmodifiers datasparse::Sparsifier::step() "
  /** Recomputes every (non-squashed) item's mask from its current data and
   * config, if mask update is enabled. All-or-nothing: on failure no mask
   * changes. */
  public";
%javamethodmodifiers datasparse::Sparsifier::getMask(const std::string &) const "
  /** A copy of the item's mask, row-major (rows * cols bytes, 1 = keep,
   * 0 = zero). DS_ERR_STATE after a squash. */
  public";
%javamethodmodifiers datasparse::Sparsifier::getMask(const std::string &, uint8_t *, size_t) const "
  /** Copies the item's mask into out (at least rows * cols bytes). */
  public";
%javamethodmodifiers datasparse::Sparsifier::getData(const std::string &, bool) const "
  /** A copy of the item's data: original = true, as the caller holds it
   * (DS_ERR_STATE after a squash); false, data * mask. */
  public";
%javamethodmodifiers datasparse::Sparsifier::getData(const std::string &, bool, float *, size_t) const "
  /** Copies the item's data into out (at least rows * cols floats); see getData(name, original). */
  public";
%javamethodmodifiers datasparse::Sparsifier::squashMask "
  /** Applies and drops the masks of the named items: leaveParametrized
   * (default true) zeroes the masked elements in the item's data (a
   * borrowed buffer is written in place). Squashed items are no longer
   * stepped. */
  public";
%javamethodmodifiers datasparse::Sparsifier::saveToBytes "
  /** The sparsifier's state (withData: also every item's data) in the
   * library's versioned, checksummed format. */
  public";
%javamethodmodifiers datasparse::Sparsifier::loadFromBytes "
  /** Restores a state from saveToBytes over the same registered items
   * (strict, the default: the state replaces everything). Checked before
   * anything changes (DS_ERR_CORRUPT). */
  public";
%javamethodmodifiers datasparse::DataScheduler::step "
  /** Advances one epoch: the schedule computes every item's value, all are
   * checked, then applied together. All-or-nothing: if the schedule throws
   * or returns NaN/inf, nothing changes and the epoch does not advance. */
  public";

%extend datasparse::Sparsifier {
  /** The item's mask, row-major (rows * cols bytes, 1 = keep, 0 = zero). */
  std::vector<uint8_t> getMask(const std::string &name) const {
    std::vector<uint8_t> out(static_cast<size_t>($self->rows(name) * $self->cols(name)));
    $self->getMask(name, out.data(), out.size());
    return out;
  }
  /** The item's data (original: as the caller holds it; else data * mask). */
  std::vector<float> getData(const std::string &name, bool original) const {
    std::vector<float> out(static_cast<size_t>($self->rows(name) * $self->cols(name)));
    $self->getData(name, original, out.data(), out.size());
    return out;
  }
}

%typemap(javacode) datasparse::Sparsifier %{
  /** Releases the native object now (the finaliser is only a safety net).
   * Calls after close() throw DatasparseException (DS_ERR_STATE); closing
   * twice does nothing. */
  @Override
  public void close() {
    delete();
  }

  /** Whether close() was called. */
  public boolean isClosed() {
    return swigCPtr == 0;
  }

  /* The direct buffers borrowed by name: the native side holds their
   * addresses, so they must stay reachable while registered. */
  private final java.util.Map<String, java.nio.FloatBuffer> borrowed = new java.util.HashMap<>();

  /** Registers data under name, borrowed zero-copy: the item is the
   * buffer's first rows * cols remaining floats, from its position (as it is
   * at this call; later changes of position or limit do not move the item);
   * the sparsifier reads them at every step and squashMask writes into them,
   * so changes on either side are seen by the other. The buffer must be
   * direct, writable and in native byte order, with remaining() >= rows * cols.
   * The sparsifier keeps a reference to it until the name is removed or
   * replaced, or the sparsifier is closed. */
  public void addData(String name, java.nio.FloatBuffer data, long rows, long cols) {
    addData(name, data, rows, cols, null, false);
  }

  public void addData(String name, java.nio.FloatBuffer data, long rows, long cols, Config config) {
    addData(name, data, rows, cols, config, false);
  }

  /** config (may be null) overrides the defaults for this item; reuseMask
   * keeps the mask of an item replaced under the same name. */
  public synchronized void addData(String name, java.nio.FloatBuffer data, long rows, long cols, Config config,
                                   boolean reuseMask) {
    if (data == null) throw new NullPointerException("data is null");
    if (!data.isDirect())
      throw new DatasparseException(DatasparseException.INVALID_ARGUMENT,
          "data must be a direct FloatBuffer (ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder())"
          + ".asFloatBuffer()); use addData(String, float[], ...) to copy a heap buffer or an array");
    if (data.order() != java.nio.ByteOrder.nativeOrder())
      throw new DatasparseException(DatasparseException.INVALID_ARGUMENT,
          "data must be in native byte order (" + java.nio.ByteOrder.nativeOrder() + "), got " + data.order());
    if (data.isReadOnly())
      throw new DatasparseException(DatasparseException.INVALID_ARGUMENT,
          "data must be writable (squashMask writes into it), got a read-only buffer");
    // Like every NIO API, the item is the buffer's remaining floats: from
    // its position to its limit (a slice has exactly those, at index 0).
    java.nio.FloatBuffer view = data.slice();
    addDataBorrowedNative(name, view, rows, cols, config, reuseMask);
    borrowed.put(name, data);
  }

  /** Registers a copy of data[0, rows * cols) that the sparsifier owns; read
   * results back with getData/getMask. */
  public void addData(String name, float[] data, long rows, long cols) {
    addData(name, data, rows, cols, null, false);
  }

  public void addData(String name, float[] data, long rows, long cols, Config config) {
    addData(name, data, rows, cols, config, false);
  }

  public synchronized void addData(String name, float[] data, long rows, long cols, Config config,
                                   boolean reuseMask) {
    addDataCopyNative(name, data, rows, cols, config, reuseMask);
    borrowed.remove(name);
  }

  /** Removes an item (its mask and config); the caller's data is untouched. */
  public synchronized void removeData(String name) {
    removeDataNative(name);
    borrowed.remove(name);
  }
%}

/* delete(): also drops the borrowed buffers (after the native object is gone). */
%typemap(javadestruct, methodname="delete", methodmodifiers="public synchronized") datasparse::Sparsifier {
    // Closed from inside one of its own calls (a callback): native code still
    // reads the buffers until that call returns, so they stay referenced.
    boolean busy = swigCPtr != 0 && inCall();
    if (swigCPtr != 0) {
      if (swigCMemOwn) {
        swigCMemOwn = false;
        $jnicall;
      }
      swigCPtr = 0;
    }
    if (!busy) borrowed.clear();
  }

/* Schedules and factors written in Java are released by the GC only: the
 * native side may hold them (through a scheduler) at any time, so an early
 * delete() would leave it a dangling pointer. */
%typemap(javadestruct, methodname="delete", methodmodifiers="protected synchronized") datasparse::Schedule {
    if (swigCPtr != 0) {
      if (swigCMemOwn) {
        swigCMemOwn = false;
        $jnicall;
      }
      swigCPtr = 0;
    }
  }
%typemap(javadestruct, methodname="delete", methodmodifiers="protected synchronized") datasparse::LambdaFactor {
    if (swigCPtr != 0) {
      if (swigCMemOwn) {
        swigCMemOwn = false;
        $jnicall;
      }
      swigCPtr = 0;
    }
  }

/* BuiltinSchedule ---------------------------------------------------- */
%rename(lambdaNative) datasparse::BuiltinSchedule::lambda;
%javamethodmodifiers datasparse::BuiltinSchedule::lambda "private";

%typemap(javacode) datasparse::BuiltinSchedule %{
  /** Releases the native object now (the finaliser is only a safety net).
   * Calls after close() throw DatasparseException (DS_ERR_STATE); closing
   * twice does nothing. */
  @Override
  public void close() {
    delete();
  }

  /** Whether close() was called. */
  public boolean isClosed() {
    return swigCPtr == 0;
  }

  /* The factor of a lambda schedule: the native schedule points at it. */
  private LambdaFactor factor;

  /** base * factor.factor(epoch) (PyTorch's LambdaSL). The schedule, and any
   * scheduler made from it, keeps the factor alive. */
  public static BuiltinSchedule lambda(LambdaFactor factor) {
    BuiltinSchedule schedule = lambdaNative(factor);
    schedule.factor = factor;
    return schedule;
  }
%}

/* DataScheduler: keeps its sparsifier and its schedule reachable. ------ */
/* Every constructor takes (sparsifier, scheduleParam, schedule[, lastEpoch]). */
%typemap(javaconstruct) datasparse::DataScheduler {
    this($imcall, true);
    this.sparsifier = sparsifier;
    this.schedule = schedule;
  }

%typemap(javacode) datasparse::DataScheduler %{
  /** Releases the native object now (the finaliser is only a safety net).
   * Calls after close() throw DatasparseException (DS_ERR_STATE); closing
   * twice does nothing. */
  @Override
  public void close() {
    delete();
  }

  /** Whether close() was called. */
  public boolean isClosed() {
    return swigCPtr == 0;
  }

  /* The native scheduler borrows both: they must outlive it. */
  private Sparsifier sparsifier;
  private Object schedule;

  /** The sparsifier this scheduler drives. */
  public Sparsifier getSparsifier() {
    return sparsifier;
  }
%}


/* Logging (Java only for now): route the library's messages to Java. ---- */
%feature("director") datasparse::LogHandler;
/* A throwing handler must not fail the call that logged: drop the exception
 * (and keep no cause for a later DatasparseException). */
%feature("director:except") datasparse::LogHandler::log %{
  jthrowable $error = jenv->ExceptionOccurred();
  if ($error) {
    jenv->ExceptionClear();
    jenv->DeleteLocalRef($error);
  }
%}
%typemap(javaclassmodifiers) datasparse::LogHandler %{/**
 * Receives the library's log messages (e.g. a warning when data is replaced
 * under an existing name): subclass it, implement log, and install it.
 */
public abstract class%}
%javamethodmodifiers datasparse::LogHandler::log "public abstract";
%typemap(javaout) void datasparse::LogHandler::log ";"
%rename(installNative) datasparse::LogHandler::install;
%javamethodmodifiers datasparse::LogHandler::install "private";
%typemap(javadestruct, methodname="delete", methodmodifiers="protected synchronized") datasparse::LogHandler {
    if (swigCPtr != 0) {
      if (swigCMemOwn) {
        swigCMemOwn = false;
        $jnicall;
      }
      swigCPtr = 0;
    }
  }
%typemap(javacode) datasparse::LogHandler %{
  public static final int DEBUG = 0;
  public static final int INFO = 1;
  public static final int WARNING = 2;

  /* The installed handler: the native side calls it at any time. */
  private static LogHandler installed;

  /** Makes handler receive the library's messages (from every thread, on the
   * thread that caused them); null restores the default, which prints
   * warnings to stderr. An exception thrown by the handler is dropped. */
  public static synchronized void install(LogHandler handler) {
    installNative(handler);
    installed = handler;
  }

  /** The installed handler, or null for the default. */
  public static synchronized LogHandler installed() {
    return installed;
  }
%}

%inline %{
namespace datasparse {
/* Receives the library's log messages: subclass it and override log(level,
 * message), then install an instance (ds_set_log_handler). */
class LogHandler {
public:
    virtual ~LogHandler() {}
    virtual void log(int level, const std::string &message) = 0;
    static void install(LogHandler *handler) {
        ds_set_log_handler(handler ? &LogHandler::trampoline : nullptr, handler);
    }
#ifndef SWIG
    static void trampoline(void *self, int level, const char *message) {
        try {
            static_cast<LogHandler *>(self)->log(level, message ? message : "");
        } catch (...) {
            /* never into the library's frames */
        }
    }
#endif
};
}  // namespace datasparse
%}
