/* The seed's flow in C: a custom gamma schedule, a training-like loop. */
#include <datasparse/datasparse.h>
#include <math.h>
#include <stdio.h>

#define TRY(call) do { ds_status st = (call); if (st != DS_OK) { \
    fprintf(stderr, "%s: %s\n", ds_status_string(st), ds_last_error()); return 1; } } while (0)

struct gamma { double gamma, threshold; };

/* Epoch 0: the base value; then the current value times gamma, capped. */
static int gamma_schedule(void *user_data, const char *name, int64_t epoch,
                          double base, double current, double *out) {
    const struct gamma *g = user_data;
    (void)name;
    *out = epoch == 0 ? base : fmin(g->threshold, current * g->gamma);
    return 0;
}

/* Re-adding a batch under the same name warns (as PyTorch does): count them. */
static void count_warnings(void *user_data, int level, const char *message) {
    (void)message;
    if (level >= DS_LOG_WARNING) ++*(int *)user_data;
}

int main(void) {
    enum { ROWS = 32, COLS = 64 };
    int warnings = 0;
    static float batch[ROWS * COLS];
    struct gamma g = {2.0, 0.8};
    ds_config *defaults;
    ds_sparsifier *sparsifier;
    ds_scheduler *scheduler;

    ds_set_log_handler(count_warnings, &warnings);
    TRY(ds_config_create(&defaults));
    TRY(ds_config_set(defaults, "sparsity_level", 0.1));
    TRY(ds_norm_sparsifier_create(DS_NORM_L2, defaults, &sparsifier));
    TRY(ds_sparsifier_add_data(sparsifier, "train_data", batch, ROWS, COLS, NULL, 0));
    TRY(ds_scheduler_create(sparsifier, "sparsity_level", gamma_schedule, &g, -1, &scheduler));

    for (int epoch = 0; epoch < 5; ++epoch) {
        for (int step = 0; step < 3; ++step) {
            for (int i = 0; i < ROWS * COLS; ++i)   /* the next batch */
                batch[i] = (float)sin(0.37 * i + 1.3 * step + epoch);
            TRY(ds_sparsifier_add_data(sparsifier, "train_data", batch, ROWS, COLS, NULL, 0));
            /* ... forward, backward, optimizer step ... */
            TRY(ds_sparsifier_step(sparsifier));
        }
        double level, sparsity;
        TRY(ds_sparsifier_get_param(sparsifier, "train_data", "sparsity_level", &level));
        TRY(ds_sparsifier_get_sparsity(sparsifier, "train_data", &sparsity));
        printf("epoch %d: sparsity_level %.2f, sparsity %.3f\n", epoch, level, sparsity);
        TRY(ds_scheduler_step(scheduler));
    }
    printf("%d replace warnings\n", warnings);
    ds_scheduler_destroy(scheduler);
    ds_sparsifier_destroy(sparsifier);
    ds_config_destroy(defaults);
    return 0;
}
