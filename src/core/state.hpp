// Snapshots of sparsifier and scheduler state, and their versioned binary
// encoding (see state_format.md). Encoding is pure: bytes in, struct out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/config.hpp"

namespace ds {

struct SparsifierSnapshot {
    struct Item {
        std::string name;
        int64_t rows = 0, cols = 0;
        Config config;
        bool squashed = false;
        std::vector<uint8_t> mask;  // rows*cols values 0/1; empty when squashed
        bool has_data = false;
        std::vector<float> data;    // rows*cols when has_data
    };
    uint32_t kind = 0;  // 0 = norm, 1 = custom
    uint32_t norm = 0;  // ds_norm, for kind 0
    Config defaults;
    bool mask_update = true;
    int64_t step_count = 0;
    std::vector<Item> items;
};

struct SchedulerSnapshot {
    struct Entry {
        std::string name;
        std::optional<double> base, last;
    };
    std::string schedule_param;
    std::string schedule_kind;  // "callback", "gamma", "step", "lambda", "cubic", "polynomial_decay", "constant"
    Config schedule_params;     // a built-in's parameters
    int64_t last_epoch = -1;
    int64_t step_count = 0;
    std::vector<Entry> entries;
};

// Encoders never fail except for std::bad_alloc. Decoders validate
// everything and throw ds::Error(DS_ERR_CORRUPT, ...) on any problem.
std::vector<uint8_t> encode(const SparsifierSnapshot &snapshot);
std::vector<uint8_t> encode(const SchedulerSnapshot &snapshot);
SparsifierSnapshot decode_sparsifier(const uint8_t *bytes, size_t size);
SchedulerSnapshot decode_scheduler(const uint8_t *bytes, size_t size);

// Atomic replace: writes a temporary file beside path, flushes, fsyncs,
// renames over path, fsyncs the directory. On any failure the previous
// file is intact and the temporary is removed. Throws DS_ERR_IO.
void write_file_atomic(const std::string &path, const std::vector<uint8_t> &bytes);
// Reads a whole file; throws DS_ERR_IO.
std::vector<uint8_t> read_file(const std::string &path);

}  // namespace ds
