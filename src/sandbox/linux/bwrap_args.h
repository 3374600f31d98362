// cordon - SandboxPlan -> bubblewrap argument list (pure).
#pragma once

#include <string>
#include <vector>

#include "sandbox/plan.h"

namespace cordon::sandbox::linux {

// File descriptors the launcher hands through bwrap, at fixed numbers in bwrap's process.
inline constexpr int kStderrFd = 3;    // the caller's stderr, restored as fd 2 by the inner stage
inline constexpr int kStatusFd = 4;    // inner stage -> launcher: "ready" or an error text
inline constexpr int kInfoFd = 5;      // bwrap --info-fd: the sandbox's pid on the host
inline constexpr int kObserverFd = 6;  // the denial observer's channel (when observed)
inline constexpr int kFirstFreeFd = 7;
// Each MaskFile op reads its (empty) content from its own fd, from kFirstFreeFd up, in the
// order of the ops; bwrap closes each once used.
int mask_file_count(const SandboxPlan& plan);

struct BwrapInvocation {
  std::string bwrap;       // absolute path of the bwrap executable
  std::string cordon_exe;  // absolute path of cordon, re-executed as the inner stage
  bool observe =
      false;  // the inner stage loads the observed filter, sends kObserverFd the listener
};

// The full argv for execve: bwrap, its options, then the inner stage and the command.
std::vector<std::string> bwrap_argv(const SandboxPlan& plan, const BwrapInvocation& inv);

// The inner stage's argv marker.
inline constexpr const char* kInnerStageArg = "__inner";

}  // namespace cordon::sandbox::linux
