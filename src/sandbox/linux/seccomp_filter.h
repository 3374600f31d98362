// cordon - the seccomp filter of the inner stage (libseccomp).
#pragma once

#include <linux/filter.h>

#include <optional>
#include <string_view>
#include <vector>

#include "sandbox/plan.h"
#include "util/result.h"

namespace cordon::sandbox::linux {

std::optional<SeccompMode> parse_seccomp_mode(std::string_view s);

// Builds and loads the filter into the calling thread (irreversible). Requires
// no_new_privs to be set. Native architecture only: a call made through a foreign
// ABI (i386 int 0x80, x32) kills the process.
Status install_seccomp(SeccompMode mode);

// The same filter as BPF, to be loaded later by a process that must not allocate.
Result<std::vector<sock_filter>> compile_seccomp(SeccompMode mode);

// Loads a compiled filter into the calling thread; requires no_new_privs. Async-signal-safe.
// Returns 0 or errno.
int load_compiled_seccomp(const sock_fprog& prog);

}  // namespace cordon::sandbox::linux
