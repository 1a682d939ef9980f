/* The data scheduler: PyTorch's data-scheduler test scenarios
 * (test/ao/sparsity/test_data_scheduler.py) in C, and the scheduler
 * behaviour the header's "Scheduler" section promises:
 *  - creation records each item's base value and performs one step;
 *  - the order warning (scheduler stepped before the sparsifier);
 *  - a schedule halving every item (PyTorch's ImplementedDataScheduler);
 *  - step counts; state transfer between two schedulers;
 *  - verbose mode; items added or removed after creation;
 *  - a scheduler whose sparsifier was destroyed.
 *
 * Halving a double is exact (a power-of-two scaling, far from subnormals),
 * so the halving tests compare with == where noted; everything else uses
 * cr_assert_float_eq. */
#define _XOPEN_SOURCE 700 /* mkdtemp */

#include <criterion/criterion.h>
#include <datasparse/datasparse.h>

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_util.h"

/* ---------------------------------------------------------------------
 * Helpers
 * --------------------------------------------------------------------- */


#define EPS 1e-12

/* Deterministic data with distinct magnitudes: |x| = ((i * 7 + seed) % n + 1) / 32
 * (7 is coprime to every n used here, so the values are a permutation). */
static ds_config *config_level(double level) {
    ds_config *c = NULL;
    TU_OK(ds_config_create(&c));
    TU_OK(ds_config_set(c, "sparsity_level", level));
    return c;
}

static double param_of(const ds_sparsifier *s, const char *name, const char *key) {
    double v = NAN;
    TU_OK(ds_sparsifier_get_param(s, name, key, &v));
    return v;
}

static double last_of(const ds_scheduler *sch, const char *name) {
    double v = NAN;
    TU_OK(ds_scheduler_get_last_param(sch, name, &v));
    return v;
}

static double base_of(const ds_scheduler *sch, const char *name) {
    double v = NAN;
    TU_OK(ds_scheduler_get_base_param(sch, name, &v));
    return v;
}

static int64_t sched_steps(const ds_scheduler *sch) {
    int64_t n = -1;
    n = ds_scheduler_step_count(sch);
    return n;
}

static int64_t sparsifier_steps(const ds_sparsifier *s) {
    int64_t n = -1;
    n = ds_sparsifier_step_count(s);
    return n;
}

static size_t sched_count(const ds_scheduler *sch) {
    size_t n = (size_t)-1;
    n = ds_scheduler_count(sch);
    return n;
}

static const char *sched_name(const ds_scheduler *sch, size_t i) {
    const char *name = NULL;
    TU_OK(ds_scheduler_get_name(sch, i, &name));
    cr_assert_not_null(name);
    return name;
}

/* --- Log capture ------------------------------------------------------ */

#define MAX_LOGS 64
typedef struct log_capture {
    int count[3];
    int n;
    int level[MAX_LOGS];
    char text[MAX_LOGS][512];
} log_capture;

static log_capture g_log;

static void capture_log(void *user_data, int level, const char *message) {
    log_capture *c = (log_capture *)user_data;
    if (level >= 0 && level <= 2)
        c->count[level]++;
    if (c->n < MAX_LOGS) {
        c->level[c->n] = level;
        snprintf(c->text[c->n], sizeof c->text[c->n], "%s", message ? message : "(null)");
        c->n++;
    }
}

static void log_start(void) {
    memset(&g_log, 0, sizeof g_log);
    ds_set_log_handler(capture_log, &g_log);
}

static void log_reset(void) { memset(&g_log, 0, sizeof g_log); }

static void log_stop(void) { ds_set_log_handler(NULL, NULL); }

static int contains(const char *haystack, const char *needle) { return strstr(haystack, needle) != NULL; }

/* Whether word occurs in text not as part of a longer identifier (so the
 * item name "a" is not found inside "adjusting"). */
static int contains_word(const char *text, const char *word) {
    size_t n = strlen(word);
    for (const char *p = strstr(text, word); p; p = strstr(p + 1, word)) {
        int before_ok = p == text || !(isalnum((unsigned char)p[-1]) || p[-1] == '_');
        int after_ok = !(isalnum((unsigned char)p[n]) || p[n] == '_');
        if (before_ok && after_ok)
            return 1;
    }
    return 0;
}

/* --- Schedules ---------------------------------------------------------- */

/* PyTorch's ImplementedDataScheduler: epoch 0 keeps the base value, every
 * later epoch halves the current value. */
static int halve(void *user_data, const char *name, int64_t epoch, double base, double current, double *out) {
    (void)user_data;
    (void)name;
    *out = epoch > 0 ? current * 0.5 : base;
    return 0;
}

/* Records every call, then halves like halve(). */
#define MAX_CALLS 64
typedef struct call_record {
    char name[32];
    int64_t epoch;
    double base, current;
} call_record;

typedef struct call_log {
    int n;
    call_record calls[MAX_CALLS];
} call_log;

static int recording_halve(void *user_data, const char *name, int64_t epoch, double base, double current,
                           double *out) {
    call_log *log = (call_log *)user_data;
    if (log->n < MAX_CALLS) {
        call_record *r = &log->calls[log->n++];
        snprintf(r->name, sizeof r->name, "%s", name);
        r->epoch = epoch;
        r->base = base;
        r->current = current;
    }
    return halve(NULL, name, epoch, base, current, out);
}

/* ---------------------------------------------------------------------
 * Fixture: a norm sparsifier with three items of different levels.
 *   defaults sparsity_level 0.5
 *   "a" 4x8  (default level 0.5)
 *   "b" 2x8  level 0.25
 *   "c" 1x16 level 0.75
 * --------------------------------------------------------------------- */

#define NA (4 * 8)
#define NB (2 * 8)
#define NC (1 * 16)

static const char *const k_names[3] = {"a", "b", "c"};
static const double k_levels[3] = {0.5, 0.25, 0.75};

typedef struct fixture {
    float a[NA], b[NB], c[NC];
    ds_sparsifier *s;
} fixture;

static fixture g_fx, g_fx2;

static void fixture_make(fixture *f) {
    tu_fill_signed(f->a, NA, 1);
    tu_fill_signed(f->b, NB, 2);
    tu_fill_signed(f->c, NC, 3);
    ds_config *defaults = config_level(0.5);
    TU_OK(ds_norm_sparsifier_create(DS_NORM_L1, defaults, &f->s));
    ds_config_destroy(defaults);
    ds_config *cb = config_level(0.25), *cc = config_level(0.75);
    TU_OK(ds_sparsifier_add_data(f->s, "a", f->a, 4, 8, NULL, 0));
    TU_OK(ds_sparsifier_add_data(f->s, "b", f->b, 2, 8, cb, 0));
    TU_OK(ds_sparsifier_add_data(f->s, "c", f->c, 1, 16, cc, 0));
    ds_config_destroy(cb);
    ds_config_destroy(cc);
}

static void setup(void) {
    memset(&g_fx, 0, sizeof g_fx);
    memset(&g_fx2, 0, sizeof g_fx2);
    fixture_make(&g_fx);
}

static void teardown(void) {
    ds_set_log_handler(NULL, NULL);
    ds_sparsifier_destroy(g_fx.s);
    ds_sparsifier_destroy(g_fx2.s);
}

TestSuite(scheduler, .init = setup, .fini = teardown);

/* ---------------------------------------------------------------------
 * Constructor
 * --------------------------------------------------------------------- */

Test(scheduler, constructor_performs_one_step) {
    ds_scheduler *sch = NULL;
    TU_OK(ds_scheduler_create(g_fx.s, "sparsity_level", halve, NULL, -1, &sch));
    cr_assert_not_null(sch);

    cr_assert_eq(ds_scheduler_last_epoch(sch), 0, "last_epoch after creation is %lld, expected 0",
                 (long long)ds_scheduler_last_epoch(sch));
    cr_assert_eq(sched_steps(sch), 1, "step_count after creation is %lld, expected 1", (long long)sched_steps(sch));

    const char *param = NULL;
    param = ds_scheduler_schedule_param(sch);
    cr_assert_str_eq(param, "sparsity_level");

    cr_assert_eq(sched_count(sch), 3);
    for (size_t i = 0; i < 3; ++i) {
        cr_assert_str_eq(sched_name(sch, i), k_names[i], "item %zu is \"%s\"", i, sched_name(sch, i));
        /* Copies of the config value: exact. */
        cr_assert_eq(base_of(sch, k_names[i]), k_levels[i], "base of %s is %.17g, expected %.17g", k_names[i],
                     base_of(sch, k_names[i]), k_levels[i]);
        /* Epoch 0 of the halving schedule returns the base value: exact. */
        cr_assert_eq(last_of(sch, k_names[i]), k_levels[i], "last of %s", k_names[i]);
        cr_assert_eq(param_of(g_fx.s, k_names[i], "sparsity_level"), k_levels[i], "level of %s", k_names[i]);
    }
    /* The sparsifier was not stepped by the scheduler. */
    cr_assert_eq(sparsifier_steps(g_fx.s), 0);
    ds_scheduler_destroy(sch);
}

Test(scheduler, constructor_calls_schedule_once_per_item_at_epoch_0) {
    call_log log;
    memset(&log, 0, sizeof log);
    ds_scheduler *sch = NULL;
    TU_OK(ds_scheduler_create(g_fx.s, "sparsity_level", recording_halve, &log, -1, &sch));
    cr_assert_eq(log.n, 3, "the schedule was called %d times at creation, expected 3 (once per item)", log.n);
    for (int i = 0; i < 3; ++i) {
        const call_record *r = NULL;
        for (int j = 0; j < log.n; ++j)
            if (strcmp(log.calls[j].name, k_names[i]) == 0)
                r = &log.calls[j];
        cr_assert_not_null(r, "the schedule was never called for \"%s\"", k_names[i]);
        cr_assert_eq(r->epoch, 0);
        cr_assert_eq(r->base, k_levels[i], "base passed for %s", k_names[i]);
        cr_assert_eq(r->current, k_levels[i], "current passed for %s", k_names[i]);
    }
    ds_scheduler_destroy(sch);
}

Test(scheduler, constructor_with_last_epoch_resumes_at_next_epoch) {
    call_log log;
    memset(&log, 0, sizeof log);
    ds_scheduler *sch = NULL;
    TU_OK(ds_scheduler_create(g_fx.s, "sparsity_level", recording_halve, &log, 5, &sch));
    cr_assert_eq(ds_scheduler_last_epoch(sch), 6, "created with last_epoch 5: the first step is epoch 6, got %lld",
                 (long long)ds_scheduler_last_epoch(sch));
    cr_assert_eq(sched_steps(sch), 1);
    cr_assert_eq(log.n, 3);
    for (int j = 0; j < log.n; ++j)
        cr_assert_eq(log.calls[j].epoch, 6, "call %d saw epoch %lld", j, (long long)log.calls[j].epoch);
    /* Epoch 6 > 0: the halving schedule halved the current value (exact). */
    for (size_t i = 0; i < 3; ++i) {
        cr_assert_eq(base_of(sch, k_names[i]), k_levels[i]);
        cr_assert_eq(last_of(sch, k_names[i]), k_levels[i] * 0.5);
        cr_assert_eq(param_of(g_fx.s, k_names[i], "sparsity_level"), k_levels[i] * 0.5);
    }
    ds_scheduler_destroy(sch);
}

Test(scheduler, constructor_rejects_bad_arguments) {
    ds_scheduler *sentinel = (ds_scheduler *)&g_fx; /* any non-NULL address */
    ds_scheduler *sch = sentinel;
    cr_assert_eq(ds_scheduler_create(NULL, "sparsity_level", halve, NULL, -1, &sch), DS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(ds_scheduler_create(g_fx.s, NULL, halve, NULL, -1, &sch), DS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(ds_scheduler_create(g_fx.s, "", halve, NULL, -1, &sch), DS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(ds_scheduler_create(g_fx.s, "sparsity_level", NULL, NULL, -1, &sch), DS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(ds_scheduler_create(g_fx.s, "sparsity_level", halve, NULL, -1, NULL), DS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(sch, sentinel, "out was written by a failed create");
    cr_assert_neq(ds_last_error()[0], '\0', "a failed create left no message");
    /* Nothing changed in the sparsifier. */
    for (size_t i = 0; i < 3; ++i)
        cr_assert_eq(param_of(g_fx.s, k_names[i], "sparsity_level"), k_levels[i]);
}

Test(scheduler, constructor_reenables_mask_update) {
    TU_OK(ds_sparsifier_set_mask_update(g_fx.s, 0));
    ds_scheduler *sch = NULL;
    TU_OK(ds_scheduler_create(g_fx.s, "sparsity_level", halve, NULL, -1, &sch));
    int enabled = -1;
    enabled = ds_sparsifier_mask_update(g_fx.s);
    cr_assert_eq(enabled, 1, "the creation step must re-enable mask update");

    TU_OK(ds_sparsifier_step(g_fx.s));
    TU_OK(ds_sparsifier_set_mask_update(g_fx.s, 0));
    TU_OK(ds_scheduler_step(sch));
    enabled = ds_sparsifier_mask_update(g_fx.s);
    cr_assert_eq(enabled, 1, "a scheduler step must re-enable mask update");
    ds_scheduler_destroy(sch);
}

/* ---------------------------------------------------------------------
 * Order of steps (PyTorch's test_order_of_steps)
 * --------------------------------------------------------------------- */

static int order_warnings(void) {
    int n = 0;
    for (int i = 0; i < g_log.n; ++i)
        if (g_log.level[i] == DS_LOG_WARNING && contains(g_log.text[i], "before") &&
            contains(g_log.text[i], "sparsifier"))
            ++n;
    return n;
}

Test(scheduler, order_warning_when_scheduler_steps_before_sparsifier) {
    log_start();
    ds_scheduler *sch = NULL;
    TU_OK(ds_scheduler_create(g_fx.s, "sparsity_level", halve, NULL, -1, &sch));
    cr_assert_eq(g_log.count[DS_LOG_WARNING], 0, "creation logged a warning: %s", g_log.text[0]);

    /* The scheduler's second step (its first explicit one) without a sparsifier step. */
    TU_OK(ds_scheduler_step(sch));
    cr_assert_eq(g_log.count[DS_LOG_WARNING], 1, "expected one order warning, got %d warnings",
                 g_log.count[DS_LOG_WARNING]);
    cr_assert_eq(order_warnings(), 1, "the warning does not explain the order of steps: \"%s\"", g_log.text[0]);

    /* PyTorch warns on the second step only. */
    TU_OK(ds_scheduler_step(sch));
    cr_assert_eq(g_log.count[DS_LOG_WARNING], 1, "a later step warned again: \"%s\"", g_log.text[g_log.n - 1]);
    log_stop();
    ds_scheduler_destroy(sch);
}

Test(scheduler, no_order_warning_when_sparsifier_steps_first) {
    log_start();
    ds_scheduler *sch = NULL;
    TU_OK(ds_scheduler_create(g_fx.s, "sparsity_level", halve, NULL, -1, &sch));
    for (int epoch = 1; epoch <= 3; ++epoch) {
        TU_OK(ds_sparsifier_step(g_fx.s));
        TU_OK(ds_scheduler_step(sch));
    }
    cr_assert_eq(g_log.count[DS_LOG_WARNING], 0, "unexpected warning: \"%s\"", g_log.text[0]);
    log_stop();
    ds_scheduler_destroy(sch);
}

Test(scheduler, order_warning_counts_sparsifier_steps_since_creation_only) {
    /* The header: "if the sparsifier has not stepped since the scheduler was
     * created" (PyTorch resets the sparsifier's counter in the scheduler's
     * constructor). */
    TU_OK(ds_sparsifier_step(g_fx.s));
    log_start();
    ds_scheduler *sch = NULL;
    TU_OK(ds_scheduler_create(g_fx.s, "sparsity_level", halve, NULL, -1, &sch));
    TU_OK(ds_scheduler_step(sch));
    cr_assert_eq(order_warnings(), 1, "a sparsifier step before the scheduler existed must not count (%d warnings)",
                 g_log.count[DS_LOG_WARNING]);
    log_stop();
    ds_scheduler_destroy(sch);
}

/* ---------------------------------------------------------------------
 * Stepping
 * --------------------------------------------------------------------- */

Test(scheduler, step_halves_every_item) {
    ds_scheduler *sch = NULL;
    TU_OK(ds_scheduler_create(g_fx.s, "sparsity_level", halve, NULL, -1, &sch));

    TU_OK(ds_sparsifier_step(g_fx.s));
    TU_OK(ds_scheduler_step(sch));
    cr_assert_eq(ds_scheduler_last_epoch(sch), 1);
    for (size_t i = 0; i < 3; ++i) {
        /* level * 0.5: exact. */
        double want = k_levels[i] * 0.5;
        cr_assert_eq(last_of(sch, k_names[i]), want, "last of %s: %.17g, expected %.17g", k_names[i],
                     last_of(sch, k_names[i]), want);
        cr_assert_eq(param_of(g_fx.s, k_names[i], "sparsity_level"), want, "level of %s", k_names[i]);
        cr_assert_eq(base_of(sch, k_names[i]), k_levels[i], "the base of %s must not change", k_names[i]);
    }

    TU_OK(ds_sparsifier_step(g_fx.s));
    TU_OK(ds_scheduler_step(sch));
    for (size_t i = 0; i < 3; ++i) {
        double want = k_levels[i] * 0.25; /* exact */
        cr_assert_eq(last_of(sch, k_names[i]), want, "second step, last of %s", k_names[i]);
        cr_assert_eq(param_of(g_fx.s, k_names[i], "sparsity_level"), want, "second step, level of %s", k_names[i]);
    }
    ds_scheduler_destroy(sch);
}

Test(scheduler, scheduled_level_drives_the_next_mask) {
    /* 0.5 of a's 8 blocks (1x4) zeroed at epoch 0, 0.25 after one halving. */
    ds_scheduler *sch = NULL;
    TU_OK(ds_scheduler_create(g_fx.s, "sparsity_level", halve, NULL, -1, &sch));
    TU_OK(ds_sparsifier_step(g_fx.s));
    double sp = -1;
    TU_OK(ds_sparsifier_get_sparsity(g_fx.s, "a", &sp));
    cr_assert_float_eq(sp, 0.5, EPS, "sparsity of a at epoch 0: %g", sp);
    TU_OK(ds_scheduler_step(sch));
    TU_OK(ds_sparsifier_step(g_fx.s));
    TU_OK(ds_sparsifier_get_sparsity(g_fx.s, "a", &sp));
    cr_assert_float_eq(sp, 0.25, EPS, "sparsity of a at epoch 1: %g", sp);
    ds_scheduler_destroy(sch);
}

Test(scheduler, step_counts_after_n_steps) {
    ds_scheduler *sch = NULL;
    TU_OK(ds_scheduler_create(g_fx.s, "sparsity_level", halve, NULL, -1, &sch));
    const int n = 7;
    for (int i = 1; i <= n; ++i) {
        TU_OK(ds_sparsifier_step(g_fx.s));
        TU_OK(ds_scheduler_step(sch));
        cr_assert_eq(ds_scheduler_last_epoch(sch), i);
        cr_assert_eq(sched_steps(sch), i + 1, "after %d steps the scheduler counts %lld (creation included)", i,
                     (long long)sched_steps(sch));
        cr_assert_eq(sparsifier_steps(g_fx.s), i);
    }
    /* Level halved n times: level * 2^-7, exact. */
    for (size_t i = 0; i < 3; ++i)
        cr_assert_eq(last_of(sch, k_names[i]), ldexp(k_levels[i], -n), "%s", k_names[i]);
    ds_scheduler_destroy(sch);
}

Test(scheduler, schedule_sees_previous_value_as_current) {
    call_log log;
    memset(&log, 0, sizeof log);
    ds_scheduler *sch = NULL;
    TU_OK(ds_scheduler_create(g_fx.s, "sparsity_level", recording_halve, &log, -1, &sch));
    TU_OK(ds_sparsifier_step(g_fx.s));
    TU_OK(ds_scheduler_step(sch));
    /* The user changes b's level between steps: the schedule must see it. */
    TU_OK(ds_sparsifier_set_param(g_fx.s, "b", "sparsity_level", 0.625));
    TU_OK(ds_sparsifier_step(g_fx.s));
    log.n = 0;
    TU_OK(ds_scheduler_step(sch));
    cr_assert_eq(log.n, 3);
    for (int j = 0; j < log.n; ++j) {
        const call_record *r = &log.calls[j];
        cr_assert_eq(r->epoch, 2);
        int i = r->name[0] - 'a';
        cr_assert(i >= 0 && i < 3, "unexpected name \"%s\"", r->name);
        cr_assert_eq(r->base, k_levels[i], "base passed for %s", r->name);
        double want_current = i == 1 ? 0.625 : k_levels[i] * 0.5; /* exact */
        cr_assert_eq(r->current, want_current, "current passed for %s: %.17g", r->name, r->current);
    }
    cr_assert_eq(last_of(sch, "b"), 0.3125); /* 0.625 / 2, exact */
    ds_scheduler_destroy(sch);
}

/* ---------------------------------------------------------------------
 * State transfer between two schedulers (PyTorch's test_state_dict)
 * --------------------------------------------------------------------- */

static void assert_same_scheduler_state(const ds_scheduler *got, const ds_scheduler *want) {
    cr_assert_eq(ds_scheduler_last_epoch(got), ds_scheduler_last_epoch(want), "last_epoch %lld, expected %lld",
                 (long long)ds_scheduler_last_epoch(got), (long long)ds_scheduler_last_epoch(want));
    cr_assert_eq(sched_steps(got), sched_steps(want), "step count");
    cr_assert_eq(sched_count(got), sched_count(want), "item count");
    for (size_t i = 0; i < sched_count(want); ++i) {
        const char *name = sched_name(want, i);
        cr_assert_str_eq(sched_name(got, i), name);
        /* Loaded values are copies: bit-identical. */
        double gb = base_of(got, name), wb = base_of(want, name);
        double gl = last_of(got, name), wl = last_of(want, name);
        cr_assert(memcmp(&gb, &wb, sizeof gb) == 0, "base of %s: %.17g, expected %.17g", name, gb, wb);
        cr_assert(memcmp(&gl, &wl, sizeof gl) == 0, "last of %s: %.17g, expected %.17g", name, gl, wl);
    }
}

static void transfer(int via_file) {
    ds_scheduler *sch1 = NULL, *sch2 = NULL;
    TU_OK(ds_scheduler_create(g_fx.s, "sparsity_level", halve, NULL, -1, &sch1));
    for (int i = 0; i < 3; ++i) {
        TU_OK(ds_sparsifier_step(g_fx.s));
        TU_OK(ds_scheduler_step(sch1));
    }
    fixture_make(&g_fx2);
    TU_OK(ds_scheduler_create(g_fx2.s, "sparsity_level", halve, NULL, -1, &sch2));
    cr_assert_eq(ds_scheduler_last_epoch(sch2), 0);

    char dir[] = "/tmp/ds_sched_XXXXXX";
    char path[64] = "";
    if (via_file) {
        cr_assert_not_null(mkdtemp(dir));
        snprintf(path, sizeof path, "%s/sched.state", dir);
        TU_OK(ds_scheduler_save(sch1, path));
        TU_OK(ds_scheduler_load(sch2, path));
        remove(path);
        rmdir(dir);
    } else {
        size_t size = 0;
        TU_OK(ds_scheduler_save_buffer(sch1, NULL, 0, &size));
        cr_assert_gt(size, 0);
        void *buf = malloc(size);
        cr_assert_not_null(buf);
        size_t written = 0;
        TU_OK(ds_scheduler_save_buffer(sch1, buf, size, &written));
        cr_assert_eq(written, size);
        TU_OK(ds_scheduler_load_buffer(sch2, buf, size));
        free(buf);
    }
    cr_assert_eq(ds_scheduler_last_epoch(sch2), 3);
    assert_same_scheduler_state(sch2, sch1);

    /* With the sparsifier state transferred too, both go on alike. */
    size_t ssize = 0;
    TU_OK(ds_sparsifier_save_buffer(g_fx.s, 0, NULL, 0, &ssize));
    void *sbuf = malloc(ssize);
    cr_assert_not_null(sbuf);
    TU_OK(ds_sparsifier_save_buffer(g_fx.s, 0, sbuf, ssize, &ssize));
    TU_OK(ds_sparsifier_load_buffer(g_fx2.s, sbuf, ssize, 1));
    free(sbuf);
    for (int i = 0; i < 2; ++i) {
        TU_OK(ds_sparsifier_step(g_fx.s));
        TU_OK(ds_scheduler_step(sch1));
        TU_OK(ds_sparsifier_step(g_fx2.s));
        TU_OK(ds_scheduler_step(sch2));
        assert_same_scheduler_state(sch2, sch1);
        for (size_t k = 0; k < 3; ++k)
            cr_assert_eq(param_of(g_fx2.s, k_names[k], "sparsity_level"), param_of(g_fx.s, k_names[k], "sparsity_level"));
    }
    ds_scheduler_destroy(sch1);
    ds_scheduler_destroy(sch2);
}

Test(scheduler, state_transfer_through_buffer) { transfer(0); }

Test(scheduler, state_transfer_through_file) { transfer(1); }

/* ---------------------------------------------------------------------
 * Verbose mode
 * --------------------------------------------------------------------- */

Test(scheduler, verbose_logs_each_adjusted_value_at_info) {
    ds_scheduler *sch = NULL;
    TU_OK(ds_scheduler_create(g_fx.s, "sparsity_level", halve, NULL, -1, &sch));
    TU_OK(ds_scheduler_set_verbose(sch, 1));
    TU_OK(ds_sparsifier_step(g_fx.s));
    log_start();
    TU_OK(ds_scheduler_step(sch));
    cr_assert_eq(g_log.count[DS_LOG_INFO], 3, "verbose step logged %d info messages, expected 3 (one per item)",
                 g_log.count[DS_LOG_INFO]);
    /* a: 0.5 -> 0.25, b: 0.25 -> 0.125, c: 0.75 -> 0.375 */
    const char *values[3] = {"0.25", "0.125", "0.375"};
    for (int i = 0; i < 3; ++i) {
        int found = 0;
        for (int j = 0; j < g_log.n; ++j)
            if (g_log.level[j] == DS_LOG_INFO && contains_word(g_log.text[j], k_names[i]) &&
                contains_word(g_log.text[j], values[i]))
                found = 1;
        cr_assert(found, "no info message names %s with value %s (first: \"%s\")", k_names[i], values[i],
                  g_log.text[0]);
    }

    /* Verbose off: silent again. */
    TU_OK(ds_scheduler_set_verbose(sch, 0));
    TU_OK(ds_sparsifier_step(g_fx.s));
    log_reset();
    TU_OK(ds_scheduler_step(sch));
    cr_assert_eq(g_log.count[DS_LOG_INFO], 0, "non-verbose step logged: \"%s\"", g_log.text[0]);
    log_stop();
    ds_scheduler_destroy(sch);
}

Test(scheduler, not_verbose_by_default) {
    log_start();
    ds_scheduler *sch = NULL;
    TU_OK(ds_scheduler_create(g_fx.s, "sparsity_level", halve, NULL, -1, &sch));
    TU_OK(ds_sparsifier_step(g_fx.s));
    TU_OK(ds_scheduler_step(sch));
    cr_assert_eq(g_log.count[DS_LOG_INFO], 0, "logged without verbose: \"%s\"", g_log.text[0]);
    log_stop();
    ds_scheduler_destroy(sch);
}

/* ---------------------------------------------------------------------
 * Items added and removed after creation
 * --------------------------------------------------------------------- */

Test(scheduler, item_added_later_is_scheduled_from_next_step) {
    call_log log;
    memset(&log, 0, sizeof log);
    ds_scheduler *sch = NULL;
    TU_OK(ds_scheduler_create(g_fx.s, "sparsity_level", recording_halve, &log, -1, &sch));

    float d[8];
    tu_fill_signed(d, 8, 4);
    ds_config *cd = config_level(0.875);
    TU_OK(ds_sparsifier_add_data(g_fx.s, "d", d, 1, 8, cd, 0));
    ds_config_destroy(cd);

    /* Not seen yet. */
    double v = -1;
    cr_assert_eq(ds_scheduler_get_base_param(sch, "d", &v), DS_ERR_NOT_FOUND);
    cr_assert_eq(ds_scheduler_get_last_param(sch, "d", &v), DS_ERR_NOT_FOUND);

    TU_OK(ds_sparsifier_step(g_fx.s));
    log.n = 0;
    TU_OK(ds_scheduler_step(sch));

    cr_assert_eq(sched_count(sch), 4);
    cr_assert_str_eq(sched_name(sch, 3), "d", "the new item must come last, in the sparsifier's order");
    /* Base taken when first seen: its level then (0.875); epoch 1 halves it. */
    cr_assert_eq(base_of(sch, "d"), 0.875);
    cr_assert_eq(last_of(sch, "d"), 0.4375); /* exact */
    cr_assert_eq(param_of(g_fx.s, "d", "sparsity_level"), 0.4375);
    int seen = 0;
    for (int j = 0; j < log.n; ++j)
        if (strcmp(log.calls[j].name, "d") == 0) {
            seen = 1;
            cr_assert_eq(log.calls[j].epoch, 1);
            cr_assert_eq(log.calls[j].base, 0.875);
            cr_assert_eq(log.calls[j].current, 0.875);
        }
    cr_assert(seen, "the schedule was not called for the new item");

    /* The next step keeps its recorded base. */
    TU_OK(ds_sparsifier_step(g_fx.s));
    TU_OK(ds_scheduler_step(sch));
    cr_assert_eq(base_of(sch, "d"), 0.875);
    cr_assert_eq(last_of(sch, "d"), 0.21875);
    ds_scheduler_destroy(sch);
}

Test(scheduler, removed_item_is_dropped) {
    call_log log;
    memset(&log, 0, sizeof log);
    ds_scheduler *sch = NULL;
    TU_OK(ds_scheduler_create(g_fx.s, "sparsity_level", recording_halve, &log, -1, &sch));
    TU_OK(ds_sparsifier_remove_data(g_fx.s, "b"));
    TU_OK(ds_sparsifier_step(g_fx.s));
    log.n = 0;
    TU_OK(ds_scheduler_step(sch));

    cr_assert_eq(log.n, 2, "the schedule was called %d times, expected 2 (b was removed)", log.n);
    for (int j = 0; j < log.n; ++j)
        cr_assert_str_neq(log.calls[j].name, "b");
    cr_assert_eq(sched_count(sch), 2);
    cr_assert_str_eq(sched_name(sch, 0), "a");
    cr_assert_str_eq(sched_name(sch, 1), "c");
    double v = -1;
    cr_assert_eq(ds_scheduler_get_last_param(sch, "b", &v), DS_ERR_NOT_FOUND);
    cr_assert_eq(ds_scheduler_get_base_param(sch, "b", &v), DS_ERR_NOT_FOUND);
    const char *name = NULL;
    cr_assert_eq(ds_scheduler_get_name(sch, 2, &name), DS_ERR_INVALID_ARGUMENT);

    /* Re-added under the same name: a new item, base taken afresh. */
    float b2[NB];
    tu_fill_signed(b2, NB, 9);
    ds_config *cb = config_level(0.375);
    TU_OK(ds_sparsifier_add_data(g_fx.s, "b", b2, 2, 8, cb, 0));
    ds_config_destroy(cb);
    TU_OK(ds_sparsifier_step(g_fx.s));
    TU_OK(ds_scheduler_step(sch));
    cr_assert_eq(sched_count(sch), 3);
    cr_assert_eq(base_of(sch, "b"), 0.375);
    cr_assert_eq(last_of(sch, "b"), 0.1875);
    TU_OK(ds_sparsifier_remove_data(g_fx.s, "b")); /* before b2 goes out of scope */
    ds_scheduler_destroy(sch);
}

Test(scheduler, items_without_the_key_are_not_scheduled) {
    /* A key the norm sparsifier does not know: only items that have it. */
    TU_OK(ds_sparsifier_set_param(g_fx.s, "b", "my_rate", 8.0));

    call_log log;
    memset(&log, 0, sizeof log);
    ds_scheduler *sch = NULL;
    TU_OK(ds_scheduler_create(g_fx.s, "my_rate", recording_halve, &log, -1, &sch));
    cr_assert_eq(log.n, 1, "only b has my_rate, the schedule was called %d times", log.n);
    cr_assert_str_eq(log.calls[0].name, "b");
    cr_assert_eq(sched_count(sch), 1);
    cr_assert_str_eq(sched_name(sch, 0), "b");
    double v = -1;
    cr_assert_eq(ds_scheduler_get_base_param(sch, "a", &v), DS_ERR_NOT_FOUND);
    cr_assert_eq(ds_scheduler_get_last_param(sch, "a", &v), DS_ERR_NOT_FOUND);
    cr_assert_eq(ds_sparsifier_get_param(g_fx.s, "a", "my_rate", &v), DS_ERR_NOT_FOUND,
                 "the scheduler must not add the key to items without it");

    TU_OK(ds_sparsifier_step(g_fx.s));
    TU_OK(ds_scheduler_step(sch));
    cr_assert_eq(param_of(g_fx.s, "b", "my_rate"), 4.0);
    /* The scheduled key only: b's sparsity level untouched. */
    cr_assert_eq(param_of(g_fx.s, "b", "sparsity_level"), 0.25);
    ds_scheduler_destroy(sch);
}

/* ---------------------------------------------------------------------
 * Errors and lifetime
 * --------------------------------------------------------------------- */

Test(scheduler, getters_reject_bad_arguments) {
    ds_scheduler *sch = NULL;
    TU_OK(ds_scheduler_create(g_fx.s, "sparsity_level", halve, NULL, -1, &sch));
    double v = 42.0;
    cr_assert_eq(ds_scheduler_get_last_param(sch, "nope", &v), DS_ERR_NOT_FOUND);
    cr_assert_eq(ds_scheduler_get_base_param(sch, "nope", &v), DS_ERR_NOT_FOUND);
    cr_assert_eq(v, 42.0, "out written by a failed call");
    cr_assert_eq(ds_scheduler_get_last_param(NULL, "a", &v), DS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(ds_scheduler_get_last_param(sch, NULL, &v), DS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(ds_scheduler_get_last_param(sch, "a", NULL), DS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(ds_scheduler_get_base_param(sch, "a", NULL), DS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(ds_scheduler_last_epoch(NULL), INT64_MIN);
    cr_assert_eq(ds_scheduler_step(NULL), DS_ERR_INVALID_ARGUMENT);
    TU_FAIL_VALUE(ds_scheduler_step_count(NULL), -1, "sch");
    TU_FAIL_VALUE(ds_scheduler_count(NULL), 0, "sch");
    TU_FAIL_VALUE(ds_scheduler_schedule_param(NULL)[0], '\0', "sch");
    const char *name = NULL;
    cr_assert_eq(ds_scheduler_get_name(sch, 3, &name), DS_ERR_INVALID_ARGUMENT);
    cr_assert_null(name);
    cr_assert_eq(ds_scheduler_set_verbose(NULL, 1), DS_ERR_INVALID_ARGUMENT);
    ds_scheduler_destroy(sch);
    ds_scheduler_destroy(NULL); /* allowed */
}

Test(scheduler, fails_with_state_error_after_sparsifier_destroyed) {
    ds_scheduler *sch = NULL;
    TU_OK(ds_scheduler_create(g_fx.s, "sparsity_level", halve, NULL, -1, &sch));
    ds_sparsifier_destroy(g_fx.s);
    g_fx.s = NULL;
    ds_status st = ds_scheduler_step(sch);
    cr_assert_eq(st, DS_ERR_STATE, "step after the sparsifier was destroyed: %s (%s)", ds_status_string(st),
                 ds_last_error());
    cr_assert_neq(ds_last_error()[0], '\0');
    cr_assert_eq(ds_scheduler_last_epoch(sch), 0, "the failed step advanced the epoch");
    cr_assert_eq(sched_steps(sch), 1);
    ds_scheduler_destroy(sch); /* must not touch the dead sparsifier */
}

Test(scheduler, two_schedulers_on_one_sparsifier_schedule_different_keys) {
    TU_OK(ds_sparsifier_set_param(g_fx.s, "a", "my_rate", 2.0));
    ds_scheduler *s1 = NULL, *s2 = NULL;
    TU_OK(ds_scheduler_create(g_fx.s, "sparsity_level", halve, NULL, -1, &s1));
    TU_OK(ds_scheduler_create(g_fx.s, "my_rate", halve, NULL, -1, &s2));
    TU_OK(ds_sparsifier_step(g_fx.s));
    TU_OK(ds_scheduler_step(s1));
    TU_OK(ds_scheduler_step(s2));
    cr_assert_eq(param_of(g_fx.s, "a", "sparsity_level"), 0.25);
    cr_assert_eq(param_of(g_fx.s, "a", "my_rate"), 1.0);
    cr_assert_eq(sched_count(s2), 1);
    ds_scheduler_destroy(s1);
    ds_scheduler_destroy(s2);
}
