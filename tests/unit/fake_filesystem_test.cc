// The fake must behave like the kernel where the policy code asks it questions: the
// same tree is built in a real temporary directory and both are queried alike.
#include "fake_filesystem.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace cordon::fakes {
namespace {

class FakeVsReal : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/cordon-fakefs-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    char buf[4096];
    ASSERT_NE(::realpath(tmpl, buf), nullptr);
    root_ = buf;
    fake_.add_dir(root_);
  }
  void TearDown() override {
    if (!root_.empty()) {
      std::string cmd = "rm -rf '" + root_ + "'";
      EXPECT_EQ(std::system(cmd.c_str()), 0);
    }
  }

  std::string p(const std::string& rel) const { return root_ + "/" + rel; }

  void dir(const std::string& rel) {
    ASSERT_EQ(::mkdir(p(rel).c_str(), 0755), 0) << rel;
    fake_.add_dir(p(rel));
  }
  void file(const std::string& rel, const std::string& content, bool exec = false) {
    {
      std::ofstream out(p(rel));
      out << content;
    }
    ASSERT_EQ(::chmod(p(rel).c_str(), exec ? 0755 : 0644), 0);
    if (exec) {
      fake_.add_executable(p(rel), content);
    } else {
      fake_.add_file(p(rel), content);
    }
  }
  void link(const std::string& rel, const std::string& target) {
    ASSERT_EQ(::symlink(target.c_str(), p(rel).c_str()), 0) << rel;
    fake_.add_symlink(p(rel), target);
  }

  void expect_same(const std::string& rel) {
    const std::string path = p(rel);
    EXPECT_EQ(fake_.lstat_type(path), real_.lstat_type(path)) << "lstat_type " << rel;
    EXPECT_EQ(fake_.realpath(path), real_.realpath(path)) << "realpath " << rel;
    EXPECT_EQ(fake_.read_file(path, 1024), real_.read_file(path, 1024)) << "read_file " << rel;
    EXPECT_EQ(fake_.is_executable(path), real_.is_executable(path)) << "is_executable " << rel;
  }

  std::string root_;
  FakeFileSystem fake_;
  RealFileSystem real_;
};

TEST_F(FakeVsReal, AgreesOnEveryKindOfPath) {
  dir("a");
  dir("a/b");
  file("a/b/f", "hello");
  file("a/b/x", "#!/bin/sh\n", true);
  link("abs", p("a/b"));
  link("rel", "a/b");
  link("a/up", "../a/b/f");
  link("chain", "rel");
  link("dangling", "nope");
  link("loop1", "loop2");
  link("loop2", "loop1");
  link("a/b/dotdot", "..");
  const std::vector<std::string> queries = {
      "a",          "a/b",        "a/b/f",      "a/b/x",          "abs",       "abs/f",
      "rel",        "rel/f",      "rel/x",      "a/up",           "chain",     "chain/f",
      "dangling",   "loop1",      "loop1/f",    "missing",        "a/missing", "a/b/f/g",
      "abs/../b",   "rel/../b/f", "a/b/dotdot", "a/b/dotdot/b/f", "a/./b/f",   "a/b/../b/f",
      "dangling/x",
  };
  for (const auto& q : queries) expect_same(q);
}

TEST(FakeFileSystem, RelativePathsNeedACwd) {
  FakeFileSystem fs;
  fs.add_executable("/work/bin/tool");
  EXPECT_EQ(fs.lstat_type("bin/tool"), FileType::Missing);
  EXPECT_FALSE(fs.is_executable("bin/tool"));
  fs.set_cwd("/work");
  EXPECT_EQ(fs.lstat_type("bin/tool"), FileType::Regular);
  EXPECT_TRUE(fs.is_executable("bin/tool"));
  EXPECT_EQ(fs.realpath("bin/tool"), "/work/bin/tool");
}

TEST(FakeFileSystem, UnreadableAndOversizedFiles) {
  FakeFileSystem fs;
  fs.add_unreadable_file("/secret");
  fs.add_file("/big", std::string(100, 'x'));
  fs.add_other("/fifo");
  EXPECT_EQ(fs.lstat_type("/secret"), FileType::Regular);
  EXPECT_EQ(fs.read_file("/secret", 1000), std::nullopt);
  EXPECT_EQ(fs.read_file("/big", 99), std::nullopt);
  EXPECT_EQ(fs.read_file("/big", 100), std::string(100, 'x'));
  EXPECT_EQ(fs.lstat_type("/fifo"), FileType::Other);
  EXPECT_EQ(fs.lstat_type("/"), FileType::Directory);
  EXPECT_EQ(fs.realpath("/"), "/");
}

}  // namespace
}  // namespace cordon::fakes
