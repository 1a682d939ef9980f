// CRC32C (Castagnoli): the checksum of the state format.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ds {

// Reflected polynomial 0x82F63B78, init and final xor 0xFFFFFFFF.
// Check value: "123456789" -> 0xE3069283.
uint32_t crc32c(const uint8_t *bytes, size_t size);

}  // namespace ds
