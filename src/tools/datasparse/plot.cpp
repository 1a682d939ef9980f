#include "plot.hpp"

#include "errors.hpp"
#include "io.hpp"

#include <cstdio>
#include <cstdlib>
#include <sys/wait.h>
#include <unistd.h>

namespace dstool {

std::string find_gnuplot(const std::string &png) {
    if (png.size() < 5 || png.compare(png.size() - 4, 4, ".png") != 0)
        throw Error("--plot " + png + ": the plot's name must end in .png");
    if (png.find('\'') != std::string::npos || png.find('\n') != std::string::npos)
        throw Error("--plot " + png + ": the name may not contain a quote or a newline");
    const char *path = std::getenv("PATH");
    std::string dirs = path ? path : "";
    size_t start = 0;
    while (start <= dirs.size()) {
        size_t end = dirs.find(':', start);
        if (end == std::string::npos) end = dirs.size();
        const std::string dir = dirs.substr(start, end - start);
        const std::string candidate = (dir.empty() ? "." : dir) + "/gnuplot";
        if (access(candidate.c_str(), X_OK) == 0) return candidate;
        start = end + 1;
    }
    throw Error("--plot " + png + ": gnuplot is not on PATH (install gnuplot-nox, or leave out --plot)");
}

void plot_png(const std::string &gnuplot, const std::string &png, const std::string &script) {
    AtomicOutput out(png);
    const std::string full = "set terminal pngcairo noenhanced size 800,500 font 'sans,10'\nset output '" + out.temp_path() + "'\n" + script + "\nunset output\n";
    std::string command = "'" + gnuplot + "'";  // found on PATH; no quote in a PATH entry expected
    if (gnuplot.find('\'') != std::string::npos) throw Error("--plot " + png + ": the gnuplot path contains a quote");
    std::FILE *pipe = popen(command.c_str(), "w");
    if (!pipe) throw Error("--plot " + png + ": cannot run " + gnuplot);
    std::fwrite(full.data(), 1, full.size(), pipe);
    const int status = pclose(pipe);
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw Error("--plot " + png + ": gnuplot failed (exit status " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")");
    out.reopen();
    out.commit();
}

}  // namespace dstool
