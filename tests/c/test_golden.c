/*
 * Golden parity: norm-sparsifier masks against PyTorch 1.13's
 * DataNormSparsifier.
 *
 * tests/fixtures/golden_norm.txt (made by tests/fixtures/gen_golden.py)
 * holds, per case, the seed and parameters, a hash of the data and the
 * zero count and hash of PyTorch's mask (the whole mask for small cases).
 * The data is regenerated here from the seed (golden_data.h); a data hash
 * mismatch means the generators disagree, not the masks.
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
#define GOLDEN_MIN_CASES 200
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
    int bad_line; /* first malformed line number, 0 if none */
} golden_set;

/* Loads the fixture. Returns 0 if the file cannot be opened. */
static int golden_load(golden_set *set)
{
    FILE *f = fopen(GOLDEN_FILE, "r");
    char line[512];
    size_t cap = 0;
    int lineno = 0;

    memset(set, 0, sizeof *set);
    if (!f)
        return 0;
    while (fgets(line, sizeof line, f)) {
        golden_case c;
        char *end = NULL;
        int fields;

        ++lineno;
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

/* Runs one case; returns 1 if the library's mask equals PyTorch's. */
static int golden_run(const golden_case *c)
{
    size_t n = (size_t)(c->rows * c->cols);
    float *data = malloc(n * sizeof *data);
    uint8_t *mask = malloc(n);
    ds_config *cfg = NULL;
    ds_sparsifier *s = NULL;
    ds_status st = DS_OK;
    const char *what = "";
    char desc[256];
    int ok = 0;

    snprintf(desc, sizeof desc,
             "case %d (%s, %" PRId64 "x%" PRId64 ", block %dx%d, zeros_per_block %d, level %s, seed %016" PRIx64 ")",
             c->id, c->norm, c->rows, c->cols, c->block_rows, c->block_cols, c->zeros_per_block,
             c->level_text, c->seed);
    if (!data || !mask) {
        golden_fail("%s: out of memory", desc);
        goto done;
    }

    golden_fill(c->seed, data, n);
    {
        uint64_t h = golden_fnv1a64_floats_le(data, n);
        if (h != c->data_hash) {
            golden_fail("%s: generator mismatch: data hash %016" PRIx64 ", fixture has %016" PRIx64
                        " (golden_data.h and gen_golden.py disagree; the mask was not compared)",
                        desc, h, c->data_hash);
            goto done;
        }
    }

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
    GOLDEN_CALL(ds_sparsifier_add_data(s, "w", data, c->rows, c->cols, NULL, 0));
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
    cr_expect(run > 0, "no %s cases in %s", norm, GOLDEN_FILE);
    cr_expect_eq(passed, run, "%d of %d %s golden cases differ from PyTorch%s", run - passed, run,
                 norm, golden_failures > GOLDEN_MAX_REPORTS ? " (only the first ones are shown)" : "");
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
