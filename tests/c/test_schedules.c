/* The built-in schedules against values computed by hand from the formulas
 * in datasparse.h (each expected value is a literal with its arithmetic in
 * a comment), their parameter checks, ds_schedule_kind, and resuming a
 * built-in schedule from saved sparsifier and scheduler state.
 *
 * Values are compared with cr_assert_float_eq (EPS) unless noted as exact
 * by construction. */
#define _XOPEN_SOURCE 700 /* mkdtemp */

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <datasparse/datasparse.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_util.h"


#define EPS 1e-12
#define MAX_EPOCHS 16

/* ---------------------------------------------------------------------
 * Fixture: a norm sparsifier; tests add items "w" and "v" with the base
 * sparsity levels they need.
 * --------------------------------------------------------------------- */

static ds_sparsifier *g_s;
static float g_w[4 * 16], g_v[2 * 8];

static void add_item(const char *name, double level) {
    ds_config *c = NULL;
    TU_OK(ds_config_create(&c));
    TU_OK(ds_config_set(c, "sparsity_level", level));
    if (strcmp(name, "w") == 0)
        TU_OK(ds_sparsifier_add_data(g_s, "w", g_w, 4, 16, c, 0));
    else
        TU_OK(ds_sparsifier_add_data(g_s, "v", g_v, 2, 8, c, 0));
    ds_config_destroy(c);
}

static void setup(void) {
    ds_set_log_handler(tu_silent_log, NULL);
    tu_fill_signed(g_w, 4 * 16, 1);
    tu_fill_signed(g_v, 2 * 8, 2);
    g_s = NULL;
    TU_OK(ds_norm_sparsifier_create(DS_NORM_L1, NULL, &g_s));
}

static void teardown(void) {
    ds_sparsifier_destroy(g_s);
    ds_set_log_handler(NULL, NULL);
}

TestSuite(schedules, .init = setup, .fini = teardown);

static double last_of(const ds_scheduler *sch, const char *name) {
    double v = NAN;
    TU_OK(ds_scheduler_get_last_param(sch, name, &v));
    return v;
}

static double level_of(const char *name) {
    double v = NAN;
    TU_OK(ds_sparsifier_get_param(g_s, name, "sparsity_level", &v));
    return v;
}

/* One epoch as in training: the sparsifier steps, then the scheduler. */
static void epoch_step(ds_scheduler *sch) {
    TU_OK(ds_sparsifier_step(g_s));
    TU_OK(ds_scheduler_step(sch));
}

/* Takes ownership of the schedule; returns the scheduler after creation (epoch 0). */
static ds_scheduler *make(ds_schedule *schedule) {
    cr_assert_not_null(schedule);
    ds_scheduler *sch = NULL;
    TU_OK(ds_scheduler_create_builtin(g_s, "sparsity_level", schedule, -1, &sch));
    ds_schedule_destroy(schedule);
    return sch;
}

/* Runs epochs 0..n-1 and checks the item's value (last param and the
 * sparsifier's level) at each against want[]. */
static void expect_sequence(ds_scheduler *sch, const char *name, const double *want, int n) {
    for (int t = 0; t < n; ++t) {
        if (t > 0)
            epoch_step(sch);
        cr_assert_eq(ds_scheduler_last_epoch(sch), t);
        double got = last_of(sch, name);
        cr_assert_float_eq(got, want[t], EPS, "%s at epoch %d: %.17g, expected %.17g", name, t, got, want[t]);
        cr_assert_float_eq(level_of(name), want[t], EPS, "level of %s at epoch %d", name, t);
    }
}

/* ---------------------------------------------------------------------
 * gamma(gamma, threshold): t == 0: base; t > 0: min(threshold, current * gamma)
 * --------------------------------------------------------------------- */

Test(schedules, gamma_grows_to_threshold) {
    add_item("w", 0.1);
    ds_schedule *p = NULL;
    TU_OK(ds_schedule_create_gamma(2.0, 0.9, &p));
    cr_assert_str_eq(ds_schedule_kind(p), "gamma");
    ds_scheduler *sch = make(p);
    const double want[6] = {
        0.1, /* t=0: base */
        0.2, /* min(0.9, 0.1*2) */
        0.4, /* min(0.9, 0.2*2) */
        0.8, /* min(0.9, 0.4*2) */
        0.9, /* min(0.9, 0.8*2 = 1.6) */
        0.9, /* min(0.9, 0.9*2 = 1.8) */
    };
    expect_sequence(sch, "w", want, 6);
    ds_scheduler_destroy(sch);
}

Test(schedules, gamma_per_item_and_decay) {
    add_item("w", 0.8);
    add_item("v", 0.3);
    ds_schedule *p = NULL;
    TU_OK(ds_schedule_create_gamma(0.5, 1.0, &p));
    ds_scheduler *sch = make(p);
    /* w: 0.8, 0.4 (0.8*0.5), 0.2 (0.4*0.5), 0.1; v: 0.3, 0.15, 0.075, 0.0375 */
    const double w[4] = {0.8, 0.4, 0.2, 0.1}, v[4] = {0.3, 0.15, 0.075, 0.0375};
    for (int t = 0; t < 4; ++t) {
        if (t > 0)
            epoch_step(sch);
        cr_assert_float_eq(last_of(sch, "w"), w[t], EPS, "w at %d", t);
        cr_assert_float_eq(last_of(sch, "v"), v[t], EPS, "v at %d", t);
    }
    ds_scheduler_destroy(sch);
}

Test(schedules, gamma_multiplies_the_current_value) {
    add_item("w", 0.1);
    ds_schedule *p = NULL;
    TU_OK(ds_schedule_create_gamma(2.0, 0.9, &p));
    ds_scheduler *sch = make(p);
    epoch_step(sch); /* t=1: 0.2 */
    TU_OK(ds_sparsifier_set_param(g_s, "w", "sparsity_level", 0.3));
    epoch_step(sch); /* t=2: min(0.9, 0.3*2) = 0.6 (the current value, not 0.2) */
    cr_assert_float_eq(last_of(sch, "w"), 0.6, EPS);
    ds_scheduler_destroy(sch);
}

/* ---------------------------------------------------------------------
 * step(step_size, gamma): base * gamma^floor(t / step_size)
 * --------------------------------------------------------------------- */

Test(schedules, step_lr) {
    add_item("w", 0.8);
    add_item("v", 0.4);
    ds_schedule *p = NULL;
    TU_OK(ds_schedule_create_step(3, 0.5, &p));
    cr_assert_str_eq(ds_schedule_kind(p), "step");
    ds_scheduler *sch = make(p);
    /* floor(t/3) for t = 0..7: 0 0 0 1 1 1 2 2 */
    const double w[8] = {0.8, 0.8, 0.8, /* 0.8*0.5^0 */
                         0.4, 0.4, 0.4, /* 0.8*0.5^1 */
                         0.2, 0.2};     /* 0.8*0.5^2 */
    const double v[8] = {0.4, 0.4, 0.4, 0.2, 0.2, 0.2, 0.1, 0.1}; /* 0.4 * 0.5^floor(t/3) */
    for (int t = 0; t < 8; ++t) {
        if (t > 0)
            epoch_step(sch);
        cr_assert_float_eq(last_of(sch, "w"), w[t], EPS, "w at %d: %.17g", t, last_of(sch, "w"));
        cr_assert_float_eq(last_of(sch, "v"), v[t], EPS, "v at %d", t);
    }
    ds_scheduler_destroy(sch);
}

Test(schedules, step_ignores_the_current_value) {
    add_item("w", 0.8);
    ds_schedule *p = NULL;
    TU_OK(ds_schedule_create_step(1, 0.75, &p));
    ds_scheduler *sch = make(p);
    TU_OK(ds_sparsifier_set_param(g_s, "w", "sparsity_level", 0.1));
    epoch_step(sch); /* t=1: 0.8 * 0.75^1 = 0.6 from the base, whatever the current value */
    cr_assert_float_eq(last_of(sch, "w"), 0.6, EPS);
    epoch_step(sch); /* t=2: 0.8 * 0.75^2 = 0.8 * 0.5625 = 0.45 */
    cr_assert_float_eq(last_of(sch, "w"), 0.45, EPS);
    ds_scheduler_destroy(sch);
}

/* ---------------------------------------------------------------------
 * lambda(f): base * f(t)
 * --------------------------------------------------------------------- */

typedef struct lambda_state {
    double scale;
    int calls;
    int64_t max_epoch;
    int fail_at;  /* epoch at which to fail (-1: never) */
    int nan_at;   /* epoch at which to return NaN (-1: never) */
} lambda_state;

/* f(t) = scale / (t + 1) */
static int inverse_epoch(void *user_data, int64_t epoch, double *out) {
    lambda_state *st = (lambda_state *)user_data;
    st->calls++;
    if (epoch > st->max_epoch)
        st->max_epoch = epoch;
    if (epoch == st->fail_at) {
        ds_set_callback_error("lambda says no");
        return 3;
    }
    *out = epoch == st->nan_at ? NAN : st->scale / (double)(epoch + 1);
    return 0;
}

Test(schedules, lambda_factor_of_epoch) {
    add_item("w", 0.6);
    add_item("v", 0.3);
    lambda_state st = {1.0, 0, -1, -1, -1};
    ds_schedule *p = NULL;
    TU_OK(ds_schedule_create_lambda(inverse_epoch, &st, &p));
    cr_assert_str_eq(ds_schedule_kind(p), "lambda");
    ds_scheduler *sch = make(p);
    const double w[5] = {
        0.6,  /* 0.6 * 1/1 */
        0.3,  /* 0.6 * 1/2 */
        0.2,  /* 0.6 * 1/3 */
        0.15, /* 0.6 * 1/4 */
        0.12, /* 0.6 * 1/5 */
    };
    const double v[5] = {0.3, 0.15, 0.1, 0.075, 0.06}; /* 0.3 / (t+1) */
    for (int t = 0; t < 5; ++t) {
        if (t > 0)
            epoch_step(sch);
        cr_assert_float_eq(last_of(sch, "w"), w[t], EPS, "w at %d", t);
        cr_assert_float_eq(last_of(sch, "v"), v[t], EPS, "v at %d", t);
    }
    cr_assert_geq(st.calls, 5, "f was called %d times for 5 epochs", st.calls);
    cr_assert_eq(st.max_epoch, 4);
    ds_scheduler_destroy(sch);
}

Test(schedules, lambda_failure_is_a_callback_error_and_changes_nothing) {
    add_item("w", 0.6);
    lambda_state st = {1.0, 0, -1, 2, 3};
    ds_schedule *p = NULL;
    TU_OK(ds_schedule_create_lambda(inverse_epoch, &st, &p));
    ds_scheduler *sch = make(p);
    epoch_step(sch); /* t=1: 0.3 */
    TU_OK(ds_sparsifier_step(g_s));
    ds_status rc = ds_scheduler_step(sch); /* t=2 fails */
    cr_assert_eq(rc, DS_ERR_CALLBACK, "got %s", ds_status_string(rc));
    cr_assert(strstr(ds_last_error(), "lambda says no") != NULL, "message: \"%s\"", ds_last_error());
    cr_assert_eq(ds_scheduler_last_epoch(sch), 1);
    cr_assert_float_eq(last_of(sch, "w"), 0.3, EPS);
    cr_assert_float_eq(level_of("w"), 0.3, EPS);

    /* NaN at t=3: skip t=2 by failing no more there. */
    st.fail_at = -1;
    TU_OK(ds_scheduler_step(sch)); /* t=2: 0.2 */
    rc = ds_scheduler_step(sch); /* t=3: NaN */
    cr_assert_eq(rc, DS_ERR_CALLBACK, "NaN factor: got %s", ds_status_string(rc));
    cr_assert_eq(ds_scheduler_last_epoch(sch), 2);
    cr_assert_float_eq(level_of("w"), 0.2, EPS);
    ds_scheduler_destroy(sch);
}

/* ---------------------------------------------------------------------
 * cubic(init_value, init_t, delta_t, total_t, initially_zero), s_i = init_value,
 * s_f = base:  initially_zero and t < init_t: 0; else
 * clamp(s_f + (s_i - s_f) * (1 - (t - init_t) / (delta_t * total_t))^3, s_i, s_f)
 * --------------------------------------------------------------------- */

/* s_i = 0.2, s_f = 0.8, init_t = 2, delta_t = 1, total_t = 4 (n*dt = 4), s_i - s_f = -0.6 */
static const double k_cubic_w[8] = {
    0.2,      /* t=0: 1-(0-2)/4 = 1.5, 1.5^3 = 3.375, 0.8-0.6*3.375 = -1.225 -> clamped to 0.2 */
    0.2,      /* t=1: 1.25^3 = 1.953125, 0.8-1.171875 = -0.371875 -> 0.2 */
    0.2,      /* t=2: 1^3 = 1, 0.8-0.6 = 0.2 */
    0.546875, /* t=3: 0.75^3 = 0.421875, 0.8-0.253125 */
    0.725,    /* t=4: 0.5^3 = 0.125, 0.8-0.075 */
    0.790625, /* t=5: 0.25^3 = 0.015625, 0.8-0.009375 */
    0.8,      /* t=6: 0^3 = 0, 0.8 */
    0.8,      /* t=7: (-0.25)^3 = -0.015625, 0.8+0.009375 = 0.809375 -> clamped to 0.8 */
};

Test(schedules, cubic_without_initially_zero) {
    add_item("w", 0.8);
    ds_schedule *p = NULL;
    TU_OK(tu_cubic(0.2, 2, 1, 4, 0, &p));
    cr_assert_str_eq(ds_schedule_kind(p), "cubic");
    ds_scheduler *sch = make(p);
    expect_sequence(sch, "w", k_cubic_w, 8);
    ds_scheduler_destroy(sch);
}

Test(schedules, cubic_initially_zero) {
    add_item("w", 0.8);
    ds_schedule *p = NULL;
    TU_OK(tu_cubic(0.2, 2, 1, 4, 1, &p));
    ds_scheduler *sch = make(p);
    double want[8];
    memcpy(want, k_cubic_w, sizeof want);
    want[0] = 0.0; /* t=0 < init_t: 0 */
    want[1] = 0.0; /* t=1 < init_t: 0 */
    /* t=2 == init_t: the formula again, 0.2 */
    expect_sequence(sch, "w", want, 8);
    ds_scheduler_destroy(sch);
}

Test(schedules, cubic_uses_each_items_base_and_delta_t) {
    add_item("w", 0.8);
    add_item("v", 0.5);
    ds_schedule *p = NULL;
    /* s_i = 0.2, init_t = 0, delta_t = 2, total_t = 3: n*dt = 6 */
    TU_OK(tu_cubic(0.2, 0, 2, 3, 0, &p));
    ds_scheduler *sch = make(p);
    /* t=0: (1-0)^3 = 1: w 0.8-0.6 = 0.2; v 0.5-0.3 = 0.2 */
    cr_assert_float_eq(last_of(sch, "w"), 0.2, EPS);
    cr_assert_float_eq(last_of(sch, "v"), 0.2, EPS);
    for (int t = 1; t <= 3; ++t)
        epoch_step(sch);
    /* t=3: 1-3/6 = 0.5, 0.125: w 0.8-0.6*0.125 = 0.725; v 0.5-0.3*0.125 = 0.4625 */
    cr_assert_float_eq(last_of(sch, "w"), 0.725, EPS);
    cr_assert_float_eq(last_of(sch, "v"), 0.4625, EPS);
    epoch_step(sch);
    /* t=4: 1-4/6 = 1/3, 1/27: w 0.8-0.6/27 = 0.77777...; v 0.5-0.3/27 = 0.48888... */
    cr_assert_float_eq(last_of(sch, "w"), 0.8 - 0.6 / 27.0, 1e-9);
    cr_assert_float_eq(last_of(sch, "w"), 0.7777777777777778, 1e-9);
    cr_assert_float_eq(last_of(sch, "v"), 0.4888888888888889, 1e-9);
    for (int t = 5; t <= 7; ++t)
        epoch_step(sch);
    /* t >= 6: the end: s_f */
    cr_assert_float_eq(last_of(sch, "w"), 0.8, EPS);
    cr_assert_float_eq(last_of(sch, "v"), 0.5, EPS);
    ds_scheduler_destroy(sch);
}

/* ---------------------------------------------------------------------
 * polynomial_decay(initial, final, begin_step, end_step, power, frequency):
 * on a turn (begin <= t <= end, (t - begin) % frequency == 0):
 * p = clamp((t - begin) / (end - begin), 0, 1), final + (initial - final) * (1 - p)^power;
 * otherwise keep.
 * --------------------------------------------------------------------- */

Test(schedules, polynomial_decay_turns_and_keeps) {
    add_item("w", 0.5);
    ds_schedule *p = NULL;
    /* initial 0.1, final 0.9, begin 2, end 10, power 2, frequency 2: turns at 2, 4, 6, 8, 10.
     * initial - final = -0.8, end - begin = 8 */
    TU_OK(tu_polynomial_decay(0.1, 0.9, 2, 10, 2.0, 2, &p));
    cr_assert_str_eq(ds_schedule_kind(p), "polynomial_decay");
    ds_scheduler *sch = make(p);
    const double want[13] = {
        0.5,  /* t=0 < begin: keep (the base value, set at creation) */
        0.5,  /* t=1: keep */
        0.1,  /* t=2: p = 0, 0.9-0.8*1 */
        0.1,  /* t=3: (3-2)%2 = 1: keep */
        0.45, /* t=4: p = 0.25, 0.75^2 = 0.5625, 0.9-0.45 */
        0.45, /* t=5: keep */
        0.7,  /* t=6: p = 0.5, 0.25, 0.9-0.2 */
        0.7,  /* t=7: keep */
        0.85, /* t=8: p = 0.75, 0.0625, 0.9-0.05 */
        0.85, /* t=9: keep */
        0.9,  /* t=10 = end: p = 1, 0.9 */
        0.9,  /* t=11 > end: keep */
        0.9,  /* t=12: keep */
    };
    expect_sequence(sch, "w", want, 13);
    ds_scheduler_destroy(sch);
}

Test(schedules, polynomial_decay_keep_is_the_current_value) {
    add_item("w", 0.5);
    ds_schedule *p = NULL;
    TU_OK(tu_polynomial_decay(0.1, 0.9, 2, 10, 2.0, 2, &p));
    ds_scheduler *sch = make(p);
    for (int t = 1; t <= 4; ++t)
        epoch_step(sch); /* t=4: 0.45 */
    TU_OK(ds_sparsifier_set_param(g_s, "w", "sparsity_level", 0.33));
    epoch_step(sch); /* t=5: keep the current 0.33 */
    cr_assert_float_eq(last_of(sch, "w"), 0.33, EPS);
    cr_assert_float_eq(level_of("w"), 0.33, EPS);
    epoch_step(sch); /* t=6: turn: 0.7 */
    cr_assert_float_eq(last_of(sch, "w"), 0.7, EPS);
    for (int t = 7; t <= 11; ++t)
        epoch_step(sch); /* t=11: after end, keep 0.9 */
    TU_OK(ds_sparsifier_set_param(g_s, "w", "sparsity_level", 0.25));
    epoch_step(sch); /* t=12 > end: keep 0.25 */
    cr_assert_float_eq(last_of(sch, "w"), 0.25, EPS);
    ds_scheduler_destroy(sch);
}

Test(schedules, polynomial_decay_cubic_power_frequency_3) {
    add_item("w", 0.0);
    ds_schedule *p = NULL;
    /* initial 0.0, final 0.5, begin 0, end 6, power 3, frequency 3: turns at 0, 3, 6 */
    TU_OK(tu_polynomial_decay(0.0, 0.5, 0, 6, 3.0, 3, &p));
    ds_scheduler *sch = make(p);
    const double want[8] = {
        0.0,    /* t=0: p = 0, 0.5-0.5*1 */
        0.0,    /* keep */
        0.0,    /* keep */
        0.4375, /* t=3: p = 0.5, 0.5^3 = 0.125, 0.5-0.0625 */
        0.4375, /* keep */
        0.4375, /* keep */
        0.5,    /* t=6: p = 1 */
        0.5,    /* after end: keep */
    };
    expect_sequence(sch, "w", want, 8);
    ds_scheduler_destroy(sch);
}

/* ---------------------------------------------------------------------
 * constant(value, begin_step, end_step, frequency): on a turn
 * (begin <= t, end == -1 or t <= end, (t - begin) % frequency == 0): value; otherwise keep.
 * --------------------------------------------------------------------- */

Test(schedules, constant_open_ended) {
    add_item("w", 0.2);
    ds_schedule *p = NULL;
    TU_OK(ds_schedule_create_constant(0.7, 3, -1, 2, &p)); /* turns at 3, 5, 7, ... */
    cr_assert_str_eq(ds_schedule_kind(p), "constant");
    ds_scheduler *sch = make(p);
    const double want[4] = {0.2, 0.2, 0.2, /* t < 3: keep the base */
                            0.7};          /* t=3: turn */
    expect_sequence(sch, "w", want, 4);
    TU_OK(ds_sparsifier_set_param(g_s, "w", "sparsity_level", 0.1));
    epoch_step(sch); /* t=4: (4-3)%2 = 1: keep the current 0.1 */
    cr_assert_float_eq(last_of(sch, "w"), 0.1, EPS);
    epoch_step(sch); /* t=5: turn */
    cr_assert_float_eq(last_of(sch, "w"), 0.7, EPS);
    TU_OK(ds_sparsifier_set_param(g_s, "w", "sparsity_level", 0.1));
    for (int t = 6; t <= 101; ++t)
        epoch_step(sch); /* t=101: (101-3)%2 = 0: a turn, no end */
    cr_assert_eq(ds_scheduler_last_epoch(sch), 101);
    cr_assert_float_eq(last_of(sch, "w"), 0.7, EPS);
    ds_scheduler_destroy(sch);
}

Test(schedules, constant_with_end) {
    add_item("w", 0.2);
    ds_schedule *p = NULL;
    TU_OK(ds_schedule_create_constant(0.7, 1, 3, 1, &p)); /* turns at 1, 2, 3 */
    ds_scheduler *sch = make(p);
    const double want[4] = {0.2, 0.7, 0.7, 0.7};
    expect_sequence(sch, "w", want, 4);
    TU_OK(ds_sparsifier_set_param(g_s, "w", "sparsity_level", 0.3));
    epoch_step(sch); /* t=4 > end: keep 0.3 */
    cr_assert_float_eq(last_of(sch, "w"), 0.3, EPS);
    ds_scheduler_destroy(sch);
}

Test(schedules, constant_begin_equals_end) {
    add_item("w", 0.2);
    ds_schedule *p = NULL;
    TU_OK(ds_schedule_create_constant(0.6, 2, 2, 5, &p)); /* one turn, at 2 */
    ds_scheduler *sch = make(p);
    const double want[5] = {0.2, 0.2, 0.6, 0.6, 0.6};
    expect_sequence(sch, "w", want, 5);
    ds_scheduler_destroy(sch);
}

/* cosine(final 0.9, begin_step 2, total_steps 4) from each item's base:
 * t <= 2: base; then final + (base - final)(1 + cos(pi (t - 2)/4))/2; t >= 6: final. */
Test(schedules, cosine_from_base_to_final) {
    add_item("w", 0.1);
    add_item("v", 0.5);
    ds_schedule *p = NULL;
    ds_config *c = tu_cfg("final", 0.9, "begin_step", 2.0, "total_steps", 4.0, NULL);
    TU_OK(ds_schedule_create("cosine", c, &p));
    ds_config_destroy(c);
    cr_assert_str_eq(ds_schedule_kind(p), "cosine");
    const double h = sqrt(0.5); /* cos(pi/4) */
    const double w[8] = {
        0.1, 0.1, 0.1,                       /* t=0..2: the base */
        0.9 - 0.8 * (1 + h) / 2,             /* t=3: p=1/4 */
        0.5,                                 /* t=4: p=1/2, cos = 0: the midpoint of 0.1 and 0.9 */
        0.9 - 0.8 * (1 - h) / 2,             /* t=5: p=3/4 */
        0.9, 0.9,                            /* t=6, 7: p=1, then held */
    };
    ds_scheduler *sch = make(p);
    for (int t = 0; t < 8; ++t) {
        cr_assert_float_eq(last_of(sch, "w"), w[t], EPS, "w at t=%d", t);
        /* v starts at 0.5: at p=1/2 it is (0.5 + 0.9)/2 */
        if (t == 4)
            cr_assert_float_eq(last_of(sch, "v"), 0.7, EPS);
        epoch_step(sch);
    }
    ds_scheduler_destroy(sch);
}

/* ---------------------------------------------------------------------
 * Parameter checks
 * --------------------------------------------------------------------- */

static int dummy_lambda(void *u, int64_t e, double *out) {
    (void)u;
    (void)e;
    *out = 1.0;
    return 0;
}

#define EXPECT_INVALID(call)                                                                           \
    do {                                                                                               \
        ds_schedule *out_ = (ds_schedule *)&g_w; /* a sentinel: must stay */                           \
        ds_status st_ = (call);                                                                        \
        cr_assert_eq(st_, DS_ERR_INVALID_ARGUMENT, "%s: expected DS_ERR_INVALID_ARGUMENT, got %s", #call, \
                     ds_status_string(st_));                                                           \
        cr_assert_eq(out_, (ds_schedule *)&g_w, "%s wrote out on failure", #call);                     \
        cr_assert_neq(ds_last_error()[0], '\0', "%s: no message", #call);                             \
    } while (0)

Test(schedules, invalid_parameters_are_rejected) {
    const double inf = INFINITY;
    EXPECT_INVALID(ds_schedule_create_gamma(NAN, 0.9, &out_));
    EXPECT_INVALID(ds_schedule_create_gamma(2.0, NAN, &out_));
    EXPECT_INVALID(ds_schedule_create_gamma(inf, 0.9, &out_));
    EXPECT_INVALID(ds_schedule_create_gamma(2.0, -inf, &out_));
    EXPECT_INVALID(ds_schedule_create_gamma(2.0, 0.9, NULL));

    EXPECT_INVALID(ds_schedule_create_step(0, 0.5, &out_));
    EXPECT_INVALID(ds_schedule_create_step(-1, 0.5, &out_));
    EXPECT_INVALID(ds_schedule_create_step(INT64_MIN, 0.5, &out_));
    EXPECT_INVALID(ds_schedule_create_step(3, NAN, &out_));
    EXPECT_INVALID(ds_schedule_create_step(3, inf, &out_));
    EXPECT_INVALID(ds_schedule_create_step(3, 0.5, NULL));

    EXPECT_INVALID(ds_schedule_create_lambda(NULL, NULL, &out_));
    EXPECT_INVALID(ds_schedule_create_lambda(dummy_lambda, NULL, NULL));

    EXPECT_INVALID(tu_cubic(NAN, 0, 1, 1, 0, &out_));
    EXPECT_INVALID(tu_cubic(inf, 0, 1, 1, 0, &out_));
    EXPECT_INVALID(tu_cubic(0.1, -1, 1, 1, 0, &out_));
    EXPECT_INVALID(tu_cubic(0.1, 0, 0, 1, 0, &out_));
    EXPECT_INVALID(tu_cubic(0.1, 0, -5, 1, 0, &out_));
    EXPECT_INVALID(tu_cubic(0.1, 0, 1, 0, 0, &out_));
    EXPECT_INVALID(tu_cubic(0.1, 0, 1, -1, 0, &out_));
    EXPECT_INVALID(tu_cubic(0.1, 0, 1, 1, 0, NULL));

    EXPECT_INVALID(tu_polynomial_decay(NAN, 0.9, 0, 10, 3.0, 1, &out_));
    EXPECT_INVALID(tu_polynomial_decay(0.1, inf, 0, 10, 3.0, 1, &out_));
    EXPECT_INVALID(tu_polynomial_decay(0.1, 0.9, 0, 10, NAN, 1, &out_));
    EXPECT_INVALID(tu_polynomial_decay(0.1, 0.9, -1, 10, 3.0, 1, &out_));
    EXPECT_INVALID(tu_polynomial_decay(0.1, 0.9, 5, 5, 3.0, 1, &out_));  /* end == begin */
    EXPECT_INVALID(tu_polynomial_decay(0.1, 0.9, 5, 4, 3.0, 1, &out_));  /* end < begin */
    EXPECT_INVALID(tu_polynomial_decay(0.1, 0.9, 0, -1, 3.0, 1, &out_)); /* no "no end" here */
    EXPECT_INVALID(tu_polynomial_decay(0.1, 0.9, 0, 10, 3.0, 0, &out_));
    EXPECT_INVALID(tu_polynomial_decay(0.1, 0.9, 0, 10, 3.0, -2, &out_));
    EXPECT_INVALID(tu_polynomial_decay(0.1, 0.9, 0, 10, 3.0, 1, NULL));

    EXPECT_INVALID(ds_schedule_create_constant(NAN, 0, -1, 1, &out_));
    EXPECT_INVALID(ds_schedule_create_constant(-inf, 0, -1, 1, &out_));
    EXPECT_INVALID(ds_schedule_create_constant(0.5, -1, -1, 1, &out_));
    EXPECT_INVALID(ds_schedule_create_constant(0.5, 0, -2, 1, &out_));
    EXPECT_INVALID(ds_schedule_create_constant(0.5, 5, 3, 1, &out_)); /* end < begin */
    EXPECT_INVALID(ds_schedule_create_constant(0.5, 0, -1, 0, &out_));
    EXPECT_INVALID(ds_schedule_create_constant(0.5, 0, -1, -1, &out_));
    EXPECT_INVALID(ds_schedule_create_constant(0.5, 0, -1, 1, NULL));
}

Test(schedules, boundary_parameters_are_accepted) {
    ds_schedule *p = NULL;
    TU_OK(ds_schedule_create_step(1, 0.0, &p));
    ds_schedule_destroy(p);
    TU_OK(tu_cubic(0.0, 0, 1, 1, 1, &p));
    ds_schedule_destroy(p);
    TU_OK(tu_polynomial_decay(0.0, 1.0, 0, 1, 0.0, 1, &p));
    ds_schedule_destroy(p);
    TU_OK(ds_schedule_create_constant(0.0, 0, 0, 1, &p));
    ds_schedule_destroy(p);
    ds_schedule_destroy(NULL);
}

Test(schedules, create_builtin_rejects_bad_arguments) {
    add_item("w", 0.5);
    ds_schedule *p = NULL;
    TU_OK(ds_schedule_create_gamma(2.0, 0.9, &p));
    ds_scheduler *sentinel = (ds_scheduler *)&g_w, *sch = sentinel;
    cr_assert_eq(ds_scheduler_create_builtin(NULL, "sparsity_level", p, -1, &sch), DS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(ds_scheduler_create_builtin(g_s, NULL, p, -1, &sch), DS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(ds_scheduler_create_builtin(g_s, "", p, -1, &sch), DS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(ds_scheduler_create_builtin(g_s, "sparsity_level", NULL, -1, &sch), DS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(ds_scheduler_create_builtin(g_s, "sparsity_level", p, -1, NULL), DS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(sch, sentinel);
    ds_schedule_destroy(p);
}

Test(schedules, schedule_is_copied_and_reusable) {
    add_item("w", 0.4);
    ds_schedule *p = NULL;
    TU_OK(ds_schedule_create_step(1, 0.5, &p));
    ds_scheduler *a = NULL, *b = NULL;
    TU_OK(ds_scheduler_create_builtin(g_s, "sparsity_level", p, -1, &a));
    TU_OK(ds_sparsifier_set_param(g_s, "w", "my_rate", 8.0));
    TU_OK(ds_scheduler_create_builtin(g_s, "my_rate", p, -1, &b)); /* the same description again */
    ds_schedule_destroy(p);                                     /* the schedulers hold copies */
    epoch_step(a);
    TU_OK(ds_scheduler_step(b));
    cr_assert_float_eq(last_of(a, "w"), 0.2, EPS); /* 0.4 * 0.5^1 */
    cr_assert_float_eq(last_of(b, "w"), 4.0, EPS); /* 8 * 0.5^1 */
    ds_scheduler_destroy(a);
    ds_scheduler_destroy(b);
}

/* ---------------------------------------------------------------------
 * Resume: 10 epochs uninterrupted vs 4 epochs, save, destroy, recreate,
 * load, and 6 more.
 * --------------------------------------------------------------------- */

#define RW_ROWS 8
#define RW_COLS 16
#define RV_ROWS 4
#define RV_COLS 8
#define RW_N (RW_ROWS * RW_COLS)
#define RV_N (RV_ROWS * RV_COLS)
#define R_EPOCHS 10
#define R_STOP 4

/* The "weights" at an epoch: distinct magnitudes in an order that changes
 * with the epoch (multiplier odd, so coprime to the power-of-two n). */
static void fill_epoch(float *data, size_t n, int epoch, unsigned seed) {
    size_t k = 2u * (size_t)epoch + 37u;
    for (size_t i = 0; i < n; ++i) {
        float v = (float)((i * k + seed + 13u * (size_t)epoch) % n + 1u) / 64.0f;
        data[i] = ((i + (size_t)epoch) % 3u == 0) ? -v : v;
    }
}

typedef struct run_record {
    double w[R_EPOCHS + 1], v[R_EPOCHS + 1]; /* scheduled value after the epoch's step */
    uint8_t mw[R_EPOCHS + 1][RW_N], mv[R_EPOCHS + 1][RV_N]; /* masks after the epoch's sparsifier step */
} run_record;

typedef enum resume_kind { R_GAMMA, R_STEP, R_CUBIC, R_POLY, R_CONSTANT, R_COSINE } resume_kind;

static ds_schedule *resume_schedule(resume_kind kind) {
    ds_schedule *p = NULL;
    switch (kind) {
    case R_GAMMA: TU_OK(ds_schedule_create_gamma(1.25, 0.95, &p)); break; /* w: 0.25 * 1.25^t, capped at 0.95 from t=6 */
    case R_STEP: TU_OK(ds_schedule_create_step(3, 0.5, &p)); break;
    case R_CUBIC: TU_OK(tu_cubic(0.05, 1, 2, 4, 0, &p)); break;
    case R_POLY: TU_OK(tu_polynomial_decay(0.1, 0.8, 2, 8, 3.0, 2, &p)); break;
    case R_CONSTANT: TU_OK(ds_schedule_create_constant(0.6, 2, -1, 3, &p)); break;
    case R_COSINE: {
        ds_config *c = tu_cfg("final", 0.85, "begin_step", 1.0, "total_steps", 7.0, NULL);
        TU_OK(ds_schedule_create("cosine", c, &p));
        ds_config_destroy(c);
        break;
    }
    }
    cr_assert_not_null(p);
    return p;
}

/* A sparsifier as the program would set it up before training. */
static ds_sparsifier *resume_sparsifier(float *w, float *v) {
    ds_sparsifier *s = NULL;
    ds_config *defaults = NULL, *cv = NULL;
    TU_OK(ds_config_create(&defaults));
    TU_OK(ds_config_set(defaults, "sparsity_level", 0.25));
    TU_OK(ds_norm_sparsifier_create(DS_NORM_L2, defaults, &s));
    TU_OK(ds_config_create(&cv));
    TU_OK(ds_config_set(cv, "sparsity_level", 0.5));
    TU_OK(ds_config_set(cv, "block_rows", 2));
    TU_OK(ds_config_set(cv, "block_cols", 2));
    TU_OK(ds_sparsifier_add_data(s, "w", w, RW_ROWS, RW_COLS, NULL, 0));
    TU_OK(ds_sparsifier_add_data(s, "v", v, RV_ROWS, RV_COLS, cv, 0));
    ds_config_destroy(defaults);
    ds_config_destroy(cv);
    return s;
}

static void record_epoch(run_record *r, int epoch, const ds_sparsifier *s, const ds_scheduler *sch) {
    TU_OK(ds_scheduler_get_last_param(sch, "w", &r->w[epoch]));
    TU_OK(ds_scheduler_get_last_param(sch, "v", &r->v[epoch]));
    (void)s;
}

static void run_epoch(run_record *r, int epoch, ds_sparsifier *s, ds_scheduler *sch, float *w, float *v) {
    fill_epoch(w, RW_N, epoch, 1);
    fill_epoch(v, RV_N, epoch, 2);
    TU_OK(ds_sparsifier_step(s));
    TU_OK(ds_sparsifier_get_mask(s, "w", r->mw[epoch], RW_N));
    TU_OK(ds_sparsifier_get_mask(s, "v", r->mv[epoch], RV_N));
    TU_OK(ds_scheduler_step(sch));
    cr_assert_eq(ds_scheduler_last_epoch(sch), epoch);
    record_epoch(r, epoch, s, sch);
}

static void *save_sparsifier_buffer(const ds_sparsifier *s, unsigned flags, size_t *size) {
    TU_OK(ds_sparsifier_save_buffer(s, flags, NULL, 0, size));
    void *buf = malloc(*size);
    cr_assert_not_null(buf);
    TU_OK(ds_sparsifier_save_buffer(s, flags, buf, *size, size));
    return buf;
}

static void *save_scheduler_buffer(const ds_scheduler *sch, size_t *size) {
    TU_OK(ds_scheduler_save_buffer(sch, NULL, 0, size));
    void *buf = malloc(*size);
    cr_assert_not_null(buf);
    TU_OK(ds_scheduler_save_buffer(sch, buf, *size, size));
    return buf;
}

/* The order of the resumed run:
 *  ORDER_DOC: as the header says ("Restore the sparsifier's state first"):
 *    load sparsifier state, create the scheduler (last_epoch R_STOP-1: its
 *    creation step redoes epoch R_STOP), load the scheduler state;
 *  ORDER_CREATE_FIRST: as PyTorch programs usually do: create the
 *    scheduler over the freshly set-up sparsifier, then load both states. */
typedef enum resume_order { ORDER_DOC, ORDER_CREATE_FIRST } resume_order;

static void resume_check(resume_kind kind, int via_file, int with_data, resume_order order) {
    static run_record full, part; /* static: large */
    memset(&full, 0, sizeof full);
    memset(&part, 0, sizeof part);

    /* Uninterrupted. */
    float w[RW_N], v[RV_N];
    fill_epoch(w, RW_N, 0, 1);
    fill_epoch(v, RV_N, 0, 2);
    ds_sparsifier *s = resume_sparsifier(w, v);
    ds_scheduler *sch = NULL;
    ds_schedule *p = resume_schedule(kind);
    TU_OK(ds_scheduler_create_builtin(s, "sparsity_level", p, -1, &sch));
    record_epoch(&full, 0, s, sch);
    for (int e = 1; e <= R_EPOCHS; ++e)
        run_epoch(&full, e, s, sch, w, v);
    ds_scheduler_destroy(sch);
    ds_sparsifier_destroy(s);

    /* Interrupted after R_STOP epochs. */
    fill_epoch(w, RW_N, 0, 1);
    fill_epoch(v, RV_N, 0, 2);
    s = resume_sparsifier(w, v);
    TU_OK(ds_scheduler_create_builtin(s, "sparsity_level", p, -1, &sch));
    record_epoch(&part, 0, s, sch);
    for (int e = 1; e <= R_STOP; ++e)
        run_epoch(&part, e, s, sch, w, v);

    char dir[] = "/tmp/ds_schedules_XXXXXX";
    char sp_path[128], sch_path[128];
    void *sp_buf = NULL, *sch_buf = NULL;
    size_t sp_size = 0, sch_size = 0;
    unsigned flags = with_data ? DS_SAVE_DATA : 0u;
    if (via_file) {
        cr_assert_not_null(mkdtemp(dir));
        snprintf(sp_path, sizeof sp_path, "%s/sparsifier.state", dir);
        snprintf(sch_path, sizeof sch_path, "%s/scheduler.state", dir);
        TU_OK(ds_sparsifier_save_file(s, sp_path, flags));
        TU_OK(ds_scheduler_save(sch, sch_path));
    } else {
        sp_buf = save_sparsifier_buffer(s, flags, &sp_size);
        sch_buf = save_scheduler_buffer(sch, &sch_size);
    }
    ds_scheduler_destroy(sch);
    ds_sparsifier_destroy(s);

    /* Recreated: the data comes back from the state (zeroed buffers here)
     * or, without saved data, from the caller (the weights at epoch R_STOP). */
    float w2[RW_N], v2[RV_N];
    if (with_data) {
        memset(w2, 0, sizeof w2);
        memset(v2, 0, sizeof v2);
    } else {
        fill_epoch(w2, RW_N, R_STOP, 1);
        fill_epoch(v2, RV_N, R_STOP, 2);
    }
    ds_sparsifier *s2 = resume_sparsifier(w2, v2);
    ds_scheduler *sch2 = NULL;
    if (order == ORDER_CREATE_FIRST)
        TU_OK(ds_scheduler_create_builtin(s2, "sparsity_level", p, R_STOP - 1, &sch2));
    if (via_file)
        TU_OK(ds_sparsifier_load(s2, sp_path, 1));
    else
        TU_OK(ds_sparsifier_load_buffer(s2, sp_buf, sp_size, 1));
    if (with_data) {
        fill_epoch(w, RW_N, R_STOP, 1);
        fill_epoch(v, RV_N, R_STOP, 2);
        cr_assert(memcmp(w2, w, sizeof w) == 0, "the saved data of w was not copied into its buffer");
        cr_assert(memcmp(v2, v, sizeof v) == 0, "the saved data of v was not copied into its buffer");
    }
    uint8_t mw[RW_N], mv[RV_N];
    TU_OK(ds_sparsifier_get_mask(s2, "w", mw, RW_N));
    TU_OK(ds_sparsifier_get_mask(s2, "v", mv, RV_N));
    cr_assert(memcmp(mw, full.mw[R_STOP], RW_N) == 0, "mask of w after loading differs");
    cr_assert(memcmp(mv, full.mv[R_STOP], RV_N) == 0, "mask of v after loading differs");

    if (order == ORDER_DOC)
        TU_OK(ds_scheduler_create_builtin(s2, "sparsity_level", p, R_STOP - 1, &sch2));
    if (via_file)
        TU_OK(ds_scheduler_load(sch2, sch_path));
    else
        TU_OK(ds_scheduler_load_buffer(sch2, sch_buf, sch_size));
    cr_assert_eq(ds_scheduler_last_epoch(sch2), R_STOP);
    int64_t steps = 0;
    steps = ds_scheduler_step_count(sch2);
    cr_assert_eq(steps, R_STOP + 1);
    record_epoch(&part, R_STOP, s2, sch2);

    for (int e = R_STOP + 1; e <= R_EPOCHS; ++e)
        run_epoch(&part, e, s2, sch2, w2, v2);

    /* The same computations on the same inputs: bit-identical values. */
    for (int e = 0; e <= R_EPOCHS; ++e) {
        cr_assert(memcmp(&part.w[e], &full.w[e], sizeof(double)) == 0, "w at epoch %d: resumed %.17g, uninterrupted %.17g",
                  e, part.w[e], full.w[e]);
        cr_assert(memcmp(&part.v[e], &full.v[e], sizeof(double)) == 0, "v at epoch %d: resumed %.17g, uninterrupted %.17g",
                  e, part.v[e], full.v[e]);
    }
    for (int e = 1; e <= R_EPOCHS; ++e) {
        cr_assert(memcmp(part.mw[e], full.mw[e], RW_N) == 0, "mask of w at epoch %d differs after resuming", e);
        cr_assert(memcmp(part.mv[e], full.mv[e], RV_N) == 0, "mask of v at epoch %d differs after resuming", e);
    }
    /* The schedule did something: not all values equal. */
    int varied = 0;
    for (int e = 1; e <= R_EPOCHS; ++e)
        varied |= full.w[e] != full.w[0];
    cr_assert(varied, "the schedule never changed the value: a useless test");

    ds_scheduler_destroy(sch2);
    ds_sparsifier_destroy(s2);
    ds_schedule_destroy(p);
    free(sp_buf);
    free(sch_buf);
    if (via_file) {
        cr_assert_eq(remove(sp_path), 0);
        cr_assert_eq(remove(sch_path), 0);
        cr_assert_eq(rmdir(dir), 0, "files left in %s", dir);
    }
}

/* ORDER_DOC: the header's order. */
Test(schedules, resume_polynomial_decay_from_buffers) { resume_check(R_POLY, 0, 0, ORDER_DOC); }
Test(schedules, resume_polynomial_decay_from_files_with_data) { resume_check(R_POLY, 1, 1, ORDER_DOC); }
Test(schedules, resume_constant_from_files) { resume_check(R_CONSTANT, 1, 0, ORDER_DOC); }
Test(schedules, resume_constant_from_buffers_with_data) { resume_check(R_CONSTANT, 0, 1, ORDER_DOC); }
/* The creation step of the resumed scheduler computes epoch R_STOP from the
 * base/current values it sees (the loaded level), and ds_scheduler_load
 * does not undo what it applied to the sparsifier: schedules that depend on
 * base or current values need the promise ("resume from a saved
 * scheduler gives the same sequence as an uninterrupted run") kept by the
 * library for this order too. */
Test(schedules, resume_gamma_from_buffers) { resume_check(R_GAMMA, 0, 0, ORDER_DOC); }
Test(schedules, resume_gamma_from_files_with_data) { resume_check(R_GAMMA, 1, 1, ORDER_DOC); }
Test(schedules, resume_step_from_buffers) { resume_check(R_STEP, 0, 0, ORDER_DOC); }
Test(schedules, resume_cubic_from_files) { resume_check(R_CUBIC, 1, 0, ORDER_DOC); }

/* ORDER_CREATE_FIRST: every schedule. */
Test(schedules, resume_create_first_gamma) { resume_check(R_GAMMA, 0, 1, ORDER_CREATE_FIRST); }
Test(schedules, resume_create_first_step) { resume_check(R_STEP, 1, 0, ORDER_CREATE_FIRST); }
Test(schedules, resume_create_first_cubic) { resume_check(R_CUBIC, 0, 0, ORDER_CREATE_FIRST); }
Test(schedules, resume_create_first_polynomial_decay) { resume_check(R_POLY, 1, 1, ORDER_CREATE_FIRST); }
Test(schedules, resume_create_first_constant) { resume_check(R_CONSTANT, 0, 0, ORDER_CREATE_FIRST); }
Test(schedules, resume_cosine_from_files) { resume_check(R_COSINE, 1, 0, ORDER_DOC); }
Test(schedules, resume_create_first_cosine) { resume_check(R_COSINE, 0, 1, ORDER_CREATE_FIRST); }
