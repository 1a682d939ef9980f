/* Java hooks of the shared policy in ../swig/datasparse.i: names, how a
 * failure is raised (org.datasparse.Failures picks the exception class for
 * the status), and how an exception thrown in a Java callback is kept. */

/* Names: methods keep the C++ layer's camelCase; enum constants lose their
 * prefix (DS_ERR_NOT_FOUND -> Status.NOT_FOUND, DS_NORM_L1 -> Norm.L1,
 * DS_DTYPE_FLOAT16 -> DType.FLOAT16). */
%define DS_METHOD_NAME "%s" %enddef
%define DS_ENUM_ITEMS
%rename("%(regex:/^DS_(?:ERR_|NORM_|LOG_|DTYPE_)?(.*)$/\\1/)s", %$isenumitem,
        regexmatch$name="^DS_(OK$|ERR_|NORM_|LOG_|DTYPE_)", notregexmatch$name="_MAX_ENUM$") "";
%enddef

%define DS_RAISE(FAILURE) ds_java::raise(jenv, FAILURE) %enddef
%define DS_FAIL return $null %enddef

%{
#include <string>

namespace ds_java {

/* The Java exception a failed callback threw, kept (as a global ref) on its
 * thread until the exception of the failed call takes it as cause. */
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

/* Throws the exception org.datasparse.Failures.of(status, message,
 * closedType, cause) makes: the class for the status (the closed case for
 * a closed handle), with a failed callback's exception as its cause. */
static void raise(JNIEnv *jenv, const ds_binding::Failure &failure) {
    jthrowable cause = t_callback_cause;
    t_callback_cause = nullptr;
    jenv->ExceptionClear();
    jclass failures = jenv->FindClass("org/datasparse/Failures");
    jmethodID of = failures ? jenv->GetStaticMethodID(failures, "of",
        "(ILjava/lang/String;Ljava/lang/String;Ljava/lang/Throwable;)Ljava/lang/Throwable;") : nullptr;
    jstring message = of ? jenv->NewStringUTF(failure.message.c_str()) : nullptr;
    jstring closed = message && failure.closed_type ? jenv->NewStringUTF(failure.closed_type) : nullptr;
    jobject error = nullptr;
    if (message && (closed || !failure.closed_type))
        error = jenv->CallStaticObjectMethod(failures, of, static_cast<jint>(failure.status), message, closed,
                                             failure.status == DS_ERR_CALLBACK ? cause : nullptr);
    if (error && !jenv->ExceptionCheck()) jenv->Throw(static_cast<jthrowable>(error));
    /* else: the JVM already has an exception pending (NoClassDefFoundError, OutOfMemoryError). */
    if (error) jenv->DeleteLocalRef(error);
    if (closed) jenv->DeleteLocalRef(closed);
    if (message) jenv->DeleteLocalRef(message);
    if (failures) jenv->DeleteLocalRef(failures);
    if (cause) jenv->DeleteGlobalRef(cause);
}

}  // namespace ds_java
%}

/* A Java exception thrown in updateMask/compute/factor: clear it (nothing
 * may stay pending on the way back through native frames), keep it as the
 * cause of the coming exception, and fail the callback (the trampolines in
 * datasparse.hpp report the text through ds_set_callback_error). */
%feature("director:except") %{
  jthrowable $error = jenv->ExceptionOccurred();
  if ($error) {
    std::string ds_message = ds_java::describeThrowable(jenv, $error);
    ds_java::keepCallbackCause(jenv, $error);
    jenv->DeleteLocalRef($error);
    throw datasparse::Error(DS_ERR_CALLBACK, ds_message);
  }
%}

/* A throwing log handler must not fail the call that logged: its exception
 * is dropped (and kept as no one's cause). */
%feature("director:except") datasparse::LogHandler::log %{
  jthrowable $error = jenv->ExceptionOccurred();
  if ($error) {
    jenv->ExceptionClear();
    jenv->DeleteLocalRef($error);
  }
%}
