// ds_set_log_handler: the C handler becomes the core's log sink.
#include "capi/common.hpp"
#include "core/log.hpp"

extern "C" {

DS_API void ds_set_log_handler(ds_log_fn fn, void *user_data) {
    ds::LogSink sink;
    if (fn) {
        try {
            sink = [fn, user_data](ds::LogLevel level, const char *message) {
                fn(user_data, ds::capi::to_c(level), message);
            };
        } catch (...) {
            ds::capi::set_last_error("out of memory: the log handler was not replaced");
            return;
        }
    }
    try {
        ds::set_log_sink(std::move(sink));
    } catch (...) {
        // set_log_sink allocates the new handler's record first: on failure the old one stays.
        ds::capi::set_last_error("out of memory: the log handler was not replaced");
    }
}

}  // extern "C"
