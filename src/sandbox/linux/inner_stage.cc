// cordon - inner stage.
#include "sandbox/linux/inner_stage.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <span>
#include <string>

#include "sandbox/linux/caps.h"
#include "sandbox/linux/limits.h"
#include "sandbox/linux/sandbox_init.h"
#include "sandbox/linux/seccomp_programs.h"
#include "util/exit_codes.h"
#include "util/io.h"

extern char** environ;

namespace cordon::sandbox::linux {
namespace {

constexpr int kForwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

// Reports a setup failure to the launcher and returns the setup exit code.
int fail(int status_fd, const std::string& msg) {
  write_all(status_fd, "E" + msg);
  return exit_code::kSandboxSetup;
}

}  // namespace

int run_inner_stage(int argc, char** argv) {
  // argv: cordon __inner STATUS_FD STDERR_FD MODE LIMITS OBSERVER_FD -- CMD...
  if (argc < 9 || std::strcmp(argv[7], "--") != 0) return exit_code::kInternal;
  const int status_fd = std::atoi(argv[2]);
  const int stderr_fd = std::atoi(argv[3]);
  const int observer_fd = std::atoi(argv[6]);  // -1: not observed
  ::fcntl(status_fd, F_SETFD, FD_CLOEXEC);
  if (observer_fd >= 0) ::fcntl(observer_fd, F_SETFD, FD_CLOEXEC);
  if (::dup2(stderr_fd, STDERR_FILENO) < 0) {
    return fail(status_fd, "inner stage: cannot restore stderr: " + std::string(strerror(errno)));
  }
  ::close(stderr_fd);
  // The command gets stdin, stdout and stderr, nothing else the caller had open.
  const int last_kept = std::max(status_fd, observer_fd);
  for (int fd = 3; fd < last_kept; ++fd) {
    if (fd != status_fd && fd != observer_fd) ::close(fd);
  }
  ::syscall(SYS_close_range, static_cast<unsigned>(last_kept) + 1, ~0u, 0u);

  auto mode = parse_seccomp_arg(argv[4]);
  if (!mode)
    return fail(status_fd, "inner stage: unknown seccomp mode '" + std::string(argv[4]) + "'");
  auto limits = decode_limits(argv[5]);
  if (!limits) return fail(status_fd, "inner stage: bad limits '" + std::string(argv[5]) + "'");
  if (any_capability()) {
    return fail(status_fd,
                "capabilities: the sandbox still holds capabilities after bwrap --cap-drop ALL; "
                "refusing to run the command");
  }
  // Allocated before the limits apply (a small max_memory must not stop cordon itself).
  constexpr size_t kStackSize = 64 * 1024;
  std::unique_ptr<char[]> stack(new char[kStackSize]);
  const char* failed_limit = nullptr;
  if (int e = apply_limits(*limits, &failed_limit); e != 0) {
    return fail(status_fd,
                "resource limits: cannot set " + std::string(failed_limit) + ": " + strerror(e));
  }
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    return fail(status_fd, "no_new_privs: prctl failed: " + std::string(strerror(errno)));
  }
  if (int e = load_filter(mode->first, observer_fd, mode->second); e != 0) {
    return fail(status_fd, "seccomp: cannot load the filter: " + std::string(strerror(e)));
  }

  sigset_t forwarded, old;
  sigemptyset(&forwarded);
  for (int s : kForwarded) sigaddset(&forwarded, s);
  sigaddset(&forwarded, SIGCHLD);
  sigprocmask(SIG_BLOCK, &forwarded, &old);
  write_all(status_fd, "R");
  ::close(status_fd);
  return run_as_init(argv + 8, environ, forwarded, old, std::span<char>(stack.get(), kStackSize));
}

}  // namespace cordon::sandbox::linux
