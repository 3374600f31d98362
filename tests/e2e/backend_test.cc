// e2e: where the backends differ by design, checked on every backend (each asserts its own
// behaviour), and the automatic choice of a backend.
//
// Landlock has no namespaces: it cannot protect .git/.codex/.agents inside writable roots
// (it says so in one warning line, or refuses under require_full_enforcement), and the
// command sees the host's processes (without being able to signal them). Renames inside
// the workspace need Landlock's REFER right; a rename out of it must still fail.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <regex>
#include <sstream>

#include "harness.h"

namespace e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Values;

constexpr int kSandboxSetup = 71;

// The lines of `err` that start with the Landlock warning.
std::vector<std::string> warning_lines(const std::string& err) {
  std::vector<std::string> out;
  std::istringstream in(err);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(kLandlockWarning, 0) == 0) out.push_back(line);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Renames, with the probe's rename() (mv would fall back to copy-and-delete on EXDEV).

class Rename : public ModeTest {};

TEST_P(Rename, FileBetweenWorkspaceDirectories) {
  make_dir(join(ws_, "a"));
  make_dir(join(ws_, "b"));
  write_file(join(ws_, "a/file"), "data\n");
  auto r = probe(mode(), {"rename", join(ws_, "a/file"), join(ws_, "b/file")});
  const bool allowed = workspace_writable(mode());
  expect_probe(r, allowed, denied_errno(), "rename a/file b/file in the workspace");
  EXPECT_EQ(exists(join(ws_, "b/file")), allowed);
  EXPECT_EQ(exists(join(ws_, "a/file")), !allowed);
  if (allowed) {
    EXPECT_EQ(read_file(join(ws_, "b/file")), "data\n");
  }
}

TEST_P(Rename, DirectoryIntoAnotherWorkspaceDirectory) {
  make_dir(join(ws_, "src/tree"));
  make_dir(join(ws_, "dst"));
  write_file(join(ws_, "src/tree/file"), "data\n");
  auto r = probe(mode(), {"rename", join(ws_, "src/tree"), join(ws_, "dst/tree")});
  const bool allowed = workspace_writable(mode());
  expect_probe(r, allowed, denied_errno(), "rename src/tree dst/tree in the workspace");
  EXPECT_EQ(exists(join(ws_, "dst/tree/file")), allowed);
  EXPECT_EQ(exists(join(ws_, "src/tree/file")), !allowed);
}

TEST_P(Rename, FileFromWorkspaceToOutside) {
  write_file(join(ws_, "move-me"), "data\n");
  auto r = probe(mode(), {"rename", join(ws_, "move-me"), join(outside_, "moved")});
  const bool allowed = !sandboxed(mode());
  expect_probe(r, allowed, nullptr, "rename out of the workspace");
  if (!allowed) {
    // A bind mount boundary gives EXDEV, Landlock EXDEV or EACCES, a read-only mount EROFS.
    EXPECT_TRUE(std::regex_search(r.out, std::regex(": (EXDEV|EACCES|EROFS) "))) << r.describe();
  }
  EXPECT_EQ(exists(join(outside_, "moved")), allowed);
  EXPECT_EQ(exists(join(ws_, "move-me")), !allowed);
}

TEST_P(Rename, FileFromOutsideIntoWorkspace) {
  auto r = probe(mode(), {"rename", join(outside_, "secret"), join(ws_, "stolen")});
  const bool allowed = !sandboxed(mode());
  expect_probe(r, allowed, nullptr, "rename into the workspace");
  EXPECT_EQ(exists(join(outside_, "secret")), !allowed);
  EXPECT_EQ(exists(join(ws_, "stolen")), allowed);
}

INSTANTIATE_TEST_SUITE_P(Modes, Rename,
                         Values(Mode::ReadOnly, Mode::WorkspaceWrite, Mode::DangerFullAccess),
                         mode_param_name);

// ---------------------------------------------------------------------------------------
// The Landlock warning: exactly one line, only when something is not enforced (under
// Landlock with a writable workspace), naming what; never from the other backends.

class LandlockWarning : public ModeTest {};

TEST_P(LandlockWarning, ExactlyOnceAndNamesProtectedPaths) {
  auto r = sh(mode(), "echo command-ran");
  EXPECT_TRUE(r.exited && r.code == 0) << r.describe();
  EXPECT_EQ(r.out, "command-ran\n");
  const auto lines = warning_lines(r.err);
  ASSERT_EQ(static_cast<int>(lines.size()), expected_landlock_warnings(mode())) << r.describe();
  if (!lines.empty()) {
    EXPECT_THAT(lines[0], HasSubstr("permissions, timestamps")) << r.describe();
    // Protected paths are named only where they would be writable.
    EXPECT_EQ(lines[0].find(join(ws_, ".git")) != std::string::npos, workspace_writable(mode()))
        << r.describe();
  }
  if (!landlock()) {
    EXPECT_THAT(r.err, Not(HasSubstr("landlock"))) << r.describe();
  }
}

// Several writable roots, one of them holding the workspace's gitdir: still one line, and
// it names the gitdir too.
TEST_P(LandlockWarning, OnceWithGitdirInAnotherRoot) {
  const std::string target = join(extra_, "repo.git/worktrees/ws");
  std::error_code ec;
  std::filesystem::remove_all(join(ws_, ".git"), ec);
  make_dir(join(target, "hooks"));
  write_file(join(target, "HEAD"), "ref: refs/heads/main\n");
  write_file(join(ws_, ".git"), "gitdir: " + target + "\n");
  RunOptions opts;
  opts.flags = {"--add-dir", extra_};
  auto r = sh(mode(), "echo command-ran", opts);
  EXPECT_TRUE(r.exited && r.code == 0) << r.describe();
  const auto lines = warning_lines(r.err);
  ASSERT_EQ(static_cast<int>(lines.size()), expected_landlock_warnings(mode())) << r.describe();
  if (!lines.empty()) {
    EXPECT_EQ(lines[0].find(target) != std::string::npos, workspace_writable(mode()))
        << r.describe();
  }
}

INSTANTIATE_TEST_SUITE_P(Modes, LandlockWarning,
                         Values(Mode::ReadOnly, Mode::WorkspaceWrite, Mode::WorkspaceWriteNetwork),
                         mode_param_name);

// ---------------------------------------------------------------------------------------
// sandbox_linux.require_full_enforcement = true: Landlock refuses (exit 71, nothing runs)
// where it cannot protect everything; the other backends enforce everything and run.

class RequireFullEnforcement : public ModeTest {};

TEST_P(RequireFullEnforcement, RefusesOnlyWhatCannotBeEnforced) {
  const std::string marker = join(ws_, "command-marker");
  RunOptions opts;
  opts.flags = {"-c", "sandbox_linux.require_full_enforcement=true"};
  auto r = sh(mode(), "echo command-ran; echo ran > " + marker, opts);
  if (landlock()) {
    // Landlock never enforces everything (file metadata; in workspace-write also the
    // protected paths): refused in every mode.
    EXPECT_TRUE(r.exited && r.code == kSandboxSetup) << r.describe();
    EXPECT_EQ(r.out, "") << "the command ran";
    EXPECT_FALSE(exists(marker)) << "the command ran";
    // The message says what is not enforced.
    EXPECT_THAT(r.err, HasSubstr("permissions, timestamps")) << r.describe();
    if (workspace_writable(mode())) {
      EXPECT_THAT(r.err, HasSubstr(".git")) << r.describe();
    }
    EXPECT_THAT(r.err, HasSubstr("require_full_enforcement")) << r.describe();
    return;
  }
  EXPECT_TRUE(r.exited) << r.describe();
  EXPECT_EQ(r.status() == 0, workspace_writable(mode())) << r.describe();
  EXPECT_EQ(r.out, "command-ran\n") << r.describe();
  EXPECT_EQ(exists(marker), workspace_writable(mode()));
  EXPECT_EQ(landlock_warnings(r.err), 0) << r.describe();
}

INSTANTIATE_TEST_SUITE_P(Modes, RequireFullEnforcement,
                         Values(Mode::ReadOnly, Mode::WorkspaceWrite, Mode::WorkspaceWriteNetwork),
                         mode_param_name);

// ---------------------------------------------------------------------------------------
// Host processes: hidden by the pid namespace of bwrap and native; visible under Landlock
// (no pid namespace, the host's /proc), where they still cannot be signalled (see
// Isolation.KillProcessOutside).

class HostProcesses : public ModeTest {};

TEST_P(HostProcesses, VisibleOnlyWithoutPidNamespace) {
  Process outside(Process::Spec{{probe_bin(), "target"}, {"PATH=/usr/bin:/bin"}, base_});
  ASSERT_TRUE(outside.started()) << outside.start_error();
  ASSERT_TRUE(outside.wait_for_stdout("\n", milliseconds(10000))) << outside.out_so_far();
  const std::string proc = "/proc/" + std::to_string(outside.pid());
  auto r = probe(mode(), {"stat", proc});
  const bool visible = !sandboxed(mode()) || landlock();
  expect_probe(r, visible, "ENOENT", "stat " + proc);
  auto tr = outside.finish(milliseconds(10000));
  EXPECT_TRUE(tr.exited && tr.code == 0) << "the outside process: " << tr.describe();
}

// The environment of a process outside (a secret in it): not visible with a pid namespace,
// and under Landlock, whose domain keeps ptrace-mode access (and so /proc/PID/environ) to
// processes inside it, not readable.
TEST_P(HostProcesses, EnvironmentOfOutsideProcessNotReadable) {
  const std::string secret = "CORDON_E2E_SECRET=" + unique_token();
  Process outside(Process::Spec{{probe_bin(), "target"}, {secret}, base_});
  ASSERT_TRUE(outside.started()) << outside.start_error();
  ASSERT_TRUE(outside.wait_for_stdout("\n", milliseconds(10000))) << outside.out_so_far();
  auto r = sh(mode(), "cat /proc/" + std::to_string(outside.pid()) + "/environ");
  EXPECT_EQ(r.out.find(secret) != std::string::npos, !sandboxed(mode())) << r.describe();
  EXPECT_EQ(r.status() == 0, !sandboxed(mode())) << r.describe();
  auto tr = outside.finish(milliseconds(10000));
  EXPECT_TRUE(tr.exited && tr.code == 0) << "the outside process: " << tr.describe();
}

INSTANTIATE_TEST_SUITE_P(Modes, HostProcesses,
                         Values(Mode::ReadOnly, Mode::WorkspaceWrite, Mode::DangerFullAccess),
                         mode_param_name);

// ---------------------------------------------------------------------------------------
// The automatic choice and the config switches (no --backend from the harness). ctest
// registers this suite only once per matrix (with the bwrap axis): it does not depend on
// the axis.

class BackendChoice : public E2ETest {
 protected:
  // A bwrap on PATH (outside the workspace) that records that it ran, then runs the real one.
  std::string recording_bwrap() {
    const std::string bin = join(base_, "fakebin");
    make_dir(bin);
    const std::string script = join(bin, "bwrap");
    write_file(script, "#!/bin/sh\necho ran >> " + bwrap_ran() + "\nexec /usr/bin/bwrap \"$@\"\n");
    EXPECT_EQ(::chmod(script.c_str(), 0755), 0);
    return bin + ":/usr/bin:/bin";
  }
  std::string bwrap_ran() const { return join(outside_, "bwrap-ran"); }

  // workspace-write: the command writes into the workspace and tries to write outside.
  RunResult run_choice(const std::vector<std::string>& flags, const std::string& path) {
    RunOptions opts;
    opts.backend_flag = false;
    opts.flags = flags;
    opts.env["PATH"] = path;
    return sh(Mode::WorkspaceWrite,
              "echo command-ran; echo x > in-ws; echo x > " + join(outside_, "escaped"), opts);
  }

  // The command ran sandboxed in workspace-write.
  void expect_sandboxed_run(const RunResult& r) {
    EXPECT_EQ(r.out, "command-ran\n") << r.describe();
    EXPECT_TRUE(exists(join(ws_, "in-ws"))) << r.describe();
    EXPECT_FALSE(exists(join(outside_, "escaped"))) << "a write outside got through";
    EXPECT_THAT(r.err, Not(HasSubstr("sandbox setup failed"))) << r.describe();
  }
};

TEST_F(BackendChoice, AutoUsesBwrapFromPath) {
  auto r = run_choice({"--backend", "auto"}, recording_bwrap());
  expect_sandboxed_run(r);
  EXPECT_TRUE(exists(bwrap_ran())) << "auto did not choose the bwrap on PATH: " << r.describe();
  EXPECT_EQ(landlock_warnings(r.err), 0) << r.describe();
}

// No bwrap anywhere on PATH: auto goes on with native (user namespaces work here), which
// protects .git (no Landlock warning) and hides host processes.
TEST_F(BackendChoice, AutoWithoutBwrapUsesNative) {
  auto r = run_choice({}, "/nonexistent");
  expect_sandboxed_run(r);
  EXPECT_EQ(landlock_warnings(r.err), 0) << "auto chose Landlock: " << r.describe();
}

TEST_F(BackendChoice, UseLinuxSandboxBwrapFalseDoesNotRunBwrap) {
  auto r = run_choice({"-c", "features.use_linux_sandbox_bwrap=false"}, recording_bwrap());
  expect_sandboxed_run(r);
  EXPECT_FALSE(exists(bwrap_ran())) << "bwrap ran: " << r.describe();
  EXPECT_EQ(landlock_warnings(r.err), 0) << "native expected, got Landlock: " << r.describe();
}

TEST_F(BackendChoice, UseLegacyLandlockChoosesLandlock) {
  auto r = run_choice({"-c", "use_legacy_landlock=true"}, recording_bwrap());
  expect_sandboxed_run(r);
  EXPECT_FALSE(exists(bwrap_ran())) << "bwrap ran: " << r.describe();
  EXPECT_EQ(landlock_warnings(r.err), 1) << "Landlock expected: " << r.describe();
}

// An explicit --backend wins over the config switches.
TEST_F(BackendChoice, ExplicitBackendWinsOverLegacyLandlock) {
  auto r = run_choice({"--backend", "bwrap", "-c", "use_legacy_landlock=true"}, recording_bwrap());
  expect_sandboxed_run(r);
  EXPECT_TRUE(exists(bwrap_ran())) << "bwrap did not run: " << r.describe();
  EXPECT_EQ(landlock_warnings(r.err), 0) << r.describe();
}

}  // namespace
}  // namespace e2e
