// OpenMP helpers. An exception must not leave an OpenMP construct (gcc calls
// std::terminate): each iteration runs through ParallelErrors::run, which
// keeps the first exception, skips the remaining work, and rethrows it after
// the region, whatever it was.
#pragma once

#include <atomic>
#include <exception>

namespace ds {

class ParallelErrors {
public:
    template <typename Body>
    void run(Body &&body) noexcept {
        if (failed_.load(std::memory_order_relaxed)) return;
        try {
            body();
        } catch (...) {
            keep(std::current_exception());
        }
    }
    bool failed() const { return failed_.load(std::memory_order_relaxed); }
    // Call after the parallel region.
    void rethrow() const {
        if (error_) std::rethrow_exception(error_);
    }

private:
    void keep(std::exception_ptr e) noexcept {
#pragma omp critical(ds_parallel_errors)
        {
            if (!error_) error_ = e;
        }
        failed_.store(true, std::memory_order_relaxed);
    }

    std::atomic<bool> failed_{false};
    std::exception_ptr error_;
};

}  // namespace ds
