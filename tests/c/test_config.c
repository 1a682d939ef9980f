/* ds_config: create, set, get, remove, count, key_at, clone, destroy. */
#include "test_util.h"

#include <float.h>

static ds_config *cfg;

static void setup(void) {
    cfg = NULL;
    TU_OK(ds_config_create(&cfg));
    cr_assert_not_null(cfg);
}

static void teardown(void) {
    ds_config_destroy(cfg);
    cfg = NULL;
}

TestSuite(config, .init = setup, .fini = teardown);

static double get(const ds_config *c, const char *key) {
    double v = NAN;
    TU_OK(ds_config_get(c, key, &v));
    return v;
}

static const char *key_at(const ds_config *c, size_t i) {
    const char *k = NULL;
    TU_OK(ds_config_get_key(c, i, &k));
    cr_assert_not_null(k);
    return k;
}

Test(config, new_config_is_empty) {
    cr_assert_eq(tu_config_count(cfg), 0);
    const char *k = "sentinel";
    tu_fail(ds_config_get_key(cfg, 0, &k), DS_ERR_INVALID_ARGUMENT, "key_at(0) of empty config", "index", NULL);
    cr_assert_str_eq(k, "sentinel", "out written on failure");
    double v = 7.0;
    tu_fail(ds_config_get(cfg, "sparsity_level", &v), DS_ERR_NOT_FOUND, "get on empty config", "sparsity_level",
            NULL);
    cr_assert_float_eq(v, 7.0, 0.0, "out written on failure");
}

Test(config, set_then_get_returns_the_value) {
    TU_OK(ds_config_set(cfg, "sparsity_level", 0.3));
    TU_OK(ds_config_set(cfg, "block_rows", 2.0));
    TU_OK(ds_config_set(cfg, "my_custom_key", -12.5));
    cr_assert_eq(tu_config_count(cfg), 3);
    cr_assert_float_eq(get(cfg, "sparsity_level"), 0.3, 0.0);
    cr_assert_float_eq(get(cfg, "block_rows"), 2.0, 0.0);
    cr_assert_float_eq(get(cfg, "my_custom_key"), -12.5, 0.0);
}

Test(config, set_overwrites_existing_key) {
    TU_OK(ds_config_set(cfg, "k", 1.0));
    TU_OK(ds_config_set(cfg, "k", 2.0));
    cr_assert_eq(tu_config_count(cfg), 1);
    cr_assert_float_eq(get(cfg, "k"), 2.0, 0.0);
}

Test(config, extreme_finite_values_are_kept_exactly) {
    const double values[] = {0.0, -0.0, DBL_MAX, -DBL_MAX, DBL_MIN, 4.9406564584124654e-324, 1e-300, 0.1};
    char key[32];
    for (size_t i = 0; i < TU_ARRAY_LEN(values); ++i) {
        snprintf(key, sizeof key, "v%zu", i);
        TU_OK(ds_config_set(cfg, key, values[i]));
    }
    for (size_t i = 0; i < TU_ARRAY_LEN(values); ++i) {
        snprintf(key, sizeof key, "v%zu", i);
        double v = get(cfg, key);
        cr_assert(memcmp(&v, &values[i], sizeof v) == 0, "%s: got %.17g, stored %.17g", key, v, values[i]);
    }
}

Test(config, keys_may_hold_any_nonempty_string) {
    char longkey[1001];
    memset(longkey, 'k', 1000);
    longkey[1000] = '\0';
    TU_OK(ds_config_set(cfg, "with.dot", 1.0));
    TU_OK(ds_config_set(cfg, "with space", 2.0));
    TU_OK(ds_config_set(cfg, longkey, 3.0));
    TU_OK(ds_config_set(cfg, "\xc3\xa9t\xc3\xa9", 4.0));
    cr_assert_eq(tu_config_count(cfg), 4);
    cr_assert_float_eq(get(cfg, "with.dot"), 1.0, 0.0);
    cr_assert_float_eq(get(cfg, "with space"), 2.0, 0.0);
    cr_assert_float_eq(get(cfg, longkey), 3.0, 0.0);
    cr_assert_float_eq(get(cfg, "\xc3\xa9t\xc3\xa9"), 4.0, 0.0);
}

Test(config, keys_are_case_sensitive) {
    TU_OK(ds_config_set(cfg, "Key", 1.0));
    TU_OK(ds_config_set(cfg, "key", 2.0));
    cr_assert_eq(tu_config_count(cfg), 2);
    cr_assert_float_eq(get(cfg, "Key"), 1.0, 0.0);
    cr_assert_float_eq(get(cfg, "key"), 2.0, 0.0);
}

Test(config, remove_deletes_the_key) {
    TU_OK(ds_config_set(cfg, "a", 1.0));
    TU_OK(ds_config_set(cfg, "b", 2.0));
    TU_OK(ds_config_remove(cfg, "a"));
    cr_assert_eq(tu_config_count(cfg), 1);
    double v = 5.0;
    tu_fail(ds_config_get(cfg, "a", &v), DS_ERR_NOT_FOUND, "get removed key", NULL, NULL);
    cr_assert_float_eq(get(cfg, "b"), 2.0, 0.0);
    cr_assert_str_eq(key_at(cfg, 0), "b");
}

Test(config, remove_absent_key_is_not_found_and_changes_nothing) {
    TU_OK(ds_config_set(cfg, "a", 1.0));
    tu_fail(ds_config_remove(cfg, "zzz_absent"), DS_ERR_NOT_FOUND, "remove absent", "zzz_absent", NULL);
    cr_assert_eq(tu_config_count(cfg), 1);
    cr_assert_float_eq(get(cfg, "a"), 1.0, 0.0);
}

Test(config, key_at_is_in_ascending_byte_order) {
    const char *inserted[] = {"b", "aa", "B", "a", "_", "b2", "A1"};
    const char *sorted[] = {"A1", "B", "_", "a", "aa", "b", "b2"};
    for (size_t i = 0; i < TU_ARRAY_LEN(inserted); ++i)
        TU_OK(ds_config_set(cfg, inserted[i], (double)i));
    cr_assert_eq(tu_config_count(cfg), TU_ARRAY_LEN(sorted));
    for (size_t i = 0; i < TU_ARRAY_LEN(sorted); ++i)
        cr_assert_str_eq(key_at(cfg, i), sorted[i], "key_at(%zu)", i);
    const char *k = "sentinel";
    tu_fail(ds_config_get_key(cfg, TU_ARRAY_LEN(sorted), &k), DS_ERR_INVALID_ARGUMENT, "key_at(count)", NULL, NULL);
    cr_assert_str_eq(k, "sentinel");
    tu_fail(ds_config_get_key(cfg, (size_t)-1, &k), DS_ERR_INVALID_ARGUMENT, "key_at(SIZE_MAX)", NULL, NULL);
}

Test(config, key_at_with_high_bytes_orders_unsigned) {
    TU_OK(ds_config_set(cfg, "\xc3\xa9", 1.0)); /* 0xC3 > 'z' as unsigned bytes */
    TU_OK(ds_config_set(cfg, "z", 2.0));
    cr_assert_str_eq(key_at(cfg, 0), "z");
    cr_assert_str_eq(key_at(cfg, 1), "\xc3\xa9");
}

Test(config, clone_is_an_independent_copy) {
    TU_OK(ds_config_set(cfg, "x", 1.0));
    TU_OK(ds_config_set(cfg, "y", 2.0));
    ds_config *copy = NULL;
    TU_OK(ds_config_clone(cfg, &copy));
    cr_assert_not_null(copy);
    cr_assert_neq(copy, cfg);
    tu_config_assert_same(copy, cfg, "clone");

    TU_OK(ds_config_set(copy, "x", 10.0));
    TU_OK(ds_config_set(copy, "z", 3.0));
    TU_OK(ds_config_remove(copy, "y"));
    cr_assert_eq(tu_config_count(cfg), 2);
    cr_assert_float_eq(get(cfg, "x"), 1.0, 0.0);
    cr_assert_float_eq(get(cfg, "y"), 2.0, 0.0);

    TU_OK(ds_config_set(cfg, "w", 4.0));
    double v = 0;
    tu_fail(ds_config_get(copy, "w", &v), DS_ERR_NOT_FOUND, "original's new key seen by clone", NULL, NULL);
    ds_config_destroy(copy);
}

Test(config, clone_of_empty_config) {
    ds_config *copy = NULL;
    TU_OK(ds_config_clone(cfg, &copy));
    cr_assert_eq(tu_config_count(copy), 0);
    ds_config_destroy(copy);
}

Test(config, destroy_accepts_null) {
    ds_config_destroy(NULL);
    cr_assert_eq(tu_config_count(cfg), 0);
}

Test(config, non_finite_values_are_rejected_and_change_nothing) {
    TU_OK(ds_config_set(cfg, "level", 0.25));
    const struct {
        double v;
        const char *needle;
    } bad[] = {{NAN, "nan"}, {-NAN, "nan"}, {INFINITY, "inf"}, {-INFINITY, "inf"}};
    for (size_t i = 0; i < TU_ARRAY_LEN(bad); ++i) {
        char what[64];
        snprintf(what, sizeof what, "set existing key to %g", bad[i].v);
        tu_fail(ds_config_set(cfg, "level", bad[i].v), DS_ERR_INVALID_ARGUMENT, what, bad[i].needle, NULL);
        cr_assert_float_eq(get(cfg, "level"), 0.25, 0.0, "%s: old value lost", what);
        snprintf(what, sizeof what, "set new key to %g", bad[i].v);
        tu_fail(ds_config_set(cfg, "fresh", bad[i].v), DS_ERR_INVALID_ARGUMENT, what, bad[i].needle, NULL);
        cr_assert_eq(tu_config_count(cfg), 1, "%s: key was added", what);
    }
}

Test(config, empty_key_is_rejected) {
    tu_fail(ds_config_set(cfg, "", 1.0), DS_ERR_INVALID_ARGUMENT, "set empty key", "key", NULL);
    cr_assert_eq(tu_config_count(cfg), 0);
    double v = 3.0;
    ds_status st = ds_config_get(cfg, "", &v);
    cr_assert(st == DS_ERR_INVALID_ARGUMENT || st == DS_ERR_NOT_FOUND, "get empty key: %s", ds_status_string(st));
    cr_assert_float_eq(v, 3.0, 0.0);
}

Test(config, null_arguments_are_rejected) {
    TU_OK(ds_config_set(cfg, "k", 1.0));
    double v = 9.0;
    const char *k = "sentinel";
    ds_config *out = (ds_config *)&v; /* sentinel, never dereferenced */

    tu_fail(ds_config_create(NULL), DS_ERR_INVALID_ARGUMENT, "create(NULL)", "out", NULL);
    tu_fail(ds_config_clone(NULL, &out), DS_ERR_INVALID_ARGUMENT, "clone(NULL, out)", "src", NULL);
    cr_assert_eq(out, (ds_config *)&v, "clone wrote out on failure");
    tu_fail(ds_config_clone(cfg, NULL), DS_ERR_INVALID_ARGUMENT, "clone(cfg, NULL)", "out", NULL);
    tu_fail(ds_config_set(NULL, "k", 1.0), DS_ERR_INVALID_ARGUMENT, "set(NULL config)", "config", NULL);
    tu_fail(ds_config_set(cfg, NULL, 1.0), DS_ERR_INVALID_ARGUMENT, "set(NULL key)", "key", NULL);
    tu_fail(ds_config_get(NULL, "k", &v), DS_ERR_INVALID_ARGUMENT, "get(NULL config)", "config", NULL);
    tu_fail(ds_config_get(cfg, NULL, &v), DS_ERR_INVALID_ARGUMENT, "get(NULL key)", "key", NULL);
    tu_fail(ds_config_get(cfg, "k", NULL), DS_ERR_INVALID_ARGUMENT, "get(NULL out)", "out", NULL);
    cr_assert_float_eq(v, 9.0, 0.0, "get wrote out on failure");
    tu_fail(ds_config_remove(NULL, "k"), DS_ERR_INVALID_ARGUMENT, "remove(NULL config)", "config", NULL);
    tu_fail(ds_config_remove(cfg, NULL), DS_ERR_INVALID_ARGUMENT, "remove(NULL key)", "key", NULL);
    TU_FAIL_VALUE(ds_config_count(NULL), 0, "config");
    tu_fail(ds_config_get_key(NULL, 0, &k), DS_ERR_INVALID_ARGUMENT, "key_at(NULL config)", "config", NULL);
    cr_assert_str_eq(k, "sentinel", "key_at wrote out on failure");
    tu_fail(ds_config_get_key(cfg, 0, NULL), DS_ERR_INVALID_ARGUMENT, "key_at(NULL out)", "out", NULL);

    cr_assert_eq(tu_config_count(cfg), 1, "a failed call changed the config");
    cr_assert_float_eq(get(cfg, "k"), 1.0, 0.0);
}
