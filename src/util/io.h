// cordon - small I/O helpers.
#pragma once

#include <cstddef>
#include <string_view>

namespace cordon {

// Writes all of [p, p+n) to fd, retrying on EINTR and short writes; gives up silently
// on any other error. Async-signal-safe: usable between fork and exec.
void write_all(int fd, const char* p, size_t n);
inline void write_all(int fd, std::string_view s) {
  write_all(fd, s.data(), s.size());
}

}  // namespace cordon
