/* C# (mono) part of the datasparse interface: names, exceptions, buffers,
 * callback guards and lifetimes. Included by ../swig/datasparse.i before
 * datasparse.hpp. Hand-written C# beside this file: DatasparseException.cs
 * (the exception type), CallbackGuard.cs (keeps what a C# callback threw),
 * BufferUtil.cs (pinning, argument checks), Library.cs (version, logging). */

/* ---------------------------------------------------------------------------
 * Names: PascalCase methods; C# has Dispose, so the hpp's close() goes.
 * ------------------------------------------------------------------------- */
/* Lists of names cross as an internal vector type and reach users as
 * string[]. (Declared before the PascalCase rule, which must not touch it.) */
%typemap(csclassmodifiers) std::vector<std::string> "internal class"
%template(StringVector) std::vector<std::string>;

%rename("%(firstuppercase)s", %$isfunction) "";

%ignore datasparse::Sparsifier::close;
%ignore datasparse::Sparsifier::isClosed;
%ignore datasparse::DataScheduler::close;
%ignore datasparse::DataScheduler::isClosed;

/* Views exist only inside updateMask (their constructors are hidden from SWIG). */

/* C# enum values are compile-time constants; SWIG does not see datasparse.h's. */
%csconstvalue("0") datasparse::L1;
%csconstvalue("1") datasparse::L2;

/* The module class only carries version(); Library.cs is its public face. */
%pragma(csharp) moduleclassmodifiers="internal class"

/* Subclass these; they are never instantiated directly. */
%typemap(csclassmodifiers) datasparse::Schedule "public abstract class"
%typemap(csclassmodifiers) datasparse::LambdaFactor "public abstract class"
%typemap(csclassmodifiers) datasparse::DataSparsifier "public abstract class"

/* ---------------------------------------------------------------------------
 * Errors. Every failure of the C++ layer becomes a pending C# exception:
 * datasparse::Error -> DatasparseException(status, message); a call on a
 * disposed object (null self) -> ObjectDisposedException. The exception is
 * created on the managed side through a registered callback (the SWIG docs'
 * "custom C# exception" pattern).
 * ------------------------------------------------------------------------- */
%{
#include <string>

typedef void (SWIGSTDCALL *DatasparseCs_ErrorCallback)(int status, const char *message);
static DatasparseCs_ErrorCallback datasparse_cs_error_callback = 0;

#ifdef __cplusplus
extern "C"
#endif
SWIGEXPORT void SWIGSTDCALL DatasparseCs_RegisterErrorCallback(DatasparseCs_ErrorCallback callback) {
    datasparse_cs_error_callback = callback;
}

/* status -1: the object was disposed. */
static void DatasparseCs_SetPendingError(int status, const char *message) {
    if (datasparse_cs_error_callback) datasparse_cs_error_callback(status, message);
    else SWIG_CSharpSetPendingException(SWIG_CSharpApplicationException, message);
}

/* A C# callback cannot throw through native frames under mono, so its
 * Guarded* wrapper catches the exception, reports it here and returns; the
 * director then throws this C++ exception right after the upcall, which the
 * datasparse.hpp trampoline turns into a failed callback (DS_ERR_CALLBACK). */
namespace datasparse_cs {
thread_local bool callback_failed = false;
thread_local std::string callback_message;

inline void rethrow_callback_failure() {
    if (!callback_failed) return;
    callback_failed = false;
    std::string message;
    message.swap(callback_message);
    throw datasparse::Error(DS_ERR_CALLBACK, message);
}
}  // namespace datasparse_cs

#ifdef __cplusplus
extern "C"
#endif
SWIGEXPORT void SWIGSTDCALL DatasparseCs_CallbackFailed(const char *message) {
    datasparse_cs::callback_failed = true;
    datasparse_cs::callback_message = message ? message : "C# callback failed";
}
%}

%pragma(csharp) imclasscode=%{
  internal class DatasparseErrorHelper {
    public delegate void ErrorDelegate(int status, string message);
    static ErrorDelegate errorDelegate = new ErrorDelegate(SetPendingError);

    [global::System.Runtime.InteropServices.DllImport("$dllimport", EntryPoint="DatasparseCs_RegisterErrorCallback")]
    public static extern void DatasparseCs_RegisterErrorCallback(ErrorDelegate callback);

    static void SetPendingError(int status, string message) {
      // Never throw from here: this runs inside a native call.
      SWIGPendingException.Set(DatasparseException.FromNative(status, message));
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

%exception {
    try {
        $action
    } catch (const datasparse::Error &e) {
        DatasparseCs_SetPendingError(e.status(), e.what());
        return $null;
    } catch (const std::bad_alloc &e) {
        DatasparseCs_SetPendingError(DS_ERR_NO_MEMORY, "DS_ERR_NO_MEMORY: out of memory");
        return $null;
    } catch (const std::exception &e) {
        DatasparseCs_SetPendingError(DS_ERR_INTERNAL, (std::string("DS_ERR_INTERNAL: ") + e.what()).c_str());
        return $null;
    } catch (...) {
        DatasparseCs_SetPendingError(DS_ERR_INTERNAL, "DS_ERR_INTERNAL: unknown C++ exception");
        return $null;
    }
}

/* A disposed proxy passes a null self: refuse instead of crashing. */
%typemap(check, noblock=1) SWIGTYPE *self {
    if (!$1) {
        DatasparseCs_SetPendingError(-1, "$1_basetype");
        return $null;
    }
}

/* A disposed proxy passed as an argument: ObjectDisposedException (not NULL). */
%typemap(csin) const datasparse::Config *, datasparse::Sparsifier &, datasparse::Schedule &,
               const datasparse::BuiltinSchedule &, datasparse::LambdaFactor &
  "BufferUtil.Live($csclassname.getCPtr($csinput), $csinput, \"$csclassname\")"

/* ---------------------------------------------------------------------------
 * Callbacks written in C#: the upcall runs inside a Guarded* method, which
 * catches any exception (it must not unwind through mono's native frames)
 * and reports it to CallbackGuard; the C++ side of the director then throws
 * a C++ exception that the datasparse.hpp trampoline turns into a failure.
 * ------------------------------------------------------------------------- */
/* $cscall is e.g. "Compute(name, epoch, base_, current)": the upcall goes to
 * the private GuardedCompute below instead (no closure per call). */
%typemap(csdirectorout) double compute "Guarded$cscall"
%typemap(csdirectorout) double factor "Guarded$cscall"
%typemap(csdirectorout) void updateMask "Guarded$cscall"
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
%typemap(cscode) datasparse::DataSparsifier %{
  private void GuardedUpdateMask(string name, DataView data, Config config, MaskView mask) {
    try {
      UpdateMask(name, data, config, mask);
    } catch (global::System.Exception e) {
      CallbackGuard.Fail(e);
    }
  }
%}

%typemap(directorout) double compute, double factor %{
    datasparse_cs::rethrow_callback_failure();
    $result = ($1_ltype)$input;
%}
%typemap(directorargout) datasparse::MaskView &mask %{
    datasparse_cs::rethrow_callback_failure();
%}

/* The views and the config handed to updateMask live only during the
 * callback: detach the C# proxies afterwards (later use throws
 * ObjectDisposedException instead of reading freed memory). */
%define DS_CS_CALLBACK_ONLY(TYPE, CSTYPE)
%typemap(csdirectorin, pre="    var cb_$iminput = new CSTYPE($iminput, false);\n    global::System.GC.SuppressFinalize(cb_$iminput);", post="      cb_$iminput.SwigDetach();") TYPE "cb_$iminput"
%enddef
DS_CS_CALLBACK_ONLY(const datasparse::DataView &, DataView)
DS_CS_CALLBACK_ONLY(datasparse::MaskView &, MaskView)
%typemap(csdirectorin, pre="    var cb_$iminput = new Config($iminput, false);\n    global::System.GC.SuppressFinalize(cb_$iminput);", post="      cb_$iminput.SwigDetach();") const datasparse::Config &config "cb_$iminput"

/* ---------------------------------------------------------------------------
 * Buffers: raw pointers travel as IntPtr to internal methods; the public
 * C# methods (cscode below) pin or allocate managed arrays around them.
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
DS_CS_RAW_POINTER(float *out)
DS_CS_RAW_POINTER(uint8_t *out)
DS_CS_RAW_POINTER(const uint8_t *values)
DS_CS_RAW_POINTER(const uint8_t *bytes)

%rename(AddDataBorrowedRaw) datasparse::Sparsifier::addDataBorrowed;
%rename(AddDataCopyRaw) datasparse::Sparsifier::addDataCopy;
%rename(GetMaskRaw) datasparse::Sparsifier::getMask;
%rename(GetDataRaw) datasparse::Sparsifier::getData;
%rename(RemoveDataRaw) datasparse::Sparsifier::removeData;
%rename(SquashMaskRaw) datasparse::Sparsifier::squashMask;
%rename(SquashAllRaw) datasparse::Sparsifier::squashAll;
%rename(NamesVector) datasparse::Sparsifier::names;
%rename(NamesVector) datasparse::DataScheduler::names;
%rename(KeysVector) datasparse::Config::keys;
%rename(CopyToRaw) datasparse::DataView::copyTo;
%rename(CopyToRaw) datasparse::MaskView::copyTo;
%rename(CopyFromRaw) datasparse::MaskView::copyFrom;
%rename(LambdaRaw) datasparse::BuiltinSchedule::lambda;
%csmethodmodifiers datasparse::Sparsifier::addDataBorrowed "internal";
%csmethodmodifiers datasparse::Sparsifier::addDataCopy "internal";
%csmethodmodifiers datasparse::Sparsifier::getMask "internal";
%csmethodmodifiers datasparse::Sparsifier::getData "internal";
%csmethodmodifiers datasparse::Sparsifier::removeData "internal";
%csmethodmodifiers datasparse::Sparsifier::squashMask "internal";
%csmethodmodifiers datasparse::Sparsifier::squashAll "internal";
%csmethodmodifiers datasparse::Sparsifier::names "internal";
%csmethodmodifiers datasparse::DataScheduler::names "internal";
%csmethodmodifiers datasparse::Config::keys "internal";
%csmethodmodifiers datasparse::DataView::copyTo "internal";
%csmethodmodifiers datasparse::MaskView::copyTo "internal";
%csmethodmodifiers datasparse::MaskView::copyFrom "internal";
%csmethodmodifiers datasparse::BuiltinSchedule::lambda "internal";


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
%typemap(ctype) std::vector<uint8_t> "void *"
%typemap(imtype) std::vector<uint8_t> "global::System.IntPtr"
%typemap(cstype) std::vector<uint8_t> "byte[]"
%typemap(out) std::vector<uint8_t> %{ $result = new std::vector<uint8_t>((const std::vector<uint8_t> &)$1); %}
%typemap(csout, excode=SWIGEXCODE) std::vector<uint8_t> {
    global::System.IntPtr bytes = $imcall;$excode
    return $imclassname.TakeBytes(bytes);
  }

%csmethodmodifiers datasparse::Sparsifier::loadFromBytesRaw "internal";
%csmethodmodifiers datasparse::DataScheduler::loadFromBytesRaw "internal";
%ignore datasparse::Sparsifier::loadFromBytes;
%ignore datasparse::DataScheduler::loadFromBytes;
%extend datasparse::Sparsifier {
    void loadFromBytesRaw(const uint8_t *bytes, size_t count, bool strict) {
        $self->loadFromBytes(std::vector<uint8_t>(bytes, bytes + count), strict);
    }
}
%extend datasparse::DataScheduler {
    void loadFromBytesRaw(const uint8_t *bytes, size_t count) {
        $self->loadFromBytes(std::vector<uint8_t>(bytes, bytes + count));
    }
}

/* ---------------------------------------------------------------------------
 * The public C# surface over the raw methods.
 * ------------------------------------------------------------------------- */
%typemap(cscode) datasparse::Config %{
  /// <summary>The value of key (KeyNotFound: DatasparseException with status NotFound).</summary>
  public double this[string key] {
    get { return Get(key); }
    set { Set(key, value); }
  }

  /// <summary>The keys in ascending byte order.</summary>
  public string[] Keys() {
    using (StringVector keys = KeysVector()) return BufferUtil.ToArray(keys);
  }
  internal void SwigDetach() {
    lock(this) { swigCPtr = new global::System.Runtime.InteropServices.HandleRef(null, global::System.IntPtr.Zero); }
  }
%}

%typemap(cscode) datasparse::DataView %{
  /// <summary>A copy of the data, row-major (rows * cols floats).</summary>
  public float[] ToArray() {
    float[] result = new float[checked((int)Size())];
    CopyTo(result);
    return result;
  }

  /// <summary>Copies the data, row-major, into destination (at least rows * cols floats).</summary>
  public void CopyTo(float[] destination) {
    BufferUtil.RequireArray(destination, "destination");
    using (var pin = BufferUtil.Pin(destination)) CopyToRaw(pin.Address, (uint)destination.Length);
  }
  internal void SwigDetach() {
    lock(this) { swigCPtr = new global::System.Runtime.InteropServices.HandleRef(null, global::System.IntPtr.Zero); }
  }
%}

%typemap(cscode) datasparse::MaskView %{
  /// <summary>A copy of the mask, row-major (rows * cols bytes, each 0 or 1).</summary>
  public byte[] ToArray() {
    byte[] result = new byte[checked((int)Size())];
    CopyTo(result);
    return result;
  }

  /// <summary>Copies the mask into destination (at least rows * cols bytes).</summary>
  public void CopyTo(byte[] destination) {
    BufferUtil.RequireArray(destination, "destination");
    using (var pin = BufferUtil.Pin(destination)) CopyToRaw(pin.Address, (uint)destination.Length);
  }

  /// <summary>Replaces the mask with values (at least rows * cols bytes, each 0 or 1).</summary>
  public void CopyFrom(byte[] values) {
    BufferUtil.RequireArray(values, "values");
    using (var pin = BufferUtil.Pin(values)) CopyFromRaw(pin.Address, (uint)values.Length);
  }
  internal void SwigDetach() {
    lock(this) { swigCPtr = new global::System.Runtime.InteropServices.HandleRef(null, global::System.IntPtr.Zero); }
  }
%}

/* The sparsifier pins each float[] registered with AddData (zero-copy) until
 * that name is replaced or removed, or the sparsifier is disposed. (A
 * squashed item stays pinned: GetData still reads the caller's buffer.) */
%typemap(cscode) datasparse::Sparsifier %{
  private readonly global::System.Collections.Generic.Dictionary<string, global::System.Runtime.InteropServices.GCHandle> pins =
      new global::System.Collections.Generic.Dictionary<string, global::System.Runtime.InteropServices.GCHandle>();

  /// <summary>
  /// Registers data under name, zero-copy: the array is pinned and the library reads (and, when
  /// squashing, writes) it directly until the name is replaced or removed or the sparsifier is
  /// disposed. Changes you make to the array are seen by the next Step().
  /// </summary>
  public void AddData(string name, float[] data, long rows, long cols, Config config = null, bool reuseMask = false) {
    BufferUtil.RequireArray(data, "data");
    var handle = global::System.Runtime.InteropServices.GCHandle.Alloc(data, global::System.Runtime.InteropServices.GCHandleType.Pinned);
    try {
      AddDataBorrowedRaw(name, handle.AddrOfPinnedObject(), (uint)data.Length, rows, cols, config, reuseMask);
    } catch {
      handle.Free();
      throw;
    }
    lock (pins) {
      Unpin(name);
      pins[name] = handle;
    }
  }

  /// <summary>
  /// Registers unmanaged memory under name, zero-copy: count floats at data, which must stay
  /// valid until the name is replaced or removed or the sparsifier is disposed.
  /// </summary>
  public void AddData(string name, global::System.IntPtr data, long count, long rows, long cols, Config config = null, bool reuseMask = false) {
    if (data == global::System.IntPtr.Zero) throw new global::System.ArgumentNullException("data");
    if (count < 0) throw new global::System.ArgumentOutOfRangeException("count", count, "count must not be negative");
    AddDataBorrowedRaw(name, data, (uint)global::System.Math.Min(count, (long)uint.MaxValue), rows, cols, config, reuseMask);
    lock (pins) Unpin(name);
  }

  /// <summary>Registers a copy of data (the sparsifier owns the copy; the array is not kept).</summary>
  public void AddDataCopy(string name, float[] data, long rows, long cols, Config config = null, bool reuseMask = false) {
    BufferUtil.RequireArray(data, "data");
    using (var pin = BufferUtil.Pin(data))
      AddDataCopyRaw(name, pin.Address, (uint)data.Length, rows, cols, config, reuseMask);
    lock (pins) Unpin(name);
  }

  /// <summary>Removes an item (its mask and config; your array is untouched and unpinned).</summary>
  public void RemoveData(string name) {
    RemoveDataRaw(name);
    lock (pins) Unpin(name);
  }

  /// <summary>The item's mask, row-major (1 = keep, 0 = zero).</summary>
  public byte[] GetMask(string name) {
    byte[] result = new byte[ElementCount(name)];
    GetMask(name, result);
    return result;
  }

  /// <summary>Copies the item's mask into destination (at least rows * cols bytes).</summary>
  public void GetMask(string name, byte[] destination) {
    BufferUtil.RequireArray(destination, "destination");
    using (var pin = BufferUtil.Pin(destination)) GetMaskRaw(name, pin.Address, (uint)destination.Length);
  }

  /// <summary>The item's data: original = true: as you hold it; false: data * mask.</summary>
  public float[] GetData(string name, bool original = false) {
    float[] result = new float[ElementCount(name)];
    GetData(name, original, result);
    return result;
  }

  /// <summary>Copies the item's data into destination (at least rows * cols floats).</summary>
  public void GetData(string name, bool original, float[] destination) {
    BufferUtil.RequireArray(destination, "destination");
    using (var pin = BufferUtil.Pin(destination)) GetDataRaw(name, original, pin.Address, (uint)destination.Length);
  }

  /// <summary>Squashes the masks of the named items (none named: all items).</summary>
  public void SquashMask(bool leaveParametrized = true, params string[] names) {
    if (names == null || names.Length == 0) {
      SquashAllRaw(leaveParametrized);
      return;
    }
    using (var list = new StringVector(names)) SquashMaskRaw(list, leaveParametrized);
  }

  /// <summary>Squashes the masks of the named items.</summary>
  public void SquashMask(global::System.Collections.Generic.IEnumerable<string> names, bool leaveParametrized = true) {
    if (names == null) throw new global::System.ArgumentNullException("names");
    using (var list = new StringVector(new global::System.Collections.Generic.List<string>(names))) SquashMaskRaw(list, leaveParametrized);
  }

  /// <summary>The names of the items, in the order they were first added.</summary>
  public string[] Names() {
    using (StringVector names = NamesVector()) return BufferUtil.ToArray(names);
  }

  /// <summary>Replaces (strict) or merges the sparsifier's state with one saved by SaveToBytes.</summary>
  public void LoadFromBytes(byte[] bytes, bool strict = true) {
    BufferUtil.RequireArray(bytes, "bytes");
    using (var pin = BufferUtil.Pin(bytes)) LoadFromBytesRaw(pin.Address, (uint)bytes.Length, strict);
  }

  private int ElementCount(string name) {
    return checked((int)(Rows(name) * Cols(name)));
  }

  private void Unpin(string name) {
    global::System.Runtime.InteropServices.GCHandle old;
    if (pins.TryGetValue(name, out old)) {
      pins.Remove(name);
      old.Free();
    }
  }

  private void UnpinAll() {
    if (pins == null) return;  // a constructor failed before the field was set; the finalizer still runs
    lock (pins) {
      foreach (var handle in pins.Values) handle.Free();
      pins.Clear();
    }
  }
%}

/* Sparsifier's Dispose frees the pins once the native object is gone (the
 * derived classes' Dispose deletes it, then calls this one). */
%typemap(csdisposing, methodname="Dispose", methodmodifiers="protected", parameters="bool disposing") datasparse::Sparsifier {
    lock(this) {
      // Disposed from inside one of its own calls (a callback): native code
      // still reads the pinned arrays until that call returns, so the pins
      // stay until the finalizer (or a later Dispose) frees them.
      bool busy = swigCPtr.Handle != global::System.IntPtr.Zero && InCall();
      if (swigCPtr.Handle != global::System.IntPtr.Zero) {
        if (swigCMemOwn) {
          swigCMemOwn = false;
          $imcall;
        }
        swigCPtr = new global::System.Runtime.InteropServices.HandleRef(null, global::System.IntPtr.Zero);
      }
      if (!busy) UnpinAll();
    }
  }

/* ---------------------------------------------------------------------------
 * Lifetimes: a DataScheduler keeps its sparsifier and its schedule (and a
 * BuiltinSchedule its LambdaFactor) reachable for as long as it lives.
 * ------------------------------------------------------------------------- */
/* Every DataScheduler constructor has the parameters sparsifier and schedule. */
%typemap(csconstruct, excode=SWIGEXCODE) datasparse::DataScheduler %{: this($imcall, true) {$excode
    keepSparsifier = sparsifier;
    keepSchedule = schedule;
  }
%}

%typemap(cscode) datasparse::DataScheduler %{
  // Native code borrows these: they must live as long as this scheduler.
  private Sparsifier keepSparsifier;
#pragma warning disable 414 // only held, never read
  private object keepSchedule;
#pragma warning restore 414

  /// <summary>The sparsifier this scheduler drives.</summary>
  public Sparsifier Sparsifier { get { return keepSparsifier; } }

  /// <summary>The names of the scheduled items, in the sparsifier's order.</summary>
  public string[] Names() {
    using (StringVector names = NamesVector()) return BufferUtil.ToArray(names);
  }

  /// <summary>Restores a state saved by SaveToBytes (restore the sparsifier's first).</summary>
  public void LoadFromBytes(byte[] bytes) {
    BufferUtil.RequireArray(bytes, "bytes");
    using (var pin = BufferUtil.Pin(bytes)) LoadFromBytesRaw(pin.Address, (uint)bytes.Length);
  }
%}

%typemap(cscode) datasparse::BuiltinSchedule %{
  // The lambda schedule's factor is called by native code: keep it reachable.
#pragma warning disable 414 // only held, never read
  private LambdaFactor keepFactor;
#pragma warning restore 414

  /// <summary>base * factor.Factor(epoch) (PyTorch's LambdaSL). The schedule keeps the factor alive.</summary>
  public static BuiltinSchedule Lambda(LambdaFactor factor) {
    if (factor == null) throw new global::System.ArgumentNullException("factor");
    BuiltinSchedule schedule = LambdaRaw(factor);
    schedule.keepFactor = factor;
    return schedule;
  }
%}

/* ---------------------------------------------------------------------------
 * Logging: Library.SetLogHandler routes the library's messages to C#.
 * ------------------------------------------------------------------------- */
%{
#include <atomic>
typedef void (SWIGSTDCALL *DatasparseCs_LogCallback)(int level, const char *message);
static std::atomic<DatasparseCs_LogCallback> datasparse_cs_log_callback(nullptr);

static void datasparse_cs_log(void *, int level, const char *message) {
    DatasparseCs_LogCallback callback = datasparse_cs_log_callback.load();
    if (callback) callback(level, message);
}

#ifdef __cplusplus
extern "C"
#endif
SWIGEXPORT void SWIGSTDCALL DatasparseCs_SetLogHandler(DatasparseCs_LogCallback callback) {
    datasparse_cs_log_callback.store(callback);
    ds_set_log_handler(callback ? datasparse_cs_log : nullptr, nullptr);
}
%}
%pragma(csharp) imclasscode=%{
  internal delegate void LogCallback(int level, string message);
  [global::System.Runtime.InteropServices.DllImport("$dllimport", EntryPoint="DatasparseCs_SetLogHandler")]
  internal static extern void DatasparseCs_SetLogHandler(LogCallback callback);
%}
