#include "world.hpp"

#include "errors.hpp"

#include <cstdlib>
#include <vector>

#ifdef DS_CLI_MPI
#include <mpi.h>
#endif

namespace dstool {

bool built_with_mpi() {
#ifdef DS_CLI_MPI
    return true;
#else
    return false;
#endif
}

std::unique_ptr<World> World::from_environment() {
    std::unique_ptr<World> w(new World());
#ifdef DS_CLI_MPI
    if (std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMI_SIZE") || std::getenv("PMIX_RANK")) {
        int initialized = 0;
        MPI_Initialized(&initialized);
        if (!initialized && MPI_Init(nullptr, nullptr) != MPI_SUCCESS) throw Error("MPI_Init failed");
        auto *comm = new MPI_Comm;
        MPI_Comm_dup(MPI_COMM_WORLD, comm);
        MPI_Comm_set_errhandler(*comm, MPI_ERRORS_RETURN);
        w->comm_ = comm;
        w->mpi_ = true;
        MPI_Comm_rank(*comm, &w->rank_);
        MPI_Comm_size(*comm, &w->size_);
    }
#endif
    return w;
}

World::~World() {
#ifdef DS_CLI_MPI
    if (mpi_) {
        auto *comm = static_cast<MPI_Comm *>(comm_);
        MPI_Comm_free(comm);
        delete comm;
        MPI_Finalize();
    }
#endif
}

int World::sum(uint64_t *counts, size_t count) {
#ifdef DS_CLI_MPI
    if (mpi_)
        return MPI_Allreduce(MPI_IN_PLACE, counts, static_cast<int>(count), MPI_UINT64_T, MPI_SUM,
                             *static_cast<MPI_Comm *>(comm_)) == MPI_SUCCESS ? 0 : 1;
#endif
    (void)counts;
    (void)count;
    return 0;
}

int World::allreduce(void *user_data, uint64_t *counts, size_t count) {
    return static_cast<World *>(user_data)->sum(counts, count);
}

std::string World::broadcast(const std::string &text) {
#ifdef DS_CLI_MPI
    if (mpi_) {
        auto comm = *static_cast<MPI_Comm *>(comm_);
        unsigned long long n = text.size();
        if (MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, 0, comm) != MPI_SUCCESS) throw Error("MPI_Bcast failed");
        std::vector<char> buf(text.begin(), text.end());
        buf.resize(static_cast<size_t>(n));
        if (n && MPI_Bcast(buf.data(), static_cast<int>(n), MPI_CHAR, 0, comm) != MPI_SUCCESS) throw Error("MPI_Bcast failed");
        return std::string(buf.begin(), buf.end());
    }
#endif
    return text;
}

}  // namespace dstool
