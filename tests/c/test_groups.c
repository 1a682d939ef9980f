/* Groups and shards (issue 14): one selection over several items, and over
 * row shards held by several participants. Participants here are threads,
 * each with its own sparsifier, joined by an allreduce over shared memory;
 * tests/mpi does the same across processes with MPI. The oracle is always a
 * single sparsifier holding everything: a group of whole items, or one item
 * made of the group's items stacked (blocks of earlier members rank first at
 * equal scores, exactly as the rows of a stacked item do). */
#include <criterion/criterion.h>
#include <datasparse/datasparse.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

/* --- data ------------------------------------------------------------- */

/* kind 0: distinct-ish random; 1: small integers (many equal block means,
 * ties across shard boundaries); 2: all equal; 3: random with NaN. */
static void fill(float *x, size_t n, int kind, uint64_t seed) {
    tu_rng r = tu_rng_make(seed);
    for (size_t i = 0; i < n; ++i) {
        switch (kind) {
            case 0: x[i] = (float)((double)(tu_rng_next(&r) >> 11) / 9007199254740992.0 * 2.0 - 1.0); break;
            case 1: x[i] = (float)tu_rng_int(&r, -2, 2); break;
            case 2: x[i] = 0.5f; break;
            default: x[i] = tu_rng_int(&r, 0, 9) == 0 ? NAN : (float)tu_rng_int(&r, -3, 3) * 0.25f; break;
        }
    }
}

static ds_sparsifier *norm_sparsifier(ds_norm norm, double level, int64_t br, int64_t bc, int64_t zeros) {
    ds_config *c = zeros >= 0 ? tu_cfg("sparsity_level", level, "block_rows", (double)br, "block_cols", (double)bc,
                                       "zeros_per_block", (double)zeros, NULL)
                              : tu_cfg("sparsity_level", level, "block_rows", (double)br, "block_cols", (double)bc,
                                       NULL);
    ds_sparsifier *s = NULL;
    TU_OK(ds_norm_sparsifier_create(norm, c, &s));
    ds_config_destroy(c);
    return s;
}

static ds_tensor_desc matrix(int64_t rows, int64_t cols) {
    ds_tensor_desc d = DS_TENSOR_DESC_INIT;
    d.ndim = 2;
    d.shape[0] = rows;
    d.shape[1] = cols;
    return d;
}

static int keep_mask(void *user_data, const char *name, const float *data, int64_t rows, int64_t cols,
                     const ds_config *config, uint8_t *mask) {
    (void)user_data, (void)name, (void)data, (void)rows, (void)cols, (void)config, (void)mask;
    return 0;
}

/* --- a group in one process ------------------------------------------- */

typedef struct {
    int64_t br, bc, zeros;
    double level;
    ds_norm norm;
    int kind;
} grid_case;

static const grid_case kCases[] = {
    {1, 4, -1, 0.5, DS_NORM_L1, 0}, {1, 4, 2, 0.5, DS_NORM_L1, 1}, {2, 2, -1, 0.3, DS_NORM_L2, 1},
    {4, 4, -1, 0.7, DS_NORM_L1, 3}, {1, 1, -1, 0.5, DS_NORM_L2, 2}, {2, 3, -1, 1.0, DS_NORM_L1, 0},
    {1, 4, -1, 0.0, DS_NORM_L1, 0}, {3, 2, 4, 0.45, DS_NORM_L2, 3}, {4, 4, 5, 0.6, DS_NORM_L1, 1},
};

Test(groups, a_group_of_one_masks_like_the_item) {
    for (size_t c = 0; c < TU_ARRAY_LEN(kCases); ++c) {
        const grid_case g = kCases[c];
        const int64_t rows = 13, cols = 18;
        float *x = malloc(sizeof(float) * rows * cols);
        fill(x, (size_t)(rows * cols), g.kind, 100 + c);
        ds_sparsifier *plain = norm_sparsifier(g.norm, g.level, g.br, g.bc, g.zeros);
        ds_sparsifier *grouped = norm_sparsifier(g.norm, g.level, g.br, g.bc, g.zeros);
        TU_OK(ds_sparsifier_add_data(plain, "x", x, rows, cols, NULL, 0));
        TU_OK(ds_sparsifier_add_data(grouped, "x", x, rows, cols, NULL, 0));
        const char *names[] = {"x"};
        TU_OK(ds_sparsifier_set_group(grouped, "g", names, 1));
        TU_OK(ds_sparsifier_step(plain));
        TU_OK(ds_sparsifier_step(grouped));
        uint8_t want[13 * 18], got[13 * 18];
        tu_get_mask(plain, "x", want, sizeof want);
        tu_get_mask(grouped, "x", got, sizeof got);
        tu_assert_mask_eq(got, want, rows, cols, "group of one vs the item");
        int64_t exchanges = 0, bytes = 0;
        TU_OK(ds_sparsifier_last_exchange(grouped, &exchanges, &bytes));
        cr_assert_geq(exchanges, 3, "case %zu: a group's step exchanges at least 3 times, got %lld", c,
                      (long long)exchanges);
        /* no ties: at most 3 histogram rounds (semantics.md), then the agreement, each of 1 + 3 + 2048 counts */
        if (g.kind == 0 && g.level > 0.0 && g.level < 1.0)
            cr_assert(exchanges <= 5 && bytes <= 8 * (3 + 4 * (1 + 3 + 2048)), "case %zu: %lld exchanges, %lld bytes",
                      c, (long long)exchanges, (long long)bytes);
        ds_sparsifier_destroy(plain);
        ds_sparsifier_destroy(grouped);
        free(x);
    }
}

/* Three items of rows multiple of the block rows (the last need not be),
 * ranked as one: equal to the stacked matrix, split back. */
Test(groups, a_group_masks_like_its_items_stacked) {
    for (size_t c = 0; c < TU_ARRAY_LEN(kCases); ++c) {
        const grid_case g = kCases[c];
        const int64_t cols = 17, rows[3] = {2 * g.br, 5 * g.br, 7};
        const int64_t total = rows[0] + rows[1] + rows[2];
        float *x = malloc(sizeof(float) * (size_t)(total * cols));
        fill(x, (size_t)(total * cols), g.kind, 200 + c);
        ds_sparsifier *stacked = norm_sparsifier(g.norm, g.level, g.br, g.bc, g.zeros);
        ds_sparsifier *grouped = norm_sparsifier(g.norm, g.level, g.br, g.bc, g.zeros);
        TU_OK(ds_sparsifier_add_data(stacked, "all", x, total, cols, NULL, 0));
        const char *names[] = {"a", "b", "c"};
        int64_t at = 0;
        for (int i = 0; i < 3; ++i) {
            TU_OK(ds_sparsifier_add_data(grouped, names[i], x + at * cols, rows[i], cols, NULL, 0));
            at += rows[i];
        }
        TU_OK(ds_sparsifier_set_group(grouped, "emb", names, 3));
        TU_OK(ds_sparsifier_step(stacked));
        TU_OK(ds_sparsifier_step(grouped));
        uint8_t *want = malloc((size_t)(total * cols)), *got = malloc((size_t)(total * cols));
        tu_get_mask(stacked, "all", want, (size_t)(total * cols));
        at = 0;
        for (int i = 0; i < 3; ++i) {
            tu_get_mask(grouped, names[i], got + at * cols, (size_t)(rows[i] * cols));
            at += rows[i];
        }
        tu_assert_mask_eq(got, want, total, cols, "group vs stacked item");
        free(want);
        free(got);
        ds_sparsifier_destroy(stacked);
        ds_sparsifier_destroy(grouped);
        free(x);
    }
}

/* A small-norm member gives up more than its share. */
Test(groups, small_members_give_up_more) {
    enum { R = 8, C = 16 };
    float big[R * C], small[R * C];
    fill(big, R * C, 0, 1);
    for (int i = 0; i < R * C; ++i) {
        big[i] = 1.0f + fabsf(big[i]);
        small[i] = 0.001f * big[i];
    }
    ds_sparsifier *s = norm_sparsifier(DS_NORM_L1, 0.5, 1, 4, -1);
    TU_OK(ds_sparsifier_add_data(s, "big", big, R, C, NULL, 0));
    TU_OK(ds_sparsifier_add_data(s, "small", small, R, C, NULL, 0));
    const char *names[] = {"big", "small"};
    TU_OK(ds_sparsifier_set_group(s, "g", names, 2));
    TU_OK(ds_sparsifier_step(s));
    double sb = -1, ss = -1;
    TU_OK(ds_sparsifier_get_sparsity(s, "big", &sb));
    TU_OK(ds_sparsifier_get_sparsity(s, "small", &ss));
    cr_assert(sb == 0.0 && ss == 1.0, "the whole 50%% must come from the small member: big %g, small %g", sb, ss);
    ds_sparsifier_destroy(s);
}

/* --- participants: threads joined by a shared-memory allreduce ---------- */

#define MAX_PARTS 4
typedef struct {
    pthread_barrier_t barrier;
    pthread_mutex_t mutex;
    uint64_t *sum;
    size_t size;
    int mismatch;
} engine;

typedef struct {
    engine *e;
    int id;
    int reject; /* unused */
    int calls, reject_at; /* rejects its reject_at-th call (after the sum) when > 0 */
} part_link;

static int thread_allreduce(void *user_data, uint64_t *counts, size_t count) {
    part_link *l = user_data;
    engine *e = l->e;
    pthread_barrier_wait(&e->barrier);
    if (l->id == 0) {
        e->size = count;
        e->sum = realloc(e->sum, sizeof(uint64_t) * (count ? count : 1));
        memset(e->sum, 0, sizeof(uint64_t) * count);
    }
    pthread_barrier_wait(&e->barrier);
    pthread_mutex_lock(&e->mutex);
    if (count != e->size)
        e->mismatch = 1;
    else
        for (size_t i = 0; i < count; ++i) e->sum[i] += counts[i];
    pthread_mutex_unlock(&e->mutex);
    pthread_barrier_wait(&e->barrier);
    const int bad = e->mismatch;
    if (!bad) memcpy(counts, e->sum, sizeof(uint64_t) * count);
    pthread_barrier_wait(&e->barrier);
    if (!bad && ++l->calls == l->reject_at) {
        ds_set_callback_error("participant rejects the sums of its call");
        return -1;
    }
    return bad ? -2 : 0;
}

typedef struct {
    ds_sparsifier *s;
    ds_status status;
    char message[512];
} part_run;

static void *step_thread(void *arg) {
    part_run *r = arg;
    r->status = ds_sparsifier_step(r->s);
    snprintf(r->message, sizeof r->message, "%s", ds_last_error());
    return NULL;
}

/* Steps every participant's sparsifier at once. */
static void step_all(ds_sparsifier **s, int parts, part_run *runs) {
    pthread_t t[MAX_PARTS];
    for (int p = 0; p < parts; ++p) {
        runs[p].s = s[p];
        pthread_create(&t[p], NULL, step_thread, &runs[p]);
    }
    for (int p = 0; p < parts; ++p) pthread_join(t[p], NULL);
}

static void engine_init(engine *e, int parts) {
    memset(e, 0, sizeof *e);
    pthread_barrier_init(&e->barrier, NULL, (unsigned)parts);
    pthread_mutex_init(&e->mutex, NULL);
}
static void engine_free(engine *e) {
    pthread_barrier_destroy(&e->barrier);
    pthread_mutex_destroy(&e->mutex);
    free(e->sum);
}

/* Row splits: block-aligned cuts, with empty and short shards. */
static void split_rows(int64_t rows, int64_t br, int parts, int style, int64_t *first, int64_t *count) {
    int64_t grid = (rows + br - 1) / br, at = 0;
    for (int p = 0; p < parts; ++p) {
        int64_t g;
        if (style == 0)
            g = grid * (p + 1) / parts - grid * p / parts; /* even */
        else if (style == 1)
            g = p == 0 ? 0 : p == 1 ? (grid > 1 ? 1 : grid) : (grid - (grid > 1 ? 1 : grid)) * (p == parts - 1); /* 0, 1, rest */
        else
            g = p == parts - 1 ? grid : 0; /* all on the last */
        if (style != 0 && p == parts - 1) g = grid - at / br;
        if (style == 1 && p > 1 && p < parts - 1) g = 0;
        first[p] = at;
        count[p] = g * br;
        if (at + count[p] > rows) count[p] = rows - at;
        at += count[p];
    }
    cr_assert_eq(at, rows, "split covers %lld of %lld rows", (long long)at, (long long)rows);
}

Test(groups, shards_over_participants_mask_like_one_process) {
    const int64_t rows = 23, cols = 13;
    for (size_t c = 0; c < TU_ARRAY_LEN(kCases); ++c)
        for (int parts = 1; parts <= MAX_PARTS; ++parts)
            for (int style = 0; style < 3; ++style) {
                const grid_case g = kCases[c];
                float *x = malloc(sizeof(float) * rows * cols);
                fill(x, (size_t)(rows * cols), g.kind, 300 + c);
                ds_sparsifier *ref = norm_sparsifier(g.norm, g.level, g.br, g.bc, g.zeros);
                TU_OK(ds_sparsifier_add_data(ref, "t", x, rows, cols, NULL, 0));
                TU_OK(ds_sparsifier_step(ref));
                uint8_t want[23 * 13], got[23 * 13];
                tu_get_mask(ref, "t", want, sizeof want);

                engine e;
                engine_init(&e, parts);
                part_link links[MAX_PARTS];
                ds_sparsifier *s[MAX_PARTS];
                int64_t first[MAX_PARTS], count[MAX_PARTS];
                split_rows(rows, g.br, parts, style, first, count);
                for (int p = 0; p < parts; ++p) {
                    links[p] = (part_link){&e, p, 0, 0, 0};
                    s[p] = norm_sparsifier(g.norm, g.level, g.br, g.bc, g.zeros);
                    ds_tensor_desc d = matrix(count[p], cols);
                    TU_OK(ds_sparsifier_add_shard(s[p], "t", count[p] ? x + first[p] * cols : NULL, &d, rows,
                                                  first[p], NULL, 0));
                    TU_OK(ds_sparsifier_set_allreduce(s[p], thread_allreduce, &links[p]));
                }
                part_run runs[MAX_PARTS];
                step_all(s, parts, runs);
                for (int p = 0; p < parts; ++p) {
                    cr_assert_eq(runs[p].status, DS_OK, "case %zu, %d parts, style %d, participant %d: %s", c, parts,
                                 style, p, runs[p].message);
                    if (count[p]) tu_get_mask(s[p], "t", got + first[p] * cols, (size_t)(count[p] * cols));
                }
                tu_assert_mask_eq(got, want, rows, cols, "shards vs one process");
                for (int p = 0; p < parts; ++p) ds_sparsifier_destroy(s[p]);
                ds_sparsifier_destroy(ref);
                engine_free(&e);
                free(x);
            }
}

/* Large shards (hundreds of thousands of blocks: the histograms are counted
 * by several threads, the first one while scoring) over 1 to 3
 * participants, with distinct values, ties (small integers) and NaN: the
 * masks of one process, for a few levels and block shapes. */
Test(groups, large_shards_mask_like_one_process) {
    const int64_t rows = 1200, cols = 512;
    const size_t n = (size_t)(rows * cols);
    float *x = malloc(sizeof(float) * n);
    uint8_t *want = malloc(n), *got = malloc(n);
    cr_assert(x && want && got);
    static const grid_case cases[] = {
        {1, 4, -1, 0.5, DS_NORM_L1, 0}, {1, 4, 2, 0.7, DS_NORM_L2, 1}, {2, 2, -1, 0.3, DS_NORM_L1, 3},
        {1, 1, -1, 0.9, DS_NORM_L2, 0},
    };
    for (size_t c = 0; c < TU_ARRAY_LEN(cases); ++c) {
        const grid_case g = cases[c];
        fill(x, n, g.kind, 900 + c);
        ds_sparsifier *ref = norm_sparsifier(g.norm, g.level, g.br, g.bc, g.zeros);
        TU_OK(ds_sparsifier_add_data(ref, "t", x, rows, cols, NULL, 0));
        TU_OK(ds_sparsifier_step(ref));
        tu_get_mask(ref, "t", want, n);
        ds_sparsifier_destroy(ref);
        for (int parts = 1; parts <= 3; ++parts) {
            engine e;
            engine_init(&e, parts);
            part_link links[MAX_PARTS];
            ds_sparsifier *s[MAX_PARTS];
            int64_t first[MAX_PARTS], count[MAX_PARTS];
            split_rows(rows, g.br, parts, 0, first, count);
            for (int p = 0; p < parts; ++p) {
                links[p] = (part_link){&e, p, 0, 0, 0};
                s[p] = norm_sparsifier(g.norm, g.level, g.br, g.bc, g.zeros);
                ds_tensor_desc d = matrix(count[p], cols);
                TU_OK(ds_sparsifier_add_shard(s[p], "t", x + first[p] * cols, &d, rows, first[p], NULL, 0));
                TU_OK(ds_sparsifier_set_allreduce(s[p], thread_allreduce, &links[p]));
            }
            part_run runs[MAX_PARTS];
            step_all(s, parts, runs);
            memset(got, 7, n);
            for (int p = 0; p < parts; ++p) {
                cr_assert_eq(runs[p].status, DS_OK, "case %zu, %d parts, participant %d: %s", c, parts, p,
                             runs[p].message);
                tu_get_mask(s[p], "t", got + first[p] * cols, (size_t)(count[p] * cols));
                ds_sparsifier_destroy(s[p]);
            }
            cr_assert(memcmp(got, want, n) == 0, "case %zu, %d parts: the masks differ from one process's", c, parts);
            engine_free(&e);
        }
    }
    free(x);
    free(want);
    free(got);
}

/* A group of two sharded tensors over three participants vs the group of
 * the whole tensors in one process. */
Test(groups, a_group_of_shards_masks_like_the_group_in_one_process) {
    const int parts = 3;
    const int64_t rows[2] = {19, 10}, cols[2] = {12, 8};
    for (size_t c = 0; c < TU_ARRAY_LEN(kCases); ++c) {
        const grid_case g = kCases[c];
        float *x[2];
        ds_sparsifier *ref = norm_sparsifier(g.norm, g.level, g.br, g.bc, g.zeros);
        const char *names[] = {"u", "v"};
        for (int t = 0; t < 2; ++t) {
            x[t] = malloc(sizeof(float) * (size_t)(rows[t] * cols[t]));
            fill(x[t], (size_t)(rows[t] * cols[t]), g.kind, 400 + c * 2 + t);
            TU_OK(ds_sparsifier_add_data(ref, names[t], x[t], rows[t], cols[t], NULL, 0));
        }
        TU_OK(ds_sparsifier_set_group(ref, "g", names, 2));
        TU_OK(ds_sparsifier_step(ref));

        engine e;
        engine_init(&e, parts);
        part_link links[MAX_PARTS];
        ds_sparsifier *s[MAX_PARTS];
        int64_t first[2][MAX_PARTS], count[2][MAX_PARTS];
        split_rows(rows[0], g.br, parts, 0, first[0], count[0]);
        split_rows(rows[1], g.br, parts, 1, first[1], count[1]);
        for (int p = 0; p < parts; ++p) {
            links[p] = (part_link){&e, p, 0, 0, 0};
            s[p] = norm_sparsifier(g.norm, g.level, g.br, g.bc, g.zeros);
            for (int t = 0; t < 2; ++t) {
                ds_tensor_desc d = matrix(count[t][p], cols[t]);
                TU_OK(ds_sparsifier_add_shard(s[p], names[t], count[t][p] ? x[t] + first[t][p] * cols[t] : NULL, &d,
                                              rows[t], first[t][p], NULL, 0));
            }
            TU_OK(ds_sparsifier_set_group(s[p], "g", names, 2));
            TU_OK(ds_sparsifier_set_allreduce(s[p], thread_allreduce, &links[p]));
        }
        part_run runs[MAX_PARTS];
        step_all(s, parts, runs);
        for (int t = 0; t < 2; ++t) {
            const size_t n = (size_t)(rows[t] * cols[t]);
            uint8_t *want = malloc(n), *got = malloc(n);
            tu_get_mask(ref, names[t], want, n);
            for (int p = 0; p < parts; ++p) {
                cr_assert_eq(runs[p].status, DS_OK, "case %zu participant %d: %s", c, p, runs[p].message);
                if (count[t][p])
                    tu_get_mask(s[p], names[t], got + first[t][p] * cols[t], (size_t)(count[t][p] * cols[t]));
            }
            tu_assert_mask_eq(got, want, rows[t], cols[t], "group of shards vs group in one process");
            free(want);
            free(got);
        }
        for (int p = 0; p < parts; ++p) ds_sparsifier_destroy(s[p]);
        ds_sparsifier_destroy(ref);
        engine_free(&e);
        free(x[0]);
        free(x[1]);
    }
}

/* --- all-or-nothing across participants --------------------------------- */

typedef enum { BAD_LEVEL, BAD_FIRST_ROW, ROWS_MISSING, OVERLAP, ALLREDUCE_FAILS } fault;

static void run_fault(fault f) {
    const int parts = 3;
    const int64_t rows = 12, cols = 8;
    float x[12 * 8];
    fill(x, rows * cols, 0, 77);
    engine e;
    engine_init(&e, parts);
    part_link links[MAX_PARTS];
    ds_sparsifier *s[MAX_PARTS];
    uint8_t before[MAX_PARTS][12 * 8];
    int64_t held[MAX_PARTS];
    for (int p = 0; p < parts; ++p) {
        links[p] = (part_link){&e, p, 0, 0, 0};
        s[p] = norm_sparsifier(DS_NORM_L1, f == BAD_LEVEL && p == 1 ? 0.6 : 0.5, 1, 4, -1);
        int64_t first = p * 4, n = 4;
        if (f == ROWS_MISSING && p == 2) n = 3;                /* row 11 held by no one */
        if (f == OVERLAP && p == 2) first = 4;                 /* rows 4..7 twice, 8..11 by no one */
        held[p] = n;
        ds_tensor_desc d = matrix(n, cols);
        TU_OK(ds_sparsifier_add_shard(s[p], "t", x + first * cols, &d, rows, first, NULL, 0));
        if (f == BAD_FIRST_ROW && p == 2) TU_OK(ds_sparsifier_set_param(s[p], "t", "block_rows", 3.0));
        TU_OK(ds_sparsifier_set_allreduce(s[p], thread_allreduce, &links[p]));
    }
    /* A first good step (where the fault allows it) so that masks are not all ones. */
    for (int p = 0; p < parts; ++p) tu_get_mask(s[p], "t", before[p], (size_t)(held[p] * cols));
    if (f == ALLREDUCE_FAILS) {
        part_run runs[MAX_PARTS];
        step_all(s, parts, runs);
        for (int p = 0; p < parts; ++p) {
            cr_assert_eq(runs[p].status, DS_OK, "%s", runs[p].message);
            tu_get_mask(s[p], "t", before[p], (size_t)(held[p] * cols));
        }
        e.mismatch = 1; /* every participant's allreduce now fails */
    }
    part_run runs[MAX_PARTS];
    step_all(s, parts, runs);
    for (int p = 0; p < parts; ++p) {
        cr_assert_neq(runs[p].status, DS_OK, "fault %d: participant %d's step must fail", (int)f, p);
        uint8_t after[12 * 8];
        tu_get_mask(s[p], "t", after, (size_t)(held[p] * cols));
        cr_assert(memcmp(after, before[p], (size_t)(held[p] * cols)) == 0, "fault %d: participant %d's mask changed", (int)f, p);
        cr_assert_eq(ds_sparsifier_step_count(s[p]), f == ALLREDUCE_FAILS ? 1 : 0);
    }
    if (f == BAD_LEVEL)
        for (int p = 0; p < parts; ++p)
            cr_assert(tu_contains_ci(runs[p].message, "disagree"), "participant %d: %s", p, runs[p].message);
    if (f == BAD_FIRST_ROW) {
        cr_assert_eq(runs[2].status, DS_ERR_INVALID_ARGUMENT, "%s", runs[2].message);
        cr_assert(tu_contains_ci(runs[2].message, "block_rows 3"), "%s", runs[2].message);
        cr_assert_eq(runs[0].status, DS_ERR_STATE, "%s", runs[0].message);
        cr_assert(tu_contains_ci(runs[0].message, "another of its 3 participants"), "%s", runs[0].message);
    }
    if (f == ROWS_MISSING)
        for (int p = 0; p < parts; ++p)
            cr_assert(tu_contains_ci(runs[p].message, "hold 11 rows in all"), "participant %d: %s", p,
                      runs[p].message);
    if (f == OVERLAP)
        for (int p = 0; p < parts; ++p)
            cr_assert(tu_contains_ci(runs[p].message, "overlap"), "participant %d: %s", p, runs[p].message);
    if (f == ALLREDUCE_FAILS)
        for (int p = 0; p < parts; ++p) cr_assert_eq(runs[p].status, DS_ERR_CALLBACK, "%s", runs[p].message);
    for (int p = 0; p < parts; ++p) ds_sparsifier_destroy(s[p]);
    engine_free(&e);
}

Test(groups, a_participant_with_another_level_fails_every_participant) { run_fault(BAD_LEVEL); }
Test(groups, a_participant_with_a_straddling_shard_fails_every_participant) { run_fault(BAD_FIRST_ROW); }
Test(groups, rows_held_by_no_one_fail_every_participant) { run_fault(ROWS_MISSING); }
Test(groups, overlapping_shards_fail_every_participant) { run_fault(OVERLAP); }
Test(groups, an_allreduce_that_fails_fails_the_step) { run_fault(ALLREDUCE_FAILS); }

/* An allreduce that fails on one participant only, after every participant
 * took part (it rejects the sums): at every exchange but the last, every
 * participant's step fails with no mask changed (the rejecting one announces
 * its failure in the next exchange); at the last exchange, the agreement,
 * every participant had completed the selection, so every one commits and
 * the rejecting one logs a warning. Either way, all of them agree. */
static int g_last_exchange_warnings;
static pthread_mutex_t g_warning_mutex = PTHREAD_MUTEX_INITIALIZER;
static void count_last_exchange_warnings(void *user_data, int level, const char *message) {
    (void)user_data;
    if (level == DS_LOG_WARNING && strstr(message, "failed at the step's last exchange") != NULL &&
        strstr(message, "participant rejects the sums") != NULL) {
        pthread_mutex_lock(&g_warning_mutex);
        ++g_last_exchange_warnings;
        pthread_mutex_unlock(&g_warning_mutex);
    }
}

Test(groups, an_allreduce_failing_on_one_participant_gives_every_participant_one_outcome) {
    const int parts = 3;
    const int64_t rows = 12, cols = 8;
    float x[12 * 8];
    fill(x, rows * cols, 0, 91);
    /* the masks at 0.5 (before) and at 0.75 (after a step that commits) */
    uint8_t at_half[12 * 8], at_three_quarters[12 * 8];
    for (int k = 0; k < 2; ++k) {
        ds_sparsifier *ref = norm_sparsifier(DS_NORM_L2, k == 0 ? 0.5 : 0.75, 1, 4, -1);
        TU_OK(ds_sparsifier_add_data(ref, "t", x, rows, cols, NULL, 0));
        TU_OK(ds_sparsifier_step(ref));
        tu_get_mask(ref, "t", k == 0 ? at_half : at_three_quarters, sizeof at_half);
        ds_sparsifier_destroy(ref);
    }
    cr_assert(memcmp(at_half, at_three_quarters, sizeof at_half) != 0);
    ds_set_log_handler(count_last_exchange_warnings, NULL);
    int64_t exchanges = 0; /* of the step at 0.75, counted by the run without a rejection (n = 0) */
    for (int rejecter = 0; rejecter < parts; ++rejecter)
        for (int n = rejecter == 0 ? 0 : 1; n <= exchanges; ++n) {
            engine e;
            engine_init(&e, parts);
            part_link links[MAX_PARTS];
            ds_sparsifier *s[MAX_PARTS];
            for (int p = 0; p < parts; ++p) {
                links[p] = (part_link){&e, p, 0, 0, 0};
                s[p] = norm_sparsifier(DS_NORM_L2, 0.5, 1, 4, -1);
                ds_tensor_desc d = matrix(4, cols);
                TU_OK(ds_sparsifier_add_shard(s[p], "t", x + p * 4 * cols, &d, rows, p * 4, NULL, 0));
                TU_OK(ds_sparsifier_set_allreduce(s[p], thread_allreduce, &links[p]));
            }
            part_run runs[MAX_PARTS];
            step_all(s, parts, runs);
            for (int p = 0; p < parts; ++p) {
                cr_assert_eq(runs[p].status, DS_OK, "%s", runs[p].message);
                TU_OK(ds_sparsifier_set_param(s[p], "t", "sparsity_level", 0.75));
                links[p].calls = 0;
            }
            links[rejecter].reject_at = n;
            g_last_exchange_warnings = 0;
            step_all(s, parts, runs);
            if (n == 0) {
                int64_t bytes = 0;
                TU_OK(ds_sparsifier_last_exchange(s[0], &exchanges, &bytes));
                cr_assert_geq(exchanges, 3);
            }
            const int commits = n == 0 || n == exchanges;
            for (int p = 0; p < parts; ++p) {
                uint8_t got[4 * 8];
                tu_get_mask(s[p], "t", got, sizeof got);
                const uint8_t *want = (commits ? at_three_quarters : at_half) + p * 4 * cols;
                cr_assert(memcmp(got, want, sizeof got) == 0,
                          "participant %d rejects call %d of %lld: participant %d's mask is not the %s one (%s: %s)",
                          rejecter, n, (long long)exchanges, p, commits ? "committed" : "unchanged",
                          ds_status_string(runs[p].status), runs[p].message);
                cr_assert_eq(ds_sparsifier_step_count(s[p]), commits ? 2 : 1);
                cr_assert_eq(links[p].calls, commits ? exchanges : n + 1,
                             "participant %d rejects call %d: participant %d made %d calls", rejecter, n, p,
                             links[p].calls);
                if (commits) {
                    cr_assert_eq(runs[p].status, DS_OK, "participant %d rejects call %d: %d: %s", rejecter, n, p,
                                 runs[p].message);
                } else if (p == rejecter) {
                    cr_assert_eq(runs[p].status, DS_ERR_CALLBACK, "%s", runs[p].message);
                    cr_assert(tu_contains_ci(runs[p].message, "participant rejects the sums"), "%s", runs[p].message);
                } else {
                    cr_assert_eq(runs[p].status, DS_ERR_STATE, "participant %d rejects call %d: %d: %s", rejecter, n,
                                 p, runs[p].message);
                    cr_assert(tu_contains_ci(runs[p].message, "another of its 3 participants"), "%s", runs[p].message);
                }
                links[p].reject_at = 0;
            }
            cr_assert_eq(g_last_exchange_warnings, n > 0 && n == exchanges ? 1 : 0,
                         "participant %d rejects call %d: %d warnings", rejecter, n, g_last_exchange_warnings);
            /* the participants still step together afterwards */
            step_all(s, parts, runs);
            for (int p = 0; p < parts; ++p) cr_assert_eq(runs[p].status, DS_OK, "%s", runs[p].message);
            for (int p = 0; p < parts; ++p) ds_sparsifier_destroy(s[p]);
            engine_free(&e);
        }
    ds_set_log_handler(NULL, NULL);
}

/* --- the scheduler: a group's level is one value -------------------------- */

static int doubled(void *user_data, const char *name, int64_t epoch, double base, double last, double *out) {
    (void)user_data;
    (void)last;
    *out = strcmp(name, "a") == 0 ? 0.1 * (double)epoch : base * 2.0; /* a different value per member */
    (void)name;
    return 0;
}

Test(groups, the_scheduler_gives_every_member_the_first_members_level) {
    float x[64];
    fill(x, 64, 0, 5);
    ds_sparsifier *s = norm_sparsifier(DS_NORM_L1, 0.2, 1, 4, -1);
    TU_OK(ds_sparsifier_add_data(s, "b", x, 4, 16, NULL, 0));
    TU_OK(ds_sparsifier_add_data(s, "a", x, 4, 16, NULL, 0));
    TU_OK(ds_sparsifier_add_data(s, "solo", x, 4, 16, NULL, 0));
    const char *names[] = {"a", "b"};
    TU_OK(ds_sparsifier_set_group(s, "g", names, 2));
    ds_scheduler *sch = NULL;
    TU_OK(ds_scheduler_create(s, "sparsity_level", doubled, NULL, -1, &sch));
    TU_OK(ds_sparsifier_step(s));
    TU_OK(ds_scheduler_step(sch));
    cr_assert_float_eq(tu_param(s, "a", "sparsity_level"), 0.1, 1e-12);
    cr_assert_float_eq(tu_param(s, "b", "sparsity_level"), 0.1, 1e-12, "b follows a, got %g",
                       tu_param(s, "b", "sparsity_level"));
    cr_assert_float_eq(tu_param(s, "solo", "sparsity_level"), 0.4, 1e-12);
    ds_scheduler_destroy(sch);
    ds_sparsifier_destroy(s);
}

/* --- argument checks ------------------------------------------------------ */

Test(groups, bad_groups_and_shards_are_refused_and_change_nothing) {
    float x[32] = {0};
    ds_sparsifier *s = norm_sparsifier(DS_NORM_L1, 0.5, 1, 4, -1);
    TU_OK(ds_sparsifier_add_data(s, "a", x, 4, 8, NULL, 0));
    TU_OK(ds_sparsifier_add_data(s, "b", x, 4, 8, NULL, 0));
    const char *unknown[] = {"a", "zz"};
    cr_assert_eq(ds_sparsifier_set_group(s, "g", unknown, 2), DS_ERR_NOT_FOUND);
    cr_assert(tu_contains_ci(ds_last_error(), "zz"), "%s", ds_last_error());
    const char *twice[] = {"a", "a"};
    cr_assert_eq(ds_sparsifier_set_group(s, "g", twice, 2), DS_ERR_INVALID_ARGUMENT);
    cr_assert(tu_contains_ci(ds_last_error(), "twice"), "%s", ds_last_error());
    cr_assert_eq(ds_sparsifier_set_group(s, "g", unknown, 0), DS_ERR_INVALID_ARGUMENT);
    const char *null_name[] = {"a", NULL};
    cr_assert_eq(ds_sparsifier_set_group(s, "g", null_name, 2), DS_ERR_INVALID_ARGUMENT);
    cr_assert(tu_contains_ci(ds_last_error(), "names[1]"), "%s", ds_last_error());
    cr_assert_eq(ds_sparsifier_group_count(s), 0);
    const char *ab[] = {"a", "b"}, *b[] = {"b"};
    TU_OK(ds_sparsifier_set_group(s, "g", ab, 2));
    cr_assert_eq(ds_sparsifier_set_group(s, "h", b, 1), DS_ERR_INVALID_ARGUMENT);
    cr_assert(tu_contains_ci(ds_last_error(), "already in group"), "%s", ds_last_error());
    cr_assert_eq(ds_sparsifier_group_count(s), 1);
    const char *gname = NULL, *member = NULL;
    size_t members = 0;
    TU_OK(ds_sparsifier_get_group(s, 0, &gname, &members));
    cr_assert_str_eq(gname, "g");
    cr_assert_eq(members, 2);
    TU_OK(ds_sparsifier_get_group_member(s, "g", 1, &member));
    cr_assert_str_eq(member, "b");
    cr_assert_eq(ds_sparsifier_get_group_member(s, "g", 2, &member), DS_ERR_INVALID_ARGUMENT);
    TU_OK(ds_sparsifier_remove_data(s, "a"));
    TU_OK(ds_sparsifier_get_group(s, 0, &gname, &members));
    cr_assert_eq(members, 1, "removing an item removes it from its group");
    TU_OK(ds_sparsifier_remove_data(s, "b"));
    cr_assert_eq(ds_sparsifier_group_count(s), 0, "an empty group goes");
    cr_assert_eq(ds_sparsifier_remove_group(s, "g"), DS_ERR_NOT_FOUND);

    ds_tensor_desc d = matrix(4, 8);
    cr_assert_eq(ds_sparsifier_add_shard(s, "t", x, &d, 0, 0, NULL, 0), DS_ERR_INVALID_ARGUMENT);
    cr_assert(tu_contains_ci(ds_last_error(), "global_rows"), "%s", ds_last_error());
    cr_assert_eq(ds_sparsifier_add_shard(s, "t", x, &d, 6, 3, NULL, 0), DS_ERR_INVALID_ARGUMENT);
    cr_assert(tu_contains_ci(ds_last_error(), "first_row 3"), "%s", ds_last_error());
    ds_tensor_desc one = DS_TENSOR_DESC_INIT;
    one.ndim = 1;
    one.shape[0] = 8;
    cr_assert_eq(ds_sparsifier_add_shard(s, "t", x, &one, 6, 0, NULL, 0), DS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(ds_sparsifier_count(s), 0, "nothing registered by a refused shard");
    TU_OK(ds_sparsifier_add_shard(s, "t", x, &d, 10, 6, NULL, 0));
    int64_t global_rows = 0, first_row = 0;
    TU_OK(ds_sparsifier_get_shard(s, "t", &global_rows, &first_row));
    cr_assert(global_rows == 10 && first_row == 6);
    ds_tensor_desc none = matrix(0, 8);
    TU_OK(ds_sparsifier_add_shard(s, "empty", NULL, &none, 10, 10, NULL, 0));
    double sp = -1;
    TU_OK(ds_sparsifier_get_sparsity(s, "empty", &sp));
    cr_assert_eq(sp, 0.0);
    TU_OK(ds_sparsifier_get_mask(s, "empty", NULL, 0));
    TU_OK(ds_sparsifier_get_data(s, "empty", 1, NULL, 0));
    TU_OK(ds_sparsifier_get_data_ex(s, "empty", 0, NULL, 0));
    cr_assert_eq(ds_sparsifier_get_mask(s, "t", NULL, 0), DS_ERR_INVALID_ARGUMENT, "a count of 0 for 32 elements");
    ds_sparsifier_destroy(s);

    ds_sparsifier *custom = NULL;
    TU_OK(ds_custom_sparsifier_create(keep_mask, NULL, NULL, &custom));
    TU_OK(ds_sparsifier_add_data(custom, "a", x, 4, 8, NULL, 0));
    const char *a[] = {"a"};
    cr_assert_eq(ds_sparsifier_set_group(custom, "g", a, 1), DS_ERR_INVALID_ARGUMENT);
    ds_sparsifier_destroy(custom);
}

/* Without an allreduce, a lone process with every shard of a tensor is fine;
 * a process with only some of its rows fails (rows held by no one). */
Test(groups, a_lone_shard_without_the_others_fails) {
    float x[32];
    fill(x, 32, 0, 9);
    ds_sparsifier *s = norm_sparsifier(DS_NORM_L1, 0.5, 1, 4, -1);
    ds_tensor_desc d = matrix(4, 8);
    TU_OK(ds_sparsifier_add_shard(s, "t", x, &d, 8, 0, NULL, 0));
    cr_assert_eq(ds_sparsifier_step(s), DS_ERR_INVALID_ARGUMENT);
    cr_assert(tu_contains_ci(ds_last_error(), "hold 4 rows in all"), "%s", ds_last_error());
    tu_assert_all_ones(s, "t", 32);
    ds_sparsifier_destroy(s);
}

/* The state of a sparsifier, as bytes (to compare before and after). */
static uint8_t *state_of(const ds_sparsifier *s, size_t *size) {
    TU_OK(ds_sparsifier_save_buffer(s, 0, NULL, 0, size));
    uint8_t *buf = malloc(*size);
    cr_assert_not_null(buf);
    TU_OK(ds_sparsifier_save_buffer(s, 0, buf, *size, size));
    return buf;
}

/* A load that must fail with DS_ERR_CORRUPT, a message containing needle,
 * and the sparsifier's state unchanged. */
static void load_fails(ds_sparsifier *s, const void *state, size_t size, int strict, const char *needle) {
    size_t n0 = 0, n1 = 0;
    uint8_t *before = state_of(s, &n0);
    const size_t groups = ds_sparsifier_group_count(s);
    cr_assert_eq(ds_sparsifier_load_buffer(s, state, size, strict), DS_ERR_CORRUPT, "expected a corrupt load (%s)",
                 needle);
    cr_assert(strstr(ds_last_error(), needle) != NULL, "message lacks \"%s\": %s", needle, ds_last_error());
    uint8_t *after = state_of(s, &n1);
    cr_assert(n0 == n1 && memcmp(before, after, n0) == 0, "a failed load changed the sparsifier (%s)", needle);
    cr_assert_eq(ds_sparsifier_group_count(s), groups);
    free(before);
    free(after);
}

static void assert_group(const ds_sparsifier *s, size_t index, const char *name, const char *const *members,
                         size_t count) {
    const char *g = NULL;
    size_t n = 0;
    TU_OK(ds_sparsifier_get_group(s, index, &g, &n));
    cr_assert_str_eq(g, name);
    cr_assert_eq(n, count, "group '%s' has %zu members, expected %zu", name, n, count);
    for (size_t m = 0; m < count; ++m) {
        const char *member = NULL;
        TU_OK(ds_sparsifier_get_group_member(s, g, m, &member));
        cr_assert_str_eq(member, members[m]);
    }
}

/* A state records the groups and every shard's geometry (format version 3,
 * src/core/state/format.md): a strict load restores the groups (replacing
 * the registered ones), a merge sets the state's groups and keeps the
 * others; an item registered with another shard geometry than the state's,
 * or a merged group that would take a member of a kept group, is
 * DS_ERR_CORRUPT and changes nothing. A shard that holds no rows is an item
 * like the others. */
Test(groups, states_keep_groups_and_shard_geometry) {
    const int64_t cols = 8;
    float x[6 * 8], y[6 * 8];
    fill(x, 48, 0, 11);
    fill(y, 48, 1, 12);
    ds_sparsifier *a = norm_sparsifier(DS_NORM_L2, 0.4, 2, 2, -1);
    ds_tensor_desc d = matrix(6, cols), none = matrix(0, cols);
    TU_OK(ds_sparsifier_add_shard(a, "x", x, &d, 6, 0, NULL, 0));
    TU_OK(ds_sparsifier_add_shard(a, "nothing", NULL, &none, 4, 4, NULL, 0));
    TU_OK(ds_sparsifier_add_data(a, "y", y, 6, cols, NULL, 0));
    const char *g_members[] = {"y", "x"};
    TU_OK(ds_sparsifier_set_group(a, "g", g_members, 2));
    cr_assert_eq(ds_sparsifier_step(a), DS_ERR_INVALID_ARGUMENT, "'nothing' is missing its rows: %s", ds_last_error());
    TU_OK(ds_sparsifier_remove_data(a, "nothing"));
    TU_OK(ds_sparsifier_step(a));
    TU_OK(ds_sparsifier_add_shard(a, "nothing", NULL, &none, 1, 1, NULL, 0)); /* registered, never stepped */
    size_t size = 0;
    uint8_t *state = state_of(a, &size);
    cr_assert_eq(state[8], 3, "groups and shards need format version 3, got %u", state[8]);

    /* A strict load restores masks, shard geometry and the group. */
    ds_sparsifier *b = norm_sparsifier(DS_NORM_L2, 0.4, 2, 2, -1);
    TU_OK(ds_sparsifier_add_shard(b, "x", x, &d, 6, 0, NULL, 0));
    TU_OK(ds_sparsifier_add_data(b, "y", y, 6, cols, NULL, 0));
    TU_OK(ds_sparsifier_add_shard(b, "nothing", NULL, &none, 1, 1, NULL, 0));
    const char *h_members[] = {"nothing"};
    TU_OK(ds_sparsifier_set_group(b, "h", h_members, 1));
    TU_OK(ds_sparsifier_load_buffer(b, state, size, 1));
    cr_assert_eq(ds_sparsifier_group_count(b), 1, "a strict load replaces the groups");
    assert_group(b, 0, "g", g_members, 2);
    uint8_t ma[48], mb[48];
    for (int i = 0; i < 2; ++i) {
        tu_get_mask(a, g_members[i], ma, 48);
        tu_get_mask(b, g_members[i], mb, 48);
        tu_assert_mask_eq(mb, ma, 6, cols, g_members[i]);
    }
    size_t size_b = 0;
    uint8_t *state_b = state_of(b, &size_b);
    cr_assert(size_b == size && memcmp(state_b, state, size) == 0, "the loaded state saves back to the same bytes");
    free(state_b);
    /* Both step alike from there (the group ranks y and x together). */
    TU_OK(ds_sparsifier_set_param(a, "y", "sparsity_level", 0.7));
    TU_OK(ds_sparsifier_set_param(b, "y", "sparsity_level", 0.7));
    TU_OK(ds_sparsifier_remove_data(a, "nothing"));
    TU_OK(ds_sparsifier_remove_data(b, "nothing"));
    TU_OK(ds_sparsifier_step(a));
    TU_OK(ds_sparsifier_step(b));
    for (int i = 0; i < 2; ++i) {
        tu_get_mask(a, g_members[i], ma, 48);
        tu_get_mask(b, g_members[i], mb, 48);
        tu_assert_mask_eq(mb, ma, 6, cols, g_members[i]);
    }

    /* Another geometry, or a missing item: corrupt, nothing changed. */
    ds_sparsifier *c = norm_sparsifier(DS_NORM_L2, 0.4, 2, 2, -1);
    ds_tensor_desc d12 = matrix(6, cols);
    TU_OK(ds_sparsifier_add_shard(c, "x", x, &d12, 12, 6, NULL, 0));
    TU_OK(ds_sparsifier_add_shard(c, "nothing", NULL, &none, 1, 1, NULL, 0));
    TU_OK(ds_sparsifier_add_data(c, "y", y, 6, cols, NULL, 0));
    load_fails(c, state, size, 1, "state has data 'x' as rows [0, 6) of 6, the registered data is rows [6, 12) of 12");
    load_fails(c, state, size, 0, "state has data 'x' as rows [0, 6) of 6");
    TU_OK(ds_sparsifier_remove_data(c, "x"));
    TU_OK(ds_sparsifier_add_data(c, "x", x, 6, cols, NULL, 0));
    load_fails(c, state, size, 1, "state has data 'x' as rows [0, 6) of 6, the registered data is not a shard");
    TU_OK(ds_sparsifier_remove_data(c, "nothing"));
    TU_OK(ds_sparsifier_remove_data(c, "x"));
    TU_OK(ds_sparsifier_add_shard(c, "x", x, &d, 6, 0, NULL, 0));
    load_fails(c, state, size, 1, "state has data 'nothing' that is not registered");
    TU_OK(ds_sparsifier_add_shard(c, "nothing", NULL, &none, 2, 2, NULL, 0));
    load_fails(c, state, size, 0, "state has data 'nothing' as rows [1, 1) of 1, the registered data is rows [2, 2) of 2");
    TU_OK(ds_sparsifier_remove_data(c, "nothing"));
    TU_OK(ds_sparsifier_add_shard(c, "nothing", NULL, &none, 1, 1, NULL, 0));

    /* A merge sets the state's group and keeps the others... */
    const char *k_members[] = {"nothing"};
    TU_OK(ds_sparsifier_set_group(c, "k", k_members, 1));
    TU_OK(ds_sparsifier_load_buffer(c, state, size, 0));
    cr_assert_eq(ds_sparsifier_group_count(c), 2);
    assert_group(c, 0, "k", k_members, 1);
    assert_group(c, 1, "g", g_members, 2);
    /* ...but may not take a member of a kept group. */
    TU_OK(ds_sparsifier_remove_group(c, "g"));
    TU_OK(ds_sparsifier_remove_group(c, "k"));
    const char *y_only[] = {"y"};
    TU_OK(ds_sparsifier_set_group(c, "other", y_only, 1));
    load_fails(c, state, size, 0, "state puts 'y' in group 'g', but it is in group 'other' here");
    TU_OK(ds_sparsifier_load_buffer(c, state, size, 1)); /* strict: replaced */
    cr_assert_eq(ds_sparsifier_group_count(c), 1);
    assert_group(c, 0, "g", g_members, 2);

    /* A state without groups (format version 1) loaded strictly leaves none. */
    ds_sparsifier *p = norm_sparsifier(DS_NORM_L2, 0.4, 2, 2, -1);
    TU_OK(ds_sparsifier_add_data(p, "y", y, 6, cols, NULL, 0));
    size_t size_p = 0;
    uint8_t *plain_state = state_of(p, &size_p);
    cr_assert_eq(plain_state[8], 1);
    ds_sparsifier *q = norm_sparsifier(DS_NORM_L2, 0.4, 2, 2, -1);
    TU_OK(ds_sparsifier_add_data(q, "y", y, 6, cols, NULL, 0));
    TU_OK(ds_sparsifier_set_group(q, "solo", y_only, 1));
    TU_OK(ds_sparsifier_load_buffer(q, plain_state, size_p, 0));
    cr_assert_eq(ds_sparsifier_group_count(q), 1, "a merge keeps the groups");
    TU_OK(ds_sparsifier_load_buffer(q, plain_state, size_p, 1));
    cr_assert_eq(ds_sparsifier_group_count(q), 0, "a strict load replaces the groups with the state's (none)");

    free(plain_state);
    free(state);
    ds_sparsifier_destroy(a);
    ds_sparsifier_destroy(b);
    ds_sparsifier_destroy(c);
    ds_sparsifier_destroy(p);
    ds_sparsifier_destroy(q);
}
