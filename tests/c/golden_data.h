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
 *
 * Hashes: FNV-1a 64 over bytes (data: the floats' little-endian bytes; mask:
 * the uint8 0/1 bytes), row-major.
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

/* One value of the generator described above. */
static inline float golden_next_value(uint64_t *state)
{
    uint64_t s = 0;
    int i;
    for (i = 0; i < 12; ++i)
        s += golden_splitmix64(state) >> 40;
    return (float)((double)s / 16777216.0 - 6.0);
}

/* Fills n floats (a row-major matrix) from seed. */
static inline void golden_fill(uint64_t seed, float *out, size_t n)
{
    uint64_t state = seed;
    size_t i;
    for (i = 0; i < n; ++i)
        out[i] = golden_next_value(&state);
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

#endif /* DS_TESTS_GOLDEN_DATA_H */
