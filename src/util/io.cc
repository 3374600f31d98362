// cordon - small I/O helpers.
#include "util/io.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "util/printable.h"

namespace cordon {

void write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    p += w;
    n -= static_cast<size_t>(w);
  }
}

Status write_all_checked(int fd, std::string_view data, const std::string& what) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys_error("cannot write " + printable(what));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Ok{};
}

Status make_private_dirs(const std::string& dir) {
  for (size_t i = 1; i <= dir.size(); ++i) {
    if (i < dir.size() && dir[i] != '/') continue;
    if (dir[i - 1] == '/') continue;  // "//"
    const std::string part = dir.substr(0, i);
    if (::mkdir(part.c_str(), 0700) == 0) continue;
    if (errno != EEXIST) return sys_error("cannot create " + printable(part));
    struct stat st {};
    if (::stat(part.c_str(), &st) != 0) return sys_error("cannot create " + printable(part));
    if (!S_ISDIR(st.st_mode)) return Error{printable(part) + ": not a directory"};
  }
  return Ok{};
}

}  // namespace cordon
