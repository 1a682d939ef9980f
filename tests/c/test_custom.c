/* Custom sparsifiers: the user's update-mask callback, what it receives,
 * how often it runs, and what a failing callback leaves behind. */
#include "test_util.h"

#include <pthread.h>

typedef struct recorder {
    int calls;
    int per_item[4];
    const char *names[4];     /* the items the test registered */
    const float *buffers[4];  /* their data pointers */
    int64_t rows[4], cols[4];
    const char *fail_name;    /* return non-zero for this item */
    int toggle;               /* write a per-call pattern into the mask */
    float seen_first[4];      /* data[0] at the last call */
    char problem[512];        /* first thing the callback found wrong */
    pthread_t thread;
} recorder;

static void note(recorder *r, const char *fmt, const char *name) {
    if (r->problem[0] == '\0')
        snprintf(r->problem, sizeof r->problem, fmt, name ? name : "(null)");
}

static int find(const recorder *r, const char *name) {
    for (int i = 0; i < 4; ++i)
        if (r->names[i] && name && strcmp(r->names[i], name) == 0)
            return i;
    return -1;
}

static int record_update(void *user_data, const char *name, const float *data, int64_t rows, int64_t cols,
                         const ds_config *config, uint8_t *mask) {
    recorder *r = user_data;
    r->calls++;
    if (!pthread_equal(r->thread, pthread_self()))
        note(r, "callback for %s ran on another thread", name);
    int i = find(r, name);
    if (i < 0) {
        note(r, "callback called with unknown name %s", name);
        return 0;
    }
    if (data != r->buffers[i])
        note(r, "callback for %s got another data pointer than the caller's buffer", name);
    if (rows != r->rows[i] || cols != r->cols[i])
        note(r, "callback for %s got the wrong shape", name);
    if (!config || !mask) {
        note(r, "callback for %s got a NULL config or mask", name);
        return 0;
    }
    r->seen_first[i] = data[0];
    int64_t n = rows * cols;
    for (int64_t j = 0; j < n; ++j)
        if (mask[j] > 1)
            note(r, "callback for %s got a mask value that is not 0/1", name);
    int k = r->per_item[i]++;
    if (r->toggle)
        for (int64_t j = 0; j < n; ++j)
            mask[j] = (uint8_t)((j + k) & 1);
    else if (k < n) {
        /* the mask must carry what earlier calls wrote: zeros at 0..k-1 */
        for (int64_t j = 0; j < n; ++j)
            if (mask[j] != (j < k ? 0 : 1))
                note(r, "callback for %s did not get the mask left by the previous step", name);
        mask[k] = 0;
    }
    if (r->fail_name && strcmp(r->fail_name, name) == 0)
        return 1;
    return 0;
}

static recorder rec;
static ds_sparsifier *s;

static void setup(void) {
    memset(&rec, 0, sizeof rec);
    rec.thread = pthread_self();
    s = NULL;
}

static void teardown(void) {
    ds_sparsifier_destroy(s);
    s = NULL;
}

TestSuite(custom, .init = setup, .fini = teardown);

static void reg(int i, const char *name, float *data, int64_t rows, int64_t cols, ds_config *cfg) {
    rec.names[i] = name;
    rec.buffers[i] = data;
    rec.rows[i] = rows;
    rec.cols[i] = cols;
    ds_status st = ds_sparsifier_add_data(s, name, data, rows, cols, cfg, 0);
    const char *m = tu_msg();
    ds_config_destroy(cfg);
    cr_assert_eq(st, DS_OK, "add_data(%s): %s (%s)", name, ds_status_string(st), m);
}

static int64_t steps(void) {
    int64_t n = -1;
    n = ds_sparsifier_step_count(s);
    return n;
}

/* Merged config as the callback sees it, checked from inside. */
static int config_update(void *user_data, const char *name, const float *data, int64_t rows, int64_t cols,
                         const ds_config *config, uint8_t *mask) {
    (void)data;
    (void)rows;
    (void)cols;
    (void)mask;
    recorder *r = user_data;
    r->calls++;
    size_t n = 0;
    double alpha = NAN, beta = NAN;
    n = ds_config_count(config);
    if (n == 0 || ds_config_get(config, "alpha", &alpha) != DS_OK)
        note(r, "config of %s lacks the default key alpha", name);
    if (strcmp(name, "with_beta") == 0) {
        if (ds_config_get(config, "beta", &beta) != DS_OK || beta != 2.0 || alpha != 1.0 || n != 2)
            note(r, "config of %s is not {alpha 1, beta 2}", name);
    } else if (strcmp(name, "plain") == 0) {
        if (alpha != 1.0 || n != 1)
            note(r, "config of %s is not {alpha 1}", name);
    } else if (strcmp(name, "override") == 0) {
        if (alpha != 5.0 || n != 1)
            note(r, "config of %s is not {alpha 5}", name);
    } else {
        note(r, "unexpected item %s", name);
    }
    return 0;
}

Test(custom, step_calls_the_callback_once_per_item_per_step) {
    TU_OK(ds_custom_sparsifier_create(record_update, &rec, NULL, &s));
    float a[6] = {1, 2, 3, 4, 5, 6}, b[4] = {7, 8, 9, 10};
    reg(0, "a", a, 2, 3, NULL);
    reg(1, "b", b, 1, 4, NULL);
    tu_assert_all_ones(s, "a", 6);
    cr_assert_eq(rec.calls, 0, "add_data called the callback");
    for (int i = 0; i < 3; ++i)
        TU_OK(ds_sparsifier_step(s));
    cr_assert_str_eq(rec.problem, "", "%s", rec.problem);
    cr_assert_eq(rec.calls, 6, "3 steps x 2 items gave %d calls", rec.calls);
    cr_assert_eq(rec.per_item[0], 3);
    cr_assert_eq(rec.per_item[1], 3);
    cr_assert_eq(steps(), 3);
    uint8_t m[6];
    const uint8_t wa[6] = {0, 0, 0, 1, 1, 1}, wb[4] = {0, 0, 0, 1};
    tu_get_mask(s, "a", m, 6);
    tu_assert_mask_eq(m, wa, 2, 3, "a after 3 steps");
    tu_get_mask(s, "b", m, 4);
    tu_assert_mask_eq(m, wb, 1, 4, "b after 3 steps");
    double sp = 0;
    TU_OK(ds_sparsifier_get_sparsity(s, "b", &sp));
    cr_assert_float_eq(sp, 0.75, 1e-12);
    for (int i = 0; i < 6; ++i)
        cr_assert_float_eq(a[i], (float)(i + 1), 0.0f, "a callback run changed the caller's data");
}

Test(custom, callback_receives_the_merged_config) {
    ds_config *def = tu_cfg("alpha", 1.0, NULL);
    TU_OK(ds_custom_sparsifier_create(config_update, &rec, def, &s));
    ds_config_destroy(def);
    float a[4] = {0}, b[4] = {0}, c[4] = {0};
    TU_OK(ds_sparsifier_add_data(s, "with_beta", a, 1, 4, NULL, 0));
    ds_config *cb = tu_cfg("beta", 2.0, NULL);
    TU_OK(ds_sparsifier_add_data(s, "with_beta", a, 1, 4, cb, 0));
    ds_config_destroy(cb);
    TU_OK(ds_sparsifier_add_data(s, "plain", b, 1, 4, NULL, 0));
    ds_config *co = tu_cfg("alpha", 5.0, NULL);
    TU_OK(ds_sparsifier_add_data(s, "override", c, 1, 4, co, 0));
    ds_config_destroy(co);
    TU_OK(ds_sparsifier_step(s));
    cr_assert_eq(rec.calls, 3);
    cr_assert_str_eq(rec.problem, "", "%s", rec.problem);
}

static int count_keys_update(void *user_data, const char *name, const float *data, int64_t rows, int64_t cols,
                             const ds_config *config, uint8_t *mask) {
    (void)name;
    (void)data;
    (void)rows;
    (void)cols;
    (void)mask;
    if (!config)
        return 1;
    *(size_t *)user_data = ds_config_count(config);
    return 0;
}

Test(custom, no_keys_are_added) {
    size_t keys = 99;
    TU_OK(ds_custom_sparsifier_create(count_keys_update, &keys, NULL, &s));
    float a[4] = {0};
    TU_OK(ds_sparsifier_add_data(s, "x", a, 1, 4, NULL, 0));
    TU_OK(ds_sparsifier_step(s));
    cr_assert_eq(keys, 0, "a custom sparsifier's empty config has %zu keys", keys);
    double v = 3;
    tu_fail(ds_sparsifier_get_param(s, "x", "sparsity_level", &v), DS_ERR_NOT_FOUND,
            "custom sparsifier has no sparsity_level", "sparsity_level", NULL);
    tu_fail(ds_sparsifier_get_param(s, "x", "zeros_per_block", &v), DS_ERR_NOT_FOUND,
            "custom sparsifier has no zeros_per_block", "zeros_per_block", NULL);
    cr_assert_float_eq(v, 3.0, 0.0);
}

Test(custom, norm_keys_are_not_checked) {
    static size_t keys;
    TU_OK(ds_custom_sparsifier_create(count_keys_update, &keys, NULL, &s));
    float a[4] = {0};
    ds_config *c = tu_cfg("zeros_per_block", -5.0, "block_rows", 1.5, "block_cols", 0.0, "sparsity_level", 7.0, NULL);
    TU_OK(ds_sparsifier_add_data(s, "x", a, 1, 4, c, 0));
    ds_config_destroy(c);
    cr_assert_float_eq(tu_param(s, "x", "zeros_per_block"), -5.0, 0.0);
    cr_assert_float_eq(tu_param(s, "x", "block_rows"), 1.5, 0.0);
    TU_OK(ds_sparsifier_set_param(s, "x", "zeros_per_block", 1000.0));
    cr_assert_float_eq(tu_param(s, "x", "zeros_per_block"), 1000.0, 0.0);
    TU_OK(ds_sparsifier_step(s));
}

Test(custom, callback_sees_the_callers_changes) {
    TU_OK(ds_custom_sparsifier_create(record_update, &rec, NULL, &s));
    rec.toggle = 1;
    float a[4] = {1, 2, 3, 4};
    reg(0, "a", a, 1, 4, NULL);
    TU_OK(ds_sparsifier_step(s));
    cr_assert_float_eq(rec.seen_first[0], 1.0f, 0.0f);
    a[0] = 42.0f;
    TU_OK(ds_sparsifier_step(s));
    cr_assert_float_eq(rec.seen_first[0], 42.0f, 0.0f, "the callback did not see the caller's change");
    cr_assert_str_eq(rec.problem, "", "%s", rec.problem);
}

Test(custom, failing_callback_leaves_every_mask_as_before) {
    TU_OK(ds_custom_sparsifier_create(record_update, &rec, NULL, &s));
    rec.toggle = 1;
    float a[6] = {1, 2, 3, 4, 5, 6}, b[6] = {1, 2, 3, 4, 5, 6}, c[6] = {1, 2, 3, 4, 5, 6};
    reg(0, "good_one", a, 2, 3, NULL);
    reg(1, "bad_item", b, 2, 3, NULL);
    reg(2, "good_two", c, 3, 2, NULL);
    TU_OK(ds_sparsifier_step(s)); /* masks 0 1 0 1 0 1 */
    tu_snap before;
    tu_snap_take(s, &before);
    int calls_before = rec.calls;

    rec.fail_name = "bad_item";
    tu_fail(ds_sparsifier_step(s), DS_ERR_CALLBACK, "failing callback", "bad_item", NULL);
    cr_assert_gt(rec.calls, calls_before, "the callback was not called");
    tu_snap_assert_same(s, &before, "after a failed step");
    cr_assert_eq(steps(), 1, "a failed step was counted");

    /* every item, including those the callback already changed */
    uint8_t m[6];
    const uint8_t first[6] = {0, 1, 0, 1, 0, 1};
    tu_get_mask(s, "good_one", m, 6);
    tu_assert_mask_eq(m, first, 2, 3, "good_one after the failed step");
    tu_get_mask(s, "bad_item", m, 6);
    tu_assert_mask_eq(m, first, 2, 3, "bad_item after the failed step");
    tu_get_mask(s, "good_two", m, 6);
    tu_assert_mask_eq(m, first, 3, 2, "good_two after the failed step");

    /* and it recovers */
    rec.fail_name = NULL;
    TU_OK(ds_sparsifier_step(s));
    cr_assert_eq(steps(), 2);
    tu_snap_free(&before);
    cr_assert_str_eq(rec.problem, "", "%s", rec.problem);
}

Test(custom, failing_on_the_first_step_keeps_all_ones) {
    TU_OK(ds_custom_sparsifier_create(record_update, &rec, NULL, &s));
    rec.toggle = 1;
    float a[4] = {1, 2, 3, 4}, b[4] = {1, 2, 3, 4};
    reg(0, "first", a, 1, 4, NULL);
    reg(1, "second", b, 2, 2, NULL);
    rec.fail_name = "second";
    tu_fail(ds_sparsifier_step(s), DS_ERR_CALLBACK, "fail on the first step", "second", NULL);
    tu_assert_all_ones(s, "first", 4);
    tu_assert_all_ones(s, "second", 4);
    cr_assert_eq(steps(), 0);
}

Test(custom, failing_callback_with_the_only_item) {
    TU_OK(ds_custom_sparsifier_create(record_update, &rec, NULL, &s));
    float a[4] = {1, 2, 3, 4};
    reg(0, "solo", a, 1, 4, NULL);
    rec.fail_name = "solo";
    tu_fail(ds_sparsifier_step(s), DS_ERR_CALLBACK, "only item fails", "solo", NULL);
    tu_assert_all_ones(s, "solo", 4);
    cr_assert_eq(steps(), 0);
}

Test(custom, squashed_items_are_not_stepped) {
    TU_OK(ds_custom_sparsifier_create(record_update, &rec, NULL, &s));
    rec.toggle = 1;
    float a[4] = {1, 2, 3, 4}, b[4] = {1, 2, 3, 4};
    reg(0, "a", a, 1, 4, NULL);
    reg(1, "b", b, 1, 4, NULL);
    TU_OK(ds_sparsifier_step(s));
    const char *names[] = {"a"};
    TU_OK(ds_sparsifier_squash_mask(s, names, 1, 1));
    cr_assert_float_eq(a[0], 0.0f, 0.0f, "mask 0 1 0 1 not applied");
    cr_assert_float_eq(a[1], 2.0f, 0.0f);
    int before = rec.per_item[0];
    TU_OK(ds_sparsifier_step(s));
    cr_assert_eq(rec.per_item[0], before, "a squashed item was passed to the callback");
    cr_assert_eq(rec.per_item[1], 2);
}

Test(custom, disabled_mask_update_skips_the_callback) {
    TU_OK(ds_custom_sparsifier_create(record_update, &rec, NULL, &s));
    float a[4] = {1, 2, 3, 4};
    reg(0, "a", a, 1, 4, NULL);
    TU_OK(ds_sparsifier_set_mask_update(s, 0));
    TU_OK(ds_sparsifier_step(s));
    TU_OK(ds_sparsifier_step(s));
    cr_assert_eq(rec.calls, 0, "callback called with mask update disabled");
    cr_assert_eq(steps(), 2);
    TU_OK(ds_sparsifier_set_mask_update(s, 1));
    TU_OK(ds_sparsifier_step(s));
    cr_assert_eq(rec.calls, 1);
}

Test(custom, replace_with_reuse_mask_passes_the_kept_mask) {
    TU_OK(ds_custom_sparsifier_create(record_update, &rec, NULL, &s));
    float a[4] = {1, 2, 3, 4}, b[4] = {5, 6, 7, 8};
    reg(0, "a", a, 1, 4, NULL);
    TU_OK(ds_sparsifier_step(s)); /* mask 0 1 1 1 */
    rec.buffers[0] = b;
    TU_OK(ds_sparsifier_add_data(s, "a", b, 1, 4, NULL, 1));
    TU_OK(ds_sparsifier_step(s)); /* the callback checks it gets 0 1 1 1 and writes 0 0 1 1 */
    cr_assert_str_eq(rec.problem, "", "%s", rec.problem);
    uint8_t m[4];
    const uint8_t want[4] = {0, 0, 1, 1};
    tu_get_mask(s, "a", m, 4);
    tu_assert_mask_eq(m, want, 1, 4, "kept mask stepped");
}

static int null_user_data_seen;

static int null_user_data_update(void *user_data, const char *name, const float *data, int64_t rows, int64_t cols,
                                 const ds_config *config, uint8_t *mask) {
    (void)name;
    (void)data;
    (void)rows;
    (void)cols;
    (void)config;
    (void)mask;
    null_user_data_seen = user_data == NULL ? 1 : 2;
    return 0;
}

Test(custom, null_user_data_is_passed_through) {
    null_user_data_seen = 0;
    TU_OK(ds_custom_sparsifier_create(null_user_data_update, NULL, NULL, &s));
    float a[4] = {1, 2, 3, 4};
    TU_OK(ds_sparsifier_add_data(s, "x", a, 1, 4, NULL, 0));
    TU_OK(ds_sparsifier_step(s));
    cr_assert_eq(null_user_data_seen, 1, "callback not called (0) or got a non-NULL user_data (2)");
}

/* "values must stay 0 or 1": a callback writing anything else misbehaved. */
static int write_two_update(void *user_data, const char *name, const float *data, int64_t rows, int64_t cols,
                            const ds_config *config, uint8_t *mask) {
    (void)data;
    (void)config;
    recorder *r = user_data;
    r->calls++;
    for (int64_t j = 0; j < rows * cols; ++j)
        mask[j] = 0;
    if (r->fail_name && strcmp(name, r->fail_name) == 0)
        mask[rows * cols - 1] = 2;
    return 0;
}

Test(custom, mask_values_other_than_0_or_1_fail_the_step) {
    TU_OK(ds_custom_sparsifier_create(write_two_update, &rec, NULL, &s));
    float a[4] = {1, 2, 3, 4}, b[4] = {1, 2, 3, 4};
    TU_OK(ds_sparsifier_add_data(s, "fine", a, 1, 4, NULL, 0));
    TU_OK(ds_sparsifier_add_data(s, "writes_two", b, 2, 2, NULL, 0));
    rec.fail_name = "writes_two";
    tu_fail(ds_sparsifier_step(s), DS_ERR_CALLBACK, "mask value 2", "writes_two", NULL);
    tu_assert_all_ones(s, "fine", 4);
    tu_assert_all_ones(s, "writes_two", 4);
    cr_assert_eq(steps(), 0);
}

static int explain_update(void *user_data, const char *name, const float *data, int64_t rows, int64_t cols,
                          const ds_config *config, uint8_t *mask) {
    (void)user_data;
    (void)data;
    (void)rows;
    (void)cols;
    (void)config;
    mask[0] = 0;
    if (strcmp(name, "explained") == 0) {
        ds_set_callback_error("the disk is on fire");
        return 7;
    }
    return 0;
}

Test(custom, callback_error_message_is_reported) {
    TU_OK(ds_custom_sparsifier_create(explain_update, NULL, NULL, &s));
    float a[4] = {1, 2, 3, 4};
    TU_OK(ds_sparsifier_add_data(s, "explained", a, 1, 4, NULL, 0));
    tu_fail(ds_sparsifier_step(s), DS_ERR_CALLBACK, "callback with a message", "explained", "the disk is on fire");
    tu_assert_all_ones(s, "explained", 4);
}

/* Changing the sparsifier from inside its own callback is refused (and must
 * not crash or corrupt the step in progress). */
static ds_status reentrant_status[3];

static int reentrant_update(void *user_data, const char *name, const float *data, int64_t rows, int64_t cols,
                            const ds_config *config, uint8_t *mask) {
    (void)name;
    (void)data;
    (void)rows;
    (void)cols;
    (void)config;
    ds_sparsifier *self = *(ds_sparsifier **)user_data;
    static float other[4] = {1, 2, 3, 4};
    reentrant_status[0] = ds_sparsifier_step(self);
    reentrant_status[1] = ds_sparsifier_add_data(self, "sneaky", other, 1, 4, NULL, 0);
    reentrant_status[2] = ds_sparsifier_remove_data(self, "x");
    mask[0] = 0;
    return 0;
}

Test(custom, reentrant_calls_from_the_callback_are_refused) {
    TU_OK(ds_custom_sparsifier_create(reentrant_update, &s, NULL, &s));
    float a[4] = {1, 2, 3, 4};
    TU_OK(ds_sparsifier_add_data(s, "x", a, 1, 4, NULL, 0));
    TU_OK(ds_sparsifier_step(s));
    for (int i = 0; i < 3; ++i)
        cr_assert_neq(reentrant_status[i], DS_OK, "re-entrant call %d succeeded", i);
    size_t n = 0;
    n = ds_sparsifier_count(s);
    cr_assert_eq(n, 1);
    cr_assert_eq(steps(), 1);
    uint8_t m[4];
    const uint8_t want[4] = {0, 1, 1, 1};
    tu_get_mask(s, "x", m, 4);
    tu_assert_mask_eq(m, want, 1, 4, "after a step whose callback tried to re-enter");
}
