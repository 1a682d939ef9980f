/* Every SIMD path (forced through DATASPARSE_SIMD, in this one binary) and
 * 1, 2 and 3 threads give masks bit-identical to the scalar reference with
 * one thread, on random and adversarial data: ties, all-equal, NaN, +-inf,
 * -0.0, denormals, huge and tiny magnitudes, blocks whose means round to the
 * same float, partial edge blocks, 1xN, Nx1 and 1x1 data; every block shape
 * the kernels write out, and the generic ones (wide, large, odd). Items are
 * small (one per thread) and large (split over threads) in one sparsifier.
 * A path this CPU cannot run is reported and skipped. */
#include "test_util.h"

static const char *const k_paths[] = {"scalar", "sse2", "avx2", "avx512"};

/* Selects a path; false if this machine cannot run it. */
static int use_path(const char *path) {
    setenv("DATASPARSE_SIMD", path, 1);
    return strcmp(ds_simd_path(), path) == 0;
}

enum { GEN_NORMAL, GEN_SMALL_INTS, GEN_ALL_EQUAL, GEN_NAN_INF, GEN_ZEROS_DENORMALS, GEN_HUGE_TINY,
       GEN_ANY_EXPONENT, GEN_SAME_FLOAT_MEAN, GEN_COUNT };
static const char *const k_gen_names[] = {"normal", "small ints", "all equal", "NaN and inf", "zeros and denormals",
                                          "huge and tiny", "any exponent", "means that round alike"};

/* L1 or L2 per generator; the sums of the exact ones are exact in double in
 * any order, so the spec's own algorithm (tu_ref_mask) checks the oracle too. */
static const ds_norm k_gen_norm[] = {DS_NORM_L2, DS_NORM_L2, DS_NORM_L1, DS_NORM_L1,
                                     DS_NORM_L2, DS_NORM_L2, DS_NORM_L1, DS_NORM_L1};
static const int k_gen_exact[] = {0, 1, 1, 0, 0, 0, 0, 1};

static float bits_float(uint32_t bits) {
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

static float gen_value(int gen, tu_rng *r, int64_t i) {
    const uint64_t u = tu_rng_next(r);
    const float sign = (u & 1) ? -1.0f : 1.0f;
    switch (gen) {
        case GEN_NORMAL: {
            double s = 0;
            for (int k = 0; k < 4; ++k) s += (double)(tu_rng_next(r) >> 11) / 9007199254740992.0 - 0.5;
            return (float)s;
        }
        case GEN_SMALL_INTS: return (float)tu_rng_int(r, -3, 3);
        case GEN_ALL_EQUAL: return 1.5f;
        case GEN_NAN_INF: {
            int pick = (int)(u >> 8) % 100;
            if (pick < 5) return (u & 2) ? NAN : -NAN;
            if (pick < 8) return sign * INFINITY;
            return sign * (float)((u >> 20) % 1000) / 100.0f;
        }
        case GEN_ZEROS_DENORMALS: {
            int pick = (int)(u >> 8) % 4;
            if (pick == 0) return sign * 0.0f;
            if (pick == 1) return bits_float((uint32_t)((u >> 16) % 0x007FFFFFu) + 1u) * sign; /* denormal */
            if (pick == 2) return sign * 1.1754944e-38f;                                     /* FLT_MIN */
            return sign * bits_float(0x00800000u + (uint32_t)((u >> 16) % 0x01000000u));
        }
        case GEN_HUGE_TINY: {
            int pick = (int)(u >> 8) % 4;
            if (pick == 0) return sign * 3.4028235e38f; /* FLT_MAX */
            if (pick == 1) return sign * bits_float(0x7E000000u + (uint32_t)((u >> 16) % 0x01000000u));
            if (pick == 2) return sign * 1e-30f;
            return sign * 1.7e19f; /* x*x overflows float, not double */
        }
        case GEN_ANY_EXPONENT: return bits_float((uint32_t)(u >> 32) & 0xFF7FFFFFu); /* finite, any sign */
        case GEN_SAME_FLOAT_MEAN:
            /* 1, or 1 plus an ulp: block means differ in double, most round to
             * the same float (the same key): the exact mean must decide. */
            return ((u >> 8) % 8 == 0) ? 1.0000001f : ((i % 7 == 0) ? 1.0000002f : 1.0f);
    }
    return 0.0f;
}

typedef struct shape_case {
    int64_t rows, cols;
} shape_case;

typedef struct block_case {
    int br, bc, zeros;
    double level;
} block_case;

/* Items in one sparsifier: small ones (one per thread) and a large one
 * (>= 65536 elements, split over threads), 1xN, Nx1 and 1x1 among them. */
static const shape_case k_shapes[] = {{37, 53}, {1, 301}, {203, 1}, {1, 1}, {16, 16}, {300, 257}, {9, 2500}};

static const block_case k_blocks[] = {
    {1, 4, 4, 0.7},  {1, 4, 2, 0.7},  {1, 4, 2, 1.0},   {1, 4, 1, 0.3},  {1, 2, 1, 0.5},  {1, 8, 5, 0.6},
    {1, 16, 8, 0.7}, {2, 1, 1, 0.5},  {2, 2, 2, 0.7},   {2, 4, 3, 0.5},  {2, 8, 9, 0.5},  {4, 1, 2, 0.4},
    {4, 2, 7, 0.6},  {4, 4, 8, 0.7},  {4, 4, 16, 0.55}, {8, 1, 3, 0.5},  {8, 2, 1, 0.9},  {16, 1, 15, 0.5},
    {1, 1, 1, 0.5},  {3, 5, 7, 0.7},  {1, 3, 2, 0.5},   {5, 5, 12, 0.6}, {9, 9, 40, 0.5}, {1, 2100, 1000, 0.5},
    {3, 2100, 5000, 0.5}, {2, 3, 6, 1.0}, {4, 4, 8, 0.0},
};

/* Masks of every item for one generator and block case, with the current path and threads. */
static void run_masks(int gen, const block_case *bk, float **data, uint8_t **out) {
    ds_sparsifier *s = NULL;
    ds_config *c = tu_cfg("sparsity_level", bk->level, "block_rows", (double)bk->br, "block_cols", (double)bk->bc,
                          "zeros_per_block", (double)bk->zeros, NULL);
    TU_OK(ds_norm_sparsifier_create(k_gen_norm[gen], c, &s));
    ds_config_destroy(c);
    for (size_t i = 0; i < TU_ARRAY_LEN(k_shapes); ++i) {
        char name[32];
        snprintf(name, sizeof name, "item%zu", i);
        /* zeros_per_block above a block's size is refused: clamp per item is not
         * needed, the config is shared and valid for every item. */
        TU_OK(ds_sparsifier_add_data(s, name, data[i], k_shapes[i].rows, k_shapes[i].cols, NULL, 0));
    }
    TU_OK(ds_sparsifier_step(s));
    for (size_t i = 0; i < TU_ARRAY_LEN(k_shapes); ++i) {
        char name[32];
        snprintf(name, sizeof name, "item%zu", i);
        tu_get_mask(s, name, out[i], (size_t)(k_shapes[i].rows * k_shapes[i].cols));
    }
    ds_sparsifier_destroy(s);
}

static void check_generator(int gen) {
    float *data[TU_ARRAY_LEN(k_shapes)];
    uint8_t *want[TU_ARRAY_LEN(k_shapes)], *got[TU_ARRAY_LEN(k_shapes)];
    tu_rng r = tu_rng_make(1000 + (uint64_t)gen);
    for (size_t i = 0; i < TU_ARRAY_LEN(k_shapes); ++i) {
        const size_t n = (size_t)(k_shapes[i].rows * k_shapes[i].cols);
        data[i] = malloc(n * sizeof(float));
        want[i] = malloc(n);
        got[i] = malloc(n);
        cr_assert(data[i] && want[i] && got[i]);
        for (size_t e = 0; e < n; ++e) data[i][e] = gen_value(gen, &r, (int64_t)e);
    }
    int compared = 0;
    for (size_t b = 0; b < TU_ARRAY_LEN(k_blocks); ++b) {
        const block_case *bk = &k_blocks[b];
        cr_assert(use_path("scalar"), "the scalar path always runs");
        TU_OK(ds_set_num_threads(1));
        run_masks(gen, bk, data, want);
        for (size_t i = 0; k_gen_exact[gen] && i < TU_ARRAY_LEN(k_shapes); ++i) {
            char what[200];
            snprintf(what, sizeof what, "%s data, %lldx%lld, block %dx%d zeros %d level %g: scalar vs the spec",
                     k_gen_names[gen], (long long)k_shapes[i].rows, (long long)k_shapes[i].cols, bk->br, bk->bc,
                     bk->zeros, bk->level);
            tu_ref_mask(data[i], k_shapes[i].rows, k_shapes[i].cols, k_gen_norm[gen], bk->level, bk->br, bk->bc,
                        bk->zeros, got[i]);
            tu_assert_mask_eq(want[i], got[i], k_shapes[i].rows, k_shapes[i].cols, what);
        }
        for (size_t p = 0; p < TU_ARRAY_LEN(k_paths); ++p) {
            if (!use_path(k_paths[p]))
                continue;
            for (int threads = 1; threads <= 3; ++threads) {
                if (p == 0 && threads == 1)
                    continue;
                TU_OK(ds_set_num_threads(threads));
                run_masks(gen, bk, data, got);
                for (size_t i = 0; i < TU_ARRAY_LEN(k_shapes); ++i) {
                    char what[200];
                    snprintf(what, sizeof what, "%s data, %lldx%lld, block %dx%d zeros %d level %g, %s, %d threads",
                             k_gen_names[gen], (long long)k_shapes[i].rows, (long long)k_shapes[i].cols, bk->br,
                             bk->bc, bk->zeros, bk->level, k_paths[p], threads);
                    tu_assert_mask_eq(got[i], want[i], k_shapes[i].rows, k_shapes[i].cols, what);
                }
                ++compared;
            }
        }
    }
    TU_OK(ds_set_num_threads(0));
    unsetenv("DATASPARSE_SIMD");
    cr_assert_gt(compared, 0);
    for (size_t i = 0; i < TU_ARRAY_LEN(k_shapes); ++i) {
        free(data[i]);
        free(want[i]);
        free(got[i]);
    }
}

Test(simd_paths, normal_data) { check_generator(GEN_NORMAL); }
Test(simd_paths, small_integers_with_ties) { check_generator(GEN_SMALL_INTS); }
Test(simd_paths, all_equal) { check_generator(GEN_ALL_EQUAL); }
Test(simd_paths, nan_and_infinity) { check_generator(GEN_NAN_INF); }
Test(simd_paths, zeros_and_denormals) { check_generator(GEN_ZEROS_DENORMALS); }
Test(simd_paths, huge_and_tiny) { check_generator(GEN_HUGE_TINY); }
Test(simd_paths, any_exponent) { check_generator(GEN_ANY_EXPONENT); }
Test(simd_paths, means_that_round_to_one_float) { check_generator(GEN_SAME_FLOAT_MEAN); }

/* The scalar path itself against the spec's own algorithm (tu_ref_mask), on
 * data whose block sums are exact in any order (so the reference's order of
 * summation cannot matter): the oracle is held to the definition. */
Test(simd_paths, scalar_path_matches_the_spec) {
    cr_assert(use_path("scalar"));
    tu_rng r = tu_rng_make(77);
    for (size_t b = 0; b < TU_ARRAY_LEN(k_blocks); ++b) {
        const block_case *bk = &k_blocks[b];
        const int64_t rows = 61, cols = 2203;
        float *d = malloc(sizeof(float) * (size_t)(rows * cols));
        uint8_t *want = malloc((size_t)(rows * cols)), *got = malloc((size_t)(rows * cols));
        cr_assert(d && want && got);
        for (int64_t e = 0; e < rows * cols; ++e) d[e] = tu_rng_grid_float(&r);
        for (int norm = 0; norm < 2; ++norm) {
            tu_ref_mask(d, rows, cols, (ds_norm)norm, bk->level, bk->br, bk->bc, bk->zeros, want);
            ds_sparsifier *s = NULL;
            ds_config *c = tu_cfg("sparsity_level", bk->level, "block_rows", (double)bk->br, "block_cols",
                                  (double)bk->bc, "zeros_per_block", (double)bk->zeros, NULL);
            TU_OK(ds_norm_sparsifier_create((ds_norm)norm, c, &s));
            ds_config_destroy(c);
            TU_OK(ds_sparsifier_add_data(s, "x", d, rows, cols, NULL, 0));
            TU_OK(ds_sparsifier_step(s));
            tu_get_mask(s, "x", got, (size_t)(rows * cols));
            ds_sparsifier_destroy(s);
            char what[128];
            snprintf(what, sizeof what, "scalar vs spec, block %dx%d zeros %d level %g, L%d", bk->br, bk->bc,
                     bk->zeros, bk->level, norm + 1);
            tu_assert_mask_eq(got, want, rows, cols, what);
        }
        free(d);
        free(want);
        free(got);
    }
    unsetenv("DATASPARSE_SIMD");
}

/* The path names: DATASPARSE_SIMD unset gives the best path; a name this
 * library does not know is ignored (with one warning) for the best path. */
Test(simd_paths, path_names) {
    unsetenv("DATASPARSE_SIMD");
    const char *best = ds_simd_path();
    int known = 0;
    for (size_t p = 0; p < TU_ARRAY_LEN(k_paths); ++p) known |= strcmp(best, k_paths[p]) == 0;
    cr_assert(known, "ds_simd_path() = %s", best);
    ds_set_log_handler(tu_silent_log, NULL);
    setenv("DATASPARSE_SIMD", "neon9000", 1);
    cr_assert_str_eq(ds_simd_path(), best);
    setenv("DATASPARSE_SIMD", "scalar", 1);
    cr_assert_str_eq(ds_simd_path(), "scalar");
    unsetenv("DATASPARSE_SIMD");
}

Test(simd_paths, thread_count) {
    TU_OK(ds_set_num_threads(3));
    cr_assert_eq(ds_num_threads(), 3);
    /* out of range: refused with the argument named, the count unchanged */
    cr_assert_eq(ds_set_num_threads(-5), DS_ERR_INVALID_ARGUMENT);
    cr_assert(strstr(ds_last_error(), "n (the number of threads) must be in [0, 1024]") != NULL, "%s", ds_last_error());
    cr_assert(strstr(ds_last_error(), "got -5") != NULL, "%s", ds_last_error());
    cr_assert_eq(ds_set_num_threads(1025), DS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(ds_num_threads(), 3);
    TU_OK(ds_set_num_threads(1024));
    cr_assert_eq(ds_num_threads(), 1024);
    TU_OK(ds_set_num_threads(0));
    cr_assert_geq(ds_num_threads(), 1);
}

/* Many small items, together large enough to be spread over threads one
 * item each (the library does that from 65,536 elements on): the same masks
 * with 1, 2 and 3 threads, on every path. */
Test(simd_paths, many_small_items_spread_over_threads) {
    enum { ITEMS = 40, ROWS = 41, COLS = 53 };
    float *data = malloc(sizeof(float) * ITEMS * ROWS * COLS);
    uint8_t *want = malloc(ITEMS * ROWS * COLS), *got = malloc(ITEMS * ROWS * COLS);
    cr_assert(data && want && got);
    tu_rng r = tu_rng_make(99);
    for (int i = 0; i < ITEMS * ROWS * COLS; ++i) data[i] = gen_value(i % 3 ? GEN_NORMAL : GEN_SMALL_INTS, &r, i);
    for (size_t p = 0; p < TU_ARRAY_LEN(k_paths); ++p) {
        if (!use_path(k_paths[p]))
            continue;
        for (int threads = 1; threads <= 3; ++threads) {
            TU_OK(ds_set_num_threads(threads));
            ds_sparsifier *s = NULL;
            ds_config *c = tu_cfg("sparsity_level", 0.6, "block_rows", 2.0, "block_cols", 4.0, "zeros_per_block", 3.0,
                                  NULL);
            TU_OK(ds_norm_sparsifier_create(DS_NORM_L1, c, &s));
            ds_config_destroy(c);
            char name[16];
            for (int i = 0; i < ITEMS; ++i) {
                snprintf(name, sizeof name, "i%d", i);
                TU_OK(ds_sparsifier_add_data(s, name, data + i * ROWS * COLS, ROWS, COLS, NULL, 0));
            }
            TU_OK(ds_sparsifier_step(s));
            uint8_t *out = (p == 0 && threads == 1) ? want : got;
            for (int i = 0; i < ITEMS; ++i) {
                snprintf(name, sizeof name, "i%d", i);
                tu_get_mask(s, name, out + i * ROWS * COLS, ROWS * COLS);
            }
            ds_sparsifier_destroy(s);
            if (out == got) {
                char what[64];
                snprintf(what, sizeof what, "40 items, %s, %d threads", k_paths[p], threads);
                tu_assert_mask_eq(got, want, ITEMS * ROWS, COLS, what);
            }
        }
    }
    TU_OK(ds_set_num_threads(0));
    unsetenv("DATASPARSE_SIMD");
    free(data);
    free(want);
    free(got);
}
