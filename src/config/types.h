// cordon - the effective configuration: typed values, each with the layer that set it.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace cordon::config {

enum class SandboxMode { ReadOnly, WorkspaceWrite, DangerFullAccess };

const char* to_string(SandboxMode m);

// sandbox_linux.backend / --backend. Auto: bwrap when a usable one is on PATH, else native
// when user namespaces work, else Landlock.
enum class BackendChoice { Auto, Bwrap, Native, Landlock };

const char* to_string(BackendChoice b);

// A resource limit: 0 means unlimited.
inline constexpr unsigned long long kUnlimited = 0;

// approval_policy: a plain name or one of the table forms. Approvals themselves come
// later; the skeleton parses and validates the value.
struct ApprovalPolicy {
  enum class Kind { Untrusted, OnRequest, Never, Granular, Reject };
  Kind kind = Kind::OnRequest;
  // Granular/Reject categories; true = may prompt (granular) or auto-reject (reject).
  bool sandbox_approval = false;
  bool rules = false;
  bool mcp_elicitations = false;
  bool request_permissions = false;
  bool skill_approval = false;

  bool operator==(const ApprovalPolicy&) const = default;
};

std::string to_string(const ApprovalPolicy& p);

// A value and the layer it came from ("built-in default", "/etc/cordon/config.toml:3:1",
// "-c sandbox_mode=read-only", "--sandbox" ...).
template <typename T>
struct Setting {
  T value{};
  std::string origin = "built-in default";
};

// A permission profile's filesystem access level ("deny" is read as None).
enum class FsAccess { Read, Write, None };

const char* to_string(FsAccess a);

// One entry of [permissions.<name>.filesystem], as configured.
struct FsEntry {
  enum class Base {
    Path,          // `path` is absolute (and may hold glob characters, for None only)
    Root,          // ":root"
    Minimal,       // ":minimal"
    ProjectRoots,  // ":project_roots" / ":workspace_roots"; `path` is relative ("." = the root)
    Tmpdir,        // ":tmpdir"
    SlashTmp,      // ":slash_tmp"
  };
  Base base = Base::Path;
  std::string path;
  FsAccess access = FsAccess::Read;
  std::string key;     // as written, for messages: "/opt/data", ":root", ":project_roots/**/*.env"
  std::string origin;  // where it was set

  bool same_target(const FsEntry& o) const { return base == o.base && path == o.path; }
};

// The selected permission profile with its `extends` chain flattened: the parents' entries
// first, an entry of a child replacing the parent's entry for the same path.
struct PermissionProfile {
  std::string name;
  std::string origin;               // where default_permissions selected it
  std::vector<std::string> chain;   // the profile, then each profile it extends
  std::vector<FsEntry> filesystem;  // in precedence-free order (resolution is by path)
  std::optional<Setting<int>> glob_scan_max_depth;
  std::vector<Setting<std::string>> project_roots;  // [permissions.<name>.workspace_roots]
  std::optional<Setting<bool>> network_enabled;
  std::optional<std::string> domains_origin;  // where network.domains was set, if anywhere
};

struct EffectiveConfig {
  Setting<SandboxMode> sandbox_mode{SandboxMode::ReadOnly};
  Setting<ApprovalPolicy> approval_policy{};
  // [sandbox_workspace_write]
  Setting<std::vector<std::string>> writable_roots{};
  Setting<bool> network_access{false};
  Setting<bool> exclude_tmpdir_env_var{false};
  Setting<bool> exclude_slash_tmp{false};
  // features.network_proxy was switched on (not enforced by this version).
  Setting<bool> network_proxy{false};

  // Backend selection: sandbox_linux.backend (and --backend) first; otherwise Codex's
  // use_legacy_landlock (top level or under [features]) and
  // features.use_linux_sandbox_bwrap.
  Setting<BackendChoice> backend{BackendChoice::Auto};
  Setting<bool> use_legacy_landlock{false};
  Setting<bool> use_linux_sandbox_bwrap{true};
  // [sandbox_linux]: refuse to run when the backend cannot enforce all of the boundary
  // (the Landlock backend cannot protect .git/.codex/.agents inside writable roots).
  Setting<bool> require_full_enforcement{false};
  // [sandbox_linux]: watch the command's refused calls and report them (issue 7's observer).
  Setting<bool> report_denials{true};
  // [sandbox_linux] resource limits for the command and everything it starts.
  Setting<unsigned long long> max_processes{8192};
  Setting<unsigned long long> max_memory{kUnlimited};  // bytes
  Setting<unsigned long long> max_cpu_seconds{kUnlimited};
  Setting<unsigned long long> max_open_files{65536};

  // default_permissions named a profile of [permissions.<name>] (a built-in name selects the
  // matching sandbox_mode instead, and this stays empty).
  std::optional<PermissionProfile> permissions;

  std::optional<Setting<std::string>> profile;  // the selected [profiles.<name>]
  std::vector<std::string> add_dirs;            // --add-dir, absolute
  std::string workspace;                        // -C or the current directory, absolute

  std::vector<std::string> warnings;  // printed once, never fatal
};

}  // namespace cordon::config
