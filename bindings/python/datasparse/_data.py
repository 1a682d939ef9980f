"""PyTorch's data sparsifier and data scheduler API over the native classes.

The classes here are what `datasparse` exports: DataNormSparsifier,
BaseDataSparsifier and BaseDataScheduler have the constructors, methods,
defaults, views (data_groups, state, defaults) and state dicts of
torch.ao.pruning._experimental.data_sparsifier / data_scheduler (shipped in
PyTorch 1.13 as torch.ao.sparsity._experimental), so that moving code to
datasparse is a change of import. DataSparsifier keeps the NumPy-native
callback (update_mask(name, data, config, mask)).

Data: a NumPy array, a torch.Tensor, an nn.Parameter or an nn.Embedding /
nn.EmbeddingBag (its weight), of float32, float64, float16 (and, for torch,
bfloat16), of any number of dimensions (d0, ..., dk is the matrix
(d0*...*d(k-1)) x dk), is borrowed without a copy when its memory allows it:
a contiguous last dimension and rows at a fixed distance (a column slice
a[:, 2:10] is borrowed). Anything else is copied with a DatasparseWarning;
the copy is refreshed from your data at every step() and written back into
it by squash_mask(). torch is never imported here: a torch object can only
reach us from a program that imported it.
"""
import collections.abc as _abc
import copy as _copy
import numbers as _numbers
import sys as _sys
import warnings as _warnings

import numpy as _np

from . import _state
from . import _swig
from ._errors import DatasparseWarning, InvalidArgumentError, NotFoundError, StateError

__all__ = ["DataNormSparsifier", "BaseDataSparsifier", "DataSparsifier", "BaseDataScheduler"]

# ds_dtype values (datasparse.h).
F32, F64, F16, BF16 = 0, 1, 2, 3
_NUMPY_DTYPES = {_np.dtype(_np.float32): F32, _np.dtype(_np.float64): F64, _np.dtype(_np.float16): F16}
_DTYPE_NAMES = {F32: "float32", F64: "float64", F16: "float16", BF16: "bfloat16"}
# Config keys of the norm sparsifier that are integers (returned as int).
_INT_KEYS = ("block_rows", "block_cols", "zeros_per_block")
_quiet = [0]   # > 0: the library's warnings are dropped (internal re-registrations); see __init__._on_log


def _torch():
    """The torch module if the program imported it, else None (torch is never imported here)."""
    return _sys.modules.get("torch")


def _is_tensor(obj):
    torch = _torch()
    return torch is not None and isinstance(obj, torch.Tensor)


def _is_embedding(obj):
    torch = _torch()
    return torch is not None and isinstance(obj, (torch.nn.Embedding, torch.nn.EmbeddingBag))


def _torch_dtypes(torch):
    return {torch.float32: F32, torch.float64: F64, torch.float16: F16, torch.bfloat16: BF16}


def _warn(message):
    _warnings.warn(message, DatasparseWarning, stacklevel=4)


def _matrix_stride(shape, strides, itemsize):
    """The row stride (elements) of the matrix (d0*...*d(k-1)) x dk over memory with these strides
    (bytes), 0 when contiguous; None when it is not such a matrix (a non-unit last stride, outer
    dimensions that are not evenly spaced, negative strides)."""
    ndim = len(shape)
    dims = [(n, s) for n, s in zip(shape, strides)]
    last_n, last_s = dims[-1]
    if last_n > 1 and last_s != itemsize:
        return None
    if ndim == 1:
        return 0
    outer = [(n, s) for n, s in dims[:-1] if n > 1]
    if not outer:
        return 0
    for (n0, s0), (n1, s1) in zip(outer, outer[1:]):
        if s0 != s1 * n1:
            return None
    row_bytes = outer[-1][1]
    if row_bytes <= 0 or row_bytes % itemsize:
        return None
    stride = row_bytes // itemsize
    if stride < shape[-1]:
        return None
    return 0 if stride == shape[-1] else stride


class _Entry:
    """One registered item: what the user gave, what the core reads, and its state."""

    def __init__(self, source, obj, kind):
        self.source = source      # what add_data was given (a module, a tensor, an array)
        self.obj = obj            # get_data(name): the user's tensor or array (an embedding's weight)
        self.kind = kind          # "torch" or "numpy"
        self.held = None          # the memory the core reads: a view of obj, or our copy
        self.copied = False
        self.key = None           # (address, shape, strides, dtype) of obj when registered
        self.dtype = F32
        self.shape = ()
        self.user_state = {}      # state[name] without 'mask' (PyTorch's per-item state)
        self.extras = {}          # config values that are not numbers (kept here, not in the core)
        self.working_mask = None  # the mask update_mask is editing (during a step)
        self.shard = None         # (global_rows, first_row) of a shard (add_shard)


def _describe(obj, kind, need_f32_contiguous, shard=False):
    """(address, dtype, shape, row_stride, held) for borrowing obj, or (None, reason). A shard
    may have no rows (shape[0] == 0)."""
    if kind == "torch":
        torch = _torch()
        t = obj.detach()   # shares the storage, survives `obj.data = ...`
        if t.layout != torch.strided:
            return None, "its layout is %s" % t.layout
        if t.device.type != "cpu":
            return None, "it is on %s (the library reads CPU memory)" % t.device
        dtype = _torch_dtypes(torch).get(t.dtype)
        if dtype is None:
            return None, "its dtype %s is not one of float32, float64, float16, bfloat16" % t.dtype
        itemsize = t.element_size()
        shape = tuple(t.shape)
        strides = tuple(s * itemsize for s in t.stride())
        address = t.data_ptr()
        writable = True
    else:
        a = obj
        dtype = _NUMPY_DTYPES.get(a.dtype) if a.dtype.isnative else None
        if dtype is None:
            return None, "its dtype %s is not one of float32, float64, float16 (native byte order)" % a.dtype
        if not a.flags.writeable:
            return None, "it is read-only (squash_mask() writes into it)"
        if not a.flags.aligned:
            return None, "it is not aligned"
        itemsize, shape, strides = a.itemsize, a.shape, a.strides
        address = a.__array_interface__["data"][0]
        t = a
    if len(shape) == 0:
        raise ValueError("data must have at least 1 dimension, got a scalar")
    if shard and len(shape) < 2:
        raise ValueError("a shard must have at least 2 dimensions, got shape %s" % (tuple(shape),))
    if any(n == 0 for n in (shape[1:] if shard else shape)):
        raise ValueError("data must not be empty, got shape %s" % (tuple(shape),))
    if shape[0] == 0:   # a shard without rows: nothing is read
        return (address, dtype, tuple(shape), 0, t), None
    row_stride = _matrix_stride(shape, strides, itemsize)
    if row_stride is None:
        return None, "its strides %s (bytes) for shape %s are not those of rows of a matrix" % (
            tuple(strides), tuple(shape))
    if need_f32_contiguous and (dtype != F32 or row_stride != 0):
        return None, ("a custom sparsifier's update_mask reads contiguous float32 data, and this is %s%s"
                      % (_DTYPE_NAMES[dtype], "" if row_stride == 0 else " with a row stride"))
    return (address, dtype, tuple(shape), row_stride, t), None


def _copy_of(obj, kind, need_f32):
    """A contiguous copy the core can read (float32 unless the dtype is one it reads)."""
    if kind == "torch":
        torch = _torch()
        t = obj.detach()
        dtype = t.dtype if (t.dtype in _torch_dtypes(torch) and not need_f32) else torch.float32
        return t.to(device="cpu", dtype=dtype, copy=True).contiguous()
    a = _np.asarray(obj)
    dtype = a.dtype.newbyteorder("=") if (a.dtype.kind == "f" and a.dtype.itemsize in (2, 4, 8)
                                          and not need_f32) else _np.float32
    return _np.array(a, dtype=dtype, order="C", copy=True)


def _key_of(obj, kind):
    if kind == "torch":
        return (obj.data_ptr(), tuple(obj.shape), tuple(obj.stride()), obj.dtype, obj.device)
    return None   # a NumPy array cannot change its memory while we hold a view of it


def _to_number(key, value):
    if isinstance(value, bool) or isinstance(value, _numbers.Real) or isinstance(value, _np.number):
        return float(value)
    if _is_tensor(value) and value.numel() == 1:
        return float(value.item())
    return None


def _native_config(sparsifier, config, extras):
    """Splits a PyTorch config into the core's numbers (sparse_block_shape -> block_rows and
    block_cols) and the other values (kept in Python); None values are left out."""
    native = {}
    for key, value in config.items():
        if not isinstance(key, str):
            raise TypeError("config keys must be str, not %s" % type(key).__name__)
        if value is None:
            continue
        if key in ("mask", "parametrization"):
            raise ValueError("config key %r is not supported by datasparse (masks start all ones and are "
                             "computed by step(); got %r)" % (key, type(value).__name__))
        if key == "sparse_block_shape" and sparsifier._norm_keys:
            try:
                rows, cols = value
                rows, cols = _np.int64(rows), _np.int64(cols)
            except Exception:
                raise ValueError("sparse_block_shape must be a pair of integers (rows, cols), got %r" % (value,))
            native["block_rows"], native["block_cols"] = float(rows), float(cols)
            continue
        number = _to_number(key, value)
        if number is None and sparsifier._norm_keys and key in ("sparsity_level",) + _INT_KEYS:
            raise TypeError("config value of %r must be a number, not %s" % (key, type(value).__name__))
        if number is None:
            extras[key] = value
        else:
            extras.pop(key, None)
            native[key] = number
    return native


class _ItemConfig(_abc.MutableMapping):
    """data_groups[name]: the item's config as PyTorch shows it (sparse_block_shape for
    block_rows/block_cols, zeros_per_block as in effect), read from and written to the library."""

    __slots__ = ("_sparsifier", "_name")

    def __init__(self, sparsifier, name):
        self._sparsifier, self._name = sparsifier, name

    def _native(self):
        return self._sparsifier.get_config(self._name).to_dict()

    def _view(self):
        sp = self._sparsifier
        native = self._native()
        out = {}
        for key, value in native.items():
            out[key] = int(value) if (sp._norm_keys and key in _INT_KEYS and value == int(value)) else value
        if sp._norm_keys:
            rows, cols = out.pop("block_rows", 1), out.pop("block_cols", 4)
            out["sparse_block_shape"] = (rows, cols)
            out.setdefault("zeros_per_block", rows * cols)
        out.update(sp._entry(self._name).extras)
        return out

    def __getitem__(self, key):
        return self._view()[key]

    def __setitem__(self, key, value):
        sp = self._sparsifier
        extras = sp._entry(self._name).extras
        for k, v in _native_config(sp, {key: value}, extras).items():
            sp.set_param(self._name, k, v)

    def __delitem__(self, key):
        extras = self._sparsifier._entry(self._name).extras
        if key in extras:
            del extras[key]
        else:
            raise TypeError("the library's config keys cannot be removed (%r of %r); set another value"
                            % (key, self._name))

    def __iter__(self):
        return iter(self._view())

    def __len__(self):
        return len(self._view())

    def __repr__(self):
        return repr(self._view())

    def __deepcopy__(self, memo):
        return _copy.deepcopy(self._view(), memo)

    def copy(self):
        return dict(self._view())


class _DataGroups(_abc.Mapping):
    """data_groups: name -> the item's config (a live view), in the order items were added."""

    def __init__(self, sparsifier):
        self._sparsifier = sparsifier

    def __getitem__(self, name):
        if not isinstance(name, str) or name not in self._sparsifier:
            raise KeyError(name)
        return _ItemConfig(self._sparsifier, name)

    def __iter__(self):
        return iter(self._sparsifier.names())

    def __len__(self):
        return len(self._sparsifier)

    def __repr__(self):
        return repr({name: cfg._view() for name, cfg in self.items()})


class _ItemState(_abc.MutableMapping):
    """state[name]: PyTorch's per-item state: 'mask' (the item's mask; during update_mask the
    one being edited) and whatever keys a sparsifier stores there."""

    def __init__(self, sparsifier, name):
        self._sparsifier, self._name = sparsifier, name

    def _has_mask(self):
        return not self._sparsifier.is_squashed(self._name)

    def __getitem__(self, key):
        if key == "mask" and self._has_mask():
            return self._sparsifier.get_mask(self._name)
        return self._sparsifier._entry(self._name).user_state[key]

    def __setitem__(self, key, value):
        entry = self._sparsifier._entry(self._name)
        if key == "mask":
            if entry.working_mask is None:
                raise ValueError("state[%r]['mask'] can be replaced only inside update_mask() (the library "
                                 "computes masks in step())" % self._name)
            entry.working_mask = value
            return
        entry.user_state[key] = value

    def __delitem__(self, key):
        del self._sparsifier._entry(self._name).user_state[key]

    def __iter__(self):
        keys = ["mask"] if self._has_mask() else []
        return iter(keys + [k for k in self._sparsifier._entry(self._name).user_state if k != "mask"])

    def __len__(self):
        return len(list(iter(self)))

    def __repr__(self):
        return repr(dict(self.items()))


class _State(_abc.Mapping):
    """state: name -> the item's state (see _ItemState)."""

    def __init__(self, sparsifier):
        self._sparsifier = sparsifier

    def __getitem__(self, name):
        if not isinstance(name, str) or name not in self._sparsifier:
            raise KeyError(name)
        return _ItemState(self._sparsifier, name)

    def __iter__(self):
        return iter(self._sparsifier.names())

    def __len__(self):
        return len(self._sparsifier)

    def __repr__(self):
        return repr({name: dict(s.items()) for name, s in self.items()})


class _PyTorchAPI:
    """The methods of PyTorch's BaseDataSparsifier, over a native sparsifier (mixed in first)."""

    _norm_keys = False       # the norm sparsifier's keys (sparse_block_shape <-> block_rows, block_cols)
    _custom = False          # a custom sparsifier: the core reads contiguous float32 only

    def _setup(self, defaults):
        self.__dict__["_ds_entries"] = {}
        self.__dict__["defaults"] = defaults

    def _entries(self):
        entries = self.__dict__.get("_ds_entries")
        if entries is None:
            entries = self.__dict__["_ds_entries"] = {}
        return entries

    def _entry(self, name):
        entry = self._entries().get(name)
        if entry is None:
            if not self.contains(name):
                raise NotFoundError("DS_ERR_NOT_FOUND: data with specified name does not exist: %r" % (name,))
            raise StateError("DS_ERR_STATE: %r was registered by another API" % (name,))
        return entry

    # ---------------------------------------------------------------- views

    @property
    def data_groups(self):
        """name -> config (a live view: data_groups[name][key] = value sets it)."""
        return _DataGroups(self)

    @property
    def state(self):
        """name -> {'mask': the mask, ...the keys your update_mask stores}."""
        return _State(self)

    @property
    def enable_mask_update(self):
        return self.get_mask_update()

    @enable_mask_update.setter
    def enable_mask_update(self, enabled):
        self.set_mask_update(bool(enabled))

    @property
    def _step_count(self):
        return self.step_count()

    # ---------------------------------------------------------------- data

    def _extract_weight(self, data):
        """The tensor of data: an embedding's weight, else data itself (as PyTorch's)."""
        return data.weight if _is_embedding(data) else data

    def _kind(self, data):
        if _is_tensor(data):
            return "torch"
        if isinstance(data, _np.ndarray):
            return "numpy"
        raise TypeError("data must be a NumPy array, a torch.Tensor, an nn.Parameter, an nn.Embedding or an "
                        "nn.EmbeddingBag, not %s (numpy.asarray(data) makes an array of a list; "
                        "add_data_copy() copies any array-like)" % type(data).__name__)

    def add_data(self, name, data, reuse_mask=True, config=None, **values):
        """Registers data under name (PyTorch's add_data(name, data, reuse_mask=True, **config)).

        data: a NumPy array, torch.Tensor, nn.Parameter, nn.Embedding or nn.EmbeddingBag (its
        weight), borrowed without a copy when its memory allows (see the module's doc), else copied
        with a DatasparseWarning. Keyword values (and config, a dict) override the sparsifier's
        defaults for this item. An existing name is replaced (a DatasparseWarning, as in PyTorch):
        its config is kept under the new values, and with reuse_mask=True (the default) its mask
        too (the new data must then have the same shape, else ShapeError, a ValueError).
        Returns data."""
        if isinstance(reuse_mask, (dict, _swig.Config)):   # add_data(name, data, config) of before
            config, reuse_mask = reuse_mask, values.pop("reuse_mask", True)
        merged = dict(config.items()) if config is not None else {}
        merged.update(values)
        self._add(name, data, merged, reuse_mask, copy=False)
        return data

    def add_shard(self, name, data, global_rows, first_row, reuse_mask=True, config=None, **values):
        """Registers data as a shard: rows [first_row, first_row + rows) of a tensor of global_rows
        rows (rows: the product of every size but the last, as for any item), whose other rows
        other participants (processes) hold, joined by set_allreduce(). The masks are those of one
        sparsifier holding the whole tensor. data is as for add_data (at least 2 dimensions);
        an array of shape (0, cols) is a participant holding none of the rows. first_row must be
        a multiple of the item's block rows, and a shard that is not the last must hold a multiple
        of them (checked at each step). Returns data."""
        merged = dict(config.items()) if config is not None else {}
        merged.update(values)
        for what, value in (("global_rows", global_rows), ("first_row", first_row)):
            if isinstance(value, bool) or not isinstance(value, (_numbers.Integral, _np.integer)):
                raise TypeError("%s must be an int, not %s" % (what, type(value).__name__))
        self._add(name, data, merged, reuse_mask, copy=False, shard=(int(global_rows), int(first_row)))
        return data

    def get_shard(self, name):
        """(global_rows, first_row) of a shard; (0, 0) for an item that is not one."""
        return (self._get_shard_global_rows(name), self._get_shard_first_row(name))

    def set_group(self, group, names):
        """Creates or replaces a group: its items' blocks are ranked together, one selection over
        all of them (at the level of the first). names: its items in order (the order breaks
        ties); an item is in one group at most, and removing an item removes it from its group."""
        if isinstance(names, str):
            raise TypeError("names must be a sequence of item names, not a str")
        _swig.Sparsifier.set_group(self, group, list(names))

    @property
    def groups(self):
        """The groups: a read-only mapping of group name to its items (a tuple, in order)."""
        import types
        return types.MappingProxyType({g: tuple(self._group_members(g)) for g in self._group_names()})

    def set_allreduce(self, fn):
        """Joins this sparsifier's steps with other participants: fn(counts) sums counts (a NumPy
        uint64 array; the sum wraps modulo 2**64) element-wise over every participant, in place (torch_allreduce() makes one
        on torch.distributed). Every participant then steps together with the same groups and
        shards. An exception raised by fn fails the step on every participant, no mask changed
        (except at the step's last exchange: a warning, and the masks are written as on the others);
        take part in the sum even when raising, or the others wait.
        fn None: this process alone again."""
        if fn is None:
            _swig.Sparsifier.set_allreduce(self, None)
            self.__dict__["_ds_allreduce"] = None
            return
        if not callable(fn):
            raise TypeError("fn must be callable, not %s" % type(fn).__name__)
        director = _FnAllreduce(fn)
        _swig.Sparsifier.set_allreduce(self, director)
        self.__dict__["_ds_allreduce"] = director   # kept alive while set

    def last_exchange(self):
        """(allreduce calls, bytes of this participant's payload) of the last step."""
        return (self._last_exchanges(), self._last_exchange_bytes())

    def add_data_copy(self, name, data, config=None, reuse_mask=True, **values):
        """Like add_data, but registers a copy of any array-like: later changes to data are not
        seen, and squash_mask() does not write into it."""
        merged = dict(config.items()) if config is not None else {}
        merged.update(values)
        if not (_is_tensor(data) or _is_embedding(data)):
            data = _np.array(data, dtype=_np.float32) if not isinstance(data, _np.ndarray) or \
                data.dtype not in _NUMPY_DTYPES else _np.array(data)
        self._add(name, data, merged, reuse_mask, copy=True)

    def _add(self, name, data, config, reuse_mask, copy, shard=None):
        _check_initialized(self)
        if not isinstance(name, str):
            raise TypeError("name must be str, not %s" % type(name).__name__)
        obj = self._extract_weight(data)
        kind = self._kind(obj)
        entries = self._entries()
        old = entries.get(name)
        replacing = old is not None or self.contains(name)
        extras = dict(old.extras) if old is not None else {}
        if not replacing:
            full = {k: v for k, v in self.defaults.items()}
            full.update(config)
            config = full
        native = _native_config(self, config, extras)
        entry = _Entry(data, obj, kind)
        entry.extras = extras
        entry.shard = shard
        self._register(name, entry, native, bool(reuse_mask) and replacing, copy)
        entries[name] = entry

    def _register(self, name, entry, native, reuse_mask, copy, warn=True):
        shard = entry.shard is not None
        described, reason = (None, "a copy was asked for") if copy else \
            _describe(entry.obj, entry.kind, self._custom, shard)
        if described is None:
            held = _copy_of(entry.obj, entry.kind, self._custom)
            if warn and not copy:
                _warn("data %r is copied: %s; the copy is refreshed from your data at every step() and "
                      "written back into it by squash_mask()" % (name, reason))
            described, _ = _describe(held, entry.kind, self._custom, shard)
            entry.copied = True
        address, dtype, shape, row_stride, held = described
        if shard:
            self._add_shard_ex(name, address, dtype, list(shape), row_stride, entry.shard[0], entry.shard[1],
                               native, bool(reuse_mask))
        else:
            self._add_data_ex(name, address, dtype, list(shape), row_stride, native, bool(reuse_mask))
        entry.held, entry.dtype, entry.shape = held, dtype, tuple(entry.obj.shape)
        entry.key = _key_of(entry.obj, entry.kind)

    def _resync(self, names=None):
        """Sees what changed in the users' objects since they were registered: a torch tensor
        whose memory was replaced (`t.data = ...`) is registered again (its mask kept), and a copy
        is refreshed."""
        for name, entry in list(self._entries().items()):
            if names is not None and name not in names:
                continue
            if entry.kind == "numpy" and not entry.copied:
                continue
            if not entry.copied and _key_of(entry.obj, entry.kind) == entry.key:
                continue   # the usual case: a torch tensor still in the memory it was registered with
            if self.is_squashed(name):
                continue
            if entry.copied:
                if tuple(entry.obj.shape) == tuple(entry.held.shape):
                    if entry.kind == "torch":
                        entry.held.copy_(entry.obj.detach())
                    else:
                        _np.copyto(entry.held, entry.obj, casting="unsafe")
                    continue
            elif _key_of(entry.obj, entry.kind) == entry.key:
                continue
            same = tuple(entry.obj.shape) == entry.shape
            _quiet[0] += 1
            try:
                self._register(name, entry, {}, same, False, warn=not entry.copied)
            finally:
                _quiet[0] -= 1

    def remove_data(self, name):
        """Removes an item (its mask, config and state); the data is left as it is."""
        self._remove_data(name)
        self._entries().pop(name, None)

    def shape(self, name):
        """The item's shape as added."""
        return self._entry(name).shape

    def get_mask(self, name):
        """The item's mask, of the data's shape: for torch data a tensor of the data's dtype
        (1 = keep, 0 = zeroed, as PyTorch's ones_like(data)), for NumPy data a uint8 array. A copy,
        except inside update_mask, where it is the mask being edited."""
        if not isinstance(name, str) or name not in self._entries():
            self._entry(name)   # raises
        entry = self._entries()[name]
        if entry.working_mask is not None:
            return entry.working_mask
        out = _np.empty(entry.shape, dtype=_np.uint8)
        self._get_mask_at(name, out.__array_interface__["data"][0], out.size)
        return self._mask_like(entry, out)

    def _mask_like(self, entry, mask):
        if entry.kind == "torch":
            torch = _torch()
            return torch.from_numpy(mask).to(dtype=entry.obj.dtype)
        return mask

    def get_data(self, name, return_original=True, original=None):
        """return_original=True (PyTorch's default): the data itself, the very tensor or array you
        added (an embedding's weight), not a copy; ValueError after squash_mask(). False: a new
        tensor or array of the data with its masked elements set to 0 (after squash_mask(): the
        data as it now is). `original` is this API's former name of return_original."""
        if original is not None:
            return_original = original
        entry = self._entries().get(name) if isinstance(name, str) else None
        if entry is None:
            self._entry(name)   # raises NotFoundError (also a ValueError, as PyTorch raises)
        if return_original:
            if self.is_squashed(name):
                raise _SquashedError("DS_ERR_STATE: mask squashed - the original data of %r does not exist "
                                     "any more" % (name,))
            self._resync([name])
            return entry.obj
        self._resync([name])
        return self._read(name, entry, False)

    def _read(self, name, entry, original):
        if entry.kind == "torch":
            torch = _torch()
            out = torch.empty(entry.shape, dtype=entry.held.dtype)
            self._get_data_ex(name, bool(original), out.data_ptr(), out.numel() * out.element_size())
            return out.to(entry.obj.dtype) if out.dtype != entry.obj.dtype else out
        out = _np.empty(entry.shape, dtype=entry.held.dtype)
        self._get_data_ex(name, bool(original), out.__array_interface__["data"][0], out.nbytes)
        return out

    def step(self):
        """Recomputes every (non-squashed) item's mask from its current data and config."""
        self._resync()
        torch = _torch()
        if torch is not None:
            with torch.no_grad():
                _swig.Sparsifier.step(self)
        else:
            _swig.Sparsifier.step(self)

    def squash_mask(self, *args, leave_parametrized=True, names=None, **kwargs):
        """Applies the masks to the data in place (masked elements set to 0; leave_parametrized=
        False: the data is left as it is) and drops them; names: the items (default: all)."""
        if args:
            names = args[0]
            if len(args) > 1:
                leave_parametrized = args[1]
        if isinstance(names, str):
            names = [names]
        chosen = list(self.names()) if names is None else list(names)
        self._resync(chosen)
        if names is None:
            self._squash_all(bool(leave_parametrized))
        else:
            self._squash_mask(chosen, bool(leave_parametrized))
        if leave_parametrized:
            for name in chosen:   # copies: the squashed values go back into the user's data
                entry = self._entries().get(name)
                if entry is not None and entry.copied:
                    _write_back(entry)

    # ---------------------------------------------------------------- state dicts

    def state_dict(self):
        """{'state': {name: {'mask': ..., ...}}, 'data_groups': {name: config}, '_container':
        {'parametrizations.<name>.original' (or <name> once squashed): data}}, as PyTorch's
        (torch masks as sparse COO tensors, NumPy masks as uint8 arrays). Plain dicts."""
        self._resync()
        states, groups, container = {}, {}, {}
        for name in self.names():
            entry = self._entry(name)
            item = {}
            if not self.is_squashed(name):
                mask = self.get_mask(name)
                item["mask"] = mask.to_sparse_coo() if entry.kind == "torch" else mask
                key = "parametrizations.%s.original" % name
                data = entry.obj
            else:
                key, data = name, entry.obj
            item.update(_copy.deepcopy(entry.user_state))
            states[name] = item
            groups[name] = dict(self.data_groups[name].items())
            container[key] = data.detach() if entry.kind == "torch" else data
        return {"state": states, "data_groups": groups, "_container": container}

    def load_state_dict(self, state_dict, strict=True):
        """Restores a state_dict() (ours, or one shaped like PyTorch's): every item in it is
        registered again over a copy of its data (as PyTorch does), with its config, mask and state;
        strict=True first removes the items the dict does not have."""
        states = state_dict["state"]
        groups = state_dict["data_groups"]
        container = state_dict.get("_container", {})
        plan = []
        for name, item in states.items():
            config = groups.get(name)
            if config is None:
                raise RuntimeError("Error loading %s: it has no data_groups entry" % name)
            key = "parametrizations.%s.original" % name
            if key in container:
                data, squashed = container[key], False
            elif name in container:
                data, squashed = container[name], True
            else:
                raise RuntimeError("Error loading %s: its data is not in _container" % name)
            mask = item.get("mask") if not squashed else None
            if mask is not None:
                if _is_tensor(mask):
                    mask = mask.to_dense() if mask.is_sparse else mask
                    mask = mask.detach().cpu().numpy()
                mask = _np.asarray(mask)
                if mask.size != int(_np.prod(tuple(data.shape))):
                    raise ValueError("the mask of %r has %d elements, its data %d" % (name, mask.size,
                                                                                    int(_np.prod(tuple(data.shape)))))
                if not _np.isin(mask, (0, 1)).all():
                    raise ValueError("the mask of %r must hold only 0 and 1" % name)
            plan.append((name, data, dict(config), squashed, mask, {k: v for k, v in item.items() if k != "mask"}))
        if strict:
            for name in list(self.names()):
                if name not in states:
                    self.remove_data(name)
        _quiet[0] += 1
        try:
            for name, data, config, _, _, user in plan:
                copy = data.detach().clone() if _is_tensor(data) else _np.array(data, copy=True)
                if self.contains(name):
                    self.remove_data(name)
                self._add(name, copy, config, False, copy=False)
                self._entry(name).user_state = _copy.deepcopy(user)
        finally:
            _quiet[0] -= 1
        native = _state.decode_sparsifier(self.save_to_bytes(False))
        by_name = {name: (squashed, mask) for name, _, _, squashed, mask, _ in plan}
        for item in native["items"]:
            if item["name"] in by_name:
                squashed, mask = by_name[item["name"]]
                item["squashed"] = squashed
                item["mask"] = None if squashed else (
                    _np.ones(int(_np.prod(item["shape"])), _np.uint8) if mask is None
                    else _np.asarray(mask, dtype=_np.uint8).reshape(-1))
        self.load_from_bytes(_state.encode_sparsifier(native), True)

    # ---------------------------------------------------------------- PyTorch's container

    @property
    def _container(self):
        """A torch nn.Module mirroring the items as PyTorch's sparsifier keeps them: each a buffer
        with a FakeSparsity parametrization holding its mask (none once squashed). Built on each
        access from the library's state (for code and tests that look at PyTorch's internals)."""
        torch = _torch()
        if torch is None:
            raise AttributeError("_container needs torch (PyTorch's internals)")
        from torch.nn.utils import parametrize
        try:
            from torch.ao.pruning.sparsifier.utils import FakeSparsity
        except ImportError:
            from torch.ao.sparsity.sparsifier.utils import FakeSparsity
        container = torch.nn.Module()
        for name in self.names():
            entry = self._entry(name)
            data = entry.obj if entry.kind == "torch" else torch.from_numpy(entry.obj)
            container.register_buffer(name, data.detach())
            if not self.is_squashed(name):
                mask = self.get_mask(name)
                mask = mask if entry.kind == "torch" else torch.from_numpy(mask).to(data.dtype)
                parametrize.register_parametrization(container, name, FakeSparsity(mask))
        return container

    def close(self):
        """Releases the native sparsifier and the data it borrowed; later calls raise StateError."""
        busy = not self._is_closed() and self._in_call()
        self._close()
        if not busy:
            self._entries().clear()

    def __repr__(self):
        if self._is_closed():
            return "<%s (closed)>" % type(self).__name__
        return "<%s items=%r>" % (type(self).__name__, self.names())


def _write_back(entry):
    if entry.kind == "torch":
        with _torch().no_grad():
            entry.obj.copy_(entry.held.to(device=entry.obj.device, dtype=entry.obj.dtype).reshape(entry.obj.shape))
    elif entry.obj.flags.writeable:
        _np.copyto(entry.obj, entry.held.reshape(entry.obj.shape), casting="unsafe")


class _SquashedError(StateError, ValueError):
    """The original data of a squashed item was asked for: a StateError that is also the
    ValueError PyTorch raises."""


def _check_initialized(sparsifier):
    if "this" not in sparsifier.__dict__:
        raise TypeError("%s.__init__() did not call super().__init__()" % type(sparsifier).__name__)


class DataNormSparsifier(_PyTorchAPI, _swig.DataNormSparsifier):
    """PyTorch's DataNormSparsifier: zeroes the blocks with the lowest mean |x| (L1) or x*x (L2).

    DataNormSparsifier(data_list=None, sparsity_level=0.5, sparse_block_shape=(1, 4),
    zeros_per_block=None, norm='L1'): data_list is a list of (name, data) added with the defaults.
    zeros_per_block=None zeroes whole blocks, each item's own (PyTorch fixes it to the product of the
    default block shape). Also accepted: DataNormSparsifier(norm, defaults) and the keys block_rows,
    block_cols (this API's earlier form), and any other number as a default config value."""

    _norm_keys = True

    def __init__(self, data_list=None, sparsity_level=0.5, sparse_block_shape=(1, 4), zeros_per_block=None,
                 norm="L1", defaults=None, **values):
        legacy_defaults = None
        if isinstance(data_list, str) or isinstance(data_list, _numbers.Integral) and not isinstance(data_list, bool):
            norm, data_list = data_list, None            # DataNormSparsifier("L2", ...) of before
            if isinstance(sparsity_level, (dict, _swig.Config)):
                legacy_defaults, sparsity_level = sparsity_level, 0.5
        if isinstance(data_list, (dict, _swig.Config)):
            legacy_defaults, data_list = data_list, None
        if not (isinstance(norm, str) and norm in ("L1", "L2", "l1", "l2")) and not (
                isinstance(norm, _numbers.Integral) and not isinstance(norm, bool)):
            raise ValueError("norm must be 'L1' or 'L2' (or a Norm), got %r" % (norm,))
        merged = {}
        for source in (defaults, legacy_defaults):
            if source is not None:
                if not hasattr(source, "items"):
                    raise TypeError("defaults must be a Config or a dict of str to number, not %s"
                                    % type(source).__name__)
                merged.update(source.items())
        merged.update(values)
        pytorch = {"sparsity_level": sparsity_level, "sparse_block_shape": tuple(sparse_block_shape)}
        if zeros_per_block is not None:
            pytorch["zeros_per_block"] = zeros_per_block
        if "block_rows" in merged or "block_cols" in merged:
            rows, cols = pytorch["sparse_block_shape"]
            pytorch["sparse_block_shape"] = (int(merged.pop("block_rows", rows)), int(merged.pop("block_cols", cols)))
        pytorch.update(merged)
        native = _native_config(self, pytorch, {})
        _swig.DataNormSparsifier.__init__(self, norm, native)
        self._setup(pytorch)
        self.__dict__["norm"] = norm.upper() if isinstance(norm, str) else ("L1" if int(norm) == 0 else "L2")
        for name, data in (data_list or []):
            self.add_data(name, data, **self.defaults)


class DataSparsifier(_PyTorchAPI, _swig.DataSparsifier):
    """A sparsifier whose masks your update_mask(name, data, config, mask) computes (NumPy arrays):
    subclass it, call super().__init__(defaults=None, **values) and override update_mask. For
    PyTorch's update_mask(name, data, **config), subclass BaseDataSparsifier."""

    _custom = True

    def __init__(self, defaults=None, **values):
        if type(self) is DataSparsifier:
            raise TypeError("DataSparsifier is abstract: subclass it and override update_mask()")
        merged = dict(defaults.items()) if defaults is not None else {}
        merged.update(values)
        native = _native_config(self, merged, {})
        _swig.DataSparsifier.__init__(self, native)
        self._setup(merged)

    def _numpy_view(self, entry):
        held = entry.held
        return held.numpy() if entry.kind == "torch" else held

    def _update_mask_views(self, name, data_view, config, mask_view):
        # Called by the native step() for each item; the views are valid only during this call.
        entry = self._entry(name)
        data = self._numpy_view(entry).reshape(entry.shape).view()
        data.flags.writeable = False
        mask = _np.empty(entry.shape, dtype=_np.uint8)
        mask_view.copy_to(mask.reshape(-1))
        result = self.update_mask(name, data, config.to_dict(), mask)
        if result is not None:
            mask = _np.asarray(result)
        _commit_mask(name, mask, mask_view)

    def update_mask(self, name, data, config, mask):
        """Override: computes the mask of item `name` (data: read-only array of its shape; config: a
        dict; mask: uint8 array to modify in place, or return a new 0/1 array)."""
        raise NotImplementedError("%s must override update_mask(self, name, data, config, mask)"
                                  % type(self).__name__)


def _commit_mask(name, mask, mask_view):
    if _is_tensor(mask):
        mask = mask.detach().cpu().numpy()
    mask = _np.asarray(mask)
    if mask.size != mask_view.size():
        raise ValueError("update_mask for %r gave a mask of %d elements, expected %d"
                         % (name, mask.size, mask_view.size()))
    flat = mask.reshape(-1)
    as_bytes = flat.astype(_np.uint8)
    if not _np.array_equal(as_bytes, flat):
        raise ValueError("update_mask for %r gave mask values other than 0 and 1" % (name,))
    mask_view.copy_from(_np.ascontiguousarray(as_bytes))


class BaseDataSparsifier(DataSparsifier):
    """PyTorch's BaseDataSparsifier: subclass it and override update_mask(name, data, **config),
    which edits self.get_mask(name) (or self.state[name]['mask']) in place and may keep anything
    in self.state[name]. BaseDataSparsifier(data_list=None, **defaults)."""

    def __init__(self, data_list=None, **defaults):
        if type(self) is BaseDataSparsifier:
            raise TypeError("BaseDataSparsifier is abstract: subclass it and override update_mask()")
        merged = dict(defaults)
        native = _native_config(self, merged, {})
        _swig.DataSparsifier.__init__(self, native)
        self._setup(merged)
        for name, data in (data_list or []):
            self.add_data(name, data, **self.defaults)

    def _update_mask_views(self, name, data_view, config, mask_view):
        entry = self._entry(name)
        mask = _np.empty(entry.shape, dtype=_np.uint8)
        mask_view.copy_to(mask.reshape(-1))
        entry.working_mask = self._mask_like(entry, mask)
        try:
            self.update_mask(name, entry.obj, **self.data_groups[name]._view())
            result = entry.working_mask
        finally:
            entry.working_mask = None
        _commit_mask(name, result, mask_view)

    def update_mask(self, name, data, **config):
        """Override: update self.get_mask(name) in place from data (the item's tensor or array)."""
        raise NotImplementedError("%s must override update_mask(self, name, data, **config)"
                                  % type(self).__name__)


class _FnAllreduce(_swig.Allreduce):
    """The director behind set_allreduce: hands fn a NumPy uint64 copy of the counts."""

    def __init__(self, fn):
        _swig.Allreduce.__init__(self)
        self._fn = fn

    def sum(self, counts):
        view = _np.frombuffer(counts._memory(), dtype=_np.uint64)
        values = view.copy()
        self._fn(values)
        if not isinstance(values, _np.ndarray) or values.shape != view.shape:
            raise ValueError("the allreduce must sum its counts in place")
        view[:] = values


def torch_allreduce(group=None):
    """An allreduce for set_allreduce() over torch.distributed (initialized by the caller; gloo
    or any backend that sums int64 CPU tensors): all_reduce with SUM on the uint64 counts viewed
    as int64. Not every value is a count below 2**63 (one is a fingerprint of any value), but
    the int64 sum wraps as the uint64 sum does, so its bits are the uint64 sum's."""
    torch = _torch()
    if torch is None:
        raise ImportError("torch_allreduce needs torch (torch.distributed)")
    import torch.distributed as dist

    def allreduce(counts):
        t = torch.from_numpy(counts.view(_np.int64))   # shares counts' memory
        dist.all_reduce(t, op=dist.ReduceOp.SUM, group=group)

    return allreduce


class _ScheduleOfDicts(_swig.Schedule):
    """The native scheduler's schedule for a BaseDataScheduler: get_schedule_param() once per
    step, each item's value read from its dict (an item it leaves out keeps its value)."""

    def __init__(self, owner):
        _swig.Schedule.__init__(self)
        self.owner = owner
        self.values = None

    def compute(self, name, epoch, base, current):
        owner = self.owner
        if self.values is None:
            owner.__dict__["_epoch_in_step"] = epoch
            try:
                self.values = owner.get_schedule_param()
            finally:
                owner.__dict__["_epoch_in_step"] = None
            if not isinstance(self.values, _abc.Mapping):
                raise TypeError("get_schedule_param() must return a dict of name to value, not %s"
                                % type(self.values).__name__)
        value = self.values.get(name, current)
        return current if value is None else value


class BaseDataScheduler:
    """PyTorch's BaseDataScheduler: subclass it and override get_schedule_param(), which returns
    {name: value} for the items (read self.last_epoch, self.base_param, self.data_sparsifier).
    BaseDataScheduler(data_sparsifier, schedule_param, last_epoch=-1, verbose=False) performs the
    first step at once; call step() once per epoch, after the sparsifier's step()."""

    def __init__(self, data_sparsifier, schedule_param, last_epoch=-1, verbose=False):
        if not isinstance(data_sparsifier, _swig.Sparsifier):
            raise TypeError("{} is not an instance of datasparse's DataNormSparsifier or BaseDataSparsifier"
                            .format(type(data_sparsifier).__name__))
        self.data_sparsifier = data_sparsifier
        self.schedule_param = schedule_param
        self.verbose = verbose
        self._epoch_in_step = None
        self._native = None
        groups = data_sparsifier.data_groups
        self._base_at_start = {name: groups[name].get(schedule_param) for name in groups}
        self._schedule = _ScheduleOfDicts(self)
        self._epoch_in_step = last_epoch + 1
        try:
            native = _swig.DataScheduler(data_sparsifier, schedule_param, self._schedule, last_epoch)
        finally:
            self._epoch_in_step = None
            self._schedule.values = None
        self._native = native
        if verbose:
            native.set_verbose(True)

    def get_schedule_param(self):
        """Override: {name: new value of schedule_param} for this step."""
        raise NotImplementedError

    @property
    def last_epoch(self):
        if self.__dict__.get("_epoch_in_step") is not None or self._native is None:
            return self._epoch_in_step
        return self._native.last_epoch()

    @property
    def base_param(self):
        """name -> the value of schedule_param when the scheduler was created (None: the item has none)."""
        if self._native is None:
            return dict(self._base_at_start)
        tracked = set(self._native.names())
        return {name: (self._native._get_base_param(name) if name in tracked else None)
                for name in self.data_sparsifier.names()}

    @property
    def _last_param(self):
        """name -> the value the last step set (None: the item has no such key)."""
        if self._native is None:
            return {}
        last = self._native.get_last_param()
        return {name: last.get(name) for name in self.data_sparsifier.names()}

    @property
    def _step_count(self):
        return 1 if self._native is None else self._native.step_count()

    def get_last_param(self):
        return self._last_param

    def step(self):
        """Advances one epoch: get_schedule_param() once, its values applied to every item at once
        (all or nothing); warns if the sparsifier has not stepped since the scheduler's creation."""
        self._schedule.values = None
        try:
            self._native.step()
        finally:
            self._schedule.values = None
        self.data_sparsifier.enable_mask_update = True

    def state_dict(self):
        """The scheduler's state as a plain dict, as PyTorch's (save the sparsifier's separately)."""
        return {"schedule_param": self.schedule_param, "base_param": self.base_param,
                "last_epoch": self.last_epoch, "_step_count": self._step_count, "verbose": self.verbose,
                "_last_param": self._last_param}

    def load_state_dict(self, state_dict):
        """Restores a state_dict(); restore the sparsifier first. As the library's load does, the
        last values are put back into the sparsifier's configs."""
        base = state_dict.get("base_param", {})
        last = state_dict.get("_last_param", {})
        entries = [(name, value, last.get(name)) for name, value in base.items() if value is not None]
        raw = _state.encode_scheduler(state_dict.get("schedule_param", self.schedule_param), "callback",
                                      int(state_dict.get("last_epoch", self.last_epoch)),
                                      int(state_dict.get("_step_count", self._step_count)), entries)
        self._native.load_from_bytes(raw)
        if "verbose" in state_dict:
            self.verbose = bool(state_dict["verbose"])
            self._native.set_verbose(self.verbose)

    def __repr__(self):
        return "%s (\nData Sparsifier %r\n    %s: %r\n)" % (type(self).__name__, self.data_sparsifier,
                                                             self.schedule_param, self.base_param)
