// cordon - small I/O helpers.
#include "util/io.h"

#include <unistd.h>

#include <cerrno>

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

}  // namespace cordon
