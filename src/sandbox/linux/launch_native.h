// cordon - the native backend: cordon builds the sandbox itself, without bubblewrap.
//
// The launcher prepares everything (argument and environment arrays, the compiled seccomp
// program, mount targets) and clones one process into new user, mount, pid and ipc
// namespaces (and a network namespace when the network is off). That process writes its
// uid/gid map, builds the plan's filesystem view (the host's mount tree made read-only,
// copies of the writable roots and protected paths cloned before that, a fresh /dev and
// /proc; or, for restricted reads, an empty tmpfs root staged on a scratch directory with
// only the plan's paths in it, switched to with pivot_root; deny-read directories and
// files hidden by an empty read-only tmpfs and by copies of one empty mode-0000 file;
// see native_layout.h), applies the resource limits, starts a new session, drops every
// capability, sets no_new_privs, loads the seccomp filter and becomes the sandbox's init
// (sandbox_init.h).
// It allocates nothing: a failure travels back over the status pipe as a step number and
// an errno, and the launcher turns it into a message.
//
// Kernel: open_tree, move_mount (Linux 5.2) and mount_setattr (5.12), so 5.12 or newer.
#pragma once

#include <string>
#include <vector>

#include "sandbox/linux/supervise.h"
#include "sandbox/plan.h"
#include "util/result.h"

namespace cordon::sandbox::linux {

class Observer;

struct NativeLaunch {
  std::vector<std::string> environment;  // KEY=VALUE, before the plan's edits
  Observer* observer = nullptr;          // with its channel open, or nullptr: not observed
};

// Runs the command and returns how it ended. An Error means nothing ran. When the kernel
// refused the user namespace itself, *userns_refused is set (the caller may pick another
// backend).
Result<Finished> launch_native(const SandboxPlan& plan, const NativeLaunch& how,
                               bool* userns_refused);

}  // namespace cordon::sandbox::linux
