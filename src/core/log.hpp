// Process-wide log sink used by the core for warnings and verbose output.
#pragma once

#include <string>

#include <datasparse/datasparse.h>

namespace ds {

void set_log_handler(ds_log_fn fn, void *user_data);
void log(ds_log_level level, const std::string &message);

}  // namespace ds
