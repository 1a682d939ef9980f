// Shared by the fuzz targets, their replay driver and the corpus generator:
// the breach report, the checks every failed call must pass, reading a
// state through the C API, CRC32C (to repair the checksum of a mutated
// state, so that mutations reach the parser and not only the checksum), and
// the fixture the loader targets register (the generator saves states of
// sparsifiers over the same items).
#pragma once

#include <datasparse/datasparse.h>

#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace fuzz {

using Bytes = std::vector<uint8_t>;

// An invariant does not hold: say which, and abort (libFuzzer reports a
// crash and keeps the input).
[[noreturn]] inline void breach(const char *format, ...) {
    std::fputs("INVARIANT BREACH: ", stderr);
    va_list args;
    va_start(args, format);
    std::vfprintf(stderr, format, args);
    va_end(args);
    std::fputc('\n', stderr);
    std::fflush(stderr);
    std::abort();
}

// The rules for a message: non-empty, and no raw control character (names
// and other caller strings are escaped when a message repeats them).
inline void check_message(const char *message, const char *call) {
    if (!message || !*message) breach("%s: empty message", call);
    for (const char *c = message; *c; ++c) {
        const unsigned char u = static_cast<unsigned char>(*c);
        if (u < 0x20 || u == 0x7F) breach("%s: raw control character 0x%02X in the message: %s", call, u, message);
    }
}

// What every returned status must be: a status; never DS_ERR_INTERNAL (a
// bug by definition); a failure has a message.
inline void check_status(ds_status st, const char *call) {
    const int s = static_cast<int>(st);
    if (s < DS_OK || s > DS_ERR_INTERNAL) breach("%s returned %d, which is not a ds_status", call, s);
    if (st == DS_ERR_INTERNAL) breach("%s: DS_ERR_INTERNAL: %s", call, ds_last_error());
    if (st != DS_OK) check_message(ds_last_error(), call);
}

// A call that must fail with `expected` (any failure if expected is DS_OK).
inline void expect_failure(ds_status st, ds_status expected, const char *call) {
    check_status(st, call);
    if (st == DS_OK) breach("%s succeeded but must fail", call);
    if (expected != DS_OK && st != expected)
        breach("%s: %s instead of %s: %s", call, ds_status_string(st), ds_status_string(expected), ds_last_error());
}

// The whole observable state of a sparsifier (data included) or scheduler,
// as the library saves it. Saving must always work on a live handle.
inline Bytes sparsifier_state(const ds_sparsifier *s) {
    size_t size = 0;
    ds_status st = ds_sparsifier_save_buffer(s, DS_SAVE_DATA, nullptr, 0, &size);
    if (st != DS_OK) breach("sparsifier_save_buffer (size): %s: %s", ds_status_string(st), ds_last_error());
    Bytes b(size);
    st = ds_sparsifier_save_buffer(s, DS_SAVE_DATA, b.data(), b.size(), &size);
    if (st != DS_OK || size != b.size())
        breach("sparsifier_save_buffer: %s: %s (size %zu of %zu)", ds_status_string(st), ds_last_error(), size, b.size());
    return b;
}

inline Bytes scheduler_state(const ds_scheduler *sch) {
    size_t size = 0;
    ds_status st = ds_scheduler_save_buffer(sch, nullptr, 0, &size);
    if (st != DS_OK) breach("scheduler_save_buffer (size): %s: %s", ds_status_string(st), ds_last_error());
    Bytes b(size);
    st = ds_scheduler_save_buffer(sch, b.data(), b.size(), &size);
    if (st != DS_OK || size != b.size())
        breach("scheduler_save_buffer: %s: %s (size %zu of %zu)", ds_status_string(st), ds_last_error(), size, b.size());
    return b;
}

// CRC32C (Castagnoli, reflected 0x82F63B78), as src/core/state/format.md.
inline uint32_t crc32c(const uint8_t *p, size_t n) {
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; ++i) {
        c ^= p[i];
        for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1u)));
    }
    return ~c;
}

// Rewrites the trailing checksum so that it matches the bytes before it.
inline void reseal(Bytes &b) {
    if (b.size() < 8) return;
    const size_t body = b.size() - 4;
    const uint32_t c = crc32c(b.data(), body);
    for (int k = 0; k < 4; ++k) b[body + k] = static_cast<uint8_t>(c >> (8 * k));
}

// A scheduler state cut where its schedule parameters are (format.md,
// "Scheduler state"): the kind, the parameters, and the bytes around them
// (section 1's length and the checksum left out).
struct SchedulerParts {
    std::string kind;
    std::vector<std::pair<std::string, double>> params;
    Bytes around;
};

inline bool split_scheduler_state(const Bytes &b, SchedulerParts *out) {
    size_t at = 28;  // header (16), section id (4) and length (8)
    auto u32 = [&](uint32_t *v) {
        if (at + 4 > b.size()) return false;
        *v = uint32_t(b[at]) | uint32_t(b[at + 1]) << 8 | uint32_t(b[at + 2]) << 16 | uint32_t(b[at + 3]) << 24;
        at += 4;
        return true;
    };
    auto str = [&](std::string *s) {
        uint32_t n = 0;
        if (!u32(&n) || n > b.size() - at) return false;
        s->assign(reinterpret_cast<const char *>(b.data() + at), n);
        at += n;
        return true;
    };
    std::string param;
    uint32_t count = 0;
    if (b.size() < 32 || !str(&param) || !str(&out->kind)) return false;
    const size_t params_at = at;
    if (!u32(&count)) return false;
    for (uint32_t i = 0; i < count; ++i) {
        std::string key;
        if (!str(&key) || at + 8 > b.size()) return false;
        double v;
        std::memcpy(&v, b.data() + at, 8);  // little-endian hosts (as the fuzz builds are)
        at += 8;
        out->params.emplace_back(key, v);
    }
    if (at > b.size() - 4) return false;
    out->around.assign(b.begin(), b.begin() + 20);
    out->around.insert(out->around.end(), b.begin() + 28, b.begin() + static_cast<long>(params_at));
    out->around.insert(out->around.end(), b.begin() + static_cast<long>(at), b.end() - 4);
    return true;
}

// After a scheduler loaded `loaded` successfully, what it saves must be the
// same bytes, except that a built-in's parameters left out of the state get
// their defaults (a load restores everything else as it was saved).
inline void check_scheduler_reload(const Bytes &loaded, const Bytes &saved) {
    if (loaded == saved) return;
    SchedulerParts a, b;
    if (!split_scheduler_state(loaded, &a) || !split_scheduler_state(saved, &b))
        breach("a loaded scheduler saves other bytes than it loaded, and they cannot be compared");
    if (a.around != b.around || a.kind != b.kind)
        breach("a loaded scheduler saves another state than it loaded (%zu bytes loaded, %zu saved)", loaded.size(),
               saved.size());
    const ds_schedule_info *info = ds_schedule_info_find(a.kind.c_str());
    if (!info) breach("a loaded %s scheduler dropped the state's schedule parameters", a.kind.c_str());
    for (const auto &kv : b.params) {
        bool given = false;
        for (const auto &g : a.params)
            if (g.first == kv.first) {
                if (std::memcmp(&g.second, &kv.second, 8) != 0) breach("a loaded scheduler changed parameter %s", g.first.c_str());
                given = true;
            }
        if (given) continue;
        bool defaulted = false;
        for (size_t p = 0; p < info->param_count; ++p)
            defaulted = defaulted || (kv.first == info->params[p].name && info->params[p].has_default &&
                                      info->params[p].default_value == kv.second);
        if (!defaulted) breach("a loaded scheduler has parameter %s, neither in the state nor defaulted", kv.first.c_str());
    }
    if (a.params.size() > b.params.size()) breach("a loaded scheduler dropped schedule parameters");
}

// The loader targets' fixture: every seed state names some of these items.
struct FixtureItem {
    const char *name;
    int64_t rows, cols;
};
inline constexpr FixtureItem kFixture[] = {
    {"w1", 8, 8}, {"bias", 1, 13}, {"conv", 6, 10}, {"emb", 16, 4}, {"tiny", 1, 1}, {"odd\n\x1b[1m name", 3, 5},
};
inline constexpr size_t kFixtureCount = sizeof kFixture / sizeof kFixture[0];

// Deterministic data for fixture item k (ties, a NaN, a -0 and large values
// included).
inline void fixture_data(size_t k, std::vector<float> &out) {
    const size_t n = static_cast<size_t>(kFixture[k].rows * kFixture[k].cols);
    out.assign(n, 0.0f);
    for (size_t i = 0; i < n; ++i) out[i] = static_cast<float>(static_cast<int>((i * 37 + k * 11) % 101) - 50);
    if (n > 3) {
        out[1] = NAN;
        out[2] = -0.0f;
        out[3] = 3.0e38f;
    }
}

// The sharded variant of the fixture, for format version 3 states: norm
// sparsifiers only; fixture item kShardedItem ("emb", 16 x 4) is registered
// as rows [kShardFirstRow, kShardFirstRow + 16) of a tensor of
// kShardGlobalRows rows, and one more item, kEmptyShard, holds none of the
// rows of another tensor (a shard of shape 0 x 4).
inline constexpr size_t kShardedItem = 3;
inline constexpr int64_t kShardGlobalRows = 40, kShardFirstRow = 8;
inline constexpr const char *kEmptyShard = "none";

// Registers fixture item k (data: its buffer) on s as the plain or the
// sharded fixture has it.
inline ds_status add_fixture_item(ds_sparsifier *s, size_t k, float *data, bool sharded, const ds_config *config,
                                  int reuse_mask) {
    const FixtureItem &it = kFixture[k];
    if (!sharded || k != kShardedItem) return ds_sparsifier_add_data(s, it.name, data, it.rows, it.cols, config, reuse_mask);
    ds_tensor_desc d = DS_TENSOR_DESC_INIT;
    d.ndim = 2;
    d.shape[0] = it.rows;
    d.shape[1] = it.cols;
    return ds_sparsifier_add_shard(s, it.name, data, &d, kShardGlobalRows, kShardFirstRow, config, reuse_mask);
}

// The sharded fixture's extra item: a shard that holds no rows.
inline ds_status add_empty_shard(ds_sparsifier *s) {
    ds_tensor_desc d = DS_TENSOR_DESC_INIT;
    d.ndim = 2;
    d.shape[0] = 0;
    d.shape[1] = 4;
    return ds_sparsifier_add_shard(s, kEmptyShard, nullptr, &d, 8, 8, nullptr, 0);
}

// A value within the bounds of a schedule's index-th registry parameter:
// its default if it has one, else 0.5 for a number and index + 1 for an
// integer (so that a later step parameter, e.g. end_step, exceeds an
// earlier one, begin_step).
inline double valid_param_value(const ds_param_info &p, size_t index) {
    if (p.has_default) return p.default_value;
    double v = p.type == DS_PARAM_REAL ? 0.5 : static_cast<double>(index + 1);
    if (v < p.min) v = p.min;
    if (v > p.max) v = p.max;
    return v;
}

}  // namespace fuzz
