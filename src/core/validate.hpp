// The rules for names and shapes, in one place: the sparsifier, the state
// format and the C ABI all ask here.
#pragma once

#include <cstdint>
#include <string>

namespace ds {

// Why `name` is not a valid data item name ("is empty", "contains '.'"), or
// nullptr: names are non-empty and contain no '.' and no NUL byte.
const char *name_problem(const std::string &name);
// Throws Status::invalid_argument naming the problem.
void check_name(const std::string &name);

// rows * cols for rows, cols >= 1, or -1 if either is < 1 or the product
// overflows int64 or size_t.
int64_t element_count(int64_t rows, int64_t cols);

// "rows x cols" as it appears in messages: "3x4".
std::string shape_string(int64_t rows, int64_t cols);

}  // namespace ds
