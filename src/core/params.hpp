// Typed, bounded parameters: what a built-in schedule takes and what the norm
// sparsifier reads from a config. Values travel as doubles (configs, state
// files); integers are exact up to 2^53.
#pragma once

#include <cstdint>
#include <string>

namespace ds {

enum class ParamType : int { real = 0, integer = 1, boolean = 2 };

// Integers travel as doubles: beyond this they are no longer exact.
inline constexpr double kMaxExactInteger = 9007199254740992.0;  // 2^53

struct ParamSpec {
    const char *name;
    ParamType type;
    double min;  // inclusive; -inf for none (real values must still be finite)
    double max;  // inclusive; +inf for none
    bool has_default;
    double default_value;
    const char *doc;  // one line, for the reference docs and --help texts
};

// Whether value fits spec (no message: for hot paths, which call
// check_param for the message only when it does not).
bool param_ok(const ParamSpec &spec, double value);

// Checks value against spec; `owner` names where it belongs in the message
// ("of 'layer1'", "of the cubic schedule"). Throws Status::invalid_argument.
void check_param(const ParamSpec &spec, double value, const std::string &owner);

// The same for an integer given as one (typed C arguments): exact for any int64.
void check_integer_param(const ParamSpec &spec, int64_t value, const std::string &owner);

// "an integer >= 1", "a number in [0, 1]", "0 or 1": the rule as words.
std::string describe_bounds(const ParamSpec &spec);

}  // namespace ds
