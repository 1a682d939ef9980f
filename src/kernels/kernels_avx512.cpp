// The kernels for avx512 (compiled with its flags: src/CMakeLists.txt).
#define DS_KERNEL_NS avx512
#include "kernels/impl.hpp"
