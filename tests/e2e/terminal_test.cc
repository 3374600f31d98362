// The terminal: a command run from a terminal keeps it as stdin/stdout/stderr, Ctrl-C
// typed there reaches it, and it cannot push keystrokes into the terminal.
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <string>
#include <vector>

#include "harness.h"

namespace e2e {
namespace {

struct PtyRun {
  pid_t pid = -1;
  int master = -1;
  std::string out;

  // Reads until `needle` shows up, EOF, or the deadline.
  bool read_until(const std::string& needle, milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (out.find(needle) == std::string::npos) {
      const auto left =
          std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{master, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[512];
      ssize_t n = ::read(master, buf, sizeof buf);
      if (n <= 0) return out.find(needle) != std::string::npos;  // EIO once the child is gone
      out.append(buf, static_cast<size_t>(n));
    }
    return true;
  }

  // Exit status, or -1 when it has not ended within the timeout (then it is killed).
  int wait(milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int st = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      read_until("\x01never", milliseconds(50));
      if (::waitpid(pid, &st, WNOHANG) == pid) {
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      }
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &st, 0);
    return -1;
  }

  ~PtyRun() {
    if (master >= 0) ::close(master);
  }
};

class Terminal : public E2ETest {
 protected:
  void start(PtyRun& r, Mode mode, const std::vector<std::string>& command) {
    std::vector<std::string> argv = cordon_argv(mode, command, {});
    std::vector<std::string> env = cordon_env({});
    std::vector<char*> av, ev;
    for (auto& s : argv) av.push_back(s.data());
    av.push_back(nullptr);
    for (auto& s : env) ev.push_back(s.data());
    ev.push_back(nullptr);
    r.pid = ::forkpty(&r.master, nullptr, nullptr, nullptr);
    ASSERT_GE(r.pid, 0) << "forkpty failed";
    if (r.pid == 0) {
      if (::chdir(ws_.c_str()) != 0) ::_exit(120);
      ::execve(av[0], av.data(), ev.data());
      ::_exit(121);
    }
  }
};

TEST_F(Terminal, StaysTheCommandsStdioAndCtrlCReachesIt) {
  PtyRun r;
  start(r, Mode::ReadOnly,
        {"sh", "-c",
         "trap 'echo GOT-INT; exit 5' INT; test -t 0 && test -t 1 && test -t 2 && echo TTY-OK; "
         "while :; do sleep 0.05; done"});
  ASSERT_TRUE(r.read_until("TTY-OK", milliseconds(15000))) << r.out;
  ASSERT_EQ(::write(r.master, "\x03", 1), 1);  // Ctrl-C, as typed
  EXPECT_TRUE(r.read_until("GOT-INT", milliseconds(15000))) << r.out;
  EXPECT_EQ(r.wait(milliseconds(15000)), 5) << r.out;
}

TEST_F(Terminal, CommandCannotInjectKeystrokes) {
  PtyRun r;
  start(r, Mode::WorkspaceWrite, {probe_bin(), "tiocsti"});
  r.read_until("\x01never", milliseconds(100));
  const int status = r.wait(milliseconds(15000));
  EXPECT_EQ(status, 1) << r.out;
  EXPECT_NE(r.out.find("error ioctl(TIOCSTI): EPERM"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace e2e
