// cordon fuzz target: the input is a config.toml.
//
// It is loaded as the user config, as the system config, under --strict-config, and as
// the user config above a fixed system config that defines profiles. Checked:
//   - load() never crashes, leaks or hits undefined behaviour;
//   - on failure the message is non-empty and starts with the path of a config file;
//   - on success the result is consistent (absolute, normalised writable_roots, an
//     absolute workspace, every warning naming its file);
//   - the same file gives the same result whether it is the system or the user file;
//   - --strict-config only turns warnings into errors: when it accepts a file, the
//     lenient load accepts it with the same result and no warning, and when the
//     lenient load refuses a file, so does the strict one.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/load.h"
#include "fuzz_common.h"

using cordon::config::EffectiveConfig;
using cordon::config::LoadInputs;
using namespace cordon::fuzzing;

namespace {

constexpr const char* kFixedSystem = R"(sandbox_mode = "read-only"
approval_policy = "untrusted"

[sandbox_workspace_write]
network_access = false

[profiles.ci]
sandbox_mode = "workspace-write"
approval_policy = "never"

[profiles.ci.sandbox_workspace_write]
writable_roots = ["/srv/data"]
exclude_slash_tmp = true

[profiles.review]
sandbox_mode = "read-only"
)";

LoadInputs inputs(const char* system, const char* user, bool strict) {
  LoadInputs in;
  in.system_config = system;
  in.user_config = user;
  in.process_cwd = kCwd;
  in.cli.strict_config = strict;
  return in;
}

// The message with its leading source name removed.
std::string after(const std::string& msg, const std::string& prefix) {
  return msg.substr(prefix.size());
}

void check_error(const cordon::Error& e, const std::vector<std::string>& sources) {
  FUZZ_CHECK(!e.message.empty(), "empty error message");
  FUZZ_CHECK(names_source(e.message, sources), e.message);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static FakeFileSystem fs = make_host();
  const std::string text(reinterpret_cast<const char*>(data), size);

  // A: the user config, no system config.
  fs.remove(kSystemConfig);
  fs.add_file(kUserConfig, text);
  auto as_user = cordon::config::load(inputs(kSystemConfig, kUserConfig, false), fs);
  if (as_user.ok()) {
    check_loaded(*as_user, {kUserConfig}, kCwd);
  } else {
    check_error(as_user.error(), {kUserConfig});
  }

  // C: the same under --strict-config.
  auto strict = cordon::config::load(inputs(kSystemConfig, kUserConfig, true), fs);
  if (strict.ok()) {
    check_loaded(*strict, {kUserConfig}, kCwd);
    FUZZ_CHECK(strict->warnings.empty(), strict->warnings.front());
    FUZZ_CHECK(as_user.ok(), "strict accepted, lenient refused: " + as_user.error().message);
    FUZZ_CHECK(as_user->warnings.empty(), "strict accepted a file the lenient load warned about");
    FUZZ_CHECK(summary(*strict) == summary(*as_user), summary(*strict) + "\n" + summary(*as_user));
  } else {
    check_error(strict.error(), {kUserConfig});
  }
  if (!as_user.ok()) FUZZ_CHECK(!strict.ok(), "lenient refused, strict accepted");

  // B: the system config, no user config: the same outcome.
  fs.remove(kUserConfig);
  fs.add_file(kSystemConfig, text);
  auto as_system = cordon::config::load(inputs(kSystemConfig, kUserConfig, false), fs);
  FUZZ_CHECK(as_system.ok() == as_user.ok(), "system and user file disagree");
  if (as_system.ok()) {
    check_loaded(*as_system, {kSystemConfig}, kCwd);
    FUZZ_CHECK(summary(*as_system) == summary(*as_user),
               summary(*as_system) + "\n" + summary(*as_user));
    FUZZ_CHECK(as_system->warnings.size() == as_user->warnings.size(), "warning counts differ");
    for (size_t i = 0; i < as_system->warnings.size(); ++i) {
      FUZZ_CHECK(
          after(as_system->warnings[i], kSystemConfig) == after(as_user->warnings[i], kUserConfig),
          as_system->warnings[i] + "\n" + as_user->warnings[i]);
    }
  } else {
    check_error(as_system.error(), {kSystemConfig});
    FUZZ_CHECK(after(as_system.error().message, kSystemConfig) ==
                   after(as_user.error().message, kUserConfig),
               as_system.error().message + "\n" + as_user.error().message);
  }

  // D: the user config above a system config with profiles.
  fs.add_file(kSystemConfig, kFixedSystem);
  fs.add_file(kUserConfig, text);
  auto layered = cordon::config::load(inputs(kSystemConfig, kUserConfig, false), fs);
  if (layered.ok()) {
    check_loaded(*layered, {kSystemConfig, kUserConfig}, kCwd);
  } else {
    check_error(layered.error(), {kSystemConfig, kUserConfig});
  }
  // A user file the lenient load accepts alone cannot be refused because of a valid
  // system file below it, unless it selects a profile (profiles merge across files).
  if (as_user.ok() && !as_user->profile) {
    FUZZ_CHECK(layered.ok(),
               "accepted alone, refused above a valid system file: " + layered.error().message);
  }
  return 0;
}
