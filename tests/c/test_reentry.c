/* Calls from inside callbacks: a handle destroyed from its own update-mask
 * callback, schedule callback or the log handler is released when the call
 * that ran the callback returns (which fails with DS_ERR_STATE if it had not
 * committed yet); re-entrant calls from the log handler. Run under ASan and
 * LeakSanitizer in CI: a use after free, a crash or a leak fails here. */
#include "test_util.h"

static float g_data[8 * 8];

static void setup(void) { tu_fill_distinct(g_data, 64, 7); }
static void teardown(void) { ds_set_log_handler(NULL, NULL); }
TestSuite(reentry, .init = setup, .fini = teardown);

/* --- the update-mask callback destroys its sparsifier ------------------- */

typedef struct {
    ds_sparsifier *s;
    int calls;
} destroyer;

static int destroy_in_update(void *user_data, const char *name, const float *data, int64_t rows, int64_t cols,
                             const ds_config *config, uint8_t *mask) {
    (void)name, (void)data, (void)config;
    destroyer *d = user_data;
    if (d->calls++ == 0)
        ds_sparsifier_destroy(d->s);
    for (int64_t i = 0; i < rows * cols; ++i)
        mask[i] = (uint8_t)(i % 2); /* touches the mask after the destroy: still valid */
    return 0;
}

Test(reentry, destroy_sparsifier_in_its_update_mask_callback) {
    destroyer d = {NULL, 0};
    TU_OK(ds_custom_sparsifier_create(destroy_in_update, &d, NULL, &d.s));
    TU_OK(ds_sparsifier_add_data(d.s, "a", g_data, 8, 8, NULL, 0));
    TU_OK(ds_sparsifier_add_data(d.s, "b", g_data, 4, 16, NULL, 0));
    tu_fail(ds_sparsifier_step(d.s), DS_ERR_STATE, "step after destroy in callback", "closed", "step");
    cr_assert_eq(d.calls, 1, "the step called back again after its sparsifier was closed");
    /* d.s is gone now; LeakSanitizer would report it otherwise */
}

/* --- a schedule callback destroys the scheduler and/or its sparsifier ---- */

typedef struct {
    ds_sparsifier *s;
    ds_scheduler *sch;
    int destroy_sparsifier, destroy_scheduler, armed, calls;
} schedule_destroyer;

static int destroy_in_schedule(void *user_data, const char *name, int64_t epoch, double base, double current,
                               double *out) {
    (void)name, (void)epoch, (void)current;
    schedule_destroyer *d = user_data;
    ++d->calls;
    if (d->armed) {
        d->armed = 0;
        if (d->destroy_scheduler)
            ds_scheduler_destroy(d->sch);
        if (d->destroy_sparsifier)
            ds_sparsifier_destroy(d->s);
    }
    *out = base;
    return 0;
}

static void schedule_destroy_case(int destroy_sparsifier, int destroy_scheduler) {
    schedule_destroyer d = {NULL, NULL, destroy_sparsifier, destroy_scheduler, 0, 0};
    TU_OK(ds_norm_sparsifier_create(DS_NORM_L1, NULL, &d.s));
    TU_OK(ds_sparsifier_add_data(d.s, "a", g_data, 8, 8, NULL, 0));
    TU_OK(ds_sparsifier_add_data(d.s, "b", g_data, 2, 32, NULL, 0));
    TU_OK(ds_scheduler_create(d.s, "sparsity_level", destroy_in_schedule, &d, -1, &d.sch));
    TU_OK(ds_sparsifier_step(d.s));
    d.armed = 1;
    const char *m = tu_fail(ds_scheduler_step(d.sch), DS_ERR_STATE, "scheduler step after destroy in callback", "closed", NULL);
    cr_assert(strstr(m, "the the") == NULL, "message with a doubled word: %s", m);
    if (!destroy_scheduler) {
        /* the scheduler outlives its sparsifier: its calls fail cleanly */
        cr_assert_eq(ds_scheduler_last_epoch(d.sch), 0, "the abandoned step advanced the epoch");
        tu_fail(ds_scheduler_step(d.sch), DS_ERR_STATE, "step without sparsifier", "destroyed", NULL);
        ds_scheduler_destroy(d.sch);
    }
    if (!destroy_sparsifier) {
        /* the sparsifier is as before the step: the value was not applied */
        double level = 0;
        TU_OK(ds_sparsifier_get_param(d.s, "a", "sparsity_level", &level));
        cr_assert_float_eq(level, 0.5, 0.0);
        TU_OK(ds_sparsifier_step(d.s));
        ds_sparsifier_destroy(d.s);
    }
}

Test(reentry, destroy_sparsifier_in_a_schedule_callback) { schedule_destroy_case(1, 0); }
Test(reentry, destroy_scheduler_in_its_schedule_callback) { schedule_destroy_case(0, 1); }
Test(reentry, destroy_both_in_a_schedule_callback) { schedule_destroy_case(1, 1); }

Test(reentry, destroy_sparsifier_in_the_schedule_callback_of_scheduler_creation) {
    schedule_destroyer d = {NULL, NULL, 1, 0, 1, 0};
    TU_OK(ds_norm_sparsifier_create(DS_NORM_L1, NULL, &d.s));
    TU_OK(ds_sparsifier_add_data(d.s, "a", g_data, 8, 8, NULL, 0));
    ds_scheduler *out = (ds_scheduler *)&d;
    tu_fail(ds_scheduler_create(d.s, "sparsity_level", destroy_in_schedule, &d, -1, &out), DS_ERR_STATE,
            "create", "closed", NULL);
    cr_assert_eq(out, (ds_scheduler *)&d, "out written on failure");
}

/* --- the log handler destroys, or calls back into, the handle ----------- */

typedef struct {
    ds_sparsifier *s;
    ds_scheduler *sch;
    int mode; /* 1: destroy s; 2: destroy sch; 3: step sch again */
    int messages;
} log_actor;

static void acting_log(void *user_data, int level, const char *message) {
    (void)level, (void)message;
    log_actor *a = user_data;
    ++a->messages;
    const int mode = a->mode;
    a->mode = 0; /* once */
    if (mode == 1)
        ds_sparsifier_destroy(a->s);
    else if (mode == 2)
        ds_scheduler_destroy(a->sch);
    else if (mode == 3)
        cr_assert_eq(ds_scheduler_step(a->sch), DS_OK, "re-entrant step from the log handler");
}

Test(reentry, destroy_sparsifier_in_the_log_handler_of_add_data) {
    log_actor a = {NULL, NULL, 0, 0};
    TU_OK(ds_norm_sparsifier_create(DS_NORM_L2, NULL, &a.s));
    TU_OK(ds_sparsifier_add_data(a.s, "a", g_data, 8, 8, NULL, 0));
    ds_set_log_handler(acting_log, &a);
    a.mode = 1;
    /* replacing warns; the handler destroys the sparsifier: the add had committed */
    TU_OK(ds_sparsifier_add_data(a.s, "a", g_data, 8, 8, NULL, 0));
    cr_assert_eq(a.messages, 1);
}

Test(reentry, destroy_or_reenter_the_scheduler_from_verbose_logging) {
    for (int mode = 2; mode <= 3; ++mode) {
        log_actor a = {NULL, NULL, 0, 0};
        TU_OK(ds_norm_sparsifier_create(DS_NORM_L2, NULL, &a.s));
        TU_OK(ds_sparsifier_add_data(a.s, "a", g_data, 8, 8, NULL, 0));
        TU_OK(ds_sparsifier_add_data(a.s, "b", g_data, 2, 32, NULL, 0));
        ds_schedule *gamma = NULL;
        TU_OK(ds_schedule_create_gamma(1.1, 0.9, &gamma));
        TU_OK(ds_scheduler_create_builtin(a.s, "sparsity_level", gamma, -1, &a.sch));
        ds_schedule_destroy(gamma);
        TU_OK(ds_scheduler_set_verbose(a.sch, 1));
        TU_OK(ds_sparsifier_step(a.s));
        ds_set_log_handler(acting_log, &a);
        a.mode = mode;
        TU_OK(ds_scheduler_step(a.sch)); /* committed before it logs */
        ds_set_log_handler(NULL, NULL);
        cr_assert_geq(a.messages, 2, "both items' verbose lines were logged");
        if (mode == 3) {
            cr_assert_eq(ds_scheduler_last_epoch(a.sch), 2, "outer and re-entrant step both ran");
            ds_scheduler_destroy(a.sch);
        }
        ds_sparsifier_destroy(a.s);
    }
}
