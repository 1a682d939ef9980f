#!/usr/bin/python3
"""PyTorch 1.13's DataNormSparsifier.step() on the cases of cases.txt, timed
the same way as the C++ side (median of repeated steps), printed as JSON
lines: {"label": ..., "ms": ...}. Needs Debian's python3-torch."""
import json
import statistics
import sys
import time
from pathlib import Path

import torch
from torch.ao.sparsity._experimental.data_sparsifier import DataNormSparsifier


def cases(path):
    for line in Path(path).read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            r, c, br, bc, z, level, norm = line.split()
            yield int(r), int(c), int(br), int(bc), int(z), float(level), norm


def main():
    torch.set_num_threads(int(sys.argv[2]) if len(sys.argv) > 2 else 2)
    torch.manual_seed(42)
    for r, c, br, bc, z, level, norm in cases(sys.argv[1]):
        data = torch.randn(r, c)
        sp = DataNormSparsifier(sparsity_level=level, sparse_block_shape=(br, bc), zeros_per_block=z, norm=norm)
        sp.add_data("x", data)
        sp.step()  # warm-up
        times, deadline = [], time.perf_counter() + 2.0
        while time.perf_counter() < deadline or len(times) < 3:
            t0 = time.perf_counter()
            sp.step()
            times.append(time.perf_counter() - t0)
        label = f"{r}x{c}/{br}x{bc}/z{z}/l{level:g}/{norm}"
        print(json.dumps({"label": label, "ms": 1e3 * statistics.median(times)}), flush=True)


if __name__ == "__main__":
    main()
