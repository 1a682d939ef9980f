/* bench_mpi: a sharded step's time and traffic (run under mpirun -np N).
 *
 *   mpirun -np N bench_mpi [--sizes 16,18,20,22,24] [--cols 256] [--reps 9]
 *
 * For each size 2^p float32 elements (a tensor of 2^p / cols rows, split
 * evenly over the ranks by rows), each rank registers its shard
 * (ds_sparsifier_add_shard, L2, 1x4 blocks, level 0.5) and steps `reps`
 * times: the time of a step is the slowest rank's (a barrier before each);
 * the median is reported. Rank 0 then steps the whole tensor as a plain item
 * in one process (ds_sparsifier_add_data_ex, no allreduce): the local step.
 * One CSV line per size on rank 0:
 *   ranks,elements,sharded_ms,local_ms,exchanges,bytes_per_rank
 * The masks of both are compared (the benchmark cannot measure a wrong
 * answer). */
#include <datasparse/datasparse_mpi.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static float value(int64_t i) {  /* deterministic, spread, few ties */
    uint64_t z = (uint64_t)i * 0x9E3779B97F4A7C15ull;
    z ^= z >> 29;
    z *= 0xBF58476D1CE4E5B9ull;
    z ^= z >> 32;
    return (float)((double)(z >> 11) * (1.0 / 9007199254740992.0) - 0.5);
}

#define TRY(call) do { ds_status st_ = (call); if (st_ != DS_OK) { fprintf(stderr, "%s: %s\n", #call, \
    ds_last_error()); MPI_Abort(MPI_COMM_WORLD, 1); } } while (0)

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, ranks;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &ranks);
    const char *sizes = "16,18,20,22,24";
    int64_t cols = 256;
    int reps = 9;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--sizes")) sizes = argv[i + 1];
        else if (!strcmp(argv[i], "--cols")) cols = atoll(argv[i + 1]);
        else if (!strcmp(argv[i], "--reps")) reps = atoi(argv[i + 1]);
    }
    ds_mpi_comm *comm;
    TRY(ds_mpi_comm_create(MPI_COMM_WORLD, &comm));
    ds_config *cfg;
    TRY(ds_config_create(&cfg));
    TRY(ds_config_set(cfg, "sparsity_level", 0.5));
    TRY(ds_config_set(cfg, "block_rows", 1));
    TRY(ds_config_set(cfg, "block_cols", 4));
    if (rank == 0) printf("ranks,elements,sharded_ms,local_ms,exchanges,bytes_per_rank\n");
    char *list = strdup(sizes);
    int failures = 0;
    for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
        const int64_t n = (int64_t)1 << atoi(tok), rows = n / cols;
        const int64_t first = rows * rank / ranks, held = rows * (rank + 1) / ranks - first;
        float *shard = malloc((size_t)(held * cols) * sizeof(float) + 4);
        for (int64_t i = 0; i < held * cols; ++i) shard[i] = value(first * cols + i);
        ds_sparsifier *s;
        TRY(ds_norm_sparsifier_create(DS_NORM_L2, cfg, &s));
        TRY(ds_mpi_attach(s, comm));
        ds_tensor_desc d = DS_TENSOR_DESC_INIT;
        d.ndim = 2;
        d.shape[0] = held;
        d.shape[1] = cols;
        TRY(ds_sparsifier_add_shard(s, "t", held ? shard : NULL, &d, rows, first, NULL, 0));
        double *ms = malloc(sizeof(double) * (size_t)reps);
        TRY(ds_sparsifier_step(s)); /* warm-up */
        for (int r = 0; r < reps; ++r) {
            MPI_Barrier(MPI_COMM_WORLD);
            const double t0 = MPI_Wtime();
            TRY(ds_sparsifier_step(s));
            double mine = (MPI_Wtime() - t0) * 1e3, slowest;
            MPI_Allreduce(&mine, &slowest, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
            ms[r] = slowest;
        }
        qsort(ms, (size_t)reps, sizeof(double), cmp_double);
        int64_t exchanges, bytes;
        TRY(ds_sparsifier_last_exchange(s, &exchanges, &bytes));
        /* Gather the masks on rank 0 for the check. */
        uint8_t *mine = malloc((size_t)(held * cols) + 1), *all = rank == 0 ? malloc((size_t)n) : NULL;
        if (held) TRY(ds_sparsifier_get_mask(s, "t", mine, (size_t)(held * cols)));
        int *counts = malloc(sizeof(int) * (size_t)ranks), *displs = malloc(sizeof(int) * (size_t)ranks);
        for (int r = 0; r < ranks; ++r) {
            displs[r] = (int)(rows * r / ranks * cols);
            counts[r] = (int)((rows * (r + 1) / ranks) * cols) - displs[r];
        }
        MPI_Gatherv(mine, (int)(held * cols), MPI_UNSIGNED_CHAR, all, counts, displs, MPI_UNSIGNED_CHAR, 0,
                    MPI_COMM_WORLD);
        if (rank == 0) {
            float *whole = malloc((size_t)n * sizeof(float));
            for (int64_t i = 0; i < n; ++i) whole[i] = value(i);
            ds_sparsifier *l;
            TRY(ds_norm_sparsifier_create(DS_NORM_L2, cfg, &l));
            d.shape[0] = rows;
            TRY(ds_sparsifier_add_data_ex(l, "t", whole, &d, NULL, 0));
            TRY(ds_sparsifier_step(l));
            double *lms = malloc(sizeof(double) * (size_t)reps);
            for (int r = 0; r < reps; ++r) {
                const double t0 = MPI_Wtime();
                TRY(ds_sparsifier_step(l));
                lms[r] = (MPI_Wtime() - t0) * 1e3;
            }
            qsort(lms, (size_t)reps, sizeof(double), cmp_double);
            uint8_t *want = malloc((size_t)n);
            TRY(ds_sparsifier_get_mask(l, "t", want, (size_t)n));
            if (memcmp(want, all, (size_t)n) != 0) {
                fprintf(stderr, "bench_mpi: the sharded masks differ from one process at 2^%s\n", tok);
                ++failures;
            }
            printf("%d,%lld,%.3f,%.3f,%lld,%lld\n", ranks, (long long)n, ms[reps / 2], lms[reps / 2],
                   (long long)exchanges, (long long)bytes);
            fflush(stdout);
            free(want);
            free(lms);
            ds_sparsifier_destroy(l);
            free(whole);
        }
        free(counts);
        free(displs);
        free(mine);
        free(all);
        free(ms);
        TRY(ds_mpi_detach(s));
        ds_sparsifier_destroy(s);
        free(shard);
    }
    free(list);
    ds_config_destroy(cfg);
    ds_mpi_comm_destroy(comm);
    MPI_Bcast(&failures, 1, MPI_INT, 0, MPI_COMM_WORLD);
    MPI_Finalize();
    return failures ? 1 : 0;
}
