// An input file opened and its header parsed (step 1), whatever its format:
// a list of images, each a byte source with its tensor table (one for
// .safetensors and .npy; one per .npy member for .npz).
#pragma once
#include "formats.hpp"

#include <memory>

namespace dstool {

struct Image {
    std::unique_ptr<ByteSource> source;
    TensorTable table;
    size_t member = SIZE_MAX;  // .npz: the member's index
};

struct Input {
    std::string path;
    Format format = Format::safetensors;
    std::unique_ptr<FileSource> file;
    NpzArchive npz;
    std::vector<Image> images;
};

Input open_input(const std::string &path);

}  // namespace dstool
