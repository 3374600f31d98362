// e2e: `cordon run` and `cordon explain` through the real binary: what runs without asking,
// what is refused (and that it really did not run), what .rules files change (an allow rule
// really takes the command out of the sandbox), --json, and the interactive prompt on a real
// pseudo-terminal (once, deny, abort, escalation, "always allow" writing a rule the next run
// uses, "allow for this session").
#include <nlohmann/json.hpp>

#include "harness.h"
#include "pty.h"

namespace e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

constexpr int kRefused = 77;
constexpr int kConfig = 78;
constexpr int kDenied = 79;
constexpr int kAborted = 80;
constexpr milliseconds kWait{20000};

class RunCmd : public E2ETest {
 protected:
  RunOptions run_opts(std::vector<std::string> flags = {}) const {
    RunOptions o;
    o.subcommand = {"run"};
    o.flags = std::move(flags);
    o.new_session = true;  // no controlling terminal: nobody can be asked
    return o;
  }

  RunResult cordon_run(Mode m, const std::vector<std::string>& cmd,
                       std::vector<std::string> flags = {},
                       std::map<std::string, std::optional<std::string>> env = {}) {
    RunOptions o = run_opts(std::move(flags));
    o.env = std::move(env);
    return run(m, cmd, o);
  }

  Json explain(Mode m, const std::vector<std::string>& cmd, std::vector<std::string> flags = {}) {
    RunOptions o = run_opts(std::move(flags));
    o.subcommand = {"explain"};
    o.flags.push_back("--json");
    o.check_stubs = false;
    RunResult r = run(m, cmd, o);
    EXPECT_TRUE(r.exited && r.code == 0) << r.describe();
    Json j = Json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.describe();
    return j;
  }

  std::string rules_file() const { return join(cordon_home_, "rules/default.rules"); }

  void write_rules(const std::string& text) {
    make_dir(join(cordon_home_, "rules"));
    write_file(rules_file(), text);
  }

  // cordon run on a pseudo-terminal, as a person at a terminal would start it.
  std::unique_ptr<PtyProcess> run_on_tty(
      Mode m, const std::vector<std::string>& cmd, std::vector<std::string> flags = {},
      std::map<std::string, std::optional<std::string>> env = {}) {
    RunOptions o = run_opts(std::move(flags));
    o.env = std::move(env);
    std::string error;
    auto p = PtyProcess::start(cordon_argv(m, cmd, o), cordon_env(o), ws_, &error);
    EXPECT_TRUE(p) << error;
    return p;
  }

  static std::optional<int> exit_code(const std::optional<int>& wait_status) {
    if (!wait_status || !WIFEXITED(*wait_status)) return std::nullopt;
    return WEXITSTATUS(*wait_status);
  }

  // A directory in the workspace the dangerous commands below try to delete.
  std::string victim() {
    const std::string d = join(ws_, "victim");
    make_dir(d);
    write_file(join(d, "file"), "keep me\n");
    return d;
  }
};

// --- explain: the assessment, nothing runs --------------------------------------------

TEST_F(RunCmd, ExplainUntrustedKnownSafeIsAllowedAndOtherCommandsPrompt) {
  Json j = explain(Mode::WorkspaceWrite, {"git", "status"}, {"-a", "untrusted"});
  EXPECT_EQ(j["decision"], "allow") << j.dump();
  EXPECT_EQ(j["known_safe"], true) << j.dump();
  j = explain(Mode::WorkspaceWrite, {"touch", "x"}, {"-a", "untrusted"});
  EXPECT_EQ(j["decision"], "prompt") << j.dump();
  EXPECT_EQ(j["known_safe"], false) << j.dump();
  EXPECT_FALSE(exists(join(ws_, "x"))) << "explain ran the command";
}

TEST_F(RunCmd, ExplainDangerousPromptsUnderOnRequestAndIsForbiddenUnderNever) {
  Json j = explain(Mode::WorkspaceWrite, {"rm", "-rf", "build"});
  EXPECT_EQ(j["decision"], "prompt") << j.dump();
  EXPECT_TRUE(j["dangerous"].is_string()) << j.dump();
  j = explain(Mode::WorkspaceWrite, {"rm", "-rf", "build"}, {"-a", "never"});
  EXPECT_EQ(j["decision"], "forbidden") << j.dump();
  j = explain(Mode::WorkspaceWrite, {"sudo", "git", "reset", "--hard"});
  EXPECT_EQ(j["decision"], "prompt") << j.dump();
}

TEST_F(RunCmd, ExplainSplitsPlainScriptsAndKeepsOthersWhole) {
  Json j = explain(Mode::WorkspaceWrite, {"bash", "-lc", "git status && ls -la | wc -l"},
                   {"-a", "untrusted"});
  EXPECT_EQ(j["commands"], Json::parse(R"([["git","status"],["ls","-la"],["wc","-l"]])"))
      << j.dump();
  EXPECT_EQ(j["decision"], "allow") << j.dump();
  j = explain(Mode::WorkspaceWrite, {"bash", "-lc", "ls > listing"}, {"-a", "untrusted"});
  EXPECT_EQ(j["commands"].size(), 1u) << j.dump();
  EXPECT_EQ(j["commands"][0][0], "bash") << j.dump();
  EXPECT_EQ(j["decision"], "prompt") << j.dump();
}

// A command's words may carry terminal escapes: cordon's own output shows them escaped.
TEST_F(RunCmd, EscapesInTheCommandAreNotSentToTheTerminal) {
  RunOptions o = run_opts();
  o.subcommand = {"explain"};
  o.check_stubs = false;
  RunResult r = run(Mode::WorkspaceWrite, {"rm", "-rf", "x\x1b[2J"}, o);
  EXPECT_TRUE(r.exited && r.code == 0) << r.describe();
  EXPECT_THAT(r.out, HasSubstr("x\\x1b[2J")) << r.describe();
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << r.describe();
  r = cordon_run(Mode::WorkspaceWrite, {"rm", "-rf", "x\x1b[2J"}, {"-a", "never"});
  EXPECT_TRUE(r.exited && r.code == kRefused) << r.describe();
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << r.describe();
}

// --- run without a terminal -------------------------------------------------------------

TEST_F(RunCmd, AllowedCommandRunsInTheSandboxWithoutAsking) {
  const std::string in = join(ws_, "in"), out = join(outside_, "out");
  RunResult r = cordon_run(Mode::WorkspaceWrite,
                           {"/bin/sh", "-c", "echo in > " + in + "; echo out > " + out});
  EXPECT_TRUE(r.exited && r.code != 0) << "the write outside should fail: " << r.describe();
  EXPECT_EQ(read_file(in), "in\n") << r.describe();
  EXPECT_FALSE(exists(out)) << "the sandbox let the command write outside: " << r.describe();
  EXPECT_THAT(r.err, Not(HasSubstr("approval"))) << r.describe();
}

TEST_F(RunCmd, DangerousCommandWithoutTerminalIsRefusedAndDoesNotRun) {
  const std::string d = victim();
  RunResult r = cordon_run(Mode::WorkspaceWrite, {"rm", "-rf", d});
  EXPECT_TRUE(r.exited && r.code == kRefused) << r.describe();
  EXPECT_TRUE(exists(join(d, "file"))) << "the refused command ran";
  EXPECT_THAT(r.err, HasSubstr("no terminal to ask on")) << r.describe();
  EXPECT_THAT(r.err, HasSubstr("rm")) << r.describe();
}

TEST_F(RunCmd, NeverRefusesWhatWouldAskAndSaysHowToAllowIt) {
  RunResult r = cordon_run(Mode::WorkspaceWrite, {"git", "reset", "--hard"}, {"-a", "never"});
  EXPECT_TRUE(r.exited && r.code == kRefused) << r.describe();
  EXPECT_THAT(r.err, HasSubstr("approval_policy is never")) << r.describe();
  EXPECT_THAT(r.err, HasSubstr("prefix_rule(pattern=[\"git\", \"reset\", \"--hard\"], "
                               "decision=\"allow\")"))
      << r.describe();
}

TEST_F(RunCmd, EscalationWithoutTerminalIsRefused) {
  const std::string out = join(outside_, "escalated");
  RunResult r = cordon_run(Mode::WorkspaceWrite, {"touch", out},
                           {"--escalate", "--justification", "needs to write outside"});
  EXPECT_TRUE(r.exited && r.code == kRefused) << r.describe();
  EXPECT_FALSE(exists(out));
  EXPECT_THAT(r.err, HasSubstr("needs to write outside")) << r.describe();
}

TEST_F(RunCmd, EscalateNeedsAJustification) {
  RunResult r = cordon_run(Mode::WorkspaceWrite, {"true"}, {"--escalate"});
  EXPECT_TRUE(r.exited && r.code == 64) << r.describe();
  EXPECT_THAT(r.err, HasSubstr("--justification")) << r.describe();
}

TEST_F(RunCmd, UntrustedRunsKnownSafeAndRefusesTheRestWithoutTerminal) {
  RunResult r = cordon_run(Mode::WorkspaceWrite, {"ls", "-a"}, {"-a", "untrusted"});
  EXPECT_TRUE(r.exited && r.code == 0) << r.describe();
  EXPECT_THAT(r.out, HasSubstr(".git")) << r.describe();
  const std::string f = join(ws_, "made");
  r = cordon_run(Mode::WorkspaceWrite, {"touch", f}, {"-a", "untrusted"});
  EXPECT_TRUE(r.exited && r.code == kRefused) << r.describe();
  EXPECT_FALSE(exists(f));
}

TEST_F(RunCmd, JsonCapturesTheCommandsOutputAndStatus) {
  RunResult r = cordon_run(Mode::WorkspaceWrite,
                           {"/bin/sh", "-c", "echo to-out; echo to-err >&2; exit 3"}, {"--json"});
  EXPECT_TRUE(r.exited && r.code == 3) << r.describe();
  Json j = Json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.describe();
  EXPECT_EQ(j["outcome"], "ran") << j.dump();
  EXPECT_EQ(j["exit_code"], 3) << j.dump();
  EXPECT_EQ(j["stdout"], "to-out\n") << j.dump();
  EXPECT_EQ(without_landlock_warning(j["stderr"].get<std::string>()), "to-err\n") << j.dump();
  EXPECT_EQ(j["sandboxed"], true) << j.dump();
  EXPECT_EQ(j["decision"], "allow") << j.dump();
}

TEST_F(RunCmd, JsonReportsARefusal) {
  RunResult r =
      cordon_run(Mode::WorkspaceWrite, {"rm", "-rf", victim()}, {"--json", "-a", "never"});
  EXPECT_TRUE(r.exited && r.code == kRefused) << r.describe();
  Json j = Json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.describe();
  EXPECT_EQ(j["outcome"], "refused") << j.dump();
  EXPECT_EQ(j["decision"], "forbidden") << j.dump();
  EXPECT_EQ(j["ran"], false) << j.dump();
  EXPECT_TRUE(j["dangerous"].is_string()) << j.dump();
}

TEST_F(RunCmd, YoloRunsDangerousCommandsUnaskedAndSaysSoOnce) {
  const std::string d = victim();
  RunResult r = cordon_run(Mode::DangerFullAccess, {"rm", "-rf", d});
  EXPECT_TRUE(r.exited && r.code == 0) << r.describe();
  EXPECT_FALSE(exists(d));
  size_t n = 0;
  for (size_t at = 0; (at = r.err.find("no sandbox and no approvals", at)) != std::string::npos;
       ++at) {
    ++n;
  }
  EXPECT_EQ(n, 1u) << r.describe();
}

// --- .rules files -----------------------------------------------------------------------

TEST_F(RunCmd, AllowRuleTakesTheCommandOutOfTheSandbox) {
  const std::string out = join(outside_, "by-rule");
  RunResult r = cordon_run(Mode::WorkspaceWrite, {"touch", out});
  EXPECT_TRUE(r.exited && r.code != 0) << r.describe();
  EXPECT_FALSE(exists(out)) << "without a rule the sandbox must refuse the write";
  write_rules("prefix_rule(pattern=[\"touch\"], decision=\"allow\")\n");
  r = cordon_run(Mode::WorkspaceWrite, {"touch", out});
  EXPECT_TRUE(r.exited && r.code == 0) << r.describe();
  EXPECT_TRUE(exists(out)) << "an explicit allow rule runs the command outside the sandbox";
}

TEST_F(RunCmd, ForbiddenRuleRefusesWithItsJustification) {
  write_rules(
      "prefix_rule(\n  pattern=[\"touch\"],\n  decision=\"forbidden\",\n"
      "  justification=\"use the build system\",\n)\n");
  const std::string f = join(ws_, "never-made");
  RunResult r = cordon_run(Mode::WorkspaceWrite, {"touch", f});
  EXPECT_TRUE(r.exited && r.code == kRefused) << r.describe();
  EXPECT_FALSE(exists(f));
  EXPECT_THAT(r.err, HasSubstr("use the build system")) << r.describe();
  EXPECT_THAT(r.err, HasSubstr("default.rules:1:1")) << r.describe();
}

TEST_F(RunCmd, PromptRuleOnAScriptsSubcommandAsks) {
  write_rules("prefix_rule(pattern=[\"git\", \"push\"], decision=\"prompt\")\n");
  RunResult r = cordon_run(Mode::WorkspaceWrite, {"bash", "-lc", "git status && git push"});
  EXPECT_TRUE(r.exited && r.code == kRefused) << r.describe();
  EXPECT_THAT(r.err, HasSubstr("git push")) << r.describe();
}

TEST_F(RunCmd, BrokenRulesFileIsAConfigErrorWithItsPosition) {
  write_rules("prefix_rule(pattern=[\"ls\"])\nprefix_rule(pattern=[], decision=\"allow\")\n");
  const std::string f = join(ws_, "marker");
  RunResult r = cordon_run(Mode::WorkspaceWrite, {"touch", f});
  EXPECT_TRUE(r.exited && r.code == kConfig) << r.describe();
  EXPECT_THAT(r.err, HasSubstr(rules_file() + ":2:")) << r.describe();
  EXPECT_FALSE(exists(f));
}

// --- the prompt on a terminal -----------------------------------------------------------

TEST_F(RunCmd, TerminalPromptRunOnce) {
  const std::string d = victim();
  auto p = run_on_tty(Mode::WorkspaceWrite, {"rm", "-rf", d});
  ASSERT_TRUE(p);
  ASSERT_TRUE(p->expect("approval needed", kWait)) << strip_terminal(p->output());
  ASSERT_TRUE(p->expect("[n]o", kWait)) << strip_terminal(p->output());
  EXPECT_THAT(strip_terminal(p->output()), HasSubstr("rm -rf"));
  EXPECT_THAT(strip_terminal(p->output()), HasSubstr("dangerous"));
  p->send("y\n");
  EXPECT_EQ(exit_code(p->wait(kWait)), 0) << strip_terminal(p->output());
  EXPECT_FALSE(exists(d)) << "approved once, the command should have run";
}

TEST_F(RunCmd, TerminalPromptDenyAndAbort) {
  const std::string d = victim();
  auto p = run_on_tty(Mode::WorkspaceWrite, {"rm", "-rf", d});
  ASSERT_TRUE(p);
  ASSERT_TRUE(p->expect("[n]o", kWait)) << strip_terminal(p->output());
  p->send("n\n");
  EXPECT_EQ(exit_code(p->wait(kWait)), kDenied) << strip_terminal(p->output());
  EXPECT_TRUE(exists(join(d, "file")));

  p = run_on_tty(Mode::WorkspaceWrite, {"rm", "-rf", d});
  ASSERT_TRUE(p);
  ASSERT_TRUE(p->expect("[n]o", kWait)) << strip_terminal(p->output());
  p->send("q\n");
  EXPECT_EQ(exit_code(p->wait(kWait)), kAborted) << strip_terminal(p->output());
  EXPECT_TRUE(exists(join(d, "file")));
}

TEST_F(RunCmd, ApprovedEscalationRunsOutsideTheSandbox) {
  const std::string out = join(outside_, "escalated");
  auto p = run_on_tty(Mode::WorkspaceWrite, {"touch", out},
                      {"--escalate", "--justification", "record the release outside"});
  ASSERT_TRUE(p);
  ASSERT_TRUE(p->expect("OUTSIDE the sandbox", kWait)) << strip_terminal(p->output());
  ASSERT_TRUE(p->expect("[n]o", kWait)) << strip_terminal(p->output());
  EXPECT_THAT(strip_terminal(p->output()), HasSubstr("record the release outside"));
  p->send("y\n");
  EXPECT_EQ(exit_code(p->wait(kWait)), 0) << strip_terminal(p->output());
  EXPECT_TRUE(exists(out)) << "the approved escalation should run outside the sandbox";
}

TEST_F(RunCmd, AlwaysAllowWritesTheRuleAndTheNextRunDoesNotAsk) {
  const std::string out = join(outside_, "always");
  const std::vector<std::string> cmd = {"touch", out};
  auto p = run_on_tty(Mode::WorkspaceWrite, cmd,
                      {"--escalate", "--justification", "touch a file outside"});
  ASSERT_TRUE(p);
  ASSERT_TRUE(p->expect("[a]lways allow", kWait)) << strip_terminal(p->output());
  ASSERT_TRUE(p->expect("[n]o", kWait)) << strip_terminal(p->output());
  p->send("a\n");
  EXPECT_EQ(exit_code(p->wait(kWait)), 0) << strip_terminal(p->output());
  EXPECT_TRUE(exists(out));
  const std::string rules = read_file(rules_file());
  EXPECT_THAT(rules, HasSubstr("prefix_rule(pattern=[\"touch\", \"" + out +
                               "\"], "
                               "decision=\"allow\")"));

  // The next run, without a terminal and without --escalate: the saved rule allows it and
  // takes it out of the sandbox, so the write outside works and nobody is asked.
  ASSERT_EQ(::unlink(out.c_str()), 0);
  RunResult r = cordon_run(Mode::WorkspaceWrite, cmd);
  EXPECT_TRUE(r.exited && r.code == 0) << r.describe();
  EXPECT_TRUE(exists(out)) << r.describe();

  // Approving again does not write the rule twice.
  ASSERT_EQ(::unlink(out.c_str()), 0);
  r = cordon_run(Mode::WorkspaceWrite, cmd);
  EXPECT_EQ(read_file(rules_file()), rules);
}

TEST_F(RunCmd, SessionApprovalIsNotAskedAgainInTheSameSession) {
  const std::string d = victim();
  const std::map<std::string, std::optional<std::string>> env = {{"CORDON_SESSION", "e2e-1"}};
  auto p = run_on_tty(Mode::WorkspaceWrite, {"rm", "-rf", d}, {}, env);
  ASSERT_TRUE(p);
  ASSERT_TRUE(p->expect("[s]ession", kWait)) << strip_terminal(p->output());
  ASSERT_TRUE(p->expect("[n]o", kWait)) << strip_terminal(p->output());
  p->send("s\n");
  EXPECT_EQ(exit_code(p->wait(kWait)), 0) << strip_terminal(p->output());
  EXPECT_FALSE(exists(d));

  victim();
  RunResult r = cordon_run(Mode::WorkspaceWrite, {"rm", "-rf", d}, {}, env);
  EXPECT_TRUE(r.exited && r.code == 0) << "same session: no question " << r.describe();
  EXPECT_FALSE(exists(d));

  victim();
  r = cordon_run(Mode::WorkspaceWrite, {"rm", "-rf", d}, {}, {{"CORDON_SESSION", "e2e-2"}});
  EXPECT_TRUE(r.exited && r.code == kRefused) << "another session asks again " << r.describe();
  EXPECT_TRUE(exists(d));
}

}  // namespace
}  // namespace e2e
