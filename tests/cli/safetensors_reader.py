#!/usr/bin/env python3
"""A second, independent reader of .safetensors, written from the published
format with the standard library only (struct, json; no NumPy, nothing
shared with the generator or the C++ reader): checks the framing and
decodes every tensor to Python numbers (F16 with struct's 'e', BF16 as the
upper half of a float32).

As a module: read(path) -> (metadata, {name: (dtype, shape, values or raw bytes)}).
As a program: safetensors_reader.py FILE... prints a digest of each file.
"""
import json
import struct
import sys

SIZES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1,
         "U64": 8, "U32": 4, "U16": 2, "U8": 1, "BOOL": 1}


def decode(dtype, raw):
    if dtype == "F64":
        return list(struct.unpack("<%dd" % (len(raw) // 8), raw))
    if dtype == "F32":
        return list(struct.unpack("<%df" % (len(raw) // 4), raw))
    if dtype == "F16":
        return list(struct.unpack("<%de" % (len(raw) // 2), raw))
    if dtype == "BF16":
        halves = struct.unpack("<%dH" % (len(raw) // 2), raw)
        return [struct.unpack("<f", struct.pack("<I", h << 16))[0] for h in halves]
    return raw


def read(path):
    with open(path, "rb") as fh:
        blob = fh.read()
    if len(blob) < 8:
        raise ValueError("shorter than the header length")
    (n,) = struct.unpack("<Q", blob[:8])
    if n > len(blob) - 8:
        raise ValueError("header length past the end")
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    data = blob[8 + n:]
    metadata = header.pop("__metadata__", None)
    tensors = {}
    spans = []
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        count = 1
        for d in entry["shape"]:
            count *= d
        if end - begin != count * SIZES[entry["dtype"]]:
            raise ValueError("%s: size does not match dtype and shape" % name)
        if not 0 <= begin <= end <= len(data):
            raise ValueError("%s: offsets out of range" % name)
        spans.append((begin, end, name))
        tensors[name] = (entry["dtype"], tuple(entry["shape"]), decode(entry["dtype"], data[begin:end]))
    spans.sort()
    for (b0, e0, n0), (b1, e1, n1) in zip(spans, spans[1:]):
        if b1 < e0 and e1 > b1 and e0 > b0:
            raise ValueError("%s overlaps %s" % (n1, n0))
    return metadata, tensors


if __name__ == "__main__":
    for p in sys.argv[1:]:
        meta, tensors = read(p)
        print(p, "metadata", meta)
        for name, (dtype, shape, values) in sorted(tensors.items()):
            if isinstance(values, list):
                zeros = sum(1 for v in values if v == 0)
                print("  %s %s %s zeros %d/%d sum %.6g" % (name, dtype, shape, zeros, len(values), sum(values)))
            else:
                print("  %s %s %s %d bytes" % (name, dtype, shape, len(values)))
