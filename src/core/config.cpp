#include "core/config.hpp"

#include <cmath>

#include "core/error.hpp"

namespace ds {

const char *key_problem(const std::string &key) {
    if (key.empty()) return "config key is empty";
    if (key.find('\0') != std::string::npos) return "config key contains a NUL byte";
    return nullptr;
}

void check_entry(const std::string &key, double value) {
    if (key.empty()) fail(Status::invalid_argument, "config key must not be empty");
    if (!std::isfinite(value))
        fail(Status::invalid_argument,
             "config value for key " + quoted(key) + " must be finite, got " + format_number(value));
}

void check_entries(const Config &config) {
    for (const auto &kv : config) check_entry(kv.first, kv.second);
}

Config merged(const Config &base, const Config &overrides) {
    Config out = base;
    for (const auto &kv : overrides) out[kv.first] = kv.second;
    return out;
}

}  // namespace ds
