// choose_backend() and unenforced(): explicit choices, Codex's switches, the automatic order
// bwrap > native > landlock > error, and what the Landlock backend cannot enforce.
#include "sandbox/backend.h"

#include <optional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cordon::sandbox {
namespace {

using config::BackendChoice;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr const char* kBwrap = "/usr/bin/bwrap";
constexpr const char* kNoBwrap = "bubblewrap (bwrap) was not found on PATH";
constexpr const char* kNoUserns = "writing /proc/self/uid_map failed: Operation not permitted";

BackendFacts facts(bool bwrap, std::optional<bool> userns, int abi) {
  BackendFacts f;
  if (bwrap) {
    f.bwrap = kBwrap;
  } else {
    f.bwrap_problem = kNoBwrap;
  }
  f.userns = userns;
  if (userns == false) f.userns_problem = kNoUserns;
  f.landlock_abi = abi;
  return f;
}

struct Switches {
  BackendChoice backend = BackendChoice::Auto;
  bool legacy_landlock = false;
  bool use_bwrap = true;
};

config::EffectiveConfig cfg_with(const Switches& s) {
  config::EffectiveConfig c;
  c.backend = {s.backend, s.backend == BackendChoice::Auto ? "built-in default" : "--backend"};
  if (s.legacy_landlock) c.use_legacy_landlock = {true, "/c.toml:1:23"};
  if (!s.use_bwrap) c.use_linux_sandbox_bwrap = {false, "/c.toml:2:27"};
  return c;
}

struct Case {
  const char* name;
  Switches sw;
  BackendFacts facts;
  std::optional<Backend> want;       // nullopt: an error
  std::vector<std::string> mention;  // substrings of `why`, or of the error
  bool landlock_if_no_userns = false;
};

// Facts: bwrap on PATH?, user namespaces (nullopt: not probed), Landlock ABI.
const std::vector<Case>& cases() {
  static const std::vector<Case> c = {
      // ---- explicit choices: never fall back, errors name the fix
      {"ExplicitBwrap",
       {BackendChoice::Bwrap},
       facts(true, false, 0),
       Backend::Bwrap,
       {"sandbox_linux.backend = bwrap from --backend", "bwrap at /usr/bin/bwrap"}},
      {"ExplicitBwrapMissing",
       {BackendChoice::Bwrap},
       facts(false, true, 7),
       std::nullopt,
       {"the bwrap backend was asked for", kNoBwrap, "apt-get install bubblewrap",
        "--backend native"}},
      {"ExplicitNative",
       {BackendChoice::Native},
       facts(true, true, 7),
       Backend::Native,
       {"sandbox_linux.backend = native from --backend"}},
      {"ExplicitNativeUnprobed",
       {BackendChoice::Native},
       facts(false, std::nullopt, 7),
       Backend::Native,
       {"native from --backend"}},
      {"ExplicitNativeNoUserns",
       {BackendChoice::Native},
       facts(true, false, 7),
       std::nullopt,
       {"the native backend was asked for", kNoUserns,
        "kernel.apparmor_restrict_unprivileged_userns=0", "user.max_user_namespaces",
        "--backend landlock"}},
      {"ExplicitLandlock",
       {BackendChoice::Landlock},
       facts(true, true, 4),
       Backend::Landlock,
       {"sandbox_linux.backend = landlock from --backend", "Landlock ABI 4"}},
      {"ExplicitLandlockMissing",
       {BackendChoice::Landlock},
       facts(true, true, 0),
       std::nullopt,
       {"the Landlock backend was asked for", "CONFIG_SECURITY_LANDLOCK", "lsm="}},
      {"ExplicitBackendBeatsLegacyLandlock",
       {BackendChoice::Bwrap, true},
       facts(true, true, 7),
       Backend::Bwrap,
       {"bwrap from --backend"}},
      {"ExplicitBwrapBeatsUseBwrapFalse",
       {BackendChoice::Bwrap, false, false},
       facts(true, true, 7),
       Backend::Bwrap,
       {"bwrap from --backend"}},
      // ---- use_legacy_landlock: Landlock or an error, no fallback
      {"LegacyLandlock",
       {BackendChoice::Auto, true},
       facts(true, true, 7),
       Backend::Landlock,
       {"use_legacy_landlock = true from /c.toml:1:23", "Landlock ABI 7"}},
      {"LegacyLandlockMissing",
       {BackendChoice::Auto, true},
       facts(true, true, 0),
       std::nullopt,
       {"use_legacy_landlock = true from /c.toml:1:23", "CONFIG_SECURITY_LANDLOCK"}},
      // ---- features.use_linux_sandbox_bwrap = false: native, else Landlock
      {"NoBwrapFeatureSkipsBwrap",
       {BackendChoice::Auto, false, false},
       facts(true, true, 7),
       Backend::Native,
       {"features.use_linux_sandbox_bwrap = false from /c.toml:2:27"},
       true},
      {"NoBwrapFeatureWithoutUserns",
       {BackendChoice::Auto, false, false},
       facts(true, false, 7),
       Backend::Landlock,
       {"features.use_linux_sandbox_bwrap = false", kNoUserns, "ABI 7"}},
      {"NoBwrapFeatureNothingElse",
       {BackendChoice::Auto, false, false},
       facts(true, false, 0),
       std::nullopt,
       {"no sandbox backend works", "features.use_linux_sandbox_bwrap = false"}},
      // ---- automatic: bwrap > native > landlock > error
      {"AutoPrefersBwrap",
       {},
       facts(true, true, 7),
       Backend::Bwrap,
       {"automatic: bwrap found at /usr/bin/bwrap"}},
      {"AutoBwrapEvenWithoutUserns",
       {},
       facts(true, false, 0),
       Backend::Bwrap,
       {"automatic: bwrap found"}},
      {"AutoNativeWithLandlockFallback",
       {},
       facts(false, true, 7),
       Backend::Native,
       {"automatic", kNoBwrap, "user namespaces work"},
       true},
      {"AutoNativeUnprobed",
       {},
       facts(false, std::nullopt, 1),
       Backend::Native,
       {"automatic", kNoBwrap},
       true},
      {"AutoNativeNoLandlockNoFallback",
       {},
       facts(false, true, 0),
       Backend::Native,
       {"automatic"},
       false},
      {"AutoLandlock",
       {},
       facts(false, false, 6),
       Backend::Landlock,
       {"automatic", kNoBwrap, "user namespaces do not work", kNoUserns, "Landlock ABI 6"}},
      {"AutoNothingWorks",
       {},
       facts(false, false, 0),
       std::nullopt,
       {"no sandbox backend works on this machine", kNoBwrap, kNoUserns, "no Landlock",
        "apt-get install bubblewrap", "kernel.apparmor_restrict_unprivileged_userns=0",
        "--sandbox danger-full-access"}},
  };
  return c;
}

class ChooseBackend : public ::testing::TestWithParam<Case> {};

TEST_P(ChooseBackend, Table) {
  const Case& c = GetParam();
  auto r = choose_backend(cfg_with(c.sw), c.facts);
  if (!c.want) {
    ASSERT_FALSE(r.ok()) << "chose " << to_string(r->backend) << ": " << r->why;
    for (const auto& m : c.mention) EXPECT_THAT(r.error().message, HasSubstr(m));
    return;
  }
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->backend, *c.want) << to_string(r->backend);
  for (const auto& m : c.mention) EXPECT_THAT(r->why, HasSubstr(m));
  EXPECT_EQ(r->landlock_if_no_userns, c.landlock_if_no_userns);
}

INSTANTIATE_TEST_SUITE_P(Cases, ChooseBackend, ::testing::ValuesIn(cases()),
                         [](const auto& p) { return std::string(p.param.name); });

TEST(BackendNames, ToString) {
  EXPECT_STREQ(to_string(Backend::Bwrap), "bwrap");
  EXPECT_STREQ(to_string(Backend::Native), "native");
  EXPECT_STREQ(to_string(Backend::Landlock), "landlock");
}

// ---------------------------------------------------------------- unenforced

SandboxPlan workspace_plan() {
  using policy::ProtectedPath;
  SandboxPlan p;
  p.mode = config::SandboxMode::WorkspaceWrite;
  p.writable_roots = {
      {"/w",
       "/w",
       "workspace",
       {{"/w/.git", ProtectedPath::Kind::Existing, ".git"},
        {"/w/.codex", ProtectedPath::Kind::Missing, ".codex"}}},
      {"/tmp", "/tmp", "/tmp", {{"/tmp/.agents", ProtectedPath::Kind::Missing, ".agents"}}},
  };
  return p;
}

TEST(Unenforced, NamespaceBackendsEnforceEverything) {
  for (int abi : {0, 3, 7}) {
    EXPECT_THAT(unenforced(workspace_plan(), Backend::Bwrap, abi), IsEmpty());
    EXPECT_THAT(unenforced(workspace_plan(), Backend::Native, abi), IsEmpty());
  }
}

TEST(Unenforced, LandlockNamesEveryProtectedPathInsideWritableRoots) {
  const auto gaps = unenforced(workspace_plan(), Backend::Landlock, 7);
  ASSERT_THAT(gaps, SizeIs(2));
  EXPECT_THAT(gaps[0], HasSubstr("protected paths inside writable roots stay writable"));
  EXPECT_THAT(gaps[0], HasSubstr("/w/.git, /w/.codex, /tmp/.agents"));
  EXPECT_THAT(gaps[1], HasSubstr("permissions, timestamps and extended attributes"));
}

TEST(Unenforced, LandlockGapsByAbi) {
  struct Row {
    int abi;
    bool truncate_gap;
    bool signal_gap;
  };
  for (const Row& row : {Row{1, true, true}, Row{2, true, true}, Row{3, false, true},
                         Row{5, false, true}, Row{6, false, false}, Row{7, false, false}}) {
    const auto gaps = unenforced(workspace_plan(), Backend::Landlock, row.abi);
    bool truncate = false, signal = false;
    for (const auto& g : gaps) {
      truncate = truncate || g.find("truncate()") != std::string::npos;
      signal = signal || g.find("signals to processes outside") != std::string::npos;
    }
    EXPECT_EQ(truncate, row.truncate_gap) << "ABI " << row.abi;
    EXPECT_EQ(signal, row.signal_gap) << "ABI " << row.abi;
    // Protected paths and file metadata at every ABI.
    EXPECT_EQ(gaps.size(), 2u + row.truncate_gap + row.signal_gap) << "ABI " << row.abi;
  }
}

TEST(Unenforced, LandlockReadOnlyHasNoProtectedPathGap) {
  SandboxPlan p;  // read-only: no writable roots
  EXPECT_THAT(unenforced(p, Backend::Landlock, 7),
              ElementsAre(HasSubstr("permissions, timestamps and extended attributes")));
  EXPECT_THAT(unenforced(p, Backend::Landlock, 5),
              ElementsAre(HasSubstr("permissions, timestamps and extended attributes"),
                          HasSubstr("signals to processes outside the sandbox")));
}

TEST(UnkeepableLimit, ExplicitProcessLimitOnlyForRoot) {
  SandboxPlan p = workspace_plan();
  p.limits.max_processes = 30;
  config::EffectiveConfig cfg;
  cfg.max_processes = {30, "-c 'sandbox_linux.max_processes=30'"};
  const auto why = unkeepable_limit(p, cfg, true);
  ASSERT_TRUE(why.has_value());
  EXPECT_THAT(*why, HasSubstr("max_processes = 30"));
  EXPECT_THAT(*why, HasSubstr("-c 'sandbox_linux.max_processes=30'"));
  EXPECT_THAT(*why, HasSubstr("root"));
  EXPECT_EQ(unkeepable_limit(p, cfg, false), std::nullopt);
  // The built-in default is not a request: it applies where it can.
  config::EffectiveConfig defaults;
  p.limits.max_processes = defaults.max_processes.value;
  EXPECT_EQ(unkeepable_limit(p, defaults, true), std::nullopt);
  // "unlimited" asks for nothing; without a sandbox there is nothing to limit.
  p.limits.max_processes = 0;
  EXPECT_EQ(unkeepable_limit(p, cfg, true), std::nullopt);
  p.limits.max_processes = 30;
  p.unwrapped = true;
  EXPECT_EQ(unkeepable_limit(p, cfg, true), std::nullopt);
}

TEST(Unenforced, UnwrappedPlanHasNothingToEnforce) {
  SandboxPlan p = workspace_plan();
  p.unwrapped = true;
  EXPECT_THAT(unenforced(p, Backend::Landlock, 1), IsEmpty());
}

}  // namespace
}  // namespace cordon::sandbox
