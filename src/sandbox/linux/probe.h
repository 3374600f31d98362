// cordon - what this host offers the sandbox: bubblewrap, user namespaces, Landlock,
// seccomp. Used by `cordon doctor`, `cordon status` and the backend choice.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sandbox/backend.h"
#include "util/filesystem.h"

namespace cordon::sandbox::linux {

// The host settings that decide whether unprivileged user namespaces work (nullopt: the
// file is absent, so the setting does not exist on this kernel).
struct UsernsSysctls {
  std::optional<long long> max_user_namespaces;        // user.max_user_namespaces
  std::optional<long long> unprivileged_userns_clone;  // kernel.unprivileged_userns_clone
  std::optional<long long> apparmor_restrict;  // kernel.apparmor_restrict_unprivileged_userns
};

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

  UsernsSysctls sysctls;  // read in every probe

  int landlock_abi = 0;  // 0: no Landlock
  std::string landlock_problem;
  bool seccomp = false;  // seccomp filters available (and seccomp user notification)
  std::string seccomp_problem;
  bool seccomp_user_notif = false;  // SECCOMP_RET_USER_NOTIF is available
  bool seccomp_inherited = false;   // this process already runs under a filter (a container?)
  bool wsl1 = false;                // Windows Subsystem for Linux 1: no namespaces, no seccomp
  int cap_last_cap = 0;

  bool full = false;  // processes were spawned: bwrap_works and userns are verdicts

  BackendFacts facts() const;  // what choose_backend() needs
};

inline constexpr const char* kWsl1Problem =
    "Windows Subsystem for Linux 1 has neither namespaces nor seccomp; convert the "
    "distribution to WSL2 (wsl --set-version <distro> 2)";

struct ProbeOptions {
  const char* path_env = nullptr;          // $PATH
  std::vector<std::string> exclude_roots;  // workspace and writable roots (bwrap must not be there)
  bool full = false;  // also spawn processes: bwrap --version, a trial sandbox, a trial userns
};

ProbeResult probe_host(const ProbeOptions& opts, const FileSystem& fs);

// Pure helpers, exposed for tests.
UsernsSysctls read_userns_sysctls(const FileSystem& fs);
// Why a user namespace could not be set up (`failure`: the step that failed and the
// error), the host settings that explain it, and the fix. `privileged`: running with
// CAP_SYS_ADMIN (root), which the AppArmor restriction and unprivileged_userns_clone spare.
std::string explain_userns_failure(const std::string& failure, const UsernsSysctls& s,
                                   bool privileged);
bool is_wsl1(const std::string& proc_version);  // the contents of /proc/version
// "0.8.0" from `bwrap --version` ("bubblewrap 0.8.0"); empty when unrecognised.
std::string parse_bwrap_version(const std::string& output);

}  // namespace cordon::sandbox::linux
