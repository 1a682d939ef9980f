// The norm sparsifier's kernels, compiled once per instruction set (sse2,
// avx2, avx512, chosen at run time through xsimd), and a plain scalar
// reference that is the oracle for every path. They know nothing of the
// core or the C ABI.
//
// A mask takes one pass over the data that turns every block into an order
// key (and counts the keys' top bits in a histogram on the way), a selection
// of the k lowest keys that the core makes from the histogram, and one pass
// that writes the mask. That pass reads the data again only where a selected
// block is partly zeroed; fully zeroed and unselected blocks need their key
// alone.
//
// Every path computes bit-identical keys and masks: the block means are the
// same sequence of double operations on every path (each column of a block
// summed top to bottom, then the columns left to right, then the division),
// and everything else is integer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace ds::kernels {

enum class Score { abs, square };  // |x| (L1) or x*x (L2), in double

// Element types. Every value is turned into a double exactly (halves through
// float), so masks of float16 and bfloat16 data equal those of the same
// values in float32.
enum class Elem : int { f32 = 0, f64 = 1, f16 = 2, bf16 = 3 };

enum class Path : int { scalar = 0, sse2 = 1, avx2 = 2, avx512 = 3 };
inline constexpr Path kPaths[] = {Path::scalar, Path::sse2, Path::avx2, Path::avx512};
const char *path_name(Path path);  // "scalar", "sse2", "avx2", "avx512"

// Whether this CPU (and its OS, which must save the wider registers) runs it.
bool path_available(Path path);
// The best available path, as xsimd's dispatch picks it.
Path best_path();

inline size_t elem_size(Elem type) { return type == Elem::f64 ? 8 : type == Elem::f32 ? 4 : 2; }

// A matrix of elements of one type, row-major with a row stride in elements.
struct Matrix {
    const void *data;
    Elem type;
    int64_t rows, cols, stride;
};

// The block grid over a matrix: blocks of br x bc from (0, 0), edge blocks
// partial. Block (gi, gj) has index gi * grid_cols + gj.
struct Blocks {
    int64_t br, bc, grid_rows, grid_cols;
};

// The order key of a block's mean score (>= 0, or NaN): the bits of the mean
// rounded to float, where means beyond FLT_MAX (and +inf) share FLT_MAX's
// key and every NaN has kNanKey, above every number. The map is monotone, so
// blocks with different keys are in the order of their means; blocks with
// the same key are ordered by their exact means (block_mean) and then by
// index. Branch-free, so that loops around it vectorise. (static inline:
// every per-instruction-set unit keeps its own copy, so the linker can never
// hand one path another path's instructions.)
inline constexpr uint32_t kNanKey = 0x7FFFFFFFu;
static inline uint32_t score_key(double mean) {
    const double clamped = mean > 3.4028234663852886e38 ? 3.4028234663852886e38 : mean;  // NaN stays NaN
    const float f = static_cast<float>(clamped);
    uint32_t bits;
    std::memcpy(&bits, &f, sizeof bits);
    bits &= 0x7FFFFFFFu;
    return bits > 0x7F800000u ? kNanKey : bits;
}

// Inside a block, elements rank by |x| (for L2 too: x*x is monotone in |x|),
// then by row-major position: the order key of |x|, every NaN the same key
// above +inf.
static inline uint32_t magnitude_key(float x) {
    uint32_t bits;
    std::memcpy(&bits, &x, sizeof bits);
    bits &= 0x7FFFFFFFu;
    return bits > 0x7F800000u ? 0x7F800001u : bits;
}
static inline uint64_t magnitude_key(double x) {
    uint64_t bits;
    std::memcpy(&bits, &x, sizeof bits);
    bits &= 0x7FFFFFFFFFFFFFFFull;
    return bits > 0x7FF0000000000000ull ? 0x7FF0000000000001ull : bits;
}

// IEEE binary16 to float, exactly and branch-free (so that loops around it
// vectorise): the exponent and mantissa shifted into a float's and scaled by
// 2^112 (exact for normal and subnormal halves), infinities and NaN mapped
// to a float's.
static inline float half_to_float(uint16_t h) {
    const uint32_t sign = (uint32_t{h} & 0x8000u) << 16, em = uint32_t{h} & 0x7FFFu;
    float f;
    uint32_t bits = em << 13;
    std::memcpy(&f, &bits, sizeof f);
    f *= 5.192296858534828e33f;  // 2^112
    std::memcpy(&bits, &f, sizeof bits);
    bits = em >= 0x7C00u ? ((em << 13) | 0x7F800000u) : bits;
    bits |= sign;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}
// bfloat16 is the upper half of a float.
static inline float bfloat16_to_float(uint16_t h) {
    const uint32_t bits = uint32_t{h} << 16;
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}

// What the kernels need of an element type: its storage, its value as a
// double (exact), and its magnitude key (32 bits for the types a float holds
// exactly, 64 for double).
struct F32 {
    using T = float;
    using Key = uint32_t;
    static double value(T x) { return x; }
    static Key key(T x) { return magnitude_key(x); }
};
struct F64 {
    using T = double;
    using Key = uint64_t;
    static double value(T x) { return x; }
    static Key key(T x) { return magnitude_key(x); }
};
struct F16 {
    using T = uint16_t;
    using Key = uint32_t;
    static double value(T x) { return half_to_float(x); }
    static Key key(T x) { return magnitude_key(half_to_float(x)); }
};
struct BF16 {
    using T = uint16_t;
    using Key = uint32_t;
    static double value(T x) { return bfloat16_to_float(x); }
    static Key key(T x) { return magnitude_key(bfloat16_to_float(x)); }
};

// A typed view of a Matrix (the type must be E's).
template <typename E>
struct View {
    const typename E::T *data;
    int64_t rows, cols, stride;
    explicit View(const Matrix &m)
        : data(static_cast<const typename E::T *>(m.data)), rows(m.rows), cols(m.cols), stride(m.stride) {}
    const typename E::T *row(int64_t r) const { return data + r * stride; }
};

// Calls f(E{}) with the element traits of m's type.
template <typename F>
decltype(auto) with_elem(Elem type, F &&f) {
    switch (type) {
        case Elem::f64: return f(F64{});
        case Elem::f16: return f(F16{});
        case Elem::bf16: return f(BF16{});
        case Elem::f32: break;
    }
    return f(F32{});
}

// The exact mean score of one block, in double: what every path's key is
// made from, and what orders blocks that share a key.
double block_mean(const Matrix &m, const Blocks &b, Score score, int64_t gi, int64_t gj);

// Scratch a thread needs for score_rows, in doubles (a constant).
inline constexpr size_t kScoreScratch = 2048;
// Bins of the histogram a large block's partial mask may use as scratch.
inline constexpr size_t kMaskScratchBins = size_t{1} << 16;

// score_rows: the keys of the blocks of grid rows [g0, g1) into
// keys[gi * grid_cols + gj], and hist[key >> shift] += 1 for each (unless
// hist is null). scratch: kScoreScratch doubles.
using ScoreRowsFn = void (*)(const Matrix &m, const Blocks &b, Score score, int64_t g0, int64_t g1, uint32_t *keys,
                             uint32_t *hist, int shift, double *scratch);

// Which blocks are selected: those whose key is below `below`, or all of
// them (keys not read: they may never have been computed).
struct Selection {
    const uint32_t *keys;
    uint32_t below;
    bool all;
};

// mask_rows: the mask of grid rows [g0, g1) into mask (row-major, cols bytes
// a row): in each selected block the `zeros` smallest elements 0 (all of it
// if zeros >= its size), 1 elsewhere. scratch: kMaskScratchBins counts.
using MaskRowsFn = void (*)(const Matrix &m, const Blocks &b, int64_t zeros, const Selection &sel, int64_t g0,
                            int64_t g1, uint8_t *mask, uint32_t *scratch);

// A block whose key lies in the histogram bin of the k-th smallest key.
struct Candidate {
    uint32_t key;
    uint64_t index;
};
// gather: the blocks i of [i0, i1) with ((keys[i] - base) >> shift) == bin,
// in index order, into out; returns how many.
using GatherFn = size_t (*)(const uint32_t *keys, int64_t i0, int64_t i1, uint32_t base, int shift, uint32_t bin,
                            Candidate *out);

struct Table {
    ScoreRowsFn score_rows;
    MaskRowsFn mask_rows;
    GatherFn gather;
};
// The kernels of a path (the path must be available).
const Table &table(Path path);

}  // namespace ds::kernels
