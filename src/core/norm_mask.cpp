#include "core/norm_mask.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <new>
#include <vector>

#include "core/parallel.hpp"
#include "core/select.hpp"
#include "kernels/row_scores.hpp"

namespace ds {

int64_t round_half_even(double x) {
    double f = std::floor(x);
    const double frac = x - f;
    if (frac > 0.5 || (frac == 0.5 && std::fmod(f, 2.0) != 0.0)) f += 1.0;
    return static_cast<int64_t>(f);
}

int64_t blocks_to_sparsify(double sparsity_level, int64_t num_blocks) {
    const double level = std::min(1.0, std::max(0.0, sparsity_level));
    return std::min(num_blocks, round_half_even(level * static_cast<double>(num_blocks)));
}

namespace {

struct Grid {
    int64_t rows, cols, br, bc, grid_rows, grid_cols;
    int64_t row_begin(int64_t gi) const { return gi * br; }
    int64_t row_end(int64_t gi) const { return std::min(rows, (gi + 1) * br); }
    int64_t col_begin(int64_t gj) const { return gj * bc; }
    int64_t col_end(int64_t gj) const { return std::min(cols, (gj + 1) * bc); }
};

// Mean element score of every block of grid row gi, written to scores[gj].
void block_row_scores(const float *data, const Grid &g, int64_t gi, kernels::Score score, double *acc, double *scores) {
    const int64_t r0 = g.row_begin(gi), r1 = g.row_end(gi);
    std::fill(acc, acc + g.cols, 0.0);
    for (int64_t r = r0; r < r1; ++r)
        kernels::accumulate_row_scores(data + r * g.cols, static_cast<size_t>(g.cols), score, acc);
    for (int64_t gj = 0; gj < g.grid_cols; ++gj) {
        const int64_t c0 = g.col_begin(gj), c1 = g.col_end(gj);
        double sum = 0.0;
        for (int64_t c = c0; c < c1; ++c) sum += acc[c];
        scores[gj] = sum / static_cast<double>((r1 - r0) * (c1 - c0));
    }
}

// Writes the mask of grid row gi: ones for unselected blocks; in selected
// blocks, zeros for the zeros_per_block smallest elements (or all of them).
void block_row_mask(const float *data, const Grid &g, int64_t gi, int64_t zeros_per_block,
                    const uint8_t *selected_row, uint8_t *mask, std::vector<uint32_t> &elem_scores,
                    std::vector<uint8_t> &elem_selected, SelectScratch &order) {
    const int64_t r0 = g.row_begin(gi), r1 = g.row_end(gi);
    for (int64_t r = r0; r < r1; ++r) std::memset(mask + r * g.cols, 1, static_cast<size_t>(g.cols));
    for (int64_t gj = 0; gj < g.grid_cols; ++gj) {
        if (!selected_row[gj]) continue;
        const int64_t c0 = g.col_begin(gj), c1 = g.col_end(gj), width = c1 - c0;
        const int64_t count = (r1 - r0) * width;
        if (zeros_per_block >= count) {
            for (int64_t r = r0; r < r1; ++r) std::memset(mask + r * g.cols + c0, 0, static_cast<size_t>(width));
            continue;
        }
        elem_scores.resize(static_cast<size_t>(count));
        elem_selected.resize(static_cast<size_t>(count));
        size_t e = 0;
        for (int64_t r = r0; r < r1; ++r)
            for (int64_t c = c0; c < c1; ++c) elem_scores[e++] = kernels::magnitude_key(data[r * g.cols + c]);
        select_smallest(elem_scores.data(), e, static_cast<size_t>(zeros_per_block), elem_selected.data(), order);
        e = 0;
        for (int64_t r = r0; r < r1; ++r)
            for (int64_t c = c0; c < c1; ++c)
                if (elem_selected[e++]) mask[r * g.cols + c] = 0;
    }
}

// Runs body(gi, scratch) for every grid row, in parallel if asked; the first
// exception thrown by any iteration is rethrown after the loop.
template <typename Scratch, typename Body>
void for_each_grid_row(int64_t grid_rows, bool parallel, Body body) {
    ParallelErrors errors;
#pragma omp parallel if (parallel && grid_rows > 1)
    {
        Scratch scratch;  // empty: constructing it cannot throw
#pragma omp for schedule(static)
        for (int64_t gi = 0; gi < grid_rows; ++gi) errors.run([&] { body(gi, scratch); });
    }
    errors.rethrow();
}

struct ScoreScratch {
    std::vector<double> acc;
};
struct MaskScratch {
    std::vector<uint32_t> elem_scores;
    std::vector<uint8_t> elem_selected;
    SelectScratch order;
};

}  // namespace

void norm_mask(const float *data, int64_t rows, int64_t cols, Norm norm, const NormParams &p, uint8_t *mask,
               bool parallel) {
    const kernels::Score score = norm == Norm::l1 ? kernels::Score::abs : kernels::Score::square;
    const size_t n = static_cast<size_t>(rows * cols);
    Grid g{rows, cols, p.block_rows, p.block_cols, (rows + p.block_rows - 1) / p.block_rows,
           (cols + p.block_cols - 1) / p.block_cols};
    const int64_t num_blocks = g.grid_rows * g.grid_cols;
    const int64_t k = blocks_to_sparsify(p.sparsity_level, num_blocks);

    if (k == 0 || p.zeros_per_block == 0) {
        std::memset(mask, 1, n);
        return;
    }
    if (k == num_blocks && p.zeros_per_block >= p.block_rows * p.block_cols) {
        std::memset(mask, 0, n);
        return;
    }

    std::vector<double> scores(static_cast<size_t>(num_blocks));
    for_each_grid_row<ScoreScratch>(g.grid_rows, parallel, [&](int64_t gi, ScoreScratch &s) {
        s.acc.resize(static_cast<size_t>(cols));
        block_row_scores(data, g, gi, score, s.acc.data(), scores.data() + gi * g.grid_cols);
    });

    std::vector<uint8_t> selected(static_cast<size_t>(num_blocks));
    SelectScratch order;
    select_smallest(scores.data(), scores.size(), static_cast<size_t>(k), selected.data(), order);

    for_each_grid_row<MaskScratch>(g.grid_rows, parallel, [&](int64_t gi, MaskScratch &s) {
        block_row_mask(data, g, gi, p.zeros_per_block, selected.data() + gi * g.grid_cols, mask,
                       s.elem_scores, s.elem_selected, s.order);
    });
}

}  // namespace ds
