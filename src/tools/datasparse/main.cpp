// datasparse: the command. Parses the command line (CLI11) and runs a
// subcommand; any failure is one line on stderr and a non-zero exit:
//   1  the work failed (a file, a tensor, a value)
//   2  the command line is wrong
#include "commands.hpp"
#include "errors.hpp"

#include <datasparse/datasparse.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <new>

namespace {

void print_error(const std::string &message) {
    std::string one = message;
    for (char &c : one)
        if (c == '\n' || c == '\r') c = ' ';
    std::fprintf(stderr, "datasparse: error: %s\n", one.c_str());
}

// --only/--skip/--sparsity/--block/... shared by sparsify and sweep.
struct SelectionOptions {
    std::vector<std::string> only, skip;
};

}  // namespace

int main(int argc, char **argv) {
    using namespace dstool;
    CLI::App app{"datasparse: sparsify the tensors of .safetensors, .npy and .npz files with the datasparse library"};
    app.name("datasparse");
    app.set_version_flag("--version", std::string(ds_version_string()), "Print the library's version (ds_version_string) and exit");
    app.require_subcommand(1);
    app.fallthrough(false);

    // sparsify
    SparsifyArgs sp;
    double sp_level = 0.5;
    std::string sp_block = "1x4", sp_norm = "l1";
    int sp_zeros = -1;
    auto *sparsify = app.add_subcommand("sparsify", "Sparsify every float tensor of IN and write OUT (same format), atomically");
    sparsify->add_option("IN", sp.in, "Input file (.safetensors, .npy or .npz)")->required();
    sparsify->add_option("OUT", sp.out, "Output file, same format")->required();
    auto *o_level = sparsify->add_option("--sparsity", sp_level, "Fraction of blocks zeroed, in [0, 1] (default 0.5)");
    auto *o_block = sparsify->add_option("--block", sp_block, "Block shape ROWSxCOLS (default 1x4)");
    auto *o_zeros = sparsify->add_option("--zeros-per-block", sp_zeros, "Zeros in each sparsified block (default: the whole block; 2 with 1x4: 2:4)");
    auto *o_norm = sparsify->add_option("--norm", sp_norm, "Block score: l1 (mean |x|) or l2 (mean x^2) (default l1)");
    sparsify->add_option("--only", sp.selection.only, "Sparsify only tensors whose name matches one of these globs")->expected(1, -1);
    sparsify->add_option("--skip", sp.selection.skip, "Copy tensors whose name matches one of these globs unchanged")->expected(1, -1);
    sparsify->add_option("--config", sp.config, "JSON file: {\"defaults\": {...}, \"tensors\": {\"name or glob\": {...}}}");
    sparsify->add_flag("--quiet,-q", sp.quiet, "No progress and no table");
    sparsify->add_flag("--global", sp.global,
                       "One sparsity level over all selected tensors together (one group: small-norm tensors give up more); "
                       "the level is the first selected tensor's; per-tensor sparsity overrides in --config are refused");

    // inspect
    std::string inspect_file;
    bool inspect_quiet = false;
    auto *inspect = app.add_subcommand("inspect", "Tensors, dtypes, shapes, fraction of exact zeros and N:M structure of a file");
    inspect->add_option("FILE", inspect_file, "A .safetensors, .npy or .npz file")->required();
    inspect->add_flag("--quiet,-q", inspect_quiet, "No progress");

    // schedule: every built-in schedule's parameters, from the library's registry
    ScheduleArgs sc;
    auto *schedule = app.add_subcommand("schedule", "The sparsity level each epoch would get from a built-in schedule (table and plot)");
    std::string kinds;
    for (size_t i = 0; i < ds_schedule_info_count(); ++i) kinds += std::string(i ? "|" : "") + ds_schedule_info_at(i)->kind;
    schedule->add_option("--kind", sc.kind, "The schedule: " + kinds + " (polynomial = polynomial_decay)")->required();
    schedule->add_option("--epochs", sc.epochs, "Number of epochs to show")->required();
    schedule->add_option("--base", sc.base, "The item's base sparsity_level (the target) (default 0.9)");
    schedule->add_option("--plot", sc.plot, "Also plot to this .png (gnuplot)");
    schedule->add_flag("--quiet,-q", sc.quiet, "No table");
    std::map<std::string, double> sc_values;
    std::vector<std::string> sc_order;
    std::map<std::string, std::string> sc_doc, sc_kinds;  // each parameter's doc, and the kinds that take it
    for (size_t i = 0; i < ds_schedule_info_count(); ++i) {
        const ds_schedule_info *info = ds_schedule_info_at(i);
        for (size_t p = 0; p < info->param_count; ++p) {
            const std::string name = info->params[p].name;
            if (!sc_doc.count(name)) {
                sc_order.push_back(name);
                sc_doc[name] = info->params[p].doc;
            }
            sc_kinds[name] += std::string(sc_kinds[name].empty() ? "" : ", ") + info->kind;
        }
    }
    for (const std::string &name : sc_order) {
        std::string dashed = name;
        for (char &c : dashed)
            if (c == '_') c = '-';
        const std::string flags = dashed == name ? "--" + name : "--" + dashed + ",--" + name;
        // a parameter several kinds take means something of its own in each: their names, not one's doc
        const bool shared = sc_kinds[name].find(',') != std::string::npos;
        schedule->add_option(flags, sc_values[name],
                             shared ? "parameter of the " + sc_kinds[name] + " schedules" : sc_doc[name] + " (" + sc_kinds[name] + ")");
    }

    // sweep
    SweepArgs sw;
    std::string sw_levels = "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.0", sw_blocks = "1x4", sw_norms = "l1";
    auto *sweep = app.add_subcommand("sweep", "Compressed size (zstd), reconstruction error and time for each level x block x norm");
    sweep->add_option("FILE", sw.file, "A .safetensors, .npy or .npz file")->required();
    sweep->add_option("--levels", sw_levels, "Comma-separated levels (default 0.1,...,1.0)");
    sweep->add_option("--blocks", sw_blocks, "Comma-separated block shapes (default 1x4)");
    sweep->add_option("--norms", sw_norms, "Comma-separated norms, l1 and/or l2 (default l1)");
    sweep->add_option("--zeros-per-block", sw.zeros, "Zeros in each sparsified block (default: the whole block)");
    sweep->add_option("--zstd-level", sw.zstd_level, "zstd compression level (default 3)");
    sweep->add_option("--only", sw.selection.only, "Only tensors matching these globs")->expected(1, -1);
    sweep->add_option("--skip", sw.selection.skip, "Not tensors matching these globs")->expected(1, -1);
    sweep->add_option("--csv", sw.csv, "Also write the CSV to this file");
    sweep->add_option("--plot", sw.plot, "Plot to this .png (gnuplot)");
    sweep->add_flag("--quiet,-q", sw.quiet, "No progress");

    auto *demo = app.add_subcommand("demo", "The seed's flow on built-in synthetic data");

    const std::string first = argc > 1 ? argv[1] : "-";
    if (first[0] != '-' && first != "sparsify" && first != "inspect" && first != "schedule" && first != "sweep" && first != "demo") {
        print_error(std::string("unknown subcommand '") + argv[1] + "' (sparsify, inspect, schedule, sweep or demo; see datasparse --help)");
        return 2;
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp &e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp &e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion &e) {
        return app.exit(e);
    } catch (const CLI::ParseError &e) {
        print_error(std::string(e.what()) + " (see datasparse --help)");
        return 2;
    }

    auto split = [](const std::string &text) {
        std::vector<std::string> out;
        size_t start = 0;
        while (start <= text.size()) {
            size_t end = text.find(',', start);
            if (end == std::string::npos) end = text.size();
            out.push_back(text.substr(start, end - start));
            start = end + 1;
        }
        return out;
    };
    try {
        if (*sparsify) {
            if (*o_level) sp.selection.command_line.level = parse_level(sp_level, "--sparsity");
            if (*o_block) {
                int r, c;
                parse_block(sp_block, "--block", r, c);
                sp.selection.command_line.block_rows = r;
                sp.selection.command_line.block_cols = c;
            }
            if (*o_zeros) {
                if (sp_zeros < 0) throw Error("--zeros-per-block " + std::to_string(sp_zeros) + ": must be >= 0");
                sp.selection.command_line.zeros = sp_zeros;
            }
            if (*o_norm) sp.selection.command_line.norm = parse_norm(sp_norm, "--norm");
            return cmd_sparsify(sp);
        }
        if (*inspect) return cmd_inspect(inspect_file, inspect_quiet);
        if (*schedule) {
            for (const std::string &name : sc_order) {
                std::string dashed = name;
                for (char &c : dashed)
                    if (c == '_') c = '-';
                if (schedule->count("--" + dashed) > 0) sc.params.emplace_back(name, sc_values[name]);
            }
            return cmd_schedule(sc);
        }
        if (*sweep) {
            for (const std::string &l : split(sw_levels)) {
                try {
                    size_t used = 0;
                    sw.levels.push_back(std::stod(l, &used));
                    if (used != l.size()) throw std::invalid_argument(l);
                } catch (const std::logic_error &) {
                    throw Error("--levels " + sw_levels + ": '" + l + "' is not a number");
                }
            }
            sw.blocks = split(sw_blocks);
            sw.norms = split(sw_norms);
            if (sw.zeros < -1) throw Error("--zeros-per-block " + std::to_string(sw.zeros) + ": must be >= 0");
            return cmd_sweep(sw);
        }
        if (*demo) return cmd_demo();
    } catch (const Error &e) {
        print_error(e.what());
        return 1;
    } catch (const std::bad_alloc &) {
        print_error("out of memory");
        return 1;
    } catch (const std::exception &e) {
        print_error(std::string("unexpected failure: ") + e.what());
        return 1;
    }
    return 0;
}
