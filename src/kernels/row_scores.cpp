#include "kernels/row_scores.hpp"

#include <xsimd/xsimd.hpp>

namespace ds::kernels {

void accumulate_row_scores_scalar(const float *row, size_t n, Score score, float *acc) {
    for (size_t c = 0; c < n; ++c) acc[c] += element_score(row[c], score);
}

// Compiled for the build's baseline architecture; runtime dispatch to wider
// instruction sets is the fast-kernel work.
void accumulate_row_scores(const float *row, size_t n, Score score, float *acc) {
    using batch = xsimd::batch<float>;
    constexpr size_t width = batch::size;
    const size_t vec_end = n - n % width;
    size_t c = 0;
    if (score == Score::abs) {
        for (; c < vec_end; c += width) {
            batch x = batch::load_unaligned(row + c);
            (batch::load_unaligned(acc + c) + xsimd::abs(x)).store_unaligned(acc + c);
        }
    } else {
        for (; c < vec_end; c += width) {
            batch x = batch::load_unaligned(row + c);
            (batch::load_unaligned(acc + c) + x * x).store_unaligned(acc + c);
        }
    }
    accumulate_row_scores_scalar(row + c, n - c, score, acc + c);
}

}  // namespace ds::kernels
