// The schema of the versioned binary state (documented byte by byte in
// format.md): what a sparsifier and a scheduler state hold, in which order.
//
// Decoding never trusts the input (bytes.hpp's Reader) and fully validates
// the result before returning it. Encoding is canonical: a decoded snapshot
// encodes back to exactly the bytes it came from.
#include "core/state/codec.hpp"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <set>

#include "core/error.hpp"
#include "core/schedules.hpp"
#include "core/state/bytes.hpp"
#include "core/state/crc32c.hpp"
#include "core/validate.hpp"

namespace ds {

using state::kFormatVersion;
using state::Reader;
using state::Writer;

namespace {

// Layout constants (format.md).

constexpr char kSparsifierMagic[8] = {'D', 'S', 'S', 'P', 'A', 'R', 'S', '\0'};
constexpr char kSchedulerMagic[8] = {'D', 'S', 'S', 'C', 'H', 'E', 'D', '\0'};
constexpr size_t kHeaderSize = 16;       // magic, version, flags
constexpr size_t kSectionHeaderSize = 12;  // id, length
constexpr size_t kTrailerSize = 4;       // CRC32C

constexpr uint32_t kSparsifierFlagData = 1u;  // some item carries its data

constexpr uint32_t kSectionGlobal = 1;  // SPARSIFIER / SCHEDULER: exactly once, first
constexpr uint32_t kSectionItem = 2;    // ITEM / ENTRY: zero or more, in order
constexpr uint32_t kSectionGroup = 3;   // GROUP (sparsifier, version 3): zero or more, after the items

[[noreturn]] void bad_snapshot(const char *kind, const std::string &what) {
    fail(Status::internal, std::string("cannot encode ") + kind + " state: " + what);
}

void check_config_for_encode(const char *kind, const Config &c, const std::string &where) {
    if (c.size() > std::numeric_limits<uint32_t>::max()) bad_snapshot(kind, where + " has too many entries");
    for (const auto &kv : c) {
        if (const char *p = key_problem(kv.first)) bad_snapshot(kind, where + ": " + p);
        if (kv.first.size() > std::numeric_limits<uint32_t>::max())
            bad_snapshot(kind, where + ": config key too long");
        if (!std::isfinite(kv.second))
            bad_snapshot(kind, where + ": value of " + quoted(kv.first) + " is " + format_number(kv.second));
    }
}

void check_string_for_encode(const char *kind, const std::string &s, const std::string &where) {
    if (s.size() > std::numeric_limits<uint32_t>::max()) bad_snapshot(kind, where + " is too long");
}

// Common framing.

struct Frame {
    uint32_t version;
    uint32_t flags;
};

// Validates magic, version, size, checksum; positions r at the first section
// with its limit at the trailer.
Frame open_frame(Reader &r, const char *magic, const char *other_magic, const char *kind, const char *other_kind) {
    const uint8_t *b = r.bytes();
    const size_t size = r.size();
    constexpr size_t kMin = kHeaderSize + kTrailerSize;
    if (size < 8 || std::memcmp(b, magic, 8) != 0) {
        if (size >= 8 && std::memcmp(b, other_magic, 8) == 0)
            fail(Status::corrupt, std::string("this is a ") + other_kind + " state, not a " + kind + " state");
        if (size > 0 && size < 8 && std::memcmp(b, magic, size) == 0)
            fail(Status::corrupt, std::string("corrupt ") + kind + " state: truncated to " + std::to_string(size) +
                                     " bytes");
        fail(Status::corrupt, std::string("not a datasparse ") + kind + " state (" +
                                 (size < 8 ? "only " + std::to_string(size) + " bytes" : "wrong magic at byte 0") +
                                 ")");
    }
    r.take(8, "magic");
    if (size < 12) r.corrupt(8, "truncated to " + std::to_string(size) + " bytes, before the format version");
    const uint32_t version = r.u32("format version");
    if (version == 0) r.corrupt(8, "format version 0 is invalid");
    if (version > kFormatVersion)
        fail(Status::corrupt, std::string("this ") + kind + " state has format version " + std::to_string(version) +
                                 ", written by a newer datasparse; this library reads format version " +
                                 std::to_string(kFormatVersion));
    if (size < kMin)
        r.corrupt(12, "truncated to " + std::to_string(size) + " bytes (header and checksum alone take " +
                          std::to_string(kMin) + ")");
    const size_t body = size - kTrailerSize;
    const uint32_t stored = uint32_t(b[body]) | uint32_t(b[body + 1]) << 8 | uint32_t(b[body + 2]) << 16 |
                            uint32_t(b[body + 3]) << 24;
    const uint32_t computed = crc32c(b, body);
    if (stored != computed) {
        char buf[96];
        std::snprintf(buf, sizeof buf, "checksum mismatch (stored 0x%08X, computed 0x%08X)", unsigned(stored),
                      unsigned(computed));
        r.corrupt(body, std::string(buf) + ": the file is damaged or truncated");
    }
    Frame f;
    f.version = version;
    f.flags = r.u32("flags");
    r.set_limit(body);
    return f;
}

// Reads the next section header; returns false at the trailer. On true, the
// reader's limit is the section's end; end_section checks it was all read.
bool next_section(Reader &r, uint32_t *id, size_t *start, size_t body_end) {
    r.set_limit(body_end);
    r.set_in_section(false);
    r.where.clear();
    if (r.pos() == body_end) return false;
    *start = r.pos();
    r.need(kSectionHeaderSize, "section header");
    *id = r.u32("section id");
    const size_t length_at = r.pos();
    const uint64_t length = r.u64("section length");
    if (length > r.remaining())
        r.corrupt(length_at, "section " + std::to_string(*id) + " claims " + std::to_string(length) +
                                 " bytes but only " + std::to_string(r.remaining()) + " remain before the checksum");
    r.set_limit(r.pos() + static_cast<size_t>(length));
    r.set_in_section(true);
    return true;
}

void end_section(Reader &r, uint32_t id, size_t start) {
    if (r.remaining() != 0)
        r.corrupt(r.pos(), "section " + std::to_string(id) + " starting at byte " + std::to_string(start) + " has " +
                               std::to_string(r.remaining()) + " unread bytes at its end");
}

[[noreturn]] void unknown_section(Reader &r, uint32_t id, size_t start, const char *kind, uint32_t version) {
    r.corrupt(start, "unknown section id " + std::to_string(id) + " (format version " + std::to_string(version) +
                         " " + kind + " states have sections " +
                         (version >= 3 && std::strcmp(kind, "sparsifier") == 0 ? "1, 2 and 3" : "1 and 2") +
                         " only)");
}

// Reads the name that starts an ITEM, GROUP or ENTRY section (the index-th
// of its kind), which must be new in `seen`; from then on the reader's
// messages name it ("item 1 'fc2': ...").
std::string unique_name(Reader &r, const char *what, size_t index, std::set<std::string> &seen) {
    r.where = std::string(what) + " " + std::to_string(index);
    const size_t at = r.pos();
    std::string name = r.name("name");
    r.where += " " + quoted(name);
    if (!seen.insert(name).second) r.corrupt(at, r.field(std::string("name appears in an earlier ") + what + " too"));
    return name;
}

bool plain_state(const SparsifierSnapshot &s) {
    for (const auto &it : s.items)
        if (!it.tensor.plain() || it.tensor.row_stride != 0) return false;
    return true;
}

// Version 3 exists for groups and shards.
bool needs_v3(const SparsifierSnapshot &s) {
    if (!s.groups.empty()) return true;
    for (const auto &it : s.items)
        if (it.global_rows != 0) return true;
    return false;
}

// A shard's geometry (format.md, version 3), its shape already checked
// (check_item_shape); empty if it is fine.
std::string shard_problem(const SparsifierSnapshot::Item &it) {
    if (it.global_rows == 0) {
        if (it.first_row != 0) return "first_row is " + std::to_string(it.first_row) + " but the item is not a shard (global_rows 0)";
        return "";
    }
    if (it.global_rows < 0) return "global_rows is " + std::to_string(it.global_rows) + ", must be >= 0";
    if (it.tensor.shape.size() < 2)
        return "a shard has at least 2 dimensions, this one " + std::to_string(it.tensor.shape.size());
    const int64_t rows = it.tensor.rows();  // the shape is checked: no overflow
    if (it.first_row < 0 || it.first_row > it.global_rows - rows)
        return "the shard holds rows [" + std::to_string(it.first_row) + ", " + std::to_string(it.first_row + rows) +
               "), outside its " + std::to_string(it.global_rows) + " global rows";
    return "";
}

// check_shape, allowing a shard (global_rows > 0) a leading size of 0.
void check_item_shape(const SparsifierSnapshot::Item &it) {
    Tensor t = it.tensor;
    if (it.global_rows > 0 && !t.shape.empty() && t.shape[0] == 0) t.shape[0] = 1;
    check_shape(t, it.name);
}

// Group rules shared by the encoder and the decoder; empty if fine.
// `items`: the snapshot's item names; `grouped`: members of earlier groups.
std::string group_problem(const SparsifierSnapshot::Group &g, const std::set<std::string> &items,
                          std::set<std::string> &grouped) {
    if (g.members.empty()) return "has no members";
    std::set<std::string> seen;
    for (const std::string &m : g.members) {
        if (!items.count(m)) return "names " + quoted(m) + ", which is not an item of the state";
        if (!seen.insert(m).second) return "names " + quoted(m) + " twice";
        if (!grouped.insert(m).second) return "names " + quoted(m) + ", which is in an earlier group too";
    }
    return "";
}

}  // namespace

// Sparsifier.

std::vector<uint8_t> encode(const SparsifierSnapshot &s) {
    const char *kind = "sparsifier";
    if (s.kind > 1) bad_snapshot(kind, "kind is " + std::to_string(s.kind));
    if (s.norm > 1) bad_snapshot(kind, "norm is " + std::to_string(s.norm));
    if (s.step_count < 0) bad_snapshot(kind, "step count is " + std::to_string(s.step_count));
    check_config_for_encode(kind, s.defaults, "defaults");
    std::set<std::string> names;
    bool any_data = false;
    size_t reserve = 64;
    for (const auto &it : s.items) {
        const std::string where = "item " + quoted(it.name);
        if (const char *p = name_problem(it.name)) bad_snapshot(kind, where + ": " + p);
        check_string_for_encode(kind, it.name, where);
        if (!names.insert(it.name).second) bad_snapshot(kind, where + " appears twice");
        try {
            check_item_shape(it);
        } catch (const Error &e) {
            bad_snapshot(kind, where + ": " + e.what());
        }
        const std::string shard = shard_problem(it);
        if (!shard.empty()) bad_snapshot(kind, where + ": " + shard);
        if (s.kind != 0 && it.global_rows != 0) bad_snapshot(kind, where + ": a custom sparsifier has no shards");
        if (it.tensor.row_stride != 0 && it.tensor.row_stride <= it.tensor.cols())
            bad_snapshot(kind, where + ": row_stride " + std::to_string(it.tensor.row_stride) +
                                   " is not 0 or above the last size");
        const int64_t n = static_cast<int64_t>(it.tensor.elements());
        const size_t esize = dtype_size(it.tensor.dtype);
        check_config_for_encode(kind, it.config, where + " config");
        const size_t expected_mask = it.squashed ? 0 : static_cast<size_t>(n);
        if (it.mask.size() != expected_mask)
            bad_snapshot(kind, where + ": mask has " + std::to_string(it.mask.size()) + " values, expected " +
                                   std::to_string(expected_mask));
        const size_t expected_data = it.has_data ? static_cast<size_t>(n) * esize : 0;
        if (it.data.size() != expected_data)
            bad_snapshot(kind, where + ": data has " + std::to_string(it.data.size()) + " bytes, expected " +
                                   std::to_string(expected_data));
        any_data = any_data || it.has_data;
        reserve += 128 + it.name.size() + it.config.size() * 32 + it.mask.size() / 8 + it.data.size();
    }
    std::set<std::string> group_names, grouped;
    for (const auto &g : s.groups) {
        const std::string where = "group " + quoted(g.name);
        if (const char *p = name_problem(g.name)) bad_snapshot(kind, where + ": " + p);
        check_string_for_encode(kind, g.name, where);
        if (!group_names.insert(g.name).second) bad_snapshot(kind, where + " appears twice");
        if (s.kind != 0) bad_snapshot(kind, where + ": a custom sparsifier has no groups");
        if (g.members.size() > std::numeric_limits<uint32_t>::max()) bad_snapshot(kind, where + " has too many members");
        const std::string problem = group_problem(g, names, grouped);
        if (!problem.empty()) bad_snapshot(kind, where + " " + problem);
        for (const std::string &m : g.members) reserve += 8 + m.size();
    }
    const uint32_t version = needs_v3(s) ? 3 : plain_state(s) ? 1 : 2;

    Writer w;
    w.out.reserve(reserve);
    w.header(kSparsifierMagic, version, any_data ? kSparsifierFlagData : 0);
    size_t at = w.begin_section(kSectionGlobal);
    w.u32(s.kind);
    w.u32(s.norm);
    w.boolean(s.mask_update);
    w.i64(s.step_count);
    w.config(s.defaults);
    w.end_section(at);
    for (const auto &it : s.items) {
        at = w.begin_section(kSectionItem);
        w.string(it.name);
        if (version == 1) {
            w.i64(it.tensor.rows());
            w.i64(it.tensor.cols());
        } else {
            w.u32(static_cast<uint32_t>(it.tensor.dtype));
            w.u32(static_cast<uint32_t>(it.tensor.shape.size()));
            for (int64_t d : it.tensor.shape) w.i64(d);
            w.i64(it.tensor.row_stride);
            if (version >= 3) {
                w.i64(it.global_rows);
                w.i64(it.first_row);
            }
        }
        w.config(it.config);
        w.boolean(it.squashed);
        w.boolean(it.has_data);
        if (!it.squashed) {
            const size_t n = it.mask.size();
            const size_t base = w.out.size();
            w.out.resize(base + (n + 7) / 8, 0);
            for (size_t i = 0; i < n; ++i) {
                if (it.mask[i] > 1)
                    bad_snapshot(kind, "item " + quoted(it.name) + ": mask value " + std::to_string(it.mask[i]) +
                                           " at index " + std::to_string(i) + " is not 0 or 1");
                w.out[base + i / 8] |= static_cast<uint8_t>(it.mask[i] << (i % 8));
            }
        }
        if (it.has_data) w.out.insert(w.out.end(), it.data.begin(), it.data.end());  // already little-endian
        w.end_section(at);
    }
    for (const auto &g : s.groups) {
        at = w.begin_section(kSectionGroup);
        w.string(g.name);
        w.u32(static_cast<uint32_t>(g.members.size()));
        for (const std::string &m : g.members) w.string(m);
        w.end_section(at);
    }
    return w.finish();
}

SparsifierSnapshot decode_sparsifier(const uint8_t *bytes, size_t size) {
    static const uint8_t kEmpty = 0;
    Reader r(bytes ? bytes : &kEmpty, bytes ? size : 0, "sparsifier");
    const Frame frame = open_frame(r, kSparsifierMagic, kSchedulerMagic, "sparsifier", "scheduler");
    if (frame.flags & ~kSparsifierFlagData)
        r.corrupt(12, "unknown flags 0x" + [&] {
            char buf[16];
            std::snprintf(buf, sizeof buf, "%X", unsigned(frame.flags & ~kSparsifierFlagData));
            return std::string(buf);
        }() + " (format versions 1 to 3 define only bit 0, data included)");
    const size_t body_end = r.limit();

    SparsifierSnapshot s;
    std::set<std::string> names, group_names, grouped;
    bool have_global = false;
    bool any_data = false;
    size_t first_data_item = 0;
    uint32_t id = 0;
    size_t start = 0;
    while (next_section(r, &id, &start, body_end)) {
        if (id == kSectionGlobal) {
            if (have_global) r.corrupt(start, "section 1 (SPARSIFIER) appears twice");
            have_global = true;
            const size_t kind_at = r.pos();
            s.kind = r.u32("sparsifier kind");
            if (s.kind > 1) r.corrupt(kind_at, "sparsifier kind is " + std::to_string(s.kind) + ", must be 0 (norm) or 1 (custom)");
            const size_t norm_at = r.pos();
            s.norm = r.u32("norm");
            if (s.norm > 1) r.corrupt(norm_at, "norm is " + std::to_string(s.norm) + ", must be 0 (L1) or 1 (L2)");
            s.mask_update = r.boolean("mask_update flag");
            const size_t step_at = r.pos();
            s.step_count = r.i64("step count");
            if (s.step_count < 0) r.corrupt(step_at, "step count is " + std::to_string(s.step_count) + ", must be >= 0");
            s.defaults = r.config("defaults");
        } else if (id == kSectionItem) {
            if (!have_global) r.corrupt(start, "section 2 (ITEM) before section 1 (SPARSIFIER)");
            if (!s.groups.empty()) r.corrupt(start, "section 2 (ITEM) after a section 3 (GROUP): groups come last");
            SparsifierSnapshot::Item it;
            it.name = unique_name(r, "item", s.items.size(), names);
            const size_t shape_at = r.pos();
            if (frame.version == 1) {
                const int64_t rows = r.i64("rows"), cols = r.i64("cols");
                if (element_count(rows, cols) < 0)
                    r.corrupt(shape_at, r.field("shape " + shape_string(rows, cols) +
                                                " is invalid (rows and cols must be >= 1 and their product must fit)"));
                it.tensor.shape = {rows, cols};
            } else {
                const uint32_t dtype = r.u32("dtype");
                if (dtype > 3)
                    r.corrupt(shape_at, r.field("dtype is " + std::to_string(dtype) +
                                                ", must be 0 (float32), 1 (float64), 2 (float16) or 3 (bfloat16)"));
                it.tensor.dtype = static_cast<DType>(dtype);
                const size_t ndim_at = r.pos();
                const uint32_t ndim = r.u32("ndim");
                if (ndim < 1 || ndim > static_cast<uint32_t>(kMaxDims))
                    r.corrupt(ndim_at, r.field("ndim is " + std::to_string(ndim) + ", must be in [1, " +
                                               std::to_string(kMaxDims) + "]"));
                for (uint32_t d = 0; d < ndim; ++d) it.tensor.shape.push_back(r.i64("shape"));
                it.tensor.row_stride = r.i64("row_stride");
                if (frame.version >= 3) {
                    it.global_rows = r.i64("global_rows");
                    it.first_row = r.i64("first_row");
                }
                try {
                    check_item_shape(it);
                } catch (const Error &e) {
                    r.corrupt(shape_at, r.field(e.what()));
                }
                const std::string shard = shard_problem(it);
                if (!shard.empty()) r.corrupt(shape_at, r.field(shard));
                if (s.kind != 0 && it.global_rows != 0)
                    r.corrupt(shape_at, r.field("a custom sparsifier state has no shards"));
                if (it.tensor.row_stride != 0 && it.tensor.row_stride <= it.tensor.cols())
                    r.corrupt(shape_at, r.field("row_stride " + std::to_string(it.tensor.row_stride) +
                                                " must be 0 (contiguous) or above the last size " +
                                                std::to_string(it.tensor.cols())));
            }
            const int64_t n = static_cast<int64_t>(it.tensor.elements());
            const std::string shape = shape_string(it.tensor.shape);
            it.config = r.config("config");
            it.squashed = r.boolean("squashed flag");
            it.has_data = r.boolean("data flag");
            const size_t count = static_cast<size_t>(n);
            if (!it.squashed) {
                const size_t packed = count / 8 + (count % 8 != 0);
                const size_t mask_at = r.pos();
                const uint8_t *p = r.take(packed, ("mask of " + shape).c_str());
                if (count % 8 != 0 && (p[packed - 1] >> (count % 8)) != 0)
                    r.corrupt(mask_at + packed - 1, r.field("unused trailing bits of the mask are not zero"));
                it.mask.resize(count);
                for (size_t i = 0; i < count; ++i) it.mask[i] = (p[i / 8] >> (i % 8)) & 1u;
            }
            if (it.has_data) {
                const size_t esize = dtype_size(it.tensor.dtype);
                if (count > r.remaining() / esize)
                    r.corrupt(r.pos(), r.field("data of " + shape + " needs " +
                                               (count > std::numeric_limits<size_t>::max() / esize
                                                    ? std::string("more")
                                                    : std::to_string(count * esize)) +
                                               " bytes but only " + std::to_string(r.remaining()) +
                                               " remain in its section"));
                const uint8_t *p = r.take(count * esize, "data");
                it.data.assign(p, p + count * esize);
                if (!any_data) first_data_item = s.items.size();
                any_data = true;
            }
            s.items.push_back(std::move(it));
        } else if (id == kSectionGroup && frame.version >= 3) {
            if (!have_global) r.corrupt(start, "section 3 (GROUP) before section 1 (SPARSIFIER)");
            SparsifierSnapshot::Group g;
            g.name = unique_name(r, "group", s.groups.size(), group_names);
            if (s.kind != 0) r.corrupt(start, r.field("a custom sparsifier state has no groups"));
            const size_t count_at = r.pos();
            const uint32_t count = r.u32("member count");
            constexpr size_t kMinMember = 4 + 1;  // length and one byte
            if (count > r.remaining() / kMinMember)
                r.corrupt(count_at, r.field("claims " + std::to_string(count) + " members but only " +
                                            std::to_string(r.remaining()) + " bytes remain in its section"));
            g.members.reserve(count);
            for (uint32_t m = 0; m < count; ++m) g.members.push_back(r.name("member name"));
            const std::string problem = group_problem(g, names, grouped);
            if (!problem.empty()) r.corrupt(count_at, r.field(problem));
            s.groups.push_back(std::move(g));
        } else {
            unknown_section(r, id, start, "sparsifier", frame.version);
        }
        end_section(r, id, start);
    }
    if (!have_global) r.corrupt(r.pos(), "section 1 (SPARSIFIER) is missing");
    if (frame.version == 2 && plain_state(s))
        r.corrupt(8, "format version 2, but every item is a plain float32 matrix: such a state is format version 1");
    if (frame.version == 3 && !needs_v3(s))
        r.corrupt(8, "format version 3, but the state has no group and no shard: such a state is format version " +
                         std::string(plain_state(s) ? "1" : "2"));
    const bool flag_data = (frame.flags & kSparsifierFlagData) != 0;
    if (flag_data != any_data)
        r.corrupt(12, flag_data ? "flags say data is included but no item has data"
                                : "flags say no data is included but item " + std::to_string(first_data_item) + " " +
                                      quoted(s.items[first_data_item].name) + " has data");
    return s;
}

// Scheduler.

std::vector<uint8_t> encode(const SchedulerSnapshot &s) {
    const char *kind = "scheduler";
    if (const char *p = key_problem(s.schedule_param)) bad_snapshot(kind, std::string("schedule_param: ") + p);
    check_string_for_encode(kind, s.schedule_param, "schedule_param");
    if (!is_known_schedule_kind(s.schedule_kind))
        bad_snapshot(kind, "unknown schedule kind " + quoted(s.schedule_kind));
    check_config_for_encode(kind, s.schedule_params, "schedule parameters");
    if (s.step_count < 0) bad_snapshot(kind, "step count is " + std::to_string(s.step_count));
    std::set<std::string> names;
    for (const auto &e : s.entries) {
        const std::string where = "entry " + quoted(e.name);
        if (const char *p = name_problem(e.name)) bad_snapshot(kind, where + ": " + p);
        check_string_for_encode(kind, e.name, where);
        if (!names.insert(e.name).second) bad_snapshot(kind, where + " appears twice");
        if (e.base && !std::isfinite(*e.base)) bad_snapshot(kind, where + ": base is " + format_number(*e.base));
        if (e.last && !std::isfinite(*e.last)) bad_snapshot(kind, where + ": last is " + format_number(*e.last));
    }

    Writer w;
    w.header(kSchedulerMagic, 1, 0);
    size_t at = w.begin_section(kSectionGlobal);
    w.string(s.schedule_param);
    w.string(s.schedule_kind);
    w.config(s.schedule_params);
    w.i64(s.last_epoch);
    w.i64(s.step_count);
    w.end_section(at);
    for (const auto &e : s.entries) {
        at = w.begin_section(kSectionItem);
        w.string(e.name);
        w.optional(e.base);
        w.optional(e.last);
        w.end_section(at);
    }
    return w.finish();
}

SchedulerSnapshot decode_scheduler(const uint8_t *bytes, size_t size) {
    static const uint8_t kEmpty = 0;
    Reader r(bytes ? bytes : &kEmpty, bytes ? size : 0, "scheduler");
    const Frame frame = open_frame(r, kSchedulerMagic, kSparsifierMagic, "scheduler", "sparsifier");
    if (frame.version != 1)  // version 2 only changed sparsifier items
        r.corrupt(8, "scheduler states are format version 1, this one says " + std::to_string(frame.version));
    if (frame.flags != 0) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "%X", unsigned(frame.flags));
        r.corrupt(12, std::string("unknown flags 0x") + buf + " (format version 1 defines none for scheduler states)");
    }
    const size_t body_end = r.limit();

    SchedulerSnapshot s;
    std::set<std::string> names;
    bool have_global = false;
    uint32_t id = 0;
    size_t start = 0;
    while (next_section(r, &id, &start, body_end)) {
        if (id == kSectionGlobal) {
            if (have_global) r.corrupt(start, "section 1 (SCHEDULER) appears twice");
            have_global = true;
            s.schedule_param = r.key("schedule_param");
            const size_t kind_at = r.pos();
            s.schedule_kind = r.string("schedule kind");
            if (!is_known_schedule_kind(s.schedule_kind)) {
                std::string known;
                for (const ScheduleSpec &k : builtin_schedules()) known += std::string(known.empty() ? "" : ", ") + k.kind;
                known += std::string(", ") + kLambdaScheduleKind + ", " + kUserScheduleKind;
                r.corrupt(kind_at, "unknown schedule kind " + quoted(s.schedule_kind) + " (known: " + known + ")");
            }
            s.schedule_params = r.config("schedule parameters");
            s.last_epoch = r.i64("last_epoch");
            const size_t step_at = r.pos();
            s.step_count = r.i64("step count");
            if (s.step_count < 0) r.corrupt(step_at, "step count is " + std::to_string(s.step_count) + ", must be >= 0");
        } else if (id == kSectionItem) {
            if (!have_global) r.corrupt(start, "section 2 (ENTRY) before section 1 (SCHEDULER)");
            SchedulerSnapshot::Entry e;
            e.name = unique_name(r, "entry", s.entries.size(), names);
            e.base = r.optional("base value");
            e.last = r.optional("last value");
            s.entries.push_back(std::move(e));
        } else {
            unknown_section(r, id, start, "scheduler", frame.version);
        }
        end_section(r, id, start);
    }
    if (!have_global) r.corrupt(r.pos(), "section 1 (SCHEDULER) is missing");
    return s;
}


}  // namespace ds
