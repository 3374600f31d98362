// cordon - the denial observer.
#include "sandbox/linux/observer.h"

#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <unordered_map>
#include <unordered_set>

namespace cordon::sandbox::linux {
namespace {

// Linux 6.6: answering wakes the caller on this CPU (the caller and the observer take turns,
// so a hand-over costs a context switch instead of a cross-CPU wake-up).
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

constexpr size_t kMaxPath = PATH_MAX;
constexpr size_t kMaxSockaddr = 128;  // sizeof(sockaddr_storage)

// Resolution of directories, remembered for the life of the observer: a build creates its
// files in a handful of directories, and resolving one costs a system call per component.
// A directory swapped for a symlink meanwhile can make a record name the old place; it
// cannot change what the kernel refuses.
class CachingFileSystem final : public FileSystem {
 public:
  explicit CachingFileSystem(const FileSystem& inner) : inner_(inner) {}
  FileType lstat_type(const std::string& path) const override {
    if (dirs_.count(path) != 0) return FileType::Directory;
    return inner_.lstat_type(path);
  }
  std::optional<std::string> realpath(const std::string& path) const override {
    auto it = cache_.find(path);
    if (it != cache_.end()) return it->second;
    auto r = inner_.realpath(path);
    // Only directories that exist are kept (a missing one may appear at any time).
    if (r && inner_.lstat_type(*r) == FileType::Directory) {
      if (cache_.size() >= 4096) {
        cache_.clear();
        dirs_.clear();
      }
      cache_.emplace(path, *r);
      dirs_.insert(*r);
    }
    return r;
  }
  std::optional<std::string> read_file(const std::string& path, size_t max) const override {
    return inner_.read_file(path, max);
  }
  bool is_executable(const std::string& path) const override { return inner_.is_executable(path); }
  std::optional<std::vector<std::string>> list_dir(const std::string& path) const override {
    return inner_.list_dir(path);
  }

 private:
  const FileSystem& inner_;
  mutable std::unordered_map<std::string, std::string> cache_;  // path -> resolved directory
  mutable std::unordered_set<std::string> dirs_;                // the resolved directories
};

std::string proc_link(pid_t pid, const char* what) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/%s", pid, what);
  char buf[PATH_MAX];
  const ssize_t n = ::readlink(path, buf, sizeof buf);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

// Copies [addr, addr+len) of the caller's memory, as far as it is readable. Split at the
// page boundary: a range that runs into an unmapped page still yields its readable start.
size_t read_memory(pid_t pid, uint64_t addr, char* out, size_t len) {
  if (addr == 0 || len == 0) return 0;
  const uint64_t page = 4096;
  const uint64_t first = std::min<uint64_t>(len, page - (addr % page));
  iovec local{out, len};
  iovec remote[2] = {{reinterpret_cast<void*>(addr), first},
                     {reinterpret_cast<void*>(addr + first), len - first}};
  const ssize_t n = ::process_vm_readv(pid, &local, 1, remote, first < len ? 2 : 1, 0);
  if (n > 0) return static_cast<size_t>(n);
  // Without process_vm_readv (or when it is refused): the same through /proc.
  char mem[64];
  std::snprintf(mem, sizeof mem, "/proc/%d/mem", pid);
  const int fd = ::open(mem, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t got = ::pread(fd, out, first, static_cast<off_t>(addr));
  if (got == static_cast<ssize_t>(first) && first < len) {
    const ssize_t more = ::pread(fd, out + first, len - first, static_cast<off_t>(addr + first));
    if (more > 0) got += more;
  }
  ::close(fd);
  return got > 0 ? static_cast<size_t>(got) : 0;
}

// A NUL-terminated string from the caller's memory; nullopt when unreadable or unterminated.
// Most paths are short: a first small read, then the rest up to PATH_MAX when needed.
std::optional<std::string> read_string(pid_t pid, uint64_t addr) {
  constexpr size_t kFirst = 256;
  std::string buf(kFirst, '\0');
  size_t n = read_memory(pid, addr, buf.data(), kFirst);
  size_t end = std::string_view(buf.data(), n).find('\0');
  if (end == std::string_view::npos && n == kFirst) {
    buf.resize(kMaxPath);
    n += read_memory(pid, addr + kFirst, buf.data() + kFirst, kMaxPath - kFirst);
    end = std::string_view(buf.data(), n).find('\0');
  }
  if (end == std::string_view::npos) return std::nullopt;
  buf.resize(end);
  return buf;
}

// The path of an AF_UNIX address with a name in the filesystem; "" for any other address
// (abstract, unnamed, another family).
std::string socket_path(std::span<const unsigned char> addr) {
  sa_family_t family = 0;
  if (addr.size() <= sizeof family) return {};
  std::memcpy(&family, addr.data(), sizeof family);
  if (family != AF_UNIX || addr[sizeof family] == 0) return {};
  const auto* p = reinterpret_cast<const char*>(addr.data() + sizeof family);
  const size_t max = addr.size() - sizeof family;
  return std::string(p, strnlen(p, max));
}

}  // namespace

// What one notification asked, copied while the caller waits.
struct Observer::Decoded {
  Attempt attempt;
  bool network = false;  // refused by answering EPERM (the network is off)
  bool watched = false;  // a call this observer knows
};

Observer::Observer(RefusalModel model, const FileSystem& fs,
                   std::function<void(const Denial&)> on_new)
    : model_(std::move(model)),
      fs_(std::make_unique<CachingFileSystem>(fs)),
      on_new_(std::move(on_new)) {}

Observer::~Observer() = default;

Status Observer::open_channel() {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    return sys_error("socketpair (denial observer)");
  }
  channel_.reset();
  child_.reset();
  channel_.fd = sv[0];
  // Numbered 10 or higher, so the sandbox side's dup2 onto its low descriptors cannot
  // clobber it (the launchers dup2 it to a fixed number, which also clears close-on-exec).
  child_.fd = ::fcntl(sv[1], F_DUPFD_CLOEXEC, 10);
  ::close(sv[1]);
  if (child_.fd < 0) return sys_error("fcntl (denial observer)");
  seccomp_notif_sizes sizes{};
  if (::syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) == 0) {
    notif_size_ = std::max<size_t>(sizes.seccomp_notif, sizeof(seccomp_notif));
    resp_size_ = std::max<size_t>(sizes.seccomp_notif_resp, sizeof(seccomp_notif_resp));
  } else {
    notif_size_ = sizeof(seccomp_notif);
    resp_size_ = sizeof(seccomp_notif_resp);
  }
  notif_.reset(new char[notif_size_]);
  resp_.reset(new char[resp_size_]);
  return Ok{};
}

void Observer::on_channel() {
  char byte = 0;
  iovec io{&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &io;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do {
    n = ::recvmsg(channel_.fd, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  if (n < 0 && errno == EAGAIN) return;
  if (n > 0) {
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
          c->cmsg_len == CMSG_LEN(sizeof(int)) && listener_.fd < 0) {
        std::memcpy(&listener_.fd, CMSG_DATA(c), sizeof(int));
        // Best effort: older kernels lack it, and it only saves time.
        ::ioctl(listener_.fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);
      }
    }
  }
  // One listener per run: the channel has done its job, or the sandbox gave up on it.
  if (listener_.fd < 0) unavailable_ = true;
  channel_.reset();
}

bool Observer::decode(const void* notif_buf, Decoded& out) {
  const auto* n = static_cast<const seccomp_notif*>(notif_buf);
  const pid_t pid = static_cast<pid_t>(n->pid);
  const auto& a = n->data.args;
  Attempt& at = out.attempt;
  at.pid = pid;
  // Which arguments hold the paths: dirfd index (-1: relative to the cwd) and path index.
  int dir1 = -1, path1 = -1, dir2 = -1, path2 = -1;
  std::string unix_path;  // a Unix socket's path in connect/bind/sendto
  out.watched = true;
  switch (n->data.nr) {
#ifdef __NR_open
    case __NR_open:
      at.call = Call::Open, path1 = 0, at.flags = a[1];
      break;
#endif
#ifdef __NR_creat
    case __NR_creat:
      at.call = Call::Open, path1 = 0, at.flags = O_CREAT | O_WRONLY | O_TRUNC;
      break;
#endif
    case __NR_openat:
      at.call = Call::Open, dir1 = 0, path1 = 1, at.flags = a[2];
      break;
#ifdef __NR_openat2
    case __NR_openat2: {
      at.call = Call::Open, dir1 = 0, path1 = 1;
      uint64_t flags = 0;
      if (read_memory(pid, a[2], reinterpret_cast<char*>(&flags), sizeof flags) != sizeof flags) {
        flags = O_WRONLY;  // unreadable: assume the worst, the classifier checks the rest
      }
      at.flags = flags;
      break;
    }
#endif
#ifdef __NR_mkdir
    case __NR_mkdir:
      at.call = Call::Mkdir, path1 = 0;
      break;
#endif
    case __NR_mkdirat:
      at.call = Call::Mkdir, dir1 = 0, path1 = 1;
      break;
#ifdef __NR_mknod
    case __NR_mknod:
      at.call = Call::Mknod, path1 = 0;
      break;
#endif
    case __NR_mknodat:
      at.call = Call::Mknod, dir1 = 0, path1 = 1;
      break;
#ifdef __NR_unlink
    case __NR_unlink:
      at.call = Call::Unlink, path1 = 0;
      break;
#endif
    case __NR_unlinkat:
      at.call = (a[2] & AT_REMOVEDIR) != 0 ? Call::Rmdir : Call::Unlink, dir1 = 0, path1 = 1;
      at.flags = a[2];
      break;
#ifdef __NR_rmdir
    case __NR_rmdir:
      at.call = Call::Rmdir, path1 = 0;
      break;
#endif
#ifdef __NR_rename
    case __NR_rename:
      at.call = Call::Rename, path1 = 0, path2 = 1;
      break;
#endif
#ifdef __NR_renameat
    case __NR_renameat:
#endif
    case __NR_renameat2:
      at.call = Call::Rename, dir1 = 0, path1 = 1, dir2 = 2, path2 = 3;
      if (n->data.nr == __NR_renameat2) at.flags = a[4];  // RENAME_NOREPLACE, RENAME_EXCHANGE
      break;
#ifdef __NR_link
    case __NR_link:
      at.call = Call::Link, path1 = 0, path2 = 1;
      break;
#endif
    case __NR_linkat:
      at.call = Call::Link, dir1 = 0, path1 = 1, dir2 = 2, path2 = 3;
      break;
#ifdef __NR_symlink
    case __NR_symlink:
      at.call = Call::Symlink, path1 = 1;
      break;
#endif
    case __NR_symlinkat:
      at.call = Call::Symlink, dir1 = 1, path1 = 2;
      break;
    case __NR_truncate:
      at.call = Call::Truncate, path1 = 0;
      break;
    case __NR_socket:
    case __NR_socketpair:
      out.network = true;
      at.call = Call::Socket;
      at.address = describe_socket(a[0], a[1]);
      break;
    case __NR_connect:
    case __NR_bind: {
      out.network = true;
      at.call = n->data.nr == __NR_connect ? Call::Connect : Call::Bind;
      unsigned char addr[kMaxSockaddr];
      const size_t len = read_memory(pid, a[1], reinterpret_cast<char*>(addr),
                                     std::min<uint64_t>(a[2] & 0xffffffffu, sizeof addr));
      at.address = describe_sockaddr({addr, len});
      unix_path = socket_path({addr, len});
      break;
    }
    case __NR_sendto: {
      out.network = true;
      at.call = Call::Sendto;
      unsigned char addr[kMaxSockaddr];
      const size_t len = read_memory(pid, a[4], reinterpret_cast<char*>(addr),
                                     std::min<uint64_t>(a[5] & 0xffffffffu, sizeof addr));
      at.address = describe_sockaddr({addr, len});
      unix_path = socket_path({addr, len});
      break;
    }
    case __NR_listen:
    case __NR_accept:
    case __NR_accept4:
      out.network = true;
      at.call = n->data.nr == __NR_listen ? Call::Listen : Call::Accept;
      at.address = "socket " + std::to_string(static_cast<int>(a[0]));
      break;
    default:
      out.watched = false;
      return false;
  }
  // Relative paths start at the caller's cwd, or at the directory its dirfd names.
  auto full = [&](int dir_arg, int path_arg) -> std::optional<std::string> {
    auto p = read_string(pid, a[path_arg]);
    if (!p) return std::nullopt;
    if (!p->empty() && (*p)[0] == '/') return p;
    const int dirfd = dir_arg < 0 ? AT_FDCWD : static_cast<int>(a[dir_arg]);
    std::string base;
    if (dirfd == AT_FDCWD) {
      base = proc_link(pid, "cwd");
    } else {
      base = proc_link(pid, ("fd/" + std::to_string(dirfd)).c_str());
    }
    if (base.empty() || base[0] != '/') return std::nullopt;
    return join_path(base, *p);
  };
  // A Unix socket path is relative to the cwd like any other (the classifier asks whether
  // it exists: connecting to a missing one fails anyway, sandbox or not).
  if (!unix_path.empty()) {
    if (unix_path[0] == '/') {
      at.path = unix_path;
    } else if (std::string cwd = proc_link(pid, "cwd"); !cwd.empty() && cwd[0] == '/') {
      at.path = join_path(cwd, unix_path);
    }
  }
  if (path1 >= 0) {
    auto p = full(dir1, path1);
    if (!p) return false;
    at.path = std::move(*p);
  }
  if (path2 >= 0) {
    auto p = full(dir2, path2);
    if (!p) return false;
    at.path2 = std::move(*p);
  }
  return true;
}

void Observer::record(Decoded& d) {
  auto denial = classify(d.attempt, model_, *fs_);
  if (!denial) return;
  denial->exe = proc_link(d.attempt.pid, "exe");
  if (log_.add(std::move(*denial)) && on_new_) on_new_(log_.records().back());
}

void Observer::on_listener(short revents) {
  // Hung up with nothing waiting: every process of the sandbox is gone (a receive would
  // wait forever).
  if ((revents & POLLIN) == 0) {
    listener_.reset();
    return;
  }
  auto* notif = reinterpret_cast<seccomp_notif*>(notif_.get());
  auto* resp = reinterpret_cast<seccomp_notif_resp*>(resp_.get());
  for (;;) {
    std::memset(notif, 0, notif_size_);
    if (::ioctl(listener_.fd, SECCOMP_IOCTL_NOTIF_RECV, notif) != 0) {
      if (errno == EINTR) continue;
      // ENOENT: the caller went away before it was read. Anything else: give up on it.
      if (errno != ENOENT) listener_.reset();
      return;
    }
    Decoded d;
    // Classified while the caller still waits: the filesystem is as the call will find it,
    // and the caller (its executable, for the record) is still there.
    if (decode(notif, d)) record(d);
    std::memset(resp, 0, resp_size_);
    resp->id = notif->id;
    if (d.network || !d.watched) {
      // The network-off filter's refusal, made here (see the header). A call this observer
      // does not know is refused too: the filter only sends what it was built to send.
      resp->error = -EPERM;
    } else {
      resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    }
    while (::ioctl(listener_.fd, SECCOMP_IOCTL_NOTIF_SEND, resp) != 0 && errno == EINTR) {
    }
    return;
  }
}

}  // namespace cordon::sandbox::linux
