// cordon - the seccomp filters as finished BPF programs, compiled by libseccomp when cordon
// was built (tools/seccomp_gen.cc, from the rules in seccomp_filter.cc). Loading one costs a
// single system call and no allocation, so every backend loads them the same way, also in a
// process that must not allocate.
#pragma once

#include <linux/filter.h>

#include <optional>
#include <span>
#include <string_view>

#include "sandbox/plan.h"

namespace cordon::sandbox::linux {

std::span<const sock_filter> seccomp_program(SeccompMode mode);

// The mode named by to_string(SeccompMode), for the inner stage's argv.
std::optional<SeccompMode> parse_seccomp_mode(std::string_view s);

// Loads the program for `mode` into the calling thread; requires no_new_privs.
// Async-signal-safe. Returns 0 or errno.
int load_seccomp(SeccompMode mode);

}  // namespace cordon::sandbox::linux
