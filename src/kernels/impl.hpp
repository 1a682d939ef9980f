// The vectorised kernels, written once and compiled once per instruction set:
// each kernels_<arch>.cpp defines DS_KERNEL_NS (a namespace of its own, so no
// two instruction sets share a symbol) and includes this file; its compile
// flags (src/CMakeLists.txt) choose the instruction set.
//
// The loops are written for the compiler to vectorise across blocks (lanes =
// blocks; strided loads become shuffles), with -ffp-contract=off (no FMA:
// every multiply and add is rounded on its own) and -fno-trapping-math (so
// the branch-free selects in score_key are if-converted): xsimd 8.1 has no
// float -> double widening and no strided loads, which the block means need.
// Bit-identical to the scalar reference (scalar.cpp): the same double
// operations in the same order, and integer keys (kernels.hpp).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>

#include <xsimd/xsimd.hpp>
#if defined(__AVX512F__)
#include <immintrin.h>
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12's AVX-512 intrinsics pass _mm512_undefined_*() as the merge source
// and then warn about it at every use (GCC bug 105593, fixed in GCC 13).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#endif

#include "kernels/kernels.hpp"

#ifndef DS_KERNEL_NS
#error "define DS_KERNEL_NS before including impl.hpp"
#endif

namespace ds::kernels::DS_KERNEL_NS {
namespace {

template <Score S, typename E>
inline double element(typename E::T x) {
    const double d = E::value(x);
    return S == Score::abs ? std::fabs(d) : d * d;
}

inline bool power_of_two(int64_t n) { return (n & (n - 1)) == 0; }

// ---------------------------------------------------------------------------
// Scores: block sums from column sums col(c) (c relative to the span), left
// to right, then the mean. Division by a power of two equals multiplication
// by its exact reciprocal (both are the correctly rounded s / count).

template <int BC, bool Pow2, typename Col>
void full_keys(Col col, int64_t full, double count, uint32_t *__restrict keys) {
    const double inv = 1.0 / count;
    for (int64_t j = 0; j < full; ++j) {
        double s = col(j * BC);
#pragma GCC unroll 16
        for (int c = 1; c < BC; ++c) s += col(j * BC + c);
        keys[j] = score_key(Pow2 ? s * inv : s / count);
    }
}

template <typename Col>
void any_keys(Col col, int64_t full, int64_t bc, double count, uint32_t *keys) {
    for (int64_t j = 0; j < full; ++j) {
        double s = col(j * bc);
        for (int64_t c = 1; c < bc; ++c) s += col(j * bc + c);
        keys[j] = score_key(s / count);
    }
}

template <int BC, typename Col>
void fixed_keys(Col col, int64_t full, int64_t count, uint32_t *keys) {
    if (power_of_two(count))
        full_keys<BC, true>(col, full, static_cast<double>(count), keys);
    else
        full_keys<BC, false>(col, full, static_cast<double>(count), keys);
}

// The keys of the blocks over columns [0, w) of a span that starts at a block
// boundary and ends at one or at the row's end; h rows a block.
template <typename Col>
void span_keys(Col col, int64_t w, int64_t bc, int64_t h, uint32_t *keys) {
    const int64_t full = w / bc, count = h * bc;
    switch (bc) {
        case 1: fixed_keys<1>(col, full, count, keys); break;
        case 2: fixed_keys<2>(col, full, count, keys); break;
        case 4: fixed_keys<4>(col, full, count, keys); break;
        case 8: fixed_keys<8>(col, full, count, keys); break;
        case 16: fixed_keys<16>(col, full, count, keys); break;
        default: any_keys(col, full, bc, static_cast<double>(count), keys); break;
    }
    if (full * bc < w) {  // the partial block at the row's end
        double s = col(full * bc);
        for (int64_t c = full * bc + 1; c < w; ++c) s += col(c);
        keys[full] = score_key(s / static_cast<double>(h * (w - full * bc)));
    }
}

// cs[c] = the score of column c0 + c summed over rows [r0, r0 + h), top to bottom.
template <Score S, typename E>
void column_sums(const View<E> &m, int64_t r0, int64_t h, int64_t c0, int64_t w, double *__restrict cs) {
    const typename E::T *__restrict x = m.row(r0) + c0;
    for (int64_t c = 0; c < w; ++c) cs[c] = element<S, E>(x[c]);
    for (int64_t r = 1; r < h; ++r) {
        const typename E::T *__restrict y = m.row(r0 + r) + c0;
        for (int64_t c = 0; c < w; ++c) cs[c] += element<S, E>(y[c]);
    }
}

// Column c of H rows summed top to bottom, in registers.
template <Score S, typename E, int H>
struct RowsColumn {
    const typename E::T *x[H];
    double operator()(int64_t c) const {
        double v = element<S, E>(x[0][c]);
#pragma GCC unroll 16
        for (int r = 1; r < H; ++r) v += element<S, E>(x[r][c]);
        return v;
    }
};

template <Score S, typename E, int H>
void rows_keys(const View<E> &m, const Blocks &b, int64_t r0, uint32_t *keys) {
    RowsColumn<S, E, H> col;
    for (int r = 0; r < H; ++r) col.x[r] = m.row(r0 + r);
    span_keys(col, m.cols, b.bc, H, keys);
}

template <Score S, typename E>
void score_block_row(const Matrix &mat, const View<E> &m, const Blocks &b, int64_t gi, uint32_t *keys,
                     double *scratch) {
    const int64_t r0 = gi * b.br, h = std::min(m.rows, r0 + b.br) - r0;
    if constexpr (std::is_same<E, F32>::value) {
        switch (h) {  // a few rows: the column sums stay in registers
            case 1: rows_keys<S, E, 1>(m, b, r0, keys); return;
            case 2: rows_keys<S, E, 2>(m, b, r0, keys); return;
            case 4: rows_keys<S, E, 4>(m, b, r0, keys); return;
            default: break;
        }
    }
    // Otherwise (and for the other element types, to keep the instruction-set
    // units small: their column sums are E's, the block sums over them shared)
    // the column sums go through the scratch.
    if (b.bc <= static_cast<int64_t>(kScoreScratch)) {
        // Spans of whole blocks, at most kScoreScratch columns each.
        const int64_t span = b.bc * (static_cast<int64_t>(kScoreScratch) / b.bc);
        for (int64_t c0 = 0; c0 < m.cols; c0 += span) {
            const int64_t w = std::min(span, m.cols - c0);
            column_sums<S, E>(m, r0, h, c0, w, scratch);
            span_keys([scratch](int64_t c) { return scratch[c]; }, w, b.bc, h, keys + c0 / b.bc);
        }
    } else {  // blocks wider than the scratch: one at a time
        for (int64_t gj = 0; gj < b.grid_cols; ++gj) keys[gj] = score_key(block_mean(mat, b, S, gi, gj));
    }
}

// Rows of 1 x bc blocks that fill whole contiguous rows are one long row of
// blocks (narrow matrices, such as embedding tables, pay no cost per row).
bool flatten(const Matrix &m, const Blocks &b, int64_t g0, int64_t g1, Matrix *fm, Blocks *fb) {
    if (b.br != 1 || m.stride != m.cols || m.cols % b.bc != 0 || g1 - g0 < 2) return false;
    const void *first = static_cast<const char *>(m.data) + static_cast<size_t>(g0 * m.stride) * elem_size(m.type);
    *fm = {first, m.type, 1, (g1 - g0) * m.cols, (g1 - g0) * m.cols};
    *fb = {1, b.bc, 1, (g1 - g0) * b.grid_cols};
    return true;
}

template <typename E>
void score_rows_of(const Matrix &mat, const Blocks &b, Score score, int64_t g0, int64_t g1, uint32_t *keys,
                   uint32_t *hist, int shift, double *scratch) {
    const View<E> m(mat);
    for (int64_t gi = g0; gi < g1; ++gi) {
        uint32_t *row = keys + gi * b.grid_cols;
        if (score == Score::abs)
            score_block_row<Score::abs, E>(mat, m, b, gi, row, scratch);
        else
            score_block_row<Score::square, E>(mat, m, b, gi, row, scratch);
        if (hist)
            for (int64_t j = 0; j < b.grid_cols; ++j) ++hist[row[j] >> shift];
    }
}

void score_rows(const Matrix &m, const Blocks &b, Score score, int64_t g0, int64_t g1, uint32_t *keys, uint32_t *hist,
                int shift, double *scratch) {
    Matrix fm;
    Blocks fb;
    if (flatten(m, b, g0, g1, &fm, &fb))
        return score_rows(fm, fb, score, 0, 1, keys + g0 * b.grid_cols, hist, shift, scratch);
    with_elem(m.type, [&](auto e) { score_rows_of<decltype(e)>(m, b, score, g0, g1, keys, hist, shift, scratch); });
}

// ---------------------------------------------------------------------------
// The candidates of the selection: a compare over a whole register of keys
// (xsimd, this unit's instruction set), lane by lane only where one matches.

size_t gather(const uint32_t *keys, int64_t i0, int64_t i1, uint32_t base, int shift, uint32_t bin, Candidate *out) {
    using batch = xsimd::batch<uint32_t>;
    constexpr int64_t lanes = static_cast<int64_t>(batch::size);
    const batch vbase(base), vbin(bin), vshift(static_cast<uint32_t>(shift));
    size_t n = 0;
    int64_t i = i0;
    for (; i + lanes <= i1; i += lanes) {
        const batch k = batch::load_unaligned(keys + i);
        if (xsimd::any(((k - vbase) >> vshift) == vbin))
            for (int64_t l = 0; l < lanes; ++l)
                if (((keys[i + l] - base) >> shift) == bin) out[n++] = {keys[i + l], static_cast<uint64_t>(i + l)};
    }
    for (; i < i1; ++i)
        if (((keys[i] - base) >> shift) == bin) out[n++] = {keys[i], static_cast<uint64_t>(i)};
    return n;
}

// ---------------------------------------------------------------------------
// Masks.

// Rows of fully zeroed selected blocks: the keys alone decide.
template <int BC>
void whole_row(uint8_t *__restrict mrow, int64_t full, const uint32_t *__restrict keys, uint32_t below) {
    for (int64_t j = 0; j < full; ++j) {
        const uint8_t keep = keys[j] >= below;
#pragma GCC unroll 16
        for (int c = 0; c < BC; ++c) mrow[j * BC + c] = keep;
    }
}

void whole_row_any(uint8_t *mrow, int64_t full, int64_t bc, const uint32_t *keys, uint32_t below) {
    for (int64_t j = 0; j < full; ++j) std::memset(mrow + j * bc, keys[j] >= below, static_cast<size_t>(bc));
}

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__)
// Sixteen-element blocks (1x16, 2x8, 4x4), one block in one register: the
// keys sorted by a bitonic network, the zeros-th smallest key T read off it,
// then the zeros are the keys below T and, of those equal to T, the first
// ones by position: bit operations on AVX-512 mask registers, which xsimd
// 8.1 does not expose (this unit only; the other paths use the rank counting
// below, and every path is held to the scalar reference by the tests).
constexpr int kBitonicStages = 10;
struct BitonicStage {
    int32_t partner[16];
    uint16_t take_min;  // lanes that keep the smaller of the pair
};
constexpr BitonicStage bitonic_stage(int k, int j) {
    BitonicStage s{};
    for (int i = 0; i < 16; ++i) {
        s.partner[i] = i ^ j;
        if (((i & j) == 0) == ((i & k) == 0)) s.take_min = static_cast<uint16_t>(s.take_min | (1u << i));
    }
    return s;
}
alignas(64) constexpr BitonicStage kBitonic[kBitonicStages] = {
    bitonic_stage(2, 1),  bitonic_stage(4, 2), bitonic_stage(4, 1),  bitonic_stage(8, 4),  bitonic_stage(8, 2),
    bitonic_stage(8, 1),  bitonic_stage(16, 8), bitonic_stage(16, 4), bitonic_stage(16, 2), bitonic_stage(16, 1)};

// The lanes of the `zeros` smallest keys by (key, lane), 1 <= zeros <= 16.
inline __mmask16 smallest16(__m512i k, uint32_t zeros) {
    __m512i s = k;
    for (int q = 0; q < kBitonicStages; ++q) {
        const __m512i p = _mm512_permutexvar_epi32(_mm512_loadu_si512(kBitonic[q].partner), s);
        s = _mm512_mask_blend_epi32(kBitonic[q].take_min, _mm512_max_epu32(s, p), _mm512_min_epu32(s, p));
    }
    const __m512i t = _mm512_permutexvar_epi32(_mm512_set1_epi32(static_cast<int>(zeros) - 1), s);
    const uint32_t below = _mm512_cmplt_epu32_mask(k, t);
    uint32_t equal = _mm512_cmpeq_epi32_mask(k, t);
    uint32_t room = zeros - static_cast<uint32_t>(__builtin_popcount(below)), take = 0;
    for (; room > 0; --room) {  // the first `room` lanes equal to T (usually one: T itself)
        take |= equal & (0u - equal);
        equal &= equal - 1;
    }
    return static_cast<__mmask16>(below | take);
}

template <int H, bool All>
void partial16(const View<F32> &m, int64_t r0, int64_t full, int64_t zeros, const uint32_t *keys, uint32_t below,
               uint8_t *mrow, int64_t cols) {
    constexpr int BC = 16 / H;
    const __m512i magnitude = _mm512_set1_epi32(0x7FFFFFFF), nan_key = _mm512_set1_epi32(0x7F800001);
    const __m128i ones = _mm_set1_epi8(1);
    for (int64_t j = 0; j < full; ++j) {
        if (!All && keys[j] >= below) {
            for (int r = 0; r < H; ++r) std::memset(mrow + r * cols + j * BC, 1, BC);
            continue;
        }
        __m512i v;
        if constexpr (H == 1) {
            v = _mm512_loadu_si512(m.row(r0) + j * 16);
        } else if constexpr (H == 2) {
            v = _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_loadu_si256(
                                       reinterpret_cast<const __m256i *>(m.row(r0) + j * 8))),
                                   _mm256_loadu_si256(reinterpret_cast<const __m256i *>(m.row(r0 + 1) + j * 8)), 1);
        } else {
            v = _mm512_castsi128_si512(_mm_loadu_si128(reinterpret_cast<const __m128i *>(m.row(r0) + j * 4)));
            v = _mm512_inserti32x4(v, _mm_loadu_si128(reinterpret_cast<const __m128i *>(m.row(r0 + 1) + j * 4)), 1);
            v = _mm512_inserti32x4(v, _mm_loadu_si128(reinterpret_cast<const __m128i *>(m.row(r0 + 2) + j * 4)), 2);
            v = _mm512_inserti32x4(v, _mm_loadu_si128(reinterpret_cast<const __m128i *>(m.row(r0 + 3) + j * 4)), 3);
        }
        const __m512i k = _mm512_min_epu32(_mm512_and_si512(v, magnitude), nan_key);  // magnitude_key, 16 at once
        alignas(16) uint8_t bytes[16];
        _mm_store_si128(reinterpret_cast<__m128i *>(bytes),
                        _mm_maskz_mov_epi8(static_cast<__mmask16>(~smallest16(k, static_cast<uint32_t>(zeros))), ones));
        for (int r = 0; r < H; ++r) std::memcpy(mrow + r * cols + j * BC, bytes + r * BC, BC);
    }
}
constexpr bool kBlocks16 = true;
#else
constexpr bool kBlocks16 = false;
template <int H, bool All>
void partial16(const View<F32> &, int64_t, int64_t, int64_t, const uint32_t *, uint32_t, uint8_t *, int64_t) {}
#endif

// Rank counting: each element's rank by (|x|, position) from one comparison
// per pair, branch-free, for every block of the row.
template <int H, int BC, bool All>
void partial_pairs(const View<F32> &m, int64_t r0, int64_t full, int64_t zeros, const uint32_t *__restrict keys,
                   uint32_t below, uint8_t *__restrict mrow, int64_t cols) {
    constexpr int N = H * BC;
    using E = F32;
    using Key = typename E::Key;
    const typename E::T *x[H];
    for (int r = 0; r < H; ++r) x[r] = m.row(r0 + r);
    const uint32_t z_selected = static_cast<uint32_t>(zeros);
    for (int64_t j = 0; j < full; ++j) {
        Key k[N];
        uint32_t rank[N];
#pragma GCC unroll 16
        for (int r = 0; r < H; ++r)
#pragma GCC unroll 16
            for (int c = 0; c < BC; ++c) k[r * BC + c] = E::key(x[r][j * BC + c]);
#pragma GCC unroll 16
        for (int i = 0; i < N; ++i) rank[i] = 0;
#pragma GCC unroll 16
        for (int i = 0; i < N; ++i)
#pragma GCC unroll 16
            for (int q = i + 1; q < N; ++q) {
                const uint32_t first = k[i] <= k[q];  // i ranks below q
                rank[q] += first;
                rank[i] += 1u - first;
            }
        const uint32_t z = (All || keys[j] < below) ? z_selected : 0u;
#pragma GCC unroll 16
        for (int r = 0; r < H; ++r)
#pragma GCC unroll 16
            for (int c = 0; c < BC; ++c) mrow[r * cols + j * BC + c] = rank[r * BC + c] >= z;
    }
}

// Selected float32 blocks of H x BC elements, partly zeroed, every block of
// the row at once (an unselected block asks for 0 zeros, so all its ranks
// keep). The mask has `cols` bytes a row.
template <int H, int BC, bool All>
void partial_fixed(const View<F32> &m, int64_t r0, int64_t full, int64_t zeros, const uint32_t *__restrict keys,
                   uint32_t below, uint8_t *__restrict mrow, int64_t cols) {
    constexpr int N = H * BC;
    if constexpr (kBlocks16 && N == 16 && H <= 4) {
        partial16<H, All>(m, r0, full, zeros, keys, below, mrow, cols);
    } else {
        partial_pairs<H, BC, All>(m, r0, full, zeros, keys, below, mrow, cols);
    }
}

// One selected block of h x w elements at (r0, c0), partly zeroed, any size.
template <typename E>
void partial_block(const View<E> &m, int64_t r0, int64_t h, int64_t c0, int64_t w, int64_t zeros, uint8_t *mask,
                   uint32_t *hist) {
    using Key = typename E::Key;
    const int64_t n = h * w;
#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__)
    if constexpr (std::is_same<Key, uint32_t>::value) {
        if (n <= 16) {  // one register, padded with keys above every element's
            alignas(64) uint32_t key[16];
            for (int i = 0; i < 16; ++i) key[i] = 0xFFFFFFFFu;
            for (int64_t r = 0; r < h; ++r)
                for (int64_t c = 0; c < w; ++c) key[r * w + c] = E::key(m.row(r0 + r)[c0 + c]);
            uint32_t zero = smallest16(_mm512_load_si512(key), static_cast<uint32_t>(zeros));
            for (int64_t r = 0; r < h; ++r)
                for (int64_t c = 0; c < w; ++c, zero >>= 1) mask[(r0 + r) * m.cols + c0 + c] = !(zero & 1u);
            return;
        }
    }
#endif
    if (n <= 64) {  // rank counting
        Key key[64];
        for (int64_t r = 0; r < h; ++r)
            for (int64_t c = 0; c < w; ++c) key[r * w + c] = E::key(m.row(r0 + r)[c0 + c]);
        for (int64_t r = 0, i = 0; r < h; ++r)
            for (int64_t c = 0; c < w; ++c, ++i) {
                int64_t rank = 0;
                for (int64_t q = 0; q < n; ++q) rank += (key[q] < key[i]) | ((key[q] == key[i]) & (q < i));
                mask[(r0 + r) * m.cols + c0 + c] = rank >= zeros;
            }
        return;
    }
    // A large block: the zeros-th smallest key T digit by digit (16 bits a
    // pass, from the top, counting only the keys that match the digits found
    // so far), then one pass that zeros every key below T and, in position
    // order, enough of those equal to it.
    auto each = [&](auto &&f) {
        for (int64_t r = 0; r < h; ++r) {
            const typename E::T *x = m.row(r0 + r) + c0;
            for (int64_t c = 0; c < w; ++c) f(r, c, E::key(x[c]));
        }
    };
    constexpr int kBits = static_cast<int>(sizeof(Key) * 8);
    Key t = 0;             // the digits of T found so far
    int64_t below = 0;     // keys known to be below T
    for (int shift = kBits - 16; shift >= 0; shift -= 16) {
        const int known = kBits - 16 - shift;  // bits of T already fixed, above this digit
        std::fill(hist, hist + kMaskScratchBins, 0u);
        each([&](int64_t, int64_t, Key k) {
            if (known == 0 || (k >> (shift + 16)) == (t >> (shift + 16))) ++hist[(k >> shift) & 0xFFFFu];
        });
        uint32_t digit = 0;
        while (below + hist[digit] < zeros) below += hist[digit++];
        t |= static_cast<Key>(digit) << shift;
    }
    int64_t equal_left = zeros - below;  // keys equal to T still to zero, first ones first
    each([&](int64_t r, int64_t c, Key k) {
        uint8_t keep = 1;
        if (k < t) {
            keep = 0;
        } else if (k == t && equal_left > 0) {
            keep = 0;
            --equal_left;
        }
        mask[(r0 + r) * m.cols + c0 + c] = keep;
    });
}

template <int H, int BC>
void fixed(const View<F32> &m, int64_t r0, int64_t full, int64_t zeros, const uint32_t *keys, uint32_t below,
           bool all, uint8_t *mrow, int64_t cols) {
    if (all)
        partial_fixed<H, BC, true>(m, r0, full, zeros, keys, below, mrow, cols);
    else
        partial_fixed<H, BC, false>(m, r0, full, zeros, keys, below, mrow, cols);
}

// Dispatch of partly zeroed float32 block rows: the shapes of up to 16
// elements that are written out (false: another shape).
bool partial_row_fixed(const View<F32> &m, int64_t r0, int64_t h, int64_t bc, int64_t full, int64_t zeros,
                       const uint32_t *keys, uint32_t below, bool all, uint8_t *mrow, int64_t cols) {
    switch (h * 100 + bc) {
        case 102: fixed<1, 2>(m, r0, full, zeros, keys, below, all, mrow, cols); return true;
        case 104: fixed<1, 4>(m, r0, full, zeros, keys, below, all, mrow, cols); return true;
        case 108: fixed<1, 8>(m, r0, full, zeros, keys, below, all, mrow, cols); return true;
        case 116: fixed<1, 16>(m, r0, full, zeros, keys, below, all, mrow, cols); return true;
        case 201: fixed<2, 1>(m, r0, full, zeros, keys, below, all, mrow, cols); return true;
        case 202: fixed<2, 2>(m, r0, full, zeros, keys, below, all, mrow, cols); return true;
        case 204: fixed<2, 4>(m, r0, full, zeros, keys, below, all, mrow, cols); return true;
        case 208: fixed<2, 8>(m, r0, full, zeros, keys, below, all, mrow, cols); return true;
        case 401: fixed<4, 1>(m, r0, full, zeros, keys, below, all, mrow, cols); return true;
        case 402: fixed<4, 2>(m, r0, full, zeros, keys, below, all, mrow, cols); return true;
        case 404: fixed<4, 4>(m, r0, full, zeros, keys, below, all, mrow, cols); return true;
        case 801: fixed<8, 1>(m, r0, full, zeros, keys, below, all, mrow, cols); return true;
        case 802: fixed<8, 2>(m, r0, full, zeros, keys, below, all, mrow, cols); return true;
        case 1601: fixed<16, 1>(m, r0, full, zeros, keys, below, all, mrow, cols); return true;
        default: return false;
    }
}

// The partly zeroed blocks of one block row, of any element type: float32
// directly; float16 and bfloat16 converted to float32 (exact) a chunk of
// whole blocks at a time, into the scratch (kMaskScratchBins floats), for
// the same float32 kernels; float64 (64-bit keys) and shapes not written out
// block by block.
template <typename E>
void partial_row(const View<E> &m, int64_t r0, int64_t h, int64_t bc, int64_t full, int64_t zeros,
                 const uint32_t *keys, uint32_t below, bool all, uint8_t *mrow, uint32_t *scratch) {
    if constexpr (std::is_same<E, F32>::value) {
        if (partial_row_fixed(m, r0, h, bc, full, zeros, keys, below, all, mrow, m.cols)) return;
    } else if constexpr (std::is_same<typename E::Key, uint32_t>::value) {
        const int64_t per_chunk = static_cast<int64_t>(kMaskScratchBins) / (h * bc);  // blocks
        if (h <= 16 && bc <= 16 && per_chunk >= 1) {
            float *buf = reinterpret_cast<float *>(scratch);
            for (int64_t j0 = 0; j0 < full; j0 += per_chunk) {
                const int64_t n = std::min(per_chunk, full - j0), w = n * bc;
                for (int64_t r = 0; r < h; ++r) {
                    const typename E::T *x = m.row(r0 + r) + j0 * bc;
                    float *y = buf + r * w;
                    for (int64_t c = 0; c < w; ++c) y[c] = static_cast<float>(E::value(x[c]));
                }
                Matrix chunk{buf, Elem::f32, h, w, w};
                if (!partial_row_fixed(View<F32>(chunk), 0, h, bc, n, zeros, all ? nullptr : keys + j0, below, all,
                                       mrow + j0 * bc, m.cols))
                    break;  // a shape not written out: block by block below
                if (j0 + n == full) return;
            }
        }
    }
    for (int64_t gj = 0; gj < full; ++gj) {
        if (all || keys[gj] < below)
            partial_block(m, r0, h, gj * bc, bc, zeros, mrow - r0 * m.cols, scratch);
        else
            for (int64_t r = 0; r < h; ++r) std::memset(mrow + r * m.cols + gj * bc, 1, static_cast<size_t>(bc));
    }
}

template <typename E>
void mask_rows_of(const View<E> &m, const Blocks &b, int64_t zeros, const Selection &sel, int64_t g0, int64_t g1,
                  uint8_t *mask, uint32_t *scratch) {
    const int64_t full = m.cols / b.bc;
    for (int64_t gi = g0; gi < g1; ++gi) {
        const int64_t r0 = gi * b.br, h = std::min(m.rows, r0 + b.br) - r0;
        const uint32_t *keys = sel.all ? nullptr : sel.keys + gi * b.grid_cols;
        auto selected = [&](int64_t gj) { return sel.all || keys[gj] < sel.below; };
        uint8_t *mrow = mask + r0 * m.cols;
        if (zeros >= h * b.bc) {  // every selected full block is zeroed whole: the keys alone decide
            for (int64_t r = 0; r < h; ++r) {
                uint8_t *row = mrow + r * m.cols;
                if (sel.all) {
                    std::memset(row, 0, static_cast<size_t>(full * b.bc));
                    continue;
                }
                switch (b.bc) {
                    case 1: whole_row<1>(row, full, keys, sel.below); break;
                    case 2: whole_row<2>(row, full, keys, sel.below); break;
                    case 4: whole_row<4>(row, full, keys, sel.below); break;
                    case 8: whole_row<8>(row, full, keys, sel.below); break;
                    case 16: whole_row<16>(row, full, keys, sel.below); break;
                    default: whole_row_any(row, full, b.bc, keys, sel.below); break;
                }
            }
        } else {
            partial_row(m, r0, h, b.bc, full, zeros, keys, sel.below, sel.all, mrow, scratch);
        }
        if (full < b.grid_cols) {  // the partial block at the row's end
            const int64_t c0 = full * b.bc, w = m.cols - c0;
            const bool chosen = selected(full);
            if (!chosen || zeros >= h * w) {
                for (int64_t r = 0; r < h; ++r)
                    std::memset(mrow + r * m.cols + c0, chosen ? 0 : 1, static_cast<size_t>(w));
            } else {
                partial_block(m, r0, h, c0, w, zeros, mask, scratch);
            }
        }
    }
}

// The mask is row-major with cols bytes a row, whatever the data's stride.
void mask_rows(const Matrix &m, const Blocks &b, int64_t zeros, const Selection &sel, int64_t g0, int64_t g1,
               uint8_t *mask, uint32_t *scratch) {
    Matrix fm;
    Blocks fb;
    if (flatten(m, b, g0, g1, &fm, &fb)) {
        const Selection fsel{sel.all ? nullptr : sel.keys + g0 * b.grid_cols, sel.below, sel.all};
        return mask_rows(fm, fb, zeros, fsel, 0, 1, mask + g0 * m.cols, scratch);
    }
    with_elem(m.type, [&](auto e) {
        using E = decltype(e);
        mask_rows_of(View<E>(m), b, zeros, sel, g0, g1, mask, scratch);
    });
}

}  // namespace

extern const Table kTable;
const Table kTable = {score_rows, mask_rows, gather};

}  // namespace ds::kernels::DS_KERNEL_NS
