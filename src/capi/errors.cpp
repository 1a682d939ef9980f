// Version, status strings, the per-thread last error.
#include <cstring>

#include "capi/common.hpp"

namespace ds::capi {
namespace {
thread_local std::string t_last_error;
// Set when a message could not be copied (out of memory): shown instead of
// t_last_error, so that the message is never stale and never empty.
thread_local const char *t_static_error = nullptr;
thread_local std::string t_callback_error;
}  // namespace

void set_last_error(const char *message) noexcept {
    try {
        t_last_error = message;
        t_static_error = nullptr;
    } catch (...) {
        t_static_error = "out of memory (the error message could not be kept)";
    }
}

void set_last_error_parts(const char *prefix, const char *function, const char *what) noexcept {
    try {
        t_last_error = prefix;
        t_last_error += function;
        if (what) {
            t_last_error += ": ";
            t_last_error += what;
        }
        t_static_error = nullptr;
    } catch (...) {
        t_static_error = "out of memory (the error message could not be kept)";
    }
}

const char *last_error() noexcept { return t_static_error ? t_static_error : t_last_error.c_str(); }

std::string take_callback_error() {
    std::string message;
    message.swap(t_callback_error);
    return message;
}

void clear_callback_error() noexcept { t_callback_error.clear(); }

std::string callback_detail() {
    std::string detail = take_callback_error();
    return detail.empty() ? "" : ": " + detail;
}

}  // namespace ds::capi

extern "C" {

DS_API unsigned ds_version_number(void) { return DS_VERSION_NUMBER; }

DS_API const char *ds_version_string(void) { return DS_VERSION_STRING; }

DS_API const char *ds_status_string(ds_status status) {
    const int64_t raw = ds::capi::raw_value(status);  // any int may come in
    switch (static_cast<ds_status>(raw < 0 ? static_cast<int64_t>(DS_STATUS_MAX_ENUM) : raw)) {
        case DS_OK: return "DS_OK";
        case DS_ERR_INVALID_ARGUMENT: return "DS_ERR_INVALID_ARGUMENT";
        case DS_ERR_NOT_FOUND: return "DS_ERR_NOT_FOUND";
        case DS_ERR_SHAPE: return "DS_ERR_SHAPE";
        case DS_ERR_STATE: return "DS_ERR_STATE";
        case DS_ERR_CALLBACK: return "DS_ERR_CALLBACK";
        case DS_ERR_CORRUPT: return "DS_ERR_CORRUPT";
        case DS_ERR_IO: return "DS_ERR_IO";
        case DS_ERR_NO_MEMORY: return "DS_ERR_NO_MEMORY";
        case DS_ERR_UNSUPPORTED: return "DS_ERR_UNSUPPORTED";
        case DS_ERR_INTERNAL: return "DS_ERR_INTERNAL";
        case DS_STATUS_MAX_ENUM: break;
    }
    return "DS_UNKNOWN_STATUS";
}

DS_API const char *ds_last_error(void) { return ds::capi::last_error(); }

DS_API void ds_set_callback_error(const char *message) {
    try {
        ds::capi::t_callback_error = message ? message : "";
    } catch (...) {
        ds::capi::t_callback_error.clear();
    }
}

}  // extern "C"
