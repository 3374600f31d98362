// cordon - the seccomp filter rules.
#include "sandbox/linux/seccomp_filter.h"

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

// Builds the filter for `mode` into c.
Status build(Ctx& c, SeccompMode mode) {
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
  if (mode == SeccompMode::NetworkOff) {
    for (int sys : {SCMP_SYS(socket), SCMP_SYS(socketpair)}) {
      // Every family but AF_UNIX. (A domain with garbage in its upper 32 bits is
      // "not AF_UNIX" here, which refuses it: the safe direction.)
      if (auto s = check(seccomp_rule_add(c.ctx, eperm, sys, 1, arg_cmp(0, SCMP_CMP_NE, AF_UNIX)),
                         "add a socket-family rule");
          !s) {
        return s;
      }
      // AF_UNIX datagram sockets: sendmsg() can address any socket path outside, and
      // seccomp cannot read the message header to tell.
      if (auto s = check(seccomp_rule_add(c.ctx, eperm, sys, 2, arg_cmp(0, SCMP_CMP_EQ, AF_UNIX),
                                          arg_cmp(1, SCMP_CMP_MASKED_EQ, 0xF, SOCK_DGRAM)),
                         "add the datagram rule");
          !s) {
        return s;
      }
    }
    for (int sys : {SCMP_SYS(connect), SCMP_SYS(bind), SCMP_SYS(listen), SCMP_SYS(accept),
                    SCMP_SYS(accept4)}) {
      if (auto s = check(seccomp_rule_add(c.ctx, eperm, sys, 0), "add a network rule"); !s) {
        return s;
      }
    }
    // A datagram sent to an address reaches sockets outside like connect() would.
    if (auto s =
            check(seccomp_rule_add(c.ctx, eperm, SCMP_SYS(sendto), 1, arg_cmp(4, SCMP_CMP_NE, 0)),
                  "add the sendto rule");
        !s) {
      return s;
    }
  }
  return Ok{};
}

}  // namespace

Result<std::vector<sock_filter>> compile_seccomp(SeccompMode mode) {
  Ctx c;
  if (auto s = build(c, mode); !s) return s.error();
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
