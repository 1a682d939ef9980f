"""A stand-in for torch.testing._internal.common_utils.TestCase, which the ported PyTorch
tests (test_pytorch_data_sparsifier.py, test_pytorch_data_scheduler.py) subclass: PyTorch's
own needs the `expecttest` package, which Debian 12 does not ship. It provides the
assertions those tests use, with PyTorch's meaning: assertEqual and assertNotEqual
compare tensors by value (and containers element by element), assertEqualBroadcasting
compares a tensor with a number broadcast to its shape.

TORCH_MISSING is None when torch imports, else why it does not (the tests are then
skipped with that message).
"""
import unittest

try:
    import torch
    TORCH_MISSING = None
except Exception as exc:  # ImportError, or a broken install
    torch = None
    TORCH_MISSING = "torch is not installed (%s: %s): the ported PyTorch tests need it" % (type(exc).__name__, exc)


def _is_tensor(x):
    return torch is not None and isinstance(x, torch.Tensor)


def _equal(a, b):
    """(equal, why not) comparing as PyTorch's TestCase does, exactly."""
    if _is_tensor(a) or _is_tensor(b):
        try:
            a = a if _is_tensor(a) else torch.as_tensor(a)
            b = b if _is_tensor(b) else torch.as_tensor(b)
            torch.testing.assert_close(a.detach(), b.detach(), rtol=0, atol=0, equal_nan=True,
                                       check_dtype=False, check_layout=False)
            return True, ""
        except AssertionError as e:
            return False, str(e)
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            return False, "keys differ: %r vs %r" % (sorted(map(str, a)), sorted(map(str, b)))
        for key in a:
            ok, why = _equal(a[key], b[key])
            if not ok:
                return False, "at %r: %s" % (key, why)
        return True, ""
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        if len(a) != len(b):
            return False, "lengths differ: %d vs %d" % (len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            ok, why = _equal(x, y)
            if not ok:
                return False, "at [%d]: %s" % (i, why)
        return True, ""
    return (a == b), "%r != %r" % (a, b)


class TorchTestCase(unittest.TestCase):
    def assertEqual(self, first, second, msg=None):
        ok, why = _equal(first, second)
        if not ok:
            self.fail(msg or why)

    def assertNotEqual(self, first, second, msg=None):
        ok, _ = _equal(first, second)
        if ok:
            self.fail(msg or "both are %r" % (first,))

    def assertEqualBroadcasting(self, x, y, msg=None):
        if _is_tensor(x) and not _is_tensor(y):
            y = torch.full_like(x, y)
        self.assertEqual(x, y, msg)
