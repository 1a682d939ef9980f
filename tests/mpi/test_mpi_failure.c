/* All-or-nothing across ranks (run under mpirun -np 1..4): a step that fails
 * on one rank fails on every rank, and no mask changes on any rank.
 *
 * Each case first steps the sharded tensor A (29 x 12) and the sharded
 * group "g" (two tensors) at level 0.5 with success, keeps every rank's
 * masks, then breaks something and steps again; every rank must fail and
 * keep its masks byte for byte. Then the break is undone and a step must
 * succeed on every rank again. The breaks, on the last rank only unless
 * said otherwise (with one rank, the disagreements are no breaks: skipped):
 *   level      A's sparsity_level differs
 *   block      A's block_cols differs
 *   group      the group's members in another order
 *   nogroup    the group removed
 *   shifted    A's shard registered one block row further (rows overlap
 *              another rank's, or leave a gap: the row total is the same
 *              when the shard is not the last); run alone with --shifted
 *              (the core catches it by the sums of the row indices)
 *   rows       A's shard registered one row short (the rows do not add up)
 *   engine N   the allreduce (MPI's, wrapped) reports failure at its N-th
 *              call of the step, after the sums were made, on every rank
 *              and then on each rank alone: every rank fails, except at
 *              the last call (the agreement), where every rank had
 *              completed its selection and all commit
 *   destroy N  the last rank destroys its sparsifier inside its N-th
 *              allreduce: the others must fail cleanly (or, if it had
 *              already committed, every rank succeed)
 * Also: ds_mpi_comm_create's and ds_mpi_allreduce's argument errors. */
#include "mpi_common.h"

static const int64_t A_ROWS = 29, A_COLS = 12, G0_ROWS = 9, G1_ROWS = 14, G_COLS = 8;
static const char *const G[] = {"g0", "g1"};
static const char *const G_SWAPPED[] = {"g1", "g0"};
#define NAMES 3
static const char *const ITEMS[NAMES] = {"A", "g0", "g1"};

struct world {
    ds_sparsifier *s;
    float *data[NAMES];
    int64_t rows[NAMES], cols[NAMES], cut[NAMES][5];
    uint8_t *before[NAMES];
};

static ds_status add(struct world *w, int i, int64_t first, int64_t rows, int reuse) {
    ds_config *c = NULL;
    OK(ds_config_create(&c));
    OK(ds_config_set(c, "sparsity_level", 0.5));
    OK(ds_config_set(c, "block_rows", 1));
    OK(ds_config_set(c, "block_cols", 4));
    ds_tensor_desc d = DS_TENSOR_DESC_INIT;
    d.ndim = 2;
    d.shape[0] = rows;
    d.shape[1] = w->cols[i];
    const ds_status st = ds_sparsifier_add_shard(w->s, ITEMS[i], rows ? w->data[i] + first * w->cols[i] : NULL, &d,
                                                 w->rows[i], first, c, reuse);
    ds_config_destroy(c);
    return st;
}

static int64_t local_rows(const struct world *w, int i) { return w->cut[i][g_rank + 1] - w->cut[i][g_rank]; }

static void setup(struct world *w, uint64_t seed, ds_mpi_comm *comm) {
    memset(w, 0, sizeof *w);
    const int64_t rows[NAMES] = {A_ROWS, G0_ROWS, G1_ROWS}, cols[NAMES] = {A_COLS, G_COLS, G_COLS};
    uint64_t rs = seed;
    OK(ds_norm_sparsifier_create(DS_NORM_L2, NULL, &w->s));
    OK(ds_mpi_attach(w->s, comm));
    for (int i = 0; i < NAMES; ++i) {
        w->rows[i] = rows[i];
        w->cols[i] = cols[i];
        w->data[i] = make_tensor(DS_DTYPE_FLOAT32, rows[i] * cols[i], i == 1 ? K_TIES : K_RANDOM, seed + (uint64_t)i);
        split_rows(rows[i], 1, (int)(seed % 3), &rs, w->cut[i]);
        OK(add(w, i, w->cut[i][g_rank], local_rows(w, i), 0));
    }
    OK(ds_sparsifier_set_group(w->s, "g", G, 2));
}

static void keep_masks(struct world *w) {
    for (int i = 0; i < NAMES; ++i) {
        const size_t n = (size_t)(local_rows(w, i) * w->cols[i]);
        free(w->before[i]);
        w->before[i] = malloc(n + 1);
        if (n) OK(ds_sparsifier_get_mask(w->s, ITEMS[i], w->before[i], n));
    }
}

static int masks_unchanged(const struct world *w) {
    int same = 1;
    for (int i = 0; i < NAMES; ++i) {
        const size_t n = (size_t)(local_rows(w, i) * w->cols[i]);
        uint8_t *now = malloc(n + 1);
        if (n) OK(ds_sparsifier_get_mask(w->s, ITEMS[i], now, n));
        if (memcmp(now, w->before[i], n) != 0) same = 0;
        free(now);
    }
    return same;
}

static void teardown(struct world *w) {
    if (w->s) {
        OK(ds_mpi_detach(w->s));
        ds_sparsifier_destroy(w->s);
    }
    for (int i = 0; i < NAMES; ++i) {
        free(w->data[i]);
        free(w->before[i]);
    }
}

/* The step must fail on every rank with every mask as it was. */
static void expect_all_fail(struct world *w, const char *label) {
    const ds_status st = ds_sparsifier_step(w->s);
    CHECK(st != DS_OK, "%s: the step succeeded on this rank", label);
    CHECK(all_ranks(st != DS_OK), "%s: the step succeeded on some rank", label);
    CHECK(masks_unchanged(w), "%s: a mask changed on this rank", label);
    if (g_rank == 0 && st != DS_OK && g_size > 1 && getenv("DS_MPI_TEST_VERBOSE"))
        printf("%s: %s: %s\n", label, ds_status_string(st), ds_last_error());
}

static void expect_all_ok(struct world *w, const char *label) {
    const ds_status st = ds_sparsifier_step(w->s);
    CHECK(st == DS_OK, "%s: step: %s: %s", label, ds_status_string(st), ds_last_error());
    CHECK(all_ranks(st == DS_OK), "%s: the step failed on some rank", label);
}

/* The wrapped engine. */
struct engine {
    ds_mpi_comm *comm;
    int calls, fail_at, destroy_at;
    ds_sparsifier *victim; /* destroyed at destroy_at on the last rank */
    int fail_rank;         /* the rank whose call fail_at fails; -1: every rank */
};
static int engine_fn(void *user_data, uint64_t *counts, size_t count) {
    struct engine *e = user_data;
    const int rc = ds_mpi_allreduce(e->comm, counts, count);
    ++e->calls;
    if (rc != 0) return rc;
    if (e->calls == e->fail_at && (e->fail_rank < 0 || e->fail_rank == g_rank)) {
        /* after MPI_Allreduce succeeded: the other ranks have their sums */
        ds_set_callback_error(e->fail_rank < 0 ? "engine test: this call fails on every rank"
                                               : "engine test: this call fails on one rank");
        return 1;
    }
    if (e->calls == e->destroy_at && e->victim && g_rank == g_size - 1) {
        ds_sparsifier_destroy(e->victim);
        e->victim = NULL;
    }
    return 0;
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &g_size);
    const int last = g_size - 1;
    long cases = 0;
    /* --shifted: only the shifted break (its own ctest entry, tests/mpi/CMakeLists.txt) */
    const int only_shifted = argc > 1 && strcmp(argv[1], "--shifted") == 0;

    /* Argument errors. */
    ds_mpi_comm *bad = (ds_mpi_comm *)1;
    CHECK(ds_mpi_comm_create(MPI_COMM_NULL, &bad) == DS_ERR_INVALID_ARGUMENT && bad == NULL,
          "ds_mpi_comm_create(MPI_COMM_NULL)");
    CHECK(strstr(ds_mpi_last_error(), "MPI_COMM_NULL") != NULL, "ds_mpi_last_error: %s", ds_mpi_last_error());
    CHECK(ds_mpi_comm_create(MPI_COMM_WORLD, NULL) == DS_ERR_INVALID_ARGUMENT, "ds_mpi_comm_create(NULL out)");
    uint64_t one = 1;
    CHECK(ds_mpi_allreduce(NULL, &one, 1) != 0, "ds_mpi_allreduce(NULL user_data)");
    ++cases;

    ds_mpi_comm *comm = NULL;
    OK(ds_mpi_comm_create(MPI_COMM_WORLD, &comm));
    CHECK(ds_mpi_comm_get(comm) != MPI_COMM_WORLD && ds_mpi_comm_get(comm) != MPI_COMM_NULL, "ds_mpi_comm_get");
    {   /* the engine sums */
        uint64_t v[3] = {1, (uint64_t)g_rank, UINT64_C(1) << 40};
        CHECK(ds_mpi_allreduce(comm, v, 3) == 0, "ds_mpi_allreduce");
        CHECK(v[0] == (uint64_t)g_size && v[1] == (uint64_t)g_size * (uint64_t)(g_size - 1) / 2 &&
                  v[2] == (uint64_t)g_size << 40,
              "ds_mpi_allreduce sums: %llu %llu", (unsigned long long)v[0], (unsigned long long)v[1]);
        ++cases;
    }

    for (uint64_t seed = 1; seed <= 6; ++seed) {
        struct world w;
        char label[96];
        /* level, block, group, nogroup, shifted, rows */
        for (int brk = only_shifted ? 4 : 0; brk < (only_shifted ? 5 : 6); ++brk) {
            if (brk == 4 && !only_shifted) continue;
            static const char *const NAMES_OF[] = {"level", "block", "group", "nogroup", "shifted", "rows"};
            snprintf(label, sizeof label, "seed %llu: %s", (unsigned long long)seed, NAMES_OF[brk]);
            setup(&w, seed, comm);
            expect_all_ok(&w, label);
            keep_masks(&w);
            const int64_t first = w.cut[0][g_rank], rows = local_rows(&w, 0);
            /* alone, a rank cannot disagree with the others: only "rows" breaks anything */
            int broken = g_size > 1 || brk == 5;
            if (g_rank == last && broken) switch (brk) {
                case 0: OK(ds_sparsifier_set_param(w.s, "A", "sparsity_level", 0.7)); break;
                case 1: OK(ds_sparsifier_set_param(w.s, "A", "block_cols", 3)); break;
                case 2: OK(ds_sparsifier_set_group(w.s, "g", G_SWAPPED, 2)); break;
                case 3: OK(ds_sparsifier_remove_group(w.s, "g")); break;
                case 4:  /* one row further (block rows are 1): needs a row left at the end */
                    if (rows > 0 && first + rows < A_ROWS) OK(add(&w, 0, first + 1, rows, 1));
                    else if (rows > 0 && first > 0) OK(add(&w, 0, first - 1, rows, 1));
                    else broken = 0;
                    break;
                default:
                    if (rows > 0) {
                        OK(add(&w, 0, first, rows - 1, 0));
                        w.cut[0][g_rank + 1] -= 1; /* this rank's view of its shard */
                        keep_masks(&w);            /* the re-registered shard starts from all ones */
                    } else {
                        broken = 0;
                    }
            }
            if (all_ranks(broken)) {
                expect_all_fail(&w, label);
                ++cases;
            }
            teardown(&w);
        }

        if (only_shifted) continue;
        /* engine N: every rank's engine (or one rank's) fails at its N-th
         * call of the step, after the sums were made. Before the last call
         * every rank fails with no mask changed; at the last call (the
         * agreement) every rank had completed its selection: all commit. */
        setup(&w, seed, comm);
        struct engine e = {comm, 0, 0, 0, NULL, -1};
        OK(ds_sparsifier_set_allreduce(w.s, engine_fn, &e));
        expect_all_ok(&w, "engine: first step");
        int64_t exchanges = 0, bytes = 0;
        OK(ds_sparsifier_last_exchange(w.s, &exchanges, &bytes));
        CHECK(exchanges == e.calls, "last_exchange says %lld exchanges, the engine saw %d", (long long)exchanges,
              e.calls);
        keep_masks(&w);
        for (int rank = -1; rank < g_size; ++rank)
            for (int n = 1; n <= exchanges; ++n) {
                snprintf(label, sizeof label, "seed %llu: engine fails at call %d of %lld on %s %d",
                         (unsigned long long)seed, n, (long long)exchanges, rank < 0 ? "every rank" : "rank",
                         rank < 0 ? g_size : rank);
                e.calls = 0;
                e.fail_at = n;
                e.fail_rank = rank;
                if (n < exchanges)
                    expect_all_fail(&w, label);
                else
                    expect_all_ok(&w, label);
                ++cases;
            }
        e.fail_at = 0;
        expect_all_ok(&w, "engine: a step after the failures");
        teardown(&w);

        /* destroy N */
        for (int n = 1; n <= exchanges; ++n) {
            snprintf(label, sizeof label, "seed %llu: the last rank destroys its sparsifier in call %d of %lld",
                     (unsigned long long)seed, n, (long long)exchanges);
            setup(&w, seed, comm);
            struct engine d = {comm, 0, 0, 0, NULL, -1};
            OK(ds_sparsifier_set_allreduce(w.s, engine_fn, &d));
            expect_all_ok(&w, label);
            keep_masks(&w);
            d.calls = 0;
            d.destroy_at = n;
            d.victim = w.s;
            const ds_status st = ds_sparsifier_step(w.s);
            if (g_rank == last) w.s = NULL;  /* destroyed: not to be used again */
            int ok_here = st == DS_OK, all_ok = all_ranks(ok_here), any_ok = !all_ranks(!ok_here);
            CHECK(all_ok == any_ok, "%s: the step succeeded on some ranks only (here: %s)", label,
                  ds_status_string(st));
            if (!any_ok && w.s) CHECK(masks_unchanged(&w), "%s: a mask changed on a failed rank", label);
            ++cases;
            teardown(&w);
        }
    }
    ds_mpi_comm_destroy(comm);
    const int rc = finish("mpi failure", cases);
    MPI_Finalize();
    return rc;
}
