// Configs: key -> finite double. Keys the library does not know are kept
// (custom sparsifiers and schedules use them).
#pragma once

#include <functional>
#include <map>
#include <string>

namespace ds {

// std::less<>: keys can be looked up as const char * without a std::string.
using Config = std::map<std::string, double, std::less<>>;

// Why `key` cannot be a config key ("config key is empty"), or nullptr.
const char *key_problem(const std::string &key);

// Throws Status::invalid_argument for an empty key or a non-finite value.
void check_entry(const std::string &key, double value);
void check_entries(const Config &config);

// `base` with every entry of `overrides` set over it.
Config merged(const Config &base, const Config &overrides);

}  // namespace ds
