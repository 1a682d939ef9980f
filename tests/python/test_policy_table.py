"""The shared table of tests/bindings/policy.txt, in Python: each case fails (or not) as
the table says, with the exception the table's kind names for Python."""
import os
import unittest

import numpy as np

import datasparse as ds

TABLE = os.environ.get("DATASPARSE_POLICY_TABLE",
                       os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bindings", "policy.txt"))

# The Python exception of each kind of the table.
KINDS = {
    "argument": ValueError,
    "not_found": KeyError,
    "state": RuntimeError,
    "closed": RuntimeError,
    "callback": RuntimeError,
    "corrupt": ValueError,
    "io": OSError,
    "null": TypeError,
}

# Where PyTorch's data sparsifier raises ValueError, the exception is also one (policy.txt).
ALSO_VALUE_ERROR_KINDS = {"not_found"}
ALSO_VALUE_ERROR_CASES = {"original_data_after_squash"}


def _original_data_after_squash(f):
    sp = f.sparsifier()
    sp.step()
    sp.squash_mask()
    sp.get_data("w", return_original=True)


def table():
    rows = []
    with open(TABLE, encoding="utf-8") as f:
        for line in f:
            text = line.split("#", 1)[0].strip()
            if not text:
                continue
            name, status, kind, languages = text.split()
            if languages == "all" or "python" in languages.split(","):
                rows.append((name, status, kind))
    return rows


class Fixture:
    def __init__(self):
        self.owned = []
        self.thrown = None

    def own(self, obj):
        self.owned.append(obj)
        return obj

    def sparsifier(self):
        sp = self.own(ds.DataNormSparsifier())
        sp.add_data("w", np.arange(8, dtype=np.float32).reshape(2, 4))
        return sp

    def close(self):
        for obj in reversed(self.owned):
            obj.close()


def _closed(obj):
    obj.close()
    return obj


def _schedule_throws(f):
    f.thrown = ZeroDivisionError("thrown by the schedule")

    def schedule(name, epoch, base, current):
        raise f.thrown

    f.own(ds.DataScheduler(f.sparsifier(), "sparsity_level", schedule))


def _scheduler_step_after_its_sparsifier_closed(f):
    sp = f.sparsifier()
    scheduler = f.own(ds.DataScheduler(sp, "sparsity_level", ds.BuiltinSchedule.gamma(2, 1)))
    sp.close()
    scheduler.step()


def _get_mask_after_squash(f):
    sp = f.sparsifier()
    sp.squash_mask()
    sp.get_mask("w")


def _squash_an_empty_list_of_names(f):
    data = np.arange(1, 9, dtype=np.float32).reshape(2, 4)
    sp = f.own(ds.DataNormSparsifier())
    sp.add_data("w", data)
    sp.step()
    sp.squash_mask([])
    np.testing.assert_array_equal(data, np.arange(1, 9, dtype=np.float32).reshape(2, 4))
    assert not sp.is_squashed("w")


CASES = {
    "add_data_with_a_dot_in_the_name": lambda f: f.sparsifier().add_data("a.b", np.ones(4, dtype=np.float32)),
    "config_value_nan": lambda f: f.own(ds.Config()).set("level", float("nan")),
    "set_param_more_zeros_than_the_block": lambda f: f.sparsifier().set_param("w", "zeros_per_block", 5),
    "reuse_mask_with_another_shape": lambda f: f.sparsifier().add_data("w", np.ones((4, 2), dtype=np.float32),
                                                                       reuse_mask=True),
    "get_mask_of_an_unknown_item": lambda f: f.sparsifier().get_mask("nope"),
    "remove_an_unknown_item": lambda f: f.sparsifier().remove_data("nope"),
    "config_get_of_an_absent_key": lambda f: f.own(ds.Config())["nope"],
    "get_mask_after_squash": _get_mask_after_squash,
    "scheduler_step_after_its_sparsifier_closed": _scheduler_step_after_its_sparsifier_closed,
    "step_a_closed_sparsifier": lambda f: _closed(f.sparsifier()).step(),
    "closed_config_as_defaults": lambda f: f.own(ds.DataNormSparsifier("L1", _closed(ds.Config(sparsity_level=0.9)))),
    "closed_config_as_an_items_config": lambda f: f.sparsifier().add_data(
        "v", np.ones(4, dtype=np.float32), _closed(ds.Config(sparsity_level=0.9))),
    "closed_sparsifier_given_to_a_scheduler": lambda f: f.own(ds.DataScheduler(
        _closed(f.sparsifier()), "sparsity_level", ds.BuiltinSchedule.gamma(2, 1))),
    "closed_schedule_given_to_a_scheduler": lambda f: f.own(ds.DataScheduler(
        f.sparsifier(), "sparsity_level", _closed(ds.BuiltinSchedule.gamma(2, 1)))),
    "schedule_throws": _schedule_throws,
    "load_bytes_that_are_not_a_state": lambda f: f.sparsifier().load_from_bytes(b"\x01\x02\x03\x04\x05"),
    "load_a_missing_file": lambda f: f.sparsifier().load("/nonexistent/dir/state.bin"),
    "null_name": lambda f: f.sparsifier().get_mask(None),
    "original_data_after_squash": _original_data_after_squash,
    "squash_an_empty_list_of_names": _squash_an_empty_list_of_names,
}


class PolicyTableTest(unittest.TestCase):
    def test_every_case_of_the_table_is_implemented_and_no_other(self):
        self.assertEqual(sorted(name for name, _, _ in table()), sorted(CASES))

    def test_each_case_fails_as_the_table_says(self):
        for name, status, kind in table():
            with self.subTest(case=name):
                self.assertIn(name, CASES, "no Python implementation")
                f = Fixture()
                try:
                    if kind == "none":
                        CASES[name](f)
                        continue
                    with self.assertRaises(KINDS[kind]) as cm:
                        CASES[name](f)
                    e = cm.exception
                    if status == "-":
                        self.assertNotIsInstance(e, ds.DatasparseError)
                        continue
                    self.assertIsInstance(e, ds.DatasparseError)
                    self.assertEqual(e.status, ds.Status[status])
                    if kind in ALSO_VALUE_ERROR_KINDS or name in ALSO_VALUE_ERROR_CASES:
                        self.assertIsInstance(e, ValueError)
                    if kind == "closed":
                        self.assertRegex(str(e), r"[A-Z][A-Za-z]* was closed")
                    if kind == "callback":
                        self.assertIs(e.__cause__, f.thrown)
                finally:
                    f.close()


if __name__ == "__main__":
    unittest.main()
