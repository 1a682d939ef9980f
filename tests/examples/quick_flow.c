/* The sparsifier's flow in C: register data, step, read the mask, squash. */
#include <datasparse/datasparse.h>
#include <stdio.h>

int main(void) {
    static float weights[64 * 64];                /* yours: the library borrows it */
    static uint8_t mask[64 * 64];
    ds_config *cfg;
    ds_sparsifier *sp;
    for (int i = 0; i < 64 * 64; ++i) weights[i] = (float)((i * 37) % 101) - 50.0f;

    ds_config_create(&cfg);
    ds_config_set(cfg, "sparsity_level", 0.5);    /* half of the blocks ...            */
    ds_config_set(cfg, "block_rows", 1);
    ds_config_set(cfg, "block_cols", 4);          /* ... of 1x4 elements ...           */
    ds_config_set(cfg, "zeros_per_block", 2);     /* ... get their 2 smallest zeroed   */

    ds_norm_sparsifier_create(DS_NORM_L2, cfg, &sp);
    ds_sparsifier_add_data(sp, "layer1", weights, 64, 64, NULL, 0);
    ds_sparsifier_step(sp);                       /* computes the masks */
    ds_sparsifier_get_mask(sp, "layer1", mask, sizeof mask);

    int zeros = 0;
    for (int i = 0; i < 64 * 64; ++i) zeros += mask[i] == 0;
    printf("%d of %d elements masked\n", zeros, 64 * 64);

    /* Every call returns a status; ds_last_error() says why it failed. */
    ds_status st = ds_sparsifier_set_param(sp, "layer1", "zeros_per_block", 5);
    printf("%s: %s\n", ds_status_string(st), ds_last_error());

    ds_sparsifier_squash_mask(sp, NULL, 0, 1);    /* masked weights set to 0, in place */
    ds_sparsifier_destroy(sp);
    ds_config_destroy(cfg);
    return 0;
}
