// Element scores accumulated along a row: acc[c] += |x[c]| (abs) or x[c]^2
// (square). The vector version (xsimd) and the scalar reference give
// identical results: each output element is the same single float operation
// sequence. Kernels know nothing of the core or the C ABI.
#pragma once

#include <cstddef>

namespace ds::kernels {

enum class Score { abs, square };

void accumulate_row_scores(const float *row, size_t n, Score score, float *acc);
void accumulate_row_scores_scalar(const float *row, size_t n, Score score, float *acc);

inline float element_score(float x, Score score) { return score == Score::abs ? (x < 0 ? -x : x) : x * x; }

}  // namespace ds::kernels
