/* Reproduction (disabled in ctest, tests/mpi/CMakeLists.txt): an engine
 * that fails on ONE rank only, after MPI_Allreduce itself succeeded (a rank
 * rejecting the result), at its N-th call of the step. Run:
 *   mpirun -np 2 repro_one_rank_rejects N
 * Wanted: every rank's step fails ("PASSED"). Seen on the core of 8c25ca7
 * (a step of 4 exchanges): N = 1..3: rank 1 fails, rank 0 waits forever in
 * its next allreduce (a hang); N = 4: rank 0 commits (DS_OK), rank 1 fails
 * with no mask changed, so the ranks' masks disagree. The header's contract
 * (ds_allreduce_fn) forbids such an engine; this shows what happens. */
#include <datasparse/datasparse_mpi.h>
#include <stdio.h>
#include <stdlib.h>
static int rank, calls, fail_at;
static int fn(void *u, uint64_t *c, size_t n) {
    int rc = ds_mpi_allreduce(u, c, n);
    if (++calls == fail_at && rank == 1) { ds_set_callback_error("rank 1 rejects"); return 1; }
    return rc;
}
int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    fail_at = atoi(argv[1]);
    ds_mpi_comm *comm; ds_mpi_comm_create(MPI_COMM_WORLD, &comm);
    ds_sparsifier *s; ds_norm_sparsifier_create(DS_NORM_L2, NULL, &s);
    ds_sparsifier_set_allreduce(s, fn, comm);
    float d[8 * 4]; for (int i = 0; i < 32; ++i) d[i] = (float)((i * 7 + rank * 13) % 17);
    ds_tensor_desc desc = DS_TENSOR_DESC_INIT; desc.ndim = 2; desc.shape[0] = 8; desc.shape[1] = 4;
    ds_sparsifier_add_shard(s, "t", d, &desc, 16, 8 * rank, NULL, 0);
    ds_status st = ds_sparsifier_step(s);
    printf("rank %d: step %s (%d calls) %s\n", rank, ds_status_string(st), calls, st ? ds_last_error() : "");
    int failed = st != DS_OK, all = 0;
    MPI_Allreduce(&failed, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (rank == 0) printf("%s\n", all ? "every rank failed: PASSED" : "some rank succeeded: FAIL");
    fflush(stdout);
    ds_sparsifier_destroy(s); ds_mpi_comm_destroy(comm);
    MPI_Finalize();
    return 0;
}
