// datasparse sweep FILE: for each level x block x norm, the file sparsified
// in memory (as `sparsify` would write it), then its zstd-compressed size
// (libzstd), the relative reconstruction error ||W - W_s|| / ||W|| over the
// sparsified tensors, and the sparsify time; a CSV on stdout (and --csv),
// and a plot (--plot). PyTorch's DLRM disk-savings study, on any file.
#include "commands.hpp"
#include "errors.hpp"
#include "input.hpp"
#include "plot.hpp"
#include "sparsify.hpp"
#include "terminal.hpp"

#include <zstd.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

namespace dstool {
namespace {

struct Row {
    double level;
    std::string block, norm;
    uint64_t bytes = 0, zstd_bytes = 0;
    double rel_error = 0, achieved = 0, ms = 0, mb_per_s = 0;
};

// The zstd-compressed size (one frame, as ZSTD_compress writes it).
uint64_t zstd_size(const std::vector<uint8_t> &bytes, int level, const std::string &file) {
    std::vector<uint8_t> out(ZSTD_compressBound(bytes.size()));
    const size_t n = ZSTD_compress(out.data(), out.size(), bytes.data(), bytes.size(), level);
    if (ZSTD_isError(n)) fail(file, std::string("zstd: ") + ZSTD_getErrorName(n));
    return n;
}

}  // namespace

int cmd_sweep(const SweepArgs &a) {
    if (a.levels.empty() || a.blocks.empty() || a.norms.empty()) throw Error("--levels, --blocks and --norms need at least one value each");
    if (a.zstd_level < 1 || a.zstd_level > ZSTD_maxCLevel())
        throw Error("--zstd-level " + std::to_string(a.zstd_level) + ": must be in [1, " + std::to_string(ZSTD_maxCLevel()) + "]");
    struct Combo {
        double level;
        std::string block, norm;
        int br, bc;
        ds_norm n;
    };
    std::vector<Combo> combos;
    for (const std::string &b : a.blocks)
        for (const std::string &n : a.norms)
            for (double l : a.levels) {
                Combo c{parse_level(l, "--levels"), b, n, 0, 0, parse_norm(n, "--norms")};
                parse_block(b, "--blocks", c.br, c.bc);
                combos.push_back(c);
            }
    const std::string gnuplot = a.plot.empty() ? "" : find_gnuplot(a.plot);

    Input in = open_input(a.file);
    // The whole input in memory once (an .npz: its .npy members, concatenated).
    std::vector<std::vector<uint8_t>> images;
    for (const Image &im : in.images) {
        images.emplace_back(static_cast<size_t>(im.table.file_size));
        im.source->read_at(0, images.back().data(), images.back().size());
    }
    auto concat = [](const std::vector<std::vector<uint8_t>> &parts) {
        std::vector<uint8_t> all;
        for (const auto &p : parts) all.insert(all.end(), p.begin(), p.end());
        return all;
    };
    // One image (.safetensors, .npy) is compressed as it is: no copy.
    const std::vector<uint8_t> joined = images.size() == 1 ? std::vector<uint8_t>() : concat(images);
    const std::vector<uint8_t> &dense = images.size() == 1 ? images[0] : joined;
    Progress progress(a.quiet);
    progress.show("zstd of the dense file");
    const uint64_t dense_zstd = zstd_size(dense, a.zstd_level, a.file);

    std::vector<Row> rows;
    for (size_t k = 0; k < combos.size(); ++k) {
        const Combo &c = combos[k];
        progress.show("[" + std::to_string(k + 1) + "/" + std::to_string(combos.size()) + "] level " + fmt("%g", c.level) + ", block " +
                      c.block + ", " + c.norm);
        Selection sel = a.selection;
        sel.command_line.level = c.level;
        sel.command_line.block_rows = c.br;
        sel.command_line.block_cols = c.bc;
        sel.command_line.norm = c.n;
        sel.command_line.zeros.reset();
        if (a.zeros >= 0) sel.command_line.zeros = a.zeros;
        std::vector<std::vector<uint8_t>> outs;
        Row row{c.level, c.block, c.norm};
        double sq_norm = 0, sq_error = 0, masked = 0, elements = 0, bytes_sparsified = 0;
        for (size_t i = 0; i < in.images.size(); ++i) {
            const Image &im = in.images[i];
            MemorySource src(images[i].data(), images[i].size(), im.source->path());
            std::vector<TensorPlan> plans;
            for (const TensorInfo &t : im.table.tensors) plans.push_back(sel.plan_for(t));
            outs.emplace_back();
            MemorySink sink(outs.back());
            for (const TensorReport &r : process_image(src, im.table, plans, sink, nullptr, true)) {
                if (!r.sparsified) continue;
                sq_norm += r.sq_norm;
                sq_error += r.sq_error;
                row.ms += r.ms;
                bytes_sparsified += static_cast<double>(r.bytes);
                double el = 0;
                for (const TensorInfo &t : im.table.tensors)
                    if (t.name == r.name) el = static_cast<double>(t.elements());
                masked += r.achieved * el;
                elements += el;
            }
        }
        const std::vector<uint8_t> all = outs.size() == 1 ? std::vector<uint8_t>() : concat(outs);
        const std::vector<uint8_t> &image = outs.size() == 1 ? outs[0] : all;
        row.bytes = image.size();
        row.zstd_bytes = zstd_size(image, a.zstd_level, a.file);
        row.rel_error = sq_norm > 0 ? std::sqrt(sq_error / sq_norm) : 0.0;
        row.achieved = elements > 0 ? masked / elements : 0.0;
        row.mb_per_s = row.ms > 0 ? bytes_sparsified / 1e6 / (row.ms / 1e3) : 0.0;
        rows.push_back(row);
    }
    progress.done();

    std::ostringstream csv;
    csv << "level,block,norm,bytes,zstd_bytes,zstd_ratio,rel_error,achieved,sparsify_ms,sparsify_MB_per_s\n";
    char line[512];
    std::snprintf(line, sizeof line, "0,dense,-,%llu,%llu,%.4f,0,0,0,0\n", static_cast<unsigned long long>(dense.size()),
                  static_cast<unsigned long long>(dense_zstd), dense.size() / double(dense_zstd ? dense_zstd : 1));
    csv << line;
    for (const Row &r : rows) {
        std::snprintf(line, sizeof line, "%g,%s,%s,%llu,%llu,%.4f,%.6f,%.6f,%.1f,%.1f\n", r.level, r.block.c_str(), r.norm.c_str(),
                      static_cast<unsigned long long>(r.bytes), static_cast<unsigned long long>(r.zstd_bytes),
                      r.bytes / double(r.zstd_bytes ? r.zstd_bytes : 1), r.rel_error, r.achieved, r.ms, r.mb_per_s);
        csv << line;
    }
    if (!a.csv.empty()) {
        AtomicOutput out(a.csv);
        const std::string text = csv.str();
        out.write_at(0, text.data(), text.size());
        out.commit();
    }
    std::fputs(csv.str().c_str(), stdout);

    if (!a.plot.empty()) {
        // One line per block x norm: zstd size against level (left), error against level (right).
        std::map<std::string, std::vector<const Row *>> series;
        std::vector<std::string> order;
        for (const Row &r : rows) {
            const std::string key = r.block + " " + r.norm;
            if (!series.count(key)) order.push_back(key);
            series[key].push_back(&r);
        }
        std::string script;
        for (size_t s = 0; s < order.size(); ++s) {
            script += "$s" + std::to_string(s) + " << EOD\n";
            for (const Row *r : series[order[s]])
                script += fmt("%g", r->level) + " " + fmt("%.6f", r->zstd_bytes / 1e6) + " " + fmt("%.6f", r->rel_error) + "\n";
            script += "EOD\n";
        }
        std::string name = a.file.substr(a.file.rfind('/') == std::string::npos ? 0 : a.file.rfind('/') + 1);
        for (char &ch : name)
            if (ch == '\'') ch = ' ';
        script += "set multiplot layout 1,2 title '" + name + ": dense " + fmt("%.1f", dense.size() / 1e6) + " MB, zstd " +
                  fmt("%.1f", dense_zstd / 1e6) + " MB'\nset grid\nset xlabel 'sparsity level'\nset key bottom left\n"
                  "set ylabel 'zstd size (MB)'\nset yrange [0:*]\nplot ";
        for (size_t s = 0; s < order.size(); ++s)
            script += std::string(s ? ", " : "") + "$s" + std::to_string(s) + " using 1:2 with linespoints pt 7 ps 0.5 title '" + order[s] + "'";
        script += fmt(", %.6f with lines dt 2 lc rgb 'gray' title 'dense'", dense_zstd / 1e6);
        script += "\nset ylabel 'relative error ||W - W_s|| / ||W||'\nset key top left\nplot ";
        for (size_t s = 0; s < order.size(); ++s)
            script += std::string(s ? ", " : "") + "$s" + std::to_string(s) + " using 1:3 with linespoints pt 7 ps 0.5 title '" + order[s] + "'";
        script += "\nunset multiplot\n";
        plot_png(gnuplot, a.plot, script);
    }
    return 0;
}

}  // namespace dstool
