// e2e: the [sandbox_linux] resource limits, on every backend. Each limited run has an
// unlimited twin (the same probe, the default limits) that succeeds, so each check can fail.
#include <signal.h>

#include <regex>

#include "harness.h"

namespace e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kSandboxSetup = 71;  // cordon could not set the sandbox up; nothing ran

// The K of "... after K" in a probe's failure report, or -1.
long progress(const RunResult& r) {
  std::smatch m;
  if (!std::regex_search(r.out, m, std::regex(" after ([0-9]+)"))) return -1;
  return std::stol(m[1]);
}

class Limits : public E2ETest {
 protected:
  RunResult limited(const std::string& setting, const std::vector<std::string>& probe_args) {
    RunOptions opts;
    if (!setting.empty()) opts.flags = {"-c", "sandbox_linux." + setting};
    return probe(Mode::WorkspaceWrite, probe_args, opts);
  }
};

// max_processes: children that stay alive until all are forked; the 30th cannot be.
// As root it cannot be kept (the kernel exempts uid 0 from RLIMIT_NPROC), so cordon refuses
// to run the command rather than ignore the limit.
TEST_F(Limits, MaxProcessesStopsForks) {
  auto r = limited("max_processes=30", {"forks", "60"});
  if (is_root()) {
    EXPECT_TRUE(r.exited && r.code == kSandboxSetup) << r.describe();
    EXPECT_THAT(r.out, Not(HasSubstr("forked"))) << "the command ran: " << r.describe();
    EXPECT_THAT(r.err, HasSubstr("max_processes")) << r.describe();
    EXPECT_THAT(r.err, HasSubstr("root")) << r.describe();
    return;
  }
  expect_probe(r, false, "EAGAIN", "60 forks under max_processes=30");
  const long made = progress(r);
  EXPECT_GE(made, 0) << r.describe();
  EXPECT_LT(made, 30) << r.describe();
}

TEST_F(Limits, ForksWithoutLimit) {
  auto r = limited("", {"forks", "60"});
  expect_probe(r, true, nullptr, "60 forks with the default limits");
  EXPECT_THAT(r.out, HasSubstr("forked 60")) << r.describe();
}

TEST_F(Limits, MaxOpenFilesStopsOpens) {
  auto r = limited("max_open_files=64", {"fds", "200"});
  expect_probe(r, false, "EMFILE", "200 opens under max_open_files=64");
  const long opened = progress(r);
  EXPECT_GE(opened, 0) << r.describe();
  EXPECT_LT(opened, 64) << r.describe();
}

TEST_F(Limits, OpensWithoutLimit) {
  auto r = limited("", {"fds", "200"});
  expect_probe(r, true, nullptr, "200 opens with the default limits");
  EXPECT_THAT(r.out, HasSubstr("opened 200")) << r.describe();
}

// max_cpu_seconds: a busy loop that would use 2 s of CPU is killed by SIGXCPU after 1 s,
// and cordon says which limit did it.
TEST_F(Limits, MaxCpuSecondsKillsBusyLoop) {
  auto r = limited("max_cpu_seconds=1", {"spin", "2"});
  EXPECT_FALSE(r.timed_out) << r.describe();
  EXPECT_EQ(r.status(), 128 + SIGXCPU) << r.describe();
  EXPECT_EQ(r.out, "") << "the busy loop finished: " << r.describe();
  EXPECT_THAT(r.err, HasSubstr("max_cpu_seconds")) << r.describe();
}

TEST_F(Limits, BusyLoopWithoutLimit) {
  auto r = limited("", {"spin", "2"});
  expect_probe(r, true, nullptr, "2 s of CPU with the default limits");
  EXPECT_THAT(r.err, Not(HasSubstr("max_cpu_seconds"))) << r.describe();
}

// max_memory: allocating (and touching) 256 MiB in 1 MiB steps fails before 64 MiB, and
// cordon names the limit when the command then exits non-zero.
TEST_F(Limits, MaxMemoryStopsAllocation) {
  auto r = limited("max_memory=64M", {"alloc", "256"});
  expect_probe(r, false, "ENOMEM", "256 MiB under max_memory=64M");
  const long mib = progress(r);
  EXPECT_GE(mib, 0) << r.describe();
  EXPECT_LT(mib, 64) << r.describe();
  EXPECT_THAT(r.err, HasSubstr("max_memory")) << r.describe();
}

TEST_F(Limits, AllocationWithoutLimit) {
  auto r = limited("", {"alloc", "256"});
  expect_probe(r, true, nullptr, "256 MiB with the default limits");
  EXPECT_THAT(r.err, Not(HasSubstr("max_memory"))) << r.describe();
}

}  // namespace
}  // namespace e2e
