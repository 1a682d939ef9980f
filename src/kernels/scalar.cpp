// The scalar reference: the definitions (src/core/semantics.md) written as
// plainly as possible, one block at a time. It is the oracle the tests hold
// every other path to, and the path DATASPARSE_SIMD=scalar runs. Compiled
// without auto-vectorisation.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>
#include <vector>

#include "kernels/kernels.hpp"

namespace ds::kernels {
namespace {

double element_score(double x, Score score) { return score == Score::abs ? std::fabs(x) : x * x; }

template <typename E>
double block_mean_of(const View<E> &v, const Blocks &b, Score score, int64_t gi, int64_t gj) {
    const int64_t r0 = gi * b.br, r1 = std::min(v.rows, r0 + b.br);
    const int64_t c0 = gj * b.bc, c1 = std::min(v.cols, c0 + b.bc);
    double total = 0.0;
    for (int64_t c = c0; c < c1; ++c) {  // each column top to bottom, then the columns left to right
        double column = 0.0;
        for (int64_t r = r0; r < r1; ++r) column += element_score(E::value(v.row(r)[c]), score);
        total += column;
    }
    return total / static_cast<double>((r1 - r0) * (c1 - c0));
}

void score_rows(const Matrix &m, const Blocks &b, Score score, int64_t g0, int64_t g1, uint32_t *keys, uint32_t *hist,
                int shift, double *) {
    with_elem(m.type, [&](auto e) {
        using E = decltype(e);
        const View<E> v(m);
        for (int64_t gi = g0; gi < g1; ++gi)
            for (int64_t gj = 0; gj < b.grid_cols; ++gj) {
                const uint32_t key = score_key(block_mean_of(v, b, score, gi, gj));
                keys[gi * b.grid_cols + gj] = key;
                if (hist) ++hist[key >> shift];
            }
    });
}

void mask_rows(const Matrix &m, const Blocks &b, int64_t zeros, const Selection &sel, int64_t g0, int64_t g1,
               uint8_t *mask, uint32_t *) {
    with_elem(m.type, [&](auto e) {
        using E = decltype(e);
        const View<E> v(m);
        std::vector<std::pair<uint64_t, int64_t>> order;  // (|x| key, position in the block)
        for (int64_t gi = g0; gi < g1; ++gi) {
            const int64_t r0 = gi * b.br, r1 = std::min(v.rows, r0 + b.br);
            for (int64_t gj = 0; gj < b.grid_cols; ++gj) {
                const int64_t c0 = gj * b.bc, c1 = std::min(v.cols, c0 + b.bc), w = c1 - c0;
                const bool selected = sel.all || sel.keys[gi * b.grid_cols + gj] < sel.below;
                for (int64_t r = r0; r < r1; ++r)
                    for (int64_t c = c0; c < c1; ++c) mask[r * v.cols + c] = 1;
                if (!selected) continue;
                // The zeros smallest elements by (|x|, row-major position in the block).
                order.clear();
                for (int64_t r = r0; r < r1; ++r)
                    for (int64_t c = c0; c < c1; ++c) order.emplace_back(E::key(v.row(r)[c]), (r - r0) * w + (c - c0));
                std::sort(order.begin(), order.end());
                const size_t n = std::min(order.size(), static_cast<size_t>(zeros));
                for (size_t z = 0; z < n; ++z) {
                    const int64_t pos = order[z].second;
                    mask[(r0 + pos / w) * v.cols + c0 + pos % w] = 0;
                }
            }
        }
    });
}

size_t gather(const uint32_t *keys, int64_t i0, int64_t i1, uint32_t base, int shift, uint32_t bin, Candidate *out) {
    size_t n = 0;
    for (int64_t i = i0; i < i1; ++i)
        if (((keys[i] - base) >> shift) == bin) out[n++] = {keys[i], static_cast<uint64_t>(i)};
    return n;
}

}  // namespace

double block_mean(const Matrix &m, const Blocks &b, Score score, int64_t gi, int64_t gj) {
    return with_elem(m.type, [&](auto e) { return block_mean_of(View<decltype(e)>(m), b, score, gi, gj); });
}

extern const Table kScalarTable;
const Table kScalarTable = {score_rows, mask_rows, gather};

}  // namespace ds::kernels
