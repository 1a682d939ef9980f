// Fuzz target: the datasparse command's file parsers (src/tools/datasparse)
// on any bytes: .npy (by its magic), .npz (a zip, by "PK"), otherwise
// .safetensors. A parse either succeeds or throws dstool::Error (a one-line
// message); any other exception, a crash or a sanitizer report is a
// finding. After a successful parse, invariants (breach aborts):
//  - every tensor lies inside the source, at or after the header, and its
//    byte count is its shape's elements times its element size;
//  - safetensors tensors do not overlap;
//  - the output image (every float tensor sparsified at 0.5 with 1x4
//    blocks) has the input's size, the input's header bytes, and every
//    element of a sparsified tensor is either its input value or zero.
// Seed corpus: corpus/file_parsers (small files of each format, written by
// tests/tools/gen_safetensors_fixtures.py and NumPy).
#include "errors.hpp"
#include "formats.hpp"
#include "settings.hpp"
#include "sparsify.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

[[noreturn]] void breach(const std::string &what) {
    std::fprintf(stderr, "INVARIANT BREACH: %s\n", what.c_str());
    std::fflush(stderr);
    std::abort();
}

void check_message(const std::string &m) {
    if (m.empty()) breach("an empty error message");
    for (char c : m)
        if (c == '\n') breach("a multi-line error message: " + m);
}

void check_image(const dstool::ByteSource &in, const dstool::TensorTable &table) {
    using namespace dstool;
    uint64_t last_end = 0;
    for (const TensorInfo &t : table.tensors) {
        if (t.offset < table.header_size || t.offset > in.size() || t.nbytes > in.size() - t.offset)
            breach("tensor '" + t.name + "' outside the source");
        if (t.elem_size && t.nbytes != t.elements() * t.elem_size && table.format == Format::safetensors)
            breach("tensor '" + t.name + "' size disagrees with its shape");
        if (table.format == Format::safetensors && t.nbytes && t.offset < last_end) breach("overlapping tensors accepted");
        if (t.nbytes) last_end = t.offset + t.nbytes;
    }
    if (in.size() > (4u << 20)) return;  // keep each run fast
    std::vector<TensorPlan> plans;
    for (const TensorInfo &t : table.tensors) {
        TensorPlan p;
        p.sparsify = t.not_sparsifiable.empty() && t.elements() <= (1u << 20);
        plans.push_back(p);
    }
    std::vector<uint8_t> out;
    MemorySink sink(out);
    const auto reports = process_image(in, table, plans, sink, nullptr, false);
    if (out.size() != in.size()) breach("the output image's size differs from the input's");
    std::vector<uint8_t> original(static_cast<size_t>(in.size()));
    in.read_at(0, original.data(), original.size());
    if (std::memcmp(out.data(), original.data(), static_cast<size_t>(table.header_size)) != 0) breach("the header was not copied");
    for (size_t i = 0; i < table.tensors.size(); ++i) {
        const TensorInfo &t = table.tensors[i];
        const uint8_t *a = original.data() + t.offset, *b = out.data() + t.offset;
        if (!plans[i].sparsify) {
            if (std::memcmp(a, b, static_cast<size_t>(t.nbytes)) != 0) breach("tensor '" + t.name + "' not copied byte for byte");
            continue;
        }
        for (uint64_t k = 0; k < t.elements(); ++k) {
            const size_t s = t.elem_size;
            static const uint8_t zero[8] = {0};
            if (std::memcmp(a + k * s, b + k * s, s) != 0 && std::memcmp(b + k * s, zero, s) != 0)
                breach("tensor '" + t.name + "': an element neither kept nor zeroed");
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    using namespace dstool;
    try {
        if (size >= 6 && std::memcmp(data, "\x93NUMPY", 6) == 0) {
            MemorySource src(data, size, "input.npy");
            check_image(src, parse_npy(src, "input"));
        } else if (size >= 2 && data[0] == 'P' && data[1] == 'K') {
            NpzArchive a = read_npz_buffer(data, size, "input.npz", 64u << 20);
            for (NpzMember &m : a.members) {
                if (!m.is_npy) continue;
                MemorySource src(m.bytes.data(), m.bytes.size(), m.name);
                check_image(src, m.table);
            }
        } else {
            MemorySource src(data, size, "input.safetensors");
            check_image(src, parse_safetensors(src));
        }
    } catch (const Error &e) {
        check_message(e.what());
    }
    return 0;
}
