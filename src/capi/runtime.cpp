// Threads and SIMD paths.
#include "capi/common.hpp"
#include "core/norm_mask.hpp"

extern "C" {

DS_API ds_status ds_set_num_threads(int n) {
    return ds::capi::guarded(__func__, [&] { ds::set_num_threads(n); });
}

DS_API int ds_num_threads(void) { return ds::num_threads(); }

DS_API const char *ds_simd_path(void) {
    return ds::capi::guarded_value<const char *>(__func__, "scalar",
                                                 [] { return ds::kernels::path_name(ds::active_path()); });
}

}  // extern "C"
