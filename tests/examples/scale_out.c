/* Scale out: each rank holds some rows of two embedding tables; one level
 * over both, selected exactly across the ranks (mpirun -np N ./scale_out). */
#include <datasparse/datasparse_mpi.h>
#include <stdio.h>
#include <stdlib.h>

#define TRY(call) do { ds_status st = (call); if (st != DS_OK) { \
    fprintf(stderr, "%s: %s\n", ds_status_string(st), ds_last_error()); MPI_Abort(MPI_COMM_WORLD, 1); } } while (0)

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, ranks;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &ranks);

    const char *names[2] = {"users", "items"};
    const int64_t rows[2] = {1000, 600}, cols = 64;
    float *shard[2];
    int64_t first[2], held[2];

    ds_config *cfg;
    TRY(ds_config_create(&cfg));
    TRY(ds_config_set(cfg, "sparsity_level", 0.7));
    ds_sparsifier *s;
    TRY(ds_norm_sparsifier_create(DS_NORM_L2, cfg, &s));
    ds_mpi_comm *comm;
    TRY(ds_mpi_comm_create(MPI_COMM_WORLD, &comm));
    TRY(ds_mpi_attach(s, comm));

    for (int t = 0; t < 2; ++t) {
        /* This rank's rows: [first, first + held) of rows[t]. */
        first[t] = rows[t] * rank / ranks;
        held[t] = rows[t] * (rank + 1) / ranks - first[t];
        shard[t] = malloc((size_t)(held[t] * cols) * sizeof(float) + 1);
        for (int64_t i = 0; i < held[t] * cols; ++i) {  /* row r's values grow with r */
            const int64_t r = first[t] + i / cols;
            shard[t][i] = (float)((r * 7 + i % cols) % 101) * (t == 0 ? 1.0f : 0.5f);
        }
        ds_tensor_desc desc = DS_TENSOR_DESC_INIT;
        desc.ndim = 2;
        desc.shape[0] = held[t];
        desc.shape[1] = cols;
        TRY(ds_sparsifier_add_shard(s, names[t], shard[t], &desc, rows[t], first[t], NULL, 0));
    }
    TRY(ds_sparsifier_set_group(s, "tables", names, 2));  /* one level over both */
    TRY(ds_sparsifier_step(s));                           /* every rank steps */

    int64_t exchanges, bytes;
    TRY(ds_sparsifier_last_exchange(s, &exchanges, &bytes));
    for (int t = 0; t < 2; ++t) {
        double sparsity = 0.0, total;  /* this rank's share, summed over the ranks */
        if (held[t] > 0) TRY(ds_sparsifier_get_sparsity(s, names[t], &sparsity));
        sparsity *= (double)held[t] / (double)rows[t];
        MPI_Reduce(&sparsity, &total, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
        if (rank == 0) printf("%s: %lld x %lld, sparsity %.3f\n", names[t], (long long)rows[t], (long long)cols, total);
    }
    if (rank == 0) printf("%lld allreduce calls, %lld bytes per rank\n", (long long)exchanges, (long long)bytes);

    TRY(ds_mpi_detach(s));
    ds_sparsifier_destroy(s);
    ds_mpi_comm_destroy(comm);
    ds_config_destroy(cfg);
    for (int t = 0; t < 2; ++t) free(shard[t]);
    MPI_Finalize();
    return 0;
}
