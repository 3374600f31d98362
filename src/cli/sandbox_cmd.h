// cordon - `cordon sandbox linux`: run one command under the sandbox, no approvals.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "config/load.h"

namespace cordon::cli {

struct SandboxArgs {
  config::CliOptions config;
  std::vector<std::string> command;
};

// Registers the flags shared by every subcommand that loads the config.
void add_config_flags(CLI::App& app, config::CliOptions& opts);

// Runs the command; returns cordon's exit status.
int run_sandbox(const SandboxArgs& args);

}  // namespace cordon::cli
