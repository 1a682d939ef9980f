#!/usr/bin/env python3
"""Tests of the datasparse command (tests/cli/CMakeLists.txt registers one
CTest entry per class). Outputs are checked, not only exit codes: sparsified
tensors against a reference mask computed here with NumPy from the
library's documented rule (README "Semantics in short"), files read back by
NumPy, by PyTorch and by the independent reader safetensors_reader.py.

Usage: test_cli.py --exe DATASPARSE --lib LIBDATASPARSE --fixtures DIR [unittest args]
"""
import argparse
import csv
import io
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest
import zipfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import safetensors_reader  # noqa: E402
from gen_fixtures import bf16_bits, mixed_tensors, safetensors_bytes  # noqa: E402

EXE = LIB = FIXTURES = None


def run(*args, env=None, check=None):
    p = subprocess.run([EXE, *map(str, args)], capture_output=True, text=True, env=env, timeout=600)
    if check is not None and (p.returncode == 0) != check:
        raise AssertionError("datasparse %s: exit %d\nstdout:\n%s\nstderr:\n%s" % (" ".join(map(str, args)), p.returncode, p.stdout, p.stderr))
    return p


# ---------------------------------------------------------------- reference

def to_float(dtype, raw):
    if dtype == "F32":
        return np.frombuffer(raw, "<f4").astype(np.float32)
    if dtype == "F16":
        return np.frombuffer(raw, "<f2").astype(np.float32)
    if dtype == "BF16":
        return (np.frombuffer(raw, "<u2").astype(np.uint32) << 16).view(np.float32)
    if dtype == "F64":
        return np.frombuffer(raw, "<f8").astype(np.float64)
    raise ValueError(dtype)


def reference_zeros(values, shape, level, block=(1, 4), zeros=None, norm="l1"):
    """The norm sparsifier's rule: the round-half-even(level * blocks) blocks of
    smallest mean score (|x| or x*x; ties: lower block index first) are
    sparsified; in each, the `zeros` smallest-score elements (ties: lower
    position first) are zeroed. Returns a boolean array: True = zeroed."""
    cols = shape[-1] if shape else 1
    rows = int(np.prod(shape[:-1])) if len(shape) > 1 else 1
    x = values.reshape(rows, cols)
    score = np.abs(x) if norm == "l1" else x * x
    br, bc = block
    zeros = br * bc if zeros is None else zeros
    out = np.zeros((rows, cols), bool)
    blocks = []
    for i in range(0, rows, br):
        for j in range(0, cols, bc):
            s = score[i:i + br, j:j + bc]
            blocks.append((s.sum(dtype=s.dtype) / s.size, i, j))
    k = int(np.round(level * len(blocks)))  # numpy rounds half to even
    order = sorted(range(len(blocks)), key=lambda b: (blocks[b][0], b))[:k]
    for b in order:
        _, i, j = blocks[b]
        s = score[i:i + br, j:j + bc]
        flat = sorted(range(s.size), key=lambda p: (s.flat[p], p))[:zeros]
        sub = out[i:i + br, j:j + bc]
        for p in flat:
            sub.flat[p] = True
    return out.reshape(-1)


def read_raw(path):
    blob = Path(path).read_bytes()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    return blob, n, header


class Base(unittest.TestCase):
    def setUp(self):
        self.dir = Path(tempfile.mkdtemp(prefix="cli-test-", dir=os.environ.get("DS_TEST_TMP")))

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def assert_no_temp(self):
        left = [p.name for p in self.dir.iterdir() if ".tmp-" in p.name]
        self.assertEqual(left, [], "temporary files left behind")

    def check_sparsified(self, src, dst, level, block=(1, 4), zeros=None, norm="l1", skip=()):
        """Every float tensor of dst is src's with exactly the reference zeros;
        the rest byte for byte; the header bytes and metadata unchanged."""
        a, na, ha = read_raw(src)
        b, nb, hb = read_raw(dst)
        self.assertEqual(a[:8 + na], b[:8 + nb], "header bytes differ")
        self.assertEqual(len(a), len(b))
        meta_a, ta = safetensors_reader.read(src)
        meta_b, tb = safetensors_reader.read(dst)
        self.assertEqual(meta_a, meta_b)
        checked = 0
        for name, entry in ha.items():
            if name == "__metadata__":
                continue
            begin, end = entry["data_offsets"]
            ra, rb = a[8 + na + begin:8 + na + end], b[8 + nb + begin:8 + nb + end]
            if entry["dtype"] not in ("F32", "F64", "F16", "BF16") or name in skip:
                self.assertEqual(ra, rb, name + " not copied byte for byte")
                continue
            x, y = to_float(entry["dtype"], ra), to_float(entry["dtype"], rb)
            expect = reference_zeros(x, entry["shape"], level, block, zeros, norm)
            np.testing.assert_array_equal(y == 0, expect | (x == 0), err_msg=name)
            np.testing.assert_array_equal(y[~expect], x[~expect], err_msg=name)
            # and the independent reader decodes the same values
            self.assertEqual([float(v) for v in y], [float(v) for v in tb[name][2]], name)
            checked += 1
        return checked


class Version(Base):
    def test_version_is_the_library_string(self):
        # ds_version_string() through ctypes, in a child interpreter (in an
        # ASan build the runtime is preloaded there: DS_TEST_PRELOAD)
        env = dict(os.environ)
        if os.environ.get("DS_TEST_PRELOAD"):
            env.update(LD_PRELOAD=os.environ["DS_TEST_PRELOAD"], ASAN_OPTIONS="detect_leaks=0")
        code = ("import ctypes, sys; lib = ctypes.CDLL(sys.argv[1]); lib.ds_version_string.restype = ctypes.c_char_p; "
                "print(lib.ds_version_string().decode())")
        lib = subprocess.run([sys.executable, "-c", code, LIB], capture_output=True, text=True, env=env, check=True).stdout.strip()
        out = run("--version", check=True)
        self.assertEqual(out.stdout.strip(), lib)
        self.assertRegex(out.stdout.strip(), r"^\d+\.\d+\.\d+$")


class Demo(Base):
    def test_demo_prints_the_seed_flow(self):
        out = run("demo", check=True).stdout
        self.assertRegex(out, r"semi_structured_2_4 +128x512 +1\.00 +1x4 +2 +50\.00%")
        self.assertRegex(out, r"\n +4 +0\.9000 +89\.99%")


class Sparsify(Base):
    def test_every_dtype_4d_1d_and_copied_tensors(self):
        src = FIXTURES / "mixed.safetensors"
        dst = self.dir / "out.safetensors"
        out = run("sparsify", src, dst, "--sparsity", "0.7", check=True)
        self.assertEqual(self.check_sparsified(src, dst, 0.7), 5)
        self.assertEqual(out.stderr, "", "no progress when stderr is not a terminal")
        # the table: every tensor, its target and the achieved mask sparsity
        _, tensors = safetensors_reader.read(dst)
        for name, dtype, shape in [("model.embed.weight", "F16", "64x32"), ("model.layers.0.attn.weight", "BF16", "32x32"),
                                   ("model.layers.0.mlp.weight", "F32", "48x32"), ("model.layers.0.conv.weight", "F64", "8x4x3x4"),
                                   ("model.layers.0.mlp.bias", "F32", "32")]:
            values = tensors[name][2]
            frac = sum(v == 0 for v in values) / len(values)
            self.assertRegex(out.stdout, r"(?m)^%s +%s +%s +1x4 +0\.70 +%.4f " % (name.replace(".", r"\."), dtype, shape, frac))
        self.assertRegex(out.stdout, r"(?m)^model\.step +I64 +1 .*copied: not a float type")
        self.assertRegex(out.stdout, r"(?m)^model\.mask +U8 +4x8 .*copied: not a float type")
        self.assertIn("5 of 7 tensors sparsified", out.stdout)
        self.assert_no_temp()

    def test_2_4_l2_blocks_and_skip(self):
        src = FIXTURES / "mixed.safetensors"
        dst = self.dir / "out.safetensors"
        run("sparsify", src, dst, "--sparsity", "1", "--zeros-per-block", "2", "--norm", "l2", "--skip", "*.bias", check=True)
        self.check_sparsified(src, dst, 1.0, (1, 4), 2, "l2", skip=("model.layers.0.mlp.bias",))
        dst2 = self.dir / "out2.safetensors"
        run("sparsify", src, dst2, "--sparsity", "0.5", "--block", "2x2", "--norm", "l2", "--quiet", check=True)
        self.check_sparsified(src, dst2, 0.5, (2, 2), None, "l2")

    def test_config_file_overrides_by_name_and_glob(self):
        src = FIXTURES / "mixed.safetensors"
        cfg = self.dir / "cfg.json"
        cfg.write_text(json.dumps({"defaults": {"sparsity": 0.3, "norm": "l2"},
                                   "tensors": {"*.weight": {"sparsity": 0.6},
                                               "model.embed.weight": {"sparsity": 0.9, "block": "2x2"},
                                               "*.bias": {"skip": True}}}))
        dst = self.dir / "out.safetensors"
        out = run("sparsify", src, dst, "--config", cfg, "--block", "1x4", check=True).stdout
        self.assertRegex(out, r"(?m)^model\.embed\.weight +F16 +64x32 +2x2 +0\.90 ")
        self.assertRegex(out, r"(?m)^model\.layers\.0\.mlp\.weight +F32 +48x32 +1x4 +0\.60 ")
        self.assertRegex(out, r"(?m)^model\.layers\.0\.mlp\.bias .*copied: skip in --config")
        a, na, ha = read_raw(src)
        b, nb, _ = read_raw(dst)
        e = ha["model.embed.weight"]
        x = to_float("F16", a[8 + na + e["data_offsets"][0]:8 + na + e["data_offsets"][1]])
        y = to_float("F16", b[8 + nb + e["data_offsets"][0]:8 + nb + e["data_offsets"][1]])
        np.testing.assert_array_equal(y == 0, reference_zeros(x, e["shape"], 0.9, (2, 2), None, "l2"))

    def test_only_selects_tensors(self):
        src = FIXTURES / "mixed.safetensors"
        dst = self.dir / "out.safetensors"
        out = run("sparsify", src, dst, "--only", "*.conv.*", check=True).stdout
        self.assertIn("1 of 7 tensors sparsified", out)
        self.check_sparsified(src, dst, 0.5, skip=[n for n in read_raw(src)[2] if ".conv." not in n])

    def test_npy_written_by_numpy(self):
        rng = np.random.default_rng(3)
        cases = {"f32.npy": rng.standard_normal((10, 12)).astype(np.float32),
                 "f64.npy": rng.standard_normal((3, 4, 8)),
                 "f16.npy": rng.standard_normal((2, 3, 4, 8)).astype(np.float16),
                 "fortran.npy": np.asfortranarray(rng.standard_normal((6, 8)).astype(np.float32)),
                 "big_endian.npy": rng.standard_normal((4, 8)).astype(">f4"),
                 "ints.npy": np.arange(24, dtype=np.int64).reshape(4, 6)}
        for name, arr in cases.items():
            src, dst = self.dir / name, self.dir / ("out_" + name)
            np.save(src, arr)
            run("sparsify", src, dst, "--sparsity", "0.5", check=True)
            got = np.load(dst)
            self.assertEqual(got.dtype, arr.dtype, name)
            self.assertEqual(got.shape, arr.shape, name)
            if name in ("fortran.npy", "big_endian.npy", "ints.npy"):
                self.assertEqual(src.read_bytes(), dst.read_bytes(), name + " must be copied")
                continue
            x = np.ascontiguousarray(arr).reshape(-1)
            expect = reference_zeros(x.astype(np.float64 if arr.dtype == np.float64 else np.float32), arr.shape, 0.5)
            np.testing.assert_array_equal(got.reshape(-1) == 0, expect, err_msg=name)
            np.testing.assert_array_equal(got.reshape(-1)[~expect], x[~expect], err_msg=name)
        for name in ["weights_f32.npy", "conv_f16.npy"]:  # the committed ones too
            run("sparsify", FIXTURES / name, self.dir / ("c_" + name), check=True)
            self.assertAlmostEqual(float((np.load(self.dir / ("c_" + name)) == 0).mean()), 0.5)

    def test_npz_written_by_numpy(self):
        rng = np.random.default_rng(4)
        arrays = {"w": rng.standard_normal((8, 16)).astype(np.float32), "h": rng.standard_normal((4, 4, 8)).astype(np.float16),
                  "ids": np.arange(5, dtype=np.int32)}
        for saver in (np.savez, np.savez_compressed):
            src, dst = self.dir / "in.npz", self.dir / "out.npz"
            saver(src, **arrays)
            with zipfile.ZipFile(src, "a") as z:  # a member that is not an array is copied
                z.writestr("notes.txt", "hello")
            run("sparsify", src, dst, "--sparsity", "0.75", check=True)
            got = np.load(dst)
            self.assertEqual(sorted(got.files), ["h", "ids", "notes.txt", "w"])
            np.testing.assert_array_equal(got["ids"], arrays["ids"])
            with zipfile.ZipFile(dst) as z, zipfile.ZipFile(src) as zs:
                self.assertEqual(z.read("notes.txt"), b"hello")
                self.assertEqual(z.getinfo("w.npy").compress_type, zs.getinfo("w.npy").compress_type)
            for k in ("w", "h"):
                x = arrays[k].reshape(-1).astype(np.float32)
                np.testing.assert_array_equal(got[k].reshape(-1) == 0, reference_zeros(x, arrays[k].shape, 0.75), err_msg=k)
                self.assertEqual(got[k].dtype, arrays[k].dtype)

    def test_tensors_written_by_pytorch(self):
        try:
            import torch
        except ImportError:
            self.fail("PyTorch (python3-torch, .ci/packages) is needed for this test")
        g = torch.Generator().manual_seed(5)
        tensors = {"emb": torch.randn(40, 16, generator=g).to(torch.bfloat16),
                   "half": torch.randn(2, 3, 2, 8, generator=g).to(torch.float16),
                   "full": torch.randn(12, 8, generator=g), "double": torch.randn(6, 8, generator=g, dtype=torch.float64),
                   "count": torch.arange(7, dtype=torch.int64)}
        names = {torch.bfloat16: "BF16", torch.float16: "F16", torch.float32: "F32", torch.float64: "F64", torch.int64: "I64"}
        entries = [(k, names[t.dtype], tuple(t.shape),
                    (t.view(torch.int16) if t.dtype == torch.bfloat16 else t).numpy().tobytes()) for k, t in tensors.items()]
        src, dst = self.dir / "torch.safetensors", self.dir / "out.safetensors"
        src.write_bytes(safetensors_bytes(entries, {"format": "pt"}))
        run("sparsify", src, dst, "--sparsity", "0.6", "--norm", "l2", check=True)
        b, nb, hb = read_raw(dst)
        for k, t in tensors.items():
            begin, end = hb[k]["data_offsets"]
            raw = bytearray(b[8 + nb + begin:8 + nb + end])
            if t.dtype == torch.bfloat16:
                y = torch.frombuffer(raw, dtype=torch.int16).view(torch.bfloat16).reshape(t.shape)
            else:
                y = torch.frombuffer(raw, dtype=t.dtype).reshape(t.shape)
            if t.dtype == torch.int64:
                self.assertTrue(torch.equal(y, t))
                continue
            x = t.to(torch.float64 if t.dtype == torch.float64 else torch.float32).reshape(-1).numpy()
            expect = torch.from_numpy(reference_zeros(x, list(t.shape), 0.6, norm="l2")).reshape(t.shape)
            self.assertTrue(torch.equal(y == 0, expect), k)
            self.assertTrue(torch.equal(y[~expect], t[~expect]), k)

    def test_output_over_the_input_and_quiet(self):
        src = self.dir / "m.safetensors"
        shutil.copy(FIXTURES / "mixed.safetensors", src)
        out = run("sparsify", src, src, "--quiet", check=True)
        self.assertEqual((out.stdout, out.stderr), ("", ""))
        self.check_sparsified(FIXTURES / "mixed.safetensors", src, 0.5)
        self.assertEqual(oct(src.stat().st_mode & 0o777), oct(0o666 & ~self.umask()))

    def test_progress_only_on_a_terminal(self):
        import pty
        src, dst = FIXTURES / "mixed.safetensors", self.dir / "o.safetensors"
        for quiet in (False, True):
            master, slave = pty.openpty()
            p = subprocess.run([EXE, "sparsify", str(src), str(dst)] + (["--quiet"] if quiet else []),
                               stdout=subprocess.PIPE, stderr=slave, timeout=60)
            os.close(slave)
            seen = b""
            try:
                while True:
                    chunk = os.read(master, 4096)
                    if not chunk:
                        break
                    seen += chunk
            except OSError:
                pass
            os.close(master)
            self.assertEqual(p.returncode, 0)
            if quiet:
                self.assertEqual(seen, b"")
            else:
                self.assertIn(b"[1/7] model.embed.weight (64x32)", seen)
                self.assertIn(b"[7/7] model.mask (4x8)", seen)

    @staticmethod
    def umask():
        m = os.umask(0)
        os.umask(m)
        return m


class Inspect(Base):
    def test_mixed_fixture(self):
        out = run("inspect", FIXTURES / "mixed.safetensors", check=True).stdout
        self.assertIn("safetensors, 7 tensors", out)
        for row in [r"model\.embed\.weight +F16 +64x32 +4096 +0\.0000 +0\.0000 +4:4 +8:8",
                    r"model\.layers\.0\.conv\.weight +F64 +8x4x3x4 +3072 +0\.0000 +0\.0000 +4:4 +-",
                    r"model\.step +I64 +1 +8 +- +- +- +-"]:
            self.assertRegex(out, "(?m)^" + row + "$")
        self.assertIn('metadata: {"format":"pt","source":"datasparse fixture"}', out)

    def test_structure_of_a_2_4_file(self):
        x = np.arange(1, 65, dtype=np.float32).reshape(4, 16)
        x[:, 0::4] = 0
        x[:, 2::4] = 0
        np.save(self.dir / "s.npy", x)
        out = run("inspect", self.dir / "s.npy", check=True).stdout
        self.assertRegex(out, r"(?m)^s +<f4 +4x16 +256 +0\.5000 +1\.0000 +2:4 +4:8$")
        y = np.ones((2, 8), np.float16)
        y[0, :3] = 0
        np.savez(self.dir / "z.npz", y=y)
        out = run("inspect", self.dir / "z.npz", check=True).stdout
        self.assertRegex(out, r"(?m)^y +<f2 +2x8 +32 +0\.1875 +0\.2500 +4:4 +8:8$")


class Schedule(Base):
    def levels(self, out):
        return [float(l.split()[1]) for l in out.splitlines() if l.strip() and l.split()[0].isdigit()]

    def test_cubic_matches_the_formula(self):
        out = run("schedule", "--kind", "cubic", "--base", "0.8", "--delta-t", "2", "--total-t", "4", "--epochs", "10", check=True).stdout
        expect = [min(0.8, max(0.0, 0.8 + (0.0 - 0.8) * (1 - t / 8) ** 3)) for t in range(10)]
        np.testing.assert_allclose(self.levels(out), expect, atol=5e-5)

    def test_each_kind(self):
        cases = {("gamma", "--gamma", "2", "--threshold", "0.9", "--base", "0.1"): [0.1, 0.2, 0.4, 0.8, 0.9, 0.9],
                 ("step", "--step-size", "2", "--gamma", "0.5", "--base", "0.8"): [0.8, 0.8, 0.4, 0.4, 0.2, 0.2],
                 ("constant", "--value", "0.7", "--begin-step", "2", "--frequency", "1", "--base", "0.1"): [0.1, 0.1, 0.7, 0.7, 0.7, 0.7],
                 ("polynomial", "--initial", "0", "--final", "0.5", "--begin-step", "0", "--end-step", "4", "--frequency", "1", "--power", "1"):
                     [0.0, 0.125, 0.25, 0.375, 0.5, 0.5]}
        for args, expect in cases.items():
            out = run("schedule", "--kind", *args, "--epochs", "6", check=True).stdout
            np.testing.assert_allclose(self.levels(out), expect, atol=5e-5, err_msg=" ".join(args))

    def test_plot_and_no_gnuplot(self):
        png = self.dir / "s.png"
        run("schedule", "--kind", "cubic", "--epochs", "12", "--plot", png, check=True)
        self.assertEqual(png.read_bytes()[:8], b"\x89PNG\r\n\x1a\n")
        png2 = self.dir / "t.png"
        p = run("schedule", "--kind", "cubic", "--epochs", "12", "--plot", png2, env={"PATH": str(self.dir)}, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertEqual(p.stderr.count("\n"), 1)
        self.assertIn("gnuplot is not on PATH", p.stderr)
        self.assertIn(str(png2), p.stderr)
        self.assertFalse(png2.exists())
        self.assert_no_temp()

    def test_bad_arguments(self):
        for args, text in [(("--kind", "linear", "--epochs", "3"), "--kind linear: not a built-in schedule"),
                           (("--kind", "gamma", "--epochs", "3"), "gamma schedule needs parameter"),
                           (("--kind", "cubic", "--epochs", "0"), "--epochs 0"),
                           (("--kind", "cubic", "--gamma", "2", "--epochs", "3"), "has no parameter 'gamma'"),
                           (("--kind", "cubic", "--epochs", "3", "--plot", "x.jpg"), "must end in .png")]:
            p = run("schedule", *args, check=False)
            self.assertNotEqual(p.returncode, 0, args)
            self.assertEqual(p.stderr.count("\n"), 1, p.stderr)
            self.assertIn(text, p.stderr)


class Sweep(Base):
    def test_csv_against_sparsify_and_plot(self):
        src = FIXTURES / "mixed.safetensors"
        csv_path, png = self.dir / "s.csv", self.dir / "s.png"
        out = run("sweep", src, "--levels", "0.5,1.0", "--blocks", "1x4,2x2", "--norms", "l1,l2", "--csv", csv_path,
                  "--plot", png, check=True)
        self.assertEqual(csv_path.read_text(), out.stdout)
        rows = list(csv.DictReader(io.StringIO(out.stdout)))
        self.assertEqual(len(rows), 9)
        self.assertEqual(rows[0]["block"], "dense")
        size = src.stat().st_size
        for r in rows:
            self.assertEqual(int(r["bytes"]), size)
            self.assertLess(int(r["zstd_bytes"]), size * 1.1)
        # each row's error and size are those of the file `sparsify` writes
        for r in rows[1:]:
            dst = self.dir / "x.safetensors"
            run("sparsify", src, dst, "--sparsity", r["level"], "--block", r["block"], "--norm", r["norm"], "--quiet", check=True)
            a, na, ha = read_raw(src)
            b, nb, _ = read_raw(dst)
            num = den = 0.0
            for name, e in ha.items():
                if name == "__metadata__" or e["dtype"] not in ("F32", "F64", "F16", "BF16"):
                    continue
                lo, hi = e["data_offsets"]
                x = to_float(e["dtype"], a[8 + na + lo:8 + na + hi]).astype(np.float64)
                y = to_float(e["dtype"], b[8 + nb + lo:8 + nb + hi]).astype(np.float64)
                num += float(((x - y) ** 2).sum())
                den += float((x ** 2).sum())
            self.assertAlmostEqual(float(r["rel_error"]), (num / den) ** 0.5, places=5)
            if shutil.which("zstd"):
                z = subprocess.run(["zstd", "-3", "-c", "--no-check", str(dst)], capture_output=True).stdout
                self.assertLessEqual(abs(len(z) - int(r["zstd_bytes"])), 16)
        full = [r for r in rows if r["level"] == "1" and r["block"] == "1x4"]
        self.assertTrue(all(float(r["rel_error"]) > 0.99 for r in full))
        self.assertTrue(all(int(r["zstd_bytes"]) < int(rows[0]["zstd_bytes"]) / 2 for r in full))
        self.assertEqual(png.read_bytes()[:4], b"\x89PNG")

    def test_npz_and_bad_values(self):
        out = run("sweep", FIXTURES / "layers.npz", "--levels", "0.25", check=True).stdout
        self.assertEqual(len(out.strip().splitlines()), 3)
        for args, text in [(("--levels", "0.5,x"), "'x' is not a number"), (("--levels", "2"), "--levels 2: must be in [0, 1]"),
                           (("--blocks", "4"), "--blocks 4: expected ROWSxCOLS"), (("--norms", "l3"), "--norms l3: expected l1 or l2")]:
            p = run("sweep", FIXTURES / "mixed.safetensors", *args, check=False)
            self.assertNotEqual(p.returncode, 0)
            self.assertEqual(p.stderr.count("\n"), 1)
            self.assertIn(text, p.stderr)


class Errors(Base):
    """Every hostile or broken input: a non-zero exit, ONE line naming the file
    (and the tensor when there is one) and the problem; no output, no
    temporary file, and an existing output left as it was."""

    def expect_error(self, data, suffix, *texts, extra=()):
        src = self.dir / ("bad" + suffix)
        if data is not None:
            src.write_bytes(data)
        dst = self.dir / ("out" + suffix)
        dst.write_bytes(b"previous output")
        for cmd in (["sparsify", src, dst, *extra], ["inspect", src]):
            p = run(*cmd, check=False)
            self.assertEqual(p.returncode, 1, "%s: %s" % (cmd, p.stderr))
            self.assertEqual(p.stderr.count("\n"), 1, p.stderr)
            self.assertTrue(p.stderr.startswith("datasparse: error: "), p.stderr)
            self.assertIn(str(src), p.stderr)
            for t in texts:
                self.assertIn(t, p.stderr)
        self.assertEqual(dst.read_bytes(), b"previous output")
        self.assert_no_temp()

    def good(self):
        return safetensors_bytes([("a.w", "F32", (2, 4), np.arange(8, dtype="<f4").tobytes()),
                                  ("b.w", "F16", (4,), np.ones(4, "<f2").tobytes())])

    def with_header(self, header, data=b"\0" * 64):
        text = json.dumps(header).encode()
        return struct.pack("<Q", len(text)) + text + data

    def test_safetensors(self):
        good = self.good()
        self.expect_error(struct.pack("<Q", 1 << 60) + b"{}", ".safetensors", "declared header length 1152921504606846976 exceeds")
        self.expect_error(struct.pack("<Q", 5000) + b"{}", ".safetensors", "truncated: declared header length 5000")
        self.expect_error(b"\x01\x02", ".safetensors", "truncated: 2 bytes")
        self.expect_error(good[:-3], ".safetensors", "tensor 'b.w'", "past the end of the data")
        self.expect_error(self.with_header({"x": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]},
                                            "y": {"dtype": "F32", "shape": [4], "data_offsets": [8, 24]}}),
                          ".safetensors", "tensor 'y'", "overlaps tensor 'x'")
        self.expect_error(self.with_header({"x": {"dtype": "F16", "shape": [3, 4], "data_offsets": [0, 48]}}),
                          ".safetensors", "tensor 'x'", "wrong size: F16 of shape [3,4] is 24 bytes, data_offsets give 48")
        self.expect_error(self.with_header({"x": {"dtype": "F17", "shape": [1], "data_offsets": [0, 2]}}),
                          ".safetensors", "tensor 'x'", "unknown dtype 'F17'")
        self.expect_error(self.with_header({"x": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}),
                          ".safetensors", "tensor 'x'", "bad header")
        self.expect_error(self.with_header({"x": {"dtype": "F32", "shape": [1 << 62, 8], "data_offsets": [0, 4]}}),
                          ".safetensors", "tensor 'x'", "more")
        self.expect_error(self.with_header([1, 2]), ".safetensors", "not an object")
        # a name with a newline: the message stays one line (\xNN)
        self.expect_error(self.with_header({"a\nb": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}}),
                          ".safetensors", "tensor 'a\\x0ab'", "wrong size")
        text = b'{"x": {"dtype": "F32",'
        self.expect_error(struct.pack("<Q", len(text)) + text + b"\0" * 8, ".safetensors", "bad JSON header")

    def test_npy(self):
        buf = io.BytesIO()
        np.save(buf, np.arange(64, dtype=np.float32).reshape(8, 8))
        good = buf.getvalue()
        self.expect_error(b"NOTNUMPY" + good[8:], ".npy", "bad npy header: no \\x93NUMPY magic")
        self.expect_error(good[:-10], ".npy", "tensor 'bad'", "truncated: <f4 of shape 8x8 needs 256 bytes")
        self.expect_error(good.replace(b"'descr'", b"'dascr'"), ".npy", "bad npy header: unexpected key 'dascr'")
        self.expect_error(good.replace(b"(8, 8)", b"(8, x)"), ".npy", "bad npy header")
        self.expect_error(b"\x93NUMPY\x02\x00\xff\xff\xff\x7f{}", ".npy", "declared header length 2147483647 exceeds")
        self.expect_error(b"\x93NUMPY\x09\x00\x10\x00", ".npy", "unsupported format version 9.0")

    def test_npz_zip_bombs_and_corruption(self):
        # A member declaring 2 GiB from a few compressed bytes (central and local sizes patched).
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("a.npy", b"\0" * 1000)
        data = bytearray(buf.getvalue())
        cd = data.index(b"PK\x01\x02")
        struct.pack_into("<I", data, cd + 24, 2 ** 31)
        struct.pack_into("<I", data, 22, 2 ** 31)
        self.expect_error(bytes(data), ".npz", "member 'a.npy'", "zip bomb")
        # Overlapping members: many central entries pointing at one big stored member.
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
            arr = io.BytesIO()
            np.save(arr, np.zeros(4096, np.float32))
            for i in range(3):
                z.writestr("m%d.npy" % i, arr.getvalue())
        data = bytearray(buf.getvalue())
        first = data.index(b"PK\x01\x02")
        end = data.index(b"PK\x05\x06")
        entry = bytes(data[first:first + (end - first) // 3])
        fake = b"".join(entry.replace(b"m0.npy", b"m%d.npy" % i) for i in range(9))
        eocd = bytearray(data[end:])
        struct.pack_into("<HHII", eocd, 8, 9, 9, len(fake), first)
        self.expect_error(bytes(data[:first]) + fake + bytes(eocd), ".npz", "zip")
        # A member that inflates past the size it declares.
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("a.npy", b"\0" * 100000)
        data = bytearray(buf.getvalue())
        cd = data.index(b"PK\x01\x02")
        struct.pack_into("<I", data, cd + 24, 5000)
        struct.pack_into("<I", data, 22, 5000)
        self.expect_error(bytes(data), ".npz", "a.npy")
        # Not a zip; a truncated zip; a corrupt member; a bad .npy inside.
        self.expect_error(b"this is not a zip file at all", ".npz", "not a readable zip")
        good = io.BytesIO()
        np.savez_compressed(good, w=np.arange(1000, dtype=np.float32))
        self.expect_error(good.getvalue()[:200], ".npz", "not a readable zip")
        data = bytearray(good.getvalue())
        data[60] ^= 0xFF
        self.expect_error(bytes(data), ".npz", "w.npy")
        inner = io.BytesIO()
        with zipfile.ZipFile(inner, "w") as z:
            z.writestr("w.npy", b"\x93NUMPY\x01\x00\x04\x00{}  ")
        self.expect_error(inner.getvalue(), ".npz", "member 'w.npy'", "bad npy header")

    def test_torch_save_is_not_an_npz(self):
        try:
            import torch
        except ImportError:
            self.fail("PyTorch (python3-torch, .ci/packages) is needed for this test")
        path = self.dir / "bad.npz"
        torch.save({"w": torch.ones(3)}, path)
        self.expect_error(None, ".npz", "no .npy member", "torch.save")

    def test_files_and_arguments(self):
        src = FIXTURES / "mixed.safetensors"
        cases = [(["sparsify", self.dir / "missing.safetensors", self.dir / "o.safetensors"], "missing.safetensors: cannot open"),
                 (["sparsify", src, self.dir / "o.bin"], "o.bin: unknown file type"),
                 (["sparsify", src, self.dir / "o.npy"], "the output must have the input's format (safetensors)"),
                 (["sparsify", src, self.dir / "no" / "such" / "o.safetensors"], "cannot create a temporary file"),
                 (["sparsify", src, self.dir / "o.safetensors", "--sparsity", "1.5"], "--sparsity 1.5: must be in [0, 1]"),
                 (["sparsify", src, self.dir / "o.safetensors", "--block", "0x4"], "--block 0x4: block sizes must be in [1, 65536]"),
                 (["sparsify", src, self.dir / "o.safetensors", "--norm", "l3"], "--norm l3: expected l1 or l2"),
                 (["sparsify", src, self.dir / "o.safetensors", "--zeros-per-block", "5"],
                  "tensor 'model.embed.weight': zeros per block 5 must be in [0, 4] for block 1x4"),
                 (["sparsify", src, self.dir / "o.safetensors", "--config", self.dir / "none.json"], "none.json: cannot open"),
                 (["sparsify", src], "OUT is required"),
                 (["frobnicate"], "frobnicate")]
        (self.dir / "bad.json").write_text('{"defaults": {"sparsity": "high"}}')
        cases.append((["sparsify", src, self.dir / "o.safetensors", "--config", self.dir / "bad.json"], "defaults.sparsity is not a number"))
        (self.dir / "bad2.json").write_text('{"tensors": {"*": {"blocks": "1x4"}}}')
        cases.append((["sparsify", src, self.dir / "o.safetensors", "--config", self.dir / "bad2.json"], "unknown key tensors[\"*\"].blocks"))
        (self.dir / "bad3.json").write_text('{"defaults": ')
        cases.append((["sparsify", src, self.dir / "o.safetensors", "--config", self.dir / "bad3.json"], "bad JSON"))
        for args, text in cases:
            p = run(*args, check=False)
            self.assertIn(p.returncode, (1, 2), args)
            self.assertEqual(p.stderr.count("\n"), 1, p.stderr)
            self.assertIn(text, p.stderr, args)
            self.assertFalse((self.dir / "o.safetensors").exists())
        self.assert_no_temp()


class Fixtures(Base):
    def test_committed_fixtures_are_what_the_generator_writes(self):
        subprocess.run([sys.executable, str(Path(__file__).parent / "gen_fixtures.py"), str(self.dir)], check=True)
        self.assertEqual((self.dir / "mixed.safetensors").read_bytes(), (FIXTURES / "mixed.safetensors").read_bytes())
        for name in ("weights_f32.npy", "conv_f16.npy"):
            self.assertEqual((self.dir / name).read_bytes(), (FIXTURES / name).read_bytes(), name)

    def test_independent_reader_agrees_with_numpy_and_the_command(self):
        meta, tensors = safetensors_reader.read(FIXTURES / "mixed.safetensors")
        self.assertEqual(meta, {"format": "pt", "source": "datasparse fixture"})
        for name, dtype, shape, raw in mixed_tensors():
            got_dtype, got_shape, values = tensors[name]
            self.assertEqual((got_dtype, got_shape), (dtype, shape))
            if dtype in ("F32", "F64", "F16", "BF16"):
                np.testing.assert_array_equal(np.array(values), to_float(dtype, raw).astype(np.float64))
            else:
                self.assertEqual(values, raw)
        # bfloat16 bits as PyTorch rounds them
        x = np.array([1.0, 1.00390625, 1.01171875, -3.14159, 65504.0], np.float32)
        try:
            import torch
            np.testing.assert_array_equal(bf16_bits(x), torch.from_numpy(x).to(torch.bfloat16).view(torch.int16).numpy().view(np.uint16))
        except ImportError:
            self.fail("PyTorch (python3-torch, .ci/packages) is needed for this test")
        out = run("inspect", FIXTURES / "mixed.safetensors", check=True).stdout
        for name, (dtype, shape, _) in tensors.items():
            self.assertRegex(out, r"(?m)^%s +%s +%s " % (name.replace(".", r"\."), dtype, "x".join(map(str, shape))))


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--exe", required=True)
    ap.add_argument("--lib", required=True)
    ap.add_argument("--fixtures", required=True)
    args, rest = ap.parse_known_args()
    EXE, LIB, FIXTURES = args.exe, args.lib, Path(args.fixtures)
    unittest.main(argv=[sys.argv[0], "-v", *rest])
