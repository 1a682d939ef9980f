// Norm sparsifier step (ours, through the C API) against a one-pass memory
// bandwidth floor over the same data (read every float once, write every
// mask byte once). Cases come from cases.txt, shared with the PyTorch side.
#include <benchmark/benchmark.h>
#include <datasparse/datasparse.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

struct Case {
    int64_t rows, cols, br, bc, zeros;
    double level;
    std::string norm;
    std::string label() const {
        std::ostringstream s;
        s << rows << "x" << cols << "/" << br << "x" << bc << "/z" << zeros << "/l" << level << "/" << norm;
        return s.str();
    }
};

std::vector<float> make_data(const Case &c) {
    std::mt19937 gen(42);
    std::normal_distribution<float> normal;
    std::vector<float> data(static_cast<size_t>(c.rows * c.cols));
    for (float &x : data) x = normal(gen);
    return data;
}

void check(ds_status status) {
    if (status != DS_OK) throw std::runtime_error(std::string(ds_status_string(status)) + ": " + ds_last_error());
}

void BM_datasparse_step(benchmark::State &state, Case c) {
    std::vector<float> data = make_data(c);
    ds_config *cfg;
    ds_sparsifier *sp;
    check(ds_config_create(&cfg));
    check(ds_config_set(cfg, "sparsity_level", c.level));
    check(ds_config_set(cfg, "block_rows", static_cast<double>(c.br)));
    check(ds_config_set(cfg, "block_cols", static_cast<double>(c.bc)));
    check(ds_config_set(cfg, "zeros_per_block", static_cast<double>(c.zeros)));
    check(ds_norm_sparsifier_create(c.norm == "L1" ? DS_NORM_L1 : DS_NORM_L2, cfg, &sp));
    check(ds_sparsifier_add_data(sp, "x", data.data(), c.rows, c.cols, nullptr, 0));
    for (auto _ : state) check(ds_sparsifier_step(sp));
    double sparsity = 0;
    check(ds_sparsifier_get_sparsity(sp, "x", &sparsity));
    state.counters["sparsity"] = sparsity;
    state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(data.size() * (sizeof(float) + 1)));
    ds_sparsifier_destroy(sp);
    ds_config_destroy(cfg);
}

// The floor: one read of the data and one write of a mask of the same shape.
void BM_bandwidth_pass(benchmark::State &state, Case c) {
    std::vector<float> data = make_data(c);
    std::vector<uint8_t> mask(data.size());
    for (auto _ : state) {
        const size_t n = data.size();
#pragma omp parallel for schedule(static)
        for (size_t i = 0; i < n; ++i) mask[i] = data[i] > 0.0f;
        benchmark::DoNotOptimize(mask.data());
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(data.size() * (sizeof(float) + 1)));
}

std::vector<Case> read_cases(const char *path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error(std::string("cannot read ") + path);
    std::vector<Case> cases;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream s(line);
        Case c;
        s >> c.rows >> c.cols >> c.br >> c.bc >> c.zeros >> c.level >> c.norm;
        cases.push_back(c);
    }
    return cases;
}

}  // namespace

int main(int argc, char **argv) {
    const char *cases_path = std::getenv("DS_BENCH_CASES");
    for (const Case &c : read_cases(cases_path ? cases_path : DS_BENCH_CASES)) {
        benchmark::RegisterBenchmark(("datasparse/" + c.label()).c_str(), BM_datasparse_step, c)
            ->UseRealTime()->Unit(benchmark::kMillisecond);
        benchmark::RegisterBenchmark(("bandwidth/" + c.label()).c_str(), BM_bandwidth_pass, c)
            ->UseRealTime()->Unit(benchmark::kMillisecond);
    }
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
