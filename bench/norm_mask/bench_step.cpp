// The norm sparsifier's step (through the C API) against a one-pass memory
// bandwidth floor over the same data (read every float once, write every mask
// byte once, with the same threads), timed alternately in this one process
// so that both see the same machine; every SIMD path the CPU runs, and the
// thread counts asked for. Prints a table and writes CSV rows:
//   bench_step [--quick] [--threads 1,2] [--csv FILE]
// --quick: tiny sizes, two repetitions (the smoke test run by CTest: it
// checks that every case runs and its masks have the sparsity asked for,
// never the timing).
#include <datasparse/datasparse.h>
#include <malloc.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

void check(ds_status status, const char *what) {
    if (status != DS_OK)
        throw std::runtime_error(std::string(what) + ": " + ds_status_string(status) + ": " + ds_last_error());
}

struct Case {
    std::string group;  // shapes, size, items, embedding, dtypes
    int64_t rows, cols, items;
    int br, bc, zeros;
    double level;
    ds_norm norm;
    ds_dtype dtype = DS_DTYPE_FLOAT32;
    std::string label() const {
        std::ostringstream s;
        if (items > 1) s << items << "x ";
        s << rows << "x" << cols << " " << br << "x" << bc << " z" << zeros << " l" << level
          << (norm == DS_NORM_L1 ? " L1" : " L2");
        if (dtype != DS_DTYPE_FLOAT32) s << " " << ds_dtype_name(dtype);
        return s.str();
    }
    int64_t elements() const { return rows * cols * items; }
};

std::vector<Case> cases(bool quick) {
    const int64_t n = quick ? 64 : 4096;
    std::vector<Case> c = {
        {"shapes", n, n, 1, 1, 4, 4, 0.7, DS_NORM_L1},   {"shapes", n, n, 1, 1, 4, 2, 0.7, DS_NORM_L1},
        {"shapes", n, n, 1, 2, 2, 2, 0.7, DS_NORM_L1},   {"shapes", n, n, 1, 4, 4, 8, 0.7, DS_NORM_L1},
        {"shapes", n, n, 1, 1, 16, 8, 0.7, DS_NORM_L1},  {"shapes", n, n, 1, 1, 4, 4, 0.7, DS_NORM_L2},
        {"shapes", n, n, 1, 1, 4, 2, 1.0, DS_NORM_L2},   {"shapes", n, n, 1, 3, 5, 7, 0.7, DS_NORM_L1},
        {"embedding", quick ? 1000 : 100000, 64, 1, 1, 4, 4, 0.7, DS_NORM_L1},
        {"items", 64, 64, quick ? 20 : 10000, 1, 4, 4, 0.7, DS_NORM_L1},
    };
    for (ds_dtype t : {DS_DTYPE_FLOAT16, DS_DTYPE_BFLOAT16, DS_DTYPE_FLOAT64}) {
        c.push_back({"dtypes", quick ? 1000 : 100000, 64, 1, 1, 4, 4, 0.7, DS_NORM_L1, t});
        c.push_back({"dtypes", n, n, 1, 1, 4, 2, 0.7, DS_NORM_L1, t});
    }
    for (int64_t side : {1024, 2048, 4096, 8192})  // 1M, 4M, 16M, 64M elements
        if (!quick || side == 1024) c.push_back({"size", quick ? side / 16 : side, quick ? side / 16 : side, 1, 1, 4, 4, 0.7, DS_NORM_L1});
    return c;
}

// Normal random values in the case's dtype, as bytes.
std::vector<uint8_t> make_data(int64_t n, unsigned seed, ds_dtype dtype) {
    std::mt19937 gen(seed);
    std::normal_distribution<float> normal;
    std::vector<uint8_t> data(static_cast<size_t>(n) * ds_dtype_size(dtype));
    for (int64_t i = 0; i < n; ++i) {
        const float x = normal(gen);
        uint32_t bits;
        std::memcpy(&bits, &x, 4);
        if (dtype == DS_DTYPE_FLOAT32) {
            std::memcpy(&data[4 * i], &x, 4);
        } else if (dtype == DS_DTYPE_FLOAT64) {
            const double d = x;
            std::memcpy(&data[8 * i], &d, 8);
        } else if (dtype == DS_DTYPE_BFLOAT16) {
            const uint16_t h = static_cast<uint16_t>(bits >> 16);
            std::memcpy(&data[2 * i], &h, 2);
        } else {  // float16, truncated (normal values of |x| < 8: exponent rebased, mantissa cut)
            const uint32_t e = (bits >> 23) & 0xFF;
            const uint16_t h = e < 113 ? static_cast<uint16_t>((bits >> 16) & 0x8000)
                                       : static_cast<uint16_t>(((bits >> 16) & 0x8000) | ((e - 112) << 10) |
                                                               ((bits >> 13) & 0x3FF));
            std::memcpy(&data[2 * i], &h, 2);
        }
    }
    return data;
}

struct Setup {
    ds_sparsifier *sp = nullptr;
    ds_dtype dtype;
    std::vector<std::vector<uint8_t>> data;
    std::vector<std::string> names;
    explicit Setup(const Case &c) : dtype(c.dtype) {
        ds_config *cfg;
        check(ds_config_create(&cfg), "config");
        check(ds_config_set(cfg, "sparsity_level", c.level), "config");
        check(ds_config_set(cfg, "block_rows", c.br), "config");
        check(ds_config_set(cfg, "block_cols", c.bc), "config");
        check(ds_config_set(cfg, "zeros_per_block", c.zeros), "config");
        check(ds_norm_sparsifier_create(c.norm, cfg, &sp), "create");
        ds_config_destroy(cfg);
        for (int64_t i = 0; i < c.items; ++i) {
            data.push_back(make_data(c.rows * c.cols, 42 + static_cast<unsigned>(i), c.dtype));
            names.push_back("item" + std::to_string(i));
            ds_tensor_desc desc = DS_TENSOR_DESC_INIT;
            desc.dtype = c.dtype;
            desc.ndim = 2;
            desc.shape[0] = c.rows;
            desc.shape[1] = c.cols;
            check(ds_sparsifier_add_data_ex(sp, names.back().c_str(), data.back().data(), &desc, nullptr, 0),
                  "add_data_ex");
        }
    }
    ~Setup() { ds_sparsifier_destroy(sp); }
};

// One read of every element and one write of a mask byte per element.
template <typename T>
double floor_of(const std::vector<std::vector<uint8_t>> &data, std::vector<std::vector<uint8_t>> &masks,
                int threads) {
    const auto t0 = Clock::now();
    if (data.size() == 1) {
        const T *x = reinterpret_cast<const T *>(data[0].data());
        uint8_t *m = masks[0].data();
        const int64_t n = static_cast<int64_t>(masks[0].size());
#pragma omp parallel for schedule(static) num_threads(threads)
        for (int64_t i = 0; i < n; ++i) m[i] = x[i] > T(0);
    } else {
        const int64_t items = static_cast<int64_t>(data.size());
#pragma omp parallel for schedule(static) num_threads(threads)
        for (int64_t j = 0; j < items; ++j) {
            const T *x = reinterpret_cast<const T *>(data[static_cast<size_t>(j)].data());
            uint8_t *m = masks[static_cast<size_t>(j)].data();
            const size_t n = masks[static_cast<size_t>(j)].size();
            for (size_t i = 0; i < n; ++i) m[i] = x[i] > T(0);
        }
    }
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

double floor_pass(ds_dtype dtype, const std::vector<std::vector<uint8_t>> &data,
                  std::vector<std::vector<uint8_t>> &masks, int threads) {
    switch (dtype) {
        case DS_DTYPE_FLOAT64: return floor_of<double>(data, masks, threads);
        case DS_DTYPE_FLOAT16:
        case DS_DTYPE_BFLOAT16: return floor_of<uint16_t>(data, masks, threads);  // a 2-byte compare
        default: return floor_of<float>(data, masks, threads);
    }
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

long status_kib(const char *field) {
    std::ifstream in("/proc/self/status");
    std::string line;
    const size_t len = std::strlen(field);
    while (std::getline(in, line))
        if (line.compare(0, len, field) == 0) return std::strtol(line.c_str() + len + 1, nullptr, 10);
    return -1;
}

// Peak memory a step adds (beyond data and masks, which exist before it):
// VmHWM reset through /proc/self/clear_refs, one step, VmHWM - VmRSS before.
long step_peak_extra_kib(ds_sparsifier *sp) {
    malloc_trim(0);  // earlier cases' freed memory goes back: the step cannot reuse resident pages
    std::ofstream("/proc/self/clear_refs") << "5";
    const long before = status_kib("VmRSS:");
    check(ds_sparsifier_step(sp), "step");
    return status_kib("VmHWM:") - before;
}

struct Row {
    std::string group, label, path;
    int threads;
    int64_t elements;
    double ms, floor_ms, sparsity;
    long extra_kib;
};

}  // namespace

int main(int argc, char **argv) {
    // Large blocks always from mmap and back to the system when freed, so
    // that the peak RSS of one case's step is not hidden by an earlier case's
    // freed memory (glibc raises its mmap threshold dynamically otherwise).
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    bool quick = false;
    std::vector<int> threads = {1, std::max(1, omp_get_num_procs())};
    std::string csv;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--quick") {
            quick = true;
        } else if (a == "--threads" && i + 1 < argc) {
            threads.clear();
            std::stringstream s(argv[++i]);
            for (std::string t; std::getline(s, t, ',');) threads.push_back(std::max(1, std::atoi(t.c_str())));
        } else if (a == "--csv" && i + 1 < argc) {
            csv = argv[++i];
        } else {
            std::fprintf(stderr, "usage: bench_step [--quick] [--threads 1,2] [--csv FILE]\n");
            return 2;
        }
    }
    threads.erase(std::unique(threads.begin(), threads.end()), threads.end());
    std::vector<std::string> paths;
    for (const char *p : {"scalar", "sse2", "avx2", "avx512"}) {  // those this CPU runs
        setenv("DATASPARSE_SIMD", p, 1);
        if (std::strcmp(ds_simd_path(), p) == 0) paths.push_back(p);
    }
    unsetenv("DATASPARSE_SIMD");
    const std::string best = ds_simd_path();
    const int reps = quick ? 2 : 7;
    std::vector<Row> rows;
    int failures = 0;
    try {
        for (const Case &c : cases(quick)) {
            Setup s(c);
            std::vector<std::vector<uint8_t>> masks;
            for (const auto &d : s.data) masks.emplace_back(d.size() / ds_dtype_size(c.dtype));
            const long extra = step_peak_extra_kib(s.sp);
            for (const std::string &path : paths) {
                // The scalar reference only once (one thread): it is the oracle, not a contender.
                for (int t : threads) {
                    if (path == "scalar" && t != threads.front()) continue;
                    setenv("DATASPARSE_SIMD", path.c_str(), 1);
                    check(ds_set_num_threads(t), "threads");
                    check(ds_sparsifier_step(s.sp), "step");  // warm-up
                    floor_pass(c.dtype, s.data, masks, t);
                    std::vector<double> ours, floor;
                    for (int r = 0; r < reps; ++r) {
                        floor.push_back(floor_pass(c.dtype, s.data, masks, t));
                        const auto t0 = Clock::now();
                        check(ds_sparsifier_step(s.sp), "step");
                        ours.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
                    }
                    // The sparsity reached, over every item (blocks divide the shapes
                    // here except 3x5: that one is only checked to be near).
                    double zeros = 0;
                    for (const auto &name : s.names) {
                        double sp;
                        check(ds_sparsifier_get_sparsity(s.sp, name.c_str(), &sp), "sparsity");
                        zeros += sp;
                    }
                    const double sparsity = zeros / static_cast<double>(s.names.size());
                    const double want = c.level * c.zeros / (c.br * c.bc);
                    if (std::fabs(sparsity - want) > (c.br == 3 ? 0.05 : 1e-3)) {
                        std::fprintf(stderr, "FAIL: %s on %s: sparsity %.4f, expected %.4f\n", c.label().c_str(),
                                     path.c_str(), sparsity, want);
                        ++failures;
                    }
                    rows.push_back({c.group, c.label(), path, t, c.elements(), median(ours), median(floor), sparsity,
                                    path == best ? extra : -1});
                }
            }
            unsetenv("DATASPARSE_SIMD");
            check(ds_set_num_threads(0), "threads");
        }

        // The scheduler: one step over many items with a C callback.
        {
            const int items = quick ? 20 : 10000;
            Case c{"scheduler", 64, 64, items, 1, 4, 4, 0.5, DS_NORM_L1};
            Setup s(c);
            ds_scheduler *sch;
            auto schedule = [](void *, const char *, int64_t epoch, double base, double, double *out) -> int {
                *out = base * std::pow(0.99, static_cast<double>(epoch));
                return 0;
            };
            check(ds_sparsifier_step(s.sp), "step");  // the sparsifier steps first, as in training
            check(ds_scheduler_create(s.sp, "sparsity_level", schedule, nullptr, -1, &sch), "scheduler");
            std::vector<double> t;
            for (int r = 0; r < reps * 3; ++r) {
                const auto t0 = Clock::now();
                check(ds_scheduler_step(sch), "scheduler step");
                t.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
            }
            ds_scheduler_destroy(sch);
            rows.push_back({"scheduler", std::to_string(items) + " items with a C callback", "-", 1,
                            static_cast<int64_t>(items), median(t), 0.0, 0.0, -1});
        }
    } catch (const std::exception &e) {
        std::fprintf(stderr, "FAIL: %s\n", e.what());
        return 1;
    }

    std::printf("simd paths: ");
    for (const auto &p : paths) std::printf("%s%s", p.c_str(), p == best ? " (best) " : " ");
    std::printf("\n%-10s %-32s %-7s %3s %10s %10s %8s %9s %10s\n", "group", "case", "path", "thr", "ms", "floor ms",
                "ratio", "sparsity", "+peak KiB");
    for (const Row &r : rows) {
        if (r.group == "scheduler") {
            std::printf("%-10s %-32s %-7s %3d %10.3f\n", r.group.c_str(), r.label.c_str(), r.path.c_str(), r.threads,
                        r.ms);
            continue;
        }
        std::printf("%-10s %-32s %-7s %3d %10.3f %10.3f %8.2f %9.4f", r.group.c_str(), r.label.c_str(),
                    r.path.c_str(), r.threads, r.ms, r.floor_ms, r.ms / r.floor_ms, r.sparsity);
        if (r.extra_kib >= 0)
            std::printf(" %10ld", r.extra_kib);
        std::printf("\n");
    }
    if (!csv.empty()) {
        std::ofstream out(csv);
        out << "group,case,path,threads,elements,ms,floor_ms,ratio,sparsity,peak_extra_kib\n";
        for (const Row &r : rows)
            out << r.group << "," << r.label << "," << r.path << "," << r.threads << "," << r.elements << "," << r.ms
                << "," << r.floor_ms << "," << (r.floor_ms > 0 ? r.ms / r.floor_ms : 0.0) << "," << r.sparsity << ","
                << r.extra_kib << "\n";
    }
    return failures ? 1 : 0;
}
