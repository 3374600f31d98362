// e2e: what the seccomp filter and the pid namespace keep away from processes outside, and
// the system call ABIs that kill. Effects are checked on the target process the test owns.
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <regex>

#include "harness.h"

namespace e2e {
namespace {

using ::testing::Values;

constexpr const char* kPoked = "value 0x5ca1ab1e\n";
constexpr const char* kUntouched = "value 0\n";

// Reads an integer sysctl; nullopt when the file does not exist.
std::optional<int> sysctl_int(const char* path) {
  std::ifstream in(path);
  int v = 0;
  if (!(in >> v)) return std::nullopt;
  return v;
}

// Why this machine forbids ptrace of a sibling process of the same user, or "".
std::string ptrace_unavailable() {
  auto scope = sysctl_int("/proc/sys/kernel/yama/ptrace_scope");
  if (scope && *scope >= 3) return "Yama ptrace_scope is 3 (no ptrace at all)";
  if (scope && *scope == 2 && !is_root()) return "Yama ptrace_scope is 2 (admin only)";
  return "";
}

// Why io_uring is not available outside the sandbox, or "".
std::string io_uring_unavailable() {
  auto disabled = sysctl_int("/proc/sys/kernel/io_uring_disabled");
  if (disabled && *disabled == 2) return "kernel.io_uring_disabled is 2";
  if (disabled && *disabled == 1 && !is_root()) {
    return "kernel.io_uring_disabled is 1 and the tests do not run as root";
  }
  return "";
}

// A process outside the sandbox: `e2e_probe target`, which reports the address of a word,
// and on EOF on its stdin the word's value.
class Target {
 public:
  explicit Target(const std::string& cwd)
      : proc_(Process::Spec{{probe_bin(), "target"}, {"PATH=/usr/bin:/bin"}, cwd}) {
    if (!proc_.started()) {
      error_ = proc_.start_error();
      return;
    }
    if (!proc_.wait_for_stdout("\n", milliseconds(10000))) {
      error_ = "the target did not report its address: " + proc_.out_so_far();
      return;
    }
    std::smatch m;
    const std::string out = proc_.out_so_far();
    if (!std::regex_search(out, m, std::regex("addr (0x[0-9a-f]+)"))) {
      error_ = "unexpected target output: " + out;
      return;
    }
    addr_ = m[1];
  }
  const std::string& error() const { return error_; }
  std::string pid() const { return std::to_string(proc_.pid()); }
  const std::string& addr() const { return addr_; }
  // Lets it exit and returns how it ended.
  RunResult finish() { return proc_.finish(milliseconds(10000), milliseconds(10000)); }

 private:
  Process proc_;
  std::string error_;
  std::string addr_;
};

class Isolation : public ModeTest {
 protected:
  // Runs `e2e_probe <action> PID ADDR` against a target and checks the target's memory.
  void expect_memory_write(const char* action) {
    if (auto why = ptrace_unavailable(); !why.empty()) GTEST_SKIP() << why;
    Target t(base_);
    ASSERT_EQ(t.error(), "");
    auto r = probe(mode(), {action, t.pid(), t.addr()});
    const bool allowed = !sandboxed(mode());
    expect_probe(r, allowed, "EPERM", std::string(action) + " of a process outside");
    auto tr = t.finish();
    EXPECT_TRUE(tr.exited && tr.code == 0) << "target: " << tr.describe();
    EXPECT_NE(tr.out.find(allowed ? kPoked : kUntouched), std::string::npos)
        << "the target's memory " << (allowed ? "was not" : "was") << " changed\n"
        << tr.describe();
  }
};

TEST_P(Isolation, IoUringSetup) {
  if (auto why = io_uring_unavailable(); !why.empty()) GTEST_SKIP() << why;
  auto r = probe(mode(), {"io_uring"});
  expect_probe(r, !sandboxed(mode()), "EPERM", "io_uring_setup");
}

TEST_P(Isolation, PtraceAttachOutside) {
  expect_memory_write("ptrace_attach");
}

TEST_P(Isolation, PtraceSeizeOutside) {
  expect_memory_write("ptrace_seize");
}

TEST_P(Isolation, ProcessVmWritevOutside) {
  expect_memory_write("vm_write");
}

TEST_P(Isolation, KillProcessOutside) {
  Target t(base_);
  ASSERT_EQ(t.error(), "");
  auto r = probe(mode(), {"kill", t.pid()});
  const bool allowed = !sandboxed(mode());
  // Inside, the target is not visible in the sandbox's pid namespace. Landlock has no pid
  // namespace: the target is visible, and Landlock's signal scoping refuses the signal.
  expect_probe(r, allowed, landlock() ? "EPERM" : "ESRCH", "kill of a process outside");
  auto tr = t.finish();
  if (allowed) {
    EXPECT_TRUE(!tr.exited && tr.sig == SIGTERM) << "target: " << tr.describe();
  } else {
    EXPECT_TRUE(tr.exited && tr.code == 0) << "the target was signalled: " << tr.describe();
  }
}

// i386 system calls (int $0x80) on x86_64: the sandbox kills the process (SIGSYS).
TEST_P(Isolation, Int80SyscallKilled) {
#if !defined(__x86_64__)
  GTEST_SKIP() << "int $0x80 is an x86_64 test";
#else
  // Outside the sandbox first: without IA-32 emulation the instruction faults (SIGSEGV)
  // before any filter sees it, and there is nothing to test.
  {
    Process host(Process::Spec{{probe_bin(), "int80", join(base_, "int80-host")}, {}, base_});
    auto hr = host.finish();
    if (!(hr.exited && hr.code == 0)) {
      GTEST_SKIP() << "this kernel does not run i386 system calls (no IA-32 emulation): "
                   << hr.describe();
    }
  }
  const std::string marker = join(ws_, "int80-marker");
  auto r = probe(mode(), {"int80", marker});
  if (sandboxed(mode())) {
    EXPECT_TRUE(r.exited && r.code == 128 + SIGSYS) << r.describe();
    EXPECT_FALSE(exists(marker)) << "the i386 creat() ran";
  } else {
    expect_probe(r, true, nullptr, "int80 creat");
    EXPECT_TRUE(exists(marker));
  }
#endif
}

// x32 system calls (nr | 0x40000000) on x86_64: the sandbox kills the process (SIGSYS),
// whether or not the kernel itself supports x32.
TEST_P(Isolation, X32SyscallKilled) {
#if !defined(__x86_64__)
  GTEST_SKIP() << "x32 is an x86_64 test";
#else
  const std::string marker = join(ws_, "x32-marker");
  auto r = probe(mode(), {"x32", marker});
  if (sandboxed(mode())) {
    EXPECT_TRUE(r.exited && r.code == 128 + SIGSYS) << r.describe();
    EXPECT_FALSE(exists(marker)) << "the x32 creat() ran";
  } else {
    // Unsandboxed the kernel decides (ENOSYS unless x32 is enabled); never a kill.
    EXPECT_TRUE(r.exited && (r.code == 0 || r.code == 1)) << r.describe();
    EXPECT_EQ(exists(marker), r.code == 0) << r.describe();
  }
#endif
}

INSTANTIATE_TEST_SUITE_P(Modes, Isolation,
                         Values(Mode::ReadOnly, Mode::WorkspaceWrite, Mode::WorkspaceWriteNetwork,
                                Mode::DangerFullAccess),
                         mode_param_name);

}  // namespace
}  // namespace e2e
