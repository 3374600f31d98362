// cordon - the native backend.
#include "sandbox/linux/launch_native.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include "sandbox/linux/caps.h"
#include "sandbox/linux/limits.h"
#include "sandbox/linux/mount_stubs.h"
#include "sandbox/linux/native_layout.h"
#include "sandbox/linux/observer.h"
#include "sandbox/linux/sandbox_init.h"
#include "sandbox/linux/seccomp_programs.h"
#include "util/cstrings.h"
#include "util/exit_codes.h"
#include "util/fd.h"
#include "util/filesystem.h"
#include "util/io.h"

namespace cordon::sandbox::linux {
namespace {

// The steps of the cloned process, reported with an errno when one fails.
enum Step : int {
  kParentGone = 1,
  kSetgroups,
  kUidMap,
  kGidMap,
  kPrivate,
  kOpenTree,
  kReadOnlyRoot,
  kSetattr,
  kMoveMount,
  kDevTmpfs,
  kDevNode,
  kDevLink,
  kDevDir,
  kDevpts,
  kProc,
  kProcMask,
  kMaskSource,
  kMaskCopy,
  kMaskSourceGone,
  kEmptyRoot,
  kMountPoint,
  kSymlink,
  kMaskDir,
  kMaskFile,
  kSealMask,
  kSealRoot,
  kPivot,
  kOldRoot,
  kChdir,
  kLimits,
  kSetsid,
  kCaps,
  kCapsLeft,
  kNoNewPrivs,
  kSeccomp,
  kStatusPipe,
  kNamespaces,
};

struct Failure {
  char tag = 'F';
  int step = 0;
  int err = 0;
  int index = -1;  // the mount op (or device) concerned
};

constexpr int kStatusFd = 3;    // in the cloned process, once everything else is closed
constexpr int kObserverFd = 4;  // the denial observer's channel, when observed
constexpr const char* kDevNodes[] = {"null", "zero", "full", "random", "urandom", "tty"};
constexpr size_t kDevCount = sizeof kDevNodes / sizeof kDevNodes[0];
constexpr const char* kDevLinks[][2] = {
    {"fd", "/proc/self/fd"},       {"stdin", "/proc/self/fd/0"}, {"stdout", "/proc/self/fd/1"},
    {"stderr", "/proc/self/fd/2"}, {"ptmx", "pts/ptmx"},         {"core", "/proc/kcore"}};
constexpr const char* kProcMasked[] = {"sys", "sysrq-trigger", "irq", "bus"};

// The network and ipc namespaces are the costliest part of the setup (a network namespace
// registers its loopback device and hundreds of sysctls). A helper that shares pid 1's memory
// and file table asks the kernel for them while pid 1 builds the mounts; pid 1 then enters
// them through the file descriptors the helper left in the shared table.
struct NsJob {
  int flags = 0;    // CLONE_NEWIPC, and CLONE_NEWNET when the network is off
  int done_w = -1;  // one byte when finished
  int ipc_fd = -1;  // out
  int net_fd = -1;  // out
  int err = 0;      // out: errno on failure
};

int open_ns(const char* path, int* err) {
  const long fd = ::syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) *err = errno;
  return static_cast<int>(fd);
}

int ns_main(void* arg) {
  auto* job = static_cast<NsJob*>(arg);
  if (::syscall(SYS_unshare, job->flags) != 0) {
    job->err = errno;
  } else {
    job->ipc_fd = open_ns("/proc/self/ns/ipc", &job->err);
    if ((job->flags & CLONE_NEWNET) != 0) job->net_fd = open_ns("/proc/self/ns/net", &job->err);
  }
  const char done = 1;
  ::syscall(SYS_write, job->done_w, &done, 1);
  return 0;
}

// Everything the cloned process needs, prepared (and allocated) by the launcher.
struct Prepared {
  const SandboxPlan* plan = nullptr;
  NativeLayout layout;  // where each op goes, and the mount points to make for it
  // Per mount op, written by the cloned process (its own copy): the copy of a bound tree or
  // of the empty file (MaskFile), or the tmpfs of a MaskDir until it is made read-only.
  std::vector<int> tree_fds;
  std::vector<std::string> dev_paths;       // per op with Kind::Dev: <path>/<node>, flattened
  std::vector<std::string> dev_link_paths;  // <path>/<link>, flattened
  std::vector<std::string> dev_dirs;        // <path>/shm, <path>/pts per Dev op
  std::vector<std::string> proc_paths;      // <path>/<masked> per Proc op
  int dev_fds[kDevCount] = {};
  std::string uid_map, gid_map;
  std::vector<char*> argv, envp;
  int cap_last_cap = 0;
  int status_w = -1;
  int observer_fd = -1;  // the denial observer's channel, or -1
  // The launcher writes one byte here once the mask directories exist (it makes them while
  // this process creates the network namespace); end of file means it went away.
  int go_r = -1;
  int go_w = -1;  // the launcher's end: closed here so only the launcher holds it
  // Stacks of the namespace helper and of the command until its execve. Left uninitialised:
  // only the pages a stack uses are ever touched.
  static constexpr size_t kStackSize = 64 * 1024;
  std::unique_ptr<char[]> ns_stack{new char[kStackSize]};
  std::unique_ptr<char[]> exec_stack{new char[kStackSize]};
  sigset_t forwarded{};
  sigset_t old_mask{};
};

[[noreturn]] void fail(const Prepared& p, Step step, int err, int index = -1) {
  Failure f;
  f.step = step;
  f.err = err;
  f.index = index;
  write_all(p.status_w, reinterpret_cast<const char*>(&f), sizeof f);
  ::_exit(exit_code::kSandboxSetup);
}

bool write_file(const char* path, const char* data) {
  int fd = ::open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const size_t n = std::strlen(data);
  const bool ok = ::write(fd, data, n) == static_cast<ssize_t>(n);
  ::close(fd);
  return ok;
}

int set_attrs(int dfd, const char* path, unsigned flags, uint64_t set) {
  struct mount_attr attr {};
  attr.attr_set = set;
  return ::mount_setattr(dfd, path, flags, &attr, sizeof attr);
}

// A detached copy of the mount tree at `path`, cloned before anything covers it.
int clone_tree(const char* path, bool recursive) {
  return ::open_tree(
      AT_FDCWD, path,
      OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_SYMLINK_NOFOLLOW | (recursive ? AT_RECURSIVE : 0));
}

bool attach(int fd, const char* path) {
  return ::move_mount(fd, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) == 0;
}

void build_dev(Prepared& p, size_t dev_index, size_t op) {
  const std::string& base = p.layout.ops[op].target;
  if (::mount("tmpfs", base.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0) {
    fail(p, kDevTmpfs, errno, static_cast<int>(op));
  }
  for (size_t i = 0; i < kDevCount; ++i) {
    if (p.dev_fds[i] < 0) continue;
    const char* path = p.dev_paths[dev_index * kDevCount + i].c_str();
    int fd = ::open(path, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0666);
    if (fd < 0) fail(p, kDevNode, errno, static_cast<int>(i));
    ::close(fd);
    if (!attach(p.dev_fds[i], path)) fail(p, kDevNode, errno, static_cast<int>(i));
    ::close(p.dev_fds[i]);
    p.dev_fds[i] = -1;
  }
  const size_t nlinks = sizeof kDevLinks / sizeof kDevLinks[0];
  for (size_t i = 0; i < nlinks; ++i) {
    if (::symlink(kDevLinks[i][1], p.dev_link_paths[dev_index * nlinks + i].c_str()) != 0) {
      fail(p, kDevLink, errno, static_cast<int>(op));
    }
  }
  const char* shm = p.dev_dirs[dev_index * 2].c_str();
  const char* pts = p.dev_dirs[dev_index * 2 + 1].c_str();
  if (::mkdir(shm, 0755) != 0 || ::mkdir(pts, 0755) != 0) {
    fail(p, kDevDir, errno, static_cast<int>(op));
  }
  if (::mount("devpts", pts, "devpts", MS_NOSUID | MS_NOEXEC,
              "newinstance,ptmxmode=0666,mode=620") != 0) {
    fail(p, kDevpts, errno, static_cast<int>(op));
  }
}

void build_proc(Prepared& p, size_t proc_index, size_t op) {
  const std::string& base = p.layout.ops[op].target;
  if (::mount("proc", base.c_str(), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) {
    fail(p, kProc, errno, static_cast<int>(op));
  }
  const size_t n = sizeof kProcMasked / sizeof kProcMasked[0];
  for (size_t i = 0; i < n; ++i) {
    const char* path = p.proc_paths[proc_index * n + i].c_str();
    int fd = clone_tree(path, true);
    if (fd < 0 && errno == ENOENT) continue;
    if (fd < 0 ||
        set_attrs(fd, "", AT_EMPTY_PATH | AT_RECURSIVE,
                  MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC) !=
            0 ||
        !attach(fd, path)) {
      fail(p, kProcMask, errno, static_cast<int>(op));
    }
    ::close(fd);
  }
}

constexpr uint64_t kMaskAttrs =
    MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;

// Op i's mount point, made in the tmpfs it lies in (the empty root or a MaskDir), or op i
// itself when it is a recreated symlink. Nothing is made for a path inside a bind.
void make_point(Prepared& p, size_t i) {
  const OpLayout& l = p.layout.ops[i];
  const int index = static_cast<int>(i);
  for (const std::string& dir : l.parents) {
    if (::mkdir(dir.c_str(), l.dir_mode) != 0) fail(p, kMountPoint, errno, index);
  }
  const char* target = l.target.c_str();
  switch (l.leaf) {
    case OpLayout::Leaf::Existing:
      break;
    case OpLayout::Leaf::Directory:
      if (::mkdir(target, l.dir_mode) != 0) fail(p, kMountPoint, errno, index);
      break;
    case OpLayout::Leaf::File:
      if (::mknod(target, S_IFREG | 0444, 0) != 0) fail(p, kMountPoint, errno, index);
      break;
    case OpLayout::Leaf::Symlink:
      if (::symlink(l.link.c_str(), target) != 0) fail(p, kSymlink, errno, index);
      break;
  }
}

// Copies of the empty file (mode 0000) that hides each MaskFile op's path, taken from a
// small tmpfs mounted on the scratch directory for the moment it takes.
void copy_mask_files(Prepared& p) {
  const auto& ops = p.plan->mounts;
  const char* scratch = p.layout.scratch.c_str();
  if (::mount("tmpfs", scratch, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0700,size=16k") !=
      0) {
    fail(p, kMaskSource, errno);
  }
  const int fd =
      ::open(p.layout.mask_source.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0);
  if (fd < 0) fail(p, kMaskSource, errno);
  ::close(fd);
  for (size_t i = 1; i < ops.size(); ++i) {
    if (ops[i].kind != MountOp::Kind::MaskFile) continue;
    p.tree_fds[i] = clone_tree(p.layout.mask_source.c_str(), false);
    if (p.tree_fds[i] < 0 || set_attrs(p.tree_fds[i], "", AT_EMPTY_PATH, kMaskAttrs) != 0) {
      fail(p, kMaskCopy, errno, static_cast<int>(i));
    }
  }
  if (::umount2(scratch, MNT_DETACH) != 0) fail(p, kMaskSourceGone, errno);
}

// The filesystem view, in the new mount namespace.
void build_mounts(Prepared& p) {
  const auto& ops = p.plan->mounts;
  const bool empty_root = p.layout.empty_root;
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) fail(p, kPrivate, errno);
  // Copies of every bound path, taken from the host's view before anything is covered.
  bool has_dev = false, has_mask_file = false;
  for (size_t i = 1; i < ops.size(); ++i) {
    const MountOp& m = ops[i];
    if (m.kind == MountOp::Kind::Dev) has_dev = true;
    if (m.kind == MountOp::Kind::MaskFile) has_mask_file = true;
    if (m.kind != MountOp::Kind::Bind && m.kind != MountOp::Kind::RoBind &&
        m.kind != MountOp::Kind::StubMask) {
      continue;
    }
    if (p.layout.ops[i].leaf == OpLayout::Leaf::Symlink) continue;
    p.tree_fds[i] = clone_tree(m.path.c_str(), true);
    if (p.tree_fds[i] < 0) {
      // A stub this user could not create: the command cannot create the path either.
      if (m.kind == MountOp::Kind::StubMask && errno == ENOENT) continue;
      fail(p, kOpenTree, errno, static_cast<int>(i));
    }
  }
  for (size_t i = 0; i < kDevCount; ++i) {
    p.dev_fds[i] = -1;
    if (!has_dev) continue;
    char path[32] = "/dev/";
    std::strncat(path, kDevNodes[i], sizeof path - 6);
    p.dev_fds[i] = clone_tree(path, false);
    if (p.dev_fds[i] < 0 && errno != ENOENT) fail(p, kDevNode, errno, static_cast<int>(i));
  }
  if (has_mask_file) copy_mask_files(p);

  // The host's tree read-only: the view itself, or (with an empty root) what the setup
  // below walks through before it is detached, so nothing it makes can land on the host.
  if (set_attrs(AT_FDCWD, "/", AT_RECURSIVE, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID) != 0) {
    fail(p, kReadOnlyRoot, errno, 0);
  }
  int root_fd = -1;
  if (empty_root) {
    const char* scratch = p.layout.scratch.c_str();
    if (::mount("tmpfs", scratch, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m") != 0) {
      fail(p, kEmptyRoot, errno);
    }
    root_fd = ::open(scratch, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root_fd < 0) fail(p, kEmptyRoot, errno);
  }
  // Mount points are made with exactly the modes native_layout() chose.
  const mode_t old_umask = ::umask(0);
  size_t dev_index = 0, proc_index = 0;
  for (size_t i = 1; i < ops.size(); ++i) {
    const MountOp& m = ops[i];
    const char* target = p.layout.ops[i].target.c_str();
    const int index = static_cast<int>(i);
    switch (m.kind) {
      case MountOp::Kind::Bind:
      case MountOp::Kind::RoBind:
      case MountOp::Kind::StubMask: {
        if (p.layout.ops[i].leaf == OpLayout::Leaf::Symlink) {
          make_point(p, i);
          break;
        }
        const int fd = p.tree_fds[i];
        if (fd < 0) continue;
        const uint64_t attrs = m.kind == MountOp::Kind::Bind
                                   ? MOUNT_ATTR_NOSUID
                                   : MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID;
        if (set_attrs(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, attrs) != 0) {
          fail(p, kSetattr, errno, index);
        }
        make_point(p, i);
        if (!attach(fd, target)) fail(p, kMoveMount, errno, index);
        ::close(fd);
        break;
      }
      case MountOp::Kind::MaskFile:
        make_point(p, i);
        if (!attach(p.tree_fds[i], target)) fail(p, kMaskFile, errno, index);
        ::close(p.tree_fds[i]);
        p.tree_fds[i] = -1;
        break;
      case MountOp::Kind::MaskDir:
        make_point(p, i);
        if (::mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                    "mode=0555,size=1m") != 0) {
          fail(p, kMaskDir, errno, index);
        }
        // Kept until the ops nested in it have their mount points in it.
        p.tree_fds[i] = ::open(target, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (p.tree_fds[i] < 0) fail(p, kMaskDir, errno, index);
        break;
      case MountOp::Kind::Dev:
        make_point(p, i);
        build_dev(p, dev_index++, i);
        break;
      case MountOp::Kind::Proc:
        // Mounted while the host's /proc is still in view: the kernel allows a new proc
        // only where one is fully visible already.
        make_point(p, i);
        build_proc(p, proc_index++, i);
        break;
      case MountOp::Kind::EmptyRoot:  // the first op only (native_layout() checks)
        break;
    }
  }
  ::umask(old_umask);
  for (size_t i = 1; i < ops.size(); ++i) {
    if (ops[i].kind != MountOp::Kind::MaskDir) continue;
    if (set_attrs(p.tree_fds[i], "", AT_EMPTY_PATH, MOUNT_ATTR_RDONLY) != 0) {
      fail(p, kSealMask, errno, static_cast<int>(i));
    }
    ::close(p.tree_fds[i]);
    p.tree_fds[i] = -1;
  }
  if (!empty_root) return;
  if (set_attrs(root_fd, "", AT_EMPTY_PATH, MOUNT_ATTR_RDONLY) != 0) fail(p, kSealRoot, errno);
  // The empty root becomes "/", and the host's tree, stacked under it, goes away.
  if (::fchdir(root_fd) != 0 || ::syscall(SYS_pivot_root, ".", ".") != 0) {
    fail(p, kPivot, errno);
  }
  if (::umount2(".", MNT_DETACH) != 0 || ::chdir("/") != 0) fail(p, kOldRoot, errno);
  ::close(root_fd);
}

// The cloned process: pid 1 of the new namespaces. Never returns.
[[noreturn]] void sandbox_main(Prepared& p) {
  // Die with the launcher; if it is already gone, stop here.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  ::close(p.go_w);
  // The ipc and network namespaces are made here rather than in clone(), by a helper that
  // runs beside the uid map, the launcher's mask directories and the mounts.
  NsJob job;
  job.flags = CLONE_NEWIPC | (p.plan->network == NetworkMode::Off ? CLONE_NEWNET : 0);
  int ns_done[2] = {-1, -1};
  if (::pipe2(ns_done, O_CLOEXEC) != 0) fail(p, kNamespaces, errno);
  job.done_w = ns_done[1];
  char* stack_top = p.ns_stack.get() + Prepared::kStackSize;
  const pid_t ns_helper = ::clone(ns_main, stack_top, CLONE_VM | CLONE_FILES | SIGCHLD, &job);
  if (ns_helper < 0) fail(p, kNamespaces, errno);
  {
    // A new task starts on its parent's CPU; move the helper to another one so it really
    // runs beside the mounts (best effort: a single CPU just runs them one after the other).
    cpu_set_t cpus;
    const int here = sched_getcpu();
    if (here >= 0 && ::sched_getaffinity(0, sizeof cpus, &cpus) == 0 && CPU_COUNT(&cpus) > 1) {
      CPU_CLR(here, &cpus);
      ::sched_setaffinity(ns_helper, sizeof cpus, &cpus);
    }
  }
  if (!write_file("/proc/self/setgroups", "deny")) fail(p, kSetgroups, errno);
  if (!write_file("/proc/self/uid_map", p.uid_map.c_str())) fail(p, kUidMap, errno);
  if (!write_file("/proc/self/gid_map", p.gid_map.c_str())) fail(p, kGidMap, errno);
  char go = 0;
  ssize_t got;
  do {
    got = ::read(p.go_r, &go, 1);
  } while (got < 0 && errno == EINTR);
  if (got != 1 || go != 'G') fail(p, kParentGone, 0);
  build_mounts(p);
  {
    char done = 0;
    while (::read(ns_done[0], &done, 1) < 0 && errno == EINTR) {
    }
    int st;
    while (::waitpid(ns_helper, &st, 0) < 0 && errno == EINTR) {
    }
    if (job.err != 0 || job.ipc_fd < 0) fail(p, kNamespaces, job.err != 0 ? job.err : EIO);
    if (::setns(job.ipc_fd, CLONE_NEWIPC) != 0) fail(p, kNamespaces, errno);
    if (job.net_fd >= 0 && ::setns(job.net_fd, CLONE_NEWNET) != 0) fail(p, kNamespaces, errno);
    ::close(job.ipc_fd);
    if (job.net_fd >= 0) ::close(job.net_fd);
    ::close(ns_done[0]);
    ::close(ns_done[1]);
  }
  if (::chdir(p.plan->cwd.c_str()) != 0) fail(p, kChdir, errno);
  const char* failed_limit = nullptr;
  if (int e = apply_limits(p.plan->limits, &failed_limit); e != 0) fail(p, kLimits, e);
  if (::setsid() < 0) fail(p, kSetsid, errno);
  if (int e = drop_all_capabilities(p.cap_last_cap); e != 0) fail(p, kCaps, e);
  if (any_capability()) fail(p, kCapsLeft, 0);

  // The command gets stdin, stdout and stderr and nothing else the launcher had open.
  if (::dup2(p.status_w, kStatusFd) < 0) fail(p, kStatusPipe, errno);
  p.status_w = kStatusFd;
  ::fcntl(kStatusFd, F_SETFD, FD_CLOEXEC);
  if (p.observer_fd >= 0) {
    if (::dup2(p.observer_fd, kObserverFd) < 0) fail(p, kStatusPipe, errno);
    p.observer_fd = kObserverFd;
  }
  ::syscall(SYS_close_range,
            static_cast<unsigned>(p.observer_fd >= 0 ? kObserverFd : kStatusFd) + 1, ~0u, 0u);

  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail(p, kNoNewPrivs, errno);
  if (int e = load_filter(p.plan->seccomp, p.observer_fd, p.plan->watch_reads); e != 0) {
    fail(p, kSeccomp, e);
  }
  write_all(kStatusFd, "R");
  Verdict v;
  v.status = run_as_init(p.argv.data(), p.envp.data(), p.forwarded, p.old_mask,
                         std::span<char>(p.exec_stack.get(), Prepared::kStackSize));
  // Nothing of the command may outlive the verdict: stop and reap the rest of the namespace.
  ::kill(-1, SIGKILL);
  int st;
  while (::waitpid(-1, &st, 0) > 0 || errno == EINTR) {
  }
  ::getrusage(RUSAGE_CHILDREN, &v.usage);
  write_all(kStatusFd, reinterpret_cast<const char*>(&v), sizeof v);
  ::_exit(v.status);
}

std::string op_path(const SandboxPlan& plan, int index) {
  if (index < 0 || static_cast<size_t>(index) >= plan.mounts.size()) return "?";
  return plan.mounts[static_cast<size_t>(index)].path;
}

std::string describe_failure(const SandboxPlan& plan, const NativeLayout& layout,
                             const Failure& f) {
  const std::string e = f.err != 0 ? std::string(": ") + std::strerror(f.err) : std::string();
  const std::string bwrap = "; --backend bwrap may work where the native backend does not";
  switch (f.step) {
    case kParentGone:
      return "cordon went away while the sandbox was starting";
    case kSetgroups:
    case kUidMap:
    case kGidMap:
      return "user namespace: cannot write the uid/gid map" + e;
    case kPrivate:
      if (f.err == EPERM || f.err == EACCES) {
        return "user namespace: it was created but grants no privileges (on Ubuntu 24.04 and "
               "other systems, AppArmor's kernel.apparmor_restrict_unprivileged_userns = 1 does "
               "this); cannot set up the mounts" +
               e;
      }
      return "mount namespace: cannot make the mounts private" + e;
    case kOpenTree:
      return "mounts: cannot take a copy of " + op_path(plan, f.index) + e;
    case kReadOnlyRoot:
      return "mounts: cannot make / read-only (mount_setattr needs Linux 5.12 or newer)" + e;
    case kSetattr:
      return "mounts: cannot set the mount flags of " + op_path(plan, f.index) + e;
    case kMoveMount:
      return "mounts: cannot mount " + op_path(plan, f.index) + e;
    case kDevTmpfs:
      return "mounts: cannot mount a tmpfs on " + op_path(plan, f.index) + e;
    case kDevNode:
      return std::string("mounts: cannot provide /dev/") +
             (f.index >= 0 && static_cast<size_t>(f.index) < kDevCount ? kDevNodes[f.index] : "?") +
             e;
    case kDevLink:
    case kDevDir:
      return "mounts: cannot populate " + op_path(plan, f.index) + e;
    case kDevpts:
      return "mounts: cannot mount devpts on " + op_path(plan, f.index) + "/pts" + e;
    case kProc:
      return "mounts: cannot mount a fresh proc on " + op_path(plan, f.index) +
             " (the kernel refuses it when the host's /proc is partly hidden, as in some "
             "containers)" +
             e;
    case kProcMask:
      return "mounts: cannot make parts of " + op_path(plan, f.index) + " read-only" + e;
    case kMaskSource:
      return "mounts: cannot make the empty file that hides deny-read files, in a tmpfs on " +
             layout.scratch + e + bwrap;
    case kMaskCopy:
      return "mounts: cannot take a copy of the empty file to hide " + op_path(plan, f.index) + e +
             " (open_tree and mount_setattr need Linux 5.12 or newer)" + bwrap;
    case kMaskSourceGone:
      return "mounts: cannot unmount the tmpfs the sandbox put on " + layout.scratch + e + bwrap;
    case kEmptyRoot:
      return "mounts: cannot mount the tmpfs for the empty root (the profile does not let the "
             "command read \":root\") on " +
             layout.scratch + e + bwrap;
    case kMountPoint: {
      std::string where = "the empty root";
      if (f.index >= 0 && static_cast<size_t>(f.index) < layout.ops.size()) {
        const int c = layout.ops[static_cast<size_t>(f.index)].container;
        if (c > 0) where = "the empty directory that hides " + op_path(plan, c);
      }
      return "mounts: cannot create the mount point for " + op_path(plan, f.index) + " in " +
             where + e +
             (f.err == EEXIST ? " (two entries of the profile meet there: is a path above it a "
                                "symlink?)"
                              : bwrap);
    }
    case kSymlink: {
      std::string link = "?";
      if (f.index >= 0 && static_cast<size_t>(f.index) < layout.ops.size()) {
        link = layout.ops[static_cast<size_t>(f.index)].link;
      }
      return "mounts: cannot recreate the symlink " + op_path(plan, f.index) + " -> " + link + e +
             "; grant the path it points to instead";
    }
    case kMaskDir:
      return "mounts: cannot hide the directory " + op_path(plan, f.index) +
             " behind an empty one (a tmpfs)" + e + bwrap;
    case kMaskFile:
      return "mounts: cannot hide " + op_path(plan, f.index) + " behind an empty file" + e +
             (f.err == EINVAL || f.err == ENOTDIR
                  ? " (is it a directory now? It was not one when the command started; run "
                    "it again)"
                  : "");
    case kSealMask:
      return "mounts: cannot make the empty directory that hides " + op_path(plan, f.index) +
             " read-only" + e + bwrap;
    case kSealRoot:
      return "mounts: cannot make the empty root read-only" + e + bwrap;
    case kPivot:
      return "mounts: cannot switch to the empty root (pivot_root)" + e +
             (f.err == EINVAL ? " (the kernel refuses it when / is not a mount point, as in a "
                                "chroot; let the profile read \":root\" there)"
                              : "");
    case kOldRoot:
      return "mounts: cannot detach the host's root from the sandbox" + e + bwrap;
    case kChdir:
      return "cannot change to " + plan.cwd + " inside the sandbox" + e +
             (layout.empty_root && f.err == ENOENT
                  ? " (the profile does not let the command read it; grant it \"read\" or "
                    "run from a directory the profile can read)"
                  : "");
    case kLimits:
      return "resource limits: cannot apply them" + e;
    case kSetsid:
      return "cannot start a new session" + e;
    case kCaps:
      return "capabilities: cannot drop them" + e;
    case kCapsLeft:
      return "capabilities: some remain after dropping them all; refusing to run the command";
    case kNoNewPrivs:
      return "no_new_privs: prctl failed" + e;
    case kSeccomp:
      return "seccomp: cannot load the filter" + e;
    case kStatusPipe:
      return "cannot set up the status pipe" + e;
    case kNamespaces:
      return "namespaces: cannot create the ipc or network namespace" + e;
  }
  return "unknown failure" + e;
}

std::optional<std::string> read_link(const std::string& path) {
  std::string buf(256, '\0');
  for (;;) {
    const ssize_t n = ::readlink(path.c_str(), buf.data(), buf.size());
    if (n < 0) return std::nullopt;
    if (static_cast<size_t>(n) < buf.size()) return buf.substr(0, static_cast<size_t>(n));
    buf.resize(buf.size() * 2);
  }
}

}  // namespace

Result<Finished> launch_native(const SandboxPlan& plan, const NativeLaunch& how,
                               bool* userns_refused) {
  *userns_refused = false;
  Prepared p;
  p.plan = &plan;
  auto layout = native_layout(plan, RealFileSystem(), read_link);
  if (!layout) return layout.error();
  p.layout = std::move(*layout);
  p.tree_fds.assign(plan.mounts.size(), -1);
  for (size_t i = 0; i < plan.mounts.size(); ++i) {
    const MountOp& m = plan.mounts[i];
    const std::string& at = p.layout.ops[i].target;
    if (m.kind == MountOp::Kind::Dev) {
      for (const char* n : kDevNodes) p.dev_paths.push_back(at + "/" + n);
      for (const auto& l : kDevLinks) p.dev_link_paths.push_back(at + "/" + l[0]);
      p.dev_dirs.push_back(at + "/shm");
      p.dev_dirs.push_back(at + "/pts");
    } else if (m.kind == MountOp::Kind::Proc) {
      for (const char* n : kProcMasked) p.proc_paths.push_back(at + "/" + n);
    }
  }
  p.uid_map = std::to_string(::geteuid()) + " " + std::to_string(::geteuid()) + " 1\n";
  p.gid_map = std::to_string(::getegid()) + " " + std::to_string(::getegid()) + " 1\n";
  std::vector<std::string> argv_s = plan.argv;
  std::vector<std::string> env_s = apply_env(how.environment, plan.env);
  p.argv = c_strings(argv_s);
  p.envp = c_strings(env_s);
  p.cap_last_cap = read_cap_last_cap();

  Fd status_r, status_w, go_r, go_w;
  if (auto s = make_pipe(status_r, status_w); !s) return s.error();
  if (auto s = make_pipe(go_r, go_w); !s) return s.error();
  p.status_w = status_w.fd;
  p.observer_fd = how.observer != nullptr ? how.observer->child_end() : -1;
  p.go_r = go_r.fd;
  p.go_w = go_w.fd;

  auto relay = SignalRelay::start();
  if (!relay) return relay.error();
  p.forwarded = relay->blocked();
  p.old_mask = relay->old_mask();

  // The ipc and network namespaces follow in the sandbox (see NsJob).
  const unsigned long flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | SIGCHLD;
  // fork() semantics (no new stack): the child runs on a copy of this stack.
  const long pid = ::syscall(SYS_clone, flags, nullptr, nullptr, nullptr, 0);
  if (pid < 0) {
    const int e = errno;
    if (e == EPERM || e == EINVAL || e == ENOSPC || e == EUSERS || e == EACCES) {
      *userns_refused = true;
      return Error{
          "the kernel refused to create the sandbox's namespaces (user namespaces may "
          "be disabled or restricted, as by AppArmor on Ubuntu 24.04)",
          e};
    }
    return sys_error("clone", e);
  }
  if (pid == 0) sandbox_main(p);

  status_w.reset();
  go_r.reset();
  if (how.observer != nullptr) how.observer->close_child_end();
  // Protected paths to hold steady for the whole run, and masks for the missing ones; made
  // while the sandbox creates its network namespace.
  std::vector<std::string> guard;
  for (const auto& root : plan.writable_roots) {
    for (const auto& pp : root.protected_paths) {
      if (pp.kind == policy::ProtectedPath::Kind::Existing) guard.push_back(pp.path);
    }
  }
  auto stubs = MountStubs::prepare(plan.stubs, guard, MountStubs::Janitor::Later);
  if (!stubs) {
    ::kill(static_cast<pid_t>(pid), SIGKILL);
    int st;
    ::waitpid(static_cast<pid_t>(pid), &st, 0);
    return Error{"protected paths: " + stubs.error().describe()};
  }
  write_all(go_w.fd, "G");
  go_w.reset();
  // The janitor (for when cordon is killed) starts while the sandbox builds its mounts.
  stubs->start_janitor();
  Watch w;
  w.pid = static_cast<pid_t>(pid);
  w.status_fd = status_r.fd;
  w.sandbox_pid = static_cast<pid_t>(pid);
  w.observer = how.observer;
  Outcome out = supervise(*relay, w);
  stubs->release();

  if (out.has_verdict()) return Finished{out.verdict().status, out.verdict().usage};
  if (out.ready()) return Finished{shell_status(out.wait_status), out.usage};
  if (out.status.size() >= sizeof(Failure) && out.status[0] == 'F') {
    Failure f;
    std::memcpy(&f, out.status.data(), sizeof f);
    const bool userns_step = f.step == kUidMap || f.step == kGidMap || f.step == kSetgroups ||
                             (f.step == kPrivate && (f.err == EPERM || f.err == EACCES));
    if (userns_step) *userns_refused = true;
    return Error{describe_failure(plan, p.layout, f)};
  }
  if (WIFSIGNALED(out.wait_status)) {
    return Error{"the sandbox was killed by signal " + std::to_string(WTERMSIG(out.wait_status)) +
                 " while it was being set up"};
  }
  return Error{"the sandbox ended with status " + std::to_string(WEXITSTATUS(out.wait_status)) +
               " while it was being set up"};
}

}  // namespace cordon::sandbox::linux
