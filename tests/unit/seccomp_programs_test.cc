// The embedded seccomp programs are the ones libseccomp compiles from today's rules.
#include <gtest/gtest.h>

#include <cstring>

#include "sandbox/linux/seccomp_filter.h"
#include "sandbox/linux/seccomp_programs.h"

namespace cordon::sandbox::linux {
namespace {

void expect_current(SeccompMode mode) {
  auto fresh = compile_seccomp(mode);
  ASSERT_TRUE(fresh) << fresh.error().describe();
  const auto embedded = seccomp_program(mode);
  ASSERT_EQ(embedded.size(), fresh->size()) << to_string(mode);
  EXPECT_EQ(0, std::memcmp(embedded.data(), fresh->data(), embedded.size() * sizeof(sock_filter)))
      << to_string(mode);
}

TEST(SeccompPrograms, EmbeddedBaselineMatchesTheRules) {
  expect_current(SeccompMode::Baseline);
}

TEST(SeccompPrograms, EmbeddedNetworkOffMatchesTheRules) {
  expect_current(SeccompMode::NetworkOff);
}

TEST(SeccompPrograms, NetworkOffIsStricterThanBaseline) {
  EXPECT_GT(seccomp_program(SeccompMode::NetworkOff).size(),
            seccomp_program(SeccompMode::Baseline).size());
}

TEST(SeccompPrograms, ModeNamesRoundTrip) {
  for (SeccompMode m : {SeccompMode::Baseline, SeccompMode::NetworkOff}) {
    auto parsed = parse_seccomp_mode(to_string(m));
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, m);
  }
  EXPECT_FALSE(parse_seccomp_mode("network").has_value());
  EXPECT_FALSE(parse_seccomp_mode("").has_value());
}

}  // namespace
}  // namespace cordon::sandbox::linux
