// approval::assess and its helpers, directly: the decision per command and per policy, the
// reasons and categories, where the command runs, the "always allow" amendments, the
// how-to-allow texts, may_prompt for every policy, display_argv quoting, and allow_rule_text
// read back by the rules parser.
#include "approval/assess.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "rules/amend.h"
#include "rules/policy.h"

namespace cordon::approval {
namespace {

using config::ApprovalPolicy;
using config::SandboxMode;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using Kind = ApprovalPolicy::Kind;

constexpr const char* kRules = R"(prefix_rule(pattern=["make"], decision="allow")
prefix_rule(pattern=["git", "push"], decision="prompt", justification="pushing publishes commits")
prefix_rule(pattern=["shred"], decision="forbidden", justification="shred destroys data")
prefix_rule(pattern=["npm", "publish"], decision="prompt")
prefix_rule(pattern=["npm"], decision="allow")
)";

rules::Policy test_rules() {
  rules::Policy p;
  Status st = p.add_source(kRules, "my.rules");
  EXPECT_TRUE(st.ok()) << st.error().describe();
  return p;
}

ApprovalPolicy policy(Kind k, bool sandbox_approval = false, bool rules = false) {
  return {.kind = k, .sandbox_approval = sandbox_approval, .rules = rules};
}

constexpr const char* kAmendFile = "/home/u/.cordon/rules/default.rules";

Context context(ApprovalPolicy p, SandboxMode m = SandboxMode::WorkspaceWrite) {
  Context c;
  c.policy = p;
  c.mode = m;
  c.amendment_file = kAmendFile;
  return c;
}

Assessment judge(const Argv& argv, const Context& ctx, bool escalate = false,
                 const std::string& justification = "") {
  const rules::Policy rules = test_rules();
  Request req;
  req.argv = argv;
  req.escalate = escalate;
  req.justification = justification;
  return assess(req, ctx, rules);
}

// ------------------------------------------------------------------ may_prompt

struct MayPromptCase {
  ApprovalPolicy policy;
  bool sandbox_approval;  // may prompt for Category::SandboxApproval
  bool rules;             // may prompt for Category::Rules
};

TEST(MayPrompt, EveryPolicyKind) {
  const MayPromptCase cases[] = {
      {policy(Kind::Untrusted), true, true},
      {policy(Kind::OnRequest), true, true},
      {policy(Kind::Never), false, false},
      // The flags mean nothing outside granular and reject.
      {policy(Kind::Never, true, true), false, false},
      {policy(Kind::OnRequest, false, false), true, true},
      // granular: true = may prompt.
      {policy(Kind::Granular, false, false), false, false},
      {policy(Kind::Granular, true, false), true, false},
      {policy(Kind::Granular, false, true), false, true},
      {policy(Kind::Granular, true, true), true, true},
      // reject: true = auto-rejected.
      {policy(Kind::Reject, false, false), true, true},
      {policy(Kind::Reject, true, false), false, true},
      {policy(Kind::Reject, false, true), true, false},
      {policy(Kind::Reject, true, true), false, false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(config::to_string(c.policy));
    EXPECT_EQ(may_prompt(c.policy, Category::SandboxApproval), c.sandbox_approval);
    EXPECT_EQ(may_prompt(c.policy, Category::Rules), c.rules);
  }
}

TEST(MayPrompt, OtherCategoriesDoNotCount) {
  ApprovalPolicy g = policy(Kind::Granular);
  g.mcp_elicitations = g.request_permissions = g.skill_approval = true;
  EXPECT_FALSE(may_prompt(g, Category::SandboxApproval));
  EXPECT_FALSE(may_prompt(g, Category::Rules));
  ApprovalPolicy r = policy(Kind::Reject);
  r.mcp_elicitations = true;
  EXPECT_TRUE(may_prompt(r, Category::SandboxApproval));
  EXPECT_TRUE(may_prompt(r, Category::Rules));
}

TEST(Category, Names) {
  EXPECT_STREQ(to_string(Category::SandboxApproval), "sandbox_approval");
  EXPECT_STREQ(to_string(Category::Rules), "rules");
}

// ------------------------------------------------------------------ decisions and reasons

TEST(Assess, KnownSafeUnderUntrustedIsAllowed) {
  Assessment a = judge({"ls", "-la"}, context(policy(Kind::Untrusted)));
  EXPECT_EQ(a.decision, Decision::Allow);
  EXPECT_TRUE(a.known_safe());
  EXPECT_EQ(a.danger(), std::nullopt);
  EXPECT_TRUE(a.use_sandbox);
  EXPECT_FALSE(a.from_script);
  ASSERT_EQ(a.units.size(), 1u);
  EXPECT_THAT(a.units[0].matches, IsEmpty());
  EXPECT_THAT(a.reason, HasSubstr("known-safe"));
  EXPECT_THAT(a.amendments, IsEmpty());
  EXPECT_THAT(a.how_to_allow, IsEmpty());
}

TEST(Assess, UnknownUnderUntrustedPrompts) {
  Assessment a = judge({"touch", "x"}, context(policy(Kind::Untrusted)));
  EXPECT_EQ(a.decision, Decision::Prompt);
  EXPECT_EQ(a.category, Category::SandboxApproval);
  EXPECT_FALSE(a.known_safe());
  EXPECT_THAT(a.reason, AllOf(HasSubstr("known-safe"), HasSubstr("untrusted")));
  EXPECT_THAT(a.amendments, ElementsAre(Argv{"touch", "x"}));
  EXPECT_THAT(a.how_to_allow, IsEmpty());  // cordon may ask
}

TEST(Assess, UnknownRunsInTheSandboxUnderOtherPolicies) {
  for (Kind k : {Kind::OnRequest, Kind::Never, Kind::Granular, Kind::Reject}) {
    SCOPED_TRACE(static_cast<int>(k));
    Assessment a = judge({"touch", "x"}, context(policy(k)));
    EXPECT_EQ(a.decision, Decision::Allow);
    EXPECT_TRUE(a.use_sandbox);
    EXPECT_THAT(a.reason, HasSubstr("sandbox"));
  }
  Assessment a =
      judge({"touch", "x"}, context(policy(Kind::OnRequest), SandboxMode::DangerFullAccess));
  EXPECT_EQ(a.decision, Decision::Allow);
  EXPECT_FALSE(a.use_sandbox);
  EXPECT_THAT(a.reason, HasSubstr("danger-full-access"));
}

TEST(Assess, DangerousPromptsWithItsReason) {
  for (const Argv& argv : std::vector<Argv>{{"rm", "-rf", "build"},
                                            {"sudo", "rm", "-fr", "/x"},
                                            {"env", "A=1", "rm", "--force", "x"},
                                            {"git", "reset", "--hard"},
                                            {"bash", "-lc", "rm -rf build"},
                                            {"bash", "-lc", "echo $X; rm -rf build"}}) {
    SCOPED_TRACE(display_argv(argv));
    Assessment a = judge(argv, context(policy(Kind::OnRequest)));
    EXPECT_EQ(a.decision, Decision::Prompt);
    EXPECT_EQ(a.category, Category::SandboxApproval);
    ASSERT_TRUE(a.danger().has_value());
    EXPECT_THAT(a.reason, HasSubstr("dangerous"));
    EXPECT_THAT(a.reason, HasSubstr(*a.danger()));
    EXPECT_TRUE(a.use_sandbox);
    if (argv[0] == "git") {
      // A whole git command is not too broad to allow for good.
      EXPECT_THAT(a.amendments, ElementsAre(argv));
    } else {
      EXPECT_THAT(a.amendments, IsEmpty());  // rm, sudo, env, bash -lc: banned
    }
  }
}

TEST(Assess, DangerousUnderNeverIsForbiddenWithHowToAllow) {
  Assessment a = judge({"rm", "-rf", "build"}, context(policy(Kind::Never)));
  EXPECT_EQ(a.decision, Decision::Forbidden);
  EXPECT_EQ(a.category, Category::SandboxApproval);
  EXPECT_THAT(a.reason, AllOf(HasSubstr("dangerous"), HasSubstr("never")));
  // No rule is proposed for rm: only the way to be asked.
  EXPECT_THAT(a.how_to_allow, AllOf(HasSubstr("-a on-request"), Not(HasSubstr("prefix_rule"))));
}

TEST(Assess, RuleDecisionsNameTheRule) {
  Assessment allow = judge({"make", "all"}, context(policy(Kind::Untrusted)));
  EXPECT_EQ(allow.decision, Decision::Allow);
  EXPECT_THAT(allow.reason, AllOf(HasSubstr("allow"), HasSubstr("my.rules:1:")));
  ASSERT_EQ(allow.units.size(), 1u);
  ASSERT_EQ(allow.units[0].matches.size(), 1u);
  EXPECT_EQ(allow.units[0].matches[0].matched_prefix, Argv{"make"});

  Assessment prompt = judge({"git", "push"}, context(policy(Kind::OnRequest)));
  EXPECT_EQ(prompt.decision, Decision::Prompt);
  EXPECT_EQ(prompt.category, Category::Rules);
  EXPECT_THAT(prompt.reason, AllOf(HasSubstr("prompt"), HasSubstr("my.rules:2:"),
                                   HasSubstr("pushing publishes commits")));
  EXPECT_THAT(prompt.amendments, IsEmpty());

  Assessment forbidden = judge({"shred", "f"}, context(policy(Kind::OnRequest)));
  EXPECT_EQ(forbidden.decision, Decision::Forbidden);
  EXPECT_THAT(forbidden.reason, AllOf(HasSubstr("forbidden"), HasSubstr("my.rules:3:"),
                                      HasSubstr("shred destroys data")));
  EXPECT_THAT(forbidden.how_to_allow, AllOf(HasSubstr("my.rules:3:"), HasSubstr("rule")));
}

TEST(Assess, StrictestMatchingRuleDecides) {
  // npm publish matches both the prompt rule and the broader allow rule.
  Assessment a = judge({"npm", "publish"}, context(policy(Kind::OnRequest)));
  EXPECT_EQ(a.decision, Decision::Prompt);
  ASSERT_EQ(a.units.size(), 1u);
  EXPECT_EQ(a.units[0].matches.size(), 2u);
  EXPECT_THAT(a.reason, HasSubstr("my.rules:4:"));
  EXPECT_TRUE(a.use_sandbox);
  // npm install matches only the allow rule.
  Assessment b = judge({"npm", "install"}, context(policy(Kind::OnRequest)));
  EXPECT_EQ(b.decision, Decision::Allow);
  EXPECT_FALSE(b.use_sandbox);
}

TEST(Assess, RuleAllowBeatsDanger) {
  // An explicit rule is the user's word: it decides before the heuristics.
  rules::Policy rules;
  ASSERT_TRUE(rules.add_source(R"(prefix_rule(pattern=["rm", "-rf", "build"]))", "r").ok());
  Request req;
  req.argv = {"rm", "-rf", "build"};
  Assessment a = assess(req, context(policy(Kind::Never)), rules);
  EXPECT_EQ(a.decision, Decision::Allow);
  EXPECT_TRUE(a.danger().has_value());  // still reported
  EXPECT_FALSE(a.use_sandbox);
}

TEST(Assess, EscalationPromptsWithTheJustification) {
  Assessment a = judge({"curl", "https://example.com"}, context(policy(Kind::OnRequest)),
                       /*escalate=*/true, "needs the network");
  EXPECT_EQ(a.decision, Decision::Prompt);
  EXPECT_EQ(a.category, Category::SandboxApproval);
  EXPECT_THAT(a.reason, AllOf(HasSubstr("outside the sandbox"), HasSubstr("needs the network")));
  EXPECT_FALSE(a.use_sandbox);
  EXPECT_THAT(a.amendments, ElementsAre(Argv{"curl", "https://example.com"}));
}

TEST(Assess, EscalationUnderDangerFullAccessNeedsNothing) {
  Assessment a = judge({"curl", "https://example.com"},
                       context(policy(Kind::OnRequest), SandboxMode::DangerFullAccess), true);
  EXPECT_EQ(a.decision, Decision::Allow);
  EXPECT_FALSE(a.use_sandbox);
}

TEST(Assess, EscalationWhenReadsAreDeniedIsForbidden) {
  Context ctx = context(policy(Kind::OnRequest));
  ctx.unsandboxed_allowed = false;
  Assessment a = judge({"curl", "https://example.com"}, ctx, true, "why");
  EXPECT_EQ(a.decision, Decision::Forbidden);
  EXPECT_THAT(a.reason, HasSubstr("denies reads"));
  EXPECT_TRUE(a.use_sandbox);
  // ... also for a command an allow rule would take out of the sandbox.
  Assessment b = judge({"make"}, ctx);
  EXPECT_EQ(b.decision, Decision::Allow);
  EXPECT_TRUE(b.use_sandbox);
}

TEST(Assess, YoloAllowsEverythingButRules) {
  Context ctx = context(policy(Kind::Never), SandboxMode::DangerFullAccess);
  ctx.yolo = true;
  Assessment a = judge({"rm", "-rf", "/"}, ctx);
  EXPECT_EQ(a.decision, Decision::Allow);
  EXPECT_FALSE(a.use_sandbox);
  EXPECT_THAT(a.reason, HasSubstr("--yolo"));
  EXPECT_TRUE(a.danger().has_value());
  EXPECT_EQ(judge({"shred", "x"}, ctx).decision, Decision::Forbidden);
}

TEST(Assess, SessionApprovalAllows) {
  Context ctx = context(policy(Kind::Untrusted));
  ctx.session_approved = {{{"touch", "x"}, false}};
  Assessment a = judge({"touch", "x"}, ctx);
  EXPECT_EQ(a.decision, Decision::Allow);
  ASSERT_EQ(a.units.size(), 1u);
  EXPECT_TRUE(a.units[0].session_approved);
  EXPECT_THAT(a.reason, HasSubstr("session"));
  EXPECT_TRUE(a.use_sandbox);
  // Not another command, and not to run outside the sandbox.
  EXPECT_EQ(judge({"touch", "y"}, ctx).decision, Decision::Prompt);
  EXPECT_EQ(judge({"touch", "x"}, context(policy(Kind::OnRequest)), true).decision,
            Decision::Prompt);
  Context outside = context(policy(Kind::OnRequest));
  outside.session_approved = {{{"touch", "x"}, true}};
  EXPECT_EQ(judge({"touch", "x"}, outside, true).decision, Decision::Allow);
}

TEST(Assess, SessionApprovalAnswersARulePromptButKeepsTheSandbox) {
  Context ctx = context(policy(Kind::OnRequest));
  ctx.session_approved = {{{"git", "push"}, false}, {{"shred", "f"}, true}};
  Assessment a = judge({"git", "push"}, ctx);
  EXPECT_EQ(a.decision, Decision::Allow);
  ASSERT_EQ(a.units.size(), 1u);
  EXPECT_TRUE(a.units[0].session_approved);
  EXPECT_THAT(a.units[0].matches, Not(IsEmpty()));
  EXPECT_THAT(a.reason, AllOf(HasSubstr("session"), HasSubstr("my.rules:2:")));
  EXPECT_TRUE(a.use_sandbox);  // a prompt rule answered is not an allow rule
  // A forbidding rule is not answered by any approval.
  EXPECT_EQ(judge({"shred", "f"}, ctx).decision, Decision::Forbidden);
  // In a script, the approval answers that command only.
  Context untrusted = ctx;
  untrusted.policy = policy(Kind::Untrusted);
  Assessment script = judge({"bash", "-lc", "git push && touch x"}, untrusted);
  EXPECT_EQ(script.decision, Decision::Prompt);
  EXPECT_THAT(script.reason, HasSubstr("`touch x`"));
}

// ------------------------------------------------------------------ scripts

TEST(Assess, ScriptIsSplitAndTheStrictestPartDecides) {
  Assessment a =
      judge({"bash", "-lc", "ls && git push origin && touch x"}, context(policy(Kind::Untrusted)));
  EXPECT_TRUE(a.from_script);
  ASSERT_EQ(a.units.size(), 3u);
  EXPECT_EQ(a.units[0].argv, (Argv{"ls"}));
  EXPECT_EQ(a.units[0].decision, Decision::Allow);
  EXPECT_TRUE(a.units[0].known_safe);
  EXPECT_EQ(a.units[1].decision, Decision::Prompt);
  EXPECT_THAT(a.units[1].matches, Not(IsEmpty()));
  EXPECT_EQ(a.units[2].decision, Decision::Prompt);
  EXPECT_THAT(a.units[2].matches, IsEmpty());
  EXPECT_EQ(a.decision, Decision::Prompt);
  EXPECT_EQ(a.category, Category::Rules);  // a rule prompted
  // The reason names the sub-command that decided.
  EXPECT_THAT(a.reason, HasSubstr("`git push origin`"));
  EXPECT_THAT(a.amendments, IsEmpty());  // a rule prompts: no amendment
  EXPECT_FALSE(a.known_safe());
}

TEST(Assess, ScriptOfSafeCommandsIsKnownSafe) {
  Assessment a = judge({"sh", "-c", "pwd; ls | head -n 3"}, context(policy(Kind::Untrusted)));
  EXPECT_TRUE(a.from_script);
  EXPECT_EQ(a.units.size(), 3u);
  EXPECT_TRUE(a.known_safe());
  EXPECT_EQ(a.decision, Decision::Allow);
}

TEST(Assess, OpaqueScriptIsOneUnit) {
  const Argv argv = {"bash", "-lc", "ls > out.txt"};
  Assessment a = judge(argv, context(policy(Kind::Untrusted)));
  EXPECT_FALSE(a.from_script);
  ASSERT_EQ(a.units.size(), 1u);
  EXPECT_EQ(a.units[0].argv, argv);
  EXPECT_FALSE(a.known_safe());
  EXPECT_EQ(a.decision, Decision::Prompt);
  EXPECT_THAT(a.amendments, IsEmpty());  // bash -lc is banned
}

TEST(Assess, AllowRulesForEveryPartLeaveTheSandbox) {
  Assessment all = judge({"bash", "-lc", "make && npm install"}, context(policy(Kind::OnRequest)));
  EXPECT_EQ(all.decision, Decision::Allow);
  EXPECT_FALSE(all.use_sandbox);
  Assessment some = judge({"bash", "-lc", "make && ls"}, context(policy(Kind::OnRequest)));
  EXPECT_EQ(some.decision, Decision::Allow);
  EXPECT_TRUE(some.use_sandbox);
}

TEST(Assess, ForbiddenPartForbidsTheScript) {
  Assessment a = judge({"bash", "-lc", "make && shred f"}, context(policy(Kind::OnRequest)));
  EXPECT_EQ(a.decision, Decision::Forbidden);
  EXPECT_THAT(a.reason, AllOf(HasSubstr("`shred f`"), HasSubstr("my.rules:3:")));
  EXPECT_THAT(a.how_to_allow, HasSubstr("my.rules:3:"));
}

// ------------------------------------------------------------------ amendments

TEST(Amendments, OnePerPromptingCommandInOrder) {
  Assessment a =
      judge({"bash", "-lc", "touch a && ls && mkdir b"}, context(policy(Kind::Untrusted)));
  EXPECT_EQ(a.decision, Decision::Prompt);
  EXPECT_THAT(a.amendments, ElementsAre(Argv{"touch", "a"}, Argv{"mkdir", "b"}));
}

TEST(Amendments, NoneWhenAnyIsBanned) {
  const std::vector<Argv> banned = {
      {"bash", "-lc", "touch a && python3 -c 'print(1)'"},
      {"bash", "-lc", "touch a && rm -f b"},
      {"bash", "-lc", "touch a && sudo ls"},
      {"python3", "-c", "print(1)"},
      {"node", "-e", "1"},
      {"env", "X=1", "touch", "a"},
      {"sh", "-c", "touch $A"},
  };
  for (const Argv& argv : banned) {
    SCOPED_TRACE(display_argv(argv));
    Assessment a = judge(argv, context(policy(Kind::Untrusted)));
    EXPECT_EQ(a.decision, Decision::Prompt);
    EXPECT_THAT(a.amendments, IsEmpty());
  }
}

TEST(Amendments, NoneWhenAllowedOrForbidden) {
  EXPECT_THAT(judge({"ls"}, context(policy(Kind::Untrusted))).amendments, IsEmpty());
  EXPECT_THAT(judge({"shred", "x"}, context(policy(Kind::Untrusted))).amendments, IsEmpty());
}

// ------------------------------------------------------------------ categories under
// granular/reject

struct CategoryCase {
  const char* name;
  ApprovalPolicy policy;
  Argv argv;
  bool escalate;
  Decision decision;
  Category category;
  const char* says;  // in the reason when forbidden
};

TEST(Categories, GranularAndReject) {
  const Argv rule = {"git", "push"};
  const Argv esc = {"curl", "https://example.com"};
  const Argv danger = {"rm", "-rf", "x"};
  const Argv both = {"bash", "-lc", "rm -rf x && git push"};
  const CategoryCase cases[] = {
      {"granular rule prompt allowed", policy(Kind::Granular, false, true), rule, false,
       Decision::Prompt, Category::Rules, ""},
      {"granular rule prompt rejected", policy(Kind::Granular, true, false), rule, false,
       Decision::Forbidden, Category::Rules, "granular.rules = false"},
      {"granular escalation allowed", policy(Kind::Granular, true, false), esc, true,
       Decision::Prompt, Category::SandboxApproval, ""},
      {"granular escalation rejected", policy(Kind::Granular, false, true), esc, true,
       Decision::Forbidden, Category::SandboxApproval, "granular.sandbox_approval = false"},
      {"granular danger rejected", policy(Kind::Granular, false, true), danger, false,
       Decision::Forbidden, Category::SandboxApproval, "granular.sandbox_approval = false"},
      {"granular both, rules rejected", policy(Kind::Granular, true, false), both, false,
       Decision::Forbidden, Category::Rules, "granular.rules = false"},
      {"granular both, sandbox rejected", policy(Kind::Granular, false, true), both, false,
       Decision::Forbidden, Category::SandboxApproval, "granular.sandbox_approval = false"},
      {"granular both allowed", policy(Kind::Granular, true, true), both, false, Decision::Prompt,
       Category::Rules, ""},
      {"reject rules", policy(Kind::Reject, false, true), rule, false, Decision::Forbidden,
       Category::Rules, "reject.rules = true"},
      {"reject sandbox, rule prompt", policy(Kind::Reject, true, false), rule, false,
       Decision::Prompt, Category::Rules, ""},
      {"reject sandbox", policy(Kind::Reject, true, false), esc, true, Decision::Forbidden,
       Category::SandboxApproval, "reject.sandbox_approval = true"},
      {"reject rules, escalation", policy(Kind::Reject, false, true), esc, true, Decision::Prompt,
       Category::SandboxApproval, ""},
      {"never rule", policy(Kind::Never), rule, false, Decision::Forbidden, Category::Rules,
       "never"},
      {"never escalation", policy(Kind::Never), esc, true, Decision::Forbidden,
       Category::SandboxApproval, "never"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Assessment a = judge(c.argv, context(c.policy), c.escalate, "because");
    EXPECT_EQ(a.decision, c.decision);
    EXPECT_EQ(a.category, c.category);
    EXPECT_THAT(a.reason, HasSubstr(c.says));
    if (c.decision == Decision::Forbidden) {
      EXPECT_THAT(a.how_to_allow, Not(IsEmpty()));
    } else {
      EXPECT_THAT(a.how_to_allow, IsEmpty());
    }
  }
}

// ------------------------------------------------------------------ how to allow

TEST(HowToAllow, SuppressedPromptWithAnAmendmentProposesTheRule) {
  Assessment a = judge({"curl", "https://example.com"}, context(policy(Kind::Never)), true);
  EXPECT_EQ(a.decision, Decision::Forbidden);
  EXPECT_THAT(a.how_to_allow, AllOf(HasSubstr(kAmendFile),
                                    HasSubstr(allow_rule_text({"curl", "https://example.com"})),
                                    HasSubstr("-a on-request")));
}

TEST(HowToAllow, SeveralAmendmentsAreAllListed) {
  // Both parts of the script ask to leave the sandbox; never refuses, naming both rules.
  Context ctx = context(policy(Kind::Never));
  Assessment a = judge({"bash", "-lc", "curl a.example && wget b.example"}, ctx, true);
  EXPECT_EQ(a.decision, Decision::Forbidden);
  EXPECT_THAT(a.how_to_allow, AllOf(HasSubstr(allow_rule_text({"curl", "a.example"})),
                                    HasSubstr(allow_rule_text({"wget", "b.example"}))));
}

TEST(HowToAllow, RulePromptSaysTheRuleAsksAndNamesThePolicy) {
  Assessment a = judge({"git", "push"}, context(policy(Kind::Granular, true, false)));
  EXPECT_EQ(a.decision, Decision::Forbidden);
  EXPECT_THAT(a.how_to_allow, AllOf(HasSubstr("rule"), HasSubstr("-a on-request"),
                                    HasSubstr("granular"), Not(HasSubstr("prefix_rule"))));
}

TEST(HowToAllow, ForbiddenRuleNamesTheRule) {
  Assessment a = judge({"shred", "f"}, context(policy(Kind::Untrusted)));
  EXPECT_THAT(a.how_to_allow, AllOf(HasSubstr("my.rules:3:"), Not(HasSubstr("-a on-request"))));
}

// ------------------------------------------------------------------ use_sandbox

struct SandboxCase {
  Argv argv;
  SandboxMode mode;
  bool escalate;
  bool unsandboxed_allowed;
  bool use_sandbox;
};

TEST(UseSandbox, Table) {
  using M = SandboxMode;
  const SandboxCase cases[] = {
      {{"ls"}, M::ReadOnly, false, true, true},
      {{"ls"}, M::WorkspaceWrite, false, true, true},
      {{"ls"}, M::DangerFullAccess, false, true, false},
      {{"make"}, M::ReadOnly, false, true, false},
      {{"make"}, M::ReadOnly, false, false, true},
      {{"make"}, M::DangerFullAccess, false, false, false},
      {{"touch", "x"}, M::WorkspaceWrite, true, true, false},
      {{"touch", "x"}, M::WorkspaceWrite, true, false, true},
      {{"git", "push"}, M::WorkspaceWrite, false, true, true},
      {{"npm", "publish"}, M::WorkspaceWrite, false, true, true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(display_argv(c.argv) + " mode " + config::to_string(c.mode) +
                 (c.escalate ? " escalate" : "") + (c.unsandboxed_allowed ? "" : " deny-read"));
    Context ctx = context(policy(Kind::OnRequest), c.mode);
    ctx.unsandboxed_allowed = c.unsandboxed_allowed;
    EXPECT_EQ(judge(c.argv, ctx, c.escalate).use_sandbox, c.use_sandbox);
  }
}

// ------------------------------------------------------------------ display_argv

TEST(DisplayArgv, Quoting) {
  const std::pair<Argv, std::string> cases[] = {
      {{"ls", "-la"}, "ls -la"},
      {{"git", "log", "--format=%H"}, "git log --format=%H"},
      {{"cp", "a.txt", "/tmp/b_c,d+e@f:g"}, "cp a.txt /tmp/b_c,d+e@f:g"},
      {{"echo", "hello world"}, "echo 'hello world'"},
      {{"echo", ""}, "echo ''"},
      {{"echo", "it's"}, "echo 'it'\\''s'"},
      {{"bash", "-lc", "ls && rm -rf x"}, "bash -lc 'ls && rm -rf x'"},
      {{"echo", "$HOME"}, "echo '$HOME'"},
      {{"echo", "a*b"}, "echo 'a*b'"},
      {{"echo", "semi;colon"}, "echo 'semi;colon'"},
      {{"echo", "line\nbreak"}, "echo 'line\nbreak'"},
      {{"echo", "caf\xc3\xa9"}, "echo 'caf\xc3\xa9'"},
      {{}, ""},
  };
  for (const auto& [argv, want] : cases) EXPECT_EQ(display_argv(argv), want);
}

// ------------------------------------------------------------------ allow_rule_text

TEST(AllowRuleText, Format) {
  EXPECT_EQ(allow_rule_text({"git", "status"}),
            R"(prefix_rule(pattern=["git", "status"], decision="allow"))");
  EXPECT_EQ(allow_rule_text({"echo", "a\"b\\c"}),
            R"(prefix_rule(pattern=["echo", "a\"b\\c"], decision="allow"))");
}

// Tokens with every kind of character a rule line must quote.
const std::vector<Argv>& awkward_argvs() {
  static const std::vector<Argv> cases = {
      {"touch", "out.txt"},
      {"cargo", "test", "--workspace"},
      {"echo", "hello world"},
      {"echo", "quote\"inside"},
      {"echo", "back\\slash"},
      {"echo", "single'quote"},
      {"printf", "a\nb\tc"},
      {"echo", "caf\xc3\xa9 \xe2\x9c\x93"},
      {"echo", ""},
      {"echo", "{braces} [brackets] (parens) # not a comment"},
      {"echo", "'''triple''' \"\"\"triple\"\"\""},
      {"echo", "carriage\rreturn"},
      {"echo",
       "bell\x07"
       "and escape\x1b[0m"},
      {"/usr/bin/env"},
  };
  return cases;
}

// The rule printed for argv loads, and matches exactly that argv (and longer ones starting
// with it), not one token less or a different token.
TEST(AllowRuleText, RoundTripsThroughTheRulesParser) {
  for (const Argv& argv : awkward_argvs()) {
    const std::string text = allow_rule_text(argv);
    SCOPED_TRACE(text);
    rules::Policy p;
    Status st = p.add_source(text, "default.rules");
    ASSERT_TRUE(st.ok()) << st.error().describe();
    ASSERT_EQ(p.prefix_rules().size(), 1u);
    const auto ms = p.matches(argv, false);
    ASSERT_EQ(ms.size(), 1u);
    EXPECT_EQ(ms[0].matched_prefix, argv);
    EXPECT_EQ(ms[0].decision, Decision::Allow);

    Argv longer = argv;
    longer.push_back("--more");
    EXPECT_EQ(p.matches(longer, false).size(), 1u);
    if (argv.size() > 1) {
      Argv shorter(argv.begin(), argv.end() - 1);
      EXPECT_THAT(p.matches(shorter, false), IsEmpty());
      Argv changed = argv;
      changed.back() += "x";
      EXPECT_THAT(p.matches(changed, false), IsEmpty());
    }
  }
}

// The question lists, under "[a]lways adds to FILE:", the rules of allow_rule_text, and the
// refusal messages propose them: they must be exactly the lines rules::append_prefix_rule
// writes.
TEST(AllowRuleText, IsTheLineAlwaysWrites) {
  for (const Argv& argv : awkward_argvs()) {
    EXPECT_EQ(allow_rule_text(argv), rules::allow_rule_line(argv));
  }
}

}  // namespace
}  // namespace cordon::approval
