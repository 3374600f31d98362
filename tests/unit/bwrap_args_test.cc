// Golden tests: the exact bwrap argv for each mode, built from config through
// writable roots and the plan.
#include "sandbox/linux/bwrap_args.h"

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_filesystem.h"
#include "policy/writable_roots.h"

namespace cordon::sandbox::linux {
namespace {

using config::EffectiveConfig;
using config::SandboxMode;
using Argv = std::vector<std::string>;

const BwrapInvocation kInv{"/usr/bin/bwrap", "/opt/cordon/bin/cordon"};

// The fixed head: session, namespaces.
Argv head(bool unshare_net) {
  Argv a = {"/usr/bin/bwrap", "--new-session", "--die-with-parent", "--as-pid-1",
            "--unshare-user", "--unshare-pid", "--unshare-ipc"};
  if (unshare_net) a.push_back("--unshare-net");
  return a;
}

Argv cat(std::initializer_list<Argv> parts) {
  Argv out;
  for (const Argv& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

class BwrapArgs : public ::testing::Test {
 protected:
  BwrapArgs() {
    fs.add_dir("/home/u/proj");
    fs.add_dir("/tmp");
    cfg.workspace = "/home/u/proj";
  }

  Argv argv(const Argv& command, const char* tmpdir = nullptr) {
    auto roots = policy::writable_roots(cfg, tmpdir, fs);
    EXPECT_TRUE(roots.ok()) << roots.error().message;
    if (!roots.ok()) return {};
    auto p = make_plan(cfg, policy::legacy_fs_policy(*roots), ExecRequest{command, cfg.workspace});
    EXPECT_TRUE(p.ok()) << p.error().message;
    if (!p.ok()) return {};
    EXPECT_FALSE(p->unwrapped);
    return bwrap_argv(*p, kInv);
  }

  fakes::FakeFileSystem fs;
  EffectiveConfig cfg;
};

// Golden argvs: one line per option and its operands.
// clang-format off
TEST_F(BwrapArgs, ReadOnly) {
  EXPECT_EQ(argv({"sh", "-c", "echo hi > /dev/null"}),
            (Argv{"/usr/bin/bwrap", "--new-session", "--die-with-parent", "--as-pid-1",
                  "--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-net",
                  "--ro-bind", "/", "/",
                  "--dev", "/dev",
                  "--proc", "/proc",
                  "--chdir", "/home/u/proj",
                  "--cap-drop", "ALL",
                  "--info-fd", "5",
                  "--", "/opt/cordon/bin/cordon", "__inner", "4", "3", "network-off", "8192:65536:0:0", "-1",
                  "--", "sh", "-c", "echo hi > /dev/null"}));
}

TEST_F(BwrapArgs, WorkspaceWriteNetworkOffMissingProtectedPaths) {
  cfg.sandbox_mode.value = SandboxMode::WorkspaceWrite;
  EXPECT_EQ(argv({"true"}),
            cat({head(true),
                 {"--ro-bind", "/", "/",
                  "--bind", "/tmp", "/tmp",  // shallow first
                  "--ro-bind-try", "/tmp/.git", "/tmp/.git",
                  "--ro-bind-try", "/tmp/.agents", "/tmp/.agents",
                  "--ro-bind-try", "/tmp/.codex", "/tmp/.codex",
                  "--bind", "/home/u/proj", "/home/u/proj",
                  "--ro-bind-try", "/home/u/proj/.git", "/home/u/proj/.git",
                  "--ro-bind-try", "/home/u/proj/.agents", "/home/u/proj/.agents",
                  "--ro-bind-try", "/home/u/proj/.codex", "/home/u/proj/.codex",
                  "--dev", "/dev",
                  "--proc", "/proc",
                  "--chdir", "/home/u/proj",
                  "--cap-drop", "ALL",
                  "--info-fd", "5",
                  "--", "/opt/cordon/bin/cordon", "__inner", "4", "3", "network-off", "8192:65536:0:0", "-1",
                  "--", "true"}}));
}

TEST_F(BwrapArgs, WorkspaceWriteExistingProtectedPathsAndGitdir) {
  cfg.sandbox_mode.value = SandboxMode::WorkspaceWrite;
  cfg.exclude_slash_tmp.value = true;
  fs.add_dir("/home/u/main/.git/worktrees/proj");
  fs.add_file("/home/u/proj/.git", "gitdir: /home/u/main/.git/worktrees/proj\n");
  fs.add_dir("/home/u/proj/.agents");
  fs.add_dir("/home/u/proj/.codex");
  EXPECT_EQ(argv({"git", "commit"}),
            cat({head(true),
                 {"--ro-bind", "/", "/",
                  "--bind", "/home/u/proj", "/home/u/proj",
                  "--ro-bind", "/home/u/proj/.git", "/home/u/proj/.git",
                  "--ro-bind", "/home/u/proj/.agents", "/home/u/proj/.agents",
                  "--ro-bind", "/home/u/proj/.codex", "/home/u/proj/.codex",
                  // shallow first: the gitdir target is deeper than the workspace's masks
                  "--ro-bind", "/home/u/main/.git/worktrees/proj", "/home/u/main/.git/worktrees/proj",
                  "--dev", "/dev",
                  "--proc", "/proc",
                  "--chdir", "/home/u/proj",
                  "--cap-drop", "ALL",
                  "--info-fd", "5",
                  "--", "/opt/cordon/bin/cordon", "__inner", "4", "3", "network-off", "8192:65536:0:0", "-1",
                  "--", "git", "commit"}}));
}

TEST_F(BwrapArgs, WorkspaceWriteNetworkOn) {
  cfg.sandbox_mode.value = SandboxMode::WorkspaceWrite;
  cfg.network_access.value = true;
  cfg.exclude_slash_tmp.value = true;
  fs.add_dir("/var/tmp/u");
  EXPECT_EQ(argv({"curl", "https://example.com"}, "/var/tmp/u"),
            cat({head(false),  // no --unshare-net
                 {"--ro-bind", "/", "/",
                  // both roots (2 components) before any protected path (3)
                  "--bind", "/home/u/proj", "/home/u/proj",
                  "--bind", "/var/tmp/u", "/var/tmp/u",  // $TMPDIR
                  "--ro-bind-try", "/home/u/proj/.git", "/home/u/proj/.git",
                  "--ro-bind-try", "/home/u/proj/.agents", "/home/u/proj/.agents",
                  "--ro-bind-try", "/home/u/proj/.codex", "/home/u/proj/.codex",
                  "--ro-bind-try", "/var/tmp/u/.git", "/var/tmp/u/.git",
                  "--ro-bind-try", "/var/tmp/u/.agents", "/var/tmp/u/.agents",
                  "--ro-bind-try", "/var/tmp/u/.codex", "/var/tmp/u/.codex",
                  "--dev", "/dev",
                  "--proc", "/proc",
                  "--chdir", "/home/u/proj",
                  "--cap-drop", "ALL",
                  "--info-fd", "5",
                  "--", "/opt/cordon/bin/cordon", "__inner", "4", "3", "baseline", "8192:65536:0:0", "-1",
                  "--", "curl", "https://example.com"}}));
}

TEST_F(BwrapArgs, DevShmRootGoesOnTopOfTheFreshDev) {
  cfg.sandbox_mode.value = SandboxMode::WorkspaceWrite;
  cfg.exclude_slash_tmp.value = true;
  fs.add_dir("/dev/shm");
  cfg.writable_roots.value = {"/dev/shm"};
  EXPECT_EQ(argv({"true"}),
            cat({head(true),
                 {"--ro-bind", "/", "/",
                  "--bind", "/home/u/proj", "/home/u/proj",
                  "--ro-bind-try", "/home/u/proj/.git", "/home/u/proj/.git",
                  "--ro-bind-try", "/home/u/proj/.agents", "/home/u/proj/.agents",
                  "--ro-bind-try", "/home/u/proj/.codex", "/home/u/proj/.codex",
                  "--dev", "/dev",
                  "--proc", "/proc",
                  "--bind", "/dev/shm", "/dev/shm",
                  "--ro-bind-try", "/dev/shm/.git", "/dev/shm/.git",
                  "--ro-bind-try", "/dev/shm/.agents", "/dev/shm/.agents",
                  "--ro-bind-try", "/dev/shm/.codex", "/dev/shm/.codex",
                  "--chdir", "/home/u/proj",
                  "--cap-drop", "ALL",
                  "--info-fd", "5",
                  "--", "/opt/cordon/bin/cordon", "__inner", "4", "3", "network-off", "8192:65536:0:0", "-1",
                  "--", "true"}}));
}
// clang-format on

TEST_F(BwrapArgs, SymlinkedWorkspaceBindsTheRealTarget) {
  cfg.sandbox_mode.value = SandboxMode::WorkspaceWrite;
  cfg.exclude_slash_tmp.value = true;
  fs.add_symlink("/ws", "/home/u/proj");
  cfg.workspace = "/ws";
  Argv a = argv({"true"});
  const Argv bind = {"--bind", "/home/u/proj", "/home/u/proj"};
  EXPECT_NE(std::search(a.begin(), a.end(), bind.begin(), bind.end()), a.end());
  EXPECT_EQ(std::find(a.begin(), a.end(), "/ws/.git"), a.end());
}

TEST_F(BwrapArgs, CommandArgumentsPassThroughVerbatim) {
  const Argv cmd = {"--help", "--", "-c", "", "a b", "$HOME", "--unshare-net"};
  Argv a = argv(cmd);
  ASSERT_GE(a.size(), cmd.size());
  EXPECT_EQ(Argv(a.end() - static_cast<std::ptrdiff_t>(cmd.size()), a.end()), cmd);
  // The command starts right after the inner stage's own "--".
  EXPECT_EQ(a[a.size() - cmd.size() - 1], "--");
  EXPECT_EQ(a[a.size() - cmd.size() - 2], "-1");  // not observed
  EXPECT_EQ(a[a.size() - cmd.size() - 3], "8192:65536:0:0");
  EXPECT_EQ(a[a.size() - cmd.size() - 4], "network-off");
}

TEST(BwrapArgsFromPlan, HandBuiltPlanUsesEveryMountKind) {
  SandboxPlan p;
  p.mounts = {{MountOp::Kind::RoBind, "/"},
              {MountOp::Kind::Dev, "/dev"},
              {MountOp::Kind::Proc, "/proc"},
              {MountOp::Kind::Bind, "/w"},
              {MountOp::Kind::StubMask, "/w/.codex"}};
  p.network = NetworkMode::Full;
  p.seccomp = SeccompMode::Baseline;
  p.cwd = "/w/sub";
  p.argv = {"id"};
  p.limits = {30, 64, 1 << 20, 5};
  EXPECT_EQ(bwrap_argv(p, BwrapInvocation{"/b/bwrap", "/c/cordon"}), (Argv{"/b/bwrap",
                                                                           "--new-session",
                                                                           "--die-with-parent",
                                                                           "--as-pid-1",
                                                                           "--unshare-user",
                                                                           "--unshare-pid",
                                                                           "--unshare-ipc",
                                                                           "--ro-bind",
                                                                           "/",
                                                                           "/",
                                                                           "--dev",
                                                                           "/dev",
                                                                           "--proc",
                                                                           "/proc",
                                                                           "--bind",
                                                                           "/w",
                                                                           "/w",
                                                                           "--ro-bind-try",
                                                                           "/w/.codex",
                                                                           "/w/.codex",
                                                                           "--chdir",
                                                                           "/w/sub",
                                                                           "--cap-drop",
                                                                           "ALL",
                                                                           "--info-fd",
                                                                           "5",
                                                                           "--",
                                                                           "/c/cordon",
                                                                           "__inner",
                                                                           "4",
                                                                           "3",
                                                                           "baseline",
                                                                           "30:64:1048576:5",
                                                                           "-1",
                                                                           "--",
                                                                           "id"}));
}

// Observed: the inner stage is told where the observer's channel is (kObserverFd).
TEST(BwrapArgsObserved, InnerStageGetsTheObserverChannel) {
  SandboxPlan p;
  p.mounts = {{MountOp::Kind::RoBind, "/"}};
  p.cwd = "/w";
  p.argv = {"id"};
  const Argv plain = bwrap_argv(p, BwrapInvocation{"/b/bwrap", "/c/cordon", false});
  const Argv observed = bwrap_argv(p, BwrapInvocation{"/b/bwrap", "/c/cordon", true});
  ASSERT_EQ(plain.size(), observed.size());
  const auto inner = std::find(observed.begin(), observed.end(), "__inner");
  ASSERT_NE(inner, observed.end());
  const size_t at = static_cast<size_t>(inner - observed.begin()) + 5;
  ASSERT_LT(at + 1, observed.size());
  EXPECT_EQ(observed[at], std::to_string(kObserverFd));
  EXPECT_EQ(plain[at], "-1");
  EXPECT_EQ(observed[at + 1], "--");
  for (size_t i = 0; i < plain.size(); ++i) {
    if (i != at) {
      EXPECT_EQ(plain[i], observed[i]) << i;
    }
  }
}

TEST(BwrapArgsConstants, FdNumbersAreDistinctAndAboveStdio) {
  EXPECT_EQ(kStderrFd, 3);
  EXPECT_EQ(kStatusFd, 4);
  EXPECT_EQ(kInfoFd, 5);
  EXPECT_EQ(kObserverFd, 6);
  EXPECT_EQ(kFirstFreeFd, 7);
  EXPECT_STREQ(kInnerStageArg, "__inner");
}

}  // namespace
}  // namespace cordon::sandbox::linux

namespace cordon::sandbox::linux {
namespace {

using MK = MountOp::Kind;

// Restricted reads with a deny-read directory, a grant nested in it and a deny-read file:
// bwrap's own empty root, a 0555 tmpfs for the directory, an empty 0000 file filled from the
// first free fd, cordon's executable bound for the inner stage, then the root and every
// tmpfs made read-only (each on its own: the mounts nested in them keep their flags).
// Observed with reads watched.
TEST(BwrapArgsMasks, EmptyRootMasksAndTheInnerStage) {
  SandboxPlan p;
  p.mounts = {{MK::EmptyRoot, "/"},
              {MK::RoBind, "/usr"},
              {MK::Bind, "/ws"},
              {MK::MaskFile, "/ws/.env"},
              {MK::MaskDir, "/ws/secrets"},
              {MK::MaskFile, "/ws/a/.env"},
              {MK::RoBind, "/ws/secrets/public"},
              {MK::Dev, "/dev"},
              {MK::Proc, "/proc"}};
  p.cwd = "/ws";
  p.argv = {"true"};
  p.deny_read = {{"/ws/.env", "**/*.env"}};
  p.watch_reads = true;
  EXPECT_EQ(mask_file_count(p), 2);
  const Argv a = bwrap_argv(p, BwrapInvocation{"/usr/bin/bwrap", "/opt/cordon/bin/cordon", true});
  const Argv want = {"--ro-bind",
                     "/usr",
                     "/usr",
                     "--bind",
                     "/ws",
                     "/ws",
                     "--perms",
                     "0000",
                     "--ro-bind-data",
                     "7",
                     "/ws/.env",
                     "--perms",
                     "0555",
                     "--tmpfs",
                     "/ws/secrets",
                     "--perms",
                     "0000",
                     "--ro-bind-data",
                     "8",
                     "/ws/a/.env",
                     "--ro-bind",
                     "/ws/secrets/public",
                     "/ws/secrets/public",
                     "--dev",
                     "/dev",
                     "--proc",
                     "/proc",
                     "--ro-bind",
                     "/opt/cordon/bin/cordon",
                     "/opt/cordon/bin/cordon",
                     "--remount-ro",
                     "/",
                     "--remount-ro",
                     "/ws/secrets",
                     "--chdir",
                     "/ws"};
  const Argv head8(a.begin() + 8, a.begin() + 8 + static_cast<long>(want.size()));
  EXPECT_EQ(head8, want);
  EXPECT_NE(std::find(a.begin(), a.end(), "network-off,reads"), a.end());
  // Not observed: the plain program, whatever the plan wants watched.
  const Argv plain = bwrap_argv(p, kInv);
  EXPECT_NE(std::find(plain.begin(), plain.end(), "network-off"), plain.end());
}

}  // namespace
}  // namespace cordon::sandbox::linux
