// Little-endian field writer and bounds-checked reader of the state format
// (format.md). The reader never reads past its limit: every field is checked
// against the bytes that remain before anything is allocated, and a problem
// is Status::corrupt naming the field and its byte offset.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/state/crc32c.hpp"
#include "core/validate.hpp"

namespace ds::state {

// The newest format version this library reads. Writers use the lowest
// version that can hold the state (format.md): 1 unless a sparsifier item is
// a tensor other than a plain float32 matrix.
inline constexpr uint32_t kFormatVersion = 3;

// Appends little-endian fields.
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
    void header(const char *magic, uint32_t version, uint32_t flags) {
        out.insert(out.end(), magic, magic + 8);
        u32(version);
        u32(flags);
    }
    std::vector<uint8_t> finish() {
        u32(crc32c(out.data(), out.size()));
        return std::move(out);
    }
};

// Reads bounds-checked little-endian fields within [pos, limit).
class Reader {
public:
    Reader(const uint8_t *bytes, size_t size, const char *kind) : b_(bytes), size_(size), limit_(size), kind_(kind) {}

    [[noreturn]] void corrupt(size_t at, const std::string &what) const {
        fail(Status::corrupt, std::string("corrupt ") + kind_ + " state: " + what + " (at byte " +
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
        if (const char *p = name_problem(s)) corrupt(at, field(what) + " " + p);
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
            const double v = finite_f64(("value of config key " + quoted(k)).c_str());
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


}  // namespace ds::state
