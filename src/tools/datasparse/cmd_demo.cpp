// datasparse demo: the seed's flow on built-in synthetic data (Quick start's
// first command). Sparsifies built-in data with the norm sparsifier and
// prints the sparsity each item reached, then a scheduled sparsification
// over epochs. Uses only the public C API.
#include "commands.hpp"

#include <datasparse/datasparse.h>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace dstool {
namespace {

#define CHECK(call)                                                                               \
    do {                                                                                          \
        ds_status st_ = (call);                                                                   \
        if (st_ != DS_OK) {                                                                       \
            fprintf(stderr, "%s failed: %s: %s\n", #call, ds_status_string(st_), ds_last_error()); \
            exit(1);                                                                              \
        }                                                                                         \
    } while (0)

/* Deterministic pseudo-random data: a smooth pattern plus noise. */
void fill(float *data, int64_t n, unsigned seed) {
    uint64_t state = seed * 0x9E3779B97F4A7C15ull + 1;
    for (int64_t i = 0; i < n; ++i) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        data[i] = (float)std::sin((double)i * 0.01) + (float)((state >> 40) / 16777216.0 - 0.5);
    }
}

struct item {
    const char *name;
    int64_t rows, cols;
    double level;
    int block_rows, block_cols, zeros;
};

/* A custom schedule: the seed's GammaScheduler done right: the base value at
 * epoch 0, then the current value times gamma, capped at a threshold. */
struct gamma_params {
    double gamma, threshold;
};

int gamma_schedule(void *user_data, const char *name, int64_t epoch, double base, double current,
                          double *out) {
    const gamma_params *p = static_cast<const gamma_params *>(user_data);
    (void)name;
    *out = epoch == 0 ? base : std::fmin(p->threshold, current * p->gamma);
    return 0;
}

/* Swallows the expected "replacing data" warnings of the training loop. */
void quiet_log(void *user_data, int level, const char *message) {
    (void)user_data;
    if (level >= DS_LOG_WARNING && strstr(message, "replacing data") == NULL) fprintf(stderr, "warning: %s\n", message);
}

/* The seed's flow: each batch is added under one name and the sparsifier
 * steps; the scheduler steps once per epoch. */
void scheduled_training() {
    enum { EPOCHS = 6, BATCHES = 4, ROWS = 64, COLS = 128 };
    struct gamma_params params = {2.0, 0.9};
    static float batch[ROWS * COLS];
    ds_config *defaults = NULL;
    ds_sparsifier *sparsifier = NULL;
    ds_scheduler *scheduler = NULL;

    printf("\nScheduled sparsification (custom gamma schedule: base 0.1, x%.1f per epoch, capped at %.2f)\n",
           params.gamma, params.threshold);
    ds_set_log_handler(quiet_log, NULL);
    CHECK(ds_config_create(&defaults));
    CHECK(ds_config_set(defaults, "sparsity_level", 0.1));
    CHECK(ds_norm_sparsifier_create(DS_NORM_L1, defaults, &sparsifier));
    fill(batch, ROWS * COLS, 100);
    CHECK(ds_sparsifier_add_data(sparsifier, "train_data", batch, ROWS, COLS, NULL, 0));
    CHECK(ds_scheduler_create(sparsifier, "sparsity_level", gamma_schedule, &params, -1, &scheduler));

    printf("%5s %16s %10s\n", "epoch", "sparsity_level", "sparsity");
    for (int epoch = 0; epoch < EPOCHS; ++epoch) {
        double level = 0.0, sparsity = 0.0;
        for (int b = 0; b < BATCHES; ++b) {
            fill(batch, ROWS * COLS, (unsigned)(epoch * BATCHES + b + 1));
            CHECK(ds_sparsifier_add_data(sparsifier, "train_data", batch, ROWS, COLS, NULL, 0));
            /* ... the model would train on the batch here ... */
            CHECK(ds_sparsifier_step(sparsifier));
        }
        CHECK(ds_sparsifier_get_param(sparsifier, "train_data", "sparsity_level", &level));
        CHECK(ds_sparsifier_get_sparsity(sparsifier, "train_data", &sparsity));
        printf("%5d %16.4f %9.2f%%\n", epoch, level, 100.0 * sparsity);
        CHECK(ds_scheduler_step(scheduler));
    }

    ds_scheduler_destroy(scheduler);
    ds_sparsifier_destroy(sparsifier);
    ds_config_destroy(defaults);
    ds_set_log_handler(NULL, NULL);
}

}  // namespace

int cmd_demo() {
    const struct item items[] = {
        {"embedding", 512, 256, 0.5, 1, 4, 4},
        {"attention", 256, 256, 0.7, 2, 2, 4},
        {"semi_structured_2_4", 128, 512, 1.0, 1, 4, 2},
        {"bias", 1, 1000, 0.3, 1, 4, 4},
    };
    const size_t count = sizeof items / sizeof items[0];
    float *buffers[sizeof items / sizeof items[0]];
    ds_sparsifier *sparsifier = NULL;

    printf("datasparse %s demo: L2 norm sparsifier on built-in data\n\n", ds_version_string());
    CHECK(ds_norm_sparsifier_create(DS_NORM_L2, NULL, &sparsifier));
    for (size_t i = 0; i < count; ++i) {
        const struct item *it = &items[i];
        ds_config *config = NULL;
        buffers[i] = (float *)std::malloc(sizeof(float) * (size_t)(it->rows * it->cols));
        if (!buffers[i]) return 1;
        fill(buffers[i], it->rows * it->cols, (unsigned)i + 1);
        CHECK(ds_config_create(&config));
        CHECK(ds_config_set(config, "sparsity_level", it->level));
        CHECK(ds_config_set(config, "block_rows", it->block_rows));
        CHECK(ds_config_set(config, "block_cols", it->block_cols));
        CHECK(ds_config_set(config, "zeros_per_block", it->zeros));
        CHECK(ds_sparsifier_add_data(sparsifier, it->name, buffers[i], it->rows, it->cols, config, 0));
        ds_config_destroy(config);
    }
    CHECK(ds_sparsifier_step(sparsifier));

    printf("%-22s %9s %6s %6s %5s %9s\n", "item", "shape", "level", "block", "zeros", "sparsity");
    for (size_t i = 0; i < count; ++i) {
        const struct item *it = &items[i];
        double sparsity = 0.0;
        char shape[32], block[16];
        CHECK(ds_sparsifier_get_sparsity(sparsifier, it->name, &sparsity));
        snprintf(shape, sizeof shape, "%lldx%lld", (long long)it->rows, (long long)it->cols);
        snprintf(block, sizeof block, "%dx%d", it->block_rows, it->block_cols);
        printf("%-22s %9s %6.2f %6s %5d %8.2f%%\n", it->name, shape, it->level, block, it->zeros, 100.0 * sparsity);
    }

    CHECK(ds_sparsifier_squash_mask(sparsifier, NULL, 0, 1));
    ds_sparsifier_destroy(sparsifier);
    for (size_t i = 0; i < count; ++i) free(buffers[i]);

    scheduled_training();
    return 0;
}

}  // namespace dstool
