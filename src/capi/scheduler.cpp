#include <cmath>
#include <memory>

#include "capi/common.hpp"

using ds::capi::guarded;
using ds::capi::require;
using ds::capi::require_string;

namespace {

// A schedule written by the user as a C callback.
class CallbackSchedule final : public ds::Schedule {
public:
    CallbackSchedule(ds_schedule_fn fn, void *user_data) : fn_(fn), user_data_(user_data) {}
    double value(const std::string &name, int64_t epoch, double base, double current) override {
        double out = NAN;
        ds::capi::clear_callback_error();
        const int rc = fn_(user_data_, name.c_str(), epoch, base, current, &out);
        if (rc != 0)
            ds::fail(ds::Status::callback, "schedule callback failed for data " + ds::quoted(name) + " at epoch " +
                                          std::to_string(epoch) + " (returned " + std::to_string(rc) + ")" +
                                          ds::capi::callback_detail());
        return out;
    }
    const char *kind() const override { return ds::kUserScheduleKind; }
    std::unique_ptr<ds::Schedule> clone() const override { return std::make_unique<CallbackSchedule>(*this); }

private:
    ds_schedule_fn fn_;
    void *user_data_;
};

ds_scheduler *make_scheduler(ds_sparsifier *s, const char *schedule_param, std::unique_ptr<ds::Schedule> schedule,
                             int64_t last_epoch) {
    ds::capi::InUse<ds_sparsifier> use(s);  // the first step runs the schedule (and the log handler)
    auto core = std::make_unique<ds::Scheduler>(s->core, require_string(schedule_param, "schedule_param"),
                                                std::move(schedule), last_epoch);
    if (s->use.destroy_pending)
        ds::fail(ds::Status::state, "the sparsifier was closed (destroyed) during the scheduler's creation");
    return new ds_scheduler{std::move(core), s, s->core.lifetime(), {}};
}

// Holds a scheduler and its sparsifier (if alive) for the duration of a call
// that may run user code, then runs body.
template <typename Body>
void with_scheduler(ds_scheduler *sch, Body &&body) {
    require(sch, "sch");
    ds::capi::InUse<ds_scheduler> use(sch);
    ds::capi::InUse<ds_sparsifier> sparsifier_use(ds::capi::live_sparsifier(sch));
    body();
}

}  // namespace

extern "C" {

DS_API ds_status ds_scheduler_create(ds_sparsifier *s, const char *schedule_param, ds_schedule_fn fn,
                                     void *user_data, int64_t last_epoch, ds_scheduler **out) {
    return guarded(__func__, [&] {
        require(s, "s");
        require(schedule_param, "schedule_param");
        require(reinterpret_cast<const void *>(fn), "fn");
        require(out, "out");
        *out = make_scheduler(s, schedule_param, std::make_unique<CallbackSchedule>(fn, user_data), last_epoch);
    });
}

DS_API ds_status ds_scheduler_create_builtin(ds_sparsifier *s, const char *schedule_param,
                                             const ds_schedule *schedule, int64_t last_epoch, ds_scheduler **out) {
    return guarded(__func__, [&] {
        require(s, "s");
        require(schedule_param, "schedule_param");
        require(schedule, "schedule");
        require(out, "out");
        *out = make_scheduler(s, schedule_param, schedule->schedule->clone(), last_epoch);
    });
}

DS_API ds_status ds_scheduler_step(ds_scheduler *sch) {
    return guarded(__func__, [&] { with_scheduler(sch, [&] { sch->core->step(); }); });
}

DS_API ds_status ds_scheduler_get_last_param(const ds_scheduler *sch, const char *name, double *out) {
    return guarded(__func__, [&] {
        require(sch, "sch");
        std::string n = require_string(name, "name");
        require(out, "out");
        const auto &e = sch->core->entry(n);
        if (!e.last) ds::fail(ds::Status::not_found, "the last step did not schedule data " + ds::quoted(n));
        *out = *e.last;
    });
}

DS_API ds_status ds_scheduler_get_base_param(const ds_scheduler *sch, const char *name, double *out) {
    return guarded(__func__, [&] {
        require(sch, "sch");
        std::string n = require_string(name, "name");
        require(out, "out");
        *out = sch->core->entry(n).base;
    });
}

DS_API int64_t ds_scheduler_last_epoch(const ds_scheduler *sch) {
    return ds::capi::guarded_value<int64_t>(__func__, INT64_MIN, [&] {
        require(sch, "sch");
        return sch->core->last_epoch();
    });
}

DS_API int64_t ds_scheduler_step_count(const ds_scheduler *sch) {
    return ds::capi::guarded_value<int64_t>(__func__, -1, [&] {
        require(sch, "sch");
        return sch->core->step_count();
    });
}

DS_API const char *ds_scheduler_schedule_param(const ds_scheduler *sch) {
    return ds::capi::guarded_value<const char *>(__func__, "", [&] {
        require(sch, "sch");
        return sch->core->schedule_param().c_str();
    });
}

DS_API size_t ds_scheduler_count(const ds_scheduler *sch) {
    return ds::capi::guarded_value<size_t>(__func__, 0, [&] {
        require(sch, "sch");
        return sch->core->entries().size();
    });
}

DS_API ds_status ds_scheduler_get_name(const ds_scheduler *sch, size_t index, const char **out) {
    return guarded(__func__, [&] {
        require(sch, "sch");
        require(out, "out");
        const auto &entries = sch->core->entries();
        ds::capi::check_index(index, entries.size(), "scheduled items");
        *out = entries[index].name.c_str();
    });
}

DS_API ds_status ds_scheduler_set_verbose(ds_scheduler *sch, int verbose) {
    return guarded(__func__, [&] { with_scheduler(sch, [&] { sch->core->set_verbose(verbose != 0); }); });
}

DS_API void ds_scheduler_destroy(ds_scheduler *sch) {
    ds::capi::destroy_handle(sch, [sch] { sch->core->busy_flag().mark_closing(); });
}

}  // extern "C"
