// Resource limits: the inner stage's encoding (encode_limits / decode_limits), the sentence
// naming the limit that ended a command (limit_report), and applying them as rlimits
// (apply_limits, in a forked child, as it changes the calling process).
#include "sandbox/linux/limits.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <functional>
#include <optional>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sandbox/plan.h"

namespace cordon::sandbox {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr unsigned long long kMiB = 1ull << 20;

// ---- encode_limits / decode_limits ----

TEST(EncodeLimits, FieldsInOrderSeparatedByColons) {
  EXPECT_EQ(encode_limits({1, 2, 3, 4}), "1:2:3:4");
  EXPECT_EQ(encode_limits({}), "0:0:0:0");
}

TEST(DecodeLimits, RoundTrips) {
  const ResourceLimits cases[] = {
      {},
      {8192, 65536, 0, 0},
      {1, 2, 3, 4},
      {0, 0, 512 * kMiB, 30},
      {ULLONG_MAX, ULLONG_MAX - 1, ULLONG_MAX, 1},
  };
  for (const ResourceLimits& l : cases) {
    const std::string text = encode_limits(l);
    const auto back = decode_limits(text.c_str());
    ASSERT_TRUE(back.has_value()) << text;
    EXPECT_EQ(*back, l) << text;
  }
}

TEST(DecodeLimits, ReadsEachField) {
  const auto l = decode_limits("10:20:30:40");
  ASSERT_TRUE(l.has_value());
  EXPECT_EQ(l->max_processes, 10u);
  EXPECT_EQ(l->max_open_files, 20u);
  EXPECT_EQ(l->max_memory, 30u);
  EXPECT_EQ(l->max_cpu_seconds, 40u);
}

TEST(DecodeLimits, AcceptsTheLargestValue) {
  const auto l = decode_limits("0:0:18446744073709551615:0");
  ASSERT_TRUE(l.has_value());
  EXPECT_EQ(l->max_memory, ULLONG_MAX);
}

TEST(DecodeLimits, RejectsGarbage) {
  for (const char* text : {"", "abc", "one:2:3:4", "1:two:3:4", "0x10:2:3:4", "1;2;3;4", "1 2 3 4",
                           "1:2:3:4.5", "1:2:3:4e3"}) {
    EXPECT_FALSE(decode_limits(text).has_value()) << "'" << text << "'";
  }
}

TEST(DecodeLimits, RejectsSignsAndSpaces) {
  for (const char* text :
       {"-1:2:3:4", "+1:2:3:4", "1:-2:3:4", "1:2:3:+4", " 1:2:3:4", "1: 2:3:4", "1:2:3: 4"}) {
    EXPECT_FALSE(decode_limits(text).has_value()) << "'" << text << "'";
  }
}

TEST(DecodeLimits, RejectsOverflowInAnyField) {
  for (const char* text : {"18446744073709551616:0:0:0", "0:18446744073709551616:0:0",
                           "0:0:99999999999999999999:0", "0:0:0:18446744073709551616"}) {
    EXPECT_FALSE(decode_limits(text).has_value()) << "'" << text << "'";
  }
}

TEST(DecodeLimits, RejectsMissingFields) {
  for (const char* text : {"1", "1:2", "1:2:3", "1:2:3:", ":2:3:4", "1::3:4", ":::"}) {
    EXPECT_FALSE(decode_limits(text).has_value()) << "'" << text << "'";
  }
}

TEST(DecodeLimits, RejectsTrailingJunk) {
  for (const char* text : {"1:2:3:4:", "1:2:3:4:5", "1:2:3:4 ", "1:2:3:4\n", "1:2:3:4x"}) {
    EXPECT_FALSE(decode_limits(text).has_value()) << "'" << text << "'";
  }
}

// ---- limit_report ----

struct rusage usage_of(long cpu_seconds, long cpu_micros = 0, long maxrss_kib = 0) {
  struct rusage u {};
  u.ru_utime.tv_sec = cpu_seconds;
  u.ru_utime.tv_usec = cpu_micros;
  u.ru_maxrss = maxrss_kib;
  return u;
}

class LimitReport : public ::testing::Test {
 protected:
  LimitReport() {
    cfg.max_cpu_seconds = {30, "/home/u/.cordon/config.toml:4:1"};
    cfg.max_memory = {256 * kMiB, "-c sandbox_linux.max_memory=256M"};
  }
  config::EffectiveConfig cfg;
};

TEST_F(LimitReport, SigxcpuNamesTheCpuLimitAndWhereItWasSet) {
  const ResourceLimits l{0, 0, 0, 30};
  const auto why = linux::limit_report(l, cfg, 128 + SIGXCPU, usage_of(30));
  ASSERT_TRUE(why.has_value());
  EXPECT_THAT(*why, HasSubstr("CPU time limit"));
  EXPECT_THAT(*why, HasSubstr("sandbox_linux.max_cpu_seconds = 30"));
  EXPECT_THAT(*why, HasSubstr("(/home/u/.cordon/config.toml:4:1)"));
}

TEST_F(LimitReport, SigxcpuIsTheCpuLimitWhateverTheUsageSays) {
  const ResourceLimits l{0, 0, 0, 30};
  const auto why = linux::limit_report(l, cfg, 128 + SIGXCPU, usage_of(0));
  ASSERT_TRUE(why.has_value());
  EXPECT_THAT(*why, HasSubstr("max_cpu_seconds"));
}

TEST_F(LimitReport, SigkillWithCpuUsedNearTheLimitIsTheCpuLimit) {
  const ResourceLimits l{0, 0, 0, 30};
  // SIGKILL comes a second after SIGXCPU; the usage is at (or just under) the limit.
  for (const auto& u : {usage_of(31), usage_of(30), usage_of(29, 600000)}) {
    const auto why = linux::limit_report(l, cfg, 128 + SIGKILL, u);
    ASSERT_TRUE(why.has_value()) << u.ru_utime.tv_sec << "." << u.ru_utime.tv_usec;
    EXPECT_THAT(*why, HasSubstr("CPU time limit"));
    EXPECT_THAT(*why, HasSubstr("sandbox_linux.max_cpu_seconds = 30"));
  }
}

TEST_F(LimitReport, CpuTimeCountsUserAndSystemTime) {
  const ResourceLimits l{0, 0, 0, 30};
  struct rusage u = usage_of(15, 0);
  u.ru_stime.tv_sec = 15;
  const auto why = linux::limit_report(l, cfg, 128 + SIGKILL, u);
  ASSERT_TRUE(why.has_value());
  EXPECT_THAT(*why, HasSubstr("CPU time limit"));
}

TEST_F(LimitReport, SigkillFarBelowTheCpuLimitIsNotBlamedOnIt) {
  const ResourceLimits l{0, 0, 0, 30};
  EXPECT_EQ(linux::limit_report(l, cfg, 128 + SIGKILL, usage_of(2)), std::nullopt);
}

TEST_F(LimitReport, OtherSignalsAreNotTheCpuLimit) {
  const ResourceLimits l{0, 0, 0, 30};
  EXPECT_EQ(linux::limit_report(l, cfg, 128 + SIGTERM, usage_of(30)), std::nullopt);
  EXPECT_EQ(linux::limit_report(l, cfg, 1, usage_of(30)), std::nullopt);
}

TEST_F(LimitReport, PeakNearTheMemoryLimitReachedIt) {
  const ResourceLimits l{0, 0, 256 * kMiB, 0};
  // ru_maxrss is in KiB; 90% of 256 MiB is 235929.6 KiB.
  for (long kib : {235930L, 250000L, 262144L}) {
    const auto why = linux::limit_report(l, cfg, 1, usage_of(0, 0, kib));
    ASSERT_TRUE(why.has_value()) << kib;
    EXPECT_THAT(*why, HasSubstr("reached its memory limit")) << kib;
    EXPECT_THAT(*why, HasSubstr("sandbox_linux.max_memory = 256 MiB"));
    EXPECT_THAT(*why, HasSubstr("(-c sandbox_linux.max_memory=256M)"));
  }
}

TEST_F(LimitReport, NinetyPercentExactlyIsReachingTheLimit) {
  const ResourceLimits l{0, 0, 1000 * kMiB, 0};
  const auto at = linux::limit_report(l, cfg, 1, usage_of(0, 0, 900 * 1024));
  ASSERT_TRUE(at.has_value());
  EXPECT_THAT(*at, HasSubstr("reached its memory limit"));
  const auto below = linux::limit_report(l, cfg, 128 + SIGABRT, usage_of(0, 0, 900 * 1024 - 1));
  ASSERT_TRUE(below.has_value());
  EXPECT_THAT(*below, HasSubstr("was in force"));
  EXPECT_EQ(linux::limit_report(l, cfg, 1, usage_of(0, 0, 900 * 1024 - 1)), std::nullopt);
}

TEST_F(LimitReport, MemoryPeakIsReportedInMiB) {
  const ResourceLimits l{0, 0, 256 * kMiB, 0};
  const auto why = linux::limit_report(l, cfg, 128 + SIGSEGV, usage_of(0, 0, 250 * 1024));
  ASSERT_TRUE(why.has_value());
  EXPECT_THAT(*why, HasSubstr("used 250 MiB"));
}

// A crash (abort, segfault, bus error) under the memory limit names it without claiming it
// as the cause; an ordinary failure (status 1, a grep that found nothing) says nothing.
TEST_F(LimitReport, CrashWithALowerPeakSaysTheLimitWasInForce) {
  const ResourceLimits l{0, 0, 256 * kMiB, 0};
  for (long kib : {0L, 1024L, 235929L}) {
    EXPECT_EQ(linux::limit_report(l, cfg, 1, usage_of(0, 0, kib)), std::nullopt) << kib;
    const auto why = linux::limit_report(l, cfg, 128 + SIGABRT, usage_of(0, 0, kib));
    ASSERT_TRUE(why.has_value()) << kib;
    EXPECT_THAT(*why, HasSubstr("was in force")) << kib;
    EXPECT_THAT(*why, Not(HasSubstr("reached its memory limit"))) << kib;
    EXPECT_THAT(*why, HasSubstr("sandbox_linux.max_memory = 256 MiB"));
    EXPECT_THAT(*why, HasSubstr("(-c sandbox_linux.max_memory=256M)"));
  }
}

TEST_F(LimitReport, SuccessReportsNothing) {
  const ResourceLimits all{100, 100, 256 * kMiB, 30};
  EXPECT_EQ(linux::limit_report(all, cfg, 0, usage_of(31, 0, 262144)), std::nullopt);
}

TEST_F(LimitReport, NoLimitsReportNothing) {
  const ResourceLimits none{};
  for (int status : {1, 2, 126, 127, 128 + SIGXCPU, 128 + SIGKILL, 128 + SIGSEGV}) {
    EXPECT_EQ(linux::limit_report(none, cfg, status, usage_of(1000, 0, 1L << 30)), std::nullopt)
        << status;
  }
}

TEST_F(LimitReport, ProcessAndFileLimitsAloneReportNothing) {
  const ResourceLimits l{8192, 65536, 0, 0};
  EXPECT_EQ(linux::limit_report(l, cfg, 128 + SIGKILL, usage_of(1000, 0, 1L << 30)), std::nullopt);
}

TEST_F(LimitReport, CpuLimitIsNamedBeforeMemory) {
  const ResourceLimits l{0, 0, 256 * kMiB, 30};
  const auto why = linux::limit_report(l, cfg, 128 + SIGXCPU, usage_of(30, 0, 262144));
  ASSERT_TRUE(why.has_value());
  EXPECT_THAT(*why, HasSubstr("max_cpu_seconds"));
}

// ---- apply_limits, in a child process ----

// Runs `body` in a forked child; the child's exit status is body's result (0: all checks
// passed), and a failing check's description comes back through a pipe.
struct ChildResult {
  int exit_code = -1;
  std::string message;
};

ChildResult in_child(const std::function<std::string()>& body) {
  int fds[2];
  if (::pipe(fds) != 0) return {-1, "pipe failed"};
  const pid_t pid = ::fork();
  if (pid < 0) return {-1, "fork failed"};
  if (pid == 0) {
    ::close(fds[0]);
    const std::string failure = body();
    if (!failure.empty()) {
      const ssize_t ignored = ::write(fds[1], failure.data(), failure.size());
      (void)ignored;
    }
    ::_exit(failure.empty() ? 0 : 1);
  }
  ::close(fds[1]);
  ChildResult r;
  char buf[512];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof buf)) > 0) r.message.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return {-1, "waitpid failed"};
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

std::string describe(rlim_t v) {
  return v == RLIM_INFINITY ? std::string("unlimited") : std::to_string(v);
}

// "" when `resource` is (soft, hard), else what it is.
std::string expect_limit(int resource, const char* name, rlim_t soft, rlim_t hard) {
  struct rlimit r {};
  if (::getrlimit(resource, &r) != 0) return std::string("getrlimit ") + name + " failed";
  if (r.rlim_cur == soft && r.rlim_max == hard) return "";
  return std::string(name) + " is " + describe(r.rlim_cur) + "/" + describe(r.rlim_max) +
         ", expected " + describe(soft) + "/" + describe(hard);
}

// Lowers `resource` to (soft, hard) before the limits under test are applied (lowering
// needs no privilege).
std::string start_at(int resource, const char* name, rlim_t soft, rlim_t hard) {
  const struct rlimit r { soft, hard };
  if (::setrlimit(resource, &r) != 0) return std::string("cannot set up ") + name;
  return "";
}

std::string apply(const ResourceLimits& l) {
  const char* failed = nullptr;
  const int e = linux::apply_limits(l, &failed);
  if (e != 0) {
    return "apply_limits failed: " + std::string(failed != nullptr ? failed : "(no key)") +
           ": errno " + std::to_string(e);
  }
  if (failed != nullptr) return "apply_limits succeeded but set *failed";
  return "";
}

#define CHILD_CHECK(expr)                                     \
  do {                                                        \
    if (std::string m_ = (expr); !m_.empty())                 \
      return m_ + " (line " + std::to_string(__LINE__) + ")"; \
  } while (0)

TEST(ApplyLimits, SetsEachRlimit) {
  const auto r = in_child([] {
    CHILD_CHECK(start_at(RLIMIT_NPROC, "RLIMIT_NPROC", 500, 600));
    CHILD_CHECK(start_at(RLIMIT_NOFILE, "RLIMIT_NOFILE", 1000, 2000));
    CHILD_CHECK(start_at(RLIMIT_DATA, "RLIMIT_DATA", 8192 * kMiB, 16384 * kMiB));
    CHILD_CHECK(start_at(RLIMIT_CPU, "RLIMIT_CPU", 1000, 2000));
    CHILD_CHECK(apply({300, 256, 4096 * kMiB, 60}));
    CHILD_CHECK(expect_limit(RLIMIT_NPROC, "RLIMIT_NPROC", 300, 300));
    CHILD_CHECK(expect_limit(RLIMIT_NOFILE, "RLIMIT_NOFILE", 256, 256));
    CHILD_CHECK(expect_limit(RLIMIT_DATA, "RLIMIT_DATA", 4096 * kMiB, 4096 * kMiB));
    // SIGXCPU at the limit, SIGKILL a second later.
    CHILD_CHECK(expect_limit(RLIMIT_CPU, "RLIMIT_CPU", 60, 61));
    return std::string();
  });
  EXPECT_EQ(r.exit_code, 0) << r.message;
}

TEST(ApplyLimits, CpuFromUnlimitedGetsHardOneAboveSoft) {
  const auto r = in_child([] {
    struct rlimit cur {};
    if (::getrlimit(RLIMIT_CPU, &cur) != 0) return std::string("getrlimit failed");
    if (cur.rlim_max != RLIM_INFINITY) {
      return std::string(
          "SKIP: the inherited RLIMIT_CPU hard limit is not unlimited, and "
          "raising it needs privilege");
    }
    CHILD_CHECK(start_at(RLIMIT_CPU, "RLIMIT_CPU", RLIM_INFINITY, RLIM_INFINITY));
    CHILD_CHECK(apply({0, 0, 0, 5}));
    CHILD_CHECK(expect_limit(RLIMIT_CPU, "RLIMIT_CPU", 5, 6));
    return std::string();
  });
  if (r.message.rfind("SKIP: ", 0) == 0) GTEST_SKIP() << r.message.substr(6);
  EXPECT_EQ(r.exit_code, 0) << r.message;
}

TEST(ApplyLimits, NeverRaisesALimit) {
  const auto r = in_child([] {
    CHILD_CHECK(start_at(RLIMIT_NPROC, "RLIMIT_NPROC", 100, 200));
    CHILD_CHECK(start_at(RLIMIT_NOFILE, "RLIMIT_NOFILE", 64, 128));
    CHILD_CHECK(start_at(RLIMIT_DATA, "RLIMIT_DATA", 1024 * kMiB, 2048 * kMiB));
    CHILD_CHECK(start_at(RLIMIT_CPU, "RLIMIT_CPU", 5, 5));
    // Every configured limit is above what the process already has.
    CHILD_CHECK(apply({8192, 65536, 4096 * kMiB, 30}));
    CHILD_CHECK(expect_limit(RLIMIT_NPROC, "RLIMIT_NPROC", 100, 200));
    CHILD_CHECK(expect_limit(RLIMIT_NOFILE, "RLIMIT_NOFILE", 64, 128));
    CHILD_CHECK(expect_limit(RLIMIT_DATA, "RLIMIT_DATA", 1024 * kMiB, 2048 * kMiB));
    CHILD_CHECK(expect_limit(RLIMIT_CPU, "RLIMIT_CPU", 5, 5));
    return std::string();
  });
  EXPECT_EQ(r.exit_code, 0) << r.message;
}

TEST(ApplyLimits, BetweenSoftAndHardLowersOnlyTheHardLimit) {
  const auto r = in_child([] {
    CHILD_CHECK(start_at(RLIMIT_NOFILE, "RLIMIT_NOFILE", 64, 1024));
    CHILD_CHECK(start_at(RLIMIT_NPROC, "RLIMIT_NPROC", 100, 1000));
    CHILD_CHECK(apply({500, 256, 0, 0}));
    CHILD_CHECK(expect_limit(RLIMIT_NOFILE, "RLIMIT_NOFILE", 64, 256));
    CHILD_CHECK(expect_limit(RLIMIT_NPROC, "RLIMIT_NPROC", 100, 500));
    return std::string();
  });
  EXPECT_EQ(r.exit_code, 0) << r.message;
}

TEST(ApplyLimits, CpuGraceSecondNeverRaisesTheHardLimit) {
  struct Case {
    rlim_t soft, hard;         // before
    unsigned long long limit;  // max_cpu_seconds
    rlim_t want_soft, want_hard;
  };
  const Case cases[] = {
      {50, 60, 7, 7, 8},   // hard far above: hard becomes the limit + 1
      {3, 60, 7, 3, 8},    // soft already below: only the hard limit comes down
      {8, 10, 10, 8, 10},  // hard at the limit: 11 would raise it, nothing changes
      {5, 5, 10, 5, 5},    // both below the limit: nothing changes
      {RLIM_INFINITY, RLIM_INFINITY, 0, RLIM_INFINITY, RLIM_INFINITY},  // 0: no limit
  };
  for (const Case& c : cases) {
    const auto r = in_child([&c] {
      CHILD_CHECK(start_at(RLIMIT_CPU, "RLIMIT_CPU", c.soft, c.hard));
      CHILD_CHECK(apply({0, 0, 0, c.limit}));
      CHILD_CHECK(expect_limit(RLIMIT_CPU, "RLIMIT_CPU", c.want_soft, c.want_hard));
      return std::string();
    });
    EXPECT_EQ(r.exit_code, 0) << "from " << describe(c.soft) << "/" << describe(c.hard)
                              << ", max_cpu_seconds " << c.limit << ": " << r.message;
  }
}

// Hard limit exactly one above the configured limit: keeping it gives the grace second
// without raising anything.
TEST(ApplyLimits, CpuHardLimitOneAboveKeepsTheGraceSecond) {
  const auto r = in_child([] {
    CHILD_CHECK(start_at(RLIMIT_CPU, "RLIMIT_CPU", 9, 9));
    CHILD_CHECK(apply({0, 0, 0, 8}));
    CHILD_CHECK(expect_limit(RLIMIT_CPU, "RLIMIT_CPU", 8, 9));
    return std::string();
  });
  EXPECT_EQ(r.exit_code, 0) << r.message;
}

TEST(ApplyLimits, ZeroMeansNoLimit) {
  const auto r = in_child([] {
    CHILD_CHECK(start_at(RLIMIT_NPROC, "RLIMIT_NPROC", 100, 200));
    CHILD_CHECK(start_at(RLIMIT_NOFILE, "RLIMIT_NOFILE", 64, 128));
    CHILD_CHECK(start_at(RLIMIT_DATA, "RLIMIT_DATA", 1024 * kMiB, 2048 * kMiB));
    CHILD_CHECK(start_at(RLIMIT_CPU, "RLIMIT_CPU", 50, 60));
    CHILD_CHECK(apply({}));
    CHILD_CHECK(expect_limit(RLIMIT_NPROC, "RLIMIT_NPROC", 100, 200));
    CHILD_CHECK(expect_limit(RLIMIT_NOFILE, "RLIMIT_NOFILE", 64, 128));
    CHILD_CHECK(expect_limit(RLIMIT_DATA, "RLIMIT_DATA", 1024 * kMiB, 2048 * kMiB));
    CHILD_CHECK(expect_limit(RLIMIT_CPU, "RLIMIT_CPU", 50, 60));
    return std::string();
  });
  EXPECT_EQ(r.exit_code, 0) << r.message;
}

}  // namespace
}  // namespace cordon::sandbox
