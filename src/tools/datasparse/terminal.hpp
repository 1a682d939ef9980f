// Output helpers: progress on stderr only when it is a terminal (and not
// --quiet), and plain aligned tables on stdout.
#pragma once
#include <algorithm>
#include <cstdio>
#include <string>
#include <unistd.h>
#include <vector>

namespace dstool {

class Progress {
public:
    explicit Progress(bool quiet) : on_(!quiet && isatty(STDERR_FILENO)) {}
    ~Progress() { done(); }
    void show(const std::string &line) {
        if (!on_) return;
        std::fprintf(stderr, "\r\033[K%s", line.substr(0, 100).c_str());
        std::fflush(stderr);
        shown_ = true;
    }
    void done() {
        if (on_ && shown_) std::fprintf(stderr, "\r\033[K");
        shown_ = false;
    }

private:
    bool on_, shown_ = false;
};

class Table {
public:
    explicit Table(std::vector<std::string> header, std::vector<bool> right = {}) : right_(std::move(right)) {
        rows_.push_back(std::move(header));
    }
    void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
    void print(std::FILE *f = stdout) const {
        std::vector<size_t> w;
        for (const auto &r : rows_)
            for (size_t i = 0; i < r.size(); ++i) {
                if (w.size() <= i) w.push_back(0);
                w[i] = std::max(w[i], r[i].size());
            }
        for (const auto &r : rows_) {
            std::string line;
            for (size_t i = 0; i < r.size(); ++i) {
                const bool right = i < right_.size() && right_[i];
                const std::string pad(w[i] - r[i].size(), ' ');
                line += (i ? "  " : "") + (right ? pad + r[i] : r[i] + (i + 1 < r.size() ? pad : ""));
            }
            std::fprintf(f, "%s\n", line.c_str());
        }
    }

private:
    std::vector<std::vector<std::string>> rows_;
    std::vector<bool> right_;
};

inline std::string fmt(const char *format, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, format, v);
    return buf;
}

}  // namespace dstool
