// e2e: permission profiles (issue 4): `default_permissions` and `[permissions.NAME]`, through
// the real binary on every backend, as root and as the unprivileged user. A profile is written
// to $CORDON_HOME/config.toml; what the command could read or write is checked from outside
// (the host's files after the run, what the command printed).
//
// bwrap and native mask deny-read paths (an empty unreadable file, an empty directory, a stub
// for a path that does not exist yet) and start restricted reads from an empty root. Landlock
// cannot carve a deny-read path out of an area it lets the command read, so such a profile is
// refused before anything runs (exit 71); restricted reads without such entries work there, the
// paths outside them giving "Permission denied" instead of "No such file or directory".
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <regex>
#include <set>

#include <nlohmann/json.hpp>

#include "harness.h"
#include "pty.h"

namespace e2e {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

constexpr int kSandboxSetup = 71;
constexpr int kRefused = 77;
constexpr int kConfig = 78;
constexpr milliseconds kWait{20000};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Every path under `root` (relative to it, with a leading '/'), directories included.
std::set<std::string> tree(const std::string& root) {
  namespace fs = std::filesystem;
  std::set<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::none, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    out.insert(it->path().string().substr(root.size()));
  }
  if (ec) ADD_FAILURE() << "cannot list " << root << ": " << ec.message();
  return out;
}

std::string describe_set(const std::set<std::string>& s) {
  std::string out;
  for (const auto& p : s) out += "  " + p + "\n";
  return out.empty() ? "  (nothing)\n" : out;
}

// Quotes `s` for a TOML basic string (the paths here hold no quotes or backslashes).
std::string q(const std::string& s) {
  return "\"" + s + "\"";
}

class Permissions : public E2ETest {
 protected:
  std::string config_file() const { return join(cordon_home_, "config.toml"); }
  void write_config(const std::string& toml) { write_file(config_file(), toml); }

  // The seeds' profile: the workspace writable, every .env file under it unreadable.
  static std::string env_profile(int max_depth) {
    return "default_permissions = \"dev\"\n"
           "[permissions.dev]\n"
           "extends = \":workspace\"\n"
           "[permissions.dev.filesystem]\n"
           "glob_scan_max_depth = " +
           std::to_string(max_depth) +
           "\n"
           "\":project_roots\" = { \".\" = \"write\", \"**/*.env\" = \"none\" }\n";
  }
  // A profile extending :workspace with `filesystem` (lines of the filesystem table) added.
  static std::string workspace_profile(const std::string& filesystem) {
    return "default_permissions = \"dev\"\n"
           "[permissions.dev]\n"
           "extends = \":workspace\"\n"
           "[permissions.dev.filesystem]\n" +
           filesystem;
  }

  // .env files at depths 0 to 3 of the workspace, each with its own content.
  const std::vector<std::string> env_files_ = {".env", "a/.env", "a/b/x.env", "a/b/c/.env"};
  std::string env_content(const std::string& rel) const { return "TOKEN=" + rel + "-s3cr3t\n"; }
  void make_env_files() {
    make_dir(join(ws_, "a/b/c"));
    for (const auto& f : env_files_) write_file(join(ws_, f), env_content(f));
    write_file(join(ws_, "a/keep.txt"), "not a secret\n");
  }

  // `sh -c SCRIPT` in the sandbox the config describes (no mode flags: the profile decides).
  RunResult sb(const std::string& script, RunOptions opts = {}) {
    return sh(Mode::ReadOnly, script, opts);
  }

  // `cordon ARGS...` in the workspace without the sandbox harness (status and the like).
  RunResult cordon(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {cordon_bin()};
    argv.insert(argv.end(), args.begin(), args.end());
    Process p({argv, cordon_env({}), ws_, -1});
    if (!p.started()) {
      ADD_FAILURE() << p.start_error();
      return {};
    }
    RunResult r = p.finish();
    EXPECT_FALSE(r.timed_out) << r.describe();
    return r;
  }

  // Landlock refuses a profile whose deny-read entries lie inside an area it lets the
  // command read or write: exit 71 before anything runs, naming Landlock, `path` (when not
  // empty) and the backends that can enforce it. `marker` is a file the command would have
  // created first.
  void expect_landlock_refusal(const RunResult& r, const std::string& path,
                               const std::string& marker) {
    EXPECT_TRUE(r.exited && r.code == kSandboxSetup) << r.describe();
    EXPECT_EQ(r.out, "") << "the command ran: " << r.describe();
    EXPECT_THAT(lower(r.err), HasSubstr("landlock")) << r.describe();
    if (!path.empty()) {
      EXPECT_THAT(r.err, HasSubstr(path)) << r.describe();
    }
    EXPECT_THAT(r.err, HasSubstr("bwrap")) << r.describe();
    EXPECT_THAT(r.err, HasSubstr("native")) << r.describe();
    EXPECT_FALSE(exists(marker)) << "the command ran: " << marker << " exists";
  }

  // A config error: exit 78, nothing on stdout, `where` (a regex) names the place, and the
  // command (which would have created ws/ran) did not run.
  void expect_config_error(const RunResult& r, const std::string& where) {
    EXPECT_TRUE(r.exited && r.code == kConfig) << r.describe();
    EXPECT_EQ(r.out, "") << r.describe();
    EXPECT_THAT(r.err, ContainsRegex(where)) << r.describe();
    EXPECT_FALSE(exists(join(ws_, "ran"))) << "the command ran despite the config error";
  }
  // The regex of `config.toml:LINE:COLUMN` for one of `lines`.
  std::string at_line(const std::string& lines) const {
    std::string file = config_file();
    std::string escaped;
    for (char c : file) {
      if (std::string(".^$|()[]{}*+?\\").find(c) != std::string::npos) escaped += '\\';
      escaped += c;
    }
    return escaped + ":(" + lines + "):[0-9]+";
  }

  // The token of a secret never shows up in what cordon or the command printed.
  static void expect_no_secret(const std::string& text, const std::string& secret,
                               const std::string& context) {
    EXPECT_THAT(text, Not(HasSubstr(secret))) << context << ": the denied file was read\n" << text;
  }
};

// ---------------------------------------------------------------------------------------
// 1. Deny-read globs: .env files at every depth, the workspace still writable.

TEST_F(Permissions, EnvFilesAtEveryDepthAreUnreadableWhileTheWorkspaceStaysWritable) {
  make_env_files();
  write_config(env_profile(4));
  const auto before = tree(base_);
  std::string script = "touch ran\n";
  for (const auto& f : env_files_) {
    script += "if cat " + f + "; then echo \"cat-ok " + f + "\"; else echo \"cat-fail " + f +
              "\"; fi\n"
              "echo \"size " +
              f + " $(stat -c %s " + f +
              ")\"\n"
              "if (echo pwned > " +
              f + ") 2>/dev/null; then echo \"write-ok " + f + "\"; else echo \"write-fail " + f +
              "\"; fi\n";
  }
  script += "cat a/keep.txt\ntouch new && echo hi > a/new && echo workspace-written\n";
  auto r = sb(script);

  for (const auto& f : env_files_) {
    EXPECT_EQ(read_file(join(ws_, f)), env_content(f)) << f << " changed on the host";
    expect_no_secret(r.out, env_content(f), f);
  }
  if (landlock()) {
    expect_landlock_refusal(r, join(ws_, ".env"), join(ws_, "ran"));
    EXPECT_FALSE(exists(join(ws_, "new")));
    EXPECT_EQ(tree(base_), before) << "Landlock refused, yet something changed on the host";
    return;
  }
  EXPECT_TRUE(r.exited && r.code == 0) << r.describe();
  for (const auto& f : env_files_) {
    EXPECT_THAT(r.out, HasSubstr("cat-fail " + f + "\n")) << r.describe();
    EXPECT_THAT(r.err, HasSubstr("cat: " + f + ": Permission denied")) << r.describe();
    EXPECT_THAT(r.out, HasSubstr("size " + f + " 0\n")) << "the masked file is not empty\n"
                                                        << r.describe();
    EXPECT_THAT(r.out, HasSubstr("write-fail " + f + "\n")) << r.describe();
  }
  // The workspace stays readable and writable around the masks.
  EXPECT_THAT(r.out, HasSubstr("not a secret\n")) << r.describe();
  EXPECT_THAT(r.out, HasSubstr("workspace-written\n")) << r.describe();
  EXPECT_TRUE(exists(join(ws_, "new")));
  EXPECT_EQ(read_file(join(ws_, "a/new")), "hi\n");
  // Nothing else appeared on the host (no mask left behind).
  auto expected = before;
  for (const char* p : {"/ws/ran", "/ws/new", "/ws/a/new"}) expected.insert(p);
  EXPECT_EQ(tree(base_), expected) << "after the run:\n" << describe_set(tree(base_));
}

// glob_scan_max_depth caps the walk like `rg --max-depth`: 2 looks at ws/* and ws/*/*, so
// the .env files deeper than that are not masked.
TEST_F(Permissions, GlobScanMaxDepthCapsTheWalk) {
  make_env_files();
  write_config(env_profile(2));
  auto r = sb("touch ran; cat .env; cat a/.env; cat a/b/x.env; cat a/b/c/.env; echo done");
  if (landlock()) {
    expect_landlock_refusal(r, join(ws_, ".env"), join(ws_, "ran"));
    return;
  }
  EXPECT_TRUE(r.exited && r.code == 0) << r.describe();
  expect_no_secret(r.out, env_content(".env"), "depth 0, within the cap");
  expect_no_secret(r.out, env_content("a/.env"), "depth 1, within the cap");
  EXPECT_THAT(r.err, HasSubstr("cat: .env: Permission denied")) << r.describe();
  EXPECT_THAT(r.err, HasSubstr("cat: a/.env: Permission denied")) << r.describe();
  // Beyond the cap: not matched, so readable.
  EXPECT_EQ(r.out, env_content("a/b/x.env") + env_content("a/b/c/.env") + "done\n") << r.describe();
}

// ---------------------------------------------------------------------------------------
// 2. A deny-read path that does not exist yet cannot be created, and leaves nothing behind.

TEST_F(Permissions, DeniedFileThatDoesNotExistCannotBeCreated) {
  const std::string secret = join(ws_, "secret.txt");
  write_config(workspace_profile("\":project_roots\" = { \".\" = \"write\" }\n" + q(secret) +
                                 " = \"none\"\n"));
  const auto before = tree(base_);
  auto r =
      sb("touch ran\n"
         "if (echo x > secret.txt) 2>/dev/null; then echo created; else echo refused; fi\n"
         "echo y > other.txt\n");
  EXPECT_FALSE(exists(secret)) << "the denied path exists on the host after the run: "
                               << r.describe();
  if (landlock()) {
    expect_landlock_refusal(r, secret, join(ws_, "ran"));
    EXPECT_EQ(tree(base_), before);
    return;
  }
  EXPECT_TRUE(r.exited && r.code == 0) << r.describe();
  EXPECT_EQ(r.out, "refused\n") << r.describe();
  EXPECT_EQ(read_file(join(ws_, "other.txt")), "y\n") << "the workspace is not writable";
  auto expected = before;
  expected.insert("/ws/ran");
  expected.insert("/ws/other.txt");
  EXPECT_EQ(tree(base_), expected) << "something was left behind:\n" << describe_set(tree(base_));
}

// A denied path whose parent is missing too: the first missing directory is kept from being
// created, and nothing is left behind.
TEST_F(Permissions, DeniedPathUnderAMissingDirectoryCannotBeCreated) {
  const std::string secret = join(ws_, "newdir/secret.txt");
  write_config(workspace_profile("\":project_roots\" = { \".\" = \"write\" }\n" + q(secret) +
                                 " = \"none\"\n"));
  const auto before = tree(base_);
  auto r = sb(
      "touch ran\n"
      "mkdir -p newdir 2>/dev/null; (echo x > newdir/secret.txt) 2>/dev/null; echo \"write=$?\"\n"
      "mkdir -p otherdir && echo y > otherdir/f\n");
  EXPECT_FALSE(exists(secret)) << r.describe();
  EXPECT_FALSE(exists(join(ws_, "newdir"))) << "a stub was left behind: " << r.describe();
  if (landlock()) {
    expect_landlock_refusal(r, join(ws_, "newdir"), join(ws_, "ran"));
    EXPECT_EQ(tree(base_), before);
    return;
  }
  EXPECT_TRUE(r.exited && r.code == 0) << r.describe();
  EXPECT_THAT(r.out, ContainsRegex("^write=[1-9][0-9]*\n$")) << r.describe();
  auto expected = before;
  for (const char* p : {"/ws/ran", "/ws/otherdir", "/ws/otherdir/f"}) expected.insert(p);
  EXPECT_EQ(tree(base_), expected) << describe_set(tree(base_));
}

// A glob that matches a symlink denies what reading through it reads: its target (here
// outside the workspace), under both names.
TEST_F(Permissions, GlobMatchingASymlinkMasksItsTarget) {
  const std::string target = join(outside_, "secret");
  ASSERT_EQ(::symlink(target.c_str(), join(ws_, "link.env").c_str()), 0);
  write_config(env_profile(3));
  auto r = sb("touch ran; cat link.env; echo \"link=$?\"; cat " + target + "; echo \"target=$?\"");
  expect_no_secret(r.out, "secret\n", "a symlink matched by the glob");
  EXPECT_EQ(read_file(target), "secret\n");
  char buf[4096];
  const ssize_t n = ::readlink(join(ws_, "link.env").c_str(), buf, sizeof buf);
  EXPECT_EQ(n > 0 ? std::string(buf, static_cast<size_t>(n)) : "", target)
      << "the symlink changed on the host";
  if (landlock()) {
    expect_landlock_refusal(r, target, join(ws_, "ran"));
    return;
  }
  EXPECT_TRUE(r.exited && r.code == 0) << r.describe();
  EXPECT_THAT(r.out, ContainsRegex("^link=[1-9][0-9]*\ntarget=[1-9][0-9]*\n$")) << r.describe();
  EXPECT_THAT(r.err, HasSubstr("Permission denied")) << r.describe();
}

// Under a profile the workspace's .git stays read-only (Landlock: writable, with its
// warning), unless the profile grants write to it by name.
TEST_F(Permissions, GitStaysProtectedUnlessGrantedByName) {
  write_config(workspace_profile("\":project_roots\" = { \".\" = \"write\" }\n"));
  const std::string config = join(ws_, ".git/config");
  const std::string before = read_file(config);
  auto r = sb("echo '[x]' >> .git/config; echo \"git=$?\"; echo y > plain");
  EXPECT_TRUE(r.exited && r.code == 0) << r.describe();
  EXPECT_EQ(read_file(join(ws_, "plain")), "y\n");
  if (landlock()) {
    EXPECT_EQ(landlock_warnings(r.err), 1) << r.describe();
    EXPECT_EQ(read_file(config), before + "[x]\n") << r.describe();
  } else {
    EXPECT_THAT(r.out, ContainsRegex("^git=[1-9][0-9]*\n$")) << r.describe();
    EXPECT_EQ(read_file(config), before) << ".git/config was written: " << r.describe();
  }

  write_config(
      workspace_profile("\":project_roots\" = { \".\" = \"write\", \".git\" = \"write\" }\n"));
  r = sb("echo '[y]' >> .git/config; echo \"git=$?\"");
  EXPECT_TRUE(r.exited && r.code == 0) << r.describe();
  EXPECT_EQ(r.out, "git=0\n") << r.describe();
  EXPECT_THAT(read_file(config), HasSubstr("[y]\n")) << "the explicit grant did not apply";
}

// Ties between entries for the same path: none beats write.
TEST_F(Permissions, TieNoneBeatsWrite) {
  make_dir(join(ws_, "d"));
  write_file(join(ws_, "d/f"), "tied\n");
  write_config(workspace_profile("\":project_roots\" = { \".\" = \"write\", \"d\" = \"none\" }\n" +
                                 q(join(ws_, "d")) + " = \"write\"\n"));
  auto r = sb("touch ran; cat d/f; echo \"cat=$?\"; touch d/new 2>/dev/null; echo \"touch=$?\"");
  expect_no_secret(r.out, "tied", "d/f");
  EXPECT_FALSE(exists(join(ws_, "d/new")));
  if (landlock()) {
    expect_landlock_refusal(r, join(ws_, "d"), join(ws_, "ran"));
    return;
  }
  EXPECT_TRUE(r.exited && r.code == 0) << r.describe();
  EXPECT_THAT(r.out, ContainsRegex("^cat=[1-9][0-9]*\ntouch=[1-9][0-9]*\n$")) << r.describe();
}

// ---------------------------------------------------------------------------------------
// 3. A denied existing directory lists empty, its files cannot be read, nothing can be
//    created in it. Once as a path of :project_roots, once as an absolute key ("deny").

class PermissionsDeniedDirectory : public Permissions {
 protected:
  void check(const std::string& filesystem) {
    make_dir(join(ws_, "private/sub"));
    write_file(join(ws_, "private/f"), "private-file\n");
    write_file(join(ws_, "private/sub/g"), "private-sub-file\n");
    write_config(workspace_profile(filesystem));
    const auto before = tree(base_);
    auto r =
        sb("touch ran\n"
           "ls -A private; echo \"ls=$?\"\n"
           "cat private/f; echo \"cat=$?\"\n"
           "cat private/sub/g; echo \"catsub=$?\"\n"
           "touch private/new 2>/dev/null; echo \"touch=$?\"\n"
           "mkdir private/newdir 2>/dev/null; echo \"mkdir=$?\"\n");
    expect_no_secret(r.out, "private-file", "private/f");
    expect_no_secret(r.out, "private-sub-file", "private/sub/g");
    EXPECT_EQ(read_file(join(ws_, "private/f")), "private-file\n");
    if (landlock()) {
      expect_landlock_refusal(r, join(ws_, "private"), join(ws_, "ran"));
      EXPECT_EQ(tree(base_), before);
      return;
    }
    EXPECT_TRUE(r.exited && r.code == 0) << r.describe();
    // `ls -A` printed nothing and succeeded.
    EXPECT_THAT(r.out, ContainsRegex("^ls=0\ncat=[1-9][0-9]*\ncatsub=[1-9][0-9]*\n"
                                     "touch=[1-9][0-9]*\nmkdir=[1-9][0-9]*\n$"))
        << r.describe();
    EXPECT_FALSE(exists(join(ws_, "private/new")));
    EXPECT_FALSE(exists(join(ws_, "private/newdir")));
    auto expected = before;
    expected.insert("/ws/ran");
    EXPECT_EQ(tree(base_), expected) << describe_set(tree(base_));
  }
};

TEST_F(PermissionsDeniedDirectory, ListsEmptyAsAProjectRootPath) {
  check("\":project_roots\" = { \".\" = \"write\", \"private\" = \"none\" }\n");
}

TEST_F(PermissionsDeniedDirectory, ListsEmptyAsAnAbsolutePathWithDeny) {
  check("\":project_roots\" = { \".\" = \"write\" }\n" + q(join(ws_, "private")) + " = \"deny\"\n");
}

// ---------------------------------------------------------------------------------------
// 4. Nested grants: ws write, ws/secrets none, ws/secrets/public read; the order of the keys
//    in the file does not matter.

class PermissionsNestedGrants : public Permissions {
 protected:
  void check(const std::string& filesystem) {
    make_dir(join(ws_, "secrets/public"));
    write_file(join(ws_, "secrets/s"), "top-secret\n");
    write_file(join(ws_, "secrets/public/p"), "public-data\n");
    write_config(workspace_profile(filesystem));
    auto r =
        sb("touch ran\n"
           "cat secrets/public/p; echo \"catp=$?\"\n"
           "cat secrets/s; echo \"cats=$?\"\n"
           "(echo changed > secrets/public/p) 2>/dev/null; echo \"writep=$?\"\n"
           "touch secrets/public/new 2>/dev/null; echo \"newp=$?\"\n"
           "touch other; echo \"other=$?\"\n");
    expect_no_secret(r.out, "top-secret", "secrets/s");
    EXPECT_EQ(read_file(join(ws_, "secrets/public/p")), "public-data\n");
    EXPECT_EQ(read_file(join(ws_, "secrets/s")), "top-secret\n");
    EXPECT_FALSE(exists(join(ws_, "secrets/public/new")));
    if (landlock()) {
      expect_landlock_refusal(r, join(ws_, "secrets"), join(ws_, "ran"));
      return;
    }
    EXPECT_TRUE(r.exited && r.code == 0) << r.describe();
    EXPECT_THAT(r.out, ContainsRegex("^public-data\ncatp=0\ncats=[1-9][0-9]*\n"
                                     "writep=[1-9][0-9]*\nnewp=[1-9][0-9]*\nother=0\n$"))
        << r.describe();
    EXPECT_THAT(r.err, HasSubstr("cat: secrets/s: ")) << r.describe();
    EXPECT_TRUE(exists(join(ws_, "other")));
  }
};

TEST_F(PermissionsNestedGrants, RootThenDenyThenRead) {
  check(
      "\":project_roots\" = { \".\" = \"write\", \"secrets\" = \"none\", "
      "\"secrets/public\" = \"read\" }\n");
}

TEST_F(PermissionsNestedGrants, ReadThenRootThenDeny) {
  check(
      "\":workspace_roots\" = { \"secrets/public\" = \"read\", \".\" = \"write\", "
      "\"secrets\" = \"none\" }\n");
}

TEST_F(PermissionsNestedGrants, AbsoluteKeysInnermostFirst) {
  check(q(join(ws_, "secrets/public")) + " = \"read\"\n" + q(join(ws_, "secrets")) +
        " = \"none\"\n" + q(ws_) + " = \"write\"\n");
}

// ---------------------------------------------------------------------------------------
// 5. Restricted reads: no :root, only :minimal and the workspace (and a read-only extra).

class PermissionsRestrictedReads : public Permissions {
 protected:
  void SetUp() override {
    Permissions::SetUp();
    write_file(join(extra_, "file"), "extra-data\n");
  }
  // Under bwrap and native what is not granted does not exist in the sandbox; under
  // Landlock it exists but cannot be read.
  static const char* invisible() {
    return landlock() ? "Permission denied" : "No such file or directory";
  }
  std::string restricted_profile(const std::string& more = "") const {
    return "default_permissions = \"tight\"\n"
           "[permissions.tight.filesystem]\n"
           "\":minimal\" = \"read\"\n"
           "\":project_roots\" = { \".\" = \"write\" }\n" +
           q(extra_) + " = \"read\"\n" + more;
  }
};

TEST_F(PermissionsRestrictedReads, ShellWorksWithMinimal) {
  write_config(restricted_profile());
  auto r = sb("ls /usr/bin");
  EXPECT_TRUE(r.exited && r.code == 0) << r.describe();
  EXPECT_THAT(r.out, HasSubstr("\nls\n")) << r.describe();
  EXPECT_THAT(r.out, HasSubstr("\nsh\n")) << r.describe();
}

TEST_F(PermissionsRestrictedReads, HomeIsInvisible) {
  write_config(restricted_profile());
  auto r = sb("ls -A \"$HOME\"");
  EXPECT_TRUE(r.exited && r.code != 0) << r.describe();
  expect_no_secret(r.out, ".profile", "ls $HOME");
  EXPECT_THAT(r.err, HasSubstr(invisible())) << r.describe();
  EXPECT_THAT(r.err, HasSubstr(home_)) << r.describe();
}

TEST_F(PermissionsRestrictedReads, OutsideFileIsInvisible) {
  write_config(restricted_profile());
  auto r = sb("cat " + join(outside_, "secret"));
  EXPECT_TRUE(r.exited && r.code != 0) << r.describe();
  expect_no_secret(r.out, "secret", "cat outside/secret");
  EXPECT_THAT(r.err, HasSubstr(invisible())) << r.describe();
}

TEST_F(PermissionsRestrictedReads, WorkspaceWritableAndReadGrantReadOnly) {
  write_config(restricted_profile());
  const std::string extra_file = join(extra_, "file");
  auto r = sb("cat README && echo hi > written && cat " + extra_file + " && if (echo x >> " +
              extra_file + ") 2>/dev/null; then echo extra-written; else echo extra-refused; fi");
  EXPECT_TRUE(r.exited && r.code == 0) << r.describe();
  EXPECT_EQ(r.out, "hello\nextra-data\nextra-refused\n") << r.describe();
  EXPECT_EQ(read_file(join(ws_, "written")), "hi\n");
  EXPECT_EQ(read_file(extra_file), "extra-data\n") << "the read-only grant was written";
}

// :slash_tmp and :tmpdir make /tmp and $TMPDIR writable; without them /tmp is not there.
TEST_F(PermissionsRestrictedReads, SlashTmpAndTmpdir) {
  const std::string tmpdir = join(base_, "tmpdir");
  make_dir(tmpdir);
  const std::string in_tmp = join("/tmp", "cordon-e2e-" + unique_token());
  cleanup_paths_.push_back(in_tmp);
  RunOptions opts;
  opts.env["TMPDIR"] = tmpdir;
  const std::string script =
      "echo a > " + in_tmp + "; echo \"tmp=$?\"; echo b > \"$TMPDIR/t\"; echo \"tmpdir=$?\"";

  write_config(restricted_profile());
  auto r = sb(script, opts);
  EXPECT_TRUE(r.exited && r.code == 0) << r.describe();
  EXPECT_THAT(r.out, ContainsRegex("^tmp=[1-9][0-9]*\ntmpdir=[1-9][0-9]*\n$")) << r.describe();
  EXPECT_FALSE(exists(in_tmp)) << r.describe();
  EXPECT_FALSE(exists(join(tmpdir, "t"))) << r.describe();

  write_config(restricted_profile("\":slash_tmp\" = \"write\"\n\":tmpdir\" = \"write\"\n"));
  r = sb(script, opts);
  EXPECT_TRUE(r.exited && r.code == 0) << r.describe();
  EXPECT_EQ(r.out, "tmp=0\ntmpdir=0\n") << r.describe();
  EXPECT_EQ(read_file(in_tmp), "a\n") << r.describe();
  EXPECT_EQ(read_file(join(tmpdir, "t")), "b\n") << r.describe();
}

// Ties between entries for the same path: write beats read ($TMPDIR is extra/, which the
// profile also lists as read).
TEST_F(PermissionsRestrictedReads, TieWriteBeatsRead) {
  RunOptions opts;
  opts.env["TMPDIR"] = extra_;
  write_config(restricted_profile("\":tmpdir\" = \"write\"\n"));
  auto r = sb("echo more >> " + join(extra_, "file"), opts);
  EXPECT_TRUE(r.exited && r.code == 0) << r.describe();
  EXPECT_EQ(read_file(join(extra_, "file")), "extra-data\nmore\n") << r.describe();
}

// Without :minimal there is no shell to run: the command cannot start.
TEST_F(PermissionsRestrictedReads, WithoutMinimalNothingRuns) {
  write_config(
      "default_permissions = \"bare\"\n"
      "[permissions.bare.filesystem]\n"
      "\":project_roots\" = { \".\" = \"write\" }\n");
  auto r = sb("touch ran; echo ran");
  EXPECT_NE(r.status(), 0) << r.describe();
  EXPECT_EQ(r.out, "") << r.describe();
  EXPECT_FALSE(exists(join(ws_, "ran"))) << "/bin/sh ran without :minimal";
}

// A deny-read path in an area the profile does not make readable anyway needs no mask:
// every backend runs it (Landlock too), and the path stays unreadable.
TEST_F(PermissionsRestrictedReads, DenyOutsideTheReadableAreaRunsEverywhere) {
  write_config(restricted_profile(q(home_) + " = \"none\"\n"));
  auto r = sb("touch ran; cat \"$HOME/.profile\"; echo \"cat=$?\"");
  EXPECT_TRUE(r.exited && r.code == 0) << r.describe();
  EXPECT_THAT(r.out, ContainsRegex("^cat=[1-9][0-9]*\n$")) << r.describe();
  expect_no_secret(r.out, "fake home", "cat $HOME/.profile");
  EXPECT_TRUE(exists(join(ws_, "ran")));
}

// ---------------------------------------------------------------------------------------
// 6. A profile with deny-read entries never runs a command outside the sandbox.

class PermissionsNoEscalation : public Permissions {
 protected:
  void SetUp() override {
    Permissions::SetUp();
    make_env_files();
    write_config(env_profile(4));
  }
  RunOptions run_opts(std::vector<std::string> flags) const {
    RunOptions o;
    o.subcommand = {"run"};
    o.flags = std::move(flags);
    o.new_session = true;  // no controlling terminal
    return o;
  }
  void write_rules(const std::string& text) {
    make_dir(join(cordon_home_, "rules"));
    write_file(join(cordon_home_, "rules/default.rules"), text);
  }
};

TEST_F(PermissionsNoEscalation, EscalateIsRefused) {
  auto r = run(Mode::ReadOnly, {"cat", ".env"},
               run_opts({"--escalate", "--justification", "x", "-a", "never"}));
  EXPECT_NE(r.status(), 0) << r.describe();
  expect_no_secret(r.out, env_content(".env"), "cordon run --escalate");
  expect_no_secret(r.err, env_content(".env"), "cordon run --escalate");
  if (!landlock()) {
    EXPECT_TRUE(r.exited && r.code == kRefused) << r.describe();
  }
}

// An explicit allow rule normally runs a command outside the sandbox; not with this profile.
TEST_F(PermissionsNoEscalation, AllowRuleKeepsTheCommandInTheSandbox) {
  write_rules("prefix_rule(pattern=[\"cat\"], decision=\"allow\")\n");
  auto r = run(Mode::ReadOnly, {"cat", ".env"}, run_opts({"-a", "never"}));
  EXPECT_NE(r.status(), 0) << r.describe();
  expect_no_secret(r.out, env_content(".env"), "cat under an allow rule");
  if (!landlock()) {
    EXPECT_THAT(r.err, HasSubstr("Permission denied")) << r.describe();
  }
}

// At a terminal, a person who would approve anything: the escalation is still refused, and
// no re-run outside the sandbox is offered after the sandbox blocked the command.
TEST_F(PermissionsNoEscalation, ApprovingAtATerminalDoesNotLeaveTheSandbox) {
  RunOptions o = run_opts({"--escalate", "--justification", "read the env"});
  o.new_session = false;
  std::string error;
  auto p = PtyProcess::start(cordon_argv(Mode::ReadOnly, {"cat", ".env"}, o), cordon_env(o), ws_,
                             &error);
  ASSERT_TRUE(p) << error;
  if (p->expect("[n]o", milliseconds(5000))) p->send("y\n");
  auto status = p->wait(kWait);
  ASSERT_TRUE(status) << strip_terminal(p->output());
  EXPECT_FALSE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << strip_terminal(p->output());
  expect_no_secret(p->output(), env_content(".env"), "escalation at a terminal");

  const std::string outside_file = join(outside_, "x");
  RunOptions o2 = run_opts({});
  o2.new_session = false;
  p = PtyProcess::start(
      cordon_argv(Mode::ReadOnly, {"sh", "-c", "cat .env; touch " + outside_file}, o2),
      cordon_env(o2), ws_, &error);
  ASSERT_TRUE(p) << error;
  const bool offered = p->expect("OUTSIDE the sandbox", milliseconds(5000));
  if (offered) p->send("y\n");
  status = p->wait(kWait);
  ASSERT_TRUE(status) << strip_terminal(p->output());
  EXPECT_FALSE(offered) << "a re-run outside the sandbox was offered:\n"
                        << strip_terminal(p->output());
  expect_no_secret(p->output(), env_content(".env"), "re-run offer");
  EXPECT_FALSE(exists(outside_file)) << strip_terminal(p->output());
}

// ---------------------------------------------------------------------------------------
// 7. Config errors: exit 78, the place in the file, nothing runs.

TEST_F(Permissions, UnknownDefaultProfile) {
  write_config("default_permissions = \"nope\"\n");
  auto r = sb("touch ran");
  expect_config_error(r, at_line("1"));
  EXPECT_THAT(r.err, HasSubstr("nope")) << r.describe();
}

TEST_F(Permissions, UnknownDefaultProfileFromOverride) {
  RunOptions o;
  o.flags = {"-c", "default_permissions=nope"};
  auto r = sb("touch ran", o);
  expect_config_error(r, "-c 'default_permissions=nope'");
}

TEST_F(Permissions, ExtendsCycle) {
  write_config(
      "default_permissions = \"a\"\n"
      "[permissions.a]\n"
      "extends = \"b\"\n"
      "[permissions.b]\n"
      "extends = \"a\"\n");
  auto r = sb("touch ran");
  expect_config_error(r, at_line("3|5"));
  EXPECT_THAT(lower(r.err), HasSubstr("cycl")) << r.describe();
}

TEST_F(Permissions, UnknownParent) {
  write_config(
      "default_permissions = \"a\"\n"
      "[permissions.a]\n"
      "extends = \"missing-parent\"\n");
  auto r = sb("touch ran");
  expect_config_error(r, at_line("3"));
  EXPECT_THAT(r.err, HasSubstr("missing-parent")) << r.describe();
}

TEST_F(Permissions, SandboxModeWithDefaultPermissionsInOneFile) {
  write_config(
      "sandbox_mode = \"workspace-write\"\n"
      "default_permissions = \"dev\"\n"
      "[permissions.dev]\n"
      "extends = \":workspace\"\n");
  auto r = sb("touch ran");
  expect_config_error(r, at_line("1|2"));
  EXPECT_THAT(r.err, HasSubstr("sandbox_mode")) << r.describe();
  EXPECT_THAT(r.err, HasSubstr("default_permissions")) << r.describe();
}

TEST_F(Permissions, PermissionsWithoutDefaultPermissions) {
  write_config(
      "[permissions.x]\n"
      "extends = \":workspace\"\n");
  auto r = sb("touch ran");
  expect_config_error(r, at_line("1|2"));
  EXPECT_THAT(r.err, HasSubstr("default_permissions")) << r.describe();
}

TEST_F(Permissions, GlobWithReadIsRefused) {
  write_config(
      workspace_profile("\":project_roots\" = { \".\" = \"write\", \"**/*.txt\" = \"read\" }\n"));
  auto r = sb("touch ran");
  expect_config_error(r, at_line("5"));
  EXPECT_THAT(r.err, HasSubstr("**/*.txt")) << r.describe();
}

TEST_F(Permissions, DenyGlobUnderTheRootIsRefused) {
  make_env_files();
  write_config(
      workspace_profile("glob_scan_max_depth = 2\n"
                        "\":project_roots\" = { \".\" = \"write\" }\n"
                        "\"/**/*.env\" = \"none\"\n"));
  auto r = sb("touch ran; cat .env");
  expect_config_error(r, at_line("7"));
  EXPECT_THAT(r.err, HasSubstr("/**/*.env")) << r.describe();
  EXPECT_THAT(lower(r.err), HasSubstr("whole filesystem")) << r.describe();
  expect_no_secret(r.out, env_content(".env"), "a refused root glob");
}

// A deny path that goes through a symlink in a writable area: the command could repoint it,
// so the profile is an error, not a guess.
TEST_F(Permissions, DenyPathThroughAWritableSymlinkIsRefused) {
  ASSERT_EQ(::symlink(outside_.c_str(), join(ws_, "link").c_str()), 0);
  write_config(workspace_profile(
      "\":project_roots\" = { \".\" = \"write\", \"link/secret\" = \"none\" }\n"));
  auto r = sb("touch ran; cat link/secret");
  expect_config_error(r, at_line("5"));
  EXPECT_THAT(r.err, HasSubstr("symlink " + join(ws_, "link"))) << r.describe();
  EXPECT_THAT(r.err, HasSubstr(outside_)) << "the real path is not suggested: " << r.describe();
  expect_no_secret(r.out, "secret\n", "a refused symlinked deny path");
}

// More matches than cordon can mask: the profile fails closed.
TEST_F(Permissions, TooManyGlobMatchesIsRefused) {
  make_dir(join(ws_, "many"));
  for (int i = 0; i <= 8192; ++i) write_file(join(ws_, "many/f" + std::to_string(i) + ".env"), "");
  write_config(env_profile(3));
  auto r = sb("touch ran");
  expect_config_error(r, at_line("6"));
  EXPECT_THAT(r.err, HasSubstr("more than 8192")) << r.describe();
}

// ---------------------------------------------------------------------------------------
// 8. cordon status names the profile and what each glob matched.

TEST_F(Permissions, StatusListsTheProfileAndWhatTheGlobMatched) {
  make_env_files();
  write_config(env_profile(4));
  auto r = cordon({"status", "--json", "--backend", backend_name(backend())});
  EXPECT_TRUE(r.exited && r.code == 0) << r.describe();
  const Json j = Json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << "not a JSON object: " << r.describe();
  ASSERT_TRUE(j["permissions"].is_object()) << j.dump(2);
  EXPECT_EQ(j["permissions"]["name"], "dev") << j.dump(2);
  EXPECT_THAT(j["permissions"]["origin"].get<std::string>(), HasSubstr(config_file() + ":1:"))
      << j.dump(2);
  const Json& globs = j["permissions"]["globs"];
  ASSERT_TRUE(globs.is_array() && globs.size() == 1) << j.dump(2);
  EXPECT_THAT(globs[0]["pattern"].get<std::string>(), HasSubstr("**/*.env")) << j.dump(2);
  std::vector<std::string> want;
  for (const auto& f : env_files_) want.push_back(join(ws_, f));
  std::sort(want.begin(), want.end());
  std::vector<std::string> got;
  for (const auto& m : globs[0]["matches"]) got.push_back(m.get<std::string>());
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, want) << j.dump(2);
  // Landlock cannot mask them: status says the run would be refused.
  const std::string gaps = j["backend"]["unenforced"].dump();
  if (landlock()) {
    EXPECT_THAT(gaps, HasSubstr("refuses to run this profile")) << j.dump(2);
  } else {
    EXPECT_THAT(gaps, Not(HasSubstr("refuses"))) << j.dump(2);
  }

  r = cordon({"status", "--backend", backend_name(backend())});
  EXPECT_TRUE(r.exited && r.code == 0) << r.describe();
  EXPECT_THAT(r.out, HasSubstr("\nPermissions:      dev (extends :workspace)")) << r.out;
  EXPECT_THAT(r.out, ContainsRegex("deny-read glob [^ ]*\\*\\*/\\*\\.env .*: 4 matches now\n"))
      << r.out;
  for (const auto& path : want) {
    EXPECT_THAT(r.out, HasSubstr("\n    " + path + "\n")) << path << " not listed\n" << r.out;
  }
}

TEST_F(Permissions, StatusDoesNotListWhatIsBeyondTheDepthCap) {
  make_env_files();
  write_config(env_profile(2));
  auto r = cordon({"status", "--json"});
  EXPECT_TRUE(r.exited && r.code == 0) << r.describe();
  const Json j = Json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << "not a JSON object: " << r.describe();
  const Json& globs = j["permissions"]["globs"];
  ASSERT_TRUE(globs.is_array() && globs.size() == 1) << j.dump(2);
  std::vector<std::string> got;
  for (const auto& m : globs[0]["matches"]) got.push_back(m.get<std::string>());
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{join(ws_, ".env"), join(ws_, "a/.env")})) << j.dump(2);
}

// ---------------------------------------------------------------------------------------
// 9. Landlock: refused when it cannot carve the deny path out (the cases above check that
//    on every test with a deny entry inside a readable area); restricted reads work there.
//    This one states both sides for an explicit path inside a read-only area (:root).

TEST_F(Permissions, DenyInsideTheReadOnlyRootIsEnforcedOrRefused) {
  write_config(workspace_profile("\":project_roots\" = { \".\" = \"write\" }\n" +
                                 q(join(outside_, "secret")) + " = \"none\"\n"));
  auto r = sb("touch ran; cat " + join(outside_, "secret") + "; echo \"cat=$?\"; cat " +
              join(home_, ".profile"));
  expect_no_secret(r.out, "secret\n", "outside/secret");
  if (landlock()) {
    expect_landlock_refusal(r, join(outside_, "secret"), join(ws_, "ran"));
    return;
  }
  EXPECT_TRUE(r.exited && r.code == 0) << r.describe();
  // The rest of :root stays readable.
  EXPECT_THAT(r.out, ContainsRegex("^cat=[1-9][0-9]*\n# fake home\n$")) << r.describe();
  EXPECT_THAT(r.err, HasSubstr("Permission denied")) << r.describe();
}

}  // namespace
}  // namespace e2e
