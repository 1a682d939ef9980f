#include "core/state/crc32c.hpp"

namespace ds {

// CRC32C (Castagnoli, reflected, polynomial 0x82F63B78, init and final xor
// 0xFFFFFFFF), slice-by-8. Check value: "123456789" -> 0xE3069283.

namespace {

struct Crc32cTables {
    uint32_t t[8][256];
};

constexpr Crc32cTables make_crc32c_tables() {
    Crc32cTables tables{};
    for (uint32_t i = 0; i < 256; ++i) {
        uint32_t c = i;
        for (int k = 0; k < 8; ++k) c = (c & 1u) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        tables.t[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; ++i)
        for (int s = 1; s < 8; ++s) tables.t[s][i] = (tables.t[s - 1][i] >> 8) ^ tables.t[0][tables.t[s - 1][i] & 0xFFu];
    return tables;
}

constexpr Crc32cTables kCrc = make_crc32c_tables();

}  // namespace

uint32_t crc32c(const uint8_t *bytes, size_t size) {
    uint32_t c = 0xFFFFFFFFu;
    while (size >= 8) {
        const uint32_t lo = c ^ (uint32_t(bytes[0]) | uint32_t(bytes[1]) << 8 | uint32_t(bytes[2]) << 16 |
                                 uint32_t(bytes[3]) << 24);
        const uint32_t hi =
            uint32_t(bytes[4]) | uint32_t(bytes[5]) << 8 | uint32_t(bytes[6]) << 16 | uint32_t(bytes[7]) << 24;
        c = kCrc.t[7][lo & 0xFFu] ^ kCrc.t[6][(lo >> 8) & 0xFFu] ^ kCrc.t[5][(lo >> 16) & 0xFFu] ^
            kCrc.t[4][lo >> 24] ^ kCrc.t[3][hi & 0xFFu] ^ kCrc.t[2][(hi >> 8) & 0xFFu] ^
            kCrc.t[1][(hi >> 16) & 0xFFu] ^ kCrc.t[0][hi >> 24];
        bytes += 8;
        size -= 8;
    }
    while (size--) c = (c >> 8) ^ kCrc.t[0][(c ^ *bytes++) & 0xFFu];
    return c ^ 0xFFFFFFFFu;
}

}  // namespace ds
