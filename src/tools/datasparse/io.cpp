#include "io.hpp"

#include "errors.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace dstool {
namespace {

std::string errno_text() { return std::strerror(errno); }

// Temporary outputs alive now, removed by the signal handler (async-signal
// safe: fixed storage, unlink and _exit only).
constexpr int kSlots = 4;
char g_temp[kSlots][4096];
volatile sig_atomic_t g_used[kSlots];

void on_signal(int sig) {
    for (int i = 0; i < kSlots; ++i)
        if (g_used[i]) unlink(g_temp[i]);
    signal(sig, SIG_DFL);
    raise(sig);
}

int register_temp(const std::string &path) {
    static bool installed = false;
    if (!installed) {
        installed = true;
        for (int sig : {SIGINT, SIGTERM, SIGHUP}) signal(sig, on_signal);
    }
    for (int i = 0; i < kSlots; ++i) {
        if (!g_used[i] && path.size() < sizeof g_temp[i]) {
            std::memcpy(g_temp[i], path.c_str(), path.size() + 1);
            g_used[i] = 1;
            return i;
        }
    }
    return -1;
}

void unregister_temp(const std::string &path) {
    for (int i = 0; i < kSlots; ++i)
        if (g_used[i] && path == g_temp[i]) g_used[i] = 0;
}

std::string dir_of(const std::string &path) {
    const size_t slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

std::string base_of(const std::string &path) {
    const size_t slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

FileSource::FileSource(const std::string &path) : path_(path) {
    fd_ = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) fail(path, "cannot open: " + errno_text());
    struct stat st;
    if (fstat(fd_, &st) != 0) {
        const std::string why = errno_text();
        close(fd_);
        fail(path, "cannot stat: " + why);
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd_);
        fail(path, "not a regular file");
    }
    size_ = static_cast<uint64_t>(st.st_size);
}

FileSource::~FileSource() {
    if (fd_ >= 0) close(fd_);
}

void FileSource::read_at(uint64_t offset, void *out, size_t n) const {
    if (offset > size_ || n > size_ - offset)
        fail(path_, "read of " + std::to_string(n) + " bytes at offset " + std::to_string(offset) +
                        " past the end of the file (" + std::to_string(size_) + " bytes)");
    auto *p = static_cast<uint8_t *>(out);
    while (n > 0) {
        const ssize_t got = pread(fd_, p, n, static_cast<off_t>(offset));
        if (got < 0) {
            if (errno == EINTR) continue;
            fail(path_, "read error at offset " + std::to_string(offset) + ": " + errno_text());
        }
        if (got == 0) fail(path_, "the file shrank while being read (offset " + std::to_string(offset) + ")");
        p += got;
        n -= static_cast<size_t>(got);
        offset += static_cast<uint64_t>(got);
    }
}

void MemorySource::read_at(uint64_t offset, void *out, size_t n) const {
    if (offset > size_ || n > size_ - offset)
        fail(name_, "read of " + std::to_string(n) + " bytes at offset " + std::to_string(offset) +
                        " past the end (" + std::to_string(size_) + " bytes)");
    if (n) std::memcpy(out, data_ + offset, n);
}

void MemorySink::write_at(uint64_t offset, const void *data, size_t n) {
    if (offset + n > bytes_.size()) bytes_.resize(offset + n);
    if (n) std::memcpy(bytes_.data() + offset, data, n);
}

AtomicOutput::AtomicOutput(const std::string &target) : target_(target) {
    std::string pattern = dir_of(target) + "/." + base_of(target) + ".tmp-XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    fd_ = mkostemp(buf.data(), O_CLOEXEC);
    if (fd_ < 0) fail(target, "cannot create a temporary file in " + dir_of(target) + ": " + errno_text());
    temp_ = buf.data();
    register_temp(temp_);
    // mkstemp makes it 0600; an output gets the usual mode (0666 less the umask).
    const mode_t mask = umask(0);
    umask(mask);
    fchmod(fd_, 0666 & ~mask);
}

AtomicOutput::~AtomicOutput() {
    if (fd_ >= 0) close(fd_);
    if (!committed_) unlink(temp_.c_str());
    unregister_temp(temp_);
}

void AtomicOutput::write_at(uint64_t offset, const void *data, size_t n) {
    const auto *p = static_cast<const uint8_t *>(data);
    while (n > 0) {
        const ssize_t put = pwrite(fd_, p, n, static_cast<off_t>(offset));
        if (put < 0) {
            if (errno == EINTR) continue;
            fail(target_, "write error at offset " + std::to_string(offset) + ": " + errno_text());
        }
        p += put;
        n -= static_cast<size_t>(put);
        offset += static_cast<uint64_t>(put);
    }
}

void AtomicOutput::resize(uint64_t size) {
    if (ftruncate(fd_, static_cast<off_t>(size)) != 0)
        fail(target_, "cannot size the output to " + std::to_string(size) + " bytes: " + errno_text());
}

void AtomicOutput::reopen() {
    if (fd_ >= 0) close(fd_);
    fd_ = open(temp_.c_str(), O_RDWR | O_CLOEXEC);
    if (fd_ < 0) fail(target_, "cannot reopen the temporary output: " + errno_text());
}

void AtomicOutput::commit() {
    if (fsync(fd_) != 0) fail(target_, "fsync failed: " + errno_text());
    if (close(fd_) != 0) {
        fd_ = -1;
        fail(target_, "close failed: " + errno_text());
    }
    fd_ = -1;
    if (rename(temp_.c_str(), target_.c_str()) != 0) fail(target_, "cannot rename the finished output into place: " + errno_text());
    committed_ = true;
    const int dir = open(dir_of(target_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        fsync(dir);
        close(dir);
    }
}

void copy_range(const ByteSource &in, ByteSink &out, uint64_t offset, uint64_t n) {
    std::vector<uint8_t> buf(static_cast<size_t>(std::min<uint64_t>(n, 8u << 20)));
    while (n > 0) {
        const size_t chunk = static_cast<size_t>(std::min<uint64_t>(n, buf.size()));
        in.read_at(offset, buf.data(), chunk);
        out.write_at(offset, buf.data(), chunk);
        offset += chunk;
        n -= chunk;
    }
}

std::string human_bytes(uint64_t n) {
    char buf[32];
    if (n >= (1ull << 30)) std::snprintf(buf, sizeof buf, "%.1f GiB", n / double(1ull << 30));
    else if (n >= (1ull << 20)) std::snprintf(buf, sizeof buf, "%.1f MiB", n / double(1ull << 20));
    else if (n >= 1024) std::snprintf(buf, sizeof buf, "%.1f KiB", n / 1024.0);
    else std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(n));
    return buf;
}

}  // namespace dstool
