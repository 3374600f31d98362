// cordon - the seccomp filter rules, compiled with libseccomp. Used at build time by
// tools/seccomp_gen.cc (cordon embeds the result, see seccomp_programs.h) and by the test
// that checks the embedded programs are current.
#pragma once

#include <linux/filter.h>

#include <vector>

#include "sandbox/plan.h"
#include "util/result.h"

namespace cordon::sandbox::linux {

// The filter for `mode` as BPF. Native architecture only: a call made through a foreign ABI
// (i386 int 0x80, x32) kills the process. Refused calls return EPERM. `observed`: the calls
// the denial observer watches return SECCOMP_RET_USER_NOTIF instead (see observer.h);
// `reads` (observed only): every open is watched, not only those with write intent.
Result<std::vector<sock_filter>> compile_seccomp(SeccompMode mode, bool observed,
                                                 bool reads = false);

}  // namespace cordon::sandbox::linux
