/* Concurrency: 8 threads x 1000 operations, each on handles of its own
 * (create, add, step, masks, params, save and load, a scheduler, failing
 * calls whose message must be this thread's), while 2 more threads keep
 * reading ds_last_error() and replacing the log handler, and every thread
 * starts by reading the registry (its lazy initialisation races). Built
 * with ThreadSanitizer in CI (.ci/test, OMP_NUM_THREADS=1: libgomp is not
 * instrumented, so its regions run on the calling thread there); in the
 * other builds it checks the same results with OpenMP on. A plain program
 * (Criterion's process arena cannot start under ThreadSanitizer): prints
 * one line and exits non-zero on any failure. */
#include <datasparse/datasparse.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { WORKERS = 8, OPERATIONS = 1000, OTHERS = 2 };

static atomic_int g_logged, g_stop, g_failures;
static char g_failure[256];

static void fail_with(const char *what) {
    if (atomic_fetch_add(&g_failures, 1) == 0)
        snprintf(g_failure, sizeof g_failure, "%s", what);
}

static void counting_log(void *user_data, int level, const char *message) {
    (void)user_data, (void)level, (void)message;
    atomic_fetch_add(&g_logged, 1);
}

#define EXPECT(cond, what)  \
    do {                    \
        if (!(cond)) {      \
            fail_with(what); \
            return NULL;    \
        }                   \
    } while (0)

static void quiet_log(void *user_data, int level, const char *message) { (void)user_data, (void)level, (void)message; }

static void fill(float *data, size_t n, unsigned seed) {
    for (size_t i = 0; i < n; ++i) data[i] = (float)((i * 37u + seed * 101u) % 211u) - 105.0f;
}

static void *worker(void *arg) {
    const int id = (int)(intptr_t)arg;
    EXPECT(ds_schedule_info_count() >= 5 && ds_schedule_info_find("cubic") != NULL, "registry");
    float a[8 * 8], b[4 * 16];
    fill(a, 64, (unsigned)id + 1);
    fill(b, 64, (unsigned)id + 100);
    char missing[32], what[128];
    snprintf(missing, sizeof missing, "missing-t%d", id);
    uint8_t mask[64];
    for (int op = 0; op < OPERATIONS; op += 18) { /* 18 calls a round */
        ds_sparsifier *s = NULL;
        EXPECT(ds_norm_sparsifier_create(op % 36 ? DS_NORM_L1 : DS_NORM_L2, NULL, &s) == DS_OK, "create");
        EXPECT(ds_sparsifier_add_data(s, "a", a, 8, 8, NULL, 0) == DS_OK, "add a");
        EXPECT(ds_sparsifier_add_data(s, "b", b, 4, 16, NULL, 0) == DS_OK, "add b");
        EXPECT(ds_sparsifier_add_data(s, "b", b, 4, 16, NULL, 1) == DS_OK, "replace b (logs)");
        EXPECT(ds_sparsifier_step(s) == DS_OK, "step");
        EXPECT(ds_sparsifier_get_mask(s, "a", mask, 64) == DS_OK, "get_mask");
        double v = 0;
        /* a failing call: the message is this thread's own */
        EXPECT(ds_sparsifier_get_param(s, missing, "sparsity_level", &v) == DS_ERR_NOT_FOUND, "not found");
        snprintf(what, sizeof what, "message of thread %d: %s", id, ds_last_error());
        EXPECT(strstr(ds_last_error(), missing) != NULL, what);
        EXPECT(ds_sparsifier_set_param(s, "a", "sparsity_level", 0.25 + 0.01 * (op % 50)) == DS_OK, "set_param");
        size_t size = 0;
        EXPECT(ds_sparsifier_save_buffer(s, 0, NULL, 0, &size) == DS_OK, "save size");
        uint8_t *state = malloc(size);
        EXPECT(state && ds_sparsifier_save_buffer(s, 0, state, size, &size) == DS_OK, "save");
        EXPECT(ds_sparsifier_load_buffer(s, state, size, 1) == DS_OK, "load");
        free(state);
        ds_schedule *gamma = NULL;
        ds_scheduler *sch = NULL;
        EXPECT(ds_schedule_create_gamma(1.5, 0.9, &gamma) == DS_OK, "gamma");
        EXPECT(ds_scheduler_create_builtin(s, "sparsity_level", gamma, -1, &sch) == DS_OK, "scheduler");
        ds_schedule_destroy(gamma);
        EXPECT(ds_sparsifier_step(s) == DS_OK && ds_scheduler_step(sch) == DS_OK, "scheduler step");
        ds_scheduler_destroy(sch);
        ds_sparsifier_destroy(s);
    }
    return NULL;
}

static void *other(void *arg) {
    const int id = (int)(intptr_t)arg;
    int round = 0;
    while (!atomic_load(&g_stop)) {
        const char *m = ds_last_error();
        if (!m) {
            fail_with("ds_last_error returned NULL");
            break;
        }
        if (id == 0)
            ds_set_log_handler(++round % 2 ? counting_log : quiet_log, NULL);
        (void)ds_schedule_info_at(0);
    }
    return NULL;
}

int main(void) {
    ds_set_log_handler(counting_log, NULL);
    pthread_t w[WORKERS], o[OTHERS];
    for (int i = 0; i < OTHERS; ++i)
        if (pthread_create(&o[i], NULL, other, (void *)(intptr_t)i) != 0)
            return 2;
    for (int i = 0; i < WORKERS; ++i)
        if (pthread_create(&w[i], NULL, worker, (void *)(intptr_t)i) != 0)
            return 2;
    for (int i = 0; i < WORKERS; ++i)
        pthread_join(w[i], NULL);
    atomic_store(&g_stop, 1);
    for (int i = 0; i < OTHERS; ++i)
        pthread_join(o[i], NULL);
    ds_set_log_handler(NULL, NULL);
    if (atomic_load(&g_failures) != 0) {
        printf("threads: FAILED %d times, the first: %s\n", atomic_load(&g_failures), g_failure);
        return 1;
    }
    printf("threads: %d threads x %d operations passed (%d replacement warnings logged while 2 threads read errors "
           "and replaced the handler)\n",
           WORKERS, OPERATIONS, atomic_load(&g_logged));
    return 0;
}
