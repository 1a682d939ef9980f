// What to do with each tensor: the command line's options, a --config file's
// defaults and per-tensor overrides (by name or glob), --only and --skip.
#pragma once
#include "formats.hpp"

#include <datasparse/datasparse.h>

#include <optional>
#include <string>
#include <vector>

namespace dstool {

struct Settings {
    std::optional<double> level;
    std::optional<int> block_rows, block_cols;
    std::optional<int> zeros;
    std::optional<ds_norm> norm;
    std::optional<bool> skip;
    void apply(const Settings &over);  // over's set fields win
};

struct TensorPlan {
    bool sparsify = false;
    std::string why_not;  // when not: "not a float type", "--skip", ...
    double level = 0.5;
    int block_rows = 1, block_cols = 4;
    int zeros = 4;
    ds_norm norm = DS_NORM_L1;
    std::string block_text() const { return std::to_string(block_rows) + "x" + std::to_string(block_cols); }
};

struct Selection {
    Settings config_defaults;  // the config file's "defaults"
    Settings command_line;     // options given on the command line
    std::vector<std::pair<std::string, Settings>> rules;  // the config file's "tensors", in file order
    std::vector<std::string> only, skip;                  // globs
    TensorPlan plan_for(const TensorInfo &t) const;
};

// Parsers of option values; `what` names the option in the error ("--block").
void parse_block(const std::string &text, const std::string &what, int &rows, int &cols);
ds_norm parse_norm(const std::string &text, const std::string &what);
double parse_level(double v, const std::string &what);
// Reads a --config JSON file into sel (config_defaults and rules).
void load_config(const std::string &path, Selection &sel);
// Checks a finished plan (zeros within the block); Error names the tensor.
void check_plan(const std::string &file, const TensorInfo &t, const TensorPlan &p);

}  // namespace dstool
