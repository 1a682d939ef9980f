// State files on POSIX file systems: atomic replace and bounded whole-file
// reads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ds {

struct WriteOptions {
    // A new file gets mode 0666 less the umask (like fopen) instead of 0600.
    bool umask_mode = false;
};

// Atomic replace. The new contents go to an unnamed file in path's directory
// (O_TMPFILE; where the file system lacks it, a hidden temporary
// ".<name>.ds-tmp.<pid>.<n>"), which is written, fsync'ed, given a name and
// renamed over path; then the directory is fsync'ed. An existing regular
// file's mode (and, where permitted, owner) is kept; a new file is 0600
// unless options say otherwise. A symbolic link at path is replaced by the
// file (the file it pointed to is left as it was). On any failure before the
// rename the previous file is intact and no temporary is left; a failure of
// the directory fsync after the rename leaves the new file in place and says
// so. A temporary left by a process killed between naming and renaming is
// removed by the next save to the same path. Throws Status::io.
void write_file_atomic(const std::string &path, const std::vector<uint8_t> &bytes, const WriteOptions &options = {});

// Reads a whole regular file into a buffer of its size, once: not a regular
// file, larger than max_state_size(), or changed while read is Status::io.
std::vector<uint8_t> read_file(const std::string &path);

// The largest state a load accepts, from a file or a buffer (process-wide;
// UINT64_MAX, the default, means no limit). Thread-safe.
uint64_t max_state_size();
void set_max_state_size(uint64_t bytes);

}  // namespace ds
