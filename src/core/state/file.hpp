// State files on POSIX file systems: atomic replace and whole-file reads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ds {

// Atomic replace: writes a temporary file beside path, flushes, fsyncs,
// renames over path, fsyncs the directory. On any failure the previous
// file is intact and the temporary is removed. Throws Status::io.
void write_file_atomic(const std::string &path, const std::vector<uint8_t> &bytes);
// Reads a whole file; throws Status::io.
std::vector<uint8_t> read_file(const std::string &path);

}  // namespace ds
