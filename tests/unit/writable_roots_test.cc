// policy::writable_roots and policy::protected_paths over the fake filesystem.
#include "policy/writable_roots.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_filesystem.h"

namespace cordon::policy {
namespace {

using config::EffectiveConfig;
using config::SandboxMode;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using K = ProtectedPath::Kind;

ProtectedPath existing(const std::string& path, const std::string& why) {
  return {path, K::Existing, why};
}
ProtectedPath missing(const std::string& path, const std::string& why) {
  return {path, K::Missing, why};
}
// The three names, all missing, under root.
std::vector<ProtectedPath> all_missing(const std::string& root) {
  return {missing(root + "/.git", ".git"), missing(root + "/.agents", ".agents"),
          missing(root + "/.codex", ".codex")};
}

std::vector<std::string> paths_of(const WritableRootsResult& r) {
  std::vector<std::string> out;
  for (const auto& root : r.roots) out.push_back(root.path);
  return out;
}

class WritableRoots : public ::testing::Test {
 protected:
  WritableRoots() {
    fs.add_dir("/home/u/proj");
    fs.add_dir("/tmp");
    cfg.sandbox_mode.value = SandboxMode::WorkspaceWrite;
    cfg.workspace = "/home/u/proj";
  }

  WritableRootsResult ok(const char* tmpdir = nullptr) {
    auto r = writable_roots(cfg, tmpdir, fs);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : WritableRootsResult{};
  }

  fakes::FakeFileSystem fs;
  EffectiveConfig cfg;
};

// ---------------------------------------------------------------- per mode

TEST_F(WritableRoots, ReadOnlyHasNoWritableRoot) {
  cfg.sandbox_mode.value = SandboxMode::ReadOnly;
  cfg.add_dirs = {"/home/u/proj"};
  cfg.writable_roots.value = {"/tmp"};
  WritableRootsResult r = ok("/tmp");
  EXPECT_THAT(r.roots, IsEmpty());
  EXPECT_THAT(r.warnings, IsEmpty());
}

TEST_F(WritableRoots, DangerFullAccessHasNoWritableRoot) {
  cfg.sandbox_mode.value = SandboxMode::DangerFullAccess;
  WritableRootsResult r = ok("/tmp");
  EXPECT_THAT(r.roots, IsEmpty());
  EXPECT_THAT(r.warnings, IsEmpty());
}

TEST_F(WritableRoots, WorkspaceWriteDefaultsAreWorkspaceAndSlashTmp) {
  WritableRootsResult r = ok();
  ASSERT_EQ(r.roots.size(), 2u);
  EXPECT_EQ(r.roots[0].path, "/tmp");
  EXPECT_EQ(r.roots[0].requested, "/tmp");
  EXPECT_EQ(r.roots[0].source, "/tmp");
  EXPECT_EQ(r.roots[0].protected_paths, all_missing("/tmp"));
  EXPECT_EQ(r.roots[1].path, "/home/u/proj");
  EXPECT_EQ(r.roots[1].requested, "/home/u/proj");
  EXPECT_EQ(r.roots[1].source, "workspace");
  EXPECT_EQ(r.roots[1].protected_paths, all_missing("/home/u/proj"));
  EXPECT_THAT(r.warnings, IsEmpty());
}

TEST_F(WritableRoots, AddDirsAndConfiguredRoots) {
  fs.add_dir("/data/a");
  fs.add_dir("/srv/cache/x");
  cfg.add_dirs = {"/srv/cache/x"};
  cfg.writable_roots.value = {"/data/a"};
  WritableRootsResult r = ok();
  EXPECT_THAT(paths_of(r), ElementsAre("/tmp", "/data/a", "/home/u/proj", "/srv/cache/x"));
  std::vector<std::string> sources;
  for (const auto& root : r.roots) sources.push_back(root.source);
  EXPECT_THAT(sources, ElementsAre("/tmp", "writable_roots", "workspace", "--add-dir"));
}

// ---------------------------------------------------------------- /tmp and $TMPDIR

TEST_F(WritableRoots, ExcludeSlashTmp) {
  cfg.exclude_slash_tmp.value = true;
  EXPECT_THAT(paths_of(ok()), ElementsAre("/home/u/proj"));
}

TEST_F(WritableRoots, TmpdirUnsetOrEmptyAddsNothing) {
  cfg.exclude_slash_tmp.value = true;
  WritableRootsResult r = ok(nullptr);
  EXPECT_THAT(paths_of(r), ElementsAre("/home/u/proj"));
  EXPECT_THAT(r.warnings, IsEmpty());
  r = ok("");
  EXPECT_THAT(paths_of(r), ElementsAre("/home/u/proj"));
  EXPECT_THAT(r.warnings, IsEmpty());
}

TEST_F(WritableRoots, AbsoluteTmpdirIsARoot) {
  fs.add_dir("/var/tmp/u");
  WritableRootsResult r = ok("/var/tmp//u/");
  ASSERT_EQ(r.roots.size(), 3u);
  EXPECT_EQ(r.roots[2].path, "/var/tmp/u");  // depth 3, after /home/u/proj (same depth, later)
  EXPECT_EQ(r.roots[2].requested, "/var/tmp/u");
  EXPECT_EQ(r.roots[2].source, "$TMPDIR");
  EXPECT_EQ(r.roots[2].protected_paths, all_missing("/var/tmp/u"));
}

TEST_F(WritableRoots, RelativeTmpdirWarnsAndIsNotWritable) {
  fs.add_dir("/home/u/proj/tmp");
  fs.set_cwd("/home/u/proj");
  WritableRootsResult r = ok("tmp");
  EXPECT_THAT(paths_of(r), ElementsAre("/tmp", "/home/u/proj"));
  EXPECT_THAT(r.warnings,
              ElementsAre("TMPDIR 'tmp' is not an absolute path; it is not made writable"));
}

TEST_F(WritableRoots, ExcludedTmpdirIsNotARootAndDoesNotWarn) {
  fs.add_dir("/var/tmp/u");
  cfg.exclude_tmpdir_env_var.value = true;
  WritableRootsResult r = ok("/var/tmp/u");
  EXPECT_THAT(paths_of(r), ElementsAre("/tmp", "/home/u/proj"));
  r = ok("relative");
  EXPECT_THAT(r.warnings, IsEmpty());
}

TEST_F(WritableRoots, TmpdirEqualToSlashTmpIsOneRoot) {
  WritableRootsResult r = ok("/tmp");
  EXPECT_THAT(paths_of(r), ElementsAre("/tmp", "/home/u/proj"));
  EXPECT_EQ(r.roots[0].source, "/tmp");
  // With /tmp excluded, $TMPDIR=/tmp still makes it writable (it was asked for).
  cfg.exclude_slash_tmp.value = true;
  r = ok("/tmp");
  ASSERT_EQ(r.roots.size(), 2u);
  EXPECT_EQ(r.roots[0].path, "/tmp");
  EXPECT_EQ(r.roots[0].source, "$TMPDIR");
}

// ---------------------------------------------------------------- missing, not a directory

TEST_F(WritableRoots, MissingRootsAreSkippedWithAWarning) {
  cfg.add_dirs = {"/home/u/gone"};
  cfg.writable_roots.value = {"/data/none"};
  WritableRootsResult r = ok("/var/tmp/none");
  EXPECT_THAT(paths_of(r), ElementsAre("/tmp", "/home/u/proj"));
  EXPECT_THAT(r.warnings,
              ElementsAre("writable root /home/u/gone (--add-dir) does not exist; skipped",
                          "writable root /data/none (writable_roots) does not exist; "
                          "skipped",
                          "writable root /var/tmp/none ($TMPDIR) does not exist; "
                          "skipped"));
}

TEST_F(WritableRoots, MissingWorkspaceAndSlashTmpAreSkippedToo) {
  fakes::FakeFileSystem empty;
  auto r = writable_roots(cfg, nullptr, empty);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->roots, IsEmpty());
  EXPECT_THAT(r->warnings,
              ElementsAre("writable root /home/u/proj (workspace) does not exist; skipped",
                          "writable root /tmp (/tmp) does not exist; skipped"));
}

TEST_F(WritableRoots, DanglingSymlinkRootIsMissing) {
  fs.add_symlink("/home/u/link", "/nowhere");
  cfg.add_dirs = {"/home/u/link"};
  WritableRootsResult r = ok();
  EXPECT_THAT(paths_of(r), ElementsAre("/tmp", "/home/u/proj"));
  EXPECT_THAT(r.warnings,
              ElementsAre("writable root /home/u/link (--add-dir) does not exist; skipped"));
}

TEST_F(WritableRoots, RootThatIsAFileIsSkipped) {
  fs.add_file("/home/u/notes.txt", "x");
  cfg.add_dirs = {"/home/u/notes.txt"};
  WritableRootsResult r = ok();
  EXPECT_THAT(paths_of(r), ElementsAre("/tmp", "/home/u/proj"));
  EXPECT_THAT(r.warnings, ElementsAre("writable root /home/u/notes.txt (--add-dir) is not a "
                                      "directory; skipped"));
}

// ---------------------------------------------------------------- symlinks, dedupe, order

TEST_F(WritableRoots, SymlinkedRootBindsItsRealTarget) {
  fs.add_dir("/data/real");
  fs.add_dir("/data/real/.git");
  fs.add_symlink("/home/u/link", "/data/real");
  cfg.add_dirs = {"/home/u/link"};
  WritableRootsResult r = ok();
  ASSERT_EQ(r.roots.size(), 3u);
  const WritableRoot& root = r.roots[1];  // /data/real has depth 2
  EXPECT_EQ(root.path, "/data/real");
  EXPECT_EQ(root.requested, "/home/u/link");
  EXPECT_EQ(root.source, "--add-dir");
  EXPECT_THAT(root.protected_paths, ElementsAre(existing("/data/real/.git", ".git"),
                                                missing("/data/real/.agents", ".agents"),
                                                missing("/data/real/.codex", ".codex")));
}

TEST_F(WritableRoots, RelativeSymlinkChainRootResolves) {
  fs.add_dir("/home/u/src/actual");
  fs.add_symlink("/home/u/a", "b");
  fs.add_symlink("/home/u/b", "src/../src/actual");
  cfg.writable_roots.value = {"/home/u/a"};
  WritableRootsResult r = ok();
  EXPECT_THAT(paths_of(r), ElementsAre("/tmp", "/home/u/proj", "/home/u/src/actual"));
}

TEST_F(WritableRoots, WorkspaceThroughASymlinkIsCanonical) {
  fs.add_symlink("/ws", "/home/u/proj");
  cfg.workspace = "/ws";
  WritableRootsResult r = ok();
  ASSERT_EQ(r.roots.size(), 2u);
  EXPECT_EQ(r.roots[1].path, "/home/u/proj");
  EXPECT_EQ(r.roots[1].requested, "/ws");
  EXPECT_EQ(r.roots[1].protected_paths, all_missing("/home/u/proj"));
}

TEST_F(WritableRoots, DuplicatesKeepTheFirstSource) {
  fs.add_symlink("/home/u/alias", "proj");
  cfg.add_dirs = {"/home/u/proj", "/home/u/alias"};
  cfg.writable_roots.value = {"/home/u/proj", "/tmp"};
  WritableRootsResult r = ok("/tmp");
  ASSERT_EQ(r.roots.size(), 2u);
  EXPECT_EQ(r.roots[0].path, "/tmp");
  EXPECT_EQ(r.roots[0].source, "writable_roots");
  EXPECT_EQ(r.roots[1].path, "/home/u/proj");
  EXPECT_EQ(r.roots[1].source, "workspace");
  EXPECT_THAT(r.warnings, IsEmpty());
}

TEST_F(WritableRoots, ShallowFirstAndStableWithinADepth) {
  fs.add_dir("/home/u/proj/deep/er");
  fs.add_dir("/zz");
  fs.add_dir("/aa");
  fs.add_dir("/m/n");
  cfg.add_dirs = {"/home/u/proj/deep/er", "/zz", "/m/n", "/aa"};
  WritableRootsResult r = ok();
  EXPECT_THAT(paths_of(r),
              ElementsAre("/zz", "/aa", "/tmp", "/m/n", "/home/u/proj", "/home/u/proj/deep/er"));
}

TEST_F(WritableRoots, NestedRootsEachGetTheirProtectedPaths) {
  fs.add_dir("/home/u/proj/.git");
  fs.add_dir("/home/u/proj/vendor/lib/.git");
  cfg.add_dirs = {"/home/u/proj/vendor/lib"};
  cfg.exclude_slash_tmp.value = true;
  WritableRootsResult r = ok();
  ASSERT_EQ(r.roots.size(), 2u);
  EXPECT_EQ(r.roots[0].protected_paths[0], existing("/home/u/proj/.git", ".git"));
  EXPECT_EQ(r.roots[1].path, "/home/u/proj/vendor/lib");
  EXPECT_EQ(r.roots[1].protected_paths[0], existing("/home/u/proj/vendor/lib/.git", ".git"));
}

// ---------------------------------------------------------------- protected paths

class ProtectedPaths : public ::testing::Test {
 protected:
  ProtectedPaths() { fs.add_dir("/r"); }
  std::vector<ProtectedPath> ok(const std::string& root = "/r") {
    auto r = protected_paths(root, fs);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : std::vector<ProtectedPath>{};
  }
  fakes::FakeFileSystem fs;
};

TEST_F(ProtectedPaths, AllMissing) {
  EXPECT_EQ(ok(), all_missing("/r"));
}

TEST_F(ProtectedPaths, ExistingDirectoriesAndFiles) {
  fs.add_dir("/r/.git/hooks");
  fs.add_file("/r/.agents", "");
  fs.add_dir("/r/.codex");
  EXPECT_THAT(ok(), ElementsAre(existing("/r/.git", ".git"), existing("/r/.agents", ".agents"),
                                existing("/r/.codex", ".codex")));
}

TEST_F(ProtectedPaths, ExistingDotAgentsMissingDotCodex) {
  fs.add_dir("/r/.agents");
  EXPECT_THAT(ok(), ElementsAre(missing("/r/.git", ".git"), existing("/r/.agents", ".agents"),
                                missing("/r/.codex", ".codex")));
}

TEST_F(ProtectedPaths, SpecialFileIsProtectedAsExisting) {
  fs.add_other("/r/.codex");
  EXPECT_EQ(ok()[2], existing("/r/.codex", ".codex"));
}

TEST_F(ProtectedPaths, GitdirPointerAbsolute) {
  fs.add_dir("/home/u/main/.git/worktrees/wt");
  fs.add_file("/r/.git", "gitdir: /home/u/main/.git/worktrees/wt\n");
  EXPECT_THAT(ok(), ElementsAre(existing("/r/.git", ".git"),
                                existing("/home/u/main/.git/worktrees/wt", "gitdir of /r/.git"),
                                missing("/r/.agents", ".agents"), missing("/r/.codex", ".codex")));
}

TEST_F(ProtectedPaths, GitdirPointerRelativeToTheDotGitFile) {
  fs.add_dir("/home/u/main/.git/worktrees/wt");
  fs.add_dir("/home/u/wt");
  fs.add_file("/home/u/wt/.git", "gitdir: ../main/.git/worktrees/wt");
  auto p = ok("/home/u/wt");
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[1], existing("/home/u/main/.git/worktrees/wt", "gitdir of /home/u/wt/.git"));
}

TEST_F(ProtectedPaths, GitdirPointerOfASubmodule) {
  fs.add_dir("/r/.git/modules/lib");
  fs.add_dir("/r/lib");
  fs.add_file("/r/lib/.git", "gitdir: ../.git/modules/lib\n");
  auto p = ok("/r/lib");
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[0], existing("/r/lib/.git", ".git"));
  EXPECT_EQ(p[1], existing("/r/.git/modules/lib", "gitdir of /r/lib/.git"));
}

TEST_F(ProtectedPaths, GitdirPointerWithSpacesAndCrlf) {
  fs.add_dir("/g/repo.git");
  fs.add_file("/r/.git", "  gitdir :   /g/repo.git  \r\n");
  auto p = ok();
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[1].path, "/g/repo.git");
}

TEST_F(ProtectedPaths, GitdirTargetThroughASymlinkIsCanonical) {
  fs.add_dir("/g/real.git");
  fs.add_symlink("/g/link.git", "real.git");
  fs.add_file("/r/.git", "gitdir: /g/link.git\n");
  auto p = ok();
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[1], existing("/g/real.git", "gitdir of /r/.git"));
}

TEST_F(ProtectedPaths, DotGitFileWithoutAPointerIsJustProtected) {
  for (const std::string content :
       {"", "not a pointer\n", "gitdir:\n", "gitdir:    \n", "worktree: /g/x\n", "gitdirx: /g\n"}) {
    fs.add_dir("/g");
    fs.add_file("/r/.git", content);
    EXPECT_EQ(ok(), (std::vector<ProtectedPath>{existing("/r/.git", ".git"),
                                                missing("/r/.agents", ".agents"),
                                                missing("/r/.codex", ".codex")}))
        << content;
  }
}

TEST_F(ProtectedPaths, UnreadableDotGitFileIsStillProtected) {
  fs.add_unreadable_file("/r/.git");
  EXPECT_EQ(ok()[0], existing("/r/.git", ".git"));
}

TEST_F(ProtectedPaths, SymlinkedDotCodexIsAnError) {
  fs.add_dir("/elsewhere");
  fs.add_symlink("/r/.codex", "/elsewhere");
  auto r = protected_paths("/r", fs);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr("cannot protect /r/.codex: it is a symlink inside the "
                                           "writable root /r"));
}

TEST_F(ProtectedPaths, SymlinkedDotGitAndDotAgentsAndDanglingAreErrors) {
  fs.add_symlink("/r/.git", "/elsewhere/.git");  // dangling
  auto r = protected_paths("/r", fs);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr("cannot protect /r/.git: it is a symlink"));

  fakes::FakeFileSystem fs2;
  fs2.add_dir("/r/x");
  fs2.add_symlink("/r/.agents", "x");
  auto r2 = protected_paths("/r", fs2);
  ASSERT_FALSE(r2.ok());
  EXPECT_THAT(r2.error().message, HasSubstr("cannot protect /r/.agents"));
}

TEST_F(WritableRoots, SymlinkedProtectedNameFailsTheWholeComputation) {
  fs.add_dir("/home/u/decoy");
  fs.add_symlink("/home/u/proj/.codex", "/home/u/decoy");
  auto r = writable_roots(cfg, nullptr, fs);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr("/home/u/proj/.codex"));
  EXPECT_THAT(r.error().message, HasSubstr("symlink"));
}

TEST_F(WritableRoots, SymlinkedProtectedNameInReadOnlyModeIsNotAProblem) {
  fs.add_symlink("/home/u/proj/.codex", "/home/u/decoy");
  cfg.sandbox_mode.value = SandboxMode::ReadOnly;
  EXPECT_THAT(ok().roots, IsEmpty());
}

TEST_F(WritableRoots, GitWorktreeWorkspaceProtectsTheMainRepositoryGitdir) {
  fs.add_dir("/home/u/main/.git/worktrees/proj");
  fs.add_file("/home/u/proj/.git", "gitdir: /home/u/main/.git/worktrees/proj\n");
  cfg.exclude_slash_tmp.value = true;
  WritableRootsResult r = ok();
  ASSERT_EQ(r.roots.size(), 1u);
  EXPECT_THAT(r.roots[0].protected_paths, ElementsAre(existing("/home/u/proj/.git", ".git"),
                                                      existing("/home/u/main/.git/worktrees/proj",
                                                               "gitdir of /home/u/proj/.git"),
                                                      missing("/home/u/proj/.agents", ".agents"),
                                                      missing("/home/u/proj/.codex", ".codex")));
}

}  // namespace
}  // namespace cordon::policy
