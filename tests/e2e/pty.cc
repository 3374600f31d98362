// e2e pseudo-terminal driver (see pty.h).
#include "pty.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>

extern char** environ;

namespace e2e {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// The longest send() waits for the terminal to take its bytes.
constexpr milliseconds kSendLimit{10000};
// The longest wait() reads on after the process has ended (only a process that inherited the
// terminal and outlived it keeps it open that long).
constexpr milliseconds kDrainLimit{2000};
constexpr const char* kDefaultPath = "/usr/local/bin:/usr/bin:/bin";

int ms_until(Clock::time_point t) {
  const auto left = std::chrono::duration_cast<milliseconds>(t - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, 1000000));
}

std::string errno_text(int err) {
  return std::strerror(err);
}

// The PATH value in `env` (KEY=VALUE list), else this process's, else kDefaultPath.
std::string path_value(const std::vector<std::string>& env) {
  for (const auto& kv : env) {
    if (kv.rfind("PATH=", 0) == 0) return kv.substr(5);
  }
  const char* p = std::getenv("PATH");
  return p != nullptr ? p : kDefaultPath;
}

// The first executable regular file named `name` in the directories of `path` (empty
// entries skipped), or "".
std::string find_in_path(const std::string& name, const std::string& path) {
  size_t begin = 0;
  while (begin <= path.size()) {
    size_t end = path.find(':', begin);
    if (end == std::string::npos) end = path.size();
    const std::string dir = path.substr(begin, end - begin);
    begin = end + 1;
    if (dir.empty()) continue;
    std::string candidate = dir + "/" + name;
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  return "";
}

std::vector<char*> pointers(std::vector<std::string>& v) {
  std::vector<char*> out;
  out.reserve(v.size() + 1);
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Moves `fd` above the standard descriptors (so the child's dup2 onto 0-2 cannot clobber it),
// keeping it close-on-exec. Returns the new fd, or -1.
int above_stdio(int fd) {
  if (fd < 0 || fd > 2) return fd;
  const int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
  ::close(fd);
  return moved;
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// What the child reports on the exec pipe when it cannot start the program.
enum class Step : int { Setsid, ControllingTty, Stdio, Chdir, Exec };
struct ChildFailure {
  Step step;
  int err;
};

const char* step_name(Step s) {
  switch (s) {
    case Step::Setsid:
      return "setsid";
    case Step::ControllingTty:
      return "ioctl(TIOCSCTTY)";
    case Step::Stdio:
      return "dup2";
    case Step::Chdir:
      return "chdir";
    case Step::Exec:
      return "execve";
  }
  return "?";
}

// The child between fork and execve: async-signal-safe calls only.
[[noreturn]] void run_child(int slave, int report, const char* exe, char* const* argv,
                            char* const* envp, const char* cwd) {
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int s = 1; s < NSIG; ++s) {
    if (s != SIGKILL && s != SIGSTOP) ::sigaction(s, &dfl, nullptr);
  }
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);

  ChildFailure failure{Step::Exec, 0};
  if (::setsid() < 0) {
    failure = {Step::Setsid, errno};
  } else if (::ioctl(slave, TIOCSCTTY, 0) < 0) {
    failure = {Step::ControllingTty, errno};
  } else if (::dup2(slave, 0) < 0 || ::dup2(slave, 1) < 0 || ::dup2(slave, 2) < 0) {
    failure = {Step::Stdio, errno};
  } else if (cwd[0] != '\0' && ::chdir(cwd) != 0) {
    failure = {Step::Chdir, errno};
  } else {
    // Nothing but the terminal goes to the program (the report pipe closes at execve).
    ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
    ::execve(exe, argv, envp);
    failure = {Step::Exec, errno};
  }
  ssize_t ignored = ::write(report, &failure, sizeof failure);
  (void)ignored;
  ::_exit(127);
}

}  // namespace

std::string strip_terminal(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  size_t i = 0;
  const size_t n = raw.size();
  // Skips a string terminated by BEL or ESC '\' (OSC, DCS, ...), starting at `i`.
  auto skip_string = [&] {
    while (i < n) {
      if (raw[i] == '\a') {
        ++i;
        return;
      }
      if (raw[i] == '\x1b' && i + 1 < n && raw[i + 1] == '\\') {
        i += 2;
        return;
      }
      ++i;
    }
  };
  while (i < n) {
    const char c = raw[i];
    if (c == '\r' || c == '\a') {
      ++i;
      continue;
    }
    if (c != '\x1b') {
      out.push_back(c);
      ++i;
      continue;
    }
    ++i;  // ESC
    if (i >= n) break;
    const char kind = raw[i++];
    if (kind == '[') {
      // CSI: parameter and intermediate bytes up to a final byte in 0x40-0x7e.
      while (i < n && !(raw[i] >= 0x40 && raw[i] <= 0x7e)) ++i;
      if (i < n) ++i;
    } else if (kind == ']' || kind == 'P' || kind == 'X' || kind == '^' || kind == '_') {
      skip_string();
    } else if (kind >= 0x20 && kind <= 0x2f) {
      // ESC, intermediate bytes, one final byte (e.g. ESC ( B).
      while (i < n && raw[i] >= 0x20 && raw[i] <= 0x2f) ++i;
      if (i < n) ++i;
    }
    // Any other ESC x is a two-byte sequence, already consumed.
  }
  return out;
}

std::unique_ptr<PtyProcess> PtyProcess::start(const std::vector<std::string>& argv,
                                              const std::vector<std::string>& env,
                                              const std::string& cwd, std::string* error) {
  auto fail = [&](const std::string& message) -> std::unique_ptr<PtyProcess> {
    if (error != nullptr) *error = message;
    return nullptr;
  };
  if (argv.empty() || argv[0].empty()) return fail("PtyProcess::start: empty argv");

  std::string exe = argv[0];
  if (exe.find('/') == std::string::npos) {
    const std::string path = path_value(env);
    exe = find_in_path(argv[0], path);
    if (exe.empty()) return fail("cannot start " + argv[0] + ": not found in PATH=" + path);
  }

  int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) return fail("posix_openpt: " + errno_text(errno));
  master = above_stdio(master);
  char name[128];
  if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0 ||
      ::ptsname_r(master, name, sizeof name) != 0) {
    const int err = errno;
    close_fd(master);
    return fail("setting up the pseudo-terminal: " + errno_text(err));
  }
  const int flags = ::fcntl(master, F_GETFL);
  ::fcntl(master, F_SETFL, flags | O_NONBLOCK);

  // The parent holds the slave side open until the child has its own copies, so the master
  // never sees "no slave" before the program runs.
  int slave = above_stdio(::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (slave < 0) {
    const int err = errno;
    close_fd(master);
    return fail(std::string("open ") + name + ": " + errno_text(err));
  }
  struct winsize size {};
  size.ws_row = kRows;
  size.ws_col = kColumns;
  if (::ioctl(slave, TIOCSWINSZ, &size) != 0) {
    const int err = errno;
    close_fd(slave);
    close_fd(master);
    return fail("ioctl(TIOCSWINSZ): " + errno_text(err));
  }
  int report[2] = {-1, -1};
  if (::pipe2(report, O_CLOEXEC) != 0) {
    const int err = errno;
    close_fd(slave);
    close_fd(master);
    return fail("pipe2: " + errno_text(err));
  }
  report[1] = above_stdio(report[1]);

  // Everything the child needs, prepared before fork.
  std::vector<std::string> argv_s = argv, env_s = env;
  std::vector<char*> argv_p = pointers(argv_s), env_p = pointers(env_s);
  char* const* envp = env.empty() ? environ : env_p.data();
  const char* cwd_p = cwd.c_str();

  const pid_t pid = ::fork();
  if (pid < 0) {
    const int err = errno;
    for (int* fd : {&slave, &master, &report[0], &report[1]}) close_fd(*fd);
    return fail("fork: " + errno_text(err));
  }
  if (pid == 0) run_child(slave, report[1], exe.c_str(), argv_p.data(), envp, cwd_p);

  close_fd(slave);
  close_fd(report[1]);
  ChildFailure failure{};
  ssize_t got;
  do {
    got = ::read(report[0], &failure, sizeof failure);
  } while (got < 0 && errno == EINTR);
  close_fd(report[0]);
  if (got == static_cast<ssize_t>(sizeof failure)) {
    int st = 0;
    while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    close_fd(master);
    std::string what = step_name(failure.step);
    if (failure.step == Step::Exec) what += " " + exe;
    if (failure.step == Step::Chdir) what += " " + cwd;
    return fail("cannot start " + argv[0] + ": " + what + ": " + errno_text(failure.err));
  }

  std::unique_ptr<PtyProcess> p(new PtyProcess());
  p->pid_ = pid;
  p->master_ = master;
  p->tty_name_ = name;
  p->pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));  // -1: poll for the exit
  return p;
}

PtyProcess::~PtyProcess() {
  kill_and_reap();
  close_fd(pidfd_);
  close_fd(master_);
}

void PtyProcess::pump(Clock::time_point until, bool watch_exit) {
  pollfd fds[2];
  nfds_t count = 0;
  if (!eof_) fds[count++] = {master_, POLLIN, 0};
  const bool exit_fd = watch_exit && !status_ && pidfd_ >= 0;
  if (exit_fd) fds[count++] = {pidfd_, POLLIN, 0};
  int timeout = ms_until(until);
  // Without a pidfd, look for the exit now and then.
  if (watch_exit && !status_ && pidfd_ < 0) timeout = std::min(timeout, 20);
  const int ready = ::poll(fds, count, timeout);
  if (ready > 0 && !eof_ && fds[0].revents != 0) read_available();
}

void PtyProcess::read_available() {
  char buf[4096];
  while (!eof_) {
    const ssize_t n = ::read(master_, buf, sizeof buf);
    if (n > 0) {
      output_.append(buf, static_cast<size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return;
    } else {
      // EIO (Linux, once no process holds the slave side open) or EOF: nothing more can come.
      eof_ = true;
    }
  }
}

bool PtyProcess::try_reap() {
  if (status_) return true;
  int st = 0;
  pid_t w;
  do {
    w = ::waitpid(pid_, &st, WNOHANG);
  } while (w < 0 && errno == EINTR);
  if (w == 0) return false;
  status_ = w == pid_ ? st : -1;  // -1: someone else reaped it (ECHILD)
  close_fd(pidfd_);
  return true;
}

void PtyProcess::drain(milliseconds limit) {
  const auto until = Clock::now() + limit;
  read_available();
  while (!eof_ && Clock::now() < until) pump(until, false);
}

void PtyProcess::kill_and_reap() {
  if (pid_ <= 0 || status_) return;
  ::kill(-pid_, SIGKILL);
  ::kill(pid_, SIGKILL);
  int st = 0;
  pid_t w;
  do {
    w = ::waitpid(pid_, &st, 0);
  } while (w < 0 && errno == EINTR);
  status_ = w == pid_ ? st : -1;
  close_fd(pidfd_);
}

bool PtyProcess::expect(std::string_view text, milliseconds timeout) {
  const auto until = Clock::now() + timeout;
  for (;;) {
    read_available();
    const size_t at = output_.find(text, match_pos_);
    if (at != std::string::npos) {
      match_pos_ = at + text.size();
      return true;
    }
    if (eof_ || Clock::now() >= until) return false;
    pump(until, false);
  }
}

bool PtyProcess::send(std::string_view bytes) {
  const auto until = Clock::now() + kSendLimit;
  size_t done = 0;
  while (done < bytes.size()) {
    if (eof_) return false;
    const ssize_t n = ::write(master_, bytes.data() + done, bytes.size() - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return false;
    if (Clock::now() >= until) return false;
    // The terminal is full: read its output (echo may be what blocks it) and retry.
    pollfd p{master_, POLLIN | POLLOUT, 0};
    if (::poll(&p, 1, ms_until(until)) > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      read_available();
    }
  }
  return true;
}

std::optional<int> PtyProcess::wait(milliseconds timeout) {
  const auto until = Clock::now() + timeout;
  for (;;) {
    read_available();
    if (try_reap()) {
      drain(kDrainLimit);
      return status_;
    }
    if (Clock::now() >= until) break;
    pump(until, true);
  }
  kill_and_reap();
  drain(kDrainLimit);
  return std::nullopt;
}

}  // namespace e2e
