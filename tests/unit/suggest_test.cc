// did-you-mean suggestions.
#include "config/suggest.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace cordon::config {
namespace {

const std::vector<std::string> kModes = {"read-only", "workspace-write", "danger-full-access"};
const std::vector<std::string> kPolicies = {"untrusted", "on-request", "on-failure", "never"};

TEST(Suggest, ClosestWithinASmallDistance) {
  EXPECT_EQ(closest("workspace_write", kModes), "workspace-write");
  EXPECT_EQ(closest("readonly", kModes), "read-only");
  EXPECT_EQ(closest("read-onyl", kModes), "read-only");  // a transposition is two edits
  EXPECT_EQ(closest("nevr", kPolicies), "never");
  EXPECT_EQ(closest("on-requets", kPolicies), "on-request");
  EXPECT_EQ(closest("danger-full-acess", kModes), "danger-full-access");
}

TEST(Suggest, ExactMatchIsItsOwnSuggestion) {
  EXPECT_EQ(closest("never", kPolicies), "never");
}

TEST(Suggest, PicksTheNearestNotTheFirst) {
  EXPECT_EQ(closest("on-failur", kPolicies), "on-failure");
  EXPECT_EQ(closest("on-reques", kPolicies), "on-request");
}

TEST(Suggest, TiesGoToTheFirstCandidate) {
  EXPECT_EQ(closest("ab", {"aa", "bb"}), "aa");
  EXPECT_EQ(closest("ab", {"bb", "aa"}), "bb");
}

TEST(Suggest, NothingCloseEnough) {
  EXPECT_EQ(closest("banana", kModes), std::nullopt);
  EXPECT_EQ(closest("abc", {"xyz"}), std::nullopt);  // distance 3 > 2
  EXPECT_EQ(closest("x", {}), std::nullopt);
  EXPECT_EQ(closest(std::string(65, 'a'), {std::string(65, 'a')}), std::nullopt);
}

TEST(Suggest, LimitGrowsWithTheWordLength) {
  // Short words allow two edits.
  EXPECT_EQ(closest("ab", {"abcd"}), "abcd");
  EXPECT_EQ(closest("ab", {"abcde"}), std::nullopt);
  // A 12-letter word allows four edits, not five.
  EXPECT_EQ(closest("abcdefghijkl", {"abcdefghWXYZ"}), "abcdefghWXYZ");
  EXPECT_EQ(closest("abcdefghijkl", {"abcdefgVWXYZ"}), std::nullopt);
}

TEST(Suggest, DidYouMeanFormat) {
  EXPECT_EQ(did_you_mean("workspace_write", kModes), "; did you mean 'workspace-write'?");
  EXPECT_EQ(did_you_mean("banana", kModes), "");
}

}  // namespace
}  // namespace cordon::config
