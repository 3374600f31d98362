// cordon - `cordon status`: the effective sandbox for this directory and where each value
// came from.
#pragma once

#include <CLI/CLI.hpp>

#include "config/load.h"
#include "policy/writable_roots.h"
#include "sandbox/plan.h"
#include "util/filesystem.h"

namespace cordon::cli {

struct StatusArgs {
  config::CliOptions config;
  bool json = false;
};

// --json and the config flags of `cordon sandbox linux`.
void add_status_flags(CLI::App& app, StatusArgs& args);

// Prints the status; returns 0, or 78 on a config error and 71 when the writable roots
// cannot be resolved (as `cordon sandbox linux` would).
int run_status(const StatusArgs& args);

}  // namespace cordon::cli
