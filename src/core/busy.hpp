// Marks an object as running user code (a callback): while a Scope is alive,
// the object may be read, and its modifying calls fail with Status::state.
// If the user closes (destroys) the object from inside the callback, the
// owner defers the destruction and marks it closing: the operation that ran
// the callback then fails instead of committing (check_open()).
#pragma once

#include <string>

#include "core/error.hpp"

namespace ds {

class BusyFlag {
public:
    bool busy() const { return depth_ > 0; }
    bool closing() const { return closing_; }
    void mark_closing() { closing_ = true; }
    // Status::state if the object was closed during a callback of `operation`.
    void check_open(const char *object, const char *operation) const {
        if (closing_)
            fail(Status::state, std::string("the ") + object + " was closed (destroyed) from a callback during " +
                                    operation + ": the " + operation + " was abandoned and the " + object +
                                    " is released when it returns");
    }

    class Scope {
    public:
        explicit Scope(BusyFlag &flag) : flag_(flag) { ++flag_.depth_; }
        ~Scope() { --flag_.depth_; }
        Scope(const Scope &) = delete;
        Scope &operator=(const Scope &) = delete;

    private:
        BusyFlag &flag_;
    };

private:
    int depth_ = 0;
    bool closing_ = false;
};

}  // namespace ds
