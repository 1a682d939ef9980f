/*
 * Golden parity: norm-sparsifier masks against PyTorch 1.13's
 * DataNormSparsifier.
 *
 * tests/fixtures/golden_norm.txt (made by tests/fixtures/gen_golden.py)
 * holds, per case, the seed and parameters, a hash of the data and the
 * zero count and hash of PyTorch's mask (the whole mask for small cases).
 * The data is regenerated here from the seed (golden_data.h); a data hash
 * mismatch means the generators disagree, not the masks.
 *
 * golden_norm_float64.txt and golden_norm_bfloat16.txt (gen_golden.py
 * --dtype float64|bfloat16) hold the same for float64 and bfloat16 data:
 * PyTorch sparsified tensors of that dtype, and the library gets the same
 * bytes through ds_sparsifier_add_data_ex.
 *
 * float16: PyTorch 1.13 cannot sparsify float16 on the CPU (F.avg_pool2d:
 * "not implemented for 'Half'"; gen_golden.py --dtype float16 checks this and
 * writes nothing), so there is no PyTorch float16 mask to compare with. The
 * float16 test gives the library float16 data holding exactly the values of
 * each bfloat16 golden case (every bfloat16 value of magnitude 2^-14 to 65504
 * is a float16 value) and expects PyTorch's mask
 * of those values: parity on the values, not on float16 arithmetic. Cases with
 * a value float16 cannot hold are left out and counted.
 */
#include <criterion/criterion.h>

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <datasparse/datasparse.h>

#include "golden_data.h"

#define GOLDEN_FILE DS_FIXTURE_DIR "/golden_norm.txt"
#define GOLDEN_FILE_FLOAT64 DS_FIXTURE_DIR "/golden_norm_float64.txt"
#define GOLDEN_FILE_BFLOAT16 DS_FIXTURE_DIR "/golden_norm_bfloat16.txt"
#define GOLDEN_MIN_CASES 200
#define GOLDEN_MIN_CASES_OTHER 100 /* float64 and bfloat16 fixtures */
#define GOLDEN_SMALL_MAX 64   /* cases up to this many elements store the mask */
#define GOLDEN_MAX_REPORTS 10 /* detailed failure messages per test */

typedef struct golden_case {
    int id;
    uint64_t seed;
    int64_t rows, cols;
    char norm[4];
    int block_rows, block_cols, zeros_per_block;
    char level_text[40];
    double level;
    uint64_t data_hash;
    int64_t zeros;
    uint64_t mask_hash;
    char mask01[GOLDEN_SMALL_MAX + 2]; /* "-" when not stored */
} golden_case;

typedef struct golden_set {
    golden_case *cases;
    size_t count;
    int bad_line;   /* first malformed line number, 0 if none */
    ds_dtype dtype; /* of the data: the "# dtype: NAME" header line, float32 without one */
} golden_set;

/* Loads a fixture. Returns 0 if the file cannot be opened. */
static int golden_load_file(const char *path, golden_set *set)
{
    FILE *f = fopen(path, "r");
    char line[512];
    size_t cap = 0;
    int lineno = 0;

    memset(set, 0, sizeof *set);
    set->dtype = DS_DTYPE_FLOAT32;
    if (!f)
        return 0;
    while (fgets(line, sizeof line, f)) {
        golden_case c;
        char *end = NULL;
        int fields;
        char name[16];

        ++lineno;
        if (sscanf(line, "# dtype: %15s", name) == 1) {
            int d, known = 0;
            for (d = DS_DTYPE_FLOAT32; d <= DS_DTYPE_BFLOAT16; ++d)
                if (strcmp(name, ds_dtype_name((ds_dtype)d)) == 0) {
                    set->dtype = (ds_dtype)d;
                    known = 1;
                }
            if (!known && !set->bad_line)
                set->bad_line = lineno;
            continue;
        }
        if (line[0] == '#' || line[0] == '\n' || line[0] == '\0')
            continue;
        memset(&c, 0, sizeof c);
        fields = sscanf(line,
                        "%d %" SCNx64 " %" SCNd64 " %" SCNd64 " %3s %d %d %d %39s %" SCNx64
                        " %" SCNd64 " %" SCNx64 " %65s",
                        &c.id, &c.seed, &c.rows, &c.cols, c.norm, &c.block_rows, &c.block_cols,
                        &c.zeros_per_block, c.level_text, &c.data_hash, &c.zeros, &c.mask_hash,
                        c.mask01);
        if (fields == 13) {
            c.level = strtod(c.level_text, &end);
            if (end == c.level_text || *end != '\0')
                fields = -1;
        }
        if (fields != 13 || c.rows <= 0 || c.cols <= 0 || c.rows > 100000 || c.cols > 100000
            || (strcmp(c.norm, "L1") != 0 && strcmp(c.norm, "L2") != 0)
            || (strcmp(c.mask01, "-") != 0 && (int64_t)strlen(c.mask01) != c.rows * c.cols)) {
            if (!set->bad_line)
                set->bad_line = lineno;
            continue;
        }
        if (set->count == cap) {
            size_t ncap = cap ? 2 * cap : 256;
            golden_case *p = realloc(set->cases, ncap * sizeof *p);
            if (!p)
                break;
            set->cases = p;
            cap = ncap;
        }
        set->cases[set->count++] = c;
    }
    fclose(f);
    return 1;
}

/* Loads the float32 fixture. */
static int golden_load(golden_set *set)
{
    return golden_load_file(GOLDEN_FILE, set);
}

static void golden_free(golden_set *set)
{
    free(set->cases);
    memset(set, 0, sizeof *set);
}

/* Failures of the current test; only the first few are printed in full. */
static int golden_failures;

static void golden_fail(const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (++golden_failures <= GOLDEN_MAX_REPORTS)
        cr_expect(0, "%s", msg);
}

/* Fills data (n elements of dtype) for case c of a fixture of fixture_dtype
 * and checks the data hash. float16 data is made from a bfloat16 fixture's
 * values, exactly. Returns 1 if done, 0 on a mismatch (reported), -1 when
 * float16 cannot hold a value (not reported). */
static int golden_make_data(const golden_case *c, const char *desc, ds_dtype fixture_dtype, ds_dtype dtype,
                       void *data, size_t n)
{
    uint64_t h = 0;
    size_t i;

    switch (fixture_dtype) {
    case DS_DTYPE_FLOAT32:
        golden_fill(c->seed, data, n);
        h = golden_fnv1a64_floats_le(data, n);
        break;
    case DS_DTYPE_FLOAT64:
        golden_fill_f64(c->seed, data, n);
        h = golden_fnv1a64_doubles_le(data, n);
        break;
    case DS_DTYPE_BFLOAT16:
        golden_fill_bf16(c->seed, data, n);
        h = golden_fnv1a64_u16_le(data, n);
        break;
    default:
        golden_fail("%s: no %s fixtures", desc, ds_dtype_name(fixture_dtype));
        return 0;
    }
    if (h != c->data_hash) {
        golden_fail("%s: generator mismatch: %s data hash %016" PRIx64 ", fixture has %016" PRIx64
                    " (golden_data.h and gen_golden.py disagree; the mask was not compared)",
                    desc, ds_dtype_name(fixture_dtype), h, c->data_hash);
        return 0;
    }
    if (dtype == fixture_dtype)
        return 1;
    if (fixture_dtype != DS_DTYPE_BFLOAT16 || dtype != DS_DTYPE_FLOAT16) {
        golden_fail("%s: %s data from a %s fixture is not supported", desc, ds_dtype_name(dtype),
                    ds_dtype_name(fixture_dtype));
        return 0;
    }
    {
        uint16_t *v = data; /* in place: both are 16 bits */
        for (i = 0; i < n; ++i)
            if (!golden_half_exact(golden_bf16_value(v[i]), &v[i]))
                return -1;
    }
    return 1;
}

/* Runs one case with the data in dtype (that of the fixture, or float16 for
 * a bfloat16 fixture); returns 1 if the library's mask equals PyTorch's, 0
 * if not, -1 if the case does not apply to dtype. */
static int golden_run_as(const golden_case *c, ds_dtype fixture_dtype, ds_dtype dtype)
{
    size_t n = (size_t)(c->rows * c->cols);
    void *data = malloc(n * 8); /* room for any dtype */
    uint8_t *mask = malloc(n);
    ds_config *cfg = NULL;
    ds_sparsifier *s = NULL;
    ds_status st = DS_OK;
    const char *what = "";
    char prefix[48], desc[320];
    int ok = 0;

    if (dtype == DS_DTYPE_FLOAT32)
        prefix[0] = '\0';
    else if (dtype == fixture_dtype)
        snprintf(prefix, sizeof prefix, "%s ", ds_dtype_name(dtype));
    else
        snprintf(prefix, sizeof prefix, "%s data of %s ", ds_dtype_name(dtype), ds_dtype_name(fixture_dtype));
    snprintf(desc, sizeof desc,
             "%scase %d (%s, %" PRId64 "x%" PRId64 ", block %dx%d, zeros_per_block %d, level %s, seed %016" PRIx64 ")",
             prefix, c->id, c->norm, c->rows, c->cols, c->block_rows, c->block_cols, c->zeros_per_block,
             c->level_text, c->seed);
    if (!data || !mask) {
        golden_fail("%s: out of memory", desc);
        goto done;
    }

    ok = golden_make_data(c, desc, fixture_dtype, dtype, data, n);
    if (ok != 1)
        goto done;
    ok = 0;

#define GOLDEN_CALL(call)                                                                      \
    do {                                                                                        \
        what = #call;                                                                           \
        if ((st = (call)) != DS_OK)                                                             \
            goto api_error;                                                                     \
    } while (0)

    GOLDEN_CALL(ds_config_create(&cfg));
    GOLDEN_CALL(ds_config_set(cfg, "sparsity_level", c->level));
    GOLDEN_CALL(ds_config_set(cfg, "block_rows", c->block_rows));
    GOLDEN_CALL(ds_config_set(cfg, "block_cols", c->block_cols));
    GOLDEN_CALL(ds_config_set(cfg, "zeros_per_block", c->zeros_per_block));
    GOLDEN_CALL(ds_norm_sparsifier_create(strcmp(c->norm, "L1") == 0 ? DS_NORM_L1 : DS_NORM_L2,
                                          cfg, &s));
    if (dtype == DS_DTYPE_FLOAT32) {
        GOLDEN_CALL(ds_sparsifier_add_data(s, "w", data, c->rows, c->cols, NULL, 0));
    } else {
        ds_tensor_desc td = DS_TENSOR_DESC_INIT;
        td.dtype = dtype;
        td.ndim = 2;
        td.shape[0] = c->rows;
        td.shape[1] = c->cols;
        GOLDEN_CALL(ds_sparsifier_add_data_ex(s, "w", data, &td, NULL, 0));
    }
    GOLDEN_CALL(ds_sparsifier_step(s));
    GOLDEN_CALL(ds_sparsifier_get_mask(s, "w", mask, n));
#undef GOLDEN_CALL

    {
        int64_t zeros = 0;
        size_t i;
        uint64_t h = golden_fnv1a64_bytes(mask, n);
        for (i = 0; i < n; ++i)
            zeros += mask[i] == 0;

        if (c->mask01[0] != '-') {
            /* Small case: compare element by element and show where. */
            char got[GOLDEN_SMALL_MAX + 1];
            size_t first = n;
            for (i = 0; i < n; ++i) {
                got[i] = mask[i] == 0 ? '0' : mask[i] == 1 ? '1' : '?';
                if (got[i] != c->mask01[i] && first == n)
                    first = i;
            }
            got[n] = '\0';
            if (first != n) {
                golden_fail("%s: mask differs first at (%zu, %zu): library %c, PyTorch %c\n"
                            "  library %s\n  PyTorch %s (row-major, %" PRId64 " per row)",
                            desc, first / (size_t)c->cols, first % (size_t)c->cols, got[first],
                            c->mask01[first], got, c->mask01, c->cols);
                goto done;
            }
        }
        if (zeros != c->zeros || h != c->mask_hash) {
            golden_fail("%s: mask differs from PyTorch: %" PRId64 " zeros (PyTorch %" PRId64
                        "), hash %016" PRIx64 " (PyTorch %016" PRIx64 ")",
                        desc, zeros, c->zeros, h, c->mask_hash);
            goto done;
        }
    }
    ok = 1;
    goto done;

api_error:
    golden_fail("%s: %s returned %s: %s", desc, what, ds_status_string(st), ds_last_error());
done:
    ds_sparsifier_destroy(s);
    ds_config_destroy(cfg);
    free(mask);
    free(data);
    return ok;
}

/* Runs one case of the float32 fixture. */
static int golden_run(const golden_case *c)
{
    return golden_run_as(c, DS_DTYPE_FLOAT32, DS_DTYPE_FLOAT32);
}

/* Runs every case of one norm. */
static void golden_run_all(const char *norm)
{
    golden_set set;
    size_t i;
    int run = 0, passed = 0;

    cr_assert(golden_load(&set), "cannot open %s", GOLDEN_FILE);
    golden_failures = 0;
    for (i = 0; i < set.count; ++i) {
        const golden_case *c = &set.cases[i];
        if (strcmp(c->norm, norm) != 0)
            continue;
        ++run;
        passed += golden_run(c);
    }
    golden_free(&set);
    cr_log_info("golden float32 %s: %d of %d cases of golden_norm.txt match PyTorch", norm, passed, run);
    cr_expect(run > 0, "no %s cases in %s", norm, GOLDEN_FILE);
    cr_expect_eq(passed, run, "%d of %d %s golden cases differ from PyTorch%s", run - passed, run,
                 norm, golden_failures > GOLDEN_MAX_REPORTS ? " (only the first ones are shown)" : "");
}

/* Checks that a fixture of another dtype opens, is well formed, says its
 * dtype and has enough cases of each norm. */
static void golden_check_fixture(const char *path, ds_dtype dtype)
{
    golden_set set;
    int opened = golden_load_file(path, &set);
    size_t i, count = set.count, l1 = 0;
    int bad_line = set.bad_line;
    ds_dtype got = set.dtype;

    for (i = 0; i < set.count; ++i)
        l1 += strcmp(set.cases[i].norm, "L1") == 0;
    golden_free(&set);
    cr_assert(opened, "cannot open %s", path);
    cr_expect_eq(bad_line, 0, "%s: line %d is malformed", path, bad_line);
    cr_expect_eq(got, dtype, "%s: data dtype %s, expected %s (its '# dtype:' line)", path, ds_dtype_name(got),
                 ds_dtype_name(dtype));
    cr_expect_geq(count, (size_t)GOLDEN_MIN_CASES_OTHER, "%s: only %zu cases (at least %d expected)", path,
                  count, GOLDEN_MIN_CASES_OTHER);
    cr_expect(l1 > 0 && l1 < count, "%s: %zu L1 and %zu L2 cases (both norms expected)", path, l1, count - l1);
}

/* Runs every case of one norm of the fixture at path with the data in
 * dtype; returns how many cases applied (float16: how many of the bfloat16
 * cases float16 can hold). */
static int golden_run_file(const char *path, ds_dtype dtype, const char *norm)
{
    golden_set set;
    size_t i;
    int run = 0, passed = 0, skipped = 0;
    ds_dtype fixture_dtype;

    cr_assert(golden_load_file(path, &set), "cannot open %s", path);
    fixture_dtype = set.dtype;
    golden_failures = 0;
    for (i = 0; i < set.count; ++i) {
        const golden_case *c = &set.cases[i];
        int r;
        if (strcmp(c->norm, norm) != 0)
            continue;
        r = golden_run_as(c, fixture_dtype, dtype);
        if (r < 0) {
            ++skipped;
            continue;
        }
        ++run;
        passed += r;
    }
    golden_free(&set);
    if (dtype == fixture_dtype)
        cr_log_info("golden %s %s: %d of %d cases of %s match PyTorch", ds_dtype_name(dtype), norm, passed, run,
                    strrchr(path, '/') + 1);
    else
        cr_log_info("golden %s %s: %d of %d cases of %s (as %s) match PyTorch, %d left out (a value %s cannot hold)",
                    ds_dtype_name(dtype), norm, passed, run, strrchr(path, '/') + 1, ds_dtype_name(dtype), skipped,
                    ds_dtype_name(dtype));
    cr_expect(run > 0, "no %s cases in %s", norm, path);
    cr_expect_eq(passed, run, "%d of %d %s %s golden cases differ from PyTorch%s", run - passed, run,
                 ds_dtype_name(dtype), norm,
                 golden_failures > GOLDEN_MAX_REPORTS ? " (only the first ones are shown)" : "");
    return run;
}

Test(golden, fixture_is_complete)
{
    golden_set set;
    int opened = golden_load(&set);
    size_t count = set.count;
    int bad_line = set.bad_line;

    golden_free(&set);
    cr_assert(opened, "cannot open %s", GOLDEN_FILE);
    cr_expect_eq(bad_line, 0, "%s: line %d is malformed", GOLDEN_FILE, bad_line);
    cr_expect_geq(count, (size_t)GOLDEN_MIN_CASES, "%s: only %zu cases (at least %d expected)",
                  GOLDEN_FILE, count, GOLDEN_MIN_CASES);
}

Test(golden, l1_masks_match_pytorch)
{
    golden_run_all("L1");
}

Test(golden, l2_masks_match_pytorch)
{
    golden_run_all("L2");
}

Test(golden, float64_fixture_is_complete)
{
    golden_check_fixture(GOLDEN_FILE_FLOAT64, DS_DTYPE_FLOAT64);
}

Test(golden, float64_l1_masks_match_pytorch)
{
    golden_run_file(GOLDEN_FILE_FLOAT64, DS_DTYPE_FLOAT64, "L1");
}

Test(golden, float64_l2_masks_match_pytorch)
{
    golden_run_file(GOLDEN_FILE_FLOAT64, DS_DTYPE_FLOAT64, "L2");
}

Test(golden, bfloat16_fixture_is_complete)
{
    golden_check_fixture(GOLDEN_FILE_BFLOAT16, DS_DTYPE_BFLOAT16);
}

Test(golden, bfloat16_l1_masks_match_pytorch)
{
    golden_run_file(GOLDEN_FILE_BFLOAT16, DS_DTYPE_BFLOAT16, "L1");
}

Test(golden, bfloat16_l2_masks_match_pytorch)
{
    golden_run_file(GOLDEN_FILE_BFLOAT16, DS_DTYPE_BFLOAT16, "L2");
}

/* No PyTorch float16 masks exist (see the top of this file): float16 data
 * holding exactly the values of the bfloat16 cases must get PyTorch's mask of
 * those values. Most cases must apply. */
Test(golden, float16_masks_match_pytorch_on_bfloat16_values)
{
    int l1 = golden_run_file(GOLDEN_FILE_BFLOAT16, DS_DTYPE_FLOAT16, "L1");
    int l2 = golden_run_file(GOLDEN_FILE_BFLOAT16, DS_DTYPE_FLOAT16, "L2");
    cr_expect_geq(l1 + l2, GOLDEN_MIN_CASES_OTHER * 3 / 4,
                  "only %d bfloat16 cases can be held in float16 (at least %d expected)", l1 + l2,
                  GOLDEN_MIN_CASES_OTHER * 3 / 4);
}
