/* Shared helpers of the MPI tests (tests/mpi): deterministic data, shard
 * splits, gathering masks on rank 0. Public C headers and <mpi.h> only. */
#ifndef DS_TESTS_MPI_COMMON_H
#define DS_TESTS_MPI_COMMON_H

#include <datasparse/datasparse.h>
#include <datasparse/datasparse_mpi.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int g_rank, g_size, g_failures;

#define CHECK(cond, ...) do { if (!(cond)) { ++g_failures; fprintf(stderr, "rank %d: %s:%d: FAIL: ", g_rank, \
    __FILE__, __LINE__); fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)
#define OK(call) do { ds_status st_ = (call); if (st_ != DS_OK) { ++g_failures; fprintf(stderr, \
    "rank %d: %s:%d: %s -> %s: %s\n", g_rank, __FILE__, __LINE__, #call, ds_status_string(st_), ds_last_error()); \
    } } while (0)

/* splitmix64: the same stream on every rank. */
static inline uint64_t rng_next(uint64_t *s) {
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static inline double rng_unit(uint64_t *s) { return (double)(rng_next(s) >> 11) * (1.0 / 9007199254740992.0); }

/* float -> IEEE binary16 bits (round to nearest even; NaN stays NaN). */
static inline uint16_t to_half(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    const uint16_t sign = (uint16_t)((x >> 16) & 0x8000u);
    if ((x & 0x7F800000u) == 0x7F800000u) return (uint16_t)(sign | 0x7C00u | ((x & 0x7FFFFFu) ? 0x200u : 0u));
    const float a = fabsf(f);
    if (a >= 65520.0f) return (uint16_t)(sign | 0x7C00u);
    if (a < 6.103515625e-05f) {  /* subnormal: multiples of 2^-24 */
        const float q = nearbyintf(a * 16777216.0f);
        return (uint16_t)(sign | (uint16_t)q);
    }
    int e;
    const float m = frexpf(a, &e);                         /* a = m * 2^e, m in [0.5, 1) */
    float q = nearbyintf(m * 2048.0f);                      /* 11 significant bits */
    if (q >= 2048.0f) { q /= 2.0f; ++e; }
    if (e + 14 >= 31) return (uint16_t)(sign | 0x7C00u);
    return (uint16_t)(sign | (uint16_t)((e + 14) << 10) | ((uint16_t)q & 0x3FFu));
}

enum kind { K_RANDOM, K_TIES, K_NAN, K_EQUAL, K_ZERO, K_COUNT };
static const char *const KIND_NAMES[] = {"random", "ties", "nan", "all-equal", "zeros"};

static inline double sample(enum kind k, uint64_t *s) {
    switch (k) {
        case K_RANDOM: return (rng_unit(s) - 0.5) * 8.0;
        case K_TIES: return (double)((int)(rng_next(s) % 5) - 2); /* -2..2: blocks of equal mean everywhere */
        case K_NAN: return rng_next(s) % 7 == 0 ? NAN : (double)((int)(rng_next(s) % 9) - 4) * 0.25;
        case K_EQUAL: return 1.5;
        default: return 0.0;
    }
}

/* A whole tensor, the same bytes on every rank. */
static inline void *make_tensor(ds_dtype dt, int64_t n, enum kind k, uint64_t seed) {
    const size_t es = ds_dtype_size(dt);
    unsigned char *p = malloc((size_t)(n > 0 ? n : 1) * es);
    uint64_t s = seed;
    for (int64_t i = 0; i < n; ++i) {
        const double v = sample(k, &s);
        if (dt == DS_DTYPE_FLOAT32) ((float *)p)[i] = (float)v;
        else if (dt == DS_DTYPE_FLOAT64) ((double *)p)[i] = v;
        else ((uint16_t *)p)[i] = to_half((float)v);
    }
    return p;
}

/* Cut points of rows [0, rows) over g_size ranks, in multiples of br (the
 * last shard takes the remainder): style 0 even, 1 first rank empty and the
 * second one block row, the rest to the last, 2 random. cut[r]..cut[r+1]. */
static inline void split_rows(int64_t rows, int64_t br, int style, uint64_t *s, int64_t *cut) {
    const int64_t units = rows / br; /* whole block rows; the remainder goes to the last rank */
    cut[0] = 0;
    cut[g_size] = rows;
    for (int r = 1; r < g_size; ++r) {
        int64_t u;
        if (style == 0) u = units * r / g_size;
        else if (style == 1) u = r == 1 ? 0 : (r == 2 ? (units > 0 ? 1 : 0) : units);
        else u = (int64_t)(rng_next(s) % (uint64_t)(units + 1));
        cut[r] = u * br;
    }
    /* sorted (random cuts) */
    for (int i = 1; i < g_size; ++i)
        for (int j = i + 1; j < g_size; ++j)
            if (cut[j] < cut[i]) { int64_t t = cut[i]; cut[i] = cut[j]; cut[j] = t; }
}

/* Gathers every rank's rows [cut[r], cut[r+1]) of a rows x cols mask into
 * whole (rank 0 only; may be NULL elsewhere). */
static inline void gather_mask(const uint8_t *mine, const int64_t *cut, int64_t cols, uint8_t *whole) {
    int *counts = malloc(sizeof(int) * (size_t)g_size), *displs = malloc(sizeof(int) * (size_t)g_size);
    for (int r = 0; r < g_size; ++r) {
        counts[r] = (int)((cut[r + 1] - cut[r]) * cols);
        displs[r] = (int)(cut[r] * cols);
    }
    MPI_Gatherv(mine, counts[g_rank], MPI_UNSIGNED_CHAR, whole, counts, displs, MPI_UNSIGNED_CHAR, 0,
                MPI_COMM_WORLD);
    free(counts);
    free(displs);
}

/* Whether cond holds on every rank. */
static inline int all_ranks(int cond) {
    int v = cond ? 1 : 0, all = 0;
    MPI_Allreduce(&v, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    return all;
}

static inline int finish(const char *what, long cases) {
    int failures = 0;
    MPI_Allreduce(&g_failures, &failures, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    if (g_rank == 0)
        printf("%s: %d ranks, %ld cases, %d failures: %s\n", what, g_size, cases, failures,
               failures ? "FAILED" : "PASSED");
    return failures ? 1 : 0;
}

#endif
