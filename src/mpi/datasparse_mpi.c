/* datasparse_mpi: MPI's allreduce for the C ABI's ds_allreduce_fn
 * (include/datasparse/datasparse_mpi.h). A program on the public C ABI and
 * <mpi.h> only (tests/check_layers.py). */
#include <datasparse/datasparse_mpi.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

struct ds_mpi_comm {
    MPI_Comm comm; /* our duplicate, MPI_ERRORS_RETURN */
};

static _Thread_local char last_error[MPI_MAX_ERROR_STRING + 128];

static void set_error(const char *what, int code) {
    char text[MPI_MAX_ERROR_STRING] = "";
    int len = 0;
    if (code != MPI_SUCCESS && MPI_Error_string(code, text, &len) != MPI_SUCCESS) text[0] = '\0';
    if (code != MPI_SUCCESS)
        snprintf(last_error, sizeof last_error, "%s failed (MPI error %d: %s)", what, code, text);
    else
        snprintf(last_error, sizeof last_error, "%s", what);
}

const char *ds_mpi_last_error(void) { return last_error; }

static int mpi_running(void) {
    int initialized = 0, finalized = 0;
    MPI_Initialized(&initialized);
    MPI_Finalized(&finalized);
    return initialized && !finalized;
}

ds_status ds_mpi_comm_create(MPI_Comm comm, ds_mpi_comm **out) {
    last_error[0] = '\0';
    if (!out) {
        set_error("ds_mpi_comm_create: out is NULL", MPI_SUCCESS);
        return DS_ERR_INVALID_ARGUMENT;
    }
    *out = NULL;
    if (!mpi_running()) {
        set_error("ds_mpi_comm_create: MPI is not initialised (or already finalised)", MPI_SUCCESS);
        return DS_ERR_STATE;
    }
    if (comm == MPI_COMM_NULL) {
        set_error("ds_mpi_comm_create: comm is MPI_COMM_NULL", MPI_SUCCESS);
        return DS_ERR_INVALID_ARGUMENT;
    }
    ds_mpi_comm *c = (ds_mpi_comm *)malloc(sizeof *c);
    if (!c) {
        set_error("ds_mpi_comm_create: out of memory", MPI_SUCCESS);
        return DS_ERR_NO_MEMORY;
    }
    int rc = MPI_Comm_dup(comm, &c->comm);
    if (rc != MPI_SUCCESS) {
        set_error("ds_mpi_comm_create: MPI_Comm_dup", rc);
        free(c);
        return DS_ERR_CALLBACK;
    }
    rc = MPI_Comm_set_errhandler(c->comm, MPI_ERRORS_RETURN);
    if (rc != MPI_SUCCESS) {
        set_error("ds_mpi_comm_create: MPI_Comm_set_errhandler", rc);
        MPI_Comm_free(&c->comm);
        free(c);
        return DS_ERR_CALLBACK;
    }
    *out = c;
    return DS_OK;
}

void ds_mpi_comm_destroy(ds_mpi_comm *comm) {
    if (!comm) return;
    if (mpi_running() && comm->comm != MPI_COMM_NULL) MPI_Comm_free(&comm->comm);
    free(comm);
}

MPI_Comm ds_mpi_comm_get(const ds_mpi_comm *comm) { return comm ? comm->comm : MPI_COMM_NULL; }

ds_status ds_mpi_attach(ds_sparsifier *s, ds_mpi_comm *comm) {
    if (!comm) return ds_sparsifier_set_allreduce(s, NULL, NULL);
    return ds_sparsifier_set_allreduce(s, ds_mpi_allreduce, comm);
}

ds_status ds_mpi_detach(ds_sparsifier *s) { return ds_sparsifier_set_allreduce(s, NULL, NULL); }

int ds_mpi_allreduce(void *user_data, uint64_t *counts, size_t count) {
    const ds_mpi_comm *c = (const ds_mpi_comm *)user_data;
    if (!c || c->comm == MPI_COMM_NULL) {
        ds_set_callback_error("ds_mpi_allreduce: user_data is not a ds_mpi_comm");
        return 1;
    }
    if (!mpi_running()) {
        ds_set_callback_error("ds_mpi_allreduce: MPI is not initialised (or already finalised)");
        return 1;
    }
    while (count > 0) {
        const int n = count > (size_t)INT_MAX ? INT_MAX : (int)count;
        const int rc = MPI_Allreduce(MPI_IN_PLACE, counts, n, MPI_UINT64_T, MPI_SUM, c->comm);
        if (rc != MPI_SUCCESS) {
            char text[MPI_MAX_ERROR_STRING] = "", message[MPI_MAX_ERROR_STRING + 64];
            int len = 0;
            MPI_Error_string(rc, text, &len);
            snprintf(message, sizeof message, "MPI_Allreduce failed (MPI error %d: %s)", rc, text);
            ds_set_callback_error(message);
            return 1;
        }
        counts += n;
        count -= (size_t)n;
    }
    return 0;
}
