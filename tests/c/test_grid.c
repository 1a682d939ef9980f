/* The sparsity grid: levels {-1, 0, 0.5, 1, 2} x blocks {1x1, 1x4, 2x2, 4x1}
 * x zeros_per_block {0..4} x {L1, L2}, one Criterion test per case.
 *
 * On 16x16 data with distinct |x| (a multiple of every block), the mask has
 * exactly round_half_even(clamp(level, 0, 1) * num_blocks) sparsified blocks
 * with min(zeros, block size) zeros each, nothing else zeroed; it equals the
 * spec's reference mask. zeros_per_block > block size is rejected with
 * DS_ERR_INVALID_ARGUMENT and registers nothing. */
#include "test_util.h"

#include <criterion/parameterized.h>

enum { ROWS = 16, COLS = 16, N = ROWS * COLS };

struct grid_case {
    double level;
    int br, bc, zeros;
    ds_norm norm;
};

#define GRID_ZEROS(lv, r, c, nm) \
    {lv, r, c, 0, nm}, {lv, r, c, 1, nm}, {lv, r, c, 2, nm}, {lv, r, c, 3, nm}, {lv, r, c, 4, nm},
#define GRID_BLOCKS(lv, nm) GRID_ZEROS(lv, 1, 1, nm) GRID_ZEROS(lv, 1, 4, nm) GRID_ZEROS(lv, 2, 2, nm) GRID_ZEROS(lv, 4, 1, nm)
#define GRID_LEVELS(nm) \
    GRID_BLOCKS(-1.0, nm) GRID_BLOCKS(0.0, nm) GRID_BLOCKS(0.5, nm) GRID_BLOCKS(1.0, nm) GRID_BLOCKS(2.0, nm)

static struct grid_case grid_cases[] = {GRID_LEVELS(DS_NORM_L1) GRID_LEVELS(DS_NORM_L2)};

ParameterizedTestParameters(grid, sparsity) {
    return cr_make_param_array(struct grid_case, grid_cases, TU_ARRAY_LEN(grid_cases));
}

ParameterizedTest(struct grid_case *gc, grid, sparsity) {
    char what[128];
    snprintf(what, sizeof what, "%s level %g block %dx%d zeros %d", gc->norm == DS_NORM_L1 ? "L1" : "L2", gc->level,
             gc->br, gc->bc, gc->zeros);
    int bs = gc->br * gc->bc;

    static float data[N];
    tu_fill_distinct(data, N, 1000u + (uint64_t)(gc->br * 10 + gc->bc));
    float keep[N];
    memcpy(keep, data, sizeof keep);

    ds_sparsifier *s = NULL;
    TU_OK(ds_norm_sparsifier_create(gc->norm, NULL, &s));
    ds_config *c = tu_cfg("sparsity_level", gc->level, "block_rows", (double)gc->br, "block_cols", (double)gc->bc,
                          "zeros_per_block", (double)gc->zeros, NULL);
    ds_status st = ds_sparsifier_add_data(s, "grid", data, ROWS, COLS, c, 0);
    ds_config_destroy(c);

    if (gc->zeros > bs) {
        tu_fail(st, DS_ERR_INVALID_ARGUMENT, what, "zeros_per_block", NULL);
        size_t n = 99;
        n = ds_sparsifier_count(s);
        cr_assert_eq(n, 0, "%s: rejected item was registered", what);
        ds_sparsifier_destroy(s);
        return;
    }
    cr_assert_eq(st, DS_OK, "%s: add_data: %s (%s)", what, ds_status_string(st), tu_msg());
    TU_OK(ds_sparsifier_step(s));

    uint8_t mask[N];
    tu_get_mask(s, "grid", mask, N);

    int64_t num_blocks = (ROWS / gc->br) * (COLS / gc->bc);
    int64_t k = tu_blocks_to_sparsify(gc->level, num_blocks);
    int64_t per_block = gc->zeros < bs ? gc->zeros : bs;
    size_t zeros = tu_count_zeros(mask, N);
    cr_assert_eq((int64_t)zeros, k * per_block, "%s: %zu zeros, expected %lld blocks x %lld = %lld", what, zeros,
                 (long long)k, (long long)per_block, (long long)(k * per_block));

    double sp = -1;
    TU_OK(ds_sparsifier_get_sparsity(s, "grid", &sp));
    cr_assert_float_eq(sp, (double)(k * per_block) / N, 1e-12, "%s: get_sparsity", what);

    /* per block: 0 or per_block zeros; k blocks with zeros when per_block > 0 */
    int64_t hit = 0;
    for (int64_t b = 0; b < num_blocks; ++b) {
        int64_t r0 = (b / (COLS / gc->bc)) * gc->br, c0 = (b % (COLS / gc->bc)) * gc->bc, z = 0;
        for (int r = 0; r < gc->br; ++r)
            for (int cc = 0; cc < gc->bc; ++cc)
                z += mask[(r0 + r) * COLS + c0 + cc] == 0;
        cr_assert(z == 0 || z == per_block, "%s: block %lld has %lld zeros", what, (long long)b, (long long)z);
        hit += z > 0;
    }
    if (per_block > 0)
        cr_assert_eq(hit, k, "%s: %lld blocks sparsified, expected %lld", what, (long long)hit, (long long)k);

    uint8_t want[N];
    tu_ref_mask(keep, ROWS, COLS, gc->norm, gc->level, gc->br, gc->bc, gc->zeros, want);
    tu_assert_mask_eq(mask, want, ROWS, COLS, what);
    cr_assert(memcmp(data, keep, sizeof keep) == 0, "%s: step changed the caller's data", what);
    ds_sparsifier_destroy(s);
}

/* The same grid through set_param on a registered item instead of add_data:
 * a zeros_per_block above the block size is refused and the old value stays. */
Test(grid, set_param_rejects_zeros_above_the_block_size) {
    static const int blocks[][2] = {{1, 1}, {1, 4}, {2, 2}, {4, 1}};
    for (size_t i = 0; i < TU_ARRAY_LEN(blocks); ++i) {
        ds_sparsifier *s = NULL;
        TU_OK(ds_norm_sparsifier_create(DS_NORM_L1, NULL, &s));
        static float data[N];
        tu_fill_distinct(data, N, 5);
        ds_config *c = tu_cfg("block_rows", (double)blocks[i][0], "block_cols", (double)blocks[i][1],
                              "zeros_per_block", 0.0, NULL);
        TU_OK(ds_sparsifier_add_data(s, "grid", data, ROWS, COLS, c, 0));
        ds_config_destroy(c);
        int bs = blocks[i][0] * blocks[i][1];
        for (int z = 0; z <= 4; ++z) {
            char what[96];
            snprintf(what, sizeof what, "set_param zeros_per_block %d on %dx%d", z, blocks[i][0], blocks[i][1]);
            double before = tu_param(s, "grid", "zeros_per_block");
            ds_status st = ds_sparsifier_set_param(s, "grid", "zeros_per_block", (double)z);
            if (z > bs) {
                tu_fail(st, DS_ERR_INVALID_ARGUMENT, what, "zeros_per_block", NULL);
                cr_assert_float_eq(tu_param(s, "grid", "zeros_per_block"), before, 0.0, "%s: value changed", what);
            } else {
                cr_assert_eq(st, DS_OK, "%s: %s (%s)", what, ds_status_string(st), tu_msg());
                cr_assert_float_eq(tu_param(s, "grid", "zeros_per_block"), (double)z, 0.0, "%s", what);
            }
        }
        ds_sparsifier_destroy(s);
    }
}
