// config::toml_guard: the pre-check that keeps toml++ 3.3 away from its unreachable paths.
#include "config/toml_guard.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/load.h"
#include "fake_filesystem.h"

namespace cordon::config {
namespace {

using ::testing::HasSubstr;

TEST(TomlGuard, AcceptsNonAsciiInStringsAndComments) {
  EXPECT_FALSE(toml_guard("a = \"\xc2\xa7\xd0\xa8\" # \xc2\xa7 comment\n"));
  EXPECT_FALSE(toml_guard("a = '\xc2\xa7'\nb = '''\n\xe3\x80\x81\n'''\n"));
  EXPECT_FALSE(toml_guard("a = \"\"\"\xc2\xa7\n\xc2\xa7\"\"\"\n"));
  EXPECT_FALSE(toml_guard("\"k\xc2\xa7\" = 1\n"));
  EXPECT_FALSE(toml_guard("a = \"\\\"\xc2\xa7\"\n"));  // escaped quote, then text
}

TEST(TomlGuard, RejectsNonAsciiOutsideStringsWithPosition) {
  auto r = toml_guard("\xc2\xa7\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->line, 1);
  EXPECT_EQ(r->column, 1);
  r = toml_guard("x = 1\nab\xc2\xa7 = 2\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->line, 2);
  EXPECT_EQ(r->column, 3);
  r = toml_guard("a = \"\xc2\xa7\" \xe3\x80\x81\n");  // CJK comma after the string
  ASSERT_TRUE(r);
  EXPECT_EQ(r->column, 9);
}

TEST(TomlGuard, RejectsNonAsciiRightAfterABackslashInMultiLineStrings) {
  EXPECT_TRUE(toml_guard("a = \"\"\"x\\\n   \xc2\xa7\"\"\"\n"));
  EXPECT_TRUE(toml_guard("a = \"\"\"\\\xc2\xa7\"\"\"\n"));
  // Text after the continuation is fine when it starts with ASCII.
  EXPECT_FALSE(toml_guard("a = \"\"\"x\\\n   y\xc2\xa7\"\"\"\n"));
  // The closing delimiter right after a continuation ends the string.
  EXPECT_TRUE(toml_guard("a = \"\"\"x\\\n\"\"\"\n\xc2\xa7\n"));
}

TEST(TomlGuard, LoadReportsTheGuardErrorWithFileLineColumn) {
  fakes::FakeFileSystem fs;
  fs.add_dir("/w");
  fs.add_file("/u/config.toml", "sandbox_mode = \"read-only\"\n\xc2\xa7\n");
  LoadInputs in;
  in.user_config = "/u/config.toml";
  in.process_cwd = "/w";
  auto r = load(in, fs);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message,
              HasSubstr("/u/config.toml:2:1: TOML syntax error: unexpected non-ASCII"));
}

TEST(TomlGuard, OverrideValueWithNonAsciiIsTakenAsAString) {
  fakes::FakeFileSystem fs;
  fs.add_dir("/w");
  LoadInputs in;
  in.process_cwd = "/w";
  in.cli.overrides = {"sandbox_mode=\xc2\xa7"};
  auto r = load(in, fs);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr("unknown sandbox mode '\xc2\xa7'"));
}

}  // namespace
}  // namespace cordon::config

namespace cordon::config {
namespace {

// A quote glued to a bare value is not a string to toml++, which keeps reading the value.
TEST(TomlGuard, QuoteAfterABareValueDoesNotOpenAString) {
  EXPECT_TRUE(toml_guard("c=2\"\xc3\xa9\n"));
  EXPECT_TRUE(toml_guard("c=2'\xc3\xa9\n"));
  EXPECT_TRUE(toml_guard("c=1979-05-27\"\xc3\xa9\n"));
  EXPECT_TRUE(toml_guard("c = 1.\"\xc3\xa9\"\n"));
  EXPECT_TRUE(toml_guard("c = [1\"\xc3\xa9\"]\n"));
  EXPECT_TRUE(toml_guard("c = \"a\"\"\xc3\xa9\"\n"));
}

TEST(TomlGuard, StringsWhereTomlAllowsThem) {
  EXPECT_FALSE(toml_guard("a.\"b\xc3\xa9\".c = 1\n"));
  EXPECT_FALSE(toml_guard("[a.\"\xc3\xa9\"]\nx = '\xc3\xa9'\n"));
  EXPECT_FALSE(toml_guard("[[t.\"\xc3\xa9\"]]\n"));
  EXPECT_FALSE(
      toml_guard("t = { a.\"\xc3\xa9\" = \"\xc3\xa9\", \"k\" = ['\xc3\xa9', \"\xc3\xa9\"] }\n"));
  EXPECT_FALSE(toml_guard("a = [\n  \"\xc3\xa9\", # \xc3\xa9\n  '\xc3\xa9',\n]\n"));
  EXPECT_FALSE(toml_guard("# c\xc3\xa9\n\"k\" = 1\n"));
  EXPECT_FALSE(toml_guard("a = [ { b = '\xc3\xa9' }, { \"c\" = 1 } ]\n"));
}

}  // namespace
}  // namespace cordon::config

namespace cordon::config {
namespace {

// Found by fuzz_override and fuzz_plan: a bare value runs on over quotes, '=' and '['.
TEST(TomlGuard, BareValueRunsToItsTerminator) {
  EXPECT_TRUE(toml_guard("x._mode=+''ova.x._mode='''ovaee\xef\xb3\xbf"));
  EXPECT_TRUE(toml_guard("w =0[\"/home\xcb\x8a/rel\"]\n"));
  EXPECT_TRUE(toml_guard("w = true\"\xc3\xa9\"\n"));
  EXPECT_FALSE(toml_guard("d = 1979-05-27 07:32:00\nw = [ 1, \"\xc3\xa9\" ]\n"));
  EXPECT_FALSE(toml_guard("w = [1,\"\xc3\xa9\"]\nv = {a=1,b=\"\xc3\xa9\"}\n"));
}

}  // namespace
}  // namespace cordon::config
