// cordon - the Landlock backend.
#include "sandbox/linux/launch_landlock.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "sandbox/linux/caps.h"
#include "sandbox/linux/landlock.h"
#include "sandbox/linux/limits.h"
#include "sandbox/linux/sandbox_init.h"
#include "sandbox/linux/seccomp_programs.h"
#include "util/cstrings.h"
#include "util/exit_codes.h"
#include "util/io.h"

namespace cordon::sandbox::linux {
namespace {

constexpr int kStatusFd = 3;

[[noreturn]] void fail(int status_fd, const char* what, int err) {
  write_all(status_fd, "E");
  write_all(status_fd, what, std::strlen(what));
  if (err != 0) {
    write_all(status_fd, ": ");
    const char* desc = strerrordesc_np(err);
    write_all(status_fd, desc != nullptr ? desc : "error");
  }
  ::_exit(exit_code::kSandboxSetup);
}

// The processes whose parent is this process (orphans of the command land here, as this
// process is a child subreaper).
std::vector<pid_t> children() {
  std::vector<pid_t> out;
  const pid_t self = ::getpid();
  DIR* d = ::opendir("/proc");
  if (d == nullptr) return out;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
    const std::string path = std::string("/proc/") + e->d_name + "/stat";
    FILE* f = std::fopen(path.c_str(), "re");
    if (f == nullptr) continue;
    char buf[512];
    const size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    buf[n] = '\0';
    // pid (comm) state ppid ...: comm may hold spaces and parentheses; skip to the last ')'.
    const char* close = std::strrchr(buf, ')');
    int ppid = 0;
    if (close != nullptr && std::sscanf(close + 1, " %*c %d", &ppid) == 1 && ppid == self) {
      out.push_back(static_cast<pid_t>(std::atoi(e->d_name)));
    }
  }
  ::closedir(d);
  return out;
}

// Kills and reaps everything the command left behind.
void kill_leftovers() {
  // The command's orphans are re-parented to this process: no child left, nothing left.
  int st;
  if (::waitpid(-1, &st, WNOHANG) < 0 && errno == ECHILD) return;
  for (int round = 0; round < 1000; ++round) {
    std::vector<pid_t> left = children();
    while (::waitpid(-1, &st, WNOHANG) > 0) {
    }
    if (left.empty()) {
      if (::waitpid(-1, &st, WNOHANG) < 0 && errno == ECHILD) return;
      continue;
    }
    for (pid_t p : left) ::kill(p, SIGKILL);
    for (pid_t p : left) ::waitpid(p, &st, 0);
  }
}

}  // namespace

Result<Finished> launch_landlock(const SandboxPlan& plan, const LandlockLaunch& how) {
  auto ruleset = make_landlock_ruleset(plan, how.abi);
  if (!ruleset) return ruleset.error();
  const int cap_last_cap = read_cap_last_cap();
  const bool drop_caps = ::geteuid() == 0 || any_capability();

  std::vector<std::string> argv_s = plan.argv;
  std::vector<std::string> env_s = apply_env(how.environment, plan.env);
  std::vector<char*> argv = c_strings(argv_s);
  std::vector<char*> envp = c_strings(env_s);

  Fd status_r, status_w;
  if (auto s = make_pipe(status_r, status_w); !s) return s.error();
  // Orphans of the command become our children, so they can be found and stopped.
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
    return sys_error("prctl(PR_SET_CHILD_SUBREAPER)");
  }
  auto relay = SignalRelay::start();
  if (!relay) return relay.error();

  const pid_t pid = ::fork();
  if (pid < 0) return sys_error("fork");
  if (pid == 0) {
    // No allocation from here to execve.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    // The ruleset may sit on the status pipe's new number: move it out of the way first.
    const int rules = ::fcntl(ruleset->fd, F_DUPFD_CLOEXEC, kStatusFd + 1);
    if (rules < 0 || ::dup2(status_w.fd, kStatusFd) < 0) ::_exit(exit_code::kSandboxSetup);
    ::fcntl(kStatusFd, F_SETFD, FD_CLOEXEC);
    if (::chdir(plan.cwd.c_str()) != 0)
      fail(kStatusFd, "cannot change to the working directory", errno);
    // A new session: no controlling terminal to push keystrokes into.
    if (::setsid() < 0) fail(kStatusFd, "cannot start a new session", errno);
    const char* failed_limit = nullptr;
    if (int e = apply_limits(plan.limits, &failed_limit); e != 0) {
      fail(kStatusFd, "resource limits: cannot apply them", e);
    }
    if (drop_caps) {
      if (int e = drop_all_capabilities(cap_last_cap); e != 0) {
        fail(kStatusFd, "capabilities: cannot drop them", e);
      }
    }
    if (any_capability()) fail(kStatusFd, "capabilities: some remain; refusing to run", 0);
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail(kStatusFd, "no_new_privs", errno);
    if (int e = landlock_restrict(rules); e != 0) {
      fail(kStatusFd, "landlock: the kernel refused to enforce the ruleset", e);
    }
    ::close(rules);
    if (int e = load_seccomp(plan.seccomp); e != 0)
      fail(kStatusFd, "seccomp: cannot load the filter", e);
    // Only stdin, stdout and stderr pass to the command.
    ::syscall(SYS_close_range, static_cast<unsigned>(kStatusFd) + 1, ~0u, 0u);
    write_all(kStatusFd, "R");
    ::close(kStatusFd);
    sigprocmask(SIG_SETMASK, &relay->old_mask(), nullptr);
    exec_command(argv.data(), envp.data());
  }
  status_w.reset();
  Watch w;
  w.pid = pid;
  w.status_fd = status_r.fd;
  w.sandbox_pid = pid;
  w.signal_group = true;
  Outcome out = supervise(*relay, w);
  kill_leftovers();
  ::prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);

  if (out.ready()) return Finished{shell_status(out.wait_status), out.usage};
  if (!out.status.empty() && out.status[0] == 'E') return Error{out.status.substr(1)};
  return Error{"the sandbox ended with status " + std::to_string(shell_status(out.wait_status)) +
               " while it was being set up"};
}

}  // namespace cordon::sandbox::linux
