// cordon - inner stage.
#include "sandbox/linux/inner_stage.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "sandbox/linux/seccomp_filter.h"
#include "util/exit_codes.h"
#include "util/io.h"

namespace cordon::sandbox::linux {
namespace {

constexpr int kForwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

// Reports a setup failure to the launcher and returns the setup exit code.
int fail(int status_fd, const std::string& msg) {
  write_all(status_fd, "E" + msg);
  return exit_code::kSandboxSetup;
}

bool any_capability() {
  __user_cap_header_struct hdr{};
  hdr.version = _LINUX_CAPABILITY_VERSION_3;
  hdr.pid = 0;
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (::syscall(SYS_capget, &hdr, data) != 0) return true;  // cannot tell: assume the worst
  for (const auto& d : data) {
    if (d.effective != 0 || d.permitted != 0 || d.inheritable != 0) return true;
  }
  return false;
}

// PATH lookup done before fork so the child only calls execve.
std::string resolve_program(const std::string& prog, int* err) {
  *err = ENOENT;
  if (prog.find('/') != std::string::npos) {
    *err = 0;
    return prog;
  }
  const char* path_env = std::getenv("PATH");
  const std::string_view path(path_env != nullptr ? path_env : "/usr/local/bin:/usr/bin:/bin");
  std::string first_noexec;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find(':', i);
    if (j == std::string_view::npos) j = path.size();
    std::string cand(j > i ? path.substr(i, j - i) : std::string_view("."));
    cand += '/';
    cand += prog;
    if (::access(cand.c_str(), X_OK) == 0) {
      *err = 0;
      return cand;
    }
    if (errno == EACCES && first_noexec.empty()) first_noexec = cand;
    i = j + 1;
  }
  if (!first_noexec.empty()) {
    *err = EACCES;
    return first_noexec;
  }
  return prog;
}

int status_to_exit(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return exit_code::kInternal;
}

}  // namespace

int run_inner_stage(int argc, char** argv) {
  // argv: cordon __inner STATUS_FD STDERR_FD MODE -- CMD...
  if (argc < 7 || std::strcmp(argv[5], "--") != 0) return exit_code::kInternal;
  const int status_fd = std::atoi(argv[2]);
  const int stderr_fd = std::atoi(argv[3]);
  ::fcntl(status_fd, F_SETFD, FD_CLOEXEC);
  if (::dup2(stderr_fd, STDERR_FILENO) < 0) {
    return fail(status_fd, "inner stage: cannot restore stderr: " + std::string(strerror(errno)));
  }
  ::close(stderr_fd);
  // The command gets stdin, stdout and stderr, nothing else the caller had open.
  for (int fd = 3; fd < status_fd; ++fd) ::close(fd);
  ::syscall(SYS_close_range, static_cast<unsigned>(status_fd) + 1, ~0u, 0u);

  auto mode = parse_seccomp_mode(argv[4]);
  if (!mode)
    return fail(status_fd, "inner stage: unknown seccomp mode '" + std::string(argv[4]) + "'");
  if (any_capability()) {
    return fail(status_fd,
                "capabilities: the sandbox still holds capabilities after bwrap --cap-drop ALL; "
                "refusing to run the command");
  }
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    return fail(status_fd, "no_new_privs: prctl failed: " + std::string(strerror(errno)));
  }
  if (auto s = install_seccomp(*mode); !s) return fail(status_fd, s.error().describe());

  std::vector<char*> cmd(argv + 6, argv + argc);
  cmd.push_back(nullptr);
  int lookup_err = 0;
  const std::string program = resolve_program(argv[6], &lookup_err);

  sigset_t forwarded, old;
  sigemptyset(&forwarded);
  for (int s : kForwarded) sigaddset(&forwarded, s);
  sigaddset(&forwarded, SIGCHLD);
  sigprocmask(SIG_BLOCK, &forwarded, &old);

  int exec_pipe[2];
  if (::pipe2(exec_pipe, O_CLOEXEC) != 0) {
    return fail(status_fd, "inner stage: pipe: " + std::string(strerror(errno)));
  }
  write_all(status_fd, "R");
  ::close(status_fd);

  const pid_t child = ::fork();
  if (child < 0) {
    std::string msg = "cordon: cannot fork the command: " + std::string(strerror(errno)) + "\n";
    write_all(STDERR_FILENO, msg);
    return exit_code::kInternal;
  }
  if (child == 0) {
    // No allocation from here to execve.
    ::setpgid(0, 0);
    sigprocmask(SIG_SETMASK, &old, nullptr);
    int err = lookup_err;
    if (err == 0) {
      ::execve(program.c_str(), cmd.data(), environ);
      err = errno;
    }
    ssize_t ignored = ::write(exec_pipe[1], &err, sizeof err);
    (void)ignored;
    ::_exit(127);
  }
  ::close(exec_pipe[1]);
  ::setpgid(child, child);  // both sides, so signals can target the group at once
  int exec_err = 0;
  ssize_t got;
  do {
    got = ::read(exec_pipe[0], &exec_err, sizeof exec_err);
  } while (got < 0 && errno == EINTR);
  ::close(exec_pipe[0]);
  if (got == static_cast<ssize_t>(sizeof exec_err)) {
    int st;
    ::waitpid(child, &st, 0);
    std::string msg =
        "cordon: cannot execute '" + std::string(argv[6]) + "': " + strerror(exec_err) + "\n";
    write_all(STDERR_FILENO, msg);
    return exec_err == ENOENT ? exit_code::kNotFound : exit_code::kNotExecutable;
  }

  // pid 1: forward signals, reap everything, leave when the command is done (the
  // kernel then kills whatever else is left in the pid namespace).
  for (;;) {
    siginfo_t info;
    int sig = sigwaitinfo(&forwarded, &info);
    if (sig < 0) continue;
    if (sig != SIGCHLD) {
      ::kill(-child, sig);
      ::kill(child, sig);
      continue;
    }
    for (;;) {
      int st;
      pid_t p = ::waitpid(-1, &st, WNOHANG);
      if (p <= 0) break;
      if (p == child) return status_to_exit(st);
    }
  }
}

}  // namespace cordon::sandbox::linux
