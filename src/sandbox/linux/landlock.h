// cordon - Landlock rulesets for the Landlock backend.
//
// Everything is readable and executable; the writable roots (and the terminal and null
// devices) are fully writable; nothing else may be written. On ABI >= 4, when the network
// is off, TCP bind and connect are denied too; on ABI >= 6 the command cannot signal
// processes outside its domain, and (network off) cannot reach abstract Unix sockets.
#pragma once

#include <cstdint>

#include "sandbox/plan.h"
#include "util/fd.h"
#include "util/result.h"

namespace cordon::sandbox::linux {

// The kernel's Landlock ABI version, 0 when Landlock is missing or disabled.
int landlock_abi();
// The same, or -errno: -EOPNOTSUPP when Landlock is built in but not enabled at boot,
// -ENOSYS when the kernel lacks it.
int landlock_query();

// A ruleset for the plan (opened and filled by the launcher; the child only calls
// landlock_restrict_self on it).
Result<Fd> make_landlock_ruleset(const SandboxPlan& plan, int abi);

// Enforces the ruleset on the calling thread. Requires no_new_privs. Async-signal-safe.
// Returns 0 or errno.
int landlock_restrict(int ruleset_fd);

}  // namespace cordon::sandbox::linux
