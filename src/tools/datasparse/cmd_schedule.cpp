// datasparse schedule: the level each epoch would get from a built-in
// schedule, computed by the library itself (a scheduler over a one-item
// sparsifier whose base level is --base), as a table and optionally a plot.
#include "commands.hpp"
#include "errors.hpp"
#include "plot.hpp"
#include "terminal.hpp"

#include <datasparse/datasparse.h>

namespace dstool {
namespace {

struct Handles {
    ds_config *config = nullptr, *params = nullptr;
    ds_sparsifier *sparsifier = nullptr;
    ds_schedule *schedule = nullptr;
    ds_scheduler *scheduler = nullptr;
    ~Handles() {
        ds_scheduler_destroy(scheduler);
        ds_schedule_destroy(schedule);
        ds_sparsifier_destroy(sparsifier);
        ds_config_destroy(params);
        ds_config_destroy(config);
    }
};

void check(ds_status st, const std::string &what) {
    if (st != DS_OK) throw Error(what + ": " + ds_last_error());
}

}  // namespace

int cmd_schedule(const ScheduleArgs &a) {
    const std::string kind = a.kind == "polynomial" ? "polynomial_decay" : a.kind;
    if (!ds_schedule_info_find(kind.c_str())) {
        std::string known;
        for (size_t i = 0; i < ds_schedule_info_count(); ++i) known += std::string(i ? ", " : "") + ds_schedule_info_at(i)->kind;
        throw Error("--kind " + a.kind + ": not a built-in schedule (" + known + ")");
    }
    if (a.epochs < 1 || a.epochs > 1000000) throw Error("--epochs " + std::to_string(a.epochs) + ": must be in [1, 1000000]");
    const std::string gnuplot = a.plot.empty() ? "" : find_gnuplot(a.plot);
    Handles h;
    check(ds_config_create(&h.params), "parameters");
    for (const auto &p : a.params) check(ds_config_set(h.params, p.first.c_str(), p.second), "--" + p.first);
    check(ds_schedule_create(kind.c_str(), h.params, &h.schedule), "--kind " + a.kind);
    check(ds_config_create(&h.config), "config");
    check(ds_config_set(h.config, "sparsity_level", a.base), "--base");
    check(ds_norm_sparsifier_create(DS_NORM_L1, h.config, &h.sparsifier), "sparsifier");
    static float data[4] = {1, 2, 3, 4};
    check(ds_sparsifier_add_data(h.sparsifier, "layer", data, 1, 4, nullptr, 0), "data");
    check(ds_scheduler_create_builtin(h.sparsifier, "sparsity_level", h.schedule, -1, &h.scheduler), "--kind " + a.kind);

    std::vector<double> levels;
    for (int64_t epoch = 0; epoch < a.epochs; ++epoch) {
        if (epoch > 0) {
            check(ds_sparsifier_step(h.sparsifier), "step");
            check(ds_scheduler_step(h.scheduler), "epoch " + std::to_string(epoch));
        }
        double level = 0;
        check(ds_sparsifier_get_param(h.sparsifier, "layer", "sparsity_level", &level), "level");
        levels.push_back(level);
    }
    std::string title = kind + " schedule, base " + fmt("%g", a.base);
    for (const auto &p : a.params) title += ", " + p.first + " " + fmt("%g", p.second);
    if (!a.quiet) {
        std::printf("%s\n", title.c_str());
        Table t({"epoch", "sparsity_level"}, {true, true});
        for (size_t e = 0; e < levels.size(); ++e) t.add({std::to_string(e), fmt("%.4f", levels[e])});
        t.print();
    }
    if (!a.plot.empty()) {
        std::string script = "$levels << EOD\n";
        for (size_t e = 0; e < levels.size(); ++e) script += std::to_string(e) + " " + fmt("%.6f", levels[e]) + "\n";
        script += "EOD\nset title '" + title + "'\nset xlabel 'epoch'\nset ylabel 'sparsity level'\nset grid\nset key off\n"
                  "set yrange [0:*]\nset offsets 0, 0, graph 0.05, 0\nplot $levels using 1:2 with linespoints lw 2 pt 7 ps 0.6\n";
        plot_png(gnuplot, a.plot, script);
        if (!a.quiet) std::printf("plot: %s\n", a.plot.c_str());
    }
    return 0;
}

}  // namespace dstool
