// cordon - the Landlock backend: no namespaces, for machines that forbid them.
//
// The launcher builds the Landlock ruleset and the seccomp program, then forks the command.
// The child starts a new session, applies the resource limits, drops every capability
// (when run as root), sets no_new_privs, restricts itself with Landlock and seccomp and
// executes the command. cordon is a child subreaper meanwhile: whatever the command leaves
// running when it ends is killed, as the pid namespace of the other backends does.
// Protected paths inside writable roots cannot be enforced (see backend.h: unenforced()).
#pragma once

#include <string>
#include <vector>

#include "sandbox/linux/supervise.h"
#include "sandbox/plan.h"
#include "util/result.h"

namespace cordon::sandbox::linux {

class Observer;

struct LandlockLaunch {
  std::vector<std::string> environment;  // KEY=VALUE, before the plan's edits
  int abi = 0;                           // landlock_abi()
  Observer* observer = nullptr;          // with its channel open, or nullptr: not observed
};

Result<Finished> launch_landlock(const SandboxPlan& plan, const LandlockLaunch& how);

}  // namespace cordon::sandbox::linux
