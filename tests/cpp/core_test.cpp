// Unit tests of core pieces the C API cannot reach directly: errors carried
// out of OpenMP regions, the log sink's replacement guarantee, typed
// parameters and the schedule registry. doctest.
#include <atomic>
#include <chrono>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/parallel.hpp"
#include "core/params.hpp"
#include "core/schedules.hpp"

using namespace std::chrono_literals;

static ds::Status status_of(const std::function<void()> &f, std::string *message = nullptr) {
    try {
        f();
    } catch (const ds::Error &e) {
        if (message) *message = e.what();
        return e.status();
    }
    return ds::Status::ok;
}

TEST_CASE("an exception inside an OpenMP region comes out as itself, once") {
    for (int threads : {1, 2, 3}) {
        ds::ParallelErrors errors;
        std::atomic<int> ran{0};
#pragma omp parallel for num_threads(threads) schedule(dynamic)
        for (int i = 0; i < 1000; ++i)
            errors.run([&] {
                ++ran;
                if (i == 57) ds::fail(ds::Status::corrupt, "iteration 57 failed");
            });
        CHECK(errors.failed());
        std::string message;
        CHECK(status_of([&] { errors.rethrow(); }, &message) == ds::Status::corrupt);
        CHECK(message == "iteration 57 failed");
        CHECK(ran.load() >= 58 - 1);  // work after the failure may be skipped, never the work before it ran
    }
    ds::ParallelErrors none;
#pragma omp parallel for
    for (int i = 0; i < 100; ++i) none.run([] {});
    CHECK_FALSE(none.failed());
    CHECK(status_of([&] { none.rethrow(); }) == ds::Status::ok);
}

TEST_CASE("a non-ds exception is carried out too (not turned into bad_alloc)") {
    ds::ParallelErrors errors;
#pragma omp parallel for
    for (int i = 0; i < 8; ++i) errors.run([&] {
            if (i == 3) throw std::logic_error("logic");
        });
    bool caught = false;
    try {
        errors.rethrow();
    } catch (const std::logic_error &e) {
        caught = std::string(e.what()) == "logic";
    }
    CHECK(caught);
}

TEST_CASE("set_log_sink returns only when the old sink has finished on every other thread") {
    std::atomic<bool> entered{false}, release{false}, finished{false}, replaced{false};
    std::atomic<int> old_calls{0}, new_calls{0};
    ds::set_log_sink([&](ds::LogLevel, const char *) {
        ++old_calls;
        entered = true;
        while (!release) std::this_thread::yield();
        finished = true;
    });
    std::thread logger([] { ds::log(ds::LogLevel::warning, "from another thread"); });
    while (!entered) std::this_thread::yield();
    std::thread setter([&] {
        ds::set_log_sink([&](ds::LogLevel, const char *) { ++new_calls; });
        replaced = true;
    });
    std::this_thread::sleep_for(50ms);  // the setter must still be waiting: the old sink runs
    CHECK_FALSE(replaced.load());
    release = true;
    setter.join();
    CHECK(finished.load());  // it returned after the old sink's call ended
    logger.join();
    ds::log(ds::LogLevel::warning, "after");
    CHECK(old_calls.load() == 1);  // never called again
    CHECK(new_calls.load() == 1);
    ds::set_log_sink(nullptr);
}

TEST_CASE("a sink may replace itself from inside its own call") {
    std::atomic<int> first{0}, second{0};
    ds::LogSink second_sink = [&](ds::LogLevel, const char *) { ++second; };
    ds::set_log_sink([&](ds::LogLevel, const char *) {
        ++first;
        ds::set_log_sink(second_sink);  // must not wait for itself
    });
    ds::log(ds::LogLevel::info, "one");
    ds::log(ds::LogLevel::info, "two");
    CHECK(first.load() == 1);
    CHECK(second.load() == 1);
    ds::set_log_sink(nullptr);
}

TEST_CASE("typed parameters: the message names the parameter, its owner, the rule and the value") {
    const ds::ParamSpec step{"step_size", ds::ParamType::integer, 1, ds::kMaxExactInteger, false, 0, ""};
    std::string m;
    CHECK(status_of([&] { ds::check_param(step, 0, "of the step schedule"); }, &m) == ds::Status::invalid_argument);
    CHECK(m == "step_size of the step schedule must be an integer >= 1, got 0");
    CHECK(status_of([&] { ds::check_param(step, 1.5, "of x"); }) == ds::Status::invalid_argument);
    CHECK(status_of([&] { ds::check_param(step, INFINITY, "of x"); }) == ds::Status::invalid_argument);
    CHECK(status_of([&] { ds::check_param(step, 3, "of x"); }) == ds::Status::ok);
    // an int64 beyond 2^53 is refused rather than rounded into range
    CHECK(status_of([&] { ds::check_integer_param(step, (int64_t(1) << 53) + 1, "of x"); }, &m) ==
          ds::Status::invalid_argument);
    CHECK(m.find("9007199254740993") != std::string::npos);
    const ds::ParamSpec flag{"initially_zero", ds::ParamType::boolean, 0, 1, true, 0, ""};
    CHECK(status_of([&] { ds::check_param(flag, 2, "of the cubic schedule"); }, &m) == ds::Status::invalid_argument);
    CHECK(m == "initially_zero of the cubic schedule must be 0 or 1, got 2");
    const ds::ParamSpec real{"gamma", ds::ParamType::real, -INFINITY, INFINITY, false, 0, ""};
    CHECK(status_of([&] { ds::check_param(real, NAN, "of the gamma schedule"); }, &m) == ds::Status::invalid_argument);
    CHECK(m == "gamma of the gamma schedule must be finite, got nan");
}

TEST_CASE("every built-in saves the parameters it was made with, and is rebuilt from them") {
    for (const ds::ScheduleSpec &spec : ds::builtin_schedules()) {
        CAPTURE(spec.kind);
        std::vector<ds::ParamValue> values;
        for (size_t i = 0; i < spec.params.size(); ++i) {
            const ds::ParamSpec &p = spec.params[i];
            values.emplace_back(p.has_default ? p.default_value : (std::isfinite(p.min) ? p.min : 0.0) + 1.0 + double(i));
        }
        auto made = ds::make_builtin(spec, values);
        CHECK(std::string(made->kind()) == spec.kind);
        const ds::Config saved = made->params();
        REQUIRE(saved.size() == spec.params.size());
        auto again = ds::make_builtin(spec.kind, saved);
        CHECK(again->params() == saved);
        for (int64_t t = 0; t < 30; ++t)
            CHECK(again->value("x", t, 0.8, 0.3) == made->value("x", t, 0.8, 0.3));
        CHECK(ds::is_known_schedule_kind(spec.kind));
    }
    CHECK(ds::is_known_schedule_kind(ds::kUserScheduleKind));
    CHECK(ds::is_known_schedule_kind(ds::kLambdaScheduleKind));
    CHECK_FALSE(ds::is_known_schedule_kind("linear"));
}

#include <random>

#include "core/item_table.hpp"

namespace {
struct Named {
    std::string name;
    int value;
};
}  // namespace

TEST_CASE("the item table keeps insertion order through any mix of appends, replacements and removals") {
    ds::ItemTable<Named> table;
    std::vector<std::string> model;  // the order the table must have
    std::mt19937 rng(42);
    int next = 0;
    for (int op = 0; op < 20000; ++op) {
        const unsigned r = rng() % 10;
        if (r < 5 || model.empty()) {
            const std::string name = "n" + std::to_string(next++);
            table.push_back(std::make_unique<Named>(Named{name, op}));
            model.push_back(name);
        } else if (r < 9) {
            const size_t i = rng() % model.size();
            table.erase(model[i]);
            model.erase(model.begin() + static_cast<std::ptrdiff_t>(i));
        } else {
            const size_t i = rng() % model.size();
            table.replace(std::make_unique<Named>(Named{model[i], -op}));
        }
        REQUIRE(table.size() == model.size());
        if (op % 997 == 0 || table.size() < 5) {
            size_t k = 0;
            for (const Named &n : table) REQUIRE(n.name == model[k++]);
            REQUIRE(k == model.size());
            for (size_t i = 0; i < model.size(); i += 1 + model.size() / 50) {
                CHECK(table.at(i).name == model[i]);
                CHECK(table.find(model[i]) == &table.at(i));
            }
        }
    }
    CHECK(table.find("nope") == nullptr);
    while (!model.empty()) {  // down to nothing, from the front (the worst case of a vector)
        table.erase(model.front());
        model.erase(model.begin());
        if (!model.empty()) CHECK(table.at(0).name == model.front());
    }
    CHECK(table.empty());
    CHECK(table.begin() == table.end());
}
