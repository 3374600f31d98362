// approval/session.{h,cc}: session ids, where a session's approvals live, and the file itself
// (round trip, no duplicates, malformed contents, permissions), with real files in a
// temporary directory that each test removes.
#include "approval/session.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cordon::approval {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using Entry = std::pair<std::vector<std::string>, bool>;

// ------------------------------------------------------------------ ids

TEST(SessionId, Table) {
  const std::pair<std::string, bool> cases[] = {
      {"a", true},
      {"agent-42", true},
      {"run_2024.06.01", true},
      {"ABCxyz019", true},
      {"a.", true},
      {"x-", true},
      {std::string(128, 'a'), true},
      {std::string(129, 'a'), false},
      {"", false},
      {".hidden", false},
      {".", false},
      {"..", false},
      {"a/b", false},
      {"../etc", false},
      {"with space", false},
      {"tab\t", false},
      {"new\nline", false},
      {"star*", false},
      {"dollar$", false},
      {"caf\xc3\xa9", false},
      {std::string("nul\0x", 5), false},
  };
  for (const auto& [id, ok] : cases) EXPECT_EQ(valid_session_id(id), ok) << "'" << id << "'";
}

// ------------------------------------------------------------------ paths

TEST(SessionFile, RuntimeDirFirst) {
  EXPECT_EQ(session_file("s1", "/run/user/1000", "/home/u/.ch", "/home/u"),
            "/run/user/1000/cordon/sessions/s1.json");
}

TEST(SessionFile, CordonHomeWithoutRuntimeDir) {
  EXPECT_EQ(session_file("s1", nullptr, "/home/u/.ch", "/home/u"), "/home/u/.ch/sessions/s1.json");
  // An empty or relative XDG_RUNTIME_DIR is not used.
  EXPECT_EQ(session_file("s1", "", "/home/u/.ch", "/home/u"), "/home/u/.ch/sessions/s1.json");
  EXPECT_EQ(session_file("s1", "run/user", "/home/u/.ch", "/home/u"),
            "/home/u/.ch/sessions/s1.json");
}

TEST(SessionFile, HomeWhenNothingElse) {
  EXPECT_EQ(session_file("s1", nullptr, nullptr, "/home/u"), "/home/u/.cordon/sessions/s1.json");
  EXPECT_EQ(session_file("s1", nullptr, "", "/home/u"), "/home/u/.cordon/sessions/s1.json");
}

// ------------------------------------------------------------------ the file

class SessionStore : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "cordon-session-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    file_ = dir_ + "/sessions/agent-1.json";
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  void write(const std::string& path, const std::string& text) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream(path, std::ios::binary) << text;
  }
  std::string read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  SessionApprovals load_ok(const std::string& path) {
    auto r = load_session(path);
    EXPECT_TRUE(r.ok()) << r.error().describe();
    return r.ok() ? *r : SessionApprovals{};
  }
  void add_ok(const std::vector<std::string>& argv, bool outside) {
    Status st = add_session_approval(file_, argv, outside);
    ASSERT_TRUE(st.ok()) << st.error().describe();
  }

  std::string dir_;
  std::string file_;
};

TEST_F(SessionStore, MissingFileHasNoApprovals) {
  EXPECT_THAT(load_ok(file_), IsEmpty());
  EXPECT_FALSE(std::filesystem::exists(file_));  // loading creates nothing
}

TEST_F(SessionStore, EmptyFileHasNoApprovals) {
  write(file_, "");
  EXPECT_THAT(load_ok(file_), IsEmpty());
}

TEST_F(SessionStore, AddThenLoadRoundTrip) {
  add_ok({"touch", "out.txt"}, false);
  add_ok({"curl", "-sS", "https://example.com"}, true);
  add_ok({"echo", "quote\" back\\ nl\n caf\xc3\xa9"}, false);
  EXPECT_THAT(load_ok(file_),
              ElementsAre(Entry{{"touch", "out.txt"}, false},
                          Entry{{"curl", "-sS", "https://example.com"}, true},
                          Entry{{"echo", "quote\" back\\ nl\n caf\xc3\xa9"}, false}));
}

// JSON holds only UTF-8: a command with other bytes is not remembered (an Error, and the
// approvals already in the file stay as they were) rather than stored as a different command.
TEST_F(SessionStore, CommandThatIsNotUtf8IsNotRememberedAndBreaksNothing) {
  add_ok({"ls"}, false);
  const std::string before = read(file_);
  Status st = add_session_approval(file_, {"rm", "-rf", "\xff\xfe"}, false);
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(st.error().message, HasSubstr("not UTF-8"));
  EXPECT_EQ(read(file_), before);
  EXPECT_THAT(load_ok(file_), ElementsAre(Entry{{"ls"}, false}));
}

TEST_F(SessionStore, CreatesTheDirectoriesWithPrivatePermissions) {
  add_ok({"ls"}, false);
  struct stat st {};
  ASSERT_EQ(::stat(file_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  ASSERT_EQ(::stat((dir_ + "/sessions").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
}

TEST_F(SessionStore, ExistingDirectoryIsMadePrivate) {
  std::filesystem::create_directories(dir_ + "/sessions");
  ASSERT_EQ(::chmod((dir_ + "/sessions").c_str(), 0755), 0);
  add_ok({"ls"}, false);
  struct stat st {};
  ASSERT_EQ(::stat((dir_ + "/sessions").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
}

TEST_F(SessionStore, SameApprovalIsNotAddedTwice) {
  add_ok({"touch", "a"}, false);
  const std::string once = read(file_);
  add_ok({"touch", "a"}, false);
  EXPECT_EQ(read(file_), once);
  EXPECT_THAT(load_ok(file_), ElementsAre(Entry{{"touch", "a"}, false}));
}

TEST_F(SessionStore, OutsideApprovalCoversInside) {
  add_ok({"touch", "a"}, true);
  add_ok({"touch", "a"}, false);  // already covered: running outside was approved
  EXPECT_THAT(load_ok(file_), ElementsAre(Entry{{"touch", "a"}, true}));
}

TEST_F(SessionStore, InsideApprovalDoesNotCoverOutside) {
  add_ok({"touch", "a"}, false);
  add_ok({"touch", "a"}, true);
  EXPECT_THAT(load_ok(file_),
              ElementsAre(Entry{{"touch", "a"}, false}, Entry{{"touch", "a"}, true}));
}

TEST_F(SessionStore, DifferentArgvIsAnotherApproval) {
  add_ok({"touch", "a"}, false);
  add_ok({"touch", "a", "b"}, false);
  add_ok({"touch"}, false);
  EXPECT_EQ(load_ok(file_).size(), 3u);
}

TEST_F(SessionStore, MalformedFileIsAnErrorNamingIt) {
  const std::string bad[] = {
      "not json",
      "[]",
      "{}",
      R"({"approved": {}})",
      R"({"approved": [1]})",
      R"({"approved": [{"argv": ["ls"]}]})",
      R"({"approved": [{"argv": [], "outside": false}]})",
      R"({"approved": [{"argv": "ls", "outside": false}]})",
      R"({"approved": [{"argv": ["ls", 1], "outside": false}]})",
      R"({"approved": [{"argv": ["ls"], "outside": "yes"}]})",
      R"({"approved": [{"argv": ["ls"], "outside": false})",  // cut short
  };
  for (const std::string& text : bad) {
    SCOPED_TRACE(text);
    write(file_, text);
    auto r = load_session(file_);
    ASSERT_FALSE(r.ok());
    EXPECT_THAT(r.error().describe(), HasSubstr(file_));
    // Adding to it fails the same way and leaves it as it was.
    Status st = add_session_approval(file_, {"ls"}, false);
    ASSERT_FALSE(st.ok());
    EXPECT_THAT(st.error().describe(), HasSubstr(file_));
    EXPECT_EQ(read(file_), text);
  }
}

TEST_F(SessionStore, ValidHandWrittenFileLoads) {
  write(file_, R"({"approved": [{"argv": ["ls", "-l"], "outside": true, "note": "extra"}],
                   "version": 1})");
  EXPECT_THAT(load_ok(file_), ElementsAre(Entry{{"ls", "-l"}, true}));
}

TEST_F(SessionStore, SymlinkIsNotFollowed) {
  const std::string target = dir_ + "/elsewhere.json";
  write(target, R"({"approved": []})");
  std::filesystem::create_directories(dir_ + "/sessions");
  std::filesystem::create_symlink(target, file_);
  EXPECT_FALSE(load_session(file_).ok());
  EXPECT_FALSE(add_session_approval(file_, {"ls"}, false).ok());
  EXPECT_EQ(read(target), R"({"approved": []})");
}

TEST_F(SessionStore, DirectoryThatCannotBeCreatedIsAnError) {
  write(dir_ + "/blocker", "a file where the directory should be");
  Status st = add_session_approval(dir_ + "/blocker/s.json", {"ls"}, false);
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(st.error().describe(), HasSubstr(dir_ + "/blocker"));
}

}  // namespace
}  // namespace cordon::approval
