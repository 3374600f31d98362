// sandbox::make_plan: mounts, stubs, network, seccomp and environment for each mode.
#include "sandbox/plan.h"

#include <ostream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_filesystem.h"
#include "util/paths.h"

namespace cordon::sandbox {

// Readable failure messages.
void PrintTo(const MountOp& m, std::ostream* os) {
  static const char* const kNames[] = {"RoBind", "Bind", "Dev", "Proc", "StubMask"};
  *os << kNames[static_cast<int>(m.kind)] << " " << m.path;
}
void PrintTo(const EnvEdit& e, std::ostream* os) {
  *os << e.name << (e.value ? "=" + *e.value : std::string(" (unset)"));
}

namespace {

using config::EffectiveConfig;
using config::SandboxMode;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using MK = MountOp::Kind;

class Plan : public ::testing::Test {
 protected:
  Plan() {
    fs.add_dir("/home/u/proj");
    fs.add_dir("/tmp");
    cfg.workspace = "/home/u/proj";
    req = {{"make", "-j4"}, "/home/u/proj"};
  }

  policy::WritableRootsResult roots(const char* tmpdir = nullptr) {
    auto r = policy::writable_roots(cfg, tmpdir, fs);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : policy::WritableRootsResult{};
  }
  SandboxPlan plan() {
    auto p = make_plan(cfg, policy::legacy_fs_policy(roots()), req);
    EXPECT_TRUE(p.ok()) << p.error().message;
    return p.ok() ? *p : SandboxPlan{};
  }

  fakes::FakeFileSystem fs;
  EffectiveConfig cfg;
  ExecRequest req;
};

TEST_F(Plan, ReadOnly) {
  SandboxPlan p = plan();
  EXPECT_FALSE(p.unwrapped);
  EXPECT_EQ(p.mode, SandboxMode::ReadOnly);
  EXPECT_THAT(p.mounts, ElementsAre(MountOp{MK::RoBind, "/"}, MountOp{MK::Dev, "/dev"},
                                    MountOp{MK::Proc, "/proc"}));
  EXPECT_THAT(p.stubs, IsEmpty());
  EXPECT_THAT(p.writable_roots, IsEmpty());
  EXPECT_EQ(p.network, NetworkMode::Off);
  EXPECT_EQ(p.seccomp, SeccompMode::NetworkOff);
  EXPECT_THAT(p.env, ElementsAre(EnvEdit{"CORDON_SANDBOX", "linux"},
                                 EnvEdit{"CORDON_SANDBOX_NETWORK_DISABLED", "1"}));
  EXPECT_EQ(p.cwd, "/home/u/proj");
  EXPECT_THAT(p.argv, ElementsAre("make", "-j4"));
}

TEST_F(Plan, ReadOnlyIgnoresNetworkAccess) {
  cfg.network_access.value = true;
  SandboxPlan p = plan();
  EXPECT_EQ(p.network, NetworkMode::Off);
  EXPECT_EQ(p.seccomp, SeccompMode::NetworkOff);
  EXPECT_EQ(p.env[1], (EnvEdit{"CORDON_SANDBOX_NETWORK_DISABLED", "1"}));
}

TEST_F(Plan, WorkspaceWriteNetworkOffWithMissingProtectedPaths) {
  cfg.sandbox_mode.value = SandboxMode::WorkspaceWrite;
  SandboxPlan p = plan();
  EXPECT_FALSE(p.unwrapped);
  EXPECT_EQ(p.mode, SandboxMode::WorkspaceWrite);
  EXPECT_THAT(p.mounts,
              ElementsAre(MountOp{MK::RoBind, "/"}, MountOp{MK::Bind, "/tmp"},
                          MountOp{MK::StubMask, "/tmp/.git"}, MountOp{MK::StubMask, "/tmp/.agents"},
                          MountOp{MK::StubMask, "/tmp/.codex"}, MountOp{MK::Bind, "/home/u/proj"},
                          MountOp{MK::StubMask, "/home/u/proj/.git"},
                          MountOp{MK::StubMask, "/home/u/proj/.agents"},
                          MountOp{MK::StubMask, "/home/u/proj/.codex"}, MountOp{MK::Dev, "/dev"},
                          MountOp{MK::Proc, "/proc"}));
  EXPECT_THAT(p.stubs, ElementsAre("/tmp/.git", "/tmp/.agents", "/tmp/.codex", "/home/u/proj/.git",
                                   "/home/u/proj/.agents", "/home/u/proj/.codex"));
  ASSERT_EQ(p.writable_roots.size(), 2u);
  EXPECT_EQ(p.writable_roots[1].path, "/home/u/proj");
  EXPECT_EQ(p.network, NetworkMode::Off);
  EXPECT_EQ(p.seccomp, SeccompMode::NetworkOff);
  EXPECT_THAT(p.env, ElementsAre(EnvEdit{"CORDON_SANDBOX", "linux"},
                                 EnvEdit{"CORDON_SANDBOX_NETWORK_DISABLED", "1"}));
}

TEST_F(Plan, WorkspaceWriteExistingProtectedPathsAreReadOnlyBinds) {
  cfg.sandbox_mode.value = SandboxMode::WorkspaceWrite;
  cfg.exclude_slash_tmp.value = true;
  fs.add_dir("/home/u/proj/.git");
  fs.add_dir("/home/u/proj/.codex");
  SandboxPlan p = plan();
  EXPECT_THAT(p.mounts, ElementsAre(MountOp{MK::RoBind, "/"}, MountOp{MK::Bind, "/home/u/proj"},
                                    MountOp{MK::RoBind, "/home/u/proj/.git"},
                                    MountOp{MK::StubMask, "/home/u/proj/.agents"},
                                    MountOp{MK::RoBind, "/home/u/proj/.codex"},
                                    MountOp{MK::Dev, "/dev"}, MountOp{MK::Proc, "/proc"}));
  EXPECT_THAT(p.stubs, ElementsAre("/home/u/proj/.agents"));
}

TEST_F(Plan, WorkspaceWriteGitdirTargetIsReadOnly) {
  cfg.sandbox_mode.value = SandboxMode::WorkspaceWrite;
  cfg.exclude_slash_tmp.value = true;
  fs.add_dir("/home/u/main/.git/worktrees/proj");
  fs.add_file("/home/u/proj/.git", "gitdir: ../main/.git/worktrees/proj\n");
  SandboxPlan p = plan();
  // Shallow first: the gitdir target (5 components) after the workspace's own masks (3).
  EXPECT_THAT(p.mounts, ElementsAre(MountOp{MK::RoBind, "/"}, MountOp{MK::Bind, "/home/u/proj"},
                                    MountOp{MK::RoBind, "/home/u/proj/.git"},
                                    MountOp{MK::StubMask, "/home/u/proj/.agents"},
                                    MountOp{MK::StubMask, "/home/u/proj/.codex"},
                                    MountOp{MK::RoBind, "/home/u/main/.git/worktrees/proj"},
                                    MountOp{MK::Dev, "/dev"}, MountOp{MK::Proc, "/proc"}));
}

// A fresh /dev and /proc go on top of the writable roots, so a root such as "/" cannot
// bring back the host's; roots inside them (/dev/shm) go on top of the fresh ones.
TEST_F(Plan, WritableRootsInsideDevAndProcAreMountedAfterThem) {
  cfg.sandbox_mode.value = SandboxMode::WorkspaceWrite;
  cfg.exclude_slash_tmp.value = true;
  fs.add_dir("/dev/shm");
  cfg.add_dirs = {"/dev/shm", "/"};
  SandboxPlan p = plan();
  EXPECT_THAT(
      p.mounts,
      ElementsAre(MountOp{MK::RoBind, "/"}, MountOp{MK::Bind, "/"}, MountOp{MK::StubMask, "/.git"},
                  MountOp{MK::StubMask, "/.agents"}, MountOp{MK::StubMask, "/.codex"},
                  MountOp{MK::Bind, "/home/u/proj"}, MountOp{MK::StubMask, "/home/u/proj/.git"},
                  MountOp{MK::StubMask, "/home/u/proj/.agents"},
                  MountOp{MK::StubMask, "/home/u/proj/.codex"}, MountOp{MK::Dev, "/dev"},
                  MountOp{MK::Proc, "/proc"}, MountOp{MK::Bind, "/dev/shm"},
                  MountOp{MK::StubMask, "/dev/shm/.git"}, MountOp{MK::StubMask, "/dev/shm/.agents"},
                  MountOp{MK::StubMask, "/dev/shm/.codex"}));
}

TEST_F(Plan, WorkspaceWriteNetworkOn) {
  cfg.sandbox_mode.value = SandboxMode::WorkspaceWrite;
  cfg.network_access.value = true;
  SandboxPlan p = plan();
  EXPECT_EQ(p.network, NetworkMode::Full);
  EXPECT_EQ(p.seccomp, SeccompMode::Baseline);
  EXPECT_THAT(p.env, ElementsAre(EnvEdit{"CORDON_SANDBOX", "linux"},
                                 EnvEdit{"CORDON_SANDBOX_NETWORK_DISABLED", std::nullopt}));
  EXPECT_EQ(p.mounts.size(), 11u);
}

TEST_F(Plan, DangerFullAccessIsUnwrapped) {
  cfg.sandbox_mode.value = SandboxMode::DangerFullAccess;
  SandboxPlan p = plan();
  EXPECT_TRUE(p.unwrapped);
  EXPECT_EQ(p.mode, SandboxMode::DangerFullAccess);
  EXPECT_THAT(p.mounts, IsEmpty());
  EXPECT_THAT(p.stubs, IsEmpty());
  EXPECT_THAT(p.writable_roots, IsEmpty());
  EXPECT_EQ(p.network, NetworkMode::Full);
  // A cordon started from inside a sandbox must not pass the markers on.
  EXPECT_THAT(p.env, ElementsAre(EnvEdit{"CORDON_SANDBOX", std::nullopt},
                                 EnvEdit{"CORDON_SANDBOX_NETWORK_DISABLED", std::nullopt}));
  EXPECT_THAT(p.argv, ElementsAre("make", "-j4"));
  EXPECT_EQ(p.cwd, "/home/u/proj");
}

TEST_F(Plan, NetworkProxyWithNetworkOnFailsClosed) {
  cfg.sandbox_mode.value = SandboxMode::WorkspaceWrite;
  cfg.network_access = {true, "/home/u/.cordon/config.toml:3:18"};
  cfg.network_proxy = {true, "/home/u/.cordon/config.toml:6:17"};
  auto p = make_plan(cfg, policy::legacy_fs_policy(roots()), req);
  ASSERT_FALSE(p.ok());
  EXPECT_THAT(p.error().message, HasSubstr("features.network_proxy is on "
                                           "(/home/u/.cordon/config.toml:6:17) with network "
                                           "access on (/home/u/.cordon/config.toml:3:18)"));
  EXPECT_THAT(p.error().message, HasSubstr("Refusing to run with unfiltered network"));
}

TEST_F(Plan, NetworkProxyWithNetworkOffIsFine) {
  cfg.sandbox_mode.value = SandboxMode::WorkspaceWrite;
  cfg.network_proxy.value = true;
  SandboxPlan p = plan();
  EXPECT_EQ(p.network, NetworkMode::Off);
  cfg.sandbox_mode.value = SandboxMode::ReadOnly;
  cfg.network_access.value = true;
  EXPECT_EQ(plan().network, NetworkMode::Off);
}

TEST_F(Plan, NetworkProxyInDangerFullAccessIsNoSandboxAnyway) {
  cfg.sandbox_mode.value = SandboxMode::DangerFullAccess;
  cfg.network_proxy.value = true;
  EXPECT_TRUE(plan().unwrapped);
}

TEST(PlanNames, ToString) {
  EXPECT_STREQ(to_string(NetworkMode::Off), "off");
  EXPECT_STREQ(to_string(NetworkMode::Full), "full");
  EXPECT_STREQ(to_string(SeccompMode::Baseline), "baseline");
  EXPECT_STREQ(to_string(SeccompMode::NetworkOff), "network-off");
}

// The last mount that covers a path decides whether it is writable.
bool writable_after_mounts(const SandboxPlan& p, const std::string& path) {
  bool writable = false;
  for (const MountOp& m : p.mounts) {
    if (!paths::is_within(path, m.path)) continue;
    if (m.kind == MK::Bind) writable = true;
    if (m.kind == MK::RoBind || m.kind == MK::StubMask) writable = false;
  }
  return writable;
}

// Every protected path stays read-only whatever the order of the roots: here the gitdir
// of the workspace lies in another writable root that is mounted after the workspace.
TEST_F(Plan, ProtectedPathsStayReadOnlyAfterEveryLaterBind) {
  cfg.sandbox_mode.value = SandboxMode::WorkspaceWrite;
  fs.add_dir("/w");
  fs.add_dir("/data/gitdirs/w");
  fs.add_file("/w/.git", "gitdir: /data/gitdirs/w\n");
  cfg.workspace = "/w";
  cfg.add_dirs = {"/data/gitdirs"};
  SandboxPlan p = plan();
  ASSERT_EQ(p.writable_roots.size(), 3u);
  for (const auto& root : p.writable_roots) {
    EXPECT_TRUE(writable_after_mounts(p, root.path)) << root.path;
    for (const auto& prot : root.protected_paths) {
      EXPECT_FALSE(writable_after_mounts(p, prot.path)) << prot.path << " (" << prot.why << ")";
    }
  }
  EXPECT_FALSE(writable_after_mounts(p, "/data/gitdirs/w/hooks/pre-commit"));
  EXPECT_TRUE(writable_after_mounts(p, "/data/gitdirs/other"));
}

TEST_F(Plan, WritablePathsAfterMountsMatchTheRoots) {
  cfg.sandbox_mode.value = SandboxMode::WorkspaceWrite;
  fs.add_dir("/home/u/proj/.git");
  SandboxPlan p = plan();
  EXPECT_TRUE(writable_after_mounts(p, "/home/u/proj/src/a.c"));
  EXPECT_TRUE(writable_after_mounts(p, "/tmp/x"));
  EXPECT_FALSE(writable_after_mounts(p, "/home/u/proj/.git/hooks/pre-commit"));
  EXPECT_FALSE(writable_after_mounts(p, "/home/u/proj/.codex/config.toml"));
  EXPECT_FALSE(writable_after_mounts(p, "/home/u/.bashrc"));
  EXPECT_FALSE(writable_after_mounts(p, "/etc/passwd"));
}

}  // namespace
}  // namespace cordon::sandbox

namespace cordon::sandbox {
namespace {

class PlanPrecedence : public ::testing::Test {
 protected:
  PlanPrecedence() {
    fs.add_dir("/repo");
    cfg.sandbox_mode.value = config::SandboxMode::WorkspaceWrite;
    cfg.exclude_slash_tmp.value = true;
    cfg.workspace = "/repo";
  }
  SandboxPlan plan() {
    auto roots = policy::writable_roots(cfg, nullptr, fs);
    EXPECT_TRUE(roots.ok());
    auto p = make_plan(cfg, policy::legacy_fs_policy(*roots), ExecRequest{{"true"}, "/repo"});
    EXPECT_TRUE(p.ok());
    return *p;
  }
  // The last mount covering path decides: Bind is writable, everything else is not.
  static bool writable(const SandboxPlan& p, const std::string& path) {
    bool w = false;
    for (const auto& m : p.mounts) {
      if (paths::is_within(path, m.path)) w = m.kind == MountOp::Kind::Bind;
    }
    return w;
  }
  fakes::FakeFileSystem fs;
  config::EffectiveConfig cfg;
};

TEST_F(PlanPrecedence, ExplicitWritableRootInsideAProtectedPathWins) {
  fs.add_dir("/repo/.git/hooks");
  cfg.add_dirs = {"/repo/.git/hooks"};
  SandboxPlan p = plan();
  EXPECT_TRUE(writable(p, "/repo/.git/hooks/pre-commit"));  // asked for explicitly
  EXPECT_FALSE(writable(p, "/repo/.git/config"));           // the rest of .git stays protected
  EXPECT_TRUE(writable(p, "/repo/src/a.c"));
}

TEST_F(PlanPrecedence, MissingGitdirTargetInsideARootIsMasked) {
  fs.add_dir("/data");
  fs.add_file("/repo/.git", "gitdir: /data/gitdirs/repo\n");
  cfg.add_dirs = {"/data"};
  SandboxPlan p = plan();
  // /data/gitdirs does not exist yet: it is masked so the command cannot create it.
  EXPECT_THAT(p.stubs, ::testing::Contains("/data/gitdirs"));
  EXPECT_FALSE(writable(p, "/data/gitdirs/repo/hooks/pre-commit"));
  EXPECT_TRUE(writable(p, "/data/other"));
}

TEST_F(PlanPrecedence, MissingGitdirTargetOutsideEveryRootGetsNoStub) {
  fs.add_dir("/elsewhere");
  fs.add_file("/repo/.git", "gitdir: /elsewhere/gitdirs/repo\n");
  SandboxPlan p = plan();
  for (const auto& s : p.stubs) EXPECT_FALSE(paths::is_within(s, "/elsewhere")) << s;
}

}  // namespace
}  // namespace cordon::sandbox

namespace cordon::sandbox {
namespace {

TEST(ApplyEnv, SetsReplacesAndUnsets) {
  const std::vector<std::string> env = {"PATH=/bin", "CORDON_SANDBOX=spoofed",
                                        "CORDON_SANDBOX_NETWORK_DISABLED=1",
                                        "CORDON_SANDBOXX=keep"};
  const auto out = apply_env(
      env, {{"CORDON_SANDBOX", "linux"}, {"CORDON_SANDBOX_NETWORK_DISABLED", std::nullopt}});
  EXPECT_THAT(out, ::testing::UnorderedElementsAre("PATH=/bin", "CORDON_SANDBOXX=keep",
                                                   "CORDON_SANDBOX=linux"));
}

}  // namespace
}  // namespace cordon::sandbox
