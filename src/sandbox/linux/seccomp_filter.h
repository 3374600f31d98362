// cordon - the seccomp filter of the inner stage (libseccomp).
#pragma once

#include <optional>
#include <string_view>

#include "sandbox/plan.h"
#include "util/result.h"

namespace cordon::sandbox::linux {

std::optional<SeccompMode> parse_seccomp_mode(std::string_view s);

// Builds and loads the filter into the calling thread (irreversible). Requires
// no_new_privs to be set. Native architecture only: a call made through a foreign
// ABI (i386 int 0x80, x32) kills the process.
Status install_seccomp(SeccompMode mode);

}  // namespace cordon::sandbox::linux
