#include "core/global_select.hpp"

#include <algorithm>
#include <cstring>
#include <new>

#include <omp.h>

#include "core/error.hpp"
#include "core/validate.hpp"

namespace ds {
namespace {

// The digits of a block's tuple, most significant first: component 0 is the
// 31-bit key, 1 the mean's bits, 2 the position.
struct Digit {
    int comp, shift, bits;
};
constexpr Digit kDigits[] = {{0, 20, 11}, {0, 10, 10}, {0, 0, 10},                                          //
                             {1, 53, 11}, {1, 42, 11}, {1, 31, 11}, {1, 20, 11}, {1, 10, 10}, {1, 0, 10},  //
                             {2, 53, 11}, {2, 42, 11}, {2, 31, 11}, {2, 20, 11}, {2, 10, 10}, {2, 0, 10}};
constexpr int kDepths = static_cast<int>(sizeof kDigits / sizeof kDigits[0]);
constexpr size_t kBins = size_t{1} << 11;  // every round's histogram, whatever its digit's width
constexpr int kKeyDigits = 3;
constexpr int64_t kParallelElements = int64_t{1} << 16;

// The sum of the row indices [0, m), and of their squares, mod 2^64: with
// the row count they show that the shards cover the rows exactly once
// (holes and overlaps change them), without sending the shards' bounds.
__extension__ typedef unsigned __int128 u128;
uint64_t sum_below(uint64_t m) {
    const u128 v = static_cast<u128>(m) * (m - (m > 0)) / 2;
    return static_cast<uint64_t>(v);
}
uint64_t squares_below(uint64_t m) {  // exact for m < 2^42: (m-1) m (2m-1) fits 128 bits
    if (m == 0) return 0;
    const u128 v = static_cast<u128>(m - 1) * m * (2 * m - 1) / 6;
    return static_cast<uint64_t>(v);
}
constexpr uint64_t kMomentRows = uint64_t{1} << 41;

uint64_t mean_bits(double mean) {  // means are >= 0 (or NaN, handled by the caller): bits are in order
    uint64_t bits;
    std::memcpy(&bits, &mean, sizeof bits);
    return bits;
}

// FNV-1a over what every participant must agree on.
struct Fingerprint {
    uint64_t h = 1469598103934665603ull;
    void bytes(const void *p, size_t n) {
        const unsigned char *c = static_cast<const unsigned char *>(p);
        for (size_t i = 0; i < n; ++i) h = (h ^ c[i]) * 1099511628211ull;
    }
    void str(const std::string &s) {
        const uint64_t n = s.size();
        bytes(&n, sizeof n);
        bytes(s.data(), s.size());
    }
    template <typename T>
    void val(T v) {
        bytes(&v, sizeof v);
    }
};

uint64_t fingerprint(const std::vector<Unit> &units, Norm norm) {
    Fingerprint f;
    f.val(static_cast<uint64_t>(units.size()));
    f.val(static_cast<int>(norm));
    for (const Unit &u : units) {
        f.str(u.name);
        f.val(u.level);
        f.val(static_cast<uint64_t>(u.members.size()));
        for (const UnitMember &m : u.members) {
            f.str(m.name);
            f.val(m.global_rows);
            f.val(m.job.cols);
            f.val(m.job.params.block_rows);
            f.val(m.job.params.block_cols);
            f.val(m.job.params.zeros_per_block);
            f.val(static_cast<int>(m.job.dtype));
        }
    }
    return f.h;
}

kernels::Blocks blocks_of(const MaskJob &job) {
    const int64_t br = job.params.block_rows, bc = job.params.block_cols;
    return {br, bc, (job.rows + br - 1) / br, (job.cols + bc - 1) / bc};
}

int64_t global_blocks(const UnitMember &m) {
    const int64_t br = m.job.params.block_rows, bc = m.job.params.block_cols;
    return ((m.global_rows + br - 1) / br) * ((m.job.cols + bc - 1) / bc);
}

// Local shard checks (the geometry every participant must agree on is checked by the exchanges).
void check_member(const Unit &u, const UnitMember &m) {
    const int64_t br = m.job.params.block_rows;
    const std::string where = "shard of " + quoted(m.name) + (u.name == m.name ? "" : " (group " + quoted(u.name) + ")");
    if (m.global_rows < 1) fail(Status::invalid_argument, "global_rows of the " + where + " must be >= 1, got " +
                                                              std::to_string(m.global_rows));
    if (m.first_row < 0 || m.first_row > m.global_rows - m.job.rows)
        fail(Status::invalid_argument, "the " + where + " holds rows [" + std::to_string(m.first_row) + ", " +
                                           std::to_string(m.first_row + m.job.rows) + "), outside the " +
                                           std::to_string(m.global_rows) + " global rows");
    if (m.first_row % br != 0)
        fail(Status::invalid_argument, "the " + where + " starts at row " + std::to_string(m.first_row) +
                                           ", not a multiple of its block_rows " + std::to_string(br) +
                                           " (a block may not straddle two shards)");
    if (m.job.rows % br != 0 && m.first_row + m.job.rows != m.global_rows)
        fail(Status::invalid_argument, "the " + where + " holds " + std::to_string(m.job.rows) +
                                           " rows, not a multiple of its block_rows " + std::to_string(br) +
                                           ", and is not the last shard (a block may not straddle two shards)");
}

template <typename T>
void sized(std::vector<T> &v, size_t n, const char *what) {
    try {
        v.resize(n);
    } catch (const std::bad_alloc &) {
        fail(Status::no_memory, "out of memory allocating " + std::to_string(n * sizeof(T)) + " bytes for " + what);
    }
}

}  // namespace

void GlobalSelector::compute_keys(const std::vector<Unit> &units, kernels::Score score) {
    table_ = &kernels::table(active_path());
    const int threads = num_threads();
    size_t slots = 0;
    for (const Unit &u : units) slots += u.members.size();
    sized(state_, units.size(), "the selection state of a step");
    sized(slot_, units.size(), "the selection state of a step");
    sized(keys_, slots, "the block keys of a step");
    sized(score_scratch_, static_cast<size_t>(threads), "the score scratch");
    sized(mask_scratch_, static_cast<size_t>(threads), "the mask scratch");
    sized(hist_scratch_, static_cast<size_t>(threads), "the histogram scratch");
    for (int t = 0; t < threads; ++t) {
        sized(score_scratch_[static_cast<size_t>(t)], kernels::kScoreScratch, "the score scratch");
        sized(mask_scratch_[static_cast<size_t>(t)], kernels::kMaskScratchBins, "the mask scratch");
        sized(hist_scratch_[static_cast<size_t>(t)], kBins, "the histogram scratch");
    }
    size_t slot = 0;
    for (size_t i = 0; i < units.size(); ++i) {
        const Unit &u = units[i];
        UnitState &st = state_[i];
        st = UnitState{};
        slot_[i] = slot;
        sized(st.offsets, u.members.size(), "the selection state of a step");
        int64_t blocks = 0;
        for (size_t j = 0; j < u.members.size(); ++j) {
            check_member(u, u.members[j]);
            st.offsets[j] = static_cast<uint64_t>(blocks);
            const int64_t g = global_blocks(u.members[j]);
            if (g > INT64_MAX / 2 - blocks)
                fail(Status::invalid_argument, "group " + quoted(u.name) + " has more than 2^62 blocks");
            blocks += g;
        }
        st.blocks = blocks;
        st.k = blocks_to_sparsify(u.level, blocks);
        st.need = st.k;
        st.kind = st.k == 0 ? UnitState::Kind::none : st.k == blocks ? UnitState::Kind::all : UnitState::Kind::scored;
        st.resolved = st.kind != UnitState::Kind::scored;
        bool counted = st.kind == UnitState::Kind::scored;  // the first histogram comes with the keys
        for (const UnitMember &m : u.members) {
            const kernels::Blocks b = blocks_of(m.job);
            counted = counted && b.grid_rows * b.grid_cols < (int64_t{1} << 32);
        }
        if (counted) sized(st.first_hist, kBins, "the selection histograms");
        for (size_t j = 0; j < u.members.size(); ++j, ++slot) {
            std::vector<uint32_t> &keys = keys_[slot];
            if (st.kind != UnitState::Kind::scored) {
                keys.clear();
                continue;
            }
            const MaskJob &job = u.members[j].job;
            const kernels::Blocks b = blocks_of(job);
            sized(keys, static_cast<size_t>(b.grid_rows * b.grid_cols), "the block keys of a step");
            if (job.rows == 0) continue;
            const kernels::Matrix m{job.data, static_cast<kernels::Elem>(job.dtype), job.rows, job.cols, job.stride};
            const int shares = job.rows * job.cols >= kParallelElements
                                   ? static_cast<int>(std::min<int64_t>(threads, b.grid_rows))
                                   : 1;
            const kernels::Table &k = *table_;
            uint32_t *out = keys.data();
            const int shift = kDigits[0].shift;
#pragma omp parallel for schedule(static, 1) num_threads(shares) if (shares > 1)
            for (int q = 0; q < shares; ++q) {
                uint32_t *h = counted ? hist_scratch_[static_cast<size_t>(q)].data() : nullptr;
                if (h) std::fill(h, h + kBins, 0u);
                k.score_rows(m, b, score, b.grid_rows * q / shares, b.grid_rows * (q + 1) / shares, out, h, shift,
                             score_scratch_[static_cast<size_t>(omp_get_thread_num())].data());
            }
            if (counted)
                for (int q = 0; q < shares; ++q)
                    for (size_t i = 0; i < kBins; ++i) st.first_hist[i] += hist_scratch_[static_cast<size_t>(q)][i];
        }
    }
}

void GlobalSelector::local_histogram(const std::vector<Unit> &units, size_t u, uint64_t *hist) {
    const UnitState &st = state_[u];
    const Digit d = kDigits[st.depth];
    const uint64_t digit_mask = (uint64_t{1} << d.bits) - 1;
    if (d.comp == 0) {
        // Keys whose higher digits equal the prefix.
        const int above = d.shift + d.bits;
        if (above >= 31 && !st.first_hist.empty()) {  // the first digit: counted while scoring
            for (size_t i = 0; i < kBins; ++i) hist[i] += st.first_hist[i];
            return;
        }
        const uint32_t want = static_cast<uint32_t>(st.prefix[0] >> above);
        // Counts keys [i0, i1) of k into h (a 32- or 64-bit histogram).
        auto count = [&](auto *h, const uint32_t *k, size_t i0, size_t i1) {
            if (above >= 31) {
                for (size_t i = i0; i < i1; ++i) ++h[k[i] >> d.shift];
            } else {
                for (size_t i = i0; i < i1; ++i)
                    if ((k[i] >> above) == want) ++h[(k[i] >> d.shift) & digit_mask];
            }
        };
        for (size_t j = 0; j < units[u].members.size(); ++j) {
            const std::vector<uint32_t> &keys = keys_[slot_[u] + j];
            const size_t n = keys.size();
            const uint32_t *k = keys.data();
            const int shares = n >= static_cast<size_t>(kParallelElements)
                                   ? static_cast<int>(std::min<size_t>(hist_scratch_.size(), n / 4096))
                                   : 1;
            // One 32-bit histogram per share (a share holds < 2^32 keys), then summed.
            if (shares < 2 || n / static_cast<size_t>(shares) >= (size_t{1} << 32) - 1) {
                count(hist, k, 0, n);
                continue;
            }
#pragma omp parallel for schedule(static, 1) num_threads(shares)
            for (int q = 0; q < shares; ++q) {
                uint32_t *h = hist_scratch_[static_cast<size_t>(q)].data();
                std::fill(h, h + kBins, 0u);
                count(h, k, n * static_cast<size_t>(q) / static_cast<size_t>(shares),
                      n * static_cast<size_t>(q + 1) / static_cast<size_t>(shares));
            }
            for (int q = 0; q < shares; ++q)
                for (size_t i = 0; i < kBins; ++i) hist[i] += hist_scratch_[static_cast<size_t>(q)][i];
        }
        return;
    }
    const int above = d.shift + d.bits;  // bits of this component above the digit (64: none)
    for (const TieBlock &t : st.ties) {
        const uint64_t v = d.comp == 1 ? t.mean_bits : t.position;
        if (d.comp == 2 && t.mean_bits != st.prefix[1]) continue;
        if (above < 64 && (v >> above) != (st.prefix[d.comp] >> above)) continue;
        ++hist[(v >> d.shift) & digit_mask];
    }
}

void GlobalSelector::gather_ties(const std::vector<Unit> &units, size_t u, kernels::Score score) {
    UnitState &st = state_[u];
    const uint32_t t = static_cast<uint32_t>(st.prefix[0]);
    size_t count = 0;
    for (size_t j = 0; j < units[u].members.size(); ++j)
        for (uint32_t key : keys_[slot_[u] + j]) count += key == t;
    try {
        st.ties.reserve(count);
    } catch (const std::bad_alloc &) {
        fail(Status::no_memory, "out of memory allocating " + std::to_string(count * sizeof(TieBlock)) +
                                    " bytes for the blocks tied at the selection threshold");
    }
    for (size_t j = 0; j < units[u].members.size(); ++j) {
        const UnitMember &m = units[u].members[j];
        const std::vector<uint32_t> &keys = keys_[slot_[u] + j];
        const kernels::Blocks b = blocks_of(m.job);
        const kernels::Matrix mat{m.job.data, static_cast<kernels::Elem>(m.job.dtype), m.job.rows, m.job.cols,
                                  m.job.stride};
        const int64_t first_grid_row = m.first_row / b.br;
        for (size_t i = 0; i < keys.size(); ++i)
            if (keys[i] == t) {
                const int64_t gi = static_cast<int64_t>(i) / b.grid_cols, gj = static_cast<int64_t>(i) % b.grid_cols;
                const double mean = t == kernels::kNanKey ? 0.0 : kernels::block_mean(mat, b, score, gi, gj);
                const uint64_t position =
                    st.offsets[j] + static_cast<uint64_t>((first_grid_row + gi) * b.grid_cols + gj);
                st.ties.push_back({mean_bits(mean), position, static_cast<uint32_t>(j), i});
            }
    }
    st.ties_gathered = true;
}

void GlobalSelector::mark_selected(const std::vector<Unit> &units, size_t u) {
    UnitState &st = state_[u];
    if (st.kind != UnitState::Kind::scored) return;
    const Digit d = kDigits[st.depth];
    if (d.comp == 0) {
        // Selected: the key's digits up to this one are at most the
        // threshold's, i.e. the key is below (those digits + 1) << shift
        // (at most 2^31: fits). The keys stay as they are.
        st.below = (static_cast<uint32_t>(st.prefix[0] >> d.shift) + 1u) << d.shift;
        return;
    }
    st.below = 1;
    const uint32_t t = static_cast<uint32_t>(st.prefix[0]);
    for (size_t j = 0; j < units[u].members.size(); ++j)
        for (uint32_t &key : keys_[slot_[u] + j]) key = key < t ? 0u : 1u;  // ties decided below
    for (const TieBlock &tie : st.ties) {
        bool selected;
        if (d.comp == 1)
            selected = (tie.mean_bits >> d.shift) <= (st.prefix[1] >> d.shift);
        else
            selected = tie.mean_bits < st.prefix[1] ||
                       (tie.mean_bits == st.prefix[1] && (tie.position >> d.shift) <= (st.prefix[2] >> d.shift));
        keys_[slot_[u] + tie.member][tie.index] = selected ? 0u : 1u;
    }
}

void GlobalSelector::exchange(const Allreduce &allreduce, std::vector<uint64_t> &payload) {
    allreduce(payload.data(), payload.size());
    exchanged_ += payload.size() * sizeof(uint64_t);
    ++exchanges_;
}

void GlobalSelector::select(const std::vector<Unit> &units, Norm norm, const Allreduce &allreduce,
                            std::exception_ptr earlier, const std::function<void()> &check_open) {
    selected_ = false;
    exchanged_ = 0;
    exchanges_ = 0;
    warning_.clear();
    const kernels::Score score = norm == Norm::l1 ? kernels::Score::abs : kernels::Score::square;
    std::exception_ptr failure = earlier;
    const uint64_t fp = fingerprint(units, norm);
    size_t members = 0;
    for (const Unit &u : units) members += u.members.size();
    std::vector<uint64_t> payload, small(3);
    std::vector<size_t> scored;  // the units whose blocks are ranked: one histogram slot each
    std::vector<size_t> open;
    uint64_t participants = 1;

    // Every exchange after the first has the same size: 1 flag, 3 counts per
    // member (used in the first histogram round), a histogram per scored
    // unit. A participant whose allreduce failed alone does not know what the
    // others make of the sums it missed, only that they make one more
    // exchange of this size (unless its failure was their last exchange).
    size_t width = 0;
    const size_t head = 1 + 3 * members;

    // One exchange: runs fill (unless this participant already failed), puts
    // a failure in the payload's first count, and exchanges it.
    enum class Next { go_on, stop, announce };
    auto round = [&](std::vector<uint64_t> &p, bool keep, auto fill) -> Next {
        if (!failure) try {
                if (check_open) check_open();
                fill();
            } catch (...) {
                failure = std::current_exception();
            }
        const bool announced = failure != nullptr;
        if (announced) {
            if (!keep) std::fill(p.begin(), p.end(), 0);
            p[0] = 1;
        }
        try {
            exchange(allreduce, p);
        } catch (...) {
            if (announced) return Next::stop;  // the others learn it from this exchange (or theirs failed too)
            failure = std::current_exception();
            return Next::announce;
        }
        return p[0] > 0 ? Next::stop : Next::go_on;
    };
    auto failed_elsewhere = [&] {
        fail(Status::state, "the step failed on another of its " + std::to_string(participants) +
                                " participants; no mask changed");
    };
    auto stop = [&] {
        if (failure) std::rethrow_exception(failure);
        failed_elsewhere();
    };
    // This participant's allreduce failed where the others' may not have:
    // one more exchange tells them, then every participant stops.
    auto announce = [&] {
        payload.assign(width, 0);  // within the capacity sized in the first exchange
        payload[0] = 1;
        try {
            exchange(allreduce, payload);
        } catch (...) {
        }
        std::rethrow_exception(failure);
    };

    // 1. Does every participant hold the same units, and has none failed?
    small = {0, 1, fp};
    const Next first_exchange = round(small, true, [&] {
        compute_keys(units, score);
        for (size_t u = 0; u < units.size(); ++u)
            if (state_[u].kind == UnitState::Kind::scored) {
                if (scored.empty()) scored.reserve(units.size());
                scored.push_back(u);
            }
        width = head + scored.size() * kBins;
        sized(payload, width, "the selection histograms");
        open.reserve(units.size());
    });
    if (first_exchange == Next::announce) announce();
    participants = small[1];
    if (first_exchange == Next::stop || small[2] != participants * fp) {
        if (failure) std::rethrow_exception(failure);
        if (small[0] == 0)
            fail(Status::invalid_argument,
                 "the " + std::to_string(participants) +
                     " participants of the step disagree on its groups and shards (their names, order, levels, "
                     "global shapes, block shapes or dtypes); no mask changed");
        failed_elsewhere();
    }

    // 2. Narrow every unit's k-th tuple, one digit a round. The first round
    //    also counts every member's rows.
    bool first = true;
    for (;;) {
        open.clear();
        for (size_t o = 0; o < scored.size(); ++o)
            if (!state_[scored[o]].resolved) open.push_back(o);
        if (open.empty() && !first) break;
        payload.assign(width, 0);
        const Next next = round(payload, false, [&] {
            if (first) {
                size_t at = 1;
                for (const Unit &u : units)
                    for (const UnitMember &m : u.members) {
                        const uint64_t f = static_cast<uint64_t>(m.first_row), e = f + static_cast<uint64_t>(m.job.rows);
                        payload[at++] = e - f;
                        payload[at++] = sum_below(e) - sum_below(f);
                        payload[at++] = m.global_rows < static_cast<int64_t>(kMomentRows)
                                            ? squares_below(e) - squares_below(f) : 0;
                    }
            }
            for (size_t o : open) {
                const size_t u = scored[o];
                if (state_[u].depth >= kKeyDigits && !state_[u].ties_gathered) gather_ties(units, u, score);
                local_histogram(units, u, payload.data() + head + o * kBins);
            }
        });
        if (next == Next::announce) announce();
        if (next == Next::stop) stop();
        if (first) {
            size_t at = 1;
            for (const Unit &u : units)
                for (const UnitMember &m : u.members) {
                    const uint64_t rows = payload[at], sum = payload[at + 1], squares = payload[at + 2];
                    at += 3;
                    const uint64_t g = static_cast<uint64_t>(m.global_rows);
                    if (rows == g && (sum != sum_below(g) || (g < kMomentRows && squares != squares_below(g))))
                        fail(Status::invalid_argument,
                             "the shards of " + quoted(m.name) + " over the " + std::to_string(participants) +
                                 " participants overlap (some of its " + std::to_string(g) +
                                 " rows are held twice, others by no one); no mask changed");
                    if (rows != g)
                        fail(Status::invalid_argument,
                             "the shards of " + quoted(m.name) + " hold " + std::to_string(rows) +
                                 " rows in all over the " + std::to_string(participants) +
                                 " participants, its global row count is " + std::to_string(m.global_rows) +
                                 " (every row must be held by exactly one participant); no mask changed");
                }
            first = false;
        }
        for (size_t o : open) {
            const size_t u = scored[o];
            UnitState &st = state_[u];
            const uint64_t *h = payload.data() + head + o * kBins;
            const Digit d = kDigits[st.depth];
            const uint64_t bins = uint64_t{1} << d.bits;
            uint64_t below = 0, b = 0;
            while (b < bins && below + h[b] < static_cast<uint64_t>(st.need)) below += h[b++];
            if (b == bins)
                fail(Status::invalid_argument, "the shards of " + quoted(units[u].name) +
                                                   " disagree (fewer blocks than the selection counts); no mask "
                                                   "changed");
            st.prefix[d.comp] |= b << d.shift;
            st.need -= static_cast<int64_t>(below);
            if (h[b] == static_cast<uint64_t>(st.need)) {
                st.resolved = true;  // every block of this prefix is selected: the threshold is here
            } else if (st.depth + 1 == kDepths) {
                fail(Status::invalid_argument, "the shards of " + quoted(units[u].name) +
                                                   " overlap (two participants hold the same rows); no mask changed");
            } else {
                ++st.depth;
            }
        }
    }

    // 3. Agree on success before anyone commits: the last exchange.
    payload.assign(width, 0);
    const Next last = round(payload, false, [&] {
        for (size_t u = 0; u < units.size(); ++u) mark_selected(units, u);
    });
    if (last == Next::announce) {
        // Every participant had finished its selection with nothing to
        // announce (else this one would know from an earlier exchange): the
        // others commit, and so does this one, so that all agree.
        std::string why = "unknown error";
        try {
            std::rethrow_exception(failure);
        } catch (const std::exception &e) {
            why = e.what();
        } catch (...) {
        }
        try {  // logged by the sparsifier once the masks are written (the log handler may call back in)
            warning_ = "the allreduce failed at the step's last exchange (" + why +
                       "); every participant had completed the selection before it, so the masks are written as "
                       "on the others";
        } catch (const std::bad_alloc &) {
        }
        selected_ = true;
        return;
    }
    if (last == Next::stop) stop();
    selected_ = true;
}

void GlobalSelector::commit(const std::vector<Unit> &units) {
    if (!selected_) return;
    selected_ = false;
    const kernels::Table &k = *table_;
    const int threads = static_cast<int>(mask_scratch_.size());
    for (size_t u = 0; u < units.size(); ++u) {
        const UnitState &st = state_[u];
        for (size_t j = 0; j < units[u].members.size(); ++j) {
            const MaskJob &job = units[u].members[j].job;
            if (job.rows == 0) continue;
            const kernels::Blocks b = blocks_of(job);
            const size_t n = static_cast<size_t>(job.rows * job.cols);
            if (st.kind == UnitState::Kind::none || job.params.zeros_per_block == 0) {
                std::memset(job.mask, 1, n);
                continue;
            }
            if (st.kind == UnitState::Kind::all && job.params.zeros_per_block >= b.br * b.bc) {
                std::memset(job.mask, 0, n);
                continue;
            }
            const kernels::Selection sel{st.kind == UnitState::Kind::scored ? keys_[slot_[u] + j].data() : nullptr,
                                         st.below, st.kind == UnitState::Kind::all};
            const kernels::Matrix m{job.data, static_cast<kernels::Elem>(job.dtype), job.rows, job.cols, job.stride};
            const int shares = job.rows * job.cols >= kParallelElements
                                   ? static_cast<int>(std::min<int64_t>(threads, b.grid_rows))
                                   : 1;
#pragma omp parallel for schedule(static, 1) num_threads(shares) if (shares > 1)
            for (int q = 0; q < shares; ++q)
                k.mask_rows(m, b, job.params.zeros_per_block, sel, b.grid_rows * q / shares,
                            b.grid_rows * (q + 1) / shares, job.mask,
                            mask_scratch_[static_cast<size_t>(omp_get_thread_num())].data());
        }
    }
}

}  // namespace ds
