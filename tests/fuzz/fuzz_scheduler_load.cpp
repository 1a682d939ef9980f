// Fuzz target: ds_scheduler_load_buffer on any bytes.
//
// An L2 sparsifier over the fixture items (fuzz_common.hpp) with one
// scheduler of every built-in kind, a lambda and a C callback schedule on
// "sparsity_level", and a callback one on "zeros_per_block". Each input is
// loaded into every scheduler with its checksum repaired (so that mutations
// reach the parser), and into one as it is. Invariants, any breach aborts:
//  - every status is a ds_status, never DS_ERR_INTERNAL; a failure has a
//    message without raw control characters;
//  - a failed load leaves the scheduler's and the sparsifier's whole state
//    exactly as it was;
//  - after a successful load the scheduler saves exactly the bytes it
//    loaded (the encoding is canonical and a load restores all of it; only a
//    built-in's parameters left out of the state come back defaulted), each
//    scheduled item's value in the sparsifier is the state's last value,
//    masks hold only 0 and 1; and a step from the loaded state either
//    succeeds or fails leaving both states as they were.
// Seed corpus: corpus/scheduler_load (gen_corpus.cpp writes it).
#include "fuzz_common.hpp"

#include <string>

namespace {

using fuzz::breach;
using fuzz::Bytes;

void quiet(void *, int, const char *message) { fuzz::check_message(message, "log handler"); }

// Keeps the current value (the base at epoch 0).
int keep(void *, const char *, int64_t epoch, double base, double current, double *out) {
    *out = epoch == 0 ? base : current;
    return 0;
}

int halving(void *, int64_t epoch, double *out) {
    *out = 1.0 / static_cast<double>(1 + (epoch & 7));
    return 0;
}

struct Scheduled {
    ds_scheduler *h;
    const char *param;
};

struct Env {
    std::vector<std::vector<float>> data;
    ds_sparsifier *s = nullptr;
    std::vector<Scheduled> schedulers;

    Env() {
        if (ds_norm_sparsifier_create(DS_NORM_L2, nullptr, &s) != DS_OK) breach("sparsifier: %s", ds_last_error());
        data.resize(fuzz::kFixtureCount);
        for (size_t k = 0; k < fuzz::kFixtureCount; ++k) {
            fuzz::fixture_data(k, data[k]);
            const auto &it = fuzz::kFixture[k];
            if (ds_sparsifier_add_data(s, it.name, data[k].data(), it.rows, it.cols, nullptr, 0) != DS_OK)
                breach("fixture item %zu: %s", k, ds_last_error());
        }
        for (size_t k = 0; k < ds_schedule_info_count(); ++k) {
            const ds_schedule_info *info = ds_schedule_info_at(k);
            ds_config *params = nullptr;
            ds_config_create(&params);
            for (size_t p = 0; p < info->param_count; ++p)
                ds_config_set(params, info->params[p].name, fuzz::valid_param_value(info->params[p], p));
            ds_schedule *schedule = nullptr;
            if (ds_schedule_create(info->kind, params, &schedule) != DS_OK)
                breach("schedule %s: %s", info->kind, ds_last_error());
            add_builtin(schedule, "sparsity_level");
            ds_config_destroy(params);
        }
        ds_schedule *lambda = nullptr;
        if (ds_schedule_create_lambda(halving, nullptr, &lambda) != DS_OK) breach("lambda: %s", ds_last_error());
        add_builtin(lambda, "sparsity_level");
        for (const char *param : {"sparsity_level", "zeros_per_block"}) {
            ds_scheduler *h = nullptr;
            if (ds_scheduler_create(s, param, keep, nullptr, -1, &h) != DS_OK)
                breach("callback scheduler: %s", ds_last_error());
            schedulers.push_back({h, param});
        }
        if (ds_sparsifier_step(s) != DS_OK) breach("step: %s", ds_last_error());
    }
    void add_builtin(ds_schedule *schedule, const char *param) {
        ds_scheduler *h = nullptr;
        if (ds_scheduler_create_builtin(s, param, schedule, -1, &h) != DS_OK)
            breach("scheduler %s: %s", ds_schedule_kind(schedule), ds_last_error());
        ds_schedule_destroy(schedule);
        schedulers.push_back({h, param});
    }
    ~Env() {
        for (const Scheduled &sch : schedulers) ds_scheduler_destroy(sch.h);
        ds_sparsifier_destroy(s);
    }
    Env(const Env &) = delete;
    Env &operator=(const Env &) = delete;
};

void check_masks(const ds_sparsifier *s) {
    for (const auto &it : fuzz::kFixture) {
        std::vector<uint8_t> mask(static_cast<size_t>(it.rows * it.cols));
        if (ds_sparsifier_get_mask(s, it.name, mask.data(), mask.size()) != DS_OK)
            breach("get_mask: %s", ds_last_error());
        for (uint8_t m : mask)
            if (m > 1) breach("mask value %u after a scheduler load", unsigned(m));
    }
}

// After a failed call: both states as they were.
void check_unchanged(const Env &env, const Scheduled &sch, const Bytes &sp_before, const Bytes &sch_before,
                     const char *call) {
    if (fuzz::scheduler_state(sch.h) != sch_before) breach("a failed %s (%s) changed the scheduler", call, ds_last_error());
    if (fuzz::sparsifier_state(env.s) != sp_before) breach("a failed %s (%s) changed the sparsifier", call, ds_last_error());
}

void load_into(const Env &env, const Scheduled &sch, const uint8_t *p, size_t n) {
    const Bytes sp_before = fuzz::sparsifier_state(env.s);
    const Bytes sch_before = fuzz::scheduler_state(sch.h);
    ds_status st = ds_scheduler_load_buffer(sch.h, p, n);
    fuzz::check_status(st, "scheduler_load_buffer");
    if (st != DS_OK) {
        check_unchanged(env, sch, sp_before, sch_before, "scheduler_load_buffer");
        return;
    }
    const Bytes loaded = fuzz::scheduler_state(sch.h);
    fuzz::check_scheduler_reload(Bytes(p, p + n), loaded);
    for (size_t i = 0; i < ds_scheduler_count(sch.h); ++i) {
        const char *name = nullptr;
        if (ds_scheduler_get_name(sch.h, i, &name) != DS_OK) breach("scheduler_get_name: %s", ds_last_error());
        double last = 0, now = 0;
        if (ds_scheduler_get_last_param(sch.h, name, &last) != DS_OK) continue;  // no last value saved
        if (ds_sparsifier_get_param(env.s, name, sch.param, &now) != DS_OK || !(now == last))
            breach("after a scheduler load the sparsifier's %s is %g, the state's last value %g", sch.param, now, last);
    }
    check_masks(env.s);
    // Step on from the loaded state (the epoch may be the last one, values may be odd).
    const Bytes sp_loaded = fuzz::sparsifier_state(env.s);
    st = ds_scheduler_step(sch.h);
    fuzz::check_status(st, "scheduler_step after a load");
    if (st != DS_OK) check_unchanged(env, sch, sp_loaded, loaded, "scheduler_step after a load");
    if (ds_sparsifier_step(env.s) != DS_OK) breach("sparsifier_step after a scheduler load: %s", ds_last_error());
    check_masks(env.s);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const bool quiet_log = (ds_set_log_handler(quiet, nullptr), true);
    (void)quiet_log;
    const uint8_t empty = 0;
    const uint8_t *p = size ? data : &empty;
    Env env;
    load_into(env, env.schedulers.back(), p, size);  // as given: the checksum stops most changes
    Bytes sealed(p, p + size);
    fuzz::reseal(sealed);
    for (const Scheduled &sch : env.schedulers) load_into(env, sch, sealed.empty() ? &empty : sealed.data(), sealed.size());
    return 0;
}
