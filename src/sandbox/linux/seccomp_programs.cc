// cordon - the built-in seccomp programs.
#include "sandbox/linux/seccomp_programs.h"

#include <linux/seccomp.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cordon::sandbox::linux {
namespace {

#include "seccomp_programs.inc"

}  // namespace

std::span<const sock_filter> seccomp_program(SeccompMode mode, bool observed, bool reads) {
  if (observed && reads) {
    return mode == SeccompMode::Baseline ? std::span<const sock_filter>(kBaselineObservedReads)
                                         : kNetworkOffObservedReads;
  }
  if (mode == SeccompMode::Baseline) {
    return observed ? std::span<const sock_filter>(kBaselineObserved) : kBaseline;
  }
  return observed ? std::span<const sock_filter>(kNetworkOffObserved) : kNetworkOff;
}

namespace {

long load(std::span<const sock_filter> p, unsigned flags) {
  sock_fprog prog{};
  prog.len = static_cast<unsigned short>(p.size());
  // The kernel copies the program and never writes to it.
  prog.filter = const_cast<sock_filter*>(p.data());
  return ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
}

}  // namespace

int load_seccomp(SeccompMode mode) {
  return load(seccomp_program(mode), 0) == 0 ? 0 : errno;
}

int load_seccomp_observed(SeccompMode mode, int* listener, bool reads) {
  const long fd = load(seccomp_program(mode, true, reads), SECCOMP_FILTER_FLAG_NEW_LISTENER);
  if (fd < 0) return errno;
  *listener = static_cast<int>(fd);
  return 0;
}

int send_fd(int sock, int fd) {
  char byte = 'L';
  iovec io{&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &io;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
  ssize_t n;
  do {
    n = ::sendmsg(sock, &msg, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  return n == 1 ? 0 : errno;
}

}  // namespace cordon::sandbox::linux

namespace cordon::sandbox::linux {

int load_filter(SeccompMode mode, int observer_fd, bool reads) {
  if (observer_fd < 0) return load_seccomp(mode);
  int listener = -1;
  int e = load_seccomp_observed(mode, &listener, reads);
  if (e == 0) {
    e = send_fd(observer_fd, listener);
    ::close(listener);
    ::close(observer_fd);
    // The filter is in place either way; a listener nobody holds answers ENOSYS to every
    // watched call, which would break the command: refuse to go on instead.
    return e;
  }
  ::close(observer_fd);
  return load_seccomp(mode);
}

}  // namespace cordon::sandbox::linux
