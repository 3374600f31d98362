// Unit tests: appending "always allow" rules to a real file in a temporary directory.
#include "rules/amend.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "rules/load.h"
#include "rules/policy.h"

namespace cordon::rules {
namespace {

using Strings = std::vector<std::string>;

class RulesAmend : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "cordon-amend-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    file_ = dir_ + "/home/rules/default.rules";
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  static std::string read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  static void write(const std::string& path, const std::string& text) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream(path, std::ios::binary) << text;
  }
  static unsigned mode_of(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
  }

  std::string dir_, file_;
};

TEST_F(RulesAmend, TheLineItWrites) {
  EXPECT_EQ(allow_rule_line({"echo", "Hello, world!"}),
            R"(prefix_rule(pattern=["echo", "Hello, world!"], decision="allow"))");
  EXPECT_EQ(allow_rule_line({"a\"b", "c\\d", "e\nf"}),
            R"(prefix_rule(pattern=["a\"b", "c\\d", "e\nf"], decision="allow"))");
}

TEST_F(RulesAmend, CreatesDirectoriesAndFile) {
  const mode_t old = ::umask(022);
  ASSERT_TRUE(append_prefix_rule(file_, {"echo", "Hello, world!"}).ok());
  ::umask(old);
  EXPECT_EQ(read(file_),
            "prefix_rule(pattern=[\"echo\", \"Hello, world!\"], decision=\"allow\")\n");
  EXPECT_EQ(mode_of(file_), 0600u);
  EXPECT_EQ(mode_of(dir_ + "/home/rules"), 0700u);
  EXPECT_EQ(mode_of(dir_ + "/home"), 0700u);
}

TEST_F(RulesAmend, NeverDuplicatesALine) {
  ASSERT_TRUE(append_prefix_rule(file_, {"python3"}).ok());
  ASSERT_TRUE(append_prefix_rule(file_, {"python3"}).ok());
  ASSERT_TRUE(append_prefix_rule(file_, {"python3", "-m"}).ok());
  ASSERT_TRUE(append_prefix_rule(file_, {"python3"}).ok());
  EXPECT_EQ(read(file_),
            "prefix_rule(pattern=[\"python3\"], decision=\"allow\")\n"
            "prefix_rule(pattern=[\"python3\", \"-m\"], decision=\"allow\")\n");
  // A line already there with CRLF counts too.
  write(file_, "prefix_rule(pattern=[\"ls\"], decision=\"allow\")\r\n");
  ASSERT_TRUE(append_prefix_rule(file_, {"ls"}).ok());
  EXPECT_EQ(read(file_), "prefix_rule(pattern=[\"ls\"], decision=\"allow\")\r\n");
}

TEST_F(RulesAmend, AppendsAfterExistingRules) {
  write(file_, "prefix_rule(pattern=[\"ls\"], decision=\"allow\")\n");
  ASSERT_TRUE(append_prefix_rule(file_, {"echo", "hi"}).ok());
  EXPECT_EQ(read(file_),
            "prefix_rule(pattern=[\"ls\"], decision=\"allow\")\n"
            "prefix_rule(pattern=[\"echo\", \"hi\"], decision=\"allow\")\n");
}

TEST_F(RulesAmend, AddsTheMissingNewlineFirst) {
  write(file_, "# mine\nprefix_rule(pattern=[\"ls\"], decision=\"allow\")");
  ASSERT_TRUE(append_prefix_rule(file_, {"echo", "hi"}).ok());
  EXPECT_EQ(read(file_),
            "# mine\nprefix_rule(pattern=[\"ls\"], decision=\"allow\")\n"
            "prefix_rule(pattern=[\"echo\", \"hi\"], decision=\"allow\")\n");
}

TEST_F(RulesAmend, TokensReadBackExactly) {
  const std::vector<Strings> prefixes = {
      {"echo", "it's \"quoted\""},
      {"printf", "back\\slash\\", "\\n"},
      {"printf", "line1\nline2\r\n", "\ttab"},
      {"caf\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"},
      {"ls", "latin1-\xe9-name", "\xff"},
      {"x", std::string("nul\0inside", 10), "\x01\x1b[31m\x7f"},
      {"echo", ""},
      {"$(rm -rf ~)", "`id`", "${HOME}", "#not-a-comment"},
  };
  for (const auto& p : prefixes) ASSERT_TRUE(append_prefix_rule(file_, p).ok());
  // Once more each: nothing new.
  const std::string before = read(file_);
  for (const auto& p : prefixes) ASSERT_TRUE(append_prefix_rule(file_, p).ok());
  EXPECT_EQ(read(file_), before);

  Policy policy;
  ASSERT_TRUE(policy.add_source(read(file_), file_).ok());
  ASSERT_EQ(policy.prefix_rules().size(), prefixes.size());
  for (size_t k = 0; k < prefixes.size(); ++k) {
    const PrefixRule& r = policy.prefix_rules()[k];
    Strings got = {r.program};
    for (const auto& alts : r.rest) {
      ASSERT_EQ(alts.size(), 1u);
      got.push_back(alts[0]);
    }
    EXPECT_EQ(got, prefixes[k]) << k;
    EXPECT_EQ(r.decision, Decision::Allow);
    // And the command itself is allowed.
    Strings cmd = prefixes[k];
    cmd.push_back("more");
    EXPECT_EQ(policy.decision(cmd, false), Decision::Allow) << k;
  }
  // Every rule is one line.
  const std::string text = read(file_);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), static_cast<long>(prefixes.size()));
}

TEST_F(RulesAmend, RefusesToWriteAFileThatWouldNotLoad) {
  const std::string broken = "prefix_rule(pattern=[\"ls\"], decision=\"allow\"\n";
  write(file_, broken);
  Status s = append_prefix_rule(file_, {"echo"});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "not adding a rule to " + file_ + ", it would not load: " + file_ +
                                   ":2:1: expected ')' or ',', found 'prefix_rule'");
  EXPECT_EQ(read(file_), broken);
}

TEST_F(RulesAmend, Errors) {
  Status empty = append_prefix_rule(file_, {});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().message, "an allow rule needs at least one token");
  EXPECT_FALSE(std::filesystem::exists(file_));

  std::filesystem::create_directories(file_);
  Status dir = append_prefix_rule(file_, {"ls"});
  ASSERT_FALSE(dir.ok());
  EXPECT_NE(dir.error().describe().find(file_), std::string::npos) << dir.error().describe();

  write(dir_ + "/plain", "x");
  Status parent = append_prefix_rule(dir_ + "/plain/rules/default.rules", {"ls"});
  ASSERT_FALSE(parent.ok());
  EXPECT_EQ(parent.error().message, dir_ + "/plain: not a directory");
}

TEST_F(RulesAmend, ConcurrentAppendsKeepEveryRuleOnce) {
  // Several threads append the same rules at once (each call opens the file, so each has
  // its own lock): every rule must end up in the file exactly once.
  std::vector<Strings> prefixes;
  for (int k = 0; k < 40; ++k) prefixes.push_back({"tool" + std::to_string(k), "run"});
  std::vector<std::thread> threads;
  std::vector<int> failures(8, 0);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (size_t k = 0; k < prefixes.size(); ++k) {
        const auto& p = prefixes[(k + static_cast<size_t>(t) * 7) % prefixes.size()];
        if (!append_prefix_rule(file_, p).ok()) ++failures[static_cast<size_t>(t)];
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures, std::vector<int>(8, 0));
  Policy policy;
  ASSERT_TRUE(policy.add_source(read(file_), file_).ok());
  EXPECT_EQ(policy.prefix_rules().size(), prefixes.size());
  for (const auto& p : prefixes) {
    const std::string line = allow_rule_line(p) + "\n";
    const std::string text = read(file_);
    size_t count = 0;
    for (size_t at = text.find(line); at != std::string::npos; at = text.find(line, at + 1)) {
      ++count;
    }
    EXPECT_EQ(count, 1u) << line;
  }
}

TEST_F(RulesAmend, TheDefaultFileLoadsWithTheRulesDirectories) {
  const std::string home = dir_ + "/cordon_home";
  const std::string file = default_amendment_file(home.c_str(), "/nonexistent");
  EXPECT_EQ(file, home + "/rules/default.rules");
  ASSERT_TRUE(append_prefix_rule(file, {"make", "test"}).ok());
  const auto dirs = default_rule_dirs(home.c_str(), "/nonexistent");
  ASSERT_EQ(dirs.size(), 2u);
  auto p = load_rule_dirs({dirs[1]});  // not /etc/cordon/rules: whatever this host has there
  ASSERT_TRUE(p.ok()) << p.error().describe();
  EXPECT_EQ(p->decision({"make", "test", "-j8"}, false), Decision::Allow);
}

}  // namespace
}  // namespace cordon::rules
