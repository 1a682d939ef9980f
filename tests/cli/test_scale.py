"""datasparse sparsify --global and under mpirun (issue 14).

  Global   --global against a NumPy reference of the group rule (all blocks
           of all selected tensors ranked by (mean score, tensor order, block
           index), k = round_half_even(level * all blocks)), on data full of
           ties; per-tensor sparsities against the run without --global; the
           config rules (block overrides allowed, sparsity overrides refused).
  Mpi      mpirun -np 1..4: output files byte-identical (cmp) to one process,
           with and without --global, float32/float16/bfloat16/float64, ties
           across shard boundaries, tensors with fewer block rows than ranks;
           a rank failing fails every rank with no output and no temp file.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_fixtures import bf16_bits, safetensors_bytes  # noqa: E402
from test_cli import read_raw, to_float  # noqa: E402

EXE = MPIRUN = None
# orte_abort_on_non_zero_status 0: mpirun lets every rank finish after one
# exits non-zero, so that the test sees each rank's own error
MPI_FLAGS = ["--oversubscribe", "--allow-run-as-root", "--mca", "btl", "self,vader", "--mca", "orte_abort_on_non_zero_status", "0"]


def run(*args, env=None):
    return subprocess.run([EXE, *map(str, args)], capture_output=True, text=True, env=env, timeout=600)


def mpirun(np_, *args, env=None):
    e = dict(os.environ if env is None else env)
    e.setdefault("OMPI_MCA_plm_rsh_agent", "")
    # each rank's exit status on stderr (mpirun's own is 0 with the flag above)
    wrap = ["sh", "-c", '"$0" "$@"; rc=$?; echo "rank exit $rc" >&2; exit $rc', EXE]
    p = subprocess.run([MPIRUN, *MPI_FLAGS, "-np", str(np_), *wrap, *map(str, args)], capture_output=True, text=True,
                       env=e, timeout=600)
    codes = [line.split()[-1] for line in p.stderr.splitlines() if line.startswith("rank exit ")]
    assert len(codes) == np_, p.stderr
    # every rank succeeded (0) or every rank failed (1)
    p.returncode = 0 if codes == ["0"] * np_ else 1 if codes == ["1"] * np_ else "mixed: %s" % codes
    return p


def raw_of(dtype, x):
    if dtype == "F32":
        return x.astype("<f4").tobytes()
    if dtype == "F16":
        return x.astype("<f2").tobytes()
    if dtype == "BF16":
        return bf16_bits(x.astype(np.float32)).astype("<u2").tobytes()
    return x.astype("<f8").tobytes()


def tied(rng, shape, scale):
    """Values from a small set (exact in every dtype, so are block means): ties everywhere."""
    return (rng.integers(-3, 4, size=shape) * scale).astype(np.float64)


def write(path, tensors):
    """tensors: (name, dtype, shape, float64 values)."""
    Path(path).write_bytes(safetensors_bytes([(n, d, s, raw_of(d, v)) for n, d, s, v in tensors]))


def group_reference(tensors, level, blocks):
    """Zero masks of the group rule, one per tensor (L1, whole blocks)."""
    allb = []
    for t, (name, dtype, shape, v) in enumerate(tensors):
        cols = shape[-1]
        x = np.abs(v.reshape(-1, cols))
        br, bc = blocks.get(name, (1, 4))
        idx = 0
        for i in range(0, x.shape[0], br):
            for j in range(0, cols, bc):
                s = x[i:i + br, j:j + bc]
                allb.append((s.sum() / s.size, t, idx, i, j, br, bc))
                idx += 1
    k = int(np.round(level * len(allb)))
    masks = [np.zeros(v.reshape(-1, shape[-1]).shape, bool) for _, _, shape, v in tensors]
    for _, t, _, i, j, br, bc in sorted(allb)[:k]:
        masks[t][i:i + br, j:j + bc] = True
    return [m.reshape(-1) for m in masks]


def values_of(path):
    blob, n, header = read_raw(path)
    out = {}
    for name, e in header.items():
        if name != "__metadata__":
            b, end = e["data_offsets"]
            out[name] = to_float(e["dtype"], blob[8 + n + b:8 + n + end]).astype(np.float64)
    return out


def table_sparsity(stdout, name):
    for line in stdout.splitlines():
        f = line.split()
        if f and f[0] == name:
            return float(f[-2] if name != "total" else f[2])
    raise AssertionError("no row %r in\n%s" % (name, stdout))


class Base(unittest.TestCase):
    def setUp(self):
        self.dir = Path(tempfile.mkdtemp(prefix="cli-scale-", dir=os.environ.get("DS_TEST_TMP")))

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def assert_only(self, *names):
        self.assertEqual(sorted(p.name for p in self.dir.iterdir()), sorted(names), "files left in the output directory")


def mixed(rng):
    # a big-norm float32 tensor, a small-norm float16 one, bfloat16 and
    # float64 of middling norm, ties within and across tensors
    return [("emb.big", "F32", (6, 8), tied(rng, (6, 8), 4.0)),
            ("emb.small", "F16", (5, 4), tied(rng, (5, 4), 0.5)),
            ("emb.bf", "BF16", (3, 12), tied(rng, (3, 12), 1.0)),
            ("emb.f64", "F64", (7, 4), tied(rng, (7, 4), 1.0))]


class Global(Base):
    def check(self, tensors, level, blocks=None, extra=()):
        src, dst = self.dir / "in.safetensors", self.dir / "out.safetensors"
        write(src, tensors)
        p = run("sparsify", src, dst, "--global", "--sparsity", level, *extra)
        self.assertEqual(p.returncode, 0, p.stderr)
        got = values_of(dst)
        for (name, dtype, shape, v), m in zip(tensors, group_reference(tensors, level, blocks or {})):
            v = v.reshape(-1)
            np.testing.assert_array_equal(got[name] == 0, m | (v == 0), err_msg=name)
            np.testing.assert_array_equal(got[name][~m], v[~m], err_msg=name)
        return p.stdout

    def test_group_rule_with_ties_and_every_dtype(self):
        rng = np.random.default_rng(1)
        for level in (0.0, 0.3, 0.5, 0.7, 1.0):
            self.check(mixed(rng), level)
        # all blocks equal: the tie order (tensor order, block index) decides alone
        same = [("a", "F32", (2, 8), np.ones((2, 8))), ("b", "F64", (3, 4), np.ones((3, 4))),
                ("c", "F16", (1, 8), -np.ones((1, 8)))]
        self.check(same, 0.5)
        out = values_of(self.dir / "out.safetensors")
        self.assertTrue((out["a"] == 0).all())          # 4 of the 9 blocks: all of a
        self.assertTrue((out["b"] != 0).all() and (out["c"] != 0).all())

    def test_small_norm_tensors_give_up_more_than_without_global(self):
        rng = np.random.default_rng(2)
        tensors = mixed(rng)
        stdout = self.check(tensors, 0.5)
        src = self.dir / "in.safetensors"
        alone = run("sparsify", src, self.dir / "alone.safetensors", "--sparsity", 0.5)
        self.assertEqual(alone.returncode, 0, alone.stderr)
        g = {n: table_sparsity(stdout, n) for n, *_ in tensors}
        a = {n: table_sparsity(alone.stdout, n) for n, *_ in tensors}
        self.assertGreater(g["emb.small"], a["emb.small"])
        self.assertLess(g["emb.big"], a["emb.big"])
        self.assertAlmostEqual(a["emb.small"], 0.4, places=4)  # 5 blocks: round_half_even(2.5) = 2
        blocks = sum(int(np.prod(s)) // 4 for _, _, s, _ in tensors)
        self.assertAlmostEqual(table_sparsity(stdout, "total"), round(0.5 * blocks) * 4 / (4 * blocks), places=4)
        self.assertRegex(stdout, r"(?m)^total .* one level over 4 tensors")
        self.assertIn("4 of 4 tensors sparsified (--global)", stdout)

    def test_config_block_overrides_allowed_sparsity_refused(self):
        rng = np.random.default_rng(3)
        tensors = mixed(rng)
        cfg = self.dir / "c.json"
        cfg.write_text('{"tensors": {"emb.big": {"block": "2x2"}, "emb.f64": {"block": "1x2"}}}')
        self.check(tensors, 0.4, {"emb.big": (2, 2), "emb.f64": (1, 2)}, ["--config", cfg])
        cfg.write_text('{"tensors": {"emb.sm*": {"sparsity": 0.9}}}')
        p = run("sparsify", self.dir / "in.safetensors", self.dir / "bad.safetensors", "--global", "--config", cfg)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("--global", p.stderr)
        self.assertIn("per-tensor sparsity for 'emb.sm*' is refused", p.stderr)
        self.assertFalse((self.dir / "bad.safetensors").exists())

    def test_only_and_skip_select_the_group(self):
        rng = np.random.default_rng(4)
        tensors = mixed(rng)
        src, dst = self.dir / "in.safetensors", self.dir / "out.safetensors"
        write(src, tensors)
        p = run("sparsify", src, dst, "--global", "--skip", "emb.bf", "--sparsity", 0.5)
        self.assertEqual(p.returncode, 0, p.stderr)
        sel = [t for t in tensors if t[0] != "emb.bf"]
        got = values_of(dst)
        for (name, _, _, v), m in zip(sel, group_reference(sel, 0.5, {})):
            v = v.reshape(-1)
            np.testing.assert_array_equal(got[name] == 0, m | (v == 0), err_msg=name)
        np.testing.assert_array_equal(got["emb.bf"], tensors[2][3].reshape(-1))


@unittest.skipUnless(os.environ.get("DS_TEST_MPI"), "the command is built without MPI")
class Mpi(Base):
    def file(self, rng):
        return [("a.f32", "F32", (13, 8), tied(rng, (13, 8), 1.0)),
                # rows of equal blocks: ties across every shard boundary
                ("b.f16", "F16", (9, 4), np.tile(tied(rng, (1, 4), 1.0), (9, 1))),
                ("c.bf16", "BF16", (2, 8), tied(rng, (2, 8), 2.0)),    # fewer rows than ranks
                ("d.f64", "F64", (1, 12), tied(rng, (1, 12), 0.5)),    # one row
                ("e.f64", "F64", (11, 6), tied(rng, (11, 6), 0.25)),
                ("ints", "I32", (3, 4), np.arange(12.0))]

    def write_file(self, rng):
        src = self.dir / "in.safetensors"
        t = self.file(rng)
        Path(src).write_bytes(safetensors_bytes(
            [(n, d, s, raw_of(d, v) if d != "I32" else v.astype("<i4").tobytes()) for n, d, s, v in t]))
        return src

    def test_byte_identical_to_one_process(self):
        rng = np.random.default_rng(5)
        src = self.write_file(rng)
        cfg = self.dir / "c.json"
        cfg.write_text('{"tensors": {"e.*": {"block": "2x3", "zeros_per_block": 4}, "a.*": {"block": "2x2"}}}')
        runs = 0
        for extra in ([], ["--global"], ["--config", cfg], ["--config", cfg, "--global", "--sparsity", "0.3"],
                      ["--block", "4x4", "--sparsity", "0.6"]):
            one = self.dir / "one.safetensors"
            p = run("sparsify", src, one, *extra)
            self.assertEqual(p.returncode, 0, p.stderr)
            for n in (1, 2, 3, 4):
                out = self.dir / ("np%d.safetensors" % n)
                p = mpirun(n, "sparsify", src, out, *extra)
                self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
                self.assertEqual(subprocess.run(["cmp", one, out]).returncode, 0, "np %d %s differs" % (n, extra))
                self.assertIn("by %d MPI ranks" % n, p.stdout)
                out.unlink()
                runs += 1
            one.unlink()
        self.assert_only("in.safetensors", "c.json")
        print("mpi: %d runs byte-identical to one process" % runs)

    def test_a_failing_rank_fails_every_rank(self):
        rng = np.random.default_rng(6)
        src = self.write_file(rng)
        for n, extra in ((2, []), (3, ["--global"]), (4, [])):
            env = dict(os.environ, DATASPARSE_TEST_FAIL_RANK="1")
            p = mpirun(n, "sparsify", src, self.dir / "out.safetensors", *extra, env=env)
            self.assertEqual(p.returncode, 1, p.stderr)
            self.assertEqual(p.stderr.count("rank 1 fails after reading"), 1, p.stderr)
            self.assertEqual(p.stderr.count("ranks failed (see their errors); nothing written"), n - 1, p.stderr)
            self.assert_only("in.safetensors")
        # a truncated input: every rank sees it
        blob = src.read_bytes()
        src.write_bytes(blob[:len(blob) - 7])
        p = mpirun(3, "sparsify", src, self.dir / "out.safetensors")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assert_only("in.safetensors")

    def test_npz_refused_on_several_ranks(self):
        src = self.dir / "in.npz"
        np.savez(src, a=np.ones((4, 4), np.float32))
        p = mpirun(2, "sparsify", src, self.dir / "out.npz")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("cannot be split across MPI ranks", p.stderr)
        self.assert_only("in.npz")
        p = mpirun(1, "sparsify", src, self.dir / "out.npz")
        self.assertEqual(p.returncode, 0, p.stderr)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--exe", required=True)
    ap.add_argument("--mpirun", default="mpirun")
    args, rest = ap.parse_known_args()
    EXE, MPIRUN = args.exe, args.mpirun
    unittest.main(argv=[sys.argv[0], "-v", *rest])
