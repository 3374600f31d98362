// Unit tests: loading the rules directories from real files in a temporary directory.
#include "rules/load.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace cordon::rules {
namespace {

using Strings = std::vector<std::string>;

class RulesLoad : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "cordon-load-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  void write(const std::string& rel, const std::string& text) {
    const auto path = std::filesystem::path(dir_) / rel;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
  }
  std::string path(const std::string& rel) const { return dir_ + "/" + rel; }

  std::string dir_;
};

// The programs of the prefix rules, in order.
Strings programs(const Policy& p) {
  Strings out;
  for (const auto& r : p.prefix_rules()) out.push_back(r.program);
  return out;
}

TEST_F(RulesLoad, FilesSortedByNameDirectoriesInOrder) {
  write("sys/b.rules", R"(prefix_rule(pattern = ["sys-b"]))");
  write("sys/a.rules", R"(prefix_rule(pattern = ["sys-a"]))");
  write("sys/notes.txt", "not rules at all (");
  write("sys/.rules", "not rules either (");
  write("sys/c.rules.bak", "nor this (");
  write("sys/dir.rules/x.rules", R"(prefix_rule(pattern = ["nested"]))");
  write("user/default.rules", R"(prefix_rule(pattern = ["user"], decision = "prompt"))");
  write("user/A.rules", R"(prefix_rule(pattern = ["user-A"]))");
  auto p = load_rule_dirs({path("sys"), path("missing"), path("user")});
  ASSERT_TRUE(p.ok()) << p.error().describe();
  EXPECT_EQ(programs(*p), (Strings{"sys-a", "sys-b", "user-A", "user"}));
  EXPECT_EQ(p->prefix_rules()[0].origin, path("sys") + "/a.rules:1:1");
}

TEST_F(RulesLoad, SymlinksToFilesCountOtherFilesDoNot) {
  write("elsewhere/shared.txt", R"(prefix_rule(pattern = ["shared"]))");
  write("rules/own.rules", R"(prefix_rule(pattern = ["own"]))");
  std::filesystem::create_symlink(path("elsewhere/shared.txt"), path("rules/shared.rules"));
  std::filesystem::create_symlink(path("nowhere"), path("rules/dangling.rules"));
  ASSERT_EQ(::mkfifo(path("rules/fifo.rules").c_str(), 0600), 0);  // must not block
  auto p = load_rule_dirs({path("rules/")});
  ASSERT_TRUE(p.ok()) << p.error().describe();
  EXPECT_EQ(programs(*p), (Strings{"own", "shared"}));
  EXPECT_EQ(p->prefix_rules()[1].origin, path("rules/shared.rules") + ":1:1");
}

TEST_F(RulesLoad, AnErrorNamesTheFileLineAndColumn) {
  write("rules/a.rules", R"(prefix_rule(pattern = ["a"]))");
  write("rules/b.rules",
        "prefix_rule(pattern = [\"b\"])\nprefix_rule(pattern = [\"b\"], decision = \"allowed\")\n");
  auto p = load_rule_dirs({path("rules")});
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().message,
            path("rules/b.rules") +
                ":2:41: decision must be \"allow\", \"prompt\" or \"forbidden\" (got \"allowed\")");
}

TEST_F(RulesLoad, NoDirectoriesNoRules) {
  auto p = load_rule_dirs({});
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->prefix_rules().empty());
  auto q = load_rule_dirs({path("missing"), path("missing/too")});
  ASSERT_TRUE(q.ok());
  EXPECT_TRUE(q->prefix_rules().empty());
}

TEST_F(RulesLoad, ADirectoryThatIsAFileIsAnError) {
  write("file", "x");
  auto p = load_rule_dirs({path("file")});
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().describe(),
            path("file") + ": cannot read the rules directory: Not a directory");
}

TEST_F(RulesLoad, AFileTooLargeIsAnError) {
  std::filesystem::create_directories(path("rules"));
  const int fd = ::open(path("rules/huge.rules").c_str(), O_WRONLY | O_CREAT, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::ftruncate(fd, static_cast<off_t>(kMaxRulesFileBytes) + 1), 0);  // sparse
  ::close(fd);
  auto p = load_rule_dirs({path("rules")});
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().message, path("rules/huge.rules") + ": larger than 16 MiB");
}

TEST(RulesLoadDefaults, Directories) {
  EXPECT_EQ(default_rule_dirs(nullptr, "/home/u"),
            (Strings{"/etc/cordon/rules", "/home/u/.cordon/rules"}));
  EXPECT_EQ(default_rule_dirs("", "/home/u"),
            (Strings{"/etc/cordon/rules", "/home/u/.cordon/rules"}));
  EXPECT_EQ(default_rule_dirs("/srv/ch", "/home/u"),
            (Strings{"/etc/cordon/rules", "/srv/ch/rules"}));
  EXPECT_EQ(default_rule_dirs("/srv/ch/", nullptr),
            (Strings{"/etc/cordon/rules", "/srv/ch/rules"}));
  EXPECT_EQ(default_rule_dirs(nullptr, nullptr), (Strings{"/etc/cordon/rules", "/.cordon/rules"}));
  EXPECT_EQ(default_amendment_file(nullptr, "/home/u"), "/home/u/.cordon/rules/default.rules");
  EXPECT_EQ(default_amendment_file("/srv/ch", "/home/u"), "/srv/ch/rules/default.rules");
}

}  // namespace
}  // namespace cordon::rules
