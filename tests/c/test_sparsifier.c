/* The sparsifier's life cycle through the C API: the PyTorch data sparsifier
 * test scenarios (constructor defaults and overrides, add/replace, step,
 * squash, mask state, memory reference, the mask update switch) plus
 * removal and introspection. The mask arithmetic itself is in
 * test_norm_mask.c, custom sparsifiers in test_custom.c. */
#include "test_util.h"

static ds_sparsifier *s; /* L1, constructor defaults */

static void setup(void) {
    s = NULL;
    TU_OK(ds_norm_sparsifier_create(DS_NORM_L1, NULL, &s));
    cr_assert_not_null(s);
}

static void teardown(void) {
    ds_sparsifier_destroy(s);
    s = NULL;
}

TestSuite(sparsifier, .init = setup, .fini = teardown);

/* add_data taking ownership of cfg (destroyed after the call). */
static void add(ds_sparsifier *sp, const char *name, float *data, int64_t rows, int64_t cols, ds_config *cfg,
                int reuse_mask) {
    ds_status st = ds_sparsifier_add_data(sp, name, data, rows, cols, cfg, reuse_mask);
    const char *m = tu_msg();
    ds_config_destroy(cfg);
    cr_assert_eq(st, DS_OK, "add_data(\"%s\") failed: %s (%s)", name, ds_status_string(st), m);
}

static size_t count_items(const ds_sparsifier *sp) {
    size_t n = (size_t)-1;
    n = ds_sparsifier_count(sp);
    return n;
}

static int contains(const ds_sparsifier *sp, const char *name) {
    int c = -1;
    c = ds_sparsifier_contains(sp, name);
    cr_assert(c == 0 || c == 1);
    return c;
}

static int64_t step_count(const ds_sparsifier *sp) {
    int64_t n = -1;
    n = ds_sparsifier_step_count(sp);
    return n;
}

static int is_squashed(const ds_sparsifier *sp, const char *name) {
    int q = -1;
    TU_OK(ds_sparsifier_get_squashed(sp, name, &q));
    cr_assert(q == 0 || q == 1);
    return q;
}

static double sparsity(const ds_sparsifier *sp, const char *name) {
    double v = -1;
    TU_OK(ds_sparsifier_get_sparsity(sp, name, &v));
    return v;
}

/* 2x8 data with distinct |x|; default config (1x4 blocks, level 0.5, 4 zeros)
 * gives 4 blocks, 2 sparsified: the two with the smallest mean |x|. */
static float data_2x8[16] = {1, -2, 3, 4, 50, 60, -70, 80, 9, 10, 11, -12, 0.5f, 0.25f, 0.75f, 1.5f};
static const uint8_t mask_2x8[16] = {0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0};

/* --- Constructor defaults and overrides ------------------------------ */

Test(sparsifier, constructor_defaults) {
    float d[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    add(s, "x", d, 2, 4, NULL, 0);
    cr_assert_float_eq(tu_param(s, "x", "sparsity_level"), 0.5, 1e-15);
    cr_assert_float_eq(tu_param(s, "x", "block_rows"), 1.0, 1e-15);
    cr_assert_float_eq(tu_param(s, "x", "block_cols"), 4.0, 1e-15);
    cr_assert_float_eq(tu_param(s, "x", "zeros_per_block"), 4.0, 1e-15);
}

Test(sparsifier, l2_constructor_has_the_same_defaults) {
    ds_sparsifier *l2 = NULL;
    TU_OK(ds_norm_sparsifier_create(DS_NORM_L2, NULL, &l2));
    float d[4] = {1, 2, 3, 4};
    add(l2, "x", d, 1, 4, NULL, 0);
    cr_assert_float_eq(tu_param(l2, "x", "sparsity_level"), 0.5, 1e-15);
    cr_assert_float_eq(tu_param(l2, "x", "block_rows"), 1.0, 1e-15);
    cr_assert_float_eq(tu_param(l2, "x", "block_cols"), 4.0, 1e-15);
    cr_assert_float_eq(tu_param(l2, "x", "zeros_per_block"), 4.0, 1e-15);
    ds_sparsifier_destroy(l2);
}

Test(sparsifier, constructor_defaults_can_be_overridden) {
    ds_config *def = tu_cfg("sparsity_level", 0.25, "block_rows", 2.0, "block_cols", 2.0, "my_key", 7.0, NULL);
    ds_sparsifier *sp = NULL;
    TU_OK(ds_norm_sparsifier_create(DS_NORM_L1, def, &sp));
    ds_config_destroy(def);
    float d[16] = {0};
    add(sp, "x", d, 4, 4, NULL, 0);
    cr_assert_float_eq(tu_param(sp, "x", "sparsity_level"), 0.25, 1e-15);
    cr_assert_float_eq(tu_param(sp, "x", "block_rows"), 2.0, 1e-15);
    cr_assert_float_eq(tu_param(sp, "x", "block_cols"), 2.0, 1e-15);
    cr_assert_float_eq(tu_param(sp, "x", "zeros_per_block"), 4.0, 1e-15, "effective zeros_per_block = 2*2");
    cr_assert_float_eq(tu_param(sp, "x", "my_key"), 7.0, 1e-15, "unknown default key not kept");
    ds_sparsifier_destroy(sp);
}

Test(sparsifier, constructor_zeros_per_block_default) {
    ds_config *def = tu_cfg("zeros_per_block", 3.0, NULL);
    ds_sparsifier *sp = NULL;
    TU_OK(ds_norm_sparsifier_create(DS_NORM_L2, def, &sp));
    ds_config_destroy(def);
    float d[4] = {1, 2, 3, 4};
    add(sp, "x", d, 1, 4, NULL, 0);
    cr_assert_float_eq(tu_param(sp, "x", "zeros_per_block"), 3.0, 1e-15);
    cr_assert_float_eq(tu_param(sp, "x", "block_cols"), 4.0, 1e-15);
    ds_sparsifier_destroy(sp);
}

Test(sparsifier, per_data_overrides) {
    float a[8] = {0}, b[8] = {0}, c[8] = {0};
    add(s, "a", a, 2, 4, tu_cfg("sparsity_level", 0.8, NULL), 0);
    add(s, "b", b, 2, 4, tu_cfg("block_rows", 2.0, "block_cols", 2.0, "zeros_per_block", 1.0, NULL), 0);
    add(s, "c", c, 2, 4, NULL, 0);

    cr_assert_float_eq(tu_param(s, "a", "sparsity_level"), 0.8, 1e-15);
    cr_assert_float_eq(tu_param(s, "a", "block_rows"), 1.0, 1e-15);
    cr_assert_float_eq(tu_param(s, "a", "block_cols"), 4.0, 1e-15);
    cr_assert_float_eq(tu_param(s, "a", "zeros_per_block"), 4.0, 1e-15);

    cr_assert_float_eq(tu_param(s, "b", "sparsity_level"), 0.5, 1e-15);
    cr_assert_float_eq(tu_param(s, "b", "block_rows"), 2.0, 1e-15);
    cr_assert_float_eq(tu_param(s, "b", "block_cols"), 2.0, 1e-15);
    cr_assert_float_eq(tu_param(s, "b", "zeros_per_block"), 1.0, 1e-15);

    cr_assert_float_eq(tu_param(s, "c", "sparsity_level"), 0.5, 1e-15);
    cr_assert_float_eq(tu_param(s, "c", "zeros_per_block"), 4.0, 1e-15);
}

/* zeros_per_block that was never set follows the item's own block shape
 * (the header: default block_rows * block_cols; get_param reports it). */
Test(sparsifier, unset_zeros_per_block_follows_the_item_block) {
    float a[16] = {0}, b[16] = {0};
    add(s, "big", a, 4, 4, tu_cfg("block_rows", 4.0, "block_cols", 4.0, NULL), 0);
    add(s, "one", b, 4, 4, tu_cfg("block_rows", 1.0, "block_cols", 1.0, NULL), 0);
    cr_assert_float_eq(tu_param(s, "big", "zeros_per_block"), 16.0, 1e-15);
    cr_assert_float_eq(tu_param(s, "one", "zeros_per_block"), 1.0, 1e-15);
    /* and set_param of the block shape moves it along */
    TU_OK(ds_sparsifier_set_param(s, "one", "block_cols", 2.0));
    cr_assert_float_eq(tu_param(s, "one", "zeros_per_block"), 2.0, 1e-15);
}

Test(sparsifier, config_arguments_are_copied) {
    ds_config *def = tu_cfg("sparsity_level", 0.25, NULL);
    ds_sparsifier *sp = NULL;
    TU_OK(ds_norm_sparsifier_create(DS_NORM_L1, def, &sp));
    TU_OK(ds_config_set(def, "sparsity_level", 0.75));
    float d[4] = {1, 2, 3, 4};
    ds_config *over = tu_cfg("block_cols", 2.0, NULL);
    TU_OK(ds_sparsifier_add_data(sp, "x", d, 1, 4, over, 0));
    TU_OK(ds_config_set(over, "block_cols", 1.0));
    ds_config_destroy(over);
    ds_config_destroy(def);
    cr_assert_float_eq(tu_param(sp, "x", "sparsity_level"), 0.25, 1e-15, "defaults not copied");
    cr_assert_float_eq(tu_param(sp, "x", "block_cols"), 2.0, 1e-15, "per-item config not copied");
    ds_sparsifier_destroy(sp);
}

Test(sparsifier, set_param_and_custom_keys) {
    float d[8] = {0};
    add(s, "x", d, 2, 4, NULL, 0);
    TU_OK(ds_sparsifier_set_param(s, "x", "sparsity_level", 0.75));
    TU_OK(ds_sparsifier_set_param(s, "x", "anything", -3.5));
    cr_assert_float_eq(tu_param(s, "x", "sparsity_level"), 0.75, 1e-15);
    cr_assert_float_eq(tu_param(s, "x", "anything"), -3.5, 1e-15);
    double v = 42;
    tu_fail(ds_sparsifier_get_param(s, "x", "never_set", &v), DS_ERR_NOT_FOUND, "unknown key", "never_set", NULL);
    cr_assert_float_eq(v, 42.0, 0.0);
}

Test(sparsifier, set_param_changes_the_next_step) {
    float d[16];
    memcpy(d, data_2x8, sizeof d);
    add(s, "x", d, 2, 8, NULL, 0);
    TU_OK(ds_sparsifier_set_param(s, "x", "sparsity_level", 1.0));
    TU_OK(ds_sparsifier_step(s));
    uint8_t m[16];
    tu_get_mask(s, "x", m, 16);
    cr_assert_eq(tu_count_zeros(m, 16), 16, "level 1 with full blocks must zero everything");
    cr_assert_float_eq(sparsity(s, "x"), 1.0, 1e-12);
}

/* --- Masks before and after step ------------------------------------- */

Test(sparsifier, new_item_mask_is_all_ones) {
    float d[16];
    memcpy(d, data_2x8, sizeof d);
    add(s, "x", d, 2, 8, NULL, 0);
    tu_assert_all_ones(s, "x", 16);
    cr_assert_float_eq(sparsity(s, "x"), 0.0, 1e-12);
    cr_assert_eq(step_count(s), 0);
    cr_assert_eq(is_squashed(s, "x"), 0);
}

Test(sparsifier, step_computes_the_mask) {
    float d[16];
    memcpy(d, data_2x8, sizeof d);
    add(s, "x", d, 2, 8, NULL, 0);
    TU_OK(ds_sparsifier_step(s));
    uint8_t m[16];
    tu_get_mask(s, "x", m, 16);
    tu_assert_mask_eq(m, mask_2x8, 2, 8, "after one step");
    cr_assert_float_eq(sparsity(s, "x"), 0.5, 1e-12);
    cr_assert_eq(step_count(s), 1);
    /* stepping again on the same data gives the same mask */
    TU_OK(ds_sparsifier_step(s));
    tu_get_mask(s, "x", m, 16);
    tu_assert_mask_eq(m, mask_2x8, 2, 8, "after two steps");
    cr_assert_eq(step_count(s), 2);
}

Test(sparsifier, step_with_no_items_counts) {
    TU_OK(ds_sparsifier_step(s));
    TU_OK(ds_sparsifier_step(s));
    cr_assert_eq(step_count(s), 2);
}

Test(sparsifier, each_item_uses_its_own_config) {
    float a[8] = {1, 2, 3, 4, 5, 6, 7, 8}, b[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    add(s, "all", a, 2, 4, tu_cfg("sparsity_level", 1.0, NULL), 0);
    add(s, "none", b, 2, 4, tu_cfg("sparsity_level", 0.0, NULL), 0);
    TU_OK(ds_sparsifier_step(s));
    uint8_t m[8];
    tu_get_mask(s, "all", m, 8);
    cr_assert_eq(tu_count_zeros(m, 8), 8);
    tu_get_mask(s, "none", m, 8);
    cr_assert_eq(tu_count_zeros(m, 8), 0);
}

Test(sparsifier, get_data_original_and_sparsified) {
    float d[16];
    memcpy(d, data_2x8, sizeof d);
    add(s, "x", d, 2, 8, NULL, 0);
    float out[16];
    /* before step: the mask is all ones, both views are the data */
    TU_OK(ds_sparsifier_get_data(s, "x", 0, out, 16));
    for (int i = 0; i < 16; ++i)
        cr_assert_float_eq(out[i], d[i], 0.0f, "sparsified[%d] before step", i);
    TU_OK(ds_sparsifier_step(s));
    TU_OK(ds_sparsifier_get_data(s, "x", 1, out, 16));
    cr_assert(memcmp(out, d, sizeof d) == 0, "original view differs from the caller's buffer");
    TU_OK(ds_sparsifier_get_data(s, "x", 0, out, 16));
    for (int i = 0; i < 16; ++i)
        cr_assert_float_eq(out[i], mask_2x8[i] ? d[i] : 0.0f, 0.0f, "sparsified[%d]", i);
    cr_assert(memcmp(d, data_2x8, sizeof d) == 0, "step or get_data changed the caller's buffer");
}

Test(sparsifier, get_mask_and_get_data_accept_larger_buffers) {
    float d[16];
    memcpy(d, data_2x8, sizeof d);
    add(s, "x", d, 2, 8, NULL, 0);
    TU_OK(ds_sparsifier_step(s));
    uint8_t m[20];
    memset(m, 7, sizeof m);
    TU_OK(ds_sparsifier_get_mask(s, "x", m, 20));
    cr_assert(memcmp(m, mask_2x8, 16) == 0);
    float out[20];
    TU_OK(ds_sparsifier_get_data(s, "x", 1, out, 20));
    cr_assert(memcmp(out, d, sizeof d) == 0);
}

/* --- Add / replace --------------------------------------------------- */

Test(sparsifier, replace_same_data_with_reuse_mask_keeps_the_mask) {
    float d[16];
    memcpy(d, data_2x8, sizeof d);
    add(s, "x", d, 2, 8, NULL, 0);
    TU_OK(ds_sparsifier_step(s));
    add(s, "x", d, 2, 8, NULL, 1);
    uint8_t m[16];
    tu_get_mask(s, "x", m, 16);
    tu_assert_mask_eq(m, mask_2x8, 2, 8, "reuse_mask = 1 kept");
    cr_assert_eq(count_items(s), 1);
}

Test(sparsifier, replace_different_data_with_reuse_mask_keeps_the_mask_until_step) {
    float d[16], e[16];
    memcpy(d, data_2x8, sizeof d);
    for (int i = 0; i < 16; ++i)
        e[i] = (float)(16 - i); /* ascending |x| from the end: last two blocks smallest */
    add(s, "x", d, 2, 8, NULL, 0);
    TU_OK(ds_sparsifier_step(s));
    add(s, "x", e, 2, 8, NULL, 1);
    uint8_t m[16];
    tu_get_mask(s, "x", m, 16);
    tu_assert_mask_eq(m, mask_2x8, 2, 8, "old mask kept with new data");
    float out[16];
    TU_OK(ds_sparsifier_get_data(s, "x", 1, out, 16));
    cr_assert(memcmp(out, e, sizeof e) == 0, "original view is not the new buffer");

    TU_OK(ds_sparsifier_step(s));
    const uint8_t want[16] = {1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0};
    tu_get_mask(s, "x", m, 16);
    tu_assert_mask_eq(m, want, 2, 8, "step on the new data");
}

Test(sparsifier, replace_without_reuse_mask_resets_to_all_ones) {
    float d[16];
    memcpy(d, data_2x8, sizeof d);
    add(s, "x", d, 2, 8, NULL, 0);
    TU_OK(ds_sparsifier_step(s));
    add(s, "x", d, 2, 8, NULL, 0);
    tu_assert_all_ones(s, "x", 16);
}

Test(sparsifier, replace_with_another_shape_without_reuse_mask) {
    float d[16], e[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    memcpy(d, data_2x8, sizeof d);
    add(s, "x", d, 2, 8, NULL, 0);
    TU_OK(ds_sparsifier_step(s));
    add(s, "x", e, 3, 4, NULL, 0);
    int64_t r = 0, c = 0;
    TU_OK(ds_sparsifier_get_shape(s, "x", &r, &c));
    cr_assert(r == 3 && c == 4, "shape is %lldx%lld", (long long)r, (long long)c);
    tu_assert_all_ones(s, "x", 12);
    TU_OK(ds_sparsifier_step(s));
    /* 3 blocks (one per row) at level 0.5: round_half_even(1.5) = 2 blocks, rows 0 and 1 */
    const uint8_t want[12] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1};
    uint8_t m[12];
    tu_get_mask(s, "x", m, 12);
    tu_assert_mask_eq(m, want, 3, 4, "new shape stepped");
}

Test(sparsifier, replace_with_another_shape_and_reuse_mask_is_a_shape_error) {
    float d[16], e[16] = {0};
    memcpy(d, data_2x8, sizeof d);
    add(s, "x", d, 2, 8, tu_cfg("sparsity_level", 0.25, NULL), 0);
    float other[4] = {1, 2, 3, 4};
    add(s, "y", other, 1, 4, NULL, 0);
    TU_OK(ds_sparsifier_step(s));
    tu_snap before;
    tu_snap_take(s, &before);
    const int64_t shapes[][2] = {{4, 4}, {8, 2}, {1, 16}, {2, 4}};
    for (size_t i = 0; i < TU_ARRAY_LEN(shapes); ++i) {
        char what[96];
        snprintf(what, sizeof what, "reuse_mask with %lldx%lld over 2x8", (long long)shapes[i][0],
                 (long long)shapes[i][1]);
        ds_config *over = tu_cfg("sparsity_level", 0.75, NULL);
        ds_status st = ds_sparsifier_add_data(s, "x", e, shapes[i][0], shapes[i][1], over, 1);
        tu_fail(st, DS_ERR_SHAPE, what, NULL, NULL);
        ds_config_destroy(over);
        tu_snap_assert_same(s, &before, what);
    }
    cr_assert_float_eq(tu_param(s, "x", "sparsity_level"), 0.25, 1e-15, "override applied by a failed replace");
    float out[16];
    TU_OK(ds_sparsifier_get_data(s, "x", 1, out, 16));
    cr_assert(memcmp(out, data_2x8, sizeof out) == 0, "a failed replace switched the buffer");
    tu_snap_free(&before);
}

Test(sparsifier, replace_keeps_the_old_config_unless_overridden) {
    float d[16] = {0};
    add(s, "x", d, 4, 4,
        tu_cfg("sparsity_level", 0.8, "block_rows", 2.0, "block_cols", 2.0, "custom", 5.0, NULL), 0);
    TU_OK(ds_sparsifier_set_param(s, "x", "later", 9.0));
    add(s, "x", d, 4, 4, tu_cfg("sparsity_level", 0.3, NULL), 0);
    cr_assert_float_eq(tu_param(s, "x", "sparsity_level"), 0.3, 1e-15, "new override ignored");
    cr_assert_float_eq(tu_param(s, "x", "block_rows"), 2.0, 1e-15, "old override lost");
    cr_assert_float_eq(tu_param(s, "x", "block_cols"), 2.0, 1e-15, "old override lost");
    cr_assert_float_eq(tu_param(s, "x", "custom"), 5.0, 1e-15, "old custom key lost");
    cr_assert_float_eq(tu_param(s, "x", "later"), 9.0, 1e-15, "set_param value lost");
    cr_assert_float_eq(tu_param(s, "x", "zeros_per_block"), 4.0, 1e-15);
    /* a NULL config keeps everything */
    add(s, "x", d, 4, 4, NULL, 1);
    cr_assert_float_eq(tu_param(s, "x", "sparsity_level"), 0.3, 1e-15);
    cr_assert_float_eq(tu_param(s, "x", "block_rows"), 2.0, 1e-15);
}

Test(sparsifier, replace_keeps_the_insertion_position) {
    float a[4] = {1, 2, 3, 4}, b[4] = {1, 2, 3, 4}, c[4] = {1, 2, 3, 4};
    add(s, "a", a, 1, 4, NULL, 0);
    add(s, "b", b, 1, 4, NULL, 0);
    add(s, "c", c, 1, 4, NULL, 0);
    add(s, "a", c, 1, 4, NULL, 0);
    cr_assert_eq(count_items(s), 3);
    const char *expected[] = {"a", "b", "c"};
    for (size_t i = 0; i < 3; ++i) {
        const char *n = NULL;
        TU_OK(ds_sparsifier_get_name(s, i, &n));
        cr_assert_str_eq(n, expected[i], "name_at(%zu)", i);
    }
}

/* --- Memory reference ------------------------------------------------- */

Test(sparsifier, caller_changes_are_seen_by_the_next_step) {
    float d[16];
    memcpy(d, data_2x8, sizeof d);
    add(s, "x", d, 2, 8, NULL, 0);
    TU_OK(ds_sparsifier_step(s));

    /* reverse the buffer in place: the mask must follow */
    for (int i = 0; i < 8; ++i) {
        float t = d[i];
        d[i] = d[15 - i];
        d[15 - i] = t;
    }
    float out[16];
    TU_OK(ds_sparsifier_get_data(s, "x", 1, out, 16));
    cr_assert(memcmp(out, d, sizeof d) == 0, "original view does not see the caller's change");

    uint8_t m[16];
    tu_get_mask(s, "x", m, 16);
    tu_assert_mask_eq(m, mask_2x8, 2, 8, "the mask changed before step");

    TU_OK(ds_sparsifier_step(s));
    uint8_t want[16];
    for (int i = 0; i < 16; ++i)
        want[i] = mask_2x8[15 - i];
    tu_get_mask(s, "x", m, 16);
    tu_assert_mask_eq(m, want, 2, 8, "mask after the caller reversed the data");
}

Test(sparsifier, two_items_may_share_one_buffer) {
    float d[16];
    memcpy(d, data_2x8, sizeof d);
    add(s, "a", d, 2, 8, NULL, 0);
    add(s, "b", d, 2, 8, tu_cfg("sparsity_level", 1.0, NULL), 0);
    TU_OK(ds_sparsifier_step(s));
    uint8_t m[16];
    tu_get_mask(s, "a", m, 16);
    tu_assert_mask_eq(m, mask_2x8, 2, 8, "a");
    tu_get_mask(s, "b", m, 16);
    cr_assert_eq(tu_count_zeros(m, 16), 16);
    cr_assert(memcmp(d, data_2x8, sizeof d) == 0, "step wrote the caller's buffer");
}

/* --- Mask update switch ---------------------------------------------- */

Test(sparsifier, mask_update_switch) {
    int on = -1;
    on = ds_sparsifier_mask_update(s);
    cr_assert_eq(on, 1, "mask update must start enabled");

    float d[16];
    memcpy(d, data_2x8, sizeof d);
    add(s, "x", d, 2, 8, NULL, 0);
    TU_OK(ds_sparsifier_set_mask_update(s, 0));
    on = ds_sparsifier_mask_update(s);
    cr_assert_eq(on, 0);
    TU_OK(ds_sparsifier_step(s));
    TU_OK(ds_sparsifier_step(s));
    cr_assert_eq(step_count(s), 2, "disabled steps are still counted");
    tu_assert_all_ones(s, "x", 16);

    TU_OK(ds_sparsifier_set_mask_update(s, 7)); /* any non-zero enables */
    on = ds_sparsifier_mask_update(s);
    cr_assert_eq(on, 1);
    TU_OK(ds_sparsifier_step(s));
    uint8_t m[16];
    tu_get_mask(s, "x", m, 16);
    tu_assert_mask_eq(m, mask_2x8, 2, 8, "re-enabled step");
    cr_assert_eq(step_count(s), 3);

    /* disabled again: a data change is not picked up */
    TU_OK(ds_sparsifier_set_mask_update(s, 0));
    for (int i = 0; i < 16; ++i)
        d[i] = (float)(i + 1);
    TU_OK(ds_sparsifier_step(s));
    tu_get_mask(s, "x", m, 16);
    tu_assert_mask_eq(m, mask_2x8, 2, 8, "disabled step kept the mask");
}

/* --- Squash ----------------------------------------------------------- */

static float sq_a[16], sq_b[8];
static const uint8_t sq_b_mask[8] = {0, 0, 0, 0, 1, 1, 1, 1};

static void add_two_and_step(void) {
    memcpy(sq_a, data_2x8, sizeof sq_a);
    for (int i = 0; i < 8; ++i)
        sq_b[i] = (float)(i + 1);
    add(s, "alpha", sq_a, 2, 8, NULL, 0);
    add(s, "bravo", sq_b, 2, 4, NULL, 0);
    TU_OK(ds_sparsifier_step(s));
}

Test(sparsifier, squash_all_with_leave_parametrized_applies_the_mask) {
    add_two_and_step();
    TU_OK(ds_sparsifier_squash_mask(s, NULL, 0, 1));
    for (int i = 0; i < 16; ++i)
        cr_assert_float_eq(sq_a[i], mask_2x8[i] ? data_2x8[i] : 0.0f, 0.0f, "a[%d] after squash", i);
    for (int i = 0; i < 8; ++i)
        cr_assert_float_eq(sq_b[i], sq_b_mask[i] ? (float)(i + 1) : 0.0f, 0.0f, "b[%d] after squash", i);
    cr_assert_eq(is_squashed(s, "alpha"), 1);
    cr_assert_eq(is_squashed(s, "bravo"), 1);
    cr_assert_eq(count_items(s), 2, "squash must keep the items registered");

    float out[16];
    memset(out, 0x7f, sizeof out);
    float keep[16];
    memcpy(keep, out, sizeof out);
    tu_fail(ds_sparsifier_get_data(s, "alpha", 1, out, 16), DS_ERR_STATE, "original after squash", "alpha", NULL);
    cr_assert(memcmp(out, keep, sizeof out) == 0, "get_data wrote out on failure");
    uint8_t m[16];
    memset(m, 9, sizeof m);
    tu_fail(ds_sparsifier_get_mask(s, "alpha", m, 16), DS_ERR_STATE, "mask after squash", NULL, NULL);
    cr_assert_eq(m[0], 9, "get_mask wrote out on failure");
    double sp = -1;
    tu_fail(ds_sparsifier_get_sparsity(s, "bravo", &sp), DS_ERR_STATE, "sparsity after squash", NULL, NULL);
    cr_assert_float_eq(sp, -1.0, 0.0);

    /* the sparsified view is the data as it now is */
    TU_OK(ds_sparsifier_get_data(s, "alpha", 0, out, 16));
    cr_assert(memcmp(out, sq_a, sizeof sq_a) == 0, "sparsified view after squash is not the buffer");
    /* config and shape stay */
    cr_assert_float_eq(tu_param(s, "alpha", "sparsity_level"), 0.5, 1e-15);
    int64_t r = 0, c = 0;
    TU_OK(ds_sparsifier_get_shape(s, "bravo", &r, &c));
    cr_assert(r == 2 && c == 4);
}

Test(sparsifier, squash_without_leave_parametrized_leaves_the_buffer) {
    add_two_and_step();
    TU_OK(ds_sparsifier_squash_mask(s, NULL, 0, 0));
    cr_assert(memcmp(sq_a, data_2x8, sizeof sq_a) == 0, "buffer changed");
    for (int i = 0; i < 8; ++i)
        cr_assert_float_eq(sq_b[i], (float)(i + 1), 0.0f, "b[%d] changed", i);
    cr_assert_eq(is_squashed(s, "alpha"), 1);
    float out[16];
    tu_fail(ds_sparsifier_get_data(s, "alpha", 1, out, 16), DS_ERR_STATE, "original after squash", "alpha", NULL);
    TU_OK(ds_sparsifier_get_data(s, "alpha", 0, out, 16));
    cr_assert(memcmp(out, data_2x8, sizeof out) == 0, "after squash(0) the data is as it was, unmasked");
}

Test(sparsifier, squash_named_items_only) {
    add_two_and_step();
    const char *names[] = {"bravo"};
    TU_OK(ds_sparsifier_squash_mask(s, names, 1, 1));
    cr_assert_eq(is_squashed(s, "alpha"), 0);
    cr_assert_eq(is_squashed(s, "bravo"), 1);
    cr_assert(memcmp(sq_a, data_2x8, sizeof sq_a) == 0, "unnamed item's buffer changed");
    uint8_t m[16];
    tu_get_mask(s, "alpha", m, 16);
    tu_assert_mask_eq(m, mask_2x8, 2, 8, "unnamed item's mask");
    for (int i = 0; i < 8; ++i)
        cr_assert_float_eq(sq_b[i], sq_b_mask[i] ? (float)(i + 1) : 0.0f, 0.0f);
}

Test(sparsifier, squash_with_an_empty_name_list_squashes_nothing) {
    add_two_and_step();
    const char *names[] = {"alpha"};
    TU_OK(ds_sparsifier_squash_mask(s, names, 0, 1));
    cr_assert_eq(is_squashed(s, "alpha"), 0);
    cr_assert_eq(is_squashed(s, "bravo"), 0);
    cr_assert(memcmp(sq_a, data_2x8, sizeof sq_a) == 0);
}

Test(sparsifier, squash_with_an_unknown_name_changes_nothing) {
    add_two_and_step();
    tu_snap before;
    tu_snap_take(s, &before);
    const char *names[] = {"alpha", "nope", "bravo"};
    tu_fail(ds_sparsifier_squash_mask(s, names, 3, 1), DS_ERR_NOT_FOUND, "squash unknown", "nope", NULL);
    tu_snap_assert_same(s, &before, "squash with an unknown name");
    cr_assert(memcmp(sq_a, data_2x8, sizeof sq_a) == 0, "a's buffer changed before the unknown name was seen");
    tu_snap_free(&before);
}

Test(sparsifier, squash_twice_changes_nothing) {
    add_two_and_step();
    TU_OK(ds_sparsifier_squash_mask(s, NULL, 0, 0));
    TU_OK(ds_sparsifier_squash_mask(s, NULL, 0, 1)); /* no mask left to apply */
    cr_assert(memcmp(sq_a, data_2x8, sizeof sq_a) == 0, "second squash applied a dropped mask");
    const char *names[] = {"alpha"};
    TU_OK(ds_sparsifier_squash_mask(s, names, 1, 1));
    cr_assert(memcmp(sq_a, data_2x8, sizeof sq_a) == 0);
    cr_assert_eq(is_squashed(s, "alpha"), 1);
}

Test(sparsifier, squash_twice_with_leave_parametrized) {
    add_two_and_step();
    TU_OK(ds_sparsifier_squash_mask(s, NULL, 0, 1));
    float after_first[16];
    /* the caller writes new values: a second squash must not zero them */
    for (int i = 0; i < 16; ++i)
        sq_a[i] = 100.0f + (float)i;
    memcpy(after_first, sq_a, sizeof sq_a);
    TU_OK(ds_sparsifier_squash_mask(s, NULL, 0, 1));
    cr_assert(memcmp(sq_a, after_first, sizeof sq_a) == 0, "second squash changed the buffer");
}

Test(sparsifier, step_skips_squashed_items) {
    add_two_and_step();
    const char *names[] = {"alpha"};
    TU_OK(ds_sparsifier_squash_mask(s, names, 1, 0));
    for (int i = 0; i < 16; ++i)
        sq_a[i] = (float)(16 - i);
    TU_OK(ds_sparsifier_step(s));
    cr_assert_eq(step_count(s), 2);
    cr_assert_eq(is_squashed(s, "alpha"), 1);
    float out[16];
    TU_OK(ds_sparsifier_get_data(s, "alpha", 0, out, 16));
    for (int i = 0; i < 16; ++i)
        cr_assert_float_eq(out[i], (float)(16 - i), 0.0f, "squashed item was masked again at [%d]", i);
}

Test(sparsifier, adding_again_after_squash_masks_again) {
    add_two_and_step();
    TU_OK(ds_sparsifier_squash_mask(s, NULL, 0, 1));
    memcpy(sq_a, data_2x8, sizeof sq_a);
    add(s, "alpha", sq_a, 2, 8, NULL, 0);
    cr_assert_eq(is_squashed(s, "alpha"), 0);
    cr_assert_eq(is_squashed(s, "bravo"), 1);
    tu_assert_all_ones(s, "alpha", 16);
    float out[16];
    TU_OK(ds_sparsifier_get_data(s, "alpha", 1, out, 16));
    cr_assert(memcmp(out, data_2x8, sizeof out) == 0);
    TU_OK(ds_sparsifier_step(s));
    uint8_t m[16];
    tu_get_mask(s, "alpha", m, 16);
    tu_assert_mask_eq(m, mask_2x8, 2, 8, "re-added after squash");
}

/* --- Removal ---------------------------------------------------------- */

Test(sparsifier, remove_data) {
    float a[4] = {1, 2, 3, 4}, b[4] = {5, 6, 7, 8}, c[4] = {9, 10, 11, 12};
    add(s, "alpha", a, 1, 4, NULL, 0);
    add(s, "bravo", b, 1, 4, NULL, 0);
    add(s, "charlie", c, 2, 2, NULL, 0);
    TU_OK(ds_sparsifier_step(s));
    TU_OK(ds_sparsifier_remove_data(s, "bravo"));
    /* the items after the removed one are still found by name */
    int64_t r = 0, cc = 0;
    TU_OK(ds_sparsifier_get_shape(s, "charlie", &r, &cc));
    cr_assert(r == 2 && cc == 2, "charlie is now %lldx%lld", (long long)r, (long long)cc);
    float out[4];
    TU_OK(ds_sparsifier_get_data(s, "charlie", 1, out, 4));
    cr_assert(memcmp(out, c, sizeof c) == 0, "get_data(charlie) returned another item's data");
    TU_OK(ds_sparsifier_get_data(s, "alpha", 1, out, 4));
    cr_assert(memcmp(out, a, sizeof a) == 0, "get_data(alpha) returned another item's data");
    cr_assert_eq(count_items(s), 2);
    cr_assert_eq(contains(s, "bravo"), 0);
    cr_assert_eq(contains(s, "alpha"), 1);
    const char *n = NULL;
    TU_OK(ds_sparsifier_get_name(s, 0, &n));
    cr_assert_str_eq(n, "alpha");
    TU_OK(ds_sparsifier_get_name(s, 1, &n));
    cr_assert_str_eq(n, "charlie");
    for (int i = 0; i < 4; ++i)
        cr_assert_float_eq(b[i], (float)(5 + i), 0.0f, "removal touched the caller's data");
    uint8_t m[4];
    tu_fail(ds_sparsifier_get_mask(s, "bravo", m, 4), DS_ERR_NOT_FOUND, "mask of removed item", "bravo", NULL);
    tu_fail(ds_sparsifier_remove_data(s, "bravo"), DS_ERR_NOT_FOUND, "remove twice", "bravo", NULL);
    TU_OK(ds_sparsifier_step(s));
    add(s, "bravo", b, 1, 4, NULL, 0);
    cr_assert_eq(count_items(s), 3);
    tu_assert_all_ones(s, "bravo", 4);
    TU_OK(ds_sparsifier_get_shape(s, "charlie", &r, &cc));
    cr_assert(r == 2 && cc == 2, "charlie is now %lldx%lld after re-adding bravo", (long long)r, (long long)cc);
}

Test(sparsifier, remove_a_squashed_item) {
    add_two_and_step();
    TU_OK(ds_sparsifier_squash_mask(s, NULL, 0, 0));
    TU_OK(ds_sparsifier_remove_data(s, "alpha"));
    cr_assert_eq(count_items(s), 1);
    cr_assert_eq(contains(s, "alpha"), 0);
}

/* --- Introspection ---------------------------------------------------- */

Test(sparsifier, count_name_at_contains_shape) {
    cr_assert_eq(count_items(s), 0);
    float a[6] = {0}, b[5] = {0};
    add(s, "first", a, 2, 3, NULL, 0);
    add(s, "second", b, 1, 5, NULL, 0);
    cr_assert_eq(count_items(s), 2);
    const char *n = NULL;
    TU_OK(ds_sparsifier_get_name(s, 0, &n));
    cr_assert_str_eq(n, "first");
    TU_OK(ds_sparsifier_get_name(s, 1, &n));
    cr_assert_str_eq(n, "second");
    const char *keep = "sentinel";
    n = keep;
    tu_fail(ds_sparsifier_get_name(s, 2, &n), DS_ERR_INVALID_ARGUMENT, "name_at(count)", "index", NULL);
    cr_assert_eq(n, keep, "name_at wrote out on failure");
    cr_assert_eq(contains(s, "first"), 1);
    cr_assert_eq(contains(s, "third"), 0);
    cr_assert_eq(contains(s, "firs"), 0);
    int64_t r = 0, c = 0;
    TU_OK(ds_sparsifier_get_shape(s, "first", &r, &c));
    cr_assert(r == 2 && c == 3, "first is %lldx%lld", (long long)r, (long long)c);
    TU_OK(ds_sparsifier_get_shape(s, "second", &r, &c));
    cr_assert(r == 1 && c == 5, "second is %lldx%lld", (long long)r, (long long)c);
}

Test(sparsifier, get_config_replaces_the_output) {
    float d[8] = {0};
    add(s, "x", d, 2, 4, tu_cfg("sparsity_level", 0.3, "mine", 2.5, NULL), 0);
    ds_config *out = tu_cfg("junk", 1.0, "sparsity_level", 0.9, NULL);
    TU_OK(ds_sparsifier_get_config(s, "x", out));
    double v = 0;
    tu_fail(ds_config_get(out, "junk", &v), DS_ERR_NOT_FOUND, "old contents of out kept", NULL, NULL);
    TU_OK(ds_config_get(out, "sparsity_level", &v));
    cr_assert_float_eq(v, 0.3, 1e-15);
    TU_OK(ds_config_get(out, "mine", &v));
    cr_assert_float_eq(v, 2.5, 1e-15);
    /* out is a copy */
    TU_OK(ds_config_set(out, "sparsity_level", 0.1));
    cr_assert_float_eq(tu_param(s, "x", "sparsity_level"), 0.3, 1e-15);
    ds_config_destroy(out);
}

Test(sparsifier, get_config_includes_constructor_defaults_given) {
    ds_config *def = tu_cfg("sparsity_level", 0.4, "extra", 1.0, NULL);
    ds_sparsifier *sp = NULL;
    TU_OK(ds_norm_sparsifier_create(DS_NORM_L1, def, &sp));
    ds_config_destroy(def);
    float d[8] = {0};
    add(sp, "x", d, 2, 4, tu_cfg("extra", 2.0, NULL), 0);
    ds_config *out = NULL;
    TU_OK(ds_config_create(&out));
    TU_OK(ds_sparsifier_get_config(sp, "x", out));
    double v = 0;
    TU_OK(ds_config_get(out, "sparsity_level", &v));
    cr_assert_float_eq(v, 0.4, 1e-15);
    TU_OK(ds_config_get(out, "extra", &v));
    cr_assert_float_eq(v, 2.0, 1e-15, "per-item value must win over the default");
    ds_config_destroy(out);
    ds_sparsifier_destroy(sp);
}

Test(sparsifier, get_sparsity_is_the_zero_fraction) {
    float d[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    add(s, "x", d, 3, 4, tu_cfg("zeros_per_block", 1.0, "sparsity_level", 1.0, NULL), 0);
    TU_OK(ds_sparsifier_step(s));
    cr_assert_float_eq(sparsity(s, "x"), 3.0 / 12.0, 1e-12);
}

Test(sparsifier, destroy_accepts_null_and_leaves_data) {
    ds_sparsifier_destroy(NULL);
    ds_sparsifier *sp = NULL;
    TU_OK(ds_norm_sparsifier_create(DS_NORM_L2, NULL, &sp));
    float d[16];
    memcpy(d, data_2x8, sizeof d);
    add(sp, "x", d, 2, 8, NULL, 0);
    TU_OK(ds_sparsifier_step(sp));
    ds_sparsifier_destroy(sp);
    cr_assert(memcmp(d, data_2x8, sizeof d) == 0, "destroy touched the caller's data");
}

Test(sparsifier, many_items) {
    enum { N = 200 };
    static float bufs[N][8];
    char name[32];
    for (int i = 0; i < N; ++i) {
        for (int j = 0; j < 8; ++j)
            bufs[i][j] = (float)((i + j) % 8 + 1);
        snprintf(name, sizeof name, "item_%d", i);
        add(s, name, bufs[i], 2, 4, NULL, 0);
    }
    cr_assert_eq(count_items(s), N);
    TU_OK(ds_sparsifier_step(s));
    for (int i = 0; i < N; ++i) {
        snprintf(name, sizeof name, "item_%d", i);
        uint8_t m[8], want[8];
        tu_ref_mask(bufs[i], 2, 4, DS_NORM_L1, 0.5, 1, 4, 4, want);
        tu_get_mask(s, name, m, 8);
        tu_assert_mask_eq(m, want, 2, 4, name);
        const char *n = NULL;
        TU_OK(ds_sparsifier_get_name(s, (size_t)i, &n));
        cr_assert_str_eq(n, name);
    }
}
