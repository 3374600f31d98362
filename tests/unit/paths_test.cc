#include "util/paths.h"

#include <gtest/gtest.h>

namespace cordon::paths {

TEST(Paths, Normalize) {
  EXPECT_EQ(normalize("/a//b/./c/../d/"), "/a/b/d");
  EXPECT_EQ(normalize("/../.."), "/");
  EXPECT_EQ(normalize("/"), "/");
}

TEST(Paths, WithinAndDepth) {
  EXPECT_TRUE(is_within("/repo/a", "/repo"));
  EXPECT_TRUE(is_within("/repo", "/repo"));
  EXPECT_FALSE(is_within("/repository", "/repo"));
  EXPECT_TRUE(is_within("/x", "/"));
  EXPECT_EQ(depth("/"), 0);
  EXPECT_EQ(depth("/a/b"), 2);
  EXPECT_EQ(parent("/a/b"), "/a");
  EXPECT_EQ(parent("/a"), "/");
  EXPECT_EQ(join("/a/b", "../c"), "/a/c");
  EXPECT_EQ(join("/a/b", "/etc"), "/etc");
}

}  // namespace cordon::paths
