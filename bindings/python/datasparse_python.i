/* Python part of the interface (included by bindings/swig/datasparse.i before
 * datasparse.hpp). The SWIG module becomes datasparse/_swig.py +
 * datasparse/_datasparse*.so; datasparse/__init__.py re-exports it.
 *
 *  - snake_case names; a few C++ methods are private (leading "_") and have a
 *    Pythonic method of the same job written below in %pythoncode.
 *  - Failures: the shared policy (../swig/datasparse.i) with the hooks of
 *    python_hooks.i -> the exception classes of datasparse/_errors.py
 *    (registered at import through _set_error_factory).
 *  - Logging: datasparse/__init__.py installs a subclass of the shared
 *    LogHandler (warnings -> DatasparseWarning, the rest -> logging).
 *  - An exception raised in a Python callback is kept (per thread), the C++
 *    trampoline reports its text to the library, and the caller of step()
 *    gets a CallbackError whose __cause__ is the original exception.
 *  - Buffers go through the buffer protocol (NumPy arrays) for the float32
 *    methods below; datasparse/_data.py (the package's classes: PyTorch's API)
 *    registers NumPy arrays and torch tensors of every dtype, shape and row
 *    stride through _add_data_ex and friends, by address, and keeps them alive.
 *  - Built with -threads: wrapped calls release the GIL (step() runs OpenMP
 *    code); directors and the log handler take it back.
 */

%{
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

namespace ds_py {

/* Buffer of a Python object (buffer protocol), released on scope exit. */
struct Buffer {
    Py_buffer view;
    bool held = false;
    Buffer() { std::memset(&view, 0, sizeof view); }
    ~Buffer() { if (held) PyBuffer_Release(&view); }
    Buffer(const Buffer &) = delete;
    Buffer &operator=(const Buffer &) = delete;

    /* fmt: 'f' float32, 'B' uint8; 0 any bytes. False with a Python error set. */
    bool get(PyObject *obj, char fmt, bool writable, const char *what) {
        const char *kind = fmt == 'f' ? "float32" : fmt == 'B' ? "uint8" : "bytes";
        int flags = PyBUF_C_CONTIGUOUS | (fmt ? PyBUF_FORMAT : 0) | (writable ? PyBUF_WRITABLE : 0);
        if (!PyObject_CheckBuffer(obj)) {
            PyErr_Format(PyExc_TypeError, "%s must be a NumPy %s array (or another buffer), not %s", what, kind,
                         Py_TYPE(obj)->tp_name);
            return false;
        }
        if (PyObject_GetBuffer(obj, &view, flags) != 0) {
            PyObject *type, *value, *tb;
            PyErr_Fetch(&type, &value, &tb);
            std::string why = value ? describe(value) : std::string("unusable buffer");
            Py_XDECREF(type); Py_XDECREF(value); Py_XDECREF(tb);
            PyErr_Format(PyExc_ValueError, "%s must be a C-contiguous%s %s array (%s)", what,
                         writable ? ", writable" : "", kind, why.c_str());
            return false;
        }
        held = true;
        if (fmt) {
            const char *f = view.format ? view.format : "B";
            if (*f == '@' || *f == '=' || (*f == '<' && PY_LITTLE_ENDIAN) || (*f == '>' && !PY_LITTLE_ENDIAN)) ++f;
            if (f[0] != fmt || f[1] != '\0' || view.itemsize != (fmt == 'f' ? 4 : 1)) {
                PyErr_Format(PyExc_TypeError, "%s must have dtype %s, got buffer format '%s'", what, kind,
                             view.format ? view.format : "B");
                return false;
            }
            if (fmt == 'f' && reinterpret_cast<uintptr_t>(view.buf) % alignof(float) != 0) {
                PyErr_Format(PyExc_ValueError, "%s is not aligned for float32", what);
                return false;
            }
        }
        return true;
    }
    size_t count() const { return static_cast<size_t>(view.len / (view.itemsize > 0 ? view.itemsize : 1)); }
};

/* None, a Config, or a mapping str -> number. False with a Python error set. */
static bool to_config(PyObject *obj, swig_type_info *config_type, std::unique_ptr<datasparse::Config> &owned,
                      const datasparse::Config **out) {
    *out = nullptr;
    if (obj == Py_None) return true;
    void *ptr = nullptr;
    if (SWIG_IsOK(SWIG_ConvertPtr(obj, &ptr, config_type, 0))) {
        *out = static_cast<const datasparse::Config *>(ptr);
        return true;
    }
    if (!PyMapping_Check(obj) || PyUnicode_Check(obj) || PySequence_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "config must be a Config or a dict of str to number, not %s",
                     Py_TYPE(obj)->tp_name);
        return false;
    }
    PyObject *items = PyMapping_Items(obj);
    if (!items) return false;
    try {
        owned.reset(new datasparse::Config());
        for (Py_ssize_t i = 0, n = PyList_GET_SIZE(items); i < n; ++i) {
            PyObject *kv = PyList_GET_ITEM(items, i);
            PyObject *key = PyTuple_GetItem(kv, 0), *value = PyTuple_GetItem(kv, 1);
            if (!key || !value) { Py_DECREF(items); return false; }
            if (!PyUnicode_Check(key)) {
                PyErr_Format(PyExc_TypeError, "config keys must be str, not %s", Py_TYPE(key)->tp_name);
                Py_DECREF(items);
                return false;
            }
            double v = PyFloat_AsDouble(value);
            if (v == -1.0 && PyErr_Occurred()) {
                PyErr_Format(PyExc_TypeError, "config value of '%U' must be a number, not %s", key,
                             Py_TYPE(value)->tp_name);
                Py_DECREF(items);
                return false;
            }
            owned->set(PyUnicode_AsUTF8(key), v);
        }
    } catch (const datasparse::Error &e) {
        Py_DECREF(items);
        raise_error(e.status(), e.what());
        return false;
    }
    Py_DECREF(items);
    *out = owned.get();
    return true;
}

static bool to_norm(PyObject *obj, ds_norm *out) {
    if (PyUnicode_Check(obj)) {
        const char *s = PyUnicode_AsUTF8(obj);
        if (!s) return false;
        if (!strcmp(s, "L1") || !strcmp(s, "l1")) { *out = DS_NORM_L1; return true; }
        if (!strcmp(s, "L2") || !strcmp(s, "l2")) { *out = DS_NORM_L2; return true; }
        PyErr_Format(PyExc_ValueError, "norm must be 'L1' or 'L2', got '%s'", s);
        return false;
    }
    if (PyLong_Check(obj)) {
        long v = PyLong_AsLong(obj);
        if (v == DS_NORM_L1 || v == DS_NORM_L2) { *out = static_cast<ds_norm>(v); return true; }
        if (!PyErr_Occurred()) PyErr_Format(PyExc_ValueError, "norm must be Norm.L1 or Norm.L2, got %ld", v);
        return false;
    }
    PyErr_Format(PyExc_TypeError, "norm must be 'L1', 'L2' or a Norm, not %s", Py_TYPE(obj)->tp_name);
    return false;
}

}  // namespace ds_py
%}

/* compute()/factor() may return any real number (numpy.float32, int, ...). */
%typemap(directorout) double {
    $result = PyFloat_AsDouble($input);
    if ($result == -1.0 && PyErr_Occurred())
        throw ds_py::CallbackFailed(ds_py::keep_callback_exception("$symname"));
}

/* ---------------------------------------------------------------- scalars */

/* Names, keys and paths are str; None (or anything else) is a TypeError naming
 * the parameter, as null is in every language (tests/bindings/policy.txt). */
%typemap(in) const std::string & (std::string temp) {
    if (!PyUnicode_Check($input)) {
        PyErr_Format(PyExc_TypeError, "%s must be str, not %s", "$1_name", Py_TYPE($input)->tp_name);
        SWIG_fail;
    }
    Py_ssize_t size = 0;
    const char *chars = PyUnicode_AsUTF8AndSize($input, &size);
    if (!chars) SWIG_fail;
    temp.assign(chars, static_cast<size_t>(size));
    $1 = &temp;
}
%typemap(typecheck, precedence=SWIG_TYPECHECK_STRING) const std::string & {
    $1 = PyUnicode_Check($input) ? 1 : 0;
}
%typemap(freearg) const std::string & ""

/* Any real number (numpy scalars too); any integer-like for int64_t; truthiness for bool. */
%typemap(in) double {
    $1 = PyFloat_AsDouble($input);
    if ($1 == -1.0 && PyErr_Occurred()) SWIG_fail;
}
%typemap(typecheck, precedence=SWIG_TYPECHECK_DOUBLE) double {
    $1 = (PyFloat_Check($input) || PyLong_Check($input) || PyIndex_Check($input)) ? 1 : 0;
}
%typemap(in) int64_t {
    PyObject *index = PyNumber_Index($input);
    if (!index) SWIG_fail;
    $1 = static_cast<int64_t>(PyLong_AsLongLong(index));
    Py_DECREF(index);
    if ($1 == -1 && PyErr_Occurred()) SWIG_fail;
}
%typemap(typecheck, precedence=SWIG_TYPECHECK_INT64) int64_t {
    $1 = PyIndex_Check($input) ? 1 : 0;
}
%typemap(in) bool {
    int truth = PyObject_IsTrue($input);
    if (truth < 0) SWIG_fail;
    $1 = truth != 0;
}
%typemap(typecheck, precedence=SWIG_TYPECHECK_BOOL) bool { $1 = 1; }

/* ---------------------------------------------------------------- enums, configs */

%typemap(in) ds_norm {
    if (!ds_py::to_norm($input, &$1)) SWIG_fail;
}
%typemap(typecheck, precedence=SWIG_TYPECHECK_INTEGER) ds_norm {
    $1 = (PyUnicode_Check($input) || PyLong_Check($input)) ? 1 : 0;
}

/* A Config, a dict of str -> number, or None (for pointers). */
%typemap(in) const datasparse::Config * (std::unique_ptr<datasparse::Config> owned) {
    const datasparse::Config *config = nullptr;
    if (!ds_py::to_config($input, $descriptor(datasparse::Config *), owned, &config)) SWIG_fail;
    $1 = const_cast<datasparse::Config *>(config);
}
%typemap(typecheck, precedence=SWIG_TYPECHECK_POINTER) const datasparse::Config * {
    void *ptr = nullptr;
    $1 = ($input == Py_None || SWIG_IsOK(SWIG_ConvertPtr($input, &ptr, $descriptor(datasparse::Config *), 0)) ||
          PyDict_Check($input)) ? 1 : 0;
}

/* ---------------------------------------------------------------- buffers */

/* Borrowed zero-copy (the Python layer keeps the array alive). */
%typemap(in) (float *data, size_t count) (ds_py::Buffer buffer) {
    if (!buffer.get($input, 'f', true, "data")) SWIG_fail;
    $1 = static_cast<float *>(buffer.view.buf);
    $2 = buffer.count();
}
/* Copied in. */
%typemap(in) (const float *data, size_t count) (ds_py::Buffer buffer) {
    if (!buffer.get($input, 'f', false, "data")) SWIG_fail;
    $1 = static_cast<float *>(buffer.view.buf);
    $2 = buffer.count();
}
%typemap(in) (const uint8_t *values, size_t count) (ds_py::Buffer buffer) {
    if (!buffer.get($input, 'B', false, "mask")) SWIG_fail;
    $1 = static_cast<uint8_t *>(buffer.view.buf);
    $2 = buffer.count();
}
/* Written into. */
%typemap(in) (float *out, size_t count) (ds_py::Buffer buffer) {
    if (!buffer.get($input, 'f', true, "out")) SWIG_fail;
    $1 = static_cast<float *>(buffer.view.buf);
    $2 = buffer.count();
}
%typemap(in) (uint8_t *out, size_t count) (ds_py::Buffer buffer) {
    if (!buffer.get($input, 'B', true, "out")) SWIG_fail;
    $1 = static_cast<uint8_t *>(buffer.view.buf);
    $2 = buffer.count();
}

/* Saved states: bytes out, any bytes-like in. */
%typemap(out) std::vector<uint8_t> {
    const std::vector<uint8_t> &bytes = $1;
    $result = PyBytes_FromStringAndSize(reinterpret_cast<const char *>(bytes.data()), static_cast<Py_ssize_t>(bytes.size()));
}
%typemap(in) const std::vector<uint8_t> & (std::vector<uint8_t> bytes, ds_py::Buffer buffer) {
    if (!buffer.get($input, 0, false, "state")) SWIG_fail;
    const uint8_t *begin = static_cast<const uint8_t *>(buffer.view.buf);
    bytes.assign(begin, begin + buffer.view.len);
    $1 = &bytes;
}
%typemap(typecheck, precedence=SWIG_TYPECHECK_POINTER) const std::vector<uint8_t> & {
    $1 = PyObject_CheckBuffer($input) ? 1 : 0;
}

/* Names: a list of str out, any iterable of str in. */
%typemap(out) std::vector<std::string> {
    const std::vector<std::string> &names = $1;
    $result = PyList_New(static_cast<Py_ssize_t>(names.size()));
    if (!$result) SWIG_fail;
    for (size_t i = 0; i < names.size(); ++i) {
        PyObject *s = PyUnicode_DecodeUTF8(names[i].data(), static_cast<Py_ssize_t>(names[i].size()), "surrogateescape");
        if (!s) { Py_DECREF($result); $result = nullptr; SWIG_fail; }
        PyList_SET_ITEM($result, static_cast<Py_ssize_t>(i), s);
    }
}
%typemap(in) const std::vector<std::string> & (std::vector<std::string> names) {
    if (PyUnicode_Check($input)) {
        PyErr_SetString(PyExc_TypeError, "names must be an iterable of str, not a single str");
        SWIG_fail;
    }
    PyObject *seq = PySequence_Fast($input, "names must be an iterable of str");
    if (!seq) SWIG_fail;
    for (Py_ssize_t i = 0, n = PySequence_Fast_GET_SIZE(seq); i < n; ++i) {
        PyObject *item = PySequence_Fast_GET_ITEM(seq, i);
        const char *s = PyUnicode_Check(item) ? PyUnicode_AsUTF8(item) : nullptr;
        if (!s) {
            if (!PyErr_Occurred())
                PyErr_Format(PyExc_TypeError, "names must be str, not %s", Py_TYPE(item)->tp_name);
            Py_DECREF(seq);
            SWIG_fail;
        }
        names.emplace_back(s);
    }
    Py_DECREF(seq);
    $1 = &names;
}

/* ---------------------------------------------------------------- names */

%feature("compactdefaultargs");
%feature("kwargs");

%ignore datasparse::Config::Config(const Config &);
/* One constructor (below) takes either kind of schedule. */
%ignore datasparse::DataScheduler::DataScheduler(Sparsifier &, const std::string &, Schedule &, int64_t);
%ignore datasparse::DataScheduler::DataScheduler(Sparsifier &, const std::string &, const BuiltinSchedule &, int64_t);

/* Private: the Python methods below wrap them. */
%rename(_get) datasparse::Config::get;
%rename(_add_data_borrowed) datasparse::Sparsifier::addDataBorrowed;
%rename(_add_data_copy) datasparse::Sparsifier::addDataCopy;
%rename(_remove_data) datasparse::Sparsifier::removeData;
%rename(_in_call) datasparse::Sparsifier::inCall;
%rename(_in_call) datasparse::DataScheduler::inCall;
%rename(_get_mask_into) datasparse::Sparsifier::getMask;
%rename(_get_data_into) datasparse::Sparsifier::getData;
%rename(_squash_mask) datasparse::Sparsifier::squashMask;
%rename(_squash_all) datasparse::Sparsifier::squashAll;
%rename(_save) datasparse::Sparsifier::save;
%rename(_load) datasparse::Sparsifier::load;
%rename(_save_to_bytes) datasparse::Sparsifier::saveToBytes;
%rename(_load_from_bytes) datasparse::Sparsifier::loadFromBytes;
%rename(_close) datasparse::Config::close;
%rename(_is_closed) datasparse::Config::isClosed;
%rename(_close) datasparse::BuiltinSchedule::close;
%rename(_is_closed) datasparse::BuiltinSchedule::isClosed;
%rename(_close) datasparse::Sparsifier::close;
%rename(_is_closed) datasparse::Sparsifier::isClosed;
%rename(_update_mask_views) datasparse::DataSparsifier::updateMask;
%rename(_gamma) datasparse::BuiltinSchedule::gamma;
%rename(_step) datasparse::BuiltinSchedule::step;
%rename(_lambda) datasparse::BuiltinSchedule::lambda;
%rename(_cubic) datasparse::BuiltinSchedule::cubic;
%rename(_polynomial_decay) datasparse::BuiltinSchedule::polynomialDecay;
%rename(_constant) datasparse::BuiltinSchedule::constant;
%rename(_save) datasparse::DataScheduler::save;
%rename(_load) datasparse::DataScheduler::load;
%rename(_close) datasparse::DataScheduler::close;
%rename(_is_closed) datasparse::DataScheduler::isClosed;
%rename(_get_last_param) datasparse::DataScheduler::getLastParam;
%rename(_get_base_param) datasparse::DataScheduler::getBaseParam;

/* ---------------------------------------------------------------- docstrings */

%feature("docstring") datasparse::version "The version of the loaded library, \"MAJOR.MINOR.PATCH\".";
%feature("docstring") datasparse::Config::set "set(key, value): sets key (a non-empty str) to a finite number.";
%feature("docstring") datasparse::Config::remove "remove(key): removes key (KeyError if absent).";
%feature("docstring") datasparse::Config::keys "The keys, in ascending byte order.";
%feature("docstring") datasparse::Sparsifier::step
"Recomputes every (non-squashed) item's mask from its current data and config.
All-or-nothing: if it fails (e.g. a Python update_mask raised), no mask changes.";
%feature("docstring") datasparse::Sparsifier::getParam "get_param(name, key): a config value of an item.";
%feature("docstring") datasparse::Sparsifier::setParam "set_param(name, key, value): sets a config value of an item.";
%feature("docstring") datasparse::Sparsifier::getConfig "get_config(name): a copy of the item's merged config (a Config).";
%feature("docstring") datasparse::Sparsifier::getSparsity "get_sparsity(name): the fraction of the item's mask that is zero.";
%feature("docstring") datasparse::Sparsifier::isSquashed "is_squashed(name): whether the item's mask was squashed.";
%feature("docstring") datasparse::Sparsifier::stepCount "The number of successful step() calls.";
%feature("docstring") datasparse::Sparsifier::setMaskUpdate "set_mask_update(enabled): whether step() updates the masks.";
%feature("docstring") datasparse::Sparsifier::getMaskUpdate "Whether step() updates the masks.";
%feature("docstring") datasparse::Sparsifier::names "The item names, in the order they were first added.";
%feature("docstring") datasparse::Sparsifier::rows "rows(name): the item's row count (1 for 1-D data).";
%feature("docstring") datasparse::Sparsifier::cols "cols(name): the item's column count.";
%feature("docstring") datasparse::DataScheduler::step
"Advances one epoch: computes every item's new value, checks them all, then applies them.
All-or-nothing: if the schedule raises or returns a bad value, nothing changes and the epoch
does not advance. Call it once per epoch, after the sparsifier's step().";
%feature("docstring") datasparse::DataScheduler::lastEpoch "The epoch of the last step.";
%feature("docstring") datasparse::DataScheduler::stepCount "The number of successful steps (the one at creation included).";
%feature("docstring") datasparse::DataScheduler::names "The items the scheduler tracks.";
%feature("docstring") datasparse::DataScheduler::scheduleParam "The scheduled config key.";
%feature("docstring") datasparse::DataScheduler::setVerbose
"set_verbose(verbose): each step logs every adjusted value (logger \"datasparse\", level INFO).";
%feature("docstring") datasparse::DataScheduler::saveToBytes "The scheduler's state as bytes (save the sparsifier's separately).";
%feature("docstring") datasparse::DataScheduler::loadFromBytes
"load_from_bytes(state): restores a state from save_to_bytes() (restore the sparsifier's first).";
%feature("docstring") datasparse::BuiltinSchedule::kind "\"gamma\", \"step\", \"lambda\", \"cubic\", \"polynomial_decay\" or \"constant\".";

/* ---------------------------------------------------------------- Python glue */

%feature("nothreadallow") _set_error_factory;
%feature("nothreadallow") datasparse::DataScheduler::DataScheduler;   /* converts a PyObject */
%rename("%s") _set_error_factory;   /* Python's own addition to the allow-list */
%inline %{
/* Called once by datasparse/__init__.py: _errors._from_status. */
void _set_error_factory(PyObject *error_factory) {
    Py_XINCREF(error_factory);
    Py_XDECREF(ds_py::error_factory);
    ds_py::error_factory = error_factory == Py_None ? (Py_XDECREF(error_factory), nullptr) : error_factory;
}
%}
%rename(_status_name) ds_status_string;

%extend datasparse::DataScheduler {
    /* The schedule is a Schedule (written in Python) or a BuiltinSchedule. */
    DataScheduler(datasparse::Sparsifier &sparsifier, const std::string &schedule_param, PyObject *schedule,
                  int64_t last_epoch = -1) {
        void *ptr = nullptr;
        if (SWIG_IsOK(SWIG_ConvertPtr(schedule, &ptr, SWIGTYPE_p_datasparse__Schedule, 0)) && ptr)
            return new datasparse::DataScheduler(sparsifier, schedule_param, *static_cast<datasparse::Schedule *>(ptr),
                                                 last_epoch);
        if (SWIG_IsOK(SWIG_ConvertPtr(schedule, &ptr, SWIGTYPE_p_datasparse__BuiltinSchedule, 0)) && ptr)
            return new datasparse::DataScheduler(sparsifier, schedule_param,
                                                 *static_cast<datasparse::BuiltinSchedule *>(ptr), last_epoch);
        throw datasparse::Error(DS_ERR_INVALID_ARGUMENT,
                                std::string("DS_ERR_INVALID_ARGUMENT: schedule must be a Schedule, a BuiltinSchedule "
                                            "or a callable(name, epoch, base, current), not ") +
                                    Py_TYPE(schedule)->tp_name);
    }
}

/* Tensors of any dtype, N-D shape and row stride (ds_sparsifier_add_data_ex and
 * friends), for the Python layer (datasparse/_data.py), which finds the memory
 * of a NumPy array or torch tensor (its address, dtype, shape and row stride),
 * keeps the object alive while registered, and copies what cannot be borrowed.
 * Addresses are plain integers here: these methods are private. */
%rename("%s") datasparse::Sparsifier::_add_data_ex;
%rename("%s") datasparse::Sparsifier::_add_shard_ex;
%rename("%s") datasparse::Sparsifier::_get_desc;
%rename("%s") datasparse::Sparsifier::_get_data_ex;
%rename("%s") datasparse::Sparsifier::_get_mask_at;
%rename("%s") datasparse::Sparsifier::_dtype_size;
%typemap(in) uintptr_t {
    $1 = static_cast<uintptr_t>(PyLong_AsUnsignedLongLong($input));
    if (PyErr_Occurred()) SWIG_fail;
}
%typemap(typecheck, precedence=SWIG_TYPECHECK_UINT64) uintptr_t { $1 = PyLong_Check($input) ? 1 : 0; }
%typemap(in) const std::vector<long long> & (std::vector<long long> values) {
    PyObject *seq = PySequence_Fast($input, "shape must be a sequence of int");
    if (!seq) SWIG_fail;
    for (Py_ssize_t i = 0, n = PySequence_Fast_GET_SIZE(seq); i < n; ++i) {
        long long v = PyLong_AsLongLong(PySequence_Fast_GET_ITEM(seq, i));
        if (v == -1 && PyErr_Occurred()) { Py_DECREF(seq); SWIG_fail; }
        values.push_back(v);
    }
    Py_DECREF(seq);
    $1 = &values;
}
%typemap(out) std::vector<long long> {
    const std::vector<long long> &values = $1;
    $result = PyTuple_New(static_cast<Py_ssize_t>(values.size()));
    if (!$result) SWIG_fail;
    for (size_t i = 0; i < values.size(); ++i)
        PyTuple_SET_ITEM($result, static_cast<Py_ssize_t>(i), PyLong_FromLongLong(values[i]));
}
/* Groups and shards: the public methods are datasparse/_data.py's (set_group,
 * groups, add_shard, get_shard, set_allreduce, last_exchange). */
%rename(_group_count) datasparse::Sparsifier::groupCount;
%rename(_group_names) datasparse::Sparsifier::groupNames;
%rename(_group_members) datasparse::Sparsifier::groupMembers;
%rename(_get_shard_global_rows) datasparse::Sparsifier::getShardGlobalRows;
%rename(_get_shard_first_row) datasparse::Sparsifier::getShardFirstRow;
%rename(_last_exchanges) datasparse::Sparsifier::lastExchanges;
%rename(_last_exchange_bytes) datasparse::Sparsifier::lastExchangeBytes;
/* The counts of an Allreduce's sum(), as a writable memoryview of uint64
 * (valid only during that call: datasparse/_data.py copies it). */
%rename("%s") datasparse::AllreduceCounts::_memory;
%feature("nothreadallow") datasparse::AllreduceCounts::_memory;   /* makes a PyObject */
%extend datasparse::AllreduceCounts {
    PyObject *_memory() {
        uint64_t *raw = $self->raw();
        return PyMemoryView_FromMemory(reinterpret_cast<char *>(raw),
                                       static_cast<Py_ssize_t>($self->size() * sizeof(uint64_t)), PyBUF_WRITE);
    }
}
%extend datasparse::Sparsifier {
    void _add_data_ex(const std::string &name, uintptr_t address, int dtype, const std::vector<long long> &shape,
                      int64_t row_stride, const datasparse::Config *config = nullptr, bool reuse_mask = false) {
        datasparse::detail::Call<datasparse::Sparsifier> call($self);  // the replacement warning runs the log handler
        if (shape.empty() || shape.size() > DS_MAX_DIMS)
            throw datasparse::Error(DS_ERR_INVALID_ARGUMENT, "data must have 1 to " + std::to_string(DS_MAX_DIMS) +
                                                                 " dimensions, got " + std::to_string(shape.size()));
        ds_tensor_desc desc = DS_TENSOR_DESC_INIT;
        desc.dtype = static_cast<ds_dtype>(dtype);
        desc.ndim = static_cast<int32_t>(shape.size());
        for (size_t i = 0; i < shape.size(); ++i) desc.shape[i] = shape[i];
        desc.row_stride = row_stride;
        datasparse::detail::check(ds_sparsifier_add_data_ex($self->h(), name.c_str(), reinterpret_cast<void *>(address),
                                                            &desc, config ? config->handle() : nullptr,
                                                            reuse_mask ? 1 : 0));
    }
    /* A shard (ds_sparsifier_add_shard): as _add_data_ex, shape[0] may be 0 (address may then be 0). */
    void _add_shard_ex(const std::string &name, uintptr_t address, int dtype, const std::vector<long long> &shape,
                       int64_t row_stride, int64_t global_rows, int64_t first_row,
                       const datasparse::Config *config = nullptr, bool reuse_mask = false) {
        datasparse::detail::Call<datasparse::Sparsifier> call($self);
        if (shape.size() < 2 || shape.size() > DS_MAX_DIMS)
            throw datasparse::Error(DS_ERR_INVALID_ARGUMENT, "a shard must have 2 to " + std::to_string(DS_MAX_DIMS) +
                                                                 " dimensions, got " + std::to_string(shape.size()));
        ds_tensor_desc desc = DS_TENSOR_DESC_INIT;
        desc.dtype = static_cast<ds_dtype>(dtype);
        desc.ndim = static_cast<int32_t>(shape.size());
        for (size_t i = 0; i < shape.size(); ++i) desc.shape[i] = shape[i];
        desc.row_stride = row_stride;
        datasparse::detail::check(ds_sparsifier_add_shard($self->h(), name.c_str(), reinterpret_cast<void *>(address),
                                                          &desc, global_rows, first_row,
                                                          config ? config->handle() : nullptr, reuse_mask ? 1 : 0));
    }
    /* (dtype, shape, row_stride) as registered. */
    std::vector<long long> _get_desc(const std::string &name) const {
        ds_tensor_desc desc = DS_TENSOR_DESC_INIT;
        datasparse::detail::check(ds_sparsifier_get_desc($self->h(), name.c_str(), &desc));
        std::vector<long long> out{static_cast<long long>(desc.dtype), static_cast<long long>(desc.row_stride)};
        out.insert(out.end(), desc.shape, desc.shape + desc.ndim);
        return out;
    }
    /* Copies the item's data (contiguous, its own dtype) to address (bytes long). */
    void _get_data_ex(const std::string &name, bool original, uintptr_t address, size_t bytes) const {
        datasparse::detail::check(
            ds_sparsifier_get_data_ex($self->h(), name.c_str(), original ? 1 : 0, reinterpret_cast<void *>(address), bytes));
    }
    /* Copies the item's mask (one byte per element) to address (count bytes long). */
    void _get_mask_at(const std::string &name, uintptr_t address, size_t count) const {
        datasparse::detail::check(
            ds_sparsifier_get_mask($self->h(), name.c_str(), reinterpret_cast<uint8_t *>(address), count));
    }
    static size_t _dtype_size(int dtype) { return ds_dtype_size(static_cast<ds_dtype>(dtype)); }
}
/* ---------------------------------------------------------------- Pythonic layer */

%pythonbegin %{
import os as _os

import numpy as _np
%}

%pythoncode %{
def _registry(sparsifier):
    """name -> (borrowed array or None, ndim) for a sparsifier's items; keeps borrowed arrays alive."""
    items = sparsifier.__dict__.get("_ds_items")
    if items is None:
        items = sparsifier.__dict__["_ds_items"] = {}
    return items


def _borrowable(data):
    """The float32 array behind `data`, to be borrowed zero-copy (no copy is ever made here)."""
    array = data
    if not isinstance(array, _np.ndarray):
        try:
            array = _np.asarray(data)
        except Exception:
            array = None
        # Only a view of the caller's memory will do (a CPU torch tensor, a memoryview, ...).
        if array is None or array.base is None:
            raise TypeError("data must be a NumPy float32 array (or expose its memory as one) to be borrowed "
                            "zero-copy, not %s; add_data_copy() copies any array-like" % type(data).__name__)
    if array.dtype != _np.float32:
        raise TypeError("data must have dtype float32 (native byte order), got %s; convert it with "
                        "numpy.ascontiguousarray(data, dtype=numpy.float32) or use add_data_copy()" % array.dtype)
    if array.ndim not in (1, 2):
        raise ValueError("data must be 1-D or 2-D, got %d dimensions (shape %s)" % (array.ndim, array.shape))
    if not array.flags.c_contiguous:
        raise ValueError("data must be C-contiguous (row-major) to be borrowed, got strides %s for shape %s; "
                         "use numpy.ascontiguousarray(data) or add_data_copy()" % (array.strides, array.shape))
    if not array.flags.writeable:
        raise ValueError("data must be writable: the sparsifier borrows it and squash_mask() writes into it; "
                         "use add_data_copy() for read-only data")
    if not array.flags.aligned:
        raise ValueError("data must be aligned for float32")
    return array


def _rows_cols(array):
    return (1, array.shape[0]) if array.ndim == 1 else (array.shape[0], array.shape[1])


def _with_values(config, values):
    """config (None, a Config or a dict) updated with keyword values."""
    if not values:
        return config
    merged = {} if config is None else dict(config.items())
    merged.update(values)
    return merged


def _check_initialized(obj, kind):
    if isinstance(obj, (Schedule, LambdaFactor, DataSparsifier)) and "this" not in obj.__dict__:
        raise TypeError("%s.__init__() did not call super().__init__(): a %s subclass must call it"
                        % (type(obj).__name__, kind))
%}

%feature("shadow") datasparse::Config::Config() %{
def __init__(self, values=None, **more):
    """A map from str to float (the config of a data item or a sparsifier's defaults).

    Config() is empty; Config({"sparsity_level": 0.5}) or Config(sparsity_level=0.5) fills it.
    It behaves like a dict: config[key], config[key] = v, del config[key], key in config,
    len(config), iteration over keys, items(), get(key, default), update(...)."""
    _datasparse.Config_swiginit(self, _datasparse.new_Config())
    if values is not None:
        self.update(values)
    if more:
        self.update(more)
%}

%extend datasparse::Config {
%pythoncode %{
    def get(self, key, default=None):
        """config[key] if key is present, else default."""
        return self._get(key) if self.contains(key) else default

    def __getitem__(self, key):
        return self._get(key)

    def __setitem__(self, key, value):
        self.set(key, value)

    def __delitem__(self, key):
        self.remove(key)

    def __contains__(self, key):
        return isinstance(key, str) and self.contains(key)

    def __len__(self):
        return self.size()

    def __iter__(self):
        return iter(self.keys())

    def items(self):
        return [(k, self._get(k)) for k in self.keys()]

    def values(self):
        return [self._get(k) for k in self.keys()]

    def update(self, values=(), **more):
        """Sets every key of a mapping (or an iterable of pairs) and of the keyword arguments."""
        pairs = values.items() if hasattr(values, "items") else values
        for k, v in pairs:
            self.set(k, v)
        for k, v in more.items():
            self.set(k, v)

    def to_dict(self):
        return dict(self.items())

    def close(self):
        """Releases the native config; later use raises StateError (closing twice does nothing)."""
        self._close()

    @property
    def closed(self):
        return self._is_closed()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def copy(self):
        return Config(self)

    __copy__ = copy

    def __eq__(self, other):
        if isinstance(other, Config):
            other = other.to_dict()
        return self.to_dict() == other if isinstance(other, dict) else NotImplemented

    __hash__ = None

    def __repr__(self):
        return "Config(closed)" if self._is_closed() else "Config(%r)" % self.to_dict()
%}
}

%extend datasparse::Sparsifier {
%pythoncode %{
    def add_data(self, name, data, config=None, reuse_mask=False, **values):
        """Registers `data` under `name`, borrowed zero-copy.

        data: a float32, C-contiguous, writable NumPy array, 2-D (rows, cols) or 1-D (one row);
        a CPU torch tensor or anything else viewable as such an array works too. The sparsifier
        reads it at every step() and squash_mask() writes into it; it stays referenced while
        registered. config (a dict or Config) and keyword values override the defaults for this
        item. An existing name is replaced (with a DatasparseWarning, as in PyTorch): its config
        is kept under the new values, and with reuse_mask=True its mask too (same shape needed).
        Returns data."""
        _check_initialized(self, "DataSparsifier")
        array = _borrowable(data)
        rows, cols = _rows_cols(array)
        self._add_data_borrowed(name, array, rows, cols, _with_values(config, values), reuse_mask)
        _registry(self)[name] = (array, array.ndim)
        return data

    def add_data_copy(self, name, data, config=None, reuse_mask=False, **values):
        """Like add_data, but registers a copy (any array-like of numbers, 1-D or 2-D):
        later changes to data are not seen, and squash_mask() does not write into it."""
        _check_initialized(self, "DataSparsifier")
        array = _np.ascontiguousarray(data, dtype=_np.float32)
        if array.ndim not in (1, 2):
            raise ValueError("data must be 1-D or 2-D, got %d dimensions (shape %s)" % (array.ndim, array.shape))
        rows, cols = _rows_cols(array)
        self._add_data_copy(name, array, rows, cols, _with_values(config, values), reuse_mask)
        _registry(self)[name] = (None, array.ndim)

    def remove_data(self, name):
        """Removes an item (its mask and config); the caller's array is left as it is."""
        self._remove_data(name)
        _registry(self).pop(name, None)

    def _user_shape(self, name, rows, cols):
        entry = _registry(self).get(name)
        return (cols,) if entry is not None and entry[1] == 1 else (rows, cols)

    def shape(self, name):
        """The item's shape as added: (rows, cols), or (n,) for 1-D data."""
        return self._user_shape(name, self.rows(name), self.cols(name))

    def get_mask(self, name):
        """A copy of the item's mask: a uint8 array (1 = keep, 0 = zeroed) of the data's shape."""
        rows, cols = self.rows(name), self.cols(name)
        out = _np.empty((rows, cols), dtype=_np.uint8)
        self._get_mask_into(name, out)
        return out.reshape(self._user_shape(name, rows, cols))

    def get_data(self, name, original=False):
        """A float32 copy of the item's data: data * mask, or with original=True the data as the
        caller holds it (not available after squash_mask())."""
        rows, cols = self.rows(name), self.cols(name)
        out = _np.empty((rows, cols), dtype=_np.float32)
        self._get_data_into(name, original, out)
        return out.reshape(self._user_shape(name, rows, cols))

    def squash_mask(self, names=None, leave_parametrized=True):
        """Drops the masks of the named items (a name, a list of names, or None for all).
        leave_parametrized=True first applies each mask to the caller's array (data *= mask)."""
        if names is None:
            self._squash_all(leave_parametrized)
        else:
            self._squash_mask([names] if isinstance(names, str) else list(names), leave_parametrized)

    def save(self, path, with_data=False):
        """Saves the state (configs, masks, step count; with_data=True also the data) to a file, atomically."""
        self._save(_os.fspath(path), with_data)

    def load(self, path, strict=True):
        """Loads a state saved by save(); the same items must be registered."""
        self._load(_os.fspath(path), strict)

    def save_to_bytes(self, with_data=False):
        """The state as bytes (see save())."""
        return self._save_to_bytes(with_data)

    def load_from_bytes(self, state, strict=True):
        """Loads a state made by save_to_bytes() (any bytes-like object)."""
        self._load_from_bytes(state, strict)

    def close(self):
        """Releases the native sparsifier and the arrays it borrowed; later calls raise StateError.
        From inside one of its own callbacks (update_mask), the call that ran it raises StateError
        and the release waits until it returns."""
        busy = not self._is_closed() and self._in_call()
        self._close()
        if not busy:
            _registry(self).clear()

    @property
    def closed(self):
        return self._is_closed()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __len__(self):
        return self.size()

    def __contains__(self, name):
        return isinstance(name, str) and not self._is_closed() and self.contains(name)

    def __iter__(self):
        return iter(self.names())

    def __repr__(self):
        if self._is_closed():
            return "<%s (closed)>" % type(self).__name__
        return "<%s items=%r>" % (type(self).__name__, self.names())
%}
}

%feature("shadow") datasparse::DataNormSparsifier::DataNormSparsifier %{
def __init__(self, norm="L1", defaults=None, **values):
    """DataNormSparsifier(norm="L1", defaults=None, **values): PyTorch's DataNormSparsifier.

    norm: "L1", "L2" or a Norm (block score: mean |x| or mean x*x). defaults (a dict or
    Config) and keyword values override the built-in defaults: sparsity_level (0.5),
    block_rows (1), block_cols (4), zeros_per_block (block_rows * block_cols)."""
    _datasparse.DataNormSparsifier_swiginit(
        self, _datasparse.new_DataNormSparsifier(norm, _with_values(defaults, values)))
%}

%feature("shadow") datasparse::DataSparsifier::DataSparsifier %{
def __init__(self, defaults=None, **values):
    """DataSparsifier(defaults=None, **values): a sparsifier whose masks update_mask() computes.

    Subclass it, call super().__init__(...) and override update_mask(). defaults (a dict or
    Config) and keyword values are every item's config unless add_data overrides them."""
    if type(self) is DataSparsifier:
        raise TypeError("DataSparsifier is abstract: subclass it and override update_mask()")
    _datasparse.DataSparsifier_swiginit(self, _datasparse.new_DataSparsifier(self, _with_values(defaults, values)))
%}

%feature("shadow") datasparse::Schedule::Schedule %{
def __init__(self):
    """Subclass Schedule, call super().__init__() and override compute(name, epoch, base, current)."""
    if type(self) is Schedule:
        raise TypeError("Schedule is abstract: subclass it and override compute(name, epoch, base, current)")
    _datasparse.Schedule_swiginit(self, _datasparse.new_Schedule(self))
%}

%feature("shadow") datasparse::LambdaFactor::LambdaFactor %{
def __init__(self):
    """Subclass LambdaFactor, call super().__init__() and override factor(epoch)."""
    if type(self) is LambdaFactor:
        raise TypeError("LambdaFactor is abstract: subclass it and override factor(epoch)")
    _datasparse.LambdaFactor_swiginit(self, _datasparse.new_LambdaFactor(self))
%}

%extend datasparse::DataNormSparsifier {
%pythoncode %{
    __repr__ = Sparsifier.__repr__
%}
}

%feature("shadow") datasparse::DataSparsifier::updateMask %{
def _update_mask_views(self, name, data_view, config, mask_view):
    # Called by the native step() for each item: views are valid only during this call,
    # so the user's update_mask gets arrays and a dict.
    rows, cols = data_view.rows(), data_view.cols()
    shape = self._user_shape(name, rows, cols)
    entry = _registry(self).get(name)
    if entry is not None and entry[0] is not None and entry[0].size == rows * cols:
        data = entry[0].view()            # the borrowed array itself: no copy
    else:
        data = _np.empty(rows * cols, dtype=_np.float32)
        data_view.copy_to(data)
    data.flags.writeable = False
    data = data.reshape(shape)
    mask = _np.empty(rows * cols, dtype=_np.uint8)
    mask_view.copy_to(mask)
    mask = mask.reshape(shape)
    result = self.update_mask(name, data, config.to_dict(), mask)
    if result is not None:
        mask = _np.asarray(result)
    if mask.size != rows * cols:
        raise ValueError("update_mask for '%s' returned a mask of %d elements, expected %d"
                         % (name, mask.size, rows * cols))
    mask_view.copy_from(_np.ascontiguousarray(mask, dtype=_np.uint8).reshape(-1))
%}

%extend datasparse::DataSparsifier {
%pythoncode %{
    __repr__ = Sparsifier.__repr__

    def update_mask(self, name, data, config, mask):
        """Override: computes the mask of item `name`.

        data: the item's data (read-only float32 array of its shape); config: its merged config
        (a dict); mask: its current mask (uint8 array of the same shape, 1 = keep, 0 = zero),
        to modify in place, or return a new 0/1 array of that shape. Raising an exception fails
        step() (a CallbackError caused by it) and no mask changes."""
        raise NotImplementedError("%s must override update_mask(self, name, data, config, mask)"
                                  % type(self).__name__)
%}
}

%extend datasparse::Schedule {
%pythoncode %{
    def compute(self, name, epoch, base, current):
        """Override: the new value of item `name` at `epoch` (0, 1, ...) from its base value (at the
        scheduler's creation) and its current value. Raising an exception fails the scheduler's
        step() (a CallbackError caused by it) and nothing changes."""
        raise NotImplementedError("%s must override compute(self, name, epoch, base, current)"
                                  % type(self).__name__)

    def __repr__(self):
        return "<%s>" % type(self).__name__
%}
}

%extend datasparse::LambdaFactor {
%pythoncode %{
    def factor(self, epoch):
        """Override: the factor of BuiltinSchedule.lambda_ at `epoch` (value = base * factor)."""
        raise NotImplementedError("%s must override factor(self, epoch)" % type(self).__name__)
%}
}

%extend datasparse::BuiltinSchedule {
%pythoncode %{
    class _FunctionFactor(LambdaFactor):
        """A plain callable f(epoch) as a LambdaFactor."""

        def __init__(self, function):
            LambdaFactor.__init__(self)
            self.function = function

        def factor(self, epoch):
            return self.function(epoch)

    @staticmethod
    def gamma(gamma, threshold):
        """Epoch 0: the base value; then min(threshold, current * gamma)."""
        return BuiltinSchedule._gamma(gamma, threshold)

    @staticmethod
    def step(step_size, gamma):
        """base * gamma ** (epoch // step_size) (PyTorch's StepLR)."""
        return BuiltinSchedule._step(step_size, gamma)

    @staticmethod
    def lambda_(factor):
        """base * factor(epoch): factor is a LambdaFactor or a callable(epoch) -> float.
        The schedule keeps it alive."""
        if not isinstance(factor, LambdaFactor):
            if not callable(factor):
                raise TypeError("factor must be a LambdaFactor or a callable(epoch), not %s"
                                % type(factor).__name__)
            factor = BuiltinSchedule._FunctionFactor(factor)
        _check_initialized(factor, "LambdaFactor")
        schedule = BuiltinSchedule._lambda(factor)
        schedule._factor = factor
        return schedule

    @staticmethod
    def cubic(init_value=0.0, init_t=0, delta_t=10, total_t=100, initially_zero=False):
        """Zhu & Gupta's cubic schedule from init_value to the base value (PyTorch's CubicSL)."""
        return BuiltinSchedule._cubic(init_value, init_t, delta_t, total_t, initially_zero)

    @staticmethod
    def polynomial_decay(initial, final, begin_step, end_step, power=3.0, frequency=1):
        """TF Model Optimization's PolynomialDecay."""
        return BuiltinSchedule._polynomial_decay(initial, final, begin_step, end_step, power, frequency)

    @staticmethod
    def constant(value, begin_step=0, end_step=-1, frequency=1):
        """TF Model Optimization's ConstantSparsity."""
        return BuiltinSchedule._constant(value, begin_step, end_step, frequency)

    def close(self):
        """Releases the native schedule (schedulers made from it keep their copy); later use
        raises StateError."""
        self._close()

    @property
    def closed(self):
        return self._is_closed()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __repr__(self):
        return "<BuiltinSchedule (closed)>" if self._is_closed() else "<BuiltinSchedule %s>" % self.kind()
%}
}


%extend datasparse::DataScheduler {
%pythoncode %{
    # Replaces the generated __init__ (defined above it in the class body).
    def __init__(self, sparsifier, schedule_param, schedule, last_epoch=-1):
        """DataScheduler(sparsifier, schedule_param, schedule, last_epoch=-1)

        Varies the config key schedule_param (e.g. "sparsity_level") of every item of sparsifier
        over training, and performs its first step (epoch last_epoch + 1). schedule: a Schedule
        subclass instance, a BuiltinSchedule, or a callable(name, epoch, base, current) -> float.
        The scheduler keeps the sparsifier and the schedule alive. Call step() once per epoch,
        after the sparsifier's step()."""
        _check_initialized(sparsifier, "DataSparsifier")
        schedule = DataScheduler._as_schedule(schedule)
        _datasparse.DataScheduler_swiginit(self, _datasparse.new_DataScheduler(sparsifier, schedule_param, schedule,
                                                                              last_epoch))
        self._ds_keep = (sparsifier, schedule)   # both must outlive the native scheduler

    class _FunctionSchedule(Schedule):
        """A plain callable(name, epoch, base, current) as a Schedule."""

        def __init__(self, function):
            Schedule.__init__(self)
            self.function = function

        def compute(self, name, epoch, base, current):
            return self.function(name, epoch, base, current)

    @staticmethod
    def _as_schedule(schedule):
        if not isinstance(schedule, (Schedule, BuiltinSchedule)) and callable(schedule):
            return DataScheduler._FunctionSchedule(schedule)
        _check_initialized(schedule, "Schedule")
        return schedule

    @property
    def sparsifier(self):
        """The sparsifier this scheduler drives."""
        keep = self.__dict__.get("_ds_keep")
        return keep[0] if keep else None

    @property
    def schedule(self):
        keep = self.__dict__.get("_ds_keep")
        return keep[1] if keep else None

    def get_last_param(self, name=None):
        """The value the last step set for item `name`; with no name, a dict over the items."""
        if name is not None:
            return self._get_last_param(name)
        out = {}
        for n in self.names():
            try:
                out[n] = self._get_last_param(n)
            except KeyError:
                pass
        return out

    def get_base_param(self, name=None):
        """The base value of item `name`; with no name, a dict over the items."""
        if name is not None:
            return self._get_base_param(name)
        return {n: self._get_base_param(n) for n in self.names()}

    def save(self, path):
        self._save(_os.fspath(path))

    def load(self, path):
        self._load(_os.fspath(path))

    def close(self):
        """Releases the native scheduler (not the sparsifier)."""
        self._close()
        self.__dict__.pop("_ds_keep", None)

    @property
    def closed(self):
        return self._is_closed()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __repr__(self):
        if self._is_closed():
            return "<DataScheduler (closed)>"
        return "<DataScheduler %r epoch=%d schedule=%r>" % (self.schedule_param(), self.last_epoch(), self.schedule)
%}
}
