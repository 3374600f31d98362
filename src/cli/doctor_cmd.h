// cordon - `cordon doctor`: which Linux sandbox backends work on this machine, and why not.
#pragma once

#include <CLI/CLI.hpp>

#include "config/load.h"

namespace cordon::cli {

struct DoctorArgs {
  config::CliOptions config;
  bool json = false;
};

// --json and the config flags of `cordon sandbox linux` (the backend choice and what a
// backend cannot enforce depend on them).
void add_doctor_flags(CLI::App& app, DoctorArgs& args);

// Probes the host (spawning trial processes) and reports each check. Returns 0 when the
// backend cordon would choose works here, 1 when none does; 78 on a config error and 71
// when the writable roots cannot be resolved.
int run_doctor(const DoctorArgs& args);

}  // namespace cordon::cli
