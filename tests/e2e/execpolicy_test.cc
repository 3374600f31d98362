// e2e: `cordon execpolicy check` through the real binary: the JSON for a match, for no match
// (no "decision" key), --pretty, --resolve-host-executables, and a rules file that does not
// load (exit 78, FILE:LINE:COLUMN on stderr, nothing on stdout).
#include <nlohmann/json.hpp>

#include "harness.h"

namespace e2e {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

constexpr int kUsage = 64;
constexpr int kConfig = 78;

class ExecPolicy : public E2ETest {
 protected:
  // `cordon ARGS...` in the workspace, with the harness's environment.
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

  // `cordon execpolicy check --rules FILE... FLAGS... -- COMMAND...`.
  RunResult check(const std::vector<std::string>& files, const std::vector<std::string>& flags,
                  const std::vector<std::string>& command) {
    std::vector<std::string> args = {"execpolicy", "check"};
    for (const auto& f : files) {
      args.push_back("--rules");
      args.push_back(f);
    }
    args.insert(args.end(), flags.begin(), flags.end());
    args.push_back("--");
    args.insert(args.end(), command.begin(), command.end());
    return cordon(args);
  }

  std::string rules(const std::string& name, const std::string& text) {
    const std::string path = join(extra_, name);
    write_file(path, text);
    return path;
  }

  // The JSON on stdout of a successful run: exactly one line unless pretty.
  static Json output(const RunResult& r, bool pretty = false) {
    EXPECT_TRUE(r.exited && r.code == 0) << r.describe();
    EXPECT_EQ(r.err, "") << r.describe();
    EXPECT_FALSE(r.out.empty());
    if (!r.out.empty()) {
      EXPECT_EQ(r.out.back(), '\n');
    }
    const auto lines = std::count(r.out.begin(), r.out.end(), '\n');
    if (pretty) {
      EXPECT_GT(lines, 1) << r.out;
    } else {
      EXPECT_EQ(lines, 1) << r.out;
    }
    Json j = Json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.out;
    return j;
  }
};

constexpr const char* kGitRules = R"(# git: ask, but never commit from here
prefix_rule(pattern = ["git"], decision = "prompt")
prefix_rule(
    pattern = ["git", ["commit", "push"]],
    decision = "forbidden",
    justification = "history changes go through review",
)
prefix_rule(pattern = ["ls"], match = ["ls -l"], not_match = ["lsblk"])
)";

TEST_F(ExecPolicy, MatchedRulesAndTheStrictestDecision) {
  const std::string file = rules("git.rules", kGitRules);
  const Json j = output(check({file}, {}, {"git", "push", "origin", "main"}));
  const Json want = Json::parse(R"({
    "matchedRules": [
      {"prefixRuleMatch": {"matchedPrefix": ["git"], "decision": "prompt"}},
      {"prefixRuleMatch": {"matchedPrefix": ["git", "push"], "decision": "forbidden",
                           "justification": "history changes go through review"}}
    ],
    "decision": "forbidden"
  })");
  EXPECT_EQ(j, want) << j.dump();

  const Json ls = output(check({file}, {}, {"ls", "-l"}));
  EXPECT_EQ(ls, Json::parse(R"({"matchedRules": [{"prefixRuleMatch":
      {"matchedPrefix": ["ls"], "decision": "allow"}}], "decision": "allow"})"))
      << ls.dump();
}

TEST_F(ExecPolicy, NoMatchHasNoDecision) {
  const std::string file = rules("git.rules", kGitRules);
  const Json j = output(check({file}, {}, {"lsblk", "-f"}));
  EXPECT_EQ(j, Json::parse(R"({"matchedRules": []})")) << j.dump();
  EXPECT_FALSE(j.contains("decision"));
  // An absolute path is not its basename unless asked.
  const Json abs = output(check({file}, {}, {"/usr/bin/git", "status"}));
  EXPECT_EQ(abs, Json::parse(R"({"matchedRules": []})")) << abs.dump();
}

TEST_F(ExecPolicy, SeveralFilesAndTheCommandWithoutSeparator) {
  const std::string a = rules("a.rules", R"(prefix_rule(pattern = ["make"], decision = "prompt"))");
  const std::string b =
      rules("b.rules", R"(prefix_rule(pattern = ["make", "install"], decision = "forbidden"))");
  // Without "--" the command starts at the first argument that is not an option.
  const Json j = output(cordon({"execpolicy", "check", "-r", a, "--rules", b, "make", "install"}));
  EXPECT_EQ(j["decision"], "forbidden") << j.dump();
  ASSERT_EQ(j["matchedRules"].size(), 2u) << j.dump();
  EXPECT_EQ(j["matchedRules"][0]["prefixRuleMatch"]["decision"], "prompt");
  EXPECT_EQ(j["matchedRules"][1]["prefixRuleMatch"]["matchedPrefix"],
            Json::parse(R"(["make", "install"])"));
}

TEST_F(ExecPolicy, Pretty) {
  const std::string file = rules("git.rules", kGitRules);
  const RunResult compact = check({file}, {}, {"git", "status"});
  const RunResult pretty = check({file}, {"--pretty"}, {"git", "status"});
  EXPECT_EQ(output(pretty, true), output(compact));
  EXPECT_THAT(pretty.out, HasSubstr("\n  \"matchedRules\": [\n"));
}

TEST_F(ExecPolicy, ResolveHostExecutables) {
  const std::string file = rules("host.rules", R"(
prefix_rule(pattern = ["git", "status"], decision = "prompt")
host_executable(name = "git", paths = ["/usr/bin/git"])
)");
  const Json resolved =
      output(check({file}, {"--resolve-host-executables"}, {"/usr/bin/git", "status", "-s"}));
  EXPECT_EQ(resolved, Json::parse(R"({"matchedRules": [{"prefixRuleMatch": {
      "matchedPrefix": ["git", "status"], "decision": "prompt",
      "resolvedProgram": "/usr/bin/git"}}], "decision": "prompt"})"))
      << resolved.dump();
  // Without the flag, and for a path host_executable() does not list: no match.
  EXPECT_EQ(output(check({file}, {}, {"/usr/bin/git", "status"})),
            Json::parse(R"({"matchedRules": []})"));
  EXPECT_EQ(output(check({file}, {"--resolve-host-executables"}, {"/opt/git/bin/git", "status"})),
            Json::parse(R"({"matchedRules": []})"));
}

TEST_F(ExecPolicy, ABadRulesFileExits78WithItsPosition) {
  const std::string good = rules("good.rules", kGitRules);
  const std::string bad = rules("bad.rules", R"(prefix_rule(pattern = ["ls"])
prefix_rule(pattern = ["rm"], decision = "deny")
)");
  const RunResult r = check({good, bad}, {}, {"ls"});
  EXPECT_TRUE(r.exited && r.code == kConfig) << r.describe();
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "cordon: " + bad +
                       ":2:42: decision must be \"allow\", \"prompt\" or \"forbidden\" (got "
                       "\"deny\")\n");

  // A failing example is a load error too, at the example.
  const std::string ex = rules("ex.rules", R"(prefix_rule(pattern = ["git", "status"],
            match = ["git stash"]))");
  const RunResult e = check({ex}, {}, {"git", "status"});
  EXPECT_TRUE(e.exited && e.code == kConfig) << e.describe();
  EXPECT_EQ(e.err, "cordon: " + ex +
                       ":2:22: match example [\"git\", \"stash\"] does not match "
                       "prefix_rule(pattern=[\"git\", \"status\"])\n");

  const std::string missing = join(extra_, "missing.rules");
  const RunResult m = check({missing}, {}, {"ls"});
  EXPECT_TRUE(m.exited && m.code == kConfig) << m.describe();
  EXPECT_EQ(m.err, "cordon: " + missing + ": cannot read: No such file or directory\n");
}

TEST_F(ExecPolicy, UsageErrors) {
  const std::string file = rules("git.rules", kGitRules);
  const RunResult none = cordon({"execpolicy", "check", "--rules", file});
  EXPECT_TRUE(none.exited && none.code == kUsage) << none.describe();
  EXPECT_THAT(none.err, HasSubstr("execpolicy check needs a command"));
  EXPECT_EQ(none.out, "");
  const RunResult no_rules = cordon({"execpolicy", "check", "--", "ls"});
  EXPECT_TRUE(no_rules.exited && no_rules.code == kUsage) << no_rules.describe();
  EXPECT_THAT(no_rules.err, HasSubstr("--rules is required"));
}

}  // namespace
}  // namespace e2e
