// The ranks of `mpirun -np N datasparse sparsify ...` (issue 14), or one
// process alone. MPI is used only when the command was built with it
// (DS_CLI_MPI, CMake's DS_BUILD_MPI) *and* launched by mpirun (OpenMPI's
// OMPI_COMM_WORLD_SIZE, or PMI_SIZE / PMIX_RANK, in the environment): a plain
// run never initialises MPI.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace dstool {

class World {
public:
    // One process alone, or MPI's world (MPI_Init here, MPI_Finalize in the
    // destructor) when built with MPI and launched by mpirun.
    static std::unique_ptr<World> from_environment();
    ~World();
    World(const World &) = delete;
    World &operator=(const World &) = delete;
    bool distributed() const { return mpi_; }
    int rank() const { return rank_; }
    int size() const { return size_; }
    // Sums counts across the ranks in place (nothing to do alone); 0 on
    // success. Also the ds_allreduce_fn of the sparsifiers (user_data: this).
    int sum(uint64_t *counts, size_t count);
    static int allreduce(void *user_data, uint64_t *counts, size_t count);
    // Rank 0's text, on every rank.
    std::string broadcast(const std::string &text);

private:
    World() = default;
    bool mpi_ = false;
    int rank_ = 0, size_ = 1;
    void *comm_ = nullptr;  // MPI_Comm (a private duplicate of MPI_COMM_WORLD)
};

// True when the command was built with MPI support.
bool built_with_mpi();

}  // namespace dstool
