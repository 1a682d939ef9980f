// The versioned binary state format (documented byte by byte in
// state_format.md) and atomic file writes.
//
// Decoding never trusts the input: every read is bounds-checked against the
// end of the enclosing section, every length is compared with the bytes that
// remain before anything is allocated, and the result is fully validated
// before it is returned. Encoding is canonical: a decoded snapshot encodes
// back to exactly the bytes it came from.
#include "core/state.hpp"

#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <set>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.hpp"

namespace ds {

// ---------------------------------------------------------------------------
// CRC32C (Castagnoli, reflected, polynomial 0x82F63B78, init and final xor
// 0xFFFFFFFF), slice-by-8. Check value: "123456789" -> 0xE3069283.
// Not in state.hpp: the unit test declares it itself.

namespace {

struct Crc32cTables {
    uint32_t t[8][256];
};

constexpr Crc32cTables make_crc32c_tables() {
    Crc32cTables tables{};
    for (uint32_t i = 0; i < 256; ++i) {
        uint32_t c = i;
        for (int k = 0; k < 8; ++k) c = (c & 1u) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        tables.t[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; ++i)
        for (int s = 1; s < 8; ++s) tables.t[s][i] = (tables.t[s - 1][i] >> 8) ^ tables.t[0][tables.t[s - 1][i] & 0xFFu];
    return tables;
}

constexpr Crc32cTables kCrc = make_crc32c_tables();

}  // namespace

uint32_t crc32c(const uint8_t *bytes, size_t size) {
    uint32_t c = 0xFFFFFFFFu;
    while (size >= 8) {
        const uint32_t lo = c ^ (uint32_t(bytes[0]) | uint32_t(bytes[1]) << 8 | uint32_t(bytes[2]) << 16 |
                                 uint32_t(bytes[3]) << 24);
        const uint32_t hi =
            uint32_t(bytes[4]) | uint32_t(bytes[5]) << 8 | uint32_t(bytes[6]) << 16 | uint32_t(bytes[7]) << 24;
        c = kCrc.t[7][lo & 0xFFu] ^ kCrc.t[6][(lo >> 8) & 0xFFu] ^ kCrc.t[5][(lo >> 16) & 0xFFu] ^
            kCrc.t[4][lo >> 24] ^ kCrc.t[3][hi & 0xFFu] ^ kCrc.t[2][(hi >> 8) & 0xFFu] ^
            kCrc.t[1][(hi >> 16) & 0xFFu] ^ kCrc.t[0][hi >> 24];
        bytes += 8;
        size -= 8;
    }
    while (size--) c = (c >> 8) ^ kCrc.t[0][(c ^ *bytes++) & 0xFFu];
    return c ^ 0xFFFFFFFFu;
}

namespace {

// ---------------------------------------------------------------------------
// Layout constants (state_format.md).

constexpr char kSparsifierMagic[8] = {'D', 'S', 'S', 'P', 'A', 'R', 'S', '\0'};
constexpr char kSchedulerMagic[8] = {'D', 'S', 'S', 'C', 'H', 'E', 'D', '\0'};
constexpr uint32_t kFormatVersion = 1;
constexpr size_t kHeaderSize = 16;       // magic, version, flags
constexpr size_t kSectionHeaderSize = 12;  // id, length
constexpr size_t kTrailerSize = 4;       // CRC32C

constexpr uint32_t kSparsifierFlagData = 1u;  // some item carries its data

constexpr uint32_t kSectionGlobal = 1;  // SPARSIFIER / SCHEDULER: exactly once, first
constexpr uint32_t kSectionItem = 2;    // ITEM / ENTRY: zero or more, in order

const char *const kScheduleKinds[] = {"callback", "gamma", "step", "lambda", "cubic", "polynomial_decay", "constant"};

bool known_schedule_kind(const std::string &kind) {
    for (const char *k : kScheduleKinds)
        if (kind == k) return true;
    return false;
}

// Problems shared by the encoder's self-check and the decoder; nullptr if fine.
const char *name_problem(const std::string &name) {
    if (name.empty()) return "name is empty";
    if (name.find('\0') != std::string::npos) return "name contains a NUL byte";
    if (name.find('.') != std::string::npos) return "name contains '.'";
    return nullptr;
}

const char *key_problem(const std::string &key) {
    if (key.empty()) return "config key is empty";
    if (key.find('\0') != std::string::npos) return "config key contains a NUL byte";
    return nullptr;
}

// rows*cols for rows, cols >= 1, or -1 if it overflows int64 or size_t.
int64_t element_count(int64_t rows, int64_t cols) {
    if (rows < 1 || cols < 1) return -1;
    if (rows > std::numeric_limits<int64_t>::max() / cols) return -1;
    const int64_t n = rows * cols;
    if (static_cast<uint64_t>(n) > std::numeric_limits<size_t>::max()) return -1;
    return n;
}

std::string shape(int64_t rows, int64_t cols) { return std::to_string(rows) + "x" + std::to_string(cols); }

// ---------------------------------------------------------------------------
// Writer: appends little-endian fields.

class Writer {
public:
    std::vector<uint8_t> out;

    void u8(uint8_t v) { out.push_back(v); }
    void u32(uint32_t v) {
        for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
    }
    void u64(uint64_t v) {
        for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
    }
    void i64(int64_t v) { u64(static_cast<uint64_t>(v)); }
    void f64(double v) {
        uint64_t bits;
        std::memcpy(&bits, &v, sizeof bits);
        u64(bits);
    }
    void boolean(bool v) { u8(v ? 1 : 0); }
    void string(const std::string &s) {
        u32(static_cast<uint32_t>(s.size()));
        out.insert(out.end(), s.begin(), s.end());
    }
    void config(const Config &c) {
        u32(static_cast<uint32_t>(c.size()));
        for (const auto &kv : c) {  // std::map order: bytewise ascending
            string(kv.first);
            f64(kv.second);
        }
    }
    void optional(const std::optional<double> &v) {
        boolean(v.has_value());
        if (v) f64(*v);
    }
    // Opens a section; returns the position of its length field.
    size_t begin_section(uint32_t id) {
        u32(id);
        const size_t at = out.size();
        u64(0);
        return at;
    }
    void end_section(size_t at) {
        const uint64_t length = out.size() - (at + 8);
        for (unsigned i = 0; i < 8; ++i) out[at + i] = static_cast<uint8_t>(length >> (8 * i));
    }
    void header(const char *magic, uint32_t flags) {
        out.insert(out.end(), magic, magic + 8);
        u32(kFormatVersion);
        u32(flags);
    }
    std::vector<uint8_t> finish() {
        u32(crc32c(out.data(), out.size()));
        return std::move(out);
    }
};

[[noreturn]] void bad_snapshot(const char *kind, const std::string &what) {
    fail(DS_ERR_INTERNAL, std::string("cannot encode ") + kind + " state: " + what);
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

// ---------------------------------------------------------------------------
// Reader: bounds-checked little-endian fields within [pos, limit).

class Reader {
public:
    Reader(const uint8_t *bytes, size_t size, const char *kind) : b_(bytes), size_(size), limit_(size), kind_(kind) {}

    [[noreturn]] void corrupt(size_t at, const std::string &what) const {
        fail(DS_ERR_CORRUPT, std::string("corrupt ") + kind_ + " state: " + what + " (at byte " +
                                 std::to_string(at) + ")");
    }

    size_t pos() const { return pos_; }
    size_t remaining() const { return limit_ - pos_; }
    void set_limit(size_t limit) { limit_ = limit; }
    size_t limit() const { return limit_; }

    // `where` prefixes messages ("item 2 'fc1'").
    std::string where;

    void need(size_t n, const char *what) const {
        if (remaining() < n)
            corrupt(pos_, field(what) + " needs " + std::to_string(n) + " bytes but only " +
                              std::to_string(remaining()) + " remain" + (in_section_ ? " in its section" : ""));
    }
    void set_in_section(bool v) { in_section_ = v; }

    uint8_t u8(const char *what) {
        need(1, what);
        return b_[pos_++];
    }
    uint32_t u32(const char *what) {
        need(4, what);
        uint32_t v = 0;
        for (unsigned i = 0; i < 4; ++i) v |= uint32_t(b_[pos_ + i]) << (8 * i);
        pos_ += 4;
        return v;
    }
    uint64_t u64(const char *what) {
        need(8, what);
        uint64_t v = 0;
        for (unsigned i = 0; i < 8; ++i) v |= uint64_t(b_[pos_ + i]) << (8 * i);
        pos_ += 8;
        return v;
    }
    int64_t i64(const char *what) {
        const uint64_t u = u64(what);
        int64_t v;
        std::memcpy(&v, &u, sizeof v);
        return v;
    }
    double finite_f64(const char *what) {
        const size_t at = pos_;
        const uint64_t u = u64(what);
        double v;
        std::memcpy(&v, &u, sizeof v);
        if (!std::isfinite(v)) corrupt(at, field(what) + " is " + format_number(v) + ", must be finite");
        return v;
    }
    bool boolean(const char *what) {
        const size_t at = pos_;
        const uint8_t v = u8(what);
        if (v > 1) corrupt(at, field(what) + " is " + std::to_string(v) + ", must be 0 or 1");
        return v == 1;
    }
    std::string string(const char *what) {
        const size_t at = pos_;
        const uint32_t n = u32(what);
        if (n > remaining())
            corrupt(at, field(what) + " claims " + std::to_string(n) + " bytes but only " +
                            std::to_string(remaining()) + " remain" + (in_section_ ? " in its section" : ""));
        std::string s(reinterpret_cast<const char *>(b_ + pos_), n);
        pos_ += n;
        return s;
    }
    std::string name(const char *what) {
        const size_t at = pos_;
        std::string s = string(what);
        if (const char *p = name_problem(s)) corrupt(at, field(what) + ": " + p);
        return s;
    }
    std::string key(const char *what) {
        const size_t at = pos_;
        std::string s = string(what);
        if (const char *p = key_problem(s)) corrupt(at, field(what) + ": " + p);
        return s;
    }
    Config config(const char *what) {
        const size_t at = pos_;
        const uint32_t count = u32(what);
        constexpr size_t kMinEntry = 4 + 8;  // key length and value (a key of 0 bytes is rejected below)
        if (count > remaining() / kMinEntry)
            corrupt(at, field(what) + " claims " + std::to_string(count) + " entries but only " +
                            std::to_string(remaining()) + " bytes remain");
        Config c;
        for (uint32_t i = 0; i < count; ++i) {
            const size_t key_at = pos_;
            std::string k = key("config key");
            if (!c.empty() && !(c.rbegin()->first < k))
                corrupt(key_at, field(what) + ": key " + quoted(k) +
                                    (c.rbegin()->first == k ? " is duplicated" : " is out of order (keys must be strictly ascending)"));
            const double v = finite_f64(("value of config key '" + k + "'").c_str());
            c.emplace_hint(c.end(), std::move(k), v);
        }
        return c;
    }
    std::optional<double> optional(const char *what) {
        if (!boolean((std::string(what) + " presence byte").c_str())) return std::nullopt;
        return finite_f64(what);
    }
    const uint8_t *take(size_t n, const char *what) {
        need(n, what);
        const uint8_t *p = b_ + pos_;
        pos_ += n;
        return p;
    }
    const uint8_t *bytes() const { return b_; }
    size_t size() const { return size_; }

    std::string field(const std::string &what) const { return where.empty() ? what : where + ": " + what; }

private:
    const uint8_t *b_;
    size_t size_;
    size_t pos_ = 0;
    size_t limit_;
    bool in_section_ = false;
    const char *kind_;
};

}  // namespace

// ---------------------------------------------------------------------------
// Common framing.

namespace {

struct Frame {
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
            fail(DS_ERR_CORRUPT, std::string("this is a ") + other_kind + " state, not a " + kind + " state");
        if (size > 0 && size < 8 && std::memcmp(b, magic, size) == 0)
            fail(DS_ERR_CORRUPT, std::string("corrupt ") + kind + " state: truncated to " + std::to_string(size) +
                                     " bytes");
        fail(DS_ERR_CORRUPT, std::string("not a datasparse ") + kind + " state (" +
                                 (size < 8 ? "only " + std::to_string(size) + " bytes" : "wrong magic at byte 0") +
                                 ")");
    }
    r.take(8, "magic");
    if (size < 12) r.corrupt(8, "truncated to " + std::to_string(size) + " bytes, before the format version");
    const uint32_t version = r.u32("format version");
    if (version == 0) r.corrupt(8, "format version 0 is invalid");
    if (version > kFormatVersion)
        fail(DS_ERR_CORRUPT, std::string("this ") + kind + " state has format version " + std::to_string(version) +
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

[[noreturn]] void unknown_section(Reader &r, uint32_t id, size_t start, const char *kind) {
    r.corrupt(start, "unknown section id " + std::to_string(id) + " (format version " +
                         std::to_string(kFormatVersion) + " " + kind + " states have sections 1 and 2 only)");
}

}  // namespace

// ---------------------------------------------------------------------------
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
        const int64_t n = element_count(it.rows, it.cols);
        if (n < 0) bad_snapshot(kind, where + ": invalid shape " + shape(it.rows, it.cols));
        check_config_for_encode(kind, it.config, where + " config");
        const size_t expected_mask = it.squashed ? 0 : static_cast<size_t>(n);
        if (it.mask.size() != expected_mask)
            bad_snapshot(kind, where + ": mask has " + std::to_string(it.mask.size()) + " values, expected " +
                                   std::to_string(expected_mask));
        const size_t expected_data = it.has_data ? static_cast<size_t>(n) : 0;
        if (it.data.size() != expected_data)
            bad_snapshot(kind, where + ": data has " + std::to_string(it.data.size()) + " values, expected " +
                                   std::to_string(expected_data));
        any_data = any_data || it.has_data;
        reserve += 64 + it.name.size() + it.config.size() * 32 + it.mask.size() / 8 + it.data.size() * 4;
    }

    Writer w;
    w.out.reserve(reserve);
    w.header(kSparsifierMagic, any_data ? kSparsifierFlagData : 0);
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
        w.i64(it.rows);
        w.i64(it.cols);
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
        if (it.has_data) {
            const size_t base = w.out.size();
            w.out.resize(base + it.data.size() * 4);
            uint8_t *p = w.out.data() + base;
            for (float f : it.data) {
                uint32_t bits;
                std::memcpy(&bits, &f, sizeof bits);
                p[0] = static_cast<uint8_t>(bits);
                p[1] = static_cast<uint8_t>(bits >> 8);
                p[2] = static_cast<uint8_t>(bits >> 16);
                p[3] = static_cast<uint8_t>(bits >> 24);
                p += 4;
            }
        }
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
        }() + " (format version 1 defines only bit 0, data included)");
    const size_t body_end = r.limit();

    SparsifierSnapshot s;
    std::set<std::string> names;
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
            SparsifierSnapshot::Item it;
            r.where = "item " + std::to_string(s.items.size());
            const size_t name_at = r.pos();
            it.name = r.name("name");
            r.where += " " + quoted(it.name);
            if (!names.insert(it.name).second) r.corrupt(name_at, r.field("name appears in an earlier item too"));
            const size_t shape_at = r.pos();
            it.rows = r.i64("rows");
            it.cols = r.i64("cols");
            const int64_t n = element_count(it.rows, it.cols);
            if (n < 0)
                r.corrupt(shape_at, r.field("shape " + shape(it.rows, it.cols) +
                                            " is invalid (rows and cols must be >= 1 and their product must fit)"));
            it.config = r.config("config");
            it.squashed = r.boolean("squashed flag");
            it.has_data = r.boolean("data flag");
            const size_t count = static_cast<size_t>(n);
            if (!it.squashed) {
                const size_t packed = count / 8 + (count % 8 != 0);
                const size_t mask_at = r.pos();
                const uint8_t *p = r.take(packed, ("mask of " + shape(it.rows, it.cols)).c_str());
                if (count % 8 != 0 && (p[packed - 1] >> (count % 8)) != 0)
                    r.corrupt(mask_at + packed - 1, r.field("unused trailing bits of the mask are not zero"));
                it.mask.resize(count);
                for (size_t i = 0; i < count; ++i) it.mask[i] = (p[i / 8] >> (i % 8)) & 1u;
            }
            if (it.has_data) {
                if (count > r.remaining() / 4)
                    r.corrupt(r.pos(), r.field("data of " + shape(it.rows, it.cols) + " needs " +
                                               (count > std::numeric_limits<size_t>::max() / 4
                                                    ? std::string("more")
                                                    : std::to_string(count * 4)) +
                                               " bytes but only " + std::to_string(r.remaining()) +
                                               " remain in its section"));
                const uint8_t *p = r.take(count * 4, "data");
                it.data.resize(count);
                for (size_t i = 0; i < count; ++i, p += 4) {
                    const uint32_t bits =
                        uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
                    std::memcpy(&it.data[i], &bits, sizeof bits);
                }
                if (!any_data) first_data_item = s.items.size();
                any_data = true;
            }
            s.items.push_back(std::move(it));
        } else {
            unknown_section(r, id, start, "sparsifier");
        }
        end_section(r, id, start);
    }
    if (!have_global) r.corrupt(r.pos(), "section 1 (SPARSIFIER) is missing");
    const bool flag_data = (frame.flags & kSparsifierFlagData) != 0;
    if (flag_data != any_data)
        r.corrupt(12, flag_data ? "flags say data is included but no item has data"
                                : "flags say no data is included but item " + std::to_string(first_data_item) + " " +
                                      quoted(s.items[first_data_item].name) + " has data");
    return s;
}

// ---------------------------------------------------------------------------
// Scheduler.

std::vector<uint8_t> encode(const SchedulerSnapshot &s) {
    const char *kind = "scheduler";
    if (const char *p = key_problem(s.schedule_param)) bad_snapshot(kind, std::string("schedule_param: ") + p);
    check_string_for_encode(kind, s.schedule_param, "schedule_param");
    if (!known_schedule_kind(s.schedule_kind)) bad_snapshot(kind, "unknown schedule kind " + quoted(s.schedule_kind));
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
    w.header(kSchedulerMagic, 0);
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
            if (!known_schedule_kind(s.schedule_kind)) {
                std::string known;
                for (const char *k : kScheduleKinds) known += std::string(known.empty() ? "" : ", ") + k;
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
            r.where = "entry " + std::to_string(s.entries.size());
            const size_t name_at = r.pos();
            e.name = r.name("name");
            r.where += " " + quoted(e.name);
            if (!names.insert(e.name).second) r.corrupt(name_at, r.field("name appears in an earlier entry too"));
            e.base = r.optional("base value");
            e.last = r.optional("last value");
            s.entries.push_back(std::move(e));
        } else {
            unknown_section(r, id, start, "scheduler");
        }
        end_section(r, id, start);
    }
    if (!have_global) r.corrupt(r.pos(), "section 1 (SCHEDULER) is missing");
    return s;
}

// ---------------------------------------------------------------------------
// Files.

namespace {

[[noreturn]] void io_fail(const std::string &what, const std::string &path, int err, const std::string &extra = "") {
    fail(DS_ERR_IO, what + " " + quoted(path) + ": " + std::strerror(err) + extra);
}

// Closes fd (if open), removes the temporary and throws.
[[noreturn]] void abandon(int fd, const std::string &tmp, const std::string &path, int err, const std::string &step) {
    if (fd >= 0) ::close(fd);
    ::unlink(tmp.c_str());
    io_fail("cannot write state to", path, err, " (" + step + ")");
}

std::string directory_of(const std::string &path) {
    const size_t slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

}  // namespace

void write_file_atomic(const std::string &path, const std::vector<uint8_t> &bytes) {
    if (path.empty()) fail(DS_ERR_IO, "cannot write state: the path is empty");
    if (path.back() == '/') io_fail("cannot write state to", path, EISDIR);
    static std::atomic<unsigned long> counter{0};

    // A fresh temporary beside path; O_EXCL never reuses someone else's file.
    std::string tmp;
    int fd = -1;
    for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
        tmp = path + ".tmp." + std::to_string(static_cast<long>(::getpid())) + "." + std::to_string(counter++);
        do {
            fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        } while (fd < 0 && errno == EINTR);
        if (fd < 0 && errno != EEXIST) {
            const int err = errno;
            io_fail("cannot write state to", path, err, " (creating " + quoted(tmp) + ")");
        }
    }
    if (fd < 0) io_fail("cannot write state to", path, EEXIST, " (no free temporary name beside it)");

    const uint8_t *p = bytes.data();
    size_t left = bytes.size();
    while (left > 0) {
        const size_t chunk = left < (size_t(1) << 30) ? left : (size_t(1) << 30);
        const ssize_t n = ::write(fd, p, chunk);
        if (n < 0) {
            const int err = errno;
            if (err == EINTR) continue;
            abandon(fd, tmp, path, err, "writing " + quoted(tmp));
        }
        if (n == 0) abandon(fd, tmp, path, EIO, "writing " + quoted(tmp) + " made no progress");
        p += n;
        left -= static_cast<size_t>(n);
    }
    int rc;
    do {
        rc = ::fsync(fd);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) {
        const int err = errno;
        abandon(fd, tmp, path, err, "fsync of " + quoted(tmp));
    }
    // close() is not retried: on Linux the descriptor is gone even after EINTR.
    rc = ::close(fd);
    fd = -1;
    if (rc != 0 && errno != EINTR) {
        const int err = errno;
        abandon(fd, tmp, path, err, "closing " + quoted(tmp));
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        abandon(fd, tmp, path, err, "renaming " + quoted(tmp) + " over it");
    }

    // The new file is in place; make the rename itself durable.
    const std::string dir = directory_of(path);
    int dfd;
    do {
        dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    } while (dfd < 0 && errno == EINTR);
    if (dfd < 0) {
        const int err = errno;
        io_fail("wrote state to", path, err,
                " but could not open its directory " + quoted(dir) + " to make the rename durable");
    }
    do {
        rc = ::fsync(dfd);
    } while (rc != 0 && errno == EINTR);
    const int err = errno;
    ::close(dfd);
    // Some file systems cannot fsync a directory; nothing more can be done there.
    if (rc != 0 && err != EINVAL && err != ENOTSUP)
        io_fail("wrote state to", path, err, " but the fsync of its directory " + quoted(dir) + " failed");
}

std::vector<uint8_t> read_file(const std::string &path) {
    if (path.empty()) fail(DS_ERR_IO, "cannot read state: the path is empty");
    int fd;
    do {
        fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) io_fail("cannot read state from", path, errno);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
        const int err = errno;
        ::close(fd);
        io_fail("cannot read state from", path, err);
    }
    if (S_ISDIR(st.st_mode)) {
        ::close(fd);
        io_fail("cannot read state from", path, EISDIR);
    }
    // st_size is a hint only (the file may change, or not be regular).
    std::vector<uint8_t> out;
    size_t used = 0;
    out.resize(S_ISREG(st.st_mode) && st.st_size > 0 ? static_cast<size_t>(st.st_size) + 1 : 65536);
    for (;;) {
        if (used == out.size()) out.resize(out.size() * 2);
        const ssize_t n = ::read(fd, out.data() + used, out.size() - used);
        if (n < 0) {
            if (errno == EINTR) continue;
            const int err = errno;
            ::close(fd);
            io_fail("cannot read state from", path, err);
        }
        if (n == 0) break;
        used += static_cast<size_t>(n);
    }
    ::close(fd);
    out.resize(used);
    out.shrink_to_fit();
    return out;
}

}  // namespace ds
