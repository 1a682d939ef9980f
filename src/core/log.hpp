// The core's log sink: warnings and verbose output go here, nowhere else.
//
// Guarantee (what ds_set_log_handler documents): once set_log_sink returns,
// the previous sink is not running on any other thread and is never called
// again. A sink may itself call set_log_sink (its own call runs to its end).
#pragma once

#include <functional>
#include <string>

namespace ds {

enum class LogLevel : int { debug = 0, info = 1, warning = 2 };

// Must not throw. An empty function restores the default sink, which prints
// warnings to stderr and drops the rest.
using LogSink = std::function<void(LogLevel level, const char *message)>;

void set_log_sink(LogSink sink);
void log(LogLevel level, const std::string &message);

}  // namespace ds
