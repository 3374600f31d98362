// cordon - loading the effective configuration from files, profiles and flags.
//
// Layers, low to high: built-in defaults, the system file, the user file, the
// selected [profiles.<name>] (from either file), each -c override in order, then the
// dedicated flags (--sandbox, --ask-for-approval, --full-auto, --yolo). Every layer is
// validated in full, even where a higher layer overrides it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/types.h"
#include "util/filesystem.h"
#include "util/result.h"

namespace cordon::config {

struct CliOptions {
  std::vector<std::string> overrides;          // -c key=value, in order given
  std::optional<std::string> sandbox_mode;     // -s/--sandbox
  std::optional<std::string> approval_policy;  // -a/--ask-for-approval
  bool full_auto = false;
  bool yolo = false;
  std::optional<std::string> profile;              // --profile
  std::vector<std::string> add_dirs;               // --add-dir, as given
  std::optional<std::string> cd;                   // -C/--cd, as given
  bool strict_config = false;                      // unknown keys are errors, not warnings
  std::optional<std::string> backend;              // --backend auto|bwrap|native|landlock
  std::optional<std::string> permissions_profile;  // -P/--permissions-profile NAME
};

struct LoadInputs {
  std::string system_config;  // normally /etc/cordon/config.toml
  std::string user_config;    // normally $CORDON_HOME/config.toml
  std::string process_cwd;    // absolute; relative flags resolve against it
  CliOptions cli;
};

// The effective configuration, or the first error as one message
// ("file:line:column: ...", or "-c 'k=v': ..." for an override).
Result<EffectiveConfig> load(const LoadInputs& in, const FileSystem& fs);

// Default paths: $CORDON_HOME/config.toml (CORDON_HOME defaults to ~/.cordon).
std::string default_user_config_path(const char* cordon_home, const char* home);
inline constexpr const char* kSystemConfigPath = "/etc/cordon/config.toml";

}  // namespace cordon::config
