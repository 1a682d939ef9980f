// .safetensors: an 8-byte little-endian header length N, N bytes of JSON
// ({"name": {"dtype": "F16", "shape": [..], "data_offsets": [begin, end]},
// ..., "__metadata__": {"k": "v"}}), then the data; offsets are relative to
// the byte after the header. Everything is checked before any data is read.
#include "errors.hpp"
#include "formats.hpp"

#include <datasparse/datasparse.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>

namespace dstool {
namespace {

struct DtypeSpec {
    const char *name;
    size_t size;
    int ds_dtype;
};
const DtypeSpec kDtypes[] = {
    {"F64", 8, DS_DTYPE_FLOAT64}, {"F32", 4, DS_DTYPE_FLOAT32}, {"F16", 2, DS_DTYPE_FLOAT16},
    {"BF16", 2, DS_DTYPE_BFLOAT16}, {"I64", 8, -1}, {"I32", 4, -1}, {"I16", 2, -1}, {"I8", 1, -1},
    {"U64", 8, -1}, {"U32", 4, -1}, {"U16", 2, -1}, {"U8", 1, -1}, {"BOOL", 1, -1},
    {"F8_E4M3", 1, -1}, {"F8_E5M2", 1, -1},
};

// a * b, or false on overflow of 2^63.
bool mul_ok(uint64_t a, uint64_t b, uint64_t &out) {
    if (a != 0 && b > (uint64_t(INT64_MAX) / a)) return false;
    out = a * b;
    return true;
}

bool as_u64(const nlohmann::json &v, uint64_t &out) {
    if (v.is_number_unsigned()) {
        out = v.get<uint64_t>();
        return true;
    }
    if (v.is_number_integer() && v.get<int64_t>() >= 0) {
        out = static_cast<uint64_t>(v.get<int64_t>());
        return true;
    }
    return false;
}

}  // namespace

TensorTable parse_safetensors(const ByteSource &in) {
    const std::string &file = in.path();
    TensorTable table;
    table.format = Format::safetensors;
    table.file_size = in.size();
    if (in.size() < 8) fail(file, "truncated: " + std::to_string(in.size()) + " bytes, less than the 8-byte header length");
    uint8_t len_bytes[8];
    in.read_at(0, len_bytes, 8);
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | len_bytes[i];
    if (n > kMaxSafetensorsHeader)
        fail(file, "declared header length " + std::to_string(n) + " exceeds the format's limit of " +
                       std::to_string(kMaxSafetensorsHeader) + " bytes");
    if (n > in.size() - 8)
        fail(file, "truncated: declared header length " + std::to_string(n) + " but only " +
                       std::to_string(in.size() - 8) + " bytes follow");
    if (n < 2) fail(file, "bad header: " + std::to_string(n) + " bytes cannot hold a JSON object");
    std::string text(static_cast<size_t>(n), '\0');
    in.read_at(8, text.data(), text.size());
    table.header_size = 8 + n;
    const uint64_t data_size = in.size() - table.header_size;

    nlohmann::json header;
    try {
        header = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception &e) {
        std::string what = e.what();
        fail(file, "bad JSON header: " + what.substr(what.find(']') == std::string::npos ? 0 : what.find(']') + 2));
    }
    if (!header.is_object()) fail(file, "bad header: the JSON is not an object");

    for (auto it = header.begin(); it != header.end(); ++it) {
        const std::string &name = it.key();
        const nlohmann::json &v = it.value();
        if (name == "__metadata__") {
            if (!v.is_object()) fail(file, "bad header: __metadata__ is not an object");
            for (auto m = v.begin(); m != v.end(); ++m)
                if (!m.value().is_string()) fail(file, "bad header: __metadata__ value of '" + m.key() + "' is not a string");
            table.metadata = v.dump();
            continue;
        }
        if (!v.is_object()) fail(file, name, "bad header: the entry is not an object");
        TensorInfo t;
        t.name = name;
        auto dt = v.find("dtype");
        if (dt == v.end() || !dt->is_string()) fail(file, name, "bad header: no dtype string");
        t.dtype = dt->get<std::string>();
        const DtypeSpec *spec = nullptr;
        for (const DtypeSpec &d : kDtypes)
            if (t.dtype == d.name) spec = &d;
        if (!spec) fail(file, name, "unknown dtype '" + t.dtype + "'");
        t.elem_size = spec->size;
        t.ds_dtype = spec->ds_dtype;
        auto sh = v.find("shape");
        if (sh == v.end() || !sh->is_array()) fail(file, name, "bad header: no shape array");
        if (sh->size() > 64) fail(file, name, "bad header: " + std::to_string(sh->size()) + " dimensions");
        uint64_t count = 1;
        for (const auto &d : *sh) {
            uint64_t dim = 0;
            if (!as_u64(d, dim) || dim > uint64_t(INT64_MAX)) fail(file, name, "bad header: shape " + sh->dump() + " is not a list of sizes >= 0");
            if (!mul_ok(count, dim, count)) fail(file, name, "shape " + sh->dump() + " has more elements than 2^63");
            t.shape.push_back(static_cast<int64_t>(dim));
        }
        auto off = v.find("data_offsets");
        uint64_t begin = 0, end = 0;
        if (off == v.end() || !off->is_array() || off->size() != 2 || !as_u64((*off)[0], begin) || !as_u64((*off)[1], end))
            fail(file, name, "bad header: data_offsets is not [begin, end]");
        if (end < begin) fail(file, name, "data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) + ") end before they begin");
        uint64_t expected = 0;
        if (!mul_ok(count, t.elem_size, expected)) fail(file, name, "shape " + sh->dump() + " is more than 2^63 bytes");
        if (end - begin != expected)
            fail(file, name, "wrong size: " + t.dtype + " of shape " + sh->dump() + " is " + std::to_string(expected) +
                                 " bytes, data_offsets give " + std::to_string(end - begin));
        if (end > data_size)
            fail(file, name, "data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
                                 ") past the end of the data (" + std::to_string(data_size) + " bytes)");
        t.offset = table.header_size + begin;
        t.nbytes = expected;
        if (t.ds_dtype < 0) t.not_sparsifiable = "not a float type";
        else if (t.shape.empty()) t.not_sparsifiable = "a scalar";
        else if (count == 0) t.not_sparsifiable = "no elements";
        table.tensors.push_back(std::move(t));
    }
    std::stable_sort(table.tensors.begin(), table.tensors.end(), [](const TensorInfo &a, const TensorInfo &b) {
        return a.offset != b.offset ? a.offset < b.offset : a.nbytes < b.nbytes;
    });
    // Overlaps: two tensors sharing bytes would be written twice.
    const TensorInfo *last = nullptr;
    for (const TensorInfo &t : table.tensors) {
        if (t.nbytes == 0) continue;
        if (last && t.offset < last->offset + last->nbytes)
            fail(file, t.name, "overlaps tensor '" + last->name + "' (bytes [" + std::to_string(t.offset - table.header_size) +
                                   ", ...) begin before '" + last->name + "' ends at " +
                                   std::to_string(last->offset + last->nbytes - table.header_size) + ")");
        last = &t;
    }
    return table;
}

}  // namespace dstool
