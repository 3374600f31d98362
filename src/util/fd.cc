// cordon - file descriptors.
#include "util/fd.h"

#include <fcntl.h>
#include <unistd.h>

namespace cordon {
namespace {

int high_fd(int fd) {
  int h = ::fcntl(fd, F_DUPFD_CLOEXEC, 10);
  ::close(fd);
  return h;
}

}  // namespace

void Fd::reset() {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

Status make_pipe(Fd& rd, Fd& wr) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return sys_error("pipe");
  rd.fd = high_fd(p[0]);
  wr.fd = high_fd(p[1]);
  if (rd.fd < 0 || wr.fd < 0) return sys_error("fcntl(F_DUPFD)");
  return Ok{};
}

}  // namespace cordon
