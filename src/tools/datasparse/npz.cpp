// .npz: a zip (NumPy's savez: stored; savez_compressed: deflate) of .npy
// members, read and written with Debian's libzip. Hostile archives are
// refused before anything is inflated: the members' compressed sizes must
// fit in the archive (overlapping members are how the non-recursive zip
// bombs work), no member may declare more than deflate's maximum ratio of
// its compressed size, the declared total is bounded, and a member must
// inflate to exactly its declared size (read in bounded chunks).
#include "errors.hpp"
#include "formats.hpp"

#include <zip.h>

#include <cstring>
#include <memory>

namespace dstool {
namespace {

constexpr uint64_t kMaxDeflateRatio = 1032;  // deflate's limit is ~1032:1

std::string zip_text(zip_error_t *e) { return zip_error_strerror(e); }

[[noreturn]] void fail_member(const std::string &file, const std::string &member, const std::string &problem) {
    fail(file + ": member '" + member + "'", problem);
}

struct ArchiveCloser {
    void operator()(zip_t *z) const {
        if (z) zip_discard(z);
    }
};
using Archive = std::unique_ptr<zip_t, ArchiveCloser>;

NpzArchive read_all(zip_t *za, const std::string &file, uint64_t archive_size, uint64_t max_total) {
    NpzArchive out;
    const zip_int64_t n = zip_get_num_entries(za, 0);
    if (n < 0) fail(file, "corrupt zip: no central directory");
    uint64_t comp_total = 0, total = 0;
    struct Entry {
        zip_uint64_t index;
        zip_stat_t st;
    };
    std::vector<Entry> entries;
    for (zip_int64_t i = 0; i < n; ++i) {
        zip_stat_t st;
        zip_stat_init(&st);
        if (zip_stat_index(za, static_cast<zip_uint64_t>(i), 0, &st) != 0)
            fail(file, "corrupt zip: entry " + std::to_string(i) + ": " + zip_strerror(za));
        const std::string name = (st.valid & ZIP_STAT_NAME) && st.name ? st.name : "#" + std::to_string(i);
        if (!(st.valid & ZIP_STAT_SIZE) || !(st.valid & ZIP_STAT_COMP_SIZE)) fail_member(file, name, "zip entry without sizes");
        if (!name.empty() && name.back() == '/') continue;  // a directory entry
        if (st.comp_size > archive_size - std::min<uint64_t>(comp_total, archive_size))
            fail_member(file, name, "zip members' compressed sizes add up to more than the archive's " + std::to_string(archive_size) +
                                 " bytes (overlapping members: a zip bomb)");
        comp_total += st.comp_size;
        if (st.size > st.comp_size * kMaxDeflateRatio + 4096)
            fail_member(file, name, "declares " + std::to_string(st.size) + " bytes from " + std::to_string(st.comp_size) +
                                 " compressed, beyond deflate's 1032:1 (a zip bomb)");
        if (st.size > max_total - std::min(total, max_total))
            fail_member(file, name, "the members declare more than " + std::to_string(max_total) + " bytes in all (a zip bomb?)");
        total += st.size;
        entries.push_back({static_cast<zip_uint64_t>(i), st});
    }
    for (const Entry &e : entries) {
        NpzMember m;
        m.name = e.st.name;
        m.compression = (e.st.valid & ZIP_STAT_COMP_METHOD) ? e.st.comp_method : ZIP_CM_DEFLATE;
        m.mtime = (e.st.valid & ZIP_STAT_MTIME) ? static_cast<int64_t>(e.st.mtime) : 0;
        zip_file_t *zf = zip_fopen_index(za, e.index, 0);
        if (!zf) fail_member(file, m.name, std::string("cannot open the zip member: ") + zip_strerror(za));
        m.bytes.resize(static_cast<size_t>(e.st.size));
        uint64_t got = 0;
        bool too_long = false;
        for (;;) {
            uint8_t extra[1];
            void *dst = got < e.st.size ? static_cast<void *>(m.bytes.data() + got) : static_cast<void *>(extra);
            const zip_uint64_t want = got < e.st.size ? std::min<uint64_t>(e.st.size - got, 1u << 20) : 1;
            const zip_int64_t r = zip_fread(zf, dst, want);
            if (r < 0) {
                const std::string why = zip_file_strerror(zf);
                zip_fclose(zf);
                fail_member(file, m.name, "corrupt zip member: " + why);
            }
            if (r == 0) break;
            if (got >= e.st.size) {
                too_long = true;
                break;
            }
            got += static_cast<uint64_t>(r);
        }
        const int closed = zip_fclose(zf);
        if (too_long) fail_member(file, m.name, "inflates past its declared " + std::to_string(e.st.size) + " bytes (a zip bomb?)");
        if (got != e.st.size) fail_member(file, m.name, "truncated zip member: " + std::to_string(got) + " of " + std::to_string(e.st.size) + " bytes");
        if (closed != 0) fail_member(file, m.name, "corrupt zip member (checksum or stream error)");
        const size_t len = m.name.size();
        m.is_npy = len > 4 && m.name.compare(len - 4, 4, ".npy") == 0;
        if (m.is_npy) {
            MemorySource src(m.bytes.data(), m.bytes.size(), file + ": member '" + m.name + "'");
            m.table = parse_npy(src, m.name.substr(0, len - 4));
        }
        out.members.push_back(std::move(m));
    }
    bool any = false;
    for (const NpzMember &m : out.members) any = any || m.is_npy;
    if (!any) fail(file, "no .npy member in the zip (a torch.save file is a zip of pickles, not an .npz)");
    return out;
}

}  // namespace

NpzArchive read_npz(const std::string &path, uint64_t max_total) {
    FileSource probe(path);  // a clear error for a missing or unreadable file
    int err = 0;
    Archive za(zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &err));
    if (!za) {
        zip_error_t e;
        zip_error_init_with_code(&e, err);
        const std::string why = zip_text(&e);
        zip_error_fini(&e);
        fail(path, "not a readable zip (.npz): " + why);
    }
    return read_all(za.get(), path, probe.size(), max_total);
}

NpzArchive read_npz_buffer(const void *data, size_t size, const std::string &name, uint64_t max_total) {
    zip_error_t e;
    zip_error_init(&e);
    zip_source_t *src = zip_source_buffer_create(data, size, 0, &e);
    if (!src) {
        zip_error_fini(&e);
        fail(name, "cannot read the buffer");
    }
    Archive za(zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &e));
    if (!za) {
        zip_source_free(src);
        const std::string why = zip_text(&e);
        zip_error_fini(&e);
        fail(name, "not a readable zip (.npz): " + why);
    }
    zip_error_fini(&e);
    return read_all(za.get(), name, size, max_total);
}

void write_npz(const std::string &path, const std::string &display, const NpzArchive &archive) {
    int err = 0;
    Archive za(zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err));
    if (!za) {
        zip_error_t e;
        zip_error_init_with_code(&e, err);
        const std::string why = zip_text(&e);
        zip_error_fini(&e);
        fail(display, "cannot create the zip: " + why);
    }
    for (const NpzMember &m : archive.members) {
        zip_source_t *src = zip_source_buffer(za.get(), m.bytes.data(), m.bytes.size(), 0);
        if (!src) fail_member(display, m.name, std::string("zip: ") + zip_strerror(za.get()));
        const zip_int64_t idx = zip_file_add(za.get(), m.name.c_str(), src, ZIP_FL_ENC_UTF_8);
        if (idx < 0) {
            zip_source_free(src);
            fail_member(display, m.name, std::string("zip: ") + zip_strerror(za.get()));
        }
        const zip_int32_t method = m.compression == ZIP_CM_STORE ? ZIP_CM_STORE : ZIP_CM_DEFLATE;
        if (zip_set_file_compression(za.get(), static_cast<zip_uint64_t>(idx), method, 0) != 0 ||
            (m.mtime > 0 && zip_file_set_mtime(za.get(), static_cast<zip_uint64_t>(idx), static_cast<time_t>(m.mtime), 0) != 0))
            fail_member(display, m.name, std::string("zip: ") + zip_strerror(za.get()));
    }
    zip_t *z = za.release();
    if (zip_close(z) != 0) {
        const std::string why = zip_strerror(z);
        zip_discard(z);
        fail(display, "cannot write the zip: " + why);
    }
}

}  // namespace dstool
