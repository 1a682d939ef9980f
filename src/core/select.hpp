// Selection of the k smallest scores, O(n) on average (no full sort).
// Order: NaN ranks above every number; equal scores rank by lower index.
// The order is total, so the selected set is unique and the result does not
// depend on the algorithm or the thread count.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace ds {

template <typename Score>
struct ScoreLess {
    const Score *scores;
    template <typename Index>
    bool operator()(Index a, Index b) const {
        const Score sa = scores[a], sb = scores[b];
        const bool na = std::isnan(sa), nb = std::isnan(sb);
        if (na != nb) return nb;  // a number ranks below NaN
        if (!na && sa != sb) return sa < sb;
        return a < b;
    }
};

// Reusable scratch for select_smallest: 32-bit indices unless n needs more.
struct SelectScratch {
    std::vector<uint32_t> order32;
    std::vector<uint64_t> order64;
};

namespace detail {
template <typename Score, typename Index>
void select_with(const Score *scores, size_t n, size_t k, uint8_t *selected, std::vector<Index> &order) {
    order.resize(n);
    for (size_t i = 0; i < n; ++i) order[i] = static_cast<Index>(i);
    std::nth_element(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(),
                     ScoreLess<Score>{scores});
    for (size_t i = 0; i < k; ++i) selected[order[i]] = 1;
}
}  // namespace detail

// Sets selected[i] = 1 for the k smallest of scores[0..n), 0 for the rest.
template <typename Score>
void select_smallest(const Score *scores, size_t n, size_t k, uint8_t *selected, SelectScratch &scratch) {
    if (k >= n) {
        std::fill(selected, selected + n, uint8_t{1});
        return;
    }
    std::fill(selected, selected + n, uint8_t{0});
    if (k == 0) return;
    if (n <= UINT32_MAX)
        detail::select_with(scores, n, k, selected, scratch.order32);
    else
        detail::select_with(scores, n, k, selected, scratch.order64);
}

}  // namespace ds
