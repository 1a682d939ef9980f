/* Python hooks of the shared policy in ../swig/datasparse.i: names, how a
 * failure is raised (datasparse/_errors.py picks the exception class for the
 * status), and how an exception raised in a Python callback is kept. */

/* Names: snake_case methods; enum constants lose their prefix
 * (DS_ERR_NOT_FOUND -> NOT_FOUND, DS_NORM_L1 -> L1). */
%define DS_METHOD_NAME "%(undercase)s" %enddef
%define DS_ENUM_ITEMS
%rename("%(regex:/^DS_(?:ERR_|NORM_|LOG_)?(.*)$/\\1/)s", %$isenumitem,
        regexmatch$name="^DS_(OK$|ERR_|NORM_|LOG_)", notregexmatch$name="_MAX_ENUM$") "";
%enddef

%define DS_RAISE(FAILURE) ds_py::raise(FAILURE) %enddef
%define DS_FAIL SWIG_fail %enddef

%{
#include <cstring>
#include <string>

namespace ds_py {

/* A Python callback failed: its exception is kept in pending_exception, and
 * the callback fails (DS_ERR_CALLBACK) with its description. */
struct CallbackFailed : datasparse::Error {
    explicit CallbackFailed(const std::string &what) : datasparse::Error(DS_ERR_CALLBACK, what) {}
};

static PyObject *error_factory = nullptr;   /* _errors._from_status(status, message) */
static thread_local PyObject *pending_exception = nullptr;  /* raised by a callback */

/* "TypeName: message" of an exception instance. GIL held. */
static std::string describe(PyObject *exc) {
    std::string out = Py_TYPE(exc)->tp_name;
    if (PyObject *s = PyObject_Str(exc)) {
        Py_ssize_t n = 0;
        if (const char *text = PyUnicode_AsUTF8AndSize(s, &n)) {
            if (n > 0) out += std::string(": ") + std::string(text, static_cast<size_t>(n));
        }
        Py_DECREF(s);
    }
    PyErr_Clear();
    return out;
}

/* Takes the exception a Python callback raised (the error indicator) and keeps
 * it for the caller of the failed datasparse call; returns its description. */
static std::string keep_callback_exception(const char *context) {
    PyObject *type = nullptr, *value = nullptr, *tb = nullptr;
    PyErr_Fetch(&type, &value, &tb);
    if (!type) return std::string(context) + " failed";
    PyErr_NormalizeException(&type, &value, &tb);
    if (tb && value) PyException_SetTraceback(value, tb);
    std::string text = value ? describe(value) : std::string("unknown Python exception");
    Py_XDECREF(type);
    Py_XDECREF(tb);
    Py_XDECREF(pending_exception);
    pending_exception = value;   /* owned */
    return text;
}

static PyObject *decode(const char *text) {
    return PyUnicode_DecodeUTF8(text, static_cast<Py_ssize_t>(std::strlen(text)), "replace");
}

/* Sets the Python exception for a failed call (GIL held). A callback's
 * exception becomes the __cause__ (raise ... from original). */
static void raise_error(int status, const char *message) {
    PyObject *cause = pending_exception;
    pending_exception = nullptr;
    if (PyErr_Occurred()) {   /* e.g. a director's return-value conversion */
        PyObject *type, *value, *tb;
        PyErr_Fetch(&type, &value, &tb);
        PyErr_NormalizeException(&type, &value, &tb);
        if (tb && value) PyException_SetTraceback(value, tb);
        Py_XDECREF(type);
        Py_XDECREF(tb);
        if (!cause) cause = value; else Py_XDECREF(value);
    }
    PyObject *exc = nullptr;
    if (error_factory) {
        exc = PyObject_CallFunction(error_factory, "iN", status, decode(message));
        if (!exc) PyErr_Clear();
    }
    if (!exc) {
        PyObject *cls = status == DS_ERR_NO_MEMORY ? PyExc_MemoryError : PyExc_RuntimeError;
        exc = PyObject_CallFunction(cls, "N", decode(message));
        if (!exc) { Py_XDECREF(cause); return; }   /* an error is set */
    }
    if (cause) PyException_SetCause(exc, cause);   /* steals cause */
    PyErr_SetObject(reinterpret_cast<PyObject *>(Py_TYPE(exc)), exc);
    Py_DECREF(exc);
}

/* The exception of a failed call (the GIL is held: -threads releases it
 * only around the wrapped call itself). A closed handle is a StateError. */
static void raise(const ds_binding::Failure &failure) {
    raise_error(failure.status, failure.message.c_str());
}

}  // namespace ds_py
%}

/* A Python exception in a callback (a director method): keep it, report its
 * text to the C++ trampoline (which hands it to ds_set_callback_error). */
%feature("director:except") {
    if ($error != NULL) {
        throw ds_py::CallbackFailed(ds_py::keep_callback_exception("$symname"));
    }
}

/* The log handler: what it raises is reported as unraisable and dropped
 * (it must not fail the call that logged). */
%feature("director:except") datasparse::LogHandler::log {
    if ($error != NULL) {
        PyErr_WriteUnraisable(swig_get_self());
    }
}
