// The one place where the core's types meet the C ABI's: conversions, and
// static_asserts that the values agree (the core's enums carry the C ABI's
// published values; see oneDNN's c_types_map.hpp for the pattern).
#pragma once

#include <cstdint>
#include <cstring>

#include <datasparse/datasparse.h>

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/norm_config.hpp"
#include "core/params.hpp"
#include "core/tensor.hpp"

namespace ds::capi {

#define DS_SAME_VALUE(core, c) static_assert(static_cast<int>(core) == static_cast<int>(c), #core " != " #c)
DS_SAME_VALUE(Status::ok, DS_OK);
DS_SAME_VALUE(Status::invalid_argument, DS_ERR_INVALID_ARGUMENT);
DS_SAME_VALUE(Status::not_found, DS_ERR_NOT_FOUND);
DS_SAME_VALUE(Status::shape, DS_ERR_SHAPE);
DS_SAME_VALUE(Status::state, DS_ERR_STATE);
DS_SAME_VALUE(Status::callback, DS_ERR_CALLBACK);
DS_SAME_VALUE(Status::corrupt, DS_ERR_CORRUPT);
DS_SAME_VALUE(Status::io, DS_ERR_IO);
DS_SAME_VALUE(Status::no_memory, DS_ERR_NO_MEMORY);
DS_SAME_VALUE(Status::unsupported, DS_ERR_UNSUPPORTED);
DS_SAME_VALUE(Status::internal, DS_ERR_INTERNAL);
DS_SAME_VALUE(Norm::l1, DS_NORM_L1);
DS_SAME_VALUE(Norm::l2, DS_NORM_L2);
DS_SAME_VALUE(LogLevel::debug, DS_LOG_DEBUG);
DS_SAME_VALUE(LogLevel::info, DS_LOG_INFO);
DS_SAME_VALUE(LogLevel::warning, DS_LOG_WARNING);
DS_SAME_VALUE(ParamType::real, DS_PARAM_REAL);
DS_SAME_VALUE(ParamType::integer, DS_PARAM_INTEGER);
DS_SAME_VALUE(ParamType::boolean, DS_PARAM_BOOL);
DS_SAME_VALUE(DType::f32, DS_DTYPE_FLOAT32);
DS_SAME_VALUE(DType::f64, DS_DTYPE_FLOAT64);
DS_SAME_VALUE(DType::f16, DS_DTYPE_FLOAT16);
DS_SAME_VALUE(DType::bf16, DS_DTYPE_BFLOAT16);
static_assert(kMaxDims == DS_MAX_DIMS, "DS_MAX_DIMS");
#undef DS_SAME_VALUE

inline ds_status to_c(Status s) { return static_cast<ds_status>(s); }
inline int to_c(LogLevel level) { return static_cast<int>(level); }
inline ds_param_type to_c(ParamType t) { return static_cast<ds_param_type>(t); }

// A C enum argument may hold any int: read its bits (by reference, so that
// the enum itself is never loaded), never an enum value C++ may assume is in
// range. The core validates the value.
template <typename CEnum>
int64_t raw_value(const CEnum &value) {
    static_assert(sizeof(CEnum) == sizeof(int32_t), "the C enums are int-sized");
    int32_t raw;
    std::memcpy(&raw, &value, sizeof raw);
    return raw;
}

inline Norm from_c(const ds_norm &norm) { return norm_from_int(raw_value(norm)); }
inline DType from_c(const ds_dtype &dtype) { return dtype_from_int(raw_value(dtype)); }

}  // namespace ds::capi
