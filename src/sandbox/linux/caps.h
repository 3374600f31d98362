// cordon - Linux capabilities of the calling process. Async-signal-safe.
#pragma once

namespace cordon::sandbox::linux {

// True when any effective, permitted or inheritable capability remains (or when it cannot
// be told).
bool any_capability();

// Drops every capability for good: the bounding set (0..cap_last_cap), the ambient set,
// then effective, permitted and inheritable. Returns 0 or the errno of the failed step.
int drop_all_capabilities(int cap_last_cap);

// /proc/sys/kernel/cap_last_cap, or a safe upper bound when it cannot be read.
int read_cap_last_cap();

}  // namespace cordon::sandbox::linux
