// cordon - `cordon sandbox linux`: run one command under the sandbox, no approvals.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

#include "config/load.h"
#include "policy/fs_policy.h"
#include "sandbox/launch.h"
#include "sandbox/plan.h"
#include "util/filesystem.h"

namespace cordon::cli {

struct SandboxArgs {
  config::CliOptions config;
  bool json = false;         // one JSON object on stdout: status, output, denials
  bool log_denials = false;  // print each refusal as it happens
  std::vector<std::string> command;
};

// Registers the flags shared by every subcommand that loads the config.
void add_config_flags(CLI::App& app, config::CliOptions& opts);

// What `cordon sandbox linux` enforces here: the effective config, the filesystem policy
// (writable roots, permission profile) and the plan for `command`.
struct Effective {
  config::EffectiveConfig cfg;
  policy::FsPolicy fs;
  sandbox::SandboxPlan plan;
};

// Loads config, filesystem policy and plan; prints warnings and errors to stderr. Returns 0,
// or cordon's exit status for the failure (64 no working directory, 78 config or permission
// profile, 71 writable roots).
int load_effective(const config::CliOptions& cli, std::vector<std::string> command,
                   const FileSystem& fs, Effective& out);

// How the launcher is called from the CLI: this process's environment and PATH, `cfg`, and
// `warn` for the user's one-line messages.
sandbox::LaunchContext launch_context(const config::EffectiveConfig& cfg,
                                      std::function<void(const std::string&)> warn);

// Runs the command; returns cordon's exit status.
int run_sandbox(const SandboxArgs& args);

}  // namespace cordon::cli
