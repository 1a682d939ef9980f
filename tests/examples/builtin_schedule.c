/* A built-in schedule: cubic gradual pruning (Zhu & Gupta 2017) to 0.9. */
#include <datasparse/datasparse.h>
#include <stdio.h>

#define TRY(call) do { ds_status st = (call); if (st != DS_OK) { \
    fprintf(stderr, "%s: %s\n", ds_status_string(st), ds_last_error()); return 1; } } while (0)

int main(void) {
    static float weights[64 * 64];
    ds_config *defaults;
    ds_sparsifier *sparsifier;
    ds_schedule *cubic;
    ds_scheduler *scheduler;

    for (int i = 0; i < 64 * 64; ++i) weights[i] = (float)((i * 7919) % 1000) / 1000.0f;
    TRY(ds_config_create(&defaults));
    TRY(ds_config_set(defaults, "sparsity_level", 0.9));   /* the final level */
    TRY(ds_norm_sparsifier_create(DS_NORM_L1, defaults, &sparsifier));
    TRY(ds_sparsifier_add_data(sparsifier, "layer", weights, 64, 64, NULL, 0));

    /* from 0 at epoch 0 to the base level 0.9 over 2 x 4 epochs */
    ds_cubic_options ramp = DS_CUBIC_OPTIONS_INIT;
    ramp.init_value = 0.0;
    ramp.delta_t = 2;
    ramp.total_t = 4;
    TRY(ds_schedule_create_cubic(&ramp, &cubic));
    TRY(ds_scheduler_create_builtin(sparsifier, "sparsity_level", cubic, -1, &scheduler));
    ds_schedule_destroy(cubic);   /* the scheduler keeps its own copy */

    for (int epoch = 0; epoch < 10; ++epoch) {
        double level, sparsity;
        TRY(ds_sparsifier_step(sparsifier));
        TRY(ds_sparsifier_get_param(sparsifier, "layer", "sparsity_level", &level));
        TRY(ds_sparsifier_get_sparsity(sparsifier, "layer", &sparsity));
        printf("epoch %d: sparsity_level %.4f, sparsity %.4f\n", epoch, level, sparsity);
        TRY(ds_scheduler_step(scheduler));
    }
    TRY(ds_scheduler_save(scheduler, "scheduler.state"));   /* resume later with ds_scheduler_load */
    ds_scheduler_destroy(scheduler);
    ds_sparsifier_destroy(sparsifier);
    ds_config_destroy(defaults);
    return 0;
}
