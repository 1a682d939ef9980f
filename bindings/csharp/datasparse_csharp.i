/* C# (mono) surface of the interface ../swig/datasparse.i (namespace
 * Datasparse). The shared policy (allow-list, enums, exceptions, handles)
 * is there; here are the .NET idioms:
 *
 *  - Handles (Config, the sparsifiers, DataScheduler, BuiltinSchedule) are
 *    IDisposable: Dispose() releases the native object now; any later use,
 *    also as an argument, throws ObjectDisposedException (DisposedException,
 *    Status.State). The finalizer frees the small wrapper object itself.
 *    Nothing of SWIG is public: no swigCMemOwn, getCPtr, delegate types or
 *    module class; the raw methods are internal.
 *  - Properties where .NET has them (Count, Names, Keys, StepCount,
 *    LastEpoch, MaskUpdate, Verbose, Kind, Rows/Cols of the views); sizes
 *    are long or int, never uint.
 *  - Failures throw the usual .NET types (Failures.cs): ArgumentException,
 *    KeyNotFoundException, InvalidOperationException, IOException, ... each
 *    an IDatasparseException carrying a Status; null arguments are
 *    ArgumentNullException naming the parameter.
 *  - Arrays (float[], double[], ushort[]) are copied; Memory<float>,
 *    Memory<double>, Memory<ushort> and IntPtr are borrowed zero-copy
 *    (pinned until the item is replaced or removed). Tensors of any dtype,
 *    N-D shape and row stride: a DType and a shape (params long[] or int[]),
 *    or a TensorDesc. float16 and bfloat16 are their bits in a ushort (mono
 *    has no System.Half).
 *  - C# callbacks never unwind through native frames (Guarded* wrappers).
 *  - XML documentation on every public member (the build fails without:
 *    mcs -doc with warning CS1591 an error).
 * Hand-written C# beside this file: Failures.cs (exceptions), CallbackGuard.cs,
 * BufferUtil.cs, Library.cs, TensorDesc.cs.
 */

/* ---------------------------------------------------------------------------
 * The module class is internal; Library.cs is the public face.
 * ------------------------------------------------------------------------- */
%pragma(csharp) moduleclassmodifiers="internal class"
%rename(StatusName) ds_status_string;
%csmethodmodifiers ds_status_string "internal";
%csmethodmodifiers datasparse::version "internal";
%rename(IO) DS_ERR_IO;   /* .NET writes two-letter acronyms in capitals */

/* ---------------------------------------------------------------------------
 * Enums (from datasparse.h): documentation of the type and each constant.
 * ------------------------------------------------------------------------- */
%typemap(csclassmodifiers) ds_status "/// <summary>The status of a failed call (the C API's ds_status); every exception of the library is an <see cref=\"IDatasparseException\"/> carrying one.</summary>\npublic enum"
%typemap(csclassmodifiers) ds_norm "/// <summary>The block score of a <see cref=\"DataNormSparsifier\"/>: the mean of |x| (L1) or of x*x (L2).</summary>\npublic enum"
%typemap(csclassmodifiers) ds_dtype "/// <summary>\n/// The element type of a data item (see <see cref=\"TensorDesc\"/>). float16 and bfloat16 data are the bits\n/// of their elements in a ushort (mono has no System.Half). Scores of float16 and bfloat16 data are those of\n/// the same values in float32, so their masks are too; float64 data is scored in double.\n/// </summary>\npublic enum"
%rename(BFloat16) DS_DTYPE_BFLOAT16;
%csattributes DS_DTYPE_FLOAT32 "/// <summary>IEEE 754 binary32: float.</summary>"
%csattributes DS_DTYPE_FLOAT64 "/// <summary>IEEE 754 binary64: double.</summary>"
%csattributes DS_DTYPE_FLOAT16 "/// <summary>IEEE 754 binary16, as the bits of each element in a ushort.</summary>"
%csattributes DS_DTYPE_BFLOAT16 "/// <summary>bfloat16 (the upper 16 bits of a float32), as the bits of each element in a ushort.</summary>"
%typemap(csclassmodifiers) ds_log_level "/// <summary>The level of a log message (see <see cref=\"Library.SetLogHandler\"/>).</summary>\npublic enum"
%csattributes DS_OK "/// <summary>Success.</summary>"
%csattributes DS_ERR_INVALID_ARGUMENT "/// <summary>An argument is missing, malformed or out of range.</summary>"
%csattributes DS_ERR_NOT_FOUND "/// <summary>No data item or config key of that name.</summary>"
%csattributes DS_ERR_SHAPE "/// <summary>Shapes do not agree (e.g. a reused mask of another shape).</summary>"
%csattributes DS_ERR_STATE "/// <summary>Not possible in the object's state: disposed, squashed, or inside its own callback.</summary>"
%csattributes DS_ERR_CALLBACK "/// <summary>A callback failed or misbehaved.</summary>"
%csattributes DS_ERR_CORRUPT "/// <summary>A saved state is malformed or does not fit.</summary>"
%csattributes DS_ERR_IO "/// <summary>Reading or writing a file failed.</summary>"
%csattributes DS_ERR_NO_MEMORY "/// <summary>An allocation failed.</summary>"
%csattributes DS_ERR_UNSUPPORTED "/// <summary>A valid request this build cannot do.</summary>"
%csattributes DS_ERR_INTERNAL "/// <summary>A bug in datasparse; please report it.</summary>"
%csattributes DS_NORM_L1 "/// <summary>Mean |x| over the block.</summary>"
%csattributes DS_NORM_L2 "/// <summary>Mean x*x over the block.</summary>"
%csattributes DS_LOG_DEBUG "/// <summary>Debugging detail.</summary>"
%csattributes DS_LOG_INFO "/// <summary>Information, e.g. a verbose scheduler's values.</summary>"
%csattributes DS_LOG_WARNING "/// <summary>A warning, e.g. data replaced under an existing name.</summary>"

/* ---------------------------------------------------------------------------
 * Proxies: nothing of SWIG is public. The wrapper object is deleted by the
 * finalizer (SwigDelete); a handle's Dispose() releases the native object
 * long before (DS_CS_HANDLE below).
 * ------------------------------------------------------------------------- */
%typemap(csbody) SWIGTYPE %{
  private global::System.Runtime.InteropServices.HandleRef swigCPtr;
  internal bool swigCMemOwn;

  internal $csclassname(global::System.IntPtr cPtr, bool cMemoryOwn) {
    swigCMemOwn = cMemoryOwn;
    swigCPtr = new global::System.Runtime.InteropServices.HandleRef(this, cPtr);
  }

  internal static global::System.Runtime.InteropServices.HandleRef getCPtr($csclassname obj) {
    return (obj == null) ? new global::System.Runtime.InteropServices.HandleRef(null, global::System.IntPtr.Zero) : obj.swigCPtr;
  }

  // A callback's view (and its Config) is detached when the callback returns.
  internal void SwigDetach() {
    lock (this) swigCPtr = new global::System.Runtime.InteropServices.HandleRef(null, global::System.IntPtr.Zero);
  }
%}
%typemap(csbody_derived) SWIGTYPE %{
  private global::System.Runtime.InteropServices.HandleRef swigCPtr;

  internal $csclassname(global::System.IntPtr cPtr, bool cMemoryOwn) : base($imclassname.$csclazznameSWIGUpcast(cPtr), cMemoryOwn) {
    swigCPtr = new global::System.Runtime.InteropServices.HandleRef(this, cPtr);
  }

  internal static global::System.Runtime.InteropServices.HandleRef getCPtr($csclassname obj) {
    return (obj == null) ? new global::System.Runtime.InteropServices.HandleRef(null, global::System.IntPtr.Zero) : obj.swigCPtr;
  }
%}
%typemap(csinterfaces) SWIGTYPE ""
%typemap(csdispose) SWIGTYPE %{
  /// <summary>Frees the wrapper object (the finalizer).</summary>
  ~$csclassname() {
    SwigDelete();
  }
%}
%typemap(csdispose_derived) SWIGTYPE ""
%typemap(csdisposing, methodname="SwigDelete", methodmodifiers="internal", parameters="") SWIGTYPE {
    lock(this) {
      if (swigCPtr.Handle != global::System.IntPtr.Zero) {
        if (swigCMemOwn) {
          swigCMemOwn = false;
          $imcall;
        }
        swigCPtr = new global::System.Runtime.InteropServices.HandleRef(null, global::System.IntPtr.Zero);
      }
    }
  }
%typemap(csdisposing_derived, methodname="SwigDelete", methodmodifiers="internal", parameters="") SWIGTYPE {
    lock(this) {
      if (swigCPtr.Handle != global::System.IntPtr.Zero) {
        if (swigCMemOwn) {
          swigCMemOwn = false;
          $imcall;
        }
        swigCPtr = new global::System.Runtime.InteropServices.HandleRef(null, global::System.IntPtr.Zero);
      }
      base.SwigDelete();
    }
  }
%typemap(directordisconnect, methodname="swigDirectorDisconnect") SWIGTYPE %{
  internal void $methodname() {
    swigCMemOwn = false;
    SwigDelete();
  }
%}
%feature("csdirectordelegatemodifiers") "internal";

/* A null argument is an ArgumentNullException naming the parameter. */
%typemap(csin) SWIGTYPE &, const SWIGTYPE & "$csclassname.getCPtr(BufferUtil.NotNull($csinput, \"$csinput\"))"
%typemap(csin) const std::string & "BufferUtil.NotNull($csinput, \"$csinput\")"

/* The handle classes: IDisposable; Dispose() is C++ close(). */
%define DS_CS_HANDLE(TYPE)
%typemap(csinterfaces) TYPE "global::System.IDisposable"
%rename(CloseNative) TYPE::close;
%rename(IsClosedNative) TYPE::isClosed;
%csmethodmodifiers TYPE::close "internal";
%csmethodmodifiers TYPE::isClosed "internal";
%enddef
DS_CS_HANDLE(datasparse::Config)
DS_CS_HANDLE(datasparse::Sparsifier)
DS_CS_HANDLE(datasparse::DataScheduler)
DS_CS_HANDLE(datasparse::BuiltinSchedule)

%define DS_CS_DISPOSE(TYPE, WHAT)
%typemap(csdispose) TYPE %{
  /// <summary>Frees the wrapper object (the finalizer).</summary>
  ~$csclassname() {
    SwigDelete();
  }

  /// <summary>
  /// Releases the native WHAT now; any later use, also as an argument, throws
  /// <see cref="System.ObjectDisposedException"/>. Disposing twice does nothing.
  /// </summary>
  public void Dispose() {
    CloseNative();
  }

  /// <summary>Whether <see cref="Dispose"/> was called.</summary>
  public bool IsDisposed {
    get { return IsClosedNative(); }
  }
%}
%enddef
DS_CS_DISPOSE(datasparse::Config, config)
DS_CS_DISPOSE(datasparse::DataScheduler, scheduler (not its sparsifier))
DS_CS_DISPOSE(datasparse::BuiltinSchedule, schedule (schedulers made from it keep their copy))

/* ---------------------------------------------------------------------------
 * Callbacks written in C#: the upcall runs inside a Guarded* method, which
 * catches any exception (it must not unwind through mono's native frames)
 * and reports it to CallbackGuard; the C++ side of the director then fails
 * the callback (csharp_hooks.i).
 * ------------------------------------------------------------------------- */
%typemap(csdirectorout) double compute "Guarded$cscall"
%typemap(csdirectorout) double factor "Guarded$cscall"
%typemap(csdirectorout) void updateMask "Guarded$cscall"
%typemap(csdirectorout) void log "Guarded$cscall"
%typemap(csdirectorout) void sum "Guarded$cscall"
/* The allreduce's upcall: a failure its Guarded* wrapper reported fails the
 * callback right after it (as the MaskView of updateMask, csharp_hooks.i). */
%typemap(directorargout) datasparse::AllreduceCounts &counts %{
    ds_cs::rethrow_callback_failure();
%}

/* The views and the config handed to updateMask live only during the
 * callback: their C# proxies are detached afterwards (later use throws
 * ObjectDisposedException instead of reading freed memory). */
%define DS_CS_CALLBACK_ONLY(TYPE, CSTYPE)
%typemap(csdirectorin, pre="    var cb_$iminput = new CSTYPE($iminput, false);\n    global::System.GC.SuppressFinalize(cb_$iminput);", post="      cb_$iminput.SwigDetach();") TYPE "cb_$iminput"
%enddef
DS_CS_CALLBACK_ONLY(const datasparse::DataView &, DataView)
DS_CS_CALLBACK_ONLY(datasparse::MaskView &, MaskView)
DS_CS_CALLBACK_ONLY(const datasparse::Config &config, Config)

/* Schedule, LambdaFactor, DataSparsifier: subclass them; their methods are abstract. */
%typemap(csclassmodifiers) datasparse::Schedule "/// <summary>\n/// A schedule written in C#: subclass it and implement <see cref=\"Compute\"/>, the item's new value.\n/// Hand it to a <see cref=\"DataScheduler\"/>, which keeps it alive. An exception thrown there fails the\n/// scheduler's step (nothing changes, the epoch does not advance) with a <see cref=\"CallbackException\"/>\n/// whose InnerException it is.\n/// </summary>\npublic abstract class"
%csmethodmodifiers datasparse::Schedule::Schedule "/// <summary>For subclasses.</summary>\n  protected"
%csmethodmodifiers datasparse::Schedule::compute "/// <summary>The item's value at epoch.</summary>\n  /// <param name=\"name\">The item.</param>\n  /// <param name=\"epoch\">The epoch (0, 1, ...).</param>\n  /// <param name=\"baseValue\">The item's value when the scheduler first saw it.</param>\n  /// <param name=\"current\">Its value now.</param>\n  /// <returns>The new value (finite).</returns>\n  public abstract"
%warnfilter(844) datasparse::Schedule::compute;  /* abstract: no body */
%typemap(csout) double datasparse::Schedule::compute ";"
%typemap(cscode) datasparse::Schedule %{
  private double GuardedCompute(string name, long epoch, double baseValue, double current) {
    try {
      return Compute(name, epoch, baseValue, current);
    } catch (global::System.Exception e) {
      CallbackGuard.Fail(e);
      return double.NaN;
    }
  }
%}

%typemap(csclassmodifiers) datasparse::LambdaFactor "/// <summary>\n/// f(epoch) for <see cref=\"BuiltinSchedule.Lambda\"/> (value = base * f(epoch)): subclass it and\n/// implement <see cref=\"Factor\"/>.\n/// </summary>\npublic abstract class"
%csmethodmodifiers datasparse::LambdaFactor::LambdaFactor "/// <summary>For subclasses.</summary>\n  protected"
%csmethodmodifiers datasparse::LambdaFactor::factor "/// <summary>The factor at epoch.</summary>\n  /// <param name=\"epoch\">The epoch (0, 1, ...).</param>\n  /// <returns>The factor (finite).</returns>\n  public abstract"
%warnfilter(844) datasparse::LambdaFactor::factor;  /* abstract: no body */
%typemap(csout) double datasparse::LambdaFactor::factor ";"
%typemap(cscode) datasparse::LambdaFactor %{
  private double GuardedFactor(long epoch) {
    try {
      return Factor(epoch);
    } catch (global::System.Exception e) {
      CallbackGuard.Fail(e);
      return double.NaN;
    }
  }
%}

/* The allreduce: internal (Sparsifier.SetAllreduce takes a delegate). */
%rename(AllreduceNative) datasparse::Allreduce;
%typemap(csclassmodifiers) datasparse::Allreduce "internal abstract class"
%csmethodmodifiers datasparse::Allreduce::Allreduce "internal"
%csmethodmodifiers datasparse::Allreduce::sum "internal abstract"
%warnfilter(844) datasparse::Allreduce::sum;  /* abstract: no body */
%typemap(csout) void datasparse::Allreduce::sum ";"
%typemap(cscode) datasparse::Allreduce %{
  private void GuardedSum(AllreduceCounts counts) {
    try {
      Sum(counts);
    } catch (global::System.Exception e) {
      CallbackGuard.Fail(e);
    }
  }
%}
%typemap(csclassmodifiers) datasparse::AllreduceCounts "internal class"
%csmethodmodifiers datasparse::AllreduceCounts::size "internal"
%csmethodmodifiers datasparse::AllreduceCounts::get "internal"
%csmethodmodifiers datasparse::AllreduceCounts::set "internal"

/* The log handler: internal (Library.SetLogHandler takes a delegate). */
%typemap(csclassmodifiers) datasparse::LogHandler "internal abstract class"
%csmethodmodifiers datasparse::LogHandler::log "internal abstract"
%warnfilter(844) datasparse::LogHandler::log;  /* abstract: no body */
%typemap(csout) void datasparse::LogHandler::log ";"
%csmethodmodifiers datasparse::LogHandler::install "internal"
%csmethodmodifiers datasparse::LogHandler::LogHandler "internal"
%typemap(cscode) datasparse::LogHandler %{
  private void GuardedLog(LogLevel level, string message) {
    try {
      Log(level, message);
    } catch (global::System.Exception) {
      // A throwing handler must not fail the call that logged: dropped.
    }
  }
%}

/* ---------------------------------------------------------------------------
 * Buffers: raw pointers travel as IntPtr to internal methods; the public
 * C# methods (cscode below) pin or allocate managed memory around them.
 * ------------------------------------------------------------------------- */
%define DS_CS_RAW_POINTER(TYPE)
%typemap(ctype) TYPE "void *"
%typemap(imtype) TYPE "global::System.IntPtr"
%typemap(cstype) TYPE "global::System.IntPtr"
%typemap(csin) TYPE "$csinput"
%typemap(in) TYPE %{ $1 = ($1_ltype)$input; %}
%enddef
DS_CS_RAW_POINTER(float *data)
DS_CS_RAW_POINTER(const float *data)
DS_CS_RAW_POINTER(void *data)
DS_CS_RAW_POINTER(const void *data)
DS_CS_RAW_POINTER(void *out)
DS_CS_RAW_POINTER(float *out)
DS_CS_RAW_POINTER(uint8_t *out)
DS_CS_RAW_POINTER(const uint8_t *values)
DS_CS_RAW_POINTER(const uint8_t *bytes)

/* Counts cross as long (C# size_t would be uint). */
%typemap(cstype) size_t count "long"
%typemap(csin) size_t count "checked((global::System.UIntPtr)(ulong)$csinput)"
%typemap(imtype) size_t count "global::System.UIntPtr"
%typemap(ctype) size_t count "size_t"
%typemap(in) size_t count %{ $1 = $input; %}
%typemap(ctype) size_t, size_t index "size_t"
%typemap(imtype) size_t, size_t index "global::System.UIntPtr"
%typemap(cstype) size_t "long"
%typemap(cstype) size_t index "long"
%typemap(csin) size_t index "checked((global::System.UIntPtr)(ulong)$csinput)"
%typemap(in) size_t index %{ $1 = $input; %}
%typemap(out) size_t %{ $result = $1; %}
%typemap(csout, excode=SWIGEXCODE) size_t {
    long ret = checked((long)(ulong)$imcall);$excode
    return ret;
  }

/* Shapes cross as a long[] (pinned by the marshaller for the call); long
 * long, as SWIG's stdint.i has int64_t. */
%typemap(ctype) const long long *shape "long long *"
%typemap(imtype) const long long *shape "long[]"
%typemap(cstype) const long long *shape "long[]"
%typemap(csin) const long long *shape "$csinput"
%typemap(in) const long long *shape %{ $1 = ($1_ltype)$input; %}

/* Lists of names cross as a string[] (char ** on the native side). */
%typemap(ctype) const char **names "char **"
%typemap(imtype, inattributes="[global::System.Runtime.InteropServices.MarshalAs(global::System.Runtime.InteropServices.UnmanagedType.LPArray, ArraySubType=global::System.Runtime.InteropServices.UnmanagedType.LPStr)]") const char **names "string[]"
%typemap(cstype) const char **names "string[]"
%typemap(csin) const char **names "$csinput"
%typemap(in) const char **names %{ $1 = ($1_ltype)$input; %}

/* Saved state: std::vector<uint8_t> comes back as a byte[] (one copy). */
%{
#ifdef __cplusplus
extern "C" {
#endif
SWIGEXPORT size_t SWIGSTDCALL DatasparseCs_BytesSize(void *bytes) {
    return static_cast<std::vector<uint8_t> *>(bytes)->size();
}
SWIGEXPORT void *SWIGSTDCALL DatasparseCs_BytesData(void *bytes) {
    return static_cast<std::vector<uint8_t> *>(bytes)->data();
}
SWIGEXPORT void SWIGSTDCALL DatasparseCs_BytesFree(void *bytes) {
    delete static_cast<std::vector<uint8_t> *>(bytes);
}
#ifdef __cplusplus
}
#endif
%}
%pragma(csharp) imclasscode=%{
  [global::System.Runtime.InteropServices.DllImport("$dllimport", EntryPoint="DatasparseCs_BytesSize")]
  static extern global::System.UIntPtr DatasparseCs_BytesSize(global::System.IntPtr bytes);
  [global::System.Runtime.InteropServices.DllImport("$dllimport", EntryPoint="DatasparseCs_BytesData")]
  static extern global::System.IntPtr DatasparseCs_BytesData(global::System.IntPtr bytes);
  [global::System.Runtime.InteropServices.DllImport("$dllimport", EntryPoint="DatasparseCs_BytesFree")]
  static extern void DatasparseCs_BytesFree(global::System.IntPtr bytes);

  internal static byte[] TakeBytes(global::System.IntPtr bytes) {
    try {
      byte[] result = new byte[checked((int)DatasparseCs_BytesSize(bytes).ToUInt64())];
      if (result.Length > 0)
        global::System.Runtime.InteropServices.Marshal.Copy(DatasparseCs_BytesData(bytes), result, 0, result.Length);
      return result;
    } finally {
      DatasparseCs_BytesFree(bytes);
    }
  }
%}
/* A shape (std::vector<int64_t>) comes back as a long[] (one copy). */
%{
#ifdef __cplusplus
extern "C" {
#endif
SWIGEXPORT size_t SWIGSTDCALL DatasparseCs_LongsSize(void *longs) {
    return static_cast<std::vector<int64_t> *>(longs)->size();
}
SWIGEXPORT void *SWIGSTDCALL DatasparseCs_LongsData(void *longs) {
    return static_cast<std::vector<int64_t> *>(longs)->data();
}
SWIGEXPORT void SWIGSTDCALL DatasparseCs_LongsFree(void *longs) {
    delete static_cast<std::vector<int64_t> *>(longs);
}
#ifdef __cplusplus
}
#endif
%}
%pragma(csharp) imclasscode=%{
  [global::System.Runtime.InteropServices.DllImport("$dllimport", EntryPoint="DatasparseCs_LongsSize")]
  static extern global::System.UIntPtr DatasparseCs_LongsSize(global::System.IntPtr longs);
  [global::System.Runtime.InteropServices.DllImport("$dllimport", EntryPoint="DatasparseCs_LongsData")]
  static extern global::System.IntPtr DatasparseCs_LongsData(global::System.IntPtr longs);
  [global::System.Runtime.InteropServices.DllImport("$dllimport", EntryPoint="DatasparseCs_LongsFree")]
  static extern void DatasparseCs_LongsFree(global::System.IntPtr longs);

  internal static long[] TakeLongs(global::System.IntPtr longs) {
    try {
      long[] result = new long[checked((int)DatasparseCs_LongsSize(longs).ToUInt64())];
      if (result.Length > 0)
        global::System.Runtime.InteropServices.Marshal.Copy(DatasparseCs_LongsData(longs), result, 0, result.Length);
      return result;
    } finally {
      DatasparseCs_LongsFree(longs);
    }
  }
%}
%typemap(ctype) std::vector<int64_t> "void *"
%typemap(imtype) std::vector<int64_t> "global::System.IntPtr"
%typemap(cstype) std::vector<int64_t> "long[]"
%typemap(out) std::vector<int64_t> %{ $result = new std::vector<int64_t>((const std::vector<int64_t> &)$1); %}
%typemap(csout, excode=SWIGEXCODE) std::vector<int64_t> {
    global::System.IntPtr longs = $imcall;$excode
    return $imclassname.TakeLongs(longs);
  }

%typemap(ctype) std::vector<uint8_t> "void *"
%typemap(imtype) std::vector<uint8_t> "global::System.IntPtr"
%typemap(cstype) std::vector<uint8_t> "byte[]"
%typemap(out) std::vector<uint8_t> %{ $result = new std::vector<uint8_t>((const std::vector<uint8_t> &)$1); %}
%typemap(csout, excode=SWIGEXCODE) std::vector<uint8_t> {
    global::System.IntPtr bytes = $imcall;$excode
    return $imclassname.TakeBytes(bytes);
  }

/* ---------------------------------------------------------------------------
 * Config
 * ------------------------------------------------------------------------- */
%typemap(csclassmodifiers) datasparse::Config "/// <summary>\n/// A map from key to a finite double: the defaults of a sparsifier, or one item's overrides:\n/// <c>new Config { [\"sparsity_level\"] = 0.5 }</c>. Dispose it to release the native object now.\n/// </summary>\npublic class"
%csmethodmodifiers datasparse::Config::Config() "/// <summary>An empty config.</summary>\n  public"
%csmethodmodifiers datasparse::Config::Config(const Config &) "/// <summary>A copy of other.</summary>\n  /// <param name=\"other\">The config to copy.</param>\n  /// <exception cref=\"System.ObjectDisposedException\">other was disposed.</exception>\n  public"
%csmethodmodifiers datasparse::Config::set "/// <summary>Sets key to value.</summary>\n  /// <param name=\"key\">A non-empty key.</param>\n  /// <param name=\"value\">A finite value.</param>\n  /// <exception cref=\"System.ArgumentException\">An empty key, or a NaN or infinite value.</exception>\n  public"
%csmethodmodifiers datasparse::Config::get "/// <summary>The value of key.</summary>\n  /// <param name=\"key\">The key.</param>\n  /// <returns>Its value.</returns>\n  /// <exception cref=\"System.Collections.Generic.KeyNotFoundException\">The key is absent.</exception>\n  public"
%csmethodmodifiers datasparse::Config::contains "/// <summary>Whether key is set.</summary>\n  /// <param name=\"key\">The key.</param>\n  /// <returns>True if it is.</returns>\n  public"
%csmethodmodifiers datasparse::Config::remove "/// <summary>Removes key.</summary>\n  /// <param name=\"key\">The key.</param>\n  /// <exception cref=\"System.Collections.Generic.KeyNotFoundException\">The key is absent.</exception>\n  public"
%rename(CountNative) datasparse::Config::size;
%csmethodmodifiers datasparse::Config::size "internal"
%csmethodmodifiers datasparse::Config::keyAt "internal"
%ignore datasparse::Config::keys;
%typemap(cscode) datasparse::Config %{
  /// <summary>The value of key: get throws KeyNotFoundException if it is absent; set sets it.</summary>
  /// <param name="key">The key.</param>
  public double this[string key] {
    get { return Get(key); }
    set { Set(key, value); }
  }

  /// <summary>The value of key, if it is set.</summary>
  /// <param name="key">The key.</param>
  /// <param name="value">Its value, or 0 if it is absent.</param>
  /// <returns>Whether the key is set.</returns>
  public bool TryGetValue(string key, out double value) {
    if (Contains(key)) {
      value = Get(key);
      return true;
    }
    value = 0;
    return false;
  }

  /// <summary>The number of keys.</summary>
  public int Count {
    get { return checked((int)CountNative()); }
  }

  /// <summary>The keys, in ascending byte order (a copy).</summary>
  public global::System.Collections.Generic.IReadOnlyList<string> Keys {
    get {
      var keys = new string[Count];
      for (int i = 0; i < keys.Length; ++i) keys[i] = KeyAt(i);
      return keys;
    }
  }
%}

/* ---------------------------------------------------------------------------
 * Views handed to UpdateMask
 * ------------------------------------------------------------------------- */
%typemap(csclassmodifiers) datasparse::DataView "/// <summary>\n/// A read-only view of an item's data, valid only during the <see cref=\"DataSparsifier.UpdateMask\"/>\n/// call that received it (afterwards every call throws ObjectDisposedException).\n/// </summary>\npublic class"
%typemap(csclassmodifiers) datasparse::MaskView "/// <summary>\n/// A writable view of an item's mask (1 = keep, 0 = zero), valid only during the\n/// <see cref=\"DataSparsifier.UpdateMask\"/> call that received it (afterwards every call throws\n/// ObjectDisposedException).\n/// </summary>\npublic class"
%define DS_CS_VIEW(TYPE)
%rename(RowsNative) TYPE::rows;
%rename(ColsNative) TYPE::cols;
%rename(CountNative) TYPE::size;
%rename(CopyToRaw) TYPE::copyTo;
%csmethodmodifiers TYPE::rows "internal"
%csmethodmodifiers TYPE::cols "internal"
%csmethodmodifiers TYPE::size "internal"
%csmethodmodifiers TYPE::copyTo "internal"
%enddef
DS_CS_VIEW(datasparse::DataView)
DS_CS_VIEW(datasparse::MaskView)
%typemap(csdispose) datasparse::DataView, datasparse::MaskView ""  /* never owned: no finalizer */
%rename(CopyFromRaw) datasparse::MaskView::copyFrom;
%csmethodmodifiers datasparse::MaskView::copyFrom "internal"
%csmethodmodifiers datasparse::DataView::get "/// <summary>One element.</summary>\n  /// <param name=\"row\">Its row.</param>\n  /// <param name=\"col\">Its column.</param>\n  /// <returns>The element.</returns>\n  /// <exception cref=\"System.ArgumentException\">Outside the item.</exception>\n  public"
%csmethodmodifiers datasparse::MaskView::get "/// <summary>One mask element.</summary>\n  /// <param name=\"row\">Its row.</param>\n  /// <param name=\"col\">Its column.</param>\n  /// <returns>1 (keep) or 0 (zero).</returns>\n  /// <exception cref=\"System.ArgumentException\">Outside the item.</exception>\n  public"
%csmethodmodifiers datasparse::MaskView::set "/// <summary>Sets one mask element.</summary>\n  /// <param name=\"row\">Its row.</param>\n  /// <param name=\"col\">Its column.</param>\n  /// <param name=\"value\">1 (keep) or 0 (zero).</param>\n  /// <exception cref=\"System.ArgumentException\">Outside the item, or another value.</exception>\n  public"
%csmethodmodifiers datasparse::MaskView::fill "/// <summary>Sets every mask element.</summary>\n  /// <param name=\"value\">1 (keep) or 0 (zero).</param>\n  /// <exception cref=\"System.ArgumentException\">Another value.</exception>\n  public"
%typemap(cscode) datasparse::DataView %{
  /// <summary>The item's number of rows.</summary>
  public long Rows {
    get { return RowsNative(); }
  }

  /// <summary>The item's number of columns.</summary>
  public long Cols {
    get { return ColsNative(); }
  }

  /// <summary>The number of elements, Rows * Cols.</summary>
  public long Count {
    get { return CountNative(); }
  }

  /// <summary>A copy of the data, row-major.</summary>
  /// <returns>Rows * Cols floats.</returns>
  public float[] ToArray() {
    float[] result = new float[checked((int)Count)];
    CopyTo(result);
    return result;
  }

  /// <summary>Copies the data, row-major, into destination.</summary>
  /// <param name="destination">At least Rows * Cols floats.</param>
  /// <exception cref="System.ArgumentException">destination is too small.</exception>
  public void CopyTo(float[] destination) {
    BufferUtil.NotNull(destination, "destination");
    using (var pin = BufferUtil.Pin(destination)) CopyToRaw(pin.Address, destination.Length);
  }
%}
%typemap(cscode) datasparse::MaskView %{
  /// <summary>The item's number of rows.</summary>
  public long Rows {
    get { return RowsNative(); }
  }

  /// <summary>The item's number of columns.</summary>
  public long Cols {
    get { return ColsNative(); }
  }

  /// <summary>The number of elements, Rows * Cols.</summary>
  public long Count {
    get { return CountNative(); }
  }

  /// <summary>A copy of the mask, row-major.</summary>
  /// <returns>Rows * Cols bytes, each 0 or 1.</returns>
  public byte[] ToArray() {
    byte[] result = new byte[checked((int)Count)];
    CopyTo(result);
    return result;
  }

  /// <summary>Copies the mask, row-major, into destination.</summary>
  /// <param name="destination">At least Rows * Cols bytes.</param>
  /// <exception cref="System.ArgumentException">destination is too small.</exception>
  public void CopyTo(byte[] destination) {
    BufferUtil.NotNull(destination, "destination");
    using (var pin = BufferUtil.Pin(destination)) CopyToRaw(pin.Address, destination.Length);
  }

  /// <summary>Replaces the mask, row-major.</summary>
  /// <param name="values">At least Rows * Cols values, each 0 or 1.</param>
  /// <exception cref="System.ArgumentException">values is too short or holds another value.</exception>
  public void CopyFrom(byte[] values) {
    BufferUtil.NotNull(values, "values");
    using (var pin = BufferUtil.Pin(values)) CopyFromRaw(pin.Address, values.Length);
  }
%}

/* ---------------------------------------------------------------------------
 * Sparsifiers
 * ------------------------------------------------------------------------- */
%typemap(csclassmodifiers) datasparse::Sparsifier "/// <summary>\n/// What the sparsifiers share: named data items (row-major float matrices), each with a config and a\n/// mask (1 = keep, 0 = zero) that <see cref=\"Step\"/> recomputes. A float[] is copied; a\n/// Memory&lt;float&gt; (or unmanaged memory) is borrowed zero-copy. Dispose it to release the native\n/// object. Calls on one sparsifier (and its schedulers) must not overlap.\n/// </summary>\npublic abstract class"
%typemap(csclassmodifiers) datasparse::DataNormSparsifier "/// <summary>\n/// PyTorch's DataNormSparsifier: zeroes the lowest-norm blocks (L1 or L2) of each item. Config keys:\n/// sparsity_level (0.5), block_rows (1), block_cols (4), zeros_per_block (block_rows * block_cols).\n/// </summary>\npublic class"
%typemap(csclassmodifiers) datasparse::DataSparsifier "/// <summary>\n/// A sparsifier whose masks you compute: subclass it and implement <see cref=\"UpdateMask\"/>, which\n/// <see cref=\"Sparsifier.Step\"/> calls once per item with the item's data, its merged config and its\n/// current mask to modify (valid only during the call). An exception thrown there fails the step (no\n/// mask changes) with a <see cref=\"CallbackException\"/> whose InnerException it is.\n/// </summary>\npublic abstract class"

%rename(AddDataBorrowedRaw) datasparse::Sparsifier::addDataBorrowed;
%rename(AddDataCopyRaw) datasparse::Sparsifier::addDataCopy;
%rename(GetMaskRaw) datasparse::Sparsifier::getMask;
%rename(GetDataRaw) datasparse::Sparsifier::getData;
%rename(RemoveDataRaw) datasparse::Sparsifier::removeData;
%rename(SquashAllRaw) datasparse::Sparsifier::squashAll;
%rename(CountNative) datasparse::Sparsifier::size;
%rename(StepCountNative) datasparse::Sparsifier::stepCount;
%rename(GetMaskUpdateNative) datasparse::Sparsifier::getMaskUpdate;
%rename(SetMaskUpdateNative) datasparse::Sparsifier::setMaskUpdate;
%rename(SaveRaw) datasparse::Sparsifier::save;
%rename(LoadRaw) datasparse::Sparsifier::load;
%rename(SaveToBytesRaw) datasparse::Sparsifier::saveToBytes;
%csmethodmodifiers datasparse::Sparsifier::addDataBorrowed "internal";
%csmethodmodifiers datasparse::Sparsifier::addDataCopy "internal";
%csmethodmodifiers datasparse::Sparsifier::getMask "internal";
%csmethodmodifiers datasparse::Sparsifier::getData "internal";
%csmethodmodifiers datasparse::Sparsifier::removeData "internal";
%csmethodmodifiers datasparse::Sparsifier::squashAll "internal";
%csmethodmodifiers datasparse::Sparsifier::size "internal";
%csmethodmodifiers datasparse::Sparsifier::nameAt "internal";
%csmethodmodifiers datasparse::Sparsifier::stepCount "internal";
%csmethodmodifiers datasparse::Sparsifier::getMaskUpdate "internal";
%csmethodmodifiers datasparse::Sparsifier::setMaskUpdate "internal";
%csmethodmodifiers datasparse::Sparsifier::save "internal";
%csmethodmodifiers datasparse::Sparsifier::load "internal";
%csmethodmodifiers datasparse::Sparsifier::saveToBytes "internal";
%csmethodmodifiers datasparse::Sparsifier::inCall "internal";
%ignore datasparse::Sparsifier::names;
%ignore datasparse::Sparsifier::squashMask;
%ignore datasparse::Sparsifier::loadFromBytes;
%ignore datasparse::Sparsifier::addTensorBorrowed;
%ignore datasparse::Sparsifier::addTensorCopy;
%ignore datasparse::Sparsifier::getTensorData;
%rename(GetDTypeNative) datasparse::Sparsifier::getDtype;
%rename(GetShapeNative) datasparse::Sparsifier::getShape;
%rename(GetRowStrideNative) datasparse::Sparsifier::getRowStride;
%csmethodmodifiers datasparse::Sparsifier::getDtype "internal";
%csmethodmodifiers datasparse::Sparsifier::getShape "internal";
%csmethodmodifiers datasparse::Sparsifier::getRowStride "internal";
%rename(AddTensorBorrowedRaw) datasparse::Sparsifier::addTensorBorrowedRaw;
%rename(AddTensorCopyRaw) datasparse::Sparsifier::addTensorCopyRaw;
%rename(GetTensorDataRaw) datasparse::Sparsifier::getTensorDataRaw;
%csmethodmodifiers datasparse::Sparsifier::addTensorBorrowedRaw "internal";
%csmethodmodifiers datasparse::Sparsifier::addTensorCopyRaw "internal";
%csmethodmodifiers datasparse::Sparsifier::getTensorDataRaw "internal";
%rename(SquashMaskRaw) datasparse::Sparsifier::squashMaskRaw;     /* C#'s own additions to the allow-list */
%rename(LoadFromBytesRaw) datasparse::Sparsifier::loadFromBytesRaw;
%csmethodmodifiers datasparse::Sparsifier::squashMaskRaw "internal";
%csmethodmodifiers datasparse::Sparsifier::loadFromBytesRaw "internal";
%extend datasparse::Sparsifier {
    void squashMaskRaw(const char **names, int count, bool leaveParametrized) {
        std::vector<std::string> list;
        for (int i = 0; i < count; ++i) list.emplace_back(names[i]);
        $self->squashMask(list, leaveParametrized);
    }
    void loadFromBytesRaw(const uint8_t *bytes, size_t count, bool strict) {
        $self->loadFromBytes(std::vector<uint8_t>(bytes, bytes + count), strict);
    }
    void addTensorBorrowedRaw(const std::string &name, void *data, size_t count, int elementSize, ds_dtype dtype,
                              const long long *shape, int ndim, int64_t rowStride, const datasparse::Config *config,
                              bool reuseMask) {
        $self->addTensorBorrowed(name, data, count, static_cast<size_t>(elementSize), dtype,
                                 std::vector<int64_t>(shape, shape + (shape ? ndim : 0)), rowStride, config, reuseMask);
    }
    void addTensorCopyRaw(const std::string &name, const void *data, size_t count, int elementSize, ds_dtype dtype,
                          const long long *shape, int ndim, int64_t rowStride, const datasparse::Config *config,
                          bool reuseMask) {
        $self->addTensorCopy(name, data, count, static_cast<size_t>(elementSize), dtype,
                             std::vector<int64_t>(shape, shape + (shape ? ndim : 0)), rowStride, config, reuseMask);
    }
    void getTensorDataRaw(const std::string &name, bool original, void *out, size_t count, int elementSize) const {
        $self->getTensorData(name, original, out, count, static_cast<size_t>(elementSize));
    }
}

/* Groups and shards (the public methods are the cscode's below). */
%ignore datasparse::Sparsifier::addShardBorrowed;
%ignore datasparse::Sparsifier::addShardCopy;
%ignore datasparse::Sparsifier::setGroup;
%ignore datasparse::Sparsifier::groupNames;
%ignore datasparse::Sparsifier::groupMembers;
%rename(RemoveGroupNative) datasparse::Sparsifier::removeGroup;
%rename(GroupCountNative) datasparse::Sparsifier::groupCount;
%rename(GetShardGlobalRowsNative) datasparse::Sparsifier::getShardGlobalRows;
%rename(GetShardFirstRowNative) datasparse::Sparsifier::getShardFirstRow;
%rename(LastExchangesNative) datasparse::Sparsifier::lastExchanges;
%rename(LastExchangeBytesNative) datasparse::Sparsifier::lastExchangeBytes;
%rename(SetAllreduceNative) datasparse::Sparsifier::setAllreduce;
%csmethodmodifiers datasparse::Sparsifier::removeGroup "internal";
%csmethodmodifiers datasparse::Sparsifier::groupCount "internal";
%csmethodmodifiers datasparse::Sparsifier::getShardGlobalRows "internal";
%csmethodmodifiers datasparse::Sparsifier::getShardFirstRow "internal";
%csmethodmodifiers datasparse::Sparsifier::lastExchanges "internal";
%csmethodmodifiers datasparse::Sparsifier::lastExchangeBytes "internal";
%csmethodmodifiers datasparse::Sparsifier::setAllreduce "internal";
%rename(AddShardBorrowedRaw) datasparse::Sparsifier::addShardBorrowedRaw;
%rename(AddShardCopyRaw) datasparse::Sparsifier::addShardCopyRaw;
%rename(SetGroupRaw) datasparse::Sparsifier::setGroupRaw;
%rename(GroupNameAtRaw) datasparse::Sparsifier::groupNameAtRaw;
%rename(GroupSizeRaw) datasparse::Sparsifier::groupSizeRaw;
%rename(GroupMemberAtRaw) datasparse::Sparsifier::groupMemberAtRaw;
%csmethodmodifiers datasparse::Sparsifier::addShardBorrowedRaw "internal";
%csmethodmodifiers datasparse::Sparsifier::addShardCopyRaw "internal";
%csmethodmodifiers datasparse::Sparsifier::setGroupRaw "internal";
%csmethodmodifiers datasparse::Sparsifier::groupNameAtRaw "internal";
%csmethodmodifiers datasparse::Sparsifier::groupSizeRaw "internal";
%csmethodmodifiers datasparse::Sparsifier::groupMemberAtRaw "internal";
%extend datasparse::Sparsifier {
    void addShardBorrowedRaw(const std::string &name, void *data, size_t count, int elementSize, ds_dtype dtype,
                             const long long *shape, int ndim, int64_t rowStride, int64_t globalRows,
                             int64_t firstRow, const datasparse::Config *config, bool reuseMask) {
        $self->addShardBorrowed(name, data, count, static_cast<size_t>(elementSize), dtype,
                                std::vector<int64_t>(shape, shape + (shape ? ndim : 0)), rowStride, globalRows,
                                firstRow, config, reuseMask);
    }
    void addShardCopyRaw(const std::string &name, const void *data, size_t count, int elementSize, ds_dtype dtype,
                         const long long *shape, int ndim, int64_t rowStride, int64_t globalRows, int64_t firstRow,
                         const datasparse::Config *config, bool reuseMask) {
        $self->addShardCopy(name, data, count, static_cast<size_t>(elementSize), dtype,
                            std::vector<int64_t>(shape, shape + (shape ? ndim : 0)), rowStride, globalRows, firstRow,
                            config, reuseMask);
    }
    void setGroupRaw(const std::string &group, const char **names, int count) {
        std::vector<std::string> list;
        for (int i = 0; i < count; ++i) list.emplace_back(names[i]);
        $self->setGroup(group, list);
    }
    std::string groupNameAtRaw(int index) const { return $self->groupNames().at(static_cast<size_t>(index)); }
    int groupSizeRaw(const std::string &group) const { return static_cast<int>($self->groupMembers(group).size()); }
    std::string groupMemberAtRaw(const std::string &group, int index) const {
        return $self->groupMembers(group).at(static_cast<size_t>(index));
    }
}

%csmethodmodifiers datasparse::Sparsifier::step "/// <summary>\n  /// Recomputes every (non-squashed) item's mask from its current data and config, if mask update is\n  /// enabled. All-or-nothing: on failure no mask changes.\n  /// </summary>\n  /// <exception cref=\"CallbackException\">An UpdateMask (of a DataSparsifier) threw.</exception>\n  public"
%csmethodmodifiers datasparse::Sparsifier::getParam "/// <summary>A config value of an item (a norm sparsifier reports the effective zeros_per_block).</summary>\n  /// <param name=\"name\">The item.</param>\n  /// <param name=\"key\">The config key.</param>\n  /// <returns>The value.</returns>\n  /// <exception cref=\"System.Collections.Generic.KeyNotFoundException\">An unknown item or key.</exception>\n  public"
%csmethodmodifiers datasparse::Sparsifier::setParam "/// <summary>Sets a config value of an item, checked like AddData's config.</summary>\n  /// <param name=\"name\">The item.</param>\n  /// <param name=\"key\">The config key.</param>\n  /// <param name=\"value\">The value.</param>\n  /// <exception cref=\"System.Collections.Generic.KeyNotFoundException\">An unknown item.</exception>\n  /// <exception cref=\"System.ArgumentException\">A value the sparsifier refuses.</exception>\n  public"
%csmethodmodifiers datasparse::Sparsifier::getConfig "/// <summary>A copy of the item's merged config (dispose it when done).</summary>\n  /// <param name=\"name\">The item.</param>\n  /// <returns>A new config.</returns>\n  /// <exception cref=\"System.Collections.Generic.KeyNotFoundException\">An unknown item.</exception>\n  public"
%csmethodmodifiers datasparse::Sparsifier::contains "/// <summary>Whether an item of that name is registered.</summary>\n  /// <param name=\"name\">The item.</param>\n  /// <returns>True if it is.</returns>\n  public"
%csmethodmodifiers datasparse::Sparsifier::rows "/// <summary>The item's number of rows (1 for 1-D data).</summary>\n  /// <param name=\"name\">The item.</param>\n  /// <returns>The rows.</returns>\n  /// <exception cref=\"System.Collections.Generic.KeyNotFoundException\">An unknown item.</exception>\n  public"
%csmethodmodifiers datasparse::Sparsifier::cols "/// <summary>The item's number of columns.</summary>\n  /// <param name=\"name\">The item.</param>\n  /// <returns>The columns.</returns>\n  /// <exception cref=\"System.Collections.Generic.KeyNotFoundException\">An unknown item.</exception>\n  public"
%csmethodmodifiers datasparse::Sparsifier::getSparsity "/// <summary>The fraction of the item's mask that is zero.</summary>\n  /// <param name=\"name\">The item.</param>\n  /// <returns>A value in [0, 1].</returns>\n  /// <exception cref=\"System.Collections.Generic.KeyNotFoundException\">An unknown item.</exception>\n  /// <exception cref=\"System.InvalidOperationException\">The item was squashed.</exception>\n  public"
%csmethodmodifiers datasparse::Sparsifier::isSquashed "/// <summary>Whether the item's mask was squashed.</summary>\n  /// <param name=\"name\">The item.</param>\n  /// <returns>True once squashed.</returns>\n  /// <exception cref=\"System.Collections.Generic.KeyNotFoundException\">An unknown item.</exception>\n  public"

%typemap(csdispose) datasparse::Sparsifier %{
  /// <summary>Frees the wrapper object (the finalizer).</summary>
  ~$csclassname() {
    SwigDelete();
  }

  /// <summary>
  /// Releases the native sparsifier now, and unpins the memory it borrowed; any later use, also as an
  /// argument, throws <see cref="System.ObjectDisposedException"/> (a scheduler of it fails with
  /// Status.State). Disposing twice does nothing. From inside one of its own callbacks, the call that ran
  /// the callback fails with InvalidOperationException and the release waits until it returns.
  /// </summary>
  public void Dispose() {
    lock (this) {
      // Disposed from inside one of its own calls: native code still reads
      // the pinned memory until that call returns, so the pins stay until
      // the finalizer (or a later Dispose) frees them.
      bool busy = !IsClosedNative() && InCall();
      CloseNative();
      if (!busy) UnpinAll();
    }
  }

  /// <summary>Whether <see cref="Dispose"/> was called.</summary>
  public bool IsDisposed {
    get { return IsClosedNative(); }
  }
%}
/* The wrapper's deletion (the finalizer) also frees the pins. */
%typemap(csdisposing, methodname="SwigDelete", methodmodifiers="internal", parameters="") datasparse::Sparsifier {
    lock(this) {
      if (swigCPtr.Handle != global::System.IntPtr.Zero) {
        if (swigCMemOwn) {
          swigCMemOwn = false;
          $imcall;
        }
        swigCPtr = new global::System.Runtime.InteropServices.HandleRef(null, global::System.IntPtr.Zero);
      }
      UnpinAll();
    }
  }

%typemap(cscode) datasparse::Sparsifier %{
  // The borrowed memory by name: pinned until the name is replaced or removed,
  // or the sparsifier disposed. (A squashed item stays pinned: GetData still
  // reads the caller's memory.)
  private readonly global::System.Collections.Generic.Dictionary<string, global::System.Buffers.MemoryHandle> pins =
      new global::System.Collections.Generic.Dictionary<string, global::System.Buffers.MemoryHandle>();

  // The allreduce set (its director), kept alive while set (only referenced).
#pragma warning disable 414
  private AllreduceNative allreduce;
#pragma warning restore 414

  private sealed class DelegateAllreduce : AllreduceNative {
    private readonly Allreduce fn;

    internal DelegateAllreduce(Allreduce fn) {
      this.fn = fn;
    }

    internal override void Sum(AllreduceCounts counts) {
      long[] values = new long[counts.Size()];
      for (int i = 0; i < values.Length; ++i) values[i] = counts.Get((uint)i);
      fn(values);
      for (int i = 0; i < values.Length; ++i) counts.Set((uint)i, values[i]);
    }
  }

  /// <summary>
  /// Joins this sparsifier's steps with other participants (threads or processes holding shards of the
  /// same tensors, or the same groups): from now on each step exchanges a few histograms through
  /// allreduce, and every participant must step together with the same groups and shards in the same
  /// order. The sparsifier keeps allreduce until it is replaced or the sparsifier is disposed.
  /// </summary>
  /// <param name="allreduce">The sum over every participant, or null: this participant alone again.</param>
  public void SetAllreduce(Allreduce allreduce) {
    lock (this) {
      AllreduceNative director = allreduce == null ? null : new DelegateAllreduce(allreduce);
      SetAllreduceNative(director);
      this.allreduce = director;
    }
  }

  /// <summary>
  /// What the last step exchanged with the other participants: allreduce calls, and the bytes of this
  /// participant's payload (0 and 0 for a step with no group or shard).
  /// </summary>
  /// <returns>(Exchanges, Bytes).</returns>
  public global::System.Tuple<long, long> LastExchange() {
    return global::System.Tuple.Create(LastExchangesNative(), LastExchangeBytesNative());
  }

  /// <summary>
  /// Creates or replaces a group: its items' blocks are ranked together, one selection over all of them
  /// (at the level of the first). An item is in one group at most; removing an item removes it from its group.
  /// </summary>
  /// <param name="group">The group's name.</param>
  /// <param name="names">Its items, in order (the order breaks ties).</param>
  /// <exception cref="System.Collections.Generic.KeyNotFoundException">An unknown item.</exception>
  /// <exception cref="System.ArgumentException">A bad name, an item named twice or in another group.</exception>
  public void SetGroup(string group, params string[] names) {
    BufferUtil.NotNull(group, "group");
    BufferUtil.NotNull(names, "names");
    for (int i = 0; i < names.Length; ++i)
      if (names[i] == null) throw new global::System.ArgumentNullException("names", "names[" + i + "] is null");
    SetGroupRaw(group, names, names.Length);
  }

  /// <summary>Removes a group (its items stay, each its own selection again).</summary>
  /// <param name="group">The group's name.</param>
  /// <exception cref="System.Collections.Generic.KeyNotFoundException">No such group.</exception>
  public void RemoveGroup(string group) {
    BufferUtil.NotNull(group, "group");
    RemoveGroupNative(group);
  }

  /// <summary>The groups, in the order they were created: a read-only snapshot, group name to its items in order.</summary>
  public global::System.Collections.Generic.IReadOnlyDictionary<string, global::System.Collections.Generic.IReadOnlyList<string>> Groups {
    get {
      var result = new global::System.Collections.Generic.Dictionary<string, global::System.Collections.Generic.IReadOnlyList<string>>();
      int count = (int)GroupCountNative();
      for (int g = 0; g < count; ++g) {
        string group = GroupNameAtRaw(g);
        var members = new string[GroupSizeRaw(group)];
        for (int m = 0; m < members.Length; ++m) members[m] = GroupMemberAtRaw(group, m);
        result[group] = global::System.Array.AsReadOnly(members);
      }
      return new global::System.Collections.ObjectModel.ReadOnlyDictionary<string, global::System.Collections.Generic.IReadOnlyList<string>>(result);
    }
  }

  /// <summary>The item's global rows and first row ((0, 0) for an item that is not a shard).</summary>
  /// <param name="name">The item.</param>
  /// <returns>(GlobalRows, FirstRow).</returns>
  /// <exception cref="System.Collections.Generic.KeyNotFoundException">An unknown item.</exception>
  public global::System.Tuple<long, long> GetShard(string name) {
    return global::System.Tuple.Create(GetShardGlobalRowsNative(name), GetShardFirstRowNative(name));
  }

  /// <summary>
  /// Registers a copy of a float32 shard: rows [firstRow, firstRow + rows) of the matrix view of a tensor
  /// of globalRows rows (rows: the product of every size but the last), whose other rows other
  /// participants hold, joined by <see cref="SetAllreduce"/>. The masks are those one sparsifier holding
  /// the whole tensor would compute. shape[0] may be 0 (a participant holding none of the rows). firstRow
  /// must be a multiple of the item's block_rows, and a shard that is not the last must hold a multiple
  /// of block_rows rows (checked at each step). Otherwise as AddData.
  /// </summary>
  /// <param name="name">A non-empty name without '.'.</param>
  /// <param name="data">The shard's elements.</param>
  /// <param name="globalRows">The rows of the whole tensor (at least 1).</param>
  /// <param name="firstRow">The first row this shard holds.</param>
  /// <param name="shape">This shard's sizes (at least 2; shape[0] may be 0).</param>
  /// <exception cref="System.ArgumentException">A bad name, shape or rows, or too few elements.</exception>
  public void AddShard(string name, float[] data, long globalRows, long firstRow, params long[] shape) {
    AddShard(name, data, new TensorDesc(DType.Float32, shape), globalRows, firstRow);
  }

  /// <summary>Registers a copy of a float32 shard (see <see cref="AddShard(string, float[], long, long, long[])"/>).</summary>
  /// <param name="name">A non-empty name without '.'.</param>
  /// <param name="data">The shard's elements.</param>
  /// <param name="desc">This shard's tensor: DType.Float32, shape (at least 2 sizes) and row stride.</param>
  /// <param name="globalRows">The rows of the whole tensor (at least 1).</param>
  /// <param name="firstRow">The first row this shard holds.</param>
  /// <param name="config">Overrides of the defaults for this item, or null.</param>
  /// <param name="reuseMask">Keep the mask of the item replaced (same matrix shape needed).</param>
  /// <exception cref="System.ArgumentException">A bad name, descriptor, rows or config value, or too few elements.</exception>
  public void AddShard(string name, float[] data, TensorDesc desc, long globalRows, long firstRow, Config config = null, bool reuseMask = false) {
    BufferUtil.NotNull(data, "data");
    BufferUtil.NotNull(desc, "desc");
    if (desc.DType != DType.Float32) throw new global::System.ArgumentException("a float[] holds float32 data, desc's dtype is " + desc.DType, "desc");
    using (var pin = BufferUtil.Pin(data))
      AddShardCopyRaw(name, pin.Address, data.LongLength, sizeof(float), desc.DType, desc.ShapeArray, desc.Rank,
                      desc.RowStride, globalRows, firstRow, config, reuseMask);
    lock (pins) Unpin(name);
  }

  /// <summary>Registers a float32 shard, borrowed zero-copy (see <see cref="AddShard(string, global::System.Memory{float}, TensorDesc, long, long, Config, bool)"/>).</summary>
  /// <param name="name">A non-empty name without '.'.</param>
  /// <param name="data">The memory (e.g. <c>array.AsMemory()</c>, or a slice of it; empty when shape[0] is 0).</param>
  /// <param name="globalRows">The rows of the whole tensor (at least 1).</param>
  /// <param name="firstRow">The first row this shard holds.</param>
  /// <param name="shape">This shard's sizes (at least 2; shape[0] may be 0).</param>
  /// <exception cref="System.ArgumentException">A bad name, shape or rows, or too few elements.</exception>
  public void AddShard(string name, global::System.Memory<float> data, long globalRows, long firstRow, params long[] shape) {
    AddShard(name, data, new TensorDesc(DType.Float32, shape), globalRows, firstRow);
  }

  /// <summary>
  /// Registers a float32 shard, borrowed zero-copy (pinned until the name is replaced or removed or the
  /// sparsifier is disposed); the rows as <see cref="AddShard(string, float[], long, long, long[])"/>.
  /// </summary>
  /// <param name="name">A non-empty name without '.'.</param>
  /// <param name="data">The memory.</param>
  /// <param name="desc">This shard's tensor: DType.Float32, shape (at least 2 sizes) and row stride.</param>
  /// <param name="globalRows">The rows of the whole tensor (at least 1).</param>
  /// <param name="firstRow">The first row this shard holds.</param>
  /// <param name="config">Overrides of the defaults for this item, or null.</param>
  /// <param name="reuseMask">Keep the mask of the item replaced (same matrix shape needed).</param>
  /// <exception cref="System.ArgumentException">A bad name, descriptor, rows or config value, or too few elements.</exception>
  public void AddShard(string name, global::System.Memory<float> data, TensorDesc desc, long globalRows, long firstRow, Config config = null, bool reuseMask = false) {
    BufferUtil.NotNull(desc, "desc");
    global::System.Buffers.MemoryHandle pin = data.Pin();
    try {
      unsafe {
        AddShardBorrowedRaw(name, (global::System.IntPtr)pin.Pointer, data.Length, sizeof(float), desc.DType,
                            desc.ShapeArray, desc.Rank, desc.RowStride, globalRows, firstRow, config, reuseMask);
      }
    } catch {
      pin.Dispose();
      throw;
    }
    lock (pins) {
      Unpin(name);
      pins[name] = pin;
    }
  }

  /// <summary>
  /// Registers a copy of data under name: an array is always copied, so later changes to it are not
  /// seen and squashing does not write into it (read results with GetData and GetMask; borrow a
  /// Memory&lt;float&gt; to share memory instead). An existing name is replaced (with a warning to the
  /// log handler): its config is kept under the new overrides, and with reuseMask its mask too.
  /// </summary>
  /// <param name="name">A non-empty name without '.'.</param>
  /// <param name="data">At least rows * cols floats, row-major.</param>
  /// <param name="rows">The item's rows (1 for 1-D data).</param>
  /// <param name="cols">The item's columns.</param>
  /// <param name="config">Overrides of the defaults for this item, or null.</param>
  /// <param name="reuseMask">Keep the mask of the item replaced (same shape needed).</param>
  /// <exception cref="System.ArgumentException">A bad name, shape or config value, or a reused mask of another shape.</exception>
  /// <exception cref="System.ObjectDisposedException">config was disposed.</exception>
  public void AddData(string name, float[] data, long rows, long cols, Config config = null, bool reuseMask = false) {
    BufferUtil.NotNull(data, "data");
    using (var pin = BufferUtil.Pin(data))
      AddDataCopyRaw(name, pin.Address, data.Length, rows, cols, config, reuseMask);
    lock (pins) Unpin(name);
  }

  /// <summary>
  /// Registers data under name, borrowed zero-copy: the memory is pinned and the library reads it at
  /// every step (and writes into it when squashing) until the name is replaced or removed or the
  /// sparsifier is disposed, so changes on either side are seen by the other. Otherwise as
  /// <see cref="AddData(string, float[], long, long, Config, bool)"/>.
  /// </summary>
  /// <param name="name">A non-empty name without '.'.</param>
  /// <param name="data">At least rows * cols floats, row-major (e.g. <c>array.AsMemory()</c>).</param>
  /// <param name="rows">The item's rows (1 for 1-D data).</param>
  /// <param name="cols">The item's columns.</param>
  /// <param name="config">Overrides of the defaults for this item, or null.</param>
  /// <param name="reuseMask">Keep the mask of the item replaced (same shape needed).</param>
  /// <exception cref="System.ArgumentException">A bad name, shape or config value, or a reused mask of another shape.</exception>
  /// <exception cref="System.ObjectDisposedException">config was disposed.</exception>
  public void AddData(string name, global::System.Memory<float> data, long rows, long cols, Config config = null, bool reuseMask = false) {
    global::System.Buffers.MemoryHandle pin = data.Pin();
    try {
      unsafe {
        AddDataBorrowedRaw(name, (global::System.IntPtr)pin.Pointer, data.Length, rows, cols, config, reuseMask);
      }
    } catch {
      pin.Dispose();
      throw;
    }
    lock (pins) {
      Unpin(name);
      pins[name] = pin;
    }
  }

  /// <summary>
  /// Registers unmanaged memory under name, borrowed zero-copy: count floats at data, which must stay
  /// valid until the name is replaced or removed or the sparsifier is disposed.
  /// </summary>
  /// <param name="name">A non-empty name without '.'.</param>
  /// <param name="data">The memory.</param>
  /// <param name="count">The floats it holds, at least rows * cols.</param>
  /// <param name="rows">The item's rows (1 for 1-D data).</param>
  /// <param name="cols">The item's columns.</param>
  /// <param name="config">Overrides of the defaults for this item, or null.</param>
  /// <param name="reuseMask">Keep the mask of the item replaced (same shape needed).</param>
  /// <exception cref="System.ArgumentException">A bad name, shape, count or config value.</exception>
  public void AddData(string name, global::System.IntPtr data, long count, long rows, long cols, Config config = null, bool reuseMask = false) {
    if (data == global::System.IntPtr.Zero) throw new global::System.ArgumentNullException("data");
    if (count < 0) throw new global::System.ArgumentOutOfRangeException("count", count, "count must not be negative");
    AddDataBorrowedRaw(name, data, count, rows, cols, config, reuseMask);
    lock (pins) Unpin(name);
  }

  // --- Tensors: any dtype, N-D shape, row stride ---------------------------

  /// <summary>Registers a copy of a float32 tensor (see <see cref="AddData(string, float[], TensorDesc, Config, bool)"/>).</summary>
  /// <param name="name">A non-empty name without '.'.</param>
  /// <param name="data">The tensor's elements, row-major.</param>
  /// <param name="shape">The sizes, outermost first: 1 to 8 of them, each at least 1.</param>
  /// <exception cref="System.ArgumentException">A bad name or shape, or too few elements.</exception>
  public void AddData(string name, float[] data, params long[] shape) {
    AddData(name, data, new TensorDesc(DType.Float32, shape));
  }

  /// <summary>Registers a copy of a float32 tensor (see <see cref="AddData(string, float[], TensorDesc, Config, bool)"/>).</summary>
  /// <param name="name">A non-empty name without '.'.</param>
  /// <param name="data">The tensor's elements, row-major.</param>
  /// <param name="shape">The sizes, outermost first: 1 to 8 of them, each at least 1.</param>
  /// <exception cref="System.ArgumentException">A bad name or shape, or too few elements.</exception>
  public void AddData(string name, float[] data, int[] shape) {
    AddData(name, data, new TensorDesc(DType.Float32, shape));
  }

  /// <summary>Registers a copy of a float64 tensor (see <see cref="AddData(string, float[], TensorDesc, Config, bool)"/>).</summary>
  /// <param name="name">A non-empty name without '.'.</param>
  /// <param name="data">The tensor's elements, row-major.</param>
  /// <param name="shape">The sizes, outermost first: 1 to 8 of them, each at least 1.</param>
  /// <exception cref="System.ArgumentException">A bad name or shape, or too few elements.</exception>
  public void AddData(string name, double[] data, params long[] shape) {
    AddData(name, data, new TensorDesc(DType.Float64, shape));
  }

  /// <summary>Registers a copy of a float64 tensor (see <see cref="AddData(string, float[], TensorDesc, Config, bool)"/>).</summary>
  /// <param name="name">A non-empty name without '.'.</param>
  /// <param name="data">The tensor's elements, row-major.</param>
  /// <param name="shape">The sizes, outermost first: 1 to 8 of them, each at least 1.</param>
  /// <exception cref="System.ArgumentException">A bad name or shape, or too few elements.</exception>
  public void AddData(string name, double[] data, int[] shape) {
    AddData(name, data, new TensorDesc(DType.Float64, shape));
  }

  /// <summary>
  /// Registers a copy of a float16 or bfloat16 tensor, given as the bits of its elements (see
  /// <see cref="AddData(string, float[], TensorDesc, Config, bool)"/>).
  /// </summary>
  /// <param name="name">A non-empty name without '.'.</param>
  /// <param name="data">The bits of the tensor's elements, row-major.</param>
  /// <param name="dtype">DType.Float16 or DType.BFloat16.</param>
  /// <param name="shape">The sizes, outermost first: 1 to 8 of them, each at least 1.</param>
  /// <exception cref="System.ArgumentException">A bad name, dtype or shape, or too few elements.</exception>
  public void AddData(string name, ushort[] data, DType dtype, params long[] shape) {
    AddData(name, data, new TensorDesc(dtype, shape));
  }

  /// <summary>
  /// Registers a copy of a float16 or bfloat16 tensor, given as the bits of its elements (see
  /// <see cref="AddData(string, float[], TensorDesc, Config, bool)"/>).
  /// </summary>
  /// <param name="name">A non-empty name without '.'.</param>
  /// <param name="data">The bits of the tensor's elements, row-major.</param>
  /// <param name="dtype">DType.Float16 or DType.BFloat16.</param>
  /// <param name="shape">The sizes, outermost first: 1 to 8 of them, each at least 1.</param>
  /// <exception cref="System.ArgumentException">A bad name, dtype or shape, or too few elements.</exception>
  public void AddData(string name, ushort[] data, DType dtype, int[] shape) {
    AddData(name, data, new TensorDesc(dtype, shape));
  }

  /// <summary>
  /// Registers a copy of a float32 tensor that the sparsifier owns: an array is always copied, so later
  /// changes to it are not seen and squashing does not write into it (read results with GetData and
  /// GetMask; borrow a Memory&lt;float&gt; to share memory instead). The copy is contiguous: a row stride
  /// selects the elements copied (a view into a bigger array), and the item's <see cref="GetDesc"/> has
  /// row stride 0. An existing name is replaced (with a warning to the log handler): its config is kept
  /// under the new overrides, and with reuseMask its mask too.
  /// </summary>
  /// <param name="name">A non-empty name without '.'.</param>
  /// <param name="data">At least (desc.Rows - 1) * rowStride + desc.Cols elements (rowStride is desc.Cols when 0).</param>
  /// <param name="desc">The tensor: DType.Float32, shape and row stride.</param>
  /// <param name="config">Overrides of the defaults for this item, or null.</param>
  /// <param name="reuseMask">Keep the mask of the item replaced (same matrix shape needed).</param>
  /// <exception cref="System.ArgumentException">A bad name, descriptor or config value, too few elements, another dtype, or a reused mask of another shape.</exception>
  /// <exception cref="System.ObjectDisposedException">config was disposed.</exception>
  public void AddData(string name, float[] data, TensorDesc desc, Config config = null, bool reuseMask = false) {
    CopyTensor(name, data, sizeof(float), desc, config, reuseMask);
  }

  /// <summary>Registers a copy of a float64 tensor (see <see cref="AddData(string, float[], TensorDesc, Config, bool)"/>).</summary>
  /// <param name="name">A non-empty name without '.'.</param>
  /// <param name="data">The tensor's elements.</param>
  /// <param name="desc">The tensor: DType.Float64, shape and row stride.</param>
  /// <param name="config">Overrides of the defaults for this item, or null.</param>
  /// <param name="reuseMask">Keep the mask of the item replaced (same matrix shape needed).</param>
  /// <exception cref="System.ArgumentException">A bad name, descriptor or config value, too few elements, another dtype, or a reused mask of another shape.</exception>
  /// <exception cref="System.ObjectDisposedException">config was disposed.</exception>
  public void AddData(string name, double[] data, TensorDesc desc, Config config = null, bool reuseMask = false) {
    CopyTensor(name, data, sizeof(double), desc, config, reuseMask);
  }

  /// <summary>
  /// Registers a copy of a float16 or bfloat16 tensor, given as the bits of its elements (see
  /// <see cref="AddData(string, float[], TensorDesc, Config, bool)"/>).
  /// </summary>
  /// <param name="name">A non-empty name without '.'.</param>
  /// <param name="data">The bits of the tensor's elements.</param>
  /// <param name="desc">The tensor: DType.Float16 or DType.BFloat16, shape and row stride.</param>
  /// <param name="config">Overrides of the defaults for this item, or null.</param>
  /// <param name="reuseMask">Keep the mask of the item replaced (same matrix shape needed).</param>
  /// <exception cref="System.ArgumentException">A bad name, descriptor or config value, too few elements, another dtype, or a reused mask of another shape.</exception>
  /// <exception cref="System.ObjectDisposedException">config was disposed.</exception>
  public void AddData(string name, ushort[] data, TensorDesc desc, Config config = null, bool reuseMask = false) {
    CopyTensor(name, data, sizeof(ushort), desc, config, reuseMask);
  }

  /// <summary>Registers a float32 tensor, borrowed zero-copy (see <see cref="AddData(string, global::System.Memory{float}, TensorDesc, Config, bool)"/>).</summary>
  /// <param name="name">A non-empty name without '.'.</param>
  /// <param name="data">The tensor's elements, row-major (e.g. <c>array.AsMemory()</c>).</param>
  /// <param name="shape">The sizes, outermost first: 1 to 8 of them, each at least 1.</param>
  /// <exception cref="System.ArgumentException">A bad name or shape, or too few elements.</exception>
  public void AddData(string name, global::System.Memory<float> data, params long[] shape) {
    AddData(name, data, new TensorDesc(DType.Float32, shape));
  }

  /// <summary>Registers a float32 tensor, borrowed zero-copy (see <see cref="AddData(string, global::System.Memory{float}, TensorDesc, Config, bool)"/>).</summary>
  /// <param name="name">A non-empty name without '.'.</param>
  /// <param name="data">The tensor's elements, row-major (e.g. <c>array.AsMemory()</c>).</param>
  /// <param name="shape">The sizes, outermost first: 1 to 8 of them, each at least 1.</param>
  /// <exception cref="System.ArgumentException">A bad name or shape, or too few elements.</exception>
  public void AddData(string name, global::System.Memory<float> data, int[] shape) {
    AddData(name, data, new TensorDesc(DType.Float32, shape));
  }

  /// <summary>Registers a float64 tensor, borrowed zero-copy (see <see cref="AddData(string, global::System.Memory{float}, TensorDesc, Config, bool)"/>).</summary>
  /// <param name="name">A non-empty name without '.'.</param>
  /// <param name="data">The tensor's elements, row-major (e.g. <c>array.AsMemory()</c>).</param>
  /// <param name="shape">The sizes, outermost first: 1 to 8 of them, each at least 1.</param>
  /// <exception cref="System.ArgumentException">A bad name or shape, or too few elements.</exception>
  public void AddData(string name, global::System.Memory<double> data, params long[] shape) {
    AddData(name, data, new TensorDesc(DType.Float64, shape));
  }

  /// <summary>Registers a float64 tensor, borrowed zero-copy (see <see cref="AddData(string, global::System.Memory{float}, TensorDesc, Config, bool)"/>).</summary>
  /// <param name="name">A non-empty name without '.'.</param>
  /// <param name="data">The tensor's elements, row-major (e.g. <c>array.AsMemory()</c>).</param>
  /// <param name="shape">The sizes, outermost first: 1 to 8 of them, each at least 1.</param>
  /// <exception cref="System.ArgumentException">A bad name or shape, or too few elements.</exception>
  public void AddData(string name, global::System.Memory<double> data, int[] shape) {
    AddData(name, data, new TensorDesc(DType.Float64, shape));
  }

  /// <summary>
  /// Registers a float16 or bfloat16 tensor (the bits of its elements), borrowed zero-copy (see
  /// <see cref="AddData(string, global::System.Memory{float}, TensorDesc, Config, bool)"/>).
  /// </summary>
  /// <param name="name">A non-empty name without '.'.</param>
  /// <param name="data">The bits of the tensor's elements, row-major (e.g. <c>array.AsMemory()</c>).</param>
  /// <param name="dtype">DType.Float16 or DType.BFloat16.</param>
  /// <param name="shape">The sizes, outermost first: 1 to 8 of them, each at least 1.</param>
  /// <exception cref="System.ArgumentException">A bad name, dtype or shape, or too few elements.</exception>
  public void AddData(string name, global::System.Memory<ushort> data, DType dtype, params long[] shape) {
    AddData(name, data, new TensorDesc(dtype, shape));
  }

  /// <summary>
  /// Registers a float16 or bfloat16 tensor (the bits of its elements), borrowed zero-copy (see
  /// <see cref="AddData(string, global::System.Memory{float}, TensorDesc, Config, bool)"/>).
  /// </summary>
  /// <param name="name">A non-empty name without '.'.</param>
  /// <param name="data">The bits of the tensor's elements, row-major (e.g. <c>array.AsMemory()</c>).</param>
  /// <param name="dtype">DType.Float16 or DType.BFloat16.</param>
  /// <param name="shape">The sizes, outermost first: 1 to 8 of them, each at least 1.</param>
  /// <exception cref="System.ArgumentException">A bad name, dtype or shape, or too few elements.</exception>
  public void AddData(string name, global::System.Memory<ushort> data, DType dtype, int[] shape) {
    AddData(name, data, new TensorDesc(dtype, shape));
  }

  /// <summary>
  /// Registers a float32 tensor under name, borrowed zero-copy: the memory is pinned and the library reads
  /// it at every step (and writes zeros into it, in the data's own type, when squashing) until the name is
  /// replaced or removed or the sparsifier is disposed, so changes on either side are seen by the other.
  /// Element (0, ..., 0) is data[0], and the tensor spans (desc.Rows - 1) * rowStride + desc.Cols elements
  /// (rowStride is desc.Cols when 0: contiguous). A row stride makes the item a view into a bigger buffer,
  /// such as a column slice of a matrix: only the view is read and written. An existing name is replaced
  /// (with a warning to the log handler): its config is kept under the new overrides, and with reuseMask
  /// its mask too.
  /// </summary>
  /// <param name="name">A non-empty name without '.'.</param>
  /// <param name="data">The memory (e.g. <c>array.AsMemory()</c>, or a slice of it).</param>
  /// <param name="desc">The tensor: DType.Float32, shape and row stride.</param>
  /// <param name="config">Overrides of the defaults for this item, or null.</param>
  /// <param name="reuseMask">Keep the mask of the item replaced (same matrix shape needed).</param>
  /// <exception cref="System.ArgumentException">A bad name, descriptor or config value, too few elements, another dtype, or a reused mask of another shape.</exception>
  /// <exception cref="System.ObjectDisposedException">config was disposed.</exception>
  public void AddData(string name, global::System.Memory<float> data, TensorDesc desc, Config config = null, bool reuseMask = false) {
    BorrowTensor(name, data, sizeof(float), desc, config, reuseMask);
  }

  /// <summary>Registers a float64 tensor, borrowed zero-copy (see <see cref="AddData(string, global::System.Memory{float}, TensorDesc, Config, bool)"/>).</summary>
  /// <param name="name">A non-empty name without '.'.</param>
  /// <param name="data">The memory (e.g. <c>array.AsMemory()</c>, or a slice of it).</param>
  /// <param name="desc">The tensor: DType.Float64, shape and row stride.</param>
  /// <param name="config">Overrides of the defaults for this item, or null.</param>
  /// <param name="reuseMask">Keep the mask of the item replaced (same matrix shape needed).</param>
  /// <exception cref="System.ArgumentException">A bad name, descriptor or config value, too few elements, another dtype, or a reused mask of another shape.</exception>
  /// <exception cref="System.ObjectDisposedException">config was disposed.</exception>
  public void AddData(string name, global::System.Memory<double> data, TensorDesc desc, Config config = null, bool reuseMask = false) {
    BorrowTensor(name, data, sizeof(double), desc, config, reuseMask);
  }

  /// <summary>
  /// Registers a float16 or bfloat16 tensor (the bits of its elements), borrowed zero-copy (see
  /// <see cref="AddData(string, global::System.Memory{float}, TensorDesc, Config, bool)"/>).
  /// </summary>
  /// <param name="name">A non-empty name without '.'.</param>
  /// <param name="data">The memory (e.g. <c>array.AsMemory()</c>, or a slice of it).</param>
  /// <param name="desc">The tensor: DType.Float16 or DType.BFloat16, shape and row stride.</param>
  /// <param name="config">Overrides of the defaults for this item, or null.</param>
  /// <param name="reuseMask">Keep the mask of the item replaced (same matrix shape needed).</param>
  /// <exception cref="System.ArgumentException">A bad name, descriptor or config value, too few elements, another dtype, or a reused mask of another shape.</exception>
  /// <exception cref="System.ObjectDisposedException">config was disposed.</exception>
  public void AddData(string name, global::System.Memory<ushort> data, TensorDesc desc, Config config = null, bool reuseMask = false) {
    BorrowTensor(name, data, sizeof(ushort), desc, config, reuseMask);
  }

  /// <summary>
  /// Registers a tensor in unmanaged memory under name, borrowed zero-copy: count elements of the dtype at
  /// data (aligned to the element size), which must stay valid until the name is replaced or removed or
  /// the sparsifier is disposed. Otherwise as <see cref="AddData(string, global::System.Memory{float}, TensorDesc, Config, bool)"/>.
  /// </summary>
  /// <param name="name">A non-empty name without '.'.</param>
  /// <param name="data">The memory.</param>
  /// <param name="count">The elements of desc's dtype it holds: at least the tensor's span.</param>
  /// <param name="desc">The tensor: dtype, shape and row stride.</param>
  /// <param name="config">Overrides of the defaults for this item, or null.</param>
  /// <param name="reuseMask">Keep the mask of the item replaced (same matrix shape needed).</param>
  /// <exception cref="System.ArgumentException">A bad name, descriptor, count or config value.</exception>
  public void AddData(string name, global::System.IntPtr data, long count, TensorDesc desc, Config config = null, bool reuseMask = false) {
    if (data == global::System.IntPtr.Zero) throw new global::System.ArgumentNullException("data");
    BufferUtil.NotNull(desc, "desc");
    if (count < 0) throw new global::System.ArgumentOutOfRangeException("count", count, "count must not be negative");
    // elementSize 1 would read count as bytes: count is in elements of the dtype
    AddTensorBorrowedRaw(name, data, count, ElementSize(desc.DType), desc.DType, desc.ShapeArray, desc.Rank,
                         desc.RowStride, config, reuseMask);
    lock (pins) Unpin(name);
  }

  /// <summary>
  /// The item's tensor: its dtype, its shape as it was added, and its row stride (0 when contiguous, and
  /// for a copy). An item added with rows and cols is a 2-D float32 tensor.
  /// </summary>
  /// <param name="name">The item.</param>
  /// <returns>A new descriptor.</returns>
  /// <exception cref="System.Collections.Generic.KeyNotFoundException">An unknown item.</exception>
  public TensorDesc GetDesc(string name) {
    return new TensorDesc(GetDTypeNative(name), GetShapeNative(name), GetRowStrideNative(name));
  }

  /// <summary>
  /// A copy of the item's data in its own dtype, contiguous and row-major in its shape: T is float for
  /// float32 data, double for float64, ushort (the bits) for float16 and bfloat16.
  /// </summary>
  /// <typeparam name="T">float, double or ushort.</typeparam>
  /// <param name="name">The item.</param>
  /// <param name="original">True: the data as the caller holds it (not after a squash); false: the data with every masked element 0.</param>
  /// <returns>The elements.</returns>
  /// <exception cref="System.Collections.Generic.KeyNotFoundException">An unknown item.</exception>
  /// <exception cref="System.ArgumentException">T is not the item's element type.</exception>
  /// <exception cref="System.InvalidOperationException">The original after a squash.</exception>
  public T[] GetData<T>(string name, bool original = false) where T : struct {
    ElementSize(typeof(T));
    T[] result = new T[ElementCount(name)];
    GetData(name, original, result);
    return result;
  }

  /// <summary>Copies the item's data in its own dtype, contiguous and row-major, into destination (see <see cref="GetData{T}(string, bool)"/>).</summary>
  /// <typeparam name="T">float, double or ushort.</typeparam>
  /// <param name="name">The item.</param>
  /// <param name="original">True: the data as the caller holds it; false: the data with every masked element 0.</param>
  /// <param name="destination">At least the item's element count.</param>
  /// <exception cref="System.Collections.Generic.KeyNotFoundException">An unknown item.</exception>
  /// <exception cref="System.ArgumentException">T is not the item's element type, or destination is too small.</exception>
  /// <exception cref="System.InvalidOperationException">The original after a squash.</exception>
  public void GetData<T>(string name, bool original, T[] destination) where T : struct {
    BufferUtil.NotNull(destination, "destination");
    int size = ElementSize(typeof(T));
    using (var pin = BufferUtil.Pin(destination)) GetTensorDataRaw(name, original, pin.Address, destination.LongLength, size);
  }

  private void CopyTensor(string name, global::System.Array data, int elementSize, TensorDesc desc, Config config, bool reuseMask) {
    BufferUtil.NotNull(data, "data");
    BufferUtil.NotNull(desc, "desc");
    using (var pin = BufferUtil.Pin(data))
      AddTensorCopyRaw(name, pin.Address, data.LongLength, elementSize, desc.DType, desc.ShapeArray, desc.Rank,
                       desc.RowStride, config, reuseMask);
    lock (pins) Unpin(name);
  }

  private void BorrowTensor<T>(string name, global::System.Memory<T> data, int elementSize, TensorDesc desc, Config config, bool reuseMask) {
    BufferUtil.NotNull(desc, "desc");
    global::System.Buffers.MemoryHandle pin = data.Pin();
    try {
      unsafe {
        AddTensorBorrowedRaw(name, (global::System.IntPtr)pin.Pointer, data.Length, elementSize, desc.DType,
                             desc.ShapeArray, desc.Rank, desc.RowStride, config, reuseMask);
      }
    } catch {
      pin.Dispose();
      throw;
    }
    lock (pins) {
      Unpin(name);
      pins[name] = pin;
    }
  }

  // Bytes of an element of an array type the binding reads and writes tensors with.
  private static int ElementSize(global::System.Type type) {
    if (type == typeof(float)) return sizeof(float);
    if (type == typeof(double)) return sizeof(double);
    if (type == typeof(ushort)) return sizeof(ushort);
    throw new InvalidArgumentException(Status.InvalidArgument,
        "T must be float (float32), double (float64) or ushort (float16, bfloat16), got " + type.Name);
  }

  private static int ElementSize(DType dtype) {
    switch (dtype) {
      case DType.Float32: return sizeof(float);
      case DType.Float64: return sizeof(double);
      case DType.Float16:
      case DType.BFloat16: return sizeof(ushort);
      default: return 1;  // not a dtype: the native check names it
    }
  }

  /// <summary>Removes an item (its mask and config); the caller's data is untouched (and unpinned).</summary>
  /// <param name="name">The item.</param>
  /// <exception cref="System.Collections.Generic.KeyNotFoundException">An unknown item.</exception>
  public void RemoveData(string name) {
    RemoveDataRaw(name);
    lock (pins) Unpin(name);
  }

  /// <summary>
  /// A copy of the item's mask: one byte per element, row-major in the item's shape (element (i0, ..., ik)
  /// at <c>GetDesc(name).Index(i0, ..., ik)</c>).
  /// </summary>
  /// <param name="name">The item.</param>
  /// <returns>Rows * cols bytes, 1 = keep, 0 = zero.</returns>
  /// <exception cref="System.Collections.Generic.KeyNotFoundException">An unknown item.</exception>
  /// <exception cref="System.InvalidOperationException">The item was squashed.</exception>
  public byte[] GetMask(string name) {
    byte[] result = new byte[ElementCount(name)];
    GetMask(name, result);
    return result;
  }

  /// <summary>Copies the item's mask, row-major, into destination (written only on success).</summary>
  /// <param name="name">The item.</param>
  /// <param name="destination">At least rows * cols bytes.</param>
  /// <exception cref="System.Collections.Generic.KeyNotFoundException">An unknown item.</exception>
  /// <exception cref="System.ArgumentException">destination is too small.</exception>
  /// <exception cref="System.InvalidOperationException">The item was squashed.</exception>
  public void GetMask(string name, byte[] destination) {
    BufferUtil.NotNull(destination, "destination");
    using (var pin = BufferUtil.Pin(destination)) GetMaskRaw(name, pin.Address, destination.Length);
  }

  /// <summary>A copy of a float32 item's data, contiguous and row-major (other dtypes: <see cref="GetData{T}(string, bool)"/>).</summary>
  /// <param name="name">The item.</param>
  /// <param name="original">True: the data as the caller holds it (not after a squash); false: the data with every masked element 0.</param>
  /// <returns>Rows * cols floats.</returns>
  /// <exception cref="System.Collections.Generic.KeyNotFoundException">An unknown item.</exception>
  /// <exception cref="System.InvalidOperationException">The original after a squash.</exception>
  public float[] GetData(string name, bool original = false) {
    float[] result = new float[ElementCount(name)];
    GetData(name, original, result);
    return result;
  }

  /// <summary>Copies the item's data, row-major, into destination (see <see cref="GetData(string, bool)"/>).</summary>
  /// <param name="name">The item.</param>
  /// <param name="original">True: the data as the caller holds it; false: the data with every masked element 0.</param>
  /// <param name="destination">At least rows * cols floats.</param>
  /// <exception cref="System.Collections.Generic.KeyNotFoundException">An unknown item.</exception>
  /// <exception cref="System.ArgumentException">destination is too small.</exception>
  /// <exception cref="System.InvalidOperationException">The original after a squash.</exception>
  public void GetData(string name, bool original, float[] destination) {
    BufferUtil.NotNull(destination, "destination");
    using (var pin = BufferUtil.Pin(destination)) GetDataRaw(name, original, pin.Address, destination.Length);
  }

  /// <summary>
  /// Applies and drops the masks of the named items: with leaveParametrized the masked elements of the
  /// item's data are set to 0 (borrowed memory in place, a copied array in the sparsifier's copy).
  /// Squashed items are no longer stepped. An empty list squashes nothing (<see cref="SquashAll"/>
  /// squashes every item). All names are checked before anything changes.
  /// </summary>
  /// <param name="names">The items.</param>
  /// <param name="leaveParametrized">Zero the masked elements in the item's data first.</param>
  /// <exception cref="System.Collections.Generic.KeyNotFoundException">An unknown item (nothing changes).</exception>
  public void SquashMask(global::System.Collections.Generic.IEnumerable<string> names, bool leaveParametrized = true) {
    BufferUtil.NotNull(names, "names");
    var list = new global::System.Collections.Generic.List<string>(names);
    for (int i = 0; i < list.Count; ++i)
      if (list[i] == null) throw new global::System.ArgumentNullException("names", "names[" + i + "] is null");
    SquashMaskRaw(list.ToArray(), list.Count, leaveParametrized);
  }

  /// <summary>Squashes every item (see <see cref="SquashMask"/>).</summary>
  /// <param name="leaveParametrized">Zero the masked elements in the items' data first.</param>
  public void SquashAll(bool leaveParametrized = true) {
    SquashAllRaw(leaveParametrized);
  }

  /// <summary>Whether <see cref="Step"/> recomputes the masks.</summary>
  public bool MaskUpdate {
    get { return GetMaskUpdateNative(); }
    set { SetMaskUpdateNative(value); }
  }

  /// <summary>The number of registered items.</summary>
  public int Count {
    get { return checked((int)CountNative()); }
  }

  /// <summary>The item names, in the order they were first added (a copy).</summary>
  public global::System.Collections.Generic.IReadOnlyList<string> Names {
    get {
      var names = new string[Count];
      for (int i = 0; i < names.Length; ++i) names[i] = NameAt(i);
      return names;
    }
  }

  /// <summary>The number of successful <see cref="Step"/> calls.</summary>
  public long StepCount {
    get { return StepCountNative(); }
  }

  /// <summary>
  /// Saves the state (configs, masks, flags, step count) to a file, atomically: a crash or a full disk
  /// leaves the previous file intact. A new file is created with mode 0600.
  /// </summary>
  /// <param name="path">The file.</param>
  /// <param name="withData">Also every item's data.</param>
  /// <exception cref="FileException">The file cannot be written.</exception>
  public void Save(string path, bool withData = false) {
    SaveRaw(path, withData);
  }

  /// <summary>
  /// Loads a state saved by Save over the same registered items (same names, shapes and kind of
  /// sparsifier). strict: the state replaces everything; otherwise the items in the state get its
  /// config, mask and squashed flag. Saved data is copied into the registered memory. Checked whole
  /// before anything changes.
  /// </summary>
  /// <param name="path">The file.</param>
  /// <param name="strict">Replace (true) or merge (false).</param>
  /// <exception cref="FileException">The file cannot be read.</exception>
  /// <exception cref="CorruptStateException">It is not a state of these items.</exception>
  public void Load(string path, bool strict = true) {
    LoadRaw(path, strict);
  }

  /// <summary>The state in the library's versioned, checksummed format (see <see cref="Save"/>).</summary>
  /// <param name="withData">Also every item's data.</param>
  /// <returns>The bytes.</returns>
  public byte[] SaveToBytes(bool withData = false) {
    return SaveToBytesRaw(withData);
  }

  /// <summary>Loads a state made by <see cref="SaveToBytes"/> (see <see cref="Load"/>).</summary>
  /// <param name="state">The bytes.</param>
  /// <param name="strict">Replace (true) or merge (false).</param>
  /// <exception cref="CorruptStateException">They are not a state of these items.</exception>
  public void LoadFromBytes(byte[] state, bool strict = true) {
    BufferUtil.NotNull(state, "state");
    using (var pin = BufferUtil.Pin(state)) LoadFromBytesRaw(pin.Address, state.Length, strict);
  }

  private int ElementCount(string name) {
    return checked((int)(Rows(name) * Cols(name)));
  }

  private void Unpin(string name) {
    global::System.Buffers.MemoryHandle old;
    if (pins.TryGetValue(name, out old)) {
      pins.Remove(name);
      old.Dispose();
    }
  }

  private void UnpinAll() {
    if (pins == null) return;  // a constructor failed before the field was set; the finalizer still runs
    lock (pins) {
      foreach (var pin in pins.Values) pin.Dispose();
      pins.Clear();
    }
  }
%}

%csmethodmodifiers datasparse::DataNormSparsifier::DataNormSparsifier "/// <summary>A norm sparsifier.</summary>\n  /// <param name=\"norm\">The block score.</param>\n  /// <param name=\"defaults\">Overrides of the built-in defaults for every item, or null (copied).</param>\n  /// <exception cref=\"System.ArgumentException\">A bad default.</exception>\n  /// <exception cref=\"System.ObjectDisposedException\">defaults was disposed.</exception>\n  public"
%typemap(cscode) datasparse::DataNormSparsifier %{
  /// <summary>A norm sparsifier with the L1 norm and the built-in defaults.</summary>
  public DataNormSparsifier() : this(Norm.L1, null) {
  }

  /// <summary>A norm sparsifier with the built-in defaults.</summary>
  /// <param name="norm">The block score.</param>
  public DataNormSparsifier(Norm norm) : this(norm, null) {
  }
%}

%csmethodmodifiers datasparse::DataSparsifier::DataSparsifier "/// <summary>A custom sparsifier.</summary>\n  /// <param name=\"defaults\">Every item's config unless AddData overrides it, or null (copied).</param>\n  /// <exception cref=\"System.ObjectDisposedException\">defaults was disposed.</exception>\n  protected"
%csmethodmodifiers datasparse::DataSparsifier::updateMask "/// <summary>Computes the mask of one item; called by Step for every item.</summary>\n  /// <param name=\"name\">The item.</param>\n  /// <param name=\"data\">Its data (valid only during this call).</param>\n  /// <param name=\"config\">Its merged config (valid only during this call).</param>\n  /// <param name=\"mask\">Its current mask, to modify (valid only during this call).</param>\n  public abstract"
%warnfilter(844) datasparse::DataSparsifier::updateMask;  /* abstract: no body */
%typemap(csout) void datasparse::DataSparsifier::updateMask ";"
%typemap(cscode) datasparse::DataSparsifier %{
  /// <summary>A custom sparsifier without defaults.</summary>
  protected DataSparsifier() : this(null) {
  }

  private void GuardedUpdateMask(string name, DataView data, Config config, MaskView mask) {
    try {
      UpdateMask(name, data, config, mask);
    } catch (global::System.Exception e) {
      CallbackGuard.Fail(e);
    }
  }
%}

/* ---------------------------------------------------------------------------
 * BuiltinSchedule
 * ------------------------------------------------------------------------- */
%typemap(csclassmodifiers) datasparse::BuiltinSchedule "/// <summary>\n/// The built-in schedules (formulas in datasparse.h and the README). A <see cref=\"DataScheduler\"/>\n/// copies the one it is given, so it may be disposed once the scheduler exists.\n/// </summary>\npublic class"
%rename(LambdaRaw) datasparse::BuiltinSchedule::lambda;
%rename(KindNative) datasparse::BuiltinSchedule::kind;
%csmethodmodifiers datasparse::BuiltinSchedule::lambda "internal";
%csmethodmodifiers datasparse::BuiltinSchedule::kind "internal";
%csmethodmodifiers datasparse::BuiltinSchedule::gamma "/// <summary>Epoch 0: the base value; then min(threshold, current * gamma).</summary>\n  /// <param name=\"gamma\">The factor (finite).</param>\n  /// <param name=\"threshold\">The cap (finite).</param>\n  /// <returns>A new schedule (dispose it when done).</returns>\n  /// <exception cref=\"System.ArgumentException\">A value out of range.</exception>\n  public"
%csmethodmodifiers datasparse::BuiltinSchedule::step "/// <summary>base * gamma^floor(epoch / stepSize) (PyTorch's StepLR).</summary>\n  /// <param name=\"stepSize\">Epochs per step, at least 1.</param>\n  /// <param name=\"gamma\">The factor per step (finite).</param>\n  /// <returns>A new schedule (dispose it when done).</returns>\n  /// <exception cref=\"System.ArgumentException\">A value out of range.</exception>\n  public"
%csmethodmodifiers datasparse::BuiltinSchedule::cubic "/// <summary>Zhu and Gupta's cubic schedule from initValue to the base value (PyTorch's CubicSL).</summary>\n  /// <param name=\"initValue\">The first value s_i.</param>\n  /// <param name=\"initT\">The epoch it starts at, at least 0.</param>\n  /// <param name=\"deltaT\">Epochs per turn, at least 1.</param>\n  /// <param name=\"totalT\">Turns, at least 1.</param>\n  /// <param name=\"initiallyZero\">0 before initT.</param>\n  /// <returns>A new schedule (dispose it when done).</returns>\n  /// <exception cref=\"System.ArgumentException\">A value out of range.</exception>\n  public"
%csmethodmodifiers datasparse::BuiltinSchedule::polynomialDecay "/// <summary>TF Model Optimization's PolynomialDecay.</summary>\n  /// <param name=\"initial\">The value at beginStep.</param>\n  /// <param name=\"finalValue\">The value at endStep.</param>\n  /// <param name=\"beginStep\">The first pruning epoch, at least 0.</param>\n  /// <param name=\"endStep\">The last, after beginStep.</param>\n  /// <param name=\"power\">The exponent, at least 0.</param>\n  /// <param name=\"frequency\">Epochs between pruning turns, at least 1.</param>\n  /// <returns>A new schedule (dispose it when done).</returns>\n  /// <exception cref=\"System.ArgumentException\">A value out of range.</exception>\n  public"
%csmethodmodifiers datasparse::BuiltinSchedule::constant "/// <summary>TF Model Optimization's ConstantSparsity.</summary>\n  /// <param name=\"value\">The value set on each pruning turn.</param>\n  /// <param name=\"beginStep\">The first pruning epoch, at least 0.</param>\n  /// <param name=\"endStep\">The last, or -1 for none.</param>\n  /// <param name=\"frequency\">Epochs between pruning turns, at least 1.</param>\n  /// <returns>A new schedule (dispose it when done).</returns>\n  /// <exception cref=\"System.ArgumentException\">A value out of range.</exception>\n  public"
%typemap(cscode) datasparse::BuiltinSchedule %{
  // The lambda schedule's factor is called by native code: keep it reachable.
#pragma warning disable 414 // only held, never read
  private LambdaFactor keepFactor;
#pragma warning restore 414

  /// <summary>base * factor.Factor(epoch) (PyTorch's LambdaSL). The schedule keeps the factor alive.</summary>
  /// <param name="factor">The factor.</param>
  /// <returns>A new schedule (dispose it when done).</returns>
  public static BuiltinSchedule Lambda(LambdaFactor factor) {
    BuiltinSchedule schedule = LambdaRaw(factor);
    schedule.keepFactor = factor;
    return schedule;
  }

  /// <summary>The schedule's kind: gamma, step, lambda, cubic, polynomial_decay or constant.</summary>
  public string Kind {
    get { return KindNative(); }
  }
%}

/* ---------------------------------------------------------------------------
 * DataScheduler: keeps its sparsifier and its schedule reachable.
 * ------------------------------------------------------------------------- */
%typemap(csclassmodifiers) datasparse::DataScheduler "/// <summary>\n/// Varies one config key (usually \"sparsity_level\") of every item of a sparsifier over epochs, with a\n/// <see cref=\"Schedule\"/> written in C# or a <see cref=\"BuiltinSchedule\"/>. Creating it performs the first\n/// step (epoch lastEpoch + 1). It keeps its sparsifier and schedule alive; step the sparsifier before\n/// it, once per epoch.\n/// </summary>\npublic class"
/* Every constructor has the parameters sparsifier and schedule. */
%typemap(csconstruct, excode=SWIGEXCODE) datasparse::DataScheduler %{: this($imcall, true) {$excode
    keepSparsifier = sparsifier;
    keepSchedule = schedule;
  }
%}
%csmethodmodifiers datasparse::DataScheduler::DataScheduler(Sparsifier &, const std::string &, Schedule &, int64_t) "/// <summary>A scheduler with a schedule written in C#; performs its first step.</summary>\n  /// <param name=\"sparsifier\">The sparsifier whose items it schedules.</param>\n  /// <param name=\"scheduleParam\">The config key it varies.</param>\n  /// <param name=\"schedule\">The schedule (kept alive by the scheduler).</param>\n  /// <param name=\"lastEpoch\">The epoch before the first step: -1 to start, the saved epoch to resume.</param>\n  /// <exception cref=\"CallbackException\">The schedule threw in the first step.</exception>\n  /// <exception cref=\"System.ObjectDisposedException\">The sparsifier was disposed.</exception>\n  public"
%csmethodmodifiers datasparse::DataScheduler::DataScheduler(Sparsifier &, const std::string &, const BuiltinSchedule &, int64_t) "/// <summary>A scheduler with a built-in schedule (copied); performs its first step.</summary>\n  /// <param name=\"sparsifier\">The sparsifier whose items it schedules.</param>\n  /// <param name=\"scheduleParam\">The config key it varies.</param>\n  /// <param name=\"schedule\">The schedule (copied: it may be disposed afterwards).</param>\n  /// <param name=\"lastEpoch\">The epoch before the first step: -1 to start, the saved epoch to resume.</param>\n  /// <exception cref=\"System.ObjectDisposedException\">The sparsifier or the schedule was disposed.</exception>\n  public"
%csmethodmodifiers datasparse::DataScheduler::step "/// <summary>\n  /// Advances one epoch: the schedule computes every item's value, all are checked, then applied\n  /// together. All-or-nothing: if the schedule throws or returns NaN or infinity, nothing changes and\n  /// the epoch does not advance.\n  /// </summary>\n  /// <exception cref=\"CallbackException\">The schedule threw or returned a non-finite value.</exception>\n  /// <exception cref=\"System.InvalidOperationException\">The sparsifier was disposed.</exception>\n  public"
%csmethodmodifiers datasparse::DataScheduler::getLastParam "/// <summary>The value the last step set for the item.</summary>\n  /// <param name=\"name\">The item.</param>\n  /// <returns>The value.</returns>\n  /// <exception cref=\"System.Collections.Generic.KeyNotFoundException\">The last step did not schedule it.</exception>\n  public"
%csmethodmodifiers datasparse::DataScheduler::getBaseParam "/// <summary>The item's base value (its value when the scheduler first saw it).</summary>\n  /// <param name=\"name\">The item.</param>\n  /// <returns>The value.</returns>\n  /// <exception cref=\"System.Collections.Generic.KeyNotFoundException\">The item has none.</exception>\n  public"
%csmethodmodifiers datasparse::DataScheduler::saveToBytes "/// <summary>The scheduler's state (save the sparsifier's separately).</summary>\n  /// <returns>The bytes.</returns>\n  public"
%csmethodmodifiers datasparse::DataScheduler::save "/// <summary>Saves the scheduler's state (not the sparsifier's) to a file, atomically.</summary>\n  /// <param name=\"path\">The file.</param>\n  /// <exception cref=\"FileException\">The file cannot be written.</exception>\n  public"
%csmethodmodifiers datasparse::DataScheduler::load "/// <summary>\n  /// Restores a saved state (same schedule param and kind of schedule; a built-in's parameters come\n  /// back): the epoch, step count, base and last values, and each item's value in the sparsifier.\n  /// Restore the sparsifier's state first.\n  /// </summary>\n  /// <param name=\"path\">The file.</param>\n  /// <exception cref=\"FileException\">The file cannot be read.</exception>\n  /// <exception cref=\"CorruptStateException\">It does not fit this scheduler.</exception>\n  public"
%rename(LastEpochNative) datasparse::DataScheduler::lastEpoch;
%rename(StepCountNative) datasparse::DataScheduler::stepCount;
%rename(ScheduleParamNative) datasparse::DataScheduler::scheduleParam;
%rename(CountNative) datasparse::DataScheduler::size;
%rename(VerboseNative) datasparse::DataScheduler::getVerbose;
%rename(SetVerboseNative) datasparse::DataScheduler::setVerbose;
%csmethodmodifiers datasparse::DataScheduler::lastEpoch "internal";
%csmethodmodifiers datasparse::DataScheduler::stepCount "internal";
%csmethodmodifiers datasparse::DataScheduler::scheduleParam "internal";
%csmethodmodifiers datasparse::DataScheduler::size "internal";
%csmethodmodifiers datasparse::DataScheduler::nameAt "internal";
%csmethodmodifiers datasparse::DataScheduler::getVerbose "internal";
%csmethodmodifiers datasparse::DataScheduler::setVerbose "internal";
%csmethodmodifiers datasparse::DataScheduler::inCall "internal";
%ignore datasparse::DataScheduler::names;
%ignore datasparse::DataScheduler::loadFromBytes;
%rename(LoadFromBytesRaw) datasparse::DataScheduler::loadFromBytesRaw;
%csmethodmodifiers datasparse::DataScheduler::loadFromBytesRaw "internal";
%extend datasparse::DataScheduler {
    void loadFromBytesRaw(const uint8_t *bytes, size_t count) {
        $self->loadFromBytes(std::vector<uint8_t>(bytes, bytes + count));
    }
}

%typemap(csdispose) datasparse::DataScheduler %{
  /// <summary>Frees the wrapper object (the finalizer).</summary>
  ~$csclassname() {
    SwigDelete();
  }

  /// <summary>
  /// Releases the native scheduler now (not its sparsifier); any later use throws
  /// <see cref="System.ObjectDisposedException"/>. Disposing twice does nothing; from inside its
  /// own schedule, the running step fails with InvalidOperationException.
  /// </summary>
  public void Dispose() {
    CloseNative();
  }

  /// <summary>Whether <see cref="Dispose"/> was called.</summary>
  public bool IsDisposed {
    get { return IsClosedNative(); }
  }
%}
%typemap(cscode) datasparse::DataScheduler %{
  // Native code borrows these: they must live as long as this scheduler.
  private Sparsifier keepSparsifier;
#pragma warning disable 414 // only held, never read
  private object keepSchedule;
#pragma warning restore 414

  /// <summary>A scheduler with a schedule written in C#, starting at epoch 0.</summary>
  /// <param name="sparsifier">The sparsifier whose items it schedules.</param>
  /// <param name="scheduleParam">The config key it varies.</param>
  /// <param name="schedule">The schedule (kept alive by the scheduler).</param>
  /// <exception cref="CallbackException">The schedule threw in the first step.</exception>
  /// <exception cref="System.ObjectDisposedException">The sparsifier was disposed.</exception>
  public DataScheduler(Sparsifier sparsifier, string scheduleParam, Schedule schedule)
      : this(sparsifier, scheduleParam, schedule, -1) {
  }

  /// <summary>A scheduler with a built-in schedule (copied), starting at epoch 0.</summary>
  /// <param name="sparsifier">The sparsifier whose items it schedules.</param>
  /// <param name="scheduleParam">The config key it varies.</param>
  /// <param name="schedule">The schedule (copied: it may be disposed afterwards).</param>
  /// <exception cref="System.ObjectDisposedException">The sparsifier or the schedule was disposed.</exception>
  public DataScheduler(Sparsifier sparsifier, string scheduleParam, BuiltinSchedule schedule)
      : this(sparsifier, scheduleParam, schedule, -1) {
  }

  /// <summary>The sparsifier this scheduler drives.</summary>
  public Sparsifier Sparsifier {
    get { return keepSparsifier; }
  }

  /// <summary>The epoch of the last step.</summary>
  public long LastEpoch {
    get { return LastEpochNative(); }
  }

  /// <summary>The number of successful steps, the one at creation included.</summary>
  public long StepCount {
    get { return StepCountNative(); }
  }

  /// <summary>The config key it varies.</summary>
  public string ScheduleParam {
    get { return ScheduleParamNative(); }
  }

  /// <summary>Whether each step logs every adjusted value (LogLevel.Info).</summary>
  public bool Verbose {
    get { return VerboseNative(); }
    set { SetVerboseNative(value); }
  }

  /// <summary>The items the scheduler tracks, in the sparsifier's order (a copy).</summary>
  public global::System.Collections.Generic.IReadOnlyList<string> Names {
    get {
      var names = new string[checked((int)CountNative())];
      for (int i = 0; i < names.Length; ++i) names[i] = NameAt(i);
      return names;
    }
  }

  /// <summary>Restores a state made by <see cref="SaveToBytes"/> (see <see cref="Load"/>).</summary>
  /// <param name="state">The bytes.</param>
  /// <exception cref="CorruptStateException">They do not fit this scheduler.</exception>
  public void LoadFromBytes(byte[] state) {
    BufferUtil.NotNull(state, "state");
    using (var pin = BufferUtil.Pin(state)) LoadFromBytesRaw(pin.Address, state.Length);
  }
%}
