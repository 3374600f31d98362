// cordon - what this host offers the sandbox: bubblewrap, user namespaces, Landlock,
// seccomp. Used by `cordon doctor`, `cordon status` and the backend choice.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sandbox/backend.h"
#include "util/filesystem.h"

namespace cordon::sandbox::linux {

struct ProbeResult {
  // bubblewrap: the candidate find_bwrap() picks, its version and whether it runs.
  std::optional<std::string> bwrap_path;
  std::string bwrap_version;  // "0.8.0", empty when unknown
  bool bwrap_works = false;   // a trivial sandbox ran (full probe only)
  std::string bwrap_problem;  // why bwrap cannot be used, with the fix

  // User namespaces: tried for real in a child process (full probe only).
  std::optional<bool> userns;
  std::string userns_problem;              // e.g. the AppArmor restriction, with the seeds' remedy
  bool apparmor_restricts_userns = false;  // kernel.apparmor_restrict_unprivileged_userns = 1

  int landlock_abi = 0;  // 0: no Landlock
  std::string landlock_problem;
  bool seccomp = false;  // seccomp filters available (and seccomp user notification)
  std::string seccomp_problem;
  bool wsl1 = false;  // Windows Subsystem for Linux 1: no namespaces, no seccomp
  int cap_last_cap = 0;

  BackendFacts facts() const;  // what choose_backend() needs
};

struct ProbeOptions {
  const char* path_env = nullptr;          // $PATH
  std::vector<std::string> exclude_roots;  // workspace and writable roots (bwrap must not be there)
  bool full = false;  // also spawn processes: bwrap --version, a trial sandbox, a trial userns
};

ProbeResult probe_host(const ProbeOptions& opts, const FileSystem& fs);

// The kernel's Landlock ABI version (landlock_create_ruleset with
// LANDLOCK_CREATE_RULESET_VERSION), 0 when Landlock is missing or disabled.
int landlock_abi_version();

}  // namespace cordon::sandbox::linux
