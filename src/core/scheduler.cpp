#include "core/scheduler.hpp"

#include <cmath>
#include <string>
#include <vector>
#include <unordered_map>
#include <utility>

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/norm_config.hpp"

namespace ds {

namespace {

std::unordered_map<std::string, size_t> index_of(const std::vector<Scheduler::Entry> &entries) {
    std::unordered_map<std::string, size_t> index;
    index.reserve(entries.size());
    for (size_t i = 0; i < entries.size(); ++i) index.emplace(entries[i].name, i);
    return index;
}

}  // namespace

Scheduler::Scheduler(Sparsifier &sparsifier, std::string schedule_param, std::unique_ptr<Schedule> schedule,
                     int64_t last_epoch)
    : sparsifier_(&sparsifier),
      sparsifier_alive_(sparsifier.lifetime()),
      param_(std::move(schedule_param)),
      schedule_(std::move(schedule)),
      last_epoch_(last_epoch),
      sparsifier_steps_at_start_(sparsifier.step_count()) {
    if (param_.empty()) fail(Status::invalid_argument, "schedule_param must not be empty");
    if (!schedule_) fail(Status::invalid_argument, "schedule must not be NULL");
    if (last_epoch < -1 || last_epoch >= kMaxEpoch)
        fail(Status::invalid_argument, "last_epoch must be in [-1, " + std::to_string(kMaxEpoch - 1) +
                                           "] (-1 to start; the creation steps to last_epoch + 1), got " +
                                           std::to_string(last_epoch));
    for (const Item &it : sparsifier.items()) {
        double base;
        if (sparsifier.get_param(it.name, param_, &base)) entries_.push_back({it.name, base, std::nullopt});
    }
    index_ = index_of(entries_);
    step();
}

Sparsifier &Scheduler::sparsifier() {
    if (sparsifier_alive_.expired()) fail(Status::state, "the scheduler's sparsifier was destroyed");
    return *sparsifier_;
}

void Scheduler::check_not_busy(const char *operation) const {
    if (busy_.busy())
        fail(Status::state, std::string(operation) + " is not allowed from inside this scheduler's schedule callback");
}

void Scheduler::set_verbose(bool verbose) {
    check_not_busy("set_verbose");
    verbose_ = verbose;
}

const Scheduler::Entry &Scheduler::entry(const std::string &name) const {
    auto it = index_.find(name);
    if (it == index_.end()) fail(Status::not_found, "scheduler has no value for data " + quoted(name));
    return entries_[it->second];
}

void Scheduler::step() {
    check_not_busy("step");
    Sparsifier &sp = sparsifier();
    if (sp.busy()) fail(Status::state, "the scheduler cannot step while a callback on its sparsifier runs");
    // Messages are logged at the end: the log handler is user code, and may
    // call back into the library (or destroy this scheduler).
    std::vector<std::string> warnings, verbose;
    if (step_count_ == 1 && sp.step_count() == sparsifier_steps_at_start_)
        warnings.push_back(
            "detected a call of the scheduler's step before the sparsifier's step: call the sparsifier's "
            "step first (the first value of the schedule is otherwise skipped)");

    if (last_epoch_ >= kMaxEpoch)
        fail(Status::state, "the scheduler is at its last epoch, " + std::to_string(kMaxEpoch) + ": it cannot step again");
    const int64_t epoch = last_epoch_ + 1;

    // The values of every item that has the parameter, in the sparsifier's
    // order. entries_ is normally in that order too: an item whose entry is
    // not where expected (items added or removed since) is looked up by name,
    // and the entries are then rebuilt.
    std::vector<const Item *> items;
    std::vector<double> bases, values;
    items.reserve(sp.items().size());
    bases.reserve(sp.items().size());
    values.reserve(sp.items().size());
    bool in_order = true;
    std::vector<std::pair<size_t, const Item *>> followers;  // (position, the group's first member)
    std::unordered_map<std::string, const Item *> leaders;   // a group's other members -> its first
    if (param_ == keys::sparsity_level)
        for (const Sparsifier::Group &g : sp.groups())
            for (size_t m = 1; m < g.members.size(); ++m) leaders.emplace(g.members[m], sp.find(g.members.front()));
    {
        BusyFlag::Scope guard(busy_);
        BusyFlag::Scope scope(sp.busy_flag());  // the items cannot change under this loop
        for (const Item &it : sp.items()) {
            double current;
            if (!sp.param_of(it, param_, &current)) continue;  // no value to schedule
            const size_t pos = items.size();
            const Entry *known = nullptr;
            if (pos < entries_.size() && entries_[pos].name == it.name) {
                known = &entries_[pos];
            } else {
                in_order = false;
                auto found = index_.find(it.name);
                if (found != index_.end()) known = &entries_[found->second];
            }
            const double base = known ? known->base : current;
            // A group's level is one value: its first member's schedule,
            // given to every member (taken from the leader below).
            auto led = leaders.find(it.name);
            const Item *leader = led == leaders.end() ? nullptr : led->second;
            if (leader) {
                followers.emplace_back(items.size(), leader);
                items.push_back(&it);
                bases.push_back(base);
                values.push_back(0.0);
                continue;
            }
            const double v = schedule_->value(it.name, epoch, base, current);
            busy_.check_open("scheduler", "step");  // no further callbacks once closed
            sp.busy_flag().check_open("sparsifier", "scheduler step");
            if (!std::isfinite(v))
                fail(Status::callback, "schedule returned " + format_number(v) + " for data " + quoted(it.name) +
                                          " at epoch " + std::to_string(epoch));
            items.push_back(&it);
            bases.push_back(base);
            values.push_back(v);
        }
    }
    busy_.check_open("scheduler", "step");
    sp.busy_flag().check_open("sparsifier", "scheduler step");
    std::unordered_map<const Item *, size_t> position;  // of the leaders among the scheduled items
    if (!followers.empty())
        for (size_t i = 0; i < items.size(); ++i) position.emplace(items[i], i);
    for (const auto &f : followers) {
        auto found = position.find(f.second);
        const size_t i = found == position.end() ? items.size() : found->second;
        if (i == items.size())  // the leader has no value to schedule: the follower keeps its own
            sp.param_of(*items[f.first], param_, &values[f.first]);
        else
            values[f.first] = values[i];
    }
    in_order = in_order && items.size() == entries_.size();
    std::vector<Entry> next;  // the new entries, unless they can be updated in place
    std::unordered_map<std::string, size_t> next_index;
    if (!in_order) {
        next.reserve(items.size());
        for (size_t i = 0; i < items.size(); ++i) next.push_back({items[i]->name, bases[i], values[i]});
        next_index = index_of(next);
    }
    try {
        sp.set_params(items, values, param_);  // checks every value, then applies all
    } catch (const Error &e) {
        fail(e.status(), "epoch " + std::to_string(epoch) + ": schedule value rejected: " + e.what());
    }
    // Commit: nothing below can fail.
    if (in_order) {
        for (size_t i = 0; i < items.size(); ++i) entries_[i].last = values[i];
    } else {
        entries_.swap(next);
        index_.swap(next_index);
    }
    last_epoch_ = epoch;
    ++step_count_;
    sp.set_mask_update(true);
    if (verbose_) {
        try {
            for (const Entry &e : entries_)
                verbose.push_back("epoch " + std::to_string(epoch) + ": adjusting " + quoted(param_) + " of " +
                                  quoted(e.name) + " to " + format_number(*e.last));
        } catch (...) {
            // out of memory for a log line: the step itself is done
        }
    }
    for (const std::string &m : warnings) log(LogLevel::warning, m);
    for (const std::string &m : verbose) log(LogLevel::info, m);
}

SchedulerSnapshot Scheduler::snapshot() const {
    SchedulerSnapshot s;
    s.schedule_param = param_;
    s.schedule_kind = schedule_->kind();
    s.schedule_params = schedule_->params();
    s.last_epoch = last_epoch_;
    s.step_count = step_count_;
    for (const Entry &e : entries_) s.entries.push_back({e.name, e.base, e.last});
    return s;
}

void Scheduler::restore(const SchedulerSnapshot &s) {
    check_not_busy("load");
    if (s.schedule_param != param_)
        fail(Status::corrupt, "state schedules " + quoted(s.schedule_param) + ", this scheduler schedules " +
                                 quoted(param_));
    if (s.schedule_kind != schedule_->kind())
        fail(Status::corrupt, "state was saved with a " + quoted(s.schedule_kind) + " schedule, this scheduler has a " +
                                 quoted(schedule_->kind()) + " schedule");
    if (s.last_epoch < -1 || s.last_epoch > kMaxEpoch || s.step_count < 0)
        fail(Status::corrupt, "state has last_epoch " + std::to_string(s.last_epoch) + " (must be in [-1, " +
                                  std::to_string(kMaxEpoch) + "]) and step count " + std::to_string(s.step_count));
    std::unique_ptr<Schedule> schedule;
    if (find_builtin_schedule(s.schedule_kind)) {
        try {
            schedule = make_builtin(s.schedule_kind, s.schedule_params);
        } catch (const Error &e) {
            fail(Status::corrupt, std::string("state's schedule parameters are invalid: ") + e.what());
        }
    } else if (!s.schedule_params.empty()) {  // a callback or lambda schedule has none to restore
        fail(Status::corrupt, "state gives schedule parameters (" + quoted(s.schedule_params.begin()->first) +
                                  (s.schedule_params.size() > 1 ? ", ..." : "") + ") to a " + quoted(s.schedule_kind) +
                                  " schedule, which has none");
    }
    std::vector<Entry> entries;
    std::vector<std::pair<std::string, double>> values;  // the last step's values, back into the sparsifier
    for (const auto &e : s.entries) {
        if (!e.base) fail(Status::corrupt, "state has no base value for " + quoted(e.name));
        entries.push_back({e.name, *e.base, e.last});
        if (e.last) values.emplace_back(e.name, *e.last);
    }
    Sparsifier &sp = sparsifier();
    if (sp.busy()) fail(Status::state, "the scheduler cannot load while a callback on its sparsifier runs");
    for (const Entry &e : entries)
        if (!sp.find(e.name))
            fail(Status::corrupt, "state schedules data " + quoted(e.name) +
                                      " that the sparsifier does not have (restore the sparsifier first)");
    auto index = index_of(entries);
    try {
        sp.set_params(values, param_);  // checks all, then applies all
    } catch (const Error &e) {
        fail(Status::corrupt, std::string("state's values do not fit the sparsifier: ") + e.what());
    }
    // Commit: nothing below can fail.
    if (schedule) schedule_.swap(schedule);
    entries_.swap(entries);
    index_.swap(index);
    last_epoch_ = s.last_epoch;
    step_count_ = s.step_count;
    sparsifier_steps_at_start_ = sp.step_count();
}

}  // namespace ds
