#!/usr/bin/python3
"""PyTorch 1.13's DataNormSparsifier.step() on the cases of cases.txt, timed
like bench_step (median of repeated steps after a warm-up), with the given
number of threads; prints CSV rows: case,threads,ms. Needs python3-torch."""
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


def label(r, c, br, bc, z, level, norm):  # as bench_step's Case::label()
    return f"{r}x{c} {br}x{bc} z{z} l{level:g} {norm}"


def main():
    threads = [int(t) for t in sys.argv[2].split(",")]
    torch.manual_seed(42)
    print("case,threads,ms")
    for case in cases(sys.argv[1]):
        r, c, br, bc, z, level, norm = case
        data = torch.randn(r, c)
        sp = DataNormSparsifier(sparsity_level=level, sparse_block_shape=(br, bc), zeros_per_block=z, norm=norm)
        sp.add_data("x", data)
        for t in threads:
            torch.set_num_threads(t)
            sp.step()  # warm-up
            times = []
            while len(times) < 3:
                t0 = time.perf_counter()
                sp.step()
                times.append(time.perf_counter() - t0)
            print(f"{label(*case)},{t},{1e3 * statistics.median(times):.3f}", flush=True)


if __name__ == "__main__":
    main()
