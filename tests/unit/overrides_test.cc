// -c key=value parsing.
#include "config/overrides.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cordon::config {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

toml::table parse_ok(std::string_view text) {
  auto r = parse_override(text);
  EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : toml::table{};
}

std::string parse_err(std::string_view text) {
  auto r = parse_override(text);
  EXPECT_FALSE(r.ok()) << text << " parsed";
  return r.ok() ? std::string("<no error>") : r.error().message;
}

// Number of leaves (non-table values, inline tables count as one leaf).
size_t leaf_count(const toml::table& t) {
  size_t n = 0;
  for (auto&& [k, v] : t) {
    (void)k;
    if (v.is_table() && !v.as_table()->is_inline()) {
      n += leaf_count(*v.as_table());
    } else {
      ++n;
    }
  }
  return n;
}

TEST(ParseOverride, TopLevelKeyBareWordBecomesString) {
  toml::table t = parse_ok("sandbox_mode=read-only");
  EXPECT_EQ(t.size(), 1u);
  EXPECT_EQ(t["sandbox_mode"].value<std::string>(), "read-only");
}

TEST(ParseOverride, QuotedTomlString) {
  toml::table t = parse_ok("sandbox_mode=\"workspace-write\"");
  EXPECT_EQ(t["sandbox_mode"].value<std::string>(), "workspace-write");
  t = parse_ok("x='lit\\eral'");
  EXPECT_EQ(t["x"].value<std::string>(), "lit\\eral");
}

TEST(ParseOverride, DottedKeysBuildNestedTables) {
  toml::table t = parse_ok("sandbox_workspace_write.network_access=true");
  ASSERT_TRUE(t["sandbox_workspace_write"].is_table());
  EXPECT_FALSE(t["sandbox_workspace_write"].as_table()->is_inline());
  EXPECT_EQ(t["sandbox_workspace_write"]["network_access"].value<bool>(), true);
  EXPECT_EQ(leaf_count(t), 1u);

  t = parse_ok("a.b.c.d=hello");
  EXPECT_EQ(t["a"]["b"]["c"]["d"].value<std::string>(), "hello");
  EXPECT_EQ(leaf_count(t), 1u);
}

TEST(ParseOverride, QuotedKeySegments) {
  toml::table t = parse_ok("profiles.\"my.profile\".sandbox_mode=read-only");
  ASSERT_TRUE(t["profiles"]["my.profile"].is_table());
  EXPECT_EQ(t["profiles"]["my.profile"]["sandbox_mode"].value<std::string>(), "read-only");
  t = parse_ok("projects.'/home/u/proj'.trust_level=trusted");
  EXPECT_EQ(t["projects"]["/home/u/proj"]["trust_level"].value<std::string>(), "trusted");
}

TEST(ParseOverride, WhitespaceAroundKeyAndValue) {
  toml::table t = parse_ok(" sandbox_workspace_write . network_access = false ");
  EXPECT_EQ(t["sandbox_workspace_write"]["network_access"].value<bool>(), false);
}

TEST(ParseOverride, Booleans) {
  EXPECT_EQ(parse_ok("x=true")["x"].value<bool>(), true);
  EXPECT_EQ(parse_ok("x=false")["x"].value<bool>(), false);
  EXPECT_TRUE(parse_ok("x=true")["x"].is_boolean());
  // Not TOML booleans: strings.
  EXPECT_EQ(parse_ok("x=True")["x"].value<std::string>(), "True");
  EXPECT_EQ(parse_ok("x=yes")["x"].value<std::string>(), "yes");
}

TEST(ParseOverride, Numbers) {
  toml::table t = parse_ok("x=42");
  ASSERT_TRUE(t["x"].is_integer());
  EXPECT_EQ(t["x"].value<int64_t>(), 42);
  EXPECT_EQ(parse_ok("x=-7")["x"].value<int64_t>(), -7);
  EXPECT_EQ(parse_ok("x=0x10")["x"].value<int64_t>(), 16);
  toml::table f = parse_ok("x=1.5");
  ASSERT_TRUE(f["x"].is_floating_point());
  EXPECT_DOUBLE_EQ(*f["x"].value<double>(), 1.5);
}

TEST(ParseOverride, Arrays) {
  toml::table t = parse_ok("sandbox_workspace_write.writable_roots=[\"/a\", \"/b\"]");
  const toml::array* arr = t["sandbox_workspace_write"]["writable_roots"].as_array();
  ASSERT_NE(arr, nullptr);
  ASSERT_EQ(arr->size(), 2u);
  EXPECT_EQ((*arr)[0].value<std::string>(), "/a");
  EXPECT_EQ((*arr)[1].value<std::string>(), "/b");
  EXPECT_EQ(parse_ok("x=[]")["x"].as_array()->size(), 0u);
  EXPECT_EQ(parse_ok("x=[1,2,3]")["x"].as_array()->size(), 3u);
}

TEST(ParseOverride, InlineTablesAreOneLeaf) {
  toml::table t =
      parse_ok("approval_policy={ granular = { rules = true, sandbox_approval = false } }");
  ASSERT_TRUE(t["approval_policy"].is_table());
  EXPECT_TRUE(t["approval_policy"].as_table()->is_inline());
  EXPECT_EQ(t["approval_policy"]["granular"]["rules"].value<bool>(), true);
  EXPECT_EQ(t["approval_policy"]["granular"]["sandbox_approval"].value<bool>(), false);
  EXPECT_EQ(t.size(), 1u);
  EXPECT_EQ(leaf_count(t), 1u);
}

TEST(ParseOverride, FallsBackToAStringWhenNotToml) {
  EXPECT_EQ(parse_ok("x=hello world")["x"].value<std::string>(), "hello world");
  EXPECT_EQ(parse_ok("x=/usr/bin")["x"].value<std::string>(), "/usr/bin");
  EXPECT_EQ(parse_ok("x=[unclosed")["x"].value<std::string>(), "[unclosed");
  EXPECT_EQ(parse_ok("a.b=1 2")["a"]["b"].value<std::string>(), "1 2");
}

TEST(ParseOverride, OnlyTheFirstEqualsSplits) {
  toml::table t = parse_ok("x=a=b");
  EXPECT_EQ(t.size(), 1u);
  EXPECT_EQ(t["x"].value<std::string>(), "a=b");
}

TEST(ParseOverride, EmptyValueIsAnEmptyString) {
  toml::table t = parse_ok("x=");
  EXPECT_EQ(t["x"].value<std::string>(), "");
}

TEST(ParseOverride, OneLineValueCannotAddKeys) {
  // TOML allows only one key/value per line: the rest is taken as part of a string.
  toml::table t = parse_ok("sandbox_mode=read-only, network_access = true");
  EXPECT_EQ(t.size(), 1u);
  EXPECT_EQ(leaf_count(t), 1u);
  EXPECT_EQ(t["sandbox_mode"].value<std::string>(), "read-only, network_access = true");
}

TEST(ParseOverride, NewlineValuesAreStringsAndInjectNothing) {
  for (const std::string text :
       {"sandbox_mode=\"read-only\"\nsandbox_workspace_write.network_access=true",
        "sandbox_mode=1\n[profiles.evil]\nsandbox_mode=\"danger-full-access\"",
        "sandbox_mode=x\r\nuse_legacy_landlock=true", "sandbox_mode=x\rnetwork_access=true"}) {
    toml::table t = parse_ok(text);
    EXPECT_EQ(t.size(), 1u) << text;
    EXPECT_EQ(leaf_count(t), 1u) << text;
    EXPECT_EQ(t["sandbox_mode"].value<std::string>(), text.substr(text.find('=') + 1)) << text;
  }
}

TEST(ParseOverride, NewlineAfterSpacedEqualsIsStillOneString) {
  toml::table t = parse_ok("x = 1\ny = 2");
  EXPECT_EQ(t.size(), 1u);
  ASSERT_TRUE(t["x"].is_string());
  EXPECT_THAT(*t["x"].value<std::string>(), HasSubstr("1\ny = 2"));
  EXPECT_FALSE(t.contains("y"));
}

// Spaces around '=' are TOML style; a bare word value must not keep them
// (Codex trims key and value before parsing).
TEST(ParseOverride, WhitespaceAroundBareValueIsTrimmed) {
  EXPECT_EQ(parse_ok("sandbox_mode = workspace-write")["sandbox_mode"].value<std::string>(),
            "workspace-write");
  EXPECT_EQ(parse_ok("x=  hello world  ")["x"].value<std::string>(), "hello world");
}

TEST(ParseOverride, NewlineInDottedValueIsAStringAtThatKey) {
  toml::table t = parse_ok("a.b=[1,\n2]");
  EXPECT_EQ(t["a"]["b"].value<std::string>(), "[1,\n2]");
  EXPECT_EQ(leaf_count(t), 1u);
}

TEST(ParseOverride, NoEqualsSign) {
  EXPECT_EQ(parse_err("sandbox_mode"), "-c 'sandbox_mode': expected key=value");
  EXPECT_EQ(parse_err(""), "-c '': expected key=value");
}

TEST(ParseOverride, EmptyKey) {
  EXPECT_THAT(parse_err("=read-only"), StartsWith("-c '=read-only': "));
  EXPECT_THAT(parse_err("  =1"), StartsWith("-c '  =1': "));
}

TEST(ParseOverride, BadKeys) {
  for (const char* text : {"a..b=1", "a.=1", ".a=1", "a b=1", "[a]=1", "a.\"b=1", "a,b=1"}) {
    EXPECT_THAT(parse_err(text), StartsWith("-c '" + std::string(text) + "': ")) << text;
  }
  EXPECT_EQ(parse_err("a b=1"), "-c 'a b=1': 'a b' is not a valid dotted TOML key such as a.b.c");
}

TEST(ParseOverride, KeysWithLineBreaksOrCommentsAreRefused) {
  EXPECT_EQ(parse_err("a\nb=1"), "-c 'a\nb=1': the key must be a dotted TOML key such as a.b.c");
  EXPECT_THAT(parse_err("a#b=1"), HasSubstr("the key must be a dotted TOML key"));
}

TEST(ParseOverride, ACommentAfterAValueIsDropped) {
  toml::table t = parse_ok("x=1 # one");
  EXPECT_EQ(t["x"].value<int64_t>(), 1);
  EXPECT_EQ(leaf_count(t), 1u);
}

}  // namespace
}  // namespace cordon::config
