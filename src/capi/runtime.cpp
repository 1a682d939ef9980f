// Threads, SIMD paths and element types.
#include "capi/common.hpp"
#include "core/norm_mask.hpp"

extern "C" {

DS_API ds_status ds_set_num_threads(int n) {
    return ds::capi::guarded(__func__, [&] { ds::set_num_threads(n); });
}

DS_API int ds_num_threads(void) { return ds::num_threads(); }

// The dtype is read as raw bits: any int is a valid argument here.
DS_API size_t ds_dtype_size(ds_dtype dtype) {
    const int64_t raw = ds::capi::raw_value(dtype);
    return raw >= 0 && raw <= 3 ? ds::dtype_size(static_cast<ds::DType>(raw)) : 0;
}

DS_API const char *ds_dtype_name(ds_dtype dtype) {
    const int64_t raw = ds::capi::raw_value(dtype);
    return raw >= 0 && raw <= 3 ? ds::dtype_name(static_cast<ds::DType>(raw)) : nullptr;
}

DS_API const char *ds_simd_path(void) {
    return ds::capi::guarded_value<const char *>(__func__, "scalar",
                                                 [] { return ds::kernels::path_name(ds::active_path()); });
}

}  // extern "C"
