// cordon - the Landlock backend.
//
// Process tree: cordon -> keeper -> command. The keeper is cordon's own code and is not
// restricted; with Landlock ABI 6 the command cannot signal it. It is a child subreaper, so
// everything the command starts ends up below it; it passes signals on to the command, and
// when the command ends, or when cordon goes away (even by SIGKILL), it kills whatever is
// left, reports the verdict and exits. Nothing in the keeper or the command allocates
// before the command's execve.
#include "sandbox/linux/launch_landlock.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sandbox/linux/caps.h"
#include "sandbox/linux/landlock.h"
#include "sandbox/linux/limits.h"
#include "sandbox/linux/observer.h"
#include "sandbox/linux/sandbox_init.h"
#include "sandbox/linux/seccomp_programs.h"
#include "util/cstrings.h"
#include "util/exit_codes.h"
#include "util/fd.h"
#include "util/io.h"

namespace cordon::sandbox::linux {
namespace {

constexpr int kStatusFd = 3;    // in the keeper: to cordon; in the command: to the keeper
constexpr int kObserverFd = 4;  // in the command: the denial observer's channel, when observed

// What the launcher prepared for the keeper and the command.
struct Prepared {
  const SandboxPlan* plan = nullptr;
  int rules = -1;  // the Landlock ruleset
  int cap_last_cap = 0;
  bool drop_caps = false;
  char* const* argv = nullptr;
  char* const* envp = nullptr;
  int status_w = -1;     // to cordon
  int observer_fd = -1;  // the denial observer's channel, or -1
  pid_t launcher = 0;
  sigset_t relay_mask{};  // blocked by cordon's SignalRelay
  sigset_t old_mask{};
};

[[noreturn]] void fail(int fd, const char* what, int err) {
  write_all(fd, "E");
  write_all(fd, what, std::strlen(what));
  if (err != 0) {
    write_all(fd, ": ");
    const char* desc = strerrordesc_np(err);
    write_all(fd, desc != nullptr ? desc : "error");
  }
  ::_exit(exit_code::kSandboxSetup);
}

// Sends SIGKILL to every process whose parent is this one. Returns how many it found.
// Reads /proc with getdents64 and fixed buffers: no allocation.
int kill_children() {
  const pid_t self = ::getpid();
  const int dir = ::open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return 0;
  int found = 0;
  alignas(8) char buf[8192];
  for (;;) {
    const long n = ::syscall(SYS_getdents64, dir, buf, sizeof buf);
    if (n <= 0) break;
    for (long off = 0; off < n;) {
      const auto* d = reinterpret_cast<const struct dirent64*>(buf + off);
      off += d->d_reclen;
      if (d->d_name[0] < '1' || d->d_name[0] > '9') continue;
      char path[64] = "/proc/";
      size_t len = 6;
      for (const char* q = d->d_name; *q != '\0' && len < 40; ++q) path[len++] = *q;
      std::memcpy(path + len, "/stat", 6);
      const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
      if (fd < 0) continue;
      char stat[512];
      const ssize_t got = ::read(fd, stat, sizeof stat - 1);
      ::close(fd);
      if (got <= 0) continue;
      stat[got] = '\0';
      // pid (comm) state ppid ...: comm may hold spaces and parentheses; skip to the last ')'.
      const char* p = std::strrchr(stat, ')');
      if (p == nullptr || p[1] == '\0' || p[2] == '\0' || p[3] == '\0') continue;
      p += 4;  // ") S "
      long ppid = 0;
      while (*p >= '0' && *p <= '9') ppid = ppid * 10 + (*p++ - '0');
      if (ppid != self) continue;
      long pid = 0;
      for (const char* q = d->d_name; *q >= '0' && *q <= '9'; ++q) pid = pid * 10 + (*q - '0');
      ::kill(static_cast<pid_t>(pid), SIGKILL);
      ++found;
    }
  }
  ::close(dir);
  return found;
}

// Kills and reaps every descendant: orphans are re-parented to this process (a child
// subreaper), so killing the children, round after round, reaches all of them.
void kill_descendants() {
  int st;
  for (int round = 0; round < 1000; ++round) {
    while (::waitpid(-1, &st, WNOHANG) > 0) {
    }
    if (::waitpid(-1, &st, WNOHANG) < 0 && errno == ECHILD) return;
    // Wait for as many ends as processes were killed: a blocking wait for all children
    // would also wait for the grandchildren that are re-parented here meanwhile.
    for (int killed = kill_children(); killed > 0; --killed) {
      if (::waitpid(-1, &st, 0) < 0 && errno != EINTR) break;
    }
  }
}

// The command: restrict this process, then execute it. Reports to the keeper on `to_keeper`.
[[noreturn]] void command_main(const Prepared& p, int to_keeper) {
  // Only this pipe (and the observer's channel), stdin, stdout and stderr survive; the
  // ruleset moves above them first.
  const int rules = ::fcntl(p.rules, F_DUPFD_CLOEXEC, kObserverFd + 1);
  if (rules < 0 || ::dup2(to_keeper, kStatusFd) < 0) ::_exit(exit_code::kSandboxSetup);
  ::fcntl(kStatusFd, F_SETFD, FD_CLOEXEC);
  int observer = -1;
  if (p.observer_fd >= 0) {
    if (::dup2(p.observer_fd, kObserverFd) < 0) ::_exit(exit_code::kSandboxSetup);
    ::fcntl(kObserverFd, F_SETFD, FD_CLOEXEC);
    observer = kObserverFd;
  }
  ::setpgid(0, 0);
  if (::chdir(p.plan->cwd.c_str()) != 0) {
    fail(kStatusFd, "cannot change to the working directory", errno);
  }
  const char* failed_limit = nullptr;
  if (int e = apply_limits(p.plan->limits, &failed_limit); e != 0) {
    fail(kStatusFd, "resource limits: cannot apply them", e);
  }
  if (p.drop_caps) {
    if (int e = drop_all_capabilities(p.cap_last_cap); e != 0) {
      fail(kStatusFd, "capabilities: cannot drop them", e);
    }
  }
  if (any_capability()) fail(kStatusFd, "capabilities: some remain; refusing to run", 0);
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail(kStatusFd, "no_new_privs", errno);
  if (int e = landlock_restrict(rules); e != 0) {
    fail(kStatusFd, "landlock: the kernel refused to enforce the ruleset", e);
  }
  ::close(rules);
  if (int e = load_filter(p.plan->seccomp, observer); e != 0) {
    fail(kStatusFd, "seccomp: cannot load the filter", e);
  }
  ::syscall(SYS_close_range, static_cast<unsigned>(kStatusFd) + 1, ~0u, 0u);
  write_all(kStatusFd, "R");
  sigprocmask(SIG_SETMASK, &p.old_mask, nullptr);
  exec_command(p.argv, p.envp);
}

// The keeper. Never returns.
[[noreturn]] void keeper_main(const Prepared& p) {
  // Learn of cordon's end by a signal the command cannot send (Landlock ABI 6 scoping).
  sigset_t waited = p.relay_mask;
  sigaddset(&waited, SIGUSR1);
  sigprocmask(SIG_BLOCK, &waited, nullptr);
  ::prctl(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0);
  if (::getppid() != p.launcher) ::_exit(exit_code::kSandboxSetup);
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
    fail(p.status_w, "prctl(PR_SET_CHILD_SUBREAPER)", errno);
  }
  // A new session: no controlling terminal to push keystrokes into.
  if (::setsid() < 0) fail(p.status_w, "cannot start a new session", errno);

  int ready[2];
  if (::pipe2(ready, O_CLOEXEC) != 0) fail(p.status_w, "pipe", errno);
  const pid_t cmd = ::fork();
  if (cmd < 0) fail(p.status_w, "cannot fork the command", errno);
  if (cmd == 0) {
    ::close(ready[0]);
    command_main(p, ready[1]);
  }
  ::close(ready[1]);
  // Only the command may hold the observer's channel: cordon learns from its end whether a
  // listener comes.
  if (p.observer_fd >= 0) ::close(p.observer_fd);
  ::setpgid(cmd, cmd);
  // Pass on the command's report: "R" once restricted, or "E" and why it could not be.
  char report[1024];
  ssize_t got;
  do {
    got = ::read(ready[0], report, sizeof report);
  } while (got < 0 && errno == EINTR);
  ::close(ready[0]);
  if (got > 0) write_all(p.status_w, report, static_cast<size_t>(got));
  if (got <= 0 || report[0] != 'R') {
    kill_descendants();
    ::_exit(exit_code::kSandboxSetup);
  }

  Verdict v;
  for (;;) {
    siginfo_t info;
    const int sig = sigwaitinfo(&waited, &info);
    if (sig < 0) continue;
    if (sig == SIGUSR1) {  // cordon is gone: so is the command
      kill_descendants();
      ::_exit(exit_code::kSandboxSetup);
    }
    if (sig != SIGCHLD) {
      ::kill(-cmd, sig);
      ::kill(cmd, sig);
      continue;
    }
    int st;
    bool done = false;
    for (pid_t w; (w = ::waitpid(-1, &st, WNOHANG)) > 0;) {
      if (w == cmd) {
        v.status = shell_status(st);
        done = true;
      }
    }
    if (done) break;
  }
  kill_descendants();
  ::getrusage(RUSAGE_CHILDREN, &v.usage);
  write_all(p.status_w, reinterpret_cast<const char*>(&v), sizeof v);
  ::_exit(v.status);
}

}  // namespace

Result<Finished> launch_landlock(const SandboxPlan& plan, const LandlockLaunch& how) {
  auto ruleset = make_landlock_ruleset(plan, how.abi);
  if (!ruleset) return ruleset.error();
  std::vector<std::string> argv_s = plan.argv;
  std::vector<std::string> env_s = apply_env(how.environment, plan.env);
  std::vector<char*> argv = c_strings(argv_s);
  std::vector<char*> envp = c_strings(env_s);

  Prepared p;
  p.plan = &plan;
  p.rules = ruleset->fd;
  p.cap_last_cap = read_cap_last_cap();
  p.drop_caps = ::geteuid() == 0 || any_capability();
  p.argv = argv.data();
  p.envp = envp.data();
  p.launcher = ::getpid();
  p.observer_fd = how.observer != nullptr ? how.observer->child_end() : -1;

  Fd status_r, status_w;
  if (auto s = make_pipe(status_r, status_w); !s) return s.error();
  p.status_w = status_w.fd;
  // Second line: should the keeper die, what it kept lands here and is stopped below.
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
    return sys_error("prctl(PR_SET_CHILD_SUBREAPER)");
  }
  auto relay = SignalRelay::start();
  if (!relay) return relay.error();
  p.relay_mask = relay->blocked();
  p.old_mask = relay->old_mask();

  const pid_t pid = ::fork();
  if (pid < 0) return sys_error("fork");
  if (pid == 0) keeper_main(p);
  status_w.reset();
  if (how.observer != nullptr) how.observer->close_child_end();
  Watch w;
  w.pid = pid;
  w.status_fd = status_r.fd;
  w.sandbox_pid = pid;
  w.observer = how.observer;
  Outcome out = supervise(*relay, w);
  if (!out.has_verdict()) kill_descendants();
  ::prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);

  if (out.has_verdict()) return Finished{out.verdict().status, out.verdict().usage};
  if (!out.status.empty() && out.status[0] == 'E') return Error{out.status.substr(1)};
  if (out.ready()) return Finished{shell_status(out.wait_status), out.usage};
  return Error{"the sandbox ended with status " + std::to_string(shell_status(out.wait_status)) +
               " while it was being set up"};
}

}  // namespace cordon::sandbox::linux
