// The shell-script splitter: plain mode (split or refuse), literal mode (every command
// anywhere), shell detection, and plain mode cross-checked against the real bash.
#include "command/shell_split.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace cordon::command {
namespace {

struct PlainCase {
  const char* name;
  std::string script;
  std::vector<Argv> want;
};

// Scripts plain mode accepts, and the argvs they run.
const std::vector<PlainCase> kAccepted = {
    {"one_word", "pwd", {{"pwd"}}},
    {"flags", "ls -la src", {{"ls", "-la", "src"}}},
    {"and", "ls && pwd", {{"ls"}, {"pwd"}}},
    {"or", "false || true", {{"false"}, {"true"}}},
    {"semicolon", "ls; pwd", {{"ls"}, {"pwd"}}},
    {"pipe", "ls | wc -l", {{"ls"}, {"wc", "-l"}}},
    {"three_stage_pipe",
     "ls -1 | head -n 5 | tail -n 2",
     {{"ls", "-1"}, {"head", "-n", "5"}, {"tail", "-n", "2"}}},
    {"all_operators",
     "cat a.txt | grep x && wc b; uname || id",
     {{"cat", "a.txt"}, {"grep", "x"}, {"wc", "b"}, {"uname"}, {"id"}}},
    {"double_quoted", "echo \"two words\"", {{"echo", "two words"}}},
    {"single_quoted", "echo 'two words' 'x'", {{"echo", "two words", "x"}}},
    {"flag_glued_to_double_quotes",
     "rg -n \"needle\" -g\"*.cc\"",
     {{"rg", "-n", "needle", "-g*.cc"}}},
    {"flag_glued_to_single_quotes",
     "grep -r 'needle' --include='*.h'",
     {{"grep", "-r", "needle", "--include=*.h"}}},
    {"mixed_concatenation", "echo \"/opt\"'/'\"tools\"/bin", {{"echo", "/opt/tools/bin"}}},
    {"bare_and_quoted_parts", "echo ab\"cd\"'ef'gh", {{"echo", "abcdefgh"}}},
    {"newline_in_double_quotes",
     "git commit -m \"first\nsecond\"",
     {{"git", "commit", "-m", "first\nsecond"}}},
    {"empty_single_quotes", "echo ''", {{"echo", ""}}},
    {"empty_double_quotes", "echo \"\" x", {{"echo", "", "x"}}},
    {"blanks_and_tabs", "  ls \t -a\t ", {{"ls", "-a"}}},
    {"newline_separates", "ls\npwd", {{"ls"}, {"pwd"}}},
    {"blank_lines_around", "\n\nls\n\n\npwd\n", {{"ls"}, {"pwd"}}},
    {"newline_after_and", "ls &&\n\npwd", {{"ls"}, {"pwd"}}},
    {"newline_after_pipe", "ls |\n  wc", {{"ls"}, {"wc"}}},
    {"trailing_semicolon", "ls;", {{"ls"}}},
    {"semicolon_then_newline", "ls ;\npwd", {{"ls"}, {"pwd"}}},
    {"equals_in_argument", "echo a=b --prefix=/usr", {{"echo", "a=b", "--prefix=/usr"}}},
    {"apostrophe_in_double_quotes", "echo \"it's\"", {{"echo", "it's"}}},
    {"double_quote_in_single_quotes", "echo 'say \"hi\"'", {{"echo", "say \"hi\""}}},
    {"sed_range", "sed -n 1,5p file.txt", {{"sed", "-n", "1,5p", "file.txt"}}},
    {"operators_inside_quotes", "echo \"a;b&&c|d\" 'e||f'", {{"echo", "a;b&&c|d", "e||f"}}},
    {"expansions_inside_single_quotes",
     "echo '$HOME' '`id`' '\\n' '$(x)'",
     {{"echo", "$HOME", "`id`", "\\n", "$(x)"}}},
    {"hash_inside_quotes", "echo \"#not a comment\"", {{"echo", "#not a comment"}}},
    {"glob_characters_quoted",
     "echo '*.py' \"?\" '[a]' '~' \"{a,b}\"",
     {{"echo", "*.py", "?", "[a]", "~", "{a,b}"}}},
    {"reserved_words_as_arguments", "echo if then fi done", {{"echo", "if", "then", "fi", "done"}}},
    {"punctuation_in_words",
     "echo 100% user@host a:b a,b a+b ./x",
     {{"echo", "100%", "user@host", "a:b", "a,b", "a+b", "./x"}}},
    {"non_ascii_in_quotes",
     "echo \"d\xC3\xA9j\xC3\xA0\" '\xE2\x82\xAC'",
     {{"echo", "d\xC3\xA9j\xC3\xA0", "\xE2\x82\xAC"}}},
    {"bang_in_quotes", "echo '!' \"wow!\"", {{"echo", "!", "wow!"}}},
    {"tab_in_quotes", "echo \"a\tb\"", {{"echo", "a\tb"}}},
    {"path_command", "/usr/bin/env ls", {{"/usr/bin/env", "ls"}}},
    {"quoted_command_name", "'ls' -a", {{"ls", "-a"}}},
    {"numbers", "seq 1 10 2", {{"seq", "1", "10", "2"}}},
};

struct RefusedCase {
  const char* name;
  std::string script;
};

// Scripts plain mode refuses (every refusal reason at least once).
const std::vector<RefusedCase> kRefused = {
    {"empty", ""},
    {"only_blanks", "  \t\n \n"},
    {"redirect_out", "ls > out.txt"},
    {"redirect_fd", "ls 2>/dev/null"},
    {"redirect_in", "cat < in.txt"},
    {"redirect_glued", "ls>out"},
    {"heredoc", "cat <<EOF\nx\nEOF"},
    {"herestring", "cat <<< hi"},
    {"subshell", "(ls)"},
    {"subshell_after_or", "ls || (pwd && echo hi)"},
    {"brace_group", "{ ls; }"},
    {"brace_expansion", "echo {a,b}"},
    {"command_substitution", "echo $(pwd)"},
    {"backticks", "echo `pwd`"},
    {"variable", "echo $HOME"},
    {"braced_variable", "echo ${HOME}"},
    {"variable_in_double_quotes", "echo \"hi $USER\""},
    {"substitution_in_double_quotes", "echo \"$(pwd)\""},
    {"backticks_in_double_quotes", "echo \"`pwd`\""},
    {"arithmetic", "echo $((1+2))"},
    {"ansi_c_quotes", "echo $'a\\nb'"},
    {"variable_glued_to_flag", "rg -g\"$GLOB\" x"},
    {"escape_in_double_quotes", "echo \"a\\\"b\""},
    {"backslash_escape", "echo a\\ b"},
    {"line_continuation", "ls \\\n-a"},
    {"glob_star", "ls *.py"},
    {"glob_question", "ls file?.txt"},
    {"glob_bracket", "ls [ab].txt"},
    {"closing_bracket", "echo a]"},
    {"tilde_alone", "ls ~"},
    {"tilde_path", "cat ~/notes"},
    {"tilde_after_equals", "echo --dir=~"},
    {"assignment_prefix", "FOO=bar ls"},
    {"assignment_alone", "FOO=bar"},
    {"assignment_in_second_command", "ls && A=1"},
    {"quoted_assignment_word", "'FOO=bar' ls"},
    {"background", "ls &"},
    {"background_then_command", "ls & pwd"},
    {"if", "if true; then ls; fi"},
    {"for", "for x in a b; do ls; done"},
    {"while", "while true; do ls; done"},
    {"until", "until false; do ls; done"},
    {"case", "case x in a) ls;; esac"},
    {"select", "select x in a; do ls; done"},
    {"function_keyword", "function f { ls; }"},
    {"time_keyword", "time ls"},
    {"coproc", "coproc ls"},
    {"negation", "! ls"},
    {"zsh_noglob", "noglob ls"},
    {"zsh_dash_modifier", "- ls"},
    {"zsh_repeat", "repeat 3 ls"},
    {"stray_then", "then ls"},
    {"double_bracket_test", "[[ -f x ]]"},
    {"comment_after", "ls # list"},
    {"comment_only", "# nothing"},
    {"hash_in_word", "echo a#b"},
    {"double_semicolon", "ls ;; pwd"},
    {"case_fallthrough", "ls ;& pwd"},
    {"trailing_and", "ls && "},
    {"trailing_or", "ls ||"},
    {"trailing_pipe", "ls |"},
    {"leading_and", "&& ls"},
    {"leading_pipe", "| ls"},
    {"leading_semicolon", "; ls"},
    {"empty_pipe_stage", "ls | | wc"},
    {"semicolon_after_and", "ls && ; pwd"},
    {"semicolon_after_newline", "ls\n; pwd"},
    {"pipe_stderr", "ls |& wc"},
    {"unterminated_single", "echo 'abc"},
    {"unterminated_double", "echo \"abc"},
    {"adjacent_single_quotes", "echo 'a''b'"},
    {"nul_byte", std::string("ls\0rm -rf /", 11)},
    {"zsh_equals_expansion", "echo =ls"},
    {"zsh_equals_command", "=ls"},
    {"carriage_return", "ls\r"},
    {"control_character", "echo \x01"},
    {"non_ascii_unquoted", "cat caf\xC3\xA9"},
    {"caret", "grep ^foo x"},
    {"bang_in_word", "echo hi!"},
    {"parenthesis_in_word", "echo a(b)"},
};

TEST(SplitPlain, AcceptsPlainScripts) {
  for (const PlainCase& c : kAccepted) {
    SCOPED_TRACE(c.name);
    const auto got = split_plain(c.script);
    ASSERT_TRUE(got.has_value()) << c.script;
    EXPECT_EQ(*got, c.want);
  }
}

TEST(SplitPlain, RefusesWhatIsNotPlain) {
  for (const RefusedCase& c : kRefused) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(split_plain(c.script), std::nullopt) << c.script;
  }
}

TEST(SplitPlain, TablesAreBigEnough) {
  EXPECT_GE(kAccepted.size() + kRefused.size(), 60u);
}

// Quotes every word in single quotes (a ' as '"'"'), joins words with blanks and
// commands with the given separator.
std::string requote(const std::vector<Argv>& commands, const std::string& separator) {
  std::string s;
  for (size_t i = 0; i < commands.size(); ++i) {
    if (i > 0) s += separator;
    for (size_t j = 0; j < commands[i].size(); ++j) {
      if (j > 0) s += ' ';
      s += '\'';
      for (char c : commands[i][j]) {
        if (c == '\'') {
          s += "'\"'\"'";
        } else {
          s += c;
        }
      }
      s += '\'';
    }
  }
  return s;
}

TEST(SplitPlain, RequotedSplitSplitsTheSame) {
  for (const PlainCase& c : kAccepted) {
    SCOPED_TRACE(c.name);
    for (const char* sep : {" ; ", " && ", "\n", " | "}) {
      const std::string again = requote(c.want, sep);
      EXPECT_EQ(split_plain(again), c.want) << again;
    }
  }
}

TEST(SplitPlain, LiteralModeAgreesOnPlainScripts) {
  for (const PlainCase& c : kAccepted) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(literal_commands(c.script), c.want);
  }
}

// ---------------------------------------------------------------------------------------
// Cross-check with the real bash: every builtin disabled and PATH pointing nowhere, so each
// simple command reaches command_not_found_handle, which writes its argv (length-prefixed
// words) to fd 3.

constexpr const char* kPrelude =
    "command_not_found_handle() { local r= a; for a in \"$@\"; do r+=\"${#a}:$a,\"; done;"
    " printf '%s\\n' \"$r\" >&3; return 0; }\n"
    "for b in $(compgen -b); do case $b in printf|local|return|enable) ;;"
    " *) enable -n \"$b\";; esac; done\n";

std::optional<std::vector<Argv>> parse_records(const std::string& out) {
  std::vector<Argv> records;
  size_t pos = 0;
  while (pos < out.size()) {
    Argv argv;
    while (pos < out.size() && out[pos] != '\n') {
      const size_t colon = out.find(':', pos);
      if (colon == std::string::npos) return std::nullopt;
      const size_t len = std::stoul(out.substr(pos, colon - pos));
      if (colon + 1 + len >= out.size() || out[colon + 1 + len] != ',') return std::nullopt;
      argv.push_back(out.substr(colon + 1, len));
      pos = colon + 2 + len;
    }
    ++pos;
    records.push_back(std::move(argv));
  }
  return records;
}

std::optional<std::vector<Argv>> argvs_bash_runs(const std::string& script) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return std::nullopt;
  const std::string full = std::string(kPrelude) + script;
  const pid_t pid = fork();
  if (pid < 0) return std::nullopt;
  if (pid == 0) {
    dup2(fds[1], 1);
    dup2(fds[1], 3);
    const int devnull = open("/dev/null", O_WRONLY);
    if (devnull >= 0) dup2(devnull, 2);
    const char* argv[] = {"/bin/bash", "-c", full.c_str(), nullptr};
    const char* envp[] = {"LC_ALL=C", "PATH=/nonexistent/cordon-test", nullptr};
    execve(argv[0], const_cast<char* const*>(argv), const_cast<char* const*>(envp));
    _exit(127);
  }
  close(fds[1]);
  std::string out;
  char buf[4096];
  for (;;) {
    const ssize_t n = read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return parse_records(out);
}

TEST(SplitPlain, BashRunsExactlyTheSplitArgvs) {
  size_t checked = 0;
  for (const PlainCase& c : kAccepted) {
    // || skips its right side when the left succeeds (the handler returns 0); a name
    // with a slash is run directly instead of reaching the handler; these four stay
    // builtins in the harness.
    if (c.script.find("||") != std::string::npos) continue;
    const bool skip = std::any_of(c.want.begin(), c.want.end(), [](const Argv& a) {
      return a[0].find('/') != std::string::npos || a[0] == "printf" || a[0] == "local" ||
             a[0] == "return" || a[0] == "enable";
    });
    if (skip) continue;
    SCOPED_TRACE(c.name);
    auto got = argvs_bash_runs(c.script);
    ASSERT_TRUE(got.has_value()) << "could not run or read bash for: " << c.script;
    std::vector<Argv> want = c.want;
    // Pipeline stages run at the same time: compare without order.
    std::sort(got->begin(), got->end());
    std::sort(want.begin(), want.end());
    EXPECT_EQ(*got, want) << c.script;
    ++checked;
  }
  EXPECT_GE(checked, 30u);
}

TEST(SplitPlain, HarnessSeesWhatBashExpands) {
  // The harness itself must be able to fail: bash expands these, so its argv differs
  // from the words as written.
  auto got = argvs_bash_runs("echo a{1,2} 'x'");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, (std::vector<Argv>{{"echo", "a1", "a2", "x"}}));
  got = argvs_bash_runs("X=yz; echo $X ~nonexistentuserxyz");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, (std::vector<Argv>{{"echo", "yz", "~nonexistentuserxyz"}}));
}

// ---------------------------------------------------------------------------------------
// Literal mode

struct LiteralCase {
  const char* name;
  std::string script;
  std::vector<Argv> want;  // exactly these commands, in this order
};

const std::vector<LiteralCase> kLiteral = {
    {"simple", "ls -la", {{"ls", "-la"}}},
    {"if_then",
     "if test -d /tmp/x; then rm --force /tmp/x; fi",
     {{"test", "-d", "/tmp/x"}, {"rm", "--force", "/tmp/x"}}},
    {"for_loop", "for t in /a /b; do rm -r -f \"$t\"; done", {{"rm", "-r", "-f", "$t"}}},
    {"while_with_redirect",
     "while read l; do rm -f \"$l\"; done < list.txt",
     {{"read", "l"}, {"rm", "-f", "$l"}}},
    {"assignments_dropped", "FOO=1 BAR+=2 arr[3]=x rm -rf x", {{"rm", "-rf", "x"}}},
    {"negation", "! rm -f x", {{"rm", "-f", "x"}}},
    {"time_keyword", "time -p rm -f x", {{"rm", "-f", "x"}}},
    {"brace_group", "{ rm -f a; }", {{"rm", "-f", "a"}}},
    {"subshell", "(cd /tmp && rm -f a)", {{"cd", "/tmp"}, {"rm", "-f", "a"}}},
    {"redirections_dropped",
     "rm -rf \"$TARGET\" >/dev/null 2>&1 </dev/null",
     {{"rm", "-rf", "$TARGET"}}},
    {"pipe_and_fd_redirect", "ls 2>&1 | grep -v x", {{"ls"}, {"grep", "-v", "x"}}},
    {"backslash_in_name", "\\rm -f x", {{"rm", "-f", "x"}}},
    {"quotes_in_name", "r\"m\" '-f' x", {{"rm", "-f", "x"}}},
    {"ansi_c_hex", "$'\\x72m' -f x", {{"rm", "-f", "x"}}},
    {"ansi_c_octal", "$'\\162\\155' -f x", {{"rm", "-f", "x"}}},
    {"comment_skipped", "ls # rm -rf /", {{"ls"}}},
    {"quoted_text_is_an_argument", "echo 'rm -rf /'", {{"echo", "rm -rf /"}}},
    {"variable_command_kept_as_written", "cmd=rm; $cmd -rf x", {{"$cmd", "-rf", "x"}}},
    {"function_definition", "f() { rm -f x; }; f", {{"f"}, {"rm", "-f", "x"}, {"f"}}},
    {"function_keyword", "function g { rm -f y; }", {{"rm", "-f", "y"}}},
    {"line_continuation", "ls &&\\\n rm -f x", {{"ls"}, {"rm", "-f", "x"}}},
    {"coproc_simple", "coproc rm -f x", {{"rm", "-f", "x"}}},
    {"coproc_named", "coproc NAME { rm -f x; }", {{"rm", "-f", "x"}}},
    {"broken_if_still_read", "if then rm -rf /tmp/example", {{"rm", "-rf", "/tmp/example"}}},
    {"wrapper_left_alone", "sudo rm -rf /", {{"sudo", "rm", "-rf", "/"}}},
    {"case_arms",
     "case $x in a) rm -f a;; b|c) ls;; esac; pwd",
     {{"rm", "-f", "a"}, {"b"}, {"c"}, {"ls"}, {"pwd"}}},
    {"quoted_heredoc_body_skipped", "cat <<'EOF'\n$(rm -rf /)\nEOF\nls", {{"cat"}, {"ls"}}},
    {"background_job", "rm -f a & ls", {{"rm", "-f", "a"}, {"ls"}}},
    {"double_bracket", "[[ -f x ]] && rm -f x", {{"[[", "-f", "x", "]]"}, {"rm", "-f", "x"}}},
};

// Scripts whose commands must include `want` (nested commands; order not checked).
const std::vector<LiteralCase> kLiteralContains = {
    {"substitution_in_quotes", "echo \"$(rm -rf /tmp/x)\"", {{"rm", "-rf", "/tmp/x"}}},
    {"backticks", "echo `rm -rf /`", {{"rm", "-rf", "/"}}},
    {"escaped_backticks", "echo `echo \\`rm -f q\\``", {{"rm", "-f", "q"}}},
    {"case_inside_substitution",
     "x=$(case y in a) rm -f q;; esac); ls",
     {{"rm", "-f", "q"}, {"ls"}}},
    {"heredoc_body_substitution", "cat <<EOF\nhello $(rm -rf /)\nEOF", {{"rm", "-rf", "/"}}},
    {"heredoc_strip_tabs", "cat <<-EOF\n\t`rm -f t`\n\tEOF\nls", {{"rm", "-f", "t"}, {"ls"}}},
    {"process_substitution", "diff <(ls a) <(ls b)", {{"ls", "a"}, {"ls", "b"}}},
    {"parameter_default", "echo ${x:-$(rm -f y)}", {{"rm", "-f", "y"}}},
    {"arithmetic", "echo $((1 + $(rm -f z)))", {{"rm", "-f", "z"}}},
    {"assignment_value", "A=$(rm -f w) ls", {{"rm", "-f", "w"}, {"ls"}}},
    {"redirect_target_substitution", "ls > $(rm -f v)", {{"rm", "-f", "v"}, {"ls"}}},
    {"unterminated_substitution", "echo \"$(rm -rf /", {{"rm", "-rf", "/"}}},
    {"nested_shell_is_a_command",
     "sh -c \"bash -c 'rm -rf /'\"",
     {{"sh", "-c", "bash -c 'rm -rf /'"}}},
};

TEST(LiteralCommands, ExactTable) {
  for (const LiteralCase& c : kLiteral) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(literal_commands(c.script), c.want) << c.script;
  }
}

TEST(LiteralCommands, FindsNestedCommands) {
  for (const LiteralCase& c : kLiteralContains) {
    SCOPED_TRACE(c.name);
    const std::vector<Argv> got = literal_commands(c.script);
    for (const Argv& w : c.want) {
      EXPECT_NE(std::find(got.begin(), got.end(), w), got.end())
          << c.script << ": missing " << ::testing::PrintToString(w);
    }
  }
}

TEST(LiteralCommands, DeepNestingFallsBackWithoutLosingCommands) {
  const int depth = 200;
  std::string subst;
  for (int i = 0; i < depth; ++i) subst += "echo $(";
  subst += "rm -f deep";
  for (int i = 0; i < depth; ++i) subst += ")";
  std::vector<Argv> got = literal_commands(subst);
  EXPECT_NE(std::find(got.begin(), got.end(), Argv{"rm", "-f", "deep"}), got.end());

  std::string param;
  for (int i = 0; i < depth; ++i) param += "${a:-";
  param += "$(rm -f deeper)";
  for (int i = 0; i < depth; ++i) param += "}";
  got = literal_commands("echo " + param);
  EXPECT_NE(std::find(got.begin(), got.end(), Argv{"rm", "-f", "deeper"}), got.end());

  std::string quotes;
  for (int i = 0; i < depth; ++i) quotes += "\"$(";
  quotes += "rm -f deepest";
  for (int i = 0; i < depth; ++i) quotes += ")\"";
  got = literal_commands("echo " + quotes);
  EXPECT_NE(std::find(got.begin(), got.end(), Argv{"rm", "-f", "deepest"}), got.end());
}

TEST(LiteralCommands, NeverFailsOnBrokenScripts) {
  for (const std::string s :
       {"'", "\"", "`",    "$(",    "${",  "$'", "<<",  "<<EOF", "((",    "))",
        ")", "\\", "case", "esac)", ";;;", "&>", "a<(", "$((",   "{fd}>", "2>"}) {
    SCOPED_TRACE(s);
    const std::vector<Argv> got = literal_commands(s);
    for (const Argv& a : got) EXPECT_FALSE(a.empty());
  }
}

// ---------------------------------------------------------------------------------------
// Shell detection and the policy units

TEST(ShellScript, RecognisesShellDashC) {
  EXPECT_EQ(shell_script({"bash", "-lc", "ls"}), "ls");
  EXPECT_EQ(shell_script({"bash", "-c", "ls"}), "ls");
  EXPECT_EQ(shell_script({"sh", "-c", "ls"}), "ls");
  EXPECT_EQ(shell_script({"zsh", "-lc", "ls"}), "ls");
  EXPECT_EQ(shell_script({"dash", "-c", "ls"}), "ls");
  EXPECT_EQ(shell_script({"/bin/bash", "-lc", "ls"}), "ls");
  EXPECT_EQ(shell_script({"/usr/local/bin/zsh", "-c", ""}), "");
}

TEST(ShellScript, RejectsEverythingElse) {
  EXPECT_EQ(shell_script({"bash", "-lc", "git", "status"}), std::nullopt);  // four words
  EXPECT_EQ(shell_script({"bash", "-lc"}), std::nullopt);
  EXPECT_EQ(shell_script({"bash", "-x", "ls"}), std::nullopt);
  EXPECT_EQ(shell_script({"bash", "-e", "-c"}), std::nullopt);
  EXPECT_EQ(shell_script({"bash", "--login", "ls"}), std::nullopt);
  EXPECT_EQ(shell_script({"fish", "-c", "ls"}), std::nullopt);
  EXPECT_EQ(shell_script({"bashful", "-c", "ls"}), std::nullopt);
  EXPECT_EQ(shell_script({"./bash", "-c", "ls"}), std::nullopt);  // a file in the workspace
  EXPECT_EQ(shell_script({"bin/sh", "-c", "ls"}), std::nullopt);
  EXPECT_EQ(shell_script({"", "-c", "ls"}), std::nullopt);
  EXPECT_EQ(shell_script({"python3", "-c", "print(1)"}), std::nullopt);
  // The shells take a word starting with - or + after -c for more options, not a script.
  EXPECT_EQ(shell_script({"bash", "-c", "-x ls"}), std::nullopt);
  EXPECT_EQ(shell_script({"sh", "-lc", "+e"}), std::nullopt);
  EXPECT_EQ(shell_script({"bash", "-c", "-"}), std::nullopt);
}

TEST(CommandsForPolicy, SplitsPlainScripts) {
  const Units u = commands_for_policy({"bash", "-lc", "ls && git status"});
  EXPECT_TRUE(u.from_script);
  EXPECT_EQ(u.commands, (std::vector<Argv>{{"ls"}, {"git", "status"}}));
}

TEST(CommandsForPolicy, OpaqueWhenNotPlain) {
  const Argv redirect = {"bash", "-lc", "ls > /tmp/x"};
  Units u = commands_for_policy(redirect);
  EXPECT_FALSE(u.from_script);
  EXPECT_EQ(u.commands, std::vector<Argv>{redirect});

  const Argv plain_argv = {"git", "status"};
  u = commands_for_policy(plain_argv);
  EXPECT_FALSE(u.from_script);
  EXPECT_EQ(u.commands, std::vector<Argv>{plain_argv});

  const Argv dash_script = {"bash", "-lc", "-x ls"};  // options to bash, not a script
  u = commands_for_policy(dash_script);
  EXPECT_FALSE(u.from_script);
  EXPECT_EQ(u.commands, std::vector<Argv>{dash_script});

  const Argv quoted_whole = {"bash", "-lc", "'git status'"};  // one word: a program "git status"
  u = commands_for_policy(quoted_whole);
  EXPECT_TRUE(u.from_script);
  EXPECT_EQ(u.commands, std::vector<Argv>{{"git status"}});
}

}  // namespace
}  // namespace cordon::command
