"""datasparse: PyTorch's data sparsifier and data scheduler, natively.

    import numpy as np
    import datasparse as ds

    weights = np.random.default_rng(0).standard_normal((64, 64), dtype=np.float32)
    with ds.DataNormSparsifier(sparsity_level=0.5, sparse_block_shape=(1, 4), norm="L2") as sparsifier:
        sparsifier.add_data("layer1", weights)     # borrowed zero-copy
        sparsifier.step()
        mask = sparsifier.get_mask("layer1")       # uint8 array, 1 = keep
        sparsifier.squash_mask()                   # weights *= mask, in place

PyTorch's API (torch.ao.pruning._experimental.data_sparsifier / data_scheduler):
DataNormSparsifier, BaseDataSparsifier (override update_mask(name, data, **config)),
BaseDataScheduler (override get_schedule_param()); torch tensors, nn.Parameter and
nn.Embedding(Bag) as data (see datasparse._data). Also: DataSparsifier (override
update_mask(name, data, config, mask) on NumPy arrays), DataScheduler with a
Schedule (override compute), BuiltinSchedule, LambdaFactor, Config. Errors are
DatasparseError subclasses that are also the fitting built-in exceptions; the
library's warnings are DatasparseWarning warnings, its other messages go to the
"datasparse" logger.
"""
import atexit
import enum
import logging
import sys
import warnings

from . import _swig
from ._errors import (CallbackError, CorruptError, DatasparseError, DatasparseWarning, FileError, InternalError,
                      InvalidArgumentError, NoMemoryError, NotFoundError, ShapeError, StateError, Status,
                      UnsupportedError, _from_status)
from ._swig import BuiltinSchedule, Config, DataScheduler, LambdaFactor, Schedule, Sparsifier
from . import _data
from ._data import BaseDataScheduler, BaseDataSparsifier, DataNormSparsifier, DataSparsifier, torch_allreduce


class Norm(enum.IntEnum):
    """The block score of DataNormSparsifier: mean |x| (L1) or mean x*x (L2)."""
    L1 = _swig.L1
    L2 = _swig.L2


__version__ = _swig.version()
version = _swig.version

_logger = logging.getLogger("datasparse")


def _on_log(level, message):
    """The library's log handler: warnings become DatasparseWarning, the rest go to logging."""
    if level >= 2:
        if _data._quiet[0]:   # an internal re-registration (a torch tensor given new memory)
            return
        # Attribute the warning to the first caller outside this package.
        frame, stacklevel = sys._getframe(1), 2
        while frame is not None and (frame.f_globals.get("__name__") or "").partition(".")[0] == __name__:
            frame, stacklevel = frame.f_back, stacklevel + 1
        warnings.warn(message, DatasparseWarning, stacklevel=stacklevel)
    else:
        _logger.log(logging.INFO if level >= 1 else logging.DEBUG, message)


class _LogBridge(_swig.LogHandler):
    """The library's log handler (the shared LogHandler, subclassed in Python)."""

    def log(self, level, message):
        _on_log(level, message)


_swig._set_error_factory(_from_status)
_log_bridge = _LogBridge()   # installed for good: the native side calls it at any time
_swig.LogHandler.install(_log_bridge)
# No Python log handler once the interpreter shuts down.
atexit.register(_swig.LogHandler.install, None)

__all__ = [
    "BaseDataScheduler", "BaseDataSparsifier", "BuiltinSchedule", "CallbackError", "Config", "CorruptError", "DataNormSparsifier", "DataScheduler",
    "DataSparsifier", "DatasparseError", "DatasparseWarning", "FileError", "InternalError", "InvalidArgumentError",
    "LambdaFactor", "NoMemoryError", "Norm", "NotFoundError", "Schedule", "ShapeError", "Sparsifier", "StateError",
    "Status", "UnsupportedError", "torch_allreduce", "version",
]
