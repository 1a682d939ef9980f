/*
 * Deterministic test data shared with tests/fixtures/gen_golden.py.
 *
 * The golden fixtures store seeds, not data. Both sides regenerate the data
 * with integer arithmetic only, so they get bit-identical float32 values
 * whatever the libm:
 *
 *   PRNG: splitmix64 on a uint64 state (arithmetic mod 2^64):
 *       state += 0x9E3779B97F4A7C15; z = state;
 *       z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
 *       z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
 *       return z ^ (z >> 31);
 *   One approximately normal value (Irwin-Hall, 12 uniforms):
 *       s = sum of 12 draws of (next() >> 40)   (24-bit integers, s < 2^28)
 *       v = s / 2^24 - 6.0                      (exact in double)
 *       value = (float)v                        (round to nearest even)
 *   The state starts at the seed; a rows x cols matrix is filled in row-major
 *   order, 12 draws per element.
 *   Other dtypes (gen_golden.py --dtype): float64 data is v itself (exact);
 *   bfloat16 data is the float32 value rounded to bfloat16, nearest even
 *   (as torch.Tensor.to(torch.bfloat16) does).
 *
 * Hashes: FNV-1a 64 over bytes (data: the values' little-endian bytes in the
 * data's dtype; mask: the uint8 0/1 bytes), row-major.
 */
#ifndef DS_TESTS_GOLDEN_DATA_H
#define DS_TESTS_GOLDEN_DATA_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t golden_splitmix64(uint64_t *state)
{
    uint64_t z;
    *state += UINT64_C(0x9E3779B97F4A7C15);
    z = *state;
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* One exact value v of the generator described above (the float64 data). */
static inline double golden_next_double(uint64_t *state)
{
    uint64_t s = 0;
    int i;
    for (i = 0; i < 12; ++i)
        s += golden_splitmix64(state) >> 40;
    return (double)s / 16777216.0 - 6.0;
}

/* One value of the generator described above (the float32 data). */
static inline float golden_next_value(uint64_t *state)
{
    return (float)golden_next_double(state);
}

/* Fills n floats (a row-major matrix) from seed. */
static inline void golden_fill(uint64_t seed, float *out, size_t n)
{
    uint64_t state = seed;
    size_t i;
    for (i = 0; i < n; ++i)
        out[i] = golden_next_value(&state);
}

/* Fills n doubles (the float64 data) from seed. */
static inline void golden_fill_f64(uint64_t seed, double *out, size_t n)
{
    uint64_t state = seed;
    size_t i;
    for (i = 0; i < n; ++i)
        out[i] = golden_next_double(&state);
}

/* float -> bfloat16 bits, round to nearest even (finite values). */
static inline uint16_t golden_bf16_from_float(float f)
{
    uint32_t x;
    memcpy(&x, &f, sizeof x);
    return (uint16_t)((x + 0x7FFFu + ((x >> 16) & 1u)) >> 16);
}

static inline float golden_bf16_value(uint16_t b)
{
    const uint32_t x = (uint32_t)b << 16;
    float f;
    memcpy(&f, &x, sizeof f);
    return f;
}

/* Fills n bfloat16 values (bits) from seed. */
static inline void golden_fill_bf16(uint64_t seed, uint16_t *out, size_t n)
{
    uint64_t state = seed;
    size_t i;
    for (i = 0; i < n; ++i)
        out[i] = golden_bf16_from_float(golden_next_value(&state));
}

/* The IEEE binary16 holding exactly the value of f, if there is one (f
 * finite): returns 1 and sets *out, else returns 0. Integer arithmetic only. */
static inline int golden_half_exact(float f, uint16_t *out)
{
    uint32_t x, mant;
    int e;
    uint16_t sign;
    memcpy(&x, &f, sizeof x);
    sign = (uint16_t)((x >> 16) & 0x8000u);
    e = (int)((x >> 23) & 0xFFu) - 127;
    mant = x & 0x7FFFFFu;
    if ((x & 0x7FFFFFFFu) == 0) {
        *out = sign;
        return 1;
    }
    if (e == 128 || e > 15 || e < -24)
        return 0; /* inf, NaN, beyond 65504, or below the least half 2^-24 */
    if (e >= -14) { /* normal half: 10 mantissa bits */
        if (mant & 0x1FFFu)
            return 0;
        *out = (uint16_t)(sign | ((uint32_t)(e + 15) << 10) | (mant >> 13));
        return 1;
    }
    /* subnormal half: value = m * 2^-24 with m < 1024 */
    {
        const uint32_t full = mant | 0x800000u; /* value = full * 2^(e - 23) */
        const int shift = -24 - (e - 23);       /* m = full >> shift, exact? */
        if (shift >= 24 || (full & ((1u << shift) - 1u)))
            return 0;
        *out = (uint16_t)(sign | (full >> shift));
        return 1;
    }
}

#define GOLDEN_FNV_OFFSET UINT64_C(0xCBF29CE484222325)
#define GOLDEN_FNV_PRIME UINT64_C(0x100000001B3)

static inline uint64_t golden_fnv1a64_bytes(const uint8_t *p, size_t n)
{
    uint64_t h = GOLDEN_FNV_OFFSET;
    size_t i;
    for (i = 0; i < n; ++i) {
        h ^= p[i];
        h *= GOLDEN_FNV_PRIME;
    }
    return h;
}

/* FNV-1a 64 of the floats' little-endian bytes, whatever the host order. */
static inline uint64_t golden_fnv1a64_floats_le(const float *v, size_t n)
{
    uint64_t h = GOLDEN_FNV_OFFSET;
    size_t i;
    int b;
    for (i = 0; i < n; ++i) {
        uint32_t u;
        memcpy(&u, &v[i], sizeof u);
        for (b = 0; b < 4; ++b) {
            h ^= (u >> (8 * b)) & 0xFFu;
            h *= GOLDEN_FNV_PRIME;
        }
    }
    return h;
}

/* FNV-1a 64 of the doubles' little-endian bytes, whatever the host order. */
static inline uint64_t golden_fnv1a64_doubles_le(const double *v, size_t n)
{
    uint64_t h = GOLDEN_FNV_OFFSET;
    size_t i;
    int b;
    for (i = 0; i < n; ++i) {
        uint64_t u;
        memcpy(&u, &v[i], sizeof u);
        for (b = 0; b < 8; ++b) {
            h ^= (u >> (8 * b)) & 0xFFu;
            h *= GOLDEN_FNV_PRIME;
        }
    }
    return h;
}

/* FNV-1a 64 of 16-bit values' little-endian bytes (bfloat16, float16). */
static inline uint64_t golden_fnv1a64_u16_le(const uint16_t *v, size_t n)
{
    uint64_t h = GOLDEN_FNV_OFFSET;
    size_t i;
    for (i = 0; i < n; ++i) {
        h ^= v[i] & 0xFFu;
        h *= GOLDEN_FNV_PRIME;
        h ^= (uint64_t)(v[i] >> 8);
        h *= GOLDEN_FNV_PRIME;
    }
    return h;
}

#endif /* DS_TESTS_GOLDEN_DATA_H */
