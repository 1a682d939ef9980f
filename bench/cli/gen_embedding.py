#!/usr/bin/env python3
"""A synthetic float16 embedding table as .safetensors, for the datasparse
command's figures (not committed: ~100 MB). Rows have a log-normal scale, as
trained embeddings do (frequent ids grow larger rows); a fixed seed.

Usage: gen_embedding.py OUT.safetensors [ROWS [COLS]]   (default 400000 x 128)
"""
import json
import struct
import sys

import numpy as np


def main() -> int:
    out = sys.argv[1]
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 400000
    cols = int(sys.argv[3]) if len(sys.argv) > 3 else 128
    rng = np.random.default_rng(2024)
    with open(out, "wb") as fh:
        nbytes = rows * cols * 2
        header = {"__metadata__": {"format": "pt", "note": "synthetic embedding table"},
                  "embedding.weight": {"dtype": "F16", "shape": [rows, cols], "data_offsets": [0, nbytes]}}
        text = json.dumps(header).encode()
        text += b" " * ((8 - len(text) % 8) % 8)
        fh.write(struct.pack("<Q", len(text)) + text)
        for r0 in range(0, rows, 50000):
            n = min(50000, rows - r0)
            scale = rng.lognormal(mean=-3.0, sigma=0.8, size=(n, 1)).astype(np.float32)
            fh.write((rng.standard_normal((n, cols), dtype=np.float32) * scale).astype("<f2").tobytes())
    return 0


if __name__ == "__main__":
    sys.exit(main())
