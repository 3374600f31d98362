// The approval flow of `cordon run` (approval::decide_and_run) as an acceptance table:
// approval policy x sandbox mode x kind of command -> how often a person is asked, what
// happened (ran, refused, denied, aborted), where each run happened (in the sandbox or not)
// and the exit code. Answers come from a scripted prompter, runs from a scripted runner, and
// saved approvals land in a recording store; the .rules policy is real. Targeted tests after
// the table cover the questions' contents, session approvals, "always allow", --yolo, a
// profile that denies reads, and the offer to run again outside the sandbox.
#include "approval/flow.h"

#include <deque>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "rules/policy.h"
#include "util/exit_codes.h"

namespace cordon::approval {
namespace {

using config::ApprovalPolicy;
using config::SandboxMode;
using ::testing::AllOf;
using ::testing::AnyOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using Kind = ApprovalPolicy::Kind;

// ------------------------------------------------------------------ fakes

// Answers questions from a script; records every question. A question beyond the script is
// a test failure (and unanswered).
class ScriptedPrompter final : public Prompter {
 public:
  explicit ScriptedPrompter(std::vector<std::optional<Answer>> answers)
      : answers_(answers.begin(), answers.end()) {}

  std::optional<Answer> ask(const Question& q) override {
    asked.push_back(q);
    if (answers_.empty()) {
      ADD_FAILURE() << "unexpected question about `" << q.command << "`: " << q.reason;
      return std::nullopt;
    }
    std::optional<Answer> a = answers_.front();
    answers_.pop_front();
    return a;
  }

  size_t unused() const { return answers_.size(); }
  // The questions asked, as "command: reason" (readable in failure messages).
  std::vector<std::string> asked_about() const {
    std::vector<std::string> out;
    for (const Question& q : asked) out.push_back(q.command + ": " + q.reason);
    return out;
  }

  std::vector<Question> asked;

 private:
  std::deque<std::optional<Answer>> answers_;
};

// Returns scripted outcomes, one per run (after the script: status 0, nothing blocked);
// records where each run happened.
class ScriptedRunner final : public Runner {
 public:
  explicit ScriptedRunner(std::vector<RunOutcome> script = {}) : script_(std::move(script)) {}

  Result<RunOutcome> run(bool sandboxed) override {
    runs.push_back(sandboxed);
    if (setup_error) return Error{"cannot create a user namespace"};
    if (runs.size() <= script_.size()) return script_[runs.size() - 1];
    return RunOutcome{0, {}};
  }

  std::vector<bool> runs;  // true: in the sandbox
  bool setup_error = false;

 private:
  std::vector<RunOutcome> script_;
};

class RecordingStore final : public ApprovalStore {
 public:
  Status save_session(const Argv& argv, bool outside) override {
    sessions.emplace_back(argv, outside);
    if (fail) return Error{"disk full"};
    return Ok{};
  }
  Status save_always(const Argv& prefix) override {
    always.push_back(prefix);
    if (fail) return Error{"disk full"};
    return Ok{};
  }

  std::vector<std::pair<Argv, bool>> sessions;
  std::vector<Argv> always;
  bool fail = false;
};

// ------------------------------------------------------------------ inputs

constexpr const char* kRulesFile = "test.rules";
constexpr const char* kRules = R"(# rules the table is judged against
prefix_rule(pattern=["make"], decision="allow")
prefix_rule(pattern=["cargo", "build"], decision="allow")
prefix_rule(pattern=["git", "push"], decision="prompt", justification="pushing publishes commits")
prefix_rule(pattern=["shred"], decision="forbidden", justification="shred destroys data for good")
)";

rules::Policy test_rules() {
  rules::Policy p;
  Status st = p.add_source(kRules, kRulesFile);
  EXPECT_TRUE(st.ok()) << st.error().describe();
  return p;
}

ApprovalPolicy untrusted() {
  return {.kind = Kind::Untrusted};
}
ApprovalPolicy on_request() {
  return {.kind = Kind::OnRequest};
}
ApprovalPolicy never() {
  return {.kind = Kind::Never};
}
// granular: a flag set to true lets that category prompt.
ApprovalPolicy granular(bool sandbox_approval, bool rules) {
  return {.kind = Kind::Granular, .sandbox_approval = sandbox_approval, .rules = rules};
}
// reject: a flag set to true auto-rejects that category.
ApprovalPolicy reject(bool sandbox_approval, bool rules) {
  return {.kind = Kind::Reject, .sandbox_approval = sandbox_approval, .rules = rules};
}

constexpr SandboxMode RO = SandboxMode::ReadOnly;
constexpr SandboxMode WW = SandboxMode::WorkspaceWrite;
constexpr SandboxMode DFA = SandboxMode::DangerFullAccess;

// The commands of the table.
const Argv kSafe = {"ls", "-la"};
const Argv kGitStatus = {"git", "status"};
const Argv kSafeScript = {"bash", "-lc", "ls && pwd"};
const Argv kUnknown = {"touch", "out.txt"};
const Argv kRmRf = {"rm", "-rf", "build"};
const Argv kGitReset = {"git", "reset", "--hard", "HEAD~1"};
const Argv kSudoRm = {"sudo", "rm", "-rf", "/var/tmp/x"};
const Argv kEnvRm = {"env", "FOO=1", "rm", "-f", "x"};
const Argv kBashRm = {"bash", "-lc", "rm -rf build"};
const Argv kOpaqueRm = {"sh", "-c", "cd /tmp && rm -rf $DIR"};
const Argv kRuleAllowed = {"make", "test"};
const Argv kRuleAllowedScript = {"bash", "-lc", "make && cargo build --release"};
const Argv kRuleAllowedAndSafe = {"bash", "-lc", "make && ls"};
const Argv kRulePrompted = {"git", "push", "origin", "main"};
const Argv kForbidden = {"shred", "-u", "secrets.txt"};
const Argv kForbiddenScript = {"bash", "-lc", "ls; shred -u secrets.txt"};
const Argv kNetwork = {"curl", "-sS", "https://example.com"};
const Argv kMixedRulePrompt = {"bash", "-lc", "ls && git push origin main"};
const Argv kMixedUnknown = {"bash", "-lc", "ls | wc -l && touch out.txt"};
const Argv kUnknownAndRulePrompt = {"bash", "-lc", "touch out.txt && git push origin main"};
const Argv kDangerAndRulePrompt = {"bash", "-lc", "rm -rf build && git push origin main"};
const Argv kOpaqueRedirect = {"bash", "-lc", "ls > listing.txt"};
const Argv kOpaqueExpansion = {"bash", "-lc", "cat $HOME/notes"};

constexpr int kStatus = 3;  // what the scripted command exits with when nothing else is said
const RunOutcome kPlain{kStatus, {}};
const RunOutcome kBlocked{1, {"write /etc/hosts: Read-only file system"}};
const RunOutcome kSucceeds{0, {}};

constexpr int kRefused = exit_code::kRefused;
constexpr int kDenied = exit_code::kDenied;
constexpr int kAborted = exit_code::kAborted;

const std::optional<Answer> kOnce = Answer::Once;
const std::optional<Answer> kDeny = Answer::Deny;
const std::optional<Answer> kAbort = Answer::Abort;
const std::optional<Answer> kNobody = std::nullopt;  // no terminal

// ------------------------------------------------------------------ the table

// One row: the inputs, then the expected outcome. Every scripted answer must be asked for
// exactly once, so `answers` is also the expected number of questions.
struct Scenario {
  std::string name;
  ApprovalPolicy policy;
  SandboxMode mode = SandboxMode::ReadOnly;
  Argv argv;
  bool escalate = false;   // --escalate (with a justification)
  bool yolo = false;       // with danger-full-access + never
  bool deny_read = false;  // Context.unsandboxed_allowed = false
  std::vector<std::optional<Answer>> answers;
  std::vector<RunOutcome> runs = {kPlain};  // what each run returns, in order
  // Expected:
  Outcome outcome = Outcome::Ran;
  std::vector<bool> where;  // each run: true = in the sandbox
  int exit_code = kStatus;

  // Inputs.
  Scenario& escalated() { return escalate = true, *this; }
  Scenario& with_yolo() { return yolo = true, *this; }
  Scenario& denying_reads() { return deny_read = true, *this; }
  Scenario& answer(std::vector<std::optional<Answer>> a) { return answers = std::move(a), *this; }
  Scenario& returns(std::vector<RunOutcome> r) { return runs = std::move(r), *this; }
  // Expectations.
  Scenario& ran(std::vector<bool> w, int code = kStatus) {
    outcome = Outcome::Ran;
    where = std::move(w);
    exit_code = code;
    return *this;
  }
  Scenario& refused() { return stopped(Outcome::Refused, kRefused); }
  Scenario& denied() { return stopped(Outcome::Denied, kDenied); }
  Scenario& aborted(std::vector<bool> w = {}) {
    where = std::move(w);
    outcome = Outcome::Aborted;
    exit_code = kAborted;
    return *this;
  }

 private:
  Scenario& stopped(Outcome o, int code) {
    outcome = o;
    where = {};
    exit_code = code;
    return *this;
  }
};

Scenario S(std::string name, ApprovalPolicy p, SandboxMode m, Argv argv) {
  Scenario s;
  s.name = std::move(name);
  s.policy = p;
  s.mode = m;
  s.argv = std::move(argv);
  return s;
}

void PrintTo(const Scenario& s, std::ostream* os) {
  *os << s.name;
}

const std::vector<Scenario>& scenarios() {
  static const std::vector<Scenario> table = {
      // ---- known-safe commands: never asked; in the sandbox unless danger-full-access
      S("untrusted_ro_known_safe_runs_unasked", untrusted(), RO, kSafe).ran({true}),
      S("untrusted_dfa_known_safe_runs_unasked_unsandboxed", untrusted(), DFA, kSafe).ran({false}),
      S("untrusted_ww_git_status_is_known_safe", untrusted(), WW, kGitStatus).ran({true}),
      S("untrusted_ro_script_of_known_safe_commands_runs_unasked", untrusted(), RO, kSafeScript)
          .ran({true}),
      S("on_request_ro_known_safe_runs_unasked", on_request(), RO, kSafe).ran({true}),
      S("never_ww_known_safe_runs_unasked", never(), WW, kSafe).ran({true}),

      // ---- a plain unknown command
      S("untrusted_ro_unknown_asks_and_runs_sandboxed", untrusted(), RO, kUnknown)
          .answer({kOnce})
          .ran({true}),
      S("untrusted_ww_unknown_denied", untrusted(), WW, kUnknown).answer({kDeny}).denied(),
      S("untrusted_ww_unknown_aborted", untrusted(), WW, kUnknown).answer({kAbort}).aborted(),
      S("untrusted_ro_unknown_without_terminal_is_refused", untrusted(), RO, kUnknown)
          .answer({kNobody})
          .refused(),
      S("untrusted_dfa_unknown_asks_and_runs_unsandboxed", untrusted(), DFA, kUnknown)
          .answer({kOnce})
          .ran({false}),
      S("on_request_ro_unknown_runs_sandboxed_unasked", on_request(), RO, kUnknown).ran({true}),
      S("on_request_dfa_unknown_runs_unsandboxed_unasked", on_request(), DFA, kUnknown)
          .ran({false}),
      S("never_ro_unknown_runs_sandboxed_unasked", never(), RO, kUnknown).ran({true}),
      S("granular_nothing_may_prompt_unknown_runs_sandboxed", granular(false, false), WW, kUnknown)
          .ran({true}),
      S("reject_everything_unknown_runs_sandboxed", reject(true, true), WW, kUnknown).ran({true}),

      // ---- dangerous commands: always asked; refused where nobody may be asked
      S("on_request_ww_rm_rf_asks_and_runs_sandboxed", on_request(), WW, kRmRf)
          .answer({kOnce})
          .ran({true}),
      S("on_request_ww_rm_rf_denied", on_request(), WW, kRmRf).answer({kDeny}).denied(),
      S("on_request_ro_rm_rf_without_terminal_is_refused", on_request(), RO, kRmRf)
          .answer({kNobody})
          .refused(),
      S("never_ww_rm_rf_is_refused", never(), WW, kRmRf).refused(),
      S("never_ro_git_reset_hard_is_refused", never(), RO, kGitReset).refused(),
      S("on_request_ww_git_reset_hard_asks", on_request(), WW, kGitReset)
          .answer({kOnce})
          .ran({true}),
      S("untrusted_ro_sudo_rm_asks", untrusted(), RO, kSudoRm).answer({kOnce}).ran({true}),
      S("never_ww_sudo_rm_is_refused", never(), WW, kSudoRm).refused(),
      S("on_request_ww_env_rm_f_aborted", on_request(), WW, kEnvRm).answer({kAbort}).aborted(),
      S("never_ww_env_rm_f_is_refused", never(), WW, kEnvRm).refused(),
      S("on_request_ww_bash_lc_rm_rf_asks", on_request(), WW, kBashRm).answer({kOnce}).ran({true}),
      S("never_ro_bash_lc_rm_rf_is_refused", never(), RO, kBashRm).refused(),
      S("never_ww_rm_rf_inside_an_opaque_script_is_refused", never(), WW, kOpaqueRm).refused(),
      S("on_request_ww_rm_rf_inside_an_opaque_script_asks", on_request(), WW, kOpaqueRm)
          .answer({kOnce})
          .ran({true}),
      S("on_request_dfa_rm_rf_asks_and_runs_unsandboxed", on_request(), DFA, kRmRf)
          .answer({kOnce})
          .ran({false}),
      S("granular_sandbox_approval_rm_rf_asks", granular(true, false), WW, kRmRf)
          .answer({kOnce})
          .ran({true}),
      S("granular_rules_only_rm_rf_is_refused", granular(false, true), WW, kRmRf).refused(),
      S("reject_sandbox_approval_rm_rf_is_refused", reject(true, false), WW, kRmRf).refused(),
      S("reject_rules_only_rm_rf_asks", reject(false, true), WW, kRmRf).answer({kOnce}).ran({true}),
      S("yolo_rm_rf_runs_unasked_unsandboxed", never(), DFA, kRmRf).with_yolo().ran({false}),
      S("yolo_git_reset_hard_runs_unasked_unsandboxed", never(), DFA, kGitReset)
          .with_yolo()
          .ran({false}),

      // ---- rule-allowed: never asked, and outside the sandbox (every command matched allow)
      S("untrusted_ro_rule_allowed_runs_unsandboxed", untrusted(), RO, kRuleAllowed).ran({false}),
      S("on_request_ww_rule_allowed_runs_unsandboxed", on_request(), WW, kRuleAllowed).ran({false}),
      S("never_ro_rule_allowed_runs_unsandboxed", never(), RO, kRuleAllowed).ran({false}),
      S("granular_nothing_may_prompt_rule_allowed_runs_unsandboxed", granular(false, false), RO,
        kRuleAllowed)
          .ran({false}),
      S("on_request_dfa_rule_allowed_runs_unsandboxed", on_request(), DFA, kRuleAllowed)
          .ran({false}),
      S("deny_read_keeps_rule_allowed_in_the_sandbox", on_request(), WW, kRuleAllowed)
          .denying_reads()
          .ran({true}),
      S("script_of_rule_allowed_commands_runs_unsandboxed", on_request(), WW, kRuleAllowedScript)
          .ran({false}),
      S("script_of_rule_allowed_and_heuristic_commands_stays_sandboxed", untrusted(), WW,
        kRuleAllowedAndSafe)
          .ran({true}),
      S("rule_allowed_with_escalation_is_not_asked", on_request(), WW, kRuleAllowed)
          .escalated()
          .ran({false}),

      // ---- rule-prompted: asked where the rules category may prompt; approval keeps the sandbox
      S("on_request_ww_rule_prompt_asks_and_runs_sandboxed", on_request(), WW, kRulePrompted)
          .answer({kOnce})
          .ran({true}),
      S("untrusted_ro_rule_prompt_denied", untrusted(), RO, kRulePrompted).answer({kDeny}).denied(),
      S("on_request_ww_rule_prompt_without_terminal_is_refused", on_request(), WW, kRulePrompted)
          .answer({kNobody})
          .refused(),
      S("never_ww_rule_prompt_is_refused", never(), WW, kRulePrompted).refused(),
      S("granular_sandbox_approval_only_rule_prompt_is_refused", granular(true, false), WW,
        kRulePrompted)
          .refused(),
      S("granular_rules_rule_prompt_asks", granular(false, true), WW, kRulePrompted)
          .answer({kOnce})
          .ran({true}),
      S("reject_rules_rule_prompt_is_refused", reject(false, true), WW, kRulePrompted).refused(),
      S("reject_sandbox_approval_rule_prompt_asks", reject(true, false), WW, kRulePrompted)
          .answer({kOnce})
          .ran({true}),
      S("yolo_rule_prompt_is_refused_nobody_is_asked", never(), DFA, kRulePrompted)
          .with_yolo()
          .refused(),
      S("on_request_dfa_rule_prompt_asks_and_runs_unsandboxed", on_request(), DFA, kRulePrompted)
          .answer({kOnce})
          .ran({false}),

      // ---- rule-forbidden: refused under every policy, never asked
      S("untrusted_ro_forbidden_is_refused", untrusted(), RO, kForbidden).refused(),
      S("on_request_ww_forbidden_is_refused", on_request(), WW, kForbidden).refused(),
      S("never_ro_forbidden_is_refused", never(), RO, kForbidden).refused(),
      S("granular_everything_may_prompt_forbidden_is_refused", granular(true, true), WW, kForbidden)
          .refused(),
      S("yolo_forbidden_is_refused", never(), DFA, kForbidden).with_yolo().refused(),
      S("forbidden_command_inside_a_script_refuses_the_script", on_request(), WW, kForbiddenScript)
          .refused(),

      // ---- a request to run outside the sandbox (--escalate --justification)
      S("on_request_ro_escalation_asks_and_runs_unsandboxed", on_request(), RO, kNetwork)
          .escalated()
          .answer({kOnce})
          .ran({false}),
      S("on_request_ww_escalation_denied", on_request(), WW, kNetwork)
          .escalated()
          .answer({kDeny})
          .denied(),
      S("on_request_ww_escalation_without_terminal_is_refused", on_request(), WW, kNetwork)
          .escalated()
          .answer({kNobody})
          .refused(),
      S("never_ro_escalation_is_refused", never(), RO, kNetwork).escalated().refused(),
      S("on_request_dfa_escalation_needs_no_approval", on_request(), DFA, kNetwork)
          .escalated()
          .ran({false}),
      S("untrusted_ww_escalation_asks", untrusted(), WW, kNetwork)
          .escalated()
          .answer({kOnce})
          .ran({false}),
      S("untrusted_ro_escalation_of_a_known_safe_command_asks", untrusted(), RO, kSafe)
          .escalated()
          .answer({kOnce})
          .ran({false}),
      S("granular_sandbox_approval_escalation_asks", granular(true, false), WW, kNetwork)
          .escalated()
          .answer({kOnce})
          .ran({false}),
      S("granular_rules_only_escalation_is_refused", granular(false, true), WW, kNetwork)
          .escalated()
          .refused(),
      S("reject_sandbox_approval_escalation_is_refused", reject(true, false), WW, kNetwork)
          .escalated()
          .refused(),
      S("reject_rules_only_escalation_asks", reject(false, true), RO, kNetwork)
          .escalated()
          .answer({kOnce})
          .ran({false}),
      S("deny_read_escalation_is_refused_unasked", on_request(), WW, kNetwork)
          .escalated()
          .denying_reads()
          .refused(),
      S("yolo_escalation_runs_unasked", never(), DFA, kNetwork)
          .escalated()
          .with_yolo()
          .ran({false}),

      // ---- shell scripts split into sub-commands with mixed verdicts
      S("on_request_script_with_a_rule_prompted_part_asks_once", on_request(), WW, kMixedRulePrompt)
          .answer({kOnce})
          .ran({true}),
      S("never_script_with_a_rule_prompted_part_is_refused", never(), WW, kMixedRulePrompt)
          .refused(),
      S("untrusted_script_with_an_unknown_part_asks", untrusted(), RO, kMixedUnknown)
          .answer({kOnce})
          .ran({true}),
      S("on_request_script_with_an_unknown_part_runs_sandboxed", on_request(), RO, kMixedUnknown)
          .ran({true}),
      S("untrusted_script_with_two_prompting_parts_asks_once", untrusted(), WW,
        kUnknownAndRulePrompt)
          .answer({kOnce})
          .ran({true}),
      S("granular_rules_only_script_with_dangerous_part_is_refused", granular(false, true), WW,
        kDangerAndRulePrompt)
          .refused(),
      S("granular_sandbox_approval_only_script_with_rule_prompt_is_refused", granular(true, false),
        WW, kDangerAndRulePrompt)
          .refused(),
      S("granular_everything_script_with_dangerous_and_rule_prompt_asks_once", granular(true, true),
        WW, kDangerAndRulePrompt)
          .answer({kOnce})
          .ran({true}),

      // ---- opaque scripts (redirections, expansions): judged as one unit
      S("untrusted_opaque_redirect_asks", untrusted(), RO, kOpaqueRedirect)
          .answer({kOnce})
          .ran({true}),
      S("on_request_opaque_redirect_runs_sandboxed", on_request(), WW, kOpaqueRedirect).ran({true}),
      S("never_opaque_redirect_runs_sandboxed", never(), RO, kOpaqueRedirect).ran({true}),
      S("untrusted_opaque_expansion_of_a_safe_command_without_terminal_is_refused", untrusted(), RO,
        kOpaqueExpansion)
          .answer({kNobody})
          .refused(),

      // ---- the sandbox blocked the command: "run it again outside the sandbox?"
      S("on_request_blocked_retry_accepted_runs_again_unsandboxed", on_request(), WW, kUnknown)
          .returns({kBlocked, kSucceeds})
          .answer({kOnce})
          .ran({true, false}, 0),
      S("on_request_blocked_retry_denied_keeps_the_sandboxed_status", on_request(), WW, kUnknown)
          .returns({kBlocked})
          .answer({kDeny})
          .ran({true}, 1),
      S("on_request_blocked_retry_without_terminal_keeps_the_sandboxed_status", on_request(), WW,
        kUnknown)
          .returns({kBlocked})
          .answer({kNobody})
          .ran({true}, 1),
      S("on_request_blocked_retry_aborted", on_request(), WW, kUnknown)
          .returns({kBlocked})
          .answer({kAbort})
          .aborted({true}),
      S("on_request_blocked_retry_fails_again_reports_the_second_status", on_request(), RO,
        kUnknown)
          .returns({kBlocked, RunOutcome{2, {}}})
          .answer({kOnce})
          .ran({true, false}, 2),
      S("never_blocked_is_not_offered_a_retry", never(), WW, kUnknown)
          .returns({kBlocked})
          .ran({true}, 1),
      S("failure_with_nothing_blocked_is_not_offered_a_retry", on_request(), WW, kUnknown)
          .returns({RunOutcome{1, {}}})
          .ran({true}, 1),
      S("success_with_something_blocked_is_not_offered_a_retry", on_request(), WW, kUnknown)
          .returns({RunOutcome{0, {"connect 93.184.216.34:443"}}})
          .ran({true}, 0),
      S("granular_sandbox_approval_blocked_is_offered_a_retry", granular(true, false), WW, kUnknown)
          .returns({kBlocked, kSucceeds})
          .answer({kOnce})
          .ran({true, false}, 0),
      S("granular_rules_only_blocked_is_not_offered_a_retry", granular(false, true), WW, kUnknown)
          .returns({kBlocked})
          .ran({true}, 1),
      S("reject_sandbox_approval_blocked_is_not_offered_a_retry", reject(true, false), WW, kUnknown)
          .returns({kBlocked})
          .ran({true}, 1),
      S("reject_rules_only_blocked_is_offered_a_retry", reject(false, true), WW, kUnknown)
          .returns({kBlocked, kSucceeds})
          .answer({kOnce})
          .ran({true, false}, 0),
      S("untrusted_approved_then_blocked_asks_twice", untrusted(), RO, kUnknown)
          .returns({kBlocked, kSucceeds})
          .answer({kOnce, kOnce})
          .ran({true, false}, 0),
      S("untrusted_known_safe_blocked_is_offered_a_retry", untrusted(), RO, kSafe)
          .returns({kBlocked, kSucceeds})
          .answer({kOnce})
          .ran({true, false}, 0),
      S("deny_read_blocked_is_not_offered_a_retry", on_request(), WW, kUnknown)
          .denying_reads()
          .returns({kBlocked})
          .ran({true}, 1),
      S("dfa_failure_has_no_sandbox_to_leave", on_request(), DFA, kUnknown)
          .returns({kBlocked})
          .ran({false}, 1),
      S("rule_allowed_runs_unsandboxed_so_no_retry_is_offered", on_request(), WW, kRuleAllowed)
          .returns({kBlocked})
          .ran({false}, 1),
  };
  return table;
}

class ApprovalTable : public ::testing::TestWithParam<Scenario> {};

TEST_P(ApprovalTable, Scenario) {
  const Scenario& s = GetParam();
  const rules::Policy rules = test_rules();
  FlowInputs in;
  in.request.argv = s.argv;
  in.request.escalate = s.escalate;
  if (s.escalate) in.request.justification = "needs the network to fetch the page";
  in.context.policy = s.policy;
  in.context.mode = s.mode;
  in.context.yolo = s.yolo;
  in.context.unsandboxed_allowed = !s.deny_read;
  in.context.amendment_file = "/home/u/.cordon/rules/default.rules";
  in.cwd = "/home/u/proj";

  ScriptedPrompter prompter(s.answers);
  ScriptedRunner runner(s.runs);
  RecordingStore store;
  const FlowResult r = decide_and_run(in, rules, prompter, runner, store);

  // Asked exactly as often as there are scripted answers (a question beyond them fails too).
  EXPECT_EQ(prompter.asked.size(), s.answers.size())
      << testing::PrintToString(prompter.asked_about());
  EXPECT_EQ(prompter.unused(), 0u) << "answers left over";
  EXPECT_EQ(r.outcome, s.outcome) << to_string(r.outcome) << ": " << r.message;
  EXPECT_EQ(runner.runs, s.where);
  EXPECT_EQ(r.exit_code, s.exit_code);
  if (!s.where.empty()) {
    EXPECT_EQ(r.sandboxed, s.where.back());
  }
  EXPECT_EQ(r.retried, s.where.size() == 2);
  // Only "once", "deny", "abort" or no answer in the table: nothing is saved.
  EXPECT_THAT(store.sessions, IsEmpty());
  EXPECT_THAT(store.always, IsEmpty());
  // Whatever did not run says why.
  if (s.outcome != Outcome::Ran) {
    EXPECT_THAT(r.message, Not(IsEmpty()));
  }
  // A refusal without asking names the policy or the rule that refused.
  if (s.outcome == Outcome::Refused && s.answers.empty()) {
    EXPECT_THAT(r.message, AnyOf(HasSubstr("never"), HasSubstr("granular"), HasSubstr("reject"),
                                 HasSubstr(kRulesFile), HasSubstr("denies reads")));
  }
  // A refusal for want of a terminal says how to get approval.
  if (s.outcome == Outcome::Refused && !s.answers.empty()) {
    EXPECT_THAT(r.message, HasSubstr("terminal"));
  }
}

INSTANTIATE_TEST_SUITE_P(Acceptance, ApprovalTable, ::testing::ValuesIn(scenarios()),
                         [](const auto& p) { return p.param.name; });

TEST(ApprovalTable, HasAtLeastSixtyScenarios) {
  EXPECT_GE(scenarios().size(), 60u);
}

// ------------------------------------------------------------------ targeted tests

// Runs one command through the flow with the test rules.
struct Flow {
  FlowInputs in;
  ScriptedPrompter prompter{{}};
  ScriptedRunner runner;
  RecordingStore store;
  FlowResult result;

  Flow(const Argv& argv, ApprovalPolicy policy, SandboxMode mode) {
    in.request.argv = argv;
    in.context.policy = policy;
    in.context.mode = mode;
    in.context.amendment_file = "/home/u/.cordon/rules/default.rules";
    in.cwd = "/home/u/proj";
  }
  Flow& answers(std::vector<std::optional<Answer>> a) {
    prompter = ScriptedPrompter(std::move(a));
    return *this;
  }
  Flow& runs(std::vector<RunOutcome> r) {
    runner = ScriptedRunner(std::move(r));
    return *this;
  }
  Flow& go() {
    const rules::Policy rules = test_rules();
    result = decide_and_run(in, rules, prompter, runner, store);
    return *this;
  }
};

TEST(ApprovalQuestion, ShowsCommandDirectoryAndWhy) {
  Flow run(kRulePrompted, on_request(), SandboxMode::WorkspaceWrite);
  run.answers({kOnce}).go();
  ASSERT_EQ(run.prompter.asked.size(), 1u);
  const Question& q = run.prompter.asked[0];
  EXPECT_EQ(q.command, "git push origin main");
  EXPECT_EQ(q.cwd, "/home/u/proj");
  EXPECT_THAT(q.reason, AllOf(HasSubstr("pushing publishes commits"), HasSubstr(kRulesFile)));
  EXPECT_FALSE(q.outside);
  EXPECT_FALSE(q.retry);
  EXPECT_EQ(run.result.answer, Answer::Once);
}

TEST(ApprovalQuestion, EscalationSaysOutsideAndCarriesTheJustification) {
  Flow run(kNetwork, on_request(), SandboxMode::ReadOnly);
  run.in.request.escalate = true;
  run.in.request.justification = "fetches the release notes";
  run.answers({kOnce}).go();
  ASSERT_EQ(run.prompter.asked.size(), 1u);
  const Question& q = run.prompter.asked[0];
  EXPECT_TRUE(q.outside);
  EXPECT_THAT(q.reason, HasSubstr("fetches the release notes"));
  EXPECT_EQ(q.command, "curl -sS https://example.com");
  EXPECT_FALSE(run.result.sandboxed);
}

TEST(ApprovalQuestion, DangerFullAccessIsNotOutsideASandbox) {
  Flow run(kRmRf, on_request(), SandboxMode::DangerFullAccess);
  run.answers({kOnce}).go();
  ASSERT_EQ(run.prompter.asked.size(), 1u);
  EXPECT_FALSE(run.prompter.asked[0].outside);
  EXPECT_THAT(run.prompter.asked[0].reason, HasSubstr("dangerous"));
}

TEST(ApprovalQuestion, QuotesWordsWithSpaces) {
  Flow run({"touch", "my file.txt"}, untrusted(), SandboxMode::ReadOnly);
  run.answers({kOnce}).go();
  ASSERT_EQ(run.prompter.asked.size(), 1u);
  EXPECT_EQ(run.prompter.asked[0].command, "touch 'my file.txt'");
}

TEST(ApprovalQuestion, SessionOfferedOnlyWithASession) {
  Flow without(kUnknown, untrusted(), SandboxMode::ReadOnly);
  without.answers({kOnce}).go();
  ASSERT_EQ(without.prompter.asked.size(), 1u);
  EXPECT_FALSE(without.prompter.asked[0].offer_session);

  Flow with(kUnknown, untrusted(), SandboxMode::ReadOnly);
  with.in.session_available = true;
  with.answers({kOnce}).go();
  ASSERT_EQ(with.prompter.asked.size(), 1u);
  EXPECT_TRUE(with.prompter.asked[0].offer_session);
}

TEST(ApprovalQuestion, RetryQuestionNamesWhatWasBlocked) {
  Flow run(kUnknown, on_request(), SandboxMode::WorkspaceWrite);
  run.runs({RunOutcome{1, {"write /etc/hosts", "connect 10.0.0.1:80"}}, kSucceeds})
      .answers({kOnce})
      .go();
  ASSERT_EQ(run.prompter.asked.size(), 1u);
  const Question& q = run.prompter.asked[0];
  EXPECT_TRUE(q.retry);
  EXPECT_TRUE(q.outside);
  EXPECT_THAT(q.blocked, AllOf(HasSubstr("write /etc/hosts"), HasSubstr("connect 10.0.0.1:80")));
  EXPECT_THAT(q.reason, HasSubstr("exit 1"));
  EXPECT_EQ(q.command, "touch out.txt");
  const FlowResult& r = run.result;
  EXPECT_EQ(r.retry_answer, Answer::Once);
  EXPECT_FALSE(r.answer.has_value());
  EXPECT_TRUE(r.retried);
  EXPECT_FALSE(r.sandboxed);
  // What the sandbox refused in the first run is kept for the report.
  EXPECT_THAT(r.blocked, ElementsAre("write /etc/hosts", "connect 10.0.0.1:80"));
}

TEST(ApprovalQuestion, NeverNotesWhatWasBlockedWithoutOffering) {
  Flow run(kUnknown, never(), SandboxMode::WorkspaceWrite);
  run.runs({kBlocked}).go();
  EXPECT_THAT(run.prompter.asked_about(), IsEmpty());
  EXPECT_THAT(run.result.blocked, ElementsAre(kBlocked.blocked[0]));
  ASSERT_FALSE(run.result.notes.empty());
  EXPECT_THAT(run.result.notes.back(),
              AllOf(HasSubstr("Read-only file system"), HasSubstr("never")));
}

TEST(ApprovalFlow, SetupFailureRunsNothingAndOffersNothing) {
  Flow run(kUnknown, on_request(), SandboxMode::WorkspaceWrite);
  run.runner.setup_error = true;
  run.go();
  EXPECT_EQ(run.result.outcome, Outcome::SetupFailed);
  EXPECT_EQ(run.result.exit_code, exit_code::kSandboxSetup);
  EXPECT_THAT(run.result.message, HasSubstr("cannot create a user namespace"));
  EXPECT_EQ(run.runner.runs, std::vector<bool>{true});
  EXPECT_THAT(run.prompter.asked_about(), IsEmpty());
}

TEST(ApprovalFlow, RefusalUnderNeverSaysHowToAllow) {
  Flow run(kNetwork, never(), SandboxMode::ReadOnly);
  run.in.request.escalate = true;
  run.go();
  EXPECT_EQ(run.result.outcome, Outcome::Refused);
  // The rule to add, where to add it, and the flag that would let cordon ask.
  EXPECT_THAT(run.result.message,
              AllOf(HasSubstr("/home/u/.cordon/rules/default.rules"),
                    HasSubstr(R"(prefix_rule(pattern=["curl", "-sS", "https://example.com"])"),
                    HasSubstr("-a on-request")));
}

TEST(ApprovalFlow, RefusalWithoutTerminalSaysHowToApprove) {
  Flow run(kUnknown, untrusted(), SandboxMode::ReadOnly);
  run.answers({kNobody}).go();
  EXPECT_EQ(run.result.outcome, Outcome::Refused);
  EXPECT_EQ(run.result.exit_code, exit_code::kRefused);
  EXPECT_THAT(run.result.message,
              AllOf(HasSubstr("terminal"), HasSubstr("/home/u/.cordon/rules/default.rules"),
                    HasSubstr(R"(prefix_rule(pattern=["touch", "out.txt"], decision="allow"))")));
  EXPECT_THAT(run.runner.runs, IsEmpty());
}

TEST(ApprovalFlow, ForbiddenRefusalNamesTheRuleAndItsJustification) {
  Flow run(kForbidden, on_request(), SandboxMode::WorkspaceWrite);
  run.go();
  EXPECT_EQ(run.result.outcome, Outcome::Refused);
  EXPECT_THAT(run.result.message,
              AllOf(HasSubstr("test.rules:5:"), HasSubstr("shred destroys data for good")));
}

// ------------------------------------------------------------------ session approvals

TEST(SessionApproval, SavesEachPromptedCommandWithWhereItRuns) {
  Flow run(kMixedUnknown, untrusted(), SandboxMode::ReadOnly);
  run.in.session_available = true;
  run.answers({Answer::Session}).go();
  EXPECT_EQ(run.result.outcome, Outcome::Ran);
  // ls and wc are known-safe; only touch was prompted.
  ASSERT_EQ(run.store.sessions.size(), 1u);
  EXPECT_EQ(run.store.sessions[0].first, kUnknown);
  EXPECT_FALSE(run.store.sessions[0].second);
  EXPECT_THAT(run.store.always, IsEmpty());
}

TEST(SessionApproval, EscalationIsSavedAsOutside) {
  Flow run(kNetwork, on_request(), SandboxMode::WorkspaceWrite);
  run.in.request.escalate = true;
  run.in.session_available = true;
  run.answers({Answer::Session}).go();
  ASSERT_EQ(run.store.sessions.size(), 1u);
  EXPECT_EQ(run.store.sessions[0].first, kNetwork);
  EXPECT_TRUE(run.store.sessions[0].second);
}

// Feeds what the first run saved into the second run's context.
TEST(SessionApproval, ApprovedCommandIsNotAskedAgain) {
  for (const Argv& argv : {kUnknown, kRmRf, kOpaqueRedirect}) {
    SCOPED_TRACE(display_argv(argv));
    Flow first(argv, untrusted(), SandboxMode::WorkspaceWrite);
    first.in.session_available = true;
    first.answers({Answer::Session}).go();
    ASSERT_EQ(first.prompter.asked.size(), 1u);
    ASSERT_EQ(first.store.sessions.size(), 1u);

    Flow second(argv, untrusted(), SandboxMode::WorkspaceWrite);
    second.in.session_available = true;
    second.in.context.session_approved = first.store.sessions;
    second.go();
    EXPECT_THAT(second.prompter.asked_about(), IsEmpty());
    EXPECT_EQ(second.result.outcome, Outcome::Ran);
    EXPECT_EQ(second.runner.runs, std::vector<bool>{true});
    EXPECT_TRUE(second.result.assessment.units[0].session_approved);

    // Another command is still asked about.
    Flow other({"touch", "other.txt"}, untrusted(), SandboxMode::WorkspaceWrite);
    other.in.context.session_approved = first.store.sessions;
    other.answers({kDeny}).go();
    EXPECT_EQ(other.prompter.asked.size(), 1u);
  }
}

TEST(SessionApproval, InsideApprovalDoesNotCoverRunningOutside) {
  Flow run(kNetwork, on_request(), SandboxMode::WorkspaceWrite);
  run.in.request.escalate = true;
  run.in.context.session_approved = {{kNetwork, false}};
  run.answers({kOnce}).go();
  EXPECT_EQ(run.prompter.asked.size(), 1u);
}

TEST(SessionApproval, OutsideApprovalCoversEscalationAndPlainRuns) {
  Flow escalated(kNetwork, on_request(), SandboxMode::WorkspaceWrite);
  escalated.in.request.escalate = true;
  escalated.in.context.session_approved = {{kNetwork, true}};
  escalated.go();
  EXPECT_THAT(escalated.prompter.asked_about(), IsEmpty());
  EXPECT_EQ(escalated.runner.runs, std::vector<bool>{false});

  Flow plain(kNetwork, untrusted(), SandboxMode::WorkspaceWrite);
  plain.in.context.session_approved = {{kNetwork, true}};
  plain.go();
  EXPECT_THAT(plain.prompter.asked_about(), IsEmpty());
  EXPECT_EQ(plain.runner.runs, std::vector<bool>{true});
}

TEST(SessionApproval, ExactCommandOnly) {
  Flow run({"touch", "out.txt", "more.txt"}, untrusted(), SandboxMode::WorkspaceWrite);
  run.in.context.session_approved = {{kUnknown, false}};
  run.answers({kOnce}).go();
  EXPECT_EQ(run.prompter.asked.size(), 1u);
}

TEST(SessionApproval, DoesNotOverrideAForbiddenRule) {
  Flow run(kForbidden, on_request(), SandboxMode::WorkspaceWrite);
  run.in.context.session_approved = {{kForbidden, true}};
  run.go();
  EXPECT_EQ(run.result.outcome, Outcome::Refused);
  EXPECT_THAT(run.runner.runs, IsEmpty());
}

// The question about a rule-prompted command offers "allow for this session", and
// Answer::Session means "do not ask again for it in this session" (prompter.h). The approval
// answers the rule's prompt only: the command stays in the sandbox (only explicit allow
// rules take it out).
TEST(SessionApproval, RulePromptedCommandApprovedForTheSessionIsNotAskedAgain) {
  Flow first(kRulePrompted, on_request(), SandboxMode::WorkspaceWrite);
  first.in.session_available = true;
  first.answers({Answer::Session}).go();
  ASSERT_EQ(first.prompter.asked.size(), 1u);
  ASSERT_TRUE(first.prompter.asked[0].offer_session);
  ASSERT_EQ(first.store.sessions.size(), 1u);

  Flow second(kRulePrompted, on_request(), SandboxMode::WorkspaceWrite);
  second.in.session_available = true;
  second.in.context.session_approved = first.store.sessions;
  second.answers({kOnce});  // answered if asked, so that only the count fails
  second.go();
  EXPECT_THAT(second.prompter.asked_about(), IsEmpty())
      << "asked again about a command approved for this session";
  EXPECT_EQ(second.result.outcome, Outcome::Ran);
  EXPECT_EQ(second.runner.runs, std::vector<bool>{true});
}

TEST(SessionApproval, RulePromptedEscalationApprovedOutsideRunsOutside) {
  Flow first(kRulePrompted, on_request(), SandboxMode::WorkspaceWrite);
  first.in.request.escalate = true;
  first.in.session_available = true;
  first.answers({Answer::Session}).go();
  ASSERT_EQ(first.store.sessions.size(), 1u);
  EXPECT_TRUE(first.store.sessions[0].second);
  EXPECT_EQ(first.runner.runs, std::vector<bool>{false});

  Flow second(kRulePrompted, on_request(), SandboxMode::WorkspaceWrite);
  second.in.request.escalate = true;
  second.in.context.session_approved = first.store.sessions;
  second.go();
  EXPECT_THAT(second.prompter.asked_about(), IsEmpty());
  EXPECT_EQ(second.runner.runs, std::vector<bool>{false});

  // An approval to run it inside does not answer a request to leave the sandbox.
  Flow inside(kRulePrompted, on_request(), SandboxMode::WorkspaceWrite);
  inside.in.request.escalate = true;
  inside.in.context.session_approved = {{kRulePrompted, false}};
  inside.answers({kDeny}).go();
  EXPECT_EQ(inside.prompter.asked.size(), 1u);
}

TEST(SessionApproval, RetryApprovalIsSavedAsOutside) {
  Flow run(kMixedUnknown, on_request(), SandboxMode::WorkspaceWrite);
  run.in.session_available = true;
  run.runs({kBlocked, kSucceeds}).answers({Answer::Session}).go();
  EXPECT_EQ(run.runner.runs, (std::vector<bool>{true, false}));
  // Every judged command of the script, outside.
  EXPECT_THAT(run.store.sessions, ElementsAre(std::pair<Argv, bool>{{"ls"}, true},
                                              std::pair<Argv, bool>{{"wc", "-l"}, true},
                                              std::pair<Argv, bool>{kUnknown, true}));
}

TEST(SessionApproval, FailureToSaveIsANoteAndTheCommandStillRuns) {
  Flow run(kUnknown, untrusted(), SandboxMode::WorkspaceWrite);
  run.in.session_available = true;
  run.store.fail = true;
  run.answers({Answer::Session}).go();
  EXPECT_EQ(run.result.outcome, Outcome::Ran);
  EXPECT_EQ(run.runner.runs, std::vector<bool>{true});
  ASSERT_EQ(run.result.notes.size(), 1u);
  EXPECT_THAT(run.result.notes[0], HasSubstr("disk full"));
}

// ------------------------------------------------------------------ always allow

TEST(AlwaysAllow, SavesExactlyThePromptedCommand) {
  Flow run(kUnknown, untrusted(), SandboxMode::ReadOnly);
  run.answers({Answer::Always}).go();
  ASSERT_EQ(run.prompter.asked.size(), 1u);
  EXPECT_THAT(run.prompter.asked[0].always_rules,
              ElementsAre(R"(prefix_rule(pattern=["touch", "out.txt"], decision="allow"))"));
  EXPECT_EQ(run.prompter.asked[0].always_file, "/home/u/.cordon/rules/default.rules");
  EXPECT_THAT(run.store.always, ElementsAre(kUnknown));
  EXPECT_THAT(run.store.sessions, IsEmpty());
  EXPECT_EQ(run.result.outcome, Outcome::Ran);
  ASSERT_EQ(run.result.notes.size(), 1u);
  EXPECT_THAT(run.result.notes[0], HasSubstr("saved"));
}

TEST(AlwaysAllow, ScriptSavesOnlyItsPromptedCommands) {
  Flow run({"bash", "-lc", "ls && touch a.txt && pwd && touch b.txt"}, untrusted(),
           SandboxMode::WorkspaceWrite);
  run.answers({Answer::Always}).go();
  EXPECT_THAT(run.store.always, ElementsAre(Argv{"touch", "a.txt"}, Argv{"touch", "b.txt"}));
}

TEST(AlwaysAllow, EscalationSavesTheCommand) {
  Flow run(kNetwork, on_request(), SandboxMode::WorkspaceWrite);
  run.in.request.escalate = true;
  run.answers({Answer::Always}).go();
  EXPECT_THAT(run.store.always, ElementsAre(kNetwork));
  EXPECT_EQ(run.runner.runs, std::vector<bool>{false});
}

// "always" is not offered when any prompted command is too broad to allow for good; a
// prompter that answers it anyway saves nothing.
TEST(AlwaysAllow, NeverForBannedPrefixes) {
  const std::vector<Argv> banned = {
      kRmRf,
      kSudoRm,
      kEnvRm,
      kOpaqueRedirect,
      {"python3", "-c", "print(1)"},
      {"bash", "-c", "echo $HOME"},
      {"bash", "-lc", "touch a.txt && rm -rf build"},
  };
  for (const Argv& argv : banned) {
    SCOPED_TRACE(display_argv(argv));
    Flow run(argv, untrusted(), SandboxMode::WorkspaceWrite);
    run.answers({Answer::Always}).go();
    ASSERT_EQ(run.prompter.asked.size(), 1u);
    EXPECT_THAT(run.prompter.asked[0].always_rules, IsEmpty());
    EXPECT_THAT(run.result.assessment.amendments, IsEmpty());
    EXPECT_THAT(run.store.always, IsEmpty());
  }
}

TEST(AlwaysAllow, NotOfferedForARulePrompt) {
  // An allow rule could not win over the rule that prompts: the strictest decision wins.
  Flow run(kRulePrompted, on_request(), SandboxMode::WorkspaceWrite);
  run.answers({Answer::Always}).go();
  ASSERT_EQ(run.prompter.asked.size(), 1u);
  EXPECT_THAT(run.prompter.asked[0].always_rules, IsEmpty());
  EXPECT_THAT(run.store.always, IsEmpty());

  Flow script(kUnknownAndRulePrompt, untrusted(), SandboxMode::WorkspaceWrite);
  script.answers({Answer::Always}).go();
  ASSERT_EQ(script.prompter.asked.size(), 1u);
  EXPECT_THAT(script.prompter.asked[0].always_rules, IsEmpty());
  EXPECT_THAT(script.store.always, IsEmpty());
}

TEST(AlwaysAllow, RetryOffersTheJudgedCommands) {
  Flow run({"bash", "-lc", "touch a.txt && wc -l a.txt"}, on_request(),
           SandboxMode::WorkspaceWrite);
  run.runs({kBlocked, kSucceeds}).answers({Answer::Always}).go();
  ASSERT_EQ(run.prompter.asked.size(), 1u);
  EXPECT_EQ(run.prompter.asked[0].always_rules.size(), 2u);
  EXPECT_THAT(run.store.always, ElementsAre(Argv{"touch", "a.txt"}, Argv{"wc", "-l", "a.txt"}));
  EXPECT_EQ(run.runner.runs, (std::vector<bool>{true, false}));
}

TEST(AlwaysAllow, RetryOfABannedCommandOffersNoRule) {
  Flow run(kOpaqueRedirect, on_request(), SandboxMode::WorkspaceWrite);
  run.runs({kBlocked, kSucceeds}).answers({Answer::Always}).go();
  ASSERT_EQ(run.prompter.asked.size(), 1u);
  EXPECT_THAT(run.prompter.asked[0].always_rules, IsEmpty());
  EXPECT_THAT(run.store.always, IsEmpty());
}

// DISPUTED (src/approval/flow.cc, the retry question: its always_rules are every judged
// command unless one is banned, also when a .rules prefix_rule prompted for one of them):
// an allow rule cannot answer a command a rule prompts for (the strictest decision wins),
// so saving one would change nothing the next time; reference/codex.md section 4
// suppresses amendments whenever a policy rule prompts, and assess() does the same for the
// first question. So the re-run question offers no "always" for a rule-prompted command.
TEST(AlwaysAllow, RetryOfARulePromptedCommandOffersNoRule) {
  Flow run(kRulePrompted, on_request(), SandboxMode::WorkspaceWrite);
  run.runs({kBlocked, kSucceeds}).answers({kOnce, kOnce}).go();
  ASSERT_EQ(run.prompter.asked.size(), 2u);
  EXPECT_THAT(run.prompter.asked[0].always_rules, IsEmpty());
  EXPECT_TRUE(run.prompter.asked[1].retry);
  EXPECT_THAT(run.prompter.asked[1].always_rules, IsEmpty());
}

TEST(AlwaysAllow, FailureToSaveIsANote) {
  Flow run(kUnknown, untrusted(), SandboxMode::WorkspaceWrite);
  run.store.fail = true;
  run.answers({Answer::Always}).go();
  EXPECT_EQ(run.result.outcome, Outcome::Ran);
  ASSERT_EQ(run.result.notes.size(), 1u);
  EXPECT_THAT(run.result.notes[0], AllOf(HasSubstr("could not save"), HasSubstr("disk full")));
}

// The rule "always" saved makes the next run skip the question.
TEST(AlwaysAllow, SavedRuleMeansTheNextRunIsNotAsked) {
  Flow first(kUnknown, untrusted(), SandboxMode::WorkspaceWrite);
  first.answers({Answer::Always}).go();
  ASSERT_EQ(first.prompter.asked.size(), 1u);
  ASSERT_EQ(first.prompter.asked[0].always_rules.size(), 1u);

  rules::Policy rules = test_rules();
  ASSERT_TRUE(rules.add_source(first.prompter.asked[0].always_rules[0], "default.rules").ok());
  FlowInputs in = first.in;
  ScriptedPrompter prompter({});
  ScriptedRunner runner;
  RecordingStore store;
  const FlowResult r = decide_and_run(in, rules, prompter, runner, store);
  EXPECT_THAT(prompter.asked_about(), IsEmpty());
  EXPECT_EQ(r.outcome, Outcome::Ran);
  // An explicit allow rule takes the command out of the sandbox.
  EXPECT_EQ(runner.runs, std::vector<bool>{false});
}

// ------------------------------------------------------------------ --yolo

TEST(Yolo, NeverAsksAndRefusesOnlyForbiddenRules) {
  const std::vector<Argv> commands = {kSafe,    kUnknown,     kRmRf,           kGitReset,
                                      kSudoRm,  kEnvRm,       kBashRm,         kOpaqueRm,
                                      kNetwork, kRuleAllowed, kOpaqueRedirect, kMixedUnknown};
  for (const Argv& argv : commands) {
    SCOPED_TRACE(display_argv(argv));
    Flow run(argv, never(), SandboxMode::DangerFullAccess);
    run.in.context.yolo = true;
    run.runs({kBlocked}).go();
    EXPECT_THAT(run.prompter.asked_about(), IsEmpty());
    EXPECT_EQ(run.result.outcome, Outcome::Ran);
    EXPECT_EQ(run.runner.runs, std::vector<bool>{false});
    EXPECT_EQ(run.result.exit_code, 1);
  }
  for (const Argv& argv : {kForbidden, kForbiddenScript}) {
    SCOPED_TRACE(display_argv(argv));
    Flow run(argv, never(), SandboxMode::DangerFullAccess);
    run.in.context.yolo = true;
    run.go();
    EXPECT_THAT(run.prompter.asked_about(), IsEmpty());
    EXPECT_EQ(run.result.outcome, Outcome::Refused);
    EXPECT_EQ(run.result.exit_code, exit_code::kRefused);
    EXPECT_THAT(run.runner.runs, IsEmpty());
  }
}

// ------------------------------------------------------------------ a profile that denies reads

TEST(DenyRead, RuleAllowedStaysInTheSandboxAndEscalationIsRefused) {
  for (ApprovalPolicy p : {untrusted(), on_request(), never(), granular(true, true)}) {
    SCOPED_TRACE(config::to_string(p));
    Flow allowed(kRuleAllowedScript, p, SandboxMode::WorkspaceWrite);
    allowed.in.context.unsandboxed_allowed = false;
    allowed.go();
    EXPECT_EQ(allowed.runner.runs, std::vector<bool>{true});
    EXPECT_TRUE(allowed.result.assessment.use_sandbox);

    Flow escalated(kNetwork, p, SandboxMode::WorkspaceWrite);
    escalated.in.context.unsandboxed_allowed = false;
    escalated.in.request.escalate = true;
    escalated.go();
    EXPECT_THAT(escalated.prompter.asked_about(), IsEmpty());
    EXPECT_EQ(escalated.result.outcome, Outcome::Refused);
    EXPECT_THAT(escalated.result.message, HasSubstr("denies reads"));
    EXPECT_THAT(escalated.runner.runs, IsEmpty());
  }
}

TEST(DenyRead, ApprovedCommandStillRunsInTheSandbox) {
  Flow run(kRmRf, on_request(), SandboxMode::WorkspaceWrite);
  run.in.context.unsandboxed_allowed = false;
  run.runs({kBlocked}).answers({kOnce}).go();
  EXPECT_EQ(run.prompter.asked.size(), 1u);  // no retry question after the block
  EXPECT_EQ(run.runner.runs, std::vector<bool>{true});
  EXPECT_EQ(run.result.exit_code, 1);
}

}  // namespace
}  // namespace cordon::approval
