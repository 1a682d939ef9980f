#include "core/norm_config.hpp"

#include <cmath>
#include <cstring>
#include <limits>

#include "core/error.hpp"

namespace ds {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
// Block sides up to 2^31-1 keep every product of sides within int64.
constexpr double kMaxSide = 2147483647.0;

// Positions in norm_keys().
enum : size_t { kLevel, kRows, kCols, kZeros };

// The norm keys of a config as get(key) gives them (nullptr: absent),
// checked. Messages are built only on failure: the scheduler runs this for
// every item at every step.
template <typename Get>
NormParams norm_params_from(Get get, const std::string &item) {
    const std::vector<ParamSpec> &specs = norm_keys();
    auto value = [&](size_t i) {
        const ParamSpec &s = specs[i];
        const double *v = get(s.name);
        if (!v) fail(Status::invalid_argument, std::string("config of ") + quoted(item) + " has no " + s.name);
        if (!param_ok(s, *v)) check_param(s, *v, "of " + quoted(item));
        return *v;
    };
    NormParams p;
    p.sparsity_level = value(kLevel);
    p.block_rows = static_cast<int64_t>(value(kRows));
    p.block_cols = static_cast<int64_t>(value(kCols));
    const int64_t block_size = p.block_rows * p.block_cols;
    const double *z = get(specs[kZeros].name);
    if (!z) {
        p.zeros_per_block = block_size;
    } else {
        if (!(*z >= 0.0) || *z > static_cast<double>(block_size) || std::floor(*z) != *z)
            fail(Status::invalid_argument, "zeros_per_block of " + quoted(item) + " must be an integer in [0, " +
                                               std::to_string(block_size) + "] (block " +
                                               std::to_string(p.block_rows) + "x" + std::to_string(p.block_cols) +
                                               "), got " + format_number(*z));
        p.zeros_per_block = static_cast<int64_t>(*z);
    }
    return p;
}

const double *find(const Config &config, const char *key) {
    auto it = config.find(key);
    return it == config.end() ? nullptr : &it->second;
}

}  // namespace

const std::vector<ParamSpec> &norm_keys() {
    static const std::vector<ParamSpec> table = {
        {keys::sparsity_level, ParamType::real, -kInf, kInf, true, 0.5,
         "fraction of blocks to sparsify, clamped to [0, 1]"},
        {keys::block_rows, ParamType::integer, 1, kMaxSide, true, 1, "block height"},
        {keys::block_cols, ParamType::integer, 1, kMaxSide, true, 4, "block width"},
        {keys::zeros_per_block, ParamType::integer, 0, kInf, false, 0,
         "zeros in each sparsified block, at most (and by default) block_rows * block_cols"},
    };
    return table;
}

const ParamSpec &norm_key_spec(const char *name) {
    for (const ParamSpec &s : norm_keys())
        if (std::strcmp(s.name, name) == 0) return s;
    fail(Status::internal, std::string("no norm key ") + name);
}

const char *norm_name(Norm norm) { return norm == Norm::l1 ? "L1" : "L2"; }

Norm norm_from_int(int64_t raw) {
    if (raw != 0 && raw != 1)
        fail(Status::invalid_argument, "norm must be 0 (L1) or 1 (L2), got " + std::to_string(raw));
    return static_cast<Norm>(raw);
}

Config norm_defaults(const Config &user) {
    Config defaults;
    for (const ParamSpec &s : norm_keys())
        if (s.has_default) defaults[s.name] = s.default_value;
    return merged(defaults, user);
}

NormParams norm_params(const Config &config, const std::string &item) {
    return norm_params_from([&](const char *key) { return find(config, key); }, item);
}

NormParams norm_params_with(const Config &config, const std::string &key, double value, const std::string &item) {
    return norm_params_from([&](const char *k) { return key == k ? &value : find(config, k); }, item);
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
