// cordon - backend choice.
#include "sandbox/backend.h"

#include "util/text.h"

namespace cordon::sandbox {
namespace {

using config::BackendChoice;

const char* kInstallBwrap =
    "install bubblewrap (Debian/Ubuntu: sudo apt-get install bubblewrap; Fedora: sudo dnf "
    "install bubblewrap)";
const char* kUsernsAdvice =
    "on Ubuntu 24.04 and other systems that restrict unprivileged user namespaces with "
    "AppArmor, allow them for the sandbox (sudo sysctl -w "
    "kernel.apparmor_restrict_unprivileged_userns=0, or load an AppArmor profile that grants "
    "userns); elsewhere check user.max_user_namespaces and kernel.unprivileged_userns_clone; "
    "in a container, the container must allow namespaces";

// A sentence without its final period, to continue it.
std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '.' || s.back() == ' ' || s.back() == '\n')) s.pop_back();
  return s;
}

std::string abi_text(int abi) {
  return abi > 0 ? "Landlock ABI " + std::to_string(abi) : "no Landlock";
}

Result<BackendDecision> explicit_choice(Backend want, const std::string& why,
                                        const BackendFacts& f) {
  switch (want) {
    case Backend::Bwrap:
      if (!f.bwrap) {
        return Error{"the bwrap backend was asked for (" + why +
                     ") but no usable bubblewrap was found: " + trimmed(f.bwrap_problem) +
                     (f.bwrap_problem.find("install") == std::string::npos
                          ? std::string("; ") + kInstallBwrap
                          : std::string()) +
                     "; or use --backend native"};
      }
      return BackendDecision{Backend::Bwrap, why + "; bwrap at " + *f.bwrap, false};
    case Backend::Native:
      if (f.userns.has_value() && !*f.userns) {
        return Error{"the native backend was asked for (" + why +
                     ") but user namespaces do not work here: " + f.userns_problem + "; " +
                     kUsernsAdvice + "; or use --backend landlock"};
      }
      return BackendDecision{Backend::Native, why, false};
    case Backend::Landlock:
      if (f.landlock_abi <= 0) {
        return Error{"the Landlock backend was asked for (" + why +
                     ") but this kernel has no Landlock (Linux 5.13 or newer with "
                     "CONFIG_SECURITY_LANDLOCK and 'landlock' in the lsm= boot list)"};
      }
      return BackendDecision{Backend::Landlock, why + "; " + abi_text(f.landlock_abi), false};
  }
  return Error{"unknown backend"};
}

}  // namespace

const char* to_string(Backend b) {
  switch (b) {
    case Backend::Bwrap:
      return "bwrap";
    case Backend::Native:
      return "native";
    case Backend::Landlock:
      return "landlock";
  }
  return "?";
}

Result<BackendDecision> choose_backend(const config::EffectiveConfig& cfg, const BackendFacts& f) {
  switch (cfg.backend.value) {
    case BackendChoice::Bwrap:
      return explicit_choice(Backend::Bwrap,
                             "sandbox_linux.backend = bwrap from " + cfg.backend.origin, f);
    case BackendChoice::Native:
      return explicit_choice(Backend::Native,
                             "sandbox_linux.backend = native from " + cfg.backend.origin, f);
    case BackendChoice::Landlock:
      return explicit_choice(Backend::Landlock,
                             "sandbox_linux.backend = landlock from " + cfg.backend.origin, f);
    case BackendChoice::Auto:
      break;
  }
  if (cfg.use_legacy_landlock.value) {
    return explicit_choice(Backend::Landlock,
                           "use_legacy_landlock = true from " + cfg.use_legacy_landlock.origin, f);
  }
  std::string no_bwrap;
  if (!cfg.use_linux_sandbox_bwrap.value) {
    no_bwrap =
        "features.use_linux_sandbox_bwrap = false from " + cfg.use_linux_sandbox_bwrap.origin;
  } else if (f.bwrap) {
    return BackendDecision{Backend::Bwrap, "automatic: bwrap found at " + *f.bwrap, false};
  } else {
    no_bwrap = "no usable bwrap: " + trimmed(f.bwrap_problem);
  }
  if (!f.userns.has_value() || *f.userns) {
    return BackendDecision{Backend::Native, "automatic: " + no_bwrap + "; user namespaces work",
                           f.landlock_abi > 0};
  }
  if (f.landlock_abi > 0) {
    return BackendDecision{Backend::Landlock,
                           "automatic: " + no_bwrap + "; user namespaces do not work (" +
                               f.userns_problem + "); " + abi_text(f.landlock_abi),
                           false};
  }
  return Error{"no sandbox backend works on this machine: " + no_bwrap +
               "; user namespaces do not work (" + f.userns_problem +
               "); the kernel has no Landlock. To fix: " + kInstallBwrap + "; " + kUsernsAdvice +
               ". Or, where something else already isolates the command (a container or VM), "
               "run it with --sandbox danger-full-access."};
}

std::optional<std::string> unkeepable_limit(const SandboxPlan& plan,
                                            const config::EffectiveConfig& cfg, bool as_root) {
  const bool explicit_limit =
      cfg.max_processes.origin != config::Setting<unsigned long long>{}.origin;
  if (plan.unwrapped || !as_root || plan.limits.max_processes == 0 || !explicit_limit) {
    return std::nullopt;
  }
  return "resource limits: sandbox_linux.max_processes = " +
         std::to_string(plan.limits.max_processes) + " (" + cfg.max_processes.origin +
         ") cannot be enforced when cordon runs as root: the kernel exempts uid 0 from the "
         "process limit. Run cordon as an unprivileged user, or remove the setting";
}

std::optional<std::string> cannot_build(const SandboxPlan& plan, Backend backend) {
  if (backend != Backend::Landlock || plan.unwrapped) return std::nullopt;
  std::vector<std::string> masked;
  for (const MountOp& m : plan.mounts) {
    bool deny = m.kind == MountOp::Kind::MaskDir || m.kind == MountOp::Kind::MaskFile;
    if (m.kind == MountOp::Kind::StubMask) {
      // A stub for a missing protected path is one of Landlock's stated gaps; a stub for a
      // missing deny-read path is a denial it cannot keep.
      deny = true;
      for (const auto& root : plan.writable_roots) {
        for (const auto& p : root.protected_paths) deny = deny && p.path != m.path;
      }
    }
    if (deny) masked.push_back(m.path);
  }
  if (masked.empty()) return std::nullopt;
  const size_t shown = std::min<size_t>(masked.size(), 5);
  std::vector<std::string> head(masked.begin(), masked.begin() + static_cast<long>(shown));
  return "the landlock backend cannot deny reading " + join(head, ", ") +
         (masked.size() > shown ? " and " + std::to_string(masked.size() - shown) + " more"
                                : std::string()) +
         ": these paths lie inside directories the profile lets the command read or write, and "
         "Landlock can grant access to a directory but not take it back below it. Use "
         "--backend bwrap or --backend native (they need user namespaces), or remove those "
         "deny-read entries";
}

std::vector<std::string> unenforced(const SandboxPlan& plan, Backend backend, int landlock_abi) {
  std::vector<std::string> out;
  if (backend != Backend::Landlock || plan.unwrapped) return out;
  std::string names;
  for (const auto& root : plan.writable_roots) {
    for (const auto& p : root.protected_paths) {
      if (!names.empty()) names += ", ";
      names += p.path;
    }
  }
  if (!names.empty()) {
    out.push_back("protected paths inside writable roots stay writable (" + names +
                  "): Landlock can grant access to a directory but not take it back below it");
  }
  // Landlock has no access right for chmod, utime or setxattr: a file the command's user
  // owns stays changeable in those ways wherever it is.
  out.push_back(
      "permissions, timestamps and extended attributes of files outside the "
      "writable roots that the command's user owns (Landlock has no right for chmod, "
      "utime or setxattr)");
  if (landlock_abi < 3) {
    out.push_back(
        "truncate() of files outside the writable roots (needs Landlock ABI 3, "
        "the kernel has " +
        std::to_string(landlock_abi) + ")");
  }
  if (landlock_abi < 6) {
    out.push_back(
        "signals to processes outside the sandbox (needs Landlock ABI 6, the kernel "
        "has " +
        std::to_string(landlock_abi) + ")");
  }
  return out;
}

}  // namespace cordon::sandbox
