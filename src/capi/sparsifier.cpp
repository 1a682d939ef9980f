#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "capi/common.hpp"

using ds::capi::guarded;
using ds::capi::guarded_value;
using ds::capi::require;
using ds::capi::require_string;

namespace {

// Wraps the user's C callback as the core's MaskUpdate.
ds::MaskUpdate c_mask_update(ds_update_mask_fn fn, void *user_data) {
    if (!fn) return nullptr;
    return [fn, user_data](const ds::Item &item, uint8_t *mask) {
        ds_config config{item.config};
        ds::capi::clear_callback_error();
        // A custom sparsifier holds contiguous float32 items only (Sparsifier::add_tensor).
        const int rc = fn(user_data, item.name.c_str(), static_cast<const float *>(item.data), item.rows, item.cols,
                          &config, mask);
        if (rc != 0)
            ds::fail(ds::Status::callback, "update-mask callback failed for data " + ds::quoted(item.name) +
                                               " (returned " + std::to_string(rc) + ")" + ds::capi::callback_detail());
    };
}

// The tensor a ds_tensor_desc describes (its sizes are checked by the core).
ds::Tensor tensor_of(const ds_tensor_desc *desc) {
    require(desc, "desc");
    if (desc->version != DS_TENSOR_DESC_VERSION)
        ds::fail(ds::Status::invalid_argument, "desc->version must be DS_TENSOR_DESC_VERSION (" +
                                                   std::to_string(DS_TENSOR_DESC_VERSION) + "), got " +
                                                   std::to_string(desc->version) +
                                                   " (initialise it with DS_TENSOR_DESC_INIT)");
    ds::Tensor t;
    t.dtype = ds::capi::from_c(desc->dtype);
    if (desc->ndim < 1 || desc->ndim > DS_MAX_DIMS)
        ds::fail(ds::Status::invalid_argument, "desc->ndim must be in [1, " + std::to_string(DS_MAX_DIMS) +
                                                   "], got " + std::to_string(desc->ndim));
    t.shape.assign(desc->shape, desc->shape + desc->ndim);
    t.row_stride = desc->row_stride;
    return t;
}

}  // namespace

extern "C" {

DS_API ds_status ds_norm_sparsifier_create(ds_norm norm, const ds_config *defaults, ds_sparsifier **out) {
    return guarded(__func__, [&] {
        require(out, "out");
        *out = new ds_sparsifier{ds::Sparsifier::norm(ds::capi::from_c(norm), ds::capi::config_or_empty(defaults)), {}};
    });
}

DS_API ds_status ds_custom_sparsifier_create(ds_update_mask_fn fn, void *user_data, const ds_config *defaults,
                                             ds_sparsifier **out) {
    return guarded(__func__, [&] {
        require(out, "out");
        *out = new ds_sparsifier{
            ds::Sparsifier::custom(c_mask_update(fn, user_data), ds::capi::config_or_empty(defaults)), {}};
    });
}

DS_API void ds_sparsifier_destroy(ds_sparsifier *s) {
    ds::capi::destroy_handle(s, [s] { s->core.busy_flag().mark_closing(); });
}

DS_API ds_status ds_sparsifier_add_data(ds_sparsifier *s, const char *name, float *data, int64_t rows,
                                        int64_t cols, const ds_config *config, int reuse_mask) {
    return guarded(__func__, [&] {
        require(s, "s");
        ds::capi::InUse<ds_sparsifier> use(s);
        s->core.add_data(require_string(name, "name"), data, rows, cols, ds::capi::config_or_empty(config),
                         reuse_mask != 0);
    });
}

DS_API ds_status ds_sparsifier_add_data_ex(ds_sparsifier *s, const char *name, void *data,
                                           const ds_tensor_desc *desc, const ds_config *config, int reuse_mask) {
    return guarded(__func__, [&] {
        require(s, "s");
        ds::capi::InUse<ds_sparsifier> use(s);
        std::string n = require_string(name, "name");
        s->core.add_tensor(n, data, tensor_of(desc), ds::capi::config_or_empty(config), reuse_mask != 0);
    });
}

DS_API ds_status ds_sparsifier_add_shard(ds_sparsifier *s, const char *name, void *data, const ds_tensor_desc *desc,
                                         int64_t global_rows, int64_t first_row, const ds_config *config,
                                         int reuse_mask) {
    return guarded(__func__, [&] {
        require(s, "s");
        ds::capi::InUse<ds_sparsifier> use(s);
        std::string n = require_string(name, "name");
        s->core.add_shard(n, data, tensor_of(desc), global_rows, first_row, ds::capi::config_or_empty(config),
                          reuse_mask != 0);
    });
}

DS_API ds_status ds_sparsifier_get_shard(const ds_sparsifier *s, const char *name, int64_t *out_global_rows,
                                         int64_t *out_first_row) {
    return guarded(__func__, [&] {
        require(s, "s");
        std::string n = require_string(name, "name");
        require(out_global_rows, "out_global_rows");
        require(out_first_row, "out_first_row");
        const ds::Item &it = s->core.item(n);
        *out_global_rows = it.global_rows;
        *out_first_row = it.first_row;
    });
}

DS_API ds_status ds_sparsifier_set_group(ds_sparsifier *s, const char *group, const char *const *names,
                                         size_t count) {
    return guarded(__func__, [&] {
        require(s, "s");
        ds::capi::InUse<ds_sparsifier> use(s);
        std::string g = require_string(group, "group");
        require(names, "names");
        std::vector<std::string> members;
        members.reserve(count);
        for (size_t i = 0; i < count; ++i)
            members.push_back(require_string(names[i], ("names[" + std::to_string(i) + "]").c_str()));
        s->core.set_group(g, members);
    });
}

DS_API ds_status ds_sparsifier_remove_group(ds_sparsifier *s, const char *group) {
    return guarded(__func__, [&] {
        require(s, "s");
        ds::capi::InUse<ds_sparsifier> use(s);
        s->core.remove_group(require_string(group, "group"));
    });
}

DS_API size_t ds_sparsifier_group_count(const ds_sparsifier *s) {
    return s ? s->core.groups().size() : 0;
}

DS_API ds_status ds_sparsifier_get_group(const ds_sparsifier *s, size_t index, const char **out_name,
                                         size_t *out_count) {
    return guarded(__func__, [&] {
        require(s, "s");
        require(out_name, "out_name");
        require(out_count, "out_count");
        const auto &groups = s->core.groups();
        if (index >= groups.size())
            ds::fail(ds::Status::invalid_argument, "index " + std::to_string(index) + " is out of range (" +
                                                       std::to_string(groups.size()) + " groups)");
        *out_name = groups[index].name.c_str();
        *out_count = groups[index].members.size();
    });
}

DS_API ds_status ds_sparsifier_get_group_member(const ds_sparsifier *s, const char *group, size_t index,
                                                const char **out) {
    return guarded(__func__, [&] {
        require(s, "s");
        std::string g = require_string(group, "group");
        require(out, "out");
        for (const auto &gr : s->core.groups())
            if (gr.name == g) {
                if (index >= gr.members.size())
                    ds::fail(ds::Status::invalid_argument, "index " + std::to_string(index) + " is out of range (" +
                                                               std::to_string(gr.members.size()) + " members in " +
                                                               ds::quoted(g) + ")");
                *out = gr.members[index].c_str();
                return;
            }
        ds::fail(ds::Status::not_found, "no group named " + ds::quoted(g));
    });
}

DS_API ds_status ds_sparsifier_set_allreduce(ds_sparsifier *s, ds_allreduce_fn fn, void *user_data) {
    return guarded(__func__, [&] {
        require(s, "s");
        ds::capi::InUse<ds_sparsifier> use(s);
        if (!fn) {
            s->core.set_allreduce(nullptr);
            return;
        }
        ds::BusyFlag *busy = &s->core.busy_flag();
        s->core.set_allreduce([fn, user_data, busy](uint64_t *counts, size_t count) {
            int rc;
            {
                ds::BusyFlag::Scope scope(*busy);
                ds::capi::clear_callback_error();
                rc = fn(user_data, counts, count);
            }
            if (rc != 0)
                ds::fail(ds::Status::callback, "allreduce callback failed (returned " + std::to_string(rc) + ")" +
                                                   ds::capi::callback_detail());
        });
    });
}

DS_API ds_status ds_sparsifier_last_exchange(const ds_sparsifier *s, int64_t *out_exchanges, int64_t *out_bytes) {
    return guarded(__func__, [&] {
        require(s, "s");
        require(out_exchanges, "out_exchanges");
        require(out_bytes, "out_bytes");
        *out_exchanges = s->core.selector().last_exchanges();
        *out_bytes = static_cast<int64_t>(s->core.selector().last_exchanged_bytes());
    });
}

DS_API ds_status ds_sparsifier_get_desc(const ds_sparsifier *s, const char *name, ds_tensor_desc *out) {
    return guarded(__func__, [&] {
        require(s, "s");
        std::string n = require_string(name, "name");
        require(out, "out");
        const ds::Tensor &t = s->core.item(n).tensor;
        ds_tensor_desc d = DS_TENSOR_DESC_INIT;
        d.dtype = static_cast<ds_dtype>(t.dtype);
        d.ndim = static_cast<int32_t>(t.shape.size());
        std::copy(t.shape.begin(), t.shape.end(), d.shape);
        d.row_stride = t.row_stride;
        *out = d;
    });
}

DS_API ds_status ds_sparsifier_get_data_ex(const ds_sparsifier *s, const char *name, int original, void *out,
                                           size_t bytes) {
    return guarded(__func__, [&] {
        require(s, "s");
        std::string n = require_string(name, "name");
        if (bytes != 0) require(out, "out");  // NULL with 0 bytes: an empty shard's data
        s->core.get_data_bytes(n, original != 0, out, bytes);
    });
}

DS_API ds_status ds_sparsifier_remove_data(ds_sparsifier *s, const char *name) {
    return guarded(__func__, [&] {
        require(s, "s");
        ds::capi::InUse<ds_sparsifier> use(s);
        s->core.remove_data(require_string(name, "name"));
    });
}

DS_API ds_status ds_sparsifier_step(ds_sparsifier *s) {
    return guarded(__func__, [&] {
        require(s, "s");
        ds::capi::InUse<ds_sparsifier> use(s);
        s->core.step();
    });
}

DS_API ds_status ds_sparsifier_get_mask(const ds_sparsifier *s, const char *name, uint8_t *out, size_t count) {
    return guarded(__func__, [&] {
        require(s, "s");
        std::string n = require_string(name, "name");
        if (count != 0) require(out, "out");  // NULL with a count of 0: an empty shard's mask
        s->core.get_mask(n, out, count);
    });
}

DS_API ds_status ds_sparsifier_get_data(const ds_sparsifier *s, const char *name, int original, float *out,
                                        size_t count) {
    return guarded(__func__, [&] {
        require(s, "s");
        std::string n = require_string(name, "name");
        if (count != 0) require(out, "out");  // NULL with a count of 0: an empty shard's data
        s->core.get_data(n, original != 0, out, count);
    });
}

DS_API ds_status ds_sparsifier_squash_mask(ds_sparsifier *s, const char *const *names, size_t count,
                                           int leave_parametrized) {
    return guarded(__func__, [&] {
        require(s, "s");
        ds::capi::InUse<ds_sparsifier> use(s);
        if (!names && count != 0)
            ds::fail(ds::Status::invalid_argument, "names is NULL but count is " + std::to_string(count) +
                                                       " (to squash every item pass names NULL and count 0)");
        if (count > PTRDIFF_MAX / sizeof(const char *))
            ds::fail(ds::Status::invalid_argument,
                     "count " + std::to_string(count) + " is larger than any array of names can be");
        std::vector<std::string> list;
        if (names) {
            for (size_t i = 0; i < count; ++i) {
                if (!names[i])
                    ds::fail(ds::Status::invalid_argument, "names[" + std::to_string(i) + "] must not be NULL");
                list.emplace_back(names[i]);
            }
        }
        s->core.squash_mask(list, names == nullptr, leave_parametrized != 0);
    });
}

DS_API ds_status ds_sparsifier_get_param(const ds_sparsifier *s, const char *name, const char *key, double *out) {
    return guarded(__func__, [&] {
        require(s, "s");
        std::string n = require_string(name, "name");
        std::string k = require_string(key, "key");
        require(out, "out");
        if (!s->core.get_param(n, k, out))
            ds::fail(ds::Status::not_found, "config of " + ds::quoted(n) + " has no key " + ds::quoted(k));
    });
}

DS_API ds_status ds_sparsifier_set_param(ds_sparsifier *s, const char *name, const char *key, double value) {
    return guarded(__func__, [&] {
        require(s, "s");
        ds::capi::InUse<ds_sparsifier> use(s);
        std::string n = require_string(name, "name");
        std::string k = require_string(key, "key");
        s->core.set_param(n, k, value);
    });
}

DS_API ds_status ds_sparsifier_set_mask_update(ds_sparsifier *s, int enabled) {
    return guarded(__func__, [&] {
        require(s, "s");
        ds::capi::InUse<ds_sparsifier> use(s);
        s->core.set_mask_update(enabled != 0);
    });
}

DS_API int ds_sparsifier_mask_update(const ds_sparsifier *s) {
    return guarded_value(__func__, 0, [&] {
        require(s, "s");
        return s->core.mask_update() ? 1 : 0;
    });
}

DS_API size_t ds_sparsifier_count(const ds_sparsifier *s) {
    return guarded_value<size_t>(__func__, 0, [&] {
        require(s, "s");
        return s->core.items().size();
    });
}

DS_API int64_t ds_sparsifier_step_count(const ds_sparsifier *s) {
    return guarded_value<int64_t>(__func__, -1, [&] {
        require(s, "s");
        return s->core.step_count();
    });
}

DS_API int ds_sparsifier_contains(const ds_sparsifier *s, const char *name) {
    return guarded_value(__func__, 0, [&] {
        require(s, "s");
        return s->core.find(require_string(name, "name")) ? 1 : 0;
    });
}

DS_API ds_status ds_sparsifier_get_name(const ds_sparsifier *s, size_t index, const char **out) {
    return guarded(__func__, [&] {
        require(s, "s");
        require(out, "out");
        const auto &items = s->core.items();
        ds::capi::check_index(index, items.size(), "data items");
        *out = items.at(index).name.c_str();
    });
}

DS_API ds_status ds_sparsifier_get_shape(const ds_sparsifier *s, const char *name, int64_t *out_rows,
                                         int64_t *out_cols) {
    return guarded(__func__, [&] {
        require(s, "s");
        std::string n = require_string(name, "name");
        require(out_rows, "out_rows");
        require(out_cols, "out_cols");
        const ds::Item &it = s->core.item(n);
        *out_rows = it.rows;
        *out_cols = it.cols;
    });
}

DS_API ds_status ds_sparsifier_get_config(const ds_sparsifier *s, const char *name, ds_config *out) {
    return guarded(__func__, [&] {
        require(s, "s");
        std::string n = require_string(name, "name");
        require(out, "out");
        ds::Config config = s->core.effective_config(n);
        out->map.swap(config);
    });
}

DS_API ds_status ds_sparsifier_get_sparsity(const ds_sparsifier *s, const char *name, double *out) {
    return guarded(__func__, [&] {
        require(s, "s");
        std::string n = require_string(name, "name");
        require(out, "out");
        *out = s->core.sparsity(n);
    });
}

DS_API ds_status ds_sparsifier_get_squashed(const ds_sparsifier *s, const char *name, int *out) {
    return guarded(__func__, [&] {
        require(s, "s");
        std::string n = require_string(name, "name");
        require(out, "out");
        *out = s->core.item(n).squashed ? 1 : 0;
    });
}

}  // extern "C"
