// Unit test of the state format (src/core/state/): round trips, the byte
// layout of src/core/state/format.md (rebuilt here independently), every
// single-byte corruption and truncation of small files, crafted invalid
// files, and the atomic file writes. doctest; exits non-zero on any failure.
#include <dirent.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include "core/error.hpp"
#include "core/state/codec.hpp"
#include "core/state/crc32c.hpp"
#include "core/state/file.hpp"

using Bytes = std::vector<uint8_t>;
using ds::SchedulerSnapshot;
using ds::SparsifierSnapshot;

// ---------------------------------------------------------------------------
// Independent helpers: a bitwise CRC32C and the documented layout.

static uint32_t crc_reference(const uint8_t *p, size_t n) {
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; ++i) {
        c ^= p[i];
        for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1u)));
    }
    return ~c;
}

static void put32(Bytes &b, uint32_t v) {
    for (int i = 0; i < 4; ++i) b.push_back(uint8_t(v >> (8 * i)));
}
static void put64(Bytes &b, uint64_t v) {
    for (int i = 0; i < 8; ++i) b.push_back(uint8_t(v >> (8 * i)));
}
static void putf64(Bytes &b, double d) {
    uint64_t u;
    std::memcpy(&u, &d, 8);
    put64(b, u);
}
static void putstr(Bytes &b, const std::string &s) {
    put32(b, uint32_t(s.size()));
    b.insert(b.end(), s.begin(), s.end());
}
static void append(Bytes &b, const Bytes &more) { b.insert(b.end(), more.begin(), more.end()); }
static Bytes section(uint32_t id, const Bytes &payload) {
    Bytes b;
    put32(b, id);
    put64(b, payload.size());
    append(b, payload);
    return b;
}
static Bytes header(const char *magic, uint32_t version, uint32_t flags) {
    Bytes b(magic, magic + 8);
    put32(b, version);
    put32(b, flags);
    return b;
}
static const char kSparsMagic[9] = "DSSPARS";  // 7 letters + NUL = 8 bytes
static const char kSchedMagic[9] = "DSSCHED";

// Appends the CRC32C of everything (the reference implementation).
static Bytes seal(Bytes b) {
    put32(b, crc_reference(b.data(), b.size()));
    return b;
}
// Replaces the trailing CRC of b (b.size() >= 4).
static Bytes reseal(Bytes b) {
    b.resize(b.size() - 4);
    return seal(std::move(b));
}

// ---------------------------------------------------------------------------
// Snapshot comparison (data bitwise: NaN and -0.0 must survive).

static bool same_config(const ds::Config &a, const ds::Config &b) {
    if (a.size() != b.size()) return false;
    for (auto i = a.begin(), j = b.begin(); i != a.end(); ++i, ++j) {
        if (i->first != j->first) return false;
        if (std::memcmp(&i->second, &j->second, sizeof(double)) != 0) return false;
    }
    return true;
}

static bool same_opt(const std::optional<double> &a, const std::optional<double> &b) {
    if (a.has_value() != b.has_value()) return false;
    return !a || std::memcmp(&*a, &*b, sizeof(double)) == 0;
}

static bool same(const SparsifierSnapshot &a, const SparsifierSnapshot &b) {
    if (a.kind != b.kind || a.norm != b.norm || a.mask_update != b.mask_update || a.step_count != b.step_count ||
        !same_config(a.defaults, b.defaults) || a.items.size() != b.items.size())
        return false;
    for (size_t i = 0; i < a.items.size(); ++i) {
        const auto &x = a.items[i], &y = b.items[i];
        if (x.name != y.name || x.tensor.shape != y.tensor.shape || x.tensor.dtype != y.tensor.dtype ||
            x.tensor.row_stride != y.tensor.row_stride || !same_config(x.config, y.config) ||
            x.squashed != y.squashed || x.mask != y.mask || x.has_data != y.has_data ||
            x.data.size() != y.data.size() || x.global_rows != y.global_rows || x.first_row != y.first_row)
            return false;
        if (!x.data.empty() && std::memcmp(x.data.data(), y.data.data(), x.data.size()) != 0)
            return false;
    }
    if (a.groups.size() != b.groups.size()) return false;
    for (size_t g = 0; g < a.groups.size(); ++g)
        if (a.groups[g].name != b.groups[g].name || a.groups[g].members != b.groups[g].members) return false;
    return true;
}

static bool same(const SchedulerSnapshot &a, const SchedulerSnapshot &b) {
    if (a.schedule_param != b.schedule_param || a.schedule_kind != b.schedule_kind ||
        !same_config(a.schedule_params, b.schedule_params) || a.last_epoch != b.last_epoch ||
        a.step_count != b.step_count || a.entries.size() != b.entries.size())
        return false;
    for (size_t i = 0; i < a.entries.size(); ++i)
        if (a.entries[i].name != b.entries[i].name || !same_opt(a.entries[i].base, b.entries[i].base) ||
            !same_opt(a.entries[i].last, b.entries[i].last))
            return false;
    return true;
}

// ---------------------------------------------------------------------------
// Fixtures.

// Float32 values as a state holds them: contiguous little-endian bytes.
static std::vector<uint8_t> f32_bytes(const std::vector<float> &v) {
    std::vector<uint8_t> b(v.size() * 4);
    if (!b.empty()) std::memcpy(b.data(), v.data(), b.size());  // memcpy from an empty vector's NULL data is UB (UBSan)
    return b;
}
static void set_f32(std::vector<uint8_t> &bytes, size_t i, float f) { std::memcpy(bytes.data() + 4 * i, &f, 4); }

static uint64_t g_rng = 0x9E3779B97F4A7C15ull;
static uint64_t rnd() {
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return g_rng;
}

static SparsifierSnapshot::Item make_item(const std::string &name, int64_t rows, int64_t cols, bool squashed,
                                          bool has_data) {
    SparsifierSnapshot::Item it;
    it.name = name;
    it.tensor.shape = {rows, cols};
    it.config = {{"block_cols", 4.0}, {"block_rows", 1.0}, {"sparsity_level", 0.5}};
    it.squashed = squashed;
    if (!squashed)
        for (int64_t i = 0; i < rows * cols; ++i) it.mask.push_back(uint8_t(rnd() & 1));
    it.has_data = has_data;
    std::vector<float> data;
    if (has_data)
        for (int64_t i = 0; i < rows * cols; ++i) data.push_back(float(int64_t(rnd() % 2001) - 1000) / 7.0f);
    it.data = f32_bytes(data);
    return it;
}

// Small: two items, one with data, one squashed; odd mask sizes.
static SparsifierSnapshot small_sparsifier() {
    SparsifierSnapshot s;
    s.kind = 0;
    s.norm = 1;
    s.defaults = {{"sparsity_level", 0.25}};
    s.mask_update = false;
    s.step_count = 3;
    s.items.push_back(make_item("a", 2, 3, false, true));
    s.items.push_back(make_item("b", 1, 3, true, false));
    return s;
}

static SchedulerSnapshot small_scheduler() {
    SchedulerSnapshot s;
    s.schedule_param = "sparsity_level";
    s.schedule_kind = "gamma";
    s.schedule_params = {{"gamma", 0.5}, {"threshold", 0.9}};
    s.last_epoch = 4;
    s.step_count = 5;
    s.entries.push_back({"a", 0.5, 0.03125});
    s.entries.push_back({"b", std::nullopt, std::nullopt});
    s.entries.push_back({"c", 0.25, std::nullopt});
    return s;
}

// Expects a ds::Error with `status`; `needle` (if any) in its message.
template <class F>
static bool throws(F &&f, ds::Status status, const std::string &needle = "", std::string *message = nullptr) {
    try {
        f();
    } catch (const ds::Error &e) {
        if (message) *message = e.what();
        if (e.status() != status) {
            std::fprintf(stderr, "    status %d, expected %d: %s\n", int(e.status()), int(status), e.what());
            return false;
        }
        if (!needle.empty() && std::string(e.what()).find(needle) == std::string::npos) {
            std::fprintf(stderr, "    message lacks \"%s\": %s\n", needle.c_str(), e.what());
            return false;
        }
        return true;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "    unexpected exception: %s\n", e.what());
        return false;
    }
    std::fprintf(stderr, "    no exception (expected status %d%s%s)\n", int(status), needle.empty() ? "" : ": ",
                 needle.c_str());
    return false;
}

static bool sparsifier_corrupt(const Bytes &b, const std::string &needle = "") {
    return throws([&] { ds::decode_sparsifier(b.data(), b.size()); }, ds::Status::corrupt, needle);
}
static bool scheduler_corrupt(const Bytes &b, const std::string &needle = "") {
    return throws([&] { ds::decode_scheduler(b.data(), b.size()); }, ds::Status::corrupt, needle);
}

// Outcome of decoding arbitrary bytes: 0 rejected (ds::Status::corrupt), 1 decoded,
// -1 anything else (a failure).
template <class Snapshot, class Decode>
static int try_decode(Decode decode, const Bytes &b, Snapshot *out) {
    try {
        *out = decode(b.data(), b.size());
        return 1;
    } catch (const ds::Error &e) {
        if (e.status() == ds::Status::corrupt) return 0;
        std::fprintf(stderr, "    status %d: %s\n", int(e.status()), e.what());
        return -1;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "    exception: %s\n", e.what());
        return -1;
    }
}

static long g_variants = 0, g_truncations = 0, g_random = 0;

// Every byte flipped (each bit, and XOR 0xFF): rejected or identical. Then
// the same flips with the checksum repaired, which exercises the parser
// itself: rejected, or decoded to a snapshot that encodes back to exactly
// those bytes (the encoding is canonical).
template <class Snapshot, class Decode>
static void flip_every_byte(const Bytes &original, const Snapshot &expected, Decode decode) {
    const uint8_t masks[] = {1, 2, 4, 8, 16, 32, 64, 128, 0xFF};
    for (size_t i = 0; i < original.size(); ++i) {
        for (uint8_t m : masks) {
            Bytes b = original;
            b[i] ^= m;
            Snapshot got;
            int r = try_decode<Snapshot>(decode, b, &got);
            ++g_variants;
            CHECK_MESSAGE((r == 0 || (r == 1 && same(got, expected))),("byte " + std::to_string(i) + " ^ " + std::to_string(m) + ": outcome " + std::to_string(r)));
            if (i + 4 >= original.size()) continue;  // the checksum itself
            b = reseal(std::move(b));
            r = try_decode<Snapshot>(decode, b, &got);
            ++g_variants;
            CHECK_MESSAGE((r == 0 || (r == 1 && ds::encode(got) == b)),("resealed byte " + std::to_string(i) + " ^ " + std::to_string(m) + ": outcome " +
                          std::to_string(r)));
        }
    }
}

// Every proper prefix rejected; every prefix with a repaired checksum
// rejected or canonical.
template <class Snapshot, class Decode>
static void truncate_everywhere(const Bytes &original, Decode decode) {
    for (size_t n = 0; n < original.size(); ++n) {
        Bytes b(original.begin(), original.begin() + n);
        Snapshot got;
        int r = try_decode<Snapshot>(decode, b, &got);
        ++g_truncations;
        CHECK_MESSAGE((r == 0), ("prefix of " + std::to_string(n) + " bytes: outcome " + std::to_string(r)));
        if (n >= 4) {
            b = reseal(std::move(b));
            r = try_decode<Snapshot>(decode, b, &got);
            ++g_truncations;
            CHECK_MESSAGE((r == 0 || (r == 1 && ds::encode(got) == b)),("resealed prefix of " + std::to_string(n) + " bytes: outcome " + std::to_string(r)));
        }
    }
    // Trailing bytes after a complete file.
    for (int extra = 1; extra <= 16; ++extra) {
        Bytes b = original;
        for (int k = 0; k < extra; ++k) b.push_back(uint8_t(rnd()));
        Snapshot got;
        ++g_truncations;
        CHECK((try_decode<Snapshot>(decode, b, &got) == 0));
        b = reseal(std::move(b));
        ++g_truncations;
        int r = try_decode<Snapshot>(decode, b, &got);
        CHECK((r == 0 || (r == 1 && ds::encode(got) == b)));
    }
}

// Random multi-byte edits, insertions and deletions with the checksum repaired.
template <class Snapshot, class Decode>
static void random_edits(const Bytes &original, Decode decode, int rounds) {
    for (int round = 0; round < rounds; ++round) {
        Bytes b(original.begin(), original.end() - 4);
        const int edits = 1 + int(rnd() % 4);
        for (int e = 0; e < edits && !b.empty(); ++e) {
            const size_t at = 16 + rnd() % (b.size() > 16 ? b.size() - 16 : 1);  // keep the header mostly
            switch (rnd() % 4) {
                case 0: if (at < b.size()) b[at] = uint8_t(rnd()); break;
                case 1: if (at < b.size()) b[at] ^= uint8_t(1u << (rnd() % 8)); break;
                case 2: b.insert(b.begin() + std::min(at, b.size()), uint8_t(rnd())); break;
                case 3: if (at < b.size()) b.erase(b.begin() + at); break;
            }
        }
        b = seal(std::move(b));
        Snapshot got;
        ++g_random;
        const int r = try_decode<Snapshot>(decode, b, &got);
        CHECK_MESSAGE((r == 0 || (r == 1 && ds::encode(got) == b)), ("random round " + std::to_string(round)));
    }
}

// ---------------------------------------------------------------------------
// Builders for crafted files (src/core/state/format.md, independently of the encoder).

static Bytes config_bytes(const std::vector<std::pair<std::string, double>> &entries) {
    Bytes b;
    put32(b, uint32_t(entries.size()));
    for (const auto &kv : entries) {
        putstr(b, kv.first);
        putf64(b, kv.second);
    }
    return b;
}

struct SparsGlobal {
    uint32_t kind = 0, norm = 0;
    uint8_t mask_update = 1;
    int64_t step_count = 0;
    Bytes defaults = config_bytes({{"sparsity_level", 0.5}});
    Bytes bytes() const {
        Bytes b;
        put32(b, kind);
        put32(b, norm);
        b.push_back(mask_update);
        put64(b, uint64_t(step_count));
        append(b, defaults);
        return b;
    }
};

struct SparsItem {
    std::string name = "w";
    int64_t rows = 2, cols = 5;
    Bytes config = config_bytes({});
    uint8_t squashed = 0, has_data = 0;
    Bytes mask = {0xFF, 0x03};  // 10 bits
    Bytes data;
    Bytes bytes() const {
        Bytes b;
        putstr(b, name);
        put64(b, uint64_t(rows));
        put64(b, uint64_t(cols));
        append(b, config);
        b.push_back(squashed);
        b.push_back(has_data);
        append(b, mask);
        append(b, data);
        return b;
    }
};

static Bytes spars_file(const std::vector<Bytes> &sections, uint32_t flags = 0, uint32_t version = 1) {
    Bytes b = header(kSparsMagic, version, flags);
    for (const auto &s : sections) append(b, s);
    return seal(b);
}

// An ITEM section of format version 2 or 3 (a tensor; in version 3 with its
// shard geometry).
struct TensorItem {
    std::string name = "s";
    uint32_t dtype = 0;
    std::vector<int64_t> shape = {2, 5};
    int64_t row_stride = 0;
    bool v3 = true;
    int64_t global_rows = 6, first_row = 2;
    Bytes config = config_bytes({});
    uint8_t squashed = 0, has_data = 0;
    Bytes mask = {0xFF, 0x03};
    Bytes data;
    Bytes bytes() const {
        Bytes b;
        putstr(b, name);
        put32(b, dtype);
        put32(b, uint32_t(shape.size()));
        for (int64_t d : shape) put64(b, uint64_t(d));
        put64(b, uint64_t(row_stride));
        if (v3) {
            put64(b, uint64_t(global_rows));
            put64(b, uint64_t(first_row));
        }
        append(b, config);
        b.push_back(squashed);
        b.push_back(has_data);
        append(b, mask);
        append(b, data);
        return b;
    }
};

// A GROUP section (format version 3).
static Bytes group_bytes(const std::string &name, const std::vector<std::string> &members) {
    Bytes b;
    putstr(b, name);
    put32(b, uint32_t(members.size()));
    for (const auto &m : members) putstr(b, m);
    return b;
}

struct SchedGlobal {
    std::string param = "sparsity_level", kind = "step";
    Bytes params = config_bytes({{"gamma", 0.5}, {"step_size", 2.0}});
    int64_t last_epoch = 0, step_count = 1;
    Bytes bytes() const {
        Bytes b;
        putstr(b, param);
        putstr(b, kind);
        append(b, params);
        put64(b, uint64_t(last_epoch));
        put64(b, uint64_t(step_count));
        return b;
    }
};

static Bytes entry_bytes(const std::string &name, int base_present, double base, int last_present, double last) {
    Bytes b;
    putstr(b, name);
    b.push_back(uint8_t(base_present));
    if (base_present) putf64(b, base);
    b.push_back(uint8_t(last_present));
    if (last_present) putf64(b, last);
    return b;
}

static Bytes sched_file(const std::vector<Bytes> &sections, uint32_t flags = 0, uint32_t version = 1) {
    Bytes b = header(kSchedMagic, version, flags);
    for (const auto &s : sections) append(b, s);
    return seal(b);
}

// ---------------------------------------------------------------------------
// Tests.

static void test_crc() {
    const char *check = "123456789";
    CHECK((ds::crc32c(reinterpret_cast<const uint8_t *>(check), 9) == 0xE3069283u));
    CHECK((ds::crc32c(nullptr, 0) == 0u));
    // RFC 3720 B.4: 32 bytes of zeros -> 0x8A9136AA, of 0xFF -> 0x62A8AB43.
    Bytes zeros(32, 0), ones(32, 0xFF);
    CHECK((ds::crc32c(zeros.data(), 32) == 0x8A9136AAu));
    CHECK((ds::crc32c(ones.data(), 32) == 0x62A8AB43u));
    // Against the bitwise reference at every length and alignment.
    Bytes buf(300);
    for (auto &x : buf) x = uint8_t(rnd());
    for (size_t off = 0; off < 8; ++off)
        for (size_t n = 0; n + off <= buf.size(); n += 1 + (n > 40 ? 13 : 0))
            CHECK((ds::crc32c(buf.data() + off, n) == crc_reference(buf.data() + off, n)));
}

static void test_layout_matches_document() {
    // A sparsifier state built by hand from src/core/state/format.md equals the encoder's.
    SparsifierSnapshot s;
    s.kind = 1;
    s.norm = 0;
    s.mask_update = true;
    s.step_count = 7;
    s.defaults = {{"b", -0.0}, {"a", 1.5}};
    SparsifierSnapshot::Item it;
    it.name = "w";
    it.tensor.shape = {2, 5};
    it.mask = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    it.has_data = true;
    const std::vector<float> values = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    it.data = f32_bytes(values);
    s.items.push_back(it);

    SparsGlobal g;
    g.kind = 1;
    g.step_count = 7;
    g.defaults = config_bytes({{"a", 1.5}, {"b", -0.0}});
    SparsItem item;
    item.has_data = 1;
    for (float f : values) {
        uint32_t u;
        std::memcpy(&u, &f, 4);
        put32(item.data, u);
    }
    const Bytes expected = spars_file({section(1, g.bytes()), section(2, item.bytes())}, 1);
    const Bytes got = ds::encode(s);
    CHECK((got == expected));
    CHECK((std::memcmp(got.data(), "DSSPARS\0", 8) == 0));
    CHECK((got.size() == 16 + (12 + 4 + 4 + 1 + 8 + 4 + 2 * (4 + 1 + 8)) +
                            (12 + 5 + 16 + 4 + 2 + 2 + 40) + 4));

    SchedulerSnapshot t;
    t.schedule_param = "sparsity_level";
    t.schedule_kind = "step";
    t.schedule_params = {{"step_size", 2.0}, {"gamma", 0.5}};
    t.last_epoch = 0;
    t.step_count = 1;
    t.entries.push_back({"x", 0.5, std::nullopt});
    const Bytes expected_sched = sched_file({section(1, SchedGlobal().bytes()), section(2, entry_bytes("x", 1, 0.5, 0, 0))});
    CHECK((ds::encode(t) == expected_sched));
    CHECK((std::memcmp(expected_sched.data(), "DSSCHED\0", 8) == 0));
}

static void test_round_trip_sparsifier() {
    std::vector<SparsifierSnapshot> cases;
    cases.push_back(SparsifierSnapshot{});  // empty item list, empty defaults
    cases.push_back(small_sparsifier());
    {
        SparsifierSnapshot s;
        s.kind = 1;
        s.norm = 0;
        s.step_count = std::numeric_limits<int64_t>::max();
        s.defaults = {{"zeta", 1e300}, {"alpha", -1e-300}, {"k.with.dots", 0.0}, {"\xff\x01", 2.0}};
        // Every mask size mod 8, with and without data, squashed with data.
        for (int n = 1; n <= 17; ++n) s.items.push_back(make_item("m" + std::to_string(n), 1, n, false, n % 2 == 0));
        s.items.push_back(make_item("big", 37, 29, false, true));
        s.items.push_back(make_item("sq_data", 3, 3, true, true));
        s.items.push_back(make_item("sq", 4, 4, true, false));
        SparsifierSnapshot::Item huge;  // squashed, no data: no bytes behind the shape
        huge.name = "huge";
        huge.tensor.shape = {int64_t(1) << 31, int64_t(1) << 31};
        huge.squashed = true;
        s.items.push_back(huge);
        // Special floats survive bit for bit.
        auto &d = s.items[1].data;
        set_f32(d, 0, std::numeric_limits<float>::quiet_NaN());
        set_f32(d, 1, -0.0f);
        s.items.back().config = {{"sparsity_level", 1.0}};
        set_f32(s.items[3].data, 2, std::numeric_limits<float>::infinity());
        set_f32(s.items[3].data, 3, std::numeric_limits<float>::denorm_min());
        cases.push_back(s);
    }
    for (const auto &s : cases) {
        const Bytes b = ds::encode(s);
        const SparsifierSnapshot back = ds::decode_sparsifier(b.data(), b.size());
        CHECK((same(back, s)));
        CHECK((ds::encode(back) == b));
        // The data flag in the header is set iff some item has data.
        bool any = false;
        for (const auto &it : s.items) any = any || it.has_data;
        CHECK((b[12] == (any ? 1 : 0)));
    }
}

static void test_round_trip_scheduler() {
    const char *kinds[] = {"callback", "gamma", "step", "lambda", "cubic", "polynomial_decay", "constant"};
    for (const char *kind : kinds) {
        SchedulerSnapshot s = small_scheduler();
        s.schedule_kind = kind;
        const Bytes b = ds::encode(s);
        const SchedulerSnapshot back = ds::decode_scheduler(b.data(), b.size());
        CHECK((same(back, s)));
        CHECK((ds::encode(back) == b));
    }
    SchedulerSnapshot empty;
    empty.schedule_param = "p";
    empty.schedule_kind = "callback";
    const Bytes b = ds::encode(empty);
    const SchedulerSnapshot back = ds::decode_scheduler(b.data(), b.size());
    CHECK((same(back, empty)));
    CHECK((back.last_epoch == -1));
    SchedulerSnapshot extreme = small_scheduler();
    extreme.last_epoch = std::numeric_limits<int64_t>::min();
    extreme.entries[0].base = -0.0;
    extreme.entries[0].last = std::numeric_limits<double>::max();
    const Bytes e = ds::encode(extreme);
    CHECK((same(ds::decode_scheduler(e.data(), e.size()), extreme)));
}

static void test_flipped_bytes() {
    const long before = g_variants;
    const SparsifierSnapshot s = small_sparsifier();
    const Bytes sb = ds::encode(s);
    flip_every_byte(sb, s, ds::decode_sparsifier);
    const SchedulerSnapshot t = small_scheduler();
    const Bytes tb = ds::encode(t);
    flip_every_byte(tb, t, ds::decode_scheduler);
    // A file with no items.
    SparsifierSnapshot e;
    const Bytes eb = ds::encode(e);
    flip_every_byte(eb, e, ds::decode_sparsifier);
    std::printf("     %ld flipped variants of files of %zu, %zu and %zu bytes\n", g_variants - before, sb.size(),
                tb.size(), eb.size());
}

static void test_truncations() {
    const SparsifierSnapshot s = small_sparsifier();
    truncate_everywhere<SparsifierSnapshot>(ds::encode(s), ds::decode_sparsifier);
    const SchedulerSnapshot t = small_scheduler();
    truncate_everywhere<SchedulerSnapshot>(ds::encode(t), ds::decode_scheduler);
    CHECK((sparsifier_corrupt(Bytes{})));
    CHECK((throws([] { ds::decode_sparsifier(nullptr, 0); }, ds::Status::corrupt)));
    CHECK((throws([] { ds::decode_scheduler(nullptr, 0); }, ds::Status::corrupt)));
    std::printf("     %ld truncated or extended variants\n", g_truncations);
}

static void test_random_edits() {
    random_edits<SparsifierSnapshot>(ds::encode(small_sparsifier()), ds::decode_sparsifier, 20000);
    random_edits<SchedulerSnapshot>(ds::encode(small_scheduler()), ds::decode_scheduler, 20000);
    // Each decoder fed the other kind's mutations too.
    const Bytes sb = ds::encode(small_sparsifier());
    for (int i = 0; i < 2000; ++i) {
        Bytes b = sb;
        b[rnd() % b.size()] ^= uint8_t(1 + rnd() % 255);
        SchedulerSnapshot t;
        CHECK((try_decode<SchedulerSnapshot>(ds::decode_scheduler, b, &t) == 0));
        ++g_random;
    }
    std::printf("     %ld randomly edited variants (checksum repaired)\n", g_random);
}

static void test_wrong_kind_and_magic() {
    const Bytes sb = ds::encode(small_sparsifier());
    const Bytes tb = ds::encode(small_scheduler());
    std::string msg;
    CHECK((throws([&] { ds::decode_sparsifier(tb.data(), tb.size()); }, ds::Status::corrupt, "", &msg)));
    CHECK((msg == "this is a scheduler state, not a sparsifier state"));
    CHECK((throws([&] { ds::decode_scheduler(sb.data(), sb.size()); }, ds::Status::corrupt, "", &msg)));
    CHECK((msg == "this is a sparsifier state, not a scheduler state"));
    Bytes junk = sb;
    junk[0] = 'X';
    CHECK((sparsifier_corrupt(junk, "not a datasparse sparsifier state")));
    const Bytes text = {'h', 'e', 'l', 'l', 'o', '\n'};
    CHECK((sparsifier_corrupt(text, "not a datasparse sparsifier state")));
    CHECK((sparsifier_corrupt(Bytes(sb.begin(), sb.begin() + 5), "truncated")));
}

static void test_versions() {
    SparsGlobal g;
    CHECK((sparsifier_corrupt(spars_file({section(1, g.bytes())}, 0, 4), "format version 4")));
    CHECK((sparsifier_corrupt(spars_file({section(1, g.bytes())}, 0, 4), "this library reads format version 3")));
    // Version 2 exists for tensors; a state without any is version 1.
    CHECK((sparsifier_corrupt(spars_file({section(1, g.bytes())}, 0, 2), "such a state is format version 1")));
    // Version 3 exists for groups and shards; a state without any is version 1 or 2.
    CHECK((sparsifier_corrupt(spars_file({section(1, g.bytes())}, 0, 3), "no group and no shard: such a state is "
                                                                         "format version 1")));
    CHECK((sparsifier_corrupt(spars_file({section(1, g.bytes())}, 0, 0xFFFFFFFFu), "format version 4294967295")));
    CHECK((sparsifier_corrupt(spars_file({section(1, g.bytes())}, 0, 0), "format version 0")));
    CHECK((scheduler_corrupt(sched_file({section(1, SchedGlobal().bytes())}, 0, 4), "reads format version 3")));
    CHECK((scheduler_corrupt(sched_file({section(1, SchedGlobal().bytes())}, 0, 3), "scheduler states are format version 1")));
    CHECK((scheduler_corrupt(sched_file({section(1, SchedGlobal().bytes())}, 0, 2), "scheduler states are format version 1")));
    // A newer version is reported even when the rest is unreadable to us.
    Bytes newer = header(kSparsMagic, 4, 0);
    newer.push_back(0x42);
    CHECK((sparsifier_corrupt(newer, "format version 4")));
    // The version as written.
    const Bytes b = ds::encode(small_sparsifier());
    CHECK((b[8] == 1 && b[9] == 0 && b[10] == 0 && b[11] == 0));
    // The minimal valid files decode.
    SparsifierSnapshot s;
    CHECK((try_decode<SparsifierSnapshot>(ds::decode_sparsifier, spars_file({section(1, g.bytes())}), &s) == 1));
    SchedulerSnapshot t;
    CHECK((try_decode<SchedulerSnapshot>(ds::decode_scheduler, sched_file({section(1, SchedGlobal().bytes())}), &t) ==
          1));
}

static void test_crafted_sparsifier() {
    const Bytes G = section(1, SparsGlobal().bytes());
    auto global = [](auto edit) {
        SparsGlobal x;
        edit(x);
        return spars_file({section(1, x.bytes())});
    };
    auto item = [&](auto edit, uint32_t flags = 0) {
        SparsItem x;
        edit(x);
        return spars_file({G, section(2, x.bytes())}, flags);
    };
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();

    // The valid base case first, so each failure below is the edit's.
    SparsifierSnapshot ok;
    CHECK((try_decode<SparsifierSnapshot>(ds::decode_sparsifier, item([](SparsItem &) {}), &ok) == 1));
    CHECK((ok.items.size() == 1 && ok.items[0].mask == std::vector<uint8_t>(10, 1)));

    // Header.
    CHECK((sparsifier_corrupt(spars_file({G}, 2), "unknown flags")));
    CHECK((sparsifier_corrupt(spars_file({G}, 0x80000000u), "unknown flags")));
    CHECK((sparsifier_corrupt(spars_file({G}, 1), "flags say data is included")));
    CHECK((sparsifier_corrupt(item([](SparsItem &x) {
                                 x.has_data = 1;
                                 x.data = Bytes(40, 0);
                             }),
                             "flags say no data is included but item 0 'w' has data")));
    Bytes bad_crc = spars_file({G});
    bad_crc.back() ^= 1;
    CHECK((sparsifier_corrupt(bad_crc, "checksum mismatch")));

    // Global section.
    CHECK((sparsifier_corrupt(global([](SparsGlobal &x) { x.kind = 2; }), "sparsifier kind is 2")));
    CHECK((sparsifier_corrupt(global([](SparsGlobal &x) { x.norm = 7; }), "norm is 7")));
    CHECK((sparsifier_corrupt(global([](SparsGlobal &x) { x.mask_update = 2; }), "mask_update flag is 2")));
    CHECK((sparsifier_corrupt(global([](SparsGlobal &x) { x.step_count = -1; }), "step count is -1")));
    // Configs.
    CHECK((sparsifier_corrupt(global([](SparsGlobal &x) { x.defaults = config_bytes({{"b", 1}, {"a", 2}}); }),
                             "out of order")));
    CHECK((sparsifier_corrupt(global([](SparsGlobal &x) { x.defaults = config_bytes({{"a", 1}, {"a", 2}}); }),
                             "duplicated")));
    CHECK((sparsifier_corrupt(global([](SparsGlobal &x) { x.defaults = config_bytes({{"", 1}}); }), "empty")));
    CHECK((sparsifier_corrupt(global([](SparsGlobal &x) { x.defaults = config_bytes({{std::string("a\0b", 3), 1}}); }),
                             "NUL")));
    CHECK((sparsifier_corrupt(global([&](SparsGlobal &x) { x.defaults = config_bytes({{"a", nan}}); }),
                             "must be finite")));
    CHECK((sparsifier_corrupt(global([&](SparsGlobal &x) { x.defaults = config_bytes({{"a", -inf}}); }),
                             "must be finite")));
    // A key from the file is escaped in the message about its value (found by
    // fuzz_sparsifier_load: it was echoed raw, control characters included).
    CHECK((sparsifier_corrupt(global([&](SparsGlobal &x) { x.defaults = config_bytes({{"k\n\x1b[2J\x1c", nan}}); }),
                             "value of config key 'k\\n\\x1b[2J\\x1c' is nan")));
    CHECK((sparsifier_corrupt(global([&](SparsGlobal &x) {
                                 x.defaults = config_bytes({{"k\nlonger", 1}});
                                 x.defaults.resize(x.defaults.size() - 3);  // the value cut short
                             }),
                             "value of config key 'k\\nlonger' needs 8 bytes")));
    CHECK((sparsifier_corrupt(global([](SparsGlobal &x) {
                                 x.defaults.clear();
                                 put32(x.defaults, 0xFFFFFFFFu);
                             }),
                             "claims 4294967295 entries")));
    CHECK((sparsifier_corrupt(global([](SparsGlobal &x) {
                                 x.defaults.clear();
                                 put32(x.defaults, 1);
                                 put32(x.defaults, 0xFFFFFFF0u);  // key length
                                 x.defaults.resize(x.defaults.size() + 13, 'k');
                             }),
                             "claims 4294967280 bytes")));
    // Unsigned bytewise order: "\x7f" < "\x80".
    SparsifierSnapshot u;
    CHECK((try_decode<SparsifierSnapshot>(
              ds::decode_sparsifier,
              global([](SparsGlobal &x) { x.defaults = config_bytes({{"\x7f", 1}, {"\x80", 2}}); }), &u) == 1));
    CHECK((sparsifier_corrupt(global([](SparsGlobal &x) { x.defaults = config_bytes({{"\x80", 1}, {"\x7f", 2}}); }),
                             "out of order")));

    // Items.
    CHECK((sparsifier_corrupt(item([](SparsItem &x) { x.name = ""; }), "name is empty")));
    CHECK((sparsifier_corrupt(item([](SparsItem &x) { x.name = "a.b"; }), "contains '.'")));
    CHECK((sparsifier_corrupt(item([](SparsItem &x) { x.name = std::string("a\0", 2); }), "NUL")));
    CHECK((sparsifier_corrupt(item([](SparsItem &x) { x.rows = 0; }), "shape 0x5 is invalid")));
    CHECK((sparsifier_corrupt(item([](SparsItem &x) { x.cols = -3; }), "shape 2x-3 is invalid")));
    CHECK((sparsifier_corrupt(item([](SparsItem &x) {
                                 x.rows = int64_t(1) << 32;
                                 x.cols = int64_t(1) << 32;
                                 x.squashed = 1;
                                 x.mask.clear();
                             }),
                             "is invalid")));
    CHECK((sparsifier_corrupt(item([](SparsItem &x) { x.squashed = 3; }), "squashed flag is 3")));
    CHECK((sparsifier_corrupt(item([](SparsItem &x) { x.has_data = 0xFF; }), "data flag is 255")));
    CHECK((sparsifier_corrupt(item([](SparsItem &x) { x.mask = {0xFF, 0x07}; }), "unused trailing bits")));
    CHECK((sparsifier_corrupt(item([](SparsItem &x) { x.mask = {0xFF}; }), "needs 2 bytes but only 1 remain")));
    CHECK((sparsifier_corrupt(item([](SparsItem &x) { x.mask = {0xFF, 0x03, 0x00}; }), "1 unread bytes")));
    CHECK((sparsifier_corrupt(item([](SparsItem &x) { x.config = config_bytes({{"z", 1}, {"y", 1}}); }),
                             "item 0 'w': config: key 'y' is out of order")));
    // Huge shapes are rejected before anything is allocated.
    CHECK((sparsifier_corrupt(item([](SparsItem &x) {
                                 x.rows = int64_t(1) << 31;
                                 x.cols = int64_t(1) << 31;
                             }),
                             "mask of 2147483648x2147483648 needs 576460752303423488 bytes")));
    CHECK((sparsifier_corrupt(item(
                                 [](SparsItem &x) {
                                     x.rows = int64_t(1) << 31;
                                     x.cols = int64_t(1) << 31;
                                     x.squashed = 1;
                                     x.mask.clear();
                                     x.has_data = 1;
                                 },
                                 1),
                             "data of 2147483648x2147483648 needs")));
    CHECK((sparsifier_corrupt(item(
                                 [](SparsItem &x) {
                                     x.rows = std::numeric_limits<int64_t>::max();
                                     x.cols = 1;
                                     x.squashed = 1;
                                     x.mask.clear();
                                     x.has_data = 1;
                                 },
                                 1),
                             "needs more bytes")));
    CHECK((sparsifier_corrupt(item(
                                 [](SparsItem &x) {
                                     x.has_data = 1;
                                     x.data = Bytes(39, 0);
                                 },
                                 1),
                             "data of 2x5 needs 40 bytes but only 39")));
    // Duplicate names.
    const Bytes I = section(2, SparsItem().bytes());
    CHECK((sparsifier_corrupt(spars_file({G, I, I}), "item 1 'w': name appears in an earlier item too")));

    // Sections.
    CHECK((sparsifier_corrupt(spars_file({}), "section 1 (SPARSIFIER) is missing")));
    CHECK((sparsifier_corrupt(spars_file({I, G}), "section 2 (ITEM) before section 1")));
    CHECK((sparsifier_corrupt(spars_file({G, G}), "appears twice")));
    CHECK((sparsifier_corrupt(spars_file({G, section(3, {})}), "unknown section id 3")));
    CHECK((sparsifier_corrupt(spars_file({G, section(0, {})}), "unknown section id 0")));
    Bytes long_section = G;
    long_section[4] = 0xFF;  // length low byte
    CHECK((sparsifier_corrupt(spars_file({long_section}), "remain before the checksum")));
    Bytes huge_section = G;
    for (int i = 4; i < 12; ++i) huge_section[size_t(i)] = 0xFF;
    CHECK((sparsifier_corrupt(spars_file({huge_section}), "claims 18446744073709551615 bytes")));
    Bytes short_section = G;
    short_section[4] = uint8_t(short_section[4] - 1);
    short_section.pop_back();
    CHECK((sparsifier_corrupt(spars_file({short_section}), "in its section")));
    Bytes partial_header = G;
    partial_header.insert(partial_header.end(), {2, 0, 0, 0, 9});
    CHECK((sparsifier_corrupt(spars_file({partial_header}), "section header needs 12 bytes but only 5")));
    // Messages give a byte offset.
    CHECK((sparsifier_corrupt(global([](SparsGlobal &x) { x.kind = 2; }), "(at byte 28)")));
}

static void test_crafted_scheduler() {
    auto global = [](auto edit) {
        SchedGlobal x;
        edit(x);
        return sched_file({section(1, x.bytes())});
    };
    const Bytes G = section(1, SchedGlobal().bytes());
    auto entries = [&](std::vector<Bytes> e) {
        std::vector<Bytes> sections{G};
        for (auto &x : e) sections.push_back(section(2, x));
        return sched_file(sections);
    };
    const double nan = std::numeric_limits<double>::quiet_NaN();

    SchedulerSnapshot t;
    CHECK((try_decode<SchedulerSnapshot>(ds::decode_scheduler,
                                        entries({entry_bytes("a", 1, 0.5, 1, 0.25), entry_bytes("b", 0, 0, 0, 0)}),
                                        &t) == 1));
    CHECK((t.entries.size() == 2 && t.entries[0].last && *t.entries[0].last == 0.25 && !t.entries[1].base));

    CHECK((scheduler_corrupt(sched_file({G}, 1), "unknown flags")));
    CHECK((scheduler_corrupt(global([](SchedGlobal &x) { x.kind = "linear"; }), "unknown schedule kind 'linear'")));
    CHECK((scheduler_corrupt(global([](SchedGlobal &x) { x.kind = std::string("step\0", 5); }),
                            "unknown schedule kind")));
    CHECK((scheduler_corrupt(global([](SchedGlobal &x) { x.kind = ""; }), "unknown schedule kind")));
    CHECK((scheduler_corrupt(global([](SchedGlobal &x) { x.param = ""; }), "schedule_param: config key is empty")));
    CHECK((scheduler_corrupt(global([](SchedGlobal &x) { x.step_count = -5; }), "step count is -5")));
    CHECK((scheduler_corrupt(global([](SchedGlobal &x) { x.params = config_bytes({{"step_size", 2}, {"gamma", 1}}); }),
                            "schedule parameters: key 'gamma' is out of order")));
    CHECK((scheduler_corrupt(entries({entry_bytes("a", 2, 0.5, 0, 0)}), "base value presence byte is 2")));
    CHECK((scheduler_corrupt(entries({entry_bytes("a", 1, 0.5, 9, 0)}), "last value presence byte is 9")));
    CHECK((scheduler_corrupt(entries({entry_bytes("a", 1, nan, 0, 0)}), "base value is nan")));
    CHECK((scheduler_corrupt(entries({entry_bytes("a.b", 1, 0.5, 0, 0)}), "contains '.'")));
    CHECK((scheduler_corrupt(entries({entry_bytes("a", 1, 0.5, 0, 0), entry_bytes("a", 0, 0, 0, 0)}),
                            "entry 1 'a': name appears in an earlier entry too")));
    CHECK((scheduler_corrupt(sched_file({section(2, entry_bytes("a", 0, 0, 0, 0)), G}), "before section 1")));
    CHECK((scheduler_corrupt(sched_file({}), "section 1 (SCHEDULER) is missing")));
    CHECK((scheduler_corrupt(sched_file({G, section(99, {1, 2, 3})}), "unknown section id 99")));
    // An absent optional has no value bytes: a stray f64 is left unread.
    Bytes stray = entry_bytes("a", 0, 0, 0, 0);
    putf64(stray, 1.0);
    CHECK((scheduler_corrupt(entries({stray}), "8 unread bytes")));
}

static void test_encoder_rejects_invalid_snapshots() {
    auto internal = [](const SparsifierSnapshot &s, const std::string &needle) {
        return throws([&] { ds::encode(s); }, ds::Status::internal, needle);
    };
    SparsifierSnapshot s = small_sparsifier();
    s.items[0].mask.pop_back();
    CHECK((internal(s, "mask has 5 values, expected 6")));
    s = small_sparsifier();
    s.items[0].data.insert(s.items[0].data.end(), 4, 0);  // one float32 too many
    CHECK((internal(s, "data has 28 bytes, expected 24")));
    s = small_sparsifier();
    s.items[1].name = "a";
    CHECK((internal(s, "appears twice")));
    s = small_sparsifier();
    s.items[0].name = "x.y";
    CHECK((internal(s, "contains '.'")));
    s = small_sparsifier();
    s.defaults["q"] = std::numeric_limits<double>::infinity();
    CHECK((internal(s, "value of 'q' is inf")));
    s = small_sparsifier();
    s.items[0].mask[1] = 2;
    CHECK((internal(s, "mask value 2 at index 1")));
    s = small_sparsifier();
    s.kind = 5;
    CHECK((internal(s, "kind is 5")));
    SchedulerSnapshot t = small_scheduler();
    t.schedule_kind = "weird";
    CHECK((throws([&] { ds::encode(t); }, ds::Status::internal, "unknown schedule kind")));
    t = small_scheduler();
    t.entries[1].last = std::numeric_limits<double>::quiet_NaN();
    CHECK((throws([&] { ds::encode(t); }, ds::Status::internal, "last is nan")));
}

// Format version 3: shards and groups.

// A small version 3 state: a shard, a shard with no rows, a plain item, and
// a group of the plain item and the shard.
static SparsifierSnapshot v3_sparsifier() {
    SparsifierSnapshot s;
    s.kind = 0;
    s.norm = 1;
    s.defaults = {{"sparsity_level", 0.5}};
    s.step_count = 2;
    SparsifierSnapshot::Item a = make_item("a", 2, 5, false, true);
    a.global_rows = 6;
    a.first_row = 2;
    SparsifierSnapshot::Item e;
    e.name = "e";
    e.tensor.shape = {0, 5};
    e.global_rows = 6;
    e.first_row = 6;
    SparsifierSnapshot::Item p = make_item("p", 1, 3, false, false);
    s.items = {a, e, p};
    s.groups.push_back({"g", {"p", "a"}});
    return s;
}

static void test_version_3_layout_and_round_trip() {
    // Built by hand from format.md: equal to the encoder's bytes.
    SparsifierSnapshot s = v3_sparsifier();
    s.items[0].has_data = false;
    s.items[0].data.clear();
    s.items[0].mask.assign(10, 1);
    s.items[2].mask = {1, 0, 1};
    SparsGlobal g;
    g.norm = 1;
    g.step_count = 2;
    TensorItem a;
    a.name = "a";
    a.config = config_bytes({{"block_cols", 4}, {"block_rows", 1}, {"sparsity_level", 0.5}});
    TensorItem e;
    e.name = "e";
    e.shape = {0, 5};
    e.first_row = 6;
    e.mask.clear();
    TensorItem p;
    p.name = "p";
    p.shape = {1, 3};
    p.global_rows = 0;
    p.first_row = 0;
    p.config = a.config;
    p.mask = {0x05};
    const Bytes expected = spars_file({section(1, g.bytes()), section(2, a.bytes()), section(2, e.bytes()),
                                       section(2, p.bytes()), section(3, group_bytes("g", {"p", "a"}))},
                                      0, 3);
    const Bytes got = ds::encode(s);
    CHECK((got == expected));
    CHECK((got[8] == 3));

    // Round trips: the small state, and shards of every dtype, N-D, strided, squashed.
    std::vector<SparsifierSnapshot> cases = {s, v3_sparsifier()};
    {
        SparsifierSnapshot t;
        for (int k = 0; k < 4; ++k) {
            SparsifierSnapshot::Item it;
            it.name = "t" + std::to_string(k);
            it.tensor.dtype = static_cast<ds::DType>(k);
            it.tensor.shape = {3, 2, 4};
            if (k == 1) it.tensor.row_stride = 9;
            it.global_rows = 12 + k;  // rows: 3 x 2 = 6
            it.first_row = k;
            it.squashed = k == 2;
            if (!it.squashed) it.mask.assign(24, uint8_t(k & 1));
            it.has_data = k != 3;
            if (it.has_data) it.data.assign(24 * ds::dtype_size(it.tensor.dtype), uint8_t(0x40 + k));
            t.items.push_back(it);
        }
        t.groups.push_back({"first", {"t3"}});
        t.groups.push_back({"second", {"t1", "t0"}});
        cases.push_back(t);
        SparsifierSnapshot only_group;  // a group of plain items is version 3 too
        only_group.items.push_back(make_item("x", 2, 2, false, false));
        only_group.groups.push_back({"x", {"x"}});  // a group may share an item's name
        cases.push_back(only_group);
    }
    for (const auto &c : cases) {
        const Bytes b = ds::encode(c);
        CHECK((b[8] == 3));
        const SparsifierSnapshot back = ds::decode_sparsifier(b.data(), b.size());
        CHECK((same(back, c)));
        CHECK((ds::encode(back) == b));
    }
    // Every byte flipped and every truncation of the small state: rejected or canonical.
    const SparsifierSnapshot v = v3_sparsifier();
    const Bytes vb = ds::encode(v);
    const long before = g_variants;
    flip_every_byte(vb, v, ds::decode_sparsifier);
    truncate_everywhere<SparsifierSnapshot>(vb, ds::decode_sparsifier);
    random_edits<SparsifierSnapshot>(vb, ds::decode_sparsifier, 5000);
    std::printf("     version 3: %ld flipped variants of a file of %zu bytes\n", g_variants - before, vb.size());
}

static void test_crafted_version_3() {
    const Bytes G = section(1, SparsGlobal().bytes());
    auto file = [&](auto edit, std::vector<Bytes> more = {}, uint32_t version = 3) {
        TensorItem x;
        edit(x);
        std::vector<Bytes> sections = {G, section(2, x.bytes())};
        for (auto &m : more) sections.push_back(m);
        return spars_file(sections, 0, version);
    };
    auto group = [](const std::string &name, const std::vector<std::string> &members) {
        return section(3, group_bytes(name, members));
    };
    auto none = [](TensorItem &) {};
    SparsifierSnapshot ok;
    CHECK((try_decode<SparsifierSnapshot>(ds::decode_sparsifier, file(none), &ok) == 1));
    CHECK((ok.items.size() == 1 && ok.items[0].global_rows == 6 && ok.items[0].first_row == 2));
    CHECK((try_decode<SparsifierSnapshot>(ds::decode_sparsifier, file(none, {group("g", {"s"})}), &ok) == 1));
    CHECK((ok.groups.size() == 1 && ok.groups[0].members == std::vector<std::string>{"s"}));
    // A shard of no rows: no mask bytes.
    CHECK((try_decode<SparsifierSnapshot>(ds::decode_sparsifier, file([](TensorItem &x) {
                                              x.shape = {0, 5};
                                              x.first_row = 6;
                                              x.mask.clear();
                                          }),
                                          &ok) == 1));
    CHECK((ok.items[0].tensor.shape[0] == 0 && ok.items[0].mask.empty()));

    // Shards.
    CHECK((sparsifier_corrupt(file([](TensorItem &x) { x.first_row = 5; }),
                              "item 0 's': the shard holds rows [5, 7), outside its 6 global rows")));
    CHECK((sparsifier_corrupt(file([](TensorItem &x) { x.first_row = -1; }), "outside its 6 global rows")));
    CHECK((sparsifier_corrupt(file([](TensorItem &x) { x.global_rows = -1; }), "global_rows is -1")));
    CHECK((sparsifier_corrupt(file([](TensorItem &x) {
                                  x.global_rows = 0;
                                  x.first_row = 1;
                              }),
                              "first_row is 1 but the item is not a shard")));
    CHECK((sparsifier_corrupt(file([](TensorItem &x) {
                                  x.global_rows = 0;
                                  x.first_row = 0;
                                  x.shape = {0, 5};
                                  x.mask.clear();
                              }),
                              "item 0 's'")));
    CHECK((sparsifier_corrupt(file([](TensorItem &x) {
                                  x.shape = {10};
                                  x.global_rows = 20;
                                  x.first_row = 0;
                              }),
                              "a shard has at least 2 dimensions")));
    CHECK((sparsifier_corrupt(file([](TensorItem &x) { x.shape = {-2, 5}; }), "item 0 's'")));
    {
        SparsGlobal custom;
        custom.kind = 1;
        TensorItem x;
        CHECK((sparsifier_corrupt(spars_file({section(1, custom.bytes()), section(2, x.bytes())}, 0, 3),
                                  "a custom sparsifier state has no shards")));
        x.global_rows = 0;
        x.first_row = 0;
        CHECK((sparsifier_corrupt(
            spars_file({section(1, custom.bytes()), section(2, x.bytes()), group("g", {"s"})}, 0, 3),
            "a custom sparsifier state has no groups")));
    }

    // Groups.
    auto plain = [](TensorItem &x) {
        x.global_rows = 0;
        x.first_row = 0;
    };
    CHECK((sparsifier_corrupt(file(plain, {group("g", {"t"})}), "group 0 'g': names 't', which is not an item")));
    CHECK((sparsifier_corrupt(file(plain, {group("g", {"s", "s"})}), "names 's' twice")));
    CHECK((sparsifier_corrupt(file(plain, {group("g", {"s"}), group("h", {"s"})}), "in an earlier group too")));
    CHECK((sparsifier_corrupt(file(plain, {group("g", {"s"}), group("g", {})}),
                              "group 1 'g': name appears in an earlier group too")));
    CHECK((sparsifier_corrupt(file(plain, {group("g", {})}), "has no members")));
    CHECK((sparsifier_corrupt(file(plain, {group("a.b", {"s"})}), "contains '.'")));
    CHECK((sparsifier_corrupt(file(plain, {group("", {"s"})}), "name is empty")));
    {
        Bytes huge;
        putstr(huge, "g");
        put32(huge, 0xFFFFFFFFu);
        CHECK((sparsifier_corrupt(file(plain, {section(3, huge)}), "claims 4294967295 members")));
        Bytes trailing = group_bytes("g", {"s"});
        trailing.push_back(0);
        CHECK((sparsifier_corrupt(file(plain, {section(3, trailing)}), "1 unread bytes")));
    }
    // Groups come after the items, and exist in version 3 only.
    {
        TensorItem x, y;
        plain(x);
        plain(y);
        y.name = "t";
        CHECK((sparsifier_corrupt(spars_file({G, section(2, x.bytes()), group("g", {"s"}), section(2, y.bytes())}, 0, 3),
                                  "section 2 (ITEM) after a section 3 (GROUP)")));
        CHECK((sparsifier_corrupt(spars_file({G, group("g", {"s"}), section(2, x.bytes())}, 0, 3),
                                  "not an item of the state")));
        x.v3 = false;
        x.dtype = 1;  // a tensor: version 2
        CHECK((sparsifier_corrupt(spars_file({G, section(2, x.bytes()), group("g", {"s"})}, 0, 2),
                                  "unknown section id 3 (format version 2 sparsifier states have sections 1 and 2 only)")));
        CHECK((sparsifier_corrupt(spars_file({G, section(4, Bytes{})}, 0, 3),
                                  "unknown section id 4 (format version 3 sparsifier states have sections 1, 2 and 3 only)")));
    }
    // Version 3 without a group or a shard is not canonical.
    CHECK((sparsifier_corrupt(file(plain), "no group and no shard: such a state is format version 1")));
    CHECK((sparsifier_corrupt(file([&](TensorItem &x) {
                                  plain(x);
                                  x.dtype = 2;
                                  x.data.clear();
                              }),
                              "such a state is format version 2")));

    // The encoder refuses what the decoder would.
    auto internal = [](const SparsifierSnapshot &t, const std::string &needle) {
        return throws([&] { ds::encode(t); }, ds::Status::internal, needle);
    };
    SparsifierSnapshot t = v3_sparsifier();
    t.items[0].first_row = 5;
    CHECK((internal(t, "outside its 6 global rows")));
    t = v3_sparsifier();
    t.items[2].first_row = 1;
    CHECK((internal(t, "not a shard")));
    t = v3_sparsifier();
    t.groups[0].members.push_back("zz");
    CHECK((internal(t, "not an item of the state")));
    t = v3_sparsifier();
    t.groups.push_back(t.groups[0]);
    CHECK((internal(t, "appears twice")));
    t = v3_sparsifier();
    t.groups[0].members.clear();
    CHECK((internal(t, "has no members")));
    t = v3_sparsifier();
    t.kind = 1;
    CHECK((internal(t, "a custom sparsifier has no")));
}

// ---------------------------------------------------------------------------
// Files.

static std::string g_dir;

static std::vector<std::string> list_dir(const std::string &dir) {
    std::vector<std::string> names;
    if (DIR *d = opendir(dir.c_str())) {
        while (dirent *e = readdir(d))
            if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) names.push_back(e->d_name);
        closedir(d);
    }
    return names;
}

static bool exists(const std::string &path) {
    struct stat st;
    return ::lstat(path.c_str(), &st) == 0;
}

static void test_atomic_write() {
    const std::string path = g_dir + "/state.dss";
    const Bytes first = ds::encode(small_sparsifier());
    ds::write_file_atomic(path, first);
    CHECK((ds::read_file(path) == first));
    const Bytes read_back = ds::read_file(path);
    CHECK((ds::encode(ds::decode_sparsifier(read_back.data(), read_back.size())) == first));
    // Over an existing file: replaced whole (a longer, then a shorter one).
    Bytes longer(100000);
    for (auto &x : longer) x = uint8_t(rnd());
    ds::write_file_atomic(path, longer);
    CHECK((ds::read_file(path) == longer));
    const Bytes shorter = {1, 2, 3};
    ds::write_file_atomic(path, shorter);
    CHECK((ds::read_file(path) == shorter));
    ds::write_file_atomic(path, Bytes{});
    CHECK((ds::read_file(path).empty()));
    CHECK((list_dir(g_dir) == std::vector<std::string>{"state.dss"}));  // no temporaries left
    // A relative path (no directory part) works too.
    char cwd[4096];
    CHECK((::getcwd(cwd, sizeof cwd) != nullptr));
    CHECK((::chdir(g_dir.c_str()) == 0));
    ds::write_file_atomic("relative.dss", shorter);
    CHECK((::chdir(cwd) == 0));
    CHECK((ds::read_file(g_dir + "/relative.dss") == shorter));
    ::unlink((g_dir + "/relative.dss").c_str());
}

static void test_write_failures() {
    const std::string missing_dir = g_dir + "/no/such/dir";
    const std::string path = missing_dir + "/state.dss";
    std::string msg;
    CHECK((throws([&] { ds::write_file_atomic(path, {1, 2, 3}); }, ds::Status::io, "No such file or directory", &msg)));
    CHECK((msg.find(path) != std::string::npos));
    CHECK((!exists(g_dir + "/no")));
    CHECK((throws([&] { ds::write_file_atomic("", {1}); }, ds::Status::io, "empty")));

    // The target is a non-empty directory: the rename fails, the directory stays.
    const std::string sub = g_dir + "/subdir";
    CHECK((::mkdir(sub.c_str(), 0755) == 0));
    ds::write_file_atomic(sub + "/inside", {7});
    CHECK((throws([&] { ds::write_file_atomic(sub, {1, 2, 3}); }, ds::Status::io, sub)));
    CHECK((ds::read_file(sub + "/inside") == Bytes{7}));
    CHECK((throws([&] { ds::write_file_atomic(sub + "/", {1}); }, ds::Status::io, "Is a directory")));

    // A full disk mid-save (a file size limit): the previous file is intact
    // and no temporary is left.
    const std::string target = g_dir + "/limited.dss";
    const Bytes previous = {9, 8, 7, 6, 5};
    ds::write_file_atomic(target, previous);
    struct rlimit old_limit;
    CHECK((::getrlimit(RLIMIT_FSIZE, &old_limit) == 0));
    void (*old_handler)(int) = ::signal(SIGXFSZ, SIG_IGN);
    struct rlimit small = old_limit;
    small.rlim_cur = 1000;
    CHECK((::setrlimit(RLIMIT_FSIZE, &small) == 0));
    const bool failed = throws([&] { ds::write_file_atomic(target, Bytes(5000, 0xAB)); }, ds::Status::io, "File too large", &msg);
    CHECK((::setrlimit(RLIMIT_FSIZE, &old_limit) == 0));
    ::signal(SIGXFSZ, old_handler);
    CHECK((failed));
    CHECK((msg.find(target) != std::string::npos));
    CHECK((ds::read_file(target) == previous));
    for (const auto &name : list_dir(g_dir))
        CHECK_MESSAGE((name.find(".tmp.") == std::string::npos && name.find("ds-tmp") == std::string::npos), (name));

    // An unwritable directory (meaningless as root, who may write anyway).
    if (::geteuid() != 0) {
        const std::string ro = g_dir + "/readonly";
        CHECK((::mkdir(ro.c_str(), 0555) == 0));
        CHECK((throws([&] { ds::write_file_atomic(ro + "/x", {1}); }, ds::Status::io, "Permission denied")));
        CHECK((list_dir(ro).empty()));
        ::rmdir(ro.c_str());
    }
    ::unlink(target.c_str());
    ::unlink((sub + "/inside").c_str());
    ::rmdir(sub.c_str());
}

static void test_read_failures() {
    const std::string missing = g_dir + "/missing.dss";
    std::string msg;
    CHECK((throws([&] { ds::read_file(missing); }, ds::Status::io, "No such file or directory", &msg)));
    CHECK((msg.find(missing) != std::string::npos));
    CHECK((throws([&] { ds::read_file(g_dir); }, ds::Status::io, "Is a directory")));
    CHECK((throws([&] { ds::read_file(""); }, ds::Status::io, "empty")));
    CHECK((throws([&] { ds::read_file(g_dir + "/missing.dss/x"); }, ds::Status::io, "No such file or directory")));
    const std::string file = g_dir + "/plain";
    ds::write_file_atomic(file, {1});
    CHECK((throws([&] { ds::read_file(file + "/x"); }, ds::Status::io, "Not a directory")));
    if (::geteuid() != 0) {
        CHECK((::chmod(file.c_str(), 0) == 0));
        CHECK((throws([&] { ds::read_file(file); }, ds::Status::io, "Permission denied")));
    }
    ::unlink(file.c_str());
    // A non-regular file is refused, not read until memory runs out.
    CHECK((throws([&] { ds::read_file("/dev/zero"); }, ds::Status::io, "not a regular file")));
    CHECK((throws([&] { ds::read_file("/dev/null"); }, ds::Status::io, "not a regular file")));
    // The caller's maximum state size.
    ds::write_file_atomic(file, Bytes(20, 1));
    ds::set_max_state_size(10);
    CHECK((throws([&] { ds::read_file(file); }, ds::Status::io, "more than the maximum state size 10", &msg)));
    ds::set_max_state_size(20);
    CHECK((ds::read_file(file).size() == 20u));
    ds::set_max_state_size(0);  // no limit again
    CHECK((ds::max_state_size() == std::numeric_limits<uint64_t>::max()));
    ::unlink(file.c_str());
}

static mode_t mode_of(const std::string &path) {
    struct stat st;
    return ::lstat(path.c_str(), &st) == 0 ? (st.st_mode & 07777) : 0;
}

// Modes, symbolic links and temporaries left by killed writers.
static void test_file_modes_links_and_leftovers() {
    const std::string path = g_dir + "/modes.dss";
    ds::write_file_atomic(path, {1});
    CHECK((mode_of(path) == 0600));  // a new file holds model data: owner only
    CHECK((::chmod(path.c_str(), 0640) == 0));
    ds::write_file_atomic(path, {2});
    CHECK((mode_of(path) == 0640));  // an existing file keeps its mode
    CHECK((ds::read_file(path) == Bytes{2}));
    ::unlink(path.c_str());
    const mode_t mask = ::umask(022);
    ds::WriteOptions shared;
    shared.umask_mode = true;
    ds::write_file_atomic(path, {3}, shared);
    CHECK((mode_of(path) == 0644));
    ::umask(mask);
    ::unlink(path.c_str());

    // A symbolic link is replaced by the file; its target is left alone.
    const std::string target = g_dir + "/target.dss", link = g_dir + "/link.dss";
    ds::write_file_atomic(target, {4, 4});
    CHECK((::symlink(target.c_str(), link.c_str()) == 0));
    ds::write_file_atomic(link, {5});
    struct stat st;
    CHECK((::lstat(link.c_str(), &st) == 0 && S_ISREG(st.st_mode)));
    CHECK((ds::read_file(link) == Bytes{5}));
    CHECK((ds::read_file(target) == Bytes{4, 4}));
    ::unlink(link.c_str());
    ::unlink(target.c_str());

    // Temporaries of writers that no longer exist are removed by the next
    // save to the same path; a live writer's (our parent's pid) is left.
    const pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    int status = 0;
    ::waitpid(child, &status, 0);
    const std::string dead = g_dir + "/.left.dss.ds-tmp." + std::to_string(child) + ".0";
    const std::string alive = g_dir + "/.left.dss.ds-tmp." + std::to_string(::getppid()) + ".0";
    const std::string other = g_dir + "/.other.dss.ds-tmp." + std::to_string(child) + ".0";
    for (const auto &f : {dead, alive, other}) ds::write_file_atomic(f, {6});
    ds::write_file_atomic(g_dir + "/left.dss", {7});
    CHECK((::access(dead.c_str(), F_OK) != 0));
    CHECK((::access(alive.c_str(), F_OK) == 0));
    CHECK((::access(other.c_str(), F_OK) == 0));  // another path's are not ours to remove
    for (const auto &f : {alive, other, g_dir + "/left.dss"}) ::unlink(f.c_str());
}

// One doctest case per area; the temporary directory is shared by them.
TEST_CASE("crc32c check values") { test_crc(); }
TEST_CASE("layout matches src/core/state/format.md") { test_layout_matches_document(); }
TEST_CASE("sparsifier round trip") { test_round_trip_sparsifier(); }
TEST_CASE("scheduler round trip") { test_round_trip_scheduler(); }
TEST_CASE("every byte flipped") { test_flipped_bytes(); }
TEST_CASE("every truncation") { test_truncations(); }
TEST_CASE("random edits") { test_random_edits(); }
TEST_CASE("wrong kind and magic") { test_wrong_kind_and_magic(); }
TEST_CASE("versions") { test_versions(); }
TEST_CASE("crafted sparsifier files") { test_crafted_sparsifier(); }
TEST_CASE("crafted scheduler files") { test_crafted_scheduler(); }
TEST_CASE("encoder rejects invalid snapshots") { test_encoder_rejects_invalid_snapshots(); }
TEST_CASE("format version 3: layout and round trips") { test_version_3_layout_and_round_trip(); }
TEST_CASE("format version 3: crafted files") { test_crafted_version_3(); }
TEST_CASE("atomic write") { test_atomic_write(); }
TEST_CASE("write failures") { test_write_failures(); }
TEST_CASE("read failures") { test_read_failures(); }
TEST_CASE("file modes, links and leftovers") { test_file_modes_links_and_leftovers(); }

int main(int argc, char **argv) {
    char tmpl[] = "/tmp/ds_state_format_XXXXXX";
    if (!::mkdtemp(tmpl)) {
        std::perror("mkdtemp");
        return 2;
    }
    g_dir = tmpl;
    doctest::Context context(argc, argv);
    const int rc = context.run();
    for (const auto &name : list_dir(g_dir)) ::unlink((g_dir + "/" + name).c_str());
    ::rmdir(g_dir.c_str());
    return rc;
}
