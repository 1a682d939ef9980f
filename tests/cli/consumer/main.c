/* A tiny program on an installed datasparse: sparsifies 8 values at 0.5 in
 * 1x4 blocks and prints the library's version and the zeros it made. */
#include <datasparse/datasparse.h>
#include <stdio.h>

int main(void) {
    float data[8] = {1, 2, 3, 4, 0.1f, 0.2f, 0.3f, 0.4f};
    ds_sparsifier *s = NULL;
    int zeros = 0;
    if (ds_norm_sparsifier_create(DS_NORM_L1, NULL, &s) != DS_OK ||
        ds_sparsifier_add_data(s, "w", data, 1, 8, NULL, 0) != DS_OK || ds_sparsifier_step(s) != DS_OK ||
        ds_sparsifier_squash_mask(s, NULL, 0, 1) != DS_OK) {
        fprintf(stderr, "consumer: %s\n", ds_last_error());
        return 1;
    }
    for (int i = 0; i < 8; ++i) zeros += data[i] == 0.0f;
    ds_sparsifier_destroy(s);
    printf("version %s zeros %d\n", ds_version_string(), zeros);
    return zeros == 4 && data[0] == 1.0f ? 0 : 1;
}
