/* Failure paths of the scheduler step and of saved state:
 *  - failing, NaN/inf and rejected schedule values: the step fails and
 *    nothing is applied (all-or-nothing over the items);
 *  - a re-entrant schedule callback;
 *  - corrupt and truncated sparsifier and scheduler states (every byte
 *    flipped, every truncation), a wrong format version, shapes, names,
 *    kinds that do not match, strict and non-strict loads, saved data;
 *  - files: unwritable paths, atomic replacement, a save that fails half
 *    way, missing files; the buffer size protocol. */
#define _XOPEN_SOURCE 700 /* mkdtemp, setrlimit */

#include <criterion/criterion.h>
#include <datasparse/datasparse.h>

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_util.h"


/* The call failed with want and left a message. */
#define EXPECT_STATUS(call, want)                                                                         \
    do {                                                                                                  \
        ds_status st_ = (call);                                                                           \
        cr_assert_eq(st_, (want), "%s: expected %s, got %s (%s)", #call, ds_status_string(want),          \
                     ds_status_string(st_), ds_last_error());                                             \
        cr_assert_neq(ds_last_error()[0], '\0', "%s failed without a message", #call);                    \
    } while (0)

static char g_msg[2048];

/* A copy of the last error (valid past the next datasparse call). */
static const char *last_msg(void) {
    snprintf(g_msg, sizeof g_msg, "%s", ds_last_error());
    return g_msg;
}

static int has_number(const char *text, long long number) {
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", number);
    size_t n = strlen(buf);
    for (const char *p = strstr(text, buf); p; p = strstr(p + 1, buf)) {
        int before = p == text || !(p[-1] >= '0' && p[-1] <= '9');
        int after = !(p[n] >= '0' && p[n] <= '9');
        if (before && after)
            return 1;
    }
    return 0;
}

static ds_config *make_config(const char *k1, double v1, const char *k2, double v2) {
    ds_config *c = NULL;
    TU_OK(ds_config_create(&c));
    if (k1)
        TU_OK(ds_config_set(c, k1, v1));
    if (k2)
        TU_OK(ds_config_set(c, k2, v2));
    return c;
}

static double param_of(const ds_sparsifier *s, const char *name, const char *key) {
    double v = NAN;
    TU_OK(ds_sparsifier_get_param(s, name, key, &v));
    return v;
}

/* ---------------------------------------------------------------------
 * Snapshots of everything observable about a sparsifier / a scheduler
 * --------------------------------------------------------------------- */

#define SNAP_ITEMS 8
#define SNAP_KEYS 16

typedef struct item_snap {
    char name[64];
    int64_t rows, cols;
    int squashed;
    uint8_t *mask;  /* NULL when squashed */
    float *data;    /* the caller's data as get_data(original=1) sees it; NULL when squashed */
    size_t nkeys;
    char keys[SNAP_KEYS][64];
    double values[SNAP_KEYS];
} item_snap;

typedef struct sp_snap {
    size_t count;
    int64_t steps;
    int mask_update;
    item_snap items[SNAP_ITEMS];
} sp_snap;

static void sp_snap_take(const ds_sparsifier *s, sp_snap *out) {
    memset(out, 0, sizeof *out);
    out->count = ds_sparsifier_count(s);
    cr_assert_leq(out->count, SNAP_ITEMS);
    out->steps = ds_sparsifier_step_count(s);
    out->mask_update = ds_sparsifier_mask_update(s);
    ds_config *c = NULL;
    TU_OK(ds_config_create(&c));
    for (size_t i = 0; i < out->count; ++i) {
        item_snap *it = &out->items[i];
        const char *name = NULL;
        TU_OK(ds_sparsifier_get_name(s, i, &name));
        snprintf(it->name, sizeof it->name, "%s", name);
        TU_OK(ds_sparsifier_get_shape(s, it->name, &it->rows, &it->cols));
        TU_OK(ds_sparsifier_get_squashed(s, it->name, &it->squashed));
        size_t n = (size_t)(it->rows * it->cols);
        if (!it->squashed) {
            it->mask = malloc(n);
            it->data = malloc(n * sizeof(float));
            cr_assert(it->mask && it->data);
            TU_OK(ds_sparsifier_get_mask(s, it->name, it->mask, n));
            TU_OK(ds_sparsifier_get_data(s, it->name, 1, it->data, n));
        }
        TU_OK(ds_sparsifier_get_config(s, it->name, c));
        it->nkeys = ds_config_count(c);
        cr_assert_leq(it->nkeys, SNAP_KEYS);
        for (size_t k = 0; k < it->nkeys; ++k) {
            const char *key = NULL;
            TU_OK(ds_config_get_key(c, k, &key));
            snprintf(it->keys[k], sizeof it->keys[k], "%s", key);
            TU_OK(ds_config_get(c, key, &it->values[k]));
        }
    }
    ds_config_destroy(c);
}

static void sp_snap_free(sp_snap *snap) {
    for (size_t i = 0; i < snap->count; ++i) {
        free(snap->items[i].mask);
        free(snap->items[i].data);
    }
    memset(snap, 0, sizeof *snap);
}

/* Asserts got == want: item names, shapes, squashed flags, masks, configs
 * (bitwise), step count and mask-update flag; the data too if with_data. */
static void sp_snap_assert_eq(const sp_snap *got, const sp_snap *want, int with_data, const char *what) {
    cr_assert_eq(got->count, want->count, "%s: %zu items, expected %zu", what, got->count, want->count);
    cr_assert_eq(got->steps, want->steps, "%s: step count %lld, expected %lld", what, (long long)got->steps,
                 (long long)want->steps);
    cr_assert_eq(got->mask_update, want->mask_update, "%s: mask update %d, expected %d", what, got->mask_update,
                 want->mask_update);
    for (size_t i = 0; i < got->count; ++i) {
        const item_snap *a = &got->items[i], *b = &want->items[i];
        cr_assert_str_eq(a->name, b->name, "%s: item %zu", what, i);
        cr_assert(a->rows == b->rows && a->cols == b->cols, "%s: shape of %s", what, a->name);
        cr_assert_eq(a->squashed, b->squashed, "%s: squashed flag of %s", what, a->name);
        size_t n = (size_t)(a->rows * a->cols);
        if (!a->squashed) {
            cr_assert(memcmp(a->mask, b->mask, n) == 0, "%s: mask of %s differs", what, a->name);
            if (with_data)
                cr_assert(memcmp(a->data, b->data, n * sizeof(float)) == 0, "%s: data of %s differs", what, a->name);
        }
        cr_assert_eq(a->nkeys, b->nkeys, "%s: %s has %zu config keys, expected %zu", what, a->name, a->nkeys, b->nkeys);
        for (size_t k = 0; k < a->nkeys; ++k) {
            cr_assert_str_eq(a->keys[k], b->keys[k], "%s: config key %zu of %s", what, k, a->name);
            cr_assert(memcmp(&a->values[k], &b->values[k], sizeof(double)) == 0, "%s: %s of %s is %.17g, expected %.17g",
                      what, a->keys[k], a->name, a->values[k], b->values[k]);
        }
    }
}

typedef struct sch_snap {
    int64_t last_epoch, steps;
    size_t count;
    char names[SNAP_ITEMS][64];
    double base[SNAP_ITEMS], last[SNAP_ITEMS];
    ds_status last_status[SNAP_ITEMS];
} sch_snap;

static void sch_snap_take(const ds_scheduler *sch, sch_snap *out) {
    memset(out, 0, sizeof *out);
    out->last_epoch = ds_scheduler_last_epoch(sch);
    out->steps = ds_scheduler_step_count(sch);
    out->count = ds_scheduler_count(sch);
    cr_assert_leq(out->count, SNAP_ITEMS);
    for (size_t i = 0; i < out->count; ++i) {
        const char *name = NULL;
        TU_OK(ds_scheduler_get_name(sch, i, &name));
        snprintf(out->names[i], sizeof out->names[i], "%s", name);
        TU_OK(ds_scheduler_get_base_param(sch, out->names[i], &out->base[i]));
        out->last_status[i] = ds_scheduler_get_last_param(sch, out->names[i], &out->last[i]);
    }
}

static void sch_snap_assert_eq(const sch_snap *got, const sch_snap *want, const char *what) {
    cr_assert_eq(got->last_epoch, want->last_epoch, "%s: last_epoch %lld, expected %lld", what,
                 (long long)got->last_epoch, (long long)want->last_epoch);
    cr_assert_eq(got->steps, want->steps, "%s: step count", what);
    cr_assert_eq(got->count, want->count, "%s: %zu items, expected %zu", what, got->count, want->count);
    for (size_t i = 0; i < got->count; ++i) {
        cr_assert_str_eq(got->names[i], want->names[i], "%s: item %zu", what, i);
        cr_assert(memcmp(&got->base[i], &want->base[i], sizeof(double)) == 0, "%s: base of %s", what, got->names[i]);
        cr_assert_eq(got->last_status[i], want->last_status[i], "%s: last param of %s", what, got->names[i]);
        if (got->last_status[i] == DS_OK)
            cr_assert(memcmp(&got->last[i], &want->last[i], sizeof(double)) == 0, "%s: last of %s: %.17g, expected %.17g",
                      what, got->names[i], got->last[i], want->last[i]);
    }
}

/* ---------------------------------------------------------------------
 * Suite-wide setup: silence warnings (replacements, order) on stderr.
 * --------------------------------------------------------------------- */

static void setup(void) { ds_set_log_handler(tu_silent_log, NULL); }
static void teardown(void) { ds_set_log_handler(NULL, NULL); }

TestSuite(state, .init = setup, .fini = teardown);

/* =====================================================================
 * Schedule failures: all-or-nothing
 * ===================================================================== */

static const char *const k_items[3] = {"alpha", "beta", "gamma_item"};
static const double k_levels[3] = {0.5, 0.25, 0.75};

typedef struct trio {
    float data[3][32];
    ds_sparsifier *s;
} trio;

static void trio_make(trio *t) {
    ds_config *defaults = make_config("sparsity_level", 0.5, NULL, 0);
    TU_OK(ds_norm_sparsifier_create(DS_NORM_L1, defaults, &t->s));
    ds_config_destroy(defaults);
    for (int i = 0; i < 3; ++i) {
        tu_fill_signed(t->data[i], 32, (unsigned)i + 1);
        ds_config *c = make_config("sparsity_level", k_levels[i], NULL, 0);
        TU_OK(ds_sparsifier_add_data(t->s, k_items[i], t->data[i], 4, 8, c, 0));
        ds_config_destroy(c);
    }
}

typedef enum fail_mode { FAIL_RETURN, FAIL_NAN, FAIL_INF, FAIL_VALUE } fail_mode;

typedef struct failing {
    const char *fail_name; /* NULL: never fail */
    int64_t fail_epoch;
    fail_mode mode;
    double value;          /* FAIL_VALUE: returned instead */
    const char *message;   /* for ds_set_callback_error (NULL: none) */
    int calls;
} failing;

/* Halves the current value (epoch > 0), except for fail_name at fail_epoch. */
static int failing_schedule(void *user_data, const char *name, int64_t epoch, double base, double current,
                            double *out) {
    failing *f = (failing *)user_data;
    f->calls++;
    if (f->fail_name && strcmp(name, f->fail_name) == 0 && epoch == f->fail_epoch) {
        switch (f->mode) {
        case FAIL_RETURN:
            if (f->message)
                ds_set_callback_error(f->message);
            return 7;
        case FAIL_NAN: *out = NAN; return 0;
        case FAIL_INF: *out = INFINITY; return 0;
        case FAIL_VALUE: *out = f->value; return 0;
        }
    }
    *out = epoch > 0 ? current * 0.5 : base;
    return 0;
}

/* Steps to epoch 1 fine, then fails at epoch 2 as f says; checks nothing
 * changed; returns the status. */
static ds_status fail_at_epoch_2(failing *f, const char *param, ds_status want) {
    trio t;
    trio_make(&t);
    ds_scheduler *sch = NULL;
    TU_OK(ds_scheduler_create(t.s, param, failing_schedule, f, -1, &sch));
    TU_OK(ds_sparsifier_step(t.s));
    TU_OK(ds_scheduler_step(sch));
    TU_OK(ds_sparsifier_step(t.s));
    TU_OK(ds_sparsifier_set_mask_update(t.s, 0));

    sp_snap sp_before, sp_after;
    sch_snap sch_before, sch_after;
    sp_snap_take(t.s, &sp_before);
    sch_snap_take(sch, &sch_before);
    cr_assert_eq(sch_before.last_epoch, 1);

    f->calls = 0;
    ds_status st = ds_scheduler_step(sch);
    const char *msg = last_msg();
    cr_assert_eq(st, want, "expected %s, got %s (%s)", ds_status_string(want), ds_status_string(st), msg);
    cr_assert_neq(msg[0], '\0', "no message");
    cr_assert(strstr(msg, f->fail_name) != NULL, "message \"%s\" does not name the item %s", msg, f->fail_name);
    cr_assert(has_number(msg, 2), "message \"%s\" does not name the epoch (2)", msg);

    sp_snap_take(t.s, &sp_after);
    sch_snap_take(sch, &sch_after);
    sp_snap_assert_eq(&sp_after, &sp_before, 1, "sparsifier after the failed step");
    sch_snap_assert_eq(&sch_after, &sch_before, "scheduler after the failed step");
    for (int i = 0; i < 3; ++i) /* epoch 1 halved each level: exact */
        cr_assert_eq(param_of(t.s, k_items[i], param), k_levels[i] * 0.5, "level of %s changed", k_items[i]);
    sp_snap_free(&sp_before);
    sp_snap_free(&sp_after);

    /* Not stuck: with the failure gone, epoch 2 is done. */
    f->fail_name = NULL;
    TU_OK(ds_scheduler_step(sch));
    cr_assert_eq(ds_scheduler_last_epoch(sch), 2);
    ds_scheduler_destroy(sch);
    ds_sparsifier_destroy(t.s);
    return st;
}

static void callback_failure_on(int item) {
    failing f = {k_items[item], 2, FAIL_RETURN, 0, "the schedule says no: xyzzy", 0};
    fail_at_epoch_2(&f, "sparsity_level", DS_ERR_CALLBACK);
    cr_assert(strstr(g_msg, "xyzzy") != NULL, "the callback's message is not in \"%s\"", g_msg);
}

Test(state, callback_failure_on_first_item_changes_nothing) { callback_failure_on(0); }
Test(state, callback_failure_on_middle_item_changes_nothing) { callback_failure_on(1); }
Test(state, callback_failure_on_last_item_changes_nothing) { callback_failure_on(2); }

Test(state, callback_nan_changes_nothing) {
    failing f = {"beta", 2, FAIL_NAN, 0, NULL, 0};
    fail_at_epoch_2(&f, "sparsity_level", DS_ERR_CALLBACK);
}

Test(state, callback_infinity_changes_nothing) {
    failing f = {"gamma_item", 2, FAIL_INF, 0, NULL, 0};
    fail_at_epoch_2(&f, "sparsity_level", DS_ERR_CALLBACK);
}

Test(state, value_the_sparsifier_rejects_changes_nothing) {
    /* What the sparsifier says to zeros_per_block = 99 with 1x4 blocks. */
    trio t;
    trio_make(&t);
    ds_status want = ds_sparsifier_set_param(t.s, "beta", "zeros_per_block", 99.0);
    cr_assert_neq(want, DS_OK, "the sparsifier accepts zeros_per_block 99 with 1x4 blocks");
    ds_sparsifier_destroy(t.s);

    /* The norm sparsifier reports the effective zeros_per_block (4) for
     * every item: all are scheduled; the schedule halves it (4 -> 2) but
     * gives beta 99 at epoch 2. */
    failing f = {"beta", 2, FAIL_VALUE, 99.0, NULL, 0};
    trio_make(&t);
    ds_scheduler *sch = NULL;
    TU_OK(ds_scheduler_create(t.s, "zeros_per_block", failing_schedule, &f, -1, &sch));
    size_t count = 0;
    count = ds_scheduler_count(sch);
    cr_assert_eq(count, 3);
    TU_OK(ds_sparsifier_step(t.s));
    TU_OK(ds_scheduler_step(sch)); /* epoch 1: 4 -> 2 */
    for (int i = 0; i < 3; ++i)
        cr_assert_eq(param_of(t.s, k_items[i], "zeros_per_block"), 2.0);
    sp_snap before, after;
    sp_snap_take(t.s, &before);
    ds_status st = ds_scheduler_step(sch); /* epoch 2: 2 -> 1, beta -> 99 */
    const char *msg = last_msg();
    cr_assert_eq(st, want, "expected %s (the sparsifier's status), got %s (%s)", ds_status_string(want),
                 ds_status_string(st), msg);
    cr_assert(strstr(msg, "beta") != NULL, "message \"%s\" does not name beta", msg);
    sp_snap_take(t.s, &after);
    sp_snap_assert_eq(&after, &before, 1, "after the rejected value");
    cr_assert_eq(ds_scheduler_last_epoch(sch), 1);
    double last = NAN;
    TU_OK(ds_scheduler_get_last_param(sch, "alpha", &last));
    cr_assert_eq(last, 2.0, "alpha's last value changed to %g", last);
    sp_snap_free(&before);
    sp_snap_free(&after);
    ds_scheduler_destroy(sch);
    ds_sparsifier_destroy(t.s);
}

Test(state, fractional_zeros_per_block_is_rejected_too) {
    failing f = {"alpha", 2, FAIL_VALUE, 2.5, NULL, 0};
    trio t;
    trio_make(&t);
    ds_status want = ds_sparsifier_set_param(t.s, "alpha", "zeros_per_block", 2.5);
    cr_assert_neq(want, DS_OK);
    ds_scheduler *sch = NULL;
    TU_OK(ds_scheduler_create(t.s, "zeros_per_block", failing_schedule, &f, -1, &sch));
    TU_OK(ds_sparsifier_step(t.s));
    TU_OK(ds_scheduler_step(sch));
    TU_OK(ds_sparsifier_step(t.s));
    EXPECT_STATUS(ds_scheduler_step(sch), want);
    for (int i = 0; i < 3; ++i)
        cr_assert_eq(param_of(t.s, k_items[i], "zeros_per_block"), 2.0);
    ds_scheduler_destroy(sch);
    ds_sparsifier_destroy(t.s);
}

Test(state, failure_in_the_creation_step_fails_the_creation) {
    trio t;
    trio_make(&t);
    sp_snap before, after;
    sp_snap_take(t.s, &before);
    failing f = {"beta", 0, FAIL_RETURN, 0, "not at epoch zero", 0};
    ds_scheduler *sentinel = (ds_scheduler *)&f, *sch = sentinel;
    ds_status st = ds_scheduler_create(t.s, "sparsity_level", failing_schedule, &f, -1, &sch);
    const char *msg = last_msg();
    cr_assert_eq(st, DS_ERR_CALLBACK, "got %s (%s)", ds_status_string(st), msg);
    cr_assert(strstr(msg, "not at epoch zero") != NULL, "message: \"%s\"", msg);
    cr_assert(strstr(msg, "beta") != NULL, "message: \"%s\"", msg);
    cr_assert_eq(sch, sentinel, "out written by a failed create");
    sp_snap_take(t.s, &after);
    sp_snap_assert_eq(&after, &before, 1, "after the failed creation");
    sp_snap_free(&before);
    sp_snap_free(&after);

    /* NaN at creation too. */
    f.mode = FAIL_NAN;
    EXPECT_STATUS(ds_scheduler_create(t.s, "sparsity_level", failing_schedule, &f, -1, &sch), DS_ERR_CALLBACK);
    cr_assert_eq(sch, sentinel);
    ds_sparsifier_destroy(t.s);
}

Test(state, callback_message_does_not_leak_into_a_later_failure) {
    trio t;
    trio_make(&t);
    failing f = {"alpha", 1, FAIL_RETURN, 0, "first reason", 0};
    ds_scheduler *sch = NULL;
    TU_OK(ds_scheduler_create(t.s, "sparsity_level", failing_schedule, &f, -1, &sch));
    TU_OK(ds_sparsifier_step(t.s));
    EXPECT_STATUS(ds_scheduler_step(sch), DS_ERR_CALLBACK);
    cr_assert(strstr(last_msg(), "first reason") != NULL, "message: \"%s\"", g_msg);
    f.message = NULL; /* fails again, explaining nothing this time */
    EXPECT_STATUS(ds_scheduler_step(sch), DS_ERR_CALLBACK);
    cr_assert(strstr(last_msg(), "first reason") == NULL, "a stale callback message: \"%s\"", g_msg);
    ds_scheduler_destroy(sch);
    ds_sparsifier_destroy(t.s);
}

/* ---------------------------------------------------------------------
 * Re-entrant callbacks
 * --------------------------------------------------------------------- */

typedef struct reentry {
    ds_scheduler *sch;
    ds_sparsifier *s;
    const void *state;
    size_t state_size;
    int entered;
    ds_status inner_step, inner_load, inner_verbose, inner_mutation;
    int mutation; /* 0: none, 1: remove an item, 2: add an item */
    float extra[32], extra2[32];
} reentry;

static int reentrant_schedule(void *user_data, const char *name, int64_t epoch, double base, double current,
                              double *out) {
    reentry *r = (reentry *)user_data;
    if (r->sch && !r->entered && strcmp(name, "alpha") == 0) {
        r->entered = 1;
        r->inner_step = ds_scheduler_step(r->sch);
        if (r->state)
            r->inner_load = ds_scheduler_load_buffer(r->sch, r->state, r->state_size);
        r->inner_verbose = ds_scheduler_set_verbose(r->sch, 1);
        if (r->mutation == 1) {
            r->inner_mutation = ds_sparsifier_remove_data(r->s, "beta");
        } else if (r->mutation == 2) {
            /* Two: enough to make the sparsifier's item storage grow. */
            r->inner_mutation = ds_sparsifier_add_data(r->s, "delta", r->extra, 4, 8, NULL, 0);
            if (r->inner_mutation == DS_OK)
                r->inner_mutation = ds_sparsifier_add_data(r->s, "epsilon", r->extra2, 4, 8, NULL, 0);
        }
    }
    *out = epoch > 0 ? current * 0.5 : base;
    return 0;
}

Test(state, reentrant_scheduler_calls_fail_with_state_error, .timeout = 30) {
    trio t;
    trio_make(&t);
    reentry r;
    memset(&r, 0, sizeof r);
    ds_scheduler *sch = NULL;
    TU_OK(ds_scheduler_create(t.s, "sparsity_level", reentrant_schedule, &r, -1, &sch));
    size_t size = 0;
    TU_OK(ds_scheduler_save_buffer(sch, NULL, 0, &size));
    void *state = malloc(size);
    cr_assert_not_null(state);
    TU_OK(ds_scheduler_save_buffer(sch, state, size, &size));
    r.sch = sch;
    r.state = state;
    r.state_size = size;

    TU_OK(ds_sparsifier_step(t.s));
    ds_status outer = ds_scheduler_step(sch);
    cr_assert(r.entered, "the callback never ran");
    cr_assert_eq(r.inner_step, DS_ERR_STATE, "inner step: %s", ds_status_string(r.inner_step));
    cr_assert_eq(r.inner_load, DS_ERR_STATE, "inner load: %s", ds_status_string(r.inner_load));
    cr_assert_eq(r.inner_verbose, DS_ERR_STATE, "inner set_verbose: %s", ds_status_string(r.inner_verbose));
    /* The outer step proceeds (the inner calls changed nothing) or fails cleanly. */
    if (outer == DS_OK) {
        cr_assert_eq(ds_scheduler_last_epoch(sch), 1, "the epoch advanced by more than one");
        for (int i = 0; i < 3; ++i)
            cr_assert_eq(param_of(t.s, k_items[i], "sparsity_level"), k_levels[i] * 0.5);
    } else {
        cr_assert_eq(ds_scheduler_last_epoch(sch), 0);
        for (int i = 0; i < 3; ++i)
            cr_assert_eq(param_of(t.s, k_items[i], "sparsity_level"), k_levels[i]);
    }
    /* Usable afterwards, and not verbose-switched by the refused call. */
    r.sch = NULL;
    TU_OK(ds_sparsifier_step(t.s));
    TU_OK(ds_scheduler_step(sch));
    free(state);
    ds_scheduler_destroy(sch);
    ds_sparsifier_destroy(t.s);
}

/* The header counts a scheduler and its sparsifier as one handle; a
 * schedule that changes the sparsifier's items mid-step must not corrupt
 * anything: either the change is refused (DS_ERR_STATE) or the step ends
 * cleanly with the scheduler tracking what the sparsifier holds. */
static void reentrant_mutation(int mutation) {
    trio t;
    trio_make(&t);
    reentry r;
    memset(&r, 0, sizeof r);
    tu_fill_signed(r.extra, 32, 9);
    tu_fill_signed(r.extra2, 32, 10);
    r.s = t.s;
    r.mutation = mutation;
    ds_scheduler *sch = NULL;
    TU_OK(ds_scheduler_create(t.s, "sparsity_level", reentrant_schedule, &r, -1, &sch));
    r.sch = sch;
    TU_OK(ds_sparsifier_step(t.s));
    ds_status outer = ds_scheduler_step(sch);
    cr_assert(r.entered);
    cr_assert(r.inner_mutation == DS_OK || r.inner_mutation == DS_ERR_STATE, "inner mutation: %s",
              ds_status_string(r.inner_mutation));
    r.sch = NULL;
    /* "Proceeds or fails cleanly": OK, or a refusal. Any other status (e.g.
     * DS_ERR_NOT_FOUND for an item nobody named) means the step read item
     * storage the mutation had changed under it. */
    cr_assert(outer == DS_OK || outer == DS_ERR_STATE || outer == DS_ERR_CALLBACK,
              "the outer step failed with %s (%s)", ds_status_string(outer), ds_last_error());
    /* Whatever happened, the next steps are coherent. */
    TU_OK(ds_sparsifier_step(t.s));
    TU_OK(ds_scheduler_step(sch));
    size_t n_sp = 0, n_sch = 0;
    n_sp = ds_sparsifier_count(t.s);
    n_sch = ds_scheduler_count(sch);
    cr_assert_eq(n_sch, n_sp, "the scheduler tracks %zu items, the sparsifier holds %zu", n_sch, n_sp);
    for (size_t i = 0; i < n_sp; ++i) {
        const char *a = NULL, *b = NULL;
        TU_OK(ds_sparsifier_get_name(t.s, i, &a));
        TU_OK(ds_scheduler_get_name(sch, i, &b));
        cr_assert_str_eq(a, b);
    }
    ds_scheduler_destroy(sch);
    ds_sparsifier_destroy(t.s);
}

Test(state, schedule_removing_an_item_mid_step, .timeout = 30) { reentrant_mutation(1); }
Test(state, schedule_adding_an_item_mid_step, .timeout = 30) { reentrant_mutation(2); }

/* =====================================================================
 * Sparsifier state
 * ===================================================================== */

#define SR 3
#define SC 5
#define SN (SR * SC)

/* The "source": L1, defaults sparsity_level 0.4; a (defaults), b
 * (sparsity_level 0.5, zeros_per_block 2); stepped twice; mask update off. */
typedef struct pair_sp {
    float a[SN], b[SN];
    ds_sparsifier *s;
} pair_sp;

static void source_make(pair_sp *p) {
    tu_fill_signed(p->a, SN, 1);
    tu_fill_signed(p->b, SN, 4);
    ds_config *defaults = make_config("sparsity_level", 0.4, NULL, 0);
    TU_OK(ds_norm_sparsifier_create(DS_NORM_L1, defaults, &p->s));
    ds_config_destroy(defaults);
    ds_config *cb = make_config("sparsity_level", 0.5, "zeros_per_block", 2);
    TU_OK(ds_sparsifier_add_data(p->s, "a", p->a, SR, SC, NULL, 0));
    TU_OK(ds_sparsifier_add_data(p->s, "b", p->b, SR, SC, cb, 0));
    ds_config_destroy(cb);
    TU_OK(ds_sparsifier_step(p->s));
    TU_OK(ds_sparsifier_step(p->s));
    TU_OK(ds_sparsifier_set_mask_update(p->s, 0));
}

/* The "target": the same names and shapes over other buffers (filled with
 * `fill`), other configs (defaults 0.7, a 0.9), never stepped. */
static void target_make(pair_sp *p, float fill, ds_norm norm) {
    for (int i = 0; i < SN; ++i)
        p->a[i] = p->b[i] = fill;
    ds_config *defaults = make_config("sparsity_level", 0.7, NULL, 0);
    TU_OK(ds_norm_sparsifier_create(norm, defaults, &p->s));
    ds_config_destroy(defaults);
    ds_config *ca = make_config("sparsity_level", 0.9, NULL, 0);
    TU_OK(ds_sparsifier_add_data(p->s, "a", p->a, SR, SC, ca, 0));
    TU_OK(ds_sparsifier_add_data(p->s, "b", p->b, SR, SC, NULL, 0));
    ds_config_destroy(ca);
}

static uint8_t *save_sp(const ds_sparsifier *s, unsigned flags, size_t *size) {
    TU_OK(ds_sparsifier_save_buffer(s, flags, NULL, 0, size));
    cr_assert_gt(*size, 0);
    uint8_t *buf = malloc(*size);
    cr_assert_not_null(buf);
    size_t written = 0;
    TU_OK(ds_sparsifier_save_buffer(s, flags, buf, *size, &written));
    cr_assert_eq(written, *size);
    return buf;
}

static uint8_t *save_sch(const ds_scheduler *sch, size_t *size) {
    TU_OK(ds_scheduler_save_buffer(sch, NULL, 0, size));
    cr_assert_gt(*size, 0);
    uint8_t *buf = malloc(*size);
    cr_assert_not_null(buf);
    size_t written = 0;
    TU_OK(ds_scheduler_save_buffer(sch, buf, *size, &written));
    cr_assert_eq(written, *size);
    return buf;
}

Test(state, strict_round_trip_restores_everything) {
    pair_sp src, dst;
    source_make(&src);
    const char *names[1] = {"b"};
    TU_OK(ds_sparsifier_squash_mask(src.s, names, 1, 0));
    size_t size = 0;
    uint8_t *buf = save_sp(src.s, 0, &size);
    target_make(&dst, 0.0f, DS_NORM_L1);
    TU_OK(ds_sparsifier_load_buffer(dst.s, buf, size, 1));
    sp_snap want, got;
    sp_snap_take(src.s, &want);
    sp_snap_take(dst.s, &got);
    sp_snap_assert_eq(&got, &want, 0, "after a strict load");
    /* The defaults came along: a new item gets the source's 0.4. */
    float z[4] = {1, 2, 3, 4};
    TU_OK(ds_sparsifier_add_data(dst.s, "z", z, 1, 4, NULL, 0));
    cr_assert_eq(param_of(dst.s, "z", "sparsity_level"), 0.4, "a strict load restores the defaults");
    sp_snap_free(&want);
    sp_snap_free(&got);
    free(buf);
    ds_sparsifier_destroy(src.s);
    ds_sparsifier_destroy(dst.s);
}

/* Loads a mutated state into a fresh target: it must fail with
 * DS_ERR_CORRUPT leaving the target as it was, or succeed with the result
 * of loading the intact state. */
typedef struct sp_case {
    unsigned flags;
    sp_snap before;   /* a fresh target */
    sp_snap expected; /* a fresh target after loading the intact state */
    int successes;
} sp_case;

static void sp_check_load(sp_case *c, const uint8_t *bytes, size_t size, const char *what) {
    pair_sp dst;
    target_make(&dst, -1.0f, DS_NORM_L1);
    ds_status st = ds_sparsifier_load_buffer(dst.s, size ? bytes : (const void *)"", size, 1);
    sp_snap now;
    sp_snap_take(dst.s, &now);
    if (st == DS_OK) {
        c->successes++;
        sp_snap_assert_eq(&now, &c->expected, 1, what);
    } else {
        cr_assert_eq(st, DS_ERR_CORRUPT, "%s: expected DS_ERR_CORRUPT, got %s (%s)", what, ds_status_string(st),
                     ds_last_error());
        cr_assert_neq(ds_last_error()[0], '\0', "%s: no message", what);
        sp_snap_assert_eq(&now, &c->before, 1, what);
    }
    sp_snap_free(&now);
    ds_sparsifier_destroy(dst.s);
}

static void sp_corruption(unsigned flags) {
    pair_sp src;
    source_make(&src);
    size_t size = 0;
    uint8_t *buf = save_sp(src.s, flags, &size);
    ds_sparsifier_destroy(src.s);

    sp_case c;
    memset(&c, 0, sizeof c);
    c.flags = flags;
    pair_sp dst;
    target_make(&dst, -1.0f, DS_NORM_L1);
    sp_snap_take(dst.s, &c.before);
    TU_OK(ds_sparsifier_load_buffer(dst.s, buf, size, 1));
    sp_snap_take(dst.s, &c.expected);
    ds_sparsifier_destroy(dst.s);
    if (flags & DS_SAVE_DATA)
        cr_assert_eq(c.expected.items[0].data[0], src.a[0], "the saved data was not loaded");

    uint8_t *copy = malloc(size);
    cr_assert_not_null(copy);
    char what[96];
    for (size_t i = 0; i < size; ++i) {
        memcpy(copy, buf, size);
        copy[i] ^= 0xFF;
        snprintf(what, sizeof what, "byte %zu of %zu flipped", i, size);
        sp_check_load(&c, copy, size, what);
    }
    int flip_successes = c.successes;
    for (size_t len = 0; len < size; ++len) {
        memcpy(copy, buf, len);
        snprintf(what, sizeof what, "truncated to %zu of %zu bytes", len, size);
        sp_check_load(&c, copy, len, what);
    }
    /* Every byte is covered by the checksum: nothing should load. */
    cr_assert_eq(flip_successes, 0, "%d single-byte corruptions loaded", flip_successes);
    cr_assert_eq(c.successes, 0, "%d truncations loaded", c.successes - flip_successes);
    sp_snap_free(&c.before);
    sp_snap_free(&c.expected);
    free(copy);
    free(buf);
}

Test(state, sparsifier_every_byte_flipped_or_truncated, .timeout = 120) { sp_corruption(0); }
Test(state, sparsifier_with_data_every_byte_flipped_or_truncated, .timeout = 120) { sp_corruption(DS_SAVE_DATA); }

/* --- Format version (src/core/state_format.md, "Framing": 8-byte magic,
 *     u32 LE version at offset 8, u32 flags, sections, and the CRC32C of
 *     all preceding bytes as the last 4 bytes). The version is patched and
 *     the checksum re-sealed, so the version check itself is what rejects
 *     the state. ------------------------------------------------------- */

static uint32_t crc32c(const uint8_t *p, size_t n) {
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; ++i) {
        c ^= p[i];
        for (int k = 0; k < 8; ++k)
            c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1u)));
    }
    return c ^ 0xFFFFFFFFu;
}

static uint32_t get_u32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_u32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; ++i)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Sets the version field and re-seals the checksum. */
static void patch_version(uint8_t *buf, size_t size, uint32_t version) {
    cr_assert_gt(size, 16);
    cr_assert_eq(crc32c((const uint8_t *)"123456789", 9), 0xE3069283u, "the test's CRC32C is wrong");
    cr_assert_eq(get_u32(buf + size - 4), crc32c(buf, size - 4),
                 "the state does not end with the CRC32C of what precedes it: the layout changed");
    cr_assert_eq(get_u32(buf + 8), 1u, "expected format version 1 at offset 8, found %u", get_u32(buf + 8));
    put_u32(buf + 8, version);
    put_u32(buf + size - 4, crc32c(buf, size - 4));
}

Test(state, sparsifier_wrong_version_is_corrupt) {
    pair_sp src, dst;
    source_make(&src);
    size_t size = 0;
    uint8_t *buf = save_sp(src.s, 0, &size);
    target_make(&dst, 0.0f, DS_NORM_L1);
    sp_snap before, after;
    sp_snap_take(dst.s, &before);
    const uint32_t versions[3] = {0u, 4u, 0xFFFFFFFFu};  /* 2 (tensors, test_tensors.c) and 3 (groups and shards, test_groups.c) exist */
    for (int i = 0; i < 3; ++i) {
        uint8_t *copy = malloc(size);
        cr_assert_not_null(copy);
        memcpy(copy, buf, size);
        patch_version(copy, size, versions[i]);
        EXPECT_STATUS(ds_sparsifier_load_buffer(dst.s, copy, size, 1), DS_ERR_CORRUPT);
        cr_assert(strstr(last_msg(), "version") != NULL, "version %u: message \"%s\" does not mention the version",
                  versions[i], g_msg);
        free(copy);
    }
    sp_snap_take(dst.s, &after);
    sp_snap_assert_eq(&after, &before, 1, "after wrong versions");
    /* The re-sealing itself is sound: version 1 re-sealed loads. */
    patch_version(buf, size, 1u);
    TU_OK(ds_sparsifier_load_buffer(dst.s, buf, size, 1));
    sp_snap_free(&before);
    sp_snap_free(&after);
    free(buf);
    ds_sparsifier_destroy(src.s);
    ds_sparsifier_destroy(dst.s);
}

Test(state, scheduler_state_is_not_a_sparsifier_state) {
    pair_sp src;
    source_make(&src);
    ds_schedule *p = NULL;
    TU_OK(ds_schedule_create_gamma(2.0, 0.9, &p));
    ds_scheduler *sch = NULL;
    TU_OK(ds_scheduler_create_builtin(src.s, "sparsity_level", p, -1, &sch));
    ds_schedule_destroy(p);
    size_t ssize = 0, psize = 0;
    uint8_t *sbuf = save_sch(sch, &ssize);
    uint8_t *pbuf = save_sp(src.s, 0, &psize);
    EXPECT_STATUS(ds_sparsifier_load_buffer(src.s, sbuf, ssize, 1), DS_ERR_CORRUPT);
    EXPECT_STATUS(ds_scheduler_load_buffer(sch, pbuf, psize), DS_ERR_CORRUPT);
    EXPECT_STATUS(ds_sparsifier_load_buffer(src.s, "not a state at all", 18, 1), DS_ERR_CORRUPT);
    EXPECT_STATUS(ds_sparsifier_load_buffer(src.s, pbuf, 0, 1), DS_ERR_CORRUPT);
    EXPECT_STATUS(ds_sparsifier_load_buffer(src.s, NULL, psize, 1), DS_ERR_INVALID_ARGUMENT);
    EXPECT_STATUS(ds_scheduler_load_buffer(sch, NULL, ssize), DS_ERR_INVALID_ARGUMENT);
    free(sbuf);
    free(pbuf);
    ds_scheduler_destroy(sch);
    ds_sparsifier_destroy(src.s);
}

/* --- Mismatches with the registered data -------------------------------- */

static void expect_corrupt_unchanged(ds_sparsifier *s, const uint8_t *buf, size_t size, int strict,
                                     const char *what) {
    sp_snap before, after;
    sp_snap_take(s, &before);
    ds_status st = ds_sparsifier_load_buffer(s, buf, size, strict);
    cr_assert_eq(st, DS_ERR_CORRUPT, "%s: expected DS_ERR_CORRUPT, got %s (%s)", what, ds_status_string(st),
                 ds_last_error());
    cr_assert_neq(ds_last_error()[0], '\0');
    sp_snap_take(s, &after);
    sp_snap_assert_eq(&after, &before, 1, what);
    sp_snap_free(&before);
    sp_snap_free(&after);
}

Test(state, other_shape_is_corrupt) {
    pair_sp src;
    source_make(&src);
    size_t size = 0;
    uint8_t *buf = save_sp(src.s, 0, &size);
    /* b as 5x3 instead of 3x5: same element count, other shape. */
    float a[SN], b[SN];
    tu_fill_signed(a, SN, 2);
    tu_fill_signed(b, SN, 3);
    ds_sparsifier *dst = NULL;
    TU_OK(ds_norm_sparsifier_create(DS_NORM_L1, NULL, &dst));
    TU_OK(ds_sparsifier_add_data(dst, "a", a, SR, SC, NULL, 0));
    TU_OK(ds_sparsifier_add_data(dst, "b", b, SC, SR, NULL, 0));
    expect_corrupt_unchanged(dst, buf, size, 1, "b registered 5x3, saved 3x5 (strict)");
    expect_corrupt_unchanged(dst, buf, size, 0, "b registered 5x3, saved 3x5 (non-strict)");
    cr_assert(strstr(last_msg(), "b") != NULL);
    /* And a smaller one. */
    TU_OK(ds_sparsifier_add_data(dst, "b", b, 1, 4, NULL, 0));
    expect_corrupt_unchanged(dst, buf, size, 1, "b registered 1x4");
    free(buf);
    ds_sparsifier_destroy(dst);
    ds_sparsifier_destroy(src.s);
}

Test(state, other_kind_of_sparsifier_is_corrupt) {
    pair_sp src, l2;
    source_make(&src);
    size_t size = 0;
    uint8_t *buf = save_sp(src.s, 0, &size);
    target_make(&l2, 0.0f, DS_NORM_L2);
    expect_corrupt_unchanged(l2.s, buf, size, 1, "L1 state into an L2 sparsifier");
    ds_sparsifier_destroy(l2.s);
    free(buf);
    ds_sparsifier_destroy(src.s);
}

Test(state, strict_load_with_a_registered_item_missing_from_the_state) {
    pair_sp src, dst;
    source_make(&src);
    size_t size = 0;
    uint8_t *buf = save_sp(src.s, 0, &size);
    target_make(&dst, 0.0f, DS_NORM_L1);
    float c[8] = {1, -2, 3, -4, 5, -6, 7, -8};
    ds_config *cc = make_config("sparsity_level", 0.25, NULL, 0);
    TU_OK(ds_sparsifier_add_data(dst.s, "c", c, 2, 4, cc, 0));
    ds_config_destroy(cc);
    TU_OK(ds_sparsifier_step(dst.s)); /* c gets a mask of its own */
    expect_corrupt_unchanged(dst.s, buf, size, 1, "strict, c not in the state");
    cr_assert(strstr(last_msg(), "c") != NULL);

    /* Non-strict merges: a and b from the state, c, the defaults, the step
     * count and the mask-update flag as they were. */
    sp_snap before, after, want;
    sp_snap_take(dst.s, &before);
    sp_snap_take(src.s, &want);
    TU_OK(ds_sparsifier_load_buffer(dst.s, buf, size, 0));
    sp_snap_take(dst.s, &after);
    cr_assert_eq(after.count, 3);
    cr_assert_eq(after.steps, before.steps, "non-strict load changed the step count");
    cr_assert_eq(after.mask_update, before.mask_update, "non-strict load changed the mask-update flag");
    for (int i = 0; i < 2; ++i) {
        cr_assert_str_eq(after.items[i].name, want.items[i].name);
        cr_assert(memcmp(after.items[i].mask, want.items[i].mask, SN) == 0, "mask of %s not merged", want.items[i].name);
        cr_assert_eq(after.items[i].nkeys, want.items[i].nkeys);
        for (size_t k = 0; k < want.items[i].nkeys; ++k)
            cr_assert_eq(after.items[i].values[k], want.items[i].values[k], "%s of %s", want.items[i].keys[k],
                         want.items[i].name);
    }
    cr_assert_str_eq(after.items[2].name, "c");
    cr_assert(memcmp(after.items[2].mask, before.items[2].mask, 8) == 0, "c's mask changed");
    cr_assert_eq(param_of(dst.s, "c", "sparsity_level"), 0.25);
    float z[4] = {1, 2, 3, 4};
    TU_OK(ds_sparsifier_add_data(dst.s, "z", z, 1, 4, NULL, 0));
    cr_assert_eq(param_of(dst.s, "z", "sparsity_level"), 0.7, "a non-strict load must keep the defaults");
    sp_snap_free(&before);
    sp_snap_free(&after);
    sp_snap_free(&want);
    free(buf);
    ds_sparsifier_destroy(src.s);
    ds_sparsifier_destroy(dst.s);
}

Test(state, state_item_not_registered_is_corrupt) {
    pair_sp src;
    source_make(&src);
    size_t size = 0;
    uint8_t *buf = save_sp(src.s, 0, &size);
    float a[SN];
    tu_fill_signed(a, SN, 5);
    ds_sparsifier *dst = NULL;
    TU_OK(ds_norm_sparsifier_create(DS_NORM_L1, NULL, &dst));
    TU_OK(ds_sparsifier_add_data(dst, "a", a, SR, SC, NULL, 0)); /* no b */
    expect_corrupt_unchanged(dst, buf, size, 1, "b in the state, not registered (strict)");
    expect_corrupt_unchanged(dst, buf, size, 0, "b in the state, not registered (non-strict)");
    free(buf);
    ds_sparsifier_destroy(dst);
    ds_sparsifier_destroy(src.s);
}

Test(state, saved_data_is_copied_into_the_registered_buffers) {
    pair_sp src, dst;
    source_make(&src);
    size_t size = 0, size_nodata = 0;
    uint8_t *buf = save_sp(src.s, DS_SAVE_DATA, &size);
    uint8_t *nodata = save_sp(src.s, 0, &size_nodata);
    cr_assert_geq(size, size_nodata + 2 * SN * sizeof(float), "the state with data is too small to hold it");
    target_make(&dst, 0.0f, DS_NORM_L1);
    TU_OK(ds_sparsifier_load_buffer(dst.s, nodata, size_nodata, 1));
    for (int i = 0; i < SN; ++i)
        cr_assert(dst.a[i] == 0.0f && dst.b[i] == 0.0f, "a load without data wrote the buffer");
    TU_OK(ds_sparsifier_load_buffer(dst.s, buf, size, 1));
    cr_assert(memcmp(dst.a, src.a, sizeof dst.a) == 0, "a's data was not copied");
    cr_assert(memcmp(dst.b, src.b, sizeof dst.b) == 0, "b's data was not copied");
    /* Copied, not borrowed: the sparsifier still reads the target's buffer. */
    dst.a[0] = 123.0f;
    float out[SN];
    TU_OK(ds_sparsifier_get_data(dst.s, "a", 1, out, SN));
    cr_assert_eq(out[0], 123.0f);
    free(buf);
    free(nodata);
    ds_sparsifier_destroy(src.s);
    ds_sparsifier_destroy(dst.s);
}

/* --- Buffer size protocol ---------------------------------------------- */

Test(state, save_buffer_size_query_and_small_capacity) {
    pair_sp src;
    source_make(&src);
    size_t need = 0;
    TU_OK(ds_sparsifier_save_buffer(src.s, 0, NULL, 0, &need));
    cr_assert_gt(need, 16);
    uint8_t *buf = malloc(need + 8);
    cr_assert_not_null(buf);
    memset(buf, 0xAB, need + 8);
    size_t out = 777;
    EXPECT_STATUS(ds_sparsifier_save_buffer(src.s, 0, buf, need - 1, &out), DS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(out, 777, "out_size written by a failed call");
    for (size_t i = 0; i < need + 8; ++i)
        cr_assert_eq(buf[i], 0xAB, "byte %zu of the buffer written by a failed call", i);
    EXPECT_STATUS(ds_sparsifier_save_buffer(src.s, 0, buf, 0, &out), DS_ERR_INVALID_ARGUMENT);
    EXPECT_STATUS(ds_sparsifier_save_buffer(src.s, 0, buf, need, NULL), DS_ERR_INVALID_ARGUMENT);
    EXPECT_STATUS(ds_sparsifier_save_buffer(NULL, 0, buf, need, &out), DS_ERR_INVALID_ARGUMENT);
    EXPECT_STATUS(ds_sparsifier_save_buffer(src.s, 2u, buf, need, &out), DS_ERR_INVALID_ARGUMENT);
    /* A larger capacity: exactly `need` bytes written, the rest untouched. */
    TU_OK(ds_sparsifier_save_buffer(src.s, 0, buf, need + 8, &out));
    cr_assert_eq(out, need);
    for (size_t i = need; i < need + 8; ++i)
        cr_assert_eq(buf[i], 0xAB, "byte %zu past the state was written", i);
    /* Deterministic: the same state twice gives the same bytes. */
    uint8_t *again = malloc(need);
    cr_assert_not_null(again);
    TU_OK(ds_sparsifier_save_buffer(src.s, 0, again, need, &out));
    cr_assert(memcmp(buf, again, need) == 0, "two saves of one state differ");
    /* With data it needs more. */
    size_t need_data = 0;
    TU_OK(ds_sparsifier_save_buffer(src.s, DS_SAVE_DATA, NULL, 0, &need_data));
    cr_assert_gt(need_data, need);
    free(again);
    free(buf);

    ds_schedule *p = NULL;
    TU_OK(ds_schedule_create_step(2, 0.5, &p));
    ds_scheduler *sch = NULL;
    TU_OK(ds_scheduler_create_builtin(src.s, "sparsity_level", p, -1, &sch));
    ds_schedule_destroy(p);
    TU_OK(ds_scheduler_save_buffer(sch, NULL, 0, &need));
    cr_assert_gt(need, 16);
    buf = malloc(need);
    cr_assert_not_null(buf);
    memset(buf, 0xAB, need);
    out = 777;
    EXPECT_STATUS(ds_scheduler_save_buffer(sch, buf, need - 1, &out), DS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(out, 777);
    for (size_t i = 0; i < need; ++i)
        cr_assert_eq(buf[i], 0xAB, "byte %zu written by a failed call", i);
    EXPECT_STATUS(ds_scheduler_save_buffer(sch, buf, need, NULL), DS_ERR_INVALID_ARGUMENT);
    EXPECT_STATUS(ds_scheduler_save_buffer(NULL, buf, need, &out), DS_ERR_INVALID_ARGUMENT);
    TU_OK(ds_scheduler_save_buffer(sch, buf, need, &out));
    cr_assert_eq(out, need);
    free(buf);
    ds_scheduler_destroy(sch);
    ds_sparsifier_destroy(src.s);
}

/* =====================================================================
 * Scheduler state
 * ===================================================================== */

/* Source scheduler: cubic over the source sparsifier, 3 epochs in. */
static ds_schedule *cubic_schedule(void) {
    ds_schedule *p = NULL;
    TU_OK(tu_cubic(0.1, 1, 1, 5, 0, &p));
    return p;
}

static ds_scheduler *source_scheduler(pair_sp *src) {
    source_make(src);
    ds_schedule *p = cubic_schedule();
    ds_scheduler *sch = NULL;
    TU_OK(ds_scheduler_create_builtin(src->s, "sparsity_level", p, -1, &sch));
    ds_schedule_destroy(p);
    for (int e = 1; e <= 3; ++e) {
        TU_OK(ds_sparsifier_step(src->s));
        TU_OK(ds_scheduler_step(sch));
    }
    return sch;
}

typedef struct sch_target {
    pair_sp sp;
    ds_scheduler *sch;
} sch_target;

static void sch_target_make(sch_target *t) {
    target_make(&t->sp, 0.0f, DS_NORM_L1);
    ds_schedule *p = cubic_schedule();
    TU_OK(ds_scheduler_create_builtin(t->sp.s, "sparsity_level", p, -1, &t->sch));
    ds_schedule_destroy(p);
}

static void sch_target_free(sch_target *t) {
    ds_scheduler_destroy(t->sch);
    ds_sparsifier_destroy(t->sp.s);
}

typedef struct sch_case {
    sch_snap before, expected;
    sp_snap sp_before;
    double next_a, next_b; /* values after one more step, from the intact state */
    int successes;
} sch_case;

static void sch_check_load(sch_case *c, const uint8_t *bytes, size_t size, const char *what) {
    sch_target t;
    sch_target_make(&t);
    ds_status st = ds_scheduler_load_buffer(t.sch, size ? bytes : (const void *)"", size);
    sch_snap now;
    sch_snap_take(t.sch, &now);
    if (st == DS_OK) {
        c->successes++;
        sch_snap_assert_eq(&now, &c->expected, what);
        TU_OK(ds_sparsifier_step(t.sp.s));
        TU_OK(ds_scheduler_step(t.sch));
        double a = NAN, b = NAN;
        TU_OK(ds_scheduler_get_last_param(t.sch, "a", &a));
        TU_OK(ds_scheduler_get_last_param(t.sch, "b", &b));
        cr_assert(a == c->next_a && b == c->next_b, "%s: loaded, but steps on differently", what);
    } else {
        cr_assert_eq(st, DS_ERR_CORRUPT, "%s: expected DS_ERR_CORRUPT, got %s (%s)", what, ds_status_string(st),
                     ds_last_error());
        cr_assert_neq(ds_last_error()[0], '\0', "%s: no message", what);
        sch_snap_assert_eq(&now, &c->before, what);
        sp_snap sp_now; /* nor its sparsifier */
        sp_snap_take(t.sp.s, &sp_now);
        sp_snap_assert_eq(&sp_now, &c->sp_before, 1, what);
        sp_snap_free(&sp_now);
    }
    sch_target_free(&t);
}

Test(state, scheduler_every_byte_flipped_or_truncated, .timeout = 120) {
    pair_sp src;
    ds_scheduler *ssch = source_scheduler(&src);
    size_t size = 0;
    uint8_t *buf = save_sch(ssch, &size);
    ds_scheduler_destroy(ssch);
    ds_sparsifier_destroy(src.s);

    sch_case c;
    memset(&c, 0, sizeof c);
    sch_target t;
    sch_target_make(&t);
    sch_snap_take(t.sch, &c.before);
    sp_snap_take(t.sp.s, &c.sp_before);
    TU_OK(ds_scheduler_load_buffer(t.sch, buf, size));
    sch_snap_take(t.sch, &c.expected);
    cr_assert_eq(c.expected.last_epoch, 3);
    TU_OK(ds_sparsifier_step(t.sp.s));
    TU_OK(ds_scheduler_step(t.sch));
    TU_OK(ds_scheduler_get_last_param(t.sch, "a", &c.next_a));
    TU_OK(ds_scheduler_get_last_param(t.sch, "b", &c.next_b));
    sch_target_free(&t);

    uint8_t *copy = malloc(size);
    cr_assert_not_null(copy);
    char what[96];
    for (size_t i = 0; i < size; ++i) {
        memcpy(copy, buf, size);
        copy[i] ^= 0xFF;
        snprintf(what, sizeof what, "scheduler state: byte %zu of %zu flipped", i, size);
        sch_check_load(&c, copy, size, what);
    }
    int flips = c.successes;
    for (size_t len = 0; len < size; ++len) {
        memcpy(copy, buf, len);
        snprintf(what, sizeof what, "scheduler state truncated to %zu of %zu bytes", len, size);
        sch_check_load(&c, copy, len, what);
    }
    cr_assert_eq(flips, 0, "%d single-byte corruptions loaded", flips);
    cr_assert_eq(c.successes, 0, "%d truncations loaded", c.successes - flips);
    sp_snap_free(&c.sp_before);
    free(copy);
    free(buf);
}

Test(state, scheduler_wrong_version_is_corrupt) {
    pair_sp src;
    ds_scheduler *ssch = source_scheduler(&src);
    size_t size = 0;
    uint8_t *buf = save_sch(ssch, &size);
    sch_snap before, after;
    sch_snap_take(ssch, &before);
    const uint32_t versions[3] = {0u, 2u, 0x7FFFFFFFu};
    for (int i = 0; i < 3; ++i) {
        uint8_t *copy = malloc(size);
        cr_assert_not_null(copy);
        memcpy(copy, buf, size);
        patch_version(copy, size, versions[i]);
        EXPECT_STATUS(ds_scheduler_load_buffer(ssch, copy, size), DS_ERR_CORRUPT);
        cr_assert(strstr(last_msg(), "version") != NULL, "message \"%s\" does not mention the version", g_msg);
        free(copy);
    }
    sch_snap_take(ssch, &after);
    sch_snap_assert_eq(&after, &before, "after wrong versions");
    free(buf);
    ds_scheduler_destroy(ssch);
    ds_sparsifier_destroy(src.s);
}

static int halve_cb(void *u, const char *name, int64_t epoch, double base, double current, double *out) {
    (void)u;
    (void)name;
    *out = epoch > 0 ? current * 0.5 : base;
    return 0;
}

static void expect_sch_corrupt(ds_scheduler *sch, const uint8_t *buf, size_t size, const char *what) {
    sch_snap before, after;
    sch_snap_take(sch, &before);
    ds_status st = ds_scheduler_load_buffer(sch, buf, size);
    cr_assert_eq(st, DS_ERR_CORRUPT, "%s: expected DS_ERR_CORRUPT, got %s (%s)", what, ds_status_string(st),
                 ds_last_error());
    cr_assert_neq(ds_last_error()[0], '\0');
    sch_snap_take(sch, &after);
    sch_snap_assert_eq(&after, &before, what);
}

Test(state, scheduler_state_needs_the_same_param_and_kind) {
    pair_sp src, dst;
    ds_scheduler *ssch = source_scheduler(&src); /* cubic, sparsity_level */
    size_t size = 0;
    uint8_t *buf = save_sch(ssch, &size);
    target_make(&dst, 0.0f, DS_NORM_L1);
    TU_OK(ds_sparsifier_set_param(dst.s, "a", "my_rate", 1.0));
    TU_OK(ds_sparsifier_set_param(dst.s, "b", "my_rate", 1.0));

    ds_schedule *cubic = cubic_schedule(), *gamma = NULL, *step = NULL;
    TU_OK(ds_schedule_create_gamma(2.0, 0.9, &gamma));
    TU_OK(ds_schedule_create_step(2, 0.5, &step));
    ds_scheduler *other_param = NULL, *callback = NULL, *other_kind = NULL, *other_kind2 = NULL;
    TU_OK(ds_scheduler_create_builtin(dst.s, "my_rate", cubic, -1, &other_param));
    TU_OK(ds_scheduler_create(dst.s, "sparsity_level", halve_cb, NULL, -1, &callback));
    TU_OK(ds_scheduler_create_builtin(dst.s, "sparsity_level", gamma, -1, &other_kind));
    TU_OK(ds_scheduler_create_builtin(dst.s, "sparsity_level", step, -1, &other_kind2));
    expect_sch_corrupt(other_param, buf, size, "schedule_param my_rate vs sparsity_level");
    cr_assert(strstr(last_msg(), "my_rate") != NULL || strstr(g_msg, "sparsity_level") != NULL, "message: %s", g_msg);
    expect_sch_corrupt(callback, buf, size, "cubic state into a callback scheduler");
    expect_sch_corrupt(other_kind, buf, size, "cubic state into a gamma scheduler");
    expect_sch_corrupt(other_kind2, buf, size, "cubic state into a step scheduler");

    /* And the other way round: a callback scheduler's state into a built-in one. */
    size_t csize = 0;
    uint8_t *cbuf = save_sch(callback, &csize);
    expect_sch_corrupt(other_kind, cbuf, csize, "callback state into a gamma scheduler");
    /* ...and into a callback scheduler it loads. */
    ds_scheduler *callback2 = NULL;
    TU_OK(ds_scheduler_create(dst.s, "sparsity_level", halve_cb, NULL, 7, &callback2));
    TU_OK(ds_scheduler_load_buffer(callback2, cbuf, csize));
    cr_assert_eq(ds_scheduler_last_epoch(callback2), 0);

    free(cbuf);
    ds_scheduler_destroy(callback2);
    ds_scheduler_destroy(other_param);
    ds_scheduler_destroy(callback);
    ds_scheduler_destroy(other_kind);
    ds_scheduler_destroy(other_kind2);
    ds_schedule_destroy(cubic);
    ds_schedule_destroy(gamma);
    ds_schedule_destroy(step);
    free(buf);
    ds_scheduler_destroy(ssch);
    ds_sparsifier_destroy(src.s);
    ds_sparsifier_destroy(dst.s);
}

/* A callback (or lambda) schedule has no parameters: a state that gives it
 * some is corrupt. They used to be accepted and dropped, so the scheduler
 * then saved other bytes than it loaded (found by the fuzz targets'
 * "a loaded scheduler saves the bytes it loaded" invariant). */
static uint8_t *with_schedule_parameter(const uint8_t *buf, size_t size, size_t *out_size) {
    /* format.md: header (16), section 1 id (4) and length (8), then
     * string schedule_param, string schedule_kind, config (u32 count, ...). */
    size_t at = 28;
    at += 4 + get_u32(buf + at);
    at += 4 + get_u32(buf + at);
    cr_assert_eq(get_u32(buf + at), 0u, "the callback state has parameters already");
    static const uint8_t entry[] = {1, 0, 0, 0, 'x', 0, 0, 0, 0, 0, 0, 0xF0, 0x3F}; /* "x" = 1.0 */
    uint8_t *out = malloc(size + sizeof entry);
    cr_assert_not_null(out);
    memcpy(out, buf, at + 4);
    memcpy(out + at + 4, entry, sizeof entry);
    memcpy(out + at + 4 + sizeof entry, buf + at + 4, size - at - 4);
    put_u32(out + at, 1);
    put_u32(out + 20, get_u32(out + 20) + (uint32_t)sizeof entry); /* section length (u64, low half) */
    *out_size = size + sizeof entry;
    put_u32(out + *out_size - 4, crc32c(out, *out_size - 4));
    return out;
}

static int one_lambda(void *u, int64_t epoch, double *out) {
    (void)u, (void)epoch;
    *out = 1.0;
    return 0;
}

Test(state, callback_or_lambda_state_with_schedule_parameters_is_corrupt) {
    pair_sp p;
    target_make(&p, 1.0f, DS_NORM_L1);
    ds_schedule *lambda = NULL;
    TU_OK(ds_schedule_create_lambda(one_lambda, NULL, &lambda));
    ds_scheduler *callback = NULL, *with_lambda = NULL;
    TU_OK(ds_scheduler_create(p.s, "sparsity_level", halve_cb, NULL, -1, &callback));
    TU_OK(ds_scheduler_create_builtin(p.s, "sparsity_level", lambda, -1, &with_lambda));
    ds_scheduler *each[] = {callback, with_lambda};
    for (int k = 0; k < 2; ++k) {
        size_t size = 0, bad_size = 0;
        uint8_t *buf = save_sch(each[k], &size);
        TU_OK(ds_scheduler_load_buffer(each[k], buf, size)); /* the state as saved loads */
        uint8_t *bad = with_schedule_parameter(buf, size, &bad_size);
        expect_sch_corrupt(each[k], bad, bad_size, k == 0 ? "a callback state with a parameter" : "a lambda state with a parameter");
        cr_assert(strstr(ds_last_error(), "parameter") != NULL, "message: %s", ds_last_error());
        free(bad);
        free(buf);
    }
    ds_scheduler_destroy(callback);
    ds_scheduler_destroy(with_lambda);
    ds_schedule_destroy(lambda);
    ds_sparsifier_destroy(p.s);
}

Test(state, builtin_parameters_come_from_the_state) {
    /* Saved with gamma 0.5, loaded into a gamma 0.25 scheduler: it goes on
     * with 0.5 (the header: "a built-in's saved parameters are restored"). */
    pair_sp a, b;
    target_make(&a, 1.0f, DS_NORM_L1);
    target_make(&b, 1.0f, DS_NORM_L1);
    ds_schedule *g5 = NULL, *g25 = NULL;
    TU_OK(ds_schedule_create_gamma(0.5, 1.0, &g5));
    TU_OK(ds_schedule_create_gamma(0.25, 1.0, &g25));
    ds_scheduler *sa = NULL, *sb = NULL;
    TU_OK(ds_scheduler_create_builtin(a.s, "sparsity_level", g5, -1, &sa));
    TU_OK(ds_scheduler_create_builtin(b.s, "sparsity_level", g25, -1, &sb));
    size_t size = 0;
    uint8_t *buf = save_sch(sa, &size);
    TU_OK(ds_scheduler_load_buffer(sb, buf, size));
    TU_OK(ds_sparsifier_step(b.s));
    TU_OK(ds_scheduler_step(sb));
    double v = NAN;
    TU_OK(ds_scheduler_get_last_param(sb, "a", &v));
    cr_assert_float_eq(v, 0.45, 1e-12, "epoch 1: min(1, 0.9 * 0.5) = 0.45 with the saved gamma, got %.17g", v);
    free(buf);
    ds_scheduler_destroy(sa);
    ds_scheduler_destroy(sb);
    ds_schedule_destroy(g5);
    ds_schedule_destroy(g25);
    ds_sparsifier_destroy(a.s);
    ds_sparsifier_destroy(b.s);
}

Test(state, failed_scheduler_load_leaves_it_usable) {
    pair_sp src;
    ds_scheduler *sch = source_scheduler(&src);
    size_t size = 0;
    uint8_t *buf = save_sch(sch, &size);
    buf[size / 2] ^= 0x01;
    expect_sch_corrupt(sch, buf, size, "one bit flipped");
    TU_OK(ds_sparsifier_step(src.s));
    TU_OK(ds_scheduler_step(sch));
    cr_assert_eq(ds_scheduler_last_epoch(sch), 4);
    free(buf);
    ds_scheduler_destroy(sch);
    ds_sparsifier_destroy(src.s);
}

/* =====================================================================
 * Files
 * ===================================================================== */

static char g_dir[64];

static void make_dir(void) {
    snprintf(g_dir, sizeof g_dir, "/tmp/ds_state_XXXXXX");
    cr_assert_not_null(mkdtemp(g_dir), "mkdtemp: %s", strerror(errno));
}

/* Number of entries in dir (without . and ..); the first one's name in first. */
static int dir_entries(const char *dir, char *first, size_t first_size) {
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "opendir %s: %s", dir, strerror(errno));
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (n == 0 && first)
            snprintf(first, first_size, "%s", e->d_name);
        ++n;
    }
    closedir(d);
    return n;
}

static uint8_t *read_whole(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s: %s", path, strerror(errno));
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1u);
    cr_assert_not_null(buf);
    cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *size = (size_t)n;
    return buf;
}

static void write_whole(const char *path, const void *bytes, size_t size) {
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    if (size)
        cr_assert_eq(fwrite(bytes, 1, size, f), size);
    fclose(f);
}

/* Removes g_dir and what is in it (one level). */
static void remove_dir(void) {
    DIR *d = opendir(g_dir);
    if (!d)
        return;
    struct dirent *e;
    char path[512];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", g_dir, e->d_name);
        if (remove(path) != 0)
            rmdir(path);
    }
    closedir(d);
    rmdir(g_dir);
}

Test(state, unwritable_paths_are_io_errors_and_create_nothing) {
    make_dir();
    pair_sp src;
    ds_scheduler *sch = source_scheduler(&src);
    char path[256];

    /* A directory that does not exist. */
    snprintf(path, sizeof path, "%s/missing/state.bin", g_dir);
    EXPECT_STATUS(ds_sparsifier_save(src.s, path), DS_ERR_IO);
    EXPECT_STATUS(ds_sparsifier_save_file(src.s, path, DS_SAVE_DATA), DS_ERR_IO);
    EXPECT_STATUS(ds_scheduler_save(sch, path), DS_ERR_IO);
    cr_assert_eq(dir_entries(g_dir, NULL, 0), 0, "something was created in %s", g_dir);

    /* A path that is a directory. */
    snprintf(path, sizeof path, "%s/adir", g_dir);
    cr_assert_eq(mkdir(path, 0700), 0);
    EXPECT_STATUS(ds_sparsifier_save(src.s, path), DS_ERR_IO);
    EXPECT_STATUS(ds_scheduler_save(sch, path), DS_ERR_IO);
    char first[256] = "";
    cr_assert_eq(dir_entries(g_dir, first, sizeof first), 1, "temporary files left in %s (first: %s)", g_dir, first);
    cr_assert_str_eq(first, "adir");
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert(S_ISDIR(st.st_mode), "the directory was replaced");
    cr_assert_eq(dir_entries(path, NULL, 0), 0, "something was written into the directory");

    /* Loading a directory or a missing file: DS_ERR_IO, nothing changed. */
    sp_snap before, after;
    sp_snap_take(src.s, &before);
    EXPECT_STATUS(ds_sparsifier_load(src.s, path, 1), DS_ERR_IO);
    snprintf(path, sizeof path, "%s/no_such_file", g_dir);
    EXPECT_STATUS(ds_sparsifier_load(src.s, path, 1), DS_ERR_IO);
    EXPECT_STATUS(ds_sparsifier_load(src.s, path, 0), DS_ERR_IO);
    cr_assert(strstr(last_msg(), "no_such_file") != NULL, "the message does not name the path: %s", g_msg);
    sp_snap_take(src.s, &after);
    sp_snap_assert_eq(&after, &before, 1, "after failed file loads");
    sch_snap sb, sa;
    sch_snap_take(sch, &sb);
    EXPECT_STATUS(ds_scheduler_load(sch, path), DS_ERR_IO);
    sch_snap_take(sch, &sa);
    sch_snap_assert_eq(&sa, &sb, "after a failed scheduler load");

    /* Empty path / NULL path. */
    cr_assert_neq(ds_sparsifier_save(src.s, ""), DS_OK);
    EXPECT_STATUS(ds_sparsifier_save(src.s, NULL), DS_ERR_INVALID_ARGUMENT);
    EXPECT_STATUS(ds_sparsifier_load(src.s, NULL, 1), DS_ERR_INVALID_ARGUMENT);

    sp_snap_free(&before);
    sp_snap_free(&after);
    ds_scheduler_destroy(sch);
    ds_sparsifier_destroy(src.s);
    remove_dir();
}

Test(state, damaged_files_are_corrupt) {
    make_dir();
    pair_sp src;
    source_make(&src);
    char path[256];
    snprintf(path, sizeof path, "%s/state.bin", g_dir);
    TU_OK(ds_sparsifier_save(src.s, path));
    size_t size = 0;
    uint8_t *bytes = read_whole(path, &size);
    /* The file holds exactly what save_buffer gives. */
    size_t bsize = 0;
    uint8_t *buf = save_sp(src.s, 0, &bsize);
    cr_assert_eq(size, bsize);
    cr_assert(memcmp(bytes, buf, size) == 0, "the file differs from the buffer state");

    struct {
        const char *what;
        size_t size;
        int garbage;
    } cases[4] = {{"half the file", size / 2, 0}, {"all but the last byte", size - 1, 0}, {"an empty file", 0, 0},
                  {"a file of garbage", 64, 1}};
    uint8_t garbage[64];
    for (int i = 0; i < 64; ++i)
        garbage[i] = (uint8_t)(i * 37 + 11);
    sp_snap before, after;
    sp_snap_take(src.s, &before);
    for (int i = 0; i < 4; ++i) {
        write_whole(path, cases[i].garbage ? garbage : bytes, cases[i].size);
        ds_status st = ds_sparsifier_load(src.s, path, 1);
        cr_assert_eq(st, DS_ERR_CORRUPT, "%s: expected DS_ERR_CORRUPT, got %s (%s)", cases[i].what,
                     ds_status_string(st), ds_last_error());
        cr_assert_neq(ds_last_error()[0], '\0');
    }
    sp_snap_take(src.s, &after);
    sp_snap_assert_eq(&after, &before, 1, "after loading damaged files");
    /* The intact file loads again. */
    write_whole(path, bytes, size);
    TU_OK(ds_sparsifier_load(src.s, path, 1));
    sp_snap_free(&before);
    sp_snap_free(&after);
    free(bytes);
    free(buf);
    ds_sparsifier_destroy(src.s);
    remove_dir();
}

Test(state, saving_over_a_file_replaces_it_atomically) {
    make_dir();
    pair_sp src, dst;
    source_make(&src);
    char path[256];
    snprintf(path, sizeof path, "%s/state.bin", g_dir);

    /* Old content: the state after two steps. */
    TU_OK(ds_sparsifier_save(src.s, path));
    size_t old_size = 0;
    uint8_t *old_bytes = read_whole(path, &old_size);

    /* New content: another level, another step. */
    TU_OK(ds_sparsifier_set_param(src.s, "a", "sparsity_level", 0.8));
    TU_OK(ds_sparsifier_set_mask_update(src.s, 1));
    TU_OK(ds_sparsifier_step(src.s));
    TU_OK(ds_sparsifier_save(src.s, path));
    char first[256] = "";
    cr_assert_eq(dir_entries(g_dir, first, sizeof first), 1, "files left beside the state (first: %s)", first);
    size_t new_size = 0;
    uint8_t *new_bytes = read_whole(path, &new_size);
    size_t want_size = 0;
    uint8_t *want = save_sp(src.s, 0, &want_size);
    cr_assert(new_size == want_size && memcmp(new_bytes, want, want_size) == 0, "the file does not hold the new state");
    cr_assert(old_size != new_size || memcmp(old_bytes, new_bytes, old_size) != 0, "nothing changed: a useless test");

    target_make(&dst, 0.0f, DS_NORM_L1);
    TU_OK(ds_sparsifier_load(dst.s, path, 1));
    cr_assert_eq(param_of(dst.s, "a", "sparsity_level"), 0.8);
    int64_t steps = 0;
    steps = ds_sparsifier_step_count(dst.s);
    cr_assert_eq(steps, 3);

    /* Scheduler states are replaced the same way. */
    snprintf(path, sizeof path, "%s/sched.bin", g_dir);
    ds_schedule *p = NULL;
    TU_OK(ds_schedule_create_step(1, 0.5, &p));
    ds_scheduler *sch = NULL;
    TU_OK(ds_scheduler_create_builtin(src.s, "sparsity_level", p, -1, &sch));
    ds_schedule_destroy(p);
    TU_OK(ds_scheduler_save(sch, path));
    TU_OK(ds_sparsifier_step(src.s));
    TU_OK(ds_scheduler_step(sch));
    TU_OK(ds_scheduler_save(sch, path));
    cr_assert_eq(dir_entries(g_dir, NULL, 0), 2, "files left beside the states");
    size_t ssize = 0;
    uint8_t *sbytes = read_whole(path, &ssize);
    size_t swant_size = 0;
    uint8_t *swant = save_sch(sch, &swant_size);
    cr_assert(ssize == swant_size && memcmp(sbytes, swant, ssize) == 0, "the file does not hold the new scheduler state");

    free(sbytes);
    free(swant);
    free(old_bytes);
    free(new_bytes);
    free(want);
    ds_scheduler_destroy(sch);
    ds_sparsifier_destroy(src.s);
    ds_sparsifier_destroy(dst.s);
    remove_dir();
}

Test(state, a_save_failing_half_way_leaves_the_old_file) {
    /* A file size limit makes the write of the temporary fail part way
     * (like a full disk), even for root. */
    make_dir();
    pair_sp src;
    source_make(&src);
    char path[256];
    snprintf(path, sizeof path, "%s/state.bin", g_dir);
    TU_OK(ds_sparsifier_save(src.s, path));
    size_t old_size = 0;
    uint8_t *old_bytes = read_whole(path, &old_size);

    size_t need = 0;
    TU_OK(ds_sparsifier_save_buffer(src.s, DS_SAVE_DATA, NULL, 0, &need));
    cr_assert_gt(need, 64);

    struct rlimit saved, small;
    cr_assert_eq(getrlimit(RLIMIT_FSIZE, &saved), 0);
    small = saved;
    small.rlim_cur = 48;
    signal(SIGXFSZ, SIG_IGN);
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &small), 0, "setrlimit: %s", strerror(errno));
    ds_status st = ds_sparsifier_save_file(src.s, path, DS_SAVE_DATA);
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", ds_last_error());
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &saved), 0);

    cr_assert_eq(st, DS_ERR_IO, "a save past the file size limit: %s (%s)", ds_status_string(st), msg);
    cr_assert_neq(msg[0], '\0');
    size_t now_size = 0;
    uint8_t *now = read_whole(path, &now_size);
    cr_assert(now_size == old_size && memcmp(now, old_bytes, old_size) == 0, "the previous file was damaged");
    char first[256] = "";
    cr_assert_eq(dir_entries(g_dir, first, sizeof first), 1, "a temporary was left behind (first entry: %s)", first);

    /* The old file still loads. */
    pair_sp dst;
    target_make(&dst, 0.0f, DS_NORM_L1);
    TU_OK(ds_sparsifier_load(dst.s, path, 1));

    free(now);
    free(old_bytes);
    ds_sparsifier_destroy(dst.s);
    ds_sparsifier_destroy(src.s);
    remove_dir();
}
