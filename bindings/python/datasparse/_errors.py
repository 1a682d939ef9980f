"""Exceptions of datasparse: one class per status of the C API.

Every class derives from DatasparseError (which carries .status and
.status_name) and from the built-in exception that fits, so callers can
catch either: NotFoundError is a KeyError, InvalidArgumentError a ValueError,
FileError an OSError, and so on.
"""
import enum

from . import _swig

__all__ = [
    "Status", "DatasparseError", "InvalidArgumentError", "NotFoundError", "ShapeError", "StateError",
    "CallbackError", "CorruptError", "FileError", "NoMemoryError", "UnsupportedError", "InternalError",
    "DatasparseWarning",
]


def _statuses():
    """name -> value of every ds_status, from the library (its names are the header's)."""
    out = {}
    for value in range(256):
        c_name = _swig._status_name(value)
        if c_name != "DS_UNKNOWN_STATUS":
            out[c_name[len("DS_ERR_"):] if c_name.startswith("DS_ERR_") else c_name[len("DS_"):]] = value
    return out


Status = enum.IntEnum("Status", _statuses(), module=__name__)
Status.__doc__ = "ds_status of the C API (names and values from datasparse.h)."


class DatasparseError(Exception):
    """A failed datasparse call: .status (a Status), .status_name ("DS_ERR_SHAPE") and the
    library's message (ds_last_error()). An error from a Python callback has the callback's
    exception as __cause__."""

    status = Status.INTERNAL

    def __init__(self, message="", status=None):
        super().__init__(message)
        if status is not None:
            try:
                self.status = Status(status)
            except ValueError:
                self.status = status
        self.message = message

    @property
    def status_name(self):
        """The C name of the status, as ds_status_string() gives it."""
        if not isinstance(self.status, Status):
            return "DS_UNKNOWN_STATUS"
        return "DS_OK" if self.status == Status.OK else "DS_ERR_" + self.status.name

    def __str__(self):
        return self.message


class InvalidArgumentError(DatasparseError, ValueError):
    status = Status.INVALID_ARGUMENT


class NotFoundError(DatasparseError, KeyError, ValueError):
    """No such item or key: a KeyError, and the ValueError PyTorch's data sparsifier raises."""
    status = Status.NOT_FOUND


class ShapeError(DatasparseError, ValueError):
    status = Status.SHAPE


class StateError(DatasparseError, RuntimeError):
    status = Status.STATE


class CallbackError(DatasparseError, RuntimeError):
    status = Status.CALLBACK


class CorruptError(DatasparseError, ValueError):
    status = Status.CORRUPT


class FileError(DatasparseError, OSError):
    status = Status.IO


class NoMemoryError(DatasparseError, MemoryError):
    status = Status.NO_MEMORY


class UnsupportedError(DatasparseError, NotImplementedError):
    status = Status.UNSUPPORTED


class InternalError(DatasparseError, RuntimeError):
    status = Status.INTERNAL


class DatasparseWarning(UserWarning):
    """A warning of the library (e.g. data replaced under an existing name)."""


_BY_STATUS = {cls.status: cls for cls in (
    InvalidArgumentError, NotFoundError, ShapeError, StateError, CallbackError, CorruptError, FileError,
    NoMemoryError, UnsupportedError, InternalError)}


def _from_status(status, message):
    """The exception for a failed call (called by the native module): its text is
    "DS_ERR_...: message", the library's message behind the status name."""
    cls = _BY_STATUS.get(status, InternalError)
    return cls("%s: %s" % (_swig._status_name(status), message), status)
