// e2e: cordon's own failures. A sandbox that cannot be set up (exit 71), a bad config
// (exit 78) and bad usage (exit 64) run nothing: the command's marker stays unwritten.
#include <sys/stat.h>

#include <algorithm>

#include "harness.h"

namespace e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using ::testing::Values;

constexpr int kUsage = 64;
constexpr int kSandboxSetup = 71;
constexpr int kConfig = 78;

void write_script(const std::string& path, const std::string& body) {
  write_file(path, "#!/bin/sh\n" + body);
  ASSERT_EQ(::chmod(path.c_str(), 0755), 0);
}

class SetupFailure : public ModeTest {
 protected:
  // The command: print and write a marker in the workspace. It must not run.
  std::vector<std::string> command() const {
    return {"/bin/sh", "-c", "echo command-ran; echo ran > " + marker()};
  }
  std::string marker() const { return join(ws_, "command-marker"); }

  // Sandboxed: exit 71, the command did not run. Unsandboxed (no bwrap needed): it ran.
  // The native and Landlock backends do not use bwrap: the command runs in their sandbox
  // (its marker is written only where the workspace is writable).
  void expect_setup_failure(const RunResult& r, const std::string& detail) {
    if (sandboxed(mode()) && backend() != Backend::Bwrap) {
      EXPECT_TRUE(r.exited) << r.describe();
      EXPECT_EQ(r.status() == 0, workspace_writable(mode())) << r.describe();
      EXPECT_EQ(r.out, "command-ran\n") << r.describe();
      EXPECT_EQ(exists(marker()), workspace_writable(mode()));
      EXPECT_THAT(r.err, Not(HasSubstr("sandbox setup failed"))) << r.describe();
      return;
    }
    if (!sandboxed(mode())) {
      EXPECT_TRUE(r.exited && r.code == 0) << r.describe();
      EXPECT_EQ(r.out, "command-ran\n");
      EXPECT_TRUE(exists(marker()));
      return;
    }
    EXPECT_TRUE(r.exited && r.code == kSandboxSetup) << r.describe();
    EXPECT_EQ(r.out, "") << "the command ran";
    EXPECT_FALSE(exists(marker())) << "the command ran";
    EXPECT_THAT(r.err, HasSubstr("sandbox setup failed; the command did not run"));
    EXPECT_THAT(r.err, HasSubstr(detail));
  }
};

TEST_P(SetupFailure, NoBwrapOnPath) {
  RunOptions opts;
  opts.env["PATH"] = "/nonexistent";
  auto r = run(mode(), command(), opts);
  expect_setup_failure(r, "apt-get install bubblewrap");
}

// The only bwrap on PATH lies in the workspace, where a sandboxed command could have
// replaced it: cordon must not execute it.
TEST_P(SetupFailure, BwrapOnlyInsideWorkspace) {
  make_dir(join(ws_, "bin"));
  const std::string fake_ran = join(outside_, "fake-bwrap-ran");
  write_script(join(ws_, "bin/bwrap"), "echo ran > " + fake_ran + "\nexec /usr/bin/bwrap \"$@\"\n");
  RunOptions opts;
  opts.env["PATH"] = join(ws_, "bin");
  auto r = run(mode(), command(), opts);
  expect_setup_failure(r, join(ws_, "bin/bwrap"));
  EXPECT_FALSE(exists(fake_ran)) << "cordon executed the bwrap inside the workspace";
}

// bwrap cannot create the user namespace (as under AppArmor's restriction).
TEST_P(SetupFailure, BwrapCannotCreateNamespace) {
  const std::string bin = join(base_, "fakebin");
  make_dir(bin);
  const std::string fake_ran = join(outside_, "fake-bwrap-ran");
  write_script(join(bin, "bwrap"), "echo ran > " + fake_ran +
                                       "\necho 'bwrap: setting up uid map: Permission denied' "
                                       ">&2\nexit 1\n");
  RunOptions opts;
  opts.env["PATH"] = bin;
  auto r = run(mode(), command(), opts);
  expect_setup_failure(r, "user namespace");
  EXPECT_EQ(exists(fake_ran), sandboxed(mode()) && backend() == Backend::Bwrap)
      << "bwrap run by the " << backend_name(backend()) << " backend";
}

// bwrap dies of a signal before the sandbox is ready.
TEST_P(SetupFailure, BwrapKilled) {
  const std::string bin = join(base_, "fakebin");
  make_dir(bin);
  const std::string fake_ran = join(outside_, "fake-bwrap-ran");
  write_script(join(bin, "bwrap"), "echo ran > " + fake_ran + "\nkill -KILL $$\n");
  RunOptions opts;
  opts.env["PATH"] = bin;
  auto r = run(mode(), command(), opts);
  expect_setup_failure(r, "bubblewrap");
  EXPECT_EQ(exists(fake_ran), sandboxed(mode()) && backend() == Backend::Bwrap)
      << "bwrap run by the " << backend_name(backend()) << " backend";
}

INSTANTIATE_TEST_SUITE_P(Modes, SetupFailure,
                         Values(Mode::ReadOnly, Mode::WorkspaceWrite, Mode::DangerFullAccess),
                         mode_param_name);

// Config errors: exit 78, one message naming the source, nothing runs. Most cases use
// --yolo, so that a command that did run would certainly leave its marker.
struct ConfigCase {
  const char* name;
  std::vector<std::string> flags;
  const char* user_config;  // $CORDON_HOME/config.toml, or nullptr
  const char* message;      // expected in the error
};

void PrintTo(const ConfigCase& c, std::ostream* os) {
  *os << c.name;
}

class ConfigError : public E2ETest, public ::testing::WithParamInterface<ConfigCase> {};

TEST_P(ConfigError, ExitsWithConfigCodeAndRunsNothing) {
  const ConfigCase& c = GetParam();
  if (c.user_config != nullptr) write_file(join(cordon_home_, "config.toml"), c.user_config);
  const std::string marker = join(ws_, "command-marker");
  RunOptions opts;
  opts.flags = c.flags;
  // A case with its own --backend: the harness's would make it a usage error.
  opts.backend_flag = std::find(c.flags.begin(), c.flags.end(), "--backend") == c.flags.end();
  auto r = run(Mode::ReadOnly, {"/bin/sh", "-c", "echo command-ran; echo ran > " + marker}, opts);
  EXPECT_TRUE(r.exited && r.code == kConfig) << r.describe();
  EXPECT_EQ(r.out, "") << "the command ran";
  EXPECT_FALSE(exists(marker)) << "the command ran";
  EXPECT_THAT(r.err, StartsWith("cordon: "));
  EXPECT_THAT(r.err, HasSubstr(c.message));
}

const ConfigCase kConfigCases[] = {
    {"unknown_sandbox_mode_override",
     {"--yolo", "-c", "sandbox_mode=bogus"},
     nullptr,
     "-c 'sandbox_mode=bogus'"},
    {"unknown_sandbox_flag", {"-s", "workspace_write"}, nullptr, "workspace-write"},
    {"unknown_approval_policy",
     {"--yolo", "-c", "approval_policy=sometimes"},
     nullptr,
     "approval_policy"},
    {"wrong_type",
     {"--yolo", "-c", "sandbox_workspace_write.network_access=\"yes\""},
     nullptr,
     "network_access"},
    {"relative_writable_root",
     {"--yolo", "-c", "sandbox_workspace_write.writable_roots=[\"relative/dir\"]"},
     nullptr,
     "relative/dir"},
    {"toml_syntax_error", {"--yolo"}, "sandbox_mode = \"read-only\"\n[broken\n", "config.toml:2:"},
    {"unknown_mode_in_file", {"--yolo"}, "sandbox_mode = \"workspace_write\"\n", "config.toml:1:"},
    {"missing_profile", {"--yolo", "--profile", "no-such-profile"}, nullptr, "no-such-profile"},
    {"strict_unknown_key",
     {"--yolo", "--strict-config", "-c", "no_such_key=1"},
     nullptr,
     "no_such_key"},
    {"empty_add_dir", {"--full-auto", "--add-dir", ""}, nullptr, "--add-dir"},
    {"unsupported_security_key",
     {"--yolo", "-c", "default_permissions=\"workspace\""},
     nullptr,
     "default_permissions"},
    // A backend cordon does not know, from the user config (a -c or --backend would be
    // overridden by the --backend the harness adds).
    {"unknown_backend",
     {"--full-auto"},
     "[sandbox_linux]\nbackend = \"nativ\"\n",
     "unknown backend 'nativ'"},
    {"unknown_backend_flag", {"--yolo", "--backend", "bogus"}, nullptr, "unknown backend 'bogus'"},
    {"zero_process_limit",
     {"--full-auto", "-c", "sandbox_linux.max_processes=0"},
     nullptr,
     "sandbox_linux.max_processes"},
    {"bad_memory_size",
     {"--full-auto", "-c", "sandbox_linux.max_memory=\"64Q\""},
     nullptr,
     "sandbox_linux.max_memory"},
    {"require_full_enforcement_not_bool",
     {"--full-auto", "-c", "sandbox_linux.require_full_enforcement=\"yes\""},
     nullptr,
     "require_full_enforcement"},
};

INSTANTIATE_TEST_SUITE_P(Cases, ConfigError, ::testing::ValuesIn(kConfigCases),
                         [](const ::testing::TestParamInfo<ConfigCase>& p) {
                           return std::string(p.param.name);
                         });

class Usage : public E2ETest {};

TEST_F(Usage, UnknownFlagRunsNothing) {
  const std::string marker = join(ws_, "command-marker");
  RunOptions opts;
  opts.flags = {"--yolo", "--no-such-flag"};
  auto r = run(Mode::ReadOnly, {"/bin/sh", "-c", "echo ran > " + marker}, opts);
  EXPECT_TRUE(r.exited && r.code == kUsage) << r.describe();
  EXPECT_FALSE(exists(marker)) << "the command ran";
}

TEST_F(Usage, NoCommand) {
  Process p(
      Process::Spec{{cordon_bin(), "sandbox", "linux", "--full-auto", "--"}, cordon_env({}), ws_});
  auto r = p.finish();
  EXPECT_TRUE(r.exited && r.code == kUsage) << r.describe();
}

}  // namespace
}  // namespace e2e
