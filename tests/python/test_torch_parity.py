"""Differential test: the masks of datasparse.DataNormSparsifier against
PyTorch 1.13's DataNormSparsifier (torch.ao.sparsity._experimental.
data_sparsifier) on random normal data, over shapes, block shapes,
zeros_per_block, sparsity levels and both norms, compared exactly.

Cases whose PyTorch answer is tie-ambiguous (equal block scores across the
selection boundary, a selection that depends on float32 vs double block
means, equal element scores across zeros_per_block) are not compared, as in
tests/fixtures/gen_golden.py. Skipped with a message when torch is missing.
"""
import random
import unittest

import numpy as np

import datasparse as ds

try:
    import torch
    import torch.nn.functional as F
    from torch.ao.sparsity._experimental.data_sparsifier import DataNormSparsifier as TorchNormSparsifier
    TORCH_MISSING = None
except Exception as exc:  # ImportError, or a broken install
    torch = None
    TORCH_MISSING = "%s: %s" % (type(exc).__name__, exc)

BLOCKS = [(1, 1), (1, 4), (2, 2), (4, 1), (2, 3), (4, 4), (3, 5), (8, 2), (1, 16)]
LEVELS = [0.1, 0.2, 0.25, 0.3, 0.5, 0.7, 0.75, 0.8, 0.9, 0.95]


def make_cases(seed=1913, count=240):
    rnd = random.Random(seed)
    cases = []
    for i in range(count):
        br, bc = BLOCKS[i % len(BLOCKS)]
        u = rnd.random()
        if u < 0.1:
            rows, cols = 1, rnd.randint(2, 200)          # a single row
        elif u < 0.4:
            rows, cols = rnd.randint(2, 9), rnd.randint(2, 9)
        else:
            rows, cols = rnd.randint(2, 80), rnd.randint(2, 80)
        nb = -(-rows // br) * -(-cols // bc)
        kind = rnd.choice(["zero", "one", "half", "grid", "grid", "uniform", "uniform"])
        if kind == "zero":
            level = 0.0
        elif kind == "one":
            level = 1.0
        elif kind == "half":                             # level * nb == m + 0.5: round half to even
            level = (rnd.randrange(nb) + 0.5) / nb
        elif kind == "grid":
            level = rnd.choice(LEVELS)
        else:
            level = rnd.random()
        cases.append(dict(rows=rows, cols=cols, norm=rnd.choice(["L1", "L2"]), br=br, bc=bc,
                          zpb=rnd.randint(0, br * bc), level=level, seed=rnd.getrandbits(32)))
    return cases


def tie_ambiguous(x, norm, br, bc, zpb, level):
    """Whether PyTorch's mask for this case depends on how ties are broken (see module doc)."""
    rows, cols = x.shape
    e = np.abs(x) if norm == "L1" else x * x
    nbr, nbc = -(-rows // br), -(-cols // bc)
    nb = nbr * nbc
    pad = np.full((nbr * br, nbc * bc), np.inf, dtype=np.float32)
    pad[:rows, :cols] = e
    blocks = pad.reshape(nbr, br, nbc, bc).transpose(0, 2, 1, 3).reshape(nb, br * bc)
    inside = np.isfinite(blocks)
    counts = inside.sum(axis=1)
    means = np.where(inside, blocks.astype(np.float64), 0.0).sum(axis=1) / counts
    k = round(min(max(level, 0.0), 1.0) * nb)
    if 0 < k < nb:
        t = F.avg_pool2d(torch.from_numpy(e)[None, None], kernel_size=(br, bc), stride=(br, bc),
                         ceil_mode=True).flatten().numpy()
        ts, dsorted = np.sort(t), np.sort(means)
        if ts[k - 1] == ts[k] or dsorted[k - 1] == dsorted[k]:
            return True
        if set(np.argsort(t, kind="stable")[:k].tolist()) != set(np.argsort(means, kind="stable")[:k].tolist()):
            return True
    if zpb > 0 and k > 0:
        selected = np.argsort(means, kind="stable")[:k]
        sb = np.sort(blocks[selected], axis=1)
        inner = zpb < counts[selected]
        if inner.any() and (sb[inner, zpb - 1] == sb[inner, zpb]).any():
            return True
    return False


def torch_mask(x, norm, br, bc, zpb, level):
    sp = TorchNormSparsifier(sparsity_level=level, sparse_block_shape=(br, bc), zeros_per_block=zpb, norm=norm)
    sp.add_data("w", torch.tensor(x))
    sp.step()
    mask = sp.get_mask("w").detach().cpu().numpy()
    return (mask != 0).astype(np.uint8).reshape(x.shape)   # PyTorch squeezes (1, n) data


@unittest.skipIf(torch is None, "PyTorch is not importable (%s): install python3-torch to run the differential "
                                "test against torch.ao's DataNormSparsifier" % TORCH_MISSING)
class TorchParityTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        torch.set_num_threads(1)
        torch.manual_seed(0)

    def test_masks_equal_pytorch_on_random_normal_data(self):
        cases = make_cases()
        # All cases of a norm share one of our sparsifiers (per-item configs, one parallel step).
        ours = {norm: ds.DataNormSparsifier(norm) for norm in ("L1", "L2")}
        data, compared, ambiguous = {}, [], 0
        for i, c in enumerate(cases):
            x = np.random.default_rng(c["seed"]).standard_normal((c["rows"], c["cols"]), dtype=np.float32)
            args = (x, c["norm"], c["br"], c["bc"], c["zpb"], c["level"])
            if tie_ambiguous(*args):
                ambiguous += 1
                continue
            name = "case%d" % i
            data[name] = x
            ours[c["norm"]].add_data(name, x, sparsity_level=c["level"], block_rows=c["br"], block_cols=c["bc"],
                                     zeros_per_block=c["zpb"])
            compared.append((name, c, torch_mask(*args)))
        for sp in ours.values():
            sp.step()
        mismatches = []
        for name, c, expected in compared:
            got = ours[c["norm"]].get_mask(name)
            if not np.array_equal(got, expected):
                mismatches.append("%s %s: %d elements differ" % (name, c, int((got != expected).sum())))
        print("\n  compared %d masks with PyTorch %s exactly; %d tie-ambiguous cases not compared"
              % (len(compared), torch.__version__, ambiguous))
        self.assertEqual(mismatches, [])
        self.assertGreaterEqual(len(compared), 0.75 * len(cases))
        for sp in ours.values():
            sp.close()

    def test_squashed_data_equals_pytorch(self):
        x = np.random.default_rng(7).standard_normal((24, 40), dtype=np.float32)
        for norm in ("L1", "L2"):
            with self.subTest(norm=norm):
                mine = x.copy()
                with ds.DataNormSparsifier(norm, sparsity_level=0.6, block_rows=2, block_cols=4,
                                           zeros_per_block=5) as sp:
                    sp.add_data("w", mine)
                    sp.step()
                    sp.squash_mask()
                ref = TorchNormSparsifier(sparsity_level=0.6, sparse_block_shape=(2, 4), zeros_per_block=5,
                                          norm=norm)
                ref.add_data("w", torch.tensor(x))
                ref.step()
                ref.squash_mask()
                np.testing.assert_array_equal(mine, ref.get_data("w", return_original=False).detach().numpy())


if __name__ == "__main__":
    unittest.main()
