// cordon - `cordon execpolicy check`: which .rules rules match a command, as Codex's JSON.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace cordon::cli {

struct ExecpolicyArgs {
  std::vector<std::string> rules;  // --rules FILE, in order
  bool pretty = false;
  bool resolve_host_executables = false;
  std::vector<std::string> command;
};

// Adds `execpolicy` with its subcommand `check` to `app`; returns `check`, which takes the
// command as its remaining arguments (or after "--").
CLI::App* add_execpolicy_command(CLI::App& app, ExecpolicyArgs& args);

// Loads the rules files, matches the command and prints the JSON. Returns 0; 78 when a
// rules file does not load; 64 without a command.
int run_execpolicy_check(const ExecpolicyArgs& args);

}  // namespace cordon::cli
