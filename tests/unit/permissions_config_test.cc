// Permission profiles in the config (issue 4): [permissions.<name>] parsing and validation
// (config/permissions.cc), merging over layers, `extends`, and how load() selects a profile
// with default_permissions (config/load.cc). Every error asserts its exact position.
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/load.h"
#include "config/permissions.h"
#include "fake_filesystem.h"

namespace cordon::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

constexpr const char* kSys = "/etc/cordon/config.toml";
constexpr const char* kUser = "/home/u/.cordon/config.toml";

const char* base_name(FsEntry::Base b) {
  switch (b) {
    case FsEntry::Base::Path:
      return "path";
    case FsEntry::Base::Root:
      return ":root";
    case FsEntry::Base::Minimal:
      return ":minimal";
    case FsEntry::Base::ProjectRoots:
      return ":project_roots";
    case FsEntry::Base::Tmpdir:
      return ":tmpdir";
    case FsEntry::Base::SlashTmp:
      return ":slash_tmp";
  }
  return "?";
}

// "<base> <path> <access> key=<key> @<origin>", one string per entry, for readable failures.
std::vector<std::string> entries(const PermissionProfile& p) {
  std::vector<std::string> out;
  for (const FsEntry& e : p.filesystem) {
    out.push_back(std::string(base_name(e.base)) + " " + e.path + " " + to_string(e.access) +
                  " key=" + e.key + " @" + e.origin);
  }
  return out;
}

class PermissionsConfig : public ::testing::Test {
 protected:
  PermissionsConfig() {
    fs.add_dir("/home/u/proj");
    fs.add_dir("/etc/cordon");
    in.system_config = kSys;
    in.user_config = kUser;
    in.process_cwd = "/home/u/proj";
  }

  void system_file(const std::string& text) { fs.add_file(kSys, text); }
  void user_file(const std::string& text) { fs.add_file(kUser, text); }
  // "<user file>:LINE:COLUMN"
  static std::string at(int line, int column, const char* file = kUser) {
    return std::string(file) + ":" + std::to_string(line) + ":" + std::to_string(column);
  }

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
  // The selected profile's entries (the profile must load).
  std::vector<std::string> loaded_entries() {
    EffectiveConfig c = ok();
    EXPECT_TRUE(c.permissions.has_value());
    return c.permissions ? entries(*c.permissions) : std::vector<std::string>{};
  }

  fakes::FakeFileSystem fs;
  LoadInputs in;
};

// ---------------------------------------------------------------- access values

TEST_F(PermissionsConfig, AccessValuesAndDenyIsNone) {
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.filesystem]\n"
      "\"/a\" = \"read\"\n"
      "\"/b\" = \"write\"\n"
      "\"/c\" = \"none\"\n"
      "\"/d\" = \"deny\"\n");
  EXPECT_THAT(loaded_entries(),
              ElementsAre("path /a read key=/a @" + at(3, 8), "path /b write key=/b @" + at(4, 8),
                          "path /c none key=/c @" + at(5, 8), "path /d none key=/d @" + at(6, 8)));
}

TEST_F(PermissionsConfig, UnknownAccessValueSuggestsTheClosest) {
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.filesystem]\n"
      "\"/a\" = \"wirte\"\n");
  EXPECT_EQ(error(), at(3, 8) +
                         ": 'permissions.p.filesystem.\"/a\"' = \"wirte\": expected \"read\", "
                         "\"write\" or \"none\" (\"deny\" is read as \"none\"); did you mean "
                         "'write'?");
}

TEST_F(PermissionsConfig, UnknownAccessValueFarFromAnyHasNoSuggestion) {
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.filesystem]\n"
      "\"/a\" = \"banana\"\n");
  EXPECT_EQ(error(), at(3, 8) +
                         ": 'permissions.p.filesystem.\"/a\"' = \"banana\": expected \"read\", "
                         "\"write\" or \"none\" (\"deny\" is read as \"none\")");
}

TEST_F(PermissionsConfig, AccessOfTheWrongType) {
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.filesystem]\n"
      "\"/a\" = true\n");
  EXPECT_EQ(error(), at(3, 8) +
                         ": 'permissions.p.filesystem.\"/a\"' must be \"read\", \"write\" or "
                         "\"none\", not a boolean");
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.filesystem]\n"
      "\":root\" = 1\n");
  EXPECT_EQ(error(), at(3, 11) +
                         ": 'permissions.p.filesystem.\":root\"' must be \"read\", \"write\" or "
                         "\"none\", not an integer");
}

// ---------------------------------------------------------------- globs

TEST_F(PermissionsConfig, GlobWithReadIsRefused) {
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.filesystem]\n"
      "\"/ws/*.txt\" = \"read\"\n");
  EXPECT_EQ(error(), at(3, 15) +
                         ": 'permissions.p.filesystem.\"/ws/*.txt\"' = \"read\": a glob can only "
                         "deny reads (\"none\"); for \"read\" or \"write\" name the path, or a "
                         "whole directory as DIR/**");
}

TEST_F(PermissionsConfig, GlobWithWriteIsRefusedForEveryGlobCharacter) {
  for (const char* key : {"/ws/?.txt", "/ws/[ab]", "/ws/**/x", "/ws/a]"}) {
    user_file(std::string("default_permissions = \"p\"\n[permissions.p.filesystem]\n\"") + key +
              "\" = \"write\"\n");
    const int col = static_cast<int>(std::string(key).size()) + 6;
    EXPECT_EQ(error(), at(3, col) + ": 'permissions.p.filesystem.\"" + key +
                           "\"' = \"write\": a glob can only deny reads (\"none\"); for \"read\" "
                           "or \"write\" name the path, or a whole directory as DIR/**")
        << key;
  }
}

TEST_F(PermissionsConfig, GlobWithNoneIsKeptAsAPattern) {
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.filesystem]\n"
      "\"/ws/**/*.env\" = \"none\"\n"
      "\"/ws//keys/./[a-z]*\" = \"deny\"\n");
  EXPECT_THAT(loaded_entries(),
              ElementsAre("path /ws/**/*.env none key=/ws/**/*.env @" + at(3, 18),
                          "path /ws/keys/[a-z]* none key=/ws//keys/./[a-z]* @" + at(4, 24)));
}

TEST_F(PermissionsConfig, TrailingDoubleStarIsAcceptedForReadAndWriteAndStripped) {
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.filesystem]\n"
      "\"/data/**\" = \"read\"\n"
      "\"/out/**\" = \"write\"\n"
      "\"/**\" = \"read\"\n");
  // toml++ keeps the keys in name order.
  EXPECT_THAT(loaded_entries(), ElementsAre("path / read key=/** @" + at(5, 9),
                                            "path /data read key=/data/** @" + at(3, 14),
                                            "path /out write key=/out/** @" + at(4, 13)));
}

TEST_F(PermissionsConfig, TrailingDoubleStarAfterAnotherGlobIsRefused) {
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.filesystem]\n"
      "\"/data/*/**\" = \"read\"\n");
  EXPECT_EQ(error(), at(3, 16) +
                         ": 'permissions.p.filesystem.\"/data/*/**\"' = \"read\": a glob can "
                         "only deny reads (\"none\"); for \"read\" or \"write\" name the path, or "
                         "a whole directory as DIR/**");
}

// ---------------------------------------------------------------- absolute paths

TEST_F(PermissionsConfig, RelativePathAtTheTopLevelIsRefused) {
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.filesystem]\n"
      "\"src\" = \"read\"\n");
  EXPECT_EQ(error(), at(3, 9) +
                         ": 'permissions.p.filesystem.\"src\"': \"src\" is not an absolute path; "
                         "write it as \"/...\", or put paths relative to the project under "
                         "':project_roots'");
  // Checked before the access value.
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.filesystem]\n"
      "\"./x\" = \"bogus\"\n");
  EXPECT_THAT(error(), StartsWith(at(3, 9) + ": 'permissions.p.filesystem.\"./x\"': \"./x\" is "
                                             "not an absolute path"));
}

TEST_F(PermissionsConfig, AbsolutePathsAreNormalisedAndKeepTheKeyAsWritten) {
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.filesystem]\n"
      "\"/a//b/./c/\" = \"read\"\n"
      "\"/x/y/../z\" = \"none\"\n");
  EXPECT_THAT(loaded_entries(), ElementsAre("path /a/b/c read key=/a//b/./c/ @" + at(3, 16),
                                            "path /x/z none key=/x/y/../z @" + at(4, 15)));
}

TEST_F(PermissionsConfig, ASecondKeyForTheSamePathReplacesTheFirst) {
  // toml++ visits keys in name order: "/a" then "/a/": both normalise to "/a".
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.filesystem]\n"
      "\"/a/\" = \"none\"\n"
      "\"/a\" = \"read\"\n");
  EXPECT_THAT(loaded_entries(), ElementsAre("path /a none key=/a/ @" + at(3, 9)));
}

// ---------------------------------------------------------------- :project_roots

TEST_F(PermissionsConfig, ProjectRootsNestedTable) {
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.filesystem]\n"
      "\":project_roots\" = { \".\" = \"write\", \"**/*.env\" = \"none\", \"./docs/\" = "
      "\"read\" }\n");
  EXPECT_THAT(loaded_entries(),
              ElementsAre(":project_roots **/*.env none key=:project_roots/**/*.env @" + at(3, 50),
                          ":project_roots . write key=:project_roots @" + at(3, 28),
                          ":project_roots docs read key=:project_roots/docs @" + at(3, 70)));
}

TEST_F(PermissionsConfig, WorkspaceRootsIsAnAliasOfProjectRoots) {
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.filesystem.\":workspace_roots\"]\n"
      "\".\" = \"write\"\n"
      "\"build/**\" = \"read\"\n");
  EXPECT_THAT(loaded_entries(),
              ElementsAre(":project_roots . write key=:project_roots @" + at(3, 7),
                          ":project_roots build read key=:project_roots/build @" + at(4, 14)));
}

TEST_F(PermissionsConfig, ProjectRootsWithAPlainValueIsTheRootItself) {
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.filesystem]\n"
      "\":project_roots\" = \"write\"\n");
  EXPECT_THAT(loaded_entries(),
              ElementsAre(":project_roots . write key=:project_roots @" + at(3, 20)));
}

TEST_F(PermissionsConfig, DotDotUnderProjectRootsIsRefused) {
  for (const char* rel : {"..", "../x", "a/../../b", "a/..", "a/../b"}) {
    user_file(std::string("default_permissions = \"p\"\n[permissions.p.filesystem]\n"
                          "\":project_roots\" = { \"") +
              rel + "\" = \"read\" }\n");
    const int col = static_cast<int>(std::string(rel).size()) + 27;
    EXPECT_EQ(error(), at(3, col) + ": 'permissions.p.filesystem.\":project_roots\".\"" + rel +
                           "\"': \"" + rel +
                           "\" leaves the project root; name paths outside it as absolute "
                           "paths in [permissions.<name>.filesystem]")
        << rel;
  }
}

TEST_F(PermissionsConfig, NamesThatOnlyStartWithDotsAreNotDotDot) {
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.filesystem.\":project_roots\"]\n"
      "\"..cache\" = \"read\"\n"
      "\"a/...\" = \"none\"\n");
  EXPECT_THAT(loaded_entries(),
              ElementsAre(":project_roots ..cache read key=:project_roots/..cache @" + at(3, 13),
                          ":project_roots a/... none key=:project_roots/a/... @" + at(4, 11)));
}

TEST_F(PermissionsConfig, LeadingSlashOrEmptyUnderProjectRootsIsRefused) {
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.filesystem.\":project_roots\"]\n"
      "\"/etc\" = \"read\"\n");
  EXPECT_EQ(error(), at(3, 10) +
                         ": 'permissions.p.filesystem.\":project_roots\".\"/etc\"': a path under "
                         "':project_roots' is relative to each project root (\".\" is the root "
                         "itself), not \"/etc\"");
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.filesystem.\":project_roots\"]\n"
      "\"\" = \"read\"\n");
  EXPECT_EQ(error(), at(3, 6) +
                         ": 'permissions.p.filesystem.\":project_roots\".\"\"': a path under "
                         "':project_roots' is relative to each project root (\".\" is the root "
                         "itself), not \"\"");
}

TEST_F(PermissionsConfig, GlobUnderProjectRootsOnlyForNone) {
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.filesystem.\":project_roots\"]\n"
      "\"*.log\" = \"write\"\n");
  EXPECT_EQ(error(), at(3, 11) +
                         ": 'permissions.p.filesystem.\":project_roots\".\"*.log\"' = \"write\": a "
                         "glob can only deny reads (\"none\"); for \"read\" or \"write\" name the "
                         "path, or a whole directory as DIR/**");
}

// The project root as a whole directory, written with the trailing "/**" accepted everywhere
// else. BUG (reported to the lead): "./**" normalises to "**", which no longer ends in "/**",
// and is refused as a glob (src/config/permissions.cc, Reader::project_entry()).
TEST_F(PermissionsConfig, ProjectRootItselfAsDotSlashDoubleStar) {
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.filesystem.\":project_roots\"]\n"
      "\"./**\" = \"write\"\n");
  EXPECT_THAT(loaded_entries(),
              ElementsAre(":project_roots . write key=:project_roots @" + at(3, 10)));
}

// ---------------------------------------------------------------- glob_scan_max_depth

TEST_F(PermissionsConfig, GlobScanMaxDepth) {
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.filesystem]\n"
      "glob_scan_max_depth = 3\n");
  EffectiveConfig c = ok();
  ASSERT_TRUE(c.permissions && c.permissions->glob_scan_max_depth);
  EXPECT_EQ(c.permissions->glob_scan_max_depth->value, 3);
  EXPECT_EQ(c.permissions->glob_scan_max_depth->origin, at(3, 23));
  for (int n : {1, 4096}) {
    user_file("default_permissions = \"p\"\n[permissions.p.filesystem]\nglob_scan_max_depth = " +
              std::to_string(n) + "\n");
    c = ok();
    ASSERT_TRUE(c.permissions && c.permissions->glob_scan_max_depth);
    EXPECT_EQ(c.permissions->glob_scan_max_depth->value, n);
  }
}

TEST_F(PermissionsConfig, GlobScanMaxDepthOutOfRange) {
  for (const char* n : {"0", "-1", "5000", "4097"}) {
    user_file(std::string("default_permissions = \"p\"\n[permissions.p.filesystem]\n"
                          "glob_scan_max_depth = ") +
              n + "\n");
    EXPECT_EQ(error(), at(3, 23) +
                           ": 'permissions.p.filesystem.\"glob_scan_max_depth\"' must be at "
                           "least 1 (and at most 4096), not " +
                           n)
        << n;
  }
}

TEST_F(PermissionsConfig, GlobScanMaxDepthMustBeAnInteger) {
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.filesystem]\n"
      "glob_scan_max_depth = \"3\"\n");
  EXPECT_EQ(error(), at(3, 23) +
                         ": 'permissions.p.filesystem.\"glob_scan_max_depth\"' must be a "
                         "positive integer, not a string");
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.filesystem]\n"
      "glob_scan_max_depth = 2.5\n");
  EXPECT_THAT(error(), HasSubstr("must be a positive integer, not a float"));
}

// ---------------------------------------------------------------- special paths

TEST_F(PermissionsConfig, SpecialPaths) {
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.filesystem]\n"
      "\":root\" = \"read\"\n"
      "\":minimal\" = \"read\"\n"
      "\":tmpdir\" = \"write\"\n"
      "\":slash_tmp\" = \"none\"\n");
  // toml++ keeps the keys in name order.
  EXPECT_THAT(loaded_entries(), ElementsAre(":minimal  read key=:minimal @" + at(4, 14),
                                            ":root  read key=:root @" + at(3, 11),
                                            ":slash_tmp  none key=:slash_tmp @" + at(6, 16),
                                            ":tmpdir  write key=:tmpdir @" + at(5, 13)));
}

TEST_F(PermissionsConfig, UnknownSpecialPathDenyingIsAnError) {
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.filesystem]\n"
      "\":tmpdri\" = \"none\"\n");
  EXPECT_EQ(error(), at(3, 13) +
                         ": unknown special path ':tmpdri'; known: ':root', ':minimal', "
                         "':project_roots' (':workspace_roots'), ':tmpdir', ':slash_tmp'; did "
                         "you mean ':tmpdir'?");
}

TEST_F(PermissionsConfig, UnknownSpecialPathGrantingIsAWarning) {
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.filesystem]\n"
      "\":home\" = \"read\"\n"
      "\"/a\" = \"read\"\n");
  EffectiveConfig c = ok();
  EXPECT_THAT(c.warnings,
              ElementsAre(at(3, 11) + ": unknown special path ':home'; known: ':root', "
                                      "':minimal', ':project_roots' (':workspace_roots'), "
                                      "':tmpdir', ':slash_tmp'; ignored"));
  ASSERT_TRUE(c.permissions);
  EXPECT_THAT(entries(*c.permissions), ElementsAre("path /a read key=/a @" + at(4, 8)));
}

TEST_F(PermissionsConfig, UnknownSpecialPathGrantingIsAnErrorWhenStrict) {
  in.cli.strict_config = true;
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.filesystem]\n"
      "\":minimal_paths\" = \"write\"\n");
  EXPECT_EQ(error(), at(3, 20) +
                         ": unknown special path ':minimal_paths'; known: ':root', ':minimal', "
                         "':project_roots' (':workspace_roots'), ':tmpdir', ':slash_tmp'");
}

TEST_F(PermissionsConfig, UnknownSpecialPathWithABadValueIsAnAccessError) {
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.filesystem]\n"
      "\":home\" = \"rad\"\n");
  EXPECT_EQ(error(), at(3, 11) +
                         ": 'permissions.p.filesystem.\":home\"' = \"rad\": expected \"read\", "
                         "\"write\" or \"none\" (\"deny\" is read as \"none\"); did you mean "
                         "'read'?");
}

// ---------------------------------------------------------------- profile tables

TEST_F(PermissionsConfig, UnknownProfileKeyWarnsOrFailsWhenStrict) {
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p]\n"
      "filesytem = {}\n");
  EffectiveConfig c = ok();
  EXPECT_THAT(c.warnings,
              ElementsAre(at(3, 13) + ": unknown key 'permissions.p.filesytem'; did you mean "
                                      "'filesystem'?; ignored"));
  in.cli.strict_config = true;
  EXPECT_EQ(error(), at(3, 13) +
                         ": unknown key 'permissions.p.filesytem'; did you mean 'filesystem'? "
                         "(--strict-config)");
}

TEST_F(PermissionsConfig, ProfileNameStartingWithAColonIsRefused) {
  user_file(
      "default_permissions = \":workspace\"\n"
      "[permissions.\":mine\"]\n"
      "description = \"x\"\n");
  EXPECT_EQ(error(), at(2, 1) +
                         ": 'permissions.:mine': a profile's own name cannot start with ':' "
                         "(those are the built-in profiles :read-only, :workspace, "
                         ":danger-full-access)");
}

TEST_F(PermissionsConfig, EmptyProfileNameIsRefused) {
  user_file(
      "default_permissions = \":workspace\"\n"
      "[permissions.\"\"]\n"
      "description = \"x\"\n");
  EXPECT_EQ(error(), at(2, 1) + ": 'permissions.': a profile's own name cannot be empty");
}

TEST_F(PermissionsConfig, TablesOfTheWrongType) {
  user_file("default_permissions = \"p\"\npermissions = 1\n");
  EXPECT_EQ(error(), at(2, 15) +
                         ": 'permissions' must be a table of profiles ([permissions.<name>]), "
                         "not an integer");
  user_file("default_permissions = \"p\"\n[permissions]\np = \"x\"\n");
  EXPECT_EQ(error(), at(3, 5) + ": 'permissions.p' must be a table, not a string");
  user_file("default_permissions = \"p\"\n[permissions.p]\nfilesystem = []\n");
  EXPECT_EQ(error(), at(3, 14) + ": 'permissions.p.filesystem' must be a table, not an array");
  user_file("default_permissions = \"p\"\n[permissions.p]\nnetwork = true\n");
  EXPECT_EQ(error(), at(3, 11) + ": 'permissions.p.network' must be a table, not a boolean");
  user_file("default_permissions = \"p\"\n[permissions.p]\ndescription = 1\n");
  EXPECT_EQ(error(), at(3, 15) + ": 'permissions.p.description' must be a string, not an integer");
  user_file("default_permissions = \"p\"\n[permissions.p]\nextends = [\"q\"]\n");
  EXPECT_EQ(error(), at(3, 11) +
                         ": 'permissions.p.extends' must be a string (the name of another "
                         "profile), not an array");
}

// ---------------------------------------------------------------- extends

TEST_F(PermissionsConfig, ExtendsChainEndsInABuiltin) {
  user_file(
      "default_permissions = \"a\"\n"
      "[permissions.a]\n"
      "extends = \"b\"\n"
      "filesystem = { \"/secret\" = \"none\" }\n"
      "[permissions.b]\n"
      "extends = \":workspace\"\n"
      "filesystem = { \"/opt\" = \"read\" }\n");
  EffectiveConfig c = ok();
  ASSERT_TRUE(c.permissions);
  EXPECT_THAT(c.permissions->chain, ElementsAre("a", "b", ":workspace"));
  EXPECT_EQ(c.permissions->name, "a");
  EXPECT_EQ(c.permissions->origin, at(1, 23));
  EXPECT_THAT(entries(*c.permissions),
              ElementsAre(":root  read key=:root @built-in profile :workspace",
                          ":project_roots . write key=:project_roots @built-in profile :workspace",
                          ":slash_tmp  write key=:slash_tmp @built-in profile :workspace",
                          ":tmpdir  write key=:tmpdir @built-in profile :workspace",
                          "path /opt read key=/opt @" + at(7, 25),
                          "path /secret none key=/secret @" + at(4, 28)));
  EXPECT_EQ(c.sandbox_mode.value, SandboxMode::WorkspaceWrite);
}

TEST_F(PermissionsConfig, ExtendsReadOnlyGivesTheRootReadable) {
  user_file(
      "default_permissions = \"a\"\n"
      "[permissions.a]\n"
      "extends = \":read-only\"\n");
  EffectiveConfig c = ok();
  ASSERT_TRUE(c.permissions);
  EXPECT_THAT(c.permissions->chain, ElementsAre("a", ":read-only"));
  EXPECT_THAT(entries(*c.permissions),
              ElementsAre(":root  read key=:root @built-in profile :read-only"));
  EXPECT_EQ(c.sandbox_mode.value, SandboxMode::ReadOnly);
}

TEST_F(PermissionsConfig, ExtendsCycleOfTwo) {
  user_file(
      "default_permissions = \"a\"\n"
      "[permissions.a]\n"
      "extends = \"b\"\n"
      "[permissions.b]\n"
      "extends = \"a\"\n");
  EXPECT_EQ(error(), at(5, 11) +
                         ": profile 'b' extends 'a', which is already in its chain (a -> b -> "
                         "a): a cycle");
}

TEST_F(PermissionsConfig, ExtendsCycleOfThree) {
  user_file(
      "default_permissions = \"b\"\n"
      "[permissions.a]\n"
      "extends = \"b\"\n"
      "[permissions.b]\n"
      "extends = \"c\"\n"
      "[permissions.c]\n"
      "extends = \"a\"\n");
  EXPECT_EQ(error(), at(3, 11) +
                         ": profile 'a' extends 'b', which is already in its chain (b -> c -> a "
                         "-> b): a cycle");
}

TEST_F(PermissionsConfig, ExtendsItself) {
  user_file(
      "default_permissions = \"a\"\n"
      "[permissions.a]\n"
      "extends = \"a\"\n");
  EXPECT_EQ(error(), at(3, 11) +
                         ": profile 'a' extends 'a', which is already in its chain (a -> a): a "
                         "cycle");
}

TEST_F(PermissionsConfig, ACycleNotReachedFromTheSelectionIsNotChecked) {
  user_file(
      "default_permissions = \"ok\"\n"
      "[permissions.ok]\n"
      "extends = \":read-only\"\n"
      "[permissions.x]\n"
      "extends = \"y\"\n"
      "[permissions.y]\n"
      "extends = \"x\"\n");
  EXPECT_THAT(ok().permissions->chain, ElementsAre("ok", ":read-only"));
}

TEST_F(PermissionsConfig, ExtendsAnUnknownProfile) {
  user_file(
      "default_permissions = \"a\"\n"
      "[permissions.a]\n"
      "extends = \"bsae\"\n"
      "[permissions.base]\n"
      "description = \"x\"\n");
  EXPECT_EQ(error(), at(3, 11) +
                         ": no permission profile named 'bsae' (defined: 'a', 'base'; built-in: "
                         "':read-only', ':workspace', ':danger-full-access'); did you mean "
                         "'base'?");
}

TEST_F(PermissionsConfig, ExtendsDangerFullAccessIsRefused) {
  user_file(
      "default_permissions = \"a\"\n"
      "[permissions.a]\n"
      "extends = \":danger-full-access\"\n");
  EXPECT_EQ(error(), at(3, 11) +
                         ": profile 'a' cannot extend ':danger-full-access' (it has no sandbox "
                         "to add to)");
}

TEST_F(PermissionsConfig, ExtendsAnUnknownBuiltin) {
  user_file(
      "default_permissions = \"a\"\n"
      "[permissions.a]\n"
      "extends = \":nope\"\n");
  EXPECT_EQ(error(), at(3, 11) +
                         ": unknown built-in profile ':nope'; expected ':read-only' or "
                         "':workspace'");
  user_file(
      "default_permissions = \"a\"\n"
      "[permissions.a]\n"
      "extends = \":workspce\"\n");
  EXPECT_EQ(error(), at(3, 11) +
                         ": unknown built-in profile ':workspce'; expected ':read-only' or "
                         "':workspace'; did you mean ':workspace'?");
}

TEST_F(PermissionsConfig, AChildEntryReplacesItsParentsForTheSamePath) {
  user_file(
      "default_permissions = \"child\"\n"
      "[permissions.child]\n"
      "extends = \"parent\"\n"
      "filesystem = { \"/data/\" = \"none\", \":root\" = \"none\", \":minimal\" = \"read\" }\n"
      "[permissions.parent]\n"
      "extends = \"grand\"\n"
      "filesystem = { \"/data\" = \"write\", \"/logs\" = \"read\" }\n"
      "[permissions.grand]\n"
      "filesystem = { \":root\" = \"read\", \"/data\" = \"read\", \"/etc\" = \"read\" }\n");
  // The grandparent's entries first (in key order), each replaced in place by the nearest
  // descendant that names the same target; new ones appended.
  EXPECT_THAT(loaded_entries(), ElementsAre("path /data none key=/data/ @" + at(4, 27),
                                            "path /etc read key=/etc @" + at(9, 61),
                                            ":root  none key=:root @" + at(4, 45),
                                            "path /logs read key=/logs @" + at(7, 45),
                                            ":minimal  read key=:minimal @" + at(4, 66)));
}

TEST(ResolveProfile, UnknownSelectionWithoutAnyProfile) {
  auto r = resolve_profile("ws", "here:1:2", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "here:1:2: no permission profile named 'ws' (no [permissions.<name>] profiles are "
            "defined)");
}

TEST(ResolveProfile, ProjectRootsAndNetworkOfTheChainMerge) {
  ProfileDefs defs;
  defs["a"].name = "a";
  defs["a"].extends = Setting<std::string>{"b", "a.toml:1:1"};
  defs["a"].project_roots = {{"/r2", "a.toml:2:1"}, {"/r1", "a.toml:3:1"}};
  defs["a"].network_enabled = Setting<bool>{false, "a.toml:4:1"};
  defs["b"].name = "b";
  defs["b"].project_roots = {{"/r1", "b.toml:1:1"}, {"/r3", "b.toml:2:1"}};
  defs["b"].network_enabled = Setting<bool>{true, "b.toml:3:1"};
  defs["b"].glob_scan_max_depth = Setting<int>{7, "b.toml:4:1"};
  auto r = resolve_profile("a", "sel", defs);
  ASSERT_TRUE(r.ok()) << r.error().message;
  std::vector<std::string> roots;
  for (const auto& s : r->project_roots) roots.push_back(s.value + "@" + s.origin);
  EXPECT_THAT(roots, ElementsAre("/r3@b.toml:2:1", "/r2@a.toml:2:1", "/r1@a.toml:3:1"));
  ASSERT_TRUE(r->network_enabled);
  EXPECT_FALSE(r->network_enabled->value);
  ASSERT_TRUE(r->glob_scan_max_depth);
  EXPECT_EQ(r->glob_scan_max_depth->value, 7);
  EXPECT_THAT(r->chain, ElementsAre("a", "b"));
}

// ---------------------------------------------------------------- default_permissions

TEST_F(PermissionsConfig, UnknownDefaultPermissionsListsTheDefinedNames) {
  user_file(
      "default_permissions = \"wrk\"\n"
      "[permissions.work]\n"
      "description = \"w\"\n"
      "[permissions.ro]\n"
      "description = \"r\"\n");
  EXPECT_EQ(error(), at(1, 23) +
                         ": no permission profile named 'wrk' (defined: 'ro', 'work'; built-in: "
                         "':read-only', ':workspace', ':danger-full-access'); did you mean "
                         "'work'?");
}

TEST_F(PermissionsConfig, UnknownDefaultPermissionsWithoutAnyProfile) {
  user_file("default_permissions = \"workspace\"\n");
  EXPECT_EQ(error(), at(1, 23) +
                         ": no permission profile named 'workspace' (no [permissions.<name>] "
                         "profiles are defined)");
}

TEST_F(PermissionsConfig, UnknownBuiltinDefaultPermissions) {
  user_file("default_permissions = \":read_only\"\n");
  EXPECT_EQ(error(), at(1, 23) +
                         ": unknown built-in profile ':read_only'; expected ':read-only', "
                         "':workspace' or ':danger-full-access'; did you mean ':read-only'?");
}

TEST_F(PermissionsConfig, DefaultPermissionsMustBeAString) {
  user_file("default_permissions = 1\n");
  EXPECT_EQ(error(), at(1, 23) + ": 'default_permissions' must be a string, not an integer");
}

TEST_F(PermissionsConfig, BuiltinDefaultPermissionsSelectTheSandboxMode) {
  const std::pair<const char*, SandboxMode> cases[] = {
      {":read-only", SandboxMode::ReadOnly},
      {":workspace", SandboxMode::WorkspaceWrite},
      {":danger-full-access", SandboxMode::DangerFullAccess}};
  for (const auto& [name, mode] : cases) {
    user_file(std::string("\ndefault_permissions = \"") + name + "\"\n");
    EffectiveConfig c = ok();
    EXPECT_EQ(c.sandbox_mode.value, mode) << name;
    EXPECT_EQ(c.sandbox_mode.origin,
              std::string("default_permissions = \"") + name + "\" (" + at(2, 23) + ")");
    EXPECT_FALSE(c.permissions.has_value()) << name;
  }
}

TEST_F(PermissionsConfig, ProfileSelectsWorkspaceWriteOnlyWhenItWrites) {
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.filesystem]\n"
      "\":root\" = \"read\"\n"
      "\"/secret\" = \"none\"\n");
  EffectiveConfig c = ok();
  EXPECT_EQ(c.sandbox_mode.value, SandboxMode::ReadOnly);
  EXPECT_EQ(c.sandbox_mode.origin, "default_permissions = \"p\" (" + at(1, 23) + ")");
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.filesystem]\n"
      "\":root\" = \"read\"\n"
      "\":tmpdir\" = \"write\"\n");
  c = ok();
  EXPECT_EQ(c.sandbox_mode.value, SandboxMode::WorkspaceWrite);
  ASSERT_TRUE(c.permissions);
  EXPECT_EQ(c.permissions->origin, at(1, 23));
}

TEST_F(PermissionsConfig, SandboxModeAndDefaultPermissionsInOneLayerConflict) {
  user_file(
      "sandbox_mode = \"workspace-write\"\n"
      "default_permissions = \":workspace\"\n");
  EXPECT_EQ(error(), at(2, 23) + ": 'default_permissions' and 'sandbox_mode' (at " + at(1, 16) +
                         ") are both set here; they choose the sandbox in two different ways. "
                         "Keep one.");
}

TEST_F(PermissionsConfig, SandboxModeAndDefaultPermissionsInOneConfigProfileConflict) {
  user_file(
      "[profiles.x]\n"
      "default_permissions = \":workspace\"\n"
      "sandbox_mode = \"read-only\"\n");
  in.cli.profile = "x";
  EXPECT_EQ(error(), at(2, 23) + ": 'default_permissions' and 'sandbox_mode' (at " + at(3, 16) +
                         ") are both set here; they choose the sandbox in two different ways. "
                         "Keep one.");
}

TEST_F(PermissionsConfig, BuiltinInAFileThenSandboxModeOverride) {
  user_file("default_permissions = \":read-only\"\n");
  in.cli.overrides = {"sandbox_mode=\"workspace-write\""};
  EffectiveConfig c = ok();
  EXPECT_EQ(c.sandbox_mode.value, SandboxMode::WorkspaceWrite);
  EXPECT_EQ(c.sandbox_mode.origin, "-c 'sandbox_mode=\"workspace-write\"'");
}

// The file selects a profile it defines; a higher layer picks a legacy sandbox mode, which
// wins (the [permissions] table was selected once, so it is not "defined but unselected").
TEST_F(PermissionsConfig, ProfileInAFileThenSandboxModeOverrideIsLegacy) {
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.filesystem]\n"
      "\":root\" = \"read\"\n");
  in.cli.overrides = {"sandbox_mode=\"workspace-write\""};
  EffectiveConfig c = ok();
  EXPECT_EQ(c.sandbox_mode.value, SandboxMode::WorkspaceWrite);
  EXPECT_EQ(c.sandbox_mode.origin, "-c 'sandbox_mode=\"workspace-write\"'");
  EXPECT_FALSE(c.permissions.has_value());
}

TEST_F(PermissionsConfig, ProfileInTheSystemFileThenSandboxModeInTheUserFileIsLegacy) {
  system_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.filesystem]\n"
      "\":root\" = \"read\"\n");
  user_file("sandbox_mode = \"read-only\"\n");
  EffectiveConfig c = ok();
  EXPECT_EQ(c.sandbox_mode.value, SandboxMode::ReadOnly);
  EXPECT_EQ(c.sandbox_mode.origin, at(1, 16));
  EXPECT_FALSE(c.permissions.has_value());
}

TEST_F(PermissionsConfig, FullAutoAfterAProfileIsLegacy) {
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.filesystem]\n"
      "\":root\" = \"read\"\n");
  in.cli.full_auto = true;
  EffectiveConfig c = ok();
  EXPECT_EQ(c.sandbox_mode.value, SandboxMode::WorkspaceWrite);
  EXPECT_EQ(c.sandbox_mode.origin, "--full-auto");
  EXPECT_FALSE(c.permissions.has_value());
}

TEST_F(PermissionsConfig, SandboxModeInAFileThenDefaultPermissionsOverride) {
  user_file(
      "sandbox_mode = \"danger-full-access\"\n"
      "[permissions.p.filesystem]\n"
      "\":root\" = \"read\"\n"
      "\"/w\" = \"write\"\n");
  in.cli.overrides = {"default_permissions=\"p\""};
  EffectiveConfig c = ok();
  EXPECT_EQ(c.sandbox_mode.value, SandboxMode::WorkspaceWrite);
  EXPECT_EQ(c.sandbox_mode.origin, "default_permissions = \"p\" (-c 'default_permissions=\"p\"')");
  ASSERT_TRUE(c.permissions);
  EXPECT_EQ(c.permissions->origin, "-c 'default_permissions=\"p\"'");
}

TEST_F(PermissionsConfig, PermissionsProfileFlagWins) {
  user_file(
      "default_permissions = \"a\"\n"
      "[permissions.a.filesystem]\n"
      "\":root\" = \"read\"\n"
      "[permissions.b.filesystem]\n"
      "\":root\" = \"read\"\n"
      "\"/w\" = \"write\"\n");
  in.cli.overrides = {"default_permissions=\":read-only\""};
  in.cli.sandbox_mode = "read-only";
  in.cli.permissions_profile = "b";
  EffectiveConfig c = ok();
  ASSERT_TRUE(c.permissions);
  EXPECT_EQ(c.permissions->name, "b");
  EXPECT_EQ(c.permissions->origin, "--permissions-profile");
  EXPECT_EQ(c.sandbox_mode.value, SandboxMode::WorkspaceWrite);
  EXPECT_EQ(c.sandbox_mode.origin, "default_permissions = \"b\" (--permissions-profile)");
}

TEST_F(PermissionsConfig, PermissionsProfileFlagWithABuiltinOrAnUnknownName) {
  in.cli.permissions_profile = ":read-only";
  in.cli.full_auto = true;
  EffectiveConfig c = ok();
  EXPECT_EQ(c.sandbox_mode.value, SandboxMode::ReadOnly);
  EXPECT_EQ(c.sandbox_mode.origin, "default_permissions = \":read-only\" (--permissions-profile)");
  in.cli.permissions_profile = "nope";
  EXPECT_EQ(error(),
            "--permissions-profile: no permission profile named 'nope' (no [permissions.<name>] "
            "profiles are defined)");
}

TEST_F(PermissionsConfig, PermissionsWithoutDefaultPermissionsIsAnError) {
  user_file(
      "sandbox_mode = \"read-only\"\n"
      "\n"
      "[permissions.p.filesystem]\n"
      "\":root\" = \"read\"\n");
  const std::string e = error();
  EXPECT_THAT(e, StartsWith(std::string(kUser) + ":"));
  EXPECT_THAT(e, HasSubstr(": [permissions] profiles are defined but no 'default_permissions' "
                           "selects one; add default_permissions = \"<name>\" (or remove them)"));
  user_file("permissions = { p = { filesystem = { \":root\" = \"read\" } } }\n");
  EXPECT_EQ(error(), at(1, 15) +
                         ": [permissions] profiles are defined but no 'default_permissions' "
                         "selects one; add default_permissions = \"<name>\" (or remove them)");
}

TEST_F(PermissionsConfig, PermissionsInsideAConfigProfileIsRefused) {
  user_file(
      "[profiles.x]\n"
      "sandbox_mode = \"read-only\"\n"
      "[profiles.x.permissions.p]\n"
      "description = \"d\"\n");
  EXPECT_THAT(error(), StartsWith(std::string(kUser) + ":"));
  EXPECT_THAT(error(), HasSubstr(": 'profiles.x.permissions': permission profiles are defined at "
                                 "the top level ([permissions.<name>]); a config profile can "
                                 "select one with default_permissions"));
  user_file("[profiles.x]\npermissions = 1\n");
  EXPECT_EQ(error(), at(2, 15) +
                         ": 'profiles.x.permissions': permission profiles are defined at the top "
                         "level ([permissions.<name>]); a config profile can select one with "
                         "default_permissions");
}

TEST_F(PermissionsConfig, DefaultPermissionsInsideAConfigProfileSelects) {
  user_file(
      "[profiles.safe]\n"
      "default_permissions = \"locked\"\n"
      "[permissions.locked.filesystem]\n"
      "\":minimal\" = \"read\"\n");
  in.cli.profile = "safe";
  EffectiveConfig c = ok();
  ASSERT_TRUE(c.permissions);
  EXPECT_EQ(c.permissions->name, "locked");
  EXPECT_EQ(c.permissions->origin, "profile 'safe' at " + at(2, 23));
  EXPECT_EQ(c.sandbox_mode.value, SandboxMode::ReadOnly);
  EXPECT_THAT(c.warnings, IsEmpty());
}

TEST_F(PermissionsConfig, TwoLayersDefiningOneProfileMergeKeyByKey) {
  system_file(
      "[permissions.p]\n"
      "description = \"from the system\"\n"
      "[permissions.p.filesystem]\n"
      "\"/a\" = \"read\"\n"
      "\"/b\" = \"none\"\n"
      "glob_scan_max_depth = 2\n"
      "[permissions.p.network]\n"
      "enabled = true\n");
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.filesystem]\n"
      "\"/a\" = \"write\"\n"
      "\"/c\" = \"read\"\n");
  EffectiveConfig c = ok();
  ASSERT_TRUE(c.permissions);
  EXPECT_THAT(entries(*c.permissions), ElementsAre("path /a write key=/a @" + at(3, 8),
                                                   "path /b none key=/b @" + at(5, 8, kSys),
                                                   "path /c read key=/c @" + at(4, 8)));
  ASSERT_TRUE(c.permissions->glob_scan_max_depth);
  EXPECT_EQ(c.permissions->glob_scan_max_depth->origin, at(6, 23, kSys));
  EXPECT_TRUE(c.network_access.value);
  EXPECT_EQ(c.network_access.origin, at(8, 11, kSys));
  EXPECT_EQ(c.sandbox_mode.value, SandboxMode::WorkspaceWrite);
}

// ---------------------------------------------------------------- network

TEST_F(PermissionsConfig, NetworkEnabledSetsNetworkAccess) {
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.filesystem]\n"
      "\":root\" = \"read\"\n"
      "[permissions.p.network]\n"
      "enabled = true\n");
  EffectiveConfig c = ok();
  EXPECT_TRUE(c.network_access.value);
  EXPECT_EQ(c.network_access.origin, at(5, 11));
}

TEST_F(PermissionsConfig, ProfileWithoutNetworkHasTheNetworkOff) {
  user_file(
      "default_permissions = \"p\"\n"
      "[sandbox_workspace_write]\n"
      "network_access = true\n"
      "[permissions.p.filesystem]\n"
      "\":root\" = \"read\"\n");
  EffectiveConfig c = ok();
  EXPECT_FALSE(c.network_access.value);
  EXPECT_EQ(c.network_access.origin, "default_permissions = \"p\" (" + at(1, 23) + ")");
}

TEST_F(PermissionsConfig, NetworkDomainsWithTheNetworkOnAreRefused) {
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.network]\n"
      "enabled = true\n"
      "domains = { \"example.com\" = \"allow\" }\n");
  EXPECT_EQ(error(), at(4, 11) +
                         ": permission profile 'p' lists network domains, but only a network "
                         "proxy can filter by domain and this version of cordon has none: the "
                         "network would be open to every host. Remove the domains, or set "
                         "network.enabled = false.");
}

TEST_F(PermissionsConfig, NetworkDomainsWithTheNetworkOffOrEmptyAreAccepted) {
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.network]\n"
      "enabled = false\n"
      "domains = { \"example.com\" = \"allow\", \"evil.com\" = \"deny\" }\n");
  EXPECT_FALSE(ok().network_access.value);
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.network]\n"
      "domains = { \"example.com\" = \"allow\" }\n");
  EXPECT_FALSE(ok().network_access.value);
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.network]\n"
      "enabled = true\n"
      "domains = {}\n");
  EXPECT_TRUE(ok().network_access.value);
}

TEST_F(PermissionsConfig, NetworkDomainsInheritedFromAParentAreRefusedToo) {
  user_file(
      "default_permissions = \"child\"\n"
      "[permissions.child]\n"
      "extends = \"base\"\n"
      "network = { enabled = true }\n"
      "[permissions.base]\n"
      "network = { domains = { \"a.org\" = \"allow\" } }\n");
  EXPECT_THAT(error(), StartsWith(at(6, 23) + ": permission profile 'child' lists network "
                                              "domains"));
}

TEST_F(PermissionsConfig, NetworkTableValues) {
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.network]\n"
      "domains = { \"example.com\" = \"alow\" }\n");
  EXPECT_EQ(error(), at(3, 29) +
                         ": 'permissions.p.network.domains.\"example.com\"' = \"alow\": expected "
                         "\"allow\" or \"deny\"; did you mean 'allow'?");
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.network]\n"
      "mode = \"partial\"\n");
  EXPECT_EQ(error(), at(3, 8) +
                         ": 'permissions.p.network.mode' = \"partial\": expected \"limited\" or "
                         "\"full\"");
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.network]\n"
      "enable_socks5 = \"yes\"\n");
  EXPECT_EQ(error(),
            at(3, 17) + ": 'permissions.p.network.enable_socks5' must be a boolean, not a string");
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.network]\n"
      "enabeld = true\n");
  EXPECT_THAT(ok().warnings,
              ElementsAre(at(3, 11) + ": unknown key 'permissions.p.network.enabeld'; did you "
                                      "mean 'enabled'?; ignored"));
}

TEST_F(PermissionsConfig, NetworkValuesOfTheWrongType) {
  const std::pair<const char*, const char*> cases[] = {
      {"domains = 1", ": 'permissions.p.network.domains' must be a table, not an integer"},
      {"domains = { \"a.org\" = true }",
       ": 'permissions.p.network.domains.\"a.org\"' must be \"allow\" or \"deny\", not a "
       "boolean"},
      {"unix_sockets = []", ": 'permissions.p.network.unix_sockets' must be a table, not an array"},
      {"proxy_url = 8080", ": 'permissions.p.network.proxy_url' must be a string, not an integer"},
      {"mitm = \"yes\"", ": 'permissions.p.network.mitm' must be a table, not a string"},
  };
  for (const auto& [line, msg] : cases) {
    user_file(std::string("default_permissions = \"p\"\n[permissions.p.network]\n") + line + "\n");
    const std::string e = error();
    EXPECT_THAT(e, StartsWith(std::string(kUser) + ":3:")) << line;
    EXPECT_THAT(e, HasSubstr(msg)) << line;
  }
}

TEST_F(PermissionsConfig, ProfilesFromOverridesNameTheOverride) {
  in.cli.overrides = {"permissions.p.filesystem={\":root\"=\"read\",\"/w\"=\"write\"}",
                      "default_permissions=\"p\""};
  EffectiveConfig c = ok();
  ASSERT_TRUE(c.permissions);
  EXPECT_THAT(entries(*c.permissions),
              ElementsAre("path /w write key=/w @-c '" + in.cli.overrides[0] + "'",
                          ":root  read key=:root @-c '" + in.cli.overrides[0] + "'"));
  in.cli.overrides = {"permissions.p.filesystem.\"/w\"=\"rwx\"", "default_permissions=\"p\""};
  EXPECT_EQ(error(), "-c '" + in.cli.overrides[0] +
                         "': 'permissions.p.filesystem.\"/w\"' = \"rwx\": expected \"read\", "
                         "\"write\" or \"none\" (\"deny\" is read as \"none\")");
}

TEST_F(PermissionsConfig, UnixSocketsMustBeAbsolutePaths) {
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.network.unix_sockets]\n"
      "\"/run/docker.sock\" = \"allow\"\n"
      "\"docker.sock\" = \"deny\"\n");
  EXPECT_EQ(error(), at(4, 17) +
                         ": 'permissions.p.network.unix_sockets.\"docker.sock\"': a Unix socket is "
                         "named by its absolute path");
}

// ---------------------------------------------------------------- workspace_roots

TEST_F(PermissionsConfig, WorkspaceRootsTrueAddsFalseRemoves) {
  system_file(
      "[permissions.p.workspace_roots]\n"
      "\"/srv/a\" = true\n"
      "\"/srv/b/\" = true\n");
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.workspace_roots]\n"
      "\"/srv/b\" = false\n"
      "\"/srv/c\" = true\n"
      "\"/srv/d\" = false\n");
  EffectiveConfig c = ok();
  ASSERT_TRUE(c.permissions);
  std::vector<std::string> roots;
  for (const auto& r : c.permissions->project_roots) roots.push_back(r.value + "@" + r.origin);
  EXPECT_THAT(roots, ElementsAre("/srv/a@" + at(2, 12, kSys), "/srv/c@" + at(4, 12)));
}

TEST_F(PermissionsConfig, WorkspaceRootsMustBeAbsoluteAndBooleans) {
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.workspace_roots]\n"
      "\"srv/a\" = true\n");
  EXPECT_EQ(error(), at(3, 11) +
                         ": 'permissions.p.workspace_roots.\"srv/a\"': a project root is an "
                         "absolute path, not \"srv/a\"");
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p.workspace_roots]\n"
      "\"/srv/a\" = \"yes\"\n");
  EXPECT_EQ(
      error(),
      at(3, 12) + ": 'permissions.p.workspace_roots.\"/srv/a\"' must be a boolean, not a string");
  user_file(
      "default_permissions = \"p\"\n"
      "[permissions.p]\n"
      "workspace_roots = [\"/srv/a\"]\n");
  EXPECT_EQ(error(), at(3, 19) +
                         ": 'permissions.p.workspace_roots' must be a table of absolute paths = "
                         "true/false, not an array");
}

}  // namespace
}  // namespace cordon::config
