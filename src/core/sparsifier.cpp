#include "core/sparsifier.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <unordered_set>
#include <utility>

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/norm_mask.hpp"
#include "core/validate.hpp"

namespace ds {
namespace {

// A mask of n bytes, all `value`; out of memory is Status::no_memory naming
// the item and the size.
std::vector<uint8_t> new_mask(size_t n, uint8_t value, const std::string &name) {
    try {
        return std::vector<uint8_t>(n, value);
    } catch (const std::bad_alloc &) {
        fail(Status::no_memory,
             "out of memory allocating the " + std::to_string(n) + "-byte mask of " + quoted(name));
    }
}

}  // namespace

Sparsifier::Sparsifier(Norm norm, MaskUpdate update, Config defaults)
    : norm_(norm), custom_(std::move(update)), defaults_(std::move(defaults)) {}

Sparsifier Sparsifier::norm(Norm norm, const Config &defaults) {
    check_entries(defaults);
    Sparsifier s(norm, nullptr, norm_defaults(defaults));
    s.check_config(s.defaults_, "defaults");
    return s;
}

Sparsifier Sparsifier::custom(MaskUpdate update, const Config &defaults) {
    if (!update) fail(Status::invalid_argument, "fn (the update-mask callback) must not be NULL");
    check_entries(defaults);
    return Sparsifier(Norm::l1, std::move(update), defaults);
}

NormParams Sparsifier::check_config(const Config &config, const std::string &item) const {
    check_entries(config);
    return is_norm() ? norm_params(config, item) : NormParams{};
}

void Sparsifier::check_not_busy(const char *operation) const {
    if (busy_.busy())
        fail(Status::state, std::string(operation) +
                                " is not allowed while a callback on this sparsifier (update-mask or schedule) runs");
}

const Item *Sparsifier::find(const std::string &name) const { return items_.find(name); }

const Item &Sparsifier::item(const std::string &name) const {
    const Item *found = find(name);
    if (!found) fail(Status::not_found, "no data named " + quoted(name));
    return *found;
}

void Sparsifier::add_data(const std::string &name, float *data, int64_t rows, int64_t cols,
                          const Config &overrides, bool reuse_mask) {
    if (rows <= 0) fail(Status::invalid_argument, "rows must be > 0, got " + std::to_string(rows));
    if (cols <= 0) fail(Status::invalid_argument, "cols must be > 0, got " + std::to_string(cols));
    const int64_t n = element_count(rows, cols);
    if (n < 0 || static_cast<uint64_t>(n) > std::numeric_limits<size_t>::max() / sizeof(float))
        fail(Status::invalid_argument, "rows*cols overflows: rows " + std::to_string(rows) + ", cols " +
                                           std::to_string(cols));
    Tensor t;
    t.shape = {rows, cols};
    add_tensor(name, data, t, overrides, reuse_mask);
}

void Sparsifier::add_tensor(const std::string &name, void *data, const Tensor &tensor, const Config &overrides,
                            bool reuse_mask) {
    check_not_busy("add_data");
    check_name(name);
    if (!data) fail(Status::invalid_argument, "data must not be NULL (name " + quoted(name) + ")");
    check_tensor(tensor, name);
    if (custom_ && (tensor.dtype != DType::f32 || tensor.stride() != tensor.cols()))
        fail(Status::invalid_argument, "a custom sparsifier's callback reads contiguous float32 rows: " +
                                           quoted(name) + " is " + dtype_name(tensor.dtype) +
                                           (tensor.stride() != tensor.cols() ? " with a row stride" : ""));
    check_entries(overrides);

    const Item *old = find(name);
    auto fresh = std::make_unique<Item>();
    fresh->name = name;
    fresh->data = data;
    fresh->tensor = tensor;
    if (fresh->tensor.row_stride == fresh->tensor.cols()) fresh->tensor.row_stride = 0;  // one way to say contiguous
    fresh->rows = tensor.rows();
    fresh->cols = tensor.cols();
    fresh->stride = tensor.stride();
    fresh->config = merged(old ? old->config : defaults_, overrides);
    fresh->norm = check_config(fresh->config, name);
    if (old && reuse_mask) {
        if (old->rows != fresh->rows || old->cols != fresh->cols)
            fail(Status::shape, "reuse_mask needs the new data of " + quoted(name) + " to have the old shape " +
                                    shape_string(old->tensor.shape) + ", got " + shape_string(tensor.shape));
        if (old->squashed)
            fail(Status::state,
                 "cannot reuse the mask of " + quoted(name) + ": it was squashed (add with reuse_mask = 0)");
        fresh->mask = old->mask;
    } else {
        fresh->mask = new_mask(fresh->size(), 1, name);
    }

    if (old) {
        const std::string message = "replacing data " + quoted(name) + " (" + shape_string(old->tensor.shape) +
                                    " -> " + shape_string(tensor.shape) + "); did you mean a different name?";
        items_.replace(std::move(fresh));
        log(LogLevel::warning, message);  // last: the handler may call back in
    } else {
        items_.push_back(std::move(fresh));
    }
}

void Sparsifier::add_shard(const std::string &name, void *data, const Tensor &tensor, int64_t global_rows,
                           int64_t first_row, const Config &overrides, bool reuse_mask) {
    check_not_busy("add_shard");
    if (custom_) fail(Status::invalid_argument, "shards need a norm sparsifier (" + quoted(name) + ")");
    if (tensor.shape.size() < 2)
        fail(Status::invalid_argument, "a shard holds rows of a matrix: " + quoted(name) + " has " +
                                           std::to_string(tensor.shape.size()) + " dimension(s), at least 2 needed");
    // A shard may hold no rows: checked as one row, then given its 0.
    Tensor checked = tensor;
    const bool empty = tensor.shape[0] == 0;
    if (empty) checked.shape[0] = 1;
    static float placeholder = 0.0f;
    check_tensor(checked, name);
    if (global_rows < 1)
        fail(Status::invalid_argument, "global_rows of " + quoted(name) + " must be >= 1, got " +
                                           std::to_string(global_rows));
    const int64_t rows = empty ? 0 : checked.rows();
    if (first_row < 0 || first_row > global_rows - rows)
        fail(Status::invalid_argument, "first_row " + std::to_string(first_row) + " of " + quoted(name) + " (" +
                                           std::to_string(rows) + " rows) must be in [0, " +
                                           std::to_string(global_rows - rows) + "] (global_rows " +
                                           std::to_string(global_rows) + ")");
    if (!empty && !data) fail(Status::invalid_argument, "data must not be NULL (name " + quoted(name) + ")");
    add_tensor(name, empty ? &placeholder : data, checked, overrides, reuse_mask && !empty);
    Item *it = items_.find(name);  // committed: nothing below fails
    it->global_rows = global_rows;
    it->first_row = first_row;
    if (empty) {
        it->tensor.shape[0] = 0;
        it->rows = 0;
        std::vector<uint8_t>().swap(it->mask);
    }
}

void Sparsifier::remove_data(const std::string &name) {
    check_not_busy("remove_data");
    if (!find(name)) fail(Status::not_found, "no data named " + quoted(name));
    items_.erase(name);
    for (auto g = groups_.begin(); g != groups_.end(); ++g) {  // erase never allocates
        auto m = std::find(g->members.begin(), g->members.end(), name);
        if (m == g->members.end()) continue;
        g->members.erase(m);
        if (g->members.empty()) groups_.erase(g);
        break;
    }
}

void Sparsifier::set_group(const std::string &group, const std::vector<std::string> &members) {
    check_not_busy("set_group");
    if (custom_) fail(Status::invalid_argument, "groups need a norm sparsifier (group " + quoted(group) + ")");
    try {
        check_name(group);
    } catch (const Error &e) {
        fail(e.status(), std::string("group: ") + e.what());
    }
    if (members.empty()) fail(Status::invalid_argument, "group " + quoted(group) + " needs at least one member");
    std::unordered_set<std::string> seen;
    for (const std::string &m : members) {
        (void)item(m);
        if (!seen.insert(m).second)
            fail(Status::invalid_argument, "group " + quoted(group) + " names " + quoted(m) + " twice");
        for (const Group &g : groups_)
            if (g.name != group && std::find(g.members.begin(), g.members.end(), m) != g.members.end())
                fail(Status::invalid_argument, quoted(m) + " is already in group " + quoted(g.name) +
                                                   " (remove it from that group first)");
    }
    Group fresh{group, members};
    auto existing = std::find_if(groups_.begin(), groups_.end(), [&](const Group &g) { return g.name == group; });
    if (existing != groups_.end()) {
        existing->members.swap(fresh.members);
    } else {
        groups_.push_back(std::move(fresh));
    }
}

void Sparsifier::remove_group(const std::string &group) {
    check_not_busy("remove_group");
    auto existing = std::find_if(groups_.begin(), groups_.end(), [&](const Group &g) { return g.name == group; });
    if (existing == groups_.end()) fail(Status::not_found, "no group named " + quoted(group));
    groups_.erase(existing);
}

void Sparsifier::set_allreduce(Allreduce allreduce) {
    check_not_busy("set_allreduce");
    allreduce_ = std::move(allreduce);
}

void Sparsifier::compute_norm_masks(const std::vector<Item *> &which) {
    // The masker writes the masks in place only once nothing can fail.
    jobs_.clear();
    try {
        jobs_.reserve(which.size());
    } catch (const std::bad_alloc &) {
        fail(Status::no_memory, "out of memory allocating the list of " + std::to_string(which.size()) +
                                    " items of a step");
    }
    if (groups_.empty() && !allreduce_) {
        bool sharded = false;
        for (Item *it : which) sharded = sharded || it->global_rows > 0;
        if (!sharded) {
            for (Item *it : which)
                jobs_.push_back({it->data, it->tensor.dtype, it->rows, it->cols, it->stride, it->norm, it->mask.data()});
            masker_.run(jobs_, norm_);
            return;
        }
    }
    // Groups and shards: units for the global selection (groups in their
    // order, then shards outside groups in the items' order); the other
    // items go to the masker. Both select first, then both commit.
    std::vector<Unit> units;
    std::exception_ptr failure;
    try {
        std::unordered_set<const Item *> grouped;
        std::unordered_set<const Item *> stepping(which.begin(), which.end());
        auto member = [](const Item &it) {
            return UnitMember{it.name,
                              {it.data, it.tensor.dtype, it.rows, it.cols, it.stride, it.norm,
                               const_cast<uint8_t *>(it.mask.data())},
                              it.global_rows > 0 ? it.global_rows : it.rows,
                              it.first_row};
        };
        for (const Group &g : groups_) {
            Unit u{g.name, 0.0, {}};
            for (const std::string &name : g.members) {
                const Item *it = items_.find(name);
                grouped.insert(it);
                if (!stepping.count(it)) continue;  // squashed
                if (u.members.empty()) u.level = it->norm.sparsity_level;
                u.members.push_back(member(*it));
            }
            if (!u.members.empty()) units.push_back(std::move(u));
        }
        for (Item *it : which) {
            if (grouped.count(it)) continue;
            if (it->global_rows > 0)
                units.push_back(Unit{it->name, it->norm.sparsity_level, {member(*it)}});
            else
                jobs_.push_back({it->data, it->tensor.dtype, it->rows, it->cols, it->stride, it->norm, it->mask.data()});
        }
        masker_.prepare(jobs_, norm_);
    } catch (const std::bad_alloc &) {
        failure = std::make_exception_ptr(Error(Status::no_memory, "out of memory listing the items of a step"));
    } catch (...) {
        failure = std::current_exception();
    }
    const Allreduce local = [](uint64_t *, size_t) {};
    selector_.select(units, norm_, allreduce_ ? allreduce_ : local, failure,
                     [this] { busy_.check_open("sparsifier", "step"); });
    masker_.commit(jobs_);  // nothing below can fail
    selector_.commit(units);
}

void Sparsifier::compute_custom_masks(const std::vector<Item *> &which) {
    // Each callback modifies a copy; the copies are swapped in when all succeeded.
    std::vector<std::vector<uint8_t>> masks;
    masks.reserve(which.size());
    {
        BusyFlag::Scope scope(busy_);
        for (const Item *it : which) {
            masks.push_back(it->mask);
            uint8_t *mask = masks.back().data();
            custom_(*it, mask);
            busy_.check_open("sparsifier", "step");  // no further callbacks once closed
            for (size_t e = 0; e < it->size(); ++e)
                if (mask[e] > 1)
                    fail(Status::callback, "update-mask callback wrote " + std::to_string(mask[e]) + " at index " +
                                               std::to_string(e) + " of the mask of " + quoted(it->name) +
                                               " (mask values must be 0 or 1)");
        }
    }
    busy_.check_open("sparsifier", "step");
    for (size_t w = 0; w < which.size(); ++w) which[w]->mask.swap(masks[w]);
}

void Sparsifier::set_mask_update(bool enabled) {
    check_not_busy("set_mask_update");
    mask_update_ = enabled;
}

void Sparsifier::step() {
    check_not_busy("step");
    if (mask_update_) {
        std::vector<Item *> which;
        which.reserve(items_.size());
        for (Item &it : items_)
            if (!it.squashed) which.push_back(&it);
        if (custom_)
            compute_custom_masks(which);
        else
            compute_norm_masks(which);
    }
    ++step_count_;
    const std::string warning = selector_.take_warning();  // last: the handler may call back in
    if (!warning.empty()) log(LogLevel::warning, warning);
}

void Sparsifier::squash_mask(const std::vector<std::string> &names, bool all, bool leave_parametrized) {
    check_not_busy("squash_mask");
    std::vector<Item *> which;
    if (all) {
        for (Item &it : items_) which.push_back(&it);
    } else {
        for (const auto &name : names) {
            (void)item(name);  // every name is checked before anything changes
            which.push_back(items_.find(name));
        }
    }
    for (Item *it : which) {
        if (it->squashed) continue;
        if (leave_parametrized) {  // zero in the data's own type (all its bits 0: +0.0)
            const size_t esize = dtype_size(it->tensor.dtype);
            for (int64_t r = 0; r < it->rows; ++r)
                for (int64_t c = 0; c < it->cols; ++c)
                    if (!it->mask[static_cast<size_t>(r * it->cols + c)]) std::memset(it->at(r, c), 0, esize);
        }
        std::vector<uint8_t>().swap(it->mask);
        it->squashed = true;
    }
}

void Sparsifier::set_params(const std::vector<std::pair<std::string, double>> &values, const std::string &key) {
    std::vector<const Item *> which;
    std::vector<double> v;
    which.reserve(values.size());
    v.reserve(values.size());
    for (const auto &nv : values) {
        const Item *it = items_.find(nv.first);
        if (!it) fail(Status::not_found, "no data named " + quoted(nv.first));
        which.push_back(it);
        v.push_back(nv.second);
    }
    set_params(which, v, key);
}

void Sparsifier::set_params(const std::vector<const Item *> &which, const std::vector<double> &values,
                            const std::string &key) {
    check_not_busy("set_param");
    check_entry(key, 0.0);
    // Everything is checked first; an item whose config lacks the key gets a
    // new config made aside (inserting could fail), the others are assigned
    // in place when all is well.
    struct Update {
        Item *item;
        double value;
        NormParams norm;
        Config::iterator where;  // the key's entry, or end()
        Config fresh;            // only for an item without the key
    };
    std::vector<Update> updated;
    updated.reserve(which.size());
    // The scheduler's usual key: checked against the cached norm keys alone.
    const ParamSpec *level = is_norm() && key == keys::sparsity_level ? &norm_key_spec(keys::sparsity_level) : nullptr;
    for (size_t i = 0; i < which.size(); ++i) {
        Item *it = const_cast<Item *>(which[i]);  // an item of this sparsifier: items() hands out const views
        const double v = values[i];
        check_entry(key, v);
        Update u{it, v, it->norm, it->config.find(key), {}};
        if (level && param_ok(*level, v))
            u.norm.sparsity_level = v;
        else if (is_norm())
            u.norm = norm_params_with(it->config, key, v, it->name);  // the message, or other keys
        if (u.where == it->config.end()) {
            u.fresh = it->config;
            u.fresh[key] = v;
        }
        updated.push_back(std::move(u));
    }
    for (Update &u : updated) {  // commit: nothing below allocates
        if (u.where == u.item->config.end())
            u.item->config.swap(u.fresh);
        else
            u.where->second = u.value;
        u.item->norm = u.norm;
    }
}

bool Sparsifier::param_of(const Item &it, const std::string &key, double *out) const {
    if (is_norm() && key == keys::sparsity_level) {  // the scheduler's usual key: cached
        *out = it.norm.sparsity_level;
        return true;
    }
    if (is_norm()) return norm_effective(it.config, key, out);
    auto found = it.config.find(key);
    if (found == it.config.end()) return false;
    *out = found->second;
    return true;
}

bool Sparsifier::get_param(const std::string &name, const std::string &key, double *out) const {
    return param_of(item(name), key, out);
}

Config Sparsifier::effective_config(const std::string &name) const {
    const Item &it = item(name);
    Config config = it.config;
    double zeros;
    if (is_norm() && norm_effective(config, keys::zeros_per_block, &zeros)) config[keys::zeros_per_block] = zeros;
    return config;
}

namespace {
void check_count(size_t count, const Item &it, const char *what) {
    if (count < it.size())
        fail(Status::invalid_argument, std::string("count ") + std::to_string(count) + " is too small for the " +
                                           what + " of " + quoted(it.name) + " (" + shape_string(it.tensor.shape) +
                                           " = " + std::to_string(it.size()) + " elements)");
}

// The item's elements, contiguous, in its own dtype: as they are, or with
// the masked ones 0.
void copy_data(const Item &it, bool masked, char *out) {
    const size_t esize = dtype_size(it.tensor.dtype), row_bytes = static_cast<size_t>(it.cols) * esize;
    for (int64_t r = 0; r < it.rows; ++r) {
        char *dst = out + static_cast<size_t>(r) * row_bytes;
        std::memcpy(dst, it.at(r, 0), row_bytes);
        if (masked) {
            const uint8_t *m = it.mask.data() + r * it.cols;
            for (int64_t c = 0; c < it.cols; ++c)
                if (!m[c]) std::memset(dst + static_cast<size_t>(c) * esize, 0, esize);
        }
    }
}
}  // namespace

void Sparsifier::get_mask(const std::string &name, uint8_t *out, size_t count) const {
    const Item &it = item(name);
    if (it.squashed) fail(Status::state, "the mask of " + quoted(name) + " was squashed");
    check_count(count, it, "mask");
    if (it.size()) std::memcpy(out, it.mask.data(), it.size());
}

void Sparsifier::get_data(const std::string &name, bool original, float *out, size_t count) const {
    const Item &it = item(name);
    if (it.tensor.dtype != DType::f32)
        fail(Status::invalid_argument, quoted(name) + " holds " + dtype_name(it.tensor.dtype) +
                                           " data: read it in its own type (get_data_ex)");
    if (original && it.squashed)
        fail(Status::state, "the original data of " + quoted(name) + " is gone: its mask was squashed");
    check_count(count, it, "data");
    copy_data(it, !original && !it.squashed, reinterpret_cast<char *>(out));
}

void Sparsifier::get_data_bytes(const std::string &name, bool original, void *out, size_t bytes) const {
    const Item &it = item(name);
    if (original && it.squashed)
        fail(Status::state, "the original data of " + quoted(name) + " is gone: its mask was squashed");
    const size_t esize = dtype_size(it.tensor.dtype);
    if (bytes / esize < it.size())
        fail(Status::invalid_argument, "bytes " + std::to_string(bytes) + " is too small for the data of " +
                                           quoted(name) + " (" + shape_string(it.tensor.shape) + " " +
                                           dtype_name(it.tensor.dtype) + " = " + std::to_string(it.size() * esize) +
                                           " bytes)");
    copy_data(it, !original && !it.squashed, static_cast<char *>(out));
}

double Sparsifier::sparsity(const std::string &name) const {
    const Item &it = item(name);
    if (it.squashed) fail(Status::state, "the mask of " + quoted(name) + " was squashed");
    if (it.size() == 0) return 0.0;  // a shard that holds no rows
    size_t zeros = static_cast<size_t>(std::count(it.mask.begin(), it.mask.end(), uint8_t{0}));
    return static_cast<double>(zeros) / static_cast<double>(it.size());
}

SparsifierSnapshot Sparsifier::snapshot(bool with_data) const {
    SparsifierSnapshot s;
    s.kind = custom_ ? 1u : 0u;
    s.norm = static_cast<uint32_t>(norm_);
    s.defaults = defaults_;
    s.mask_update = mask_update_;
    s.step_count = step_count_;
    s.items.reserve(items_.size());
    for (const Item &it : items_) {
        SparsifierSnapshot::Item si;
        si.name = it.name;
        si.tensor = it.tensor;
        si.global_rows = it.global_rows;
        si.first_row = it.first_row;
        si.config = it.config;
        si.squashed = it.squashed;
        si.mask = it.mask;
        si.has_data = with_data;
        if (with_data) {  // contiguous, little-endian (this library's hosts are)
            si.data.resize(it.size() * dtype_size(it.tensor.dtype));
            copy_data(it, false, reinterpret_cast<char *>(si.data.data()));
        }
        s.items.push_back(std::move(si));
    }
    s.groups.reserve(groups_.size());
    for (const Group &g : groups_) s.groups.push_back({g.name, g.members});
    return s;
}

namespace {

std::string rows_of(int64_t global_rows, int64_t first_row, int64_t rows) {
    if (global_rows == 0) return "not a shard";
    return "rows [" + std::to_string(first_row) + ", " + std::to_string(first_row + rows) + ") of " +
           std::to_string(global_rows);
}

}  // namespace

void Sparsifier::restore(const SparsifierSnapshot &s, bool strict) {
    check_not_busy("load");
    const std::string mine = custom_ ? "custom" : std::string(norm_name(norm_)) + " norm";
    const std::string theirs = s.kind == 1 ? "custom" : std::string(s.norm == 0 ? "L1" : "L2") + " norm";
    if (s.kind != (custom_ ? 1u : 0u) || (!custom_ && s.norm != static_cast<uint32_t>(norm_)))
        fail(Status::corrupt, "state is of a " + theirs + " sparsifier, this is a " + mine + " sparsifier");
    if (s.step_count < 0) fail(Status::corrupt, "state has a negative step count " + std::to_string(s.step_count));

    auto invalid = [](const Error &e) { fail(Status::corrupt, std::string("state has an invalid config: ") + e.what()); };
    try {
        check_config(s.defaults, "defaults");
    } catch (const Error &e) {
        invalid(e);
    }

    // Everything new is built aside: the items' configs and masks.
    struct Update {
        Item *item;
        const SparsifierSnapshot::Item *saved;
        Config config;
        NormParams norm;
        std::vector<uint8_t> mask;
    };
    std::vector<Update> updates;
    updates.reserve(s.items.size());
    for (const auto &si : s.items) {
        Item *it = items_.find(si.name);
        if (!it) fail(Status::corrupt, "state has data " + quoted(si.name) + " that is not registered (add it first)");
        if (it->tensor.shape != si.tensor.shape)
            fail(Status::corrupt, "state has data " + quoted(si.name) + " of shape " + shape_string(si.tensor.shape) +
                                      ", the registered data is " + shape_string(it->tensor.shape));
        if (it->tensor.dtype != si.tensor.dtype)
            fail(Status::corrupt, "state has " + std::string(dtype_name(si.tensor.dtype)) + " data " +
                                      quoted(si.name) + ", the registered data is " + dtype_name(it->tensor.dtype));
        if (it->global_rows != si.global_rows || it->first_row != si.first_row)
            fail(Status::corrupt, "state has data " + quoted(si.name) + " as " +
                                      rows_of(si.global_rows, si.first_row, si.tensor.rows()) +
                                      ", the registered data is " + rows_of(it->global_rows, it->first_row, it->rows));
        if ((si.squashed && !si.mask.empty()) || (!si.squashed && si.mask.size() != it->size()) ||
            (si.has_data && si.data.size() != it->size() * dtype_size(it->tensor.dtype)))
            fail(Status::corrupt, "state has a mask or data of the wrong size for " + quoted(si.name));
        NormParams norm{};
        try {
            norm = check_config(si.config, si.name);
        } catch (const Error &e) {
            invalid(e);
        }
        updates.push_back({it, &si, si.config, norm, si.mask});
    }
    if (strict && updates.size() != items_.size()) {  // names in a state are unique: one is missing
        std::unordered_set<const Item *> present;
        for (const Update &u : updates) present.insert(u.item);
        for (const Item &it : items_)
            if (!present.count(&it))
                fail(Status::corrupt, "strict load: the state has no data " + quoted(it.name) +
                                          " (load with strict = 0 to merge)");
    }
    Config defaults = s.defaults;

    // Groups: a strict load replaces them; a merge sets the state's (as
    // set_group would) and keeps the others. Their members are items of the
    // state (the decoder checks it), so registered (checked above).
    std::vector<Group> groups;
    if (strict) {
        groups.reserve(s.groups.size());
    } else {
        groups = groups_;
        groups.reserve(groups_.size() + s.groups.size());
    }
    for (const auto &sg : s.groups) {
        auto existing = std::find_if(groups.begin(), groups.end(), [&](const Group &g) { return g.name == sg.name; });
        if (existing != groups.end())
            existing->members = sg.members;
        else
            groups.push_back(Group{sg.name, sg.members});
    }
    if (!strict && !s.groups.empty()) {  // a kept group may still hold one of the state groups' members
        std::unordered_set<std::string> from_state;
        for (const auto &sg : s.groups) from_state.insert(sg.name);
        std::unordered_map<std::string, const std::string *> owner;
        for (const Group &g : groups)
            for (const std::string &m : g.members) {
                auto at = owner.emplace(m, &g.name);
                if (at.second) continue;
                const bool first_is_state = from_state.count(*at.first->second) > 0;
                const std::string &theirs = first_is_state ? *at.first->second : g.name;
                const std::string &here = first_is_state ? g.name : *at.first->second;
                fail(Status::corrupt, "state puts " + quoted(m) + " in group " + quoted(theirs) +
                                          ", but it is in group " + quoted(here) +
                                          " here (remove that group first, or load with strict = 1)");
            }
    }

    // Commit: nothing below can fail.
    for (Update &u : updates) {
        if (u.saved->has_data) {  // contiguous in the state, strided in the caller's buffer
            const size_t row_bytes = static_cast<size_t>(u.item->cols) * dtype_size(u.item->tensor.dtype);
            for (int64_t r = 0; r < u.item->rows; ++r)
                std::memcpy(u.item->at(r, 0), u.saved->data.data() + static_cast<size_t>(r) * row_bytes, row_bytes);
        }
        u.item->config.swap(u.config);
        u.item->norm = u.norm;
        u.item->mask.swap(u.mask);
        u.item->squashed = u.saved->squashed;
    }
    if (strict || !s.groups.empty()) groups_.swap(groups);
    if (strict) {
        defaults_.swap(defaults);
        mask_update_ = s.mask_update;
        step_count_ = s.step_count;
    }
}

}  // namespace ds
