/* Resource bounds: 100,000 items added, stepped, listed, saved, loaded,
 * scheduled and removed one by one (every per-item operation is O(1) or
 * O(log n): quadratic costs would take hours here, the CTest timeout is 120
 * s); and RSS flat over 100,000 create/add/step/schedule/destroy cycles. A
 * plain program: one line per check, non-zero exit on failure. Timing is
 * measured in bench/, not here. */
#include <datasparse/datasparse.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ITEMS 100000
#define CYCLES 100000

static int failures;

#define CHECK(cond, ...)                   \
    do {                                   \
        if (!(cond)) {                     \
            printf("FAIL: " __VA_ARGS__);  \
            printf(" (%s)\n", ds_last_error()); \
            ++failures;                    \
            return;                        \
        }                                  \
    } while (0)

static void quiet(void *u, int level, const char *m) { (void)u, (void)level, (void)m; }

static long rss_kib(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0)
            kib = strtol(line + 6, NULL, 10);
    if (f)
        fclose(f);
    return kib;
}

static int keep(void *u, const char *name, int64_t epoch, double base, double current, double *out) {
    (void)u, (void)name, (void)epoch, (void)current;
    *out = base;
    return 0;
}

static void many_items(void) {
    static float data[ITEMS][16];
    static char names[ITEMS][16];
    ds_sparsifier *s = NULL;
    CHECK(ds_norm_sparsifier_create(DS_NORM_L1, NULL, &s) == DS_OK, "create");
    for (int i = 0; i < ITEMS; ++i) {
        snprintf(names[i], sizeof names[i], "item%d", i);
        for (int k = 0; k < 16; ++k) data[i][k] = (float)((i * 16 + k) % 97);
        CHECK(ds_sparsifier_add_data(s, names[i], data[i], 4, 4, NULL, 0) == DS_OK, "add %d", i);
    }
    CHECK(ds_sparsifier_count(s) == ITEMS, "count");
    CHECK(ds_sparsifier_step(s) == DS_OK, "step");
    for (int i = 0; i < ITEMS; ++i) {
        const char *name = NULL;
        CHECK(ds_sparsifier_get_name(s, (size_t)i, &name) == DS_OK && strcmp(name, names[i]) == 0, "name %d", i);
    }
    ds_scheduler *sch = NULL;
    CHECK(ds_scheduler_create(s, "sparsity_level", keep, NULL, -1, &sch) == DS_OK, "scheduler");
    CHECK(ds_sparsifier_step(s) == DS_OK && ds_scheduler_step(sch) == DS_OK, "scheduler step");
    double v = 0;
    CHECK(ds_scheduler_get_last_param(sch, names[ITEMS / 2], &v) == DS_OK, "last param");
    size_t size = 0;
    CHECK(ds_sparsifier_save_buffer(s, 0, NULL, 0, &size) == DS_OK, "save size");
    uint8_t *state = malloc(size);
    CHECK(state && ds_sparsifier_save_buffer(s, 0, state, size, &size) == DS_OK, "save");
    CHECK(ds_sparsifier_load_buffer(s, state, size, 1) == DS_OK, "load");
    free(state);
    CHECK(ds_scheduler_save_buffer(sch, NULL, 0, &size) == DS_OK, "scheduler save size");
    state = malloc(size);
    CHECK(state && ds_scheduler_save_buffer(sch, state, size, &size) == DS_OK, "scheduler save");
    CHECK(ds_scheduler_load_buffer(sch, state, size) == DS_OK, "scheduler load");
    free(state);
    ds_scheduler_destroy(sch);
    /* remove in a scrambled order: front, back and middle all occur */
    for (int k = 0; k < ITEMS; ++k) {
        const int i = (int)(((int64_t)k * 7919) % ITEMS);
        CHECK(ds_sparsifier_remove_data(s, names[i]) == DS_OK, "remove %d", i);
    }
    CHECK(ds_sparsifier_count(s) == 0, "empty");
    ds_sparsifier_destroy(s);
    printf("items: %d items added, stepped, listed, scheduled, saved, loaded and removed one by one\n", ITEMS);
}

static void one_cycle(float *data) {
    ds_sparsifier *s = NULL;
    ds_scheduler *sch = NULL;
    ds_schedule *gamma = NULL;
    if (ds_norm_sparsifier_create(DS_NORM_L2, NULL, &s) != DS_OK || ds_sparsifier_add_data(s, "w", data, 8, 8, NULL, 0) ||
        ds_sparsifier_step(s) || ds_schedule_create_gamma(1.1, 0.9, &gamma) ||
        ds_scheduler_create_builtin(s, "sparsity_level", gamma, -1, &sch) || ds_scheduler_step(sch))
        ++failures;
    double v;
    (void)ds_sparsifier_get_param(s, "missing", "sparsity_level", &v); /* an error message too */
    ds_scheduler_destroy(sch);
    ds_schedule_destroy(gamma);
    ds_sparsifier_destroy(s);
}

static void flat_rss(void) {
    static float data[64];
    for (int i = 0; i < 64; ++i) data[i] = (float)i;
    for (int i = 0; i < CYCLES / 10; ++i) one_cycle(data); /* warm up: allocator pools, OpenMP threads */
    const long before = rss_kib();
    for (int i = 0; i < CYCLES; ++i) one_cycle(data);
    const long after = rss_kib();
    CHECK(failures == 0, "a cycle failed");
    CHECK(before > 0 && after - before < 2048, "RSS grew from %ld to %ld KiB over %d cycles", before, after, CYCLES);
    printf("rss: %d create/add/step/schedule/destroy cycles: RSS %ld KiB -> %ld KiB\n", CYCLES, before, after);
}

int main(int argc, char **argv) {
    ds_set_log_handler(quiet, NULL);
    many_items();
    if (argc < 2 || strcmp(argv[1], "--no-rss") != 0)
        flat_rss();
    printf("resources: %s\n", failures ? "FAILED" : "passed");
    return failures ? 1 : 0;
}
