/* The norm sparsifier's mask, checked exactly against src/core/semantics.md:
 * the worked example, round-half-to-even, the 2:4 pattern, partial edge
 * blocks, 1-D and column data, ties, NaN, L1 versus L2, and randomized
 * comparisons with the spec's own algorithm (tu_ref_mask). */
#include "test_util.h"

/* Masks one item with a fresh sparsifier: level, block and zeros set. */
static void norm_mask(ds_norm norm, float *data, int64_t rows, int64_t cols, double level, double br, double bc,
                      double zeros, uint8_t *out) {
    ds_sparsifier *s = NULL;
    TU_OK(ds_norm_sparsifier_create(norm, NULL, &s));
    ds_config *c = tu_cfg("sparsity_level", level, "block_rows", br, "block_cols", bc, NULL);
    if (zeros >= 0)
        TU_OK(ds_config_set(c, "zeros_per_block", zeros));
    ds_status st = ds_sparsifier_add_data(s, "item", data, rows, cols, c, 0);
    const char *m = tu_msg();
    ds_config_destroy(c);
    cr_assert_eq(st, DS_OK, "add_data %lldx%lld block %gx%g zeros %g: %s (%s)", (long long)rows, (long long)cols,
                 br, bc, zeros, ds_status_string(st), m);
    TU_OK(ds_sparsifier_step(s));
    tu_get_mask(s, "item", out, (size_t)(rows * cols));
    ds_sparsifier_destroy(s);
}

static void expect_mask(ds_norm norm, float *data, int64_t rows, int64_t cols, double level, double br, double bc,
                        double zeros, const uint8_t *want, const char *what) {
    uint8_t *got = malloc((size_t)(rows * cols));
    cr_assert_not_null(got);
    norm_mask(norm, data, rows, cols, level, br, bc, zeros, got);
    tu_assert_mask_eq(got, want, rows, cols, what);
    free(got);
}

/* Compares the library with tu_ref_mask on one case. */
static void expect_reference(ds_norm norm, float *data, int64_t rows, int64_t cols, double level, int br, int bc,
                             int zeros, const char *what) {
    size_t n = (size_t)(rows * cols);
    uint8_t *want = malloc(n);
    cr_assert_not_null(want);
    tu_ref_mask(data, rows, cols, norm, level, br, bc, zeros, want);
    char ctx[256];
    snprintf(ctx, sizeof ctx, "%s: %s %lldx%lld block %dx%d zeros %d level %g", what,
             norm == DS_NORM_L1 ? "L1" : "L2", (long long)rows, (long long)cols, br, bc, zeros, level);
    expect_mask(norm, data, rows, cols, level, br, bc, zeros, want, ctx);
    free(want);
}

/* --- The worked example ---------------------------------------------- */

Test(norm_mask, worked_example) {
    float data[9] = {1, 2, 9, 3, 4, 9, 0.5f, 9, 9};
    const uint8_t want[9] = {0, 1, 1, 1, 1, 1, 0, 1, 1};
    expect_mask(DS_NORM_L1, data, 3, 3, 0.5, 2, 2, 1, want, "worked example, L1");
    /* L2 ranks the blocks the same way here (7.5, 81, 40.625, 81) */
    expect_mask(DS_NORM_L2, data, 3, 3, 0.5, 2, 2, 1, want, "worked example, L2");
}

Test(norm_mask, worked_example_sparsified_data) {
    float data[9] = {1, 2, 9, 3, 4, 9, 0.5f, 9, 9};
    ds_sparsifier *s = NULL;
    TU_OK(ds_norm_sparsifier_create(DS_NORM_L1, NULL, &s));
    ds_config *c = tu_cfg("sparsity_level", 0.5, "block_rows", 2.0, "block_cols", 2.0, "zeros_per_block", 1.0, NULL);
    TU_OK(ds_sparsifier_add_data(s, "w", data, 3, 3, c, 0));
    ds_config_destroy(c);
    TU_OK(ds_sparsifier_step(s));
    float out[9];
    TU_OK(ds_sparsifier_get_data(s, "w", 0, out, 9));
    const float want[9] = {0, 2, 9, 3, 4, 9, 0, 9, 9};
    for (int i = 0; i < 9; ++i)
        cr_assert_float_eq(out[i], want[i], 0.0f, "sparsified[%d]", i);
    double sp = 0;
    TU_OK(ds_sparsifier_get_sparsity(s, "w", &sp));
    cr_assert_float_eq(sp, 2.0 / 9.0, 1e-12);
    ds_sparsifier_destroy(s);
}

/* --- How many blocks: round half to even ----------------------------- */

Test(norm_mask, blocks_rounded_half_to_even) {
    static const struct {
        int blocks;
        double level;
        int expected;
    } cases[] = {
        {5, 0.5, 2},  /* 2.5 -> 2 */
        {7, 0.5, 4},  /* 3.5 -> 4 */
        {3, 0.5, 2},  /* 1.5 -> 2 */
        {1, 0.5, 0},  /* 0.5 -> 0 */
        {9, 0.5, 4},  /* 4.5 -> 4 */
        {11, 0.5, 6}, /* 5.5 -> 6 */
        {5, 0.1, 0},  /* Python: round(0.1 * 5) = round(0.5) = 0 */
        {5, 0.3, 2},  /* round(1.5) = 2 */
        {5, 0.7, 4},  /* round(3.5) = 4 */
        {5, 0.9, 4},  /* round(4.5) = 4 */
        {15, 0.1, 2}, /* round(1.5) = 2 */
        {6, 0.25, 2}, /* 1.5 -> 2 */
        {10, 0.25, 2}, /* 2.5 -> 2 */
        {4, 0.6, 2},  /* 2.4 -> 2 */
        {4, 0.65, 3}, /* 2.6 -> 3 */
    };
    for (size_t i = 0; i < TU_ARRAY_LEN(cases); ++i) {
        int n = cases[i].blocks * 4;
        float *d = malloc(sizeof(float) * (size_t)n);
        uint8_t *want = malloc((size_t)n);
        cr_assert(d && want);
        for (int j = 0; j < n; ++j)
            d[j] = (float)(j + 1); /* ascending: the first blocks are the smallest */
        for (int j = 0; j < n; ++j)
            want[j] = j < cases[i].expected * 4 ? 0 : 1;
        char what[96];
        snprintf(what, sizeof what, "%d blocks at level %g -> %d blocks", cases[i].blocks, cases[i].level,
                 cases[i].expected);
        expect_mask(DS_NORM_L1, d, 1, n, cases[i].level, 1, 4, 4, want, what);
        free(d);
        free(want);
    }
}

Test(norm_mask, level_is_clamped) {
    float d[16];
    tu_fill_distinct(d, 16, 11);
    uint8_t ones[16], zeros[16];
    memset(ones, 1, sizeof ones);
    memset(zeros, 0, sizeof zeros);
    expect_mask(DS_NORM_L1, d, 4, 4, -1.0, 2, 2, 4, ones, "level -1 acts as 0");
    expect_mask(DS_NORM_L1, d, 4, 4, -1e-300, 2, 2, 4, ones, "tiny negative level");
    expect_mask(DS_NORM_L1, d, 4, 4, 2.0, 2, 2, 4, zeros, "level 2 acts as 1");
    expect_mask(DS_NORM_L2, d, 4, 4, 1e300, 1, 4, 4, zeros, "huge level acts as 1");
}

Test(norm_mask, zero_zeros_or_zero_level_keep_everything) {
    float d[16];
    tu_fill_distinct(d, 16, 12);
    uint8_t ones[16];
    memset(ones, 1, sizeof ones);
    expect_mask(DS_NORM_L1, d, 4, 4, 1.0, 2, 2, 0, ones, "zeros_per_block 0");
    expect_mask(DS_NORM_L2, d, 4, 4, 0.0, 1, 4, 4, ones, "level 0");
}

/* --- L1 versus L2 ---------------------------------------------------- */

Test(norm_mask, l1_and_l2_rank_differently) {
    /* block A = [0 0 0 4]: L1 mean 1, L2 mean 4; block B = [1.5 x4]: L1 1.5, L2 2.25 */
    float d[8] = {0, 0, 0, 4, 1.5f, 1.5f, 1.5f, 1.5f};
    const uint8_t l1[8] = {0, 0, 0, 0, 1, 1, 1, 1};
    const uint8_t l2[8] = {1, 1, 1, 1, 0, 0, 0, 0};
    expect_mask(DS_NORM_L1, d, 1, 8, 0.5, 1, 4, 4, l1, "L1 picks the smaller |x| mean");
    expect_mask(DS_NORM_L2, d, 1, 8, 0.5, 1, 4, 4, l2, "L2 picks the smaller x*x mean");
}

Test(norm_mask, negative_values_use_the_magnitude) {
    float d[8] = {-1, -2, -3, -4, 0.5f, -0.5f, 0.5f, -0.5f};
    const uint8_t want[8] = {1, 1, 1, 1, 0, 0, 0, 0};
    expect_mask(DS_NORM_L1, d, 2, 4, 0.5, 1, 4, 4, want, "L1 negatives");
    expect_mask(DS_NORM_L2, d, 2, 4, 0.5, 1, 4, 4, want, "L2 negatives");
    /* inside a block: the smallest |x| go first, not the most negative */
    float e[4] = {-9, 1, -2, 3};
    const uint8_t want_e[4] = {1, 0, 0, 1};
    expect_mask(DS_NORM_L1, e, 1, 4, 1.0, 1, 4, 2, want_e, "in-block magnitude");
}

/* --- The 2:4 pattern -------------------------------------------------- */

static void check_two_four(ds_norm norm, int64_t rows, int64_t cols, uint64_t seed) {
    size_t n = (size_t)(rows * cols);
    float *d = malloc(n * sizeof(float));
    uint8_t *m = malloc(n);
    cr_assert(d && m);
    tu_rng r = tu_rng_make(seed);
    for (size_t i = 0; i < n; ++i)
        d[i] = tu_rng_grid_float(&r);
    norm_mask(norm, d, rows, cols, 1.0, 1, 4, 2, m);
    for (int64_t row = 0; row < rows; ++row) {
        for (int64_t c0 = 0; c0 < cols; c0 += 4) {
            int64_t len = cols - c0 < 4 ? cols - c0 : 4;
            const float *g = d + row * cols + c0;
            const uint8_t *gm = m + row * cols + c0;
            size_t z = tu_count_zeros(gm, (size_t)len);
            size_t want_z = len < 2 ? (size_t)len : 2;
            cr_assert_eq(z, want_z, "%s %lldx%lld row %lld cols %lld..: %zu zeros, expected %zu",
                         norm == DS_NORM_L1 ? "L1" : "L2", (long long)rows, (long long)cols, (long long)row,
                         (long long)c0, z, want_z);
            /* every zeroed element ranks before every kept one: (|x|, position) */
            for (int64_t a = 0; a < len; ++a)
                for (int64_t b = 0; b < len; ++b) {
                    if (gm[a] != 0 || gm[b] != 1)
                        continue;
                    int before = fabsf(g[a]) < fabsf(g[b]) || (fabsf(g[a]) == fabsf(g[b]) && a < b);
                    cr_assert(before, "row %lld group at %lld: zeroed %g (pos %lld) but kept %g (pos %lld)",
                              (long long)row, (long long)c0, g[a], (long long)a, g[b], (long long)b);
                }
        }
    }
    free(d);
    free(m);
}

Test(norm_mask, two_four_pattern_on_random_data) {
    check_two_four(DS_NORM_L1, 16, 64, 24);
    check_two_four(DS_NORM_L2, 16, 64, 42);
    check_two_four(DS_NORM_L1, 3, 1024, 7);
    check_two_four(DS_NORM_L2, 1, 256, 8);
}

Test(norm_mask, two_four_pattern_with_a_partial_last_group) {
    check_two_four(DS_NORM_L1, 5, 10, 99);  /* last group of 2: both zeroed */
    check_two_four(DS_NORM_L2, 7, 13, 100); /* last group of 1: zeroed */
    check_two_four(DS_NORM_L1, 4, 7, 101);  /* last group of 3: two zeroed */
}

/* --- Partial edge blocks --------------------------------------------- */

/* 3x5 with 2x2 blocks: a 2x3 block grid of sizes 4 4 2 / 2 2 1.
 *   1 1 | 2 2   | 9      means: b0 1   b1 2     b2 9
 *   1 1 | 2 2   | 9             b3 3   b4 4.25  b5 0.25
 *   ----+-------+----
 *   3 3 | 0.5 8 | 0.25
 * level 0.5 -> round(3) = 3 blocks: b5, b0, b1 (dividing a partial block by
 * the full size 4 would pick b3 instead of b1). */
static float edge_data[15] = {1, 1, 2, 2, 9, 1, 1, 2, 2, 9, 3, 3, 0.5f, 8, 0.25f};

Test(norm_mask, partial_edge_blocks_use_their_own_mean) {
    /* zeros_per_block 2: b0, b1 zero their first two (all tied), b5 its one element */
    const uint8_t want2[15] = {0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0};
    expect_mask(DS_NORM_L1, edge_data, 3, 5, 0.5, 2, 2, 2, want2, "3x5, 2x2 blocks, 2 zeros, L1");
    expect_mask(DS_NORM_L2, edge_data, 3, 5, 0.5, 2, 2, 2, want2, "3x5, 2x2 blocks, 2 zeros, L2");
}

Test(norm_mask, partial_edge_blocks_fully_zeroed) {
    const uint8_t want4[15] = {0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0};
    expect_mask(DS_NORM_L1, edge_data, 3, 5, 0.5, 2, 2, 4, want4, "3x5, 2x2 blocks, 4 zeros");
    uint8_t zeros[15];
    memset(zeros, 0, sizeof zeros);
    expect_mask(DS_NORM_L1, edge_data, 3, 5, 1.0, 2, 2, 4, zeros, "level 1, full zeros: everything");
}

Test(norm_mask, partial_edge_block_with_more_zeros_than_elements) {
    /* zeros_per_block 3 >= the 2- and 1-element edge blocks: those are zeroed whole */
    uint8_t want[15];
    tu_ref_mask(edge_data, 3, 5, DS_NORM_L1, 1.0, 2, 2, 3, want);
    cr_assert_eq(want[4], 0);
    cr_assert_eq(want[9], 0);
    cr_assert_eq(want[14], 0);
    cr_assert_eq(tu_count_zeros(want, 15), 3 + 3 + 2 + 2 + 2 + 1);
    expect_mask(DS_NORM_L1, edge_data, 3, 5, 1.0, 2, 2, 3, want, "3x5, 2x2 blocks, 3 zeros, level 1");
}

Test(norm_mask, block_larger_than_the_data) {
    float d[15];
    tu_fill_distinct(d, 15, 5);
    uint8_t ones[15];
    memset(ones, 1, sizeof ones);
    /* one block: level 0.5 -> round(0.5) = 0 blocks */
    expect_mask(DS_NORM_L1, d, 3, 5, 0.5, 8, 8, 64, ones, "one block at level 0.5");
    uint8_t want[15];
    tu_ref_mask(d, 3, 5, DS_NORM_L1, 1.0, 8, 8, 3, want);
    cr_assert_eq(tu_count_zeros(want, 15), 3);
    expect_mask(DS_NORM_L1, d, 3, 5, 1.0, 8, 8, 3, want, "one 8x8 block over 3x5, 3 zeros");
}

/* --- 1-D and column data ---------------------------------------------- */

Test(norm_mask, one_d_data_keeps_its_shape) {
    /* 1x10 with the default 1x4 blocks: 4 4 2 elements, means 6.5 2.5 50.25 */
    float d[10] = {5, 6, 7, 8, 1, 2, 3, 4, 0.5f, 100};
    ds_sparsifier *s = NULL;
    TU_OK(ds_norm_sparsifier_create(DS_NORM_L1, NULL, &s));
    TU_OK(ds_sparsifier_add_data(s, "v", d, 1, 10, NULL, 0));
    int64_t r = 0, c = 0;
    TU_OK(ds_sparsifier_get_shape(s, "v", &r, &c));
    cr_assert(r == 1 && c == 10);
    TU_OK(ds_sparsifier_step(s));
    uint8_t m[10];
    tu_get_mask(s, "v", m, 10);
    const uint8_t want[10] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1};
    tu_assert_mask_eq(m, want, 1, 10, "1-D default config");
    ds_sparsifier_destroy(s);
}

Test(norm_mask, column_data_with_default_blocks) {
    /* (8,1) with 1x4 blocks: each block is one element; 8 blocks -> 4 zeroed */
    float d[8] = {5, 1, 7, 3, 8, 2, 6, 4};
    ds_sparsifier *s = NULL;
    TU_OK(ds_norm_sparsifier_create(DS_NORM_L1, NULL, &s));
    TU_OK(ds_sparsifier_add_data(s, "col", d, 8, 1, NULL, 0));
    TU_OK(ds_sparsifier_step(s));
    int64_t r = 0, c = 0;
    TU_OK(ds_sparsifier_get_shape(s, "col", &r, &c));
    cr_assert(r == 8 && c == 1, "column became %lldx%lld", (long long)r, (long long)c);
    uint8_t m[8];
    tu_get_mask(s, "col", m, 8);
    const uint8_t want[8] = {1, 0, 1, 0, 1, 0, 1, 0};
    tu_assert_mask_eq(m, want, 8, 1, "(8,1) default blocks");
    ds_sparsifier_destroy(s);
}

Test(norm_mask, column_data_with_blocks_down_the_column) {
    float up[8] = {1, 2, 3, 4, 10, 20, 30, 40};
    const uint8_t want_up[8] = {0, 0, 1, 1, 1, 1, 1, 1};
    expect_mask(DS_NORM_L1, up, 8, 1, 0.5, 4, 1, 2, want_up, "(8,1) 4x1 blocks, first block");
    float down[8] = {10, 20, 30, 40, 4, 3, 2, 1};
    const uint8_t want_down[8] = {1, 1, 1, 1, 1, 1, 0, 0};
    expect_mask(DS_NORM_L1, down, 8, 1, 0.5, 4, 1, 2, want_down, "(8,1) 4x1 blocks, second block");
}

/* --- Ties -------------------------------------------------------------- */

Test(norm_mask, tied_blocks_lower_index_first) {
    float flat[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    const uint8_t w1[8] = {0, 0, 1, 1, 1, 1, 1, 1};
    expect_mask(DS_NORM_L1, flat, 1, 8, 0.5, 1, 4, 2, w1, "1x8 all equal, 1x4 blocks, 2 zeros");
    expect_mask(DS_NORM_L2, flat, 1, 8, 0.5, 1, 4, 2, w1, "1x8 all equal, L2");

    float sq[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    const uint8_t w2[8] = {0, 1, 1, 1, 1, 1, 1, 1};
    expect_mask(DS_NORM_L1, sq, 2, 4, 0.5, 2, 2, 1, w2, "2x4 all equal, 2x2 blocks, 1 zero");

    float signs[8] = {-1, 1, -1, 1, 1, -1, 1, -1};
    const uint8_t w3[8] = {0, 0, 0, 0, 1, 1, 1, 1};
    expect_mask(DS_NORM_L1, signs, 1, 8, 0.5, 1, 4, 4, w3, "signs only, L1");
    expect_mask(DS_NORM_L2, signs, 1, 8, 0.5, 1, 4, 4, w3, "signs only, L2");

    /* three tied blocks, two selected: blocks 0 and 1, not 2 */
    float three[12] = {2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2};
    const uint8_t w4[12] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1};
    expect_mask(DS_NORM_L1, three, 3, 4, 0.5, 1, 4, 4, w4, "3 tied blocks, round(1.5) = 2");
}

Test(norm_mask, tie_at_the_selection_boundary) {
    /* means 1, 3, 3, 0.5: level 0.5 selects blocks 3 and 0 */
    float d[16] = {1, 1, 1, 1, 3, 3, 3, 3, 1, 5, 3, 3, 0.5f, 0.5f, 0.5f, 0.5f};
    const uint8_t want[16] = {0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0};
    expect_mask(DS_NORM_L1, d, 4, 4, 0.5, 1, 4, 4, want, "boundary tie, 1x4 blocks");
    /* level 0.75 -> 3 blocks: 3, 0, then block 1 before block 2 */
    const uint8_t want3[16] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0};
    expect_mask(DS_NORM_L1, d, 4, 4, 0.75, 1, 4, 4, want3, "boundary tie at level 0.75");
}

Test(norm_mask, tied_elements_lower_position_first) {
    /* 2x2 block [3 1; 1 1] zeros 2: the 1s at (0,1) and (1,0) */
    float d[4] = {3, 1, 1, 1};
    const uint8_t want[4] = {1, 0, 0, 1};
    expect_mask(DS_NORM_L1, d, 2, 2, 1.0, 2, 2, 2, want, "2x2 block in-block ties");
    /* row-major inside the block even when the block spans rows of a wider tensor */
    float w[8] = {2, 2, 0, 0, 2, 2, 0, 0}; /* 2x4, 2x2 blocks: block 1 is all zeros */
    const uint8_t want_w[8] = {1, 1, 0, 0, 1, 1, 0, 1};
    expect_mask(DS_NORM_L1, w, 2, 4, 0.5, 2, 2, 3, want_w, "row-major inside a 2x2 block");
}

/* Small-integer data is full of ties at every level: compare every case
 * with the spec's rules (tu_ref_mask), partial blocks included. */
Test(norm_mask, ties_on_small_integer_data_match_the_spec) {
    static const int shapes[][2] = {{4, 8}, {5, 7}, {1, 9}, {9, 1}, {6, 6}, {3, 5}};
    static const int blocks[][2] = {{1, 1}, {1, 4}, {2, 2}, {4, 1}, {2, 3}, {3, 3}};
    static const double levels[] = {0.25, 0.5, 0.75, 1.0};
    tu_rng r = tu_rng_make(2024);
    float d[64];
    for (size_t si = 0; si < TU_ARRAY_LEN(shapes); ++si)
        for (size_t bi = 0; bi < TU_ARRAY_LEN(blocks); ++bi) {
            int bs = blocks[bi][0] * blocks[bi][1];
            int zs[] = {0, 1, bs / 2, bs - 1, bs};
            for (size_t zi = 0; zi < TU_ARRAY_LEN(zs); ++zi)
                for (size_t li = 0; li < TU_ARRAY_LEN(levels); ++li)
                    for (int norm = DS_NORM_L1; norm <= DS_NORM_L2; ++norm) {
                        int n = shapes[si][0] * shapes[si][1];
                        for (int i = 0; i < n; ++i)
                            d[i] = (float)tu_rng_int(&r, -2, 2);
                        expect_reference((ds_norm)norm, d, shapes[si][0], shapes[si][1], levels[li],
                                         blocks[bi][0], blocks[bi][1], zs[zi], "small integers");
                    }
        }
}

/* --- NaN and infinity -------------------------------------------------- */

Test(norm_mask, nan_block_ranks_largest) {
    float d[8] = {NAN, 0, 0, 0, 5, 5, 5, 5};
    const uint8_t want[8] = {1, 1, 1, 1, 0, 0, 0, 0};
    expect_mask(DS_NORM_L1, d, 1, 8, 0.5, 1, 4, 4, want, "NaN block not selected, L1");
    expect_mask(DS_NORM_L2, d, 1, 8, 0.5, 1, 4, 4, want, "NaN block not selected, L2");
}

Test(norm_mask, nan_element_ranks_largest_in_its_block) {
    float a[4] = {NAN, 1, 2, 3};
    const uint8_t wa[4] = {1, 0, 0, 0};
    expect_mask(DS_NORM_L1, a, 1, 4, 1.0, 1, 4, 3, wa, "NaN kept with 3 zeros, L1");
    expect_mask(DS_NORM_L2, a, 1, 4, 1.0, 1, 4, 3, wa, "NaN kept with 3 zeros, L2");
    float b[4] = {3, NAN, -1, 2};
    const uint8_t wb[4] = {0, 1, 0, 0};
    expect_mask(DS_NORM_L1, b, 1, 4, 1.0, 1, 4, 3, wb, "NaN in the middle");
    const uint8_t wall[4] = {0, 0, 0, 0};
    expect_mask(DS_NORM_L1, b, 1, 4, 1.0, 1, 4, 4, wall, "4 zeros: the NaN block is zeroed whole");
}

Test(norm_mask, nan_ranks_after_infinity) {
    /* means: inf, NaN, 1 -> round(1.5) = 2 blocks: block 2 then block 0 */
    float d[12] = {INFINITY, 0, 0, 0, NAN, 0, 0, 0, 1, 1, 1, 1};
    const uint8_t want[12] = {0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0};
    expect_mask(DS_NORM_L1, d, 1, 12, 0.5, 1, 4, 4, want, "inf before NaN, L1");
    expect_mask(DS_NORM_L2, d, 1, 12, 0.5, 1, 4, 4, want, "inf before NaN, L2");
    float e[4] = {NAN, -INFINITY, 7, NAN};
    const uint8_t we[4] = {1, 0, 0, 1};
    expect_mask(DS_NORM_L1, e, 1, 4, 1.0, 1, 4, 2, we, "in-block: numbers, then inf, then NaN");
}

Test(norm_mask, all_nan_blocks_follow_index_order) {
    float d[8] = {NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN};
    const uint8_t want[8] = {0, 0, 1, 1, 1, 1, 1, 1};
    expect_mask(DS_NORM_L1, d, 2, 4, 0.5, 1, 4, 2, want, "all NaN");
}

/* --- Randomized comparison with the spec ------------------------------- */

Test(norm_mask, random_data_matches_the_spec) {
    static const int shapes[][2] = {{7, 9}, {1, 13}, {13, 1}, {16, 16}, {33, 17}, {2, 50}};
    static const int blocks[][2] = {{1, 1}, {1, 4}, {2, 2}, {4, 1}, {2, 3}, {3, 3}, {4, 4}};
    static const double levels[] = {0.1, 0.3, 0.5, 0.7, 0.9, 1.0};
    tu_rng r = tu_rng_make(77);
    static float d[33 * 17];
    for (size_t si = 0; si < TU_ARRAY_LEN(shapes); ++si)
        for (size_t bi = 0; bi < TU_ARRAY_LEN(blocks); ++bi) {
            int bs = blocks[bi][0] * blocks[bi][1];
            int zs[] = {1, 2, bs};
            for (size_t zi = 0; zi < TU_ARRAY_LEN(zs); ++zi) {
                if (zs[zi] > bs)
                    continue;
                for (size_t li = 0; li < TU_ARRAY_LEN(levels); ++li)
                    for (int norm = DS_NORM_L1; norm <= DS_NORM_L2; ++norm) {
                        int n = shapes[si][0] * shapes[si][1];
                        /* multiples of 1/32 in (-2, 2): exact scores and sums in float */
                        for (int i = 0; i < n; ++i)
                            d[i] = (float)tu_rng_int(&r, -63, 63) / 32.0f;
                        expect_reference((ds_norm)norm, d, shapes[si][0], shapes[si][1], levels[li],
                                         blocks[bi][0], blocks[bi][1], zs[zi], "random");
                    }
            }
        }
}

Test(norm_mask, large_tensor_matches_the_spec) {
    enum { R = 300, C = 300 };
    static float d[R * C];
    tu_rng r = tu_rng_make(300);
    for (int i = 0; i < R * C; ++i)
        d[i] = (float)tu_rng_int(&r, -63, 63) / 32.0f;
    expect_reference(DS_NORM_L1, d, R, C, 0.5, 1, 4, 2, "large");
    expect_reference(DS_NORM_L2, d, R, C, 0.7, 2, 2, 4, "large");
    expect_reference(DS_NORM_L1, d, R, C, 0.3, 4, 4, 5, "large");
    expect_reference(DS_NORM_L2, d, R, C, 0.9, 1, 1, 1, "large");
}

Test(norm_mask, masks_are_deterministic_across_steps_and_sparsifiers) {
    enum { R = 64, C = 96 };
    static float d[R * C];
    tu_fill_distinct(d, R * C, 31);
    static uint8_t a[R * C], b[R * C];
    norm_mask(DS_NORM_L2, d, R, C, 0.6, 2, 3, 4, a);
    norm_mask(DS_NORM_L2, d, R, C, 0.6, 2, 3, 4, b);
    cr_assert(memcmp(a, b, sizeof a) == 0, "two sparsifiers gave different masks for the same input");
}

/* --- Scores never overflow for finite data -------------------------------- */

/* Block means of 1.75e38 and 1.72e38 (L1, 2x1 blocks: the column sums exceed
 * FLT_MAX) and of 2.25e38 and 2.1025e38 (L2 of 1.5e19 and 1.45e19: the
 * squares exceed FLT_MAX when summed): the smaller mean is sparsified. */
Test(norm_mask, huge_finite_block_means_keep_their_order) {
    float l1[4] = {1.75e38f, 1.72e38f, 1.75e38f, 1.72e38f}; /* 2x2: block (col 0) mean 1.75e38, (col 1) 1.72e38 */
    const uint8_t want[4] = {1, 0, 1, 0};
    expect_mask(DS_NORM_L1, l1, 2, 2, 0.5, 2, 1, 2, want, "L1 near FLT_MAX");
    float l2[4] = {1.5e19f, 1.45e19f, 1.5e19f, 1.45e19f};
    expect_mask(DS_NORM_L2, l2, 2, 2, 0.5, 2, 1, 2, want, "L2 above 1.3e19");
    /* single elements whose square exceeds FLT_MAX: 4e19 (1.6e39) against 3e19 (9e38) */
    float big[2] = {4e19f, 3e19f};
    const uint8_t want_big[2] = {1, 0};
    expect_mask(DS_NORM_L2, big, 1, 2, 0.5, 1, 1, 1, want_big, "L2 squares beyond FLT_MAX");
    /* inside a block: the smaller of two huge elements is zeroed first */
    float in_block[4] = {3e19f, 2.9e19f, 3.1e19f, 1e30f};
    const uint8_t want_in[4] = {1, 0, 1, 1};
    expect_mask(DS_NORM_L2, in_block, 1, 4, 1.0, 1, 4, 1, want_in, "element order beyond FLT_MAX");
    /* and an infinite element still ranks its block above every finite one */
    float inf_block[4] = {INFINITY, 0, 3.4e38f, 3.4e38f};
    const uint8_t want_inf[4] = {1, 1, 0, 0};
    expect_mask(DS_NORM_L1, inf_block, 1, 4, 0.5, 1, 2, 2, want_inf, "inf above FLT_MAX");
}
