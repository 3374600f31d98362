// cordon - the sandbox's init.
#include "sandbox/linux/sandbox_init.h"

#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/exit_codes.h"
#include "util/io.h"

namespace cordon::sandbox::linux {
namespace {

const char* find_path(char* const envp[]) {
  for (char* const* e = envp; *e != nullptr; ++e) {
    if (std::strncmp(*e, "PATH=", 5) == 0) return *e + 5;
  }
  return "/usr/local/bin:/usr/bin:/bin";
}

// Like execvpe, without allocation and without the /bin/sh fallback. Returns the errno to
// report: the first EACCES if a candidate was not executable, else the last error.
int exec_search(char* const argv[], char* const envp[]) {
  const char* prog = argv[0];
  if (std::strchr(prog, '/') != nullptr) {
    ::execve(prog, argv, envp);
    return errno;
  }
  const size_t plen = std::strlen(prog);
  const char* p = find_path(envp);
  int err = ENOENT;
  bool saw_eacces = false;
  char buf[4096];
  for (;;) {
    const char* colon = std::strchr(p, ':');
    const size_t dlen = colon != nullptr ? static_cast<size_t>(colon - p) : std::strlen(p);
    if (dlen + plen + 2 <= sizeof buf) {
      size_t n = 0;
      if (dlen == 0) {
        buf[n++] = '.';
      } else {
        std::memcpy(buf, p, dlen);
        n = dlen;
      }
      buf[n++] = '/';
      std::memcpy(buf + n, prog, plen + 1);
      ::execve(buf, argv, envp);
      if (errno == EACCES) saw_eacces = true;
      if (errno != ENOENT && errno != EACCES && errno != ENOTDIR && errno != ELOOP &&
          errno != ENAMETOOLONG) {
        return errno;
      }
      err = errno;
    }
    if (colon == nullptr) break;
    p = colon + 1;
  }
  return saw_eacces ? EACCES : err;
}

void say_exec_failure(const char* prog, int err) {
  write_all(STDERR_FILENO, "cordon: cannot execute '");
  write_all(STDERR_FILENO, prog, std::strlen(prog));
  write_all(STDERR_FILENO, "': ");
  const char* desc = strerrordesc_np(err);
  write_all(STDERR_FILENO, desc != nullptr ? desc : "error");
  write_all(STDERR_FILENO, "\n");
}

// What the vfork-style child needs; it reports a failed execve in exec_errno (the memory is
// shared until execve).
struct Start {
  char* const* argv;
  char* const* envp;
  const sigset_t* old_mask;
  int exec_errno;
};

int start_command(void* arg) {
  auto* s = static_cast<Start*>(arg);
  ::setpgid(0, 0);
  sigprocmask(SIG_SETMASK, s->old_mask, nullptr);
  s->exec_errno = exec_search(s->argv, s->envp);
  ::_exit(127);
}

int status_to_exit(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return exit_code::kInternal;
}

}  // namespace

void exec_command(char* const argv[], char* const envp[]) {
  const int err = exec_search(argv, envp);
  say_exec_failure(argv[0], err);
  ::_exit(err == ENOENT ? exit_code::kNotFound : exit_code::kNotExecutable);
}

int run_as_init(char* const argv[], char* const envp[], const sigset_t& forwarded,
                const sigset_t& old_mask, std::span<char> stack) {
  Start start{argv, envp, &old_mask, 0};
  // CLONE_VFORK: this process resumes once the command has called execve (or given up).
  const pid_t child =
      ::clone(start_command, stack.data() + stack.size(), CLONE_VM | CLONE_VFORK | SIGCHLD, &start);
  if (child < 0) {
    write_all(STDERR_FILENO, "cordon: cannot start the command\n");
    return exit_code::kInternal;
  }
  ::setpgid(child, child);  // both sides, so signals can target the group at once
  if (start.exec_errno != 0) {
    int st;
    ::waitpid(child, &st, 0);
    say_exec_failure(argv[0], start.exec_errno);
    return start.exec_errno == ENOENT ? exit_code::kNotFound : exit_code::kNotExecutable;
  }

  // Forward signals, reap everything, leave when the command is done (in a pid namespace
  // the kernel then kills whatever else is left).
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
