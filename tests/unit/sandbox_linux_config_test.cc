// config::load: the [sandbox_linux] table (backend, require_full_enforcement, resource
// limits), the --backend flag, and Codex's backend switches (use_legacy_landlock,
// features.use_linux_sandbox_bwrap). Every error names its file:line:column.
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/load.h"
#include "fake_filesystem.h"

namespace cordon::config {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::StartsWith;

constexpr const char* kSys = "/etc/cordon/config.toml";
constexpr const char* kUser = "/home/u/.cordon/config.toml";
constexpr unsigned long long kKiB = 1024;
constexpr unsigned long long kMiB = kKiB * 1024;
constexpr unsigned long long kGiB = kMiB * 1024;
constexpr unsigned long long kTiB = kGiB * 1024;

class SandboxLinuxConfig : public ::testing::Test {
 protected:
  SandboxLinuxConfig() {
    fs.add_dir("/home/u/proj");
    fs.add_dir("/etc/cordon");
    in.system_config = kSys;
    in.user_config = kUser;
    in.process_cwd = "/home/u/proj";
  }

  // The user file holds "[sandbox_linux]\n" + body.
  void section(const std::string& body) { fs.add_file(kUser, "[sandbox_linux]\n" + body); }

  EffectiveConfig ok() {
    auto r = load(in, fs);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : EffectiveConfig{};
  }
  std::string error() {
    auto r = load(in, fs);
    EXPECT_FALSE(r.ok()) << "expected an error";
    return r.ok() ? std::string("<no error>") : r.error().message;
  }
  std::string at(int line, int col) const {
    return std::string(kUser) + ":" + std::to_string(line) + ":" + std::to_string(col);
  }

  fakes::FakeFileSystem fs;
  LoadInputs in;
};

// ---------------------------------------------------------------- defaults

TEST_F(SandboxLinuxConfig, Defaults) {
  const EffectiveConfig c = ok();
  EXPECT_EQ(c.backend.value, BackendChoice::Auto);
  EXPECT_FALSE(c.use_legacy_landlock.value);
  EXPECT_TRUE(c.use_linux_sandbox_bwrap.value);
  EXPECT_FALSE(c.require_full_enforcement.value);
  EXPECT_EQ(c.max_processes.value, 8192u);
  EXPECT_EQ(c.max_memory.value, kUnlimited);
  EXPECT_EQ(c.max_cpu_seconds.value, kUnlimited);
  EXPECT_EQ(c.max_open_files.value, 65536u);
  for (const std::string& origin :
       {c.backend.origin, c.use_legacy_landlock.origin, c.use_linux_sandbox_bwrap.origin,
        c.require_full_enforcement.origin, c.max_processes.origin, c.max_memory.origin,
        c.max_cpu_seconds.origin, c.max_open_files.origin}) {
    EXPECT_EQ(origin, "built-in default");
  }
}

// ---------------------------------------------------------------- backend

TEST_F(SandboxLinuxConfig, EveryBackendName) {
  const std::vector<std::pair<std::string, BackendChoice>> names = {
      {"auto", BackendChoice::Auto},
      {"bwrap", BackendChoice::Bwrap},
      {"native", BackendChoice::Native},
      {"landlock", BackendChoice::Landlock}};
  for (const auto& [name, want] : names) {
    section("backend = \"" + name + "\"\n");
    const EffectiveConfig c = ok();
    EXPECT_EQ(c.backend.value, want) << name;
    EXPECT_EQ(c.backend.origin, at(2, 11)) << name;
    EXPECT_STREQ(to_string(c.backend.value), name.c_str());
  }
}

TEST_F(SandboxLinuxConfig, UnknownBackendSuggestsTheClosest) {
  section("backend = \"nativ\"\n");
  EXPECT_EQ(error(), at(2, 11) +
                         ": unknown backend 'nativ'; expected 'auto', 'bwrap', 'native' or "
                         "'landlock'; did you mean 'native'?");
  section("backend = \"bubblewrap\"\n");
  EXPECT_EQ(error(), at(2, 11) +
                         ": unknown backend 'bubblewrap'; expected 'auto', 'bwrap', 'native' or "
                         "'landlock'");
  section("backend = \"Landlock\"\n");
  EXPECT_THAT(error(), HasSubstr("did you mean 'landlock'?"));
}

TEST_F(SandboxLinuxConfig, BackendMustBeAString) {
  section("backend = 2\n");
  EXPECT_EQ(error(), at(2, 11) + ": 'sandbox_linux.backend' must be a string, not an integer");
  fs.add_file(kUser, "sandbox_linux = \"native\"\n");
  EXPECT_EQ(error(), at(1, 17) + ": 'sandbox_linux' must be a table, not a string");
}

TEST_F(SandboxLinuxConfig, BackendFlagBeatsFileAndOverride) {
  section("backend = \"landlock\"\n");
  in.cli.overrides = {"sandbox_linux.backend=bwrap"};
  EffectiveConfig c = ok();
  EXPECT_EQ(c.backend.value, BackendChoice::Bwrap);
  EXPECT_EQ(c.backend.origin, "-c 'sandbox_linux.backend=bwrap'");

  in.cli.backend = "native";
  c = ok();
  EXPECT_EQ(c.backend.value, BackendChoice::Native);
  EXPECT_EQ(c.backend.origin, "--backend");

  in.cli.overrides.clear();
  in.cli.backend = "auto";  // an explicit auto overrides the file too
  c = ok();
  EXPECT_EQ(c.backend.value, BackendChoice::Auto);
  EXPECT_EQ(c.backend.origin, "--backend");
}

TEST_F(SandboxLinuxConfig, BadBackendFlagNamesTheFlag) {
  in.cli.backend = "bwarp";
  EXPECT_EQ(error(),
            "--backend: unknown backend 'bwarp'; expected 'auto', 'bwrap', 'native' or "
            "'landlock'; did you mean 'bwrap'?");
}

TEST_F(SandboxLinuxConfig, BackendInAProfile) {
  fs.add_file(kUser, "profile = \"p\"\n[profiles.p.sandbox_linux]\nbackend = \"native\"\n");
  const EffectiveConfig c = ok();
  EXPECT_EQ(c.backend.value, BackendChoice::Native);
  EXPECT_EQ(c.backend.origin, "profile 'p' at " + at(3, 11));
}

TEST_F(SandboxLinuxConfig, UnknownKeyWarnsWithSuggestionOrFailsWhenStrict) {
  section("max_proceses = 10\n");
  const EffectiveConfig c = ok();
  ASSERT_THAT(c.warnings, SizeIs(1));
  EXPECT_EQ(c.warnings[0], at(2, 16) +
                               ": unknown key 'sandbox_linux.max_proceses'; did you mean "
                               "'max_processes'?; ignored");
  in.cli.strict_config = true;
  EXPECT_EQ(error(), at(2, 16) +
                         ": unknown key 'sandbox_linux.max_proceses'; did you mean "
                         "'max_processes'? (--strict-config)");
}

// ---------------------------------------------------------------- require_full_enforcement

TEST_F(SandboxLinuxConfig, RequireFullEnforcement) {
  section("require_full_enforcement = true\n");
  EffectiveConfig c = ok();
  EXPECT_TRUE(c.require_full_enforcement.value);
  EXPECT_EQ(c.require_full_enforcement.origin, at(2, 28));
  section("require_full_enforcement = \"yes\"\n");
  EXPECT_EQ(error(), at(2, 28) +
                         ": 'sandbox_linux.require_full_enforcement' must be a boolean, not a "
                         "string");
  fs.remove(kUser);
  in.cli.overrides = {"sandbox_linux.require_full_enforcement=true"};
  c = ok();
  EXPECT_TRUE(c.require_full_enforcement.value);
  EXPECT_EQ(c.require_full_enforcement.origin, "-c 'sandbox_linux.require_full_enforcement=true'");
}

// ---------------------------------------------------------------- limits

const Setting<unsigned long long>& limit(const EffectiveConfig& c, const std::string& key) {
  if (key == "max_processes") return c.max_processes;
  if (key == "max_memory") return c.max_memory;
  if (key == "max_cpu_seconds") return c.max_cpu_seconds;
  return c.max_open_files;
}

const std::vector<std::string> kLimitKeys = {"max_processes", "max_memory", "max_cpu_seconds",
                                             "max_open_files"};

// Column of the value in "<key> = <value>".
int value_col(const std::string& key) {
  return static_cast<int>(key.size()) + 4;
}

TEST_F(SandboxLinuxConfig, EveryLimitTakesAnIntegerOrUnlimited) {
  for (const auto& key : kLimitKeys) {
    section(key + " = 12345\n");
    EffectiveConfig c = ok();
    EXPECT_EQ(limit(c, key).value, 12345u) << key;
    EXPECT_EQ(limit(c, key).origin, at(2, value_col(key))) << key;

    section(key + " = \"unlimited\"\n");
    c = ok();
    EXPECT_EQ(limit(c, key).value, kUnlimited) << key;
    EXPECT_EQ(limit(c, key).origin, at(2, value_col(key))) << key;

    section(key + " = 9223372036854775807\n");  // the largest TOML integer
    EXPECT_EQ(limit(ok(), key).value, 9223372036854775807ULL) << key;
  }
}

struct SizeCase {
  const char* text;
  unsigned long long bytes;
};

TEST_F(SandboxLinuxConfig, MaxMemoryTakesSizes) {
  const std::vector<SizeCase> cases = {
      {"1", 1},
      {"1k", kKiB},
      {"1K", kKiB},
      {"512M", 512 * kMiB},
      {"512MB", 512 * kMiB},
      {"2GiB", 2 * kGiB},
      {"2g", 2 * kGiB},
      {"3T", 3 * kTiB},
      {"16777215T", 16777215 * kTiB},  // the largest that fits in 64 bits
      {"18446744073709551615", 18446744073709551615ULL},
  };
  for (const auto& c : cases) {
    section(std::string("max_memory = \"") + c.text + "\"\n");
    EXPECT_EQ(ok().max_memory.value, c.bytes) << c.text;
  }
}

struct BadLimit {
  std::string key;
  std::string value;  // TOML text, quoted as such in the message
};

TEST_F(SandboxLinuxConfig, BadLimitValuesAreErrorsAtTheirPosition) {
  const std::string count = "a positive integer or \"unlimited\"";
  const std::string size =
      "a positive number of bytes, a size such as \"512M\" or \"2G\", or \"unlimited\"";
  const std::vector<BadLimit> cases = {
      {"max_processes", "0"},
      {"max_processes", "-1"},
      {"max_open_files", "-65536"},
      {"max_cpu_seconds", "\"0\""},
      {"max_cpu_seconds", "\"-5\""},
      {"max_processes", "\"512M\""},  // units are for max_memory only
      {"max_processes", "\"\""},
      {"max_processes", "\"Unlimited\""},
      {"max_open_files", "\"18446744073709551616\""},  // 2^64
      {"max_memory", "0"},
      {"max_memory", "-1"},
      {"max_memory", "\"12Q\""},
      {"max_memory", "\"0M\""},
      {"max_memory", "\"M\""},
      {"max_memory", "\"1.5G\""},
      {"max_memory", "\"2 G\""},
      {"max_memory", "\"2GiBs\""},
      {"max_memory", "\"16777216T\""},  // 2^64 bytes
      {"max_memory", "\"99999999999999999999\""},
  };
  for (const auto& c : cases) {
    section(c.key + " = " + c.value + "\n");
    const std::string want = c.key == "max_memory" ? size : count;
    EXPECT_EQ(error(), at(2, value_col(c.key)) + ": 'sandbox_linux." + c.key + "' must be " + want +
                           ", not " + c.value)
        << c.key << " = " << c.value;
  }
}

TEST_F(SandboxLinuxConfig, LimitsOfTheWrongTypeNameTheType) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"true", "a boolean"}, {"1.5", "a float"}, {"[1]", "an array"}, {"{ a = 1 }", "a table"}};
  for (const auto& key : kLimitKeys) {
    for (const auto& [value, type] : cases) {
      section(key + " = " + value + "\n");
      EXPECT_THAT(error(),
                  StartsWith(at(2, value_col(key)) + ": 'sandbox_linux." + key + "' must be "))
          << key << " = " << value;
      EXPECT_THAT(error(), HasSubstr(", not " + type)) << key << " = " << value;
    }
  }
}

TEST_F(SandboxLinuxConfig, IntegerTooLargeForTomlIsASyntaxErrorWithPosition) {
  section("max_processes = 99999999999999999999\n");
  EXPECT_THAT(error(), StartsWith(std::string(kUser) + ":2:"));
  EXPECT_THAT(error(), HasSubstr("TOML syntax error"));
}

TEST_F(SandboxLinuxConfig, LimitsMergeAcrossLayers) {
  fs.add_file(kSys, "[sandbox_linux]\nmax_processes = 100\nmax_open_files = 200\n");
  section("max_processes = 300\n");
  in.cli.overrides = {"sandbox_linux.max_memory=512M"};  // not TOML: taken as a string
  const EffectiveConfig c = ok();
  EXPECT_EQ(c.max_processes.value, 300u);
  EXPECT_EQ(c.max_processes.origin, at(2, 17));
  EXPECT_EQ(c.max_open_files.value, 200u);
  EXPECT_EQ(c.max_open_files.origin, std::string(kSys) + ":3:18");
  EXPECT_EQ(c.max_memory.value, 512 * kMiB);
  EXPECT_EQ(c.max_memory.origin, "-c 'sandbox_linux.max_memory=512M'");
  EXPECT_EQ(c.max_cpu_seconds.origin, "built-in default");
}

TEST_F(SandboxLinuxConfig, BadLimitInAnOverrideNamesTheOverride) {
  in.cli.overrides = {"sandbox_linux.max_memory=12Q"};
  EXPECT_THAT(error(), StartsWith("-c 'sandbox_linux.max_memory=12Q': "
                                  "'sandbox_linux.max_memory' must be a positive number of "
                                  "bytes"));
}

// ---------------------------------------------------------------- Codex's switches

TEST_F(SandboxLinuxConfig, LegacyLandlockTopLevelAndUnderFeatures) {
  fs.add_file(kUser, "use_legacy_landlock = true\n");
  EffectiveConfig c = ok();
  EXPECT_TRUE(c.use_legacy_landlock.value);
  EXPECT_EQ(c.use_legacy_landlock.origin, at(1, 23));

  fs.add_file(kUser, "[features]\nuse_legacy_landlock = true\n");
  c = ok();
  EXPECT_TRUE(c.use_legacy_landlock.value);
  EXPECT_EQ(c.use_legacy_landlock.origin, at(2, 23));

  fs.add_file(kUser, "[features]\nuse_legacy_landlock = 1\n");
  EXPECT_EQ(error(),
            at(2, 23) + ": 'features.use_legacy_landlock' must be a boolean, not an integer");
}

TEST_F(SandboxLinuxConfig, UseLinuxSandboxBwrapFalse) {
  fs.add_file(kUser, "[features]\nuse_linux_sandbox_bwrap = false\n");
  const EffectiveConfig c = ok();
  EXPECT_FALSE(c.use_linux_sandbox_bwrap.value);
  EXPECT_EQ(c.use_linux_sandbox_bwrap.origin, at(2, 27));
  EXPECT_THAT(c.warnings, IsEmpty());
  EXPECT_EQ(c.backend.value, BackendChoice::Auto);  // it does not set the backend itself
}

TEST_F(SandboxLinuxConfig, SwitchesInAProfile) {
  fs.add_file(kUser,
              "[profiles.ll]\nuse_legacy_landlock = true\n"
              "[profiles.ll.features]\nuse_linux_sandbox_bwrap = false\n");
  in.cli.profile = "ll";
  const EffectiveConfig c = ok();
  EXPECT_TRUE(c.use_legacy_landlock.value);
  EXPECT_EQ(c.use_legacy_landlock.origin, "profile 'll' at " + at(2, 23));
  EXPECT_FALSE(c.use_linux_sandbox_bwrap.value);
  EXPECT_EQ(c.use_linux_sandbox_bwrap.origin, "profile 'll' at " + at(4, 27));
}

}  // namespace
}  // namespace cordon::config
