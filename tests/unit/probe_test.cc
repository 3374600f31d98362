// Host probing without spawning anything: the parts read through the FileSystem seam
// (sysctls, /proc/version, bwrap on PATH), the explanations, and facts().
#include "sandbox/linux/probe.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_filesystem.h"
#include "sandbox/linux/landlock.h"

namespace cordon::sandbox::linux {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr const char* kFailure = "writing /proc/self/uid_map failed: Operation not permitted";

TEST(ExplainUserns, AppArmorRestrictionGivesBothRemedies) {
  UsernsSysctls s;
  s.apparmor_restrict = 1;
  s.max_user_namespaces = 1000;
  const std::string e = explain_userns_failure(kFailure, s, false);
  EXPECT_THAT(e, StartsWith(kFailure));
  EXPECT_THAT(e, HasSubstr("kernel.apparmor_restrict_unprivileged_userns = 1"));
  EXPECT_THAT(e, HasSubstr("apparmor_parser -r /etc/apparmor.d/bwrap-userns-restrict"));
  EXPECT_THAT(e, HasSubstr("sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0"));
  EXPECT_THAT(e, Not(HasSubstr("max_user_namespaces")));
}

TEST(ExplainUserns, MaxUserNamespacesZeroBlocksEvenRoot) {
  UsernsSysctls s;
  s.max_user_namespaces = 0;
  for (bool privileged : {false, true}) {
    EXPECT_THAT(explain_userns_failure(kFailure, s, privileged),
                HasSubstr("user.max_user_namespaces = 0 allows no user namespace at all (fix: "
                          "sudo sysctl -w user.max_user_namespaces="));
  }
}

TEST(ExplainUserns, UnprivilegedCloneZeroOnlyMattersWithoutPrivilege) {
  UsernsSysctls s;
  s.unprivileged_userns_clone = 0;
  EXPECT_THAT(explain_userns_failure(kFailure, s, false),
              HasSubstr("kernel.unprivileged_userns_clone = 0 forbids them to users other than "
                        "root (fix: sudo sysctl -w kernel.unprivileged_userns_clone=1)"));
  // Root is spared by this setting and by AppArmor's: something else is at fault.
  s.apparmor_restrict = 1;
  const std::string e = explain_userns_failure(kFailure, s, true);
  EXPECT_THAT(e, Not(HasSubstr("unprivileged_userns_clone")));
  EXPECT_THAT(e, Not(HasSubstr("apparmor_restrict")));
  EXPECT_THAT(e, HasSubstr("no kernel setting explains it"));
}

TEST(ExplainUserns, UnexplainedPointsAtTheContainerAndLandlock) {
  UsernsSysctls s;
  s.max_user_namespaces = 1000;
  s.unprivileged_userns_clone = 1;
  s.apparmor_restrict = 0;
  EXPECT_THAT(explain_userns_failure(kFailure, s, false),
              AllOf(StartsWith(kFailure), HasSubstr("no kernel setting explains it"),
                    HasSubstr("container"), HasSubstr("--backend landlock")));
}

TEST(Wsl, OnlyWsl1) {
  EXPECT_TRUE(is_wsl1("Linux version 4.4.0-19041-Microsoft (Microsoft@Microsoft.com) #488"));
  EXPECT_FALSE(is_wsl1("Linux version 5.15.90.1-microsoft-standard-WSL2 (root@x) #1 SMP"));
  EXPECT_FALSE(is_wsl1("Linux version 6.1.0-13-amd64 (debian-kernel@lists.debian.org)"));
  EXPECT_FALSE(is_wsl1(""));
}

TEST(BwrapVersion, Parse) {
  EXPECT_EQ(parse_bwrap_version("bubblewrap 0.8.0\n"), "0.8.0");
  EXPECT_EQ(parse_bwrap_version("bubblewrap 0.11.0"), "0.11.0");
  EXPECT_EQ(parse_bwrap_version("bwrap: unknown option\n"), "");
  EXPECT_EQ(parse_bwrap_version(""), "");
}

class ProbeHost : public ::testing::Test {
 protected:
  ProbeHost() { fs.add_dir("/proc/sys/kernel"); }
  ProbeResult probe(const char* path_env = "/usr/bin") {
    ProbeOptions o;
    o.path_env = path_env;
    o.exclude_roots = {"/w"};
    return probe_host(o, fs);
  }
  fakes::FakeFileSystem fs;
};

TEST_F(ProbeHost, ReadsTheSysctls) {
  fs.add_file("/proc/sys/user/max_user_namespaces", "0\n");
  fs.add_file("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", "1\n");
  fs.add_file("/proc/sys/kernel/cap_last_cap", "40\n");
  const ProbeResult r = probe();
  EXPECT_EQ(r.sysctls.max_user_namespaces, 0);
  EXPECT_EQ(r.sysctls.apparmor_restrict, 1);
  EXPECT_FALSE(r.sysctls.unprivileged_userns_clone.has_value());
  EXPECT_TRUE(r.apparmor_restricts_userns);
  EXPECT_EQ(r.cap_last_cap, 40);
}

TEST_F(ProbeHost, WithoutSpawningNothingIsTriedYet) {
  fs.add_executable("/usr/bin/bwrap");
  const ProbeResult r = probe();
  EXPECT_FALSE(r.full);
  EXPECT_EQ(r.bwrap_path, "/usr/bin/bwrap");
  EXPECT_FALSE(r.bwrap_works);
  EXPECT_FALSE(r.userns.has_value());
  const BackendFacts f = r.facts();
  EXPECT_EQ(f.bwrap, "/usr/bin/bwrap");  // the launcher finds out when it runs it
  EXPECT_FALSE(f.userns.has_value());
  EXPECT_EQ(r.landlock_abi, landlock_abi());
  EXPECT_EQ(f.landlock_abi, r.landlock_abi);
  EXPECT_EQ(r.landlock_problem.empty(), r.landlock_abi > 0);
}

TEST_F(ProbeHost, BwrapInsideAWritableRootIsNotUsed) {
  fs.add_executable("/w/bin/bwrap");
  const ProbeResult r = probe("/w/bin");
  EXPECT_FALSE(r.bwrap_path.has_value());
  EXPECT_THAT(r.bwrap_problem, HasSubstr("/w/bin/bwrap"));
  EXPECT_FALSE(r.facts().bwrap.has_value());
  EXPECT_EQ(r.facts().bwrap_problem, r.bwrap_problem);
}

TEST_F(ProbeHost, Wsl1HasNoSeccomp) {
  fs.add_file("/proc/version", "Linux version 4.4.0-19041-Microsoft (Microsoft@Microsoft.com)");
  const ProbeResult r = probe();
  EXPECT_TRUE(r.wsl1);
  EXPECT_FALSE(r.seccomp);
  EXPECT_EQ(r.seccomp_problem, kWsl1Problem);
}

TEST(ProbeFacts, AFailedTrialMeansNoBwrapAndNoUserns) {
  ProbeResult r;
  r.full = true;
  r.bwrap_path = "/usr/bin/bwrap";
  r.bwrap_works = false;
  r.bwrap_problem = "/usr/bin/bwrap cannot set up a trial sandbox (setting up uid map)";
  r.userns = false;
  r.userns_problem = kFailure;
  r.landlock_abi = 5;
  const BackendFacts f = r.facts();
  EXPECT_FALSE(f.bwrap.has_value());
  EXPECT_EQ(f.bwrap_problem, r.bwrap_problem);
  EXPECT_EQ(f.userns, false);
  EXPECT_EQ(f.userns_problem, kFailure);
  EXPECT_EQ(f.landlock_abi, 5);
  r.bwrap_works = true;
  EXPECT_EQ(r.facts().bwrap, "/usr/bin/bwrap");
}

}  // namespace
}  // namespace cordon::sandbox::linux
