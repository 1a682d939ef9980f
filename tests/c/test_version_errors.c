/* Version, status names, the per-thread last error and the log handler. */
#include "test_util.h"

#include <criterion/redirect.h>
#include <limits.h>
#include <pthread.h>

/* --- Version ---------------------------------------------------------- */

Test(version, number_matches_header) {
    cr_assert_eq(ds_version_number(), (unsigned)DS_VERSION_NUMBER, "library %u, header %u", ds_version_number(),
                 (unsigned)DS_VERSION_NUMBER);
    cr_assert_eq(DS_VERSION_NUMBER, DS_VERSION_MAJOR * 10000 + DS_VERSION_MINOR * 100 + DS_VERSION_PATCH);
}

Test(version, string_matches_header) {
    const char *v = ds_version_string();
    cr_assert_not_null(v);
    cr_assert_str_eq(v, DS_VERSION_STRING);
    char expected[64];
    snprintf(expected, sizeof expected, "%d.%d.%d", DS_VERSION_MAJOR, DS_VERSION_MINOR, DS_VERSION_PATCH);
    cr_assert_str_eq(v, expected, "version string \"%s\" does not spell the header macros \"%s\"", v, expected);
    cr_assert_eq(ds_version_string(), v, "version string is not static storage");
}

/* --- Status names ----------------------------------------------------- */

Test(errors, status_string_names_every_code) {
    static const struct {
        ds_status code;
        const char *name;
    } table[] = {
        {DS_OK, "DS_OK"},
        {DS_ERR_INVALID_ARGUMENT, "DS_ERR_INVALID_ARGUMENT"},
        {DS_ERR_NOT_FOUND, "DS_ERR_NOT_FOUND"},
        {DS_ERR_SHAPE, "DS_ERR_SHAPE"},
        {DS_ERR_STATE, "DS_ERR_STATE"},
        {DS_ERR_CALLBACK, "DS_ERR_CALLBACK"},
        {DS_ERR_CORRUPT, "DS_ERR_CORRUPT"},
        {DS_ERR_IO, "DS_ERR_IO"},
        {DS_ERR_NO_MEMORY, "DS_ERR_NO_MEMORY"},
        {DS_ERR_UNSUPPORTED, "DS_ERR_UNSUPPORTED"},
        {DS_ERR_INTERNAL, "DS_ERR_INTERNAL"},
    };
    for (size_t i = 0; i < TU_ARRAY_LEN(table); ++i) {
        const char *s = ds_status_string(table[i].code);
        cr_assert_not_null(s, "ds_status_string(%d) is NULL", (int)table[i].code);
        cr_assert_str_eq(s, table[i].name, "ds_status_string(%d)", (int)table[i].code);
    }
}

Test(errors, status_string_unknown_values) {
    const int unknown[] = {11, 12, 100, -1, INT_MAX, INT_MIN};
    for (size_t i = 0; i < TU_ARRAY_LEN(unknown); ++i) {
        const char *s = ds_status_string((ds_status)unknown[i]);
        cr_assert_not_null(s, "ds_status_string(%d) is NULL", unknown[i]);
        cr_assert_str_eq(s, "DS_UNKNOWN_STATUS", "ds_status_string(%d)", unknown[i]);
    }
}

/* --- Last error ------------------------------------------------------- */

Test(errors, last_error_is_empty_before_any_failure) {
    const char *m = ds_last_error();
    cr_assert_not_null(m);
    cr_assert_str_eq(m, "");
    ds_config *c = NULL;
    TU_OK(ds_config_create(&c));
    TU_OK(ds_config_set(c, "k", 1.0));
    cr_assert_str_eq(ds_last_error(), "", "a successful call set an error message");
    ds_config_destroy(c);
}

Test(errors, last_error_names_the_argument) {
    ds_config *c = NULL;
    TU_OK(ds_config_create(&c));
    tu_fail(ds_config_set(c, "", 1.0), DS_ERR_INVALID_ARGUMENT, "empty key", "key", NULL);
    double v = 0;
    tu_fail(ds_config_get(c, "no_such_key_42", &v), DS_ERR_NOT_FOUND, "absent key", "no_such_key_42", NULL);
    tu_fail(ds_config_set(c, "level", NAN), DS_ERR_INVALID_ARGUMENT, "NaN value", "nan", NULL);

    ds_sparsifier *s = NULL;
    TU_OK(ds_norm_sparsifier_create(DS_NORM_L1, NULL, &s));
    float data[4] = {1, 2, 3, 4};
    tu_fail(ds_sparsifier_add_data(s, "x", data, -3, 4, NULL, 0), DS_ERR_INVALID_ARGUMENT, "negative rows", "rows",
            "-3");
    tu_fail(ds_sparsifier_add_data(s, "bad.name", data, 1, 4, NULL, 0), DS_ERR_INVALID_ARGUMENT, "dotted name",
            "name", "bad.name");
    ds_sparsifier_destroy(s);
    ds_config_destroy(c);
}

Test(errors, last_error_is_never_null) {
    cr_assert_not_null(ds_last_error());
    tu_fail(ds_config_create(NULL), DS_ERR_INVALID_ARGUMENT, "create(NULL)", NULL, NULL);
    cr_assert_not_null(ds_last_error());
    ds_config_destroy(NULL);
    cr_assert_not_null(ds_last_error());
}

Test(errors, success_does_not_clear_the_message) {
    ds_config *c = NULL;
    TU_OK(ds_config_create(&c));
    double v = 0;
    ds_status st = ds_config_get(c, "missing_key", &v);
    char first[1024];
    snprintf(first, sizeof first, "%s", tu_fail(st, DS_ERR_NOT_FOUND, "get missing", "missing_key", NULL));
    TU_OK(ds_config_set(c, "present", 2.0));
    TU_OK(ds_config_get(c, "present", &v));
    cr_assert_str_eq(ds_last_error(), first, "a successful call changed the last error");
    ds_config_destroy(c);
}

Test(errors, next_failure_replaces_the_message) {
    ds_config *c = NULL;
    TU_OK(ds_config_create(&c));
    double v = 0;
    tu_fail(ds_config_get(c, "first_missing", &v), DS_ERR_NOT_FOUND, "first", "first_missing", NULL);
    const char *m = tu_fail(ds_config_remove(c, "second_missing"), DS_ERR_NOT_FOUND, "second", "second_missing", NULL);
    cr_assert(!tu_contains_ci(m, "first_missing"), "old message kept: \"%s\"", m);
    ds_config_destroy(c);
}

typedef struct thread_result {
    char initial[256];
    char after[1024];
    ds_status status;
} thread_result;

static void *fail_in_thread(void *arg) {
    thread_result *r = arg;
    snprintf(r->initial, sizeof r->initial, "%s", ds_last_error());
    ds_config *c = NULL;
    if (ds_config_create(&c) != DS_OK)
        return NULL;
    double v = 0;
    r->status = ds_config_get(c, "thread_key", &v);
    snprintf(r->after, sizeof r->after, "%s", ds_last_error());
    ds_config_destroy(c);
    return NULL;
}

Test(errors, last_error_is_per_thread) {
    ds_config *c = NULL;
    TU_OK(ds_config_create(&c));
    double v = 0;
    char mine[1024];
    snprintf(mine, sizeof mine, "%s",
             tu_fail(ds_config_get(c, "main_key", &v), DS_ERR_NOT_FOUND, "main thread", "main_key", NULL));

    thread_result r;
    memset(&r, 0, sizeof r);
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, fail_in_thread, &r), 0);
    cr_assert_eq(pthread_join(t, NULL), 0);

    cr_assert_str_eq(r.initial, "", "a new thread sees another thread's message: \"%s\"", r.initial);
    cr_assert_eq(r.status, DS_ERR_NOT_FOUND);
    cr_assert(tu_contains_ci(r.after, "thread_key"), "thread message \"%s\"", r.after);
    cr_assert_str_eq(ds_last_error(), mine, "another thread's failure replaced this thread's message");
    ds_config_destroy(c);
}

/* --- Log handler ------------------------------------------------------ */

typedef struct log_capture {
    int calls;
    int warnings;
    int last_level;
    char last_message[1024];
    pthread_t thread;
} log_capture;

static void capture_log(void *user_data, int level, const char *message) {
    log_capture *cap = user_data;
    cap->calls++;
    if (level == DS_LOG_WARNING)
        cap->warnings++;
    cap->last_level = level;
    snprintf(cap->last_message, sizeof cap->last_message, "%s", message ? message : "(null)");
    cap->thread = pthread_self();
}

static void other_log(void *user_data, int level, const char *message) {
    (void)level;
    (void)message;
    ++*(int *)user_data;
}

static void teardown_log(void) {
    ds_set_log_handler(NULL, NULL);
}

TestSuite(log, .fini = teardown_log);

Test(log, handler_receives_the_replace_warning) {
    log_capture cap;
    memset(&cap, 0, sizeof cap);
    ds_set_log_handler(capture_log, &cap);

    ds_sparsifier *s = NULL;
    TU_OK(ds_norm_sparsifier_create(DS_NORM_L1, NULL, &s));
    float a[4] = {1, 2, 3, 4}, b[4] = {4, 3, 2, 1};
    TU_OK(ds_sparsifier_add_data(s, "weights", a, 1, 4, NULL, 0));
    cr_assert_eq(cap.warnings, 0, "adding a new name warned: \"%s\"", cap.last_message);

    TU_OK(ds_sparsifier_add_data(s, "weights", b, 1, 4, NULL, 0));
    cr_assert_eq(cap.warnings, 1, "replacing by name gave %d warnings", cap.warnings);
    cr_assert_eq(cap.last_level, DS_LOG_WARNING);
    cr_assert(cap.last_message[0] != '\0', "empty warning message");
    cr_assert(pthread_equal(cap.thread, pthread_self()), "log handler ran on another thread");

    /* NULL restores the default: our handler hears nothing more. */
    ds_set_log_handler(NULL, NULL);
    int before = cap.calls;
    TU_OK(ds_sparsifier_add_data(s, "weights", a, 1, 4, NULL, 1));
    cr_assert_eq(cap.calls, before, "handler still called after restoring the default");
    ds_sparsifier_destroy(s);
}

Test(log, replace_with_reuse_mask_also_warns) {
    log_capture cap;
    memset(&cap, 0, sizeof cap);
    ds_set_log_handler(capture_log, &cap);
    ds_sparsifier *s = NULL;
    TU_OK(ds_norm_sparsifier_create(DS_NORM_L2, NULL, &s));
    float a[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    TU_OK(ds_sparsifier_add_data(s, "a", a, 2, 4, NULL, 0));
    TU_OK(ds_sparsifier_add_data(s, "b", a, 2, 4, NULL, 0));
    cr_assert_eq(cap.warnings, 0);
    TU_OK(ds_sparsifier_add_data(s, "a", a, 2, 4, NULL, 1));
    cr_assert_eq(cap.warnings, 1);
    cr_assert_eq(cap.last_level, DS_LOG_WARNING);
    ds_sparsifier_destroy(s);
}

Test(log, installing_a_handler_replaces_the_previous_one) {
    log_capture cap;
    memset(&cap, 0, sizeof cap);
    int other_calls = 0;
    ds_set_log_handler(capture_log, &cap);
    ds_set_log_handler(other_log, &other_calls);

    ds_sparsifier *s = NULL;
    TU_OK(ds_norm_sparsifier_create(DS_NORM_L1, NULL, &s));
    float a[4] = {1, 2, 3, 4};
    TU_OK(ds_sparsifier_add_data(s, "x", a, 1, 4, NULL, 0));
    TU_OK(ds_sparsifier_add_data(s, "x", a, 1, 4, NULL, 0));
    cr_assert_eq(cap.calls, 0, "the replaced handler was called");
    cr_assert_geq(other_calls, 1, "the installed handler was not called");
    ds_sparsifier_destroy(s);
}

static void redirect_all(void) {
    cr_redirect_stderr();
}

Test(log, default_handler_prints_warnings_to_stderr, .init = redirect_all) {
    ds_set_log_handler(NULL, NULL);
    ds_sparsifier *s = NULL;
    TU_OK(ds_norm_sparsifier_create(DS_NORM_L1, NULL, &s));
    float a[4] = {1, 2, 3, 4};
    TU_OK(ds_sparsifier_add_data(s, "x", a, 1, 4, NULL, 0));
    TU_OK(ds_sparsifier_add_data(s, "x", a, 1, 4, NULL, 0));
    ds_sparsifier_destroy(s);
    fflush(stderr);
    cr_assert_stderr_neq_str("", "the default handler printed nothing to stderr for a warning");
}
