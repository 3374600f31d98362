// policy::glob_match, has_glob_chars, glob_static_prefix and expand_glob (over the fake
// filesystem), and FileSystem::list_dir of the fake and of the real filesystem.
#include "policy/glob.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_filesystem.h"

namespace cordon::policy {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// ---------------------------------------------------------------- glob_match

struct MatchCase {
  const char* pattern;
  const char* path;
  bool match;
};

void PrintTo(const MatchCase& c, std::ostream* os) {
  *os << "'" << c.pattern << "' vs '" << c.path << "' -> " << (c.match ? "match" : "no match");
}

class GlobMatch : public ::testing::TestWithParam<MatchCase> {};

TEST_P(GlobMatch, Table) {
  const MatchCase& c = GetParam();
  EXPECT_EQ(glob_match(c.pattern, c.path), c.match);
}

const MatchCase kMatchCases[] = {
    // Literal paths.
    {"/ws/a.env", "/ws/a.env", true},
    {"/ws/a.env", "/ws/b.env", false},
    {"/ws/a.env", "/ws/a.env/x", false},
    {"/ws/a.env", "/ws", false},
    {"a/b", "a/b", true},
    {"a/b", "/a/b", false},  // relative pattern, absolute path
    {"/a/b", "a/b", false},
    {"", "", true},
    {"/", "/", true},
    {"/", "/a", false},
    // Empty components and trailing slashes are dropped, on both sides.
    {"/ws//a.env", "/ws/a.env", true},
    {"/ws/a.env", "//ws///a.env/", true},
    {"/ws/dir/", "/ws/dir", true},
    // '*' within one component, leading dot included.
    {"*.env", ".env", true},
    {"*.env", "a.env", true},
    {"*.env", "a.env.bak", false},
    {"*.env", "a/b.env", false},
    {"*", ".hidden", true},
    {"*", "", false},  // no component to match
    {"a*", "a", true},
    {"*a*b*c*", "xxaxxbxxcxx", true},
    {"*a*b*c*", "xxaxxcxxbxx", false},
    {"a**b", "axyzb", true},  // "**" inside a component is '*'
    {"a**b", "ax/b", false},
    {"/ws/*/x", "/ws/a/x", true},
    {"/ws/*/x", "/ws/a/b/x", false},
    // '?'.
    {"?.env", "a.env", true},
    {"?.env", ".env", false},
    {"??", ".a", true},
    {"a?c", "a/c", false},
    // Classes.
    {"[abc].txt", "b.txt", true},
    {"[abc].txt", "d.txt", false},
    {"x[0-9]", "x7", true},
    {"x[0-9]", "xa", false},
    {"x[!0-9]", "xa", true},
    {"x[!0-9]", "x5", false},
    {"x[^0-9]", "xa", true},
    {"x[^0-9]", "x5", false},
    {"[]a]", "]", true},   // ']' first is a member
    {"[!]a]", "b", true},  // ... also after '!'
    {"[!]a]", "]", false},
    {"[a-]", "-", true},  // '-' last is a member
    {"[-a]", "-", true},
    {"[z-a]", "m", false},  // reversed range: empty
    {"[\\]]", "]", true},   // escaped ']' inside a class
    {"[.]env", ".env", true},
    {"[*]", "*", true},
    {"[*]", "a", false},
    // Unclosed '[' is a literal.
    {"a[b", "a[b", true},
    {"a[b", "ab", false},
    {"[", "[", true},
    {"[[[", "[[[", true},
    {"x[!", "x[!", true},
    {"a]b", "a]b", true},  // a lone ']' is literal
    // Escapes.
    {"\\*", "*", true},
    {"\\*", "a", false},
    {"a\\?", "a?", true},
    {"a\\?", "ab", false},
    {"\\[a]", "[a]", true},
    {"\\[a]", "a", false},
    {"a\\", "a\\", true},  // a trailing '\' is itself
    {"\\a\\b", "ab", true},
    // "**".
    {"**/*.env", ".env", true},
    {"**/*.env", "a/.env", true},
    {"**/*.env", "a/b/c.env", true},
    {"**/*.env", "a/b/c.env/d", false},
    {"/ws/**/*.env", "/ws/.env", true},
    {"/ws/**/*.env", "/ws/x/y/z/prod.env", true},
    {"/ws/**/*.env", "/other/.env", false},
    {"a/**/b", "a/b", true},
    {"a/**/b", "a/x/y/b", true},
    {"a/**/b", "a/x/y/c", false},
    {"a/**", "a", false},  // trailing "**": what lies inside a, not a
    {"a/**", "a/x", true},
    {"a/**", "a/x/y/z", true},
    {"a/**", "b/x", false},
    {"a/**/", "a/x", true},
    {"a/**/", "a", false},
    {"/ws/secrets/**", "/ws/secrets", false},
    {"/ws/secrets/**", "/ws/secrets/.key", true},
    {"**", "x", true},
    {"**", "x/y", true},
    {"**", "", false},
    {"/**", "/", false},
    {"/**", "/etc/passwd", true},
    {"**/x", "x", true},
    {"**/x", "a/x/b", false},
    {"a/**/**/b", "a/b", true},
    {"a/**/**/b", "a/1/2/3/b", true},
    {"**/a/**/b/**/c", "a/b/c", true},
    {"**/a/**/b/**/c", "x/a/y/b/z/c", true},
    {"**/a/**/b/**/c", "x/a/y/c/z/b", false},
    {"**/**/**/**/**/x", "1/2/3/4/5/6/7/8/9/x", true},
    {"**/**/**/**/**/x", "1/2/3/4/5/6/7/8/9/y", false},
    {"a/**/**", "a", false},
    {"a/**/**", "a/b", true},
    {"x/**/*.c/**", "x/a.c", false},
    {"x/**/*.c/**", "x/y/a.c/z", true},
    // "." and ".." are plain names.
    {"/ws/../x", "/x", false},
    {"/ws/../x", "/ws/../x", true},
    {"/ws/*", "/ws/..", true},
};

INSTANTIATE_TEST_SUITE_P(Cases, GlobMatch, ::testing::ValuesIn(kMatchCases));

TEST(GlobMatchTable, HasEnoughCases) {
  EXPECT_GE(sizeof kMatchCases / sizeof kMatchCases[0], 60u);
}

// Patterns that take exponential time with naive backtracking. The test passes when the calls
// return (and give the right answers); nothing is timed.
TEST(GlobMatchPathological, StarsInAComponent) {
  const std::string name(4000, 'a');
  std::string pattern;
  for (int i = 0; i < 200; ++i) pattern += "*a";
  EXPECT_TRUE(glob_match(pattern, name));
  EXPECT_FALSE(glob_match(pattern + "b", name));
}

TEST(GlobMatchPathological, ManyDoubleStars) {
  std::string path;
  for (int i = 0; i < 2000; ++i) path += "d/";
  std::string pattern;
  for (int i = 0; i < 200; ++i) pattern += "**/d/";
  EXPECT_TRUE(glob_match(pattern + "**", path + "x"));
  EXPECT_FALSE(glob_match(pattern + "x", path + "y"));
}

TEST(GlobMatchPathological, HugePatternsDoNotRecurse) {
  // 100 KB patterns: no recursion, no quadratic scan of unclosed '['.
  const std::string brackets(100000, '[');
  EXPECT_TRUE(glob_match(brackets, brackets));
  std::string comps;
  for (int i = 0; i < 25000; ++i) comps += "**/";
  EXPECT_TRUE(glob_match(comps + "x", "a/b/x"));
  EXPECT_FALSE(glob_match(comps + "x", "a/b/y"));
}

// ---------------------------------------------------------------- has_glob_chars

TEST(HasGlobChars, Cases) {
  EXPECT_FALSE(has_glob_chars(""));
  EXPECT_FALSE(has_glob_chars("/ws/a.env"));
  EXPECT_TRUE(has_glob_chars("*.env"));
  EXPECT_TRUE(has_glob_chars("a?"));
  EXPECT_TRUE(has_glob_chars("x[0-9]"));
  EXPECT_TRUE(has_glob_chars("a]"));
  EXPECT_TRUE(has_glob_chars("a[b"));  // unclosed: still counted
  EXPECT_FALSE(has_glob_chars("\\*\\?\\[\\]"));
  EXPECT_TRUE(has_glob_chars("\\\\*"));  // an escaped '\', then '*'
  EXPECT_FALSE(has_glob_chars("a\\"));
}

// ---------------------------------------------------------------- glob_static_prefix

TEST(GlobStaticPrefix, Cases) {
  EXPECT_EQ(glob_static_prefix("/ws/a/**/*.env"), "/ws/a");
  EXPECT_EQ(glob_static_prefix("/*.env"), "/");
  EXPECT_EQ(glob_static_prefix("/ws/x[0-9]"), "/ws");
  EXPECT_EQ(glob_static_prefix("/ws/x[0-9]/y"), "/ws");
  EXPECT_EQ(glob_static_prefix("/ws/a/b"), "/ws/a");  // no glob: the parent
  EXPECT_EQ(glob_static_prefix("/ws"), "/");
  EXPECT_EQ(glob_static_prefix("/"), "/");
  EXPECT_EQ(glob_static_prefix("/**"), "/");
  EXPECT_EQ(glob_static_prefix("//ws//a//*"), "/ws/a");
  EXPECT_EQ(glob_static_prefix("/ws/a\\*b/*.env"), "/ws/a*b");  // escapes removed
  EXPECT_EQ(glob_static_prefix("/ws/a]b/x"), "/ws");
  EXPECT_EQ(glob_static_prefix("**/*.env"), "");
  EXPECT_EQ(glob_static_prefix("src/**/*.env"), "src");
  EXPECT_EQ(glob_static_prefix(""), "");
}

// ---------------------------------------------------------------- expand_glob

class ExpandGlob : public ::testing::Test {
 protected:
  ExpandGlob() {
    fs.add_file("/ws/.env");
    fs.add_file("/ws/README.md");
    fs.add_file("/ws/a/.env");
    fs.add_file("/ws/a/prod.env");
    fs.add_file("/ws/a/b/c.env");
    fs.add_file("/ws/a/b/c/deep.env");
    fs.add_dir("/ws/dir.env");  // a directory can match too
    fs.add_file("/ws/src/main.c");
    fs.add_file("/ws/src/util.c");
    fs.add_file("/ws/src/lib/inner.c");
    fs.add_other("/ws/fifo.env");
    // A symlink to a directory full of .env files: matches as itself, is not entered.
    fs.add_file("/outside/x.env");
    fs.add_symlink("/ws/link.env", "/outside");
    fs.add_symlink("/ws/linkdir", "/outside");
    fs.add_unreadable_dir("/ws/locked");
    fs.add_file("/ws/locked/hidden.env");
  }

  std::vector<std::string> ok(const std::string& pattern, GlobLimits limits = {}) {
    auto r = expand_glob(pattern, limits, fs);
    EXPECT_TRUE(r.ok()) << pattern << ": " << r.error().message;
    return r.ok() ? *r : std::vector<std::string>{};
  }
  std::string error(const std::string& pattern, GlobLimits limits = {}) {
    auto r = expand_glob(pattern, limits, fs);
    EXPECT_FALSE(r.ok()) << pattern;
    return r.ok() ? std::string() : r.error().message;
  }
  static GlobLimits depth(int d) {
    GlobLimits l;
    l.max_depth = d;
    return l;
  }

  fakes::FakeFileSystem fs;
};

TEST_F(ExpandGlob, EveryDepthSortedNoSymlinkDescentUnreadableSkipped) {
  EXPECT_THAT(ok("/ws/**/*.env"),
              ElementsAre("/ws/.env", "/ws/a/.env", "/ws/a/b/c.env", "/ws/a/b/c/deep.env",
                          "/ws/a/prod.env", "/ws/dir.env", "/ws/fifo.env", "/ws/link.env"));
}

TEST_F(ExpandGlob, DepthCap) {
  EXPECT_THAT(ok("/ws/**/*.env", depth(1)),
              ElementsAre("/ws/.env", "/ws/dir.env", "/ws/fifo.env", "/ws/link.env"));
  EXPECT_THAT(ok("/ws/**/*.env", depth(2)),
              ElementsAre("/ws/.env", "/ws/a/.env", "/ws/a/prod.env", "/ws/dir.env", "/ws/fifo.env",
                          "/ws/link.env"));
  EXPECT_THAT(ok("/ws/**/*.env", depth(3)),
              ElementsAre("/ws/.env", "/ws/a/.env", "/ws/a/b/c.env", "/ws/a/prod.env",
                          "/ws/dir.env", "/ws/fifo.env", "/ws/link.env"));
  EXPECT_THAT(ok("/ws/**/*.env", depth(4)), ok("/ws/**/*.env"));
  // Depth counts from the static prefix, not from "/".
  EXPECT_THAT(ok("/ws/a/**/*.env", depth(1)), ElementsAre("/ws/a/.env", "/ws/a/prod.env"));
}

TEST_F(ExpandGlob, DepthBelowOneIsAnError) {
  EXPECT_THAT(error("/ws/**/*.env", depth(0)), HasSubstr("at least 1"));
  EXPECT_THAT(error("/ws/**/*.env", depth(-3)), HasSubstr("'/ws/**/*.env'"));
}

TEST_F(ExpandGlob, OneLevelPatterns) {
  EXPECT_THAT(ok("/ws/src/*.c"), ElementsAre("/ws/src/main.c", "/ws/src/util.c"));
  EXPECT_THAT(ok("/ws/*/*.c"), ElementsAre("/ws/src/main.c", "/ws/src/util.c"));
  EXPECT_THAT(ok("/ws/src/**/*.c"),
              ElementsAre("/ws/src/lib/inner.c", "/ws/src/main.c", "/ws/src/util.c"));
  EXPECT_THAT(ok("/ws/[a-c]/*.env"), ElementsAre("/ws/a/.env", "/ws/a/prod.env"));
  EXPECT_THAT(ok("/ws/a/b/c/deep.env"), ElementsAre("/ws/a/b/c/deep.env"));  // no glob at all
}

TEST_F(ExpandGlob, TrailingDoubleStarIsEverythingInside) {
  EXPECT_THAT(ok("/ws/a/**"), ElementsAre("/ws/a/.env", "/ws/a/b", "/ws/a/b/c", "/ws/a/b/c.env",
                                          "/ws/a/b/c/deep.env", "/ws/a/prod.env"));
  EXPECT_THAT(ok("/ws/src/*"), ElementsAre("/ws/src/lib", "/ws/src/main.c", "/ws/src/util.c"));
}

TEST_F(ExpandGlob, SymlinkMatchesAsItselfOnly) {
  EXPECT_THAT(ok("/ws/*/x.env"), IsEmpty());  // /ws/linkdir/x.env: inside a link, not walked
  EXPECT_THAT(ok("/ws/**/x.env"), IsEmpty());
  EXPECT_THAT(ok("/ws/link*"), ElementsAre("/ws/link.env", "/ws/linkdir"));
}

TEST_F(ExpandGlob, SymlinkedPrefixIsFollowed) {
  fs.add_symlink("/home/me/proj", "/ws/a");
  EXPECT_THAT(ok("/home/me/proj/*.env"),
              ElementsAre("/home/me/proj/.env", "/home/me/proj/prod.env"));
}

TEST_F(ExpandGlob, UnreadableDirectoryIsSkipped) {
  EXPECT_THAT(ok("/ws/locked/*"), IsEmpty());
  EXPECT_THAT(ok("/ws/*"), ::testing::Contains("/ws/locked"));  // the entry itself is seen
}

TEST_F(ExpandGlob, MissingPrefixGivesNoMatches) {
  EXPECT_THAT(ok("/nowhere/**/*.env"), IsEmpty());
  EXPECT_THAT(ok("/ws/README.md/*"), IsEmpty());  // the prefix is a file
}

TEST_F(ExpandGlob, TooManyMatches) {
  GlobLimits limits;
  limits.max_matches = 3;
  const std::string msg = error("/ws/**/*.env", limits);
  EXPECT_THAT(msg, HasSubstr("'/ws/**/*.env'"));
  EXPECT_THAT(msg, HasSubstr("matches more than 3 paths"));
  EXPECT_THAT(msg, HasSubstr("glob_scan_max_depth"));
  limits.max_matches = 8;  // exactly 8 matches: allowed
  EXPECT_EQ(ok("/ws/**/*.env", limits).size(), 8u);
}

TEST_F(ExpandGlob, DefaultLimitIs8192) {
  for (int i = 0; i < 8193; ++i) fs.add_file("/big/f" + std::to_string(i));
  EXPECT_THAT(error("/big/*"), HasSubstr("matches more than 8192 paths"));
  fs.remove("/big/f0");
  EXPECT_EQ(ok("/big/*").size(), 8192u);
}

TEST_F(ExpandGlob, TooManyEntries) {
  GlobLimits limits;
  limits.max_entries = 5;
  EXPECT_THAT(error("/ws/**/nothing", limits), HasSubstr("more than 5 entries"));
}

TEST_F(ExpandGlob, RootPrefixIsRefused) {
  for (const char* p : {"/**/*.env", "/*.env", "/*/x", "/[a-z]s/x", "//*"}) {
    const std::string msg = error(p);
    std::string quoted(1, '\'');  // (not "'" + ...: g++ 12 -O3 warns falsely)
    quoted += p;
    quoted += '\'';
    EXPECT_THAT(msg, HasSubstr(quoted));
    EXPECT_THAT(msg, HasSubstr("whole filesystem"));
  }
}

TEST_F(ExpandGlob, RelativeOrDottedPatternIsRefused) {
  EXPECT_THAT(error("**/*.env"), HasSubstr("not an absolute path"));
  EXPECT_THAT(error(""), HasSubstr("not an absolute path"));
  EXPECT_THAT(error("/ws/../etc/*"), HasSubstr("'..'"));
  EXPECT_THAT(error("/ws/./*"), HasSubstr("'.'"));
}

TEST_F(ExpandGlob, DoesNotEnterDirectoriesThatCannotMatch) {
  // The directories the walk lists, recorded.
  class Counting final : public FileSystem {
   public:
    explicit Counting(const FileSystem& inner) : inner_(inner) {}
    FileType lstat_type(const std::string& p) const override { return inner_.lstat_type(p); }
    std::optional<std::string> realpath(const std::string& p) const override {
      return inner_.realpath(p);
    }
    std::optional<std::string> read_file(const std::string& p, size_t max) const override {
      return inner_.read_file(p, max);
    }
    bool is_executable(const std::string& p) const override { return inner_.is_executable(p); }
    std::optional<std::vector<std::string>> list_dir(const std::string& p) const override {
      listed.push_back(p);
      return inner_.list_dir(p);
    }
    mutable std::vector<std::string> listed;

   private:
    const FileSystem& inner_;
  };
  Counting counting(fs);
  auto r = expand_glob("/ws/src/*.c", GlobLimits{}, counting);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(counting.listed, ElementsAre("/ws/src"));
  counting.listed.clear();
  r = expand_glob("/ws/a/b/*.env", GlobLimits{}, counting);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(counting.listed, ElementsAre("/ws/a/b"));
  counting.listed.clear();
  r = expand_glob("/ws/*/b/*.env", GlobLimits{}, counting);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(*r, ElementsAre("/ws/a/b/c.env"));
  // /ws, then only the directories whose continuation can still match.
  EXPECT_THAT(counting.listed,
              ElementsAre("/ws", "/ws/a", "/ws/a/b", "/ws/dir.env", "/ws/locked", "/ws/src"));
}

TEST_F(ExpandGlob, PathologicalPatternFinishes) {
  std::string many;
  for (int i = 0; i < 20000; ++i) many += "**/";
  EXPECT_THAT(ok("/ws/" + many + "c*"), ElementsAre("/ws/a/b/c", "/ws/a/b/c.env"));
  std::string stars = "/ws/a/b/c/";
  for (int i = 0; i < 2000; ++i) stars += "*e";
  EXPECT_THAT(ok(stars), IsEmpty());
}

TEST_F(ExpandGlob, AgreesWithGlobMatch) {
  // Every path of the fake below /ws, for a set of patterns: in the result iff it matches.
  std::vector<std::string> all;
  std::vector<std::string> todo{"/ws"};
  while (!todo.empty()) {
    const std::string d = todo.back();
    todo.pop_back();
    auto names = fs.list_dir(d);
    if (!names) continue;
    for (const auto& n : *names) {
      all.push_back(d + "/" + n);
      if (fs.lstat_type(d + "/" + n) == FileType::Directory) todo.push_back(d + "/" + n);
    }
  }
  for (const char* p : {"/ws/**", "/ws/**/*", "/ws/**/c*", "/ws/*/**/*.env", "/ws/?/**/?",
                        "/ws/**/b/**", "/ws/[!a]*", "/ws/a/**/**/c/*"}) {
    const auto got = ok(p);
    for (const auto& path : all) {
      const bool in = std::find(got.begin(), got.end(), path) != got.end();
      EXPECT_EQ(in, glob_match(p, path)) << p << " " << path;
    }
  }
}

// ---------------------------------------------------------------- list_dir

TEST(FakeListDir, Entries) {
  fakes::FakeFileSystem fs;
  fs.add_file("/d/b");
  fs.add_dir("/d/a/inner");
  fs.add_file("/d/a.c");
  fs.add_symlink("/d/l", "/d/a");
  fs.add_symlink("/dl", "/d");
  fs.add_unreadable_dir("/d/u");
  EXPECT_THAT(fs.list_dir("/d"), ::testing::Optional(ElementsAre("a", "a.c", "b", "l", "u")));
  EXPECT_THAT(fs.list_dir("/"), ::testing::Optional(ElementsAre("d", "dl")));
  EXPECT_THAT(fs.list_dir("/dl/a"), ::testing::Optional(ElementsAre("inner")));  // via a link
  EXPECT_EQ(fs.list_dir("/d/l"), std::nullopt);  // a symlink itself is not listed
  EXPECT_EQ(fs.list_dir("/dl"), std::nullopt);
  EXPECT_EQ(fs.list_dir("/d/b"), std::nullopt);
  EXPECT_EQ(fs.list_dir("/d/u"), std::nullopt);
  EXPECT_EQ(fs.list_dir("/missing"), std::nullopt);
  EXPECT_THAT(fs.list_dir("/d/a/inner"), ::testing::Optional(IsEmpty()));
}

TEST(RealListDir, EntriesSortedSymlinkNotFollowed) {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/cordon-glob-test.XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
  const std::string d = tmpl;
  ASSERT_EQ(::mkdir((d + "/sub").c_str(), 0755), 0);
  const int fd = ::open((d + "/b.txt").c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  ::close(fd);
  ASSERT_EQ(::symlink((d + "/sub").c_str(), (d + "/a-link").c_str()), 0);
  ASSERT_EQ(::mkfifo((d + "/.fifo").c_str(), 0600), 0);

  RealFileSystem fs;
  const auto names = fs.list_dir(d);
  const auto in_link = fs.list_dir(d + "/a-link");
  const auto in_file = fs.list_dir(d + "/b.txt");
  const auto in_sub = fs.list_dir(d + "/sub");
  const auto missing = fs.list_dir(d + "/missing");

  ::unlink((d + "/.fifo").c_str());
  ::unlink((d + "/a-link").c_str());
  ::unlink((d + "/b.txt").c_str());
  ::rmdir((d + "/sub").c_str());
  ::rmdir(d.c_str());

  EXPECT_THAT(names, ::testing::Optional(ElementsAre(".fifo", "a-link", "b.txt", "sub")));
  EXPECT_EQ(in_link, std::nullopt);
  EXPECT_EQ(in_file, std::nullopt);
  EXPECT_THAT(in_sub, ::testing::Optional(IsEmpty()));
  EXPECT_EQ(missing, std::nullopt);
}

}  // namespace
}  // namespace cordon::policy
