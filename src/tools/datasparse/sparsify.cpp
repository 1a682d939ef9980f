#include "sparsify.hpp"

#include "errors.hpp"
#include "values.hpp"

#include <datasparse/datasparse.h>

#include <algorithm>
#include <chrono>
#include <memory>

namespace dstool {
namespace {

struct Handles {
    ds_config *config = nullptr;
    ds_sparsifier *sparsifier = nullptr;
    ~Handles() {
        ds_sparsifier_destroy(sparsifier);
        ds_config_destroy(config);
    }
};

void check(ds_status st, const std::string &file, const std::string &tensor, const char *what) {
    if (st != DS_OK) fail(file, tensor, std::string(what) + ": " + ds_status_string(st) + ": " + ds_last_error());
}

}  // namespace

double sparsify_rows(const std::string &file, const TensorInfo &t, int64_t r0, int64_t r1, const TensorPlan &p, void *rows) {
    if (r0 < 0 || r1 <= r0 || r1 > t.rows()) fail(file, t.name, "bad row range [" + std::to_string(r0) + ", " + std::to_string(r1) + ")");
    Handles h;
    check(ds_config_create(&h.config), file, t.name, "config");
    check(ds_config_set(h.config, "sparsity_level", p.level), file, t.name, "sparsity");
    check(ds_config_set(h.config, "block_rows", p.block_rows), file, t.name, "block");
    check(ds_config_set(h.config, "block_cols", p.block_cols), file, t.name, "block");
    check(ds_config_set(h.config, "zeros_per_block", p.zeros), file, t.name, "zeros per block");
    check(ds_norm_sparsifier_create(p.norm, h.config, &h.sparsifier), file, t.name, "sparsifier");
    ds_tensor_desc desc = DS_TENSOR_DESC_INIT;
    desc.dtype = static_cast<ds_dtype>(t.ds_dtype);
    desc.ndim = 2;
    desc.shape[0] = r1 - r0;
    desc.shape[1] = t.cols();
    // Item names may not contain '.', which tensor names often do: one item, a fixed name.
    check(ds_sparsifier_add_data_ex(h.sparsifier, "tensor", rows, &desc, nullptr, 0), file, t.name, "add data");
    check(ds_sparsifier_step(h.sparsifier), file, t.name, "step");
    double sparsity = 0;
    check(ds_sparsifier_get_sparsity(h.sparsifier, "tensor", &sparsity), file, t.name, "sparsity");
    check(ds_sparsifier_squash_mask(h.sparsifier, nullptr, 0, 1), file, t.name, "squash");
    return sparsity;
}

std::vector<TensorReport> process_image(const ByteSource &in, const TensorTable &table, const std::vector<TensorPlan> &plans,
                                        ByteSink &out, const ProgressFn &progress, bool measure_error) {
    const std::string &file = in.path();
    const OutputLayout layout = output_layout(table);
    // The header first; then each tensor in file order: a selected one read
    // by offset, sparsified and written at its output offset, any other
    // copied; bytes outside every tensor (padding) copied too.
    copy_range(in, out, 0, layout.header_size);
    uint64_t copied_to = layout.header_size;
    std::vector<TensorReport> reports;
    std::vector<uint8_t> buf, chunk;
    for (size_t i = 0; i < table.tensors.size(); ++i) {
        const TensorInfo &t = table.tensors[i];
        const TensorPlan &p = plans[i];
        if (progress) progress(i, table.tensors.size(), t);
        TensorReport r;
        r.name = t.name;
        r.dtype = t.dtype;
        r.shape = t.shape_text();
        r.plan = p;
        r.bytes = t.nbytes;
        if (!p.sparsify) {
            r.note = p.why_not;
            reports.push_back(std::move(r));
            continue;
        }
        check_plan(file, t, p);
        if (t.offset > copied_to) copy_range(in, out, copied_to, t.offset - copied_to);
        buf.resize(static_cast<size_t>(t.nbytes));
        in.read_at(t.offset, buf.data(), buf.size());
        const auto start = std::chrono::steady_clock::now();
        r.achieved = sparsify_rows(file, t, 0, t.rows(), p, buf.data());
        r.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        r.sparsified = true;
        if (measure_error) {  // against the input, read again by chunks (no second copy of the tensor)
            const uint64_t n = t.elements(), per = std::max<uint64_t>(1, (8u << 20) / t.elem_size);
            for (uint64_t k0 = 0; k0 < n; k0 += per) {
                const uint64_t k1 = std::min(n, k0 + per);
                chunk.resize(static_cast<size_t>((k1 - k0) * t.elem_size));
                in.read_at(t.offset + k0 * t.elem_size, chunk.data(), chunk.size());
                for (uint64_t k = k0; k < k1; ++k) {
                    const double a = element(chunk.data(), t.ds_dtype, k - k0), b = element(buf.data(), t.ds_dtype, k);
                    if (std::isfinite(a)) r.sq_norm += a * a;
                    if (std::isfinite(a) && std::isfinite(b)) r.sq_error += (a - b) * (a - b);
                }
            }
        }
        out.write_at(layout.offsets[i], buf.data(), buf.size());
        copied_to = std::max(copied_to, t.offset + t.nbytes);
        reports.push_back(std::move(r));
    }
    if (layout.size > copied_to) copy_range(in, out, copied_to, layout.size - copied_to);
    return reports;
}

}  // namespace dstool
