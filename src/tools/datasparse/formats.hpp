// The file layer, in the three steps issue 14's ranks will share:
//  1. parse a file's header into a TensorTable (names, dtypes, shapes and
//     absolute byte offsets), reading nothing but the header;
//  2. the output layout follows from the table alone: datasparse never
//     changes a dtype or a shape, so the output of a .safetensors or .npy
//     file is its input's header, copied verbatim, with every tensor at the
//     same offset (same header -> same output offsets; the header is
//     written first);
//  3. tensor rows [r0, r1) are read by offset (ByteSource::read_at, pread)
//     and written by offset (ByteSink::write_at, pwrite into the temporary
//     output), so ranks can each write their rows into one file.
// An .npz (a zip of .npy members) is read member by member into memory and
// written as a new zip; each member is an .npy image handled as above.
#pragma once
#include "io.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace dstool {

enum class Format { safetensors, npy, npz };

struct TensorInfo {
    std::string name;
    std::string dtype;            // as the file spells it: "F16", "<f4", ...
    int ds_dtype = -1;            // a ds_dtype when it is a float type datasparse sparsifies, else -1
    size_t elem_size = 0;         // 0 when unknown (an npy structured or object array)
    std::vector<int64_t> shape;
    uint64_t offset = 0;          // absolute offset of the first byte in the file (or member image)
    uint64_t nbytes = 0;
    std::string not_sparsifiable; // why it is copied whatever the selection ("" if it can be sparsified)

    uint64_t elements() const;
    // The matrix it is sparsified as: (d0*...*d(k-1)) x dk; 1-D: 1 x d0.
    int64_t rows() const;
    int64_t cols() const;
    std::string shape_text() const;  // "400000x128", "scalar" for 0-D
};

struct TensorTable {
    Format format = Format::safetensors;
    uint64_t file_size = 0;
    uint64_t header_size = 0;       // bytes before the first tensor's data region
    std::string metadata;           // safetensors __metadata__ as JSON ("" if none)
    std::vector<TensorInfo> tensors; // in file order (by offset)
};

// Step 2: where everything goes in the output, from the table alone (the
// same header gives the same layout, so every rank of issue 14 computes it
// and rank 0 writes the header and sizes the file). datasparse changes no
// dtype and no shape: the header is the input's, byte for byte, and each
// tensor keeps its offset.
struct OutputLayout {
    uint64_t size = 0;                  // the output file's size
    uint64_t header_size = 0;           // bytes [0, header_size) are the input's header
    std::vector<uint64_t> offsets;      // tensors[i] goes to offsets[i]
};
OutputLayout output_layout(const TensorTable &table);

// Hard limits on what a header may declare (hostile files).
constexpr uint64_t kMaxSafetensorsHeader = 100ull << 20;  // the format's own limit
constexpr uint64_t kMaxNpyHeader = 1u << 20;

// Step 1. Each throws Error ("FILE: [tensor 'X': ]problem") on anything
// malformed: they never read outside the source.
TensorTable parse_safetensors(const ByteSource &in);
// name: the tensor's name (an .npz member's name without ".npy"; a file's stem).
TensorTable parse_npy(const ByteSource &in, const std::string &name);

// The format of a path by its extension (Error if none of the three).
Format format_of(const std::string &path);
const char *format_name(Format f);
std::string stem_of(const std::string &path);

// An .npz archive read into memory, member by member.
struct NpzMember {
    std::string name;              // the zip entry's name
    bool is_npy = false;           // ends with ".npy": parsed; otherwise copied byte for byte
    std::vector<uint8_t> bytes;    // the uncompressed member
    int32_t compression = 0;       // zip method (stored or deflate), kept on output
    int64_t mtime = 0;
    TensorTable table;             // for .npy members
};
struct NpzArchive {
    std::vector<NpzMember> members;
};
// Reads and checks every member: a member must inflate to exactly its
// declared size, declared sizes must be plausible for their compressed size
// (zip bombs), and the total is bounded by max_total bytes.
NpzArchive read_npz(const std::string &path, uint64_t max_total);
// The same from a buffer (the fuzz target).
NpzArchive read_npz_buffer(const void *data, size_t size, const std::string &name, uint64_t max_total);
// Writes members as a zip at path (the AtomicOutput's temporary file).
void write_npz(const std::string &path, const std::string &display, const NpzArchive &archive);

constexpr uint64_t kDefaultMaxNpzBytes = 16ull << 30;

}  // namespace dstool
