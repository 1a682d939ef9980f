// Tensors the caller hands over: element type, shape and row stride. A
// tensor of shape (d0, ..., dk) is sparsified as the row-major matrix
// (d0*...*d(k-1)) x dk (1-D: one row), whose rows may lie row_stride
// elements apart in the caller's buffer (a view into a bigger one).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ds {

enum class DType : int { f32 = 0, f64 = 1, f16 = 2, bf16 = 3 };
inline constexpr int kMaxDims = 8;

size_t dtype_size(DType dtype);
const char *dtype_name(DType dtype);  // "float32", "float64", "float16", "bfloat16"
// Throws Status::invalid_argument unless raw is a DType's value.
DType dtype_from_int(int64_t raw);

struct Tensor {
    DType dtype = DType::f32;
    std::vector<int64_t> shape;  // 1..kMaxDims sizes, each >= 1
    int64_t row_stride = 0;      // elements between rows of the matrix; 0: contiguous

    int64_t cols() const { return shape.empty() ? 0 : shape.back(); }
    int64_t rows() const;  // the product of all sizes but the last (1 for 1-D)
    int64_t stride() const { return row_stride ? row_stride : cols(); }
    size_t elements() const { return static_cast<size_t>(rows() * cols()); }
    // Whether it is what a plain float32 item (ds_sparsifier_add_data) is.
    bool plain() const { return dtype == DType::f32 && shape.size() == 2 && stride() == cols(); }
};

// Checks a tensor's shape for an item named `name`: ndim in [1, kMaxDims],
// sizes >= 1, the element count fitting in int64 and size_t. Throws
// Status::invalid_argument naming the problem and the value.
void check_shape(const Tensor &t, const std::string &name);
// check_shape, and what memory it needs: its elements' bytes and the bytes
// its rows span fit in size_t, row_stride is 0 or >= the last size.
void check_tensor(const Tensor &t, const std::string &name);

// "4x3x2" as shapes appear in messages.
std::string shape_string(const std::vector<int64_t> &shape);

}  // namespace ds
