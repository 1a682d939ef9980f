// The data scheduler: varies one config key of every item of a sparsifier
// over epochs, with a Schedule computing each value.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/busy.hpp"
#include "core/schedules.hpp"
#include "core/sparsifier.hpp"
#include "core/state/snapshot.hpp"

namespace ds {

// Epochs are at most 2^53 - 1: schedules compute with them as doubles, and
// last_epoch + 1 must never overflow.
inline constexpr int64_t kMaxEpoch = (int64_t{1} << 53) - 1;

class Scheduler {
public:
    // Records base values and performs the first step (which may throw).
    Scheduler(Sparsifier &sparsifier, std::string schedule_param, std::unique_ptr<Schedule> schedule,
              int64_t last_epoch);

    void step();

    int64_t last_epoch() const { return last_epoch_; }
    int64_t step_count() const { return step_count_; }
    const std::string &schedule_param() const { return param_; }
    void set_verbose(bool verbose);
    // For the owner: marks the scheduler closing during a callback (busy.hpp).
    BusyFlag &busy_flag() { return busy_; }

    struct Entry {
        std::string name;
        double base = 0.0;
        std::optional<double> last;  // absent until a step scheduled the item
    };
    const std::vector<Entry> &entries() const { return entries_; }
    const Entry &entry(const std::string &name) const;  // Status::not_found

    SchedulerSnapshot snapshot() const;
    // Validates the snapshot against this scheduler, then replaces its state.
    void restore(const SchedulerSnapshot &snapshot);

private:
    Sparsifier &sparsifier();  // Status::state once the sparsifier was destroyed
    void check_not_busy(const char *operation) const;

    Sparsifier *sparsifier_;
    std::weak_ptr<const int> sparsifier_alive_;
    std::string param_;
    std::unique_ptr<Schedule> schedule_;
    int64_t last_epoch_;
    int64_t step_count_ = 0;
    int64_t sparsifier_steps_at_start_;
    std::vector<Entry> entries_;  // items with a base value, in the sparsifier's order
    std::unordered_map<std::string, size_t> index_;  // name -> position in entries_
    bool verbose_ = false;
    BusyFlag busy_;  // inside a schedule callback
};

}  // namespace ds
