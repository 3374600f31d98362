// find_bwrap: the first bwrap on PATH that does not lie inside a writable root.
#include "sandbox/linux/bwrap_locate.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_filesystem.h"

namespace cordon::sandbox::linux {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class FindBwrap : public ::testing::Test {
 protected:
  std::string ok(const char* path_env, const std::vector<std::string>& roots = {}) {
    auto r = find_bwrap(path_env, roots, fs);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : std::string("<error>");
  }
  std::string error(const char* path_env, const std::vector<std::string>& roots = {}) {
    auto r = find_bwrap(path_env, roots, fs);
    EXPECT_FALSE(r.ok()) << "found " << (r.ok() ? *r : "");
    return r.ok() ? std::string("<found>") : r.error().message;
  }
  fakes::FakeFileSystem fs;
};

TEST_F(FindBwrap, FirstOnPath) {
  fs.add_executable("/usr/bin/bwrap");
  fs.add_executable("/usr/local/bin/bwrap");
  EXPECT_EQ(ok("/usr/local/bin:/usr/bin"), "/usr/local/bin/bwrap");
  EXPECT_EQ(ok("/usr/bin:/usr/local/bin"), "/usr/bin/bwrap");
  EXPECT_EQ(ok("/nonexistent:/bin:/usr/bin"), "/usr/bin/bwrap");
}

TEST_F(FindBwrap, NonExecutableAndDirectoryCandidatesAreSkipped) {
  fs.add_file("/opt/a/bwrap", "not executable");
  fs.add_dir("/opt/b/bwrap");
  fs.add_executable("/usr/bin/bwrap");
  EXPECT_EQ(ok("/opt/a:/opt/b:/usr/bin"), "/usr/bin/bwrap");
}

TEST_F(FindBwrap, ReturnsTheRealPathOfASymlinkedCandidate) {
  fs.add_executable("/usr/bin/bwrap");
  fs.add_symlink("/usr/local/bin/bwrap", "../../bin/bwrap");
  EXPECT_EQ(ok("/usr/local/bin"), "/usr/bin/bwrap");
}

TEST_F(FindBwrap, CandidatesInsideWritableRootsAreSkipped) {
  fs.add_executable("/home/u/proj/bin/bwrap");
  fs.add_executable("/usr/bin/bwrap");
  EXPECT_EQ(ok("/home/u/proj/bin:/usr/bin", {"/tmp", "/home/u/proj"}), "/usr/bin/bwrap");
  // A root that only shares a name prefix does not count.
  EXPECT_EQ(ok("/home/u/proj/bin:/usr/bin", {"/home/u/pro"}), "/home/u/proj/bin/bwrap");
}

TEST_F(FindBwrap, SymlinkPointingIntoAWritableRootIsSkipped) {
  fs.add_executable("/home/u/proj/tools/bwrap");
  fs.add_symlink("/usr/local/bin/bwrap", "/home/u/proj/tools/bwrap");
  fs.add_executable("/usr/bin/bwrap");
  EXPECT_EQ(ok("/usr/local/bin:/usr/bin", {"/home/u/proj"}), "/usr/bin/bwrap");
}

TEST_F(FindBwrap, PathDirectorySymlinkedIntoAWritableRootIsSkipped) {
  fs.add_executable("/home/u/proj/bin/bwrap");
  fs.add_symlink("/opt/bin", "/home/u/proj/bin");
  fs.add_executable("/usr/bin/bwrap");
  EXPECT_EQ(ok("/opt/bin:/usr/bin", {"/home/u/proj"}), "/usr/bin/bwrap");
}

TEST_F(FindBwrap, SymlinkInsideARootPointingOutIsUsedByItsRealPath) {
  fs.add_executable("/usr/bin/bwrap");
  fs.add_symlink("/home/u/proj/bin/bwrap", "/usr/bin/bwrap");
  EXPECT_EQ(ok("/home/u/proj/bin", {"/home/u/proj"}), "/usr/bin/bwrap");
}

TEST_F(FindBwrap, RelativeAndEmptyPathEntriesAreIgnored) {
  fs.add_executable("/home/u/proj/bin/bwrap");
  fs.add_executable("/home/u/proj/bwrap");
  fs.set_cwd("/home/u/proj");
  // "bin", "." and empty entries (meaning the current directory) would all find one.
  const std::string msg = error("bin:.::./bin:");
  EXPECT_THAT(msg, HasSubstr("bubblewrap (bwrap) was not found on PATH"));
  fs.add_executable("/usr/bin/bwrap");
  EXPECT_EQ(ok(":bin:.:/usr/bin"), "/usr/bin/bwrap");
}

TEST_F(FindBwrap, NotFoundSaysHowToInstall) {
  EXPECT_EQ(error("/usr/local/bin:/usr/bin:/bin"),
            "bubblewrap (bwrap) was not found on PATH. Install it with your package manager "
            "(Debian/Ubuntu: sudo apt-get install bubblewrap).");
  EXPECT_THAT(error(nullptr), HasSubstr("apt-get install bubblewrap"));
  EXPECT_THAT(error(""), HasSubstr("apt-get install bubblewrap"));
}

TEST_F(FindBwrap, AllCandidatesSkippedListsThem) {
  fs.add_executable("/home/u/proj/bin/bwrap");
  fs.add_executable("/tmp/x/bwrap");
  const std::string msg = error("/home/u/proj/bin:/tmp/x", {"/tmp", "/home/u/proj"});
  EXPECT_EQ(msg,
            "no usable bubblewrap (bwrap) on PATH: skipped /home/u/proj/bin/bwrap /tmp/x/bwrap "
            "(inside a writable root, where a sandboxed command could have replaced it). Install "
            "it with your package manager (Debian/Ubuntu: sudo apt-get install bubblewrap).");
  EXPECT_THAT(msg, Not(HasSubstr("was not found")));
}

TEST_F(FindBwrap, ASkippedCandidateIsListedOnce) {
  fs.add_executable("/home/u/proj/bin/bwrap");
  fs.add_symlink("/opt/bin", "/home/u/proj/bin");
  EXPECT_EQ(error("/home/u/proj/bin:/opt/bin:/home/u/proj/bin", {"/home/u/proj"}),
            "no usable bubblewrap (bwrap) on PATH: skipped /home/u/proj/bin/bwrap (inside a "
            "writable root, where a sandboxed command could have replaced it). Install it with "
            "your package manager (Debian/Ubuntu: sudo apt-get install bubblewrap).");
}

TEST_F(FindBwrap, TrailingAndDuplicateSeparators) {
  fs.add_executable("/usr/bin/bwrap");
  EXPECT_EQ(ok("/usr/bin:"), "/usr/bin/bwrap");
  EXPECT_EQ(ok("::/usr/bin::"), "/usr/bin/bwrap");
  EXPECT_EQ(ok("/usr//bin/"), "/usr/bin/bwrap");
}

}  // namespace
}  // namespace cordon::sandbox::linux
