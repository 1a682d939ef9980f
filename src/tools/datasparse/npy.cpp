// .npy (NumPy's format, versions 1.0, 2.0 and 3.0): the magic "\x93NUMPY",
// two version bytes, a little-endian header length (2 bytes in 1.0, 4 in
// 2.0/3.0), then a Python dict literal {'descr': '<f4', 'fortran_order':
// False, 'shape': (3, 4), } padded with spaces and a newline; the array's
// bytes follow. Also the helpers every format shares.
#include "errors.hpp"
#include "formats.hpp"

#include <datasparse/datasparse.h>

#include <cctype>
#include <cstring>

namespace dstool {

uint64_t TensorInfo::elements() const {
    uint64_t n = 1;
    for (int64_t d : shape) n *= static_cast<uint64_t>(d);
    return n;
}

int64_t TensorInfo::cols() const { return shape.empty() ? 1 : shape.back(); }

int64_t TensorInfo::rows() const {
    int64_t r = 1;
    for (size_t i = 0; i + 1 < shape.size(); ++i) r *= shape[i];
    return r;
}

std::string TensorInfo::shape_text() const {
    if (shape.empty()) return "scalar";
    std::string s;
    for (size_t i = 0; i < shape.size(); ++i) s += (i ? "x" : "") + std::to_string(shape[i]);
    return s;
}

OutputLayout output_layout(const TensorTable &table) {
    OutputLayout layout;
    layout.size = table.file_size;
    layout.header_size = table.header_size;
    for (const TensorInfo &t : table.tensors) layout.offsets.push_back(t.offset);
    return layout;
}

Format format_of(const std::string &path) {
    auto ends = [&](const char *ext) {
        const size_t n = std::strlen(ext);
        return path.size() > n && path.compare(path.size() - n, n, ext) == 0;
    };
    if (ends(".safetensors")) return Format::safetensors;
    if (ends(".npy")) return Format::npy;
    if (ends(".npz")) return Format::npz;
    fail(path, "unknown file type (the name must end in .safetensors, .npy or .npz)");
}

const char *format_name(Format f) {
    switch (f) {
    case Format::safetensors: return "safetensors";
    case Format::npy: return "npy";
    case Format::npz: return "npz";
    }
    return "?";
}

std::string stem_of(const std::string &path) {
    const size_t slash = path.rfind('/');
    std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
    const size_t dot = base.rfind('.');
    return dot == std::string::npos || dot == 0 ? base : base.substr(0, dot);
}

namespace {

// A minimal reader of the dict literal NumPy writes (and of what it accepts:
// either quote, any spacing, a trailing comma).
class DictReader {
public:
    DictReader(const std::string &text, const std::string &file) : s_(text), file_(file) {}

    void skip_space() {
        while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
    }
    bool peek(char c) {
        skip_space();
        return i_ < s_.size() && s_[i_] == c;
    }
    void expect(char c) {
        if (!peek(c)) bad(std::string("expected '") + c + "'");
        ++i_;
    }
    std::string string() {
        skip_space();
        if (i_ >= s_.size() || (s_[i_] != '\'' && s_[i_] != '"')) bad("expected a string");
        const char q = s_[i_++];
        std::string out;
        while (i_ < s_.size() && s_[i_] != q) {
            if (s_[i_] == '\\') bad("escapes are not supported");
            out += s_[i_++];
        }
        if (i_ >= s_.size()) bad("unterminated string");
        ++i_;
        return out;
    }
    bool boolean() {
        skip_space();
        if (s_.compare(i_, 4, "True") == 0) {
            i_ += 4;
            return true;
        }
        if (s_.compare(i_, 5, "False") == 0) {
            i_ += 5;
            return false;
        }
        bad("expected True or False");
    }
    std::vector<int64_t> tuple() {
        expect('(');
        std::vector<int64_t> out;
        while (!peek(')')) {
            skip_space();
            if (i_ >= s_.size() || !std::isdigit(static_cast<unsigned char>(s_[i_]))) bad("expected a size in the shape");
            uint64_t v = 0;
            while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) {
                v = v * 10 + static_cast<uint64_t>(s_[i_++] - '0');
                if (v > uint64_t(INT64_MAX) / 10) bad("a size in the shape is too large");
            }
            if (s_.compare(i_, 1, "L") == 0) ++i_;  // Python 2's long suffix
            out.push_back(static_cast<int64_t>(v));
            if (out.size() > 64) bad("more than 64 dimensions");
            if (!peek(',')) break;
            ++i_;
        }
        expect(')');
        return out;
    }
    // Skips any other value (a structured dtype's list of fields), balanced.
    void skip_value() {
        skip_space();
        int depth = 0;
        while (i_ < s_.size()) {
            const char c = s_[i_];
            if (c == '\'' || c == '"') {
                string();
                continue;
            }
            if (c == '(' || c == '[' || c == '{') ++depth;
            if (c == ')' || c == ']' || c == '}') {
                if (depth == 0) return;
                --depth;
            }
            if (c == ',' && depth == 0) return;
            ++i_;
        }
        bad("unterminated value");
    }
    [[noreturn]] void bad(const std::string &why) {
        fail(file_, "bad npy header: " + why + " at character " + std::to_string(i_) + " of " + quoted_header());
    }
    std::string quoted_header() const {
        std::string h = s_.substr(0, 120);
        for (char &c : h)
            if (c == '\n' || static_cast<unsigned char>(c) < 32) c = ' ';
        return "\"" + h + (s_.size() > 120 ? "...\"" : "\"");
    }
    size_t pos() const { return i_; }

private:
    const std::string &s_;
    const std::string &file_;
    size_t i_ = 0;
};

// Element size of a simple descr ("<f4", "|u1", "<U10" = 40 bytes); 0 if not simple.
size_t descr_size(const std::string &d) {
    if (d.size() < 3 || std::strchr("<>|=", d[0]) == nullptr) return 0;
    const char kind = d[1];
    size_t n = 0;
    for (size_t i = 2; i < d.size(); ++i) {
        if (!std::isdigit(static_cast<unsigned char>(d[i]))) return 0;  // "M8[ns]" and the like
        n = n * 10 + static_cast<size_t>(d[i] - '0');
        if (n > (1u << 30)) return 0;
    }
    if (kind == 'U') return n * 4;
    if (std::strchr("fiubcVSa?", kind) == nullptr) return 0;
    return n;
}

}  // namespace

TensorTable parse_npy(const ByteSource &in, const std::string &name) {
    const std::string &file = in.path();
    TensorTable table;
    table.format = Format::npy;
    table.file_size = in.size();
    if (in.size() < 10) fail(file, "bad npy header: " + std::to_string(in.size()) + " bytes, too short for the magic and version");
    uint8_t head[12] = {0};
    in.read_at(0, head, std::min<uint64_t>(12, in.size()));
    if (std::memcmp(head, "\x93NUMPY", 6) != 0) fail(file, "bad npy header: no \\x93NUMPY magic");
    const int major = head[6];
    uint64_t len = 0, start = 0;
    if (major == 1) {
        len = head[8] | (uint64_t(head[9]) << 8);
        start = 10;
    } else if (major == 2 || major == 3) {
        if (in.size() < 12) fail(file, "bad npy header: truncated header length");
        len = head[8] | (uint64_t(head[9]) << 8) | (uint64_t(head[10]) << 16) | (uint64_t(head[11]) << 24);
        start = 12;
    } else {
        fail(file, "bad npy header: unsupported format version " + std::to_string(major) + "." + std::to_string(head[7]));
    }
    if (len > kMaxNpyHeader) fail(file, "bad npy header: declared header length " + std::to_string(len) + " exceeds " + std::to_string(kMaxNpyHeader) + " bytes");
    if (len > in.size() - start)
        fail(file, "truncated: declared npy header length " + std::to_string(len) + " but only " + std::to_string(in.size() - start) + " bytes follow");
    std::string text(static_cast<size_t>(len), '\0');
    in.read_at(start, text.data(), text.size());
    table.header_size = start + len;

    DictReader r(text, file);
    std::string descr;
    bool fortran = false, have_descr = false, have_order = false, have_shape = false, structured = false;
    std::vector<int64_t> shape;
    r.expect('{');
    while (!r.peek('}')) {
        const std::string key = r.string();
        r.expect(':');
        if (key == "descr") {
            if (r.peek('\'') || r.peek('"')) descr = r.string();
            else {
                r.skip_value();
                structured = true;
            }
            have_descr = true;
        } else if (key == "fortran_order") {
            fortran = r.boolean();
            have_order = true;
        } else if (key == "shape") {
            shape = r.tuple();
            have_shape = true;
        } else {
            r.bad("unexpected key '" + key + "'");
        }
        if (!r.peek(',')) break;
        r.expect(',');
    }
    r.expect('}');
    if (!have_descr || !have_order || !have_shape) r.bad("'descr', 'fortran_order' and 'shape' are required");

    TensorInfo t;
    t.name = name;
    t.dtype = structured ? "structured" : descr;
    t.shape = shape;
    t.offset = table.header_size;
    t.elem_size = structured ? 0 : descr_size(descr);
    const uint64_t available = in.size() - table.header_size;
    if (t.elem_size == 0) {
        t.nbytes = available;  // copied as is
        t.not_sparsifiable = structured ? "a structured dtype" : "dtype " + descr;
    } else {
        uint64_t count = 1;
        for (int64_t d : shape) {
            if (d != 0 && count > uint64_t(INT64_MAX) / static_cast<uint64_t>(d)) fail(file, name, "shape has more than 2^63 elements");
            count *= static_cast<uint64_t>(d);
        }
        if (count > uint64_t(INT64_MAX) / t.elem_size) fail(file, name, "shape is more than 2^63 bytes");
        t.nbytes = count * t.elem_size;
        if (t.nbytes > available)
            fail(file, name, "truncated: " + descr + " of shape " + t.shape_text() + " needs " + std::to_string(t.nbytes) +
                                 " bytes, " + std::to_string(available) + " follow the header");
        const bool little = descr[0] == '<' || descr[0] == '=' || descr[0] == '|';
        if (descr[1] == 'f' && little && t.elem_size == 4) t.ds_dtype = DS_DTYPE_FLOAT32;
        else if (descr[1] == 'f' && little && t.elem_size == 8) t.ds_dtype = DS_DTYPE_FLOAT64;
        else if (descr[1] == 'f' && little && t.elem_size == 2) t.ds_dtype = DS_DTYPE_FLOAT16;
        if (t.ds_dtype < 0) t.not_sparsifiable = descr[1] == 'f' && !little ? "big-endian floats" : "not a float type";
        else if (fortran) t.not_sparsifiable = "Fortran order";
        else if (shape.empty()) t.not_sparsifiable = "a scalar";
        else if (count == 0) t.not_sparsifiable = "no elements";
    }
    table.tensors.push_back(std::move(t));
    return table;
}

}  // namespace dstool
