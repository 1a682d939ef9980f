// Schedules: what a data scheduler asks for each item's next value, and the
// registry of built-in schedules (kind, typed and bounded parameters, doc,
// factory) that the C ABI, the state format and the docs all read.
//
// Adding a built-in schedule: one class and one table entry in schedules.cpp.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/params.hpp"

namespace ds {

class Schedule {
public:
    virtual ~Schedule() = default;
    // The item's value at `epoch`; throws ds::Error on failure.
    virtual double value(const std::string &name, int64_t epoch, double base, double current) = 0;
    // A built-in's kind, kLambdaScheduleKind or kUserScheduleKind.
    virtual const char *kind() const = 0;
    // A built-in's parameters by name (what a saved state keeps); empty otherwise.
    virtual Config params() const { return {}; }
    virtual std::unique_ptr<Schedule> clone() const = 0;
};

// base * f(epoch), f supplied by the caller (not saved with a state).
inline constexpr const char *kLambdaScheduleKind = "lambda";
// A schedule written by the user (a callback; not saved with a state).
inline constexpr const char *kUserScheduleKind = "callback";

struct ScheduleSpec {
    const char *kind;
    const char *formula;  // the value at epoch t
    const char *after;    // what it follows, for the docs
    std::vector<ParamSpec> params;
    // Builds the schedule from checked values in `params` order; throws
    // Status::invalid_argument for a rule between parameters.
    std::unique_ptr<Schedule> (*make)(const std::vector<double> &values);
};

// Every built-in, in a fixed order.
const std::vector<ScheduleSpec> &builtin_schedules();
// nullptr if `kind` is not a built-in.
const ScheduleSpec *find_builtin_schedule(const std::string &kind);
// Whether a scheduler state may name `kind`: a built-in, lambda or a user schedule.
bool is_known_schedule_kind(const std::string &kind);

// A parameter value as the caller typed it: integers stay exact.
struct ParamValue {
    double real = 0.0;
    int64_t integer = 0;
    bool is_integer = false;
    ParamValue(double v) : real(v) {}                                           // NOLINT: implicit on purpose
    ParamValue(int64_t v) : real(static_cast<double>(v)), integer(v), is_integer(true) {}  // NOLINT
};

// A built-in from positional values (in spec.params order, none missing).
std::unique_ptr<Schedule> make_builtin(const ScheduleSpec &spec, const std::vector<ParamValue> &values);
// A built-in from named values: every parameter given or defaulted, no unknown
// names. Throws Status::invalid_argument naming the kind and the parameter.
std::unique_ptr<Schedule> make_builtin(const std::string &kind, const Config &params);

// base * f(epoch): PyTorch's LambdaSL. f throws ds::Error on failure.
std::unique_ptr<Schedule> make_lambda(std::function<double(int64_t epoch)> f);

}  // namespace ds
