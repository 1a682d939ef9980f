// Marks an object as running user code (a callback): while a Scope is alive,
// the object may be read, and its modifying calls fail with Status::state.
#pragma once

namespace ds {

class BusyFlag {
public:
    bool busy() const { return depth_ > 0; }

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
};

}  // namespace ds
