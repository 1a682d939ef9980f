// Allocation failure at every point of the C API's heavy calls: a global
// operator new that fails at its Nth call (counted over all threads, so
// OpenMP workers are included) interposes the library's allocations. For
// N = 1, 2, ... until the call succeeds, the call must return
// DS_ERR_NO_MEMORY (never abort the process, never another status) with a
// message, and leave every mask and the step count exactly as they were.
// doctest, linked against the shared library.
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <datasparse/datasparse.h>

namespace {
std::atomic<long> g_countdown{-1};  // < 0: never fail

void *allocate(std::size_t n) {
    long left = g_countdown.load();
    while (left >= 0) {
        if (g_countdown.compare_exchange_weak(left, left - 1)) {
            if (left == 0) throw std::bad_alloc();
            break;
        }
    }
    if (void *p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}

struct Armed {
    explicit Armed(long n) { g_countdown = n; }
    ~Armed() { g_countdown = -1; }
};
}  // namespace

void *operator new(std::size_t n) { return allocate(n); }
void *operator new[](std::size_t n) { return allocate(n); }
void operator delete(void *p) noexcept { std::free(p); }
void operator delete[](void *p) noexcept { std::free(p); }
void operator delete(void *p, std::size_t) noexcept { std::free(p); }
void operator delete[](void *p, std::size_t) noexcept { std::free(p); }

namespace {

struct Fixture {
    std::vector<float> big, small1, small2;
    ds_sparsifier *s = nullptr;
    const char *names[3] = {"big", "small1", "small2"};

    Fixture() : big(300 * 300), small1(16 * 16), small2(8 * 32) {
        for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<float>((i * 7919) % 1000) - 500.0f;
        for (size_t i = 0; i < small1.size(); ++i) small1[i] = static_cast<float>((i * 31) % 97);
        for (size_t i = 0; i < small2.size(); ++i) small2[i] = static_cast<float>((i * 17) % 89) - 40.0f;
        REQUIRE(ds_norm_sparsifier_create(DS_NORM_L2, nullptr, &s) == DS_OK);
        ds_config *c = nullptr;
        REQUIRE(ds_config_create(&c) == DS_OK);
        REQUIRE(ds_config_set(c, "block_rows", 2) == DS_OK);
        REQUIRE(ds_config_set(c, "block_cols", 2) == DS_OK);
        REQUIRE(ds_config_set(c, "zeros_per_block", 2) == DS_OK);
        // 90,000 elements: above the size at which an item is split over threads
        REQUIRE(ds_sparsifier_add_data(s, "big", big.data(), 300, 300, c, 0) == DS_OK);
        REQUIRE(ds_sparsifier_add_data(s, "small1", small1.data(), 16, 16, nullptr, 0) == DS_OK);
        REQUIRE(ds_sparsifier_add_data(s, "small2", small2.data(), 8, 32, c, 0) == DS_OK);
        ds_config_destroy(c);
    }
    ~Fixture() { ds_sparsifier_destroy(s); }

    std::vector<std::vector<uint8_t>> masks() const {
        std::vector<std::vector<uint8_t>> out;
        for (const char *n : names) {
            int64_t r = 0, c = 0;
            REQUIRE(ds_sparsifier_get_shape(s, n, &r, &c) == DS_OK);
            std::vector<uint8_t> m(static_cast<size_t>(r * c));
            REQUIRE(ds_sparsifier_get_mask(s, n, m.data(), m.size()) == DS_OK);
            out.push_back(std::move(m));
        }
        return out;
    }
};

// Fails the Nth allocation of call() for N = 1, 2, ... until it succeeds;
// returns how many failure points there were.
template <typename Call, typename Same>
int every_failure_point(Call call, Same unchanged) {
    for (long n = 0; n < 100000; ++n) {
        ds_status st;
        {
            Armed armed(n);
            st = call();
        }
        if (st == DS_OK) return static_cast<int>(n);
        INFO("allocation " << n << " failed: " << ds_status_string(st) << ": " << ds_last_error());
        REQUIRE(st == DS_ERR_NO_MEMORY);
        REQUIRE(std::strlen(ds_last_error()) > 0);
        REQUIRE(unchanged());
    }
    FAIL("the call never succeeded");
    return -1;
}

}  // namespace

TEST_CASE("a step that cannot allocate returns DS_ERR_NO_MEMORY and changes no mask, at any thread count") {
    for (int threads : {1, 2, 3}) {
        CAPTURE(threads);
        const std::string env = std::to_string(threads);
        setenv("OMP_NUM_THREADS", env.c_str(), 1);  // read at the first region: threads is a hint only
        Fixture f;
        const auto before = f.masks();
        const int points = every_failure_point([&] { return ds_sparsifier_step(f.s); },
                                               [&] { return f.masks() == before && ds_sparsifier_step_count(f.s) == 0; });
        CHECK(points > 3);  // masks, parameters, scratch: there were places to fail
        CHECK(f.masks() != before);  // and the step that succeeded did change them
        MESSAGE(points << " allocation failure points in a step");
    }
}

TEST_CASE("add_data, save and load that cannot allocate fail cleanly") {
    Fixture f;
    REQUIRE(ds_sparsifier_step(f.s) == DS_OK);
    const auto before = f.masks();
    std::vector<float> more(64 * 64, 1.0f);
    const int add_points =
        every_failure_point([&] { return ds_sparsifier_add_data(f.s, "more", more.data(), 64, 64, nullptr, 0); },
                            [&] { return ds_sparsifier_count(f.s) == 3 && f.masks() == before; });
    REQUIRE(ds_sparsifier_remove_data(f.s, "more") == DS_OK);
    size_t size = 0;
    REQUIRE(ds_sparsifier_save_buffer(f.s, DS_SAVE_DATA, nullptr, 0, &size) == DS_OK);
    std::vector<uint8_t> state(size);
    const int save_points =
        every_failure_point([&] { return ds_sparsifier_save_buffer(f.s, DS_SAVE_DATA, state.data(), state.size(), &size); },
                            [&] { return f.masks() == before; });
    REQUIRE(ds_sparsifier_step(f.s) == DS_OK);  // data unchanged: same masks
    std::fill(f.big.begin(), f.big.begin() + 1000, 0.0f);
    REQUIRE(ds_sparsifier_step(f.s) == DS_OK);  // now different
    const auto after = f.masks();
    REQUIRE(after != before);
    std::vector<float> big_now = f.big;
    const int load_points =
        every_failure_point([&] { return ds_sparsifier_load_buffer(f.s, state.data(), state.size(), 1); },
                            [&] { return f.masks() == after && f.big == big_now; });
    CHECK(f.masks() == before);  // the load that succeeded restored the saved masks
    MESSAGE(add_points << " allocation failure points in an add_data, " << save_points << " in a save_buffer, "
                       << load_points << " in a load_buffer");
}
