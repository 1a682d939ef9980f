// Which kernels run: the best path the CPU and OS support (as xsimd's
// dispatch picks it), or the one DATASPARSE_SIMD names.
#include <cstdlib>
#include <cstring>

#include <xsimd/xsimd.hpp>

#include "kernels/kernels.hpp"

namespace ds::kernels {

extern const Table kScalarTable;
namespace sse2 {
extern const Table kTable;
}
namespace avx2 {
extern const Table kTable;
}
namespace avx512 {
extern const Table kTable;
}

namespace {

// xsimd 8.1 reads CPUID only; the OS must also save the registers (XCR0).
bool os_saves(uint64_t mask) {
#if defined(__x86_64__) || defined(__i386__)
    uint32_t ecx, eax, edx;
    __asm__("cpuid" : "=c"(ecx), "=a"(eax) : "a"(1), "c"(0) : "ebx", "edx");
    if (!(ecx & (1u << 27))) return false;  // no OSXSAVE
    __asm__("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    const uint64_t xcr0 = (uint64_t{edx} << 32) | eax;
    return (xcr0 & mask) == mask;
#else
    (void)mask;
    return false;
#endif
}

struct PathOf {
    template <class Arch>
    Path operator()(Arch) const {
        if (std::is_same<Arch, xsimd::avx512bw>::value) return Path::avx512;
        if (std::is_same<Arch, xsimd::avx2>::value) return Path::avx2;
        if (std::is_same<Arch, xsimd::sse2>::value) return Path::sse2;
        return Path::scalar;
    }
};

}  // namespace

const char *path_name(Path path) {
    switch (path) {
        case Path::scalar: return "scalar";
        case Path::sse2: return "sse2";
        case Path::avx2: return "avx2";
        case Path::avx512: return "avx512";
    }
    return "scalar";
}

bool path_available(Path path) {
    const auto cpu = xsimd::available_architectures();
    switch (path) {
        case Path::scalar: return true;
        case Path::sse2: return cpu.sse2;
        case Path::avx2: return cpu.avx2 && os_saves(0x6);                    // SSE and AVX state
        case Path::avx512: return cpu.avx512bw && cpu.avx512dq && cpu.avx512cd && cpu.avx512f &&
                                  os_saves(0xE6);                            // and the AVX-512 state
    }
    return false;
}

Path best_path() {
    static const Path best = [] {
        Path p = xsimd::dispatch<xsimd::arch_list<xsimd::avx512bw, xsimd::avx2, xsimd::sse2>>(PathOf{})();
        while (p != Path::scalar && !path_available(p)) p = static_cast<Path>(static_cast<int>(p) - 1);
        return p;
    }();
    return best;
}

const Table &table(Path path) {
    switch (path) {
        case Path::sse2: return sse2::kTable;
        case Path::avx2: return avx2::kTable;
        case Path::avx512: return avx512::kTable;
        case Path::scalar: break;
    }
    return kScalarTable;
}

}  // namespace ds::kernels
