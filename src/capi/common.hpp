// Shared by the extern "C" functions: the handle structs, the exception
// barrier and the checks that belong to C (NULL pointers, indices).
// Everything else is validated once, in the core. Nothing here is exported.
#pragma once

#include <memory>
#include <new>
#include <string>

#include <datasparse/datasparse.h>

#include "capi/c_types_map.hpp"
#include "core/config.hpp"
#include "core/error.hpp"
#include "core/scheduler.hpp"
#include "core/schedules.hpp"
#include "core/sparsifier.hpp"

struct ds_config {
    ds::Config map;
};

struct ds_sparsifier {
    ds::Sparsifier core;
};

struct ds_schedule {
    std::unique_ptr<ds::Schedule> schedule;
};

struct ds_scheduler {
    std::unique_ptr<ds::Scheduler> core;
};

namespace ds::capi {

void set_last_error(const char *message) noexcept;

// Runs body and converts whatever it throws into a status and this thread's
// last error. No exception leaves this function.
template <typename Body>
ds_status guarded(Body &&body) noexcept {
    try {
        body();
        return DS_OK;
    } catch (const Error &e) {
        set_last_error(e.what());
        return to_c(e.status());
    } catch (const std::bad_alloc &) {
        set_last_error("out of memory");
        return DS_ERR_NO_MEMORY;
    } catch (const std::exception &e) {
        set_last_error((std::string("internal error: ") + e.what()).c_str());
        return DS_ERR_INTERNAL;
    } catch (...) {
        set_last_error("internal error: unknown exception");
        return DS_ERR_INTERNAL;
    }
}

// For the getters that return their value: `fallback` (and the last error
// set) if body throws, e.g. for a NULL handle.
template <typename T, typename Body>
T guarded_value(T fallback, Body &&body) noexcept {
    T result = fallback;
    if (guarded([&] { result = body(); }) != DS_OK) return fallback;
    return result;
}

// DS_ERR_INVALID_ARGUMENT "<argument> must not be NULL" for a null pointer.
inline void require(const void *pointer, const char *argument) {
    if (!pointer) fail(Status::invalid_argument, std::string(argument) + " must not be NULL");
}

// A C string argument that must be non-NULL.
inline std::string require_string(const char *value, const char *argument) {
    require(value, argument);
    return std::string(value);
}

// DS_ERR_INVALID_ARGUMENT unless index < count; `holder` names what is indexed.
inline void check_index(size_t index, size_t count, const char *holder) {
    if (index >= count)
        fail(Status::invalid_argument, "index " + std::to_string(index) + " is out of range (there are " +
                                           std::to_string(count) + " " + holder + ")");
}

inline const Config &config_or_empty(const ds_config *config) {
    static const Config empty;
    return config ? config->map : empty;
}

// Message a failing callback left with ds_set_callback_error(), taken once.
std::string take_callback_error();
void clear_callback_error() noexcept;
// ": <message>" if the callback left one, else "".
std::string callback_detail();

}  // namespace ds::capi
