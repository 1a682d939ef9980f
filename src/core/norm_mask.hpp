// The norm sparsifier's mask of one data item: a pure function.
#pragma once

#include <cstdint>

#include "core/norm_config.hpp"

namespace ds {

// Python's round() on a non-negative double: half to even.
int64_t round_half_even(double x);

// Number of blocks the item's mask sparsifies: round_half_even(clamp(level, 0, 1) * num_blocks).
int64_t blocks_to_sparsify(double sparsity_level, int64_t num_blocks);

// Writes the mask of data (rows x cols, row-major) into mask (rows*cols bytes),
// as src/core/semantics.md defines it. With `parallel`, OpenMP threads may be
// used; the result is the same for any thread count. Throws std::bad_alloc
// (nothing is thrown out of a parallel region).
void norm_mask(const float *data, int64_t rows, int64_t cols, Norm norm, const NormParams &params,
               uint8_t *mask, bool parallel);

}  // namespace ds
