// One selection over several items, and over items split across processes
// (src/core/semantics.md, "Groups and shards").
//
// A unit is what one sparsity level applies to: a group of items, or one
// item held as row shards by several participants (processes, or anything
// an allreduce can join). Its blocks are ranked together by the tuple
//
//     (key, exact mean, position)
//
// where key is the kernels' 31-bit order key of the block mean, the exact
// mean is the double mean (0 for NaN means), and position is the block's
// index in the unit: the blocks of earlier members first, then row-major over
// the member's whole (global) block grid. The k lowest tuples are selected,
// k = round_half_even(level * blocks of the whole unit). For one item held
// whole this is exactly the order of NormMasker, so a unit of one member
// masks like an ordinary item.
//
// The selection is exact and distributed: each participant counts the
// digits of its blocks' tuples in histograms, an allreduce sums them, and
// every participant narrows the same prefix the same way until the k-th
// tuple is known (three rounds of 2048 bins per unit when no two blocks
// share a key, at most fifteen). What is exchanged depends on the number of
// units, never on the data's size.
//
// All-or-nothing across participants: a failure on any of them (before or
// during the selection) is announced in the next exchange, and every
// participant fails with no mask changed. That includes an allreduce that
// fails on one participant only, after the others got their sums: every
// exchange after the first has one size, so the failed participant can take
// part in the next one and announce its failure there. At the last exchange
// (the agreement) there is no next one: every participant had completed its
// selection before it, so a participant whose allreduce fails there commits
// like the others, with a warning (take_warning). All participants reach the
// same outcome when at most one thing goes wrong in a step; an allreduce
// that returns without taking part at all leaves the others waiting (the
// engine's own timeout must end that).
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <string>
#include <vector>

#include "core/norm_config.hpp"
#include "core/norm_mask.hpp"
#include "kernels/kernels.hpp"

namespace ds {

// Sums counts[0..count) element-wise over every participant, in place.
// Throws ds::Error on failure.
using Allreduce = std::function<void(uint64_t *counts, size_t count)>;

struct UnitMember {
    std::string name;
    MaskJob job;          // the rows held here (rows may be 0: data and mask unused)
    int64_t global_rows;  // rows of the whole tensor
    int64_t first_row;    // the first of them held here (a multiple of the block rows)
};

struct Unit {
    std::string name;  // the group's, or the sharded item's
    double level;      // sparsity_level of the unit
    std::vector<UnitMember> members;  // in tie order
};

class GlobalSelector {
public:
    // Selects every unit's blocks; writes no mask. `earlier`: a failure of
    // the step before this call, or null: with one, the selection still
    // takes part in the exchanges it announces the failure in, then
    // rethrows it. Every participant passes units of the same names, levels
    // and geometry in the same order, else every participant fails.
    // check_open (may be empty) runs before each exchange and throws if this
    // participant must give up (its object was closed during a callback):
    // the failure is then announced like any other.
    void select(const std::vector<Unit> &units, Norm norm, const Allreduce &allreduce, std::exception_ptr earlier,
                const std::function<void()> &check_open);
    // Writes the masks select chose. Cannot fail.
    void commit(const std::vector<Unit> &units);

    // Bytes this participant sent to the allreduce in the last select.
    uint64_t last_exchanged_bytes() const { return exchanged_; }
    // Exchanges (allreduce calls) of the last select.
    int last_exchanges() const { return exchanges_; }
    // What the last select has to report once its masks are written (empty:
    // nothing): an allreduce that failed at the last exchange. Moved out.
    std::string take_warning() { return std::move(warning_); }

private:
    struct TieBlock {
        uint64_t mean_bits, position;
        uint32_t member;
        uint64_t index;  // in the member's local block grid
    };
    struct UnitState {
        enum class Kind { none, all, scored } kind = Kind::scored;
        int64_t blocks = 0, k = 0;
        std::vector<uint64_t> offsets;  // each member's first position
        int depth = 0;                  // digits fixed so far
        uint64_t prefix[3] = {0, 0, 0};  // the fixed digits, per component
        int64_t need = 0;               // how many of the prefix's blocks are still to select
        bool resolved = false;
        std::vector<TieBlock> ties;  // local blocks with key == the k-th key (depth >= 3)
        bool ties_gathered = false;
        // The first digit's histogram, counted while scoring (empty if a
        // member's blocks could overflow the kernels' 32-bit counts).
        std::vector<uint64_t> first_hist;
        // Selected blocks have keys below this (after mark_selected).
        uint32_t below = 1;
    };

    void compute_keys(const std::vector<Unit> &units, kernels::Score score);
    void local_histogram(const std::vector<Unit> &units, size_t u, uint64_t *hist);
    void gather_ties(const std::vector<Unit> &units, size_t u, kernels::Score score);
    void mark_selected(const std::vector<Unit> &units, size_t u);
    void exchange(const Allreduce &allreduce, std::vector<uint64_t> &payload);

    const kernels::Table *table_ = nullptr;
    std::vector<std::vector<uint32_t>> keys_;  // per unit member, flattened: [unit][member] -> keys_[slot]
    std::vector<size_t> slot_;                 // first keys_ slot of each unit
    std::vector<UnitState> state_;
    std::vector<std::vector<double>> score_scratch_;
    std::vector<std::vector<uint32_t>> mask_scratch_;
    std::vector<std::vector<uint32_t>> hist_scratch_;  // one first-digit histogram per share of a member
    uint64_t exchanged_ = 0;
    int exchanges_ = 0;
    bool selected_ = false;
    std::string warning_;
};

}  // namespace ds
