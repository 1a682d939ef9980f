#include <cmath>
#include <memory>

#include "capi/common.hpp"

using ds::capi::guarded;
using ds::capi::require;
using ds::capi::require_string;

namespace {

std::string callback_detail() {
    std::string detail = ds::capi::take_callback_error();
    return detail.empty() ? "" : ": " + detail;
}

// A schedule written by the user as a C callback.
class CallbackSchedule final : public ds::Schedule {
public:
    CallbackSchedule(ds_schedule_fn fn, void *user_data) : fn_(fn), user_data_(user_data) {}
    double value(const std::string &name, int64_t epoch, double base, double current) override {
        double out = NAN;
        ds::capi::clear_callback_error();
        const int rc = fn_(user_data_, name.c_str(), epoch, base, current, &out);
        if (rc != 0)
            ds::fail(DS_ERR_CALLBACK, "schedule callback failed for data " + ds::quoted(name) + " at epoch " +
                                          std::to_string(epoch) + " (returned " + std::to_string(rc) + ")" +
                                          callback_detail());
        return out;
    }
    const char *kind() const override { return "callback"; }
    std::unique_ptr<ds::Schedule> clone() const override { return std::make_unique<CallbackSchedule>(*this); }

private:
    ds_schedule_fn fn_;
    void *user_data_;
};

ds_scheduler *make_scheduler(ds_sparsifier *s, const char *schedule_param, std::unique_ptr<ds::Schedule> schedule,
                             int64_t last_epoch) {
    return new ds_scheduler{
        std::make_unique<ds::Scheduler>(s->core, require_string(schedule_param, "schedule_param"),
                                        std::move(schedule), last_epoch)};
}

ds_schedule *make_builtin(const char *kind, const ds::Config &params) {
    return new ds_schedule{ds::make_builtin(kind, params)};
}

}  // namespace

extern "C" {

DS_API ds_status ds_scheduler_create(ds_sparsifier *s, const char *schedule_param, ds_schedule_fn fn,
                                     void *user_data, int64_t last_epoch, ds_scheduler **out) {
    return guarded([&] {
        require(s, "s");
        require(schedule_param, "schedule_param");
        require(reinterpret_cast<const void *>(fn), "fn");
        require(out, "out");
        *out = make_scheduler(s, schedule_param, std::make_unique<CallbackSchedule>(fn, user_data), last_epoch);
    });
}

DS_API ds_status ds_scheduler_create_builtin(ds_sparsifier *s, const char *schedule_param,
                                             const ds_schedule *schedule, int64_t last_epoch, ds_scheduler **out) {
    return guarded([&] {
        require(s, "s");
        require(schedule_param, "schedule_param");
        require(schedule, "schedule");
        require(out, "out");
        *out = make_scheduler(s, schedule_param, schedule->schedule->clone(), last_epoch);
    });
}

DS_API ds_status ds_schedule_create_gamma(double gamma, double threshold, ds_schedule **out) {
    return guarded([&] {
        require(out, "out");
        *out = make_builtin("gamma", {{"gamma", gamma}, {"threshold", threshold}});
    });
}

DS_API ds_status ds_schedule_create_step(int64_t step_size, double gamma, ds_schedule **out) {
    return guarded([&] {
        require(out, "out");
        *out = make_builtin("step", {{"step_size", static_cast<double>(step_size)}, {"gamma", gamma}});
    });
}

DS_API ds_status ds_schedule_create_lambda(ds_lambda_fn fn, void *user_data, ds_schedule **out) {
    return guarded([&] {
        require(reinterpret_cast<const void *>(fn), "fn");
        require(out, "out");
        auto factor = [fn, user_data](int64_t epoch) {
            double value = NAN;
            ds::capi::clear_callback_error();
            const int rc = fn(user_data, epoch, &value);
            if (rc != 0)
                ds::fail(DS_ERR_CALLBACK, "lambda schedule callback failed at epoch " + std::to_string(epoch) +
                                              " (returned " + std::to_string(rc) + ")" + callback_detail());
            return value;
        };
        *out = new ds_schedule{ds::make_lambda(factor)};
    });
}

DS_API ds_status ds_schedule_create_cubic(double init_value, int64_t init_t, int64_t delta_t, int64_t total_t,
                                          int initially_zero, ds_schedule **out) {
    return guarded([&] {
        require(out, "out");
        *out = make_builtin("cubic", {{"init_value", init_value},
                                      {"init_t", static_cast<double>(init_t)},
                                      {"delta_t", static_cast<double>(delta_t)},
                                      {"total_t", static_cast<double>(total_t)},
                                      {"initially_zero", initially_zero ? 1.0 : 0.0}});
    });
}

DS_API ds_status ds_schedule_create_polynomial_decay(double initial, double final, int64_t begin_step,
                                                     int64_t end_step, double power, int64_t frequency,
                                                     ds_schedule **out) {
    return guarded([&] {
        require(out, "out");
        *out = make_builtin("polynomial_decay", {{"initial", initial},
                                                 {"final", final},
                                                 {"begin_step", static_cast<double>(begin_step)},
                                                 {"end_step", static_cast<double>(end_step)},
                                                 {"power", power},
                                                 {"frequency", static_cast<double>(frequency)}});
    });
}

DS_API ds_status ds_schedule_create_constant(double value, int64_t begin_step, int64_t end_step, int64_t frequency,
                                             ds_schedule **out) {
    return guarded([&] {
        require(out, "out");
        *out = make_builtin("constant", {{"value", value},
                                         {"begin_step", static_cast<double>(begin_step)},
                                         {"end_step", static_cast<double>(end_step)},
                                         {"frequency", static_cast<double>(frequency)}});
    });
}

DS_API const char *ds_schedule_kind(const ds_schedule *schedule) {
    return schedule ? schedule->schedule->kind() : "";
}

DS_API void ds_schedule_destroy(ds_schedule *schedule) { delete schedule; }

DS_API ds_status ds_scheduler_step(ds_scheduler *sch) {
    return guarded([&] {
        require(sch, "sch");
        sch->core->step();
    });
}

DS_API ds_status ds_scheduler_get_last_param(const ds_scheduler *sch, const char *name, double *out) {
    return guarded([&] {
        require(sch, "sch");
        std::string n = require_string(name, "name");
        require(out, "out");
        const auto &e = sch->core->entry(n);
        if (!e.last) ds::fail(DS_ERR_NOT_FOUND, "the last step did not schedule data " + ds::quoted(n));
        *out = *e.last;
    });
}

DS_API ds_status ds_scheduler_get_base_param(const ds_scheduler *sch, const char *name, double *out) {
    return guarded([&] {
        require(sch, "sch");
        std::string n = require_string(name, "name");
        require(out, "out");
        *out = sch->core->entry(n).base;
    });
}

DS_API int64_t ds_scheduler_last_epoch(const ds_scheduler *sch) {
    if (!sch) {
        ds::capi::set_last_error("sch must not be NULL");
        return INT64_MIN;
    }
    return sch->core->last_epoch();
}

DS_API ds_status ds_scheduler_step_count(const ds_scheduler *sch, int64_t *out) {
    return guarded([&] {
        require(sch, "sch");
        require(out, "out");
        *out = sch->core->step_count();
    });
}

DS_API ds_status ds_scheduler_get_schedule_param(const ds_scheduler *sch, const char **out) {
    return guarded([&] {
        require(sch, "sch");
        require(out, "out");
        *out = sch->core->schedule_param().c_str();
    });
}

DS_API ds_status ds_scheduler_count(const ds_scheduler *sch, size_t *out) {
    return guarded([&] {
        require(sch, "sch");
        require(out, "out");
        *out = sch->core->entries().size();
    });
}

DS_API ds_status ds_scheduler_name_at(const ds_scheduler *sch, size_t index, const char **out) {
    return guarded([&] {
        require(sch, "sch");
        require(out, "out");
        const auto &entries = sch->core->entries();
        ds::capi::check_index(index, entries.size(), "scheduled items");
        *out = entries[index].name.c_str();
    });
}

DS_API ds_status ds_scheduler_set_verbose(ds_scheduler *sch, int verbose) {
    return guarded([&] {
        require(sch, "sch");
        sch->core->set_verbose(verbose != 0);
    });
}

DS_API void ds_scheduler_destroy(ds_scheduler *sch) { delete sch; }

}  // extern "C"
