/* The seed README's flow end to end in C:
 *
 *   data_sparsifier = SomeDataSparsifier(...)
 *   data_scheduler  = SomeDataScheduler(data_sparsifier, ...)
 *   for epoch in range(EPOCHS):
 *       for input, target in dataset:
 *           input = data_sparsifier.add_data(name='train_data', data=input)
 *           ... forward, backward, optimizer step ...
 *           data_sparsifier.step()
 *       data_scheduler.step()
 *
 * with the README's GammaScheduler done right (epoch 0 gives the base value,
 * then min(threshold, current * gamma)), as a C callback and as the built-in
 * gamma schedule. Each batch is 16x16 with 1x4 blocks: 64 blocks, so every
 * level used (multiples of 1/64) zeroes exactly level * 64 blocks and the
 * sparsity equals the level exactly. */
#include <criterion/criterion.h>
#include <datasparse/datasparse.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"


#define ROWS 16
#define COLS 16
#define N (ROWS * COLS)
#define BLOCKS (N / 4) /* 1x4 blocks */
#define EPOCHS 5
#define BATCHES 4
#define BASE_LEVEL 0.125
#define GAMMA 2.0
#define THRESHOLD 0.75

/* Expected level (= sparsity) at the end of each epoch:
 *   epoch 0: 0.125 (base: 8 of 64 blocks)
 *   epoch 1: min(0.75, 0.125 * 2) = 0.25  (16 blocks)
 *   epoch 2: min(0.75, 0.25 * 2)  = 0.5   (32 blocks)
 *   epoch 3: min(0.75, 0.5 * 2)   = 0.75  (48 blocks)
 *   epoch 4: min(0.75, 0.75 * 2)  = 0.75
 * All exact in binary. */
static const double k_expected[EPOCHS] = {0.125, 0.25, 0.5, 0.75, 0.75};

/* ---------------------------------------------------------------------
 * Logging: count the warnings (replacing "train_data") and any others.
 * --------------------------------------------------------------------- */

typedef struct log_counts {
    int warnings;
    int replace_warnings; /* warnings naming train_data */
    int other;
    char last[512];
} log_counts;

static log_counts g_log;

static void count_log(void *user_data, int level, const char *message) {
    log_counts *c = (log_counts *)user_data;
    if (level >= DS_LOG_WARNING) {
        c->warnings++;
        if (strstr(message, "train_data"))
            c->replace_warnings++;
        snprintf(c->last, sizeof c->last, "%s", message);
    } else {
        c->other++;
    }
}

static void setup(void) {
    memset(&g_log, 0, sizeof g_log);
    ds_set_log_handler(count_log, &g_log);
}

static void teardown(void) { ds_set_log_handler(NULL, NULL); }

TestSuite(seed_flow, .init = setup, .fini = teardown);

/* ---------------------------------------------------------------------
 * Batches: every element of block b has the magnitude (rank[b] + 1) / 64,
 * where rank is a permutation of 0..63 that depends on (epoch, batch). The
 * k blocks to zero at level k/64 are exactly those with rank < k.
 * --------------------------------------------------------------------- */

static void batch_ranks(int epoch, int batch, int *rank) {
    /* rank[b] = (b * m + off) % 64 with m odd: a permutation. */
    int m = 2 * (epoch * BATCHES + batch) + 5;
    int off = 7 * epoch + 3 * batch;
    for (int b = 0; b < BLOCKS; ++b)
        rank[b] = (b * m + off) % BLOCKS;
}

static void fill_batch(float *data, int epoch, int batch) {
    int rank[BLOCKS];
    batch_ranks(epoch, batch, rank);
    for (int i = 0; i < N; ++i) {
        int b = i / 4; /* 1x4 blocks of a 16-wide row: block index = element index / 4 */
        float v = (float)(rank[b] + 1) / 64.0f;
        data[i] = (i % 3 == 0) ? -v : v;
    }
}

static void expected_mask(int epoch, int batch, double level, uint8_t *mask) {
    int rank[BLOCKS];
    batch_ranks(epoch, batch, rank);
    int k = (int)(level * BLOCKS); /* exact: level is a multiple of 1/64 */
    for (int i = 0; i < N; ++i)
        mask[i] = rank[i / 4] < k ? 0 : 1;
}

/* ---------------------------------------------------------------------
 * Schedules
 * --------------------------------------------------------------------- */

typedef struct gamma_params {
    double gamma, threshold;
    int calls;
} gamma_params;

/* The README's GammaScheduler, starting from the base value. */
static int gamma_schedule(void *user_data, const char *name, int64_t epoch, double base, double current,
                          double *out) {
    gamma_params *g = (gamma_params *)user_data;
    (void)name;
    g->calls++;
    *out = epoch > 0 ? fmin(g->threshold, current * g->gamma) : base;
    return 0;
}

/* The README's GammaScheduler as written: 0.0 at epoch 0. */
static int seed_gamma_as_written(void *user_data, const char *name, int64_t epoch, double base, double current,
                                 double *out) {
    gamma_params *g = (gamma_params *)user_data;
    (void)name;
    (void)base;
    *out = epoch > 0 ? fmin(g->threshold, current * g->gamma) : 0.0;
    return 0;
}

/* ---------------------------------------------------------------------
 * The loop
 * --------------------------------------------------------------------- */

typedef enum sched_mode { MODE_CALLBACK, MODE_BUILTIN, MODE_AS_WRITTEN } sched_mode;

typedef struct flow_result {
    double sparsity[EPOCHS];
    double level[EPOCHS];
    int warnings, replace_warnings;
} flow_result;

/* data_before_scheduler: register a first batch before creating the
 * scheduler (its base is then taken at creation) instead of the README's
 * order (scheduler first, data added in the loop). */
static void run_flow(sched_mode mode, int data_before_scheduler, flow_result *res) {
    memset(res, 0, sizeof *res);
    memset(&g_log, 0, sizeof g_log);
    ds_config *defaults = NULL;
    TU_OK(ds_config_create(&defaults));
    TU_OK(ds_config_set(defaults, "sparsity_level", BASE_LEVEL));
    TU_OK(ds_config_set(defaults, "block_rows", 1));
    TU_OK(ds_config_set(defaults, "block_cols", 4));
    ds_sparsifier *s = NULL;
    TU_OK(ds_norm_sparsifier_create(DS_NORM_L1, defaults, &s));
    ds_config_destroy(defaults);

    float *batch = malloc(N * sizeof(float));
    cr_assert_not_null(batch);
    if (data_before_scheduler) {
        fill_batch(batch, 0, 0);
        TU_OK(ds_sparsifier_add_data(s, "train_data", batch, ROWS, COLS, NULL, 0));
    }

    gamma_params g = {GAMMA, THRESHOLD, 0};
    ds_scheduler *sch = NULL;
    if (mode == MODE_BUILTIN) {
        ds_schedule *p = NULL;
        TU_OK(ds_schedule_create_gamma(GAMMA, THRESHOLD, &p));
        TU_OK(ds_scheduler_create_builtin(s, "sparsity_level", p, -1, &sch));
        ds_schedule_destroy(p);
    } else {
        TU_OK(ds_scheduler_create(s, "sparsity_level", mode == MODE_CALLBACK ? gamma_schedule : seed_gamma_as_written,
                               &g, -1, &sch));
    }
    cr_assert_eq(ds_scheduler_last_epoch(sch), 0);

    uint8_t mask[N], want[N];
    for (int epoch = 0; epoch < EPOCHS; ++epoch) {
        double level = NAN;
        for (int b = 0; b < BATCHES; ++b) {
            fill_batch(batch, epoch, b);
            TU_OK(ds_sparsifier_add_data(s, "train_data", batch, ROWS, COLS, NULL, 0));
            /* ... forward, backward, optimizer step ... */
            TU_OK(ds_sparsifier_step(s));

            TU_OK(ds_sparsifier_get_param(s, "train_data", "sparsity_level", &level));
            TU_OK(ds_sparsifier_get_mask(s, "train_data", mask, N));
            if (mode != MODE_AS_WRITTEN) {
                /* The level in force this epoch; the mask zeroes the lowest-ranked blocks. */
                cr_assert_float_eq(level, k_expected[epoch], 1e-15, "epoch %d batch %d: level %.17g, expected %g",
                                   epoch, b, level, k_expected[epoch]);
                expected_mask(epoch, b, level, want);
                cr_assert(memcmp(mask, want, N) == 0, "epoch %d batch %d: the mask does not zero the %g * 64 blocks "
                          "of smallest magnitude", epoch, b, level);
            }
        }
        TU_OK(ds_sparsifier_get_sparsity(s, "train_data", &res->sparsity[epoch]));
        res->level[epoch] = level;
        TU_OK(ds_scheduler_step(sch));
        cr_assert_eq(ds_scheduler_last_epoch(sch), epoch + 1);
    }
    res->warnings = g_log.warnings;
    res->replace_warnings = g_log.replace_warnings;
    if (mode == MODE_CALLBACK)
        cr_assert_geq(g.calls, EPOCHS, "the schedule callback ran %d times", g.calls);

    ds_scheduler_destroy(sch);
    ds_sparsifier_destroy(s);
    free(batch);
}

static void assert_expected(const flow_result *r, const char *what) {
    for (int e = 0; e < EPOCHS; ++e)
        /* level * 64 blocks of 4 zeros out of 256 elements: exact. */
        cr_assert_float_eq(r->sparsity[e], k_expected[e], 1e-15, "%s: sparsity at epoch %d is %.17g, expected %g", what,
                           e, r->sparsity[e], k_expected[e]);
}

Test(seed_flow, custom_gamma_callback) {
    flow_result r;
    run_flow(MODE_CALLBACK, 0, &r);
    assert_expected(&r, "callback");
    /* Every add but the first replaces the previous batch; nothing else warns
     * (in particular no order warning: the sparsifier steps first). */
    cr_assert_eq(r.replace_warnings, EPOCHS * BATCHES - 1, "replace warnings: %d", r.replace_warnings);
    cr_assert_eq(r.warnings, r.replace_warnings, "an unexpected warning: \"%s\"", g_log.last);
}

Test(seed_flow, builtin_gamma_gives_the_same_sequence) {
    flow_result a, b;
    run_flow(MODE_CALLBACK, 0, &a);
    run_flow(MODE_BUILTIN, 0, &b);
    assert_expected(&b, "built-in");
    for (int e = 0; e < EPOCHS; ++e) {
        /* Both compute min(0.75, level * 2) from the same levels: bit-identical. */
        cr_assert(memcmp(&a.level[e], &b.level[e], sizeof(double)) == 0, "epoch %d: callback %.17g, built-in %.17g", e,
                  a.level[e], b.level[e]);
        cr_assert(memcmp(&a.sparsity[e], &b.sparsity[e], sizeof(double)) == 0, "sparsity at epoch %d", e);
    }
    cr_assert_eq(b.warnings, EPOCHS * BATCHES - 1, "warnings: %d (last \"%s\")", b.warnings, g_log.last);
}

Test(seed_flow, data_registered_before_the_scheduler) {
    flow_result r;
    run_flow(MODE_CALLBACK, 1, &r);
    assert_expected(&r, "data first");
    cr_assert_eq(r.replace_warnings, EPOCHS * BATCHES, "every add in the loop replaces: %d", r.replace_warnings);
    flow_result b;
    run_flow(MODE_BUILTIN, 1, &b);
    assert_expected(&b, "data first, built-in");
}

Test(seed_flow, readme_gamma_as_written_never_sparsifies) {
    /* src/core/semantics.md: the seed's GammaScheduler returns 0.0 at epoch 0
     * and then multiplies: with data registered at creation the level is 0.0
     * from then on, so nothing is ever sparsified. */
    flow_result r;
    run_flow(MODE_AS_WRITTEN, 1, &r);
    for (int e = 0; e < EPOCHS; ++e) {
        cr_assert_eq(r.level[e], 0.0, "epoch %d: level %g", e, r.level[e]); /* 0 * 2 = 0: exact */
        cr_assert_eq(r.sparsity[e], 0.0, "epoch %d: sparsity %g", e, r.sparsity[e]);
    }
}

Test(seed_flow, scheduler_tracks_the_replaced_item_by_name) {
    /* The scheduler keeps the base of "train_data" across replacements. */
    ds_sparsifier *s = NULL;
    ds_config *defaults = NULL;
    TU_OK(ds_config_create(&defaults));
    TU_OK(ds_config_set(defaults, "sparsity_level", BASE_LEVEL));
    TU_OK(ds_norm_sparsifier_create(DS_NORM_L1, defaults, &s));
    ds_config_destroy(defaults);
    gamma_params g = {GAMMA, THRESHOLD, 0};
    ds_scheduler *sch = NULL;
    TU_OK(ds_scheduler_create(s, "sparsity_level", gamma_schedule, &g, -1, &sch));
    size_t count = 99;
    count = ds_scheduler_count(sch);
    cr_assert_eq(count, 0, "no data yet");

    float a[N], b[N];
    fill_batch(a, 0, 0);
    fill_batch(b, 0, 1);
    TU_OK(ds_sparsifier_add_data(s, "train_data", a, ROWS, COLS, NULL, 0));
    TU_OK(ds_sparsifier_step(s));
    TU_OK(ds_scheduler_step(sch)); /* epoch 1: first seen, base 0.125, value 0.25 */
    double v = NAN;
    TU_OK(ds_scheduler_get_base_param(sch, "train_data", &v));
    cr_assert_eq(v, BASE_LEVEL);
    TU_OK(ds_sparsifier_add_data(s, "train_data", b, ROWS, COLS, NULL, 0));
    TU_OK(ds_sparsifier_get_param(s, "train_data", "sparsity_level", &v));
    cr_assert_eq(v, 0.25, "the replaced item keeps its scheduled level, got %g", v);
    TU_OK(ds_sparsifier_step(s));
    TU_OK(ds_scheduler_step(sch)); /* epoch 2: 0.5 */
    TU_OK(ds_scheduler_get_base_param(sch, "train_data", &v));
    cr_assert_eq(v, BASE_LEVEL, "the base survives replacement");
    TU_OK(ds_scheduler_get_last_param(sch, "train_data", &v));
    cr_assert_eq(v, 0.5);
    ds_scheduler_destroy(sch);
    ds_sparsifier_destroy(s);
}
