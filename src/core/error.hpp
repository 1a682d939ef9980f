// The core's one error type: a status plus a message naming the argument and
// value. The C ABI shim turns it into a ds_status and ds_last_error().
#pragma once

#include <stdexcept>
#include <string>

#include <datasparse/datasparse.h>

namespace ds {

class Error : public std::runtime_error {
public:
    Error(ds_status status, const std::string &message) : std::runtime_error(message), status_(status) {}
    ds_status status() const noexcept { return status_; }

private:
    ds_status status_;
};

[[noreturn]] inline void fail(ds_status status, const std::string &message) { throw Error(status, message); }

// Quotes a user string for an error message: 'name'.
inline std::string quoted(const std::string &s) { return "'" + s + "'"; }

// A double as it should appear in messages (shortest form that round-trips).
std::string format_number(double value);

}  // namespace ds
