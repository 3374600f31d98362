// create_loop: the build-like workload of bench/denials.sh (issue 7).
//
//   create_loop [--notify-floor] [COUNT]   (default 10000)
//
// In the current directory, COUNT times: open("cl-<i>", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC,
// 0644), write 4 KiB, close; then reads each back (open O_RDONLY, read, close); then unlinks
// the COUNT files. Prints on stdout one line
//   create_ns=<ns of the create loop> unlink_ns=<ns of the unlink loop> count=<COUNT>
//   read_ns=<ns of the read loop>
// (CLOCK_MONOTONIC). Any failed call stops it with a message on stderr and exit status 1,
// after removing what it made, so that a sandbox that refuses the writes cannot pass for a
// fast one.
//
// --notify-floor: the cheapest possible observer, for comparison with cordon's. Before the
// loops the program loads a seccomp filter that sends its write-intent opens and its unlinks
// to a listener (SECCOMP_RET_USER_NOTIF), and a forked helper answers each one at once with
// SECCOMP_USER_NOTIF_FLAG_CONTINUE: no memory read, no /proc, no classification. What that
// costs per call is the price of the mechanism itself. The line gains
// " notified=<calls the helper answered> sync_wake=<0|1>" (sync_wake: the kernel took
// SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP, as cordon's observer asks it to).
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

namespace {

constexpr size_t kBlock = 4096;

long long now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<long long>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

void name_of(long i, char (&buf)[32]) {
  std::snprintf(buf, sizeof buf, "cl-%ld", i);
}

void remove_first(long n) {
  char name[32];
  for (long i = 0; i < n; ++i) {
    name_of(i, name);
    unlink(name);
  }
}

int fail(const char* what, long i, long made) {
  std::fprintf(stderr, "create_loop: %s of file %ld: %s\n", what, i, std::strerror(errno));
  remove_first(made);
  return 1;
}

// ---- --notify-floor ----

#if defined(__x86_64__)
constexpr uint32_t kArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr uint32_t kArch = AUDIT_ARCH_AARCH64;
#endif

// Write-intent opens (open, openat, creat) and unlinks (unlink, unlinkat) go to the
// listener; everything else runs.
bool load_filter(int& listener) {
#if defined(__x86_64__) || defined(__aarch64__)
  constexpr uint32_t kWrite = O_WRONLY | O_RDWR | O_CREAT | O_TRUNC;
  constexpr uint32_t kNr = offsetof(seccomp_data, nr);
  constexpr uint32_t kArchAt = offsetof(seccomp_data, arch);
  constexpr uint32_t kArg1 = offsetof(seccomp_data, args[1]);  // low half (little endian)
  constexpr uint32_t kArg2 = offsetof(seccomp_data, args[2]);
  const sock_filter prog[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, kArchAt),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kArch, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, kNr),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_openat, 0, 4),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, kArg2),  // the flags
      BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, kWrite, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
#ifdef __NR_open
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_open, 0, 4),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, kArg1),  // the flags
      BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, kWrite, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
#endif
#ifdef __NR_creat
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_creat, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
#endif
#ifdef __NR_unlink
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_unlink, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
#endif
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_unlinkat, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  const sock_fprog fprog{static_cast<unsigned short>(sizeof prog / sizeof prog[0]),
                         const_cast<sock_filter*>(prog)};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return false;
  const long fd =
      syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &fprog);
  if (fd < 0) return false;
  listener = static_cast<int>(fd);
  return true;
#else
  (void)listener;
  errno = ENOSYS;
  return false;
#endif
}

// The helper: answers every notification with CONTINUE and counts them; when the program
// writes a byte on `sock` it gets the count back. Ends when the listener hangs up (the
// program is gone).
[[noreturn]] void answer_all(int listener, int sock) {
  seccomp_notif_sizes sizes{};
  size_t notif_size = sizeof(seccomp_notif), resp_size = sizeof(seccomp_notif_resp);
  if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) == 0) {
    if (sizes.seccomp_notif > notif_size) notif_size = sizes.seccomp_notif;
    if (sizes.seccomp_notif_resp > resp_size) resp_size = sizes.seccomp_notif_resp;
  }
  auto* notif = static_cast<seccomp_notif*>(std::calloc(1, notif_size));
  auto* resp = static_cast<seccomp_notif_resp*>(std::calloc(1, resp_size));
  if (notif == nullptr || resp == nullptr) _exit(1);
  uint64_t answered = 0;
  for (;;) {
    pollfd fds[2] = {{listener, POLLIN, 0}, {sock, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      _exit(1);
    }
    if ((fds[1].revents & (POLLIN | POLLHUP)) != 0) {
      char byte = 0;
      if (read(sock, &byte, 1) != 1) {
        sock = -1;  // the program is gone or done asking (poll skips a negative fd)
      } else if (write(sock, &answered, sizeof answered) < 0) {
        _exit(1);
      }
    }
    if ((fds[0].revents & POLLIN) != 0) {
      std::memset(notif, 0, notif_size);
      if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, notif) != 0) continue;
      std::memset(resp, 0, resp_size);
      resp->id = notif->id;
      resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
      if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, resp) == 0) ++answered;
    } else if ((fds[0].revents & (POLLHUP | POLLERR)) != 0) {
      _exit(0);
    }
  }
}

struct Floor {
  int sock = -1;  // to the helper
  bool sync_wake = false;
};

bool start_floor(Floor& f) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return false;
  const pid_t helper = fork();
  if (helper < 0) return false;
  if (helper == 0) {
    close(sv[0]);
    // Not holding the program's stdout or stderr: whoever reads them sees their end when
    // the program exits.
    const int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0) _exit(1);
    char byte = 0;
    iovec io{&byte, 1};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr msg{};
    msg.msg_iov = &io;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    if (recvmsg(sv[1], &msg, MSG_CMSG_CLOEXEC) != 1) _exit(1);
    const cmsghdr* c = CMSG_FIRSTHDR(&msg);
    if (c == nullptr || c->cmsg_type != SCM_RIGHTS) _exit(1);
    int listener = -1;
    std::memcpy(&listener, CMSG_DATA(c), sizeof listener);
    const uint64_t flag = SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP;
    const char synced = ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, flag) == 0 ? 1 : 0;
    if (write(sv[1], &synced, 1) != 1) _exit(1);
    answer_all(listener, sv[1]);
  }
  close(sv[1]);
  f.sock = sv[0];
  int listener = -1;
  if (!load_filter(listener)) return false;
  char byte = 0;
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
  std::memcpy(CMSG_DATA(c), &listener, sizeof listener);
  if (sendmsg(f.sock, &msg, 0) != 1) return false;
  close(listener);
  char synced = 0;
  if (read(f.sock, &synced, 1) != 1) return false;
  f.sync_wake = synced == 1;
  return true;
}

bool floor_count(const Floor& f, uint64_t& answered) {
  const char byte = 0;
  return write(f.sock, &byte, 1) == 1 &&
         read(f.sock, &answered, sizeof answered) == static_cast<ssize_t>(sizeof answered);
}

}  // namespace

int main(int argc, char** argv) {
  long count = 10000;
  bool floor = false;
  int i = 1;
  if (i < argc && std::strcmp(argv[i], "--notify-floor") == 0) floor = true, ++i;
  if (i < argc) count = std::strtol(argv[i++], nullptr, 10);
  if (i != argc || count <= 0) {
    std::fprintf(stderr, "usage: create_loop [--notify-floor] [COUNT>0]\n");
    return 2;
  }
  Floor fl;
  if (floor && !start_floor(fl)) {
    std::fprintf(stderr, "create_loop: --notify-floor: %s\n", std::strerror(errno));
    return 1;
  }
  static char block[kBlock];
  std::memset(block, 'x', sizeof block);
  char name[32];

  const long long t0 = now_ns();
  for (long k = 0; k < count; ++k) {
    name_of(k, name);
    const int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return fail("open", k, k);
    const ssize_t w = write(fd, block, sizeof block);
    if (w != static_cast<ssize_t>(sizeof block)) {
      if (w >= 0) errno = EIO;
      close(fd);
      return fail("write", k, k + 1);
    }
    if (close(fd) != 0) return fail("close", k, k + 1);
  }
  const long long t1 = now_ns();
  // Read every file back (open O_RDONLY, read, close): the opens a plan with deny-read paths
  // has watched too.
  for (long k = 0; k < count; ++k) {
    name_of(k, name);
    const int fd = open(name, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fail("open for reading", k, count);
    const ssize_t r = read(fd, block, sizeof block);
    close(fd);
    if (r != static_cast<ssize_t>(sizeof block)) {
      if (r >= 0) errno = EIO;
      return fail("read", k, count);
    }
  }
  const long long t1r = now_ns();
  for (long k = 0; k < count; ++k) {
    name_of(k, name);
    if (unlink(name) != 0) {
      std::fprintf(stderr, "create_loop: unlink of file %ld: %s\n", k, std::strerror(errno));
      remove_first(count);
      return 1;
    }
  }
  const long long t2 = now_ns();
  std::printf("create_ns=%lld unlink_ns=%lld count=%ld read_ns=%lld", t1 - t0, t2 - t1r, count,
              t1r - t1);
  if (floor) {
    uint64_t answered = 0;
    if (!floor_count(fl, answered)) {
      std::fprintf(stderr, "\ncreate_loop: --notify-floor: no count from the helper\n");
      return 1;
    }
    std::printf(" notified=%llu sync_wake=%d", static_cast<unsigned long long>(answered),
                fl.sync_wake ? 1 : 0);
  }
  std::printf("\n");
  return 0;
}
