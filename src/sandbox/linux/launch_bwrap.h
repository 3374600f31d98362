// cordon - the outer stage: run a SandboxPlan under bubblewrap.
#pragma once

#include <string>
#include <vector>

#include "sandbox/linux/supervise.h"
#include "sandbox/plan.h"
#include "util/result.h"

namespace cordon::sandbox::linux {

class Observer;

struct BwrapLaunch {
  std::string bwrap;                     // from find_bwrap()
  std::string cordon_exe;                // this executable, re-run as the inner stage
  std::vector<std::string> environment;  // KEY=VALUE, before the plan's edits
  Observer* observer = nullptr;          // with its channel open, or nullptr: not observed
};

// Runs the command and returns its exit status (128+N when killed by signal N).
// An Error means the sandbox could not be set up and the command did not run; its
// message names the failing part and how to fix it. Signals SIGINT, SIGTERM, SIGHUP and
// SIGQUIT received meanwhile are passed on to the command.
Result<Finished> launch_bwrap(const SandboxPlan& plan, const BwrapLaunch& how);

// Adds advice to a bubblewrap error text (user namespaces, AppArmor, old bwrap ...).
std::string explain_bwrap_failure(const std::string& bwrap_stderr);

}  // namespace cordon::sandbox::linux
