// One kind of failure for the whole command: a message that names the file,
// the tensor (when there is one) and the problem, printed as one line.
#pragma once
#include <stdexcept>
#include <string>

namespace dstool {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string &message) : std::runtime_error(message) {}
};

// "FILE: tensor 'NAME': PROBLEM" (the tensor part only when name is given).
[[noreturn]] inline void fail(const std::string &file, const std::string &problem) {
    throw Error(file + ": " + problem);
}
[[noreturn]] inline void fail(const std::string &file, const std::string &tensor, const std::string &problem) {
    throw Error(file + ": tensor '" + tensor + "': " + problem);
}

}  // namespace dstool
