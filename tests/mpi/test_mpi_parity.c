/* Sharded and grouped steps over MPI give, byte for byte, the masks of one
 * process holding the whole tensors (run under mpirun -np 1..4).
 *
 * Each case: a norm (L1, L2), a dtype (float32, float16, float64), a block
 * shape (1x4, 2x2, 4x4), a level (0, 0.3, 0.5, 1), full or partial
 * zeros_per_block, a data kind (random, ties, NaN, all-equal, zeros) and a
 * way of splitting rows over the ranks (even; first rank empty and the
 * second one block row; random cuts, so shards of 0 rows and of one block
 * row, and ties across shard boundaries). Every rank registers its row
 * shard of each tensor with ds_sparsifier_add_shard:
 *   A (37 x 10), B (1 x 6: one rank holds it), C (2 block rows x 5),
 *   group "stack": three tensors of 8 columns whose rows are multiples of
 *     the block rows (its members' own levels differ: the first's applies),
 *   group "mixed": two tensors of other widths, block shapes and
 *     zeros_per_block,
 * steps once, and rank 0 gathers the masks and compares them with a
 * single-process sparsifier holding the whole tensors (plain
 * ds_sparsifier_add_data_ex items, the same groups) and, for "stack", with
 * one item made by stacking its three tensors vertically. */
#include "mpi_common.h"

enum { N_TENSORS = 8 };
struct tensor {
    const char *name;
    int64_t rows, cols;
    int br, bc, zpb; /* zpb 0: the default (the whole block) */
    double level;
    const char *group;
    void *whole;
    int64_t cut[5];
};

static void set_config(ds_config *c, const struct tensor *t) {
    OK(ds_config_set(c, "sparsity_level", t->level));
    OK(ds_config_set(c, "block_rows", t->br));
    OK(ds_config_set(c, "block_cols", t->bc));
    if (t->zpb > 0) OK(ds_config_set(c, "zeros_per_block", t->zpb));
}

static const char *const STACK[] = {"s0", "s1", "s2"};
static const char *const MIXED[] = {"m0", "m1"};

static int64_t g_exchanges_max, g_bytes_max;

static void run_case(ds_norm norm, ds_dtype dt, int br, int bc, double level, int partial, enum kind kind,
                     int style, uint64_t seed, ds_mpi_comm *comm, const char *label) {
    const size_t es = ds_dtype_size(dt);
    const int zpb = partial ? (br * bc == 4 ? 2 : br * bc == 16 ? 5 : 1) : 0;
    struct tensor t[N_TENSORS] = {
        {"A", 37, 10, br, bc, zpb, level, NULL, NULL, {0}},
        {"B", 1, 6, br, bc, zpb, level, NULL, NULL, {0}},
        {"C", 2 * br, 5, br, bc, zpb, level, NULL, NULL, {0}},
        {"s0", 3 * br, 8, br, bc, zpb, level, "stack", NULL, {0}},
        {"s1", 1 * br, 8, br, bc, zpb, 0.9, "stack", NULL, {0}},
        {"s2", 5 * br, 8, br, bc, zpb, 0.1, "stack", NULL, {0}},
        {"m0", 11, 9, br, bc, zpb, level, "mixed", NULL, {0}},
        {"m1", 6, 7, 1, 3, partial ? 1 : 0, 0.2, "mixed", NULL, {0}},
    };
    uint64_t rs = seed;
    for (int i = 0; i < N_TENSORS; ++i) {
        t[i].whole = make_tensor(dt, t[i].rows * t[i].cols, kind, seed * 31 + (uint64_t)i);
        split_rows(t[i].rows, t[i].br, style, &rs, t[i].cut);
    }

    ds_sparsifier *s = NULL;
    OK(ds_norm_sparsifier_create(norm, NULL, &s));
    OK(ds_mpi_attach(s, comm));
    ds_config *c = NULL;
    OK(ds_config_create(&c));
    for (int i = 0; i < N_TENSORS; ++i) {
        set_config(c, &t[i]);
        const int64_t first = t[i].cut[g_rank], rows = t[i].cut[g_rank + 1] - first;
        ds_tensor_desc d = DS_TENSOR_DESC_INIT;
        d.dtype = dt;
        d.ndim = 2;
        d.shape[0] = rows;
        d.shape[1] = t[i].cols;
        void *data = rows > 0 ? (unsigned char *)t[i].whole + (size_t)(first * t[i].cols) * es : NULL;
        OK(ds_sparsifier_add_shard(s, t[i].name, data, &d, t[i].rows, first, c, 0));
        ds_config_destroy(c);
        c = NULL;
        OK(ds_config_create(&c));
    }
    OK(ds_sparsifier_set_group(s, "stack", STACK, 3));
    OK(ds_sparsifier_set_group(s, "mixed", MIXED, 2));
    const ds_status st = ds_sparsifier_step(s);
    CHECK(st == DS_OK, "%s: step: %s: %s", label, ds_status_string(st), ds_last_error());
    int64_t ex = 0, bytes = 0;
    OK(ds_sparsifier_last_exchange(s, &ex, &bytes));
    if (ex > g_exchanges_max) g_exchanges_max = ex;
    if (bytes > g_bytes_max) g_bytes_max = bytes;
    CHECK(ex > 0 && bytes > 0, "%s: last_exchange %lld %lld", label, (long long)ex, (long long)bytes);

    /* Gather every mask on rank 0. */
    uint8_t *got[N_TENSORS];
    for (int i = 0; i < N_TENSORS; ++i) {
        const int64_t rows = t[i].cut[g_rank + 1] - t[i].cut[g_rank], n = rows * t[i].cols;
        uint8_t *mine = malloc((size_t)(n > 0 ? n : 1));
        if (n > 0) OK(ds_sparsifier_get_mask(s, t[i].name, mine, (size_t)n));
        got[i] = g_rank == 0 ? malloc((size_t)(t[i].rows * t[i].cols)) : NULL;
        gather_mask(mine, t[i].cut, t[i].cols, got[i]);
        free(mine);
    }

    if (g_rank == 0) {
        /* The reference: one process, whole tensors, the same groups. */
        ds_sparsifier *r = NULL;
        OK(ds_norm_sparsifier_create(norm, NULL, &r));
        for (int i = 0; i < N_TENSORS; ++i) {
            set_config(c, &t[i]);
            ds_tensor_desc d = DS_TENSOR_DESC_INIT;
            d.dtype = dt;
            d.ndim = 2;
            d.shape[0] = t[i].rows;
            d.shape[1] = t[i].cols;
            OK(ds_sparsifier_add_data_ex(r, t[i].name, t[i].whole, &d, c, 0));
        }
        OK(ds_sparsifier_set_group(r, "stack", STACK, 3));
        OK(ds_sparsifier_set_group(r, "mixed", MIXED, 2));
        OK(ds_sparsifier_step(r));
        for (int i = 0; i < N_TENSORS; ++i) {
            const size_t n = (size_t)(t[i].rows * t[i].cols);
            uint8_t *want = malloc(n);
            OK(ds_sparsifier_get_mask(r, t[i].name, want, n));
            size_t at = 0;
            while (at < n && want[at] == got[i][at]) ++at;
            CHECK(at == n, "%s: mask of %s differs from one process at element %zu (row %lld): %d, one process %d",
                  label, t[i].name, at, (long long)(at / (size_t)t[i].cols), got[i][at], want[at]);
            free(want);
        }
        /* The "stack" group as one item of its members stacked vertically. */
        ds_sparsifier *v = NULL;
        OK(ds_norm_sparsifier_create(norm, NULL, &v));
        const int64_t cols = t[3].cols, rows = t[3].rows + t[4].rows + t[5].rows;
        unsigned char *stacked = malloc((size_t)(rows * cols) * es);
        uint8_t *want = malloc((size_t)(rows * cols)), *have = malloc((size_t)(rows * cols));
        size_t off = 0;
        for (int i = 3; i <= 5; ++i) {
            const size_t n = (size_t)(t[i].rows * cols);
            memcpy(stacked + off * es, t[i].whole, n * es);
            memcpy(have + off, got[i], n);
            off += n;
        }
        set_config(c, &t[3]);
        ds_tensor_desc d = DS_TENSOR_DESC_INIT;
        d.dtype = dt;
        d.ndim = 2;
        d.shape[0] = rows;
        d.shape[1] = cols;
        OK(ds_sparsifier_add_data_ex(v, "stacked", stacked, &d, c, 0));
        OK(ds_sparsifier_step(v));
        OK(ds_sparsifier_get_mask(v, "stacked", want, (size_t)(rows * cols)));
        CHECK(memcmp(want, have, (size_t)(rows * cols)) == 0, "%s: group 'stack' differs from its stacked item",
              label);
        free(stacked);
        free(want);
        free(have);
        ds_sparsifier_destroy(v);
        ds_sparsifier_destroy(r);
    }
    for (int i = 0; i < N_TENSORS; ++i) {
        free(got[i]);
        free(t[i].whole);
    }
    ds_config_destroy(c);
    OK(ds_mpi_detach(s));
    ds_sparsifier_destroy(s);
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &g_size);
    ds_mpi_comm *comm = NULL;
    OK(ds_mpi_comm_create(MPI_COMM_WORLD, &comm));
    static const ds_dtype DTYPES[] = {DS_DTYPE_FLOAT32, DS_DTYPE_FLOAT16, DS_DTYPE_FLOAT64};
    static const int BLOCKS[][2] = {{1, 4}, {2, 2}, {4, 4}};
    static const double LEVELS[] = {0.0, 0.3, 0.5, 1.0};
    long cases = 0;
    for (int norm = 0; norm < 2; ++norm)
        for (int di = 0; di < 3; ++di)
            for (int bi = 0; bi < 3; ++bi)
                for (int li = 0; li < 4; ++li)
                    for (int k = 0; k < K_COUNT; ++k)
                        for (int partial = 0; partial < 2; ++partial) {
                            const int style = (int)(cases % 3);
                            char label[160];
                            snprintf(label, sizeof label, "%s %s %dx%d level %.1f %s %s split %d",
                                     norm ? "L2" : "L1", ds_dtype_name(DTYPES[di]), BLOCKS[bi][0], BLOCKS[bi][1],
                                     LEVELS[li], partial ? "partial" : "full", KIND_NAMES[k], style);
                            run_case((ds_norm)norm, DTYPES[di], BLOCKS[bi][0], BLOCKS[bi][1], LEVELS[li], partial,
                                     (enum kind)k, style, 1000 + (uint64_t)cases, comm, label);
                            ++cases;
                        }
    if (g_rank == 0)
        printf("exchange: at most %lld allreduce calls and %lld bytes a step (8 items, 2 groups: 5 units)\n",
               (long long)g_exchanges_max, (long long)g_bytes_max);
    ds_mpi_comm_destroy(comm);
    const int rc = finish("mpi parity", cases);
    MPI_Finalize();
    return rc;
}
