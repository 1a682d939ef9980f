// datasparse sparsify with --global, or under mpirun (issue 14): the
// selected tensors' rows spread over the ranks (block-row aligned; a rank may
// hold none), each rank reading and writing only its rows by offset, joined
// by the library's group/shard selection over an allreduce. Every phase ends
// with the ranks agreeing on success (an allreduce of a failure flag), so a
// failure on any rank fails every rank at the same point and rank 0's
// temporary output is removed, never renamed.
#include "commands.hpp"
#include "errors.hpp"
#include "input.hpp"
#include "sparsify.hpp"
#include "terminal.hpp"
#include "world.hpp"

#include <datasparse/datasparse.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>

namespace dstool {
namespace {

// Runs f on every rank; if it failed on any, it fails on all: the failing
// rank with its own error, the others with one that says another rank failed.
template <class F>
void together(World &w, const std::string &file, F &&f) {
    std::exception_ptr err;
    try {
        f();
    } catch (...) {
        err = std::current_exception();
    }
    uint64_t failed = err ? 1 : 0;
    const int rc = w.sum(&failed, 1);
    if (err) std::rethrow_exception(err);
    if (rc != 0) fail(file, "MPI_Allreduce failed; nothing written");
    if (failed)
        fail(file, "rank " + std::to_string(w.rank()) + ": " + std::to_string(failed) + " of " + std::to_string(w.size()) +
                       " ranks failed (see their errors); nothing written");
}

// The temporary output file as a rank other than 0 sees it: opened by path,
// written by offset, synced before the ranks agree that all is written.
class RankSink : public ByteSink {
public:
    explicit RankSink(const std::string &path, const std::string &display) : display_(display) {
        fd_ = open(path.c_str(), O_WRONLY | O_CLOEXEC);
        if (fd_ < 0) fail(display_, std::string("cannot open rank 0's temporary output: ") + std::strerror(errno));
    }
    ~RankSink() override {
        if (fd_ >= 0) close(fd_);
    }
    void write_at(uint64_t offset, const void *data, size_t n) override {
        const auto *p = static_cast<const uint8_t *>(data);
        while (n > 0) {
            const ssize_t put = pwrite(fd_, p, n, static_cast<off_t>(offset));
            if (put < 0) {
                if (errno == EINTR) continue;
                fail(display_, std::string("cannot write: ") + std::strerror(errno));
            }
            p += put;
            n -= static_cast<size_t>(put);
            offset += static_cast<uint64_t>(put);
        }
    }
    void sync() {
        if (fdatasync(fd_) != 0) fail(display_, std::string("cannot sync: ") + std::strerror(errno));
    }

private:
    std::string display_;
    int fd_ = -1;
};

// One selected tensor's share on this rank.
struct Work {
    size_t image = 0, index = 0;
    const TensorInfo *t = nullptr;
    const TensorPlan *p = nullptr;
    int64_t r0 = 0, r1 = 0;  // rows [r0, r1) of the matrix view
    std::vector<uint8_t> rows;
    double sparsity = 0;     // of this rank's rows
    double ms = 0;
    uint64_t row_bytes() const { return static_cast<uint64_t>(t->cols()) * t->elem_size; }
    uint64_t elements() const { return static_cast<uint64_t>(r1 - r0) * static_cast<uint64_t>(t->cols()); }
};

// Block rows split as evenly as can be: rank r holds block rows
// [nb*r/size, nb*(r+1)/size), so every share but the last holding rows is a
// whole number of block rows.
void share_rows(Work &w, int rank, int size) {
    const int64_t R = w.t->rows(), br = w.p->block_rows, nb = (R + br - 1) / br;
    w.r0 = std::min(R, nb * rank / size * br);
    w.r1 = std::min(R, nb * (rank + 1) / size * br);
}

void check(ds_status st, const std::string &file, const std::string &what) {
    if (st != DS_OK) fail(file, what + ": " + ds_status_string(st) + ": " + ds_last_error());
}

struct Handles {
    ds_sparsifier *s = nullptr;
    std::vector<ds_config *> configs;
    ~Handles() {
        ds_sparsifier_destroy(s);
        for (ds_config *c : configs) ds_config_destroy(c);
    }
};

// One step over items: a group of all of them (global), or one item (a shard
// when distributed). The rows are masked and squashed in place.
void step(World &w, const std::string &file, const std::vector<Work *> &items, bool group) {
    Handles h;
    ds_config *base = nullptr;
    check(ds_config_create(&base), file, "config");
    h.configs.push_back(base);
    check(ds_norm_sparsifier_create(items[0]->p->norm, base, &h.s), file, "sparsifier");
    std::vector<std::string> names;
    static uint8_t empty[8];
    for (Work *it : items) {
        const TensorPlan &p = *it->p;
        const std::string &tn = it->t->name;
        ds_config *c = nullptr;
        check(ds_config_create(&c), file, "config");
        h.configs.push_back(c);
        check(ds_config_set(c, "sparsity_level", group ? items[0]->p->level : p.level), file, "tensor '" + tn + "': sparsity");
        check(ds_config_set(c, "block_rows", p.block_rows), file, "tensor '" + tn + "': block");
        check(ds_config_set(c, "block_cols", p.block_cols), file, "tensor '" + tn + "': block");
        check(ds_config_set(c, "zeros_per_block", p.zeros), file, "tensor '" + tn + "': zeros per block");
        ds_tensor_desc desc = DS_TENSOR_DESC_INIT;
        desc.dtype = static_cast<ds_dtype>(it->t->ds_dtype);
        desc.ndim = 2;
        desc.shape[0] = it->r1 - it->r0;
        desc.shape[1] = it->t->cols();
        // Item names may not contain '.', which tensor names often do.
        names.push_back("t" + std::to_string(names.size()));
        void *data = it->rows.empty() ? static_cast<void *>(empty) : it->rows.data();
        if (w.distributed())
            check(ds_sparsifier_add_shard(h.s, names.back().c_str(), data, &desc, it->t->rows(), it->r1 > it->r0 ? it->r0 : 0, c, 0),
                  file, "tensor '" + tn + "': add shard");
        else
            check(ds_sparsifier_add_data_ex(h.s, names.back().c_str(), data, &desc, c, 0), file, "tensor '" + tn + "': add data");
    }
    if (group) {
        std::vector<const char *> ptrs;
        for (const std::string &n : names) ptrs.push_back(n.c_str());
        check(ds_sparsifier_set_group(h.s, "global", ptrs.data(), ptrs.size()), file, "group");
    }
    if (w.distributed()) check(ds_sparsifier_set_allreduce(h.s, &World::allreduce, &w), file, "allreduce");
    const auto start = std::chrono::steady_clock::now();
    check(ds_sparsifier_step(h.s), file, group ? "the global step" : "tensor '" + items[0]->t->name + "': step");
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    for (size_t i = 0; i < items.size(); ++i) {
        check(ds_sparsifier_get_sparsity(h.s, names[i].c_str(), &items[i]->sparsity), file, "sparsity");
        items[i]->ms = ms;
    }
    check(ds_sparsifier_squash_mask(h.s, nullptr, 0, 1), file, "squash");
}

void copy_unsparsified(const ByteSource &in, const TensorTable &table, const std::vector<TensorPlan> &plans, ByteSink &out) {
    const OutputLayout layout = output_layout(table);
    copy_range(in, out, 0, layout.header_size);
    uint64_t copied_to = layout.header_size;
    for (size_t i = 0; i < table.tensors.size(); ++i) {
        if (!plans[i].sparsify) continue;
        const TensorInfo &t = table.tensors[i];
        if (t.offset > copied_to) copy_range(in, out, copied_to, t.offset - copied_to);
        copied_to = std::max(copied_to, t.offset + t.nbytes);
    }
    if (layout.size > copied_to) copy_range(in, out, copied_to, layout.size - copied_to);
}

int fail_rank() {
    const char *v = std::getenv("DATASPARSE_TEST_FAIL_RANK");
    return v && *v ? std::atoi(v) : -1;
}

}  // namespace

int cmd_sparsify_spread(const SparsifyArgs &a, World &w) {
    const auto start = std::chrono::steady_clock::now();
    const bool quiet = a.quiet || w.rank() != 0;
    Selection sel = a.selection;
    Input in;
    std::vector<std::vector<TensorPlan>> plans;
    std::vector<Work> work;

    // 1. Header and plans, on every rank (each reads the header itself).
    together(w, a.in, [&] {
        if (format_of(a.out) != format_of(a.in))
            fail(a.out, std::string("the output must have the input's format (") + format_name(format_of(a.in)) + ")");
        if (!a.config.empty()) load_config(a.config, sel);
        if (a.global)
            for (const auto &rule : sel.rules)
                if (rule.second.level)
                    fail(a.config, "--global: the tensors share one level (the first selected tensor's); the per-tensor sparsity for '" +
                                       rule.first + "' is refused (block shapes, zeros per block may differ)");
        in = open_input(a.in);
        if (in.format == Format::npz && w.size() > 1)
            fail(a.in, "an .npz file cannot be split across MPI ranks (its members are compressed): run it in one process");
        for (size_t i = 0; i < in.images.size(); ++i) {
            plans.emplace_back();
            for (size_t j = 0; j < in.images[i].table.tensors.size(); ++j) {
                const TensorInfo &t = in.images[i].table.tensors[j];
                plans.back().push_back(sel.plan_for(t));
                if (plans.back().back().sparsify) check_plan(a.in, t, plans.back().back());
            }
        }
        for (size_t i = 0; i < in.images.size(); ++i)
            for (size_t j = 0; j < plans[i].size(); ++j)
                if (plans[i][j].sparsify) {
                    Work wk;
                    wk.image = i;
                    wk.index = j;
                    wk.t = &in.images[i].table.tensors[j];
                    wk.p = &plans[i][j];
                    share_rows(wk, w.rank(), w.size());
                    if (a.global && !work.empty() && wk.p->norm != work[0].p->norm)
                        fail(a.in, wk.t->name, "--global: every tensor of the group needs the same norm as the first ('" +
                                                   work[0].t->name + "')");
                    work.push_back(std::move(wk));
                }
    });

    // 2. Rank 0 creates the temporary output and writes everything that is
    // not a sparsified tensor (header, copied tensors, padding); the others
    // open it by the path rank 0 tells them.
    std::unique_ptr<AtomicOutput> out;
    std::unique_ptr<RankSink> rank_sink;
    std::vector<std::vector<uint8_t>> npz_images(in.images.size());
    std::vector<std::unique_ptr<ByteSink>> memory_sinks;
    std::vector<ByteSink *> sinks(in.images.size(), nullptr);
    together(w, a.out, [&] {
        if (w.rank() != 0) return;
        out.reset(new AtomicOutput(a.out));
        for (size_t i = 0; i < in.images.size(); ++i) {
            if (in.format == Format::npz) {
                memory_sinks.emplace_back(new MemorySink(npz_images[i]));
                sinks[i] = memory_sinks.back().get();
            } else {
                out->resize(output_layout(in.images[i].table).size);
                sinks[i] = out.get();
            }
            copy_unsparsified(*in.images[i].source, in.images[i].table, plans[i], *sinks[i]);
        }
    });
    const std::string temp = w.broadcast(out ? out->temp_path() : std::string());
    together(w, a.out, [&] {
        if (w.rank() == 0) return;
        rank_sink.reset(new RankSink(temp, a.out));
        for (ByteSink *&s : sinks) s = rank_sink.get();
    });

    // 3. Read this rank's rows, step, write them back: all tensors in one
    // step with --global, else one step per tensor.
    Progress progress(quiet);
    auto read = [&](Work &wk) {
        wk.rows.resize(static_cast<size_t>(static_cast<uint64_t>(wk.r1 - wk.r0) * wk.row_bytes()));
        if (!wk.rows.empty()) in.images[wk.image].source->read_at(wk.t->offset + wk.r0 * wk.row_bytes(), wk.rows.data(), wk.rows.size());
    };
    auto write = [&](Work &wk) {
        if (!wk.rows.empty())
            sinks[wk.image]->write_at(output_layout(in.images[wk.image].table).offsets[wk.index] + wk.r0 * wk.row_bytes(),
                                      wk.rows.data(), wk.rows.size());
        std::vector<uint8_t>().swap(wk.rows);
    };
    const int bad_rank = fail_rank();
    auto after_reading = [&] {
        if (bad_rank == w.rank()) fail(a.in, "DATASPARSE_TEST_FAIL_RANK: rank " + std::to_string(w.rank()) + " fails after reading");
    };
    std::vector<Work *> all;
    for (Work &wk : work) all.push_back(&wk);
    if (a.global && !work.empty()) {
        progress.show("global step over " + std::to_string(work.size()) + " tensors");
        together(w, a.in, [&] {
            for (Work &wk : work) read(wk);
            after_reading();
        });
        together(w, a.in, [&] { step(w, a.in, all, true); });
        together(w, a.out, [&] {
            for (Work &wk : work) write(wk);
        });
    } else {
        size_t done = 0;
        for (Work &wk : work) {
            progress.show("[" + std::to_string(++done) + "/" + std::to_string(work.size()) + "] " + wk.t->name + " (" +
                          wk.t->shape_text() + ")");
            together(w, a.in, [&] {
                read(wk);
                after_reading();
            });
            together(w, a.in, [&] { step(w, a.in, {&wk}, false); });
            together(w, a.out, [&] { write(wk); });
        }
    }
    progress.done();

    // The achieved sparsity of whole tensors: zeroed elements summed over the ranks.
    std::vector<uint64_t> zeroed;
    for (const Work &wk : work) zeroed.push_back(static_cast<uint64_t>(std::llround(wk.sparsity * static_cast<double>(wk.elements()))));
    if (!zeroed.empty() && w.sum(zeroed.data(), zeroed.size()) != 0) fail(a.in, "MPI_Allreduce failed; nothing written");

    // 4. Every rank has written and synced; rank 0 renames.
    together(w, a.out, [&] {
        if (rank_sink) rank_sink->sync();
    });
    together(w, a.out, [&] {
        if (w.rank() != 0) return;
        if (in.format == Format::npz) {
            NpzArchive result = in.npz;
            for (size_t i = 0; i < in.images.size(); ++i) result.members[in.images[i].member].bytes = std::move(npz_images[i]);
            write_npz(out->temp_path(), a.out, result);
            out->reopen();
        }
        out->commit();
    });
    if (quiet) return 0;

    Table table({"tensor", "dtype", "shape", "block", "target", "achieved", "ms", "note"},
                {false, false, false, false, true, true, true, false});
    size_t wi = 0, count = 0, tensors = 0;
    uint64_t bytes = 0, total_zeroed = 0, total_elements = 0;
    double ms = 0;
    for (size_t i = 0; i < in.images.size(); ++i) {
        const TensorTable &tt = in.images[i].table;
        bytes += in.format == Format::npz ? in.npz.members[in.images[i].member].bytes.size() : tt.file_size;
        for (size_t j = 0; j < tt.tensors.size(); ++j, ++tensors) {
            const TensorInfo &t = tt.tensors[j];
            const TensorPlan &p = plans[i][j];
            if (!p.sparsify) {
                table.add({t.name, t.dtype, t.shape_text(), "-", "-", "-", "-", "copied: " + p.why_not});
                continue;
            }
            const Work &wk = work[wi];
            const uint64_t n = t.elements();
            const double achieved = w.distributed() ? (n ? static_cast<double>(zeroed[wi]) / static_cast<double>(n) : 0) : wk.sparsity;
            total_zeroed += zeroed[wi];
            total_elements += n;
            ++wi;
            ++count;
            const std::string block = p.block_text() + (p.zeros != p.block_rows * p.block_cols ? " (" + std::to_string(p.zeros) + " zeros)" : "");
            table.add({t.name, t.dtype, t.shape_text(), block, fmt("%.2f", a.global ? work[0].p->level : p.level), fmt("%.4f", achieved),
                       a.global ? "" : fmt("%.1f", wk.ms), a.global ? "group" : ""});
            ms = a.global ? wk.ms : ms + wk.ms;
        }
    }
    if (a.global && count > 0)
        table.add({"total", "", "", "", fmt("%.2f", work[0].p->level),
                   fmt("%.4f", total_elements ? static_cast<double>(total_zeroed) / static_cast<double>(total_elements) : 0),
                   fmt("%.1f", ms), "one level over " + std::to_string(count) + " tensors"});
    table.print();
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("%zu of %zu tensors sparsified%s, %s written to %s%s in %.2f s\n", count, tensors, a.global ? " (--global)" : "",
                human_bytes(bytes).c_str(), a.out.c_str(),
                w.distributed() ? (" by " + std::to_string(w.size()) + " MPI ranks").c_str() : "", secs);
    return 0;
}

}  // namespace dstool
