// PNG plots through gnuplot (Debian's gnuplot-nox), written atomically.
#pragma once
#include <string>

namespace dstool {

// The gnuplot executable on PATH; Error naming the option if there is none.
std::string find_gnuplot(const std::string &png);
// Runs `script` (gnuplot commands after "set terminal"/"set output", data in
// $name << EOD blocks) to make png.
void plot_png(const std::string &gnuplot, const std::string &png, const std::string &script);

}  // namespace dstool
