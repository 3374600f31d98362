// e2e: the filesystem boundary, in each mode. Every effect is checked on the host after
// cordon has exited.
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <filesystem>

#include "harness.h"

namespace e2e {
namespace {

using ::testing::Values;

class Filesystem : public ModeTest {
 protected:
  // Writes one line into `path` with the probe; checks the probe's report and, on the host,
  // that the file exists (and holds the line) exactly when the write was allowed.
  void expect_write(const std::string& path, bool allowed, const char* errno_name,
                    const RunOptions& opts = {}) {
    const bool existed = exists(path);
    const std::string before = existed ? read_file(path) : "";
    auto r = probe(mode(), {"write", path}, opts);
    expect_probe(r, allowed, errno_name, "write " + path);
    expect_warning(r);
    if (allowed) {
      EXPECT_EQ(read_file(path), before + "written by e2e_probe\n")
          << path << " should have been written";
    } else if (existed) {
      EXPECT_EQ(read_file(path), before) << path << " changed on the host";
    } else {
      EXPECT_FALSE(exists(path)) << path << " was created on the host";
    }
  }

  bool full() const { return mode() == Mode::DangerFullAccess; }
  // Whether the metadata of the user's own files outside the writable roots can be changed:
  // without a sandbox, and under Landlock, which has no right for chmod, utime or setxattr
  // (cordon says so in its warning line).
  bool metadata_open() const { return full() || landlock(); }
  void expect_metadata_warning(const RunResult& r) const {
    if (!landlock() || full()) return;
    EXPECT_NE(r.err.find("permissions, timestamps and extended attributes"), std::string::npos)
        << r.describe();
  }
  // Whether the protected paths of the workspace can be written (see protected_writable).
  bool prot() const { return protected_writable(mode()); }

  // The Landlock warning: once when the workspace is writable under Landlock, else never.
  void expect_warning(const RunResult& r) const {
    EXPECT_EQ(landlock_warnings(r.err), expected_landlock_warnings(mode())) << r.describe();
  }

  // For commands that create a missing protected name (allowed under Landlock).
  static RunOptions creating() {
    RunOptions o;
    o.creates_protected = true;
    return o;
  }

  // ws/.git as a `gitdir:` pointer file to `target` (created as a git directory).
  void make_gitdir_pointer(const std::string& pointer_text, const std::string& target) {
    std::error_code ec;
    std::filesystem::remove_all(join(ws_, ".git"), ec);
    make_dir(join(target, "hooks"));
    write_file(join(target, "HEAD"), "ref: refs/heads/main\n");
    write_file(join(ws_, ".git"), pointer_text);
  }
};

TEST_P(Filesystem, WriteInWorkspace) {
  expect_write(join(ws_, "new-file"), workspace_writable(mode()), denied_errno());
}

TEST_P(Filesystem, AppendToExistingFileInWorkspace) {
  expect_write(join(ws_, "README"), workspace_writable(mode()), denied_errno());
}

TEST_P(Filesystem, MakeDirectoryInWorkspace) {
  const std::string d = join(ws_, "new-dir");
  auto r = probe(mode(), {"mkdir", d});
  expect_probe(r, workspace_writable(mode()), denied_errno(), "mkdir " + d);
  EXPECT_EQ(exists(d), workspace_writable(mode()));
}

TEST_P(Filesystem, WriteGitHooks) {
  expect_write(join(ws_, ".git/hooks/pre-commit"), prot(), denied_errno());
}

TEST_P(Filesystem, AppendToGitConfig) {
  expect_write(join(ws_, ".git/config"), prot(), denied_errno());
}

TEST_P(Filesystem, CreateFileInGitDir) {
  expect_write(join(ws_, ".git/new-file"), prot(), denied_errno());
}

TEST_P(Filesystem, RemoveGitDir) {
  auto r = sh(mode(), "rm -rf .git");
  expect_warning(r);
  EXPECT_EQ(exists(join(ws_, ".git/config")), !prot()) << r.describe();
  EXPECT_EQ(exists(join(ws_, ".git/HEAD")), !prot()) << r.describe();
}

TEST_P(Filesystem, RenameGitDirAway) {
  auto r = sh(mode(), "mv .git git-moved");
  expect_warning(r);
  EXPECT_EQ(exists(join(ws_, ".git/config")), !prot()) << r.describe();
  EXPECT_EQ(exists(join(ws_, "git-moved")), prot()) << r.describe();
}

// A hard link made inside the workspace to a protected file, then written through.
TEST_P(Filesystem, HardLinkGitConfigThenWrite) {
  auto r =
      sh(mode(), "ln .git/config gitconfig-link && echo '[core] hooksPath = x' >> gitconfig-link");
  expect_warning(r);
  EXPECT_EQ(r.status() == 0, prot()) << r.describe();
  EXPECT_EQ(read_file(join(ws_, ".git/config")).find("hooksPath") != std::string::npos, prot());
}

// A symlink planted in the workspace that points into the protected .git.
TEST_P(Filesystem, SymlinkIntoGitDirThenWrite) {
  auto r = sh(mode(), "ln -s .git/hooks hooks-link && echo evil > hooks-link/pre-commit");
  expect_warning(r);
  EXPECT_EQ(r.status() == 0, prot()) << r.describe();
  EXPECT_EQ(exists(join(ws_, ".git/hooks/pre-commit")), prot());
}

TEST_P(Filesystem, WriteInExistingCodexDir) {
  make_dir(join(ws_, ".codex"));
  expect_write(join(ws_, ".codex/config.toml"), prot(), denied_errno());
}

TEST_P(Filesystem, WriteInExistingAgentsDir) {
  make_dir(join(ws_, ".agents"));
  expect_write(join(ws_, ".agents/AGENTS.md"), prot(), denied_errno());
}

// mkdir + write of a missing protected directory; nothing may be left on the host. Under
// Landlock in workspace-write the directory is really created (by design, with the warning).
TEST_P(Filesystem, CreateMissingCodex) {
  auto r = sh(mode(), "mkdir .codex && echo x > .codex/config.toml", creating());
  expect_warning(r);
  EXPECT_EQ(r.status() == 0, prot()) << r.describe();
  EXPECT_EQ(exists(join(ws_, ".codex/config.toml")), prot());
  EXPECT_EQ(exists(join(ws_, ".codex")), prot()) << "a stub .codex was left in the workspace";
}

TEST_P(Filesystem, CreateMissingAgents) {
  auto r = sh(mode(), "mkdir .agents && echo x > .agents/AGENTS.md", creating());
  expect_warning(r);
  EXPECT_EQ(r.status() == 0, prot()) << r.describe();
  EXPECT_EQ(exists(join(ws_, ".agents/AGENTS.md")), prot());
  EXPECT_EQ(exists(join(ws_, ".agents")), prot()) << "a stub .agents was left in the workspace";
}

TEST_P(Filesystem, CreateMissingGit) {
  std::error_code ec;
  std::filesystem::remove_all(join(ws_, ".git"), ec);
  auto r = sh(mode(), "mkdir -p .git/hooks && echo x > .git/hooks/pre-commit", creating());
  expect_warning(r);
  EXPECT_EQ(r.status() == 0, prot()) << r.describe();
  EXPECT_EQ(exists(join(ws_, ".git/hooks/pre-commit")), prot());
  EXPECT_EQ(exists(join(ws_, ".git")), prot()) << "a stub .git was left in the workspace";
}

TEST_P(Filesystem, CreateMissingGitAsFile) {
  std::error_code ec;
  std::filesystem::remove_all(join(ws_, ".git"), ec);
  const std::string target = join(ws_, "evil-gitdir");
  auto r = sh(mode(), "echo 'gitdir: " + target + "' > .git", creating());
  expect_warning(r);
  EXPECT_EQ(r.status() == 0, prot()) << r.describe();
  EXPECT_EQ(exists(join(ws_, ".git")), prot());
}

TEST_P(Filesystem, WriteGitdirTargetAbsolute) {
  const std::string target = join(ws_, "gitdata");
  make_gitdir_pointer("gitdir: " + target + "\n", target);
  expect_write(join(target, "hooks/pre-commit"), prot(), denied_errno());
  expect_write(join(target, "HEAD"), prot(), denied_errno());
}

TEST_P(Filesystem, WriteGitdirTargetRelative) {
  const std::string target = join(ws_, "sub/gitdata");
  make_gitdir_pointer("gitdir: sub/gitdata\n", target);
  expect_write(join(target, "hooks/post-checkout"), prot(), denied_errno());
}

// A `gitdir:` pointer to a directory that does not exist yet: creating it (and hooks in it)
// is refused, and the mask leaves nothing behind on the host.
TEST_P(Filesystem, CreateMissingGitdirTarget) {
  std::error_code ec;
  std::filesystem::remove_all(join(ws_, ".git"), ec);
  write_file(join(ws_, ".git"), "gitdir: wt/gitdir\n");
  auto r = sh(mode(), "mkdir -p wt/gitdir/hooks && echo x > wt/gitdir/hooks/pre-commit");
  expect_warning(r);
  EXPECT_EQ(r.status() == 0, prot()) << r.describe();
  EXPECT_EQ(exists(join(ws_, "wt/gitdir/hooks/pre-commit")), prot());
  EXPECT_EQ(exists(join(ws_, "wt")), prot()) << "a stub for the missing gitdir was left behind";
}

// A worktree whose git directory lies in another writable root (--add-dir).
TEST_P(Filesystem, WriteGitdirTargetInAddDir) {
  const std::string target = join(extra_, "repo.git/worktrees/ws");
  make_gitdir_pointer("gitdir: " + target + "\n", target);
  RunOptions opts;
  opts.flags = {"--add-dir", extra_};
  expect_write(join(target, "HEAD"), prot(), denied_errno(), opts);
  // The rest of the --add-dir stays writable.
  expect_write(join(extra_, "other-file"), workspace_writable(mode()), denied_errno(), opts);
}

TEST_P(Filesystem, AppendToGitPointerFile) {
  const std::string target = join(outside_, "gitdata");
  make_gitdir_pointer("gitdir: " + target + "\n", target);
  expect_write(join(ws_, ".git"), prot(), denied_errno());
}

TEST_P(Filesystem, WriteInSlashTmp) {
  const std::string p = join("/tmp", "cordon-e2e-" + unique_token());
  cleanup_paths_.push_back(p);
  expect_write(p, workspace_writable(mode()), denied_errno());
}

TEST_P(Filesystem, WriteInSlashTmpExcluded) {
  const std::string p = join("/tmp", "cordon-e2e-" + unique_token());
  cleanup_paths_.push_back(p);
  RunOptions opts;
  opts.flags = {"-c", "sandbox_workspace_write.exclude_slash_tmp=true"};
  expect_write(p, full(), denied_errno(), opts);
}

TEST_P(Filesystem, WriteInTmpdirEnv) {
  RunOptions opts;
  opts.env["TMPDIR"] = extra_;
  expect_write(join(extra_, "tmpfile"), workspace_writable(mode()), denied_errno(), opts);
}

TEST_P(Filesystem, WriteInAddDir) {
  RunOptions opts;
  opts.flags = {"--add-dir", extra_};
  expect_write(join(extra_, "added"), workspace_writable(mode()), denied_errno(), opts);
}

TEST_P(Filesystem, WriteInHome) {
  expect_write(join(home_, ".bashrc"), full(), denied_errno());
}

TEST_P(Filesystem, WriteOutsideWorkspace) {
  expect_write(join(outside_, "new-file"), full(), denied_errno());
}

TEST_P(Filesystem, WriteThroughSymlinkToDirectory) {
  ASSERT_EQ(::symlink(outside_.c_str(), join(ws_, "link-dir").c_str()), 0);
  auto r = probe(mode(), {"write", join(ws_, "link-dir/through-link")});
  expect_probe(r, full(), denied_errno(), "write through ws/link-dir");
  EXPECT_EQ(exists(join(outside_, "through-link")), full());
}

TEST_P(Filesystem, WriteThroughSymlinkToFile) {
  ASSERT_EQ(::symlink(join(outside_, "secret").c_str(), join(ws_, "link-file").c_str()), 0);
  auto r = probe(mode(), {"write", join(ws_, "link-file")});
  expect_probe(r, full(), denied_errno(), "write through ws/link-file");
  EXPECT_EQ(read_file(join(outside_, "secret")),
            full() ? "secret\nwritten by e2e_probe\n" : "secret\n");
}

// A symlink the command plants itself, then writes through.
TEST_P(Filesystem, PlantSymlinkAndWriteThroughIt) {
  auto r = sh(mode(), "ln -s " + outside_ + " planted && echo x > planted/planted-file");
  EXPECT_EQ(exists(join(outside_, "planted-file")), full()) << r.describe();
}

TEST_P(Filesystem, RenameFileOutOfWorkspace) {
  write_file(join(ws_, "move-me"), "data\n");
  auto r = sh(mode(), "mv move-me " + outside_ + "/moved");
  EXPECT_EQ(r.status() == 0, full()) << r.describe();
  EXPECT_EQ(exists(join(outside_, "moved")), full());
  EXPECT_EQ(exists(join(ws_, "move-me")), !full());
}

TEST_P(Filesystem, RenameFileIntoWorkspace) {
  auto r = sh(mode(), "mv " + outside_ + "/secret stolen");
  EXPECT_EQ(r.status() == 0, full()) << r.describe();
  EXPECT_EQ(exists(join(outside_, "secret")), !full()) << "the outside file was moved away";
}

TEST_P(Filesystem, HardLinkOutsideFileIntoWorkspace) {
  auto r = sh(mode(), "ln " + outside_ + "/secret hardlink");
  EXPECT_EQ(r.status() == 0, full()) << r.describe();
  EXPECT_EQ(exists(join(ws_, "hardlink")), full());
  struct stat st {};
  ASSERT_EQ(::stat(join(outside_, "secret").c_str(), &st), 0);
  EXPECT_EQ(st.st_nlink, full() ? 2u : 1u);
}

TEST_P(Filesystem, RemoveOutsideFile) {
  auto r = sh(mode(), "rm -f " + outside_ + "/secret");
  EXPECT_EQ(exists(join(outside_, "secret")), !full()) << r.describe();
}

TEST_P(Filesystem, ChmodOutsideFile) {
  ASSERT_EQ(::chmod(join(outside_, "secret").c_str(), 0600), 0);
  auto r = sh(mode(), "chmod 0666 " + outside_ + "/secret");
  struct stat st {};
  ASSERT_EQ(::stat(join(outside_, "secret").c_str(), &st), 0);
  EXPECT_EQ((st.st_mode & 0777) == 0666, metadata_open()) << r.describe();
  expect_metadata_warning(r);
}

// File metadata outside the workspace: timestamps and extended attributes.
TEST_P(Filesystem, TouchOutsideFile) {
  const std::string f = join(outside_, "secret");
  auto r = probe(mode(), {"utime", f});
  expect_probe(r, metadata_open(), denied_errno(), "utimensat " + f);
  struct stat st {};
  ASSERT_EQ(::stat(f.c_str(), &st), 0);
  EXPECT_EQ(st.st_mtime == 1000000000, metadata_open()) << r.describe();
  expect_metadata_warning(r);
}

TEST_P(Filesystem, SetXattrOnOutsideFile) {
  const std::string f = join(outside_, "secret");
  char probe_value[8];
  if (::setxattr(f.c_str(), "user.cordon_e2e_host", "1", 1, 0) != 0) {
    GTEST_SKIP() << "the file system of " << f << " has no user extended attributes";
  }
  auto r = probe(mode(), {"setxattr", f});
  expect_probe(r, metadata_open(), denied_errno(), "setxattr " + f);
  const bool set = ::getxattr(f.c_str(), "user.cordon_e2e", probe_value, sizeof probe_value) >= 0;
  EXPECT_EQ(set, metadata_open()) << r.describe();
  expect_metadata_warning(r);
}

// A protected name that is a symlink cannot be protected: workspace-write refuses to run
// (setup failure, nothing runs); elsewhere the write through it follows the mode.
TEST_P(Filesystem, SymlinkedCodexDir) {
  ASSERT_EQ(::symlink(outside_.c_str(), join(ws_, ".codex").c_str()), 0);
  auto r = sh(mode(), "echo command-ran; echo x > .codex/through-codex");
  if (mode() == Mode::WorkspaceWrite) {
    EXPECT_TRUE(r.exited && r.code == 71) << r.describe();
    EXPECT_EQ(r.out, "") << "the command ran";
  } else {
    EXPECT_EQ(r.out, "command-ran\n") << r.describe();
  }
  EXPECT_EQ(exists(join(outside_, "through-codex")), full());
}

// The workspace reached through a symlink: the real directory is bound, and its .git
// stays protected.
TEST_P(Filesystem, WorkspaceThroughSymlink) {
  const std::string link = join(base_, "ws-link");
  ASSERT_EQ(::symlink(ws_.c_str(), link.c_str()), 0);
  RunOptions opts;
  opts.cwd = outside_;
  opts.flags = {"-C", link};
  auto r = sh(mode(), "echo x > via-link; echo x > .git/hooks/via-link", opts);
  expect_warning(r);
  EXPECT_EQ(exists(join(ws_, "via-link")), workspace_writable(mode())) << r.describe();
  EXPECT_EQ(exists(join(ws_, ".git/hooks/via-link")), prot()) << r.describe();
}

TEST_P(Filesystem, AddDirThroughSymlink) {
  const std::string link = join(base_, "extra-link");
  ASSERT_EQ(::symlink(extra_.c_str(), link.c_str()), 0);
  RunOptions opts;
  opts.flags = {"--add-dir", link};
  auto r = probe(mode(), {"write", join(link, "via-link")}, opts);
  expect_probe(r, workspace_writable(mode()), denied_errno(),
               "write in --add-dir through a symlink");
  EXPECT_EQ(exists(join(extra_, "via-link")), workspace_writable(mode()));
}

// The sandbox has its own /dev: a file in /dev/shm does not reach the host's.
TEST_P(Filesystem, DevShmIsPrivate) {
  const std::string p = join("/dev/shm", "cordon-e2e-" + unique_token());
  cleanup_paths_.push_back(p);
  auto r = sh(mode(), "echo x > " + p + " && echo written");
  EXPECT_EQ(exists(p), full()) << r.describe();
}

TEST_P(Filesystem, WriteToDevNull) {
  auto r = sh(mode(), "echo discarded > /dev/null && echo done");
  EXPECT_TRUE(r.exited) << r.describe();
  EXPECT_EQ(r.status(), 0) << r.describe();
  EXPECT_EQ(r.out, "done\n");
}

// -C picks the workspace: run from outside/, write relative to the workspace.
TEST_P(Filesystem, ChdirFlagSelectsWorkspace) {
  RunOptions opts;
  opts.cwd = outside_;
  opts.flags = {"-C", ws_};
  auto r = sh(mode(), "echo x > via-cd", opts);
  EXPECT_EQ(exists(join(ws_, "via-cd")), workspace_writable(mode())) << r.describe();
  EXPECT_FALSE(exists(join(outside_, "via-cd")));
}

INSTANTIATE_TEST_SUITE_P(Modes, Filesystem,
                         Values(Mode::ReadOnly, Mode::WorkspaceWrite, Mode::DangerFullAccess),
                         mode_param_name);

}  // namespace
}  // namespace e2e
