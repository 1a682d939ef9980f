// The norm sparsifier's norms and config keys: one table (norm_keys()) that
// the sparsifier, the C ABI's introspection and the docs read.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/params.hpp"

namespace ds {

enum class Norm : int { l1 = 0, l2 = 1 };

// "L1" or "L2".
const char *norm_name(Norm norm);
// Throws Status::invalid_argument unless raw is 0 (L1) or 1 (L2).
Norm norm_from_int(int64_t raw);

namespace keys {
inline constexpr const char *sparsity_level = "sparsity_level";
inline constexpr const char *block_rows = "block_rows";
inline constexpr const char *block_cols = "block_cols";
inline constexpr const char *zeros_per_block = "zeros_per_block";
}  // namespace keys

// The keys the norm sparsifier reads, with their types, bounds and defaults.
// zeros_per_block has no fixed default or upper bound: both are the block's
// size, block_rows * block_cols, of each item.
const std::vector<ParamSpec> &norm_keys();
// The spec of one of them (name one of keys::*).
const ParamSpec &norm_key_spec(const char *name);

// What the norm kernel needs, already validated.
struct NormParams {
    double sparsity_level;  // as configured (clamped by the kernel)
    int64_t block_rows;
    int64_t block_cols;
    int64_t zeros_per_block;
};

// The norm sparsifier's defaults with `user` over them (zeros_per_block stays
// absent unless given: it then follows the block shape of each item).
Config norm_defaults(const Config &user);
// Reads and validates the norm keys of a merged item config; `item` names
// the data item in messages. Absent zeros_per_block means the block size.
NormParams norm_params(const Config &config, const std::string &item);
// The same for the config with key set to value (without copying it).
NormParams norm_params_with(const Config &config, const std::string &key, double value, const std::string &item);
// A key's effective value for a norm sparsifier item (zeros_per_block is
// derived when absent). Returns false if the key has no value.
bool norm_effective(const Config &config, const std::string &key, double *out);

}  // namespace ds
