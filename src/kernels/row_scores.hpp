// Element scores accumulated along a row: acc[c] += |x[c]| (L1) or x[c]^2 (L2).
// The vector version (xsimd) and the scalar reference give identical results:
// each output element is the same single float operation sequence.
#pragma once

#include <cstddef>

#include <datasparse/datasparse.h>

namespace ds::kernels {

void accumulate_row_scores(const float *row, size_t n, ds_norm norm, float *acc);
void accumulate_row_scores_scalar(const float *row, size_t n, ds_norm norm, float *acc);

inline float element_score(float x, ds_norm norm) { return norm == DS_NORM_L1 ? (x < 0 ? -x : x) : x * x; }

}  // namespace ds::kernels
