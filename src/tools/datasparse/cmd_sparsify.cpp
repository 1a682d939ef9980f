// datasparse sparsify IN OUT: every selected float tensor sparsified, the
// rest copied byte for byte, written atomically; a per-tensor table.
#include "commands.hpp"
#include "errors.hpp"
#include "input.hpp"
#include "sparsify.hpp"
#include "terminal.hpp"
#include "world.hpp"

#include <chrono>

namespace dstool {

int cmd_sparsify(const SparsifyArgs &a) {
    // Under mpirun (and built with MPI) or with --global: spread.cpp.
    const std::unique_ptr<World> world = World::from_environment();
    if (world->distributed() || a.global) return cmd_sparsify_spread(a, *world);
    const auto start = std::chrono::steady_clock::now();
    if (format_of(a.out) != format_of(a.in))
        fail(a.out, std::string("the output must have the input's format (") + format_name(format_of(a.in)) + ")");
    Selection sel = a.selection;
    if (!a.config.empty()) load_config(a.config, sel);
    Input in = open_input(a.in);

    // Every plan is made and checked before anything is written.
    std::vector<std::vector<TensorPlan>> plans;
    for (const Image &im : in.images) {
        plans.emplace_back();
        for (const TensorInfo &t : im.table.tensors) {
            plans.back().push_back(sel.plan_for(t));
            if (plans.back().back().sparsify) check_plan(a.in, t, plans.back().back());
        }
    }

    Progress progress(a.quiet);
    size_t done = 0, total = 0;
    for (const Image &im : in.images) total += im.table.tensors.size();
    auto show = [&](size_t, size_t, const TensorInfo &t) {
        progress.show("[" + std::to_string(++done) + "/" + std::to_string(total) + "] " + t.name + " (" + t.shape_text() + ")");
    };

    AtomicOutput out(a.out);
    std::vector<TensorReport> reports;
    uint64_t bytes = 0;
    if (in.format == Format::npz) {
        NpzArchive result = in.npz;  // non-.npy members as they were
        for (size_t i = 0; i < in.images.size(); ++i) {
            const Image &im = in.images[i];
            std::vector<uint8_t> image;
            MemorySink sink(image);
            auto r = process_image(*im.source, im.table, plans[i], sink, show, false);
            result.members[im.member].bytes = std::move(image);
            reports.insert(reports.end(), r.begin(), r.end());
        }
        write_npz(out.temp_path(), a.out, result);
        out.reopen();
        for (const NpzMember &m : in.npz.members) bytes += m.bytes.size();
    } else {
        const Image &im = in.images[0];
        out.resize(output_layout(im.table).size);
        reports = process_image(*im.source, im.table, plans[0], out, show, false);
        bytes = im.table.file_size;
    }
    out.commit();
    progress.done();

    if (!a.quiet) {
        Table table({"tensor", "dtype", "shape", "block", "target", "achieved", "ms", "note"},
                    {false, false, false, false, true, true, true, false});
        double ms = 0;
        size_t count = 0;
        for (const TensorReport &r : reports) {
            if (r.sparsified) {
                table.add({r.name, r.dtype, r.shape, r.plan.block_text() + (r.plan.zeros != r.plan.block_rows * r.plan.block_cols
                                                                               ? " (" + std::to_string(r.plan.zeros) + " zeros)" : ""),
                           fmt("%.2f", r.plan.level), fmt("%.4f", r.achieved), fmt("%.1f", r.ms), ""});
                ms += r.ms;
                ++count;
            } else {
                table.add({r.name, r.dtype, r.shape, "-", "-", "-", "-", "copied: " + r.note});
            }
        }
        table.print();
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::printf("%zu of %zu tensors sparsified, %s written to %s in %.2f s\n", count, reports.size(), human_bytes(bytes).c_str(),
                    a.out.c_str(), secs);
    }
    return 0;
}

}  // namespace dstool
