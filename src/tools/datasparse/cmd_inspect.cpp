// datasparse inspect FILE: each tensor's dtype, shape, fraction of exact
// zeros, and its N:M structure along the last dimension (groups of M
// consecutive elements of a row, as 2:4 sparse tensor cores read them).
#include "commands.hpp"
#include "errors.hpp"
#include "input.hpp"
#include "terminal.hpp"
#include "values.hpp"

#include <algorithm>

namespace dstool {

int cmd_inspect(const std::string &file, bool quiet) {
    Input in = open_input(file);
    Progress progress(quiet);
    Table table({"tensor", "dtype", "shape", "bytes", "zeros", "2:4 groups", "N:4", "N:8"},
                {false, false, false, true, true, true, true, true});
    size_t count = 0;
    for (const Image &im : in.images) count += im.table.tensors.size();
    size_t index = 0;
    for (const Image &im : in.images) {
        for (const TensorInfo &t : im.table.tensors) {
            progress.show("[" + std::to_string(++index) + "/" + std::to_string(count) + "] " + t.name);
            if (t.ds_dtype < 0 || t.elements() == 0) {
                table.add({t.name, t.dtype, t.shape_text(), std::to_string(t.nbytes), "-", "-", "-", "-"});
                continue;
            }
            const int64_t rows = t.shape.empty() ? 1 : t.rows(), cols = t.cols();
            const size_t row_bytes = static_cast<size_t>(cols) * t.elem_size;
            const int64_t chunk = std::max<int64_t>(1, static_cast<int64_t>((8u << 20) / row_bytes));
            std::vector<uint8_t> buf;
            uint64_t zeros = 0, groups4 = 0, groups4_ok = 0;
            int max4 = 0, max8 = 0;
            // Rows [r0, r1) by offset: the file is never read whole.
            for (int64_t r0 = 0; r0 < rows; r0 += chunk) {
                const int64_t r1 = std::min(rows, r0 + chunk);
                buf.resize(static_cast<size_t>(r1 - r0) * row_bytes);
                im.source->read_at(t.offset + static_cast<uint64_t>(r0) * row_bytes, buf.data(), buf.size());
                for (int64_t r = 0; r < r1 - r0; ++r) {
                    int nz4 = 0, nz8 = 0;
                    for (int64_t c = 0; c < cols; ++c) {
                        const bool nz = element(buf.data(), t.ds_dtype, static_cast<uint64_t>(r * cols + c)) != 0.0;
                        zeros += !nz;
                        nz4 += nz;
                        nz8 += nz;
                        if (c % 4 == 3) {
                            ++groups4;
                            groups4_ok += nz4 <= 2;
                            max4 = std::max(max4, nz4);
                            nz4 = 0;
                        }
                        if (c % 8 == 7) {
                            max8 = std::max(max8, nz8);
                            nz8 = 0;
                        }
                    }
                }
            }
            const double n = static_cast<double>(t.elements());
            table.add({t.name, t.dtype, t.shape_text(), std::to_string(t.nbytes), fmt("%.4f", zeros / n),
                       cols >= 4 ? fmt("%.4f", groups4 ? groups4_ok / double(groups4) : 0.0) : "-",
                       cols >= 4 ? std::to_string(max4) + ":4" : "-", cols >= 8 ? std::to_string(max8) + ":8" : "-"});
        }
    }
    progress.done();
    std::printf("%s: %s, %zu tensors\n", file.c_str(), format_name(in.format), count);
    table.print();
    if (in.format == Format::safetensors && !in.images[0].table.metadata.empty())
        std::printf("metadata: %s\n", in.images[0].table.metadata.c_str());
    return 0;
}

}  // namespace dstool
