// The norm sparsifier's masks (src/core/semantics.md): block keys through the
// dispatched kernels, an O(n) radix selection of the k lowest blocks, then
// the masks. Large items are split over threads by block rows, small ones
// are spread over threads one item each; never both at once.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "core/norm_config.hpp"
#include "core/tensor.hpp"
#include "kernels/kernels.hpp"

namespace ds {

// Python's round() on a non-negative double: half to even.
int64_t round_half_even(double x);
// Number of blocks the item's mask sparsifies: round_half_even(clamp(level, 0, 1) * num_blocks).
int64_t blocks_to_sparsify(double sparsity_level, int64_t num_blocks);

// The SIMD path the next step uses: DATASPARSE_SIMD (scalar, sse2, avx2,
// avx512) if set to a path this machine runs, else the best one (an unknown
// or unavailable name is logged once).
kernels::Path active_path();
// Threads for a step: set_num_threads(n) with n in [1, kMaxThreads], or 0
// for OpenMP's default (OMP_NUM_THREADS, else the cores). Process-wide.
// Status::invalid_argument for any other n.
inline constexpr int kMaxThreads = 1024;
void set_num_threads(int n);
int num_threads();

// One item's mask to compute.
struct MaskJob {
    const void *data;
    DType dtype;
    int64_t rows, cols, stride;  // stride: elements from one row to the next
    NormParams params;
    uint8_t *mask;  // rows * cols bytes, row-major: written only on success
};

// Computes masks in place. All-or-nothing: everything that can fail (every
// allocation) happens before the first mask byte is written, so on failure
// (ds::Error, Status::no_memory naming the size) no mask has changed. Keeps
// its scratch between calls. Not thread-safe (one per sparsifier).
class NormMasker {
public:
    void run(const std::vector<MaskJob> &jobs, Norm norm) {
        prepare(jobs, norm);
        commit(jobs);
    }
    // The two halves of run: prepare does everything that can fail (and
    // writes no mask); commit, with the same jobs, writes the masks and
    // cannot fail. A step that must agree with others (global_select.hpp)
    // runs its own selection between the two.
    void prepare(const std::vector<MaskJob> &jobs, Norm norm);
    void commit(const std::vector<MaskJob> &jobs);

private:
    using Candidate = kernels::Candidate;
    enum class Kind { ones, zeros, all_selected, scored };
    struct Plan {
        Kind kind;
        kernels::Matrix m;
        kernels::Blocks b;
        int64_t blocks, k, zeros;
        size_t key_offset;  // into keys_
        uint32_t below;     // selected: key < below (Kind::scored)
    };
    struct Scratch {  // one per thread
        std::vector<uint32_t> hist;  // also a large block's scratch when masking
        std::vector<double> sums;
        std::vector<Candidate> candidates;
        std::vector<std::pair<double, uint64_t>> ties;
    };

    void plan(const std::vector<MaskJob> &jobs, int threads);
    void select_small(Plan &p, kernels::Score score, const kernels::Table &k, Scratch &s);
    void select_large(Plan &p, kernels::Score score, const kernels::Table &k, int threads);
    void write_mask(const Plan &p, const kernels::Table &k, uint8_t *mask, int64_t g0, int64_t g1, Scratch &s) const;
    uint32_t resolve(Candidate *candidates, size_t count, int64_t need, const Plan &p, kernels::Score score,
                     Scratch &s);

    std::vector<Plan> plans_;  // the first jobs.size() are this step's
    std::vector<size_t> small_, large_;  // indices of small and large items
    std::vector<uint32_t> keys_;  // every scored item's block keys
    std::vector<Scratch> scratch_;
    std::vector<uint32_t> merged_hist_;
    std::vector<size_t> offsets_;  // where each share's candidates go
    const kernels::Table *table_ = nullptr;  // prepare's, for commit
    int threads_ = 1, team_ = 1;
    bool prepared_ = false;
};

}  // namespace ds
