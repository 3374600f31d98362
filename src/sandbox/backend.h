// cordon - which Linux backend enforces a plan, and what it cannot enforce (pure).
//
// Automatic choice: bwrap when a usable one is on PATH, else native when user namespaces
// work, else Landlock when the kernel has it, else refuse. Overrides, strongest first:
// sandbox_linux.backend / --backend; use_legacy_landlock = true; and
// features.use_linux_sandbox_bwrap = false (native, else Landlock).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/types.h"
#include "sandbox/plan.h"
#include "util/result.h"

namespace cordon::sandbox {

enum class Backend { Bwrap, Native, Landlock };

const char* to_string(Backend b);

// What the host offers, as far as the caller found out (see linux/probe.h).
struct BackendFacts {
  std::optional<std::string> bwrap;  // a usable bwrap on PATH (outside the workspace)
  std::string bwrap_problem;         // why not, when bwrap is nullopt
  // User namespaces: nullopt = not probed yet (the native launcher finds out when it
  // clones); false = known not to work, with the reason.
  std::optional<bool> userns;
  std::string userns_problem;
  int landlock_abi = 0;  // 0: the kernel has no Landlock (or it is disabled)
};

struct BackendDecision {
  Backend backend = Backend::Bwrap;
  std::string why;  // "sandbox_linux.backend = \"native\" (--backend)", "bwrap found at ..."
  // Native chosen automatically: when the kernel refuses the user namespace, the launcher
  // may go on with Landlock (automatic choice only, never after an explicit one).
  bool landlock_if_no_userns = false;
};

// Devices the Landlock backend lets a command open for writing wherever it runs (its ruleset
// grants them; the denial classifier must agree).
inline constexpr const char* kLandlockWritableDevices[] = {"/dev/null", "/dev/zero", "/dev/full",
                                                           "/dev/tty",  "/dev/ptmx", "/dev/pts"};

// The backend for this plan, or an error naming what is missing and how to fix it.
Result<BackendDecision> choose_backend(const config::EffectiveConfig& cfg,
                                       const BackendFacts& facts);

// The parts of the plan `backend` cannot enforce, one phrase each (empty: all of it).
// For Landlock: protected paths inside writable roots; chmod/utime/setxattr of files the
// user owns outside the writable roots; truncate() below ABI 3; signals to outside
// processes below ABI 6.
std::vector<std::string> unenforced(const SandboxPlan& plan, Backend backend, int landlock_abi);

// Why `backend` cannot build the plan at all (nullopt: it can). Landlock can only grant
// access below a directory, never take it back: a deny-read path inside a readable or
// writable area (a mask in the plan) is beyond it, so such a plan is refused, not weakened.
std::optional<std::string> cannot_build(const SandboxPlan& plan, Backend backend);

// A limit the plan asks for explicitly that no backend can keep for this caller, with how to
// fix it; nullopt when every limit can be kept. The kernel exempts uid 0 from RLIMIT_NPROC
// (also as uid 0 mapped into a user namespace), so an explicit max_processes cannot be kept
// for root. Launching refuses such a plan.
std::optional<std::string> unkeepable_limit(const SandboxPlan& plan,
                                            const config::EffectiveConfig& cfg, bool as_root);

}  // namespace cordon::sandbox
