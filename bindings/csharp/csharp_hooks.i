/* C# hooks of the shared policy in ../swig/datasparse.i: names, how a
 * failure is raised (Failures.cs picks the exception class for the status),
 * and how an exception thrown in a C# callback is kept. */

/* Names: PascalCase methods; enum constants lose their prefix and are
 * PascalCase (DS_ERR_NOT_FOUND -> Status.NotFound, DS_NORM_L1 -> Norm.L1,
 * DS_DTYPE_FLOAT16 -> DType.Float16). */
%define DS_METHOD_NAME "%(firstuppercase)s" %enddef
%define DS_ENUM_ITEMS
%rename("%(regex:/^DS_(?:ERR_|NORM_|LOG_|DTYPE_)?([A-Z0-9])([A-Z0-9]*)$/\\1\\L\\2/)s", %$isenumitem,
        regexmatch$name="^DS_(OK|ERR_[A-Z0-9]+|NORM_[A-Z0-9]+|LOG_[A-Z0-9]+|DTYPE_[A-Z0-9]+)$") "";
%rename("%(regex:/^DS_(?:ERR_|NORM_|LOG_)([A-Z0-9])([A-Z0-9]*)_([A-Z0-9])([A-Z0-9]*)$/\\1\\L\\2\\E\\3\\L\\4/)s",
        %$isenumitem, regexmatch$name="^DS_(ERR|NORM|LOG)_[A-Z0-9]+_[A-Z0-9]+$", notregexmatch$name="_MAX_ENUM$") "";
%enddef

%define DS_RAISE(FAILURE) ds_cs::raise(FAILURE) %enddef
%define DS_FAIL return $null %enddef

%{
#include <string>

/* Failures become C# exceptions made on the managed side, through a
 * callback the assembly registers (the SWIG docs' "custom C# exception"
 * pattern): Failures.FromNative(status, message, closedType). */
typedef void (SWIGSTDCALL *DatasparseCs_ErrorCallback)(int status, const char *message, const char *closedType);
static DatasparseCs_ErrorCallback datasparse_cs_error_callback = 0;

#ifdef __cplusplus
extern "C"
#endif
SWIGEXPORT void SWIGSTDCALL DatasparseCs_RegisterErrorCallback(DatasparseCs_ErrorCallback callback) {
    datasparse_cs_error_callback = callback;
}

namespace ds_cs {
static void raise(const ds_binding::Failure &failure) {
    if (datasparse_cs_error_callback)
        datasparse_cs_error_callback(failure.status, failure.message.c_str(), failure.closed_type);
    else
        SWIG_CSharpSetPendingException(SWIG_CSharpApplicationException, failure.message.c_str());
}

/* A C# callback cannot throw through native frames under mono, so its
 * Guarded* wrapper catches the exception, reports it here and returns; the
 * director then throws this C++ exception right after the upcall, which the
 * datasparse.hpp trampoline turns into a failed callback (DS_ERR_CALLBACK).
 * The C# exception itself waits in CallbackGuard for the failed call's
 * exception, whose InnerException it becomes. */
thread_local bool callback_failed = false;
thread_local std::string callback_message;

inline void rethrow_callback_failure() {
    if (!callback_failed) return;
    callback_failed = false;
    std::string message;
    message.swap(callback_message);
    throw datasparse::Error(DS_ERR_CALLBACK, message);
}
}  // namespace ds_cs

#ifdef __cplusplus
extern "C"
#endif
SWIGEXPORT void SWIGSTDCALL DatasparseCs_CallbackFailed(const char *message) {
    ds_cs::callback_failed = true;
    ds_cs::callback_message = message ? message : "C# callback failed";
}
%}

%pragma(csharp) imclasscode=%{
  internal class DatasparseErrorHelper {
    internal delegate void ErrorDelegate(int status, string message, string closedType);
    static ErrorDelegate errorDelegate = new ErrorDelegate(SetPendingError);

    [global::System.Runtime.InteropServices.DllImport("$dllimport", EntryPoint="DatasparseCs_RegisterErrorCallback")]
    static extern void DatasparseCs_RegisterErrorCallback(ErrorDelegate callback);

    static void SetPendingError(int status, string message, string closedType) {
      // Never throw from here: this runs inside a native call.
      SWIGPendingException.Set(Failures.FromNative(status, message, closedType));
    }

    static DatasparseErrorHelper() {
      DatasparseCs_RegisterErrorCallback(errorDelegate);
    }
  }
#pragma warning disable 414 // only its static constructor matters
  static DatasparseErrorHelper datasparseErrorHelper = new DatasparseErrorHelper();
#pragma warning restore 414

  [global::System.Runtime.InteropServices.DllImport("$dllimport", EntryPoint="DatasparseCs_CallbackFailed")]
  internal static extern void DatasparseCs_CallbackFailed(string message);
%}

/* The C++ side of a C# callback: after the upcall, a failure the Guarded*
 * wrapper reported fails the callback (see the surface file). */
%typemap(directorout) double compute, double factor %{
    ds_cs::rethrow_callback_failure();
    $result = ($1_ltype)$input;
%}
%typemap(directorargout) datasparse::MaskView &mask %{
    ds_cs::rethrow_callback_failure();
%}
