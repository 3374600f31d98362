// config::load: every key, layer precedence and origins, profiles, and every error
// with its exact position.
#include "config/load.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_filesystem.h"

namespace cordon::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAre;
using Kind = ApprovalPolicy::Kind;

constexpr const char* kSys = "/etc/cordon/config.toml";
constexpr const char* kUser = "/home/u/.cordon/config.toml";

class ConfigLoad : public ::testing::Test {
 protected:
  ConfigLoad() {
    fs.add_dir("/home/u/proj/sub");
    fs.add_dir("/home/u/other");
    fs.add_dir("/etc/cordon");
    in.system_config = kSys;
    in.user_config = kUser;
    in.process_cwd = "/home/u/proj";
  }

  void system_file(const std::string& text) { fs.add_file(kSys, text); }
  void user_file(const std::string& text) { fs.add_file(kUser, text); }

  EffectiveConfig ok() {
    auto r = load(in, fs);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : EffectiveConfig{};
  }
  std::string error() {
    auto r = load(in, fs);
    EXPECT_FALSE(r.ok()) << "expected an error";
    return r.ok() ? std::string("<no error>") : r.error().message;
  }

  fakes::FakeFileSystem fs;
  LoadInputs in;
};

// ---------------------------------------------------------------- defaults

TEST_F(ConfigLoad, DefaultsWithNoConfigAreReadOnlyOnRequest) {
  EffectiveConfig c = ok();
  EXPECT_EQ(c.sandbox_mode.value, SandboxMode::ReadOnly);
  EXPECT_EQ(c.sandbox_mode.origin, "built-in default");
  EXPECT_EQ(c.approval_policy.value.kind, Kind::OnRequest);
  EXPECT_EQ(c.approval_policy.origin, "built-in default");
  EXPECT_THAT(c.writable_roots.value, IsEmpty());
  EXPECT_FALSE(c.network_access.value);
  EXPECT_FALSE(c.exclude_tmpdir_env_var.value);
  EXPECT_FALSE(c.exclude_slash_tmp.value);
  EXPECT_FALSE(c.network_proxy.value);
  EXPECT_FALSE(c.profile.has_value());
  EXPECT_THAT(c.add_dirs, IsEmpty());
  EXPECT_EQ(c.workspace, "/home/u/proj");
  EXPECT_THAT(c.warnings, IsEmpty());
}

TEST_F(ConfigLoad, EmptyFilesAndEmptyPathsChangeNothing) {
  system_file("");
  user_file("# only a comment\n");
  EffectiveConfig c = ok();
  EXPECT_EQ(c.sandbox_mode.value, SandboxMode::ReadOnly);
  EXPECT_EQ(c.sandbox_mode.origin, "built-in default");
  in.system_config = "";
  in.user_config = "";
  EXPECT_EQ(ok().sandbox_mode.value, SandboxMode::ReadOnly);
}

TEST_F(ConfigLoad, ProcessCwdIsNormalisedIntoTheWorkspace) {
  in.process_cwd = "/home/u//proj/./sub/";
  EXPECT_EQ(ok().workspace, "/home/u/proj/sub");
}

// ---------------------------------------------------------------- sandbox_mode

TEST_F(ConfigLoad, SandboxModeEachValueWithOrigin) {
  user_file("sandbox_mode = \"workspace-write\"\n");
  EffectiveConfig c = ok();
  EXPECT_EQ(c.sandbox_mode.value, SandboxMode::WorkspaceWrite);
  EXPECT_EQ(c.sandbox_mode.origin, std::string(kUser) + ":1:16");

  user_file("\n\nsandbox_mode = \"danger-full-access\"\n");
  c = ok();
  EXPECT_EQ(c.sandbox_mode.value, SandboxMode::DangerFullAccess);
  EXPECT_EQ(c.sandbox_mode.origin, std::string(kUser) + ":3:16");

  user_file("sandbox_mode = 'read-only'\n");
  EXPECT_EQ(ok().sandbox_mode.value, SandboxMode::ReadOnly);
}

TEST_F(ConfigLoad, UnknownSandboxModeSuggestsTheClosest) {
  user_file("# comment\nsandbox_mode = \"workspace_write\"\n");
  EXPECT_EQ(error(), std::string(kUser) +
                         ":2:16: unknown sandbox mode 'workspace_write'; expected 'read-only', "
                         "'workspace-write' or 'danger-full-access'; did you mean "
                         "'workspace-write'?");
}

TEST_F(ConfigLoad, UnknownSandboxModeFarFromAnyNameHasNoSuggestion) {
  user_file("sandbox_mode = \"banana\"\n");
  EXPECT_EQ(error(), std::string(kUser) +
                         ":1:16: unknown sandbox mode 'banana'; expected 'read-only', "
                         "'workspace-write' or 'danger-full-access'");
}

TEST_F(ConfigLoad, SandboxModeWrongType) {
  user_file("sandbox_mode = 1\n");
  EXPECT_EQ(error(), std::string(kUser) + ":1:16: 'sandbox_mode' must be a string, not an integer");
  user_file("sandbox_mode = true\n");
  EXPECT_EQ(error(), std::string(kUser) + ":1:16: 'sandbox_mode' must be a string, not a boolean");
  user_file("sandbox_mode = [\"read-only\"]\n");
  EXPECT_EQ(error(), std::string(kUser) + ":1:16: 'sandbox_mode' must be a string, not an array");
  user_file("sandbox_mode = 1.5\n");
  EXPECT_EQ(error(), std::string(kUser) + ":1:16: 'sandbox_mode' must be a string, not a float");
  user_file("sandbox_mode = 1979-05-27\n");
  EXPECT_EQ(error(),
            std::string(kUser) + ":1:16: 'sandbox_mode' must be a string, not a date/time");
}

// ---------------------------------------------------------------- approval_policy

TEST_F(ConfigLoad, ApprovalPolicyNames) {
  const std::vector<std::pair<std::string, Kind>> cases = {{"untrusted", Kind::Untrusted},
                                                           {"on-request", Kind::OnRequest},
                                                           {"on-failure", Kind::OnRequest},
                                                           {"never", Kind::Never}};
  for (const auto& [name, kind] : cases) {
    user_file("approval_policy = \"" + name + "\"\n");
    EffectiveConfig c = ok();
    EXPECT_EQ(c.approval_policy.value.kind, kind) << name;
    EXPECT_EQ(c.approval_policy.value, ApprovalPolicy{kind}) << name;
    EXPECT_EQ(c.approval_policy.origin, std::string(kUser) + ":1:19") << name;
  }
}

TEST_F(ConfigLoad, ApprovalPolicyGranularInlineTable) {
  user_file(
      "approval_policy = { granular = { sandbox_approval = true, rules = false, "
      "mcp_elicitations = true, request_permissions = true, skill_approval = false } }\n");
  EffectiveConfig c = ok();
  ApprovalPolicy want;
  want.kind = Kind::Granular;
  want.sandbox_approval = true;
  want.mcp_elicitations = true;
  want.request_permissions = true;
  EXPECT_EQ(c.approval_policy.value, want);
  EXPECT_EQ(to_string(c.approval_policy.value),
            "granular { sandbox_approval=true, rules=false, mcp_elicitations=true, "
            "request_permissions=true, skill_approval=false }");
  EXPECT_THAT(c.approval_policy.origin, StartsWith(std::string(kUser) + ":1:"));
}

TEST_F(ConfigLoad, ApprovalPolicyGranularAsStandardTable) {
  user_file("[approval_policy.granular]\nrules = true\nskill_approval = true\n");
  EffectiveConfig c = ok();
  ApprovalPolicy want;
  want.kind = Kind::Granular;
  want.rules = true;
  want.skill_approval = true;
  EXPECT_EQ(c.approval_policy.value, want);
}

TEST_F(ConfigLoad, ApprovalPolicyReject) {
  user_file(
      "approval_policy = { reject = { sandbox_approval = true, mcp_elicitations = true } }\n");
  EffectiveConfig c = ok();
  ApprovalPolicy want;
  want.kind = Kind::Reject;
  want.sandbox_approval = true;
  want.mcp_elicitations = true;
  EXPECT_EQ(c.approval_policy.value, want);
  EXPECT_EQ(to_string(c.approval_policy.value),
            "reject { sandbox_approval=true, rules=false, mcp_elicitations=true }");
}

TEST_F(ConfigLoad, ApprovalPolicyRejectHasNoGranularOnlyCategories) {
  user_file("approval_policy = { reject = { request_permissions = true } }\n");
  EXPECT_EQ(error(), std::string(kUser) +
                         ":1:54: unknown approval category "
                         "'approval_policy.reject.request_permissions'; expected one of "
                         "'sandbox_approval', 'rules' or 'mcp_elicitations'");
}

TEST_F(ConfigLoad, ApprovalPolicyUnknownCategorySuggests) {
  user_file("approval_policy = { granular = { rule = true } }\n");
  EXPECT_EQ(error(), std::string(kUser) +
                         ":1:41: unknown approval category 'approval_policy.granular.rule'; "
                         "expected one of 'sandbox_approval', 'rules', 'mcp_elicitations', "
                         "'request_permissions' or 'skill_approval'; did you mean 'rules'?");
}

TEST_F(ConfigLoad, ApprovalPolicyCategoryMustBeBoolean) {
  user_file("approval_policy = { granular = { rules = \"yes\" } }\n");
  EXPECT_EQ(error(), std::string(kUser) +
                         ":1:42: 'approval_policy.granular.rules' must be a boolean, not a string");
}

TEST_F(ConfigLoad, ApprovalPolicyTableForms) {
  user_file("approval_policy = { granular = {}, reject = {} }\n");
  EXPECT_EQ(error(), std::string(kUser) +
                         ":1:19: 'approval_policy' as a table must hold exactly one of "
                         "'granular' or 'reject'");
  user_file("approval_policy = {}\n");
  EXPECT_THAT(error(), HasSubstr("must hold exactly one of 'granular' or 'reject'"));
  user_file("approval_policy = { granuler = {} }\n");
  EXPECT_EQ(error(), std::string(kUser) +
                         ":1:32: unknown approval policy form 'granuler'; expected 'granular' or "
                         "'reject'; did you mean 'granular'?");
  user_file("approval_policy = { granular = true }\n");
  EXPECT_EQ(error(), std::string(kUser) +
                         ":1:32: 'approval_policy.granular' must be a table, not a boolean");
}

TEST_F(ConfigLoad, UnknownApprovalPolicy) {
  user_file("approval_policy = \"on_request\"\n");
  EXPECT_EQ(error(), std::string(kUser) +
                         ":1:19: unknown approval policy 'on_request'; expected 'untrusted', "
                         "'on-request', 'on-failure' or 'never' or a table { granular = { ... } }; "
                         "did you mean 'on-request'?");
  user_file("approval_policy = \"always\"\n");
  EXPECT_EQ(error(), std::string(kUser) +
                         ":1:19: unknown approval policy 'always'; expected 'untrusted', "
                         "'on-request', 'on-failure' or 'never' or a table { granular = { ... } }");
}

TEST_F(ConfigLoad, ApprovalPolicyWrongType) {
  user_file("approval_policy = 3\n");
  EXPECT_EQ(error(), std::string(kUser) +
                         ":1:19: 'approval_policy' must be a string or a table, not an "
                         "integer");
}

TEST(ApprovalPolicyToString, PlainNames) {
  EXPECT_EQ(to_string(ApprovalPolicy{Kind::Untrusted}), "untrusted");
  EXPECT_EQ(to_string(ApprovalPolicy{Kind::OnRequest}), "on-request");
  EXPECT_EQ(to_string(ApprovalPolicy{Kind::Never}), "never");
  EXPECT_STREQ(to_string(SandboxMode::ReadOnly), "read-only");
  EXPECT_STREQ(to_string(SandboxMode::WorkspaceWrite), "workspace-write");
  EXPECT_STREQ(to_string(SandboxMode::DangerFullAccess), "danger-full-access");
}

// ---------------------------------------------------------------- [sandbox_workspace_write]

TEST_F(ConfigLoad, WorkspaceWriteTableEveryKey) {
  user_file(
      "[sandbox_workspace_write]\n"
      "writable_roots = [\"/data/a\", \"/data//b/../c/\"]\n"
      "network_access = true\n"
      "exclude_tmpdir_env_var = true\n"
      "exclude_slash_tmp = true\n");
  EffectiveConfig c = ok();
  EXPECT_THAT(c.writable_roots.value, ElementsAre("/data/a", "/data/c"));
  EXPECT_EQ(c.writable_roots.origin, std::string(kUser) + ":2:18");
  EXPECT_TRUE(c.network_access.value);
  EXPECT_EQ(c.network_access.origin, std::string(kUser) + ":3:18");
  EXPECT_TRUE(c.exclude_tmpdir_env_var.value);
  EXPECT_EQ(c.exclude_tmpdir_env_var.origin, std::string(kUser) + ":4:26");
  EXPECT_TRUE(c.exclude_slash_tmp.value);
  EXPECT_EQ(c.exclude_slash_tmp.origin, std::string(kUser) + ":5:21");
  EXPECT_THAT(c.warnings, IsEmpty());
}

TEST_F(ConfigLoad, WorkspaceWriteDottedAndFalseValues) {
  user_file(
      "sandbox_workspace_write.network_access = false\n"
      "sandbox_workspace_write.writable_roots = []\n");
  EffectiveConfig c = ok();
  EXPECT_FALSE(c.network_access.value);
  EXPECT_EQ(c.network_access.origin, std::string(kUser) + ":1:42");
  EXPECT_THAT(c.writable_roots.value, IsEmpty());
}

TEST_F(ConfigLoad, RelativeWritableRootIsAnErrorAtTheEntry) {
  user_file(
      "[sandbox_workspace_write]\n"
      "writable_roots = [\n"
      "  \"/ok\",\n"
      "  \"build/out\",\n"
      "]\n");
  EXPECT_EQ(error(), std::string(kUser) +
                         ":4:3: 'sandbox_workspace_write.writable_roots' entry 'build/out' is not "
                         "an absolute path; write it as '/...' (use --add-dir for a directory "
                         "relative to where you run cordon)");
}

TEST_F(ConfigLoad, WritableRootsWrongTypes) {
  user_file("[sandbox_workspace_write]\nwritable_roots = \"/data\"\n");
  EXPECT_EQ(error(), std::string(kUser) +
                         ":2:18: 'sandbox_workspace_write.writable_roots' must be an array of "
                         "absolute paths, not a string");
  user_file("[sandbox_workspace_write]\nwritable_roots = [\"/a\", 7]\n");
  EXPECT_EQ(error(), std::string(kUser) +
                         ":2:25: 'sandbox_workspace_write.writable_roots' entries must be strings "
                         "(absolute paths), not an integer");
}

TEST_F(ConfigLoad, WorkspaceWriteBooleansWrongType) {
  for (const std::string key : {"network_access", "exclude_tmpdir_env_var", "exclude_slash_tmp"}) {
    user_file("[sandbox_workspace_write]\n" + key + " = \"true\"\n");
    EXPECT_EQ(error(), std::string(kUser) + ":2:" + std::to_string(key.size() + 4) +
                           ": 'sandbox_workspace_write." + key +
                           "' must be a boolean, not a string");
  }
}

TEST_F(ConfigLoad, WorkspaceWriteMustBeATable) {
  user_file("sandbox_workspace_write = true\n");
  EXPECT_EQ(error(),
            std::string(kUser) + ":1:27: 'sandbox_workspace_write' must be a table, not a boolean");
}

TEST_F(ConfigLoad, UnknownKeyInWorkspaceWriteWarnsWithSuggestion) {
  user_file("[sandbox_workspace_write]\nnetwork_acess = true\n");
  EffectiveConfig c = ok();
  EXPECT_FALSE(c.network_access.value);
  EXPECT_THAT(c.warnings,
              ElementsAre(std::string(kUser) +
                          ":2:17: unknown key 'sandbox_workspace_write.network_acess'; did you "
                          "mean 'network_access'?; ignored"));
}

// ---------------------------------------------------------------- TOML syntax errors

TEST_F(ConfigLoad, TomlSyntaxErrorHasPosition) {
  user_file("sandbox_mode = \"read-only\"\napproval_policy = \n");
  const std::string e = error();
  // Column 19: the end of the line, where a value was expected.
  EXPECT_THAT(e, StartsWith(std::string(kUser) + ":2:19: TOML syntax error: "));
  EXPECT_THAT(e, HasSubstr("expected value"));
  // Exactly one line.
  EXPECT_EQ(e.find('\n'), std::string::npos) << e;
}

TEST_F(ConfigLoad, TomlSyntaxErrorUnterminatedStringExactPosition) {
  system_file("\n\n  sandbox_mode = \"read-only\n");
  EXPECT_THAT(error(), StartsWith(std::string(kSys) + ":3:28: TOML syntax error: "));
  user_file("a = 1\na = 2\n");  // a duplicate key
  system_file("");
  EXPECT_THAT(error(), StartsWith(std::string(kUser) + ":2:5: TOML syntax error: "));
}

TEST_F(ConfigLoad, SyntaxErrorInTheSystemFileStopsEverything) {
  system_file("[unclosed\n");
  user_file("sandbox_mode = \"workspace-write\"\n");
  EXPECT_THAT(error(), StartsWith(std::string(kSys) + ":1:10: TOML syntax error: "));
}

TEST_F(ConfigLoad, UnquotedStringIsASyntaxErrorAtTheValue) {
  user_file("# c\nsandbox_mode = workspace-write\n");
  EXPECT_THAT(error(), StartsWith(std::string(kUser) + ":2:16: TOML syntax error: "));
  user_file("x = [1,\n");
  EXPECT_THAT(error(), StartsWith(std::string(kUser) + ":1:9: TOML syntax error: "));
}

TEST_F(ConfigLoad, UnreadableConfigFile) {
  fs.add_unreadable_file(kUser);
  EXPECT_EQ(error(), std::string(kUser) +
                         ": cannot read the config file (unreadable, not a regular file, or "
                         "larger than 4 MiB)");
}

TEST_F(ConfigLoad, ConfigPathIsADirectory) {
  fs.add_dir(kUser);
  EXPECT_THAT(error(), StartsWith(std::string(kUser) + ": cannot read the config file"));
}

TEST_F(ConfigLoad, ConfigFileThroughASymlinkIsRead) {
  fs.add_file("/home/u/dotfiles/cordon.toml", "sandbox_mode = \"workspace-write\"\n");
  fs.add_symlink(kUser, "../dotfiles/cordon.toml");
  EXPECT_EQ(ok().sandbox_mode.value, SandboxMode::WorkspaceWrite);
}

// ---------------------------------------------------------------- unknown, ignored, unsupported
// keys

TEST_F(ConfigLoad, UnknownTopLevelKeyWarnsWithSuggestion) {
  user_file("sandbox_mod = \"workspace-write\"\n");
  EffectiveConfig c = ok();
  EXPECT_EQ(c.sandbox_mode.value, SandboxMode::ReadOnly);
  EXPECT_THAT(c.warnings,
              ElementsAre(std::string(kUser) + ":1:15: unknown key 'sandbox_mod'; did you mean "
                                               "'sandbox_mode'?; ignored"));
}

TEST_F(ConfigLoad, UnknownKeyFarFromAnyNameWarnsWithoutSuggestion) {
  user_file("\nfrobnicate = 3\n");
  EXPECT_THAT(ok().warnings,
              ElementsAre(std::string(kUser) + ":2:14: unknown key 'frobnicate'; ignored"));
}

TEST_F(ConfigLoad, UnknownKeyIsAnErrorUnderStrictConfig) {
  user_file("sandbox_mod = \"workspace-write\"\n");
  in.cli.strict_config = true;
  EXPECT_EQ(error(), std::string(kUser) +
                         ":1:15: unknown key 'sandbox_mod'; did you mean 'sandbox_mode'? "
                         "(--strict-config)");
  user_file("[sandbox_workspace_write]\nexclude_slash_temp = true\n");
  EXPECT_THAT(error(), StartsWith(std::string(kUser) +
                                  ":2:22: unknown key "
                                  "'sandbox_workspace_write.exclude_slash_temp'; did you mean "
                                  "'exclude_slash_tmp'? (--strict-config)"));
}

TEST_F(ConfigLoad, UnknownKeyInOverrideWarnsNamingTheOverride) {
  in.cli.overrides = {"frobnicate=1"};
  EXPECT_THAT(ok().warnings, ElementsAre("-c 'frobnicate=1': unknown key 'frobnicate'; ignored"));
  in.cli.strict_config = true;
  EXPECT_EQ(error(), "-c 'frobnicate=1': unknown key 'frobnicate' (--strict-config)");
}

TEST_F(ConfigLoad, CodexOnlyKeysAreAcceptedSilently) {
  user_file(
      "model = \"o3\"\n"
      "model_provider = \"openai\"\n"
      "model_reasoning_effort = \"high\"\n"
      "notify = [\"notify-send\"]\n"
      "hide_agent_reasoning = true\n"
      "[mcp_servers.docs]\n"
      "command = \"docs-server\"\n"
      "args = [\"--port\", \"1\"]\n"
      "[tui]\n"
      "notifications = true\n"
      "[projects.\"/home/u/proj\"]\n"
      "trust_level = \"trusted\"\n"
      "[shell_environment_policy]\n"
      "inherit = \"core\"\n"
      "[history]\n"
      "persistence = \"none\"\n"
      "[features]\n"
      "web_search_request = true\n"
      "use_linux_sandbox_bwrap = true\n"
      "use_legacy_landlock = false\n");
  in.cli.strict_config = true;
  EffectiveConfig c = ok();
  EXPECT_THAT(c.warnings, IsEmpty());
  EXPECT_EQ(c.sandbox_mode.value, SandboxMode::ReadOnly);
}

TEST_F(ConfigLoad, CodexOnlyKeysInsideAProfileAreAcceptedSilently) {
  user_file(
      "[profiles.fast]\n"
      "model = \"o4-mini\"\n"
      "model_reasoning_effort = \"low\"\n"
      "sandbox_mode = \"workspace-write\"\n");
  in.cli.profile = "fast";
  in.cli.strict_config = true;
  EffectiveConfig c = ok();
  EXPECT_EQ(c.sandbox_mode.value, SandboxMode::WorkspaceWrite);
  EXPECT_THAT(c.warnings, IsEmpty());
}

TEST_F(ConfigLoad, DefaultPermissionsNamesAnUnknownProfile) {
  user_file("default_permissions = \"workspace\"\n");
  EXPECT_EQ(error(), std::string(kUser) +
                         ":1:23: no permission profile named 'workspace' (no "
                         "[permissions.<name>] profiles are defined)");
}

TEST_F(ConfigLoad, PermissionsTableWithoutDefaultPermissionsIsAnError) {
  user_file("sandbox_mode = \"read-only\"\n[permissions.workspace]\nfilesystem = {}\n");
  const std::string e = error();
  EXPECT_THAT(e, StartsWith(std::string(kUser) + ":2:"));
  EXPECT_THAT(e, HasSubstr("no 'default_permissions' selects one"));
}

TEST_F(ConfigLoad, LegacyLandlockSelectsABackendAndMustBeABoolean) {
  user_file("use_legacy_landlock = true\n");
  EffectiveConfig c = ok();
  EXPECT_TRUE(c.use_legacy_landlock.value);
  EXPECT_EQ(c.use_legacy_landlock.origin, std::string(kUser) + ":1:23");
  EXPECT_THAT(c.warnings, IsEmpty());
  user_file("use_legacy_landlock = false\n");
  EXPECT_FALSE(ok().use_legacy_landlock.value);
  user_file("use_legacy_landlock = \"yes\"\n");
  EXPECT_EQ(error(),
            std::string(kUser) + ":1:23: 'use_legacy_landlock' must be a boolean, not a string");
}

TEST_F(ConfigLoad, BackendFeatureFlagsAreAcceptedAndTyped) {
  user_file("[features]\nuse_legacy_landlock = true\n");
  EffectiveConfig c = ok();
  EXPECT_TRUE(c.use_legacy_landlock.value);
  EXPECT_EQ(c.use_legacy_landlock.origin, std::string(kUser) + ":2:23");
  user_file("[features]\nuse_linux_sandbox_bwrap = false\n");
  c = ok();
  EXPECT_FALSE(c.use_linux_sandbox_bwrap.value);
  EXPECT_EQ(c.use_linux_sandbox_bwrap.origin, std::string(kUser) + ":2:27");
  EXPECT_THAT(c.warnings, IsEmpty());
  user_file("[features]\nuse_linux_sandbox_bwrap = 1\n");
  EXPECT_EQ(error(), std::string(kUser) +
                         ":2:27: 'features.use_linux_sandbox_bwrap' must be a boolean, not an "
                         "integer");
  user_file("features = 1\n");
  EXPECT_EQ(error(), std::string(kUser) + ":1:12: 'features' must be a table, not an integer");
}

TEST_F(ConfigLoad, DefaultPermissionsFromProfilesAndOverrides) {
  user_file("[profiles.p]\ndefault_permissions = \":workspace\"\n");
  in.cli.profile = "p";
  EffectiveConfig c = ok();
  EXPECT_EQ(c.sandbox_mode.value, SandboxMode::WorkspaceWrite);
  EXPECT_THAT(c.sandbox_mode.origin, HasSubstr(std::string(kUser) + ":2:23"));
  in.cli.profile.reset();
  user_file("");
  in.cli.overrides = {"default_permissions=\"workspace\""};
  EXPECT_THAT(error(), StartsWith("-c 'default_permissions=\"workspace\"': no permission "
                                  "profile named 'workspace'"));
}

TEST_F(ConfigLoad, BackendKeysFromOverridesNameTheOverride) {
  in.cli.overrides = {"use_legacy_landlock=true", "features.use_linux_sandbox_bwrap=false"};
  EffectiveConfig c = ok();
  EXPECT_TRUE(c.use_legacy_landlock.value);
  EXPECT_EQ(c.use_legacy_landlock.origin, "-c 'use_legacy_landlock=true'");
  EXPECT_FALSE(c.use_linux_sandbox_bwrap.value);
  EXPECT_EQ(c.use_linux_sandbox_bwrap.origin, "-c 'features.use_linux_sandbox_bwrap=false'");
}

TEST_F(ConfigLoad, NetworkProxyForms) {
  user_file("[features]\nnetwork_proxy = true\n");
  EffectiveConfig c = ok();
  EXPECT_TRUE(c.network_proxy.value);
  EXPECT_EQ(c.network_proxy.origin, std::string(kUser) + ":2:17");

  user_file("[features.network_proxy]\nenabled = true\n");
  c = ok();
  EXPECT_TRUE(c.network_proxy.value);
  EXPECT_EQ(c.network_proxy.origin, std::string(kUser) + ":2:11");

  user_file("[network_proxy]\nenabled = true\n");
  EXPECT_TRUE(ok().network_proxy.value);

  user_file("[features]\nnetwork_proxy = false\n");
  EXPECT_FALSE(ok().network_proxy.value);

  user_file("[features]\nnetwork_proxy = \"on\"\n");
  EXPECT_EQ(error(), std::string(kUser) +
                         ":2:17: 'features.network_proxy' must be a boolean or a table, not a "
                         "string");
  user_file("[network_proxy]\nenabled = 1\n");
  EXPECT_EQ(error(), std::string(kUser) +
                         ":2:11: 'network_proxy.enabled' must be a boolean, not an integer");
}

// ---------------------------------------------------------------- layers and origins

TEST_F(ConfigLoad, UserFileOverridesSystemFileKeyByKey) {
  system_file(
      "sandbox_mode = \"workspace-write\"\n"
      "approval_policy = \"untrusted\"\n"
      "[sandbox_workspace_write]\n"
      "network_access = true\n");
  user_file("sandbox_mode = \"read-only\"\n");
  EffectiveConfig c = ok();
  EXPECT_EQ(c.sandbox_mode.value, SandboxMode::ReadOnly);
  EXPECT_EQ(c.sandbox_mode.origin, std::string(kUser) + ":1:16");
  EXPECT_EQ(c.approval_policy.value.kind, Kind::Untrusted);
  EXPECT_EQ(c.approval_policy.origin, std::string(kSys) + ":2:19");
  EXPECT_TRUE(c.network_access.value);
  EXPECT_EQ(c.network_access.origin, std::string(kSys) + ":4:18");
}

TEST_F(ConfigLoad, OverriddenLayersAreStillValidated) {
  system_file("sandbox_mode = \"bogus\"\n");
  user_file("sandbox_mode = \"read-only\"\n");
  EXPECT_THAT(error(), StartsWith(std::string(kSys) + ":1:16: unknown sandbox mode 'bogus'"));
  system_file("");
  user_file("sandbox_mode = \"bogus\"\n");
  in.cli.sandbox_mode = "read-only";
  EXPECT_THAT(error(), StartsWith(std::string(kUser) + ":1:16: unknown sandbox mode 'bogus'"));
}

TEST_F(ConfigLoad, OverridesBeatFilesAndLastOverrideWins) {
  user_file("sandbox_mode = \"read-only\"\n");
  in.cli.overrides = {"sandbox_mode=danger-full-access", "sandbox_mode=workspace-write",
                      "sandbox_workspace_write.network_access=true"};
  EffectiveConfig c = ok();
  EXPECT_EQ(c.sandbox_mode.value, SandboxMode::WorkspaceWrite);
  EXPECT_EQ(c.sandbox_mode.origin, "-c 'sandbox_mode=workspace-write'");
  EXPECT_TRUE(c.network_access.value);
  EXPECT_EQ(c.network_access.origin, "-c 'sandbox_workspace_write.network_access=true'");
}

TEST_F(ConfigLoad, OverrideValuesAreTyped) {
  in.cli.overrides = {"sandbox_workspace_write.writable_roots=[\"/data\", \"/srv/x/\"]",
                      "approval_policy={ granular = { rules = true } }",
                      "sandbox_workspace_write.exclude_slash_tmp=true"};
  EffectiveConfig c = ok();
  EXPECT_THAT(c.writable_roots.value, ElementsAre("/data", "/srv/x"));
  EXPECT_EQ(c.approval_policy.value.kind, Kind::Granular);
  EXPECT_TRUE(c.approval_policy.value.rules);
  EXPECT_TRUE(c.exclude_slash_tmp.value);
}

TEST_F(ConfigLoad, FlagsBeatOverrides) {
  in.cli.overrides = {"sandbox_mode=workspace-write", "approval_policy=untrusted"};
  in.cli.sandbox_mode = "read-only";
  in.cli.approval_policy = "never";
  EffectiveConfig c = ok();
  EXPECT_EQ(c.sandbox_mode.value, SandboxMode::ReadOnly);
  EXPECT_EQ(c.sandbox_mode.origin, "--sandbox");
  EXPECT_EQ(c.approval_policy.value.kind, Kind::Never);
  EXPECT_EQ(c.approval_policy.origin, "--ask-for-approval");
}

TEST_F(ConfigLoad, FullAutoIsWorkspaceWriteOnRequest) {
  user_file("sandbox_mode = \"read-only\"\napproval_policy = \"never\"\n");
  in.cli.overrides = {"sandbox_mode=danger-full-access"};
  in.cli.full_auto = true;
  EffectiveConfig c = ok();
  EXPECT_EQ(c.sandbox_mode.value, SandboxMode::WorkspaceWrite);
  EXPECT_EQ(c.sandbox_mode.origin, "--full-auto");
  EXPECT_EQ(c.approval_policy.value.kind, Kind::OnRequest);
  EXPECT_EQ(c.approval_policy.origin, "--full-auto");
}

// --full-auto implies on-request; an explicit -a next to it is what the user asked for.
TEST_F(ConfigLoad, ExplicitApprovalFlagBeatsFullAuto) {
  in.cli.full_auto = true;
  in.cli.approval_policy = "never";
  EffectiveConfig c = ok();
  EXPECT_EQ(c.sandbox_mode.value, SandboxMode::WorkspaceWrite);
  EXPECT_EQ(c.approval_policy.value.kind, Kind::Never);
  EXPECT_EQ(c.approval_policy.origin, "--ask-for-approval");
}

TEST_F(ConfigLoad, YoloIsDangerFullAccessNever) {
  user_file("sandbox_mode = \"read-only\"\n");
  in.cli.yolo = true;
  EffectiveConfig c = ok();
  EXPECT_EQ(c.sandbox_mode.value, SandboxMode::DangerFullAccess);
  EXPECT_EQ(c.sandbox_mode.origin, "--dangerously-bypass-approvals-and-sandbox");
  EXPECT_EQ(c.approval_policy.value.kind, Kind::Never);
  EXPECT_EQ(c.approval_policy.origin, "--dangerously-bypass-approvals-and-sandbox");
}

TEST_F(ConfigLoad, FlagErrorsNameTheFlag) {
  in.cli.sandbox_mode = "workspace_write";
  EXPECT_EQ(error(),
            "--sandbox: unknown sandbox mode 'workspace_write'; expected 'read-only', "
            "'workspace-write' or 'danger-full-access'; did you mean 'workspace-write'?");
  in.cli.sandbox_mode.reset();
  in.cli.approval_policy = "nevr";
  EXPECT_EQ(error(),
            "--ask-for-approval: unknown approval policy 'nevr'; expected 'untrusted', "
            "'on-request', 'on-failure' or 'never' or a table { granular = { ... } }; did you "
            "mean 'never'?");
}

// ---------------------------------------------------------------- -c errors

TEST_F(ConfigLoad, OverrideErrorsNameTheOverride) {
  in.cli.overrides = {"sandbox_mode=read-only", "sandbox_mode=bogus"};
  EXPECT_EQ(error(),
            "-c 'sandbox_mode=bogus': unknown sandbox mode 'bogus'; expected 'read-only', "
            "'workspace-write' or 'danger-full-access'");
  in.cli.overrides = {"sandbox_mode"};
  EXPECT_EQ(error(), "-c 'sandbox_mode': expected key=value");
  in.cli.overrides = {"approval_policy=3"};
  EXPECT_EQ(error(),
            "-c 'approval_policy=3': 'approval_policy' must be a string or a table, not "
            "an integer");
  in.cli.overrides = {"sandbox_workspace_write.writable_roots=[\"rel\"]"};
  EXPECT_EQ(error(),
            "-c 'sandbox_workspace_write.writable_roots=[\"rel\"]': "
            "'sandbox_workspace_write.writable_roots' entry 'rel' is not an absolute path; write "
            "it as '/...' (use --add-dir for a directory relative to where you run cordon)");
  in.cli.overrides = {"sandbox_workspace_write.network_access=yes"};
  EXPECT_EQ(error(),
            "-c 'sandbox_workspace_write.network_access=yes': "
            "'sandbox_workspace_write.network_access' must be a boolean, not a string");
  in.cli.overrides = {"a..b=1"};
  EXPECT_THAT(error(), StartsWith("-c 'a..b=1': "));
}

TEST_F(ConfigLoad, MalformedOverrideIsReportedAsSuch) {
  // Overrides are parsed before any layer is applied; a malformed one is reported as such.
  in.cli.overrides = {"=x"};
  EXPECT_THAT(error(), StartsWith("-c '=x': "));
}

// ---------------------------------------------------------------- profiles

TEST_F(ConfigLoad, ProfileSelectedByFlag) {
  user_file(
      "sandbox_mode = \"read-only\"\n"
      "[profiles.dev]\n"
      "sandbox_mode = \"workspace-write\"\n"
      "[profiles.dev.sandbox_workspace_write]\n"
      "network_access = true\n"
      "[profiles.other]\n"
      "sandbox_mode = \"danger-full-access\"\n");
  in.cli.profile = "dev";
  EffectiveConfig c = ok();
  EXPECT_EQ(c.sandbox_mode.value, SandboxMode::WorkspaceWrite);
  EXPECT_TRUE(c.network_access.value);
  ASSERT_TRUE(c.profile.has_value());
  EXPECT_EQ(c.profile->value, "dev");
  EXPECT_EQ(c.profile->origin, "--profile");
}

TEST_F(ConfigLoad, ProfileSettingOriginsNameTheProfileAndPosition) {
  user_file(
      "[profiles.dev]\n"
      "sandbox_mode = \"workspace-write\"\n");
  in.cli.profile = "dev";
  EffectiveConfig c = ok();
  EXPECT_EQ(c.sandbox_mode.origin, "profile 'dev' at " + std::string(kUser) + ":2:16");
}

TEST_F(ConfigLoad, ProfileSelectedByProfileKey) {
  user_file(
      "profile = \"dev\"\n"
      "[profiles.dev]\n"
      "approval_policy = \"never\"\n");
  EffectiveConfig c = ok();
  EXPECT_EQ(c.approval_policy.value.kind, Kind::Never);
  ASSERT_TRUE(c.profile.has_value());
  EXPECT_EQ(c.profile->value, "dev");
  EXPECT_EQ(c.profile->origin, std::string(kUser) + ":1:11");
}

TEST_F(ConfigLoad, ProfileFlagBeatsProfileKey) {
  user_file(
      "profile = \"a\"\n"
      "[profiles.a]\nsandbox_mode = \"danger-full-access\"\n"
      "[profiles.b]\nsandbox_mode = \"workspace-write\"\n");
  in.cli.profile = "b";
  EffectiveConfig c = ok();
  EXPECT_EQ(c.sandbox_mode.value, SandboxMode::WorkspaceWrite);
  EXPECT_EQ(c.profile->value, "b");
}

TEST_F(ConfigLoad, ProfileKeyInHigherLayerWins) {
  system_file(
      "profile = \"a\"\n"
      "[profiles.a]\nsandbox_mode = \"danger-full-access\"\n"
      "[profiles.b]\nsandbox_mode = \"workspace-write\"\n");
  user_file("profile = \"b\"\n");
  EffectiveConfig c = ok();
  EXPECT_EQ(c.sandbox_mode.value, SandboxMode::WorkspaceWrite);
  EXPECT_EQ(c.profile->origin, std::string(kUser) + ":1:11");
  in.cli.overrides = {"profile=a"};
  c = ok();
  EXPECT_EQ(c.sandbox_mode.value, SandboxMode::DangerFullAccess);
  EXPECT_EQ(c.profile->origin, "-c 'profile=a'");
}

TEST_F(ConfigLoad, ProfileSitsBetweenFilesAndOverrides) {
  system_file("[sandbox_workspace_write]\nexclude_slash_tmp = true\n");
  user_file(
      "sandbox_mode = \"read-only\"\n"
      "approval_policy = \"untrusted\"\n"
      "[profiles.p]\n"
      "sandbox_mode = \"workspace-write\"\n"
      "approval_policy = \"never\"\n");
  in.cli.profile = "p";
  in.cli.overrides = {"approval_policy=on-request"};
  EffectiveConfig c = ok();
  EXPECT_EQ(c.sandbox_mode.value, SandboxMode::WorkspaceWrite);  // profile beats the file
  EXPECT_EQ(c.approval_policy.value.kind, Kind::OnRequest);      // -c beats the profile
  EXPECT_EQ(c.approval_policy.origin, "-c 'approval_policy=on-request'");
  EXPECT_TRUE(c.exclude_slash_tmp.value);  // untouched lower layer stays
  in.cli.sandbox_mode = "read-only";       // a flag beats the profile
  EXPECT_EQ(ok().sandbox_mode.value, SandboxMode::ReadOnly);
}

TEST_F(ConfigLoad, ProfileDefinedInBothFilesMergesUserOverSystem) {
  system_file(
      "[profiles.p]\n"
      "sandbox_mode = \"danger-full-access\"\n"
      "approval_policy = \"untrusted\"\n");
  user_file(
      "[profiles.p]\n"
      "sandbox_mode = \"workspace-write\"\n");
  in.cli.profile = "p";
  EffectiveConfig c = ok();
  EXPECT_EQ(c.sandbox_mode.value, SandboxMode::WorkspaceWrite);
  EXPECT_EQ(c.approval_policy.value.kind, Kind::Untrusted);
}

TEST_F(ConfigLoad, ProfileDefinedInAnOverride) {
  in.cli.overrides = {"profiles.ci.sandbox_mode=workspace-write"};
  in.cli.profile = "ci";
  EffectiveConfig c = ok();
  EXPECT_EQ(c.sandbox_mode.value, SandboxMode::WorkspaceWrite);
  EXPECT_THAT(c.sandbox_mode.origin, HasSubstr("-c 'profiles.ci.sandbox_mode=workspace-write'"));
}

TEST_F(ConfigLoad, MissingProfileFromFlagSuggests) {
  user_file(
      "[profiles.develop]\nsandbox_mode = \"workspace-write\"\n"
      "[profiles.review]\nsandbox_mode = \"read-only\"\n");
  in.cli.profile = "devlop";
  EXPECT_EQ(error(),
            "--profile: no profile named 'devlop' (defined: 'develop' or 'review'); did you mean "
            "'develop'?");
}

TEST_F(ConfigLoad, MissingProfileFromKeyHasPosition) {
  user_file("\nprofile = \"reveiw\"\n[profiles.review]\nsandbox_mode = \"read-only\"\n");
  EXPECT_EQ(error(), std::string(kUser) +
                         ":2:11: no profile named 'reveiw' (defined: 'review'); did you mean "
                         "'review'?");
}

TEST_F(ConfigLoad, MissingProfileWithNoProfilesDefined) {
  in.cli.profile = "x";
  EXPECT_EQ(error(), "--profile: no profile named 'x' (no profiles are defined)");
  in.cli.profile.reset();
  in.cli.overrides = {"profile=x"};
  EXPECT_EQ(error(), "-c 'profile=x': no profile named 'x' (no profiles are defined)");
}

TEST_F(ConfigLoad, ErrorsInsideProfilesHavePositions) {
  user_file("[profiles.p]\nsandbox_mode = \"readonly\"\n");
  EXPECT_EQ(error(), std::string(kUser) +
                         ":2:16: unknown sandbox mode 'readonly'; expected 'read-only', "
                         "'workspace-write' or 'danger-full-access'; did you mean 'read-only'?");
  // Every profile is validated, selected or not.
  user_file(
      "[profiles.good]\nsandbox_mode = \"read-only\"\n"
      "[profiles.bad]\napproval_policy = 1\n");
  in.cli.profile = "good";
  EXPECT_EQ(error(), std::string(kUser) +
                         ":4:19: 'profiles.bad.approval_policy' must be a string or a table, not "
                         "an integer");
}

TEST_F(ConfigLoad, ProfileOverrideOfTheWrongTypeIsAnError) {
  in.cli.overrides = {"profile=3"};
  EXPECT_EQ(error(), "-c 'profile=3': 'profile' must be a string, not an integer");
}

TEST_F(ConfigLoad, ProfileWrongTypes) {
  user_file("profile = 3\n");
  EXPECT_EQ(error(), std::string(kUser) + ":1:11: 'profile' must be a string, not an integer");
  user_file("profiles = 3\n");
  EXPECT_EQ(error(),
            std::string(kUser) + ":1:12: 'profiles' must be a table of profiles, not an integer");
  user_file("[profiles]\np = \"x\"\n");
  EXPECT_EQ(error(), std::string(kUser) + ":2:5: 'profiles.p' must be a table, not a string");
}

TEST_F(ConfigLoad, UnknownKeysInsideAProfileWarn) {
  user_file("[profiles.p]\nsandbox_mod = \"read-only\"\nprofile = \"q\"\n");
  EffectiveConfig c = ok();
  EXPECT_THAT(c.warnings,
              UnorderedElementsAre(
                  std::string(kUser) + ":2:15: unknown key 'profiles.p.sandbox_mod'; did you mean "
                                       "'sandbox_mode'?; ignored",
                  std::string(kUser) + ":3:11: unknown key 'profiles.p.profile'; ignored"));
  user_file("[profiles.p]\nsandbox_mod = \"read-only\"\n");
  in.cli.strict_config = true;
  EXPECT_EQ(error(), std::string(kUser) +
                         ":2:15: unknown key 'profiles.p.sandbox_mod'; did you mean "
                         "'sandbox_mode'? (--strict-config)");
}

// The selected profile is validated with the file and applied again as its own layer:
// an unknown key in it must still be reported once, with its position.
TEST_F(ConfigLoad, SelectedProfileWarnsOnlyOnce) {
  user_file("[profiles.p]\nfrobnicate = 1\n");
  in.cli.profile = "p";
  EffectiveConfig c = ok();
  EXPECT_THAT(c.warnings, ElementsAre(std::string(kUser) +
                                      ":2:14: unknown key 'profiles.p.frobnicate'; ignored"));
}

// ---------------------------------------------------------------- -C and --add-dir

TEST_F(ConfigLoad, CdResolvesAgainstTheProcessCwd) {
  in.cli.cd = "sub";
  EXPECT_EQ(ok().workspace, "/home/u/proj/sub");
  in.cli.cd = "../other/";
  EXPECT_EQ(ok().workspace, "/home/u/other");
  in.cli.cd = "/home/u/other";
  EXPECT_EQ(ok().workspace, "/home/u/other");
  in.cli.cd = ".";
  EXPECT_EQ(ok().workspace, "/home/u/proj");
}

TEST_F(ConfigLoad, CdThroughASymlinkKeepsTheGivenPath) {
  fs.add_symlink("/home/u/ln", "proj/sub");
  in.cli.cd = "/home/u/ln";
  EXPECT_EQ(ok().workspace, "/home/u/ln");
}

TEST_F(ConfigLoad, CdErrors) {
  in.cli.cd = "nope";
  EXPECT_EQ(error(), "-C/--cd 'nope': no such directory (/home/u/proj/nope)");
  fs.add_file("/home/u/proj/file.txt", "x");
  in.cli.cd = "file.txt";
  EXPECT_EQ(error(), "-C/--cd 'file.txt': not a directory (/home/u/proj/file.txt)");
  in.cli.cd = "";
  EXPECT_EQ(error(), "-C/--cd: expected a directory, got an empty string");
  fs.add_symlink("/home/u/dangling", "/nowhere");
  in.cli.cd = "/home/u/dangling";
  EXPECT_EQ(error(), "-C/--cd '/home/u/dangling': no such directory (/home/u/dangling)");
}

TEST_F(ConfigLoad, AddDirResolvesAgainstTheProcessCwd) {
  in.cli.add_dirs = {"sub", "../other/", "/data/x/./y", "."};
  in.cli.cd = "/home/u/other";  // -C does not change where --add-dir is resolved
  EffectiveConfig c = ok();
  EXPECT_THAT(c.add_dirs,
              ElementsAre("/home/u/proj/sub", "/home/u/other", "/data/x/y", "/home/u/proj"));
}

TEST_F(ConfigLoad, AddDirEmptyIsAnError) {
  in.cli.add_dirs = {""};
  EXPECT_EQ(error(), "--add-dir: expected a directory, got an empty string");
}

// ---------------------------------------------------------------- default paths

TEST(DefaultUserConfigPath, CordonHomeThenHome) {
  EXPECT_EQ(default_user_config_path("/opt/ch", "/home/u"), "/opt/ch/config.toml");
  EXPECT_EQ(default_user_config_path("/opt/ch/", "/home/u"), "/opt/ch/config.toml");
  EXPECT_EQ(default_user_config_path("", "/home/u"), "/home/u/.cordon/config.toml");
  EXPECT_EQ(default_user_config_path(nullptr, "/home/u"), "/home/u/.cordon/config.toml");
  EXPECT_EQ(default_user_config_path(nullptr, nullptr), "/.cordon/config.toml");
  EXPECT_EQ(default_user_config_path(nullptr, ""), "/.cordon/config.toml");
  EXPECT_STREQ(kSystemConfigPath, "/etc/cordon/config.toml");
}

}  // namespace
}  // namespace cordon::config
