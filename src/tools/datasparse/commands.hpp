// The subcommands (main.cpp parses the command line into these).
#pragma once
#include "settings.hpp"

#include <string>
#include <vector>

namespace dstool {

struct SparsifyArgs {
    std::string in, out, config;
    Selection selection;
    bool quiet = false;
    bool global = false;  // --global: one level over all selected tensors (one group)
};
struct ScheduleArgs {
    std::string kind, plot;
    double base = 0.9;
    int64_t epochs = 0;
    std::vector<std::pair<std::string, double>> params;
    bool quiet = false;
};
struct SweepArgs {
    std::string file, csv, plot;
    std::vector<double> levels;
    std::vector<std::string> blocks, norms;
    int zeros = -1;  // -1: the block size
    int zstd_level = 3;
    Selection selection;
    bool quiet = false;
};

int cmd_sparsify(const SparsifyArgs &a);
class World;
int cmd_sparsify_spread(const SparsifyArgs &a, World &w);  // --global or under mpirun (spread.cpp)
int cmd_inspect(const std::string &file, bool quiet);
int cmd_schedule(const ScheduleArgs &a);
int cmd_sweep(const SweepArgs &a);
int cmd_demo();

}  // namespace dstool
