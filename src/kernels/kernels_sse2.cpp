// The kernels for sse2 (compiled with its flags: src/CMakeLists.txt).
#define DS_KERNEL_NS sse2
#include "kernels/impl.hpp"
