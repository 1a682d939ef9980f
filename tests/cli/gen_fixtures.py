#!/usr/bin/env python3
"""Writes the datasparse command's committed fixtures from the published
.safetensors format (8-byte little-endian header length, a JSON header of
{name: {dtype, shape, data_offsets}} plus "__metadata__", then the data),
with NumPy and struct only (the safetensors package is not in Debian 12),
and small .npy/.npz files with NumPy itself. Deterministic: run it again and
the files are the same bytes (the .npz ones but for the time stamps NumPy's zip entries carry).

Usage: gen_fixtures.py OUT_DIR [FUZZ_CORPUS_DIR]
"""
import json
import struct
import sys
from pathlib import Path

import numpy as np


def bf16_bits(x: np.ndarray) -> np.ndarray:
    """float32 -> bfloat16 bits, round to nearest even (as PyTorch does)."""
    u = x.astype(np.float32).view(np.uint32).astype(np.uint64)
    rounded = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
    return rounded.astype(np.uint16)


def safetensors_bytes(tensors, metadata=None, key_order=None):
    """tensors: list of (name, dtype string, shape, raw bytes) in data order."""
    header = {}
    offset = 0
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
    if metadata is not None:
        header["__metadata__"] = metadata
    if key_order:
        header = {k: header[k] for k in key_order(header)}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)  # the format pads the header to 8 bytes
    return struct.pack("<Q", len(text)) + text + b"".join(raw for _, _, _, raw in tensors)


def mixed_tensors(seed=7):
    rng = np.random.default_rng(seed)
    f = lambda *shape: rng.standard_normal(shape).astype(np.float32)
    return [
        ("model.embed.weight", "F16", (64, 32), f(64, 32).astype("<f2").tobytes()),
        ("model.layers.0.attn.weight", "BF16", (32, 32), bf16_bits(f(32, 32)).astype("<u2").tobytes()),
        ("model.layers.0.mlp.weight", "F32", (48, 32), f(48, 32).astype("<f4").tobytes()),
        ("model.layers.0.conv.weight", "F64", (8, 4, 3, 4), f(8, 4, 3, 4).astype("<f8").tobytes()),
        ("model.layers.0.mlp.bias", "F32", (32,), f(32).astype("<f4").tobytes()),
        ("model.step", "I64", (1,), np.array([12345], "<i8").tobytes()),
        ("model.mask", "U8", (4, 8), (np.arange(32) % 3).astype(np.uint8).tobytes()),
    ]


def main() -> int:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    meta = {"format": "pt", "source": "datasparse fixture"}
    # Keys sorted by name, data in another order: readers must go by offsets.
    mixed = safetensors_bytes(mixed_tensors(), meta, key_order=lambda h: sorted(h))
    (out / "mixed.safetensors").write_bytes(mixed)
    rng = np.random.default_rng(11)
    np.save(out / "weights_f32.npy", rng.standard_normal((16, 32)).astype(np.float32))
    np.save(out / "conv_f16.npy", rng.standard_normal((4, 2, 3, 8)).astype(np.float16))
    with open(out / "layers.npz", "wb") as fh:
        np.savez_compressed(fh, dense=rng.standard_normal((16, 16)), ids=np.arange(10, dtype=np.int32))
    if len(sys.argv) > 2:  # small seeds for the fuzz target
        corpus = Path(sys.argv[2])
        corpus.mkdir(parents=True, exist_ok=True)
        small = [
            ("w", "F32", (2, 8), np.arange(16, dtype="<f4").tobytes()),
            ("h", "F16", (1, 4), np.array([1, -2, 0.5, 3], "<f2").tobytes()),
            ("b", "BF16", (4,), bf16_bits(np.array([1, 2, -3, 0.25], np.float32)).astype("<u2").tobytes()),
            ("d", "F64", (2, 1, 1, 4), np.arange(8, dtype="<f8").tobytes()),
            ("i", "I32", (2,), np.array([1, 2], "<i4").tobytes()),
        ]
        (corpus / "small.safetensors").write_bytes(safetensors_bytes(small, {"k": "v"}))
        np.save(corpus / "small_f32.npy", np.arange(24, dtype=np.float32).reshape(2, 3, 4))
        np.save(corpus / "small_f16.npy", np.linspace(-1, 1, 16).astype(np.float16).reshape(4, 4))
        with open(corpus / "small.npz", "wb") as fh:
            np.savez(fh, a=np.arange(8, dtype=np.float64).reshape(2, 4), n=np.arange(3, dtype=np.int8))
    return 0


if __name__ == "__main__":
    sys.exit(main())
