// The pseudo-terminal driver (pty.h) itself, through real programs: prompts answered by
// typing, the terminal really being the controlling terminal and stdio, exit statuses,
// Ctrl-C through the line discipline, and no process left behind.
#include "pty.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace e2e {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

constexpr milliseconds kLong{15000};

std::unique_ptr<PtyProcess> start_or_fail(const std::vector<std::string>& argv,
                                          const std::vector<std::string>& env = {},
                                          const std::string& cwd = "") {
  std::string error;
  auto p = PtyProcess::start(argv, env, cwd, &error);
  EXPECT_TRUE(p) << error;
  return p;
}

// The fields of /proc/PID/stat after the command name (index 0 is field 3, the state), or
// nothing when the process does not exist.
std::vector<std::string> proc_stat(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return {};
  const size_t close = line.rfind(')');
  if (close == std::string::npos) return {};
  std::istringstream rest(line.substr(close + 1));
  std::vector<std::string> fields;
  for (std::string f; rest >> f;) fields.push_back(f);
  return fields;
}
constexpr size_t kPgrp = 2, kSession = 3, kTtyNr = 4, kTpgid = 5;

// Makes this process the reaper of its orphaned descendants while it lives, so a test can
// collect their exit statuses (and leaves no zombie to the host's init).
class Subreaper {
 public:
  Subreaper() { ::prctl(PR_SET_CHILD_SUBREAPER, 1); }
  ~Subreaper() { ::prctl(PR_SET_CHILD_SUBREAPER, 0); }
  Subreaper(const Subreaper&) = delete;
  Subreaper& operator=(const Subreaper&) = delete;
};

// The wait status of `pid` (a child of this process) once it ends, waiting up to 10 s; after
// that it is killed and nullopt returned.
std::optional<int> reap_within_10s(pid_t pid) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  int st = 0;
  while (std::chrono::steady_clock::now() < until) {
    if (::waitpid(pid, &st, WNOHANG) == pid) return st;
    std::this_thread::sleep_for(milliseconds(20));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &st, 0);
  return std::nullopt;
}

// Sets SIGINT to "ignore" in this process for its lifetime (a child inherits that across
// execve unless its dispositions are reset).
class IgnoreSigint {
 public:
  IgnoreSigint() {
    struct sigaction ign {};
    ign.sa_handler = SIG_IGN;
    ::sigaction(SIGINT, &ign, &old_);
  }
  ~IgnoreSigint() { ::sigaction(SIGINT, &old_, nullptr); }
  IgnoreSigint(const IgnoreSigint&) = delete;
  IgnoreSigint& operator=(const IgnoreSigint&) = delete;

 private:
  struct sigaction old_ {};
};

TEST(PtyDriver, AnswersAPrompt) {
  auto p = start_or_fail({"/bin/sh", "-c", "printf 'name? '; read x; echo \"got [$x]\""});
  ASSERT_TRUE(p);
  ASSERT_TRUE(p->expect("name? ", kLong)) << p->output();
  EXPECT_TRUE(p->send("bob\n"));
  EXPECT_TRUE(p->expect("got [bob]", kLong)) << p->output();
  const auto st = p->wait(kLong);
  ASSERT_TRUE(st) << p->output();
  EXPECT_TRUE(WIFEXITED(*st) && WEXITSTATUS(*st) == 0) << *st;
  // The terminal echoes what was typed and turns "\n" into "\r\n".
  EXPECT_EQ(p->output(), "name? bob\r\ngot [bob]\r\n");
  EXPECT_EQ(strip_terminal(p->output()), "name? bob\ngot [bob]\n");
}

TEST(PtyDriver, TtyIsAPseudoTerminal) {
  auto p = start_or_fail({"tty"});
  ASSERT_TRUE(p);
  ASSERT_TRUE(p->wait(kLong)) << p->output();
  EXPECT_THAT(p->tty_name(), MatchesRegex("/dev/pts/[0-9]+"));
  EXPECT_EQ(strip_terminal(p->output()), p->tty_name() + "\n");
}

TEST(PtyDriver, StdinStdoutAndStderrAreTheTerminal) {
  auto p = start_or_fail(
      {"sh", "-c", "test -t 0 && test -t 1 && echo both; test -t 2 && echo err >&2; echo done"});
  ASSERT_TRUE(p);
  const auto st = p->wait(kLong);
  ASSERT_TRUE(st) << p->output();
  EXPECT_EQ(strip_terminal(p->output()), "both\nerr\ndone\n");
}

TEST(PtyDriver, IsTheControllingTerminalOfANewSession) {
  auto p = start_or_fail({"sh", "-c", "exec 3</dev/tty && echo ctty-open; read x"});
  ASSERT_TRUE(p);
  ASSERT_TRUE(p->expect("ctty-open", kLong)) << p->output();
  // From outside: its own session and process group, the foreground group of the terminal
  // (tpgid), and that terminal is ours.
  const auto f = proc_stat(p->pid());
  ASSERT_GT(f.size(), kTpgid);
  const std::string pid = std::to_string(p->pid());
  EXPECT_EQ(f[kSession], pid);
  EXPECT_EQ(f[kPgrp], pid);
  EXPECT_EQ(f[kTpgid], pid);
  struct stat st {};
  ASSERT_EQ(::stat(p->tty_name().c_str(), &st), 0);
  const unsigned ma = major(st.st_rdev), mi = minor(st.st_rdev);
  const unsigned long long tty_nr = (mi & 0xffu) | (ma << 8) | ((mi & ~0xffu) << 12);
  EXPECT_EQ(f[kTtyNr], std::to_string(tty_nr));
  EXPECT_TRUE(p->send("\n"));
  const auto status = p->wait(kLong);
  ASSERT_TRUE(status) << p->output();
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << *status;
}

TEST(PtyDriver, WindowSize) {
  auto p = start_or_fail({"stty", "size"});
  ASSERT_TRUE(p);
  ASSERT_TRUE(p->wait(kLong)) << p->output();
  EXPECT_EQ(strip_terminal(p->output()), "24 120\n");
}

TEST(PtyDriver, ExitStatusIsReported) {
  auto p = start_or_fail({"/bin/sh", "-c", "echo bye; exit 3"});
  ASSERT_TRUE(p);
  const auto st = p->wait(kLong);
  ASSERT_TRUE(st) << p->output();
  EXPECT_TRUE(WIFEXITED(*st)) << *st;
  EXPECT_EQ(WEXITSTATUS(*st), 3);
  EXPECT_EQ(p->output(), "bye\r\n");
  // Later calls give the same status.
  EXPECT_EQ(p->wait(milliseconds(0)), st);
}

TEST(PtyDriver, CtrlCInterruptsThroughTheLineDiscipline) {
  std::unique_ptr<PtyProcess> p;
  {
    // Even when started by a process that ignores SIGINT.
    IgnoreSigint ignore;
    p = start_or_fail({"sleep", "30"});
  }
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->send("\x03"));
  const auto st = p->wait(kLong);
  ASSERT_TRUE(st) << "still running after Ctrl-C: " << p->output();
  EXPECT_TRUE(WIFSIGNALED(*st)) << *st;
  EXPECT_EQ(WTERMSIG(*st), SIGINT) << *st;
  EXPECT_THAT(p->output(), HasSubstr("^C"));  // the line discipline's echo
}

TEST(PtyDriver, WaitTimeoutKillsAndReaps) {
  auto p = start_or_fail({"sleep", "30"});
  ASSERT_TRUE(p);
  const pid_t pid = p->pid();
  ASSERT_FALSE(proc_stat(pid).empty());
  EXPECT_EQ(p->wait(milliseconds(100)), std::nullopt);
  // Killed and reaped: not even a zombie is left.
  EXPECT_TRUE(proc_stat(pid).empty()) << "/proc/" << pid << " still exists";
  const auto st = p->wait(milliseconds(0));
  ASSERT_TRUE(st);
  EXPECT_TRUE(WIFSIGNALED(*st) && WTERMSIG(*st) == SIGKILL) << *st;
}

TEST(PtyDriver, DestructorLeavesNoProcessBehind) {
  Subreaper subreaper;  // the background sleep becomes this process's child when sh dies
  // The background sleep ignores SIGHUP, so the hangup when its session leader dies does
  // not end it: only the kill of the process group does.
  auto p = start_or_fail({"sh", "-c", "trap '' HUP; sleep 30 & echo \"bg=$! end\"; wait"});
  ASSERT_TRUE(p);
  ASSERT_TRUE(p->expect(" end", kLong)) << p->output();
  const std::string out = strip_terminal(p->output());
  const size_t at = out.find("bg=");
  ASSERT_NE(at, std::string::npos) << out;
  const pid_t pid = p->pid(), bg = std::atoi(out.c_str() + at + 3);
  ASSERT_GT(bg, 0) << out;
  const auto bf = proc_stat(bg);
  ASSERT_GT(bf.size(), kPgrp);
  EXPECT_EQ(bf[kPgrp], std::to_string(pid));
  p.reset();
  EXPECT_TRUE(proc_stat(pid).empty()) << "/proc/" << pid << " still exists";
  const auto st = reap_within_10s(bg);
  ASSERT_TRUE(st) << "the background sleep " << bg << " survived";
  EXPECT_TRUE(WIFSIGNALED(*st) && WTERMSIG(*st) == SIGKILL) << *st;
}

TEST(PtyDriver, ExpectMovesPastEachMatch) {
  auto p = start_or_fail({"sh", "-c", "echo 'one two one'"});
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->expect("one", kLong)) << p->output();
  EXPECT_TRUE(p->expect("one", kLong)) << p->output();
  // Both are behind the match point now; the program has ended, so these return at once.
  EXPECT_FALSE(p->expect("one", kLong)) << p->output();
  EXPECT_FALSE(p->expect("two", kLong)) << p->output();
  EXPECT_TRUE(p->expect("\r\n", kLong)) << p->output();
}

TEST(PtyDriver, EnvironmentAndDirectory) {
  auto p = start_or_fail({"sh", "-c", "echo \"foo=$FOO path=$PATH\"; pwd"},
                         {"FOO=bar baz", "PATH=/usr/bin:/bin"}, "/usr");
  ASSERT_TRUE(p);
  ASSERT_TRUE(p->wait(kLong)) << p->output();
  EXPECT_EQ(strip_terminal(p->output()), "foo=bar baz path=/usr/bin:/bin\n/usr\n");

  // An empty environment list passes this process's environment on.
  const char* path = std::getenv("PATH");
  ASSERT_NE(path, nullptr);
  auto q = start_or_fail({"sh", "-c", "echo \"path=$PATH\""});
  ASSERT_TRUE(q);
  ASSERT_TRUE(q->wait(kLong)) << q->output();
  EXPECT_EQ(strip_terminal(q->output()), std::string("path=") + path + "\n");
}

TEST(PtyDriver, OnlyTheTerminalIsInherited) {
  // Not close-on-exec, and high enough not to be taken for the fd the shell reads the
  // directory with.
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(null_fd, 0);
  const int leak = ::fcntl(null_fd, F_DUPFD, 50);
  ::close(null_fd);
  ASSERT_GE(leak, 50);
  auto p = start_or_fail({"sh", "-c", "for f in /proc/$$/fd/*; do echo \"${f##*/}\"; done"});
  ::close(leak);
  ASSERT_TRUE(p);
  ASSERT_TRUE(p->wait(kLong)) << p->output();
  EXPECT_THAT(strip_terminal(p->output()), ::testing::StartsWith("0\n1\n2\n"));
  // Built with append, not "\n" + to_string(...): g++ 12's -Wrestrict misfires on that.
  std::string line = "\n";
  line.append(std::to_string(leak)).append("\n");
  EXPECT_THAT(strip_terminal(p->output()), ::testing::Not(HasSubstr(line)));
}

TEST(PtyDriver, StartFailuresAreReported) {
  std::string error;
  EXPECT_FALSE(PtyProcess::start({"/nonexistent/cordon-pty-test"}, {}, "", &error));
  EXPECT_EQ(error,
            "cannot start /nonexistent/cordon-pty-test: execve /nonexistent/cordon-pty-test: "
            "No such file or directory");
  EXPECT_FALSE(PtyProcess::start({"cordon-no-such-program"}, {"PATH=/usr/bin:/bin"}, "", &error));
  EXPECT_EQ(error, "cannot start cordon-no-such-program: not found in PATH=/usr/bin:/bin");
  EXPECT_FALSE(PtyProcess::start({"sh", "-c", "true"}, {}, "/nonexistent/dir", &error));
  EXPECT_EQ(error, "cannot start sh: chdir /nonexistent/dir: No such file or directory");
  EXPECT_FALSE(PtyProcess::start({}, {}, "", &error));
  EXPECT_EQ(error, "PtyProcess::start: empty argv");
}

TEST(PtyDriver, StripTerminal) {
  EXPECT_EQ(strip_terminal("a\r\n\x1b[1;31mred\x1b[0m \x1b]0;title\x07t\x1b]2;x\x1b\\\n"),
            "a\nred t\n");
  EXPECT_EQ(strip_terminal("\x1b(Bx\x1b=y\x1b[?25lz\a\x1b"), "xyz");
  EXPECT_EQ(strip_terminal("plain"), "plain");
}

}  // namespace
}  // namespace e2e
