#include "core/config.hpp"

#include <cmath>
#include <limits>

#include "core/error.hpp"

namespace ds {

void check_entry(const std::string &key, double value) {
    if (key.empty()) fail(DS_ERR_INVALID_ARGUMENT, "config key must not be empty");
    if (!std::isfinite(value))
        fail(DS_ERR_INVALID_ARGUMENT,
             "config value for key " + quoted(key) + " must be finite, got " + format_number(value));
}

Config merged(const Config &base, const Config &overrides) {
    Config out = base;
    for (const auto &kv : overrides) out[kv.first] = kv.second;
    return out;
}

Config norm_defaults(const Config &user) {
    Config defaults{{keys::sparsity_level, 0.5}, {keys::block_rows, 1.0}, {keys::block_cols, 4.0}};
    return merged(defaults, user);
}

namespace {

// Block sides up to 2^31-1 keep every product of sides within int64.
constexpr double kMaxSide = 2147483647.0;

double required(const Config &config, const char *key, const std::string &item) {
    auto it = config.find(key);
    if (it == config.end())
        fail(DS_ERR_INVALID_ARGUMENT, std::string("config of ") + quoted(item) + " has no " + key);
    return it->second;
}

int64_t block_side(const Config &config, const char *key, const std::string &item) {
    double v = required(config, key, item);
    if (!(v >= 1.0) || v > kMaxSide || std::floor(v) != v)
        fail(DS_ERR_INVALID_ARGUMENT, std::string(key) + " of " + quoted(item) +
                                          " must be an integer >= 1, got " + format_number(v));
    return static_cast<int64_t>(v);
}

}  // namespace

NormParams norm_params(const Config &config, const std::string &item) {
    NormParams p;
    p.sparsity_level = required(config, keys::sparsity_level, item);
    p.block_rows = block_side(config, keys::block_rows, item);
    p.block_cols = block_side(config, keys::block_cols, item);
    const int64_t block_size = p.block_rows * p.block_cols;
    auto it = config.find(keys::zeros_per_block);
    if (it == config.end()) {
        p.zeros_per_block = block_size;
    } else {
        double z = it->second;
        if (!(z >= 0.0) || z > static_cast<double>(block_size) || std::floor(z) != z)
            fail(DS_ERR_INVALID_ARGUMENT, "zeros_per_block of " + quoted(item) + " must be an integer in [0, " +
                                              std::to_string(block_size) + "] (block " +
                                              std::to_string(p.block_rows) + "x" + std::to_string(p.block_cols) +
                                              "), got " + format_number(z));
        p.zeros_per_block = static_cast<int64_t>(z);
    }
    return p;
}

bool norm_effective(const Config &config, const std::string &key, double *out) {
    auto it = config.find(key);
    if (it != config.end()) {
        *out = it->second;
        return true;
    }
    if (key == keys::zeros_per_block) {
        auto r = config.find(keys::block_rows), c = config.find(keys::block_cols);
        if (r != config.end() && c != config.end()) {
            *out = r->second * c->second;
            return true;
        }
    }
    return false;
}

}  // namespace ds
