// Configs: key -> finite double, and the typed view the norm sparsifier reads.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace ds {

using Config = std::map<std::string, double>;

namespace keys {
inline constexpr const char *sparsity_level = "sparsity_level";
inline constexpr const char *block_rows = "block_rows";
inline constexpr const char *block_cols = "block_cols";
inline constexpr const char *zeros_per_block = "zeros_per_block";
}  // namespace keys

// Throws DS_ERR_INVALID_ARGUMENT for an empty key or a non-finite value.
void check_entry(const std::string &key, double value);

// `base` with every entry of `overrides` set over it.
Config merged(const Config &base, const Config &overrides);

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

// A key's effective value for a norm sparsifier item (zeros_per_block is
// derived when absent). Returns false if the key has no value.
bool norm_effective(const Config &config, const std::string &key, double *out);

}  // namespace ds
