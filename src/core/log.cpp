#include "core/log.hpp"

#include <cstdio>
#include <mutex>

namespace ds {
namespace {

std::mutex g_mutex;
ds_log_fn g_fn = nullptr;
void *g_user_data = nullptr;

}  // namespace

void set_log_handler(ds_log_fn fn, void *user_data) {
    std::lock_guard<std::mutex> lock(g_mutex);
    g_fn = fn;
    g_user_data = user_data;
}

void log(ds_log_level level, const std::string &message) {
    ds_log_fn fn;
    void *user_data;
    {
        std::lock_guard<std::mutex> lock(g_mutex);
        fn = g_fn;
        user_data = g_user_data;
    }
    if (fn) {
        fn(user_data, static_cast<int>(level), message.c_str());  // outside the lock: it may log again
    } else if (level >= DS_LOG_WARNING) {
        std::fprintf(stderr, "datasparse: warning: %s\n", message.c_str());
    }
}

}  // namespace ds
