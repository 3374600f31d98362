// cordon - pid 1 of the sandbox: start the command and stay as its init.
//
// Starts the command in its own process group with the signal mask restored and executes it
// (PATH lookup from its environment, as execvp but without allocating). The start is a
// vfork-style hand-over on `stack` (the new process borrows this one's memory until its
// execve, so no page tables are copied). Then it forwards
// SIGINT, SIGTERM, SIGHUP and SIGQUIT to it, reaps every process that ends up here and
// returns the command's status (128+N when killed by signal N). When the command cannot be
// executed it prints why and returns 127 (not found) or 126. Allocates nothing: the
// native backend runs it in the process it cloned.
#pragma once

#include <signal.h>

#include <span>

namespace cordon::sandbox::linux {

// Executes the command in this process (PATH lookup from envp); when that fails, says why
// on stderr and exits 127 (not found) or 126.
[[noreturn]] void exec_command(char* const argv[], char* const envp[]);

// `forwarded` must be blocked in the caller already (it holds SIGCHLD too).
int run_as_init(char* const argv[], char* const envp[], const sigset_t& forwarded,
                const sigset_t& old_mask, std::span<char> stack);

}  // namespace cordon::sandbox::linux
