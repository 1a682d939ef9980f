// Byte access by offset: what the file layer reads from (a file through
// pread, or a buffer for the fuzz target and the sweep) and writes to (the
// temporary output file through pwrite, or a buffer). Offsets, never a
// shared position: several readers and writers (issue 14's ranks) can work
// on one file at once.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace dstool {

class ByteSource {
public:
    virtual ~ByteSource() = default;
    virtual uint64_t size() const = 0;
    // Reads exactly n bytes at offset (throws Error naming the file if it cannot).
    virtual void read_at(uint64_t offset, void *out, size_t n) const = 0;
    virtual const std::string &path() const = 0;
};

class ByteSink {
public:
    virtual ~ByteSink() = default;
    virtual void write_at(uint64_t offset, const void *data, size_t n) = 0;
};

class FileSource : public ByteSource {
public:
    explicit FileSource(const std::string &path);
    ~FileSource() override;
    FileSource(const FileSource &) = delete;
    FileSource &operator=(const FileSource &) = delete;
    uint64_t size() const override { return size_; }
    void read_at(uint64_t offset, void *out, size_t n) const override;
    const std::string &path() const override { return path_; }

private:
    std::string path_;
    int fd_ = -1;
    uint64_t size_ = 0;
};

class MemorySource : public ByteSource {
public:
    MemorySource(const uint8_t *data, size_t size, std::string name) : data_(data), size_(size), name_(std::move(name)) {}
    uint64_t size() const override { return size_; }
    void read_at(uint64_t offset, void *out, size_t n) const override;
    const std::string &path() const override { return name_; }
    const uint8_t *data() const { return data_; }

private:
    const uint8_t *data_;
    size_t size_;
    std::string name_;
};

class MemorySink : public ByteSink {
public:
    explicit MemorySink(std::vector<uint8_t> &bytes) : bytes_(bytes) {}
    void write_at(uint64_t offset, const void *data, size_t n) override;

private:
    std::vector<uint8_t> &bytes_;
};

// The output file, written atomically: a temporary file in the output's
// directory, written by offset, then fsync + rename over the target (+ fsync
// of the directory). Until commit() the target is untouched; destroying an
// uncommitted AtomicOutput (any error path, an exception) removes the
// temporary file, and so do SIGINT, SIGTERM and SIGHUP.
class AtomicOutput : public ByteSink {
public:
    explicit AtomicOutput(const std::string &target);
    ~AtomicOutput() override;
    AtomicOutput(const AtomicOutput &) = delete;
    AtomicOutput &operator=(const AtomicOutput &) = delete;
    void write_at(uint64_t offset, const void *data, size_t n) override;
    void resize(uint64_t size);
    // For writers that need a path of their own (libzip): the temporary
    // file's path; whatever they leave there is what commit() renames.
    const std::string &temp_path() const { return temp_; }
    void reopen();  // after another writer replaced the file at temp_path()
    void commit();
    const std::string &target() const { return target_; }

private:
    std::string target_, temp_;
    int fd_ = -1;
    bool committed_ = false;
};

// Copies n bytes from in at offset to out at the same offset, in chunks.
void copy_range(const ByteSource &in, ByteSink &out, uint64_t offset, uint64_t n);

std::string human_bytes(uint64_t n);

}  // namespace dstool
