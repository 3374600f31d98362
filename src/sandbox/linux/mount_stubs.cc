// cordon - mount stubs and their janitor.
#include "sandbox/linux/mount_stubs.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace cordon::sandbox::linux {
namespace {

constexpr int kMaxTries = 8;

bool same_inode(const char* path, dev_t dev, ino_t ino) {
  struct stat st {};
  return ::lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_dev == dev && st.st_ino == ino;
}

// Removes one stub once no run holds it. Async-signal-safe: used by the janitor.
void remove_when_unused(const char* path, dev_t dev, ino_t ino) {
  int fd = ::open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && st.st_dev == dev && st.st_ino == ino) {
    while (::flock(fd, LOCK_EX) != 0 && errno == EINTR) {
    }
    if (same_inode(path, dev, ino)) ::rmdir(path);
  }
  ::close(fd);
}

}  // namespace

MountStubs::~MountStubs() {
  release();
}

MountStubs::MountStubs(MountStubs&& o) noexcept
    : entries_(std::move(o.entries_)), janitor_pipe_(o.janitor_pipe_) {
  o.entries_.clear();
  o.janitor_pipe_ = -1;
}

Status MountStubs::hold(const std::string& path, bool planned_missing) {
  bool created = false;
  for (int attempt = 0; attempt < kMaxTries; ++attempt) {
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      if (errno != ENOENT) {
        if (!planned_missing && errno == ENOTDIR) return Ok{};  // a file: nothing to guard
        return sys_error("protected path " + path + ": cannot open it");
      }
      // Missing now, also when it existed as the plan was made (another run's mask,
      // removed since): it must be masked all the same.
      if (::mkdir(path.c_str(), 0755) == 0) {
        created = true;
        continue;
      }
      if (errno == EEXIST) continue;
      if (errno == EACCES || errno == EPERM || errno == EROFS) return Ok{};
      return sys_error("protected path " + path + ": cannot create its mask");
    }
    while (::flock(fd, LOCK_SH) != 0 && errno == EINTR) {
    }
    struct stat st {};
    if (::fstat(fd, &st) == 0 && same_inode(path.c_str(), st.st_dev, st.st_ino)) {
      entries_.push_back({path, fd, created, st.st_dev, st.st_ino});
      return Ok{};
    }
    // Removed by another run's clean-up between open and lock: try again.
    ::close(fd);
    created = false;
  }
  return Error{"protected path " + path + ": it keeps changing while cordon starts"};
}

Result<MountStubs> MountStubs::prepare(const std::vector<std::string>& stubs,
                                       const std::vector<std::string>& guard, Janitor janitor) {
  MountStubs m;
  Status st = Ok{};
  for (const auto& p : stubs) {
    if (st) st = m.hold(p, true);
  }
  for (const auto& p : guard) {
    if (st) st = m.hold(p, false);
  }
  // On failure at once: what was created so far must go, even while another run holds it.
  if (janitor == Janitor::Now || !st) m.start_janitor();
  if (!st) return st.error();
  return m;
}

void MountStubs::start_janitor() {
  if (janitor_pipe_ >= 0) return;
  bool any = false;
  for (const auto& e : entries_) any = any || e.created;
  if (!any) return;
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return;  // release() still cleans up on a normal exit
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(p[0]);
    ::close(p[1]);
    return;
  }
  if (pid == 0) {
    // Janitor: no allocation, only syscalls on data prepared before fork.
    ::setsid();
    for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE}) ::signal(s, SIG_IGN);
    int rd = p[0];
    if (rd != 0) {
      ::dup2(rd, 0);
      rd = 0;
    }
    ::syscall(SYS_close_range, 1u, ~0u, 0u);
    if (::chdir("/") != 0) {
    }
    char buf[64];
    for (;;) {
      ssize_t n = ::read(rd, buf, sizeof buf);
      if (n == 0 || (n < 0 && errno != EINTR)) break;
    }
    for (const auto& e : entries_) {
      if (e.created) remove_when_unused(e.path.c_str(), e.dev, e.ino);
    }
    ::_exit(0);
  }
  ::close(p[0]);
  janitor_pipe_ = p[1];
}

void MountStubs::release() {
  for (auto& e : entries_) {
    if (e.fd < 0) continue;
    if (e.created && ::flock(e.fd, LOCK_EX | LOCK_NB) == 0 &&
        same_inode(e.path.c_str(), e.dev, e.ino)) {
      ::rmdir(e.path.c_str());
    }
    ::close(e.fd);
    e.fd = -1;
  }
  entries_.clear();
  if (janitor_pipe_ >= 0) {
    ::close(janitor_pipe_);
    janitor_pipe_ = -1;
  }
}

}  // namespace cordon::sandbox::linux
