"""Tests of the Python binding (unittest): the seed's flow, zero-copy data,
Python schedules and sparsifiers (directors), exceptions from callbacks,
garbage-collection survival, error mapping, built-in schedules, state."""
import gc
import logging
import os
import tempfile
import threading
import unittest
import warnings
import weakref

import numpy as np

import datasparse as ds


def rng(seed=0):
    return np.random.default_rng(seed)


def normal(shape, seed=0):
    return rng(seed).standard_normal(shape, dtype=np.float32)


def expected_sparsity(level, rows, cols, block=(1, 4), zeros_per_block=None):
    """Fraction of zeros when round-half-even(level * blocks) full blocks are zeroed."""
    br, bc = block
    nbr, nbc = -(-rows // br), -(-cols // bc)
    k = round(min(max(level, 0.0), 1.0) * nbr * nbc)
    if zeros_per_block is None:
        zeros_per_block = br * bc
    assert rows % br == 0 and cols % bc == 0, "whole blocks only"
    return k * zeros_per_block / (rows * cols)


class Gamma(ds.Schedule):
    """The seed's GammaScheduler: the base value at epoch 0, then current * gamma, capped."""

    def __init__(self, gamma, threshold):
        super().__init__()
        self.gamma, self.threshold = gamma, threshold
        self.calls = 0

    def compute(self, name, epoch, base, current):
        self.calls += 1
        return base if epoch == 0 else min(self.threshold, current * self.gamma)


class ThresholdSparsifier(ds.DataSparsifier):
    """Zeroes the elements with |x| < config["threshold"]."""

    def __init__(self, **defaults):
        super().__init__(defaults)
        self.seen = []

    def update_mask(self, name, data, config, mask):
        self.seen.append((name, data.shape, mask.shape, dict(config)))
        mask[...] = np.abs(data) >= config["threshold"]


# The library's replace warnings are asserted where they matter, silenced elsewhere.
warnings.filterwarnings("ignore", category=ds.DatasparseWarning)


class SeedFlowTest(unittest.TestCase):
    def test_training_loop_with_python_gamma_schedule(self):
        rows, cols = 32, 64
        sparsifier = ds.DataNormSparsifier("L2", {"sparsity_level": 0.1})
        first = normal((rows, cols))
        sparsifier.add_data("train_data", first)
        gamma = Gamma(2.0, 0.8)
        scheduler = ds.DataScheduler(sparsifier, "sparsity_level", gamma)
        levels = []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ds.DatasparseWarning)
            for epoch in range(5):
                for batch in range(3):
                    data = normal((rows, cols), seed=100 * epoch + batch)
                    returned = sparsifier.add_data("train_data", data)
                    self.assertIs(returned, data)
                    sparsifier.step()
                level = sparsifier.get_param("train_data", "sparsity_level")
                levels.append(level)
                self.assertAlmostEqual(sparsifier.get_sparsity("train_data"), expected_sparsity(level, rows, cols))
                mask = sparsifier.get_mask("train_data")
                self.assertEqual(mask.shape, (rows, cols))
                self.assertEqual(mask.dtype, np.uint8)
                self.assertAlmostEqual(1.0 - mask.mean(), expected_sparsity(level, rows, cols))
                scheduler.step()
        np.testing.assert_allclose(levels, [0.1, 0.2, 0.4, 0.8, 0.8])
        self.assertEqual(scheduler.last_epoch(), 5)
        self.assertGreaterEqual(gamma.calls, 6)
        # Re-adding a batch under the same name warns, as PyTorch does; attributed to this file.
        replaced = [w for w in caught if issubclass(w.category, ds.DatasparseWarning)]
        self.assertEqual(len(replaced), 15)
        self.assertIn("train_data", str(replaced[0].message))
        self.assertEqual(os.path.basename(replaced[0].filename), os.path.basename(__file__))

    def test_callable_schedule_and_kwargs(self):
        with ds.DataNormSparsifier(norm=ds.Norm.L1, sparsity_level=0.25) as sp:
            sp.add_data("a", normal((4, 8)))
            with ds.DataScheduler(sp, schedule_param="sparsity_level",
                                  schedule=lambda name, epoch, base, current: base + 0.125 * epoch,
                                  last_epoch=-1) as sch:
                self.assertIs(sch.sparsifier, sp)
                for _ in range(3):
                    sp.step()
                    sch.step()
                self.assertAlmostEqual(sch.get_last_param("a"), 0.625)
                self.assertEqual(sch.get_base_param(), {"a": 0.25})
                self.assertEqual(sch.names(), ["a"])
                self.assertEqual(sch.schedule_param(), "sparsity_level")
                self.assertEqual(sch.step_count(), 4)


class ZeroCopyTest(unittest.TestCase):
    def test_changes_to_the_array_are_seen_by_the_next_step(self):
        x = np.ones((2, 8), dtype=np.float32)
        with ds.DataNormSparsifier("L1", sparsity_level=0.5, block_cols=4) as sp:
            sp.add_data("w", x)
            x[0, :4] = 0.1          # first block now smallest
            x[1, 4:] = 0.2
            sp.step()
            np.testing.assert_array_equal(sp.get_mask("w"), [[0, 0, 0, 0, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0, 0, 0]])
            x[...] = 5.0
            x[1, :4] = 0.0
            x[0, 4:] = 0.0
            sp.step()
            np.testing.assert_array_equal(sp.get_mask("w"), [[1, 1, 1, 1, 0, 0, 0, 0], [0, 0, 0, 0, 1, 1, 1, 1]])
            # get_data: data * mask, or the caller's data.
            np.testing.assert_array_equal(sp.get_data("w", original=True), x)
            np.testing.assert_array_equal(sp.get_data("w"), x * sp.get_mask("w"))

    def test_squash_writes_into_the_callers_array(self):
        x = normal((8, 8))
        before = x.copy()
        with ds.DataNormSparsifier("L2", sparsity_level=0.5) as sp:
            sp.add_data("w", x)
            sp.step()
            mask = sp.get_mask("w")
            sp.squash_mask()
            np.testing.assert_array_equal(x, before * mask)
            self.assertTrue(sp.is_squashed("w"))
            with self.assertRaises(ds.StateError):
                sp.get_mask("w")
            # After a squash the data is only there as it now is (the original: a ValueError, as in PyTorch).
            np.testing.assert_array_equal(sp.get_data("w", return_original=False), x)
            with self.assertRaises(ValueError):
                sp.get_data("w")

    def test_squash_without_leaving_parametrized_and_by_name(self):
        x, y = normal((4, 8), 1), normal((4, 8), 2)
        x0, y0 = x.copy(), y.copy()
        with ds.DataNormSparsifier() as sp:
            sp.add_data("x", x)
            sp.add_data("y", y)
            sp.step()
            ymask = sp.get_mask("y")
            sp.squash_mask("x", leave_parametrized=False)
            np.testing.assert_array_equal(x, x0)
            self.assertTrue(sp.is_squashed("x"))
            self.assertFalse(sp.is_squashed("y"))
            sp.squash_mask(["y"])
            np.testing.assert_array_equal(y, y0 * ymask)
            with self.assertRaises(KeyError):
                sp.squash_mask(["y", "nope"])

    def test_an_empty_list_of_names_squashes_nothing(self):
        x = normal((4, 8), 3)
        x0 = x.copy()
        with ds.DataNormSparsifier(sparsity_level=0.5) as sp:
            sp.add_data("x", x)
            sp.step()
            sp.squash_mask([])                  # no names: nothing (None is every item)
            np.testing.assert_array_equal(x, x0)
            self.assertFalse(sp.is_squashed("x"))

    def test_replacing_data_keeps_config_and_optionally_the_mask(self):
        with ds.DataNormSparsifier(sparsity_level=0.5) as sp:
            sp.add_data("w", normal((4, 8), 1))
            sp.step()
            mask = sp.get_mask("w")
            self.assertFalse(mask.all())
            sp.add_data("w", normal((4, 8), 2), reuse_mask=True)
            np.testing.assert_array_equal(sp.get_mask("w"), mask)
            sp.set_param("w", "sparsity_level", 0.25)
            sp.add_data("w", normal((4, 8), 3), reuse_mask=False, block_cols=2)
            self.assertTrue(sp.get_mask("w").all())            # reset without reuse_mask
            sp.step()
            mask = sp.get_mask("w")
            sp.add_data("w", normal((4, 8), 4))                # reuse_mask=True by default, as in PyTorch
            np.testing.assert_array_equal(sp.get_mask("w"), mask)
            self.assertEqual(sp.get_param("w", "sparsity_level"), 0.25)
            self.assertEqual(sp.get_param("w", "block_cols"), 2.0)

    def test_one_dimensional_data_keeps_its_shape(self):
        x = normal(40)
        with ds.DataNormSparsifier(sparsity_level=0.5, block_cols=4) as sp:
            sp.add_data("v", x)
            self.assertEqual((sp.rows("v"), sp.cols("v")), (1, 40))
            self.assertEqual(sp.shape("v"), (40,))
            sp.step()
            mask = sp.get_mask("v")
            self.assertEqual(mask.shape, (40,))
            self.assertEqual(int((mask == 0).sum()), 20)
            self.assertEqual(sp.get_data("v").shape, (40,))

    def test_the_sparsifier_keeps_the_array_alive_while_registered(self):
        sp = ds.DataNormSparsifier()
        x = normal((4, 8))
        ref = weakref.ref(x)
        sp.add_data("w", x)
        del x
        gc.collect()
        self.assertIsNotNone(ref())
        sp.step()
        sp.remove_data("w")
        gc.collect()
        self.assertIsNone(ref())
        y = normal((4, 8))
        ref = weakref.ref(y)
        sp.add_data("w", y)
        del y
        sp.add_data("w", normal((4, 8)))      # replaced: the old array is released
        gc.collect()
        self.assertIsNone(ref())
        sp.close()

    def test_what_cannot_be_borrowed_is_copied_with_a_warning_or_refused(self):
        def added_with_warning(sp, name, data):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", ds.DatasparseWarning)
                sp.add_data(name, data)
            self.assertEqual(len(caught), 1, [str(w.message) for w in caught])
            self.assertIn("is copied", str(caught[0].message))
            return str(caught[0].message)

        with ds.DataNormSparsifier() as sp:
            self.assertIn("int32", added_with_warning(sp, "i", np.ones((4, 4), dtype=np.int32)))
            self.assertIn("strides", added_with_warning(sp, "s", np.ones((4, 8), dtype=np.float32)[:, ::2]))
            self.assertIn("strides", added_with_warning(sp, "f", np.asfortranarray(np.ones((4, 8), np.float32))))
            ro = np.ones((4, 4), dtype=np.float32)
            ro.flags.writeable = False
            self.assertIn("read-only", added_with_warning(sp, "r", ro))
            self.assertIn(">f4", added_with_warning(sp, "b", np.ones(4, dtype=">f4")))
            with self.assertRaisesRegex(TypeError, "add_data_copy"):
                sp.add_data("a", [[1.0, 2.0], [3.0, 4.0]])
            with self.assertRaisesRegex(ValueError, "empty"):
                sp.add_data("a", np.ones((0, 4), dtype=np.float32))
            with self.assertRaisesRegex(ValueError, "scalar"):
                sp.add_data("a", np.array(1.0, dtype=np.float32))
            with self.assertRaises(ValueError):
                sp.add_data("a.b", np.ones(4, dtype=np.float32))        # '.' in a name
            self.assertEqual(sorted(sp.names()), ["b", "f", "i", "r", "s"])
            # A copy is refreshed at each step and squash writes back into the caller's array.
            x = np.arange(32, dtype=np.float32).reshape(4, 8)
            added_with_warning(sp, "x", x[:, ::2])
            x[0, :] = 0.0
            sp.step()
            self.assertEqual(float(sp.get_data("x", return_original=False)[0].sum()), 0.0)
            sp.squash_mask(names=["x"])
            self.assertEqual(int((x[:, ::2] == 0).sum()), 8)           # 2 of 4 rows (1x4 blocks), level 0.5
            np.testing.assert_array_equal(x[:, 1::2], np.arange(32, dtype=np.float32).reshape(4, 8)[:, 1::2] *
                                          (np.arange(4) > 0)[:, None])

    def test_a_buffer_smaller_than_rows_times_cols_is_rejected(self):
        with ds.DataNormSparsifier() as sp:
            small = np.ones(10, dtype=np.float32)
            with self.assertRaisesRegex(ValueError, "fewer than rows\\*cols") as cm:
                sp._add_data_borrowed("a", small, 3, 4)
            self.assertIsInstance(cm.exception, ds.InvalidArgumentError)
            with self.assertRaisesRegex(ValueError, "fewer than rows\\*cols"):
                sp._add_data_copy("a", small, 4, 4)
            self.assertNotIn("a", sp)
            sp.add_data("a", np.ones((3, 4), dtype=np.float32))
            with self.assertRaises(ValueError):
                sp._get_mask_into("a", np.empty(5, dtype=np.uint8))
            with self.assertRaisesRegex(TypeError, "uint8"):
                sp._get_mask_into("a", np.empty(12, dtype=np.int64))

    def test_copy_overload_does_not_alias(self):
        x = normal((4, 8))
        with ds.DataNormSparsifier(sparsity_level=0.5) as sp:
            sp.add_data_copy("w", x)
            sp.add_data_copy("list", [[1.0, -2.0, 3.0, 0.5]] * 2)       # any array-like
            sp.add_data_copy("f64", x.astype(np.float64).T)             # converted, copied
            sp.step()
            before = x.copy()
            sp.squash_mask()
            np.testing.assert_array_equal(x, before)                    # the copy was squashed
            self.assertEqual(sp.shape("f64"), (8, 4))

    def test_torch_tensors_are_borrowed_too(self):
        try:
            import torch
        except ImportError:
            self.skipTest("torch is not installed")
        t = torch.ones((2, 8), dtype=torch.float32)
        with ds.DataNormSparsifier(sparsity_level=0.5) as sp:
            self.assertIs(sp.add_data("t", t), t)
            t[0, :4] = 0.0
            sp.step()
            sp.squash_mask()
        # Blocks (1x4) of means 0, 1, 1, 1: the first two (ties: lower index first) were zeroed in t.
        self.assertEqual(float(t[0].abs().sum()), 0.0)
        self.assertEqual(float(t[1].sum()), 8.0)


class PythonSparsifierTest(unittest.TestCase):
    def test_update_mask_written_in_python(self):
        sp = ThresholdSparsifier(threshold=0.5)
        x = np.array([[0.1, -0.7, 0.4, 2.0], [-0.2, 0.6, -0.55, 0.0]], dtype=np.float32)
        v = np.array([0.9, 0.1, -0.3], dtype=np.float32)
        sp.add_data("x", x)
        sp.add_data("v", v, threshold=0.2)
        sp.step()
        np.testing.assert_array_equal(sp.get_mask("x"), np.abs(x) >= 0.5)
        np.testing.assert_array_equal(sp.get_mask("v"), [1, 0, 1])
        self.assertEqual(sp.seen[0], ("x", (2, 4), (2, 4), {"threshold": 0.5}))
        self.assertEqual(sp.seen[1], ("v", (3,), (3,), {"threshold": 0.2}))
        self.assertEqual(sp.step_count(), 1)
        sp.squash_mask()
        np.testing.assert_array_equal(x, np.where(np.abs(x) >= 0.5, x, 0))
        sp.close()

    def test_update_mask_may_return_a_new_mask(self):
        class Halves(ds.DataSparsifier):
            def update_mask(self, name, data, config, mask):
                self.readonly = not data.flags.writeable
                return np.arange(data.size).reshape(data.shape) % 2 == 0   # a bool array

        with Halves() as sp:
            sp.add_data("x", normal((2, 3)))
            sp.step()
            self.assertTrue(sp.readonly)
            np.testing.assert_array_equal(sp.get_mask("x"), [[1, 0, 1], [0, 1, 0]])

    def test_exception_in_update_mask_fails_the_step_and_changes_nothing(self):
        class Failing(ThresholdSparsifier):
            fail = False

            def update_mask(self, name, data, config, mask):
                if self.fail and name == "b":
                    raise ZeroDivisionError("no mask for b")
                super().update_mask(name, data, config, mask)

        sp = Failing(threshold=0.5)
        a, b = normal((4, 4), 1), normal((4, 4), 2)
        sp.add_data("a", a)
        sp.add_data("b", b)
        sp.step()
        masks = {n: sp.get_mask(n) for n in ("a", "b")}
        a[...] = 10.0         # would change a's mask
        sp.fail = True
        with self.assertRaises(ds.CallbackError) as cm:
            sp.step()
        err = cm.exception
        self.assertIsInstance(err, RuntimeError)
        self.assertIn("ZeroDivisionError: no mask for b", str(err))
        self.assertIsInstance(err.__cause__, ZeroDivisionError)
        self.assertEqual(str(err.__cause__), "no mask for b")
        self.assertIsNotNone(err.__cause__.__traceback__)
        self.assertEqual(err.status, ds.Status.CALLBACK)
        self.assertEqual(err.status_name, "DS_ERR_CALLBACK")
        for n in ("a", "b"):
            np.testing.assert_array_equal(sp.get_mask(n), masks[n])
        self.assertEqual(sp.step_count(), 1)
        sp.fail = False
        sp.step()
        self.assertTrue(sp.get_mask("a").all())

    def test_bad_masks_from_python_fail_the_step(self):
        class Twos(ds.DataSparsifier):
            def update_mask(self, name, data, config, mask):
                mask[0] = 2

        class WrongSize(ds.DataSparsifier):
            def update_mask(self, name, data, config, mask):
                return np.ones(3)

        for cls, text in ((Twos, "0 or 1"), (WrongSize, "expected 8")):
            with cls() as sp:
                sp.add_data("x", normal(8))
                with self.assertRaisesRegex(ds.CallbackError, text):
                    sp.step()
                self.assertTrue(sp.get_mask("x").all())

    def test_methods_must_be_overridden(self):
        class Lazy(ds.DataSparsifier):
            pass

        class LazySchedule(ds.Schedule):
            pass

        sp = ds.DataNormSparsifier()
        sp.add_data("x", normal(4))
        with self.assertRaisesRegex(ds.CallbackError, "NotImplementedError: LazySchedule must override compute"):
            ds.DataScheduler(sp, "sparsity_level", LazySchedule())
        for abstract in (ds.Schedule, ds.LambdaFactor):
            with self.assertRaisesRegex(TypeError, "abstract"):
                abstract()

        with Lazy() as sp:
            sp.add_data("x", normal(4))
            with self.assertRaisesRegex(ds.CallbackError, "NotImplementedError") as cm:
                sp.step()
            self.assertIsInstance(cm.exception.__cause__, NotImplementedError)
        with self.assertRaises(TypeError):
            ds.DataSparsifier()          # abstract

    def test_scheduler_drives_a_python_sparsifier(self):
        sp = ThresholdSparsifier(threshold=0.1)
        sp.add_data("x", normal((4, 4)))
        sch = ds.DataScheduler(sp, "threshold", lambda name, epoch, base, current: base * (epoch + 1))
        for epoch in range(3):
            sp.step()
            self.assertAlmostEqual(sp.seen[-1][3]["threshold"], 0.1 * (epoch + 1))
            sch.step()


class CallbackExceptionTest(unittest.TestCase):
    def make(self):
        sp = ds.DataNormSparsifier("L1", sparsity_level=0.3)
        self.x, self.y = normal((8, 8), 1), normal((8, 8), 2)
        sp.add_data("x", self.x)
        sp.add_data("y", self.y)
        return sp

    def test_exception_in_compute_reaches_step_and_changes_nothing(self):
        class Flaky(ds.Schedule):
            fail_at = 3

            def compute(self, name, epoch, base, current):
                if epoch == self.fail_at and name == "y":
                    raise ValueError("schedule exploded at epoch %d" % epoch)
                return min(1.0, current + 0.1)

        sp = self.make()
        sch = ds.DataScheduler(sp, "sparsity_level", Flaky())
        for _ in range(2):
            sp.step()
            sch.step()
        sp.step()
        state = (sch.last_epoch(), sch.step_count(), sch.get_last_param(),
                 {n: sp.get_param(n, "sparsity_level") for n in sp}, {n: sp.get_mask(n) for n in sp})
        with self.assertRaises(ds.CallbackError) as cm:
            sch.step()
        err = cm.exception
        self.assertIn("ValueError: schedule exploded at epoch 3", str(err))
        self.assertIsInstance(err.__cause__, ValueError)
        self.assertTrue(err.__suppress_context__)
        after = (sch.last_epoch(), sch.step_count(), sch.get_last_param(),
                 {n: sp.get_param(n, "sparsity_level") for n in sp}, {n: sp.get_mask(n) for n in sp})
        self.assertEqual(after[:4], state[:4])
        for n in state[4]:
            np.testing.assert_array_equal(after[4][n], state[4][n])
        # It recovers once the schedule does.
        sch.schedule.fail_at = -1
        sch.step()
        self.assertEqual(sch.last_epoch(), state[0] + 1)

    def test_exception_in_the_first_step_fails_the_constructor(self):
        class Broken(ds.Schedule):
            def compute(self, name, epoch, base, current):
                raise KeyError("missing")

        sp = self.make()
        with self.assertRaisesRegex(ds.CallbackError, "KeyError") as cm:
            ds.DataScheduler(sp, "sparsity_level", Broken())
        self.assertIsInstance(cm.exception.__cause__, KeyError)
        self.assertAlmostEqual(sp.get_param("x", "sparsity_level"), 0.3)

    def test_a_wrong_return_value_is_a_callback_error(self):
        sp = self.make()
        with self.assertRaisesRegex(ds.CallbackError, "TypeError") as cm:
            ds.DataScheduler(sp, "sparsity_level", lambda *args: "half")
        self.assertIsInstance(cm.exception.__cause__, TypeError)
        with self.assertRaisesRegex(ds.CallbackError, "nan"):
            ds.DataScheduler(sp, "sparsity_level", lambda *args: float("nan"))
        # numpy scalars are fine
        sch = ds.DataScheduler(sp, "sparsity_level", lambda *args: np.float32(0.25))
        self.assertEqual(sch.get_last_param("x"), 0.25)

    def test_exception_in_a_lambda_factor(self):
        def factor(epoch):
            if epoch == 2:
                raise ArithmeticError("factor %d" % epoch)
            return 1.0 / (epoch + 1)

        sp = self.make()
        sch = ds.DataScheduler(sp, "sparsity_level", ds.BuiltinSchedule.lambda_(factor))
        sp.step()
        sch.step()
        sp.step()
        with self.assertRaisesRegex(ds.CallbackError, "ArithmeticError: factor 2") as cm:
            sch.step()
        self.assertIsInstance(cm.exception.__cause__, ArithmeticError)
        self.assertEqual(sch.last_epoch(), 1)

    def test_the_error_indicator_is_clean_after_a_callback_error(self):
        sp = self.make()
        for _ in range(3):
            with self.assertRaises(ds.CallbackError):
                ds.DataScheduler(sp, "sparsity_level", lambda *a: 1 / 0)
            sp.step()      # works: nothing left over
        self.assertEqual(sp.step_count(), 3)


class CloseInsideCallbackTest(unittest.TestCase):
    """Closing a handle from inside its own callback: the running call raises
    StateError, nothing crashes, and the handle is closed afterwards."""

    def test_close_inside_update_mask(self):
        class Closing(ds.DataSparsifier):
            def update_mask(self, name, data, config, mask):
                self.close()
                mask[...] = 0          # the views stay valid for the rest of the callback
        sp = Closing()
        a, b = normal((4, 4)), normal((2, 8))
        sp.add_data("a", a)
        sp.add_data("b", b)
        with self.assertRaises(ds.StateError) as cm:
            sp.step()
        self.assertIn("closed", str(cm.exception))
        self.assertTrue(sp.closed)
        gc.collect()
        a += 1                          # the arrays are the caller's again

    def test_close_scheduler_inside_compute(self):
        sp = ds.DataNormSparsifier(sparsity_level=0.1)
        sp.add_data("w", normal((8, 8)))
        holder = {}

        class Closing(ds.Schedule):
            def compute(self, name, epoch, base, current):
                if "sch" in holder:
                    holder.pop("sch").close()
                return base
        sch = ds.DataScheduler(sp, "sparsity_level", Closing())
        sp.step()
        holder["sch"] = sch
        with self.assertRaises(ds.StateError):
            sch.step()
        self.assertTrue(sch.closed)
        gc.collect()
        sp.step()

    def test_close_sparsifier_inside_compute(self):
        sp = ds.DataNormSparsifier(sparsity_level=0.1)
        sp.add_data("w", normal((8, 8)))
        armed = []

        class Closing(ds.Schedule):
            def compute(self, name, epoch, base, current):
                if armed:
                    armed.pop()
                    sp.close()
                return base
        sch = ds.DataScheduler(sp, "sparsity_level", Closing())
        sp.step()
        armed.append(1)
        with self.assertRaises(ds.StateError):
            sch.step()
        self.assertTrue(sp.closed)
        with self.assertRaises(ds.StateError):
            sch.step()


class GarbageCollectionTest(unittest.TestCase):
    def test_schedule_survives_gc_while_registered(self):
        sp = ds.DataNormSparsifier(sparsity_level=0.1)
        sp.add_data("w", normal((8, 8)))
        sch = ds.DataScheduler(sp, "sparsity_level", Gamma(2.0, 0.8))   # only the scheduler holds it
        values = []
        for _ in range(4):
            gc.collect()
            sp.step()
            sch.step()
            gc.collect()
            values.append(sch.get_last_param("w"))
        np.testing.assert_allclose(values, [0.2, 0.4, 0.8, 0.8])

    def test_lambda_factor_and_sparsifier_survive_gc(self):
        class Half(ds.LambdaFactor):
            def factor(self, epoch):
                return 0.5 ** epoch

        def make():
            sp = ThresholdSparsifier(threshold=0.8)
            sp.add_data("w", normal((8, 8)))
            return ds.DataScheduler(sp, "threshold", ds.BuiltinSchedule.lambda_(Half()))

        sch = make()      # the scheduler is all that is left: it keeps sparsifier, schedule and factor
        values = []
        for _ in range(3):
            gc.collect()
            sch.sparsifier.step()
            sch.step()
            values.append(sch.get_last_param("w"))
        np.testing.assert_allclose(values, [0.4, 0.2, 0.1])
        sp = weakref.ref(sch.sparsifier)
        sch.close()
        gc.collect()
        self.assertIsNone(sp())   # closing the scheduler lets the sparsifier go

    def test_schedule_is_released_with_its_scheduler(self):
        sp = ds.DataNormSparsifier()
        sp.add_data("w", normal((4, 4)))
        g = Gamma(1.5, 0.9)
        ref = weakref.ref(g)
        sch = ds.DataScheduler(sp, "sparsity_level", g)
        del g, sch
        gc.collect()
        self.assertIsNone(ref())

    def test_sparsifier_closed_under_its_scheduler(self):
        sp = ds.DataNormSparsifier()
        sp.add_data("w", normal((4, 4)))
        sch = ds.DataScheduler(sp, "sparsity_level", ds.BuiltinSchedule.gamma(2.0, 1.0))
        sp.close()
        with self.assertRaises(ds.StateError):
            sch.step()

    def test_forgetting_super_init_is_a_clear_error(self):
        class NoInit(ds.Schedule):
            def __init__(self):
                pass

            def compute(self, *args):
                return 0.5

        class NoInitSparsifier(ds.DataSparsifier):
            def __init__(self):
                pass

        sp = ds.DataNormSparsifier()
        with self.assertRaisesRegex(TypeError, "super\\(\\).__init__"):
            ds.DataScheduler(sp, "sparsity_level", NoInit())
        with self.assertRaisesRegex(TypeError, "NoInitSparsifier.*super\\(\\).__init__"):
            NoInitSparsifier().add_data("x", normal(4))


class ErrorMappingTest(unittest.TestCase):
    def test_statuses_map_to_builtin_exceptions(self):
        sp = ds.DataNormSparsifier()
        x = normal((4, 8))
        sp.add_data("w", x)
        cases = [
            (lambda: sp.get_mask("nope"), ds.NotFoundError, KeyError, ds.Status.NOT_FOUND),
            (lambda: sp.set_param("w", "sparsity_level", float("nan")), ds.InvalidArgumentError, ValueError,
             ds.Status.INVALID_ARGUMENT),
            (lambda: sp.add_data("w", normal((2, 2)), reuse_mask=True), ds.ShapeError, ValueError, ds.Status.SHAPE),
            (lambda: sp.load_from_bytes(b"not a state at all"), ds.CorruptError, ValueError, ds.Status.CORRUPT),
            (lambda: sp.load(os.path.join(tempfile.gettempdir(), "no", "such", "state.ds")), ds.FileError, OSError,
             ds.Status.IO),
        ]
        for call, cls, builtin, status in cases:
            with self.subTest(cls=cls.__name__):
                with self.assertRaises(builtin) as cm:
                    call()
                err = cm.exception
                self.assertIsInstance(err, cls)
                self.assertIsInstance(err, ds.DatasparseError)
                self.assertEqual(err.status, status)
                self.assertEqual(err.status_name, "DS_ERR_" + status.name)
                self.assertTrue(str(err).startswith("DS_ERR_" + status.name + ": "), str(err))
        sp.step()
        sp.squash_mask()
        with self.assertRaises(RuntimeError) as cm:
            sp.get_mask("w")                       # no mask after a squash
        self.assertIsInstance(cm.exception, ds.StateError)
        sp.close()
        with self.assertRaisesRegex(ds.StateError, "closed"):
            sp.step()

    def test_messages_name_the_problem(self):
        with ds.DataNormSparsifier() as sp:
            sp.add_data("layer1", normal((4, 4)))
            with self.assertRaisesRegex(ValueError, "zeros_per_block") as cm:
                sp.set_param("layer1", "zeros_per_block", 5)
            self.assertIn("layer1", str(cm.exception))
            with self.assertRaises(KeyError) as cm:
                sp.get_param("layer1", "no_such_key")
            self.assertIn("no_such_key", str(cm.exception))
            self.assertFalse(str(cm.exception).startswith("'"))   # not KeyError's repr quoting

    def test_argument_errors(self):
        with self.assertRaisesRegex(ValueError, "L1"):
            ds.DataNormSparsifier("L3")
        with self.assertRaises(TypeError):
            ds.DataNormSparsifier(1.5)
        with self.assertRaisesRegex(ValueError, "Norm"):
            ds.DataNormSparsifier(7)
        with self.assertRaisesRegex(TypeError, "config"):
            ds.DataNormSparsifier("L1", [("sparsity_level", 0.5)])
        with self.assertRaisesRegex(TypeError, "number"):
            ds.DataNormSparsifier("L1", {"sparsity_level": "high"})
        with self.assertRaises(ValueError):
            ds.DataNormSparsifier("L1", {"sparsity_level": float("inf")})
        with self.assertRaisesRegex(ds.InvalidArgumentError, "schedule"):
            ds.DataScheduler(ds.DataNormSparsifier(), "sparsity_level", 42)
        with self.assertRaises(TypeError):
            ds.DataScheduler("not a sparsifier", "sparsity_level", ds.BuiltinSchedule.gamma(1, 1))


class ConfigTest(unittest.TestCase):
    def test_config_is_dict_like(self):
        c = ds.Config({"sparsity_level": 0.5}, block_cols=8)
        self.assertEqual(len(c), 2)
        self.assertEqual(c["block_cols"], 8.0)
        c["zeros_per_block"] = np.int64(2)
        self.assertIn("zeros_per_block", c)
        self.assertNotIn(3, c)
        self.assertEqual(list(c), ["block_cols", "sparsity_level", "zeros_per_block"])
        self.assertEqual(c.get("nope", 1.5), 1.5)
        del c["block_cols"]
        self.assertEqual(c.to_dict(), {"sparsity_level": 0.5, "zeros_per_block": 2.0})
        self.assertEqual(c, {"sparsity_level": 0.5, "zeros_per_block": 2.0})
        d = c.copy()
        d["x"] = 1
        self.assertNotIn("x", c)
        with self.assertRaises(KeyError):
            c["nope"]
        with self.assertRaises(KeyError):
            del c["nope"]
        with self.assertRaises(ValueError):
            c[""] = 1.0
        with self.assertRaises(ValueError):
            c["a"] = float("nan")
        self.assertEqual(repr(ds.Config(a=1)), "Config({'a': 1.0})")

    def test_config_objects_and_dicts_are_accepted_alike(self):
        with ds.DataNormSparsifier("L2", ds.Config(sparsity_level=0.25, block_rows=2, block_cols=2)) as sp:
            sp.add_data("a", normal((4, 4)), ds.Config(zeros_per_block=1))
            sp.add_data("b", normal((4, 4)), {"zeros_per_block": 3}, sparsity_level=0.5)
            cfg = sp.get_config("b")
            self.assertIsInstance(cfg, ds.Config)
            self.assertEqual(cfg.to_dict(), {"block_cols": 2.0, "block_rows": 2.0, "sparsity_level": 0.5,
                                             "zeros_per_block": 3.0})
            self.assertEqual(sp.get_param("a", "zeros_per_block"), 1.0)


class BuiltinScheduleTest(unittest.TestCase):
    def run_schedule(self, schedule, base, epochs):
        sp = ds.DataNormSparsifier(sparsity_level=base)
        sp.add_data("w", normal((4, 8)))
        sch = ds.DataScheduler(sp, "sparsity_level", schedule)
        values = [sch.get_last_param("w")]
        for _ in range(epochs - 1):
            sp.step()
            sch.step()
            values.append(sch.get_last_param("w"))
        return values

    def test_formulas(self):
        B = ds.BuiltinSchedule
        np.testing.assert_allclose(self.run_schedule(B.gamma(2.0, 0.7), 0.1, 5), [0.1, 0.2, 0.4, 0.7, 0.7])
        np.testing.assert_allclose(self.run_schedule(B.step(2, 0.5), 0.8, 5), [0.8, 0.8, 0.4, 0.4, 0.2])
        np.testing.assert_allclose(self.run_schedule(B.lambda_(lambda t: 1.0 / (t + 1)), 0.6, 3), [0.6, 0.3, 0.2])
        cubic = self.run_schedule(B.cubic(init_value=0.0, init_t=0, delta_t=1, total_t=4), 0.8, 6)
        expect = [max(0.0, min(0.8, 0.8 + (0.0 - 0.8) * (1 - t / 4) ** 3)) for t in range(6)]
        np.testing.assert_allclose(cubic, expect)
        poly = self.run_schedule(B.polynomial_decay(0.0, 0.8, 1, 5, power=3.0, frequency=2), 0.3, 8)
        expect, current = [], 0.3
        for t in range(8):
            if 1 <= t <= 5 and (t - 1) % 2 == 0:
                p = min(max((t - 1) / 4, 0.0), 1.0)
                current = 0.8 + (0.0 - 0.8) * (1 - p) ** 3
            expect.append(current)
        np.testing.assert_allclose(poly, expect)
        np.testing.assert_allclose(self.run_schedule(B.constant(0.9, begin_step=2, end_step=-1, frequency=1), 0.3, 4),
                                   [0.3, 0.3, 0.9, 0.9])

    def test_kinds_and_invalid_arguments(self):
        B = ds.BuiltinSchedule
        self.assertEqual([s.kind() for s in (B.gamma(2, 1), B.step(1, 0.5), B.lambda_(lambda t: 1.0), B.cubic(),
                                              B.polynomial_decay(0, 1, 0, 10), B.constant(0.5))],
                         ["gamma", "step", "lambda", "cubic", "polynomial_decay", "constant"])
        self.assertEqual(repr(B.gamma(2, 1)), "<BuiltinSchedule gamma>")
        with self.assertRaises(ValueError):
            B.step(0, 0.5)
        with self.assertRaises(ValueError):
            B.polynomial_decay(0, 1, 5, 5)
        with self.assertRaises(ValueError):
            B.gamma(float("nan"), 1)
        with self.assertRaises(TypeError):
            B.lambda_(3)
        with self.assertRaises(TypeError):
            B.step(1.5, 0.5)    # step_size is an integer


class StateTest(unittest.TestCase):
    def build(self, x, y):
        sp = ds.DataNormSparsifier("L2", sparsity_level=0.5)
        sp.add_data("x", x)
        sp.add_data("y", y, block_cols=2)
        return sp

    def test_bytes_round_trip(self):
        x, y = normal((8, 8), 1), normal(16, 2)
        src = self.build(x, y)
        src.step()
        src.set_param("x", "sparsity_level", 0.25)
        state = src.save_to_bytes()
        self.assertIsInstance(state, bytes)
        dst = self.build(x.copy(), y.copy())
        dst.load_from_bytes(bytearray(state))
        for n in ("x", "y"):
            np.testing.assert_array_equal(dst.get_mask(n), src.get_mask(n))
            self.assertEqual(dst.get_config(n), src.get_config(n))
        self.assertEqual(dst.step_count(), 1)
        # with data: copied into the registered arrays
        x2, y2 = np.zeros_like(x), np.zeros_like(y)
        dst2 = self.build(x2, y2)
        dst2.load_from_bytes(src.save_to_bytes(with_data=True))
        np.testing.assert_array_equal(x2, x)
        np.testing.assert_array_equal(y2, y)

    def test_file_round_trip_and_scheduler_state(self):
        x, y = normal((8, 8), 1), normal(16, 2)
        src = self.build(x, y)
        sch = ds.DataScheduler(src, "sparsity_level", ds.BuiltinSchedule.step(1, 0.5))
        for _ in range(2):
            src.step()
            sch.step()
        with tempfile.TemporaryDirectory() as tmp:
            from pathlib import Path
            path = Path(tmp) / "sparsifier.state"
            src.save(path)
            sch.save(os.path.join(tmp, "scheduler.state"))
            dst = self.build(x, y)
            dst.load(path)
            sch2 = ds.DataScheduler(dst, "sparsity_level", ds.BuiltinSchedule.step(1, 0.5))
            sch2.load(os.path.join(tmp, "scheduler.state"))
        self.assertEqual(sch2.last_epoch(), sch.last_epoch())
        self.assertEqual(sch2.get_last_param(), sch.get_last_param())
        sch3 = ds.DataScheduler(dst, "sparsity_level", ds.BuiltinSchedule.step(1, 0.5))
        sch3.load_from_bytes(sch.save_to_bytes())
        self.assertEqual(sch3.last_epoch(), 2)
        with self.assertRaises(ds.CorruptError):
            sch3.load_from_bytes(sch.save_to_bytes()[:-3])


class LifecycleTest(unittest.TestCase):
    def test_context_managers_close(self):
        with ds.DataNormSparsifier() as sp:
            sp.add_data("w", normal((4, 4)))
            with ds.DataScheduler(sp, "sparsity_level", Gamma(1.0, 1.0)) as sch:
                pass
            self.assertTrue(sch.closed)
            self.assertIsNone(sch.sparsifier)
            with self.assertRaises(ds.StateError):
                sch.step()
            sch.close()   # idempotent
        self.assertTrue(sp.closed)
        self.assertEqual(repr(sp), "<DataNormSparsifier (closed)>")
        with self.assertRaises(RuntimeError):
            sp.add_data("w", normal((4, 4)))
        sp.close()

    def test_introspection(self):
        with ds.DataNormSparsifier() as sp:
            sp.add_data("b", normal((2, 4)))
            sp.add_data("a", normal(4))
            self.assertEqual(sp.names(), ["b", "a"])
            self.assertEqual(list(sp), ["b", "a"])
            self.assertEqual(len(sp), 2)
            self.assertIn("a", sp)
            self.assertNotIn("c", sp)
            self.assertEqual(repr(sp), "<DataNormSparsifier items=['b', 'a']>")
            self.assertTrue(sp.get_mask_update())
            sp.set_mask_update(False)
            sp.step()
            self.assertEqual(sp.step_count(), 1)
            self.assertTrue(sp.get_mask("b").all())
            sp.remove_data("b")
            self.assertEqual(sp.names(), ["a"])
            with self.assertRaises(KeyError):
                sp.remove_data("b")
        self.assertEqual(ds.version(), ds.__version__)
        self.assertRegex(ds.__version__, r"^\d+\.\d+\.\d+$")

    def test_verbose_scheduler_logs_to_the_datasparse_logger(self):
        with ds.DataNormSparsifier() as sp:
            sp.add_data("w", normal((4, 4)))
            sch = ds.DataScheduler(sp, "sparsity_level", ds.BuiltinSchedule.gamma(2.0, 1.0))
            sch.set_verbose(True)
            sp.step()
            with self.assertLogs("datasparse", level=logging.INFO) as logs:
                sch.step()
            self.assertTrue(any("w" in line for line in logs.output), logs.output)


class ThreadTest(unittest.TestCase):
    def test_python_callbacks_in_several_threads(self):
        errors, results = [], {}

        def work(i):
            try:
                sp = ThresholdSparsifier(threshold=0.5)
                sp.add_data("w", normal((16, 16), i))
                sch = ds.DataScheduler(sp, "threshold", Gamma(1.1, 2.0))
                for _ in range(20):
                    sp.step()
                    sch.step()
                results[i] = sch.get_last_param("w")
            except BaseException as e:   # reported below
                errors.append(e)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(len(results), 4)
        self.assertEqual(len(set(results.values())), 1)


if __name__ == "__main__":
    unittest.main()
