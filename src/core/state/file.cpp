#include "core/state/file.hpp"

#include <atomic>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.hpp"

namespace ds {

namespace {

[[noreturn]] void io_fail(const std::string &what, const std::string &path, int err, const std::string &extra = "") {
    fail(Status::io, what + " " + quoted(path) + ": " + std::strerror(err) + extra);
}

// Closes fd (if open), removes the temporary and throws.
[[noreturn]] void abandon(int fd, const std::string &tmp, const std::string &path, int err, const std::string &step) {
    if (fd >= 0) ::close(fd);
    ::unlink(tmp.c_str());
    io_fail("cannot write state to", path, err, " (" + step + ")");
}

std::string directory_of(const std::string &path) {
    const size_t slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

}  // namespace

void write_file_atomic(const std::string &path, const std::vector<uint8_t> &bytes) {
    if (path.empty()) fail(Status::io, "cannot write state: the path is empty");
    if (path.back() == '/') io_fail("cannot write state to", path, EISDIR);
    static std::atomic<unsigned long> counter{0};

    // A fresh temporary beside path; O_EXCL never reuses someone else's file.
    std::string tmp;
    int fd = -1;
    for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
        tmp = path + ".tmp." + std::to_string(static_cast<long>(::getpid())) + "." + std::to_string(counter++);
        do {
            fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        } while (fd < 0 && errno == EINTR);
        if (fd < 0 && errno != EEXIST) {
            const int err = errno;
            io_fail("cannot write state to", path, err, " (creating " + quoted(tmp) + ")");
        }
    }
    if (fd < 0) io_fail("cannot write state to", path, EEXIST, " (no free temporary name beside it)");

    const uint8_t *p = bytes.data();
    size_t left = bytes.size();
    while (left > 0) {
        const size_t chunk = left < (size_t(1) << 30) ? left : (size_t(1) << 30);
        const ssize_t n = ::write(fd, p, chunk);
        if (n < 0) {
            const int err = errno;
            if (err == EINTR) continue;
            abandon(fd, tmp, path, err, "writing " + quoted(tmp));
        }
        if (n == 0) abandon(fd, tmp, path, EIO, "writing " + quoted(tmp) + " made no progress");
        p += n;
        left -= static_cast<size_t>(n);
    }
    int rc;
    do {
        rc = ::fsync(fd);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) {
        const int err = errno;
        abandon(fd, tmp, path, err, "fsync of " + quoted(tmp));
    }
    // close() is not retried: on Linux the descriptor is gone even after EINTR.
    rc = ::close(fd);
    fd = -1;
    if (rc != 0 && errno != EINTR) {
        const int err = errno;
        abandon(fd, tmp, path, err, "closing " + quoted(tmp));
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        abandon(fd, tmp, path, err, "renaming " + quoted(tmp) + " over it");
    }

    // The new file is in place; make the rename itself durable.
    const std::string dir = directory_of(path);
    int dfd;
    do {
        dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    } while (dfd < 0 && errno == EINTR);
    if (dfd < 0) {
        const int err = errno;
        io_fail("wrote state to", path, err,
                " but could not open its directory " + quoted(dir) + " to make the rename durable");
    }
    do {
        rc = ::fsync(dfd);
    } while (rc != 0 && errno == EINTR);
    const int err = errno;
    ::close(dfd);
    // Some file systems cannot fsync a directory; nothing more can be done there.
    if (rc != 0 && err != EINVAL && err != ENOTSUP)
        io_fail("wrote state to", path, err, " but the fsync of its directory " + quoted(dir) + " failed");
}

std::vector<uint8_t> read_file(const std::string &path) {
    if (path.empty()) fail(Status::io, "cannot read state: the path is empty");
    int fd;
    do {
        fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) io_fail("cannot read state from", path, errno);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
        const int err = errno;
        ::close(fd);
        io_fail("cannot read state from", path, err);
    }
    if (S_ISDIR(st.st_mode)) {
        ::close(fd);
        io_fail("cannot read state from", path, EISDIR);
    }
    // st_size is a hint only (the file may change, or not be regular).
    std::vector<uint8_t> out;
    size_t used = 0;
    out.resize(S_ISREG(st.st_mode) && st.st_size > 0 ? static_cast<size_t>(st.st_size) + 1 : 65536);
    for (;;) {
        if (used == out.size()) out.resize(out.size() * 2);
        const ssize_t n = ::read(fd, out.data() + used, out.size() - used);
        if (n < 0) {
            if (errno == EINTR) continue;
            const int err = errno;
            ::close(fd);
            io_fail("cannot read state from", path, err);
        }
        if (n == 0) break;
        used += static_cast<size_t>(n);
    }
    ::close(fd);
    out.resize(used);
    out.shrink_to_fit();
    return out;
}

}  // namespace ds
