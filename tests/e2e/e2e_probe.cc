// e2e_probe: small actions for the e2e tests, run inside (or outside) the sandbox.
//
// Every action prints one line: "ok ..." on success, or "error <what>: <ERRNO_NAME> (<text>)"
// when a system call fails, so a failing test shows why. Exit status: 0 ok, 1 a system call
// failed, 2 usage, 3 not supported on this machine or architecture.
//
//   write PATH                 open(O_WRONLY|O_CREAT|O_APPEND) PATH and write a line
//   mkdir PATH                 mkdir PATH
//   connect4 HOST PORT         TCP connect over IPv4, then send a line
//   connect6 HOST PORT         TCP connect over IPv6, then send a line
//   udp4 HOST PORT             send one UDP datagram over IPv4 with sendto
//   connect_unix PATH          connect to a stream Unix socket bound at PATH
//   connect_abstract NAME      connect to a stream Unix socket in the abstract namespace
//   dgram_sendto PATH          send a datagram to the Unix datagram socket at PATH (sendto)
//   dgram_sendmsg PATH         the same with sendmsg (msg_name)
//   dgram_sendmmsg PATH        the same with sendmmsg (msg_name)
//   io_uring                   io_uring_setup(8, ...)
//   target                     print "addr 0x..." of a variable, wait for EOF on stdin,
//                              then print "value 0x..." (the variable's value at that time)
//   ptrace_attach PID ADDR     PTRACE_ATTACH PID, wait for the stop, poke a word at ADDR, detach
//   ptrace_seize PID ADDR      PTRACE_SEIZE + PTRACE_INTERRUPT, then the same
//   vm_write PID ADDR          process_vm_writev a word to ADDR in PID
//   kill PID                   kill(PID, SIGTERM)
//   int80 PATH                 creat(PATH) through the i386 entry point (int $0x80)
//   x32 PATH                   creat(PATH) through the x32 system call ABI
//   rename FROM TO             rename(FROM, TO) (no copy fallback, unlike mv)
//   stat PATH                  lstat(PATH)
//   utime PATH                 set PATH's modification time to 1000000000 (utimensat)
//   setxattr PATH              set the extended attribute user.cordon_e2e=1 on PATH
//   forks N                    fork N children that wait until all are made, then let
//                              them exit; a failure reports "... after K" (K made)
//   fds N                      open /dev/null N times (kept open); "... after K" on failure
//   spin SECONDS               busy loop until the process has used SECONDS of CPU time
//   alloc MIB                  map and touch MIB MiB, 1 MiB at a time; "... after K MiB"
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

namespace {

constexpr long kPokedValue = 0x5ca1ab1e;
constexpr int kOk = 0;
constexpr int kFailed = 1;
constexpr int kUsage = 2;
[[maybe_unused]] constexpr int kUnsupported = 3;

volatile long g_target_word = 0;

int fail(const char* what) {
  const int e = errno;
  const char* name = strerrorname_np(e);
  std::printf("error %s: %s (%s)\n", what, name != nullptr ? name : "?", std::strerror(e));
  std::fflush(stdout);
  return kFailed;
}

// "error <what>: <ERRNO> (<text>) <detail>" for a failure after partial progress.
int fail_after(const char* what, int err, const std::string& detail) {
  const char* name = strerrorname_np(err);
  std::printf("error %s: %s (%s) %s\n", what, name != nullptr ? name : "?", std::strerror(err),
              detail.c_str());
  std::fflush(stdout);
  return kFailed;
}

int ok(const std::string& detail = "") {
  std::printf("ok%s%s\n", detail.empty() ? "" : " ", detail.c_str());
  std::fflush(stdout);
  return kOk;
}

bool parse_long(const char* s, long* out) {
  char* end = nullptr;
  errno = 0;
  long v = std::strtol(s, &end, 0);
  if (errno != 0 || end == s || *end != '\0') return false;
  *out = v;
  return true;
}

bool parse_pid_addr(char** argv, pid_t* pid, uintptr_t* addr) {
  long p = 0;
  if (!parse_long(argv[0], &p) || p <= 0) return false;
  char* end = nullptr;
  errno = 0;
  unsigned long long a = std::strtoull(argv[1], &end, 0);
  if (errno != 0 || end == argv[1] || *end != '\0') return false;
  *pid = static_cast<pid_t>(p);
  *addr = static_cast<uintptr_t>(a);
  return true;
}

bool write_line(int fd, const char* line) {
  size_t n = std::strlen(line);
  while (n > 0) {
    ssize_t w = ::write(fd, line, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    line += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

int do_write(const char* path) {
  int fd = ::open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return fail("open");
  if (!write_line(fd, "written by e2e_probe\n")) return fail("write");
  if (::close(fd) != 0) return fail("close");
  return ok();
}

int do_mkdir(const char* path) {
  if (::mkdir(path, 0755) != 0) return fail("mkdir");
  return ok();
}

int connect_and_send(int fd, const sockaddr* sa, socklen_t len) {
  if (::connect(fd, sa, len) != 0) return fail("connect");
  if (!write_line(fd, "hello from e2e_probe\n")) return fail("send");
  ::close(fd);
  return ok("connected");
}

int do_connect_inet(int family, const char* host, const char* port_s) {
  long port = 0;
  if (!parse_long(port_s, &port) || port <= 0 || port > 65535) return kUsage;
  int fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail("socket");
  if (family == AF_INET) {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<uint16_t>(port));
    if (::inet_pton(AF_INET, host, &sa.sin_addr) != 1) return kUsage;
    return connect_and_send(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa);
  }
  sockaddr_in6 sa{};
  sa.sin6_family = AF_INET6;
  sa.sin6_port = htons(static_cast<uint16_t>(port));
  if (::inet_pton(AF_INET6, host, &sa.sin6_addr) != 1) return kUsage;
  return connect_and_send(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa);
}

int do_udp4(const char* host, const char* port_s) {
  long port = 0;
  if (!parse_long(port_s, &port) || port <= 0 || port > 65535) return kUsage;
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail("socket");
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(port));
  if (::inet_pton(AF_INET, host, &sa.sin_addr) != 1) return kUsage;
  const char msg[] = "datagram from e2e_probe";
  if (::sendto(fd, msg, sizeof msg - 1, 0, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) < 0) {
    return fail("sendto");
  }
  return ok("sent");
}

int do_connect_unix(const char* name, bool abstract) {
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  const size_t n = std::strlen(name);
  const size_t off = abstract ? 1 : 0;
  if (n + off + 1 > sizeof sa.sun_path) return kUsage;
  std::memcpy(sa.sun_path + off, name, n);
  const auto len =
      static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + off + n + (abstract ? 0 : 1));
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail("socket");
  return connect_and_send(fd, reinterpret_cast<const sockaddr*>(&sa), len);
}

// An unconnected AF_UNIX datagram socket (allowed with the network off) sending to PATH.
int do_dgram(const char* path, const std::string& how) {
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  const size_t n = std::strlen(path);
  if (n + 1 > sizeof sa.sun_path) return kUsage;
  std::memcpy(sa.sun_path, path, n);
  const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + n + 1);
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail("socket");
  char msg[] = "datagram from e2e_probe";
  iovec iov{msg, sizeof msg - 1};
  msghdr mh{};
  mh.msg_name = &sa;
  mh.msg_namelen = len;
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  if (how == "sendto") {
    if (::sendto(fd, msg, sizeof msg - 1, 0, reinterpret_cast<const sockaddr*>(&sa), len) < 0) {
      return fail("sendto");
    }
  } else if (how == "sendmsg") {
    if (::sendmsg(fd, &mh, 0) < 0) return fail("sendmsg");
  } else {
    mmsghdr mm{};
    mm.msg_hdr = mh;
    if (::sendmmsg(fd, &mm, 1, 0) != 1) return fail("sendmmsg");
  }
  return ok("sent");
}

int do_io_uring() {
  // struct io_uring_params is 120 bytes; zeroed is a valid request.
  unsigned char params[120] = {};
  long fd = ::syscall(SYS_io_uring_setup, 8, params);
  if (fd < 0) return fail("io_uring_setup");
  ::close(static_cast<int>(fd));
  return ok("io_uring_setup");
}

int do_target() {
  // Let any process of this user trace us, whatever Yama's ptrace_scope says (scope 1).
  ::prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
  std::printf("addr %#" PRIxPTR "\n", reinterpret_cast<uintptr_t>(&g_target_word));
  std::fflush(stdout);
  char buf[256];
  for (;;) {
    ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0 && errno != EINTR) break;
  }
  std::printf("value %#lx\n", static_cast<long>(g_target_word));
  std::fflush(stdout);
  return kOk;
}

int poke_and_detach(pid_t pid, uintptr_t addr) {
  int st = 0;
  if (::waitpid(pid, &st, __WALL) < 0) return fail("waitpid");
  if (::ptrace(PTRACE_POKEDATA, pid, reinterpret_cast<void*>(addr),
               reinterpret_cast<void*>(kPokedValue)) != 0) {
    return fail("ptrace(PTRACE_POKEDATA)");
  }
  if (::ptrace(PTRACE_DETACH, pid, nullptr, nullptr) != 0) return fail("ptrace(PTRACE_DETACH)");
  return ok("poked");
}

int do_ptrace(pid_t pid, uintptr_t addr, bool seize) {
  if (seize) {
    if (::ptrace(PTRACE_SEIZE, pid, nullptr, nullptr) != 0) return fail("ptrace(PTRACE_SEIZE)");
    if (::ptrace(PTRACE_INTERRUPT, pid, nullptr, nullptr) != 0) {
      return fail("ptrace(PTRACE_INTERRUPT)");
    }
  } else {
    if (::ptrace(PTRACE_ATTACH, pid, nullptr, nullptr) != 0) return fail("ptrace(PTRACE_ATTACH)");
  }
  return poke_and_detach(pid, addr);
}

int do_vm_write(pid_t pid, uintptr_t addr) {
  long value = kPokedValue;
  iovec local{&value, sizeof value};
  iovec remote{reinterpret_cast<void*>(addr), sizeof value};
  if (::process_vm_writev(pid, &local, 1, &remote, 1, 0) != static_cast<ssize_t>(sizeof value)) {
    return fail("process_vm_writev");
  }
  return ok("written");
}

int do_kill(const char* pid_s) {
  long pid = 0;
  if (!parse_long(pid_s, &pid) || pid <= 0) return kUsage;
  if (::kill(static_cast<pid_t>(pid), SIGTERM) != 0) return fail("kill");
  return ok("signalled");
}

// A copy of `path` in memory below 4 GiB, where 32-bit pointers can reach it.
char* low_copy(const char* path) {
#if defined(__x86_64__)
  void* p =
      ::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
  if (p == MAP_FAILED) return nullptr;
  std::strncpy(static_cast<char*>(p), path, 4095);
  return static_cast<char*>(p);
#else
  (void)path;
  return nullptr;
#endif
}

int do_int80(const char* path) {
#if defined(__x86_64__)
  char* low = low_copy(path);
  if (low == nullptr) return fail("mmap(MAP_32BIT)");
  long ret = 8;  // __NR_creat on i386
  const auto ptr = static_cast<long>(reinterpret_cast<uintptr_t>(low));
  long mode = 0644;
  asm volatile("int $0x80" : "+a"(ret) : "b"(ptr), "c"(mode) : "memory", "r8", "r9", "r10", "r11");
  if (ret < 0) {
    errno = static_cast<int>(-ret);
    return fail("int80 creat");
  }
  return ok("int80 creat");
#else
  (void)path;
  std::printf("unsupported: int80 needs x86_64\n");
  return kUnsupported;
#endif
}

int do_x32(const char* path) {
#if defined(__x86_64__)
  char* low = low_copy(path);
  if (low == nullptr) return fail("mmap(MAP_32BIT)");
  constexpr long kX32Bit = 0x40000000;
  long fd = ::syscall(kX32Bit + SYS_creat, low, 0644);
  if (fd < 0) return fail("x32 creat");
  return ok("x32 creat");
#else
  (void)path;
  std::printf("unsupported: x32 needs x86_64\n");
  return kUnsupported;
#endif
}

int do_rename(const char* from, const char* to) {
  if (::rename(from, to) != 0) return fail("rename");
  return ok("renamed");
}

int do_stat(const char* path) {
  struct stat st {};
  if (::lstat(path, &st) != 0) return fail("stat");
  return ok("exists");
}

int do_utime(const char* path) {
  const timespec times[2] = {{0, UTIME_OMIT}, {1000000000, 0}};
  if (::utimensat(AT_FDCWD, path, times, 0) != 0) return fail("utimensat");
  return ok("touched");
}

int do_setxattr(const char* path) {
  if (::setxattr(path, "user.cordon_e2e", "1", 1, 0) != 0) return fail("setxattr");
  return ok("set");
}

int do_forks(long n) {
  // Every child blocks reading the pipe until the parent closes its end.
  int release[2];
  if (::pipe2(release, O_CLOEXEC) != 0) return fail("pipe2");
  long made = 0;
  int err = 0;
  for (long i = 0; i < n; ++i) {
    const pid_t pid = ::fork();
    if (pid < 0) {
      err = errno;
      break;
    }
    if (pid == 0) {
      ::close(release[1]);
      char c;
      while (::read(release[0], &c, 1) < 0 && errno == EINTR) {
      }
      ::_exit(0);
    }
    ++made;
  }
  ::close(release[1]);
  ::close(release[0]);
  for (long reaped = 0; reaped < made;) {
    if (::waitpid(-1, nullptr, 0) > 0) {
      ++reaped;
    } else if (errno != EINTR) {
      break;
    }
  }
  if (err != 0) return fail_after("fork", err, "after " + std::to_string(made));
  return ok("forked " + std::to_string(made));
}

int do_fds(long n) {
  for (long i = 0; i < n; ++i) {
    if (::open("/dev/null", O_RDONLY | O_CLOEXEC) < 0) {
      return fail_after("open", errno, "after " + std::to_string(i));
    }
  }
  return ok("opened " + std::to_string(n));
}

double cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

int do_spin(long seconds) {
  volatile unsigned long sink = 0;
  while (cpu_seconds() < static_cast<double>(seconds)) {
    for (int i = 0; i < 1000000; ++i) sink = sink + static_cast<unsigned long>(i);
  }
  return ok("spun " + std::to_string(seconds) + " s");
}

int do_alloc(long mib) {
  constexpr size_t kMiB = 1 << 20;
  for (long i = 0; i < mib; ++i) {
    void* p = ::mmap(nullptr, kMiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return fail_after("mmap", errno, "after " + std::to_string(i) + " MiB");
    std::memset(p, 0x5a, kMiB);  // touch every page
  }
  return ok("allocated " + std::to_string(mib) + " MiB");
}

int usage() {
  std::fprintf(stderr, "usage: e2e_probe ACTION ARGS... (see e2e_probe.cc)\n");
  return kUsage;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  const std::string a = argv[1];
  const int n = argc - 2;
  char** args = argv + 2;
  pid_t pid = 0;
  uintptr_t addr = 0;
  if (a == "write" && n == 1) return do_write(args[0]);
  if (a == "mkdir" && n == 1) return do_mkdir(args[0]);
  if (a == "connect4" && n == 2) return do_connect_inet(AF_INET, args[0], args[1]);
  if (a == "connect6" && n == 2) return do_connect_inet(AF_INET6, args[0], args[1]);
  if (a == "udp4" && n == 2) return do_udp4(args[0], args[1]);
  if (a == "connect_unix" && n == 1) return do_connect_unix(args[0], false);
  if (a == "connect_abstract" && n == 1) return do_connect_unix(args[0], true);
  if ((a == "dgram_sendto" || a == "dgram_sendmsg" || a == "dgram_sendmmsg") && n == 1) {
    return do_dgram(args[0], a.substr(6));
  }
  if (a == "io_uring" && n == 0) return do_io_uring();
  if (a == "target" && n == 0) return do_target();
  if ((a == "ptrace_attach" || a == "ptrace_seize" || a == "vm_write") && n == 2) {
    if (!parse_pid_addr(args, &pid, &addr)) return usage();
    if (a == "vm_write") return do_vm_write(pid, addr);
    return do_ptrace(pid, addr, a == "ptrace_seize");
  }
  if (a == "kill" && n == 1) return do_kill(args[0]);
  if (a == "tiocsti" && n == 0) {
    // Push a character into the terminal's input queue (keystroke injection).
    const char c = '#';
    if (::ioctl(0, TIOCSTI, &c) != 0) return fail("ioctl(TIOCSTI)");
    return ok();
  }
  if (a == "int80" && n == 1) return do_int80(args[0]);
  if (a == "x32" && n == 1) return do_x32(args[0]);
  if (a == "rename" && n == 2) return do_rename(args[0], args[1]);
  if (a == "stat" && n == 1) return do_stat(args[0]);
  if (a == "utime" && n == 1) return do_utime(args[0]);
  if (a == "setxattr" && n == 1) return do_setxattr(args[0]);
  long count = 0;
  if ((a == "forks" || a == "fds" || a == "spin" || a == "alloc") && n == 1) {
    if (!parse_long(args[0], &count) || count <= 0) return usage();
    if (a == "forks") return do_forks(count);
    if (a == "fds") return do_fds(count);
    if (a == "spin") return do_spin(count);
    return do_alloc(count);
  }
  return usage();
}
