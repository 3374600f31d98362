// cordon - Landlock rulesets.
#include "sandbox/linux/landlock.h"

#include <fcntl.h>
#include <linux/landlock.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "sandbox/backend.h"

namespace cordon::sandbox::linux {
namespace {

// Constants newer than Debian 12's kernel headers (linux-libc-dev 6.1).
constexpr uint64_t kFsTruncate = 1ULL << 14;        // ABI 3
constexpr uint64_t kFsIoctlDev = 1ULL << 15;        // ABI 5
constexpr uint64_t kNetBindTcp = 1ULL << 0;         // ABI 4
constexpr uint64_t kNetConnectTcp = 1ULL << 1;      // ABI 4
constexpr uint64_t kScopeAbstractUnix = 1ULL << 0;  // ABI 6
constexpr uint64_t kScopeSignal = 1ULL << 1;        // ABI 6
#ifndef LANDLOCK_CREATE_RULESET_VERSION
#define LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#endif

// The ruleset attribute of ABI 6 (the header's struct has only the first field).
struct RulesetAttr {
  uint64_t handled_access_fs;
  uint64_t handled_access_net;
  uint64_t scoped;
};

constexpr uint64_t kRead =
    LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;

Status add_path(int ruleset, const std::string& path, uint64_t access, bool optional) {
  const int fd = ::open(path.c_str(), O_PATH | O_CLOEXEC);
  if (fd < 0) {
    if (optional && errno == ENOENT) return Ok{};
    return sys_error("landlock: cannot open " + path);
  }
  // Rights on a file (not a directory) are limited to those that apply to files.
  struct landlock_path_beneath_attr attr {};
  attr.parent_fd = fd;
  attr.allowed_access = access;
  int rc = static_cast<int>(
      ::syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &attr, 0));
  if (rc != 0 && errno == EINVAL) {
    attr.allowed_access = access & (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |
                                    LANDLOCK_ACCESS_FS_READ_FILE | kFsTruncate | kFsIoctlDev);
    rc = static_cast<int>(
        ::syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &attr, 0));
  }
  const int e = errno;
  ::close(fd);
  if (rc != 0) return sys_error("landlock: cannot add a rule for " + path, e);
  return Ok{};
}

// The file-system rights cordon handles at this ABI (every right the ABI knows).
uint64_t landlock_handled_fs(int abi) {
  uint64_t fs = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;  // ABI 1: bits 0..12
  if (abi >= 2) fs |= LANDLOCK_ACCESS_FS_REFER;
  if (abi >= 3) fs |= kFsTruncate;
  if (abi >= 5) fs |= kFsIoctlDev;
  return fs;
}

}  // namespace

int landlock_query() {
  const long v =
      ::syscall(SYS_landlock_create_ruleset, nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION);
  return v > 0 ? static_cast<int>(v) : -errno;
}

int landlock_abi() {
  const int v = landlock_query();
  return v > 0 ? v : 0;
}

Result<Fd> make_landlock_ruleset(const SandboxPlan& plan, int abi) {
  if (abi <= 0) return Error{"landlock: this kernel has no Landlock"};
  RulesetAttr attr{};
  attr.handled_access_fs = landlock_handled_fs(abi);
  size_t size = sizeof attr.handled_access_fs;
  if (abi >= 4) {
    if (plan.network == NetworkMode::Off) attr.handled_access_net = kNetBindTcp | kNetConnectTcp;
    size = sizeof attr.handled_access_fs + sizeof attr.handled_access_net;
  }
  if (abi >= 6) {
    attr.scoped = kScopeSignal;
    if (plan.network == NetworkMode::Off) attr.scoped |= kScopeAbstractUnix;
    size = sizeof attr;
  }
  Fd ruleset(static_cast<int>(::syscall(SYS_landlock_create_ruleset, &attr, size, 0)));
  if (ruleset.fd < 0) return sys_error("landlock: cannot create a ruleset");
  ::fcntl(ruleset.fd, F_SETFD, FD_CLOEXEC);

  const uint64_t all = attr.handled_access_fs;
  const bool restricted = !plan.mounts.empty() && plan.mounts[0].kind == MountOp::Kind::EmptyRoot;
  if (!restricted) {
    if (auto s = add_path(ruleset.fd, "/", kRead, false); !s) return s.error();
  } else {
    // Restricted reads: only what the plan binds (the namespace backends give fresh /dev
    // and /proc; here the host's are readable).
    for (const char* pseudo : {"/dev", "/proc"}) {
      if (auto s = add_path(ruleset.fd, pseudo, kRead, true); !s) return s.error();
    }
    for (const MountOp& m : plan.mounts) {
      if (m.kind != MountOp::Kind::RoBind) continue;
      if (auto s = add_path(ruleset.fd, m.path, kRead, true); !s) return s.error();
    }
  }
  for (const MountOp& m : plan.mounts) {
    if (m.kind != MountOp::Kind::Bind) continue;
    if (auto s = add_path(ruleset.fd, m.path, all, false); !s) return s.error();
  }
  const uint64_t device = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE |
                          (all & (kFsTruncate | kFsIoctlDev));
  for (const char* dev : kLandlockWritableDevices) {
    if (auto s = add_path(ruleset.fd, dev, device, true); !s) return s.error();
  }
  return ruleset;
}

int landlock_restrict(int ruleset_fd) {
  return ::syscall(SYS_landlock_restrict_self, ruleset_fd, 0) == 0 ? 0 : errno;
}

}  // namespace cordon::sandbox::linux
