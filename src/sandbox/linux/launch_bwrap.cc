// cordon - outer stage under bubblewrap.
#include "sandbox/linux/launch_bwrap.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sandbox/linux/bwrap_args.h"
#include "sandbox/linux/mount_stubs.h"
#include "util/cstrings.h"
#include "util/io.h"

namespace cordon::sandbox::linux {
namespace {

constexpr int kForwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
constexpr size_t kMaxCollected = 64 * 1024;

struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  void reset() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

// A CLOEXEC copy of fd at a number >= 10, so the child's dup2 onto 2..5 cannot clash.
int high_fd(int fd) {
  int h = ::fcntl(fd, F_DUPFD_CLOEXEC, 10);
  ::close(fd);
  return h;
}

Status make_pipe(Fd& rd, Fd& wr) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return sys_error("pipe");
  rd.fd = high_fd(p[0]);
  wr.fd = high_fd(p[1]);
  if (rd.fd < 0 || wr.fd < 0) return sys_error("fcntl(F_DUPFD)");
  return Ok{};
}

// Reads what is available; false at EOF or error.
bool drain(int fd, std::string& into) {
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      if (into.size() < kMaxCollected) into.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return true;
    return false;
  }
}

pid_t parse_child_pid(const std::string& info) {
  auto k = info.find("\"child-pid\"");
  if (k == std::string::npos) return 0;
  auto c = info.find(':', k);
  if (c == std::string::npos) return 0;
  long v = std::strtol(info.c_str() + c + 1, nullptr, 10);
  return v > 1 ? static_cast<pid_t>(v) : 0;
}

}  // namespace

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

Result<int> launch_bwrap(const SandboxPlan& plan, const BwrapLaunch& how) {
  // Protected paths to hold steady for the whole run.
  std::vector<std::string> guard;
  for (const auto& root : plan.writable_roots) {
    for (const auto& p : root.protected_paths) {
      if (p.kind == policy::ProtectedPath::Kind::Existing) guard.push_back(p.path);
    }
  }
  auto stubs = MountStubs::prepare(plan.stubs, guard);
  if (!stubs) return Error{"protected paths: " + stubs.error().describe()};

  std::vector<std::string> argv_s = bwrap_argv(plan, BwrapInvocation{how.bwrap, how.cordon_exe});
  std::vector<std::string> env_s = apply_env(how.environment, plan.env);
  std::vector<char*> argv = c_strings(argv_s);
  std::vector<char*> envp = c_strings(env_s);

  Fd status_r, status_w, err_r, err_w, info_r, info_w;
  if (auto s = make_pipe(status_r, status_w); !s) return s.error();
  if (auto s = make_pipe(err_r, err_w); !s) return s.error();
  if (auto s = make_pipe(info_r, info_w); !s) return s.error();
  Fd saved_stderr(::fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 10));
  if (saved_stderr.fd < 0) return sys_error("dup(stderr)");

  sigset_t mask, old;
  sigemptyset(&mask);
  for (int s : kForwarded) sigaddset(&mask, s);
  sigaddset(&mask, SIGCHLD);
  sigprocmask(SIG_BLOCK, &mask, &old);
  Fd sfd(::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK));
  if (sfd.fd < 0) {
    sigprocmask(SIG_SETMASK, &old, nullptr);
    return sys_error("signalfd");
  }

  const pid_t pid = ::fork();
  if (pid < 0) {
    sigprocmask(SIG_SETMASK, &old, nullptr);
    return sys_error("fork");
  }
  if (pid == 0) {
    // Child: only async-signal-safe calls until execve.
    ::setpgid(0, 0);
    if (::dup2(err_w.fd, STDERR_FILENO) < 0 || ::dup2(saved_stderr.fd, kStderrFd) < 0 ||
        ::dup2(status_w.fd, kStatusFd) < 0 || ::dup2(info_w.fd, kInfoFd) < 0) {
      ::_exit(127);
    }
    ::syscall(SYS_close_range, static_cast<unsigned>(kFirstFreeFd), ~0u, 0u);
    sigprocmask(SIG_SETMASK, &old, nullptr);
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
  for (int fd : {status_r.fd, err_r.fd, info_r.fd}) ::fcntl(fd, F_SETFL, O_NONBLOCK);

  std::string status, errtext, info;
  pid_t sandbox_pid = 0;
  std::vector<int> pending;
  int bwrap_status = 0;
  bool bwrap_done = false;
  bool status_open = true, err_open = true, info_open = true;
  size_t err_forwarded = 0;

  auto forward_err = [&] {
    // After the inner stage is ready, bubblewrap's own messages go to the real stderr.
    if (!status.empty() && status[0] == 'R' && errtext.size() > err_forwarded) {
      write_all(saved_stderr.fd, errtext.data() + err_forwarded, errtext.size() - err_forwarded);
      err_forwarded = errtext.size();
    }
  };

  while (!bwrap_done || status_open || err_open || info_open) {
    pollfd fds[4] = {{sfd.fd, POLLIN, 0},
                     {status_open ? status_r.fd : -1, POLLIN, 0},
                     {err_open ? err_r.fd : -1, POLLIN, 0},
                     {info_open ? info_r.fd : -1, POLLIN, 0}};
    // Once bwrap is gone nothing can write any more: drain without waiting.
    int rc = ::poll(fds, 4, bwrap_done ? 0 : -1);
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) break;
    if (fds[1].revents != 0 || bwrap_done) status_open = status_open && drain(status_r.fd, status);
    if (fds[2].revents != 0 || bwrap_done) err_open = err_open && drain(err_r.fd, errtext);
    if (fds[3].revents != 0 || bwrap_done) {
      info_open = info_open && drain(info_r.fd, info);
      if (sandbox_pid == 0) sandbox_pid = parse_child_pid(info);
    }
    // The sandbox's pid 1 takes signals only once the inner stage has blocked them (before
    // that the kernel drops them: init with the default action); it says "R" after that.
    const bool inner_ready = !status.empty() && status[0] == 'R';
    if (inner_ready && sandbox_pid != 0 && !pending.empty()) {
      for (int s : pending) ::kill(sandbox_pid, s);
      pending.clear();
    }
    forward_err();
    if (bwrap_done) {
      status_open = err_open = info_open = false;
      break;
    }
    if (fds[0].revents != 0) {
      signalfd_siginfo si{};
      while (::read(sfd.fd, &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
        const int sig = static_cast<int>(si.ssi_signo);
        if (sig == SIGCHLD) continue;
        if (sandbox_pid != 0 && !status.empty() && status[0] == 'R') {
          ::kill(sandbox_pid, sig);
        } else {
          pending.push_back(sig);
        }
      }
      int st = 0;
      pid_t w = ::waitpid(pid, &st, WNOHANG);
      if (w == pid) {
        bwrap_status = st;
        bwrap_done = true;
      }
    }
  }
  if (!bwrap_done) {
    ::waitpid(pid, &bwrap_status, 0);
  }
  sigprocmask(SIG_SETMASK, &old, nullptr);
  stubs->release();

  if (!status.empty() && status[0] == 'R') {
    if (WIFEXITED(bwrap_status)) return WEXITSTATUS(bwrap_status);
    if (WIFSIGNALED(bwrap_status)) return 128 + WTERMSIG(bwrap_status);
    return 1;
  }
  if (!status.empty() && status[0] == 'E') return Error{status.substr(1)};
  if (!status.empty() && status[0] == 'B' && status.size() >= 1 + sizeof(int)) {
    int e = 0;
    std::memcpy(&e, status.data() + 1, sizeof e);
    return Error{"cannot execute bubblewrap " + how.bwrap, e};
  }
  while (!errtext.empty() && (errtext.back() == '\n' || errtext.back() == '\r')) errtext.pop_back();
  if (errtext.empty()) {
    errtext = WIFSIGNALED(bwrap_status)
                  ? "bubblewrap was killed by signal " + std::to_string(WTERMSIG(bwrap_status))
                  : "bubblewrap exited with status " + std::to_string(WEXITSTATUS(bwrap_status)) +
                        " before the sandbox was ready";
  }
  return Error{"bubblewrap (" + how.bwrap + ") failed: " + errtext + "\n  " +
               explain_bwrap_failure(errtext)};
}

}  // namespace cordon::sandbox::linux
