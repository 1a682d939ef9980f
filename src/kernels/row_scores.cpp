#include "kernels/row_scores.hpp"

namespace ds::kernels {

void accumulate_row_scores_scalar(const float *row, size_t n, Score score, double *acc) {
    for (size_t c = 0; c < n; ++c) acc[c] += element_score(row[c], score);
}

// The vectorised kernels with runtime dispatch are the fast core's work;
// until then this is the scalar loop (the compiler vectorises it for the
// build's baseline architecture).
void accumulate_row_scores(const float *row, size_t n, Score score, double *acc) {
    accumulate_row_scores_scalar(row, n, score, acc);
}

}  // namespace ds::kernels
