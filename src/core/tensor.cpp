#include "core/tensor.hpp"

#include <limits>

#include "core/error.hpp"
#include "core/validate.hpp"

namespace ds {

size_t dtype_size(DType dtype) {
    switch (dtype) {
        case DType::f64: return 8;
        case DType::f16:
        case DType::bf16: return 2;
        case DType::f32: break;
    }
    return 4;
}

const char *dtype_name(DType dtype) {
    switch (dtype) {
        case DType::f64: return "float64";
        case DType::f16: return "float16";
        case DType::bf16: return "bfloat16";
        case DType::f32: break;
    }
    return "float32";
}

DType dtype_from_int(int64_t raw) {
    if (raw < 0 || raw > 3)
        fail(Status::invalid_argument,
             "dtype must be 0 (float32), 1 (float64), 2 (float16) or 3 (bfloat16), got " + std::to_string(raw));
    return static_cast<DType>(raw);
}

int64_t Tensor::rows() const {
    int64_t r = 1;
    for (size_t i = 0; i + 1 < shape.size(); ++i) r *= shape[i];
    return r;
}

void check_shape(const Tensor &t, const std::string &name) {
    const std::string of = " of " + quoted(name);
    if (t.shape.empty() || t.shape.size() > static_cast<size_t>(kMaxDims))
        fail(Status::invalid_argument, "ndim" + of + " must be in [1, " + std::to_string(kMaxDims) + "], got " +
                                           std::to_string(t.shape.size()));
    int64_t n = 1;
    for (size_t i = 0; i < t.shape.size(); ++i) {
        const int64_t d = t.shape[i];
        if (d < 1)
            fail(Status::invalid_argument, "shape[" + std::to_string(i) + "]" + of + " must be >= 1, got " +
                                               std::to_string(d) + " (shape " + shape_string(t.shape) + ")");
        if (n > std::numeric_limits<int64_t>::max() / d)
            fail(Status::invalid_argument, "shape" + of + " " + shape_string(t.shape) + " has too many elements");
        n *= d;
    }
    if (static_cast<uint64_t>(n) > std::numeric_limits<size_t>::max())
        fail(Status::invalid_argument, "shape" + of + " " + shape_string(t.shape) + " has too many elements");
}

void check_tensor(const Tensor &t, const std::string &name) {
    check_shape(t, name);
    const std::string of = " of " + quoted(name);
    const uint64_t n = t.elements();
    const size_t size = dtype_size(t.dtype);
    if (n > std::numeric_limits<size_t>::max() / size)
        fail(Status::invalid_argument, "shape" + of + " " + shape_string(t.shape) + " has too many elements");
    const int64_t cols = t.cols(), rows = t.rows();
    if (t.row_stride != 0 && t.row_stride < cols)
        fail(Status::invalid_argument, "row_stride" + of + " must be 0 (contiguous) or >= the last size " +
                                           std::to_string(cols) + ", got " + std::to_string(t.row_stride));
    // The elements the rows span: (rows - 1) * stride + cols, in bytes.
    const int64_t stride = t.stride();
    if (rows > 1 && (stride > (std::numeric_limits<int64_t>::max() - cols) / (rows - 1) ||
                     static_cast<uint64_t>((rows - 1) * stride + cols) > std::numeric_limits<size_t>::max() / size))
        fail(Status::invalid_argument, "row_stride" + of + " " + std::to_string(t.row_stride) + " with " +
                                           std::to_string(rows) + " rows spans more than memory can hold");
}

std::string shape_string(const std::vector<int64_t> &shape) {
    std::string s;
    for (size_t i = 0; i < shape.size(); ++i) s += (i ? "x" : "") + std::to_string(shape[i]);
    return s;
}

}  // namespace ds
