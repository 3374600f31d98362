// cordon - resource limits inside the sandbox (rlimits), and naming the one that ended a
// command.
#pragma once

#include <sys/resource.h>

#include <optional>
#include <string>

#include "config/types.h"
#include "sandbox/plan.h"

namespace cordon::sandbox::linux {

// Applies the limits to the calling process as caps on what it has (never raising a limit).
// Async-signal-safe: no allocation. Returns 0, or the errno of the failed setrlimit with
// *failed set to the config key it belongs to.
int apply_limits(const ResourceLimits& limits, const char** failed);

// When a limit evidently ended the command, one sentence saying which (with where it was
// set); nullopt otherwise. `status` is the shell status (128+N for signal N), `usage` the
// sandbox's resource usage including its waited-for descendants.
std::optional<std::string> limit_report(const ResourceLimits& limits,
                                        const config::EffectiveConfig& cfg, int status,
                                        const struct rusage& usage);

}  // namespace cordon::sandbox::linux
