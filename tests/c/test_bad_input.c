/* Every bad input: the specific status, a message that names the argument
 * (and the value where there is one), and nothing changed: items, masks,
 * configs, counters, output arguments and the caller's buffers. */
#include "test_util.h"

#include <limits.h>

static ds_sparsifier *s;
static tu_snap before;
static float alpha_data[16], beta_data[12], spare[64];
static float alpha_keep[16], beta_keep[12];

static void setup(void) {
    s = NULL;
    TU_OK(ds_norm_sparsifier_create(DS_NORM_L1, NULL, &s));
    tu_fill_distinct(alpha_data, 16, 1);
    tu_fill_distinct(beta_data, 12, 2);
    for (size_t i = 0; i < TU_ARRAY_LEN(spare); ++i)
        spare[i] = (float)i;
    memcpy(alpha_keep, alpha_data, sizeof alpha_keep);
    memcpy(beta_keep, beta_data, sizeof beta_keep);
    TU_OK(ds_sparsifier_add_data(s, "alpha", alpha_data, 2, 8, NULL, 0));
    ds_config *c = tu_cfg("block_rows", 2.0, "block_cols", 2.0, "zeros_per_block", 3.0, "mine", 1.0, NULL);
    TU_OK(ds_sparsifier_add_data(s, "beta", beta_data, 3, 4, c, 0));
    ds_config_destroy(c);
    TU_OK(ds_sparsifier_step(s));
    tu_snap_take(s, &before);
}

static void teardown(void) {
    tu_snap_free(&before);
    ds_sparsifier_destroy(s);
    s = NULL;
}

TestSuite(bad_input, .init = setup, .fini = teardown);

/* Nothing observable changed since setup. */
static void unchanged(const char *what) {
    tu_snap_assert_same(s, &before, what);
    cr_assert(memcmp(alpha_data, alpha_keep, sizeof alpha_keep) == 0, "%s: alpha's buffer changed", what);
    cr_assert(memcmp(beta_data, beta_keep, sizeof beta_keep) == 0, "%s: beta's buffer changed", what);
    for (size_t i = 0; i < TU_ARRAY_LEN(spare); ++i)
        cr_assert_float_eq(spare[i], (float)i, 0.0f, "%s: a rejected buffer was written", what);
}

#define FAIL(call, status, needle1, needle2) tu_fail((call), (status), #call, (needle1), (needle2))

/* --- NULL anywhere ----------------------------------------------------- */

Test(bad_input, null_sparsifier_handle) {
    uint8_t m[16];
    float f[16];
    double d = 5.0;
    size_t n = 5;
    int i = 5;
    int64_t r = 5, c = 5;
    const char *name = "sentinel";
    ds_config *out = NULL;
    TU_OK(ds_config_create(&out));
    FAIL(ds_sparsifier_add_data(NULL, "x", spare, 1, 4, NULL, 0), DS_ERR_INVALID_ARGUMENT, NULL, NULL);
    FAIL(ds_sparsifier_remove_data(NULL, "alpha"), DS_ERR_INVALID_ARGUMENT, NULL, NULL);
    FAIL(ds_sparsifier_step(NULL), DS_ERR_INVALID_ARGUMENT, NULL, NULL);
    FAIL(ds_sparsifier_get_mask(NULL, "alpha", m, 16), DS_ERR_INVALID_ARGUMENT, NULL, NULL);
    FAIL(ds_sparsifier_get_data(NULL, "alpha", 1, f, 16), DS_ERR_INVALID_ARGUMENT, NULL, NULL);
    FAIL(ds_sparsifier_squash_mask(NULL, NULL, 0, 1), DS_ERR_INVALID_ARGUMENT, NULL, NULL);
    FAIL(ds_sparsifier_get_param(NULL, "alpha", "sparsity_level", &d), DS_ERR_INVALID_ARGUMENT, NULL, NULL);
    FAIL(ds_sparsifier_set_param(NULL, "alpha", "sparsity_level", 0.1), DS_ERR_INVALID_ARGUMENT, NULL, NULL);
    FAIL(ds_sparsifier_set_mask_update(NULL, 0), DS_ERR_INVALID_ARGUMENT, NULL, NULL);
    TU_FAIL_VALUE(ds_sparsifier_mask_update(NULL), 0, "s");
    TU_FAIL_VALUE(ds_sparsifier_count(NULL), 0, "s");
    FAIL(ds_sparsifier_get_name(NULL, 0, &name), DS_ERR_INVALID_ARGUMENT, NULL, NULL);
    TU_FAIL_VALUE(ds_sparsifier_contains(NULL, "alpha"), 0, "s");
    FAIL(ds_sparsifier_get_shape(NULL, "alpha", &r, &c), DS_ERR_INVALID_ARGUMENT, NULL, NULL);
    FAIL(ds_sparsifier_get_config(NULL, "alpha", out), DS_ERR_INVALID_ARGUMENT, NULL, NULL);
    FAIL(ds_sparsifier_get_sparsity(NULL, "alpha", &d), DS_ERR_INVALID_ARGUMENT, NULL, NULL);
    FAIL(ds_sparsifier_get_squashed(NULL, "alpha", &i), DS_ERR_INVALID_ARGUMENT, NULL, NULL);
    TU_FAIL_VALUE(ds_sparsifier_step_count(NULL), -1, "s");
    cr_assert_float_eq(d, 5.0, 0.0, "an out was written on failure");
    cr_assert(n == 5 && i == 5 && r == 5 && c == 5, "an out was written on failure");
    cr_assert_str_eq(name, "sentinel");
    cr_assert_eq(tu_config_count(out), 0);
    ds_config_destroy(out);
    unchanged("NULL handle");
}

Test(bad_input, null_name) {
    uint8_t m[16];
    float f[16];
    double d = 5.0;
    int i = 5;
    int64_t r = 5, c = 5;
    ds_config *out = tu_cfg("keep", 1.0, NULL);
    FAIL(ds_sparsifier_add_data(s, NULL, spare, 1, 4, NULL, 0), DS_ERR_INVALID_ARGUMENT, "name", NULL);
    FAIL(ds_sparsifier_remove_data(s, NULL), DS_ERR_INVALID_ARGUMENT, "name", NULL);
    FAIL(ds_sparsifier_get_mask(s, NULL, m, 16), DS_ERR_INVALID_ARGUMENT, "name", NULL);
    FAIL(ds_sparsifier_get_data(s, NULL, 1, f, 16), DS_ERR_INVALID_ARGUMENT, "name", NULL);
    FAIL(ds_sparsifier_get_param(s, NULL, "sparsity_level", &d), DS_ERR_INVALID_ARGUMENT, "name", NULL);
    FAIL(ds_sparsifier_set_param(s, NULL, "sparsity_level", 0.1), DS_ERR_INVALID_ARGUMENT, "name", NULL);
    TU_FAIL_VALUE(ds_sparsifier_contains(s, NULL), 0, "name");
    FAIL(ds_sparsifier_get_shape(s, NULL, &r, &c), DS_ERR_INVALID_ARGUMENT, "name", NULL);
    FAIL(ds_sparsifier_get_config(s, NULL, out), DS_ERR_INVALID_ARGUMENT, "name", NULL);
    FAIL(ds_sparsifier_get_sparsity(s, NULL, &d), DS_ERR_INVALID_ARGUMENT, "name", NULL);
    FAIL(ds_sparsifier_get_squashed(s, NULL, &i), DS_ERR_INVALID_ARGUMENT, "name", NULL);
    cr_assert_float_eq(d, 5.0, 0.0);
    cr_assert(i == 5 && r == 5 && c == 5);
    cr_assert_eq(tu_config_count(out), 1, "get_config changed out on failure");
    ds_config_destroy(out);
    unchanged("NULL name");
}

Test(bad_input, null_outputs) {
    int64_t r = 5, c = 5;
    ds_config *keep = tu_cfg("a", 1.0, NULL);
    FAIL(ds_sparsifier_get_mask(s, "alpha", NULL, 16), DS_ERR_INVALID_ARGUMENT, "out", NULL);
    FAIL(ds_sparsifier_get_data(s, "alpha", 1, NULL, 16), DS_ERR_INVALID_ARGUMENT, "out", NULL);
    FAIL(ds_sparsifier_get_data(s, "alpha", 0, NULL, 16), DS_ERR_INVALID_ARGUMENT, "out", NULL);
    FAIL(ds_sparsifier_get_param(s, "alpha", "sparsity_level", NULL), DS_ERR_INVALID_ARGUMENT, "out", NULL);
    FAIL(ds_sparsifier_get_name(s, 0, NULL), DS_ERR_INVALID_ARGUMENT, "out", NULL);
    FAIL(ds_sparsifier_get_shape(s, "alpha", NULL, &c), DS_ERR_INVALID_ARGUMENT, "out_rows", NULL);
    cr_assert_eq(c, 5, "out_cols written although out_rows was NULL");
    FAIL(ds_sparsifier_get_shape(s, "alpha", &r, NULL), DS_ERR_INVALID_ARGUMENT, "out_cols", NULL);
    cr_assert_eq(r, 5, "out_rows written although out_cols was NULL");
    FAIL(ds_sparsifier_get_config(s, "alpha", NULL), DS_ERR_INVALID_ARGUMENT, "out", NULL);
    FAIL(ds_sparsifier_get_sparsity(s, "alpha", NULL), DS_ERR_INVALID_ARGUMENT, "out", NULL);
    FAIL(ds_sparsifier_get_squashed(s, "alpha", NULL), DS_ERR_INVALID_ARGUMENT, "out", NULL);
    FAIL(ds_norm_sparsifier_create(DS_NORM_L1, NULL, NULL), DS_ERR_INVALID_ARGUMENT, "out", NULL);
    FAIL(ds_norm_sparsifier_create(DS_NORM_L2, keep, NULL), DS_ERR_INVALID_ARGUMENT, "out", NULL);
    FAIL(ds_custom_sparsifier_create(NULL, NULL, NULL, NULL), DS_ERR_INVALID_ARGUMENT, NULL, NULL);
    ds_config_destroy(keep);
    unchanged("NULL out");
}

Test(bad_input, null_data_key_and_callback) {
    FAIL(ds_sparsifier_add_data(s, "gamma", NULL, 1, 4, NULL, 0), DS_ERR_INVALID_ARGUMENT, "data", NULL);
    FAIL(ds_sparsifier_add_data(s, "alpha", NULL, 2, 8, NULL, 1), DS_ERR_INVALID_ARGUMENT, "data", NULL);
    double d = 5.0;
    FAIL(ds_sparsifier_get_param(s, "alpha", NULL, &d), DS_ERR_INVALID_ARGUMENT, "key", NULL);
    FAIL(ds_sparsifier_set_param(s, "alpha", NULL, 0.1), DS_ERR_INVALID_ARGUMENT, "key", NULL);
    cr_assert_float_eq(d, 5.0, 0.0);
    ds_sparsifier *out = (ds_sparsifier *)&d;
    FAIL(ds_custom_sparsifier_create(NULL, NULL, NULL, &out), DS_ERR_INVALID_ARGUMENT, "fn", NULL);
    cr_assert_eq(out, (ds_sparsifier *)&d, "out written on failure");
    unchanged("NULL data/key/fn");
}

Test(bad_input, null_entry_in_squash_names) {
    const char *names[] = {"alpha", NULL};
    FAIL(ds_sparsifier_squash_mask(s, names, 2, 1), DS_ERR_INVALID_ARGUMENT, "names", NULL);
    unchanged("NULL in names");
}

/* --- Names ------------------------------------------------------------- */

Test(bad_input, empty_name) {
    FAIL(ds_sparsifier_add_data(s, "", spare, 1, 4, NULL, 0), DS_ERR_INVALID_ARGUMENT, "name", NULL);
    /* looking up "" can fail either way, but must fail */
    uint8_t m[4];
    ds_status st = ds_sparsifier_get_mask(s, "", m, 4);
    cr_assert(st == DS_ERR_INVALID_ARGUMENT || st == DS_ERR_NOT_FOUND, "get_mask(\"\"): %s", ds_status_string(st));
    st = ds_sparsifier_remove_data(s, "");
    cr_assert(st == DS_ERR_INVALID_ARGUMENT || st == DS_ERR_NOT_FOUND, "remove_data(\"\"): %s", ds_status_string(st));
    const char *names[] = {""};
    st = ds_sparsifier_squash_mask(s, names, 1, 1);
    cr_assert(st == DS_ERR_INVALID_ARGUMENT || st == DS_ERR_NOT_FOUND, "squash(\"\"): %s", ds_status_string(st));
    unchanged("empty name");
}

Test(bad_input, name_with_a_dot) {
    const char *bad[] = {"a.b", ".", "alpha.", ".alpha", "layer.0.weight"};
    for (size_t i = 0; i < TU_ARRAY_LEN(bad); ++i) {
        char what[64];
        snprintf(what, sizeof what, "add_data(\"%s\")", bad[i]);
        tu_fail(ds_sparsifier_add_data(s, bad[i], spare, 1, 4, NULL, 0), DS_ERR_INVALID_ARGUMENT, what, "name",
                bad[i]);
    }
    unchanged("dotted names");
}

/* --- Shapes ------------------------------------------------------------ */

Test(bad_input, rows_and_cols_must_be_positive) {
    const struct {
        int64_t rows, cols;
        const char *arg, *value;
    } bad[] = {
        {0, 4, "rows", "0"},          {-1, 4, "rows", "-1"}, {INT64_MIN, 4, "rows", "-9223372036854775808"},
        {4, 0, "cols", "0"},          {4, -7, "cols", "-7"}, {1, INT64_MIN, "cols", "-9223372036854775808"},
        {-2, -3, "rows", "-2"},
    };
    for (size_t i = 0; i < TU_ARRAY_LEN(bad); ++i) {
        char what[96];
        snprintf(what, sizeof what, "add_data rows %lld cols %lld", (long long)bad[i].rows, (long long)bad[i].cols);
        tu_fail(ds_sparsifier_add_data(s, "gamma", spare, bad[i].rows, bad[i].cols, NULL, 0),
                DS_ERR_INVALID_ARGUMENT, what, bad[i].arg, bad[i].value);
        /* replacing an existing item with a bad shape is refused the same way */
        snprintf(what, sizeof what, "replace alpha with rows %lld cols %lld", (long long)bad[i].rows,
                 (long long)bad[i].cols);
        tu_fail(ds_sparsifier_add_data(s, "alpha", spare, bad[i].rows, bad[i].cols, NULL, 0),
                DS_ERR_INVALID_ARGUMENT, what, bad[i].arg, NULL);
    }
    unchanged("non-positive shape");
}

Test(bad_input, rows_times_cols_overflowing_int64) {
    const int64_t big = (int64_t)1 << 32;
    const struct {
        int64_t rows, cols;
    } bad[] = {{big, big}, {INT64_MAX, 2}, {2, INT64_MAX}, {3037000500LL, 3037000500LL}, {INT64_MAX, INT64_MAX}};
    for (size_t i = 0; i < TU_ARRAY_LEN(bad); ++i) {
        char what[96];
        snprintf(what, sizeof what, "add_data rows %lld cols %lld", (long long)bad[i].rows, (long long)bad[i].cols);
        const char *m =
            tu_fail(ds_sparsifier_add_data(s, "gamma", spare, bad[i].rows, bad[i].cols, NULL, 0),
                    DS_ERR_INVALID_ARGUMENT, what, NULL, NULL);
        cr_assert(tu_contains_ci(m, "rows") || tu_contains_ci(m, "cols"), "%s: message \"%s\" names neither rows nor cols",
                  what, m);
    }
    unchanged("overflowing shape");
}

/* --- Config values ----------------------------------------------------- */

typedef struct bad_value {
    const char *key;
    double value;
    const char *text; /* how the value shows in the message */
} bad_value;

static const bad_value bad_values[] = {
    {"zeros_per_block", -1.0, "-1"},  {"zeros_per_block", 5.0, "5"},   {"zeros_per_block", 1.5, "1.5"},
    {"zeros_per_block", 1e9, NULL},   {"block_rows", 0.0, "0"},        {"block_rows", -2.0, "-2"},
    {"block_rows", 1.5, "1.5"},       {"block_cols", 0.0, "0"},        {"block_cols", -1.0, "-1"},
    {"block_cols", 2.25, "2.25"},     {"block_rows", 0.5, "0.5"},
};

Test(bad_input, invalid_config_at_add_data) {
    for (size_t i = 0; i < TU_ARRAY_LEN(bad_values); ++i) {
        char what[96];
        snprintf(what, sizeof what, "add_data with %s = %g", bad_values[i].key, bad_values[i].value);
        ds_config *c = tu_cfg(bad_values[i].key, bad_values[i].value, NULL);
        tu_fail(ds_sparsifier_add_data(s, "gamma", spare, 4, 4, c, 0), DS_ERR_INVALID_ARGUMENT, what,
                bad_values[i].key, bad_values[i].text);
        /* the same config on a replace leaves the old item in place */
        tu_fail(ds_sparsifier_add_data(s, "alpha", spare, 2, 8, c, 1), DS_ERR_INVALID_ARGUMENT, what,
                bad_values[i].key, NULL);
        ds_config_destroy(c);
    }
    unchanged("invalid config at add_data");
}

Test(bad_input, invalid_config_at_set_param) {
    for (size_t i = 0; i < TU_ARRAY_LEN(bad_values); ++i) {
        char what[96];
        snprintf(what, sizeof what, "set_param %s = %g", bad_values[i].key, bad_values[i].value);
        tu_fail(ds_sparsifier_set_param(s, "alpha", bad_values[i].key, bad_values[i].value),
                DS_ERR_INVALID_ARGUMENT, what, bad_values[i].key, bad_values[i].text);
    }
    const double nonfinite[] = {NAN, INFINITY, -INFINITY};
    const char *keys[] = {"sparsity_level", "block_rows", "zeros_per_block", "custom_key"};
    for (size_t k = 0; k < TU_ARRAY_LEN(keys); ++k)
        for (size_t i = 0; i < TU_ARRAY_LEN(nonfinite); ++i) {
            char what[96];
            snprintf(what, sizeof what, "set_param %s = %g", keys[k], nonfinite[i]);
            tu_fail(ds_sparsifier_set_param(s, "beta", keys[k], nonfinite[i]), DS_ERR_INVALID_ARGUMENT, what,
                    keys[k], NULL);
        }
    tu_fail(ds_sparsifier_set_param(s, "alpha", "", 1.0), DS_ERR_INVALID_ARGUMENT, "set_param empty key", "key",
            NULL);
    unchanged("invalid set_param");
    cr_assert_float_eq(tu_param(s, "beta", "zeros_per_block"), 3.0, 0.0, "old value lost");
    cr_assert_float_eq(tu_param(s, "beta", "block_rows"), 2.0, 0.0, "old value lost");
    cr_assert_float_eq(tu_param(s, "alpha", "zeros_per_block"), 4.0, 0.0, "old value lost");
}

/* The merged config is what is checked: a valid-looking override can make
 * the item's config invalid. */
Test(bad_input, invalid_merged_config) {
    /* beta has 2x2 blocks and zeros 3: shrinking the block below 3 elements is refused */
    tu_fail(ds_sparsifier_set_param(s, "beta", "block_cols", 1.0), DS_ERR_INVALID_ARGUMENT,
            "set_param block_cols 1 with zeros_per_block 3", "zeros_per_block", NULL);
    ds_config *c = tu_cfg("block_rows", 1.0, NULL);
    tu_fail(ds_sparsifier_add_data(s, "beta", beta_data, 3, 4, c, 1), DS_ERR_INVALID_ARGUMENT,
            "replace beta with block_rows 1 over zeros_per_block 3", "zeros_per_block", NULL);
    ds_config_destroy(c);
    /* alpha (default 1x4, zeros unset): 1x2 blocks with 4 zeros do not fit */
    c = tu_cfg("block_cols", 2.0, "zeros_per_block", 4.0, NULL);
    tu_fail(ds_sparsifier_add_data(s, "alpha", alpha_data, 2, 8, c, 1), DS_ERR_INVALID_ARGUMENT,
            "alpha with 1x2 blocks and 4 zeros", "zeros_per_block", NULL);
    ds_config_destroy(c);
    unchanged("invalid merged config");
}

Test(bad_input, invalid_defaults_at_create) {
    for (size_t i = 0; i < TU_ARRAY_LEN(bad_values); ++i) {
        char what[96];
        snprintf(what, sizeof what, "norm create with default %s = %g", bad_values[i].key, bad_values[i].value);
        ds_config *c = tu_cfg(bad_values[i].key, bad_values[i].value, NULL);
        ds_sparsifier *out = s;
        tu_fail(ds_norm_sparsifier_create(DS_NORM_L1, c, &out), DS_ERR_INVALID_ARGUMENT, what, bad_values[i].key,
                NULL);
        cr_assert_eq(out, s, "%s: out written on failure", what);
        ds_config_destroy(c);
    }
}

Test(bad_input, invalid_norm) {
    const int bad[] = {2, 3, -1, 100, INT_MAX};
    for (size_t i = 0; i < TU_ARRAY_LEN(bad); ++i) {
        char what[64];
        snprintf(what, sizeof what, "norm %d", bad[i]);
        ds_sparsifier *out = s;
        tu_fail(ds_norm_sparsifier_create((ds_norm)bad[i], NULL, &out), DS_ERR_INVALID_ARGUMENT, what, "norm", NULL);
        cr_assert_eq(out, s, "%s: out written on failure", what);
    }
}

/* --- Unknown names ----------------------------------------------------- */

Test(bad_input, unknown_name) {
    uint8_t m[16];
    float f[16];
    memset(m, 7, sizeof m);
    memset(f, 0, sizeof f);
    double d = 5.0;
    int i = 5;
    int64_t r = 5, c = 5;
    ds_config *out = tu_cfg("keep", 1.0, NULL);
    FAIL(ds_sparsifier_remove_data(s, "ghost"), DS_ERR_NOT_FOUND, "ghost", NULL);
    FAIL(ds_sparsifier_get_mask(s, "ghost", m, 16), DS_ERR_NOT_FOUND, "ghost", NULL);
    FAIL(ds_sparsifier_get_data(s, "ghost", 1, f, 16), DS_ERR_NOT_FOUND, "ghost", NULL);
    FAIL(ds_sparsifier_get_data(s, "ghost", 0, f, 16), DS_ERR_NOT_FOUND, "ghost", NULL);
    FAIL(ds_sparsifier_get_param(s, "ghost", "sparsity_level", &d), DS_ERR_NOT_FOUND, "ghost", NULL);
    FAIL(ds_sparsifier_set_param(s, "ghost", "sparsity_level", 0.1), DS_ERR_NOT_FOUND, "ghost", NULL);
    FAIL(ds_sparsifier_get_shape(s, "ghost", &r, &c), DS_ERR_NOT_FOUND, "ghost", NULL);
    FAIL(ds_sparsifier_get_config(s, "ghost", out), DS_ERR_NOT_FOUND, "ghost", NULL);
    FAIL(ds_sparsifier_get_sparsity(s, "ghost", &d), DS_ERR_NOT_FOUND, "ghost", NULL);
    FAIL(ds_sparsifier_get_squashed(s, "ghost", &i), DS_ERR_NOT_FOUND, "ghost", NULL);
    const char *names[] = {"ghost"};
    FAIL(ds_sparsifier_squash_mask(s, names, 1, 1), DS_ERR_NOT_FOUND, "ghost", NULL);
    /* a prefix or a case variant of a real name is not that name */
    FAIL(ds_sparsifier_get_mask(s, "alph", m, 16), DS_ERR_NOT_FOUND, "alph", NULL);
    FAIL(ds_sparsifier_get_mask(s, "ALPHA", m, 16), DS_ERR_NOT_FOUND, "ALPHA", NULL);
    for (int k = 0; k < 16; ++k)
        cr_assert(m[k] == 7 && f[k] == 0.0f, "output buffer written on failure");
    cr_assert_float_eq(d, 5.0, 0.0);
    cr_assert(i == 5 && r == 5 && c == 5);
    double v = 0;
    TU_OK(ds_config_get(out, "keep", &v));
    cr_assert_eq(tu_config_count(out), 1, "get_config changed out on failure");
    ds_config_destroy(out);
    /* contains is not an error */
    i = ds_sparsifier_contains(s, "ghost");
    cr_assert_eq(i, 0);
    unchanged("unknown name");
}

Test(bad_input, unknown_key) {
    double d = 5.0;
    FAIL(ds_sparsifier_get_param(s, "alpha", "no_such_key", &d), DS_ERR_NOT_FOUND, "no_such_key", NULL);
    cr_assert_float_eq(d, 5.0, 0.0);
    unchanged("unknown key");
}

Test(bad_input, name_at_out_of_range) {
    const char *n = "sentinel";
    FAIL(ds_sparsifier_get_name(s, 2, &n), DS_ERR_INVALID_ARGUMENT, "index", NULL);
    FAIL(ds_sparsifier_get_name(s, (size_t)-1, &n), DS_ERR_INVALID_ARGUMENT, "index", NULL);
    cr_assert_str_eq(n, "sentinel");
    unchanged("name_at out of range");
}

/* --- Buffers too small --------------------------------------------------- */

Test(bad_input, output_buffer_too_small) {
    uint8_t m[16];
    float f[16];
    memset(m, 7, sizeof m);
    for (int k = 0; k < 16; ++k)
        f[k] = -1.0f;
    FAIL(ds_sparsifier_get_mask(s, "alpha", m, 15), DS_ERR_INVALID_ARGUMENT, "count", "15");
    FAIL(ds_sparsifier_get_mask(s, "alpha", m, 0), DS_ERR_INVALID_ARGUMENT, "count", NULL);
    FAIL(ds_sparsifier_get_mask(s, "beta", m, 11), DS_ERR_INVALID_ARGUMENT, "count", "11");
    FAIL(ds_sparsifier_get_data(s, "alpha", 1, f, 15), DS_ERR_INVALID_ARGUMENT, "count", "15");
    FAIL(ds_sparsifier_get_data(s, "alpha", 0, f, 1), DS_ERR_INVALID_ARGUMENT, "count", NULL);
    FAIL(ds_sparsifier_get_data(s, "beta", 0, f, 0), DS_ERR_INVALID_ARGUMENT, "count", NULL);
    for (int k = 0; k < 16; ++k) {
        cr_assert_eq(m[k], 7, "get_mask wrote into a too small buffer at %d", k);
        cr_assert_float_eq(f[k], -1.0f, 0.0f, "get_data wrote into a too small buffer at %d", k);
    }
    unchanged("buffer too small");
}

/* --- State ------------------------------------------------------------- */

Test(bad_input, original_data_after_squash) {
    const char *names[] = {"beta"};
    TU_OK(ds_sparsifier_squash_mask(s, names, 1, 0));
    tu_snap squashed;
    tu_snap_take(s, &squashed);
    float f[12];
    uint8_t m[12];
    double d = 5.0;
    for (int k = 0; k < 12; ++k)
        f[k] = -1.0f;
    memset(m, 7, sizeof m);
    FAIL(ds_sparsifier_get_data(s, "beta", 1, f, 12), DS_ERR_STATE, "beta", NULL);
    FAIL(ds_sparsifier_get_mask(s, "beta", m, 12), DS_ERR_STATE, "beta", NULL);
    FAIL(ds_sparsifier_get_sparsity(s, "beta", &d), DS_ERR_STATE, "beta", NULL);
    for (int k = 0; k < 12; ++k)
        cr_assert(f[k] == -1.0f && m[k] == 7, "output written on failure");
    cr_assert_float_eq(d, 5.0, 0.0);
    tu_snap_assert_same(s, &squashed, "after squash");
    tu_snap_free(&squashed);
    /* the un-squashed item still works */
    float a[16];
    TU_OK(ds_sparsifier_get_data(s, "alpha", 1, a, 16));
    cr_assert(memcmp(a, alpha_keep, sizeof a) == 0);
}

Test(bad_input, failures_do_not_clear_masks_or_counters) {
    /* a burst of different failures, then one final check */
    uint8_t m[16];
    ds_config *c = tu_cfg("zeros_per_block", 9.0, NULL);
    ds_sparsifier_add_data(s, "alpha", spare, 2, 8, c, 0);
    ds_config_destroy(c);
    ds_sparsifier_add_data(s, "alpha", spare, 4, 4, NULL, 1);
    ds_sparsifier_add_data(s, "al.pha", spare, 2, 8, NULL, 0);
    ds_sparsifier_remove_data(s, "ghost");
    ds_sparsifier_get_mask(s, "alpha", m, 3);
    ds_sparsifier_set_param(s, "beta", "block_rows", 0.0);
    const char *names[] = {"beta", "ghost"};
    ds_sparsifier_squash_mask(s, names, 2, 1);
    cr_assert(ds_last_error()[0] != '\0');
    unchanged("a burst of failures");
}

Test(bad_input, squash_with_null_names_and_a_count) {
    FAIL(ds_sparsifier_squash_mask(s, NULL, 3, 1), DS_ERR_INVALID_ARGUMENT, "names", "3");
    const char *names[] = {"alpha"};
    FAIL(ds_sparsifier_squash_mask(s, names, SIZE_MAX, 1), DS_ERR_INVALID_ARGUMENT, "count", NULL);
    unchanged("squash with NULL names and count 3, or count SIZE_MAX");
}

/* A name is escaped wherever it is echoed: no newline or terminal escape
 * reaches a message or the log. */
typedef struct {
    char line[512];
    int count;
} captured;

static void capture(void *user_data, int level, const char *message) {
    (void)level;
    captured *c = user_data;
    snprintf(c->line, sizeof c->line, "%s", message);
    ++c->count;
}

Test(bad_input, names_are_escaped_in_messages_and_logs) {
    const char *evil = "x\n\x1b[31mred\x7f\xff'";
    const char *m = NULL;
    double d = 0;
    FAIL(ds_sparsifier_get_param(s, evil, "sparsity_level", &d), DS_ERR_NOT_FOUND, NULL, NULL);
    m = tu_msg();
    cr_assert(strchr(m, '\n') == NULL && strchr(m, '\x1b') == NULL && strchr(m, '\x7f') == NULL &&
                  strchr(m, '\xff') == NULL,
              "raw control bytes in \"%s\"", m);
    cr_assert(strstr(m, "'x\\n\\x1b[31mred\\x7f\\xff\\''") != NULL, "not escaped as expected: %s", m);
    captured c = {{0}, 0};
    ds_set_log_handler(capture, &c);
    TU_OK(ds_sparsifier_add_data(s, evil, spare, 1, 4, NULL, 0));
    TU_OK(ds_sparsifier_add_data(s, evil, spare, 1, 4, NULL, 0)); /* replacing warns, naming it */
    ds_set_log_handler(NULL, NULL);
    cr_assert_eq(c.count, 1);
    cr_assert(strchr(c.line, '\n') == NULL && strchr(c.line, '\x1b') == NULL, "raw bytes logged: %s", c.line);
    cr_assert(strstr(c.line, "x\\n\\x1b") != NULL, "%s", c.line);
    /* printable UTF-8 stays readable */
    FAIL(ds_sparsifier_get_param(s, "gewicht_\xc3\xa4", "sparsity_level", &d), DS_ERR_NOT_FOUND, "gewicht_\xc3\xa4", NULL);
    TU_OK(ds_sparsifier_remove_data(s, evil));
}
