#include "core/validate.hpp"

#include <limits>

#include "core/error.hpp"

namespace ds {

const char *name_problem(const std::string &name) {
    if (name.empty()) return "is empty";
    if (name.find('\0') != std::string::npos) return "contains a NUL byte";
    if (name.find('.') != std::string::npos) return "contains '.'";
    return nullptr;
}

void check_name(const std::string &name) {
    if (const char *problem = name_problem(name)) {
        std::string message = std::string("name ") + problem + " (names are non-empty, without '.')";
        if (!name.empty()) message += ", got " + quoted(name);
        fail(Status::invalid_argument, message);
    }
}

int64_t element_count(int64_t rows, int64_t cols) {
    if (rows < 1 || cols < 1) return -1;
    if (rows > std::numeric_limits<int64_t>::max() / cols) return -1;
    const int64_t n = rows * cols;
    if (static_cast<uint64_t>(n) > std::numeric_limits<size_t>::max()) return -1;
    return n;
}

std::string shape_string(int64_t rows, int64_t cols) { return std::to_string(rows) + "x" + std::to_string(cols); }

}  // namespace ds
