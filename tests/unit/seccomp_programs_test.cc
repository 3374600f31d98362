// The embedded seccomp programs are the ones libseccomp compiles from today's rules.
#include <gtest/gtest.h>

#include <linux/seccomp.h>

#include <cstring>
#include <span>

#include "sandbox/linux/seccomp_filter.h"
#include "sandbox/linux/seccomp_programs.h"

namespace cordon::sandbox::linux {
namespace {

void expect_current(SeccompMode mode, bool observed = false) {
  auto fresh = compile_seccomp(mode, observed);
  ASSERT_TRUE(fresh) << fresh.error().describe();
  const auto embedded = seccomp_program(mode, observed);
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

TEST(SeccompPrograms, EmbeddedObservedProgramsMatchTheRules) {
  expect_current(SeccompMode::Baseline, true);
  expect_current(SeccompMode::NetworkOff, true);
}

// The observed variants hand calls to the observer (SECCOMP_RET_USER_NOTIF); the plain ones
// never do, and the observed network-off program refuses nothing by itself that the plain one
// refuses with EPERM on the network (the observer answers those).
TEST(SeccompPrograms, OnlyObservedProgramsNotify) {
  auto returns = [](std::span<const sock_filter> p, uint32_t action) {
    for (const sock_filter& f : p) {
      if (f.code == (BPF_RET | BPF_K) && (f.k & SECCOMP_RET_ACTION_FULL) == action) return true;
    }
    return false;
  };
  for (SeccompMode m : {SeccompMode::Baseline, SeccompMode::NetworkOff}) {
    EXPECT_FALSE(returns(seccomp_program(m), SECCOMP_RET_USER_NOTIF)) << to_string(m);
    EXPECT_TRUE(returns(seccomp_program(m, true), SECCOMP_RET_USER_NOTIF)) << to_string(m);
    EXPECT_GT(seccomp_program(m, true).size(), seccomp_program(m).size()) << to_string(m);
  }
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
