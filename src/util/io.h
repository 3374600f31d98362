// cordon - small I/O helpers.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "util/result.h"

namespace cordon {

// Writes all of [p, p+n) to fd, retrying on EINTR and short writes; gives up silently
// on any other error. Async-signal-safe: usable between fork and exec.
void write_all(int fd, const char* p, size_t n);
inline void write_all(int fd, std::string_view s) {
  write_all(fd, s.data(), s.size());
}

// Writes all of `data` to fd, retrying on EINTR and short writes; an error names `what`
// (the file, made printable).
Status write_all_checked(int fd, std::string_view data, const std::string& what);

// mkdir -p: creates the missing directories of `dir` with mode 0700; an existing component
// that is not a directory is an error.
Status make_private_dirs(const std::string& dir);

}  // namespace cordon
