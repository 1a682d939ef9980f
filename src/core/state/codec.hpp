// The versioned binary encoding of snapshots (format.md). Pure: bytes in,
// snapshot out, and back.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/state/snapshot.hpp"

namespace ds {

// Encoders never fail except for std::bad_alloc, or Status::internal for a
// snapshot that could not be loaded back. Decoders validate everything and
// throw Status::corrupt on any problem.
std::vector<uint8_t> encode(const SparsifierSnapshot &snapshot);
std::vector<uint8_t> encode(const SchedulerSnapshot &snapshot);
SparsifierSnapshot decode_sparsifier(const uint8_t *bytes, size_t size);
SchedulerSnapshot decode_scheduler(const uint8_t *bytes, size_t size);

}  // namespace ds
