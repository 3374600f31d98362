// cordon - outer stage under bubblewrap.
#include "sandbox/linux/launch_bwrap.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sandbox/linux/bwrap_args.h"
#include "sandbox/linux/mount_stubs.h"
#include "sandbox/linux/observer.h"
#include "sandbox/linux/supervise.h"
#include "util/cstrings.h"
#include "util/fd.h"
#include "util/io.h"

namespace cordon::sandbox::linux {

std::string explain_bwrap_failure(const std::string& err) {
  auto has = [&](const char* s) { return err.find(s) != std::string::npos; };
  if (has("setting up uid map") || has("No permissions to create") ||
      has("Creating new namespace failed") || has("loopback: Failed RTM_NEWADDR") ||
      has("loopback: Failed RTM_NEWLINK")) {
    return "bubblewrap cannot create the user namespace the sandbox needs. On Ubuntu 24.04 "
           "and other systems that restrict unprivileged user namespaces with AppArmor, load "
           "the bwrap profile: sudo apt install apparmor-profiles apparmor-utils && sudo install "
           "-m 0644 /usr/share/apparmor/extra-profiles/bwrap-userns-restrict "
           "/etc/apparmor.d/bwrap-userns-restrict && sudo apparmor_parser -r "
           "/etc/apparmor.d/bwrap-userns-restrict (or, less narrowly, sudo sysctl -w "
           "kernel.apparmor_restrict_unprivileged_userns=0). Elsewhere check "
           "user.max_user_namespaces and kernel.unprivileged_userns_clone. In a container, "
           "the container must allow namespaces (or run cordon with --sandbox "
           "danger-full-access and let the container be the boundary).";
  }
  if (has("Unknown option") || has("Unknown action")) {
    return "this bubblewrap is too old for cordon (it needs --as-pid-1, --info-fd, --cap-drop "
           "and --ro-bind-try; bubblewrap 0.5 or newer). Install a newer bubblewrap.";
  }
  if (has("Can't mount proc") || has("Failed to make / slave") || has("Can't mount tmpfs")) {
    return "the kernel refused a mount bubblewrap needs; this happens in containers that forbid "
           "mounting (Docker's default profile). Allow it in the container, or run cordon with "
           "--sandbox danger-full-access and let the container be the boundary.";
  }
  if (has("Can't find source path")) {
    return "a path the sandbox binds disappeared while cordon was starting; run the command again.";
  }
  return "see the bubblewrap message above.";
}

Result<Finished> launch_bwrap(const SandboxPlan& plan, const BwrapLaunch& how) {
  // Protected paths to hold steady for the whole run.
  std::vector<std::string> guard;
  for (const auto& root : plan.writable_roots) {
    for (const auto& p : root.protected_paths) {
      if (p.kind == policy::ProtectedPath::Kind::Existing) guard.push_back(p.path);
    }
  }
  auto stubs = MountStubs::prepare(plan.stubs, guard);
  if (!stubs) return Error{"protected paths: " + stubs.error().describe()};

  std::vector<std::string> argv_s =
      bwrap_argv(plan, BwrapInvocation{how.bwrap, how.cordon_exe, how.observer != nullptr});
  const int observer_child = how.observer != nullptr ? how.observer->child_end() : -1;
  std::vector<std::string> env_s = apply_env(how.environment, plan.env);
  std::vector<char*> argv = c_strings(argv_s);
  std::vector<char*> envp = c_strings(env_s);

  Fd status_r, status_w, err_r, err_w, info_r, info_w;
  if (auto s = make_pipe(status_r, status_w); !s) return s.error();
  if (auto s = make_pipe(err_r, err_w); !s) return s.error();
  if (auto s = make_pipe(info_r, info_w); !s) return s.error();
  Fd saved_stderr(::fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 10));
  if (saved_stderr.fd < 0) return sys_error("dup(stderr)");
  // Deny-read files: bwrap fills each mask from its own fd, all of them reading /dev/null.
  const int masks = mask_file_count(plan);
  struct rlimit nofile {};
  const rlim_t fds_needed = static_cast<rlim_t>(kFirstFreeFd + masks + 1);
  if (masks > 0) {
    if (::getrlimit(RLIMIT_NOFILE, &nofile) != 0) return sys_error("getrlimit(RLIMIT_NOFILE)");
    if (nofile.rlim_max != RLIM_INFINITY && nofile.rlim_max < fds_needed) {
      return Error{"deny-read: bubblewrap needs one file descriptor per masked file (" +
                   std::to_string(masks) + ") and the hard limit on open files is " +
                   std::to_string(nofile.rlim_max) +
                   "; raise it (ulimit -Hn) or use --backend native"};
    }
  }
  Fd null(masks > 0 ? ::open("/dev/null", O_RDONLY | O_CLOEXEC) : -1);
  if (masks > 0 && null.fd < 0) return sys_error("open /dev/null");
  // Above every fd number the child fills, so no dup2 there overwrites it.
  Fd empty(masks > 0 ? ::fcntl(null.fd, F_DUPFD_CLOEXEC, kFirstFreeFd + masks) : -1);
  if (masks > 0 && empty.fd < 0) return sys_error("dup /dev/null");

  auto relay = SignalRelay::start();
  if (!relay) return relay.error();

  const pid_t pid = ::fork();
  if (pid < 0) return sys_error("fork");
  if (pid == 0) {
    // Child: only async-signal-safe calls until execve.
    ::setpgid(0, 0);
    if (::dup2(err_w.fd, STDERR_FILENO) < 0 || ::dup2(saved_stderr.fd, kStderrFd) < 0 ||
        ::dup2(status_w.fd, kStatusFd) < 0 || ::dup2(info_w.fd, kInfoFd) < 0 ||
        (observer_child >= 0 && ::dup2(observer_child, kObserverFd) < 0)) {
      ::_exit(127);
    }
    if (masks > 0) {
      if (nofile.rlim_cur != RLIM_INFINITY && nofile.rlim_cur < fds_needed) {
        struct rlimit raised = nofile;
        raised.rlim_cur = fds_needed;
        if (::setrlimit(RLIMIT_NOFILE, &raised) != 0) ::_exit(127);
      }
      for (int k = 0; k < masks; ++k) {
        if (::dup2(empty.fd, kFirstFreeFd + k) < 0) ::_exit(127);
      }
    }
    ::syscall(SYS_close_range, static_cast<unsigned>(kFirstFreeFd + masks), ~0u, 0u);
    sigprocmask(SIG_SETMASK, &relay->old_mask(), nullptr);
    ::execve(argv[0], argv.data(), envp.data());
    const int e = errno;
    char msg[8] = {'B', 0, 0, 0, 0, 0, 0, 0};
    std::memcpy(msg + 1, &e, sizeof e);
    write_all(kStatusFd, msg, 1 + sizeof e);
    ::_exit(127);
  }
  ::setpgid(pid, pid);
  status_w.reset();
  err_w.reset();
  info_w.reset();
  if (how.observer != nullptr) how.observer->close_child_end();

  Watch w;
  w.pid = pid;
  w.status_fd = status_r.fd;
  w.err_fd = err_r.fd;
  w.info_fd = info_r.fd;
  w.real_stderr = saved_stderr.fd;
  w.observer = how.observer;
  Outcome out = supervise(*relay, w);
  stubs->release();

  if (out.ready()) return Finished{shell_status(out.wait_status), out.usage};
  const std::string& status = out.status;
  if (!status.empty() && status[0] == 'E') return Error{status.substr(1)};
  if (!status.empty() && status[0] == 'B' && status.size() >= 1 + sizeof(int)) {
    int e = 0;
    std::memcpy(&e, status.data() + 1, sizeof e);
    return Error{"cannot execute bubblewrap " + how.bwrap, e};
  }
  std::string errtext = out.errtext;
  while (!errtext.empty() && (errtext.back() == '\n' || errtext.back() == '\r')) errtext.pop_back();
  if (errtext.empty()) {
    errtext = WIFSIGNALED(out.wait_status)
                  ? "bubblewrap was killed by signal " + std::to_string(WTERMSIG(out.wait_status))
                  : "bubblewrap exited with status " +
                        std::to_string(WEXITSTATUS(out.wait_status)) +
                        " before the sandbox was ready";
  }
  return Error{"bubblewrap (" + how.bwrap + ") failed: " + errtext + "\n  " +
               explain_bwrap_failure(errtext)};
}

}  // namespace cordon::sandbox::linux
