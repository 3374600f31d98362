// e2e: the command's life cycle under cordon: exit status, death by signal, stdio, signals
// sent to cordon, background children, and the protected-path stubs on the host (also
// when cordon is killed).
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <random>
#include <thread>

#include "harness.h"

namespace e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Values;

// A sleep duration no other process has on its command line, e.g. "29.483920".
std::string unique_sleep_arg() {
  std::random_device rd;
  char buf[32];
  std::snprintf(buf, sizeof buf, "29.%06u", static_cast<unsigned>(rd() % 1000000));
  return buf;
}

// Pids of the processes (visible to this user) with `arg` as one of their arguments.
std::vector<pid_t> processes_with_arg(const std::string& arg) {
  std::vector<pid_t> out;
  DIR* d = ::opendir("/proc");
  if (d == nullptr) return out;
  while (dirent* e = ::readdir(d)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (*end != '\0' || pid <= 0) continue;
    const std::string cmdline = read_file("/proc/" + std::string(e->d_name) + "/cmdline");
    size_t i = 0;
    while (i < cmdline.size()) {
      size_t j = cmdline.find('\0', i);
      if (j == std::string::npos) j = cmdline.size();
      if (cmdline.compare(i, j - i, arg) == 0) {
        out.push_back(static_cast<pid_t>(pid));
        break;
      }
      i = j + 1;
    }
  }
  ::closedir(d);
  return out;
}

// Waits up to `wait` for every process with `arg` to be gone; returns the ones left.
std::vector<pid_t> wait_gone(const std::string& arg, milliseconds wait) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    auto left = processes_with_arg(arg);
    if (left.empty() || std::chrono::steady_clock::now() >= deadline) return left;
    std::this_thread::sleep_for(milliseconds(20));
  }
}

// Waits up to `wait` for a process with `arg` to show up; returns those found. A process
// in the middle of execve briefly shows an empty command line, so one look is not enough.
std::vector<pid_t> wait_present(const std::string& arg, milliseconds wait) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    auto found = processes_with_arg(arg);
    if (!found.empty() || std::chrono::steady_clock::now() >= deadline) return found;
    std::this_thread::sleep_for(milliseconds(20));
  }
}

// What is left of the command's processes: sandboxed, they must be gone within a few
// seconds; unsandboxed, they are expected to survive (looked for for up to 3 s).
std::vector<pid_t> left_behind(Mode m, const std::string& arg) {
  return sandboxed(m) ? wait_gone(arg, milliseconds(5000)) : wait_present(arg, milliseconds(3000));
}

void kill_all(const std::vector<pid_t>& pids) {
  for (pid_t p : pids) ::kill(p, SIGKILL);
}

class Lifecycle : public ModeTest {};

TEST_P(Lifecycle, ExitCodePassesThrough) {
  for (int code : {0, 1, 3, 42, 255}) {
    auto r = sh(mode(), "exit " + std::to_string(code));
    EXPECT_TRUE(r.exited) << r.describe();
    EXPECT_EQ(r.code, code) << r.describe();
  }
}

TEST_P(Lifecycle, DeathBySignalIs128PlusN) {
  for (int sig : {SIGSEGV, SIGKILL, SIGTERM, SIGABRT}) {
    auto r = sh(mode(), "kill -" + std::to_string(sig) + " $$");
    EXPECT_EQ(r.status(), 128 + sig) << "signal " << sig << ": " << r.describe();
    // Sandboxed, cordon survives the command and reports 128+N as its own exit status.
    // Unsandboxed, cordon has become the command, so its caller sees the signal itself.
    if (sandboxed(mode())) {
      EXPECT_TRUE(r.exited) << r.describe();
    } else {
      EXPECT_FALSE(r.exited) << r.describe();
    }
  }
}

TEST_P(Lifecycle, StdioPassesThrough) {
  std::string input = "first line\n";
  for (int i = 0; i < 5000; ++i) input += "line " + std::to_string(i) + " of the input data\n";
  input += "last line without newline";
  RunOptions opts;
  opts.stdin_data = input;
  auto r = sh(mode(), "cat; echo; echo to-stdout; echo to-stderr >&2; exit 7", opts);
  EXPECT_EQ(r.status(), 7) << r.describe();
  EXPECT_EQ(r.out, input + "\nto-stdout\n");
  if (sandboxed(mode())) {
    EXPECT_EQ(without_landlock_warning(r.err), "to-stderr\n");
    EXPECT_EQ(landlock_warnings(r.err), expected_landlock_warnings(mode())) << r.describe();
  } else {
    EXPECT_THAT(r.err, HasSubstr("to-stderr\n"));
  }
}

TEST_P(Lifecycle, CommandNotFound) {
  auto r = run(mode(), {"/nonexistent/cordon-e2e-command"});
  EXPECT_TRUE(r.exited && r.code == 127) << r.describe();
  r = run(mode(), {"cordon-e2e-no-such-command"});
  EXPECT_TRUE(r.exited && r.code == 127) << r.describe();
}

TEST_P(Lifecycle, CommandNotExecutable) {
  const std::string f = join(ws_, "not-executable");
  write_file(f, "#!/bin/sh\necho ran\n");
  ::chmod(f.c_str(), 0644);
  auto r = run(mode(), {f});
  EXPECT_TRUE(r.exited && r.code == 126) << r.describe();
  EXPECT_EQ(r.out, "");
}

// A writable descriptor of a file outside, inherited from cordon's caller, must not reach
// the sandboxed command.
TEST_P(Lifecycle, InheritedFileDescriptorIsClosed) {
  const std::string f = join(outside_, "inherited");
  write_file(f, "");
  const int fd = ::open(f.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  RunOptions opts;
  opts.fd3 = fd;
  auto r = sh(mode(), "echo leaked >&3", opts);
  ::close(fd);
  EXPECT_EQ(read_file(f), sandboxed(mode()) ? "" : "leaked\n") << r.describe();
}

// A background child holds stdout; when the command exits the sandbox goes, and the child
// with it: stdout reaches EOF and the process is gone from the host.
TEST_P(Lifecycle, BackgroundChildDoesNotOutliveCordon) {
  const std::string arg = unique_sleep_arg();
  RunOptions opts;
  opts.drain = sandboxed(mode()) ? milliseconds(10000) : milliseconds(300);
  auto r = sh(mode(), "sleep " + arg + " & echo started", opts);
  auto left = left_behind(mode(), arg);
  kill_all(left);
  EXPECT_EQ(r.status(), 0) << r.describe();
  if (sandboxed(mode())) {
    EXPECT_FALSE(r.pipes_open) << "a background child kept stdout open: " << r.describe();
    EXPECT_TRUE(left.empty()) << "the background child (sleep " << arg
                              << ") is still running on the host";
  } else {
    // No sandbox: the child outlives the command (this shows the check can fail).
    EXPECT_TRUE(r.pipes_open) << r.describe();
    EXPECT_FALSE(left.empty()) << "expected the unsandboxed background child to survive";
  }
}

// A daemon that leaves the command's session (setsid) and closes stdio is gone too once
// the command has exited.
TEST_P(Lifecycle, DaemonDoesNotOutliveCordon) {
  const std::string arg = unique_sleep_arg();
  auto r = sh(mode(), "setsid -f sleep " + arg + " </dev/null >/dev/null 2>&1; echo started");
  auto left = left_behind(mode(), arg);
  kill_all(left);
  EXPECT_EQ(r.status(), 0) << r.describe();
  if (sandboxed(mode())) {
    EXPECT_TRUE(left.empty()) << "the daemon (sleep " << arg << ") is still running on the host";
  } else {
    EXPECT_FALSE(left.empty()) << "expected the unsandboxed daemon to survive";
  }
}

INSTANTIATE_TEST_SUITE_P(Modes, Lifecycle,
                         Values(Mode::ReadOnly, Mode::WorkspaceWrite, Mode::DangerFullAccess),
                         mode_param_name);

// When cordon itself is SIGKILLed, nothing the command started survives it: neither a
// background child nor a daemon that left the session (setsid).
class KilledCordon : public ModeTest {};

TEST_P(KilledCordon, NothingOfTheCommandSurvives) {
  const std::string child_arg = unique_sleep_arg();
  const std::string daemon_arg = unique_sleep_arg() + "1";
  RunResult r;
  {
    TmpStubLock shared(false);
    auto p = start(mode(), {"/bin/sh", "-c",
                            "sleep " + child_arg + " & setsid -f sleep " + daemon_arg +
                                " </dev/null >/dev/null 2>&1; echo ready; wait"});
    ASSERT_TRUE(p->started());
    ASSERT_TRUE(p->wait_for_stdout("ready\n", milliseconds(10000))) << p->out_so_far();
    ::kill(p->pid(), SIGKILL);
    r = p->finish(milliseconds(10000), milliseconds(5000));
  }
  auto child_left = wait_gone(child_arg, milliseconds(5000));
  auto daemon_left = wait_gone(daemon_arg, milliseconds(5000));
  kill_all(child_left);
  kill_all(daemon_left);
  EXPECT_TRUE(!r.exited && r.sig == SIGKILL) << r.describe();
  EXPECT_TRUE(child_left.empty()) << "the background child (sleep " << child_arg
                                  << ") outlived the SIGKILLed cordon";
  EXPECT_TRUE(daemon_left.empty())
      << "the daemon (setsid sleep " << daemon_arg << ") outlived the SIGKILLed cordon";
  expect_absent(ws_, {".codex", ".agents"}, milliseconds(5000), "after cordon was SIGKILLed");
  expect_no_tmp_stubs(milliseconds(5000), "after cordon was SIGKILLed");
}

INSTANTIATE_TEST_SUITE_P(Modes, KilledCordon, Values(Mode::ReadOnly, Mode::WorkspaceWrite),
                         mode_param_name);

// A background child that would write a marker a second after the command is gone.
class LateMarker : public ModeTest {};

TEST_P(LateMarker, BackgroundChildWritesNothingAfterCordonExits) {
  const std::string marker = join(ws_, "late-marker");
  auto r =
      sh(mode(), "(sleep 1; echo late > " + marker + ") </dev/null >/dev/null 2>&1 & echo started");
  EXPECT_EQ(r.status(), 0) << r.describe();
  // Bounded wait, longer than the child's delay.
  const auto deadline = std::chrono::steady_clock::now() + milliseconds(2500);
  while (!exists(marker) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(50));
  }
  EXPECT_EQ(exists(marker), !sandboxed(mode()))
      << (sandboxed(mode()) ? "a background child wrote after cordon exited"
                            : "the unsandboxed control child did not write its marker");
}

INSTANTIATE_TEST_SUITE_P(Modes, LateMarker, Values(Mode::WorkspaceWrite, Mode::DangerFullAccess),
                         mode_param_name);

// Signals sent to cordon reach the command: it traps them, reports, and exits 42.
struct SignalCase {
  Mode mode;
  int sig;
  const char* name;
};

void PrintTo(const SignalCase& c, std::ostream* os) {
  *os << mode_name(c.mode) << "/" << c.name;
}

class Signals : public E2ETest, public ::testing::WithParamInterface<SignalCase> {};

TEST_P(Signals, ReachTheCommand) {
  const SignalCase c = GetParam();
  const std::string marker = join(ws_, std::string("got-") + c.name);
  const std::string write_marker =
      workspace_writable(c.mode) ? "echo got > " + marker + "; " : std::string();
  const std::string script = std::string("trap 'echo trapped-") + c.name + "; " + write_marker +
                             "exit 42' " + c.name + "; echo ready; while :; do sleep 0.1; done";
  RunResult r;
  {
    std::optional<TmpStubLock> shared;
    if (sandboxed(c.mode)) shared.emplace(false);
    auto p = start(c.mode, {"/bin/sh", "-c", script});
    ASSERT_TRUE(p->started());
    ASSERT_TRUE(p->wait_for_stdout("ready\n", milliseconds(10000)))
        << "the command did not start: " << p->out_so_far();
    p->send_signal(c.sig);
    r = p->finish(milliseconds(10000));
  }
  if (sandboxed(c.mode)) {
    expect_absent(ws_, {".codex", ".agents"}, milliseconds(0), "after the run");
    expect_no_tmp_stubs(milliseconds(5000), "after the run");
  }
  EXPECT_FALSE(r.timed_out) << "the command did not react to the signal: " << r.describe();
  EXPECT_TRUE(r.exited && r.code == 42) << r.describe();
  EXPECT_THAT(r.out, HasSubstr(std::string("trapped-") + c.name));
  EXPECT_EQ(exists(marker), workspace_writable(c.mode));
}

std::vector<SignalCase> signal_cases() {
  std::vector<SignalCase> out;
  for (Mode m : {Mode::ReadOnly, Mode::WorkspaceWrite, Mode::DangerFullAccess}) {
    out.push_back({m, SIGTERM, "TERM"});
    out.push_back({m, SIGINT, "INT"});
    out.push_back({m, SIGHUP, "HUP"});
    out.push_back({m, SIGQUIT, "QUIT"});
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Modes, Signals, ::testing::ValuesIn(signal_cases()),
                         [](const ::testing::TestParamInfo<SignalCase>& p) {
                           return std::string(mode_name(p.param.mode)) + "_" + p.param.name;
                         });

// Whether `pid` blocks `sig` (cordon blocks the signals it forwards as it starts).
bool blocks_signal(pid_t pid, int sig) {
  const std::string status = read_file("/proc/" + std::to_string(pid) + "/status");
  const auto at = status.find("SigBlk:");
  if (at == std::string::npos) return false;
  const unsigned long long mask = std::strtoull(status.c_str() + at + 7, nullptr, 16);
  return (mask >> (sig - 1)) & 1u;
}

// A signal that arrives while cordon is still setting the sandbox up must not be lost:
// the command must not run on as if nothing had happened.
class EarlySignal : public E2ETest, public ::testing::WithParamInterface<SignalCase> {};

TEST_P(EarlySignal, ReachesTheCommand) {
  const SignalCase c = GetParam();
  const std::string arg = unique_sleep_arg();
  RunResult r;
  {
    TmpStubLock shared(false);
    auto p = start(c.mode, {"sleep", arg});
    ASSERT_TRUE(p->started());
    // As soon as cordon handles the signal itself (blocked, read from a signalfd).
    const auto deadline = std::chrono::steady_clock::now() + milliseconds(5000);
    while (!blocks_signal(p->pid(), c.sig) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
    ASSERT_TRUE(blocks_signal(p->pid(), c.sig)) << "cordon never blocked SIG" << c.name;
    p->send_signal(c.sig);
    // The command sleeps 29 s: ending well before that means the signal reached it.
    r = p->finish(milliseconds(5000));
  }
  kill_all(wait_gone(arg, milliseconds(0)));
  // Killed by the test when the signal was lost: the janitor may need a moment.
  expect_absent(ws_, {".codex", ".agents"}, milliseconds(r.timed_out ? 5000 : 0), "after the run");
  expect_no_tmp_stubs(milliseconds(5000), "after the run");
  EXPECT_FALSE(r.timed_out) << "SIG" << c.name
                            << " sent while cordon was starting was lost; the command ran on: "
                            << r.describe();
  EXPECT_EQ(r.status(), 128 + c.sig) << r.describe();
}

INSTANTIATE_TEST_SUITE_P(Modes, EarlySignal,
                         Values(SignalCase{Mode::ReadOnly, SIGTERM, "TERM"},
                                SignalCase{Mode::WorkspaceWrite, SIGINT, "INT"}),
                         [](const ::testing::TestParamInfo<SignalCase>& p) {
                           return std::string(mode_name(p.param.mode)) + "_" + p.param.name;
                         });

// Protected-path stubs: created on the host for the run, removed afterwards, also when
// cordon is SIGKILLed; concurrent runs do not unmask each other. The Landlock backend
// makes no stubs at all (it cannot protect these paths; see backend_test.cc).
class Stubs : public E2ETest {};

TEST_F(Stubs, RemovedAfterCordonIsKilled) {
  std::error_code ec;
  std::filesystem::remove_all(join(ws_, ".git"), ec);
  const std::vector<std::string> names = {".git", ".codex", ".agents"};
  const std::string arg = unique_sleep_arg();
  RunResult r;
  {
    TmpStubLock shared(false);
    auto p = start(Mode::WorkspaceWrite, {"/bin/sh", "-c", "echo ready; exec sleep " + arg});
    ASSERT_TRUE(p->started());
    ASSERT_TRUE(p->wait_for_stdout("ready\n", milliseconds(10000))) << p->out_so_far();
    for (const auto& n : names) {
      if (landlock()) {
        EXPECT_FALSE(exists(join(ws_, n))) << "the Landlock backend made a stub for " << n;
      } else {
        EXPECT_TRUE(exists(join(ws_, n))) << "no stub for " << n << " while the command runs";
      }
    }
    ::kill(p->pid(), SIGKILL);
    r = p->finish(milliseconds(10000), milliseconds(10000));
  }
  EXPECT_TRUE(!r.exited && r.sig == SIGKILL) << r.describe();
  EXPECT_FALSE(r.pipes_open) << "the sandboxed command outlived cordon: " << r.describe();
  auto left = wait_gone(arg, milliseconds(5000));
  kill_all(left);
  EXPECT_TRUE(left.empty()) << "the sandboxed command (sleep " << arg << ") outlived cordon";
  // The janitor removes the stubs once cordon is gone: poll, bounded.
  expect_absent(ws_, names, milliseconds(5000), "after cordon was SIGKILLed");
  expect_no_tmp_stubs(milliseconds(5000), "after cordon was SIGKILLed");
}

// Runs in workspace-write that overlap share /tmp's stubs: every run must succeed, and
// nothing may be left behind in the workspaces or in /tmp. Each worker starts its next run
// as soon as the last one ends, so runs start and end while others are in every phase.
TEST_F(Stubs, ConcurrentRunsAllSucceed) {
  constexpr int kWorkers = 4;
  constexpr size_t kRuns = 50;
  std::vector<std::string> workspaces;
  for (int w = 0; w < kWorkers; ++w) {
    workspaces.push_back(join(base_, "concurrent-ws-" + std::to_string(w)));
    make_dir(workspaces.back());
  }
  std::vector<std::vector<std::string>> failures(kWorkers);
  {
    TmpStubLock shared(false);
    std::vector<std::thread> workers;
    for (int w = 0; w < kWorkers; ++w) {
      workers.emplace_back([&, w] {
        for (size_t i = 0; i < kRuns; ++i) {
          Process p(Process::Spec{
              cordon_argv(Mode::WorkspaceWrite, {"/bin/sh", "-c", "echo x >> written"}, {}),
              cordon_env({}), workspaces[w]});
          auto r = p.finish();
          if (!(r.exited && r.code == 0)) failures[w].push_back(r.describe());
        }
      });
    }
    for (auto& t : workers) t.join();
  }
  size_t failed = 0;
  std::string first;
  for (const auto& f : failures) {
    failed += f.size();
    if (first.empty() && !f.empty()) first = f.front();
  }
  EXPECT_EQ(failed, 0u) << failed << " of " << kWorkers * kRuns
                        << " overlapping runs failed; the first: " << first;
  for (int w = 0; w < kWorkers; ++w) {
    // Each successful run appended "x\n".
    EXPECT_EQ(read_file(join(workspaces[w], "written")).size(), 2 * (kRuns - failures[w].size()));
    expect_absent(workspaces[w], {".git", ".codex", ".agents"}, milliseconds(0),
                  "after overlapping runs");
  }
  expect_no_tmp_stubs(milliseconds(5000), "after overlapping runs");
}

TEST_F(Stubs, ConcurrentRunDoesNotUnmaskAnother) {
  // Run A waits on stdin; run B starts and finishes meanwhile in the same workspace.
  const std::string script =
      "echo ready; read line; mkdir .codex/inner; echo x > .codex/file; "
      "mkdir .agents/inner; echo done";
  RunResult ra;
  {
    TmpStubLock shared(false);
    auto a = start(Mode::WorkspaceWrite, {"/bin/sh", "-c", script});
    ASSERT_TRUE(a->started());
    ASSERT_TRUE(a->wait_for_stdout("ready\n", milliseconds(10000))) << a->out_so_far();
    RunOptions b_opts;
    b_opts.check_stubs = false;  // A still holds them
    auto rb = sh(Mode::WorkspaceWrite, "mkdir .codex/from-b; true", b_opts);
    EXPECT_EQ(rb.status(), 0) << rb.describe();
    if (landlock()) {
      EXPECT_FALSE(exists(join(ws_, ".codex"))) << "the Landlock backend made a stub";
    } else {
      EXPECT_TRUE(exists(join(ws_, ".codex"))) << "run B removed the stub run A relies on";
    }
    a->write_stdin("go\n");
    ra = a->finish();
  }
  EXPECT_THAT(ra.out, HasSubstr("done")) << ra.describe();
  for (const char* p : {".codex/inner", ".codex/file", ".codex/from-b", ".agents/inner"}) {
    EXPECT_FALSE(exists(join(ws_, p))) << p << " was created on the host";
  }
  expect_absent(ws_, {".codex", ".agents"}, milliseconds(0), "after both runs");
  expect_no_tmp_stubs(milliseconds(5000), "after both runs");
}

}  // namespace
}  // namespace e2e
