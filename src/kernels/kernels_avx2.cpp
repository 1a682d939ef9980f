// The kernels for avx2 (compiled with its flags: src/CMakeLists.txt).
#define DS_KERNEL_NS avx2
#include "kernels/impl.hpp"
