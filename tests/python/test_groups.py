"""Groups and shards through the Python binding (issue 14's Python part).

A group of two items masks like the item made of them stacked; shards held by 2 and 3
processes joined by torch.distributed (gloo on loopback, datasparse.torch_allreduce) mask like
one sparsifier holding everything, an empty shard (shape (0, cols)) included; a participant with
bad input fails every participant and no mask changes; an exception raised in the allreduce
becomes the step's CallbackError (its __cause__). The torch cases are skipped without torch.
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import unittest

import numpy as np

import datasparse as ds

try:
    import torch
    import torch.distributed as dist
    TORCH_MISSING = None if dist.is_available() and dist.is_gloo_available() else \
        "torch.distributed with gloo is not available"
except Exception as exc:  # ImportError, or a broken install
    torch = None
    TORCH_MISSING = "torch is not installed (%s: %s): the multi-process cases need it" % (type(exc).__name__, exc)

GLOBAL_ROWS, COLS = 12, 8


def data(seed):
    return np.random.default_rng(seed).standard_normal((GLOBAL_ROWS, COLS)).astype(np.float32)


def split(parts):
    """(first_row, rows) per participant: rows in multiples of 2, the last holding none when parts is 3."""
    if parts == 2:
        return [(0, 6), (6, 6)]
    return [(0, 4), (4, 8), (12, 0)]


def one_process_masks(level=0.6):
    s = ds.DataNormSparsifier(sparsity_level=level, sparse_block_shape=(2, 4))
    s.add_data("x", data(1))
    s.add_data("y", data(2).astype(np.float64).reshape(6, 2, COLS))
    s.set_group("g", ["x", "y"])
    s.step()
    return s.get_mask("x"), s.get_mask("y").reshape(GLOBAL_ROWS, COLS)


def worker(rank, world, port, out, fault):
    """One participant (run in its own process): writes its masks (or its failure) to out."""
    import datetime
    dist.init_process_group("gloo", init_method="tcp://127.0.0.1:%d" % port, rank=rank, world_size=world,
                            timeout=datetime.timedelta(seconds=60))
    first, rows = split(world)[rank]
    s = ds.DataNormSparsifier(sparsity_level=0.6, sparse_block_shape=(2, 4))
    # x: a NumPy float32 matrix; y: a float64 3-D torch tensor whose matrix view is 12 x 8 in all.
    x = np.ascontiguousarray(data(1)[first:first + rows])
    y = torch.from_numpy(np.ascontiguousarray(data(2).astype(np.float64)[first:first + rows]).reshape(rows // 2, 2, COLS))
    s.add_shard("x", x, GLOBAL_ROWS, first)
    s.add_shard("y", y, GLOBAL_ROWS, first)
    assert s.get_shard("x") == (GLOBAL_ROWS, first)
    s.set_group("g", ["x", "y"])
    s.set_allreduce(ds.torch_allreduce())
    result = {}
    s.step()
    before = [s.get_mask("x").tolist(), s.get_mask("y").reshape(-1).tolist()]
    result["x"], result["y"] = before
    result["exchange"] = list(s.last_exchange())
    if fault:
        s.set_param("x", "sparsity_level", 0.2)   # the group's level changes everywhere ...
        if rank == 1:
            s.set_param("x", "block_rows", 3)     # ... but this participant's shard straddles a block
        try:
            s.step()
            result["error"] = None
        except ds.DatasparseError as e:
            result["error"] = [type(e).__name__, e.status, str(e)]
        result["unchanged"] = [s.get_mask("x").tolist(), s.get_mask("y").reshape(-1).tolist()] == before
    with open(out, "w") as f:
        json.dump(result, f)
    dist.destroy_process_group()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_participants(world, fault=False):
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        outs = [os.path.join(tmp, "p%d.json" % r) for r in range(world)]
        procs = [subprocess.Popen([sys.executable, os.path.abspath(__file__), "worker", str(r), str(world), str(port),
                                   outs[r], "1" if fault else "0"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                 for r in range(world)]
        logs = []
        for p in procs:
            try:
                log, _ = p.communicate(timeout=180)
            except subprocess.TimeoutExpired:
                for q in procs:
                    q.kill()
                raise
            logs.append(log.decode(errors="replace"))
        for r, p in enumerate(procs):
            if p.returncode != 0:
                raise AssertionError("participant %d exited with %d:\n%s" % (r, p.returncode, logs[r]))
        results = []
        for out in outs:
            with open(out) as f:
                results.append(json.load(f))
        return results


class GroupTest(unittest.TestCase):
    def test_a_group_of_two_items_masks_like_the_stacked_item(self):
        a, b = data(3)[:4], data(4)[:6] * np.float32(0.25)   # the small member gives up more than its share
        for level in (0.3, 0.5, 0.8):
            group = ds.DataNormSparsifier(sparsity_level=level, sparse_block_shape=(2, 4))
            group.add_data("a", a)
            group.add_data("b", b)
            group.set_group("g", ["a", "b"])
            self.assertEqual(dict(group.groups), {"g": ("a", "b")})
            with self.assertRaises(TypeError):
                group.groups["h"] = ("a",)
            one = ds.DataNormSparsifier(sparsity_level=level, sparse_block_shape=(2, 4))
            one.add_data("ab", np.concatenate([a, b]))
            group.step()
            one.step()
            np.testing.assert_array_equal(np.concatenate([group.get_mask("a"), group.get_mask("b")]),
                                          one.get_mask("ab"), "level %s" % level)
            self.assertGreater(int((group.get_mask("b") == 0).sum()) * 4, int((group.get_mask("a") == 0).sum()) * 6)
            self.assertGreater(group.last_exchange()[0], 0)   # a group exchanges even alone (with itself)
            self.assertEqual(one.last_exchange(), (0, 0))

    def test_states_keep_groups_and_shards(self):
        from datasparse import _state
        a = ds.DataNormSparsifier(sparsity_level=0.5, sparse_block_shape=(2, 4))
        x = data(8)
        a.add_shard("x", x[:6], GLOBAL_ROWS, 6)
        a.add_shard("none", np.zeros((0, COLS), np.float32), GLOBAL_ROWS, 12)
        a.add_data("y", data(9))
        a.set_group("g", ["y", "x"])
        raw = a.save_to_bytes(True)
        self.assertEqual(raw[8], 3)   # format version 3: groups and shards
        native = _state.decode_sparsifier(raw)
        self.assertEqual(native["groups"], [("g", ["y", "x"])])
        self.assertEqual([(i["name"], i["global_rows"], i["first_row"], i["shape"]) for i in native["items"]],
                         [("x", GLOBAL_ROWS, 6, (6, COLS)), ("none", GLOBAL_ROWS, 12, (0, COLS)),
                          ("y", 0, 0, (GLOBAL_ROWS, COLS))])
        self.assertEqual(_state.encode_sparsifier(native), bytes(raw))   # the Python mirror is exact
        b = ds.DataNormSparsifier(sparsity_level=0.5, sparse_block_shape=(2, 4))
        b.add_shard("x", x[:6].copy(), GLOBAL_ROWS, 6)
        b.add_shard("none", np.zeros((0, COLS), np.float32), GLOBAL_ROWS, 12)
        b.add_data("y", data(9))
        b.load_from_bytes(raw, True)
        self.assertEqual(dict(b.groups), {"g": ("y", "x")})
        self.assertEqual(bytes(b.save_to_bytes(True)), bytes(raw))
        c = ds.DataNormSparsifier(sparsity_level=0.5, sparse_block_shape=(2, 4))
        c.add_shard("x", x[:6].copy(), GLOBAL_ROWS, 0)   # other rows
        c.add_shard("none", np.zeros((0, COLS), np.float32), GLOBAL_ROWS, 12)
        c.add_data("y", data(9))
        with self.assertRaises(ds.CorruptError) as caught:
            c.load_from_bytes(raw, True)
        self.assertIn("as rows [6, 12) of 12, the registered data is rows [0, 6) of 12", str(caught.exception))
        self.assertEqual(dict(c.groups), {})

    def test_groups_are_checked_and_removed(self):
        s = ds.DataNormSparsifier()
        s.add_data("a", data(5))
        with self.assertRaises(KeyError):
            s.set_group("g", ["a", "nope"])
        self.assertEqual(dict(s.groups), {})
        with self.assertRaises(TypeError):
            s.set_group("g", "a")
        s.set_group("g", ["a"])
        s.remove_group("g")
        self.assertEqual(dict(s.groups), {})
        with self.assertRaises(KeyError):
            s.remove_group("g")

    def test_an_exception_raised_in_the_allreduce_fails_the_step(self):
        s = ds.DataNormSparsifier(sparsity_level=0.5)
        s.add_shard("t", data(6), GLOBAL_ROWS, 0)
        seen = []
        s.set_allreduce(lambda counts: seen.append(counts.dtype))   # alone: the sum is the counts
        s.step()
        self.assertTrue(seen and all(d == np.uint64 for d in seen))
        before = s.get_mask("t")
        self.assertGreater(int((before == 0).sum()), 0)
        error = ArithmeticError("allreduce blew up")

        def failing(counts):
            raise error

        s.set_allreduce(failing)
        s.set_param("t", "sparsity_level", 0.25)
        with self.assertRaises(ds.CallbackError) as caught:
            s.step()
        self.assertIs(caught.exception.__cause__, error)
        self.assertIn("allreduce blew up", str(caught.exception))
        self.assertIsInstance(caught.exception, RuntimeError)
        np.testing.assert_array_equal(s.get_mask("t"), before)
        s.set_allreduce(None)
        s.step()
        self.assertNotEqual(int((s.get_mask("t") == 0).sum()), int((before == 0).sum()))

    def test_an_empty_shard_alone_fails_and_a_bad_shard_is_refused(self):
        s = ds.DataNormSparsifier()
        s.add_shard("t", np.zeros((0, COLS), np.float32), GLOBAL_ROWS, 0)
        self.assertEqual(s.get_shard("t"), (GLOBAL_ROWS, 0))
        with self.assertRaises(ValueError):
            s.step()   # rows held by no one
        with self.assertRaises(ValueError):
            s.add_shard("u", np.zeros(8, np.float32), GLOBAL_ROWS, 0)   # 1-D
        with self.assertRaises(ValueError):
            s.add_shard("u", data(7), 4, 0)   # more rows than global_rows

    @unittest.skipIf(TORCH_MISSING, TORCH_MISSING)
    def test_torch_shards_on_2_and_3_processes_mask_like_one_process(self):
        x, y = one_process_masks()
        for world in (2, 3):
            results = run_participants(world)
            for rank, (first, rows) in enumerate(split(world)):
                got = results[rank]
                np.testing.assert_array_equal(np.array(got["x"], dtype=np.uint8).reshape(rows, COLS),
                                              x[first:first + rows], "world %d rank %d" % (world, rank))
                np.testing.assert_array_equal(np.array(got["y"], dtype=np.float64).reshape(rows, COLS),
                                              y[first:first + rows], "world %d rank %d" % (world, rank))
                self.assertGreater(got["exchange"][0], 0)
                self.assertEqual(got["exchange"], results[0]["exchange"])

    @unittest.skipIf(TORCH_MISSING, TORCH_MISSING)
    def test_a_participant_with_bad_input_fails_every_participant(self):
        results = run_participants(3, fault=True)
        for rank, got in enumerate(results):
            self.assertIsNotNone(got["error"], "participant %d must fail" % rank)
            self.assertTrue(got["unchanged"], "participant %d's masks changed" % rank)
        self.assertEqual(results[1]["error"][0], "InvalidArgumentError", results[1]["error"])
        self.assertEqual(results[0]["error"][0], "StateError", results[0]["error"])


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        worker(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6] == "1")
    else:
        unittest.main()
