// The terminal prompter's pure parts: the question as shown (render_question) for each kind
// of question, and how a typed line is read (parse_answer): only offered choices count.
#include "approval/tty_prompter.h"

#include <optional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cordon::approval {
namespace {

using ::testing::AllOf;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;

Question plain() {
  Question q;
  q.command = "touch out.txt";
  q.cwd = "/home/u/proj";
  q.reason = "not a known-safe command, and approval_policy is untrusted";
  return q;
}

// ------------------------------------------------------------------ render_question

TEST(RenderQuestion, PlainQuestion) {
  const std::string s = render_question(plain());
  EXPECT_THAT(
      s, AllOf(HasSubstr("approval needed"), HasSubstr("touch out.txt"), HasSubstr("/home/u/proj"),
               HasSubstr("not a known-safe command, and approval_policy is untrusted")));
  EXPECT_THAT(s, Not(HasSubstr("OUTSIDE")));
  EXPECT_THAT(s, Not(HasSubstr("blocked")));
  // Only the choices that can be taken: no session, no always.
  EXPECT_THAT(s, AllOf(HasSubstr("[y]es"), HasSubstr("[n]o"), HasSubstr("[q]uit")));
  EXPECT_THAT(s, AllOf(Not(HasSubstr("[s]ession")), Not(HasSubstr("[a]lways"))));
  EXPECT_THAT(s, EndsWith("? "));  // the answer goes on the same line
}

TEST(RenderQuestion, OutsideTheSandbox) {
  Question q = plain();
  q.outside = true;
  q.reason = "asks to run outside the sandbox: needs the network";
  const std::string s = render_question(q);
  EXPECT_THAT(s, AllOf(HasSubstr("OUTSIDE the sandbox"), HasSubstr("needs the network")));
}

TEST(RenderQuestion, RetryShowsWhatWasBlocked) {
  Question q = plain();
  q.retry = true;
  q.outside = true;
  q.reason = "the command failed (exit 1) and the sandbox refused part of what it did";
  q.blocked = "write /etc/hosts; connect 10.0.0.1:80";
  const std::string s = render_question(q);
  EXPECT_THAT(s, AllOf(HasSubstr("blocked this command"), HasSubstr("run it again OUTSIDE"),
                       HasSubstr("write /etc/hosts; connect 10.0.0.1:80"), HasSubstr("exit 1")));
}

TEST(RenderQuestion, BlockedShownOnlyForARetry) {
  Question q = plain();
  q.blocked = "write /etc/hosts";
  EXPECT_THAT(render_question(q), Not(HasSubstr("write /etc/hosts")));
}

TEST(RenderQuestion, SessionChoiceWhenOffered) {
  Question q = plain();
  q.offer_session = true;
  EXPECT_THAT(render_question(q), HasSubstr("[s]ession"));
}

TEST(RenderQuestion, AlwaysListsTheRulesAndTheFile) {
  Question q = plain();
  q.always_rules = {R"(prefix_rule(pattern=["touch", "a"], decision="allow"))",
                    R"(prefix_rule(pattern=["touch", "b"], decision="allow"))"};
  q.always_file = "/home/u/.cordon/rules/default.rules";
  const std::string s = render_question(q);
  EXPECT_THAT(s, AllOf(HasSubstr("[a]lways"), HasSubstr("/home/u/.cordon/rules/default.rules"),
                       HasSubstr(q.always_rules[0]), HasSubstr(q.always_rules[1])));
  // The rules come before the choices.
  EXPECT_LT(s.find(q.always_rules[1]), s.find("[y]es"));
}

TEST(RenderQuestion, ControlCharactersCannotReachTheTerminal) {
  Question q = plain();
  q.command = "echo '\x1b]0;owned\x07'\nfake: line";
  q.cwd = "/tmp/\x1b[2J";
  q.reason = "why\r";
  q.blocked = "x\x1b[1m";
  q.retry = true;
  q.always_rules = {"rule\x1b[0m"};
  q.always_file = "/f\n";
  const std::string s = render_question(q);
  EXPECT_EQ(s.find('\x1b'), std::string::npos);
  EXPECT_EQ(s.find('\x07'), std::string::npos);
  EXPECT_EQ(s.find('\r'), std::string::npos);
  EXPECT_THAT(s, Not(HasSubstr("\nfake: line")));
  EXPECT_THAT(s, HasSubstr("\\x1b"));
}

// ------------------------------------------------------------------ parse_answer

struct ParseCase {
  std::string line;
  bool session;  // offered
  bool always;   // offered
  std::optional<Answer> want;
};

TEST(ParseAnswer, Table) {
  const std::optional<Answer> none = std::nullopt;
  const ParseCase cases[] = {
      // run once
      {"y", false, false, Answer::Once},
      {"Y", false, false, Answer::Once},
      {"yes", false, false, Answer::Once},
      {"YES", false, false, Answer::Once},
      {"once", false, false, Answer::Once},
      {"  y \t", false, false, Answer::Once},
      {"y\r", false, false, Answer::Once},
      // session: only when offered
      {"s", true, false, Answer::Session},
      {"Session", true, false, Answer::Session},
      {"s", false, true, none},
      {"session", false, false, none},
      // always: only when offered
      {"a", false, true, Answer::Always},
      {"ALWAYS", true, true, Answer::Always},
      {"a", true, false, none},
      {"always", false, false, none},
      // deny
      {"n", true, true, Answer::Deny},
      {"no", false, false, Answer::Deny},
      {"deny", false, false, Answer::Deny},
      {"N", false, false, Answer::Deny},
      // abort
      {"q", false, false, Answer::Abort},
      {"quit", true, true, Answer::Abort},
      {"abort", false, false, Answer::Abort},
      // anything else
      {"", true, true, none},
      {"   ", true, true, none},
      {"ye", true, true, none},
      {"yess", true, true, none},
      {"y y", true, true, none},
      {"nope", true, true, none},
      {"1", true, true, none},
      {"x", true, true, none},
      {"sure", true, true, none},
  };
  for (const auto& c : cases) {
    Question q = plain();
    q.offer_session = c.session;
    if (c.always) q.always_rules = {"prefix_rule(pattern=[\"touch\"], decision=\"allow\")"};
    EXPECT_EQ(parse_answer(c.line, q), c.want)
        << "'" << c.line << "' session=" << c.session << " always=" << c.always;
  }
}

TEST(AnswerNames, All) {
  EXPECT_STREQ(to_string(Answer::Once), "once");
  EXPECT_STREQ(to_string(Answer::Session), "session");
  EXPECT_STREQ(to_string(Answer::Always), "always");
  EXPECT_STREQ(to_string(Answer::Deny), "deny");
  EXPECT_STREQ(to_string(Answer::Abort), "abort");
}

}  // namespace
}  // namespace cordon::approval
