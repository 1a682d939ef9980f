// The per-tensor step, on a row range, through the C API; and steps 2-3 of
// formats.hpp for one image (a .safetensors or .npy file, or an .npz member).
#pragma once
#include "formats.hpp"
#include "settings.hpp"

#include <functional>
#include <string>
#include <vector>

namespace dstool {

// Sparsifies rows [r0, r1) of t's matrix (TensorInfo::rows x cols), held
// contiguous in `rows` in t's dtype, in place: the norm sparsifier's mask
// over those rows, squashed (masked elements become zeros of the dtype).
// Returns the fraction of elements the mask zeroed. A range is sparsified
// as a matrix of its own: the whole tensor ([0, rows)) gives the library's
// exact semantics; a rank given a part (issue 14) ranks blocks within it.
double sparsify_rows(const std::string &file, const TensorInfo &t, int64_t r0, int64_t r1, const TensorPlan &p, void *rows);

struct TensorReport {
    std::string name, dtype, shape;
    bool sparsified = false;
    std::string note;     // why it was copied
    TensorPlan plan;
    double achieved = 0;  // mask sparsity
    double ms = 0;        // sparsify time
    uint64_t bytes = 0;
    double sq_norm = 0, sq_error = 0;  // sum x^2 before, sum of removed x^2 (measure_error only)
};

using ProgressFn = std::function<void(size_t index, size_t count, const TensorInfo &)>;

// Writes the output image of `in` into out: the header and every byte not
// sparsified copied, each planned tensor read by offset, sparsified, written
// at the same offset. plans[i] is for table.tensors[i].
std::vector<TensorReport> process_image(const ByteSource &in, const TensorTable &table, const std::vector<TensorPlan> &plans,
                                        ByteSink &out, const ProgressFn &progress, bool measure_error);

}  // namespace dstool
