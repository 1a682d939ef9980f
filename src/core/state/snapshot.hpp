// Snapshots of sparsifier and scheduler state: everything a saved state
// holds, as plain values (the codec turns them into bytes and back).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/tensor.hpp"

namespace ds {

struct SparsifierSnapshot {
    struct Item {
        std::string name;
        Tensor tensor;  // dtype, shape, row stride (0, or > the last size)
        Config config;
        bool squashed = false;
        std::vector<uint8_t> mask;  // tensor.elements() values 0/1; empty when squashed
        bool has_data = false;
        std::vector<uint8_t> data;  // when has_data: the elements, contiguous, little-endian
        // A row shard (global_rows > 0): rows [first_row, first_row + shape[0])
        // of global_rows; shape[0] may then be 0. 0 and 0 otherwise.
        int64_t global_rows = 0, first_row = 0;
    };
    struct Group {
        std::string name;
        std::vector<std::string> members;  // names of items, in tie order
    };
    uint32_t kind = 0;  // 0 = norm, 1 = custom
    uint32_t norm = 0;  // the Norm's value, for kind 0
    Config defaults;
    bool mask_update = true;
    int64_t step_count = 0;
    std::vector<Item> items;
    std::vector<Group> groups;
};

struct SchedulerSnapshot {
    struct Entry {
        std::string name;
        std::optional<double> base, last;
    };
    std::string schedule_param;
    std::string schedule_kind;  // a built-in's kind, or the lambda or user kind (schedules.hpp)
    Config schedule_params;     // a built-in's parameters
    int64_t last_epoch = -1;
    int64_t step_count = 0;
    std::vector<Entry> entries;
};

}  // namespace ds
