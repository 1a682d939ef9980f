"""Data of every dtype, N-D and strided, through the Python binding (issue 13's Python part).

Each dtype (NumPy float16/float32/float64; torch float16/bfloat16/float32/float64), a
strided view (a column slice of a C-contiguous matrix, borrowed without a copy: changes made
through the sparsifier show in the original and the other way round) and a 4-D tensor (the
matrix (d0*d1*d2) x d3, its mask in the data's own shape). Masks are compared with PyTorch
1.13's DataNormSparsifier live where torch is installed (PyTorch 1.13 cannot compute norms of
float16 data on the CPU: float16 data is compared with float32 data of the same values, as the
C tests do), and always with our own float32 masks of the same values.

The data has no ties PyTorch could break another way: each 1x4 or 2x2 block holds distinct
integers (exact in every dtype, bfloat16 too) and block means are 8 apart, so rounding a mean
to bfloat16 (as PyTorch does) keeps their order.
"""
import unittest
import warnings

import numpy as np

import datasparse as ds

try:
    import torch
    from torch.ao.sparsity._experimental.data_sparsifier import DataNormSparsifier as TorchNormSparsifier
    TORCH_MISSING = None
except Exception as exc:  # ImportError, or a broken install
    torch = None
    TORCH_MISSING = "torch is not installed (%s: %s): the torch and live parity cases need it" % (
        type(exc).__name__, exc)

LEVEL = 0.5


def distinct_blocks(rows, cols, block, seed):
    """float64 rows x cols: block b (in a random order) holds +-(8 * rank + 1..n), distinct."""
    rng = np.random.default_rng(seed)
    br, bc = block
    assert rows % br == 0 and cols % bc == 0
    nblocks = (rows // br) * (cols // bc)
    ranks = rng.permutation(nblocks)
    out = np.empty((rows, cols))
    b = 0
    for r in range(0, rows, br):
        for c in range(0, cols, bc):
            inside = rng.permutation(br * bc) + 1 + 8 * ranks[b]
            out[r:r + br, c:c + bc] = (inside * rng.choice([-1.0, 1.0], size=br * bc)).reshape(br, bc)
            b += 1
    return out


def our_mask(data, norm, block, zeros, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ds.DatasparseWarning)   # no copy: a warning would fail the test
        sp = ds.DataNormSparsifier(sparsity_level=LEVEL, sparse_block_shape=block, zeros_per_block=zeros,
                                   norm=norm)
        sp.add_data("x", data, **kwargs)
    sp.step()
    mask = sp.get_mask("x")
    sp.close()
    if torch is not None and isinstance(mask, torch.Tensor):
        mask = mask.to(torch.uint8).numpy()
    return np.asarray(mask)


def torch_mask(matrix, norm, block, zeros):
    """PyTorch 1.13's mask of a 2-D torch tensor, as a NumPy array."""
    sp = TorchNormSparsifier(sparsity_level=LEVEL, sparse_block_shape=block, zeros_per_block=zeros, norm=norm)
    sp.add_data("x", matrix)
    sp.step()
    return sp.get_mask("x").numpy().astype(np.uint8)


CASES = [("L1", (1, 4), 4), ("L2", (1, 4), 2), ("L1", (2, 2), 3), ("L2", (2, 2), 4)]


class NumpyDtypesTest(unittest.TestCase):
    def test_each_numpy_dtype_masks_like_float32_of_the_same_values(self):
        for norm, block, zeros in CASES:
            values = distinct_blocks(8, 16, block, seed=zeros)
            reference = our_mask(values.astype(np.float32), norm, block, zeros)
            self.assertFalse(reference.all())
            for dtype in (np.float16, np.float32, np.float64):
                with self.subTest(norm=norm, block=block, zeros=zeros, dtype=dtype.__name__):
                    data = values.astype(dtype)
                    mask = our_mask(data, norm, block, zeros)
                    self.assertEqual(mask.dtype, np.uint8)
                    np.testing.assert_array_equal(mask, reference)
                    if torch is not None:   # live parity (float16: PyTorch gets the float32 of the same values)
                        ref_dtype = torch.float32 if dtype == np.float16 else torch.from_numpy(data).dtype
                        np.testing.assert_array_equal(
                            mask, torch_mask(torch.from_numpy(values).to(ref_dtype), norm, block, zeros))

    def test_get_data_and_squash_keep_the_dtype(self):
        for dtype in (np.float16, np.float32, np.float64):
            with self.subTest(dtype=dtype.__name__):
                x = distinct_blocks(4, 8, (1, 4), seed=3).astype(dtype)
                before = x.copy()
                with ds.DataNormSparsifier(sparsity_level=LEVEL) as sp:
                    sp.add_data("x", x)
                    sp.step()
                    self.assertIs(sp.get_data("x"), x)                         # the array itself
                    sparse = sp.get_data("x", return_original=False)
                    self.assertEqual(sparse.dtype, x.dtype)
                    np.testing.assert_array_equal(sparse, before * sp.get_mask("x"))
                    sp.squash_mask()
                np.testing.assert_array_equal(x, sparse)                       # written in place, in its dtype


class StridedAndNdTest(unittest.TestCase):
    def test_a_column_slice_is_borrowed_without_a_copy(self):
        big = np.ascontiguousarray(distinct_blocks(8, 16, (1, 4), seed=5).astype(np.float32))
        view = big[:, 4:12]                                   # 8 x 8, row stride 16
        self.assertFalse(view.flags.c_contiguous)
        expected = our_mask(np.ascontiguousarray(view), "L1", (1, 4), 4)
        with warnings.catch_warnings():
            warnings.simplefilter("error", ds.DatasparseWarning)
            sp = ds.DataNormSparsifier(sparsity_level=LEVEL)
            sp.add_data("v", view)
        with sp:
            self.assertIs(sp.get_data("v"), view)
            sp.step()
            np.testing.assert_array_equal(sp.get_mask("v"), expected)
            # The original changed: seen by the next step (no copy).
            big[:, 4:8] = 0.0
            sp.step()
            self.assertFalse(sp.get_mask("v")[:, :4].any())
            outside = big[:, list(range(4)) + list(range(12, 16))].copy()
            sp.squash_mask()                                  # written through the sparsifier ...
        self.assertTrue((view[:, :4] == 0).all())
        self.assertEqual(int((view == 0).sum()), 32)          # ... half the 16 blocks of the view
        np.testing.assert_array_equal(big[:, list(range(4)) + list(range(12, 16))], outside)   # nothing else

    def test_a_4d_array_is_the_matrix_of_its_last_dimension(self):
        values = distinct_blocks(2 * 3 * 4, 8, (1, 4), seed=7)
        data = values.reshape(2, 3, 4, 8).astype(np.float32)
        for norm in ("L1", "L2"):
            with self.subTest(norm=norm):
                mask = our_mask(data, norm, (1, 4), 3)
                self.assertEqual(mask.shape, (2, 3, 4, 8))
                np.testing.assert_array_equal(mask.reshape(24, 8), our_mask(values.astype(np.float32), norm,
                                                                             (1, 4), 3))
                if torch is not None:
                    np.testing.assert_array_equal(
                        mask.reshape(24, 8), torch_mask(torch.from_numpy(values).float(), norm, (1, 4), 3))


@unittest.skipIf(TORCH_MISSING is not None, TORCH_MISSING)
class TorchTensorsTest(unittest.TestCase):
    def test_each_torch_dtype_against_pytorch(self):
        for norm, block, zeros in CASES:
            values = torch.from_numpy(distinct_blocks(8, 16, block, seed=10 + zeros))
            for dtype in (torch.float16, torch.bfloat16, torch.float32, torch.float64):
                with self.subTest(norm=norm, block=block, zeros=zeros, dtype=str(dtype)):
                    data = values.to(dtype)
                    mask = our_mask(data, norm, block, zeros)
                    ref_dtype = torch.float32 if dtype == torch.float16 else dtype
                    np.testing.assert_array_equal(mask, torch_mask(values.to(ref_dtype), norm, block, zeros))

    def test_mask_and_data_come_back_as_tensors_of_the_data_dtype(self):
        for dtype in (torch.float16, torch.bfloat16, torch.float32, torch.float64):
            with self.subTest(dtype=str(dtype)):
                t = torch.from_numpy(distinct_blocks(4, 8, (1, 4), seed=11)).to(dtype)
                before = t.clone()
                with ds.DataNormSparsifier(sparsity_level=LEVEL) as sp:
                    sp.add_data("t", t)
                    sp.step()
                    mask = sp.get_mask("t")
                    self.assertIsInstance(mask, torch.Tensor)
                    self.assertEqual(mask.dtype, dtype)
                    self.assertIs(sp.get_data("t"), t)
                    sparse = sp.get_data("t", return_original=False)
                    self.assertEqual(sparse.dtype, dtype)
                    self.assertTrue(torch.equal(sparse, before * mask))
                    sp.squash_mask()
                self.assertTrue(torch.equal(t, sparse))

    def test_a_strided_tensor_view_is_borrowed_and_a_4d_tensor_keeps_its_shape(self):
        big = torch.from_numpy(distinct_blocks(8, 16, (1, 4), seed=12)).to(torch.bfloat16)
        view = big[:, 8:16]
        expected = torch_mask(view.contiguous(), "L2", (1, 4), 4)
        with warnings.catch_warnings():
            warnings.simplefilter("error", ds.DatasparseWarning)
            sp = ds.DataNormSparsifier(sparsity_level=LEVEL, norm="L2")
            sp.add_data("v", view)
        with sp:
            sp.step()
            np.testing.assert_array_equal(sp.get_mask("v").to(torch.uint8).numpy(), expected)
            sp.squash_mask()
        self.assertEqual(int((big[:, 8:16] == 0).sum()), 32)
        self.assertEqual(int((big[:, :8] == 0).sum()), 0)

        conv = torch.from_numpy(distinct_blocks(16 * 2 * 3, 4, (1, 4), seed=13)).float().reshape(16, 2, 3, 4)
        conv = torch.nn.Parameter(conv)
        with ds.DataNormSparsifier(sparsity_level=LEVEL) as sp:
            sp.add_data("conv", conv)
            sp.step()
            mask = sp.get_mask("conv")
            self.assertEqual(tuple(mask.shape), (16, 2, 3, 4))
            np.testing.assert_array_equal(mask.reshape(96, 4).numpy().astype(np.uint8),
                                          torch_mask(conv.detach().reshape(96, 4), "L1", (1, 4), 4))

    def test_what_cannot_be_borrowed_is_copied_with_a_warning_and_written_back(self):
        big = torch.arange(64, dtype=torch.float32).reshape(8, 8) + 1
        view = big[:, ::2]                                    # column stride 2: not rows of a matrix
        with ds.DataNormSparsifier(sparsity_level=LEVEL) as sp:
            with self.assertWarnsRegex(ds.DatasparseWarning, "'v' is copied: its strides"):
                sp.add_data("v", view)
            ints = torch.ones(4, 4, dtype=torch.int32)
            with self.assertWarnsRegex(ds.DatasparseWarning, "torch.int32"):
                sp.add_data("i", ints)
            sp.step()
            sp.squash_mask()
        self.assertEqual(int((big[:, ::2] == 0).sum()), 16)   # the 4 lowest rows of the view
        self.assertEqual(int((big[:, 1::2] == 0).sum()), 0)

    def test_a_tensor_given_new_memory_is_followed(self):
        w = torch.nn.Parameter(torch.from_numpy(distinct_blocks(4, 8, (1, 4), seed=14)).float())
        with ds.DataNormSparsifier(sparsity_level=LEVEL) as sp:
            sp.add_data("w", w)
            w.data = -w.data.flip(0) * 2                          # new storage, as an optimizer may do
            with warnings.catch_warnings():
                warnings.simplefilter("error", ds.DatasparseWarning)
                sp.step()
            np.testing.assert_array_equal(sp.get_mask("w").numpy().astype(np.uint8),
                                          torch_mask(w.detach().clone(), "L1", (1, 4), 4))
            self.assertEqual(sp.get_data("w").data_ptr(), w.data_ptr())


class PlainStateDictTest(unittest.TestCase):
    def test_state_dict_round_trip_with_numpy_recreates_items(self):
        a = distinct_blocks(4, 8, (1, 4), seed=20).astype(np.float32)
        b = distinct_blocks(8, 4, (2, 2), seed=21)                     # float64
        sp1 = ds.DataNormSparsifier(data_list=[("a", a)], sparsity_level=0.25)
        sp1.add_data("b", b, sparse_block_shape=(2, 2), zeros_per_block=1)
        sp1.step()
        sp1.state["a"]["mask"]   # readable
        state = sp1.state_dict()
        self.assertEqual(sorted(state), ["_container", "data_groups", "state"])
        self.assertEqual(state["data_groups"]["b"], {"sparsity_level": 0.25, "sparse_block_shape": (2, 2),
                                                     "zeros_per_block": 1})
        np.testing.assert_array_equal(state["state"]["a"]["mask"], sp1.get_mask("a"))
        sp2 = ds.DataNormSparsifier()
        sp2.load_state_dict(state)
        self.assertEqual(sp2.names(), ["a", "b"])
        for name in ("a", "b"):
            np.testing.assert_array_equal(sp2.get_mask(name), sp1.get_mask(name))
            self.assertEqual(dict(sp2.data_groups[name]), dict(sp1.data_groups[name]))
            self.assertEqual(sp2.get_data(name).dtype, sp1.get_data(name).dtype)
            self.assertIsNot(sp2.get_data(name), sp1.get_data(name))   # a copy, as PyTorch's
        # A squashed item comes back squashed, with its data as it now is.
        sp1.squash_mask(names=["a"])
        sp3 = ds.DataNormSparsifier()
        sp3.load_state_dict(sp1.state_dict())
        self.assertTrue(sp3.is_squashed("a"))
        np.testing.assert_array_equal(sp3.get_data("a", return_original=False), a)
        # Masks that are not 0/1 are refused before anything changes.
        bad = sp1.state_dict()
        bad["state"]["b"]["mask"] = bad["state"]["b"]["mask"] * 2
        with self.assertRaisesRegex(ValueError, "only 0 and 1"):
            sp3.load_state_dict(bad)
        self.assertEqual(sp3.names(), ["a", "b"])


if __name__ == "__main__":
    unittest.main()
