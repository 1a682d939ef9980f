// One kind of failure for the whole command: a message that names the file,
// the tensor (when there is one) and the problem, printed as one line.
#pragma once
#include <stdexcept>
#include <string>

namespace dstool {

// Messages stay one line whatever a file holds: control characters (in a
// tensor name, a header) are written as \xNN.
inline std::string one_line(const std::string &text) {
    static const char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned char c : text) {
        if (c < 32 || c == 127) {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

class Error : public std::runtime_error {
public:
    explicit Error(const std::string &message) : std::runtime_error(one_line(message)) {}
};

// "FILE: tensor 'NAME': PROBLEM" (the tensor part only when name is given).
[[noreturn]] inline void fail(const std::string &file, const std::string &problem) {
    throw Error(file + ": " + problem);
}
[[noreturn]] inline void fail(const std::string &file, const std::string &tensor, const std::string &problem) {
    throw Error(file + ": tensor '" + tensor + "': " + problem);
}

}  // namespace dstool
