#include "core/norm_mask.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include <omp.h>

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/parallel.hpp"

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

static_assert(static_cast<int>(kernels::Elem::f32) == static_cast<int>(DType::f32) &&
                  static_cast<int>(kernels::Elem::f64) == static_cast<int>(DType::f64) &&
                  static_cast<int>(kernels::Elem::f16) == static_cast<int>(DType::f16) &&
                  static_cast<int>(kernels::Elem::bf16) == static_cast<int>(DType::bf16),
              "the kernels' element types are the core's dtypes");

namespace {

std::atomic<int> g_threads{0};
std::atomic<bool> g_simd_warned{false};

// Items of at least this many elements are split over threads by block rows;
// smaller ones are spread over threads, one item per thread.
constexpr int64_t kLargeItemElements = int64_t{1} << 16;
// Small items in parallel only when they hold at least this many elements.
constexpr int64_t kParallelSmallElements = int64_t{1} << 16;
constexpr int kMaxDigits = 16;
constexpr size_t kMaxBins = size_t{1} << kMaxDigits;
static_assert(kMaxBins <= kernels::kMaskScratchBins, "the histogram doubles as the mask scratch");

// Histogram digits (the top bits of the 31-bit keys): about blocks / 4 bins,
// between 2^8 and 2^16.
int digits_for(int64_t blocks) {
    int d = 0;
    while (d < kMaxDigits && (int64_t{1} << (d + 2)) < blocks) ++d;
    return std::max(8, d);
}

[[noreturn]] void out_of_memory(size_t bytes, const char *what) {
    fail(Status::no_memory,
         std::string("out of memory allocating ") + std::to_string(bytes) + " bytes for " + what + " of a step");
}

// v.size() >= n afterwards (kept between steps: a step allocates only when
// it needs more than the steps before).
template <typename T>
void grow(std::vector<T> &v, size_t n, const char *what) {
    if (v.size() >= n) return;
    try {
        v.resize(n);
    } catch (const std::bad_alloc &) {
        out_of_memory(n * sizeof(T), what);
    }
}

// v.capacity() >= n afterwards.
template <typename T>
void reserve(std::vector<T> &v, size_t n, const char *what) {
    if (v.capacity() >= n) return;
    try {
        v.reserve(n);
    } catch (const std::bad_alloc &) {
        out_of_memory(n * sizeof(T), what);
    }
}

// The bucket that holds the k-th smallest key (k >= 1), and how many of the
// k lie in it.
void find_bucket(const uint32_t *hist, int64_t k, uint32_t *bucket, int64_t *need) {
    int64_t below = 0;
    uint32_t b = 0;
    while (below + hist[b] < k) below += hist[b++];
    *bucket = b;
    *need = k - below;
}

// Grid rows [begin, end) of share p of n.
int64_t share_begin(int64_t rows, int p, int n) { return rows * p / n; }

}  // namespace

void set_num_threads(int n) {
    if (n < 0 || n > kMaxThreads)
        fail(Status::invalid_argument, "n (the number of threads) must be in [0, " + std::to_string(kMaxThreads) +
                                           "] (0: OpenMP's default), got " + std::to_string(n));
    g_threads.store(n, std::memory_order_relaxed);
}

int num_threads() {
    const int n = g_threads.load(std::memory_order_relaxed);
    return n > 0 ? n : std::max(1, omp_get_max_threads());
}

kernels::Path active_path() {
    const char *want = std::getenv("DATASPARSE_SIMD");
    if (!want || !*want) return kernels::best_path();
    for (kernels::Path p : kernels::kPaths)
        if (std::strcmp(want, kernels::path_name(p)) == 0) {
            if (kernels::path_available(p)) return p;
            if (!g_simd_warned.exchange(true))
                log(LogLevel::warning, std::string("DATASPARSE_SIMD=") + escaped(want) +
                                           ": this machine cannot run that path; using " +
                                           kernels::path_name(kernels::best_path()));
            return kernels::best_path();
        }
    if (!g_simd_warned.exchange(true))
        log(LogLevel::warning, std::string("DATASPARSE_SIMD=") + escaped(want) +
                                   " is not a path (scalar, sse2, avx2, avx512); using " +
                                   kernels::path_name(kernels::best_path()));
    return kernels::best_path();
}

// The `need` smallest of the candidates (the blocks of one histogram bucket)
// by (key, exact mean, index): returns `below` such that exactly those have
// key < below, rewriting the keys of blocks that share the last key where
// only some of them are taken (the taken keep it, the others get key + 1).
uint32_t NormMasker::resolve(Candidate *cand, size_t count, int64_t need, const Plan &p, kernels::Score score,
                             Scratch &s) {
    std::nth_element(cand, cand + (need - 1), cand + count,
                     [](const Candidate &x, const Candidate &y) { return x.key < y.key; });
    const uint32_t t = cand[need - 1].key;
    int64_t less = 0, equal = 0;
    for (size_t i = 0; i < count; ++i) {
        less += cand[i].key < t;
        equal += cand[i].key == t;
    }
    const int64_t take = need - less;
    if (take == equal) return t + 1;
    // Blocks of one key may differ in their exact means: order them by
    // (mean, index); NaN means (a key of their own) by index alone.
    s.ties.clear();
    reserve(s.ties, static_cast<size_t>(equal), "the blocks tied at the selection threshold");
    for (size_t i = 0; i < count; ++i)
        if (cand[i].key == t) {
            const int64_t gi = static_cast<int64_t>(cand[i].index) / p.b.grid_cols;
            const int64_t gj = static_cast<int64_t>(cand[i].index) % p.b.grid_cols;
            const double mean = t == kernels::kNanKey ? 0.0 : kernels::block_mean(p.m, p.b, score, gi, gj);
            s.ties.emplace_back(mean, cand[i].index);
        }
    std::nth_element(s.ties.begin(), s.ties.begin() + (take - 1), s.ties.end());
    const std::pair<double, uint64_t> last = s.ties[static_cast<size_t>(take - 1)];
    uint32_t *keys = keys_.data() + p.key_offset;
    for (const auto &tie : s.ties)
        if (last < tie) keys[tie.second] = t + 1;
    return t + 1;
}

void NormMasker::plan(const std::vector<MaskJob> &jobs, int threads) {
    grow(plans_, jobs.size(), "the item plans");
    small_.clear();
    large_.clear();
    reserve(small_, jobs.size(), "the item lists");
    reserve(large_, jobs.size(), "the item lists");
    size_t keys = 0;
    bool any_large = false;
    for (size_t j = 0; j < jobs.size(); ++j) {
        const MaskJob &job = jobs[j];
        Plan &p = plans_[j];
        const int64_t br = job.params.block_rows, bc = job.params.block_cols;
        p.m = {job.data, static_cast<kernels::Elem>(job.dtype), job.rows, job.cols, job.stride};
        p.b = {br, bc, (job.rows + br - 1) / br, (job.cols + bc - 1) / bc};
        p.blocks = p.b.grid_rows * p.b.grid_cols;
        p.k = blocks_to_sparsify(job.params.sparsity_level, p.blocks);
        p.zeros = job.params.zeros_per_block;
        p.key_offset = keys;
        p.below = 0;
        if (p.k == 0 || p.zeros == 0) {
            p.kind = Kind::ones;
        } else if (p.k == p.blocks) {
            p.kind = p.zeros >= br * bc ? Kind::zeros : Kind::all_selected;
        } else {
            p.kind = Kind::scored;
            keys += static_cast<size_t>(p.blocks);
            any_large = any_large || job.rows * job.cols >= kLargeItemElements;
        }
        (job.rows * job.cols >= kLargeItemElements ? large_ : small_).push_back(j);
    }
    grow(keys_, keys, "the block keys");
    grow(scratch_, static_cast<size_t>(threads), "the per-thread scratch");
    for (int t = 0; t < threads; ++t) {
        Scratch &s = scratch_[static_cast<size_t>(t)];
        grow(s.hist, kMaxBins, "a histogram");
        grow(s.sums, kernels::kScoreScratch, "the column sums");
    }
    if (any_large) {
        grow(merged_hist_, kMaxBins, "a histogram");
        grow(offsets_, static_cast<size_t>(threads) + 1, "the candidate offsets");
    }
}

void NormMasker::select_small(Plan &p, kernels::Score score, const kernels::Table &k, Scratch &s) {
    // The keys first (an item this small stays in cache), then a histogram
    // over their own range: its bins split the range where the keys are, not
    // only their exponents.
    uint32_t *keys = keys_.data() + p.key_offset;
    k.score_rows(p.m, p.b, score, 0, p.b.grid_rows, keys, nullptr, 0, s.sums.data());
    uint32_t lo = keys[0], hi = keys[0];
    for (int64_t i = 1; i < p.blocks; ++i) {
        lo = std::min(lo, keys[i]);
        hi = std::max(hi, keys[i]);
    }
    const uint32_t bins = uint32_t{1} << digits_for(p.blocks);
    int shift = 0;
    while (((hi - lo) >> shift) >= bins) ++shift;
    uint32_t *hist = s.hist.data();
    std::fill(hist, hist + ((hi - lo) >> shift) + 1, 0u);
    for (int64_t i = 0; i < p.blocks; ++i) ++hist[(keys[i] - lo) >> shift];
    uint32_t bin;
    int64_t need;
    find_bucket(hist, p.k, &bin, &need);
    grow(s.candidates, hist[bin], "the selection candidates");
    const size_t n = k.gather(keys, 0, p.blocks, lo, shift, bin, s.candidates.data());
    p.below = resolve(s.candidates.data(), n, need, p, score, s);
}

void NormMasker::select_large(Plan &p, kernels::Score score, const kernels::Table &k, int threads) {
    const int shares = static_cast<int>(std::min<int64_t>(threads, p.b.grid_rows));
    const int64_t grid_rows = p.b.grid_rows;
    const int shift = 31 - digits_for(p.blocks);
    const size_t bins = size_t{1} << (31 - shift);
    uint32_t *keys = keys_.data() + p.key_offset;
    ParallelErrors errors;
#pragma omp parallel for schedule(static, 1) num_threads(shares)
    for (int q = 0; q < shares; ++q)
        errors.run([&] {
            Scratch &s = scratch_[static_cast<size_t>(q)];
            std::fill(s.hist.begin(), s.hist.begin() + static_cast<std::ptrdiff_t>(bins), 0u);
            k.score_rows(p.m, p.b, score, share_begin(grid_rows, q, shares), share_begin(grid_rows, q + 1, shares),
                         keys, s.hist.data(), shift, s.sums.data());
        });
    errors.rethrow();
    uint32_t *merged = merged_hist_.data();
    std::copy(scratch_[0].hist.begin(), scratch_[0].hist.begin() + static_cast<std::ptrdiff_t>(bins), merged);
    for (int q = 1; q < shares; ++q) {
        const uint32_t *h = scratch_[static_cast<size_t>(q)].hist.data();
        for (size_t i = 0; i < bins; ++i) merged[i] += h[i];
    }
    uint32_t bucket;
    int64_t need;
    find_bucket(merged, p.k, &bucket, &need);
    // Each share writes its candidates after those of the shares before it.
    size_t *offset = offsets_.data();
    offset[0] = 0;
    for (int q = 0; q < shares; ++q) offset[q + 1] = offset[q] + scratch_[static_cast<size_t>(q)].hist[bucket];
    Scratch &s0 = scratch_[0];
    grow(s0.candidates, offset[shares], "the selection candidates");
    Candidate *out = s0.candidates.data();
#pragma omp parallel for schedule(static, 1) num_threads(shares)
    for (int q = 0; q < shares; ++q)
        k.gather(keys, share_begin(grid_rows, q, shares) * p.b.grid_cols,
                 share_begin(grid_rows, q + 1, shares) * p.b.grid_cols, 0, shift, bucket, out + offset[q]);
    p.below = resolve(out, offset[shares], need, p, score, s0);
}

void NormMasker::write_mask(const Plan &p, const kernels::Table &k, uint8_t *mask, int64_t g0, int64_t g1,
                            Scratch &s) const {
    if (p.kind == Kind::ones || p.kind == Kind::zeros) {
        const int64_t r0 = g0 * p.b.br, r1 = std::min(p.m.rows, g1 * p.b.br);
        std::memset(mask + r0 * p.m.cols, p.kind == Kind::ones ? 1 : 0, static_cast<size_t>((r1 - r0) * p.m.cols));
        return;
    }
    const kernels::Selection sel{p.kind == Kind::scored ? keys_.data() + p.key_offset : nullptr, p.below,
                                 p.kind == Kind::all_selected};
    k.mask_rows(p.m, p.b, p.zeros, sel, g0, g1, mask, s.hist.data());
}

void NormMasker::prepare(const std::vector<MaskJob> &jobs, Norm norm) {
    prepared_ = false;
    const kernels::Table &k = kernels::table(active_path());
    const kernels::Score score = norm == Norm::l1 ? kernels::Score::abs : kernels::Score::square;
    const int threads = num_threads();
    plan(jobs, threads);
    const std::vector<size_t> &small = small_, &large = large_;
    // Small items go one per thread when there is enough of them to pay for
    // waking the threads (a few microseconds, far more on a loaded machine).
    int64_t small_elements = 0;
    for (size_t j : small) small_elements += jobs[j].rows * jobs[j].cols;
    team_ = small_elements < kParallelSmallElements
                ? 1
                : static_cast<int>(std::min<size_t>(static_cast<size_t>(threads), small.size()));
    threads_ = threads;
    table_ = &k;

    // Select every item's blocks. This may still fail (a candidate list to
    // grow); no mask has been written yet.
    ParallelErrors errors;
#pragma omp parallel for schedule(dynamic, 8) num_threads(std::max(team_, 1)) if (team_ > 1)
    for (size_t i = 0; i < small.size(); ++i)
        errors.run([&] {
            Plan &p = plans_[small[i]];
            if (p.kind == Kind::scored) select_small(p, score, k, scratch_[static_cast<size_t>(omp_get_thread_num())]);
        });
    errors.rethrow();
    for (size_t j : large)
        if (plans_[j].kind == Kind::scored) select_large(plans_[j], score, k, threads);
    prepared_ = true;
}

void NormMasker::commit(const std::vector<MaskJob> &jobs) {
    if (!prepared_) return;
    prepared_ = false;
    const kernels::Table &k = *table_;
    const std::vector<size_t> &small = small_, &large = large_;
    const int team = team_, threads = threads_;
    // Nothing below allocates or fails.
#pragma omp parallel for schedule(dynamic, 8) num_threads(std::max(team, 1)) if (team > 1)
    for (size_t i = 0; i < small.size(); ++i) {
        const Plan &p = plans_[small[i]];
        write_mask(p, k, jobs[small[i]].mask, 0, p.b.grid_rows, scratch_[static_cast<size_t>(omp_get_thread_num())]);
    }
    for (size_t j : large) {
        const Plan &p = plans_[j];
        const int shares = static_cast<int>(std::min<int64_t>(threads, p.b.grid_rows));
#pragma omp parallel for schedule(static, 1) num_threads(shares)
        for (int q = 0; q < shares; ++q)
            write_mask(p, k, jobs[j].mask, share_begin(p.b.grid_rows, q, shares),
                       share_begin(p.b.grid_rows, q + 1, shares), scratch_[static_cast<size_t>(q)]);
    }
}

}  // namespace ds
