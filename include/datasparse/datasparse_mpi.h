/*
 * datasparse_mpi: MPI as the engine of a sharded or grouped step
 * (libdatasparse_mpi, a separate library so that libdatasparse itself never
 * depends on MPI; built when CMake finds MPI, option DS_BUILD_MPI).
 *
 * A ds_mpi_comm is a private duplicate of the caller's communicator
 * (MPI_Comm_dup, with MPI_ERRORS_RETURN), so datasparse's traffic never
 * mixes with the program's own and an MPI error becomes a failed step
 * instead of an abort. Lifetime, in one rule: a ds_mpi_comm must outlive
 * every sparsifier it is attached to (the sparsifier borrows it, as it
 * borrows user_data), and it must be destroyed before MPI_Finalize.
 *
 *     ds_mpi_comm *comm;
 *     ds_mpi_comm_create(MPI_COMM_WORLD, &comm);    collective over the comm
 *     ds_mpi_attach(s, comm);                       each step now joins the ranks
 *     ... ds_sparsifier_step(s) on every rank together ...
 *     ds_mpi_detach(s);                             or ds_sparsifier_destroy(s)
 *     ds_mpi_comm_destroy(comm);                    collective (MPI_Comm_free)
 *
 * One ds_mpi_comm may serve several sparsifiers (their steps must then run
 * in the same order on every rank, never concurrently: MPI orders the
 * collectives of one communicator by call order). Every function here must
 * be called after MPI_Init and before MPI_Finalize. ds_mpi_attach and
 * ds_mpi_detach report errors as the core library does (ds_last_error());
 * ds_mpi_comm_create through ds_mpi_last_error(); a failed allreduce
 * fails the step (DS_ERR_CALLBACK) with MPI's message in ds_last_error().
 */
#ifndef DATASPARSE_DATASPARSE_MPI_H
#define DATASPARSE_DATASPARSE_MPI_H

#include <mpi.h>

#include <datasparse/datasparse.h>

#if defined(_WIN32)
#  if defined(DATASPARSE_MPI_BUILDING)
#    define DS_MPI_API __declspec(dllexport)
#  else
#    define DS_MPI_API __declspec(dllimport)
#  endif
#elif defined(__GNUC__)
#  define DS_MPI_API __attribute__((visibility("default")))
#else
#  define DS_MPI_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ds_mpi_comm ds_mpi_comm;

/* Duplicates comm (collective over comm: every rank calls it) and sets
 * MPI_ERRORS_RETURN on the duplicate. DS_ERR_INVALID_ARGUMENT for a NULL out
 * or MPI_COMM_NULL, DS_ERR_STATE if MPI is not initialised (or finalised),
 * DS_ERR_CALLBACK if MPI fails, DS_ERR_NO_MEMORY; ds_mpi_last_error() says
 * why. *out is NULL on failure. */
DS_MPI_API ds_status ds_mpi_comm_create(MPI_Comm comm, ds_mpi_comm **out);

/* What the last failed ds_mpi_comm_create of this thread said ("" if none). */
DS_MPI_API const char *ds_mpi_last_error(void);

/* Frees the duplicate (collective: MPI_Comm_free) and the handle; NULL is
 * allowed. Detach or destroy the sparsifiers that use it first. */
DS_MPI_API void ds_mpi_comm_destroy(ds_mpi_comm *comm);

/* The duplicate communicator (for the caller's own diagnostics; do not free
 * it), MPI_COMM_NULL for NULL. */
DS_MPI_API MPI_Comm ds_mpi_comm_get(const ds_mpi_comm *comm);

/* ds_sparsifier_set_allreduce(s, ds_mpi_allreduce, comm): from now on each
 * step of s is one step of every rank of comm. comm NULL: as ds_mpi_detach. */
DS_MPI_API ds_status ds_mpi_attach(ds_sparsifier *s, ds_mpi_comm *comm);

/* ds_sparsifier_set_allreduce(s, NULL, NULL): s steps alone again. */
DS_MPI_API ds_status ds_mpi_detach(ds_sparsifier *s);

/* The engine itself, a ds_allreduce_fn: user_data is a ds_mpi_comm *. Sums
 * counts over the comm's ranks in place (MPI_Allreduce, MPI_IN_PLACE,
 * MPI_UINT64_T, MPI_SUM; in chunks of at most INT_MAX counts). Returns 0, or
 * non-zero with the MPI error's text in ds_set_callback_error. For an engine
 * of one's own that wraps MPI's. */
DS_MPI_API int ds_mpi_allreduce(void *user_data, uint64_t *counts, size_t count);

#ifdef __cplusplus
}
#endif

#endif /* DATASPARSE_DATASPARSE_MPI_H */
