// The core's error type: a status and a message that names the argument and
// the value. The C ABI shim turns it into a ds_status and ds_last_error()
// (src/capi/c_types_map.hpp checks that the values agree).
#pragma once

#include <stdexcept>
#include <string>

namespace ds {

// What went wrong. The values are the C ABI's and never change.
enum class Status : int {
    ok = 0,
    invalid_argument = 1,  // NULL, empty or malformed argument, value out of range
    not_found = 2,         // no data item / config key of that name
    shape = 3,             // shapes do not agree
    state = 4,             // not possible in the object's current state
    callback = 5,          // a user callback failed or misbehaved
    corrupt = 6,           // serialized state is malformed
    io = 7,                // reading or writing a file failed
    no_memory = 8,         // an allocation failed
    unsupported = 9,       // valid request this build cannot do
    internal = 10,         // a bug in datasparse
};

class Error : public std::runtime_error {
public:
    Error(Status status, const std::string &message) : std::runtime_error(message), status_(status) {}
    Status status() const noexcept { return status_; }

private:
    Status status_;
};

[[noreturn]] inline void fail(Status status, const std::string &message) { throw Error(status, message); }

// Quotes a user string for a message: 'name'. Control characters, quotes,
// backslashes and bytes that are not printable UTF-8 are escaped (\n, \',
// \x1b, ...), so that a name cannot inject lines or terminal escapes into
// messages and logs.
std::string quoted(const std::string &s);
// The same escaping without the quotes; with quotes = false, quotes and
// backslashes are left as they are (for whole messages, whose names are
// escaped already).
std::string escaped(const std::string &s, bool quotes = true);

// A double as it should appear in messages (shortest form that round-trips).
std::string format_number(double value);

}  // namespace ds
