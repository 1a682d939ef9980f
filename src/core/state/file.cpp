#include "core/state/file.hpp"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.hpp"

namespace ds {
namespace {

std::atomic<uint64_t> g_max_state_size{std::numeric_limits<uint64_t>::max()};

[[noreturn]] void io_fail(const std::string &what, const std::string &path, int err, const std::string &extra = "") {
    fail(Status::io, what + " " + quoted(path) + ": " + std::strerror(err) + extra);
}

std::string directory_of(const std::string &path) {
    const size_t slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

std::string base_of(const std::string &path) {
    const size_t slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// ".<name>.ds-tmp." : the prefix of the temporaries of path.
std::string temporary_prefix(const std::string &path) { return "." + base_of(path) + ".ds-tmp."; }

int retry_open(const char *path, int flags, mode_t mode) {
    int fd;
    do {
        fd = ::open(path, flags, mode);
    } while (fd < 0 && errno == EINTR);
    return fd;
}

int retry_fsync(int fd) {
    int rc;
    do {
        rc = ::fsync(fd);
    } while (rc != 0 && errno == EINTR);
    return rc;
}

// Removes the temporaries of path left by processes that no longer exist
// (killed between naming and renaming). Best effort: nothing here fails a save.
void remove_stale_temporaries(const std::string &path) noexcept {
    try {
        const std::string dir = directory_of(path), prefix = temporary_prefix(path);
        DIR *d = ::opendir(dir.c_str());
        if (!d) return;
        while (const dirent *e = ::readdir(d)) {
            const std::string name = e->d_name;
            if (name.compare(0, prefix.size(), prefix) != 0) continue;
            const char *p = name.c_str() + prefix.size();
            char *end = nullptr;
            errno = 0;
            const long pid = std::strtol(p, &end, 10);
            if (errno != 0 || end == p || *end != '.' || pid <= 0 || pid == static_cast<long>(::getpid())) continue;
            if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;  // its writer may be alive
            ::unlinkat(::dirfd(d), e->d_name, 0);
        }
        ::closedir(d);
    } catch (...) {
    }
}

// A file being written: an fd and, once it has one, a temporary name that
// must not outlive a failure.
class Temporary {
public:
    ~Temporary() {
        if (fd_ >= 0) ::close(fd_);
        if (!name_.empty()) ::unlink(name_.c_str());
    }
    int fd_ = -1;
    std::string name_;   // set while a temporary name exists
    bool unnamed = false;  // O_TMPFILE: no name until linked
};

std::string temporary_name(const std::string &path) {
    static std::atomic<unsigned long> counter{0};
    const std::string dir = directory_of(path);
    const std::string lead = path.find('/') == std::string::npos ? "" : dir == "/" ? "/" : dir + "/";
    return lead + temporary_prefix(path) + std::to_string(static_cast<long>(::getpid())) + "." +
           std::to_string(counter++);
}

// Opens the file the new contents go to, with its creation mode.
void open_temporary(Temporary &t, const std::string &path, mode_t mode) {
#ifdef O_TMPFILE
    t.fd_ = retry_open(directory_of(path).c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
    if (t.fd_ >= 0) {
        t.unnamed = true;
        return;
    }
    if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
        const int err = errno;
        io_fail("cannot write state to", path, err, " (creating its new file in " + quoted(directory_of(path)) + ")");
    }
#endif
    for (int attempt = 0; attempt < 100; ++attempt) {  // O_EXCL never reuses someone else's file
        const std::string name = temporary_name(path);
        t.fd_ = retry_open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
        if (t.fd_ >= 0) {
            t.name_ = name;
            return;
        }
        if (errno != EEXIST) {
            const int err = errno;
            io_fail("cannot write state to", path, err, " (creating " + quoted(name) + ")");
        }
    }
    io_fail("cannot write state to", path, EEXIST, " (no free temporary name beside it)");
}

// Gives an O_TMPFILE file its temporary name.
void name_temporary(Temporary &t, const std::string &path) {
    for (int attempt = 0; attempt < 100; ++attempt) {
        const std::string name = temporary_name(path);
        const std::string proc = "/proc/self/fd/" + std::to_string(t.fd_);
        int rc = ::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, name.c_str(), AT_SYMLINK_FOLLOW);
        if (rc != 0 && errno == ENOENT) rc = ::linkat(t.fd_, "", AT_FDCWD, name.c_str(), AT_EMPTY_PATH);  // no /proc
        if (rc == 0) {
            t.name_ = name;
            return;
        }
        if (errno != EEXIST) {
            const int err = errno;
            io_fail("cannot write state to", path, err, " (naming its new file " + quoted(name) + ")");
        }
    }
    io_fail("cannot write state to", path, EEXIST, " (no free temporary name beside it)");
}

}  // namespace

uint64_t max_state_size() { return g_max_state_size.load(std::memory_order_relaxed); }

void set_max_state_size(uint64_t bytes) {
    g_max_state_size.store(bytes == 0 ? std::numeric_limits<uint64_t>::max() : bytes, std::memory_order_relaxed);
}

void write_file_atomic(const std::string &path, const std::vector<uint8_t> &bytes, const WriteOptions &options) {
    if (path.empty()) fail(Status::io, "cannot write state: the path is empty");
    if (path.back() == '/') io_fail("cannot write state to", path, EISDIR);
    remove_stale_temporaries(path);

    // The mode: an existing regular file's; else 0600 (or the umask's).
    struct stat old;
    const bool keep = ::lstat(path.c_str(), &old) == 0 && S_ISREG(old.st_mode);
    const mode_t create_mode = keep ? (old.st_mode & 07777) : options.umask_mode ? 0666 : 0600;

    Temporary t;
    open_temporary(t, path, create_mode);
    if (keep) {
        if (::fchmod(t.fd_, old.st_mode & 07777) != 0) {
            const int err = errno;
            io_fail("cannot write state to", path, err, " (keeping its mode)");
        }
        if (::fchown(t.fd_, old.st_uid, old.st_gid) != 0) {
            // Only a privileged process may give a file away: the new file is then the writer's.
        }
    }
    const uint8_t *p = bytes.data();
    size_t left = bytes.size();
    while (left > 0) {
        const size_t chunk = left < (size_t(1) << 30) ? left : (size_t(1) << 30);
        const ssize_t n = ::write(t.fd_, p, chunk);
        if (n < 0) {
            const int err = errno;
            if (err == EINTR) continue;
            io_fail("cannot write state to", path, err, " (writing its new file)");
        }
        if (n == 0) io_fail("cannot write state to", path, EIO, " (writing its new file made no progress)");
        p += n;
        left -= static_cast<size_t>(n);
    }
    if (retry_fsync(t.fd_) != 0) {
        const int err = errno;
        io_fail("cannot write state to", path, err, " (fsync of its new file)");
    }
    if (t.unnamed) name_temporary(t, path);
    // close() is not retried: on Linux the descriptor is gone even after EINTR.
    const int rc = ::close(t.fd_);
    t.fd_ = -1;
    if (rc != 0 && errno != EINTR) {
        const int err = errno;
        io_fail("cannot write state to", path, err, " (closing its new file)");
    }
    if (::rename(t.name_.c_str(), path.c_str()) != 0) {
        const int err = errno;
        io_fail("cannot write state to", path, err, " (renaming its new file over it)");
    }
    t.name_.clear();  // renamed: nothing left to remove

    // The new file is in place; make the rename itself durable.
    const std::string dir = directory_of(path);
    const int dfd = retry_open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
    if (dfd < 0) {
        const int err = errno;
        io_fail("wrote state to", path, err,
                " but could not open its directory " + quoted(dir) + " to make the rename durable");
    }
    const int drc = retry_fsync(dfd);
    const int err = errno;
    ::close(dfd);
    // Some file systems cannot fsync a directory; nothing more can be done there.
    if (drc != 0 && err != EINVAL && err != ENOTSUP)
        io_fail("wrote state to", path, err, " but the fsync of its directory " + quoted(dir) + " failed");
}

std::vector<uint8_t> read_file(const std::string &path) {
    if (path.empty()) fail(Status::io, "cannot read state: the path is empty");
    const int fd = retry_open(path.c_str(), O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0) io_fail("cannot read state from", path, errno);
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat st;
    if (::fstat(fd, &st) != 0) io_fail("cannot read state from", path, errno);
    if (S_ISDIR(st.st_mode)) io_fail("cannot read state from", path, EISDIR);
    if (!S_ISREG(st.st_mode))
        fail(Status::io, "cannot read state from " + quoted(path) + ": not a regular file (a state is read from a file)");
    const uint64_t size = static_cast<uint64_t>(st.st_size);
    if (size > max_state_size())
        fail(Status::io, "cannot read state from " + quoted(path) + ": it is " + std::to_string(size) +
                             " bytes, more than the maximum state size " + std::to_string(max_state_size()) +
                             " (ds_set_max_state_size)");
    if (size > std::numeric_limits<size_t>::max())
        fail(Status::no_memory, "cannot read state from " + quoted(path) + ": " + std::to_string(size) +
                                    " bytes do not fit in memory");
    std::vector<uint8_t> out;
    try {
        out.resize(static_cast<size_t>(size));
    } catch (const std::bad_alloc &) {
        fail(Status::no_memory, "out of memory reading state from " + quoted(path) + " (" + std::to_string(size) +
                                    " bytes)");
    }
    size_t used = 0;
    while (used < out.size()) {
        const ssize_t n = ::read(fd, out.data() + used, out.size() - used);
        if (n < 0) {
            if (errno == EINTR) continue;
            io_fail("cannot read state from", path, errno);
        }
        if (n == 0)
            fail(Status::io, "cannot read state from " + quoted(path) + ": it shrank from " + std::to_string(size) +
                                 " to " + std::to_string(used) + " bytes while being read");
        used += static_cast<size_t>(n);
    }
    uint8_t probe;
    ssize_t n;
    do {
        n = ::read(fd, &probe, 1);
    } while (n < 0 && errno == EINTR);
    if (n > 0)
        fail(Status::io, "cannot read state from " + quoted(path) + ": it grew beyond " + std::to_string(size) +
                             " bytes while being read");
    return out;
}

}  // namespace ds
