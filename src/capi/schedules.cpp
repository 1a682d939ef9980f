// Built-in schedule descriptions (ds_schedule) and the registry as C data.
#include <cmath>
#include <memory>
#include <vector>

#include "capi/common.hpp"

using ds::capi::guarded;
using ds::capi::require;
using ds::capi::require_string;

namespace {

// The positional constructors: values in the registry's parameter order.
ds_schedule *make_builtin(const char *kind, const std::vector<ds::ParamValue> &values) {
    const ds::ScheduleSpec *spec = ds::find_builtin_schedule(kind);
    if (!spec) ds::fail(ds::Status::internal, std::string("no built-in schedule ") + kind);
    return new ds_schedule{ds::make_builtin(*spec, values)};
}

template <typename Options>
void check_version(const Options *options, unsigned expected, const char *macro) {
    require(options, "options");
    if (options->version != expected)
        ds::fail(ds::Status::invalid_argument, std::string("options->version must be ") + macro + " (" +
                                                   std::to_string(expected) + "), got " +
                                                   std::to_string(options->version) +
                                                   " (initialise options with its _INIT macro)");
}

ds_param_info to_c(const ds::ParamSpec &p) {
    return {p.name, ds::capi::to_c(p.type), p.min, p.max, p.has_default ? 1 : 0, p.default_value, p.doc};
}

// The registry in C form, built once from the core's tables.
struct CRegistry {
    std::vector<std::vector<ds_param_info>> schedule_params;
    std::vector<ds_schedule_info> schedules;
    std::vector<ds_param_info> norm_keys;

    CRegistry() {
        const auto &specs = ds::builtin_schedules();
        schedule_params.reserve(specs.size());
        for (const ds::ScheduleSpec &s : specs) {
            std::vector<ds_param_info> params;
            for (const ds::ParamSpec &p : s.params) params.push_back(to_c(p));
            schedule_params.push_back(std::move(params));
        }
        for (size_t i = 0; i < specs.size(); ++i)
            schedules.push_back({specs[i].kind, specs[i].formula, specs[i].after, schedule_params[i].size(),
                                 schedule_params[i].data()});
        for (const ds::ParamSpec &p : ds::norm_keys()) norm_keys.push_back(to_c(p));
    }
};

const CRegistry *registry() noexcept {
    try {
        static const CRegistry r;
        return &r;
    } catch (...) {
        ds::capi::set_last_error("out of memory building the registry");
        return nullptr;
    }
}

}  // namespace

extern "C" {

DS_API ds_status ds_schedule_create(const char *kind, const ds_config *params, ds_schedule **out) {
    return guarded(__func__, [&] {
        std::string k = require_string(kind, "kind");
        require(out, "out");
        *out = new ds_schedule{ds::make_builtin(k, ds::capi::config_or_empty(params))};
    });
}

DS_API ds_status ds_schedule_create_gamma(double gamma, double threshold, ds_schedule **out) {
    return guarded(__func__, [&] {
        require(out, "out");
        *out = make_builtin("gamma", {gamma, threshold});
    });
}

DS_API ds_status ds_schedule_create_step(int64_t step_size, double gamma, ds_schedule **out) {
    return guarded(__func__, [&] {
        require(out, "out");
        *out = make_builtin("step", {step_size, gamma});
    });
}

DS_API ds_status ds_schedule_create_lambda(ds_lambda_fn fn, void *user_data, ds_schedule **out) {
    return guarded(__func__, [&] {
        require(reinterpret_cast<const void *>(fn), "fn");
        require(out, "out");
        auto factor = [fn, user_data](int64_t epoch) {
            double value = NAN;
            ds::capi::clear_callback_error();
            const int rc = fn(user_data, epoch, &value);
            if (rc != 0)
                ds::fail(ds::Status::callback, "lambda schedule callback failed at epoch " + std::to_string(epoch) +
                                                   " (returned " + std::to_string(rc) + ")" +
                                                   ds::capi::callback_detail());
            return value;
        };
        *out = new ds_schedule{ds::make_lambda(factor)};
    });
}

DS_API ds_status ds_schedule_create_cubic(const ds_cubic_options *o, ds_schedule **out) {
    return guarded(__func__, [&] {
        check_version(o, DS_CUBIC_OPTIONS_VERSION, "DS_CUBIC_OPTIONS_VERSION");
        require(out, "out");
        *out = make_builtin("cubic", {o->init_value, o->init_t, o->delta_t, o->total_t,
                                      static_cast<int64_t>(o->initially_zero)});
    });
}

DS_API ds_status ds_schedule_create_polynomial_decay(const ds_polynomial_decay_options *o, ds_schedule **out) {
    return guarded(__func__, [&] {
        check_version(o, DS_POLYNOMIAL_DECAY_OPTIONS_VERSION, "DS_POLYNOMIAL_DECAY_OPTIONS_VERSION");
        require(out, "out");
        *out = make_builtin("polynomial_decay",
                            {o->initial, o->final, o->begin_step, o->end_step, o->power, o->frequency});
    });
}

DS_API ds_status ds_schedule_create_constant(double value, int64_t begin_step, int64_t end_step, int64_t frequency,
                                             ds_schedule **out) {
    return guarded(__func__, [&] {
        require(out, "out");
        *out = make_builtin("constant", {value, begin_step, end_step, frequency});
    });
}

DS_API const char *ds_schedule_kind(const ds_schedule *schedule) {
    return ds::capi::guarded_value<const char *>(__func__, "", [&] {
        require(schedule, "schedule");
        return schedule->schedule->kind();
    });
}

DS_API void ds_schedule_destroy(ds_schedule *schedule) { delete schedule; }

DS_API size_t ds_schedule_info_count(void) {
    const CRegistry *r = registry();
    return r ? r->schedules.size() : 0;
}

DS_API const ds_schedule_info *ds_schedule_info_at(size_t index) {
    return ds::capi::guarded_value<const ds_schedule_info *>(__func__, nullptr, [&] {
        const CRegistry *r = registry();
        if (!r) throw std::bad_alloc();
        ds::capi::check_index(index, r->schedules.size(), "built-in schedules");
        return &r->schedules[index];
    });
}

DS_API const ds_schedule_info *ds_schedule_info_find(const char *kind) {
    return ds::capi::guarded_value<const ds_schedule_info *>(__func__, nullptr, [&] {
        std::string k = require_string(kind, "kind");
        const CRegistry *r = registry();
        if (!r) throw std::bad_alloc();
        for (const ds_schedule_info &info : r->schedules)
            if (k == info.kind) return &info;
        ds::fail(ds::Status::not_found, "no built-in schedule " + ds::quoted(k));
    });
}

DS_API size_t ds_norm_sparsifier_param_count(void) {
    const CRegistry *r = registry();
    return r ? r->norm_keys.size() : 0;
}

DS_API const ds_param_info *ds_norm_sparsifier_param_at(size_t index) {
    return ds::capi::guarded_value<const ds_param_info *>(__func__, nullptr, [&] {
        const CRegistry *r = registry();
        if (!r) throw std::bad_alloc();
        ds::capi::check_index(index, r->norm_keys.size(), "norm sparsifier keys");
        return &r->norm_keys[index];
    });
}

}  // extern "C"
