// Dangerous commands: forced rm, destructive git, through wrappers and shell scripts,
// and the depth limit.
#include "command/dangerous.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace cordon::command {
namespace {

struct DangerCase {
  Argv argv;
  // The offending command find_danger must report; empty when argv is not dangerous.
  Argv offending;
  // A piece of the reason (checked when non-empty).
  std::string reason_part = "";
};

const Argv kRmRf = {"rm", "-rf", "/tmp/example"};

const std::vector<DangerCase> kDangerous = {
    // Forced rm
    {{"rm", "-f", "x"}, {"rm", "-f", "x"}, "forced rm"},
    {kRmRf, kRmRf, "rm -rf deletes without asking"},
    {{"/bin/rm", "-fr", "/tmp/example"}, {"/bin/rm", "-fr", "/tmp/example"}},
    {{"rm", "-r", "-f", "d"}, {"rm", "-r", "-f", "d"}},
    {{"rm", "--force", "d"}, {"rm", "--force", "d"}},
    {{"rm", "--forc", "d"}, {"rm", "--forc", "d"}},  // GNU takes abbreviations
    {{"rm", "d", "-f"}, {"rm", "d", "-f"}},          // options after operands
    {{"rm", "-vrfi", "d"}, {"rm", "-vrfi", "d"}},
    {{"rm", "--interactive=never", "d"}, {"rm", "--interactive=never", "d"}},
    {{"rm", "-r", "--no-preserve-root", "/"},
     {"rm", "-r", "--no-preserve-root", "/"},
     "whole file system"},
    // Destructive git
    {{"git", "reset", "--hard"}, {"git", "reset", "--hard"}, "discards uncommitted changes"},
    {{"git", "reset", "--hard", "HEAD~3"}, {"git", "reset", "--hard", "HEAD~3"}},
    {{"git", "-C", "/repo", "reset", "--hard"}, {"git", "-C", "/repo", "reset", "--hard"}},
    {{"git", "-c", "user.name=x", "--git-dir=/r/.git", "clean", "-fdx"},
     {"git", "-c", "user.name=x", "--git-dir=/r/.git", "clean", "-fdx"},
     "untracked"},
    {{"git", "clean", "-d"}, {"git", "clean", "-d"}},
    {{"git", "push", "--force"}, {"git", "push", "--force"}, "overwrites the remote history"},
    {{"git", "push", "-f", "origin", "main"}, {"git", "push", "-f", "origin", "main"}},
    {{"git", "push", "-uf", "origin", "main"}, {"git", "push", "-uf", "origin", "main"}},
    {{"git", "push", "--force-with-lease=main:abc"},
     {"git", "push", "--force-with-lease=main:abc"}},
    {{"git", "push", "origin", "+main"}, {"git", "push", "origin", "+main"}},
    {{"git", "push", "origin", "--delete", "b"}, {"git", "push", "origin", "--delete", "b"}},
    {{"git", "push", "origin", ":b"}, {"git", "push", "origin", ":b"}, "deletes"},
    {{"git", "push", "--mirror", "backup"}, {"git", "push", "--mirror", "backup"}},
    {{"git", "branch", "-D", "topic"}, {"git", "branch", "-D", "topic"}, "not merged"},
    {{"git", "branch", "-f", "main", "HEAD~2"}, {"git", "branch", "-f", "main", "HEAD~2"}},
    {{"git", "branch", "-M", "a", "b"}, {"git", "branch", "-M", "a", "b"}},
    {{"git", "checkout", "-f", "main"}, {"git", "checkout", "-f", "main"}},
    {{"git", "checkout", "--", "src/a.cc"}, {"git", "checkout", "--", "src/a.cc"}, "local changes"},
    {{"git", "checkout", "."}, {"git", "checkout", "."}},
    {{"git", "checkout", "--theirs", "x"}, {"git", "checkout", "--theirs", "x"}},
    {{"git", "switch", "--discard-changes", "main"},
     {"git", "switch", "--discard-changes", "main"}},
    {{"git", "restore", "src/a.cc"}, {"git", "restore", "src/a.cc"}, "working-tree"},
    {{"git", "restore", "--staged", "--worktree", "a"},
     {"git", "restore", "--staged", "--worktree", "a"}},
    {{"git", "rm", "-rf", "dir"}, {"git", "rm", "-rf", "dir"}},
    {{"git", "stash", "drop"}, {"git", "stash", "drop"}, "stash"},
    {{"git", "stash", "clear"}, {"git", "stash", "clear"}},
    {{"git", "reflog", "expire", "--expire=now", "--all"},
     {"git", "reflog", "expire", "--expire=now", "--all"}},
    {{"git", "reflog", "delete", "HEAD@{1}"}, {"git", "reflog", "delete", "HEAD@{1}"}},
    {{"git", "update-ref", "-d", "refs/heads/x"}, {"git", "update-ref", "-d", "refs/heads/x"}},
    {{"git", "filter-branch", "--tree-filter", "x"},
     {"git", "filter-branch", "--tree-filter", "x"},
     "history"},
    {{"git", "worktree", "remove", "--force", "../wt"},
     {"git", "worktree", "remove", "--force", "../wt"}},
    {{"git", "gc", "--prune=now"}, {"git", "gc", "--prune=now"}},
    {{"git", "-c", "alias.nuke=reset --hard", "nuke"}, {"git", "reset", "--hard"}},
    {{"git", "-c", "alias.x=!rm -rf /", "x"}, {"rm", "-rf", "/"}},
    // Wrappers
    {{"sudo", "rm", "-rf", "/tmp/example"}, kRmRf},
    {{"sudo", "-u", "root", "-E", "rm", "-rf", "/tmp/example"}, kRmRf},
    {{"sudo", "--user=root", "--", "rm", "-rf", "/tmp/example"}, kRmRf},
    {{"sudo", "-h", "otherhost", "rm", "-rf", "/tmp/example"}, kRmRf},  // -h read both ways
    {{"env", "rm", "-rf", "/tmp/example"}, kRmRf},
    {{"env", "-i", "-u", "HOME", "A=1", "B=2", "--", "rm", "-rf", "/tmp/example"}, kRmRf},
    {{"env", "-", "PATH=/bin", "rm", "-rf", "/tmp/example"}, kRmRf},
    {{"env", "-S", "rm -rf", "/tmp/example"}, kRmRf},
    {{"nice", "-n", "10", "rm", "-rf", "/tmp/example"}, kRmRf},
    {{"nice", "-5", "rm", "-rf", "/tmp/example"}, kRmRf},
    {{"nohup", "rm", "-rf", "/tmp/example"}, kRmRf},
    {{"time", "-o", "t.txt", "rm", "-rf", "/tmp/example"}, kRmRf},
    {{"timeout", "-s", "KILL", "10s", "rm", "-rf", "/tmp/example"}, kRmRf},
    {{"timeout", "--preserve-status", "5", "git", "reset", "--hard"}, {"git", "reset", "--hard"}},
    {{"xargs", "-0", "-I", "{}", "rm", "-rf", "/tmp/example"}, kRmRf},
    {{"xargs", "rm", "-f"}, {"rm", "-f"}},
    {{"stdbuf", "-oL", "rm", "-rf", "/tmp/example"}, kRmRf},
    {{"setsid", "-f", "rm", "-rf", "/tmp/example"}, kRmRf},
    {{"ionice", "-c", "3", "rm", "-rf", "/tmp/example"}, kRmRf},
    {{"chroot", "/", "rm", "-rf", "/tmp/example"}, kRmRf},
    {{"command", "-p", "rm", "-rf", "/tmp/example"}, kRmRf},
    {{"exec", "-a", "name", "rm", "-rf", "/tmp/example"}, kRmRf},
    {{"busybox", "rm", "-rf", "/tmp/example"}, kRmRf},
    {{"doas", "-u", "root", "rm", "-rf", "/tmp/example"}, kRmRf},
    {{"sudo", "env", "A=1", "nice", "timeout", "5", "rm", "-rf", "/tmp/example"}, kRmRf},
    {{"su", "-", "root", "-c", "rm -rf /tmp/example"}, kRmRf},
    {{"runuser", "-u", "nobody", "--", "rm", "-rf", "/tmp/example"}, kRmRf},
    {{"flock", "/tmp/lock", "-c", "rm -rf /tmp/example"}, kRmRf},
    {{"flock", "-w", "5", "/tmp/lock", "rm", "-rf", "/tmp/example"}, kRmRf},
    {{"watch", "-n", "5", "rm", "-rf", "/tmp/example"}, kRmRf},
    {{"eval", "rm", "-rf", "/tmp/example"}, kRmRf},
    {{"trap", "rm -rf /tmp/example", "EXIT"}, kRmRf},
    {{"trap", "--", "rm -rf /tmp/example", "EXIT"}, kRmRf},
    {{"find", ".", "-name", "*.o", "-exec", "rm", "-f", "{}", ";"}, {"rm", "-f", "{}"}},
    {{"find", ".", "-execdir", "git", "clean", "-fdx", "+"}, {"git", "clean", "-fdx"}},
    // Shell scripts: every literal command, anywhere
    {{"bash", "-lc", "rm -rf /tmp/example"}, kRmRf},
    {{"bash", "-lc", "ls && rm -rf /tmp/example"}, kRmRf},
    {{"sh", "-c", "printf x | rm -rf /tmp/example"}, kRmRf},
    {{"bash", "-lc", "if test -d /tmp/example; then rm --force /tmp/example; fi"},
     {"rm", "--force", "/tmp/example"}},
    {{"bash", "-lc", "rm -rf \"$TARGET\" >/dev/null"}, {"rm", "-rf", "$TARGET"}},
    {{"bash", "-lc", "for t in /a /b; do rm -r -f \"$t\"; done"}, {"rm", "-r", "-f", "$t"}},
    {{"bash", "-lc", "echo \"$(rm -rf /tmp/example)\""}, kRmRf},
    {{"zsh", "-c", "cat <<EOF\n`rm -rf /tmp/example`\nEOF"}, kRmRf},
    {{"bash", "-e", "-o", "pipefail", "-c", "rm -rf /tmp/example"}, kRmRf},
    {{"bash", "--login", "-c", "rm -rf /tmp/example"}, kRmRf},
    {{"dash", "-ec", "git push -f"}, {"git", "push", "-f"}},
    {{"ksh", "-c", "FOO=1 rm -rf /tmp/example"}, kRmRf},
    {{"/usr/bin/fish", "-c", "rm -rf /tmp/example"}, kRmRf},
    {{"bash", "-lc", "sudo rm -rf /tmp/example"}, kRmRf},
    {{"bash", "-lc", "git stash clear"}, {"git", "stash", "clear"}},
    {{"bash", "-lc", "trap 'rm -rf /tmp/example' EXIT; ls"}, kRmRf},
    {{"bash", "-lc", "ls | xargs rm -f"}, {"rm", "-f"}},
    {{"bash", "-lc", "if then rm -rf /tmp/example"}, kRmRf},  // broken, still read
    // bash takes this for options and runs nothing; read as a script anyway (found by
    // fuzz_shell_split).
    {{"bash", "-lc", "-x; rm -rf /tmp/example"}, kRmRf},
    {{"bash", "-e", "-o pipefail; rm -rf /tmp/example", "-c", "ls"}, kRmRf},
    // Nested shells
    {{"sh", "-c", "bash -c 'rm -rf /tmp/example'"}, kRmRf},
    {{"bash", "-lc", "sh -c \"zsh -c 'sudo rm -rf /tmp/example'\""}, kRmRf},
    {{"sudo", "bash", "-c", "env X=1 sh -c 'rm -rf /tmp/example'"}, kRmRf},
};

const std::vector<Argv> kNotDangerous = {
    {},
    {"ls", "-la"},
    {"rm", "x"},
    {"rm", "-r", "/tmp/example"},
    {"rm", "-i", "x"},
    {"rm", "--", "-f"},
    {"rm", "--interactive=always", "x"},
    {"rm", "--preserve-root", "-r", "x"},
    {"echo", "rm", "-rf", "/"},
    {"git", "status"},
    {"git", "reset", "HEAD~1"},
    {"git", "reset", "--soft", "HEAD~1"},
    {"git", "clean", "-n", "-d"},
    {"git", "clean", "--dry-run"},
    {"git", "push", "origin", "main"},
    {"git", "push", "-u", "origin", "topic"},
    {"git", "branch", "-d", "merged"},
    {"git", "branch", "new"},
    {"git", "checkout", "main"},
    {"git", "checkout", "-b", "fix"},
    {"git", "checkout", "-bfix"},  // -b with value "fix", not -f
    {"git", "switch", "-c", "feature"},
    {"git", "restore", "--staged", "a.cc"},
    {"git", "rm", "--cached", "a.cc"},
    {"git", "stash"},
    {"git", "stash", "pop"},
    {"git", "reflog"},
    {"git", "worktree", "remove", "../wt"},
    {"git", "gc"},
    {"git", "-C", "/repo", "log"},
    {"git", "-c", "alias.st=status", "st"},
    {"sudo", "ls"},
    {"sudo", "-u", "rm", "ls"},  // a user named rm
    {"env", "A=rm", "ls", "-f"},
    {"timeout", "10", "make"},
    {"xargs", "grep", "-f", "patterns"},
    {"find", ".", "-name", "*.rs"},
    {"find", ".", "-exec", "grep", "-l", "x", "{}", "+"},
    {"bash", "-lc", "echo 'rm -rf /tmp/example'"},
    {"bash", "-lc", "cmd=rm; $cmd -rf /tmp/example"},
    {"bash", "-lc", "ls # rm -rf /"},
    {"bash", "-lc", "cat <<'EOF'\n$(rm -rf /)\nEOF"},
    {"bash", "script.sh", "-rf"},
    {"bash", "-c"},
    {"python3", "-c", "import os"},
    {"trap", "-p"},
};

TEST(Dangerous, DangerousTable) {
  for (const DangerCase& c : kDangerous) {
    SCOPED_TRACE(::testing::PrintToString(c.argv));
    const std::optional<Danger> d = find_danger(c.argv);
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->command, c.offending);
    EXPECT_FALSE(d->reason.empty());
    if (!c.reason_part.empty()) {
      EXPECT_NE(d->reason.find(c.reason_part), std::string::npos) << d->reason;
    }
  }
  EXPECT_GE(kDangerous.size(), 40u);
}

TEST(Dangerous, SafeTable) {
  for (const Argv& argv : kNotDangerous) {
    const std::optional<Danger> d = find_danger(argv);
    EXPECT_FALSE(d.has_value()) << ::testing::PrintToString(argv) << ": " << (d ? d->reason : "");
  }
}

Argv wrapped(int levels, const Argv& inner) {
  Argv argv;
  for (int i = 0; i < levels; ++i) argv.push_back("sudo");
  argv.insert(argv.end(), inner.begin(), inner.end());
  return argv;
}

TEST(Dangerous, WrappersUpToEightLevelsAreFollowed) {
  EXPECT_FALSE(find_danger(wrapped(8, {"ls"})).has_value());
  const auto d = find_danger(wrapped(8, kRmRf));
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->command, kRmRf);
}

TEST(Dangerous, DeeperThanEightLevelsIsDangerous) {
  const auto d = find_danger(wrapped(9, {"ls"}));
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->command, Argv{"ls"});
  EXPECT_NE(d->reason.find("too deep"), std::string::npos) << d->reason;
}

TEST(Dangerous, NestedShellsCountAsLevels) {
  // Eight nested `sh -c` levels around ls are fine, nine are not.
  auto nest = [](int levels) {
    std::string script = "ls";
    for (int i = 1; i < levels; ++i) {
      std::string quoted = "'";
      for (char c : script) quoted += c == '\'' ? std::string("'\"'\"'") : std::string(1, c);
      script = "sh -c " + quoted + "'";
    }
    return Argv{"sh", "-c", script};
  };
  EXPECT_FALSE(find_danger(nest(8)).has_value());
  EXPECT_TRUE(find_danger(nest(9)).has_value());
}

TEST(Dangerous, ManyUnknownOptionsStayBounded) {
  // Every unknown option is tried two ways; the work stays bounded and the answer is
  // "dangerous" (cannot check) rather than a miss or a hang.
  Argv argv;
  for (int i = 0; i < 8; ++i) {
    argv.push_back("sudo");
    for (int j = 0; j < 12; ++j) argv.push_back("-Z");
  }
  argv.push_back("ls");
  EXPECT_TRUE(find_danger(argv).has_value());
}

TEST(Dangerous, WrapperNames) {
  for (const char* name : {"sudo", "env", "xargs", "timeout", "bash", "sh", "eval", "trap", "su",
                           "watch", "flock", "nohup"}) {
    EXPECT_TRUE(is_command_wrapper(name)) << name;
  }
  for (const char* name : {"ls", "git", "rm", "python3", "find"}) {
    EXPECT_FALSE(is_command_wrapper(name)) << name;
  }
}

}  // namespace
}  // namespace cordon::command
