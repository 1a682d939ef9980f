#include "core/params.hpp"

#include <cmath>

#include "core/error.hpp"

namespace ds {
namespace {

bool bounded_below(const ParamSpec &s) { return std::isfinite(s.min); }
// An integer's max of 2^53 is the representation's limit, not a rule worth stating.
bool bounded_above(const ParamSpec &s) {
    return std::isfinite(s.max) && !(s.type == ParamType::integer && s.max >= kMaxExactInteger);
}

std::string integer_text(double v) { return format_number(v); }

}  // namespace

std::string describe_bounds(const ParamSpec &s) {
    if (s.type == ParamType::boolean) return "0 or 1";
    const std::string what = s.type == ParamType::integer ? "an integer" : "a finite number";
    if (bounded_below(s) && bounded_above(s))
        return what + " in [" + integer_text(s.min) + ", " + integer_text(s.max) + "]";
    if (bounded_below(s)) return what + " >= " + integer_text(s.min);
    if (bounded_above(s)) return what + " <= " + integer_text(s.max);
    return s.type == ParamType::integer ? what : "finite";
}

bool param_ok(const ParamSpec &s, double v) {
    bool ok = std::isfinite(v) && v >= s.min && v <= s.max;
    if (ok && s.type != ParamType::real)
        ok = std::floor(v) == v && std::fabs(v) <= kMaxExactInteger && (s.type != ParamType::boolean || v == 0.0 || v == 1.0);
    return ok;
}

void check_param(const ParamSpec &s, double v, const std::string &owner) {
    if (!param_ok(s, v))
        fail(Status::invalid_argument,
             std::string(s.name) + " " + owner + " must be " + describe_bounds(s) + ", got " + format_number(v));
}

void check_integer_param(const ParamSpec &s, int64_t v, const std::string &owner) {
    constexpr int64_t kLimit = int64_t{1} << 53;  // beyond it the conversion below would round
    if (v > kLimit || v < -kLimit)
        fail(Status::invalid_argument,
             std::string(s.name) + " " + owner + " must be " + describe_bounds(s) + ", got " + std::to_string(v));
    check_param(s, static_cast<double>(v), owner);
}

}  // namespace ds
