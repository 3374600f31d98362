// cordon - running a SandboxPlan: unwrapped (danger-full-access) or through a Linux backend.
#pragma once

#include <string>
#include <vector>

#include "sandbox/plan.h"
#include "util/filesystem.h"
#include "util/result.h"

namespace cordon::sandbox {

struct LaunchContext {
  std::string cordon_exe;                // absolute path of this executable
  std::vector<std::string> environment;  // the caller's environment, KEY=VALUE
  const char* path_env = nullptr;        // $PATH, where bwrap is looked up
};

// Runs the command under the sandbox the plan describes and returns its exit status.
// An Error means nothing ran: the message names the part of the boundary that could
// not be applied and how to fix it.
Result<int> launch(const SandboxPlan& plan, const LaunchContext& ctx, const FileSystem& fs);

}  // namespace cordon::sandbox
