/* Shared helpers for the Criterion tests of the C API (static inline only).
 *
 *  - tu_rng_*: a fixed-seed generator (xorshift64*), so every run sees the
 *    same data.
 *  - tu_fail / tu_msg: check a failed call's status and copy its message
 *    before any other datasparse call can replace it.
 *  - tu_cfg: build a config from key/value pairs.
 *  - tu_ref_mask: the norm sparsifier's mask computed straight from
 *    src/core/semantics.md (slow, obvious), to compare the library with.
 *  - tu_snap_*: a snapshot of everything observable about a sparsifier, to
 *    check that a failed call changed nothing.
 */
#ifndef DS_TEST_UTIL_H
#define DS_TEST_UTIL_H

#include <criterion/criterion.h>
#include <datasparse/datasparse.h>

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TU_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---------------------------------------------------------------------
 * Deterministic random numbers
 * --------------------------------------------------------------------- */

typedef struct tu_rng {
    uint64_t state;
} tu_rng;

static inline tu_rng tu_rng_make(uint64_t seed) {
    tu_rng r;
    r.state = seed ? seed : 0x9E3779B97F4A7C15ull;
    return r;
}

static inline uint64_t tu_rng_next(tu_rng *r) {
    uint64_t x = r->state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    r->state = x;
    return x * 0x2545F4914F6CDD1Dull;
}

/* Uniform integer in [lo, hi]. */
static inline int tu_rng_int(tu_rng *r, int lo, int hi) {
    return lo + (int)(tu_rng_next(r) % (uint64_t)(hi - lo + 1));
}

/* A float that is a multiple of 1/32 in (-8, 8): sums, squares and means
 * over blocks of up to 16 elements are exact in float and double alike, so
 * the library and the reference below rank blocks identically. */
static inline float tu_rng_grid_float(tu_rng *r) {
    return (float)tu_rng_int(r, -255, 255) / 32.0f;
}

/* Fills data with the values +-(1..n)/32 in a random order with random
 * signs: every |x| distinct. */
static inline void tu_fill_distinct(float *data, size_t n, uint64_t seed) {
    tu_rng r = tu_rng_make(seed);
    for (size_t i = 0; i < n; ++i)
        data[i] = (float)(i + 1) / 32.0f;
    for (size_t i = n; i > 1; --i) {
        size_t j = (size_t)(tu_rng_next(&r) % i);
        float t = data[i - 1];
        data[i - 1] = data[j];
        data[j] = t;
    }
    for (size_t i = 0; i < n; ++i)
        if (tu_rng_next(&r) & 1u)
            data[i] = -data[i];
}

/* ---------------------------------------------------------------------
 * Strings and errors
 * --------------------------------------------------------------------- */

static inline int tu_contains_ci(const char *haystack, const char *needle) {
    if (!haystack || !needle)
        return 0;
    size_t n = strlen(needle);
    if (n == 0)
        return 1;
    for (const char *p = haystack; *p; ++p) {
        size_t i = 0;
        while (i < n && p[i] && tolower((unsigned char)p[i]) == tolower((unsigned char)needle[i]))
            ++i;
        if (i == n)
            return 1;
    }
    return 0;
}

/* A copy of this thread's last error message (ds_last_error() is only valid
 * until the next datasparse call). */
static inline const char *tu_msg(void) {
    static char buf[2048];
    const char *m = ds_last_error();
    cr_assert_not_null(m, "ds_last_error() returned NULL");
    snprintf(buf, sizeof buf, "%s", m);
    return buf;
}

/* Asserts that a call failed with `want` and that its message is non-empty
 * and contains each of the (case-insensitive) needles given (NULL: skip).
 * Returns the copied message. */
static inline const char *tu_fail(ds_status got, ds_status want, const char *what, const char *needle1,
                                  const char *needle2) {
    const char *m = tu_msg();
    cr_assert_eq(got, want, "%s: expected %s, got %s (message: \"%s\")", what, ds_status_string(want),
                 ds_status_string(got), m);
    cr_assert(m[0] != '\0', "%s: failed with %s but ds_last_error() is empty", what, ds_status_string(want));
    if (needle1)
        cr_assert(tu_contains_ci(m, needle1), "%s: message \"%s\" does not mention \"%s\"", what, m, needle1);
    if (needle2)
        cr_assert(tu_contains_ci(m, needle2), "%s: message \"%s\" does not mention \"%s\"", what, m, needle2);
    return m;
}

/* Makes this thread's last error a known marker, so that a following call
 * can be seen to have set its own message. */
static inline void tu_mark_error(void) {
    cr_assert_null(ds_schedule_info_find("tu-marker"));
    cr_assert(strstr(ds_last_error(), "tu-marker") != NULL, "the marker error was not set");
}

/* For the getters that return their value (ds_sparsifier_count, ...): the
 * call returned its documented fallback and set a message containing needle.
 * Use as tu_fail_value(tu_mark_error(), call == fallback, "what", "needle"). */
static inline void tu_fail_value_check(int returned_fallback, const char *what, const char *needle) {
    const char *m = tu_msg();
    cr_assert(returned_fallback, "%s: did not return its fallback value (message: \"%s\")", what, m);
    cr_assert(strstr(m, "tu-marker") == NULL, "%s: set no error message", what);
    cr_assert(m[0] != '\0', "%s: empty error message", what);
    if (needle)
        cr_assert(tu_contains_ci(m, needle), "%s: message \"%s\" does not mention \"%s\"", what, m, needle);
}
#define TU_FAIL_VALUE(call, fallback, needle) \
    do { tu_mark_error(); tu_fail_value_check((call) == (fallback), #call, (needle)); } while (0)

#define TU_OK(call)                                                                                  \
    do {                                                                                             \
        ds_status tu_st_ = (call);                                                                   \
        cr_assert_eq(tu_st_, DS_OK, "%s failed: %s (%s)", #call, ds_status_string(tu_st_), tu_msg()); \
    } while (0)

/* ---------------------------------------------------------------------
 * Built-in schedules with options structs, positionally (as the tables of
 * the schedule tests list them)
 * --------------------------------------------------------------------- */

static inline ds_status tu_cubic(double init_value, int64_t init_t, int64_t delta_t, int64_t total_t,
                                 int initially_zero, ds_schedule **out) {
    ds_cubic_options o = DS_CUBIC_OPTIONS_INIT;
    o.init_value = init_value;
    o.init_t = init_t;
    o.delta_t = delta_t;
    o.total_t = total_t;
    o.initially_zero = initially_zero;
    return ds_schedule_create_cubic(&o, out);
}

static inline ds_status tu_polynomial_decay(double initial, double final, int64_t begin_step, int64_t end_step,
                                            double power, int64_t frequency, ds_schedule **out) {
    ds_polynomial_decay_options o = DS_POLYNOMIAL_DECAY_OPTIONS_INIT;
    o.initial = initial;
    o.final = final;
    o.begin_step = begin_step;
    o.end_step = end_step;
    o.power = power;
    o.frequency = frequency;
    return ds_schedule_create_polynomial_decay(&o, out);
}

/* ---------------------------------------------------------------------
 * Configs
 * --------------------------------------------------------------------- */

/* tu_cfg("sparsity_level", 0.5, "block_rows", 2.0, NULL): values are doubles. */
static inline ds_config *tu_cfg(const char *key, ...) {
    ds_config *c = NULL;
    TU_OK(ds_config_create(&c));
    va_list ap;
    va_start(ap, key);
    for (const char *k = key; k; k = va_arg(ap, const char *)) {
        double v = va_arg(ap, double);
        TU_OK(ds_config_set(c, k, v));
    }
    va_end(ap);
    return c;
}

static inline double tu_param(const ds_sparsifier *s, const char *name, const char *key) {
    double v = NAN;
    TU_OK(ds_sparsifier_get_param(s, name, key, &v));
    return v;
}

static inline size_t tu_config_count(const ds_config *c) {
    size_t n = (size_t)-1;
    n = ds_config_count(c);
    return n;
}

/* Asserts two configs hold the same keys with bit-identical values. */
static inline void tu_config_assert_same(const ds_config *a, const ds_config *b, const char *what) {
    size_t na = tu_config_count(a), nb = tu_config_count(b);
    cr_assert_eq(na, nb, "%s: config has %zu keys, expected %zu", what, na, nb);
    for (size_t i = 0; i < na; ++i) {
        const char *ka = NULL, *kb = NULL;
        TU_OK(ds_config_get_key(a, i, &ka));
        TU_OK(ds_config_get_key(b, i, &kb));
        cr_assert_str_eq(ka, kb, "%s: key %zu is \"%s\", expected \"%s\"", what, i, ka, kb);
        double va = NAN, vb = NAN;
        TU_OK(ds_config_get(a, ka, &va));
        TU_OK(ds_config_get(b, kb, &vb));
        cr_assert(memcmp(&va, &vb, sizeof va) == 0, "%s: key \"%s\" is %.17g, expected %.17g", what, ka, va, vb);
    }
}

/* ---------------------------------------------------------------------
 * Masks
 * --------------------------------------------------------------------- */

static inline size_t tu_count_zeros(const uint8_t *mask, size_t n) {
    size_t z = 0;
    for (size_t i = 0; i < n; ++i)
        z += mask[i] == 0;
    return z;
}

static inline void tu_get_mask(const ds_sparsifier *s, const char *name, uint8_t *out, size_t n) {
    TU_OK(ds_sparsifier_get_mask(s, name, out, n));
    for (size_t i = 0; i < n; ++i)
        cr_assert(out[i] == 0 || out[i] == 1, "mask of \"%s\"[%zu] is %u, not 0 or 1", name, i, out[i]);
}

static inline void tu_assert_all_ones(const ds_sparsifier *s, const char *name, size_t n) {
    uint8_t *m = malloc(n);
    cr_assert_not_null(m);
    tu_get_mask(s, name, m, n);
    for (size_t i = 0; i < n; ++i)
        cr_assert_eq(m[i], 1, "mask of \"%s\"[%zu] is 0, expected all ones", name, i);
    free(m);
}

/* Asserts got == want, printing both masks as grids on a mismatch. */
static inline void tu_assert_mask_eq(const uint8_t *got, const uint8_t *want, int64_t rows, int64_t cols,
                                     const char *what) {
    size_t n = (size_t)(rows * cols);
    if (memcmp(got, want, n) == 0)
        return;
    char buf[4096];
    size_t len = 0;
    len += (size_t)snprintf(buf + len, sizeof buf - len, "got / expected:");
    for (int64_t r = 0; r < rows && len < sizeof buf - 64; ++r) {
        len += (size_t)snprintf(buf + len, sizeof buf - len, "\n  ");
        for (int64_t c = 0; c < cols && len < sizeof buf - 64; ++c)
            len += (size_t)snprintf(buf + len, sizeof buf - len, "%u", got[r * cols + c]);
        len += (size_t)snprintf(buf + len, sizeof buf - len, "   ");
        for (int64_t c = 0; c < cols && len < sizeof buf - 64; ++c)
            len += (size_t)snprintf(buf + len, sizeof buf - len, "%u", want[r * cols + c]);
    }
    size_t first = 0;
    while (got[first] == want[first])
        ++first;
    cr_assert_fail("%s: mask differs first at element %zu (row %lld, col %lld): %s", what, first,
                   (long long)(first / (size_t)cols), (long long)(first % (size_t)cols), buf);
}

/* ---------------------------------------------------------------------
 * Reference norm mask, straight from src/core/semantics.md
 * --------------------------------------------------------------------- */

typedef struct tu_ranked {
    double score; /* NaN ranks largest */
    int64_t index;
} tu_ranked;

static inline int tu_ranked_cmp(const void *pa, const void *pb) {
    const tu_ranked *a = (const tu_ranked *)pa, *b = (const tu_ranked *)pb;
    int an = isnan(a->score), bn = isnan(b->score);
    if (an != bn)
        return an ? 1 : -1;
    if (!an && a->score < b->score)
        return -1;
    if (!an && a->score > b->score)
        return 1;
    return (a->index > b->index) - (a->index < b->index);
}

static inline double tu_score(float x, ds_norm norm) {
    return norm == DS_NORM_L1 ? fabs((double)x) : (double)x * (double)x;
}

/* Python's round(): half to even. */
static inline int64_t tu_round_half_even(double x) {
    double f = floor(x);
    double d = x - f;
    if (d > 0.5)
        return (int64_t)f + 1;
    if (d < 0.5)
        return (int64_t)f;
    return fmod(f, 2.0) == 0.0 ? (int64_t)f : (int64_t)f + 1;
}

static inline int64_t tu_blocks_to_sparsify(double level, int64_t num_blocks) {
    double sl = level < 0.0 ? 0.0 : level > 1.0 ? 1.0 : level;
    return tu_round_half_even(sl * (double)num_blocks);
}

static inline void tu_ref_mask(const float *data, int64_t rows, int64_t cols, ds_norm norm, double level,
                               int64_t br, int64_t bc, int64_t zeros, uint8_t *out) {
    int64_t gr = (rows + br - 1) / br, gc = (cols + bc - 1) / bc, nb = gr * gc;
    memset(out, 1, (size_t)(rows * cols));
    int64_t k = tu_blocks_to_sparsify(level, nb);
    if (k == 0 || zeros == 0)
        return;
    tu_ranked *blocks = malloc(sizeof *blocks * (size_t)nb);
    tu_ranked *elems = malloc(sizeof *elems * (size_t)(br * bc));
    cr_assert(blocks && elems);
    for (int64_t b = 0; b < nb; ++b) {
        int64_t r0 = (b / gc) * br, c0 = (b % gc) * bc;
        double sum = 0.0;
        int64_t n = 0;
        for (int64_t r = r0; r < rows && r < r0 + br; ++r)
            for (int64_t c = c0; c < cols && c < c0 + bc; ++c, ++n)
                sum += tu_score(data[r * cols + c], norm);
        blocks[b].score = sum / (double)n;
        blocks[b].index = b;
    }
    qsort(blocks, (size_t)nb, sizeof *blocks, tu_ranked_cmp);
    for (int64_t i = 0; i < k && i < nb; ++i) {
        int64_t b = blocks[i].index;
        int64_t r0 = (b / gc) * br, c0 = (b % gc) * bc;
        int64_t n = 0;
        for (int64_t r = r0; r < r0 + br; ++r)
            for (int64_t c = c0; c < c0 + bc; ++c)
                if (r < rows && c < cols) {
                    elems[n].score = tu_score(data[r * cols + c], norm);
                    elems[n].index = r * cols + c; /* row-major inside the block too */
                    ++n;
                }
        qsort(elems, (size_t)n, sizeof *elems, tu_ranked_cmp);
        for (int64_t j = 0; j < zeros && j < n; ++j)
            out[elems[j].index] = 0;
    }
    free(blocks);
    free(elems);
}

/* ---------------------------------------------------------------------
 * Snapshots: everything a caller can observe about a sparsifier
 * --------------------------------------------------------------------- */

typedef struct tu_item_snap {
    char name[256];
    int64_t rows, cols;
    int squashed;
    uint8_t *mask;    /* NULL when squashed */
    float *original;  /* NULL when squashed */
    float *data;      /* get_data(original = 0) */
    ds_config *config;
} tu_item_snap;

typedef struct tu_snap {
    size_t count;
    int64_t steps;
    int mask_update;
    tu_item_snap *items;
} tu_snap;

static inline void tu_snap_take(const ds_sparsifier *s, tu_snap *out) {
    memset(out, 0, sizeof *out);
    out->count = ds_sparsifier_count(s);
    out->steps = ds_sparsifier_step_count(s);
    out->mask_update = ds_sparsifier_mask_update(s);
    out->items = calloc(out->count ? out->count : 1, sizeof *out->items);
    cr_assert_not_null(out->items);
    for (size_t i = 0; i < out->count; ++i) {
        tu_item_snap *it = &out->items[i];
        const char *name = NULL;
        TU_OK(ds_sparsifier_get_name(s, i, &name));
        snprintf(it->name, sizeof it->name, "%s", name);
        TU_OK(ds_sparsifier_get_shape(s, it->name, &it->rows, &it->cols));
        TU_OK(ds_sparsifier_get_squashed(s, it->name, &it->squashed));
        size_t n = (size_t)(it->rows * it->cols);
        it->data = malloc(n * sizeof(float));
        cr_assert_not_null(it->data);
        TU_OK(ds_sparsifier_get_data(s, it->name, 0, it->data, n));
        if (!it->squashed) {
            it->mask = malloc(n);
            it->original = malloc(n * sizeof(float));
            cr_assert(it->mask && it->original);
            TU_OK(ds_sparsifier_get_mask(s, it->name, it->mask, n));
            TU_OK(ds_sparsifier_get_data(s, it->name, 1, it->original, n));
        }
        TU_OK(ds_config_create(&it->config));
        TU_OK(ds_sparsifier_get_config(s, it->name, it->config));
    }
}

static inline void tu_snap_free(tu_snap *snap) {
    for (size_t i = 0; i < snap->count; ++i) {
        free(snap->items[i].mask);
        free(snap->items[i].original);
        free(snap->items[i].data);
        ds_config_destroy(snap->items[i].config);
    }
    free(snap->items);
    memset(snap, 0, sizeof *snap);
}

/* Asserts that s looks exactly as it did when `before` was taken. */
static inline void tu_snap_assert_same(const ds_sparsifier *s, const tu_snap *before, const char *what) {
    tu_snap now;
    tu_snap_take(s, &now);
    cr_assert_eq(now.count, before->count, "%s: item count changed from %zu to %zu", what, before->count,
                 now.count);
    cr_assert_eq(now.steps, before->steps, "%s: step count changed", what);
    cr_assert_eq(now.mask_update, before->mask_update, "%s: mask update switch changed", what);
    for (size_t i = 0; i < now.count; ++i) {
        const tu_item_snap *a = &now.items[i], *b = &before->items[i];
        cr_assert_str_eq(a->name, b->name, "%s: item %zu is now \"%s\", was \"%s\"", what, i, a->name, b->name);
        cr_assert(a->rows == b->rows && a->cols == b->cols, "%s: shape of \"%s\" changed", what, a->name);
        cr_assert_eq(a->squashed, b->squashed, "%s: squashed state of \"%s\" changed", what, a->name);
        size_t n = (size_t)(a->rows * a->cols);
        cr_assert(memcmp(a->data, b->data, n * sizeof(float)) == 0, "%s: data of \"%s\" changed", what, a->name);
        if (!a->squashed) {
            cr_assert(memcmp(a->mask, b->mask, n) == 0, "%s: mask of \"%s\" changed", what, a->name);
            cr_assert(memcmp(a->original, b->original, n * sizeof(float)) == 0,
                      "%s: original data of \"%s\" changed", what, a->name);
        }
        char ctx[512];
        snprintf(ctx, sizeof ctx, "%s: config of \"%s\"", what, a->name);
        tu_config_assert_same(a->config, b->config, ctx);
    }
    tu_snap_free(&now);
}

/* ---------------------------------------------------------------------
 * Scheduler tests: quiet logging and signed data of distinct magnitudes
 * --------------------------------------------------------------------- */

/* A log handler that drops everything (e.g. the expected replace warnings). */
static inline void tu_silent_log(void *user_data, int level, const char *message) {
    (void)user_data;
    (void)level;
    (void)message;
}

/* |x| = ((i * 7 + seed) % n + 1) / 32 with alternating signs: distinct
 * magnitudes whenever 7 is coprime to n (a permutation of 1..n). */
static inline void tu_fill_signed(float *data, size_t n, unsigned seed) {
    for (size_t i = 0; i < n; ++i) {
        float v = (float)((i * 7u + seed) % n + 1u) / 32.0f;
        data[i] = (i & 1u) ? -v : v;
    }
}

#endif /* DS_TEST_UTIL_H */
