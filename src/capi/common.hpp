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

namespace ds::capi {

// How many calls on a handle are running (a callback inside one of them may
// call *_destroy on it: the destruction then waits until the outermost call
// returns, and the call that ran the callback fails with DS_ERR_STATE).
struct HandleUse {
    int calls = 0;
    bool destroy_pending = false;
};

}  // namespace ds::capi

struct ds_config {
    ds::Config map;
};

struct ds_sparsifier {
    ds::Sparsifier core;
    ds::capi::HandleUse use;
};

struct ds_schedule {
    std::unique_ptr<ds::Schedule> schedule;
};

struct ds_scheduler {
    std::unique_ptr<ds::Scheduler> core;
    ds_sparsifier *sparsifier;                  // borrowed: valid while sparsifier_alive has not expired
    std::weak_ptr<const int> sparsifier_alive;  // expires when the sparsifier is deleted
    ds::capi::HandleUse use;
};

namespace ds::capi {

// Holds a handle for the duration of a call; deletes it at the end of the
// outermost call if *_destroy was called meanwhile. nullptr: does nothing.
template <typename Handle>
class InUse {
public:
    explicit InUse(Handle *h) noexcept : h_(h) {
        if (h_) ++h_->use.calls;
    }
    ~InUse() {
        if (h_ && --h_->use.calls == 0 && h_->use.destroy_pending) delete h_;
    }
    InUse(const InUse &) = delete;
    InUse &operator=(const InUse &) = delete;

private:
    Handle *h_;
};

// Destroys now, or (inside one of the handle's own calls) marks it closing
// and leaves the deletion to the outermost InUse.
template <typename Handle, typename MarkClosing>
void destroy_handle(Handle *h, MarkClosing mark_closing) noexcept {
    if (!h) return;
    if (h->use.calls > 0) {
        h->use.destroy_pending = true;
        mark_closing();
        return;
    }
    delete h;
}

// The scheduler's sparsifier, or nullptr once it was deleted.
inline ds_sparsifier *live_sparsifier(const ds_scheduler *sch) {
    return sch->sparsifier_alive.expired() ? nullptr : sch->sparsifier;
}

void set_last_error(const char *message) noexcept;

// Sets the last error to "<prefix><function>[: <what>]" without allocating
// on failure (the out-of-memory path).
void set_last_error_parts(const char *prefix, const char *function, const char *what) noexcept;

// Runs body and converts whatever it throws into a status and this thread's
// last error; `function` (the C function's name) goes into the messages that
// would otherwise not say where they came from. No exception leaves this.
template <typename Body>
ds_status guarded(const char *function, Body &&body) noexcept {
    try {
        body();
        return DS_OK;
    } catch (const Error &e) {
        set_last_error(e.what());
        return to_c(e.status());
    } catch (const std::bad_alloc &) {
        set_last_error_parts("out of memory in ", function, nullptr);
        return DS_ERR_NO_MEMORY;
    } catch (const std::length_error &e) {
        set_last_error_parts("a size too large for this machine in ", function, e.what());
        return DS_ERR_NO_MEMORY;
    } catch (const std::exception &e) {
        set_last_error_parts("internal error in ", function, e.what());
        return DS_ERR_INTERNAL;
    } catch (...) {
        set_last_error_parts("internal error in ", function, "unknown exception");
        return DS_ERR_INTERNAL;
    }
}

// For the getters that return their value: `fallback` (and the last error
// set) if body throws, e.g. for a NULL handle.
template <typename T, typename Body>
T guarded_value(const char *function, T fallback, Body &&body) noexcept {
    T result = fallback;
    if (guarded(function, [&] { result = body(); }) != DS_OK) return fallback;
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
