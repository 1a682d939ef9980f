/* Java surface of the interface ../swig/datasparse.i (package
 * org.datasparse; SWIG runs with -package org.datasparse). The shared
 * policy (allow-list, enums, exceptions, handles) is there; here are the
 * Java idioms:
 *
 *  - Handles (Config, the sparsifiers, DataScheduler, BuiltinSchedule) are
 *    AutoCloseable: close() releases the native object now; any later use,
 *    also as an argument, throws IllegalStateException (StateException).
 *    The wrapper itself is freed by a java.lang.ref.Cleaner once its proxy
 *    is unreachable (no finalize()). No SWIG internals are public: no
 *    delete(), swigCPtr, swigTakeOwnership(), swigValue(), module class.
 *  - Enums are real Java enums (Status, Norm, LogLevel) from datasparse.h.
 *  - Failures throw by meaning (Failures.java): IllegalArgumentException,
 *    NoSuchElementException, IllegalStateException, checked IOException
 *    subtypes for files and corrupt states, ..., each a DatasparseFailure
 *    carrying the status; a null argument is a NullPointerException naming
 *    the parameter.
 *  - Arrays (float[], double[], short[], byte[]) are copied; a direct
 *    buffer (FloatBuffer, DoubleBuffer, ShortBuffer, ByteBuffer) is borrowed
 *    zero-copy from its position. Tensors of any dtype, N-D shape and row
 *    stride: a DType and a shape (long...), or a TensorDesc. Lists of names
 *    are java.util.List.
 *  - Lifetimes: a sparsifier keeps the buffers it borrows, a DataScheduler
 *    its sparsifier and schedule, a lambda BuiltinSchedule its LambdaFactor,
 *    Library the installed LogHandler.
 *  - Arrays cross JNI in one bulk copy (Get/Set<Type>ArrayRegion), never
 *    element by element.
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

/* A NullPointerException naming the parameter, like Objects.requireNonNull. */
static void throwNull(JNIEnv *jenv, const char *parameter) {
    jenv->ExceptionClear();
    SWIG_JavaThrowException(jenv, SWIG_JavaNullPointerException, parameter);
}

static bool javaArrayLength(JNIEnv *jenv, size_t size) {
    if (size > static_cast<size_t>(INT_MAX)) {
        raise(jenv, {DS_ERR_INVALID_ARGUMENT, "the result is too large for a Java array", nullptr});
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
    jenv->DeleteLocalRef(stringClass);
    for (size_t i = 0; out && i < v.size(); ++i) {
        jstring s = jenv->NewStringUTF(v[i].c_str());
        if (!s) return nullptr;
        jenv->SetObjectArrayElement(out, static_cast<jsize>(i), s);
        jenv->DeleteLocalRef(s);
    }
    return out;
}

/* Copies a Java array into temp; false (with a Java exception pending) on failure. */
static bool fromByteArray(JNIEnv *jenv, jbyteArray in, std::vector<uint8_t> &temp, const char *parameter) {
    if (!in) {
        throwNull(jenv, parameter);
        return false;
    }
    temp.resize(static_cast<size_t>(jenv->GetArrayLength(in)));
    jenv->GetByteArrayRegion(in, 0, static_cast<jsize>(temp.size()), reinterpret_cast<jbyte *>(temp.data()));
    return !jenv->ExceptionCheck();
}

static bool fromFloatArray(JNIEnv *jenv, jfloatArray in, std::vector<float> &temp, const char *parameter) {
    if (!in) {
        throwNull(jenv, parameter);
        return false;
    }
    temp.resize(static_cast<size_t>(jenv->GetArrayLength(in)));
    jenv->GetFloatArrayRegion(in, 0, static_cast<jsize>(temp.size()), temp.data());
    return !jenv->ExceptionCheck();
}

static bool fromStringArray(JNIEnv *jenv, jobjectArray in, std::vector<std::string> &temp, const char *parameter) {
    if (!in) {
        throwNull(jenv, parameter);
        return false;
    }
    const jsize n = jenv->GetArrayLength(in);
    temp.clear();
    for (jsize i = 0; i < n; ++i) {
        jstring s = static_cast<jstring>(jenv->GetObjectArrayElement(in, i));
        if (!s) {
            throwNull(jenv, (std::string(parameter) + "[" + std::to_string(i) + "]").c_str());
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

static jlongArray toLongArray(JNIEnv *jenv, const std::vector<int64_t> &v) {
    if (!javaArrayLength(jenv, v.size())) return nullptr;
    jlongArray out = jenv->NewLongArray(static_cast<jsize>(v.size()));
    if (out) jenv->SetLongArrayRegion(out, 0, static_cast<jsize>(v.size()), reinterpret_cast<const jlong *>(v.data()));
    return out;
}

static bool fromLongArray(JNIEnv *jenv, jlongArray in, std::vector<int64_t> &temp, const char *parameter) {
    if (!in) {
        throwNull(jenv, parameter);
        return false;
    }
    temp.resize(static_cast<size_t>(jenv->GetArrayLength(in)));
    jenv->GetLongArrayRegion(in, 0, static_cast<jsize>(temp.size()), reinterpret_cast<jlong *>(temp.data()));
    return !jenv->ExceptionCheck();
}

static bool isInstance(JNIEnv *jenv, jobject object, const char *className) {
    jclass cls = jenv->FindClass(className);
    if (!cls) {
        jenv->ExceptionClear();
        return false;
    }
    const bool is = jenv->IsInstanceOf(object, cls) == JNI_TRUE;
    jenv->DeleteLocalRef(cls);
    return is;
}

/* Bytes per element of a NIO buffer the binding borrows (0: another kind). */
static size_t bufferElementSize(JNIEnv *jenv, jobject buffer) {
    if (isInstance(jenv, buffer, "java/nio/ByteBuffer")) return 1;
    if (isInstance(jenv, buffer, "java/nio/ShortBuffer")) return 2;
    if (isInstance(jenv, buffer, "java/nio/FloatBuffer")) return 4;
    if (isInstance(jenv, buffer, "java/nio/DoubleBuffer")) return 8;
    return 0;
}

/* A float[], double[] or short[] of tensor data: its element size (0: another kind). */
static size_t arrayElementSize(JNIEnv *jenv, jobject array) {
    if (isInstance(jenv, array, "[S")) return 2;
    if (isInstance(jenv, array, "[F")) return 4;
    if (isInstance(jenv, array, "[D")) return 8;
    return 0;
}

/* Copies a float[], double[] or short[] into temp (doubles: aligned for every
 * element type), in one bulk copy; false (with a Java exception pending) on failure. */
static bool fromTensorArray(JNIEnv *jenv, jobject in, std::vector<double> &temp, size_t &count, size_t &elementSize,
                            const char *parameter) {
    if (!in) {
        throwNull(jenv, parameter);
        return false;
    }
    elementSize = arrayElementSize(jenv, in);
    if (!elementSize) {
        raise(jenv, {DS_ERR_INVALID_ARGUMENT, std::string(parameter) + " must be a float[], double[] or short[]", nullptr});
        return false;
    }
    const jsize n = jenv->GetArrayLength(static_cast<jarray>(in));
    count = static_cast<size_t>(n);
    temp.resize((count * elementSize + sizeof(double) - 1) / sizeof(double));
    if (elementSize == 2)
        jenv->GetShortArrayRegion(static_cast<jshortArray>(in), 0, n, reinterpret_cast<jshort *>(temp.data()));
    else if (elementSize == 4)
        jenv->GetFloatArrayRegion(static_cast<jfloatArray>(in), 0, n, reinterpret_cast<jfloat *>(temp.data()));
    else
        jenv->GetDoubleArrayRegion(static_cast<jdoubleArray>(in), 0, n, reinterpret_cast<jdouble *>(temp.data()));
    return !jenv->ExceptionCheck();
}

/* Copies temp back into the array fromTensorArray read (one bulk copy). */
static void toTensorArray(JNIEnv *jenv, jobject out, const std::vector<double> &temp, size_t count, size_t elementSize) {
    const jsize n = static_cast<jsize>(count);
    if (elementSize == 2)
        jenv->SetShortArrayRegion(static_cast<jshortArray>(out), 0, n, reinterpret_cast<const jshort *>(temp.data()));
    else if (elementSize == 4)
        jenv->SetFloatArrayRegion(static_cast<jfloatArray>(out), 0, n, reinterpret_cast<const jfloat *>(temp.data()));
    else
        jenv->SetDoubleArrayRegion(static_cast<jdoubleArray>(out), 0, n, reinterpret_cast<const jdouble *>(temp.data()));
}

/* The Java proxies handed to updateMask (DataView, Config, MaskView) point at
 * objects that live only during the call: the director makes them, and a
 * guard zeroes their swigCPtr when the call returns (or throws), so a view
 * kept past its callback throws IllegalStateException (the shared check on
 * self) instead of touching freed memory. */
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
        throw datasparse::Error(DS_ERR_INTERNAL, "cannot create the Java view for updateMask");
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
        jthrowable pending = jenv_->ExceptionOccurred();  /* kept across the JNI calls below */
        if (pending) jenv_->ExceptionClear();
        jclass cls = jenv_->GetObjectClass(view_);
        jfieldID field = jenv_->GetFieldID(cls, "swigCPtr", "J");
        if (field) jenv_->SetLongField(view_, field, 0);
        jenv_->ExceptionClear();
        jenv_->DeleteLocalRef(cls);
        jenv_->DeleteLocalRef(view_);
        if (pending) {
            jenv_->Throw(pending);
            jenv_->DeleteLocalRef(pending);
        }
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
 * The module: no public module class (Library is the public face); the
 * JNI class is package-private and loads the library (NativeLoader).
 * --------------------------------------------------------------------- */
%pragma(java) moduleclassmodifiers="final class"
%pragma(java) jniclassclassmodifiers="final class"
%pragma(java) jniclasscode=%{
  static {
    NativeLoader.load();
  }
%}
%rename(statusName) ds_status_string;
%javamethodmodifiers ds_status_string "";
%javamethodmodifiers datasparse::version "";

/* ---------------------------------------------------------------------
 * Enums: real Java enums with the C values (value(), of(int)).
 * --------------------------------------------------------------------- */
%include <enums.swg>
%javaconst(1);
%typemap(javabody) enum SWIGTYPE %{
  private final int value;

  private $javaclassname(int value) {
    this.value = value;
  }

  /**
   * The value of this constant in the C API ({@code datasparse.h}).
   *
   * @return the C value
   */
  public int value() {
    return value;
  }

  /* The constant of a C value. */
  static $javaclassname of(int value) {
    for ($javaclassname constant : values())
      if (constant.value == value) return constant;
    throw new IllegalArgumentException("no $javaclassname has the value " + value);
  }
%}
%typemap(javain) enum SWIGTYPE "java.util.Objects.requireNonNull($javainput, \"$javainput\").value()"
%typemap(javaout) enum SWIGTYPE {
    return $javaclassname.of($jnicall);
  }
%typemap(javadirectorin) enum SWIGTYPE "$javaclassname.of($jniinput)"
%typemap(javadirectorout) enum SWIGTYPE "($javacall).value()"

%typemap(javaclassmodifiers) enum ds_status %{/**
 * The status of a failed call, as the C API's {@code ds_status}: every
 * exception of the library is a {@link DatasparseFailure} carrying one.
 * {@code OK}: success; {@code INVALID_ARGUMENT}: an argument is malformed or
 * out of range; {@code NOT_FOUND}: no item or key of that name;
 * {@code SHAPE}: shapes do not agree; {@code STATE}: not possible in the
 * object's state (closed, squashed, inside a callback); {@code CALLBACK}: a
 * callback failed; {@code CORRUPT}: a saved state is malformed; {@code IO}:
 * reading or writing a file failed; {@code NO_MEMORY}: an allocation failed;
 * {@code UNSUPPORTED}: not possible in this build; {@code INTERNAL}: a bug in
 * datasparse.
 */
public enum%}
%typemap(javaclassmodifiers) enum ds_norm %{/**
 * The block score of a {@link DataNormSparsifier}: the mean of |x| ({@code L1})
 * or of x*x ({@code L2}) over the block's elements.
 */
public enum%}
%typemap(javaclassmodifiers) enum ds_dtype %{/**
 * The element type of a data item: {@code FLOAT32}, {@code FLOAT64},
 * {@code FLOAT16} (IEEE 754 binary16) or {@code BFLOAT16} (the upper 16 bits
 * of a float32). Java has no 16-bit float: float16 and bfloat16 data are
 * their bits, in a {@code short[]}, a {@link java.nio.ShortBuffer} or a
 * {@link java.nio.ByteBuffer}. Scores of float16 and bfloat16 data are those
 * of the same values in float32, so their masks are too; float64 data is
 * scored in double.
 */
public enum%}
%typemap(javaclassmodifiers) enum ds_log_level %{/**
 * The level of a log message: {@code DEBUG}, {@code INFO} (e.g. a verbose
 * scheduler's values) or {@code WARNING} (e.g. data replaced under an
 * existing name).
 */
public enum%}

/* ---------------------------------------------------------------------
 * Proxies: one body for every class. Owned objects are deleted by a
 * Cleaner when their proxy becomes unreachable (for a handle, close() has
 * usually released the native object long before); nothing is public.
 * --------------------------------------------------------------------- */
%typemap(javabody) SWIGTYPE %{
  private transient long swigCPtr;

  $javaclassname(long cPtr, boolean cMemoryOwn) {
    swigCPtr = cPtr;
    if (cMemoryOwn) NativeObjects.deleteWhenUnreachable(this, cPtr, $imclassname::delete_$javaclassname);
  }

  static long getCPtr($javaclassname obj) {
    return (obj == null) ? 0 : obj.swigCPtr;
  }
%}
%typemap(javabody_derived) SWIGTYPE %{
  private transient long swigCPtr;

  $javaclassname(long cPtr, boolean cMemoryOwn) {
    super($imclassname.$javaclazznameSWIGUpcast(cPtr), cMemoryOwn);
    swigCPtr = cPtr;
  }

  static long getCPtr($javaclassname obj) {
    return (obj == null) ? 0 : obj.swigCPtr;
  }
%}
/* The views are never owned (they belong to the running callback). */
%typemap(javabody) datasparse::DataView, datasparse::MaskView, datasparse::AllreduceCounts %{
  private transient long swigCPtr;

  $javaclassname(long cPtr, boolean cMemoryOwn) {
    swigCPtr = cPtr;
  }

  static long getCPtr($javaclassname obj) {
    return (obj == null) ? 0 : obj.swigCPtr;
  }
%}
%typemap(javafinalize) SWIGTYPE ""
%typemap(javadestruct, methodname="delete", methodmodifiers="private") SWIGTYPE ""
%typemap(javadestruct_derived, methodname="delete", methodmodifiers="private") SWIGTYPE ""
%typemap(directorowner_take, methodname="swigTakeOwnership") SWIGTYPE %{
%}
%typemap(directorowner_release, methodname="swigReleaseOwnership") SWIGTYPE %{
%}
/* Called by a director's C++ destructor if its Java object still exists. */
%typemap(directordisconnect, methodname="swigDirectorDisconnect") SWIGTYPE %{
  private void $methodname() {
    swigCPtr = 0;
  }
%}

/* A null argument is a NullPointerException naming the parameter. */
%typemap(javain) const std::string & "java.util.Objects.requireNonNull($javainput, \"$javainput\")"
%typemap(javain) SWIGTYPE &, const SWIGTYPE & "$javaclassname.getCPtr(java.util.Objects.requireNonNull($javainput, \"$javainput\"))"

/* The handle classes: AutoCloseable; close() is C++ close(). */
%define DS_JAVA_HANDLE(TYPE, WHAT)
%typemap(javainterfaces) TYPE "AutoCloseable"
%rename(closeNative) TYPE::close;
%javamethodmodifiers TYPE::close "private";
%javamethodmodifiers TYPE::isClosed "
  /**
   * Whether {@link #close()} was called.
   *
   * @return true once closed
   */
  public";
%enddef
DS_JAVA_HANDLE(datasparse::Config, "config")
DS_JAVA_HANDLE(datasparse::Sparsifier, "sparsifier")
DS_JAVA_HANDLE(datasparse::DataScheduler, "scheduler")
DS_JAVA_HANDLE(datasparse::BuiltinSchedule, "schedule")

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
  if (!ds_java::fromByteArray(jenv, $input, temp, "$1_name")) return $null;
  $1 = &temp;
%}

/* std::vector<float> -> float[] */
%typemap(jni) std::vector<float> "jfloatArray"
%typemap(jtype) std::vector<float> "float[]"
%typemap(jstype) std::vector<float> "float[]"
%typemap(javaout) std::vector<float> { return $jnicall; }
%typemap(out) std::vector<float> %{ $result = ds_java::toFloatArray(jenv, $1); %}

/* std::vector<std::string> -> an unmodifiable List<String> (names, keys) */
%typemap(jni) std::vector<std::string> "jobjectArray"
%typemap(jtype) std::vector<std::string> "String[]"
%typemap(jstype) std::vector<std::string> "java.util.List<String>"
%typemap(javaout) std::vector<std::string> { return java.util.List.of($jnicall); }
%typemap(out) std::vector<std::string> %{ $result = ds_java::toStringArray(jenv, $1); %}

%typemap(jni) const std::vector<std::string> & "jobjectArray"
%typemap(jtype) const std::vector<std::string> & "String[]"
%typemap(jstype) const std::vector<std::string> & "String[]"
%typemap(javain) const std::vector<std::string> & "$javainput"
%typemap(in) const std::vector<std::string> & (std::vector<std::string> temp) %{
  if (!ds_java::fromStringArray(jenv, $input, temp, "$1_name")) return $null;
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
  if (!ds_java::fromByteArray(jenv, $input, temp, "out")) return $null;
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
  if (!ds_java::fromFloatArray(jenv, $input, temp, "out")) return $null;
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
  if (!ds_java::fromFloatArray(jenv, $input, temp, "data")) return $null;
  $1 = temp.data();
  $2 = temp.size();
%}

%typemap(jni) (const uint8_t *values, size_t count) "jbyteArray"
%typemap(jtype) (const uint8_t *values, size_t count) "byte[]"
%typemap(jstype) (const uint8_t *values, size_t count) "byte[]"
%typemap(javain) (const uint8_t *values, size_t count) "$javainput"
%typemap(in) (const uint8_t *values, size_t count) (std::vector<uint8_t> temp) %{
  if (!ds_java::fromByteArray(jenv, $input, temp, "values")) return $null;
  $1 = temp.data();
  $2 = temp.size();
%}

/* (data, count) borrowed zero-copy from a direct FloatBuffer: the Java side
 * (Sparsifier.addData) checks it and passes its slice(), whose capacity is
 * the caller's remaining(). */
%typemap(jni) (float *data, size_t count) "jobject"
%typemap(jtype) (float *data, size_t count) "java.nio.FloatBuffer"
%typemap(jstype) (float *data, size_t count) "java.nio.FloatBuffer"
%typemap(javain) (float *data, size_t count) "$javainput"
%typemap(in) (float *data, size_t count) %{
  if (!$input) {
    ds_java::throwNull(jenv, "data");
    return $null;
  }
  $1 = static_cast<float *>(jenv->GetDirectBufferAddress($input));
  if (!$1) {
    ds_java::raise(jenv, {DS_ERR_INVALID_ARGUMENT, "data must be a direct FloatBuffer", nullptr});
    return $null;
  }
  $2 = static_cast<size_t>(jenv->GetDirectBufferCapacity($input));
%}

/* Tensors: (data, count, elementSize) borrowed zero-copy from any direct
 * NIO buffer the Java side checked and sliced (its capacity is the caller's
 * remaining(); a ByteBuffer counts bytes, the others their elements). */
%typemap(jni) (void *data, size_t count, size_t elementSize) "jobject"
%typemap(jtype) (void *data, size_t count, size_t elementSize) "java.nio.Buffer"
%typemap(jstype) (void *data, size_t count, size_t elementSize) "java.nio.Buffer"
%typemap(javain) (void *data, size_t count, size_t elementSize) "$javainput"
%typemap(in) (void *data, size_t count, size_t elementSize) %{
  if (!$input) {
    ds_java::throwNull(jenv, "data");
    return $null;
  }
  $3 = ds_java::bufferElementSize(jenv, $input);
  {
    const jlong capacity = $3 ? jenv->GetDirectBufferCapacity($input) : -1;
    if (capacity < 0) {
      ds_java::raise(jenv, {DS_ERR_INVALID_ARGUMENT,
                            "data must be a direct ByteBuffer, ShortBuffer, FloatBuffer or DoubleBuffer", nullptr});
      return $null;
    }
    $1 = jenv->GetDirectBufferAddress($input);
    $2 = static_cast<size_t>(capacity);
  }
%}

/* Tensors copied from a float[], double[] or short[] (in one bulk copy). */
%typemap(jni) (const void *data, size_t count, size_t elementSize) "jobject"
%typemap(jtype) (const void *data, size_t count, size_t elementSize) "Object"
%typemap(jstype) (const void *data, size_t count, size_t elementSize) "Object"
%typemap(javain) (const void *data, size_t count, size_t elementSize) "$javainput"
%typemap(in) (const void *data, size_t count, size_t elementSize) (std::vector<double> temp) %{
  if (!ds_java::fromTensorArray(jenv, $input, temp, $2, $3, "data")) return $null;
  $1 = temp.data();
%}

/* A tensor's data read into a caller's float[], double[] or short[], written
 * only on success (elements past the item keep their values). */
%typemap(jni) (void *out, size_t count, size_t elementSize) "jobject"
%typemap(jtype) (void *out, size_t count, size_t elementSize) "Object"
%typemap(jstype) (void *out, size_t count, size_t elementSize) "Object"
%typemap(javain) (void *out, size_t count, size_t elementSize) "$javainput"
%typemap(in) (void *out, size_t count, size_t elementSize) (std::vector<double> temp) %{
  if (!ds_java::fromTensorArray(jenv, $input, temp, $2, $3, "out")) return $null;
  $1 = temp.data();
%}
%typemap(argout) (void *out, size_t count, size_t elementSize) %{
  ds_java::toTensorArray(jenv, $input, temp$argnum, $2, $3);
%}

/* Shapes: long[] */
%typemap(jni) const std::vector<int64_t> & "jlongArray"
%typemap(jtype) const std::vector<int64_t> & "long[]"
%typemap(jstype) const std::vector<int64_t> & "long[]"
%typemap(javain) const std::vector<int64_t> & "$javainput"
%typemap(in) const std::vector<int64_t> & (std::vector<int64_t> temp) %{
  if (!ds_java::fromLongArray(jenv, $input, temp, "$1_name")) return $null;
  $1 = &temp;
%}
%typemap(jni) std::vector<int64_t> "jlongArray"
%typemap(jtype) std::vector<int64_t> "long[]"
%typemap(jstype) std::vector<int64_t> "long[]"
%typemap(javaout) std::vector<int64_t> { return $jnicall; }
%typemap(out) std::vector<int64_t> %{ $result = ds_java::toLongArray(jenv, $1); %}

/* updateMask's arguments: Java proxies made by the director and detached
 * when the call ends (ds_java::CallbackViewGuard). */
%define DS_JAVA_CALLBACK_VIEW(CTYPE, JCLASS)
%typemap(jni) CTYPE "jobject"
%typemap(jtype) CTYPE "JCLASS"
%typemap(jstype) CTYPE "JCLASS"
%typemap(javain) CTYPE "$javainput"
%typemap(in) CTYPE %{
  $1 = static_cast<$1_ltype>(ds_java::callbackViewPointer(jenv, $input));
  if (!$1) {
    ds_java::raise(jenv, ds_binding::expired("JCLASS"));
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

/* ---------------------------------------------------------------------
 * Config
 * --------------------------------------------------------------------- */
%ignore datasparse::Config::keyAt;
%typemap(javaclassmodifiers) datasparse::Config %{/**
 * A map from key to a finite double: the defaults of a sparsifier, or one
 * item's overrides. {@code new Config().with("sparsity_level", 0.5)}.
 * Close it (try-with-resources) to release the native object now.
 */
public class%}
%javamethodmodifiers datasparse::Config::Config() "
  /** An empty config. */
  public";
%javamethodmodifiers datasparse::Config::Config(const Config &) "
  /**
   * A copy of other.
   *
   * @param other the config to copy
   * @throws IllegalStateException if other is closed
   */
  public";
%javamethodmodifiers datasparse::Config::set "
  /**
   * Sets key to value.
   *
   * @param key a non-empty key
   * @param value a finite value
   * @throws IllegalArgumentException for an empty key or a NaN or infinite value
   */
  public";
%javamethodmodifiers datasparse::Config::get "
  /**
   * The value of key.
   *
   * @param key the key
   * @return its value
   * @throws java.util.NoSuchElementException if the key is absent
   */
  public";
%javamethodmodifiers datasparse::Config::contains "
  /**
   * Whether key is set.
   *
   * @param key the key
   * @return true if it is
   */
  public";
%javamethodmodifiers datasparse::Config::remove "
  /**
   * Removes key.
   *
   * @param key the key
   * @throws java.util.NoSuchElementException if the key is absent
   */
  public";
%javamethodmodifiers datasparse::Config::size "
  /**
   * The number of keys.
   *
   * @return the number of keys
   */
  public";
%javamethodmodifiers datasparse::Config::keys "
  /**
   * The keys, in ascending byte order.
   *
   * @return an unmodifiable list of the keys
   */
  public";
%typemap(javacode) datasparse::Config %{
  /**
   * Releases the native config now; any later use throws
   * IllegalStateException. Closing twice does nothing.
   */
  @Override
  public void close() {
    closeNative();
  }

  /**
   * Sets key to value and returns this config, for chaining.
   *
   * @param key a non-empty key
   * @param value a finite value
   * @return this config
   * @throws IllegalArgumentException for an empty key or a NaN or infinite value
   */
  public Config with(String key, double value) {
    set(key, value);
    return this;
  }

  /**
   * The keys and values, in ascending byte order of the keys.
   *
   * @return a new map
   */
  public java.util.SortedMap<String, Double> toMap() {
    java.util.SortedMap<String, Double> out = new java.util.TreeMap<>();
    for (String key : keys()) out.put(key, get(key));
    return out;
  }

  /**
   * The keys and values, as {@code {a=1.0, b=2.0}}.
   *
   * @return the text
   */
  @Override
  public String toString() {
    return isClosed() ? "Config(closed)" : toMap().toString();
  }
%}

/* ---------------------------------------------------------------------
 * Views handed to updateMask
 * --------------------------------------------------------------------- */
%typemap(javaclassmodifiers) datasparse::DataView %{/**
 * A read-only view of an item's data, valid only during the
 * {@link DataSparsifier#updateMask} call that received it (afterwards every
 * call throws IllegalStateException).
 */
public final class%}
%typemap(javaclassmodifiers) datasparse::MaskView %{/**
 * A writable view of an item's mask (1 = keep, 0 = zero), valid only during
 * the {@link DataSparsifier#updateMask} call that received it (afterwards
 * every call throws IllegalStateException).
 */
public final class%}
%define DS_JAVA_VIEW_SHAPE(TYPE, WHAT)
%javamethodmodifiers TYPE::rows "
  /**
   * The item's number of rows.
   *
   * @return the rows
   */
  public";
%javamethodmodifiers TYPE::cols "
  /**
   * The item's number of columns.
   *
   * @return the columns
   */
  public";
%javamethodmodifiers TYPE::size "
  /**
   * The number of elements, rows() * cols().
   *
   * @return the element count
   */
  public";
%javamethodmodifiers TYPE::copyTo "
  /**
   * Copies the WHAT, row-major, into out.
   *
   * @param out an array of at least rows() * cols() elements
   * @throws IllegalArgumentException if out is too small
   */
  public";
%enddef
DS_JAVA_VIEW_SHAPE(datasparse::DataView, data)
DS_JAVA_VIEW_SHAPE(datasparse::MaskView, mask)
%javamethodmodifiers datasparse::DataView::get "
  /**
   * One element.
   *
   * @param row its row
   * @param col its column
   * @return the element
   * @throws IllegalArgumentException outside the item
   */
  public";
%javamethodmodifiers datasparse::MaskView::get "
  /**
   * One mask element.
   *
   * @param row its row
   * @param col its column
   * @return 1 (keep) or 0 (zero)
   * @throws IllegalArgumentException outside the item
   */
  public";
%javamethodmodifiers datasparse::MaskView::set "
  /**
   * Sets one mask element.
   *
   * @param row its row
   * @param col its column
   * @param value 1 (keep) or 0 (zero)
   * @throws IllegalArgumentException outside the item, or for another value
   */
  public";
%javamethodmodifiers datasparse::MaskView::fill "
  /**
   * Sets every mask element.
   *
   * @param value 1 (keep) or 0 (zero)
   * @throws IllegalArgumentException for another value
   */
  public";
%javamethodmodifiers datasparse::MaskView::copyFrom "
  /**
   * Replaces the mask, row-major.
   *
   * @param values at least rows() * cols() values, each 0 or 1
   * @throws IllegalArgumentException if values is too short or holds another value
   */
  public";
%javamethodmodifiers datasparse::DataView::toArray "
  /**
   * A copy of the data, row-major.
   *
   * @return rows() * cols() floats
   */
  public";
%javamethodmodifiers datasparse::MaskView::toArray "
  /**
   * A copy of the mask, row-major.
   *
   * @return rows() * cols() bytes, each 0 or 1
   */
  public";

/* Java's own additions to the allow-list. */
%rename("%s") datasparse::DataView::toArray;
%rename("%s") datasparse::MaskView::toArray;
%extend datasparse::DataView {
  /** A copy of the data, row-major (rows() * cols() floats).
   *
   * @return the data
   */
  std::vector<float> toArray() const {
    std::vector<float> out($self->size());
    $self->copyTo(out.data(), out.size());
    return out;
  }
}
%extend datasparse::MaskView {
  /** A copy of the mask, row-major (rows() * cols() bytes, each 0 or 1).
   *
   * @return the mask
   */
  std::vector<uint8_t> toArray() const {
    std::vector<uint8_t> out($self->size());
    $self->copyTo(out.data(), out.size());
    return out;
  }
}
/* ---------------------------------------------------------------------
 * Sparsifiers
 * --------------------------------------------------------------------- */
%typemap(javaclassmodifiers) datasparse::Sparsifier %{/**
 * What the sparsifiers share: named data items, each with a config and a
 * mask (1 = keep, 0 = zero) that {@link #step()} recomputes. An item is a
 * tensor ({@link TensorDesc}) of float32, float64, float16 or bfloat16
 * elements ({@link DType}), of 1 to 8 dimensions, sparsified as the
 * row-major matrix (d0 * ... * d(k-1)) x dk, possibly with a row stride (a
 * view into a bigger buffer). Data is borrowed zero-copy from a direct
 * buffer ({@link java.nio.FloatBuffer}, {@link java.nio.DoubleBuffer},
 * {@link java.nio.ShortBuffer}, {@link java.nio.ByteBuffer}) or copied from
 * a {@code float[]}, {@code double[]} or {@code short[]} (an array is always
 * copied, a buffer always borrowed). Close it (try-with-resources) to
 * release the native object. Calls on one sparsifier (and its schedulers)
 * must not overlap.
 */
public abstract class%}
%typemap(javaclassmodifiers) datasparse::DataNormSparsifier %{/**
 * PyTorch's DataNormSparsifier: zeroes the lowest-norm blocks (L1 or L2) of
 * each item. Config keys: sparsity_level (0.5), block_rows (1), block_cols
 * (4), zeros_per_block (block_rows * block_cols).
 */
public class%}
%typemap(javaclassmodifiers) datasparse::DataSparsifier %{/**
 * A sparsifier whose masks you compute: subclass it and implement
 * {@link #updateMask}, which {@link #step()} calls once per item with the
 * item's data, its merged config and its current mask to modify. The views
 * are valid only during the call. An exception thrown there fails the step
 * (no mask changes) with a {@link CallbackException} whose cause it is.
 */
public abstract class%}

%rename(addDataBorrowedNative) datasparse::Sparsifier::addDataBorrowed;
%rename(addDataCopyNative) datasparse::Sparsifier::addDataCopy;
%rename(addTensorBorrowedNative) datasparse::Sparsifier::addTensorBorrowed;
%rename(addTensorCopyNative) datasparse::Sparsifier::addTensorCopy;
%rename(getDtypeNative) datasparse::Sparsifier::getDtype;
%rename(getShapeNative) datasparse::Sparsifier::getShape;
%rename(getRowStrideNative) datasparse::Sparsifier::getRowStride;
%rename(getTensorDataNative) datasparse::Sparsifier::getTensorData;
%javamethodmodifiers datasparse::Sparsifier::addTensorBorrowed "private";
%javamethodmodifiers datasparse::Sparsifier::addTensorCopy "private";
%javamethodmodifiers datasparse::Sparsifier::getDtype "private";
%javamethodmodifiers datasparse::Sparsifier::getShape "private";
%javamethodmodifiers datasparse::Sparsifier::getRowStride "private";
%javamethodmodifiers datasparse::Sparsifier::getTensorData "private";
%rename(removeDataNative) datasparse::Sparsifier::removeData;
%rename(squashMaskNative) datasparse::Sparsifier::squashMask;
%rename(squashAllNative) datasparse::Sparsifier::squashAll;
%rename(saveNative) datasparse::Sparsifier::save;
%rename(loadNative) datasparse::Sparsifier::load;
%rename(saveToBytesNative) datasparse::Sparsifier::saveToBytes;
%rename(loadFromBytesNative) datasparse::Sparsifier::loadFromBytes;
%rename(isMaskUpdate) datasparse::Sparsifier::getMaskUpdate;
%javamethodmodifiers datasparse::Sparsifier::addDataBorrowed "private";
%javamethodmodifiers datasparse::Sparsifier::addDataCopy "private";
%javamethodmodifiers datasparse::Sparsifier::removeData "private";
%javamethodmodifiers datasparse::Sparsifier::squashMask "private";
%javamethodmodifiers datasparse::Sparsifier::squashAll "private";
%javamethodmodifiers datasparse::Sparsifier::save "private";
%javamethodmodifiers datasparse::Sparsifier::load "private";
%javamethodmodifiers datasparse::Sparsifier::saveToBytes "private";
%javamethodmodifiers datasparse::Sparsifier::loadFromBytes "private";
%javamethodmodifiers datasparse::Sparsifier::inCall "private";
%ignore datasparse::Sparsifier::nameAt;
/* Groups and shards: the public methods are the javacode's below. */
%rename(addShardBorrowedNative) datasparse::Sparsifier::addShardBorrowed;
%rename(addShardCopyNative) datasparse::Sparsifier::addShardCopy;
%rename(setGroupNative) datasparse::Sparsifier::setGroup;
%rename(removeGroupNative) datasparse::Sparsifier::removeGroup;
%rename(setAllreduceNative) datasparse::Sparsifier::setAllreduce;
%javamethodmodifiers datasparse::Sparsifier::addShardBorrowed "private";
%javamethodmodifiers datasparse::Sparsifier::addShardCopy "private";
%javamethodmodifiers datasparse::Sparsifier::setGroup "private";
%javamethodmodifiers datasparse::Sparsifier::removeGroup "private";
%javamethodmodifiers datasparse::Sparsifier::setAllreduce "private";
%javamethodmodifiers datasparse::Sparsifier::groupCount "private";
%javamethodmodifiers datasparse::Sparsifier::groupNames "private";
%javamethodmodifiers datasparse::Sparsifier::groupMembers "private";
%javamethodmodifiers datasparse::Sparsifier::getShardGlobalRows "private";
%javamethodmodifiers datasparse::Sparsifier::getShardFirstRow "private";
%javamethodmodifiers datasparse::Sparsifier::lastExchanges "private";
%javamethodmodifiers datasparse::Sparsifier::lastExchangeBytes "private";
/* The director behind Sparsifier.setAllreduce (package-private: the public
 * type is the functional interface org.datasparse.Allreduce). */
%rename(AllreduceNative) datasparse::Allreduce;
%typemap(javaclassmodifiers) datasparse::Allreduce "abstract class";
%javamethodmodifiers datasparse::Allreduce::Allreduce "";
%javamethodmodifiers datasparse::Allreduce::sum "abstract";
%typemap(javaout) void datasparse::Allreduce::sum ";"
%typemap(javaclassmodifiers) datasparse::AllreduceCounts "final class";
%javamethodmodifiers datasparse::AllreduceCounts::size "";
%javamethodmodifiers datasparse::AllreduceCounts::get "";
%javamethodmodifiers datasparse::AllreduceCounts::set "";

%javamethodmodifiers datasparse::Sparsifier::step "
  /**
   * Recomputes every (non-squashed) item's mask from its current data and
   * config, if mask update is enabled. All-or-nothing: on failure no mask
   * changes.
   *
   * @throws CallbackException if an updateMask (of a {@link DataSparsifier}) threw
   */
  public";
%javamethodmodifiers datasparse::Sparsifier::getMask(const std::string &, uint8_t *, size_t) const "
  /**
   * Copies the item's mask, row-major, into out (written only on success;
   * elements past the item keep their values).
   *
   * @param name the item
   * @param out an array of at least rows * cols bytes
   * @throws java.util.NoSuchElementException for an unknown item
   * @throws IllegalArgumentException if out is too small
   * @throws IllegalStateException after the item was squashed
   */
  public";
%javamethodmodifiers datasparse::Sparsifier::getData(const std::string &, bool, float *, size_t) const "
  /**
   * Copies the item's data, row-major, into out (see {@link #getData(String, boolean)}).
   *
   * @param name the item
   * @param original true: the data as the caller holds it; false: data * mask
   * @param out an array of at least rows * cols floats
   * @throws java.util.NoSuchElementException for an unknown item
   * @throws IllegalArgumentException if out is too small
   * @throws IllegalStateException for the original after a squash
   */
  public";
%javamethodmodifiers datasparse::Sparsifier::getParam "
  /**
   * A config value of an item (a norm sparsifier reports the effective
   * zeros_per_block even when it was not set).
   *
   * @param name the item
   * @param key the config key
   * @return the value
   * @throws java.util.NoSuchElementException for an unknown item or key
   */
  public";
%javamethodmodifiers datasparse::Sparsifier::setParam "
  /**
   * Sets a config value of an item, checked like addData's config.
   *
   * @param name the item
   * @param key the config key
   * @param value the value
   * @throws java.util.NoSuchElementException for an unknown item
   * @throws IllegalArgumentException for a value the sparsifier refuses
   */
  public";
%javamethodmodifiers datasparse::Sparsifier::getConfig "
  /**
   * A copy of the item's merged config (close it when done).
   *
   * @param name the item
   * @return a new config
   * @throws java.util.NoSuchElementException for an unknown item
   */
  public";
%javamethodmodifiers datasparse::Sparsifier::setMaskUpdate "
  /**
   * Enables or disables mask updates by {@link #step()}.
   *
   * @param enabled whether step() recomputes the masks
   */
  public";
%javamethodmodifiers datasparse::Sparsifier::getMaskUpdate "
  /**
   * Whether {@link #step()} recomputes the masks.
   *
   * @return true if mask update is enabled
   */
  public";
%javamethodmodifiers datasparse::Sparsifier::size "
  /**
   * The number of registered items.
   *
   * @return the item count
   */
  public";
%javamethodmodifiers datasparse::Sparsifier::names "
  /**
   * The item names, in the order they were first added.
   *
   * @return an unmodifiable list of the names
   */
  public";
%javamethodmodifiers datasparse::Sparsifier::contains "
  /**
   * Whether an item of that name is registered.
   *
   * @param name the item
   * @return true if it is
   */
  public";
%javamethodmodifiers datasparse::Sparsifier::rows "
  /**
   * The item's number of rows (1 for 1-D data).
   *
   * @param name the item
   * @return the rows
   * @throws java.util.NoSuchElementException for an unknown item
   */
  public";
%javamethodmodifiers datasparse::Sparsifier::cols "
  /**
   * The item's number of columns.
   *
   * @param name the item
   * @return the columns
   * @throws java.util.NoSuchElementException for an unknown item
   */
  public";
%javamethodmodifiers datasparse::Sparsifier::getSparsity "
  /**
   * The fraction of the item's mask that is zero.
   *
   * @param name the item
   * @return a value in [0, 1]
   * @throws java.util.NoSuchElementException for an unknown item
   * @throws IllegalStateException after the item was squashed
   */
  public";
%javamethodmodifiers datasparse::Sparsifier::isSquashed "
  /**
   * Whether the item's mask was squashed.
   *
   * @param name the item
   * @return true once squashed
   * @throws java.util.NoSuchElementException for an unknown item
   */
  public";
%javamethodmodifiers datasparse::Sparsifier::stepCount "
  /**
   * The number of successful {@link #step()} calls.
   *
   * @return the step count
   */
  public";

%javamethodmodifiers datasparse::Sparsifier::getMask "
  /**
   * A copy of the item's mask: one byte per element, row-major in the
   * item's shape (element (i0, ..., ik) at {@code getDesc(name).index(i0, ..., ik)}).
   *
   * @param name the item
   * @return rows * cols bytes, 1 = keep, 0 = zero
   * @throws java.util.NoSuchElementException for an unknown item
   * @throws IllegalStateException after the item was squashed
   */
  public";
%javamethodmodifiers datasparse::Sparsifier::getData "
  /**
   * A copy of a float32 item's data, contiguous and row-major in its shape
   * (items of other dtypes: {@link #getDoubleData}, {@link #getShortData}).
   *
   * @param name the item
   * @param original true: the data as the caller holds it (not available
   *     after a squash); false: the data with every masked element 0
   * @return rows * cols floats
   * @throws java.util.NoSuchElementException for an unknown item
   * @throws IllegalArgumentException for an item of another dtype
   * @throws IllegalStateException for the original after a squash
   */
  public";

%extend datasparse::Sparsifier {
  std::vector<uint8_t> getMask(const std::string &name) const {
    std::vector<uint8_t> out(static_cast<size_t>($self->rows(name) * $self->cols(name)));
    $self->getMask(name, out.data(), out.size());
    return out;
  }
  std::vector<float> getData(const std::string &name, bool original) const {
    std::vector<float> out(static_cast<size_t>($self->rows(name) * $self->cols(name)));
    $self->getData(name, original, out.data(), out.size());
    return out;
  }
}

%typemap(javacode) datasparse::Sparsifier %{
  /* The direct buffers borrowed by name: the native side holds their
   * addresses, so they must stay reachable while registered. */
  private final java.util.Map<String, java.nio.Buffer> borrowed = new java.util.HashMap<>();

  /* The allreduce set (its director), kept reachable while set. */
  private AllreduceNative allreduce;

  /**
   * Registers a float32 shard, borrowed zero-copy (see
   * {@link #addShard(String, java.nio.Buffer, TensorDesc, long, long, Config, boolean)}).
   *
   * @param name a non-empty name without '.'
   * @param data a direct, writable, native-order buffer (may have nothing
   *     remaining when shape[0] is 0)
   * @param globalRows the rows of the whole tensor
   * @param firstRow the first of them this shard holds
   * @param shape this shard's sizes (at least 2, shape[0] may be 0)
   * @throws IllegalArgumentException for a bad name, shape, buffer or rows
   */
  public void addShard(String name, java.nio.FloatBuffer data, long globalRows, long firstRow, long... shape) {
    addShard(name, data, new TensorDesc(DType.FLOAT32, shape), globalRows, firstRow, null, false);
  }

  /**
   * Registers a shard, borrowed zero-copy: rows [firstRow, firstRow + rows)
   * of the matrix view of a tensor of globalRows rows (rows: the product of
   * every size but the last) whose other rows other participants hold,
   * joined by {@link #setAllreduce}. The masks are those one sparsifier
   * holding the whole tensor would compute. desc's first size may be 0 (a
   * participant holding none of the rows). firstRow must be a multiple of
   * the item's block_rows, and a shard that is not the last must hold a
   * multiple of block_rows rows (checked at each step). Otherwise as
   * {@link #addData(String, java.nio.Buffer, TensorDesc, Config, boolean)}.
   *
   * @param name a non-empty name without '.'
   * @param data a direct, writable buffer in native byte order
   * @param desc this shard's tensor: dtype, shape (at least 2 sizes) and row stride
   * @param globalRows the rows of the whole tensor (at least 1)
   * @param firstRow the first row this shard holds
   * @param config overrides of the defaults for this item, or null
   * @param reuseMask keep the mask of the item replaced (same matrix shape needed)
   * @throws IllegalArgumentException for a bad name, descriptor, buffer, rows or config value
   * @throws IllegalStateException if config is closed
   */
  public synchronized void addShard(String name, java.nio.Buffer data, TensorDesc desc, long globalRows,
                                    long firstRow, Config config, boolean reuseMask) {
    java.util.Objects.requireNonNull(name, "name");
    checkBorrowable(java.util.Objects.requireNonNull(data, "data"));
    java.util.Objects.requireNonNull(desc, "desc");
    addShardBorrowedNative(name, data.slice(), desc.dtype(), desc.shapeArray(), desc.rowStride(), globalRows,
                           firstRow, config, reuseMask);
    borrowed.put(name, data);
  }

  /**
   * Registers a copy of a float32 shard (see
   * {@link #addShard(String, float[], TensorDesc, long, long, Config, boolean)}).
   *
   * @param name a non-empty name without '.'
   * @param data the shard's elements (empty when shape[0] is 0)
   * @param globalRows the rows of the whole tensor
   * @param firstRow the first of them this shard holds
   * @param shape this shard's sizes (at least 2, shape[0] may be 0)
   * @throws IllegalArgumentException for a bad name, shape or rows, or too few elements
   */
  public void addShard(String name, float[] data, long globalRows, long firstRow, long... shape) {
    addShard(name, data, new TensorDesc(DType.FLOAT32, shape), globalRows, firstRow, null, false);
  }

  /**
   * Registers a copy of a float32 shard that the sparsifier owns (copied as
   * {@link #addData(String, float[], TensorDesc, Config, boolean)} copies;
   * the rows as
   * {@link #addShard(String, java.nio.Buffer, TensorDesc, long, long, Config, boolean)}).
   *
   * @param name a non-empty name without '.'
   * @param data the shard's elements
   * @param desc this shard's tensor: {@link DType#FLOAT32}, shape (at least 2 sizes) and row stride
   * @param globalRows the rows of the whole tensor (at least 1)
   * @param firstRow the first row this shard holds
   * @param config overrides of the defaults for this item, or null
   * @param reuseMask keep the mask of the item replaced (same matrix shape needed)
   * @throws IllegalArgumentException for a bad name, descriptor, rows or config value, or too few elements
   * @throws IllegalStateException if config is closed
   */
  public synchronized void addShard(String name, float[] data, TensorDesc desc, long globalRows, long firstRow,
                                    Config config, boolean reuseMask) {
    java.util.Objects.requireNonNull(name, "name");
    java.util.Objects.requireNonNull(data, "data");
    java.util.Objects.requireNonNull(desc, "desc");
    addShardCopyNative(name, data, desc.dtype(), desc.shapeArray(), desc.rowStride(), globalRows, firstRow, config,
                       reuseMask);
    borrowed.remove(name);
  }

  /**
   * The item's global rows and first row ({0, 0} for an item that is not a shard).
   *
   * @param name the item
   * @return {globalRows, firstRow}
   * @throws java.util.NoSuchElementException for an unknown item
   */
  public long[] getShard(String name) {
    return new long[] {getShardGlobalRows(name), getShardFirstRow(name)};
  }

  /**
   * Creates or replaces a group: its items' blocks are ranked together, one
   * selection over all of them (at the level of the first member). An item
   * is in one group at most; removing an item removes it from its group.
   *
   * @param group the group's name
   * @param names its items, in order (the order breaks ties)
   * @throws java.util.NoSuchElementException for an unknown item
   * @throws IllegalArgumentException for a bad name, an item named twice or in another group
   */
  public void setGroup(String group, String... names) {
    setGroupNative(java.util.Objects.requireNonNull(group, "group"), java.util.Objects.requireNonNull(names, "names"));
  }

  /**
   * Removes a group (its items stay, each its own selection again).
   *
   * @param group the group's name
   * @throws java.util.NoSuchElementException if there is no such group
   */
  public void removeGroup(String group) {
    removeGroupNative(java.util.Objects.requireNonNull(group, "group"));
  }

  /**
   * The groups, in the order they were created: a read-only snapshot,
   * group name to its items in order.
   *
   * @return an unmodifiable map
   */
  public java.util.Map<String, java.util.List<String>> groups() {
    java.util.Map<String, java.util.List<String>> out = new java.util.LinkedHashMap<>();
    for (String group : groupNames()) out.put(group, groupMembers(group));
    return java.util.Collections.unmodifiableMap(out);
  }

  /**
   * Joins this sparsifier's steps with other participants (threads or
   * processes holding shards of the same tensors, or the same groups):
   * from now on each step exchanges a few histograms through allreduce,
   * and every participant must step together with the same groups and
   * shards in the same order. The sparsifier keeps allreduce until it is
   * replaced or the sparsifier is closed.
   *
   * @param allreduce the sum over every participant, or null: this
   *     participant alone again
   */
  public synchronized void setAllreduce(Allreduce allreduce) {
    AllreduceNative director = null;
    if (allreduce != null) {
      director = new AllreduceNative() {
        @Override
        void sum(AllreduceCounts counts) {
          long[] values = new long[Math.toIntExact(counts.size())];
          for (int i = 0; i < values.length; ++i) values[i] = counts.get(i);
          allreduce.sum(values);
          for (int i = 0; i < values.length; ++i) counts.set(i, values[i]);
        }
      };
    }
    setAllreduceNative(director);
    this.allreduce = director;
  }

  /**
   * What the last step exchanged with the other participants.
   *
   * @return {allreduce calls, bytes of this participant's payload}; {0, 0}
   *     for a step with no group or shard
   */
  public long[] lastExchange() {
    return new long[] {lastExchanges(), lastExchangeBytes()};
  }

  /**
   * Releases the native sparsifier now, and the buffers it borrowed; any
   * later use throws IllegalStateException (a scheduler of it too). Closing
   * twice does nothing. Called from inside one of its own callbacks, the
   * call that ran the callback fails with IllegalStateException and the
   * release waits until it returns.
   */
  @Override
  public synchronized void close() {
    boolean busy = !isClosed() && inCall();
    closeNative();
    // Closed from inside one of its own calls: native code still reads the
    // buffers until that call returns, so they stay referenced.
    if (!busy) borrowed.clear();
  }

  /**
   * Registers data under name, borrowed zero-copy (see
   * {@link #addData(String, java.nio.FloatBuffer, long, long, Config, boolean)}).
   *
   * @param name a non-empty name without '.'
   * @param data a direct, writable, native-order buffer
   * @param rows the item's rows (1 for 1-D data)
   * @param cols the item's columns
   * @throws IllegalArgumentException for a bad name, shape or buffer
   */
  public void addData(String name, java.nio.FloatBuffer data, long rows, long cols) {
    addData(name, data, rows, cols, null, false);
  }

  /**
   * Registers data under name, borrowed zero-copy, with overrides (see
   * {@link #addData(String, java.nio.FloatBuffer, long, long, Config, boolean)}).
   *
   * @param name a non-empty name without '.'
   * @param data a direct, writable, native-order buffer
   * @param rows the item's rows (1 for 1-D data)
   * @param cols the item's columns
   * @param config overrides of the defaults for this item, or null
   * @throws IllegalArgumentException for a bad name, shape, buffer or config value
   * @throws IllegalStateException if config is closed
   */
  public void addData(String name, java.nio.FloatBuffer data, long rows, long cols, Config config) {
    addData(name, data, rows, cols, config, false);
  }

  /**
   * Registers data under name, borrowed zero-copy. The item is the buffer's
   * first rows * cols remaining floats, from its position (as it is at this
   * call: later changes of position or limit do not move the item); the
   * sparsifier reads them at every step and squashMask writes into them, so
   * changes on either side are seen by the other. The sparsifier keeps a
   * reference to the buffer until the name is removed or replaced, or the
   * sparsifier is closed. An existing name is replaced (with a warning to
   * the log handler): its config is kept under the new overrides, and with
   * reuseMask its mask too.
   *
   * @param name a non-empty name without '.'
   * @param data a direct, writable buffer in native byte order, with
   *     remaining() &gt;= rows * cols
   * @param rows the item's rows (1 for 1-D data)
   * @param cols the item's columns
   * @param config overrides of the defaults for this item, or null
   * @param reuseMask keep the mask of the item replaced (same shape needed)
   * @throws IllegalArgumentException for a bad name, shape, buffer or config
   *     value, or a reused mask of another shape
   * @throws IllegalStateException if config is closed, or the replaced mask was squashed
   */
  public synchronized void addData(String name, java.nio.FloatBuffer data, long rows, long cols, Config config,
                                   boolean reuseMask) {
    java.util.Objects.requireNonNull(name, "name");
    checkBorrowable(java.util.Objects.requireNonNull(data, "data"));
    // Like every NIO API, the item is the buffer's remaining floats: from
    // its position to its limit (a slice has exactly those, at index 0).
    addDataBorrowedNative(name, data.slice(), rows, cols, config, reuseMask);
    borrowed.put(name, data);
  }

  /* A buffer native code may borrow: direct, in native byte order, writable. */
  private static void checkBorrowable(java.nio.Buffer data) {
    java.nio.ByteOrder order;
    String kind, view, array;
    if (data instanceof java.nio.ByteBuffer b) {
      order = b.order();
      kind = "ByteBuffer";
      view = "";
      array = "float[], double[] or short[]";
    } else if (data instanceof java.nio.ShortBuffer b) {
      order = b.order();
      kind = "ShortBuffer";
      view = ".asShortBuffer()";
      array = "short[]";
    } else if (data instanceof java.nio.FloatBuffer b) {
      order = b.order();
      kind = "FloatBuffer";
      view = ".asFloatBuffer()";
      array = "float[]";
    } else if (data instanceof java.nio.DoubleBuffer b) {
      order = b.order();
      kind = "DoubleBuffer";
      view = ".asDoubleBuffer()";
      array = "double[]";
    } else {
      throw new InvalidArgumentException(Status.INVALID_ARGUMENT,
          "data must be a ByteBuffer, ShortBuffer, FloatBuffer or DoubleBuffer, got a " + data.getClass().getName());
    }
    if (!data.isDirect())
      throw new InvalidArgumentException(Status.INVALID_ARGUMENT,
          "data must be a direct " + kind + " (ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder())" + view
          + "), got a heap one; use addData(String, " + array + ", ...) to copy a heap buffer or an array");
    if (order != java.nio.ByteOrder.nativeOrder())
      throw new InvalidArgumentException(Status.INVALID_ARGUMENT,
          "data must be in native byte order (" + java.nio.ByteOrder.nativeOrder() + "), got " + order);
    if (data.isReadOnly())
      throw new InvalidArgumentException(Status.INVALID_ARGUMENT,
          "data must be writable (squashMask writes into it), got a read-only buffer");
  }

  /**
   * Registers a float32 tensor under name, borrowed zero-copy (see
   * {@link #addData(String, java.nio.Buffer, TensorDesc, Config, boolean)}).
   *
   * @param name a non-empty name without '.'
   * @param data a direct, writable, native-order buffer with at least the
   *     tensor's elements remaining
   * @param shape the sizes, outermost first: 1 to 8 of them, each at least 1
   * @throws IllegalArgumentException for a bad name, shape or buffer
   */
  public void addData(String name, java.nio.FloatBuffer data, long... shape) {
    addData(name, data, new TensorDesc(DType.FLOAT32, shape), null, false);
  }

  /**
   * Registers a float64 tensor under name, borrowed zero-copy (see
   * {@link #addData(String, java.nio.Buffer, TensorDesc, Config, boolean)}).
   *
   * @param name a non-empty name without '.'
   * @param data a direct, writable, native-order buffer with at least the
   *     tensor's elements remaining
   * @param shape the sizes, outermost first: 1 to 8 of them, each at least 1
   * @throws IllegalArgumentException for a bad name, shape or buffer
   */
  public void addData(String name, java.nio.DoubleBuffer data, long... shape) {
    addData(name, data, new TensorDesc(DType.FLOAT64, shape), null, false);
  }

  /**
   * Registers a float16 or bfloat16 tensor (the bits of each element) under
   * name, borrowed zero-copy (see
   * {@link #addData(String, java.nio.Buffer, TensorDesc, Config, boolean)}).
   *
   * @param name a non-empty name without '.'
   * @param data a direct, writable, native-order buffer with at least the
   *     tensor's elements remaining
   * @param dtype {@link DType#FLOAT16} or {@link DType#BFLOAT16}
   * @param shape the sizes, outermost first: 1 to 8 of them, each at least 1
   * @throws IllegalArgumentException for a bad name, dtype, shape or buffer
   */
  public void addData(String name, java.nio.ShortBuffer data, DType dtype, long... shape) {
    addData(name, data, new TensorDesc(dtype, shape), null, false);
  }

  /**
   * Registers a tensor of any dtype under name, borrowed zero-copy from the
   * bytes of a buffer (see
   * {@link #addData(String, java.nio.Buffer, TensorDesc, Config, boolean)}).
   *
   * @param name a non-empty name without '.'
   * @param data a direct, writable, native-order buffer with at least the
   *     tensor's bytes remaining, from a position aligned to the element size
   * @param dtype the element type
   * @param shape the sizes, outermost first: 1 to 8 of them, each at least 1
   * @throws IllegalArgumentException for a bad name, shape or buffer
   */
  public void addData(String name, java.nio.ByteBuffer data, DType dtype, long... shape) {
    addData(name, data, new TensorDesc(dtype, shape), null, false);
  }

  /**
   * Registers a tensor under name, borrowed zero-copy (see
   * {@link #addData(String, java.nio.Buffer, TensorDesc, Config, boolean)}).
   *
   * @param name a non-empty name without '.'
   * @param data a direct, writable, native-order buffer
   * @param desc the tensor: dtype, shape and row stride
   * @throws IllegalArgumentException for a bad name, descriptor or buffer
   */
  public void addData(String name, java.nio.Buffer data, TensorDesc desc) {
    addData(name, data, desc, null, false);
  }

  /**
   * Registers a tensor under name, borrowed zero-copy: its element (0, ...,
   * 0) is at the buffer's position (as it is at this call), and it spans
   * {@code (desc.rows() - 1) * rowStride + desc.cols()} elements from there
   * (rowStride is {@code desc.cols()} when 0: contiguous), which must be
   * remaining. A row stride makes the item a view into a bigger buffer, such
   * as a column slice of a matrix: the sparsifier reads the view at every
   * step and squashMask writes zeros into it, in the data's own type, and
   * nothing else of the buffer. The buffer's type holds the dtype's
   * elements: a {@link java.nio.FloatBuffer} float32, a
   * {@link java.nio.DoubleBuffer} float64, a {@link java.nio.ShortBuffer}
   * the bits of float16 or bfloat16, a {@link java.nio.ByteBuffer} any of
   * them (counted in bytes, from a position aligned to the element size).
   * The sparsifier keeps a reference to the buffer until the name is removed
   * or replaced, or the sparsifier is closed. An existing name is replaced
   * (with a warning to the log handler): its config is kept under the new
   * overrides, and with reuseMask its mask too.
   *
   * @param name a non-empty name without '.'
   * @param data a direct, writable buffer in native byte order
   * @param desc the tensor: dtype, shape (1 to 8 sizes, each at least 1) and
   *     row stride (0, or at least the last size)
   * @param config overrides of the defaults for this item, or null
   * @param reuseMask keep the mask of the item replaced (same matrix shape needed)
   * @throws IllegalArgumentException for a bad name, descriptor, buffer or
   *     config value (a buffer of another element type than the dtype's, or
   *     with fewer elements remaining than the tensor spans), or a reused
   *     mask of another shape
   * @throws IllegalStateException if config is closed, or the replaced mask was squashed
   */
  public synchronized void addData(String name, java.nio.Buffer data, TensorDesc desc, Config config,
                                   boolean reuseMask) {
    java.util.Objects.requireNonNull(name, "name");
    checkBorrowable(java.util.Objects.requireNonNull(data, "data"));
    java.util.Objects.requireNonNull(desc, "desc");
    addTensorBorrowedNative(name, data.slice(), desc.dtype(), desc.shapeArray(), desc.rowStride(), config, reuseMask);
    borrowed.put(name, data);
  }

  /**
   * Registers a copy of data (see {@link #addData(String, float[], long, long, Config, boolean)}).
   *
   * @param name a non-empty name without '.'
   * @param data at least rows * cols floats, row-major
   * @param rows the item's rows (1 for 1-D data)
   * @param cols the item's columns
   * @throws IllegalArgumentException for a bad name or shape
   */
  public void addData(String name, float[] data, long rows, long cols) {
    addData(name, data, rows, cols, null, false);
  }

  /**
   * Registers a copy of data, with overrides (see
   * {@link #addData(String, float[], long, long, Config, boolean)}).
   *
   * @param name a non-empty name without '.'
   * @param data at least rows * cols floats, row-major
   * @param rows the item's rows (1 for 1-D data)
   * @param cols the item's columns
   * @param config overrides of the defaults for this item, or null
   * @throws IllegalArgumentException for a bad name, shape or config value
   * @throws IllegalStateException if config is closed
   */
  public void addData(String name, float[] data, long rows, long cols, Config config) {
    addData(name, data, rows, cols, config, false);
  }

  /**
   * Registers a copy of data[0, rows * cols) that the sparsifier owns: an
   * array is always copied, so later changes to it are not seen and
   * squashMask does not write into it (read results with getData and
   * getMask; borrow a direct FloatBuffer to share memory instead). An
   * existing name is replaced as with the buffer overload.
   *
   * @param name a non-empty name without '.'
   * @param data at least rows * cols floats, row-major
   * @param rows the item's rows (1 for 1-D data)
   * @param cols the item's columns
   * @param config overrides of the defaults for this item, or null
   * @param reuseMask keep the mask of the item replaced (same shape needed)
   * @throws IllegalArgumentException for a bad name, shape or config value,
   *     or a reused mask of another shape
   * @throws IllegalStateException if config is closed, or the replaced mask was squashed
   */
  public synchronized void addData(String name, float[] data, long rows, long cols, Config config,
                                   boolean reuseMask) {
    addDataCopyNative(name, data, rows, cols, config, reuseMask);
    borrowed.remove(name);
  }

  /**
   * Registers a copy of a float32 tensor (see
   * {@link #addData(String, float[], TensorDesc, Config, boolean)}).
   *
   * @param name a non-empty name without '.'
   * @param data the tensor's elements, row-major
   * @param shape the sizes, outermost first: 1 to 8 of them, each at least 1
   * @throws IllegalArgumentException for a bad name or shape, or too few elements
   */
  public void addData(String name, float[] data, long... shape) {
    addData(name, data, new TensorDesc(DType.FLOAT32, shape), null, false);
  }

  /**
   * Registers a copy of a float64 tensor (see
   * {@link #addData(String, float[], TensorDesc, Config, boolean)}).
   *
   * @param name a non-empty name without '.'
   * @param data the tensor's elements, row-major
   * @param shape the sizes, outermost first: 1 to 8 of them, each at least 1
   * @throws IllegalArgumentException for a bad name or shape, or too few elements
   */
  public void addData(String name, double[] data, long... shape) {
    addData(name, data, new TensorDesc(DType.FLOAT64, shape), null, false);
  }

  /**
   * Registers a copy of a float16 or bfloat16 tensor, given as the bits of
   * its elements (see {@link #addData(String, float[], TensorDesc, Config, boolean)}).
   *
   * @param name a non-empty name without '.'
   * @param data the bits of the tensor's elements, row-major
   * @param dtype {@link DType#FLOAT16} or {@link DType#BFLOAT16}
   * @param shape the sizes, outermost first: 1 to 8 of them, each at least 1
   * @throws IllegalArgumentException for a bad name, dtype or shape, or too few elements
   */
  public void addData(String name, short[] data, DType dtype, long... shape) {
    addData(name, data, new TensorDesc(dtype, shape), null, false);
  }

  /**
   * Registers a copy of a float32 tensor (see
   * {@link #addData(String, float[], TensorDesc, Config, boolean)}).
   *
   * @param name a non-empty name without '.'
   * @param data the tensor's elements
   * @param desc the tensor: {@link DType#FLOAT32}, shape and row stride
   * @throws IllegalArgumentException for a bad name or descriptor, or too few elements
   */
  public void addData(String name, float[] data, TensorDesc desc) {
    addData(name, data, desc, null, false);
  }

  /**
   * Registers a copy of a float32 tensor that the sparsifier owns: an array
   * is always copied, so later changes to it are not seen and squashMask
   * does not write into it (read results with getData and getMask; borrow a
   * direct buffer to share memory instead). The copy is contiguous: a row
   * stride selects the elements copied (a view into a bigger array), and the
   * item's {@link #getDesc} has row stride 0. An existing name is replaced
   * as with the buffer overloads.
   *
   * @param name a non-empty name without '.'
   * @param data at least {@code (desc.rows() - 1) * rowStride + desc.cols()}
   *     elements (rowStride is {@code desc.cols()} when 0)
   * @param desc the tensor: {@link DType#FLOAT32}, shape and row stride
   * @param config overrides of the defaults for this item, or null
   * @param reuseMask keep the mask of the item replaced (same matrix shape needed)
   * @throws IllegalArgumentException for a bad name, descriptor or config
   *     value, too few elements, another dtype, or a reused mask of another shape
   * @throws IllegalStateException if config is closed, or the replaced mask was squashed
   */
  public void addData(String name, float[] data, TensorDesc desc, Config config, boolean reuseMask) {
    addTensorCopy(name, data, desc, config, reuseMask);
  }

  /**
   * Registers a copy of a float64 tensor (see
   * {@link #addData(String, float[], TensorDesc, Config, boolean)}).
   *
   * @param name a non-empty name without '.'
   * @param data the tensor's elements
   * @param desc the tensor: {@link DType#FLOAT64}, shape and row stride
   * @throws IllegalArgumentException for a bad name or descriptor, or too few elements
   */
  public void addData(String name, double[] data, TensorDesc desc) {
    addData(name, data, desc, null, false);
  }

  /**
   * Registers a copy of a float64 tensor (see
   * {@link #addData(String, float[], TensorDesc, Config, boolean)}).
   *
   * @param name a non-empty name without '.'
   * @param data the tensor's elements
   * @param desc the tensor: {@link DType#FLOAT64}, shape and row stride
   * @param config overrides of the defaults for this item, or null
   * @param reuseMask keep the mask of the item replaced (same matrix shape needed)
   * @throws IllegalArgumentException for a bad name, descriptor or config
   *     value, too few elements, another dtype, or a reused mask of another shape
   * @throws IllegalStateException if config is closed, or the replaced mask was squashed
   */
  public void addData(String name, double[] data, TensorDesc desc, Config config, boolean reuseMask) {
    addTensorCopy(name, data, desc, config, reuseMask);
  }

  /**
   * Registers a copy of a float16 or bfloat16 tensor, given as the bits of
   * its elements (see {@link #addData(String, float[], TensorDesc, Config, boolean)}).
   *
   * @param name a non-empty name without '.'
   * @param data the bits of the tensor's elements
   * @param desc the tensor: {@link DType#FLOAT16} or {@link DType#BFLOAT16}, shape and row stride
   * @throws IllegalArgumentException for a bad name or descriptor, or too few elements
   */
  public void addData(String name, short[] data, TensorDesc desc) {
    addData(name, data, desc, null, false);
  }

  /**
   * Registers a copy of a float16 or bfloat16 tensor, given as the bits of
   * its elements (see {@link #addData(String, float[], TensorDesc, Config, boolean)}).
   *
   * @param name a non-empty name without '.'
   * @param data the bits of the tensor's elements
   * @param desc the tensor: {@link DType#FLOAT16} or {@link DType#BFLOAT16}, shape and row stride
   * @param config overrides of the defaults for this item, or null
   * @param reuseMask keep the mask of the item replaced (same matrix shape needed)
   * @throws IllegalArgumentException for a bad name, descriptor or config
   *     value, too few elements, another dtype, or a reused mask of another shape
   * @throws IllegalStateException if config is closed, or the replaced mask was squashed
   */
  public void addData(String name, short[] data, TensorDesc desc, Config config, boolean reuseMask) {
    addTensorCopy(name, data, desc, config, reuseMask);
  }

  private synchronized void addTensorCopy(String name, Object data, TensorDesc desc, Config config,
                                          boolean reuseMask) {
    java.util.Objects.requireNonNull(name, "name");
    java.util.Objects.requireNonNull(data, "data");
    java.util.Objects.requireNonNull(desc, "desc");
    addTensorCopyNative(name, data, desc.dtype(), desc.shapeArray(), desc.rowStride(), config, reuseMask);
    borrowed.remove(name);
  }

  /**
   * The item's tensor: its dtype, its shape as it was added, and its row
   * stride (0 when contiguous, and for a copy). An item added with rows and
   * cols is a 2-D float32 tensor.
   *
   * @param name the item
   * @return a new descriptor
   * @throws java.util.NoSuchElementException for an unknown item
   */
  public TensorDesc getDesc(String name) {
    return new TensorDesc(getDtypeNative(name), getShapeNative(name), getRowStrideNative(name));
  }

  /**
   * A copy of a float64 item's data, contiguous and row-major in its shape
   * (see {@link #getData(String, boolean)}).
   *
   * @param name the item
   * @param original true: the data as the caller holds it (not available
   *     after a squash); false: the data with every masked element 0
   * @return the elements
   * @throws java.util.NoSuchElementException for an unknown item
   * @throws IllegalArgumentException for an item of another dtype
   * @throws IllegalStateException for the original after a squash
   */
  public double[] getDoubleData(String name, boolean original) {
    double[] out = new double[elementCount(name)];
    getData(name, original, out);
    return out;
  }

  /**
   * A copy of a float16 or bfloat16 item's data (the bits of its elements),
   * contiguous and row-major in its shape (see {@link #getData(String, boolean)}).
   *
   * @param name the item
   * @param original true: the data as the caller holds it (not available
   *     after a squash); false: the data with every masked element 0
   * @return the elements' bits
   * @throws java.util.NoSuchElementException for an unknown item
   * @throws IllegalArgumentException for an item of another dtype
   * @throws IllegalStateException for the original after a squash
   */
  public short[] getShortData(String name, boolean original) {
    short[] out = new short[elementCount(name)];
    getData(name, original, out);
    return out;
  }

  /**
   * Copies a float64 item's data, contiguous and row-major, into out
   * (written only on success; elements past the item keep their values).
   *
   * @param name the item
   * @param original true: the data as the caller holds it; false: data * mask
   * @param out an array of at least the item's element count
   * @throws java.util.NoSuchElementException for an unknown item
   * @throws IllegalArgumentException for an item of another dtype, or if out is too small
   * @throws IllegalStateException for the original after a squash
   */
  public void getData(String name, boolean original, double[] out) {
    getTensorDataNative(name, original, out);
  }

  /**
   * Copies a float16 or bfloat16 item's data (the bits of its elements),
   * contiguous and row-major, into out (written only on success; elements
   * past the item keep their values).
   *
   * @param name the item
   * @param original true: the data as the caller holds it; false: data * mask
   * @param out an array of at least the item's element count
   * @throws java.util.NoSuchElementException for an unknown item
   * @throws IllegalArgumentException for an item of another dtype, or if out is too small
   * @throws IllegalStateException for the original after a squash
   */
  public void getData(String name, boolean original, short[] out) {
    getTensorDataNative(name, original, out);
  }

  /* The item's element count, as a Java array length. */
  private int elementCount(String name) {
    long n = rows(name) * cols(name);
    if (n > Integer.MAX_VALUE - 8)
      throw new InvalidArgumentException(Status.INVALID_ARGUMENT, "the result is too large for a Java array");
    return (int) n;
  }

  /**
   * Removes an item (its mask and config); the caller's data is untouched.
   *
   * @param name the item
   * @throws java.util.NoSuchElementException for an unknown item
   */
  public synchronized void removeData(String name) {
    removeDataNative(name);
    borrowed.remove(name);
  }

  /**
   * Squashes the named items, leaving them parametrized (see
   * {@link #squashMask(java.util.Collection, boolean)}).
   *
   * @param names the items; none: nothing is squashed
   * @throws java.util.NoSuchElementException for an unknown item (nothing changes)
   */
  public void squashMask(String[] names) {
    squashMask(names, true);
  }

  /**
   * Squashes the named items (see {@link #squashMask(java.util.Collection, boolean)}).
   *
   * @param names the items; none: nothing is squashed
   * @param leaveParametrized zero the masked elements in the item's data first
   * @throws java.util.NoSuchElementException for an unknown item (nothing changes)
   */
  public void squashMask(String[] names, boolean leaveParametrized) {
    squashMaskNative(names, leaveParametrized);
  }

  /**
   * Squashes the named items, leaving them parametrized (see
   * {@link #squashMask(java.util.Collection, boolean)}).
   *
   * @param names the items; none: nothing is squashed
   * @throws java.util.NoSuchElementException for an unknown item (nothing changes)
   */
  public void squashMask(java.util.Collection<String> names) {
    squashMask(names, true);
  }

  /**
   * Applies and drops the masks of the named items: with leaveParametrized
   * the masked elements of the item's data are set to 0 (a borrowed buffer
   * in place, a copied array in the sparsifier's copy). Squashed items are
   * no longer stepped. An empty list squashes nothing: {@link #squashAll()}
   * squashes every item. All names are checked before anything changes.
   *
   * @param names the items
   * @param leaveParametrized zero the masked elements in the item's data first
   * @throws java.util.NoSuchElementException for an unknown item (nothing changes)
   */
  public void squashMask(java.util.Collection<String> names, boolean leaveParametrized) {
    java.util.Objects.requireNonNull(names, "names");
    squashMaskNative(names.toArray(new String[0]), leaveParametrized);
  }

  /** Squashes every item, leaving them parametrized (see {@link #squashMask(java.util.Collection, boolean)}). */
  public void squashAll() {
    squashAllNative(true);
  }

  /**
   * Squashes every item (see {@link #squashMask(java.util.Collection, boolean)}).
   *
   * @param leaveParametrized zero the masked elements in the item's data first
   */
  public void squashAll(boolean leaveParametrized) {
    squashAllNative(leaveParametrized);
  }

  /**
   * Saves the state (configs, masks, flags, step count) to a file, atomically.
   *
   * @param path the file
   * @throws java.io.IOException (a {@link FileException}) if it cannot be written
   */
  public void save(java.nio.file.Path path) throws java.io.IOException {
    save(path, false);
  }

  /**
   * Saves the state to a file, atomically: a crash or a full disk leaves
   * the previous file intact. A new file is created with mode 0600.
   *
   * @param path the file
   * @param withData also every item's data
   * @throws java.io.IOException (a {@link FileException}) if it cannot be written
   */
  public void save(java.nio.file.Path path, boolean withData) throws java.io.IOException {
    saveNative(java.util.Objects.requireNonNull(path, "path").toString(), withData);
  }

  /**
   * Saves the state to a file (see {@link #save(java.nio.file.Path, boolean)}).
   *
   * @param path the file's path
   * @throws java.io.IOException (a {@link FileException}) if it cannot be written
   */
  public void save(String path) throws java.io.IOException {
    saveNative(path, false);
  }

  /**
   * Saves the state to a file (see {@link #save(java.nio.file.Path, boolean)}).
   *
   * @param path the file's path
   * @param withData also every item's data
   * @throws java.io.IOException (a {@link FileException}) if it cannot be written
   */
  public void save(String path, boolean withData) throws java.io.IOException {
    saveNative(path, withData);
  }

  /**
   * Replaces the state with one saved to a file (see {@link #load(java.nio.file.Path, boolean)}).
   *
   * @param path the file
   * @throws java.io.IOException a {@link FileException} if it cannot be read,
   *     a {@link CorruptStateException} if it is not a state of these items
   */
  public void load(java.nio.file.Path path) throws java.io.IOException {
    load(path, true);
  }

  /**
   * Loads a state saved by save over the same registered items (same
   * names, shapes and kind of sparsifier). strict: the state replaces
   * everything (every registered item must be in it); otherwise the items
   * in the state get its config, mask and squashed flag. Saved data is
   * copied into the registered buffers. Checked whole before anything changes.
   *
   * @param path the file
   * @param strict replace (true) or merge (false)
   * @throws java.io.IOException a {@link FileException} if it cannot be read,
   *     a {@link CorruptStateException} if it is not a state of these items
   */
  public void load(java.nio.file.Path path, boolean strict) throws java.io.IOException {
    loadNative(java.util.Objects.requireNonNull(path, "path").toString(), strict);
  }

  /**
   * Replaces the state with one saved to a file (see {@link #load(java.nio.file.Path, boolean)}).
   *
   * @param path the file's path
   * @throws java.io.IOException a {@link FileException} if it cannot be read,
   *     a {@link CorruptStateException} if it is not a state of these items
   */
  public void load(String path) throws java.io.IOException {
    loadNative(path, true);
  }

  /**
   * Loads a state from a file (see {@link #load(java.nio.file.Path, boolean)}).
   *
   * @param path the file's path
   * @param strict replace (true) or merge (false)
   * @throws java.io.IOException a {@link FileException} if it cannot be read,
   *     a {@link CorruptStateException} if it is not a state of these items
   */
  public void load(String path, boolean strict) throws java.io.IOException {
    loadNative(path, strict);
  }

  /**
   * The state (configs, masks, flags, step count) in the library's
   * versioned, checksummed format.
   *
   * @return the bytes
   */
  public byte[] saveToBytes() {
    return saveToBytesNative(false);
  }

  /**
   * The state in the library's versioned, checksummed format.
   *
   * @param withData also every item's data
   * @return the bytes
   */
  public byte[] saveToBytes(boolean withData) {
    return saveToBytesNative(withData);
  }

  /**
   * Replaces the state with one from {@link #saveToBytes()} (see {@link #load(java.nio.file.Path, boolean)}).
   *
   * @param state the bytes
   * @throws CorruptStateException if they are not a state of these items
   */
  public void loadFromBytes(byte[] state) throws CorruptStateException {
    loadFromBytesNative(state, true);
  }

  /**
   * Loads a state from {@link #saveToBytes()} (see {@link #load(java.nio.file.Path, boolean)}).
   *
   * @param state the bytes
   * @param strict replace (true) or merge (false)
   * @throws CorruptStateException if they are not a state of these items
   */
  public void loadFromBytes(byte[] state, boolean strict) throws CorruptStateException {
    loadFromBytesNative(state, strict);
  }
%}

/* DataNormSparsifier */
%javamethodmodifiers datasparse::DataNormSparsifier::DataNormSparsifier "
  /**
   * A norm sparsifier.
   *
   * @param norm the block score
   * @param defaults overrides of the built-in defaults for every item, or null (copied)
   * @throws IllegalArgumentException for a bad default
   * @throws IllegalStateException if defaults is closed
   */
  public";
%typemap(javacode) datasparse::DataNormSparsifier %{
  /** A norm sparsifier with the L1 norm and the built-in defaults. */
  public DataNormSparsifier() {
    this(Norm.L1, null);
  }

  /**
   * A norm sparsifier with the built-in defaults.
   *
   * @param norm the block score
   */
  public DataNormSparsifier(Norm norm) {
    this(norm, null);
  }
%}

/* DataSparsifier */
%javamethodmodifiers datasparse::DataSparsifier::DataSparsifier "
  /**
   * A custom sparsifier.
   *
   * @param defaults every item's config unless addData overrides it, or null (copied)
   * @throws IllegalStateException if defaults is closed
   */
  protected";
%javamethodmodifiers datasparse::DataSparsifier::updateMask "
  /**
   * Computes the mask of one item; called by {@link #step()} for every item.
   *
   * @param name the item
   * @param data its data (valid only during this call)
   * @param config its merged config (valid only during this call)
   * @param mask its current mask, to modify (valid only during this call)
   */
  public abstract";
%typemap(javaout) void datasparse::DataSparsifier::updateMask ";"
%typemap(javacode) datasparse::DataSparsifier %{
  /** A custom sparsifier without defaults. */
  protected DataSparsifier() {
    this(null);
  }
%}

/* ---------------------------------------------------------------------
 * Schedules
 * --------------------------------------------------------------------- */
%typemap(javaclassmodifiers) datasparse::Schedule %{/**
 * A schedule written in Java: subclass it and implement {@link #compute},
 * the item's new value. Hand it to a {@link DataScheduler}, which keeps it
 * alive. An exception thrown there fails the scheduler's step (nothing
 * changes, the epoch does not advance) with a {@link CallbackException}
 * whose cause it is.
 */
public abstract class%}
%javamethodmodifiers datasparse::Schedule::Schedule "
  /** For subclasses. */
  protected";
%javamethodmodifiers datasparse::Schedule::compute "
  /**
   * The item's value at epoch.
   *
   * @param name the item
   * @param epoch the epoch (0, 1, ...)
   * @param baseValue the item's value when the scheduler first saw it
   * @param current its value now
   * @return the new value (finite)
   */
  public abstract";
%typemap(javaout) double datasparse::Schedule::compute ";"

%typemap(javaclassmodifiers) datasparse::LambdaFactor %{/**
 * f(epoch) for {@link BuiltinSchedule#lambda} (value = base * f(epoch)):
 * subclass it and implement {@link #factor}.
 */
public abstract class%}
%javamethodmodifiers datasparse::LambdaFactor::LambdaFactor "
  /** For subclasses. */
  protected";
%javamethodmodifiers datasparse::LambdaFactor::factor "
  /**
   * The factor at epoch.
   *
   * @param epoch the epoch (0, 1, ...)
   * @return the factor (finite)
   */
  public abstract";
%typemap(javaout) double datasparse::LambdaFactor::factor ";"

%typemap(javaclassmodifiers) datasparse::BuiltinSchedule %{/**
 * The built-in schedules (formulas in datasparse.h and the README). A
 * {@link DataScheduler} copies the one it is given, so it may be closed once
 * the scheduler exists.
 */
public final class%}
%rename(lambdaNative) datasparse::BuiltinSchedule::lambda;
%javamethodmodifiers datasparse::BuiltinSchedule::lambda "private";
%javamethodmodifiers datasparse::BuiltinSchedule::gamma "
  /**
   * Epoch 0: the base value; then min(threshold, current * gamma).
   *
   * @param gamma the factor (finite)
   * @param threshold the cap (finite)
   * @return a new schedule (close it when done)
   * @throws IllegalArgumentException for a value out of range
   */
  public";
%javamethodmodifiers datasparse::BuiltinSchedule::step "
  /**
   * base * gamma^floor(epoch / stepSize) (PyTorch's StepLR).
   *
   * @param stepSize epochs per step, at least 1
   * @param gamma the factor per step (finite)
   * @return a new schedule (close it when done)
   * @throws IllegalArgumentException for a value out of range
   */
  public";
%javamethodmodifiers datasparse::BuiltinSchedule::cubic "
  /**
   * Zhu and Gupta's cubic schedule from initValue to the base value
   * (PyTorch's CubicSL).
   *
   * @param initValue the first value s_i
   * @param initT the epoch it starts at, at least 0
   * @param deltaT epochs per turn, at least 1
   * @param totalT turns, at least 1
   * @param initiallyZero 0 before initT
   * @return a new schedule (close it when done)
   * @throws IllegalArgumentException for a value out of range
   */
  public";
%javamethodmodifiers datasparse::BuiltinSchedule::polynomialDecay "
  /**
   * TF Model Optimization's PolynomialDecay.
   *
   * @param initial the value at beginStep
   * @param finalValue the value at endStep
   * @param beginStep the first pruning epoch, at least 0
   * @param endStep the last, after beginStep
   * @param power the exponent, at least 0
   * @param frequency epochs between pruning turns, at least 1
   * @return a new schedule (close it when done)
   * @throws IllegalArgumentException for a value out of range
   */
  public";
%javamethodmodifiers datasparse::BuiltinSchedule::constant "
  /**
   * TF Model Optimization's ConstantSparsity.
   *
   * @param value the value set on each pruning turn
   * @param beginStep the first pruning epoch, at least 0
   * @param endStep the last, or -1 for none
   * @param frequency epochs between pruning turns, at least 1
   * @return a new schedule (close it when done)
   * @throws IllegalArgumentException for a value out of range
   */
  public";
%javamethodmodifiers datasparse::BuiltinSchedule::kind "
  /**
   * The schedule's kind: gamma, step, lambda, cubic, polynomial_decay or constant.
   *
   * @return the kind
   */
  public";
%typemap(javacode) datasparse::BuiltinSchedule %{
  /* The factor of a lambda schedule: the native schedule points at it. */
  private LambdaFactor factor;

  /**
   * Releases the native schedule now (schedulers made from it keep their
   * copy); any later use throws IllegalStateException.
   */
  @Override
  public void close() {
    closeNative();
  }

  /**
   * base * factor.factor(epoch) (PyTorch's LambdaSL). The schedule, and any
   * scheduler made from it, keeps the factor alive.
   *
   * @param factor the factor
   * @return a new schedule (close it when done)
   */
  public static BuiltinSchedule lambda(LambdaFactor factor) {
    BuiltinSchedule schedule = lambdaNative(java.util.Objects.requireNonNull(factor, "factor"));
    schedule.factor = factor;
    return schedule;
  }
%}

/* ---------------------------------------------------------------------
 * DataScheduler: keeps its sparsifier and its schedule reachable.
 * --------------------------------------------------------------------- */
%typemap(javaclassmodifiers) datasparse::DataScheduler %{/**
 * Varies one config key (usually "sparsity_level") of every item of a
 * sparsifier over epochs, with a {@link Schedule} written in Java or a
 * {@link BuiltinSchedule}. Creating it performs the first step (epoch
 * lastEpoch + 1). It keeps its sparsifier and schedule alive; step the
 * sparsifier before it, once per epoch.
 */
public class%}
/* Every constructor takes (sparsifier, scheduleParam, schedule, lastEpoch). */
%typemap(javaconstruct) datasparse::DataScheduler {
    this($imcall, true);
    this.sparsifier = sparsifier;
    this.schedule = schedule;
  }
%javamethodmodifiers datasparse::DataScheduler::DataScheduler(Sparsifier &, const std::string &, Schedule &, int64_t) "
  /**
   * A scheduler with a schedule written in Java; performs its first step.
   *
   * @param sparsifier the sparsifier whose items it schedules
   * @param scheduleParam the config key it varies
   * @param schedule the schedule (kept alive by the scheduler)
   * @param lastEpoch the epoch before the first step: -1 to start, the
   *     saved epoch to resume
   * @throws CallbackException if the schedule threw in the first step
   * @throws IllegalArgumentException for a bad lastEpoch or value
   * @throws IllegalStateException if the sparsifier is closed
   */
  public";
%javamethodmodifiers datasparse::DataScheduler::DataScheduler(Sparsifier &, const std::string &, const BuiltinSchedule &, int64_t) "
  /**
   * A scheduler with a built-in schedule (copied); performs its first step.
   *
   * @param sparsifier the sparsifier whose items it schedules
   * @param scheduleParam the config key it varies
   * @param schedule the schedule (copied: it may be closed afterwards)
   * @param lastEpoch the epoch before the first step: -1 to start, the
   *     saved epoch to resume
   * @throws IllegalArgumentException for a bad lastEpoch or value
   * @throws IllegalStateException if the sparsifier or the schedule is closed
   */
  public";
%javamethodmodifiers datasparse::DataScheduler::step "
  /**
   * Advances one epoch: the schedule computes every item's value, all are
   * checked, then applied together. All-or-nothing: if the schedule throws
   * or returns NaN or infinity, nothing changes and the epoch does not advance.
   *
   * @throws CallbackException if the schedule threw or returned a non-finite value
   * @throws IllegalStateException if the sparsifier was closed
   */
  public";
%javamethodmodifiers datasparse::DataScheduler::getLastParam "
  /**
   * The value the last step set for the item.
   *
   * @param name the item
   * @return the value
   * @throws java.util.NoSuchElementException if the last step did not schedule it
   */
  public";
%javamethodmodifiers datasparse::DataScheduler::getBaseParam "
  /**
   * The item's base value (its value when the scheduler first saw it).
   *
   * @param name the item
   * @return the value
   * @throws java.util.NoSuchElementException if the item has none
   */
  public";
%javamethodmodifiers datasparse::DataScheduler::lastEpoch "
  /**
   * The epoch of the last step.
   *
   * @return the epoch
   */
  public";
%javamethodmodifiers datasparse::DataScheduler::stepCount "
  /**
   * The number of successful steps, the one at creation included.
   *
   * @return the step count
   */
  public";
%javamethodmodifiers datasparse::DataScheduler::scheduleParam "
  /**
   * The config key it varies.
   *
   * @return the key
   */
  public";
%javamethodmodifiers datasparse::DataScheduler::names "
  /**
   * The items the scheduler tracks, in the sparsifier's order.
   *
   * @return an unmodifiable list of the names
   */
  public";
%javamethodmodifiers datasparse::DataScheduler::setVerbose "
  /**
   * Whether each step logs every adjusted value (LogLevel.INFO).
   *
   * @param verbose true to log
   */
  public";
%javamethodmodifiers datasparse::DataScheduler::getVerbose "
  /**
   * Whether each step logs every adjusted value.
   *
   * @return true if verbose
   */
  public";
%javamethodmodifiers datasparse::DataScheduler::saveToBytes "
  /**
   * The scheduler's state (save the sparsifier's separately).
   *
   * @return the bytes
   */
  public";
%rename(isVerbose) datasparse::DataScheduler::getVerbose;
%rename(saveNative) datasparse::DataScheduler::save;
%rename(loadNative) datasparse::DataScheduler::load;
%rename(loadFromBytesNative) datasparse::DataScheduler::loadFromBytes;
%javamethodmodifiers datasparse::DataScheduler::save "private";
%javamethodmodifiers datasparse::DataScheduler::load "private";
%javamethodmodifiers datasparse::DataScheduler::loadFromBytes "private";
%javamethodmodifiers datasparse::DataScheduler::inCall "private";
%ignore datasparse::DataScheduler::size;
%ignore datasparse::DataScheduler::nameAt;

%typemap(javacode) datasparse::DataScheduler %{
  /* The native scheduler borrows both: they must outlive it. */
  private Sparsifier sparsifier;
  private Object schedule;

  /**
   * A scheduler with a schedule written in Java, starting at epoch 0.
   *
   * @param sparsifier the sparsifier whose items it schedules
   * @param scheduleParam the config key it varies
   * @param schedule the schedule (kept alive by the scheduler)
   * @throws CallbackException if the schedule threw in the first step
   * @throws IllegalStateException if the sparsifier is closed
   */
  public DataScheduler(Sparsifier sparsifier, String scheduleParam, Schedule schedule) {
    this(sparsifier, scheduleParam, schedule, -1);
  }

  /**
   * A scheduler with a built-in schedule (copied), starting at epoch 0.
   *
   * @param sparsifier the sparsifier whose items it schedules
   * @param scheduleParam the config key it varies
   * @param schedule the schedule (copied: it may be closed afterwards)
   * @throws IllegalStateException if the sparsifier or the schedule is closed
   */
  public DataScheduler(Sparsifier sparsifier, String scheduleParam, BuiltinSchedule schedule) {
    this(sparsifier, scheduleParam, schedule, -1);
  }

  /**
   * Releases the native scheduler now (not its sparsifier); any later use
   * throws IllegalStateException. Closing twice does nothing; from inside
   * its own schedule, the running step fails with IllegalStateException.
   */
  @Override
  public void close() {
    closeNative();
  }

  /**
   * The sparsifier this scheduler drives.
   *
   * @return the sparsifier
   */
  public Sparsifier getSparsifier() {
    return sparsifier;
  }

  /**
   * Saves the scheduler's state (not the sparsifier's) to a file, atomically.
   *
   * @param path the file
   * @throws java.io.IOException (a {@link FileException}) if it cannot be written
   */
  public void save(java.nio.file.Path path) throws java.io.IOException {
    saveNative(java.util.Objects.requireNonNull(path, "path").toString());
  }

  /**
   * Saves the scheduler's state to a file (see {@link #save(java.nio.file.Path)}).
   *
   * @param path the file's path
   * @throws java.io.IOException (a {@link FileException}) if it cannot be written
   */
  public void save(String path) throws java.io.IOException {
    saveNative(path);
  }

  /**
   * Restores a saved state (same schedule param and kind of schedule; a
   * built-in's parameters come back): the epoch, step count, base and last
   * values, and each item's value in the sparsifier. Restore the
   * sparsifier's state first.
   *
   * @param path the file
   * @throws java.io.IOException a {@link FileException} if it cannot be read,
   *     a {@link CorruptStateException} if it does not fit this scheduler
   */
  public void load(java.nio.file.Path path) throws java.io.IOException {
    loadNative(java.util.Objects.requireNonNull(path, "path").toString());
  }

  /**
   * Restores a saved state (see {@link #load(java.nio.file.Path)}).
   *
   * @param path the file's path
   * @throws java.io.IOException a {@link FileException} if it cannot be read,
   *     a {@link CorruptStateException} if it does not fit this scheduler
   */
  public void load(String path) throws java.io.IOException {
    loadNative(path);
  }

  /**
   * Restores a state from {@link #saveToBytes()} (see {@link #load(java.nio.file.Path)}).
   *
   * @param state the bytes
   * @throws CorruptStateException if they do not fit this scheduler
   */
  public void loadFromBytes(byte[] state) throws CorruptStateException {
    loadFromBytesNative(state);
  }
%}

/* ---------------------------------------------------------------------
 * Logging: a LogHandler subclass, installed with Library.setLogHandler.
 * --------------------------------------------------------------------- */
%typemap(javaclassmodifiers) datasparse::LogHandler %{/**
 * Receives the library's log messages (e.g. a warning when data is replaced
 * under an existing name): subclass it, implement {@link #log}, and install
 * it with {@link Library#setLogHandler}. It is called on the thread that
 * caused the message; an exception it throws is dropped.
 */
public abstract class%}
%javamethodmodifiers datasparse::LogHandler::LogHandler "
  /** For subclasses. */
  protected";
%javamethodmodifiers datasparse::LogHandler::log "
  /**
   * Receives one message.
   *
   * @param level its level
   * @param message the message
   */
  public abstract";
%typemap(javaout) void datasparse::LogHandler::log ";"
%rename(installNative) datasparse::LogHandler::install;
%javamethodmodifiers datasparse::LogHandler::install "";
