// cordon - running a SandboxPlan: unwrapped (danger-full-access) or through a Linux backend
// (bwrap, native or Landlock; see backend.h for the choice).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "config/types.h"
#include "sandbox/backend.h"
#include "sandbox/denials.h"
#include "sandbox/linux/supervise.h"
#include "sandbox/plan.h"
#include "util/filesystem.h"
#include "util/result.h"

namespace cordon::sandbox {

struct LaunchContext {
  std::vector<std::string> environment;  // the caller's environment, KEY=VALUE
  const char* path_env = nullptr;        // $PATH, where bwrap is looked up
  const config::EffectiveConfig* config = nullptr;
  std::function<void(const std::string&)> warn;  // one line for the user (stderr)
  // danger-full-access: replace cordon with the command (true), or run it as a child and
  // wait for it (false: the caller has more to do afterwards).
  bool replace_process = true;
  // Each new refusal record as the observer makes it (--log-denials); may be empty.
  std::function<void(const Denial&)> on_denial;
};

// What the backend choice needs to know about this host, found cheaply (no process is
// started): a usable bwrap (looked up only when the config allows bwrap) and the Landlock
// ABI. `cordon status` uses the same function, so it predicts the launcher's choice.
BackendFacts backend_facts(const SandboxPlan& plan, const LaunchContext& ctx, const FileSystem& fs);

// Runs the command under the sandbox the plan describes and returns how it ended, with what
// the sandbox refused (when sandbox_linux.report_denials is on). An Error means nothing ran:
// the message names the part of the boundary that could not be applied and how to fix it.
Result<linux::Finished> launch(const SandboxPlan& plan, const LaunchContext& ctx,
                               const FileSystem& fs);

}  // namespace cordon::sandbox
