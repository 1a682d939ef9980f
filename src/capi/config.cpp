#include "capi/common.hpp"

using ds::capi::guarded;
using ds::capi::require;

extern "C" {

DS_API ds_status ds_config_create(ds_config **out) {
    return guarded(__func__, [&] {
        require(out, "out");
        *out = new ds_config{};
    });
}

DS_API ds_status ds_config_clone(const ds_config *src, ds_config **out) {
    return guarded(__func__, [&] {
        require(src, "src");
        require(out, "out");
        *out = new ds_config{src->map};
    });
}

DS_API ds_status ds_config_set(ds_config *config, const char *key, double value) {
    return guarded(__func__, [&] {
        require(config, "config");
        std::string k = ds::capi::require_string(key, "key");
        ds::check_entry(k, value);
        config->map[k] = value;
    });
}

DS_API ds_status ds_config_get(const ds_config *config, const char *key, double *out) {
    return guarded(__func__, [&] {
        require(config, "config");
        std::string k = ds::capi::require_string(key, "key");
        require(out, "out");
        auto it = config->map.find(k);
        if (it == config->map.end()) ds::fail(ds::Status::not_found, "config has no key " + ds::quoted(k));
        *out = it->second;
    });
}

DS_API ds_status ds_config_remove(ds_config *config, const char *key) {
    return guarded(__func__, [&] {
        require(config, "config");
        std::string k = ds::capi::require_string(key, "key");
        if (config->map.erase(k) == 0) ds::fail(ds::Status::not_found, "config has no key " + ds::quoted(k));
    });
}

DS_API size_t ds_config_count(const ds_config *config) {
    return ds::capi::guarded_value<size_t>(__func__, 0, [&] {
        require(config, "config");
        return config->map.size();
    });
}

DS_API ds_status ds_config_get_key(const ds_config *config, size_t index, const char **out) {
    return guarded(__func__, [&] {
        require(config, "config");
        require(out, "out");
        ds::capi::check_index(index, config->map.size(), "config keys");
        auto it = config->map.begin();
        std::advance(it, static_cast<std::ptrdiff_t>(index));
        *out = it->first.c_str();
    });
}

DS_API void ds_config_destroy(ds_config *config) { delete config; }

}  // extern "C"
