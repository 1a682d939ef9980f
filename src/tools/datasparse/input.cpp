#include "input.hpp"

namespace dstool {

Input open_input(const std::string &path) {
    Input in;
    in.path = path;
    in.format = format_of(path);
    if (in.format == Format::npz) {
        in.npz = read_npz(path, kDefaultMaxNpzBytes);
        for (size_t i = 0; i < in.npz.members.size(); ++i) {
            NpzMember &m = in.npz.members[i];
            if (!m.is_npy) continue;
            Image im;
            im.source = std::make_unique<MemorySource>(m.bytes.data(), m.bytes.size(), path + ": member '" + m.name + "'");
            im.table = m.table;
            im.member = i;
            in.images.push_back(std::move(im));
        }
        return in;
    }
    in.file = std::make_unique<FileSource>(path);
    Image im;
    im.table = in.format == Format::safetensors ? parse_safetensors(*in.file) : parse_npy(*in.file, stem_of(path));
    im.source = std::make_unique<FileSource>(path);
    in.images.push_back(std::move(im));
    return in;
}

}  // namespace dstool
