// Known-safe commands: the read-only list, its conditions, git's read-only subcommands,
// and shell scripts made only of known-safe commands.
#include "command/known_safe.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace cordon::command {
namespace {

struct SafeCase {
  Argv argv;
  bool safe;
};

const std::vector<SafeCase> kCases = {
    // Always safe, by name or path.
    {{"ls"}, true},
    {{"ls", "-la", "/etc"}, true},
    {{"/bin/ls", "-1"}, true},
    {{"cat", "README.md"}, true},
    {{"grep", "-rn", "TODO", "src"}, true},
    {{"head", "-n", "20", "log"}, true},
    {{"nl", "-nrz", "CMakeLists.txt"}, true},
    {{"wc", "-l"}, true},
    {{"pwd"}, true},
    {{"true"}, true},
    {{"which", "cmake"}, true},
    {{"numfmt", "1000"}, true},
    {{"tac", "notes"}, true},
    {{"echo", "rm -rf /"}, true},
    // Unknown programs and near misses.
    {{}, false},
    {{""}, false},
    {{"cargo", "check"}, false},
    {{"rm", "x"}, false},
    {{"lsof"}, false},
    {{"catt"}, false},
    {{"python3", "-c", "print(1)"}, false},
    // base64
    {{"base64"}, true},
    {{"base64", "-d", "blob.b64"}, true},
    {{"base64", "-o", "out.bin"}, false},
    {{"base64", "-oout.bin"}, false},
    {{"base64", "--output", "out.bin"}, false},
    {{"base64", "--output=out.bin"}, false},
    {{"base64", "-do", "out.bin"}, false},
    // find
    {{"find", ".", "-name", "*.cc"}, true},
    {{"find", ".", "-name", "x", "-exec", "rm", "{}", ";"}, false},
    {{"find", ".", "-execdir", "python3", "{}", ";"}, false},
    {{"find", ".", "-ok", "rm", "{}", ";"}, false},
    {{"find", ".", "-okdir", "rm", "{}", ";"}, false},
    {{"find", ".", "-delete"}, false},
    {{"find", ".", "-fls", "/tmp/list"}, false},
    {{"find", ".", "-fprint", "/tmp/list"}, false},
    {{"find", ".", "-fprint0", "/tmp/list"}, false},
    {{"find", ".", "-fprintf", "/tmp/list", "%p"}, false},
    // rg
    {{"rg", "needle", "-n"}, true},
    {{"rg", "--pre", "sh", "x"}, false},
    {{"rg", "--pre=sh", "x"}, false},
    {{"rg", "--hostname-bin", "evil", "x"}, false},
    {{"rg", "--hostname-bin=evil", "x"}, false},
    {{"rg", "--search-zip", "x"}, false},
    {{"rg", "-z", "x"}, false},
    {{"rg", "-nz", "x"}, false},
    // sed
    {{"sed", "-n", "10p"}, true},
    {{"sed", "-n", "1,5p", "file.txt"}, true},
    {{"sed", "-n", "xp", "file.txt"}, false},
    {{"sed", "-n", "1,2,3p", "f"}, false},
    {{"sed", "-n", "1,5p", "a", "b"}, false},
    {{"sed", "-i", "s/a/b/", "f"}, false},
    {{"sed", "-n", "1p;w /tmp/x", "f"}, false},
    {{"sed", "-n", ",5p"}, false},
    // git read-only subcommands
    {{"git", "status"}, true},
    {{"git", "status", "--porcelain"}, true},
    {{"/usr/bin/git", "log", "-p", "-1"}, true},
    {{"git", "diff", "HEAD~1"}, true},
    {{"git", "show", "HEAD"}, true},
    {{"git", "--no-pager", "log"}, true},
    {{"git", "branch"}, true},
    {{"git", "branch", "--show-current"}, true},
    {{"git", "branch", "-a", "-vv", "--format=%(refname)"}, true},
    {{"git", "branch", "new-branch"}, false},
    {{"git", "branch", "-d", "old"}, false},
    {{"git", "branch", "--contains", "HEAD"}, false},
    {{"git"}, false},
    {{"git", "fetch"}, false},
    {{"git", "commit", "-m", "x"}, false},
    {{"git", "checkout", "."}, false},
    // git global options that change what runs or where
    {{"git", "-C", "/other", "status"}, false},
    {{"git", "-C/other", "status"}, false},
    {{"git", "-c", "core.pager=sh", "log"}, false},
    {{"git", "-ccore.pager=sh", "log"}, false},
    {{"git", "-p", "log"}, false},
    {{"git", "--paginate", "log"}, false},
    {{"git", "--git-dir=/other/.git", "status"}, false},
    {{"git", "--git-dir", "/other/.git", "status"}, false},
    {{"git", "--work-tree=/other", "status"}, false},
    {{"git", "--exec-path=/tmp/bin", "status"}, false},
    {{"git", "--namespace", "x", "log"}, false},
    {{"git", "--super-prefix=x/", "status"}, false},
    {{"git", "--config-env=core.pager=PAGER", "log"}, false},
    // git subcommand options that write files or run programs
    {{"git", "log", "--output=/tmp/x"}, false},
    {{"git", "diff", "--output", "/tmp/x"}, false},
    {{"git", "diff", "--ext-diff"}, false},
    {{"git", "show", "--textconv", "HEAD:file"}, false},
    {{"git", "log", "--exec=x"}, false},
    {{"git", "branch", "--format=%(refname)", "--output=x"}, false},
    // Shell scripts
    {{"bash", "-lc", "ls"}, true},
    {{"zsh", "-lc", "ls -1"}, true},
    {{"sh", "-c", "grep -R \"Cargo.toml\" -n || true"}, true},
    {{"bash", "-lc", "ls && pwd; echo 'hi' | wc -l"}, true},
    {{"bash", "-lc", "sed -n '1,5p' file.txt"}, true},
    {{"/bin/bash", "-c", "git status && git log -1"}, true},
    {{"bash", "-lc", "find . -name file.txt"}, true},
    {{"bash", "-lc", "ls && rm -rf /"}, false},
    {{"bash", "-lc", "find . -name x -delete"}, false},
    {{"bash", "-lc", "(ls)"}, false},
    {{"bash", "-lc", "ls > out.txt"}, false},
    {{"bash", "-lc", "cat $HOME/x"}, false},
    {{"bash", "-lc", "ls *.cc"}, false},
    {{"bash", "-lc", "'git status'"}, false},   // a program named "git status"
    {{"bash", "-lc", "git", "status"}, false},  // four words: not a script
    {{"bash", "-lc", ""}, false},
    {{"bash", "-lc", "bash -lc ls"}, false},  // the inner shell is not on the list
    {{"./bash", "-c", "ls"}, false},
    {{"bash", "-x", "ls"}, false},
};

TEST(KnownSafe, Table) {
  for (const SafeCase& c : kCases) {
    EXPECT_EQ(is_known_safe(c.argv), c.safe) << ::testing::PrintToString(c.argv);
  }
  EXPECT_GE(kCases.size(), 40u);
}

TEST(KnownSafe, EveryAlwaysSafeNameAlone) {
  for (const char* name :
       {"cat",  "cd",    "cut",   "echo", "expr",  "false",  "grep",   "head", "id",
        "ls",   "nl",    "paste", "pwd",  "rev",   "seq",    "stat",   "tail", "tr",
        "true", "uname", "uniq",  "wc",   "which", "whoami", "numfmt", "tac"}) {
    EXPECT_TRUE(is_known_safe({name})) << name;
    EXPECT_TRUE(is_known_safe({"bash", "-lc", std::string(name) + " x"})) << name;
  }
}

}  // namespace
}  // namespace cordon::command
