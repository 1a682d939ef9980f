"""The native state format (src/core/state/format.md) read and written in Python.

state_dict() / load_state_dict() take plain dicts, as PyTorch's do; the C API
restores masks, squashed flags, step counts and a scheduler's values only from
its own format. So load_state_dict() reads the sparsifier's current native
state, puts the dict's masks and flags into it, encodes it back and lets the
library load it (which validates everything again). Only what format.md
states is done here.
"""
import struct

import numpy as np

_SPARSIFIER_MAGIC = b"DSSPARS\0"
_SCHEDULER_MAGIC = b"DSSCHED\0"


def _crc32c_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_TABLE = _crc32c_table()


def crc32c(data):
    """CRC32C (Castagnoli) of bytes: format.md's checksum ("123456789" -> 0xE3069283)."""
    crc = 0xFFFFFFFF
    table = _TABLE
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


class _Reader:
    def __init__(self, data, end):
        self.data, self.at, self.end = data, 0, end

    def take(self, n):
        if self.at + n > self.end:
            raise ValueError("truncated datasparse state")
        out = self.data[self.at:self.at + n]
        self.at += n
        return out

    def u8(self):
        return self.take(1)[0]

    def u32(self):
        return struct.unpack("<I", self.take(4))[0]

    def u64(self):
        return struct.unpack("<Q", self.take(8))[0]

    def i64(self):
        return struct.unpack("<q", self.take(8))[0]

    def f64(self):
        return struct.unpack("<d", self.take(8))[0]

    def string(self):
        return self.take(self.u32()).decode("utf-8", "surrogateescape")

    def config(self):
        return [(self.string(), self.f64()) for _ in range(self.u32())]


def _string(text):
    raw = text.encode("utf-8", "surrogateescape")
    return struct.pack("<I", len(raw)) + raw


def _config(pairs):
    items = sorted(pairs, key=lambda kv: kv[0].encode("utf-8", "surrogateescape"))
    return struct.pack("<I", len(items)) + b"".join(_string(k) + struct.pack("<d", float(v)) for k, v in items)


def _frame(magic, version, flags, sections):
    body = magic + struct.pack("<II", version, flags)
    for section_id, payload in sections:
        body += struct.pack("<IQ", section_id, len(payload)) + payload
    return body + struct.pack("<I", crc32c(body))


def _sections(data, magic):
    if len(data) < 20 or data[:8] != magic:
        raise ValueError("not a datasparse state of this kind")
    version, flags = struct.unpack("<II", data[8:16])
    reader = _Reader(data, len(data) - 4)
    reader.at = 16
    out = []
    while reader.at < reader.end:
        section_id, length = reader.u32(), reader.u64()
        out.append((section_id, _Reader(reader.take(length), length)))
    return version, flags, out


def decode_sparsifier(data):
    """A sparsifier state as a dict: kind, norm, mask_update, step_count, defaults, items
    (each: name, dtype, shape, row_stride, global_rows, first_row, config, squashed, mask
    (uint8 array, one byte per element) or None, data (bytes) or None), groups (each:
    (name, [member names]))."""
    version, flags, sections = _sections(bytes(data), _SPARSIFIER_MAGIC)
    head = sections[0][1]
    state = dict(kind=head.u32(), norm=head.u32(), mask_update=bool(head.u8()), step_count=head.i64(),
                 defaults=head.config(), items=[], groups=[])
    for section_id, r in sections[1:]:
        if section_id == 3:  # GROUP (version 3), after the items
            name = r.string()
            state["groups"].append((name, [r.string() for _ in range(r.u32())]))
            continue
        item = dict(name=r.string(), global_rows=0, first_row=0)
        if version >= 2:
            item["dtype"] = r.u32()
            item["shape"] = tuple(r.i64() for _ in range(r.u32()))
            item["row_stride"] = r.i64()
            if version >= 3:
                item["global_rows"], item["first_row"] = r.i64(), r.i64()
        else:
            item["dtype"], item["shape"], item["row_stride"] = 0, (r.i64(), r.i64()), 0
        item["config"] = r.config()
        item["squashed"] = bool(r.u8())
        has_data = bool(r.u8())
        count = int(np.prod(item["shape"]))
        item["mask"] = None
        if not item["squashed"]:
            bits = np.frombuffer(r.take((count + 7) // 8), dtype=np.uint8)
            item["mask"] = np.unpackbits(bits, count=count, bitorder="little")
        item["data"] = r.take(count * _ELEMENT_SIZE[item["dtype"]]) if has_data else None
        state["items"].append(item)
    return state


_ELEMENT_SIZE = {0: 4, 1: 8, 2: 2, 3: 2}


def encode_sparsifier(state):
    """The bytes of a state as decode_sparsifier gives it (as the library writes: version 3
    with a group or a shard, else 1 when every item is a contiguous 2-D float32 matrix,
    else 2)."""
    plain = all(i["dtype"] == 0 and len(i["shape"]) == 2 and i["row_stride"] == 0 for i in state["items"])
    groups = state.get("groups", [])
    sharded = groups or any(i.get("global_rows", 0) for i in state["items"])
    version = 3 if sharded else 1 if plain else 2
    flags = 1 if any(i["data"] is not None for i in state["items"]) else 0
    head = (struct.pack("<IIBq", state["kind"], state["norm"], 1 if state["mask_update"] else 0, state["step_count"])
            + _config(state["defaults"]))
    sections = [(1, head)]
    for i in state["items"]:
        payload = _string(i["name"])
        if version == 1:
            payload += struct.pack("<qq", *i["shape"])
        else:
            payload += struct.pack("<II", i["dtype"], len(i["shape"]))
            payload += b"".join(struct.pack("<q", d) for d in i["shape"]) + struct.pack("<q", i["row_stride"])
            if version >= 3:
                payload += struct.pack("<qq", i.get("global_rows", 0), i.get("first_row", 0))
        payload += _config(i["config"])
        payload += struct.pack("<BB", 1 if i["squashed"] else 0, 0 if i["data"] is None else 1)
        if not i["squashed"]:
            payload += np.packbits(np.asarray(i["mask"], dtype=np.uint8).reshape(-1), bitorder="little").tobytes()
        if i["data"] is not None:
            payload += bytes(i["data"])
        sections.append((2, payload))
    for name, members in groups:
        sections.append((3, _string(name) + struct.pack("<I", len(members))
                         + b"".join(_string(m) for m in members)))
    return _frame(_SPARSIFIER_MAGIC, version, flags, sections)


def encode_scheduler(schedule_param, schedule_kind, last_epoch, step_count, entries):
    """A scheduler state (format version 1); entries: (name, base or None, last or None)."""
    head = (_string(schedule_param) + _string(schedule_kind) + _config([]) +
            struct.pack("<qq", last_epoch, step_count))

    def opt(value):
        return b"\0" if value is None else b"\1" + struct.pack("<d", float(value))

    sections = [(1, head)] + [(2, _string(name) + opt(base) + opt(last)) for name, base, last in entries]
    return _frame(_SCHEDULER_MAGIC, 1, 0, sections)
