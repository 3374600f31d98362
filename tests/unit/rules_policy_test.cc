// Unit tests: .rules builtins and matching. The matching table follows the cases of Codex's
// execpolicy tests (alternatives, strictest wins, examples, host executables, network
// rules), written anew for cordon's API.
#include "rules/policy.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rules/check_json.h"
#include "rules/starlark.h"

namespace cordon::rules {
namespace {

using Argv = std::vector<std::string>;
using Strings = std::vector<std::string>;

Policy load(const std::string& text, const std::string& name = "t.rules") {
  Policy p;
  Status s = p.add_source(text, name);
  EXPECT_TRUE(s.ok()) << s.error().message;
  return p;
}

// The error of loading `text` into a policy that already holds one rule, and a check that
// nothing of `text` was added; "<loaded>" when it loads.
std::string load_error(const std::string& text) {
  Policy p;
  EXPECT_TRUE(p.add_source(R"(prefix_rule(pattern = ["keep"]))", "before.rules").ok());
  EXPECT_TRUE(p.add_source(R"(network_rule("keep.example", "http", "allow"))", "net.rules").ok());
  Status s = p.add_source(text, "t.rules");
  if (s.ok()) return "<loaded>";
  EXPECT_EQ(p.prefix_rules().size(), 1u) << "partly added: " << text;
  EXPECT_EQ(p.network_rules().size(), 1u) << "partly added: " << text;
  EXPECT_TRUE(p.host_executables().empty()) << "partly added: " << text;
  return s.error().message;
}

// One match rendered compactly: "git status=>prompt", with "@/usr/bin/git" when resolved and
// "#why" when justified.
std::string render(const RuleMatch& m) {
  std::string out;
  for (size_t k = 0; k < m.matched_prefix.size(); ++k) {
    if (k > 0) out += ' ';
    out += m.matched_prefix[k];
  }
  out += std::string("=>") + to_string(m.decision);
  if (m.resolved_program) out += "@" + *m.resolved_program;
  if (m.justification) out += "#" + *m.justification;
  return out;
}

Strings render(const std::vector<RuleMatch>& ms) {
  Strings out;
  for (const auto& m : ms) out.push_back(render(m));
  return out;
}

struct MatchCase {
  const char* name;
  const char* rules;
  Argv argv;
  bool resolve;
  Strings matches;  // rendered
};

constexpr const char* kGitRules = R"(
prefix_rule(pattern = ["git"], decision = "prompt")
prefix_rule(pattern = ["git", "commit"], decision = "forbidden")
)";
constexpr const char* kShells = R"(prefix_rule(pattern = [["bash", "sh"], ["-c", "-l"]]))";
constexpr const char* kNpm =
    R"(prefix_rule(pattern = ["npm", ["i", "install"], ["--legacy-peer-deps", "--no-save"]]))";
constexpr const char* kGitHost = R"(prefix_rule(pattern = ["git"], decision = "prompt")
host_executable(name = "git", paths = ["/usr/bin/git"]))";

const MatchCase kMatchCases[] = {
    {"exact two tokens",
     R"(prefix_rule(pattern = ["git", "status"]))",
     {"git", "status"},
     false,
     {"git status=>allow"}},
    {"a longer command matches its prefix",
     R"(prefix_rule(pattern = ["git", "status"]))",
     {"git", "status", "--short"},
     false,
     {"git status=>allow"}},
    {"a shorter command does not match",
     R"(prefix_rule(pattern = ["git", "status"]))",
     {"git"},
     false,
     {}},
    {"another program", R"(prefix_rule(pattern = ["git", "status"]))", {"hg", "status"}, false, {}},
    {"exact comparison, no flag parsing",
     R"(prefix_rule(pattern = ["git", "status"]))",
     {"git", "-c", "x=y", "status"},
     false,
     {}},
    {"no globs", R"(prefix_rule(pattern = ["ls", "*"]))", {"ls", "-l"}, false, {}},
    {"case matters", R"(prefix_rule(pattern = ["git"]))", {"Git"}, false, {}},
    {"empty argv", R"(prefix_rule(pattern = ["git"]))", {}, false, {}},
    {"justification on forbidden",
     R"(prefix_rule(pattern = ["rm"], decision = "forbidden", justification = "destructive"))",
     {"rm", "-rf", "/some/important/folder"},
     false,
     {"rm=>forbidden#destructive"}},
    {"justification on allow",
     R"(prefix_rule(pattern = ["ls"], decision = "allow", justification = "safe and common"))",
     {"ls", "-l"},
     false,
     {"ls=>allow#safe and common"}},
    {"every matching rule, in order",
     kGitRules,
     {"git", "commit", "-m", "hi"},
     false,
     {"git=>prompt", "git commit=>forbidden"}},
    {"only the general rule", kGitRules, {"git", "status"}, false, {"git=>prompt"}},
    {"first-position alternatives: bash",
     kShells,
     {"bash", "-c", "echo", "hi"},
     false,
     {"bash -c=>allow"}},
    {"first-position alternatives: sh",
     kShells,
     {"sh", "-l", "echo", "hi"},
     false,
     {"sh -l=>allow"}},
    {"first-position alternatives: neither", kShells, {"zsh", "-c", "x"}, false, {}},
    {"tail alternatives, first pair",
     kNpm,
     {"npm", "i", "--legacy-peer-deps"},
     false,
     {"npm i --legacy-peer-deps=>allow"}},
    {"tail alternatives, other pair",
     kNpm,
     {"npm", "install", "--no-save", "leftpad"},
     false,
     {"npm install --no-save=>allow"}},
    {"tail alternatives are not crossed with the head", kNpm, {"npm", "--no-save", "i"}, false, {}},
    {"tail alternatives, one position wrong", kNpm, {"npm", "install", "--save"}, false, {}},
    {"a one-element alternative list is a plain token",
     R"(prefix_rule(pattern = ["cargo", ["test"]]))",
     {"cargo", "test"},
     false,
     {"cargo test=>allow"}},
    {"empty tokens are tokens",
     R"(prefix_rule(pattern = ["echo", ""]))",
     {"echo", ""},
     false,
     {"echo =>allow"}},
    {"absolute program, no resolution asked", kGitHost, {"/usr/bin/git", "status"}, false, {}},
    {"absolute program resolved by basename, no host_executable",
     R"(prefix_rule(pattern = ["git"], decision = "prompt"))",
     {"/usr/bin/git", "status"},
     true,
     {"git=>prompt@/usr/bin/git"}},
    {"resolution through the listed path",
     R"(prefix_rule(pattern = ["git", "status"], decision = "prompt")
host_executable(name = "git", paths = ["/usr/bin/git"]))",
     {"/usr/bin/git", "status"},
     true,
     {"git status=>prompt@/usr/bin/git"}},
    {"a path not listed is not resolved", kGitHost, {"/opt/homebrew/bin/git", "status"}, true, {}},
    {"an empty path list resolves nothing",
     R"(prefix_rule(pattern = ["git"], decision = "prompt")
host_executable(name = "git", paths = []))",
     {"/usr/bin/git", "status"},
     true,
     {}},
    {"listed paths compare without repeated slashes and '.'",
     kGitHost,
     {"/usr//bin/./git"},
     true,
     {"git=>prompt@/usr//bin/./git"}},
    {"'..' is not resolved away", kGitHost, {"/usr/lib/../bin/git"}, true, {}},
    {"an exact rule for the absolute path wins",
     R"(prefix_rule(pattern = ["/usr/bin/git"], decision = "allow")
prefix_rule(pattern = ["git"], decision = "prompt")
host_executable(name = "git", paths = ["/usr/bin/git"]))",
     {"/usr/bin/git", "status"},
     true,
     {"/usr/bin/git=>allow"}},
    {"exact rules that do not match fall back to the basename",
     R"(prefix_rule(pattern = ["/usr/bin/git", "push"], decision = "forbidden")
prefix_rule(pattern = ["git"], decision = "prompt"))",
     {"/usr/bin/git", "status"},
     true,
     {"git=>prompt@/usr/bin/git"}},
    {"a relative path is not resolved", R"(prefix_rule(pattern = ["git"]))", {"bin/git"}, true, {}},
    {"a directory path is not resolved",
     R"(prefix_rule(pattern = ["git"]))",
     {"/usr/bin/git/"},
     true,
     {}},
    {"the last host_executable wins",
     R"(prefix_rule(pattern = ["git"])
host_executable(name = "git", paths = ["/usr/bin/git"])
host_executable(name = "git", paths = ["/opt/bin/git"]))",
     {"/usr/bin/git"},
     true,
     {}},
    {"a host_executable for another name does not restrict",
     R"(prefix_rule(pattern = ["git"])
host_executable(name = "rg", paths = ["/usr/bin/rg"]))",
     {"/opt/bin/git"},
     true,
     {"git=>allow@/opt/bin/git"}},
};

TEST(RulesPolicy, MatchingTable) {
  for (const auto& c : kMatchCases) {
    Policy p = load(c.rules);
    const auto ms = p.matches(c.argv, c.resolve);
    EXPECT_EQ(render(ms), c.matches) << c.name;
    // decision() is the strictest of matches().
    std::optional<Decision> want;
    for (const auto& m : ms) {
      if (!want || m.decision > *want) want = m.decision;
    }
    EXPECT_EQ(p.decision(c.argv, c.resolve), want) << c.name;
  }
}

TEST(RulesPolicy, RulesAcrossSourcesAccumulate) {
  Policy p;
  ASSERT_TRUE(
      p.add_source(R"(prefix_rule(pattern = ["git"], decision = "prompt"))", "first.rules").ok());
  ASSERT_TRUE(p.add_source("\n  \n"
                           R"(prefix_rule(pattern = ["git", "commit"],
                                           decision = "forbidden"))",
                           "second.rules")
                  .ok());
  const auto ms = p.matches({"git", "commit", "-m", "hi"}, false);
  EXPECT_EQ(render(ms), (Strings{"git=>prompt", "git commit=>forbidden"}));
  ASSERT_EQ(ms.size(), 2u);
  EXPECT_EQ(ms[0].origin, "first.rules:1:1");
  EXPECT_EQ(ms[1].origin, "second.rules:3:1");
  EXPECT_EQ(p.decision({"git", "commit"}, false), Decision::Forbidden);
  EXPECT_EQ(p.decision({"git", "status"}, false), Decision::Prompt);
  EXPECT_EQ(p.decision({"hg"}, false), std::nullopt);
}

TEST(RulesPolicy, StrictestWinsWhateverTheOrder) {
  Policy p = load(R"(
prefix_rule(pattern = ["git", "push"], decision = "forbidden")
prefix_rule(pattern = ["git"], decision = "prompt")
prefix_rule(pattern = ["git", "push", "--dry-run"], decision = "allow")
)");
  EXPECT_EQ(p.decision({"git", "push", "--dry-run"}, false), Decision::Forbidden);
  EXPECT_EQ(render(p.matches({"git", "push", "--dry-run"}, false)),
            (Strings{"git push=>forbidden", "git=>prompt", "git push --dry-run=>allow"}));
  EXPECT_EQ(p.decision({"git", "pull"}, false), Decision::Prompt);
}

TEST(RulesPolicy, NamesPlusAndPositionalArguments) {
  // Positional order: pattern, decision, match, not_match, justification.
  Policy p = load(R"(
GIT = ["git"]
SUBS = [["log", "show"]]
prefix_rule(GIT + ["diff"], "prompt")
prefix_rule(GIT + SUBS, None, [["git", "log"]], ["git status"], "reading history")
)");
  ASSERT_EQ(p.prefix_rules().size(), 2u);
  EXPECT_EQ(render(p.matches({"git", "diff", "HEAD"}, false)), (Strings{"git diff=>prompt"}));
  EXPECT_EQ(render(p.matches({"git", "show"}, false)),
            (Strings{"git show=>allow#reading history"}));
  // Tuples serve as lists everywhere.
  Policy t =
      load(R"(prefix_rule(pattern = ("make", ("test", "check")), match = (("make", "test"),)))");
  EXPECT_EQ(render(t.matches({"make", "check"}, false)), (Strings{"make check=>allow"}));
}

TEST(RulesPolicy, RuleModel) {
  Policy p = load(R"(
# comment
prefix_rule(
    pattern = [["bash", "sh", "bash"], ["-c", "-lc"], "x"],
    decision = "prompt",
    justification = "shell",
)
)");
  ASSERT_EQ(p.prefix_rules().size(), 2u);  // the repeated "bash" makes no second rule
  const PrefixRule& r = p.prefix_rules()[0];
  EXPECT_EQ(r.program, "bash");
  EXPECT_EQ(r.rest, (std::vector<Strings>{{"-c", "-lc"}, {"x"}}));
  EXPECT_EQ(r.decision, Decision::Prompt);
  EXPECT_EQ(r.justification, "shell");
  EXPECT_EQ(r.origin, "t.rules:3:1");
  EXPECT_EQ(p.prefix_rules()[1].program, "sh");
  EXPECT_EQ(p.prefix_rules()[1].origin, "t.rules:3:1");
}

TEST(RulesPolicy, DecisionStrings) {
  EXPECT_STREQ(to_string(Decision::Allow), "allow");
  EXPECT_STREQ(to_string(Decision::Prompt), "prompt");
  EXPECT_STREQ(to_string(Decision::Forbidden), "forbidden");
  EXPECT_LT(Decision::Allow, Decision::Prompt);
  EXPECT_LT(Decision::Prompt, Decision::Forbidden);
  // The default decision is allow; None means "not given".
  Policy p = load(R"(prefix_rule(["a"])
prefix_rule(["b"], None, None, None, None))");
  EXPECT_EQ(p.decision({"a"}, false), Decision::Allow);
  EXPECT_EQ(p.decision({"b"}, false), Decision::Allow);
  EXPECT_FALSE(p.prefix_rules()[1].justification.has_value());
}

TEST(RulesPolicy, ExamplesAreChecked) {
  // Strings are split like a shell would; lists are taken as they are.
  EXPECT_EQ(load_error(R"(prefix_rule(
    pattern = ["git", "status"],
    match = [["git", "status"], "git status", "git 'status' --short"],
    not_match = [
        ["git", "--config", "color.status=always", "status"],
        "git --config color.status=always status",
        "'git status'",
    ],
))"),
            "<loaded>");
  EXPECT_EQ(load_error(R"(prefix_rule(
    pattern = ["git", "status"],
    match = ["git status", "git stat"],
))"),
            "t.rules:3:28: match example [\"git\", \"stat\"] does not match "
            "prefix_rule(pattern=[\"git\", \"status\"])");
  EXPECT_EQ(load_error(R"(prefix_rule(
    pattern = [["bash", "sh"], ["-c", "-lc"]],
    not_match = [["bash", "-x"], ["sh", "-lc", "ls"]],
))"),
            "t.rules:3:34: not_match example [\"sh\", \"-lc\", \"ls\"] matches "
            "prefix_rule(pattern=[[\"bash\", \"sh\"], [\"-c\", \"-lc\"]])");
  // Examples are matched with host executables resolved, as they stand after the whole file.
  EXPECT_EQ(load_error(R"(prefix_rule(pattern = ["git"], match = ["/usr/bin/git status"])
host_executable(name = "git", paths = ["/usr/bin/git"]))"),
            "<loaded>");
  EXPECT_EQ(load_error(R"(prefix_rule(pattern = ["git"], not_match = ["/opt/git status"])
host_executable(name = "git", paths = ["/usr/bin/git"]))"),
            "<loaded>");
  EXPECT_EQ(load_error(R"(prefix_rule(pattern = ["git"], match = ["/opt/git status"])
host_executable(name = "git", paths = ["/usr/bin/git"]))"),
            "t.rules:1:41: match example [\"/opt/git\", \"status\"] does not match "
            "prefix_rule(pattern=[\"git\"])");
  // Each rule is checked against its own examples only.
  EXPECT_EQ(load_error(R"(prefix_rule(pattern = ["ls"])
prefix_rule(pattern = ["git"], not_match = ["ls"]))"),
            "<loaded>");
}

TEST(RulesPolicy, ShellSplittingOfExamples) {
  // The example must split into exactly the one token the rule names.
  struct Case {
    const char* example;  // what the example string holds
    const char* token;    // the single token it must split into
  };
  const Case cases[] = {
      {"'a b'", "a b"},   {"\"a b\"", "a b"},   {"a\\ b", "a b"}, {"\"a\\\"b\"", "a\"b"},
      {"'a\\b'", "a\\b"}, {"\"a\\b\"", "a\\b"}, {"a'b'c", "abc"}, {"  x  # comment", "x"},
      {"\"\"", ""},       {"x#y", "x#y"},       {"a\\\nb", "ab"},
  };
  for (const auto& c : cases) {
    const std::string text = "prefix_rule(pattern = [" + starlark::quote(c.token) + "], match = [" +
                             starlark::quote(c.example) + "])";
    EXPECT_EQ(load_error(text), "<loaded>") << text;
  }
}

struct ErrorCase {
  const char* src;
  const char* error;
};

TEST(RulesPolicy, PrefixRuleErrors) {
  const ErrorCase cases[] = {
      {R"(prefix_rule(pattern = "git"))", "t.rules:1:23: pattern must be a list (got string)"},
      {R"(prefix_rule(pattern = []))", "t.rules:1:23: pattern cannot be empty"},
      {R"(prefix_rule())", "t.rules:1:1: prefix_rule() is missing the required argument 'pattern'"},
      {R"(prefix_rule(pattern = ["git", ["a", ["b"]]]))",
       "t.rules:1:37: pattern alternatives must be strings (got list)"},
      {R"(prefix_rule(pattern = ["git", []]))",
       "t.rules:1:31: pattern alternatives cannot be empty"},
      {R"(prefix_rule(pattern = ["git", None]))",
       "t.rules:1:31: pattern elements must be strings or lists of strings (got NoneType)"},
      {R"(prefix_rule(pattern = ["git"], decision = ["allow"]))",
       "t.rules:1:43: decision must be a string (got list)"},
      {R"(prefix_rule(pattern = ["git"], decision = "deny"))",
       "t.rules:1:43: decision must be \"allow\", \"prompt\" or \"forbidden\" (got \"deny\")"},
      {R"(prefix_rule(pattern = ["git"], justification = "   "))",
       "t.rules:1:48: justification cannot be empty"},
      {R"(prefix_rule(pattern = ["git"], justification = ""))",
       "t.rules:1:48: justification cannot be empty"},
      {R"(prefix_rule(pattern = ["git"], justification = True))",
       "t.rules:1:48: justification must be a string (got bool)"},
      {R"(prefix_rule(pattern = ["git"], match = "git"))",
       "t.rules:1:40: match must be a list of examples (got string)"},
      {R"(prefix_rule(pattern = ["git"], not_match = "git"))",
       "t.rules:1:44: not_match must be a list of examples (got string)"},
      {R"(prefix_rule(pattern = ["git"], match = ["git 'status"]))",
       "t.rules:1:41: example \"git 'status\" is not valid shell syntax"},
      {R"(prefix_rule(pattern = ["git"], match = ["git \\"]))",
       "t.rules:1:41: example \"git \\\\\" is not valid shell syntax"},
      {R"(prefix_rule(pattern = ["git"], match = ["  # nothing"]))",
       "t.rules:1:41: example cannot be an empty command"},
      {R"(prefix_rule(pattern = ["git"], match = [[]]))",
       "t.rules:1:41: example cannot be an empty list"},
      {R"(prefix_rule(pattern = ["git"], match = [["git", ["x"]]]))",
       "t.rules:1:49: example tokens must be strings (got list)"},
      {R"(prefix_rule(pattern = ["git"], match = [None]))",
       "t.rules:1:41: an example must be a string or a list of strings (got NoneType)"},
      {R"(prefix_rule(pattern = ["git"], decison = "allow"))",
       "t.rules:1:32: prefix_rule() has no parameter 'decison'; did you mean 'decision'?"},
      {R"(prefix_rule(pattern = ["git"], pattern = ["git"]))",
       "t.rules:1:32: prefix_rule() got more than one value for 'pattern'"},
      {R"(prefix_rule(["a"], "allow", [], [], "why", "extra"))",
       "t.rules:1:44: prefix_rule() takes at most 5 positional arguments"},
      {R"(prefix_rule(pattern = ["git"])
prefix_rule(pattern = ["git"], decision = "maybe"))",
       "t.rules:2:43: decision must be \"allow\", \"prompt\" or \"forbidden\" (got \"maybe\")"},
      {"prefix_rule(pattern = [\"git\"], decision = \"\\x1b[2J\")",
       "t.rules:1:43: decision must be \"allow\", \"prompt\" or \"forbidden\" (got \"\\x1b[2J\")"},
  };
  for (const auto& c : cases) EXPECT_EQ(load_error(c.src), c.error) << c.src;
}

TEST(RulesPolicy, HostExecutableErrors) {
  const ErrorCase cases[] = {
      {R"(host_executable(name = "/usr/bin/git", paths = ["/usr/bin/git"]))",
       "t.rules:1:24: host_executable name must be a bare program name such as \"git\" (got "
       "\"/usr/bin/git\")"},
      {R"(host_executable(name = "", paths = []))",
       "t.rules:1:24: host_executable name must be a bare program name such as \"git\" (got \"\")"},
      {R"(host_executable(name = "..", paths = []))",
       "t.rules:1:24: host_executable name must be a bare program name such as \"git\" (got "
       "\"..\")"},
      {R"(host_executable(name = ["git"], paths = []))",
       "t.rules:1:24: host_executable name must be a string (got list)"},
      {R"(host_executable(name = "git", paths = "/usr/bin/git"))",
       "t.rules:1:39: host_executable paths must be a list (got string)"},
      {R"(host_executable(name = "git", paths = ["git"]))",
       "t.rules:1:40: host_executable paths must be absolute (got \"git\")"},
      {R"(host_executable(name = "git", paths = ["~/bin/git"]))",
       "t.rules:1:40: host_executable paths must be absolute (got \"~/bin/git\")"},
      {R"(host_executable(name = "git", paths = ["/usr/bin/git", "/usr/bin/rg"]))",
       "t.rules:1:56: host_executable path \"/usr/bin/rg\" must end in \"/git\""},
      {R"(host_executable(name = "git", paths = [None]))",
       "t.rules:1:40: a host_executable path must be a string (got NoneType)"},
      {R"(host_executable(name = "git"))",
       "t.rules:1:1: host_executable() is missing the required argument 'paths'"},
  };
  for (const auto& c : cases) EXPECT_EQ(load_error(c.src), c.error) << c.src;
}

TEST(RulesPolicy, HostExecutables) {
  Policy p = load(R"(
host_executable(name = "git", paths = ["/opt/homebrew/bin/git", "/usr/bin/git", "/usr//bin/git"])
host_executable("rg", [])
)");
  EXPECT_EQ(p.host_executables().at("git"), (Strings{"/opt/homebrew/bin/git", "/usr/bin/git"}));
  EXPECT_TRUE(p.host_executables().at("rg").empty());
  ASSERT_TRUE(
      p.add_source(R"(host_executable(name = "git", paths = ["/usr/local/bin/git"]))", "user.rules")
          .ok());
  EXPECT_EQ(p.host_executables().at("git"), (Strings{"/usr/local/bin/git"}));
}

TEST(RulesPolicy, NetworkRules) {
  Policy p = load(R"(
network_rule(host = "google.com", protocol = "http", decision = "allow")
network_rule(host = "API.GitHub.com.", protocol = "https", decision = "allow", justification = "api")
network_rule(host = "blocked.example.com:8443", protocol = "https_connect", decision = "deny")
network_rule(host = "prompt.example.com", protocol = "http-connect", decision = "prompt")
network_rule(host = "[::1]:8080", protocol = "socks5_tcp", decision = "forbidden")
network_rule(host = "  [2001:db8::1]  ", protocol = "socks5_udp", decision = "allow")
network_rule("fe80::1", "http", "allow")
)");
  const auto& n = p.network_rules();
  ASSERT_EQ(n.size(), 7u);
  EXPECT_EQ(n[0].host, "google.com");
  EXPECT_EQ(n[0].protocol, "http");
  EXPECT_EQ(n[0].action, NetworkRule::Action::Allow);
  EXPECT_EQ(n[0].origin, "t.rules:2:1");
  EXPECT_EQ(n[1].host, "api.github.com");
  EXPECT_EQ(n[1].protocol, "https");
  EXPECT_EQ(n[1].justification, "api");
  EXPECT_EQ(n[2].host, "blocked.example.com");
  EXPECT_EQ(n[2].protocol, "https");
  EXPECT_EQ(n[2].action, NetworkRule::Action::Deny);
  EXPECT_EQ(n[3].protocol, "https");
  EXPECT_EQ(n[3].action, NetworkRule::Action::Prompt);
  EXPECT_EQ(n[4].host, "::1");
  EXPECT_EQ(n[4].protocol, "socks5_tcp");
  EXPECT_EQ(n[4].action, NetworkRule::Action::Deny);
  EXPECT_EQ(n[5].host, "2001:db8::1");
  EXPECT_EQ(n[5].protocol, "socks5_udp");
  EXPECT_EQ(n[6].host, "fe80::1");  // two colons: not a port
  // Network rules never match commands.
  EXPECT_TRUE(p.matches({"google.com"}, true).empty());
}

TEST(RulesPolicy, LastNetworkRulePerHostAndProtocolWins) {
  Policy p = load(R"(
network_rule("a.example", "https", "allow")
network_rule("b.example", "https", "allow")
network_rule("A.example.", "https", "deny", "changed my mind")
network_rule("a.example", "http", "prompt")
)");
  const auto& n = p.network_rules();
  ASSERT_EQ(n.size(), 3u);
  EXPECT_EQ(n[0].host, "b.example");
  EXPECT_EQ(n[1].host, "a.example");
  EXPECT_EQ(n[1].protocol, "https");
  EXPECT_EQ(n[1].action, NetworkRule::Action::Deny);
  EXPECT_EQ(n[1].justification, "changed my mind");
  EXPECT_EQ(n[2].protocol, "http");
  // Across sources too.
  ASSERT_TRUE(p.add_source(R"(network_rule("b.example", "https", "prompt"))", "2.rules").ok());
  ASSERT_EQ(p.network_rules().size(), 3u);
  EXPECT_EQ(p.network_rules()[2].host, "b.example");
  EXPECT_EQ(p.network_rules()[2].action, NetworkRule::Action::Prompt);
  EXPECT_EQ(p.network_rules()[2].origin, "2.rules:1:1");
}

TEST(RulesPolicy, NetworkRuleErrors) {
  const ErrorCase cases[] = {
      {R"(network_rule(host = "*", protocol = "http", decision = "allow"))",
       "t.rules:1:21: network_rule host must name one host: wildcards are not allowed (got "
       "\"*\")"},
      {R"(network_rule(host = "*.example.com", protocol = "http", decision = "allow"))",
       "t.rules:1:21: network_rule host must name one host: wildcards are not allowed (got "
       "\"*.example.com\")"},
      {R"(network_rule(host = "https://example.com", protocol = "http", decision = "allow"))",
       "t.rules:1:21: network_rule host must be a host name or an IP address, without scheme or "
       "path (got \"https://example.com\")"},
      {R"(network_rule(host = "example.com/path", protocol = "http", decision = "allow"))",
       "t.rules:1:21: network_rule host must be a host name or an IP address, without scheme or "
       "path (got \"example.com/path\")"},
      {R"(network_rule(host = "  ", protocol = "http", decision = "allow"))",
       "t.rules:1:21: network_rule host cannot be empty (got \"  \")"},
      {R"(network_rule(host = "...", protocol = "http", decision = "allow"))",
       "t.rules:1:21: network_rule host cannot be empty (got \"...\")"},
      {R"(network_rule(host = "[::1", protocol = "http", decision = "allow"))",
       "t.rules:1:21: network_rule host has an unclosed '[' (got \"[::1\")"},
      {R"(network_rule(host = "[::1]x", protocol = "http", decision = "allow"))",
       "t.rules:1:21: network_rule host has something after its IPv6 address other than a port "
       "(got \"[::1]x\")"},
      {R"(network_rule(host = "exa mple.com", protocol = "http", decision = "allow"))",
       "t.rules:1:21: network_rule host cannot contain whitespace (got \"exa mple.com\")"},
      {R"(network_rule(host = ["x"], protocol = "http", decision = "allow"))",
       "t.rules:1:21: network_rule host must be a string (got list)"},
      {R"(network_rule(host = "x", protocol = "ftp", decision = "allow"))",
       "t.rules:1:37: protocol must be \"http\", \"https\", \"socks5_tcp\" or \"socks5_udp\" (got "
       "\"ftp\")"},
      {R"(network_rule(host = "x", protocol = None, decision = "allow"))",
       "t.rules:1:37: protocol must be a string (got NoneType)"},
      {R"(network_rule(host = "x", protocol = "http", decision = "ask"))",
       "t.rules:1:56: decision must be \"allow\", \"prompt\", \"deny\" or \"forbidden\" (got "
       "\"ask\")"},
      {R"(network_rule(host = "x", protocol = "http"))",
       "t.rules:1:1: network_rule() is missing the required argument 'decision'"},
      {R"(network_rule(host = "x", protocol = "http", decision = "allow", justification = "\t"))",
       "t.rules:1:81: justification cannot be empty"},
  };
  for (const auto& c : cases) EXPECT_EQ(load_error(c.src), c.error) << c.src;
}

TEST(RulesPolicy, NothingIsAddedFromAFileWithAnErrorAnywhere) {
  // The error is in the last statement; the rules before it are not kept.
  EXPECT_EQ(load_error(R"(prefix_rule(pattern = ["a"])
network_rule("x.example", "http", "allow")
host_executable("git", ["/usr/bin/git"])
prefix_rule(pattern = ["b"], decision = "nope"))"),
            "t.rules:4:41: decision must be \"allow\", \"prompt\" or \"forbidden\" (got \"nope\")");
  // And an example failing after everything evaluated.
  EXPECT_EQ(load_error(R"(prefix_rule(pattern = ["a"], match = ["b"])
host_executable("git", ["/usr/bin/git"]))"),
            "t.rules:1:39: match example [\"b\"] does not match prefix_rule(pattern=[\"a\"])");
}

TEST(RulesPolicy, CheckJson) {
  Policy p = load(R"(
prefix_rule(pattern = ["git"], decision = "prompt")
prefix_rule(pattern = ["git", "push"], decision = "forbidden", justification = "no pushing")
)");
  EXPECT_EQ(check_json(p.matches({"git", "push", "origin"}, false)).dump(),
            R"({"decision":"forbidden","matchedRules":[{"prefixRuleMatch":{"decision":"prompt",)"
            R"("matchedPrefix":["git"]}},{"prefixRuleMatch":{"decision":"forbidden",)"
            R"("justification":"no pushing","matchedPrefix":["git","push"]}}]})");
  EXPECT_EQ(check_json(p.matches({"ls"}, false)).dump(), R"({"matchedRules":[]})");
  EXPECT_EQ(check_json(p.matches({"/usr/bin/git", "status"}, true)).dump(),
            R"({"decision":"prompt","matchedRules":[{"prefixRuleMatch":{"decision":"prompt",)"
            R"("matchedPrefix":["git"],"resolvedProgram":"/usr/bin/git"}}]})");
}

}  // namespace
}  // namespace cordon::rules
