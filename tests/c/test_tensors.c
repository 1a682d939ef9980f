/* Tensors: every dtype (float32, float64, float16, bfloat16), row strides
 * (views into bigger buffers), N-D shapes, through ds_sparsifier_add_data_ex:
 * masks, squash in the data's own type, get_data_ex, get_desc, states that
 * keep the dtype and stride, and the argument checks. */
#include "test_util.h"

static const char *const k_paths[] = {"scalar", "sse2", "avx2", "avx512"};

/* float -> IEEE binary16, round to nearest even (finite values in range). */
static uint16_t to_half(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    const uint32_t sign = (x >> 16) & 0x8000u;
    x &= 0x7FFFFFFFu;
    if (x >= 0x7F800000u) return (uint16_t)(sign | 0x7C00u | (x > 0x7F800000u ? 0x200u : 0u));
    if (x >= 0x477FF000u) return (uint16_t)(sign | 0x7C00u); /* overflows to inf */
    if (x < 0x38800000u) {                                    /* subnormal half (or 0) */
        float a;
        memcpy(&a, &x, 4);
        const float scaled = a * 16777216.0f; /* 2^24: the half subnormal step becomes 1 */
        return (uint16_t)(sign | (uint32_t)nearbyintf(scaled));
    }
    const uint32_t rounded = x + 0xFFFu + ((x >> 13) & 1u);
    return (uint16_t)(sign | ((rounded - 0x38000000u) >> 13));
}
/* float -> bfloat16, round to nearest even (finite values). */
static uint16_t to_bf16(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    return (uint16_t)((x + 0x7FFFu + ((x >> 16) & 1u)) >> 16);
}
static float half_value(uint16_t h) { /* exact, independent of the library's */
    const int e = (h >> 10) & 0x1F, m = h & 0x3FF;
    float v = e == 0 ? ldexpf((float)m, -24) : e == 31 ? (m ? NAN : INFINITY) : ldexpf((float)(m | 0x400), e - 25);
    return (h & 0x8000) ? -v : v;
}
static float bf16_value(uint16_t h) {
    const uint32_t x = (uint32_t)h << 16;
    float f;
    memcpy(&f, &x, 4);
    return f;
}

static ds_tensor_desc desc_of(ds_dtype dtype, int ndim, const int64_t *shape, int64_t row_stride) {
    ds_tensor_desc d = DS_TENSOR_DESC_INIT;
    d.dtype = dtype;
    d.ndim = ndim;
    for (int i = 0; i < ndim; ++i)
        d.shape[i] = shape[i];
    d.row_stride = row_stride;
    return d;
}

static ds_sparsifier *norm_sparsifier(ds_norm norm, double level, int br, int bc, int zeros) {
    ds_sparsifier *s = NULL;
    ds_config *c = tu_cfg("sparsity_level", level, "block_rows", (double)br, "block_cols", (double)bc,
                          "zeros_per_block", (double)zeros, NULL);
    TU_OK(ds_norm_sparsifier_create(norm, c, &s));
    ds_config_destroy(c);
    return s;
}

/* The mask of a float32 rows x cols matrix (the reference for the others). */
static void f32_mask(const float *data, int64_t rows, int64_t cols, ds_norm norm, double level, int br, int bc,
                     int zeros, uint8_t *out) {
    ds_sparsifier *s = norm_sparsifier(norm, level, br, bc, zeros);
    TU_OK(ds_sparsifier_add_data(s, "x", (float *)data, rows, cols, NULL, 0));
    TU_OK(ds_sparsifier_step(s));
    tu_get_mask(s, "x", out, (size_t)(rows * cols));
    ds_sparsifier_destroy(s);
}

static void typed_mask(void *data, const ds_tensor_desc *d, ds_norm norm, double level, int br, int bc, int zeros,
                       uint8_t *out, size_t n) {
    ds_sparsifier *s = norm_sparsifier(norm, level, br, bc, zeros);
    TU_OK(ds_sparsifier_add_data_ex(s, "x", data, d, NULL, 0));
    TU_OK(ds_sparsifier_step(s));
    tu_get_mask(s, "x", out, n);
    ds_sparsifier_destroy(s);
}

static const struct {
    int br, bc, zeros;
    double level;
} k_blocks[] = {{1, 4, 4, 0.7}, {1, 4, 2, 0.7}, {2, 2, 2, 0.6}, {4, 4, 8, 0.7}, {1, 16, 8, 0.5},
                {3, 5, 7, 0.5}, {1, 1, 1, 0.3}, {2, 3, 6, 1.0}, {9, 9, 40, 0.5}};

Test(tensors, dtype_names_and_sizes) {
    cr_assert_eq(ds_dtype_size(DS_DTYPE_FLOAT32), 4);
    cr_assert_eq(ds_dtype_size(DS_DTYPE_FLOAT64), 8);
    cr_assert_eq(ds_dtype_size(DS_DTYPE_FLOAT16), 2);
    cr_assert_eq(ds_dtype_size(DS_DTYPE_BFLOAT16), 2);
    cr_assert_str_eq(ds_dtype_name(DS_DTYPE_FLOAT32), "float32");
    cr_assert_str_eq(ds_dtype_name(DS_DTYPE_FLOAT64), "float64");
    cr_assert_str_eq(ds_dtype_name(DS_DTYPE_FLOAT16), "float16");
    cr_assert_str_eq(ds_dtype_name(DS_DTYPE_BFLOAT16), "bfloat16");
    cr_assert_eq(ds_dtype_size((ds_dtype)4), 0);
    cr_assert_eq(ds_dtype_size((ds_dtype)-1), 0);
    cr_assert_null(ds_dtype_name((ds_dtype)4));
    cr_assert_null(ds_dtype_name(DS_DTYPE_MAX_ENUM));
}

/* Half and bfloat16 data give the masks of the same values in float32, on
 * every SIMD path; float64 data holding float32 values too. */
Test(tensors, every_dtype_masks_like_float32_of_the_same_values) {
    const int64_t rows = 67, cols = 131, n = rows * cols;
    float *f = malloc(sizeof(float) * (size_t)n);
    double *d = malloc(sizeof(double) * (size_t)n);
    uint16_t *h = malloc(2 * (size_t)n), *b = malloc(2 * (size_t)n);
    uint8_t *want = malloc((size_t)n), *got = malloc((size_t)n);
    cr_assert(f && d && h && b && want && got);
    tu_rng r = tu_rng_make(5);
    for (int64_t i = 0; i < n; ++i) {
        /* values every type holds exactly: few mantissa bits, wide exponents, some ties and zeros */
        const int mant = tu_rng_int(&r, -15, 15), ex = tu_rng_int(&r, -20, 12);
        f[i] = ldexpf((float)mant, ex);
        d[i] = f[i];
        h[i] = to_half(f[i]);
        b[i] = to_bf16(f[i]);
        cr_assert(half_value(h[i]) == f[i] || fabsf(f[i]) < 6e-5f || fabsf(f[i]) > 65504.0f);
    }
    for (int64_t i = 0; i < n; ++i) /* the half values are what float32 must see */
        if (half_value(h[i]) != f[i]) {
            f[i] = half_value(h[i]);
            d[i] = f[i];
            b[i] = to_bf16(f[i]);
        }
    for (int64_t i = 0; i < n; ++i)
        cr_assert(bf16_value(b[i]) == f[i], "value %g is not a bfloat16", (double)f[i]);
    const int64_t shape[2] = {rows, cols};
    for (size_t p = 0; p < TU_ARRAY_LEN(k_paths); ++p) {
        setenv("DATASPARSE_SIMD", k_paths[p], 1);
        if (strcmp(ds_simd_path(), k_paths[p]) != 0)
            continue;
        for (size_t k = 0; k < TU_ARRAY_LEN(k_blocks); ++k)
            for (int norm = 0; norm < 2; ++norm) {
                f32_mask(f, rows, cols, (ds_norm)norm, k_blocks[k].level, k_blocks[k].br, k_blocks[k].bc,
                         k_blocks[k].zeros, want);
                void *data[3] = {d, h, b};
                const ds_dtype types[3] = {DS_DTYPE_FLOAT64, DS_DTYPE_FLOAT16, DS_DTYPE_BFLOAT16};
                for (int t = 0; t < 3; ++t) {
                    ds_tensor_desc desc = desc_of(types[t], 2, shape, 0);
                    typed_mask(data[t], &desc, (ds_norm)norm, k_blocks[k].level, k_blocks[k].br, k_blocks[k].bc,
                               k_blocks[k].zeros, got, (size_t)n);
                    char what[160];
                    snprintf(what, sizeof what, "%s vs float32, block %dx%d zeros %d, L%d, %s",
                             ds_dtype_name(types[t]), k_blocks[k].br, k_blocks[k].bc, k_blocks[k].zeros, norm + 1,
                             k_paths[p]);
                    tu_assert_mask_eq(got, want, rows, cols, what);
                }
            }
    }
    unsetenv("DATASPARSE_SIMD");
    free(f);
    free(d);
    free(h);
    free(b);
    free(want);
    free(got);
}

/* float64 is scored in double: values that float32 cannot tell apart rank
 * as they are, blocks and elements alike. */
Test(tensors, float64_keeps_its_precision) {
    /* blocks 1x2: [1, 1] vs [1, 1 + 2^-40]: equal in float32, not in float64 */
    double d[8] = {1.0, 1.0 + 0x1p-40, 1.0, 1.0, 3.0, 3.0, 1.0 + 0x1p-41, 1.0};
    const int64_t shape[1] = {8};
    ds_tensor_desc desc = desc_of(DS_DTYPE_FLOAT64, 1, shape, 0);
    uint8_t m[8];
    /* level 0.25 of 4 blocks: 1 block, the smallest mean: block 1 ([1, 1]) */
    typed_mask(d, &desc, DS_NORM_L1, 0.25, 1, 2, 2, m, 8);
    const uint8_t want_block[8] = {1, 1, 0, 0, 1, 1, 1, 1};
    tu_assert_mask_eq(m, want_block, 1, 8, "float64 block means");
    /* inside the selected block the smaller element goes: 1 < 1 + 2^-41 */
    typed_mask(d, &desc, DS_NORM_L2, 1.0, 1, 2, 1, m, 8);
    const uint8_t want_elem[8] = {0, 1, 0, 1, 0, 1, 1, 0};
    tu_assert_mask_eq(m, want_elem, 1, 8, "float64 elements");
}

/* A view: a column slice of a bigger matrix, borrowed without a copy. */
Test(tensors, row_stride_is_a_view) {
    const int64_t big_rows = 40, big_cols = 50, c0 = 7, rows = 40, cols = 29;
    float *big = malloc(sizeof(float) * (size_t)(big_rows * big_cols));
    float *copy = malloc(sizeof(float) * (size_t)(rows * cols));
    float *before = malloc(sizeof(float) * (size_t)(big_rows * big_cols));
    uint8_t *want = malloc((size_t)(rows * cols)), *got = malloc((size_t)(rows * cols));
    cr_assert(big && copy && before && want && got);
    tu_rng r = tu_rng_make(11);
    for (int64_t i = 0; i < big_rows * big_cols; ++i)
        big[i] = tu_rng_grid_float(&r);
    for (int64_t i = 0; i < rows; ++i)
        memcpy(copy + i * cols, big + i * big_cols + c0, sizeof(float) * (size_t)cols);
    memcpy(before, big, sizeof(float) * (size_t)(big_rows * big_cols));
    for (size_t k = 0; k < TU_ARRAY_LEN(k_blocks); ++k) {
        f32_mask(copy, rows, cols, DS_NORM_L2, k_blocks[k].level, k_blocks[k].br, k_blocks[k].bc, k_blocks[k].zeros,
                 want);
        const int64_t shape[2] = {rows, cols};
        ds_tensor_desc desc = desc_of(DS_DTYPE_FLOAT32, 2, shape, big_cols);
        typed_mask(big + c0, &desc, DS_NORM_L2, k_blocks[k].level, k_blocks[k].br, k_blocks[k].bc,
                   k_blocks[k].zeros, got, (size_t)(rows * cols));
        tu_assert_mask_eq(got, want, rows, cols, "strided view vs contiguous copy");
    }
    /* squash zeros inside the view only; get_data_ex returns it contiguous */
    ds_sparsifier *s = norm_sparsifier(DS_NORM_L1, 0.5, 1, 4, 4);
    const int64_t shape[2] = {rows, cols};
    ds_tensor_desc desc = desc_of(DS_DTYPE_FLOAT32, 2, shape, big_cols);
    TU_OK(ds_sparsifier_add_data_ex(s, "v", big + c0, &desc, NULL, 0));
    TU_OK(ds_sparsifier_step(s));
    tu_get_mask(s, "v", got, (size_t)(rows * cols));
    float *out = malloc(sizeof(float) * (size_t)(rows * cols));
    cr_assert_not_null(out);
    TU_OK(ds_sparsifier_get_data_ex(s, "v", 1, out, sizeof(float) * (size_t)(rows * cols)));
    cr_assert(memcmp(out, copy, sizeof(float) * (size_t)(rows * cols)) == 0, "get_data_ex(original) is the view");
    TU_OK(ds_sparsifier_get_data(s, "v", 0, out, (size_t)(rows * cols)));
    for (int64_t i = 0; i < rows * cols; ++i)
        cr_assert(out[i] == (got[i] ? copy[i] : 0.0f), "get_data(sparsified) at %lld", (long long)i);
    TU_OK(ds_sparsifier_squash_mask(s, NULL, 0, 1));
    for (int64_t i = 0; i < big_rows; ++i)
        for (int64_t j = 0; j < big_cols; ++j) {
            const int inside = i < rows && j >= c0 && j < c0 + cols;
            const float want_v = inside && !got[i * cols + (j - c0)] ? 0.0f : before[i * big_cols + j];
            cr_assert(memcmp(&big[i * big_cols + j], &want_v, 4) == 0, "big[%lld][%lld] after squash",
                      (long long)i, (long long)j);
        }
    ds_sparsifier_destroy(s);
    free(out);
    free(big);
    free(copy);
    free(before);
    free(want);
    free(got);
}

/* A 4-D tensor (a conv weight out x in x kh x kw) is the matrix (out*in*kh) x kw. */
Test(tensors, four_d_is_its_matrix) {
    const int64_t shape[4] = {8, 3, 5, 7}, rows = 8 * 3 * 5, cols = 7, n = rows * cols;
    float *f = malloc(sizeof(float) * (size_t)n);
    uint16_t *bf = malloc(2 * (size_t)n);
    uint8_t *want = malloc((size_t)n), *got = malloc((size_t)n);
    cr_assert(f && bf && want && got);
    tu_rng r = tu_rng_make(3);
    for (int64_t i = 0; i < n; ++i) {
        f[i] = tu_rng_grid_float(&r);
        bf[i] = to_bf16(f[i]);
        f[i] = bf16_value(bf[i]);
    }
    for (size_t k = 0; k < TU_ARRAY_LEN(k_blocks); ++k) {
        f32_mask(f, rows, cols, DS_NORM_L1, k_blocks[k].level, k_blocks[k].br, k_blocks[k].bc, k_blocks[k].zeros,
                 want);
        ds_tensor_desc desc = desc_of(DS_DTYPE_BFLOAT16, 4, shape, 0);
        typed_mask(bf, &desc, DS_NORM_L1, k_blocks[k].level, k_blocks[k].br, k_blocks[k].bc, k_blocks[k].zeros, got,
                   (size_t)n);
        tu_assert_mask_eq(got, want, rows, cols, "4-D bfloat16 vs its float32 matrix");
    }
    ds_sparsifier *s = norm_sparsifier(DS_NORM_L1, 0.5, 2, 2, 2);
    ds_tensor_desc desc = desc_of(DS_DTYPE_BFLOAT16, 4, shape, 0);
    TU_OK(ds_sparsifier_add_data_ex(s, "conv", bf, &desc, NULL, 0));
    ds_tensor_desc back;
    memset(&back, 0xAB, sizeof back);
    TU_OK(ds_sparsifier_get_desc(s, "conv", &back));
    cr_assert_eq(back.version, DS_TENSOR_DESC_VERSION);
    cr_assert_eq(back.dtype, DS_DTYPE_BFLOAT16);
    cr_assert_eq(back.ndim, 4);
    for (int i = 0; i < 4; ++i)
        cr_assert_eq(back.shape[i], shape[i]);
    cr_assert_eq(back.row_stride, 0);
    int64_t mr, mc;
    TU_OK(ds_sparsifier_get_shape(s, "conv", &mr, &mc));
    cr_assert(mr == rows && mc == cols, "get_shape gives the matrix: %lldx%lld", (long long)mr, (long long)mc);
    /* a float32 item is a 2-D float32 tensor */
    TU_OK(ds_sparsifier_add_data(s, "plain", f, 3, 5, NULL, 0));
    TU_OK(ds_sparsifier_get_desc(s, "plain", &back));
    cr_assert(back.dtype == DS_DTYPE_FLOAT32 && back.ndim == 2 && back.shape[0] == 3 && back.shape[1] == 5 &&
              back.row_stride == 0);
    ds_sparsifier_destroy(s);
    free(f);
    free(bf);
    free(want);
    free(got);
}

/* Squash writes +0 in the data's own type; get_data_ex reads it back. */
Test(tensors, squash_in_the_data_type) {
    const ds_dtype types[4] = {DS_DTYPE_FLOAT32, DS_DTYPE_FLOAT64, DS_DTYPE_FLOAT16, DS_DTYPE_BFLOAT16};
    for (int t = 0; t < 4; ++t) {
        const size_t es = ds_dtype_size(types[t]);
        const int64_t shape[3] = {4, 6, 8}, n = 4 * 6 * 8;
        unsigned char *data = malloc(es * (size_t)n), *orig = malloc(es * (size_t)n), *back = malloc(es * (size_t)n);
        uint8_t *m = malloc((size_t)n);
        cr_assert(data && orig && back && m);
        for (int64_t i = 0; i < n; ++i) {
            const float v = (float)((i * 37) % 23) - 11.0f;
            if (types[t] == DS_DTYPE_FLOAT32)
                memcpy(data + i * 4, &v, 4);
            else if (types[t] == DS_DTYPE_FLOAT64) {
                const double dv = v;
                memcpy(data + i * 8, &dv, 8);
            } else {
                const uint16_t hv = types[t] == DS_DTYPE_FLOAT16 ? to_half(v) : to_bf16(v);
                memcpy(data + i * 2, &hv, 2);
            }
        }
        memcpy(orig, data, es * (size_t)n);
        ds_sparsifier *s = norm_sparsifier(DS_NORM_L1, 0.5, 1, 4, 2);
        ds_tensor_desc desc = desc_of(types[t], 3, shape, 0);
        TU_OK(ds_sparsifier_add_data_ex(s, "x", data, &desc, NULL, 0));
        TU_OK(ds_sparsifier_step(s));
        tu_get_mask(s, "x", m, (size_t)n);
        cr_assert_eq(ds_sparsifier_get_data_ex(s, "x", 1, back, es * (size_t)n - 1), DS_ERR_INVALID_ARGUMENT);
        cr_assert(strstr(ds_last_error(), "too small") != NULL, "%s", ds_last_error());
        TU_OK(ds_sparsifier_get_data_ex(s, "x", 0, back, es * (size_t)n));
        if (types[t] != DS_DTYPE_FLOAT32) {
            float f1;
            cr_assert_eq(ds_sparsifier_get_data(s, "x", 1, &f1, 1000), DS_ERR_INVALID_ARGUMENT);
            cr_assert(strstr(ds_last_error(), ds_dtype_name(types[t])) != NULL, "%s", ds_last_error());
        }
        TU_OK(ds_sparsifier_squash_mask(s, NULL, 0, 1));
        static const unsigned char zero[8] = {0};
        size_t zeroed = 0;
        for (int64_t i = 0; i < n; ++i) {
            const unsigned char *want = m[i] ? orig + i * (int64_t)es : zero;
            cr_assert(memcmp(data + i * (int64_t)es, want, es) == 0, "%s element %lld after squash",
                      ds_dtype_name(types[t]), (long long)i);
            cr_assert(memcmp(back + i * (int64_t)es, want, es) == 0, "%s element %lld of get_data_ex(sparsified)",
                      ds_dtype_name(types[t]), (long long)i);
            zeroed += !m[i];
        }
        cr_assert_eq(zeroed, (size_t)n / 4, "%s: %zu zeroed", ds_dtype_name(types[t]), zeroed);
        ds_sparsifier_destroy(s);
        free(data);
        free(orig);
        free(back);
        free(m);
    }
}

/* Every argument is checked: the error names it and its value; nothing is registered. */
Test(tensors, bad_descriptors_are_refused) {
    ds_sparsifier *s = norm_sparsifier(DS_NORM_L1, 0.5, 1, 4, 4);
    float buf[64] = {0};
    const int64_t shape[2] = {4, 8};
    struct {
        ds_tensor_desc d;
        const char *needle;
    } cases[8];
    int n = 0;
    cases[n].d = desc_of(DS_DTYPE_FLOAT32, 2, shape, 0), cases[n].d.version = 99,
    cases[n++].needle = "desc->version must be DS_TENSOR_DESC_VERSION (1), got 99";
    cases[n].d = desc_of((ds_dtype)7, 2, shape, 0), cases[n++].needle = "dtype must be 0 (float32)";
    cases[n].d = desc_of(DS_DTYPE_FLOAT32, 2, shape, 0), cases[n].d.ndim = 0,
    cases[n++].needle = "desc->ndim must be in [1, 8], got 0";
    cases[n].d = desc_of(DS_DTYPE_FLOAT32, 2, shape, 0), cases[n].d.ndim = 9,
    cases[n++].needle = "desc->ndim must be in [1, 8], got 9";
    cases[n].d = desc_of(DS_DTYPE_FLOAT32, 2, shape, 0), cases[n].d.shape[1] = 0,
    cases[n++].needle = "shape[1] of 'x' must be >= 1, got 0";
    cases[n].d = desc_of(DS_DTYPE_FLOAT32, 2, shape, 5), cases[n++].needle =
        "row_stride of 'x' must be 0 (contiguous) or >= the last size 8, got 5";
    cases[n].d = desc_of(DS_DTYPE_FLOAT32, 2, shape, 0), cases[n].d.shape[0] = INT64_MAX / 2,
    cases[n++].needle = "has too many elements";
    cases[n].d = desc_of(DS_DTYPE_FLOAT32, 2, shape, INT64_MAX / 2), cases[n++].needle = "spans more than memory";
    for (int i = 0; i < n; ++i) {
        cr_assert_eq(ds_sparsifier_add_data_ex(s, "x", buf, &cases[i].d, NULL, 0), DS_ERR_INVALID_ARGUMENT,
                     "case %d", i);
        cr_assert(strstr(ds_last_error(), cases[i].needle) != NULL, "case %d: \"%s\" lacks \"%s\"", i,
                  ds_last_error(), cases[i].needle);
        cr_assert_eq(ds_sparsifier_count(s), 0);
    }
    ds_tensor_desc ok = desc_of(DS_DTYPE_FLOAT32, 2, shape, 0);
    cr_assert_eq(ds_sparsifier_add_data_ex(s, "x", buf, NULL, NULL, 0), DS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(ds_sparsifier_add_data_ex(s, "x", NULL, &ok, NULL, 0), DS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(ds_sparsifier_add_data_ex(NULL, "x", buf, &ok, NULL, 0), DS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(ds_sparsifier_get_desc(s, "x", NULL), DS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(ds_sparsifier_count(s), 0);
    TU_OK(ds_sparsifier_add_data_ex(s, "x", buf, &ok, NULL, 0));
    ds_tensor_desc back;
    cr_assert_eq(ds_sparsifier_get_desc(s, "nope", &back), DS_ERR_NOT_FOUND);
    cr_assert_eq(ds_sparsifier_get_data_ex(s, "x", 1, NULL, 1000), DS_ERR_INVALID_ARGUMENT);
    ds_sparsifier_destroy(s);
}

static int keep_all(void *u, const char *name, const float *data, int64_t rows, int64_t cols, const ds_config *c,
                    uint8_t *mask) {
    (void)u, (void)name, (void)data, (void)rows, (void)cols, (void)c, (void)mask;
    return 0;
}

/* A custom sparsifier's callback reads float rows. */
Test(tensors, custom_sparsifiers_take_contiguous_float32) {
    ds_sparsifier *s = NULL;
    TU_OK(ds_custom_sparsifier_create(keep_all, NULL, NULL, &s));
    uint16_t h[32] = {0};
    float f[64] = {0};
    const int64_t shape[2] = {4, 8}, shape3[3] = {2, 2, 8};
    ds_tensor_desc half = desc_of(DS_DTYPE_FLOAT16, 2, shape, 0), strided = desc_of(DS_DTYPE_FLOAT32, 2, shape, 16),
                   nd = desc_of(DS_DTYPE_FLOAT32, 3, shape3, 0);
    cr_assert_eq(ds_sparsifier_add_data_ex(s, "h", h, &half, NULL, 0), DS_ERR_INVALID_ARGUMENT);
    cr_assert(strstr(ds_last_error(), "contiguous float32") != NULL, "%s", ds_last_error());
    cr_assert_eq(ds_sparsifier_add_data_ex(s, "v", f, &strided, NULL, 0), DS_ERR_INVALID_ARGUMENT);
    TU_OK(ds_sparsifier_add_data_ex(s, "nd", f, &nd, NULL, 0));
    TU_OK(ds_sparsifier_step(s));
    ds_sparsifier_destroy(s);
}

/* A state keeps dtype, shape and stride (format version 2); it loads into an
 * item of the same dtype and shape whatever its stride; plain items still
 * write format version 1. */
Test(tensors, states_keep_dtype_shape_and_stride) {
    const int64_t shape[3] = {3, 4, 6}, rows = 12, cols = 6, stride = 9;
    uint16_t *a = calloc((size_t)(rows * stride), 2), *b = calloc((size_t)(rows * cols), 2);
    cr_assert(a && b);
    for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < cols; ++j)
            a[i * stride + j] = to_half((float)((i * 7 + j * 3) % 11) - 5.0f);
    ds_sparsifier *src = norm_sparsifier(DS_NORM_L2, 0.5, 2, 2, 3);
    ds_tensor_desc da = desc_of(DS_DTYPE_FLOAT16, 3, shape, stride), db = desc_of(DS_DTYPE_FLOAT16, 3, shape, 0);
    TU_OK(ds_sparsifier_add_data_ex(src, "w", a, &da, NULL, 0));
    TU_OK(ds_sparsifier_step(src));
    size_t size = 0;
    TU_OK(ds_sparsifier_save_buffer(src, DS_SAVE_DATA, NULL, 0, &size));
    uint8_t *state = malloc(size);
    cr_assert_not_null(state);
    TU_OK(ds_sparsifier_save_buffer(src, DS_SAVE_DATA, state, size, &size));
    cr_assert_eq(state[8], 2, "a float16 item needs format version 2");

    ds_sparsifier *dst = norm_sparsifier(DS_NORM_L2, 0.5, 2, 2, 3);
    TU_OK(ds_sparsifier_add_data_ex(dst, "w", b, &db, NULL, 0)); /* contiguous: another stride */
    TU_OK(ds_sparsifier_load_buffer(dst, state, size, 1));
    uint8_t ma[72], mb[72];
    tu_get_mask(src, "w", ma, 72);
    tu_get_mask(dst, "w", mb, 72);
    cr_assert(memcmp(ma, mb, 72) == 0, "the mask travels");
    for (int64_t i = 0; i < rows; ++i)
        cr_assert(memcmp(b + i * cols, a + i * stride, (size_t)cols * 2) == 0, "row %lld of the data travels",
                  (long long)i);
    ds_tensor_desc back;
    TU_OK(ds_sparsifier_get_desc(dst, "w", &back));
    cr_assert_eq(back.row_stride, 0, "the registered item keeps its own stride");

    /* another dtype or shape: DS_ERR_CORRUPT, nothing changed */
    ds_sparsifier *other = norm_sparsifier(DS_NORM_L2, 0.5, 2, 2, 3);
    const int64_t shape2[2] = {12, 6};
    ds_tensor_desc dbf = desc_of(DS_DTYPE_BFLOAT16, 3, shape, 0), d2 = desc_of(DS_DTYPE_FLOAT16, 2, shape2, 0);
    TU_OK(ds_sparsifier_add_data_ex(other, "w", b, &dbf, NULL, 0));
    cr_assert_eq(ds_sparsifier_load_buffer(other, state, size, 1), DS_ERR_CORRUPT);
    cr_assert(strstr(ds_last_error(), "state has float16 data 'w', the registered data is bfloat16") != NULL, "%s",
              ds_last_error());
    TU_OK(ds_sparsifier_add_data_ex(other, "w", b, &d2, NULL, 0));
    cr_assert_eq(ds_sparsifier_load_buffer(other, state, size, 1), DS_ERR_CORRUPT);
    cr_assert(strstr(ds_last_error(), "of shape 3x4x6, the registered data is 12x6") != NULL, "%s", ds_last_error());

    /* plain float32 items: format version 1, as before */
    ds_sparsifier *plain = norm_sparsifier(DS_NORM_L1, 0.5, 1, 4, 4);
    float f[12] = {0};
    TU_OK(ds_sparsifier_add_data(plain, "p", f, 3, 4, NULL, 0));
    uint8_t small[512];
    TU_OK(ds_sparsifier_save_buffer(plain, DS_SAVE_DATA, small, sizeof small, &size));
    cr_assert_eq(small[8], 1);
    ds_sparsifier_destroy(plain);
    ds_sparsifier_destroy(other);
    ds_sparsifier_destroy(src);
    ds_sparsifier_destroy(dst);
    free(state);
    free(a);
    free(b);
}
