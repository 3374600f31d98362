// cordon - the seccomp filter rules.
#include "sandbox/linux/seccomp_filter.h"

#include <fcntl.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace cordon::sandbox::linux {
namespace {

struct Ctx {
  scmp_filter_ctx ctx = nullptr;
  ~Ctx() {
    if (ctx != nullptr) seccomp_release(ctx);
  }
};

// One argument comparison (the libseccomp macros trip clang's missing-initializer warning).
scmp_arg_cmp arg_cmp(unsigned arg, scmp_compare op, uint64_t a, uint64_t b = 0) {
  scmp_arg_cmp c{};
  c.arg = arg;
  c.op = op;
  c.datum_a = a;
  c.datum_b = b;
  return c;
}

Status check(int rc, const char* what) {
  if (rc == 0) return Ok{};
  return Error{std::string("seccomp: ") + what, -rc};
}

// The calls that can be refused for writing outside the writable roots, sent to the observer
// (which lets the kernel go on with them). Opens only with write intent: the flags are in a
// register, so read-only opens, by far the most frequent call, never leave the kernel.
// With `reads` (a plan with deny-read paths) every open goes: reading a hidden file is a
// refusal too.
Status add_observed_filesystem(Ctx& c, bool reads) {
  const uint32_t notify = SCMP_ACT_NOTIFY;
  // open(path, flags), openat(dirfd, path, flags): any of these flag bits is write intent.
  for (const auto& [sys, arg] : {std::pair{SCMP_SYS(open), 1u}, std::pair{SCMP_SYS(openat), 2u}}) {
    if (reads) {
      if (auto s = check(seccomp_rule_add(c.ctx, notify, sys, 0), "add an observed open rule");
          !s) {
        return s;
      }
      continue;
    }
    for (uint64_t bit :
         {uint64_t{O_WRONLY}, uint64_t{O_RDWR}, uint64_t{O_CREAT}, uint64_t{O_TRUNC}}) {
      if (auto s = check(
              seccomp_rule_add(c.ctx, notify, sys, 1, arg_cmp(arg, SCMP_CMP_MASKED_EQ, bit, bit)),
              "add an observed open rule");
          !s) {
        return s;
      }
    }
  }
  // openat2 keeps its flags in memory, out of the filter's reach: all of them (rare).
  for (int sys :
       {SCMP_SYS(openat2), SCMP_SYS(creat), SCMP_SYS(mkdir), SCMP_SYS(mkdirat), SCMP_SYS(mknod),
        SCMP_SYS(mknodat), SCMP_SYS(unlink), SCMP_SYS(unlinkat), SCMP_SYS(rmdir), SCMP_SYS(rename),
        SCMP_SYS(renameat), SCMP_SYS(renameat2), SCMP_SYS(link), SCMP_SYS(linkat),
        SCMP_SYS(symlink), SCMP_SYS(symlinkat), SCMP_SYS(truncate)}) {
    if (sys < 0) continue;  // not on this architecture
    if (auto s = check(seccomp_rule_add(c.ctx, notify, sys, 0), "add an observed rule"); !s)
      return s;
  }
  return Ok{};
}

// Builds the filter for `mode` into c. Observed: the filesystem calls above go to the
// observer, and the network refusals are made by the observer (it answers EPERM to every one
// of them; with no observer left, the kernel answers ENOSYS), because a refusal the filter
// makes itself is never seen by anyone.
Status build(Ctx& c, SeccompMode mode, bool observed, bool reads) {
  c.ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (c.ctx == nullptr) return Error{"seccomp: cannot initialise a filter"};
  // Foreign architectures (and x32 on x86_64) are not in the filter: kill.
  if (auto s = check(seccomp_attr_set(c.ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS),
                     "set the bad-architecture action");
      !s) {
    return s;
  }
  const uint32_t eperm = SCMP_ACT_ERRNO(EPERM);
  for (int sys :
       {SCMP_SYS(ptrace), SCMP_SYS(process_vm_readv), SCMP_SYS(process_vm_writev),
        SCMP_SYS(io_uring_setup), SCMP_SYS(io_uring_enter), SCMP_SYS(io_uring_register)}) {
    if (auto s = check(seccomp_rule_add(c.ctx, eperm, sys, 0), "add a baseline rule"); !s) return s;
  }
  // Terminal injection: pushing input into the caller's terminal.
  for (unsigned long req :
       {static_cast<unsigned long>(TIOCSTI), static_cast<unsigned long>(TIOCLINUX)}) {
    if (auto s = check(seccomp_rule_add(c.ctx, eperm, SCMP_SYS(ioctl), 1,
                                        arg_cmp(1, SCMP_CMP_MASKED_EQ, 0xFFFFFFFFu, req)),
                       "add the terminal rule");
        !s) {
      return s;
    }
  }
  if (observed) {
    if (auto s = add_observed_filesystem(c, reads); !s) return s;
  }
  const uint32_t refuse = observed ? SCMP_ACT_NOTIFY : eperm;
  if (mode == SeccompMode::NetworkOff) {
    for (int sys : {SCMP_SYS(socket), SCMP_SYS(socketpair)}) {
      // Every family but AF_UNIX. (A domain with garbage in its upper 32 bits is
      // "not AF_UNIX" here, which refuses it: the safe direction.)
      if (auto s = check(seccomp_rule_add(c.ctx, refuse, sys, 1, arg_cmp(0, SCMP_CMP_NE, AF_UNIX)),
                         "add a socket-family rule");
          !s) {
        return s;
      }
      // AF_UNIX datagram sockets: sendmsg() can address any socket path outside, and
      // seccomp cannot read the message header to tell.
      if (auto s = check(seccomp_rule_add(c.ctx, refuse, sys, 2, arg_cmp(0, SCMP_CMP_EQ, AF_UNIX),
                                          arg_cmp(1, SCMP_CMP_MASKED_EQ, 0xF, SOCK_DGRAM)),
                         "add the datagram rule");
          !s) {
        return s;
      }
    }
    for (int sys : {SCMP_SYS(connect), SCMP_SYS(bind), SCMP_SYS(listen), SCMP_SYS(accept),
                    SCMP_SYS(accept4)}) {
      if (auto s = check(seccomp_rule_add(c.ctx, refuse, sys, 0), "add a network rule"); !s) {
        return s;
      }
    }
    // A datagram sent to an address reaches sockets outside like connect() would.
    if (auto s =
            check(seccomp_rule_add(c.ctx, refuse, SCMP_SYS(sendto), 1, arg_cmp(4, SCMP_CMP_NE, 0)),
                  "add the sendto rule");
        !s) {
      return s;
    }
  }
  return Ok{};
}

}  // namespace

Result<std::vector<sock_filter>> compile_seccomp(SeccompMode mode, bool observed, bool reads) {
  Ctx c;
  if (auto s = build(c, mode, observed, observed && reads); !s) return s.error();
  // libseccomp 2.5 exports to a file descriptor only.
  const int fd = ::memfd_create("cordon-seccomp", MFD_CLOEXEC);
  if (fd < 0) return sys_error("seccomp: memfd_create");
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  if (auto s = check(seccomp_export_bpf(c.ctx, fd), "export the filter"); !s) return s.error();
  const off_t size = ::lseek(fd, 0, SEEK_END);
  if (size <= 0 || size % static_cast<off_t>(sizeof(sock_filter)) != 0) {
    return Error{"seccomp: the exported filter has an unexpected size"};
  }
  std::vector<sock_filter> prog(static_cast<size_t>(size) / sizeof(sock_filter));
  if (::pread(fd, prog.data(), static_cast<size_t>(size), 0) != size) {
    return sys_error("seccomp: read the exported filter");
  }
  return prog;
}

}  // namespace cordon::sandbox::linux
