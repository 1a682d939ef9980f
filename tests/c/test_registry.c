/* The registry: built-in schedules and norm sparsifier keys as data
 * (ds_schedule_info_*, ds_norm_sparsifier_param_*), ds_schedule_create by
 * kind and named parameters, and the options structs with their _INIT
 * macros. The tests read the registry and hold the library to it. */
#include "test_util.h"

static const ds_param_info *param(const ds_schedule_info *info, const char *name) {
    for (size_t i = 0; i < info->param_count; ++i)
        if (strcmp(info->params[i].name, name) == 0)
            return &info->params[i];
    cr_assert_fail("schedule %s has no parameter %s", info->kind, name);
    return NULL;
}

/* A valid value for every parameter: its default, or above its minimum by
 * 1 + its position (so that rules such as end_step > begin_step hold). */
static ds_config *valid_params(const ds_schedule_info *info) {
    ds_config *c = NULL;
    TU_OK(ds_config_create(&c));
    for (size_t i = 0; i < info->param_count; ++i) {
        const ds_param_info *p = &info->params[i];
        double v = p->has_default ? p->default_value : (isfinite(p->min) ? p->min : 0.0) + 1.0 + (double)i;
        TU_OK(ds_config_set(c, p->name, v));
    }
    return c;
}

Test(registry, schedules_are_listed_once_with_their_parameters) {
    const size_t n = ds_schedule_info_count();
    cr_assert_geq(n, 5, "expected at least the five documented built-ins, got %zu", n);
    for (size_t i = 0; i < n; ++i) {
        const ds_schedule_info *info = ds_schedule_info_at(i);
        cr_assert_not_null(info);
        cr_assert(info->kind && info->kind[0], "kind %zu is empty", i);
        cr_assert(info->formula && info->formula[0], "%s has no formula", info->kind);
        cr_assert(info->param_count > 0 && info->params, "%s has no parameters", info->kind);
        cr_assert_eq(ds_schedule_info_find(info->kind), info, "find(%s) is not at(%zu)", info->kind, i);
        for (size_t j = 0; j < i; ++j)
            cr_assert_str_neq(ds_schedule_info_at(j)->kind, info->kind);
        for (size_t k = 0; k < info->param_count; ++k) {
            const ds_param_info *p = &info->params[k];
            cr_assert(p->name && p->name[0] && p->doc, "%s: parameter %zu lacks a name or doc", info->kind, k);
            cr_assert(p->min <= p->max, "%s.%s: min > max", info->kind, p->name);
            cr_assert(p->type == DS_PARAM_REAL || p->type == DS_PARAM_INTEGER || p->type == DS_PARAM_BOOL);
        }
    }
    const char *kinds[] = {"gamma", "step", "cubic", "polynomial_decay", "constant"};
    for (size_t i = 0; i < TU_ARRAY_LEN(kinds); ++i)
        cr_assert_not_null(ds_schedule_info_find(kinds[i]), "%s is not in the registry", kinds[i]);
}

Test(registry, out_of_range_and_unknown_kinds_set_an_error) {
    TU_FAIL_VALUE(ds_schedule_info_at(ds_schedule_info_count()), NULL, "index");
    TU_FAIL_VALUE(ds_schedule_info_find("linear"), NULL, "linear");
    TU_FAIL_VALUE(ds_schedule_info_find(NULL), NULL, "kind");
    TU_FAIL_VALUE(ds_norm_sparsifier_param_at(ds_norm_sparsifier_param_count()), NULL, "index");
}

Test(registry, positional_order_is_the_typed_constructors) {
    const ds_schedule_info *g = ds_schedule_info_find("gamma");
    cr_assert_str_eq(g->params[0].name, "gamma");
    cr_assert_str_eq(g->params[1].name, "threshold");
    const ds_schedule_info *c = ds_schedule_info_find("cubic");
    const char *cubic[] = {"init_value", "init_t", "delta_t", "total_t", "initially_zero"};
    cr_assert_eq(c->param_count, TU_ARRAY_LEN(cubic));
    for (size_t i = 0; i < TU_ARRAY_LEN(cubic); ++i)
        cr_assert_str_eq(c->params[i].name, cubic[i]);
    const ds_schedule_info *p = ds_schedule_info_find("polynomial_decay");
    const char *poly[] = {"initial", "final", "begin_step", "end_step", "power", "frequency"};
    cr_assert_eq(p->param_count, TU_ARRAY_LEN(poly));
    for (size_t i = 0; i < TU_ARRAY_LEN(poly); ++i)
        cr_assert_str_eq(p->params[i].name, poly[i]);
}

Test(registry, init_macros_hold_the_registry_defaults) {
    const ds_cubic_options c = DS_CUBIC_OPTIONS_INIT;
    const ds_schedule_info *ci = ds_schedule_info_find("cubic");
    cr_assert_eq(c.version, DS_CUBIC_OPTIONS_VERSION);
    cr_assert_float_eq(c.init_value, param(ci, "init_value")->default_value, 0.0);
    cr_assert_eq((double)c.init_t, param(ci, "init_t")->default_value);
    cr_assert_eq((double)c.delta_t, param(ci, "delta_t")->default_value);
    cr_assert_eq((double)c.total_t, param(ci, "total_t")->default_value);
    cr_assert_eq((double)c.initially_zero, param(ci, "initially_zero")->default_value);
    for (size_t i = 0; i < ci->param_count; ++i)
        cr_assert(ci->params[i].has_default, "cubic.%s has no default", ci->params[i].name);

    const ds_polynomial_decay_options p = DS_POLYNOMIAL_DECAY_OPTIONS_INIT;
    const ds_schedule_info *pi = ds_schedule_info_find("polynomial_decay");
    cr_assert_eq(p.version, DS_POLYNOMIAL_DECAY_OPTIONS_VERSION);
    cr_assert_eq((double)p.begin_step, param(pi, "begin_step")->default_value);
    cr_assert_float_eq(p.power, param(pi, "power")->default_value, 0.0);
    cr_assert_eq((double)p.frequency, param(pi, "frequency")->default_value);
    cr_assert(!param(pi, "initial")->has_default && !param(pi, "final")->has_default &&
              !param(pi, "end_step")->has_default);
    /* The INIT's end_step is not valid until set: the call says which field. */
    ds_schedule *out = NULL;
    tu_fail(ds_schedule_create_polynomial_decay(&p, &out), DS_ERR_INVALID_ARGUMENT, "INIT as is", "end_step", NULL);
    cr_assert_null(out);
}

Test(registry, options_version_and_null_are_checked) {
    ds_schedule *out = (ds_schedule *)&out;
    ds_cubic_options c = DS_CUBIC_OPTIONS_INIT;
    c.version = 2;
    tu_fail(ds_schedule_create_cubic(&c, &out), DS_ERR_INVALID_ARGUMENT, "version 2", "version", "DS_CUBIC_OPTIONS_VERSION");
    tu_fail(ds_schedule_create_cubic(NULL, &out), DS_ERR_INVALID_ARGUMENT, "NULL options", "options", NULL);
    ds_polynomial_decay_options p = DS_POLYNOMIAL_DECAY_OPTIONS_INIT;
    p.version = 0;
    tu_fail(ds_schedule_create_polynomial_decay(&p, &out), DS_ERR_INVALID_ARGUMENT, "version 0", "version", NULL);
    cr_assert_eq(out, (ds_schedule *)&out, "out written on failure");
}

/* Every built-in is made by ds_schedule_create from valid named values, and
 * every published lower bound is enforced with a message naming the parameter. */
Test(registry, create_by_kind_honours_every_published_bound) {
    for (size_t i = 0; i < ds_schedule_info_count(); ++i) {
        const ds_schedule_info *info = ds_schedule_info_at(i);
        ds_config *c = valid_params(info);
        ds_schedule *out = NULL;
        TU_OK(ds_schedule_create(info->kind, c, &out));
        cr_assert_str_eq(ds_schedule_kind(out), info->kind);
        ds_schedule_destroy(out);
        for (size_t k = 0; k < info->param_count; ++k) {
            const ds_param_info *p = &info->params[k];
            ds_config *bad = NULL;
            TU_OK(ds_config_clone(c, &bad));
            double v = p->type == DS_PARAM_BOOL ? 2.0 : isfinite(p->min) ? p->min - 1.0 : NAN;
            if (isnan(v)) {
                ds_config_destroy(bad);
                continue; /* unbounded below: NaN/inf cannot be put in a config */
            }
            TU_OK(ds_config_set(bad, p->name, v));
            out = NULL;
            char what[128];
            snprintf(what, sizeof what, "%s.%s = %g", info->kind, p->name, v);
            tu_fail(ds_schedule_create(info->kind, bad, &out), DS_ERR_INVALID_ARGUMENT, what, p->name, NULL);
            cr_assert_null(out);
            if (p->type == DS_PARAM_INTEGER) {
                TU_OK(ds_config_set(bad, p->name, p->min + 0.5));
                tu_fail(ds_schedule_create(info->kind, bad, &out), DS_ERR_INVALID_ARGUMENT, what, "integer", NULL);
            }
            ds_config_destroy(bad);
        }
        ds_config_destroy(c);
    }
}

Test(registry, create_by_kind_names_missing_unknown_and_wrong_kinds) {
    ds_schedule *out = NULL;
    ds_config *c = tu_cfg("gamma", 2.0, NULL);
    tu_fail(ds_schedule_create("gamma", c, &out), DS_ERR_INVALID_ARGUMENT, "missing", "threshold", NULL);
    TU_OK(ds_config_set(c, "threshold", 0.8));
    TU_OK(ds_config_set(c, "gama", 1.0));
    tu_fail(ds_schedule_create("gamma", c, &out), DS_ERR_INVALID_ARGUMENT, "unknown", "gama", "threshold");
    tu_fail(ds_schedule_create("linear", c, &out), DS_ERR_INVALID_ARGUMENT, "kind", "linear", "gamma");
    tu_fail(ds_schedule_create(NULL, c, &out), DS_ERR_INVALID_ARGUMENT, "NULL kind", "kind", NULL);
    tu_fail(ds_schedule_create("gamma", NULL, &out), DS_ERR_INVALID_ARGUMENT, "no params", "gamma", NULL);
    cr_assert_null(out);
    /* every cubic parameter has a default: NULL params is fine */
    TU_OK(ds_schedule_create("cubic", NULL, &out));
    ds_schedule_destroy(out);
    ds_config_destroy(c);
}

/* The same schedule by name and by typed constructor gives the same values. */
static int by_kind_equals_typed(ds_schedule *a, ds_schedule *b) {
    float data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    double va[12], vb[12];
    ds_schedule *both[2] = {a, b};
    double *out[2] = {va, vb};
    for (int w = 0; w < 2; ++w) {
        ds_sparsifier *s = NULL;
        ds_config *d = tu_cfg("sparsity_level", 0.6, NULL);
        TU_OK(ds_norm_sparsifier_create(DS_NORM_L1, d, &s));
        TU_OK(ds_sparsifier_add_data(s, "x", data, 2, 4, NULL, 0));
        ds_scheduler *sch = NULL;
        TU_OK(ds_scheduler_create_builtin(s, "sparsity_level", both[w], -1, &sch));
        for (int e = 0; e < 12; ++e) {
            TU_OK(ds_scheduler_get_last_param(sch, "x", &out[w][e]));
            TU_OK(ds_sparsifier_step(s));
            TU_OK(ds_scheduler_step(sch));
        }
        ds_scheduler_destroy(sch);
        ds_sparsifier_destroy(s);
        ds_config_destroy(d);
    }
    return memcmp(va, vb, sizeof va) == 0;
}

Test(registry, create_by_kind_is_the_typed_constructor) {
    ds_schedule *named = NULL, *typed = NULL;
    ds_config *c = tu_cfg("init_value", 0.1, "init_t", 1.0, "delta_t", 2.0, "total_t", 3.0, NULL);
    TU_OK(ds_schedule_create("cubic", c, &named));
    TU_OK(tu_cubic(0.1, 1, 2, 3, 0, &typed));
    cr_assert(by_kind_equals_typed(named, typed), "cubic by kind differs from ds_schedule_create_cubic");
    ds_schedule_destroy(named);
    ds_schedule_destroy(typed);
    ds_config_destroy(c);

    c = tu_cfg("initial", 0.1, "final", 0.7, "begin_step", 1.0, "end_step", 9.0, "frequency", 2.0, NULL);
    TU_OK(ds_schedule_create("polynomial_decay", c, &named));
    TU_OK(tu_polynomial_decay(0.1, 0.7, 1, 9, 3.0, 2, &typed));
    cr_assert(by_kind_equals_typed(named, typed), "polynomial_decay by kind differs from the typed constructor");
    ds_schedule_destroy(named);
    ds_schedule_destroy(typed);
    ds_config_destroy(c);
}

Test(registry, norm_keys_are_what_the_norm_sparsifier_reads) {
    const char *names[] = {"sparsity_level", "block_rows", "block_cols", "zeros_per_block"};
    cr_assert_eq(ds_norm_sparsifier_param_count(), TU_ARRAY_LEN(names));
    for (size_t i = 0; i < TU_ARRAY_LEN(names); ++i)
        cr_assert_str_eq(ds_norm_sparsifier_param_at(i)->name, names[i]);
    /* the defaults a norm sparsifier's items get are the published ones */
    ds_sparsifier *s = NULL;
    float data[8] = {0};
    TU_OK(ds_norm_sparsifier_create(DS_NORM_L2, NULL, &s));
    TU_OK(ds_sparsifier_add_data(s, "x", data, 2, 4, NULL, 0));
    for (size_t i = 0; i < ds_norm_sparsifier_param_count(); ++i) {
        const ds_param_info *p = ds_norm_sparsifier_param_at(i);
        double v = -1;
        TU_OK(ds_sparsifier_get_param(s, "x", p->name, &v));
        if (p->has_default)
            cr_assert_float_eq(v, p->default_value, 0.0, "%s", p->name);
    }
    /* and a value below a published minimum is refused, naming the key */
    for (size_t i = 0; i < ds_norm_sparsifier_param_count(); ++i) {
        const ds_param_info *p = ds_norm_sparsifier_param_at(i);
        if (!isfinite(p->min))
            continue;
        tu_fail(ds_sparsifier_set_param(s, "x", p->name, p->min - 1.0), DS_ERR_INVALID_ARGUMENT, p->name, p->name, NULL);
    }
    ds_sparsifier_destroy(s);
}
