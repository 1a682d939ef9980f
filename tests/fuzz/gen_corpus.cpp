// Writes the fuzz targets' seed corpus (tests/fuzz/corpus/) from the
// library's own save functions: real sparsifier states (L1, L2 and custom
// sparsifiers over the fixture items of fuzz_common.hpp, with and without
// DS_SAVE_DATA, with per-item configs, squashed items, mask update off,
// after steps, removals and replacements) and real scheduler states (every
// built-in kind with default and chosen parameters, a lambda, C callback
// schedules, at several epochs), plus call sequences for api_sequence.
//
//   fuzz_gen_corpus DIR          (re)writes DIR/{sparsifier_load,scheduler_load,api_sequence}/
//   fuzz_gen_corpus --check DIR  exits 1 unless DIR holds exactly what it would write
//
// To regenerate: cmake --build build --target fuzz_gen_corpus &&
//   build/tests/fuzz/fuzz_gen_corpus tests/fuzz/corpus   (the ctest fuzz.corpus_current checks it).
// Everything is deterministic: the same library writes the same bytes.
#include "api_ops.hpp"
#include "fuzz_common.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>

namespace {

namespace fs = std::filesystem;
using fuzz::breach;
using fuzz::Bytes;

std::map<std::string, Bytes> g_files;  // relative path -> contents

void emit(const std::string &path, const Bytes &b) {
    if (!g_files.emplace(path, b).second) breach("generated %s twice", path.c_str());
}

#define OK(call)                                                                         \
    do {                                                                                 \
        const ds_status st_ = (call);                                                    \
        if (st_ != DS_OK) breach("%s: %s: %s", #call, ds_status_string(st_), ds_last_error()); \
    } while (0)

void quiet(void *, int, const char *) {}

int keep_large(void *, const char *, const float *data, int64_t rows, int64_t cols, const ds_config *, uint8_t *mask) {
    for (int64_t e = 0; e < rows * cols; ++e) mask[e] = std::fabs(data[e]) >= 10.0f ? 1 : 0;
    return 0;
}

ds_config *config(std::initializer_list<std::pair<const char *, double>> entries) {
    ds_config *c = nullptr;
    OK(ds_config_create(&c));
    for (const auto &kv : entries) OK(ds_config_set(c, kv.first, kv.second));
    return c;
}

// A sparsifier over some fixture items (by index) with per-item configs.
struct Sparsifier {
    std::vector<std::vector<float>> data = std::vector<std::vector<float>>(fuzz::kFixtureCount);
    ds_sparsifier *s = nullptr;

    bool sharded = false;  // the sharded fixture (fuzz_common.hpp): emb a shard, plus an empty shard

    Sparsifier(int kind, std::initializer_list<std::pair<const char *, double>> defaults) {
        ds_config *d = config(defaults);
        if (kind < 2)
            OK(ds_norm_sparsifier_create(kind == 0 ? DS_NORM_L1 : DS_NORM_L2, d, &s));
        else
            OK(ds_custom_sparsifier_create(keep_large, nullptr, d, &s));
        ds_config_destroy(d);
    }
    ~Sparsifier() { ds_sparsifier_destroy(s); }
    Sparsifier(const Sparsifier &) = delete;
    Sparsifier &operator=(const Sparsifier &) = delete;

    Sparsifier &add(size_t k, std::initializer_list<std::pair<const char *, double>> overrides = {}, int reuse = 0) {
        fuzz::fixture_data(k, data[k]);
        ds_config *c = config(overrides);
        OK(fuzz::add_fixture_item(s, k, data[k].data(), sharded, c, reuse));
        ds_config_destroy(c);
        return *this;
    }
    // Makes this the sharded fixture: emb becomes its shard, keeping its
    // mask (a shard alone cannot step: its other rows are held by no one),
    // and the empty shard is added.
    Sparsifier &shard() {
        sharded = true;
        add(fuzz::kShardedItem, {}, 1);
        OK(fuzz::add_empty_shard(s));
        return *this;
    }
    Sparsifier &group(const char *name, std::initializer_list<const char *> members) {
        std::vector<const char *> names(members);
        OK(ds_sparsifier_set_group(s, name, names.data(), names.size()));
        return *this;
    }
    Sparsifier &all() {
        for (size_t k = 0; k < fuzz::kFixtureCount; ++k) add(k);
        return *this;
    }
    Sparsifier &step(int times = 1) {
        for (int i = 0; i < times; ++i) OK(ds_sparsifier_step(s));
        return *this;
    }
    void save(const std::string &name, unsigned flags) {
        size_t n = 0;
        OK(ds_sparsifier_save_buffer(s, flags, nullptr, 0, &n));
        Bytes b(n);
        OK(ds_sparsifier_save_buffer(s, flags, b.data(), b.size(), &n));
        emit("sparsifier_load/" + name + ".state", b);
    }
};

void sparsifier_states() {
    Sparsifier(0, {}).all().step().save("l1_all_default", 0);
    Sparsifier(1, {}).all().step().save("l2_all_default_data", DS_SAVE_DATA);
    {
        Sparsifier sp(1, {{"block_rows", 2}, {"block_cols", 2}, {"zeros_per_block", 3}, {"sparsity_level", 0.75}});
        sp.add(0).add(1, {{"block_rows", 1}, {"block_cols", 5}, {"zeros_per_block", 2}})
            .add(2, {{"block_rows", 3}, {"block_cols", 5}, {"zeros_per_block", 15}})
            .add(3, {{"sparsity_level", 1.5}}).add(4).add(5, {{"block_cols", 4}, {"zeros_per_block", 1}, {"gain", -2}});
        sp.step(2).save("l2_item_configs", 0);
        sp.save("l2_item_configs_data", DS_SAVE_DATA);
    }
    Sparsifier(0, {{"sparsity_level", 0.3}}).add(0).add(4).add(5).step().save("l1_subset_data", DS_SAVE_DATA);
    // Format version 3: groups and shards (loaded into the sharded fixture too).
    Sparsifier(0, {}).all().group("g", {"conv", "tiny"}).step().save("l1_group_v3", 0);
    Sparsifier(0, {{"sparsity_level", 0.7}}).all().step().shard().group("g", {"w1", "bias"})
        .group("h", {"none", "emb"}).save("l1_sharded_groups_v3", 0);
    {
        Sparsifier sp(1, {{"block_rows", 2}, {"block_cols", 2}});
        sp.all().step(2).shard().group("all", {"emb", "conv", "w1"});
        const char *names[] = {fuzz::kFixture[2].name};
        OK(ds_sparsifier_squash_mask(sp.s, names, 1, 1));
        sp.save("l2_sharded_group_squashed_data_v3", DS_SAVE_DATA);
    }
    Sparsifier(1, {}).all().step().shard().save("l2_sharded_only_v3", 0);
    {
        Sparsifier sp(1, {});
        sp.all().step();
        const char *names[] = {fuzz::kFixture[2].name, fuzz::kFixture[3].name};
        OK(ds_sparsifier_squash_mask(sp.s, names, 2, 1));
        sp.save("l2_two_squashed_data", DS_SAVE_DATA);
    }
    {
        Sparsifier sp(1, {{"sparsity_level", 0.9}});
        sp.all().step();
        OK(ds_sparsifier_squash_mask(sp.s, nullptr, 0, 0));
        sp.save("l2_all_squashed", 0);
    }
    {
        Sparsifier sp(0, {{"block_cols", 1}});
        sp.all().step();
        OK(ds_sparsifier_set_mask_update(sp.s, 0));
        sp.step(3).save("l1_mask_update_off", 0);
    }
    Sparsifier(2, {{"gain", 0.5}, {"alpha", 2}}).all().step().save("custom_all_data", DS_SAVE_DATA);
    Sparsifier(2, {}).add(1).add(3, {{"beta", 1e-3}}).save("custom_subset_unstepped", 0);
    Sparsifier(1, {{"zeros_per_block", 1}}).save("l2_no_items", 0);
    Sparsifier(0, {}).save("l1_no_items_data_flag", DS_SAVE_DATA);
    {
        Sparsifier sp(1, {});
        sp.add(0, {{"sparsity_level", -0.25}}).add(1, {{"sparsity_level", 0}}).add(2, {{"sparsity_level", 1}})
            .add(3, {{"sparsity_level", 1e10}}).add(4, {{"sparsity_level", 0.5}}).add(5, {{"sparsity_level", 0.999}});
        sp.step().save("l2_level_extremes", 0);
    }
    {
        Sparsifier sp(1, {});
        sp.all().step();
        sp.add(0, {{"sparsity_level", 0.1}}, 1).add(2, {}, 0);  // replaced: the first keeps its mask
        sp.save("l2_replaced_data", DS_SAVE_DATA);
    }
    {
        Sparsifier sp(0, {});
        sp.all().step();
        OK(ds_sparsifier_remove_data(sp.s, fuzz::kFixture[1].name));
        OK(ds_sparsifier_remove_data(sp.s, fuzz::kFixture[3].name));
        sp.add(1).step(2).save("l1_removed_and_readded_data", DS_SAVE_DATA);
    }
    {
        Sparsifier sp(0, {});
        sp.all();
        ds_schedule *cubic = nullptr;
        ds_cubic_options o = DS_CUBIC_OPTIONS_INIT;
        o.delta_t = 1;
        o.total_t = 4;
        OK(ds_schedule_create_cubic(&o, &cubic));
        ds_scheduler *sch = nullptr;
        OK(ds_scheduler_create_builtin(sp.s, "sparsity_level", cubic, -1, &sch));
        for (int e = 0; e < 3; ++e) {
            sp.step();
            OK(ds_scheduler_step(sch));
        }
        sp.save("l1_scheduled_data", DS_SAVE_DATA);
        ds_scheduler_destroy(sch);
        ds_schedule_destroy(cubic);
    }
}

// Scheduler states: on an L2 sparsifier over the fixture items, as the
// scheduler_load target builds it.
int keep_schedule(void *, const char *, int64_t epoch, double base, double current, double *out) {
    *out = epoch == 0 ? base : current;
    return 0;
}

int gamma_schedule(void *, const char *, int64_t epoch, double base, double current, double *out) {
    *out = epoch == 0 ? base : std::fmin(0.95, current * 1.25);
    return 0;
}

int halving(void *, int64_t epoch, double *out) {
    *out = 1.0 / static_cast<double>(1 + (epoch & 7));
    return 0;
}

// Chosen (non-default) parameters per kind; a kind not listed gets none.
const std::map<std::string, std::map<std::string, double>> kChosen = {
    {"gamma", {{"gamma", 1.5}, {"threshold", 0.9}}},
    {"step", {{"step_size", 2}, {"gamma", 0.5}}},
    {"cubic", {{"init_value", 0.1}, {"init_t", 1}, {"delta_t", 2}, {"total_t", 3}, {"initially_zero", 1}}},
    {"polynomial_decay", {{"initial", 0.1}, {"final", 0.8}, {"begin_step", 1}, {"end_step", 5}, {"power", 2}, {"frequency", 1}}},
    {"constant", {{"value", 0.3}, {"begin_step", 0}, {"end_step", 4}, {"frequency", 2}}},
    {"cosine", {{"final", 0.9}, {"begin_step", 1}, {"total_steps", 4}}},
};

void save_scheduler(const std::string &name, ds_scheduler *sch) {
    size_t n = 0;
    OK(ds_scheduler_save_buffer(sch, nullptr, 0, &n));
    Bytes b(n);
    OK(ds_scheduler_save_buffer(sch, b.data(), b.size(), &n));
    emit("scheduler_load/" + name + ".state", b);
}

// Runs `epochs` sparsifier+scheduler steps after the creation and saves.
void run_and_save(Sparsifier &sp, ds_scheduler *sch, int epochs, const std::string &name) {
    for (int e = 0; e < epochs; ++e) {
        sp.step();
        OK(ds_scheduler_step(sch));
    }
    save_scheduler(name, sch);
    ds_scheduler_destroy(sch);
}

void scheduler_states() {
    for (size_t k = 0; k < ds_schedule_info_count(); ++k) {
        const ds_schedule_info *info = ds_schedule_info_at(k);
        for (int variant = 0; variant < 2; ++variant) {
            ds_config *params = nullptr;
            OK(ds_config_create(&params));
            for (size_t p = 0; p < info->param_count; ++p)
                OK(ds_config_set(params, info->params[p].name, fuzz::valid_param_value(info->params[p], p)));
            auto chosen = kChosen.find(info->kind);
            if (variant == 1 && chosen == kChosen.end()) {
                ds_config_destroy(params);
                continue;
            }
            if (variant == 1)
                for (const auto &kv : chosen->second) OK(ds_config_set(params, kv.first.c_str(), kv.second));
            ds_schedule *schedule = nullptr;
            OK(ds_schedule_create(info->kind, params, &schedule));
            ds_config_destroy(params);
            Sparsifier sp(1, {});
            sp.all();
            ds_scheduler *sch = nullptr;
            OK(ds_scheduler_create_builtin(sp.s, "sparsity_level", schedule, -1, &sch));
            ds_schedule_destroy(schedule);
            run_and_save(sp, sch, variant == 0 ? 0 : 4,
                         std::string(info->kind) + (variant == 0 ? "_defaults_epoch0" : "_chosen_epoch4"));
        }
    }
    {
        Sparsifier sp(1, {});
        sp.all();
        ds_schedule *lambda = nullptr;
        OK(ds_schedule_create_lambda(halving, nullptr, &lambda));
        ds_scheduler *sch = nullptr;
        OK(ds_scheduler_create_builtin(sp.s, "sparsity_level", lambda, -1, &sch));
        ds_schedule_destroy(lambda);
        run_and_save(sp, sch, 3, "lambda_epoch3");
    }
    {
        Sparsifier sp(1, {{"sparsity_level", 0.2}});
        sp.all();
        ds_scheduler *sch = nullptr;
        OK(ds_scheduler_create(sp.s, "sparsity_level", gamma_schedule, nullptr, -1, &sch));
        run_and_save(sp, sch, 5, "callback_gamma_epoch5");
    }
    {
        Sparsifier sp(1, {{"block_cols", 2}});
        sp.all();
        ds_scheduler *sch = nullptr;
        OK(ds_scheduler_create(sp.s, "zeros_per_block", keep_schedule, nullptr, -1, &sch));
        run_and_save(sp, sch, 2, "callback_zeros_per_block_epoch2");
    }
    {   // resumed near the last epoch; items added after the creation and removed
        Sparsifier sp(1, {});
        sp.add(0).add(1).add(2);
        ds_scheduler *sch = nullptr;
        OK(ds_scheduler_create(sp.s, "sparsity_level", keep_schedule, nullptr, (int64_t{1} << 53) - 4, &sch));
        sp.add(3).add(4);
        sp.step();
        OK(ds_scheduler_step(sch));
        OK(ds_sparsifier_remove_data(sp.s, fuzz::kFixture[1].name));
        sp.add(5);
        run_and_save(sp, sch, 1, "callback_near_last_epoch");
    }
    {   // a subset of the items, resumed from epoch 10
        Sparsifier sp(1, {});
        sp.add(0).add(5);
        ds_schedule *step = nullptr;
        OK(ds_schedule_create_step(3, 0.5, &step));
        ds_scheduler *sch = nullptr;
        OK(ds_scheduler_create_builtin(sp.s, "sparsity_level", step, 10, &sch));
        ds_schedule_destroy(step);
        run_and_save(sp, sch, 2, "step_subset_from_epoch10");
    }
}

// A saved scheduler state with other schedule parameters (section 1's
// length and the checksum fixed): for states the library does not write.
Bytes with_params(const Bytes &b, const std::vector<std::pair<std::string, double>> &params) {
    auto u32 = [&](size_t at) {
        return uint32_t(b[at]) | uint32_t(b[at + 1]) << 8 | uint32_t(b[at + 2]) << 16 | uint32_t(b[at + 3]) << 24;
    };
    size_t at = 28;
    at += 4 + u32(at);  // schedule_param
    at += 4 + u32(at);  // schedule_kind
    const size_t params_at = at;
    const uint32_t count = u32(at);
    at += 4;
    for (uint32_t i = 0; i < count; ++i) at += 4 + u32(at) + 8;
    Bytes config;
    auto put32 = [&](uint32_t v) {
        for (int k = 0; k < 4; ++k) config.push_back(static_cast<uint8_t>(v >> (8 * k)));
    };
    put32(static_cast<uint32_t>(params.size()));
    for (const auto &kv : params) {
        put32(static_cast<uint32_t>(kv.first.size()));
        config.insert(config.end(), kv.first.begin(), kv.first.end());
        uint64_t bits;
        std::memcpy(&bits, &kv.second, 8);
        for (int k = 0; k < 8; ++k) config.push_back(static_cast<uint8_t>(bits >> (8 * k)));
    }
    Bytes out(b.begin(), b.begin() + static_cast<long>(params_at));
    out.insert(out.end(), config.begin(), config.end());
    out.insert(out.end(), b.begin() + static_cast<long>(at), b.end());
    uint64_t length = 0;
    for (int k = 0; k < 8; ++k) length |= uint64_t(out[20 + k]) << (8 * k);
    length = length + config.size() - (at - params_at);
    for (int k = 0; k < 8; ++k) out[20 + k] = static_cast<uint8_t>(length >> (8 * k));
    fuzz::reseal(out);
    return out;
}

// Crafted from real states: a callback state with a parameter (corrupt: it
// has none; it used to load and drop it) and a step state without its
// defaulted gamma (loads with gamma's default).
void crafted_scheduler_states() {
    const Bytes callback = g_files.at("scheduler_load/callback_gamma_epoch5.state");
    emit("scheduler_load/crafted_callback_with_a_parameter.state", with_params(callback, {{"x", 1.0}}));
    const Bytes step = g_files.at("scheduler_load/step_chosen_epoch4.state");
    emit("scheduler_load/crafted_step_without_its_defaulted_gamma.state", with_params(step, {{"step_size", 2.0}}));
}

// Call sequences for api_sequence (api_ops.hpp; the argument bytes are
// indices into fuzz_api_sequence.cpp's tables, commented).
class Seq {
public:
    explicit Seq(uint8_t kind) { b_.push_back(kind); }
    Seq &op(fuzz::Op o, std::initializer_list<uint8_t> args = {}) {
        b_.push_back(o);
        b_.insert(b_.end(), args);
        return *this;
    }
    Seq &raw(std::initializer_list<uint8_t> bytes) {
        b_.insert(b_.end(), bytes);
        return *this;
    }
    void save(const std::string &name) { emit("api_sequence/" + name + ".seq", b_); }

private:
    Bytes b_;
};

void api_sequences() {
    using namespace fuzz;
    // names: 0 a, 1 b, 2 c, 3 d, 4 "odd\n..", 5 "", 6 "x.y"; dims: 0:1 1:2 2:3 3:4 6:8 7:16 11:300 12:0 13:-1 14:INT64_MAX
    // keys: 0 sparsity_level 1 block_rows 2 block_cols 3 zeros_per_block 4 gain; values: 2:0.5 4:1 7:2 8:3 14:NaN
    // add: name, rows, cols, fill, config count, (key, value)..., flags
    Seq(1)
        .op(kAdd, {0, 6, 6, 1, 1, 0, 2, 0})             // a 8x8 pattern, sparsity 0.5
        .op(kAdd, {1, 3, 7, 3, 2, 1, 7, 2, 7, 0})       // b 4x16 large values, 2x2 blocks
        .op(kStep).op(kGetMask, {0, 0}).op(kGetData, {1, 0, 1})
        .op(kSave, {1, 0})                              // DS_SAVE_DATA, exact: kept and loaded back
        .op(kSchedCreate, {0, 7, 0, 0})                 // slot 0, C callback, sparsity_level, epoch -1
        .op(kStep).op(kSchedStep, {0}).op(kSchedSave, {0, 0})
        .op(kLoad, {0, 0, 1, 2})                        // the first kept state, as it is, strict
        .op(kSchedLoad, {0, 1, 1, 40, 0, 9})            // the second kept state, byte 40 changed, checksum repaired
        .op(kInspect, {0, 0, 0, 0})
        .save("norm_flow");
    Seq(2)
        .op(kAdd, {0, 2, 3, 1, 0, 0}).op(kAdd, {1, 6, 6, 3, 0, 0}).op(kAdd, {4, 0, 10, 1, 1, 4, 7, 0})
        .op(kBehaviour, {3, 0, 0}).op(kStep)            // modifying calls from the callback: refused
        .op(kBehaviour, {5, 0, 1}).op(kStep)            // masks changed, then the second item fails
        .op(kBehaviour, {2, 0, 0}).op(kStep)            // a mask value of 2
        .op(kBehaviour, {1, 0, 0}).op(kStep)            // a failing callback
        .op(kBehaviour, {0, 0, 0}).op(kStep).op(kSave, {1, 0})
        .op(kBehaviour, {6, 0, 0}).op(kStep)            // destroys its sparsifier
        .op(kAdd, {2, 2, 1, 1, 1, 0, 0}).op(kStep)          // a new custom sparsifier first
        .save("custom_callbacks");
    {
        Seq s(0);
        s.op(kAdd, {0, 6, 6, 1, 0, 0}).op(kAdd, {1, 2, 7, 1, 0, 0});
        for (uint8_t k = 0; k < ds_schedule_info_count(); ++k) {
            s.op(kSchedCreate, {static_cast<uint8_t>(k % 3), k});
            for (size_t p = 0; p < ds_schedule_info_at(k)->param_count; ++p) s.raw({1});  // a valid value
            s.raw({0, 0, 0});                            // no bogus parameter, sparsity_level, epoch -1
            s.op(kStep).op(kSchedStep, {static_cast<uint8_t>(k % 3)}).op(kSchedSave, {static_cast<uint8_t>(k % 3), 0});
        }
        s.op(kSchedCreate, {0, static_cast<uint8_t>(ds_schedule_info_count()), 0, 3});  // lambda, epoch 4
        s.op(kSchedStep, {0}).save("every_schedule");
    }
    Seq(1)
        .op(kAdd, {0, 3, 3, 1, 0, 0}).op(kAdd, {1, 1, 6, 2, 0, 0}).op(kStep)
        .op(kSquash, {2, 0, 0, 1})                      // squash a, leaving the masked elements 0
        .op(kGetMask, {0, 0}).op(kGetData, {0, 0, 1}).op(kAdd, {0, 3, 3, 1, 0, 1})  // reuse a squashed mask: refused
        .op(kAdd, {0, 3, 3, 1, 0, 0}).op(kRemove, {2}).op(kSetMaskUpdate, {0}).op(kStep)
        .op(kSquash, {1, 1}).op(kSquash, {0, 0}).op(kSave, {0, 0})
        .save("squash_replace_remove");
    Seq(1)
        .op(kAdd, {0, 6, 6, 1, 0, 0}).op(kAdd, {1, 2, 2, 1, 0, 0})
        .op(kBehaviour, {0, 4, 0}).op(kSchedCreate, {0, 7, 0, 0})  // refused calls from the schedule
        .op(kBehaviour, {0, 1, 0}).op(kSchedStep, {0})              // a failing schedule
        .op(kBehaviour, {0, 3, 0}).op(kSchedCreate, {1, 7, 2, 0})   // 1.5 for zeros_per_block: rejected
        .op(kBehaviour, {0, 0, 0}).op(kSchedCreate, {1, 7, 0, 2}).op(kStep).op(kSchedStep, {1})
        .op(kBehaviour, {0, 5, 0}).op(kSchedStep, {1})              // destroys its scheduler
        .op(kBehaviour, {0, 6, 0}).op(kSchedStep, {0})              // destroys the sparsifier
        .op(kAdd, {1, 0, 6, 6, 1, 0, 0})                // a new L2 sparsifier first
        .save("schedule_callbacks");
    Seq(0)
        .op(kAdd, {5, 0, 0, 1, 0, 0}).op(kAdd, {6, 0, 0, 1, 0, 0}).op(kAdd, {0, 12, 2, 1, 0, 0})
        .op(kAdd, {0, 14, 1, 1, 0, 0}).op(kAdd, {0, 1, 1, 1, 0, 0x0E})  // bad name, shape, NULL data
        .op(kAdd, {0, 1, 6, 1, 1, 2, 7, 0})                               // a 2x8, then bad parameters:
        .op(kSetParam, {0, 3, 14}).op(kSetParam, {0, 3, 10}).op(kSetParam, {0, 1, 12})
        .op(kGetMask, {0, 1}).op(kGetMask, {0, 4}).op(kGetMask, {0, 5}).op(kGetData, {0, 1, 0})
        .op(kSave, {4, 0}).op(kSave, {1, 1}).op(kSave, {0, 2}).op(kLoad, {6, 0, 0, 0, 0})
        .op(kSchedCreate, {0, 7, 5, 4}).op(kSchedCreate, {0, 7, 0, 6})   // empty schedule_param, epoch INT64_MAX
        .op(kRecreate, {1, 1, 1, 14}).op(kInspect, {3, 4, 0, 1})
        .save("bad_arguments");
    // groups: 0 g, 1 h, 2 "", 3 emb; set_group: group, count (0: remove), names...;
    // add_shard: name, rows, cols, one value index (of 12) per element
    Seq(0)
        .op(kAdd, {0, 6, 6, 1, 0, 0}).op(kAdd, {1, 3, 7, 3, 0, 0})
        .op(kAddShard, {2, 2, 6}).raw({1, 3, 5, 7, 9, 11, 0, 2, 4, 6, 8, 10, 1, 1, 1, 1, 5, 5, 5, 5, 0, 0, 9, 9})
        .op(kSetGroup, {3, 3, 0, 1, 2}).op(kStep)        // a, b and the shard c ranked as one
        .op(kSetGroup, {0, 1, 0})                        // a is in emb already: refused
        .op(kSetGroup, {2, 1, 3})                        // a group without a name: refused
        .op(kSchedCreate, {0, 7, 0, 0}).op(kStep).op(kSchedStep, {0})  // one level for emb
        .op(kRemove, {0}).op(kStep)                      // a leaves emb
        .op(kSetGroup, {3, 0}).op(kStep).op(kSetGroup, {3, 0})       // removed, then not found
        .save("groups_and_shards");
}

Bytes read_file(const fs::path &p) {
    std::ifstream in(p, std::ios::binary);
    return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

int main(int argc, char **argv) {
    const bool check = argc == 3 && std::string(argv[1]) == "--check";
    if (argc != 2 && !check) {
        std::fprintf(stderr, "usage: %s DIR | --check DIR\n", argv[0]);
        return 2;
    }
    const fs::path dir = argv[argc - 1];
    ds_set_log_handler(quiet, nullptr);
    sparsifier_states();
    scheduler_states();
    crafted_scheduler_states();
    api_sequences();

    if (check) {
        int problems = 0;
        std::set<std::string> present;
        for (const char *sub : {"sparsifier_load", "scheduler_load", "api_sequence"})
            if (fs::is_directory(dir / sub))
                for (const auto &e : fs::directory_iterator(dir / sub)) present.insert(std::string(sub) + "/" + e.path().filename().string());
        for (const auto &kv : g_files) {
            if (!present.erase(kv.first)) {
                std::printf("missing: %s\n", kv.first.c_str());
                ++problems;
            } else if (read_file(dir / kv.first) != kv.second) {
                std::printf("differs: %s\n", kv.first.c_str());
                ++problems;
            }
        }
        for (const std::string &extra : present) {
            std::printf("not generated: %s\n", extra.c_str());
            ++problems;
        }
        std::printf("corpus: %zu files checked, %d differ (regenerate: fuzz_gen_corpus %s)\n", g_files.size(), problems,
                    dir.c_str());
        return problems ? 1 : 0;
    }
    size_t bytes = 0;
    for (const auto &kv : g_files) {
        const fs::path p = dir / kv.first;
        fs::create_directories(p.parent_path());
        std::ofstream out(p, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char *>(kv.second.data()), static_cast<std::streamsize>(kv.second.size()));
        if (!out) breach("cannot write %s", p.c_str());
        bytes += kv.second.size();
    }
    std::printf("corpus: %zu files, %zu bytes written under %s\n", g_files.size(), bytes, dir.c_str());
    return 0;
}
