// Schedules: what a data scheduler asks for each item's next value.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/config.hpp"

namespace ds {

class Schedule {
public:
    virtual ~Schedule() = default;
    // The item's value at `epoch`; throws ds::Error on failure.
    virtual double value(const std::string &name, int64_t epoch, double base, double current) = 0;
    // "callback", "lambda" or a built-in's name (see make_builtin).
    virtual const char *kind() const = 0;
    // A built-in's parameters (what a saved state keeps); empty otherwise.
    virtual Config params() const { return {}; }
    virtual std::unique_ptr<Schedule> clone() const = 0;
};

// The built-in schedule `kind` ("gamma", "step", "cubic", "polynomial_decay",
// "constant") with `params` (the keys its params() returns). Throws
// DS_ERR_INVALID_ARGUMENT naming the parameter for invalid values.
std::unique_ptr<Schedule> make_builtin(const std::string &kind, const Config &params);

// base * f(epoch): PyTorch's LambdaSL. f throws ds::Error on failure.
std::unique_ptr<Schedule> make_lambda(std::function<double(int64_t epoch)> f);

// Whether `kind` names a built-in whose parameters are saved with the state.
bool is_serialisable_builtin(const std::string &kind);

}  // namespace ds
