#include "core/log.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <vector>

namespace ds {
namespace {

// A sink and the number of calls to it in progress, on all threads.
struct Installed {
    LogSink sink;
    int active = 0;  // guarded by g_mutex
};

std::mutex g_mutex;
std::condition_variable g_idle;
std::shared_ptr<Installed> g_current;  // guarded by g_mutex; null: the default sink

// The sinks this thread is inside of (a sink may log, or replace itself).
thread_local std::vector<const Installed *> t_inside;

}  // namespace

void set_log_sink(LogSink sink) {
    std::shared_ptr<Installed> next;
    if (sink) {
        next = std::make_shared<Installed>();
        next->sink = std::move(sink);
    }
    std::unique_lock<std::mutex> lock(g_mutex);
    std::shared_ptr<Installed> old = std::move(g_current);
    g_current = std::move(next);
    if (!old) return;
    // Wait for the old sink's calls on other threads; this thread's own
    // (when a sink replaces itself) cannot finish before we return.
    const auto mine = std::count(t_inside.begin(), t_inside.end(), old.get());
    g_idle.wait(lock, [&] { return old->active == mine; });
}

void log(LogLevel level, const std::string &message) {
    std::shared_ptr<Installed> sink;
    {
        std::lock_guard<std::mutex> lock(g_mutex);
        sink = g_current;
        if (sink) ++sink->active;
    }
    if (!sink) {
        // Names in messages are escaped already; the whole line is too, so
        // that nothing can write a newline or a terminal escape to stderr.
        if (level >= LogLevel::warning) std::fprintf(stderr, "datasparse: warning: %s\n", escaped(message, false).c_str());
        return;
    }
    bool pushed = false;
    try {
        t_inside.push_back(sink.get());
        pushed = true;
        sink->sink(level, message.c_str());  // outside the lock: it may log again
    } catch (...) {
        // A sink must not throw; if one does (or the bookkeeping cannot
        // allocate), the message is dropped.
    }
    if (pushed) t_inside.pop_back();
    {
        std::lock_guard<std::mutex> lock(g_mutex);
        --sink->active;
    }
    g_idle.notify_all();
}

}  // namespace ds
