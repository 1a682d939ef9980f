// Element scores accumulated along a row, in double: acc[c] += |x[c]| (abs)
// or x[c]^2 (square). A float's |x| and x^2 are exact in double, so a block
// score never overflows for finite data and is rounded only by the additions.
// The vector version (xsimd) and the scalar reference give identical results:
// each output element is the same operation sequence. Kernels know nothing of
// the core or the C ABI.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ds::kernels {

enum class Score { abs, square };

void accumulate_row_scores(const float *row, size_t n, Score score, double *acc);
void accumulate_row_scores_scalar(const float *row, size_t n, Score score, double *acc);

inline double element_score(float x, Score score) {
    const double d = x;
    return score == Score::abs ? (d < 0 ? -d : d) : d * d;
}

// Within a block, elements rank by |x| for both norms (x^2 is exact in
// double, so its order is |x|'s): the order-preserving key of |x|, every NaN
// the same key above +inf.
inline uint32_t magnitude_key(float x) {
    uint32_t bits;
    __builtin_memcpy(&bits, &x, sizeof bits);
    bits &= 0x7FFFFFFFu;
    return bits > 0x7F800000u ? 0x7F800001u : bits;
}

}  // namespace ds::kernels
