/* Limits and values at the edges: the epoch is bounded at creation, on load
 * and on step; a saved scheduler state may only name registered items; a
 * built-in's value saturates instead of overflowing; polynomial_decay's
 * power is >= 0. Scheduler states are crafted here byte by byte (format
 * version 1, src/core/state/format.md) with their CRC32C. */
#include "test_util.h"

#include <limits.h>

static float g_data[8 * 8];

static int keep_schedule(void *u, const char *name, int64_t epoch, double base, double current, double *out) {
    (void)u, (void)name, (void)epoch, (void)current;
    *out = base;
    return 0;
}

static ds_sparsifier *g_s;

static void setup(void) {
    tu_fill_distinct(g_data, 64, 3);
    TU_OK(ds_norm_sparsifier_create(DS_NORM_L1, NULL, &g_s));
    TU_OK(ds_sparsifier_add_data(g_s, "w", g_data, 8, 8, NULL, 0));
}
static void teardown(void) { ds_sparsifier_destroy(g_s); }
TestSuite(limits, .init = setup, .fini = teardown);

/* --- a scheduler state, byte by byte ------------------------------------ */

typedef struct {
    uint8_t b[512];
    size_t n;
} bytes;

static void put(bytes *o, const void *p, size_t n) {
    memcpy(o->b + o->n, p, n);
    o->n += n;
}
static void put32(bytes *o, uint32_t v) {
    for (int i = 0; i < 4; ++i) o->b[o->n++] = (uint8_t)(v >> (8 * i));
}
static void put64(bytes *o, uint64_t v) {
    for (int i = 0; i < 8; ++i) o->b[o->n++] = (uint8_t)(v >> (8 * i));
}
static void putstr(bytes *o, const char *s) {
    put32(o, (uint32_t)strlen(s));
    put(o, s, strlen(s));
}
static void putopt(bytes *o, int present, double v) {
    o->b[o->n++] = (uint8_t)(present != 0);
    if (present) {
        uint64_t u;
        memcpy(&u, &v, 8);
        put64(o, u);
    }
}
static uint32_t crc32c(const uint8_t *p, size_t n) {
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; ++i) {
        c ^= p[i];
        for (int k = 0; k < 8; ++k) c = (c & 1u) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    }
    return c ^ 0xFFFFFFFFu;
}
/* Patches a section length at `at` to end here. */
static void end_section(bytes *o, size_t at) {
    uint64_t len = o->n - (at + 8);
    for (int i = 0; i < 8; ++i) o->b[at + i] = (uint8_t)(len >> (8 * i));
}

typedef struct {
    const char *name;
    int has_base, has_last;
    double base, last;
} entry;

/* A callback scheduler's state for sparsity_level. */
static bytes scheduler_state(int64_t last_epoch, const entry *entries, size_t count) {
    bytes o = {{0}, 0};
    put(&o, "DSSCHED\0", 8);
    put32(&o, 1);
    put32(&o, 0);
    put32(&o, 1);
    size_t at = o.n;
    put64(&o, 0);
    putstr(&o, "sparsity_level");
    putstr(&o, "callback");
    put32(&o, 0); /* no schedule parameters */
    put64(&o, (uint64_t)last_epoch);
    put64(&o, 1);
    end_section(&o, at);
    for (size_t i = 0; i < count; ++i) {
        put32(&o, 2);
        at = o.n;
        put64(&o, 0);
        putstr(&o, entries[i].name);
        putopt(&o, entries[i].has_base, entries[i].base);
        putopt(&o, entries[i].has_last, entries[i].last);
        end_section(&o, at);
    }
    put32(&o, crc32c(o.b, o.n));
    return o;
}

/* --- the epoch ----------------------------------------------------------- */

#define MAX_EPOCH ((INT64_C(1) << 53) - 1)

Test(limits, last_epoch_is_bounded_at_creation) {
    ds_scheduler *sch = (ds_scheduler *)&g_data;
    const int64_t bad[] = {INT64_MAX, INT64_MAX - 1, MAX_EPOCH, MAX_EPOCH + 1, -2, INT64_MIN};
    for (size_t i = 0; i < TU_ARRAY_LEN(bad); ++i) {
        char what[64];
        snprintf(what, sizeof what, "last_epoch %lld", (long long)bad[i]);
        tu_fail(ds_scheduler_create(g_s, "sparsity_level", keep_schedule, NULL, bad[i], &sch), DS_ERR_INVALID_ARGUMENT,
                what, "last_epoch", NULL);
        cr_assert_eq(sch, (ds_scheduler *)&g_data, "out written on failure");
    }
    /* the largest allowed: the creation's step reaches the last epoch, and no step goes beyond it */
    TU_OK(ds_scheduler_create(g_s, "sparsity_level", keep_schedule, NULL, MAX_EPOCH - 1, &sch));
    cr_assert_eq(ds_scheduler_last_epoch(sch), MAX_EPOCH);
    tu_fail(ds_scheduler_step(sch), DS_ERR_STATE, "step past the last epoch", "last epoch", NULL);
    cr_assert_eq(ds_scheduler_last_epoch(sch), MAX_EPOCH, "a failed step moved the epoch");
    /* and its own state loads back */
    size_t size = 0;
    TU_OK(ds_scheduler_save_buffer(sch, NULL, 0, &size));
    uint8_t *buf = malloc(size);
    TU_OK(ds_scheduler_save_buffer(sch, buf, size, &size));
    TU_OK(ds_scheduler_load_buffer(sch, buf, size));
    free(buf);
    ds_scheduler_destroy(sch);
}

Test(limits, a_state_beyond_the_last_epoch_is_corrupt) {
    ds_scheduler *sch = NULL;
    TU_OK(ds_scheduler_create(g_s, "sparsity_level", keep_schedule, NULL, -1, &sch));
    const entry w = {"w", 1, 1, 0.5, 0.5};
    const int64_t bad[] = {INT64_MAX, MAX_EPOCH + 1, -2};
    for (size_t i = 0; i < TU_ARRAY_LEN(bad); ++i) {
        bytes b = scheduler_state(bad[i], &w, 1);
        tu_fail(ds_scheduler_load_buffer(sch, b.b, b.n), DS_ERR_CORRUPT, "last_epoch", "last_epoch", NULL);
        cr_assert_eq(ds_scheduler_last_epoch(sch), 0, "a failed load changed the epoch");
    }
    bytes ok = scheduler_state(MAX_EPOCH, &w, 1);
    TU_OK(ds_scheduler_load_buffer(sch, ok.b, ok.n));
    tu_fail(ds_scheduler_step(sch), DS_ERR_STATE, "step after loading the last epoch", "last epoch", NULL);
    ds_scheduler_destroy(sch);
}

/* --- what a state may name ----------------------------------------------- */

Test(limits, a_state_naming_an_unregistered_item_is_corrupt_even_without_a_last_value) {
    ds_scheduler *sch = NULL;
    TU_OK(ds_scheduler_create(g_s, "sparsity_level", keep_schedule, NULL, -1, &sch));
    const entry entries[] = {{"w", 1, 1, 0.5, 0.5}, {"ghost", 1, 0, 0.5, 0.0}};
    bytes b = scheduler_state(3, entries, 2);
    tu_fail(ds_scheduler_load_buffer(sch, b.b, b.n), DS_ERR_CORRUPT, "ghost entry", "ghost", NULL);
    cr_assert_eq(ds_scheduler_last_epoch(sch), 0);
    cr_assert_eq(ds_scheduler_count(sch), 1);
    /* the same state without the ghost loads */
    bytes good = scheduler_state(3, entries, 1);
    TU_OK(ds_scheduler_load_buffer(sch, good.b, good.n));
    cr_assert_eq(ds_scheduler_last_epoch(sch), 3);
    ds_scheduler_destroy(sch);
}

/* --- built-in values never stop a run ------------------------------------ */

Test(limits, polynomial_decay_power_must_not_be_negative) {
    ds_schedule *p = NULL;
    tu_fail(tu_polynomial_decay(0.1, 0.9, 0, 4, -1.0, 1, &p), DS_ERR_INVALID_ARGUMENT, "power -1", "power", NULL);
    cr_assert_null(p);
    /* power 0: (1 - p)^0 = 1 also at the end step (0^0), so the value stays the initial one */
    TU_OK(tu_polynomial_decay(0.1, 0.9, 0, 4, 0.0, 1, &p));
    ds_scheduler *sch = NULL;
    TU_OK(ds_scheduler_create_builtin(g_s, "sparsity_level", p, -1, &sch));
    for (int t = 1; t <= 6; ++t) {
        TU_OK(ds_sparsifier_step(g_s));
        TU_OK(ds_scheduler_step(sch));
    }
    double v = 0;
    TU_OK(ds_scheduler_get_last_param(sch, "w", &v));
    cr_assert_float_eq(v, 0.1, 1e-15);
    ds_scheduler_destroy(sch);
    ds_schedule_destroy(p);
}

Test(limits, a_growing_step_schedule_saturates_instead_of_stopping_the_run) {
    ds_schedule *p = NULL;
    TU_OK(ds_schedule_create_step(1, 1e300, &p)); /* base * 1e300^t overflows at t = 2 */
    ds_scheduler *sch = NULL;
    TU_OK(ds_scheduler_create_builtin(g_s, "sparsity_level", p, -1, &sch));
    for (int t = 1; t <= 5; ++t) {
        TU_OK(ds_sparsifier_step(g_s));
        TU_OK(ds_scheduler_step(sch));
        double v = 0;
        TU_OK(ds_scheduler_get_last_param(sch, "w", &v));
        cr_assert(isfinite(v), "epoch %d: %g", t, v);
    }
    double sparsity = 0;
    TU_OK(ds_sparsifier_step(g_s));
    TU_OK(ds_sparsifier_get_sparsity(g_s, "w", &sparsity));
    cr_assert_float_eq(sparsity, 1.0, 0.0, "a level beyond 1 sparsifies every block");
    ds_scheduler_destroy(sch);
    ds_schedule_destroy(p);
}

/* A level beyond [0, 1] is kept as given and clamped when a mask is made,
 * whether it comes from set_param or from a schedule. */
static int one_and_a_half(void *u, const char *name, int64_t epoch, double base, double current, double *out) {
    (void)u, (void)name, (void)epoch, (void)base, (void)current;
    *out = 1.5;
    return 0;
}

Test(limits, levels_beyond_one_are_stored_as_given_and_clamped_when_used) {
    uint8_t by_param[64], by_schedule[64];
    TU_OK(ds_sparsifier_set_param(g_s, "w", "sparsity_level", 1.5));
    TU_OK(ds_sparsifier_step(g_s));
    TU_OK(ds_sparsifier_get_mask(g_s, "w", by_param, 64));
    TU_OK(ds_sparsifier_set_param(g_s, "w", "sparsity_level", 0.25));
    ds_scheduler *sch = NULL;
    TU_OK(ds_scheduler_create(g_s, "sparsity_level", one_and_a_half, NULL, -1, &sch));
    double v = 0;
    TU_OK(ds_sparsifier_get_param(g_s, "w", "sparsity_level", &v));
    cr_assert_float_eq(v, 1.5, 0.0, "the schedule's value is stored as given");
    TU_OK(ds_sparsifier_step(g_s));
    TU_OK(ds_sparsifier_get_mask(g_s, "w", by_schedule, 64));
    cr_assert(memcmp(by_param, by_schedule, 64) == 0);
    for (int i = 0; i < 64; ++i)
        cr_assert_eq(by_param[i], 0, "level 1.5 is level 1: every block");
    ds_scheduler_destroy(sch);
}
