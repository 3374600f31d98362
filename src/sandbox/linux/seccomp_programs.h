// cordon - the seccomp filters as finished BPF programs, compiled by libseccomp when cordon
// was built (tools/seccomp_gen.cc, from the rules in seccomp_filter.cc). Loading one costs a
// single system call and no allocation, so every backend loads them the same way, also in a
// process that must not allocate.
#pragma once

#include <linux/filter.h>

#include <span>

#include "sandbox/plan.h"

namespace cordon::sandbox::linux {

// `observed`: the variant whose watched calls go to the denial observer (observer.h);
// `reads`: of that, the variant that watches every open (for plans with deny-read paths).
std::span<const sock_filter> seccomp_program(SeccompMode mode, bool observed = false,
                                             bool reads = false);

// Loads the program for `mode` into the calling thread; requires no_new_privs.
// Async-signal-safe. Returns 0 or errno.
int load_seccomp(SeccompMode mode);

// Loads the observed program for `mode` and stores the new notification listener (close on
// exec) in *listener. Async-signal-safe. Returns 0 or errno; EINVAL or EBUSY when the
// kernel cannot hand out a listener (before Linux 5.5 it cannot let a call continue).
int load_seccomp_observed(SeccompMode mode, int* listener, bool reads = false);

// Sends `fd` over the Unix socket `sock` (one byte with SCM_RIGHTS). Async-signal-safe.
// Returns 0 or errno.
int send_fd(int sock, int fd);

// What every backend's sandbox side does: with observer_fd < 0, load_seccomp(mode). Else load
// the observed program, send its listener over observer_fd and close both; when the kernel
// cannot give a listener, load the plain program and close observer_fd without sending (the
// launcher then reports the observer unavailable). Async-signal-safe. Returns 0 or errno.
int load_filter(SeccompMode mode, int observer_fd, bool reads = false);

}  // namespace cordon::sandbox::linux
