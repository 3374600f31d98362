// cordon - the inner stage, run as pid 1 inside the sandbox:
//   cordon __inner STATUS_FD STDERR_FD SECCOMP_MODE LIMITS -- COMMAND...
// It restores the caller's stderr, refuses to go on while any capability remains,
// applies the resource limits, sets no_new_privs, installs the seccomp filter, reports "ready" to
// the launcher, then forks the command, forwards signals to it, reaps every child and exits with
// the command's status (128+N when it was killed by signal N).
#pragma once

namespace cordon::sandbox::linux {

// argv[1] is kInnerStageArg. Returns the exit code.
int run_inner_stage(int argc, char** argv);

}  // namespace cordon::sandbox::linux
