#include <datasparse/datasparse.h>
#include <stdio.h>

int main(void) {
    float big[2 * 8], small[2 * 8];
    for (int i = 0; i < 16; ++i) { big[i] = 1.0f + i; small[i] = 0.001f * (1 + i); }
    ds_sparsifier *s = NULL;
    if (ds_norm_sparsifier_create(DS_NORM_L1, NULL, &s) != DS_OK) return 1;
    ds_sparsifier_add_data(s, "big", big, 2, 8, NULL, 0);
    ds_sparsifier_add_data(s, "small", small, 2, 8, NULL, 0);
    const char *tables[] = {"big", "small"};
    if (ds_sparsifier_set_group(s, "emb", tables, 2) != DS_OK || ds_sparsifier_step(s) != DS_OK) {
        fprintf(stderr, "%s\n", ds_last_error());
        return 1;
    }
    double b, m;
    ds_sparsifier_get_sparsity(s, "big", &b);
    ds_sparsifier_get_sparsity(s, "small", &m);
    printf("big %.2f small %.2f\n", b, m);  /* the 50% of the group comes from "small" */
    ds_sparsifier_destroy(s);
    return 0;
}
