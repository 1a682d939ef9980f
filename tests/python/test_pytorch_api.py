"""PyTorch's data sparsifier and scheduler API in datasparse, beyond PyTorch's own tests
(test_pytorch_data_sparsifier.py, test_pytorch_data_scheduler.py): the same API on NumPy arrays
(no torch needed), the views, custom sparsifiers on data they must copy, all-or-nothing
scheduler steps, plain state dicts (also PyTorch's own, loaded into ours)."""
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
    TORCH_MISSING = "torch is not installed (%s: %s)" % (type(exc).__name__, exc)


def normal(shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


class FirstRowSparsifier(ds.BaseDataSparsifier):
    """Zeroes row 0 of the mask and counts its calls in state, as PyTorch's test sparsifier."""

    def update_mask(self, name, data, **config):
        self.seen = getattr(self, "seen", {})
        self.seen[name] = (data, dict(config))
        mask = self.get_mask(name)
        mask[0] = 0
        self.state[name]["calls"] = self.state[name].get("calls", 0) + 1


class NumpyPyTorchApiTest(unittest.TestCase):
    def test_the_pytorch_api_on_numpy_arrays(self):
        a, b = normal((4, 8), 1), normal((3, 5), 2, np.float64)
        sp = ds.DataNormSparsifier(data_list=[("a", a)], sparsity_level=0.5, norm="L2")
        sp.add_data("b", b, sparse_block_shape=(1, 1))
        self.assertEqual(sp.defaults, {"sparsity_level": 0.5, "sparse_block_shape": (1, 4)})
        self.assertEqual(dict(sp.data_groups["a"]), {"sparsity_level": 0.5, "sparse_block_shape": (1, 4),
                                                     "zeros_per_block": 4})
        self.assertEqual(sp.data_groups["b"]["zeros_per_block"], 1)     # in effect: its own block
        self.assertEqual(list(sp.data_groups), ["a", "b"])
        self.assertIs(sp.get_data("a"), a)
        sp.step()
        self.assertEqual(sorted(sp.state["a"]), ["mask"])
        np.testing.assert_array_equal(sp.state["a"]["mask"], sp.get_mask("a"))
        self.assertEqual(float((sp.get_mask("b") == 0).mean()), 8 / 15)   # round(7.5) = 8 of 15
        # data_groups is live, both ways.
        sp.data_groups["a"]["sparsity_level"] = 0.25
        self.assertEqual(sp.get_param("a", "sparsity_level"), 0.25)
        sp.data_groups["a"]["sparse_block_shape"] = (2, 2)
        self.assertEqual((sp.get_param("a", "block_rows"), sp.get_param("a", "block_cols")), (2.0, 2.0))
        with self.assertRaises(ValueError):
            sp.data_groups["a"]["zeros_per_block"] = 5
        # Unknown names: a KeyError and the ValueError PyTorch raises.
        for call in (lambda: sp.get_data("zz"), lambda: sp.get_mask("zz")):
            with self.assertRaises(ds.NotFoundError) as cm:
                call()
            self.assertIsInstance(cm.exception, KeyError)
            self.assertIsInstance(cm.exception, ValueError)
            self.assertIn("'zz'", str(cm.exception))
        with self.assertRaisesRegex(ValueError, "'mask' is not supported"):
            sp.add_data("c", normal((2, 4)), mask=np.ones((2, 4)))
        with self.assertRaisesRegex(TypeError, "sparsity_level"):
            sp.add_data("c", normal((2, 4)), sparsity_level="high")
        self.assertNotIn("c", sp)

    def test_replacing_keeps_config_and_mask_but_not_state(self):
        sp = FirstRowSparsifier(data_list=[("w", normal((3, 4)))], test=3)
        sp.step()
        self.assertEqual(sp.state["w"]["calls"], 1)
        mask = sp.get_mask("w")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ds.DatasparseWarning)
            sp.add_data("w", normal((3, 4), 5), test=4)
        self.assertIn("replacing data 'w'", str(caught[0].message))
        np.testing.assert_array_equal(sp.get_mask("w"), mask)           # reuse_mask=True
        self.assertEqual(sorted(sp.state["w"]), ["mask"])               # state dropped, as PyTorch's
        self.assertEqual(dict(sp.data_groups["w"]), {"test": 4.0})
        self.assertEqual(sp.seen["w"][1], {"test": 3.0})

    def test_a_custom_sparsifier_copies_what_it_cannot_read_and_writes_back(self):
        x = normal((3, 8), 3, np.float64)
        sp = FirstRowSparsifier()
        with self.assertWarnsRegex(ds.DatasparseWarning, "'x' is copied: a custom sparsifier's update_mask "
                                                         "reads contiguous float32 data, and this is float64"):
            sp.add_data("x", x)
        x[1, :] = 7.0
        sp.step()
        self.assertIs(sp.seen["x"][0], x)                               # update_mask gets the data itself
        np.testing.assert_array_equal(sp.get_data("x", return_original=False)[1], np.full(8, 7.0))
        sp.squash_mask()
        self.assertFalse(x[0].any())
        self.assertTrue((x[1] == 7.0).all())

    def test_a_failing_update_mask_changes_nothing(self):
        class Failing(ds.BaseDataSparsifier):
            def update_mask(self, name, data, **config):
                self.get_mask(name)[:] = 0
                if name == "b":
                    raise ArithmeticError("no mask for b")

        sp = Failing(data_list=[("a", normal((2, 4))), ("b", normal((2, 4), 1))])
        with self.assertRaises(ds.CallbackError) as cm:
            sp.step()
        self.assertIsInstance(cm.exception.__cause__, ArithmeticError)
        self.assertTrue(sp.get_mask("a").all())

    def test_scheduler_steps_are_all_or_nothing(self):
        class Halving(ds.BaseDataScheduler):
            fail = False

            def get_schedule_param(self):
                if self.fail:
                    raise RuntimeError("schedule broke")
                if self.last_epoch == 0:
                    return self.base_param
                return {n: c["sparsity_level"] / 2 for n, c in self.data_sparsifier.data_groups.items()}

        sp = ds.DataNormSparsifier(data_list=[("a", normal((4, 4))), ("b", normal((4, 4), 1))],
                                   sparsity_level=0.8)
        scheduler = Halving(sp, "sparsity_level")
        self.assertEqual((scheduler.last_epoch, scheduler._step_count), (0, 1))
        self.assertEqual(scheduler.base_param, {"a": 0.8, "b": 0.8})
        sp.step()
        scheduler.step()
        self.assertEqual(scheduler.get_last_param(), {"a": 0.4, "b": 0.4})
        scheduler.fail = True
        with self.assertRaises(ds.CallbackError) as cm:
            scheduler.step()
        self.assertEqual(str(cm.exception.__cause__), "schedule broke")
        self.assertEqual((scheduler.last_epoch, scheduler._step_count), (1, 2))
        self.assertEqual(sp.data_groups["a"]["sparsity_level"], 0.4)
        state = scheduler.state_dict()
        self.assertEqual(state["last_epoch"], 1)
        with self.assertRaises(TypeError):
            Halving(object(), "sparsity_level")

    def test_state_dict_not_strict_keeps_other_items(self):
        src = ds.DataNormSparsifier(data_list=[("a", normal((4, 8), 1))])
        src.step()
        dst = ds.DataNormSparsifier(data_list=[("own", normal((2, 4), 2))])
        dst.load_state_dict(src.state_dict(), strict=False)
        self.assertEqual(sorted(dst.names()), ["a", "own"])
        np.testing.assert_array_equal(dst.get_mask("a"), src.get_mask("a"))
        dst.load_state_dict(src.state_dict())                           # strict: only the dict's items
        self.assertEqual(dst.names(), ["a"])
        # The byte format is still there.
        raw = src.save_to_bytes()
        self.assertTrue(raw.startswith(b"DSSPARS"))


@unittest.skipIf(TORCH_MISSING is not None, TORCH_MISSING)
class TorchInteropTest(unittest.TestCase):
    def test_pytorchs_own_state_dict_loads_into_ours(self):
        torch.manual_seed(1)
        data = {"emb": torch.nn.Embedding(12, 8), "w": torch.randn(6, 6)}
        theirs = TorchNormSparsifier(sparsity_level=0.6, sparse_block_shape=(2, 2), norm="L2")
        for name, d in data.items():
            theirs.add_data(name, d)
        theirs.step()
        theirs.squash_mask(names=["w"])
        ours = ds.DataNormSparsifier(norm="L2")                        # a state dict has no norm
        ours.load_state_dict(theirs.state_dict())
        self.assertEqual(ours.names(), ["emb", "w"])
        self.assertTrue(torch.equal(ours.get_mask("emb").to(torch.int8), theirs.get_mask("emb")))
        self.assertTrue(ours.is_squashed("w"))
        self.assertEqual(dict(ours.data_groups["emb"]), theirs.data_groups["emb"])
        # ... and steps to the same mask from the same data (PyTorch's own step() fails once an
        # item is squashed: "mask squashed - original mask value does not exist").
        ours.step()
        self.assertTrue(torch.equal(ours.get_mask("emb").to(torch.int8), theirs.get_mask("emb")))


if __name__ == "__main__":
    unittest.main()
