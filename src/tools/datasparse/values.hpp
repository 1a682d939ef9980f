// Reading elements of the four float types as double (inspect, the sweep's
// reconstruction error). float16 and bfloat16 are decoded exactly.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

#include <datasparse/datasparse.h>

namespace dstool {

inline double half_to_double(uint16_t h) {
    const int sign = h >> 15, exp = (h >> 10) & 0x1f, frac = h & 0x3ff;
    double v;
    if (exp == 0) v = std::ldexp(frac, -24);
    else if (exp == 31) v = frac ? NAN : INFINITY;
    else v = std::ldexp(frac + 1024, exp - 25);
    return sign ? -v : v;
}

inline double bfloat16_to_double(uint16_t b) {
    const uint32_t bits = uint32_t(b) << 16;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

// Element i of a buffer of dtype (a ds_dtype).
inline double element(const uint8_t *data, int dtype, uint64_t i) {
    switch (dtype) {
    case DS_DTYPE_FLOAT32: {
        float f;
        std::memcpy(&f, data + 4 * i, 4);
        return f;
    }
    case DS_DTYPE_FLOAT64: {
        double d;
        std::memcpy(&d, data + 8 * i, 8);
        return d;
    }
    case DS_DTYPE_FLOAT16: {
        uint16_t h;
        std::memcpy(&h, data + 2 * i, 2);
        return half_to_double(h);
    }
    default: {
        uint16_t b;
        std::memcpy(&b, data + 2 * i, 2);
        return bfloat16_to_double(b);
    }
    }
}

}  // namespace dstool
