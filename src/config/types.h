// cordon - the effective configuration: typed values, each with the layer that set it.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace cordon::config {

enum class SandboxMode { ReadOnly, WorkspaceWrite, DangerFullAccess };

const char* to_string(SandboxMode m);

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

  std::optional<Setting<std::string>> profile;  // the selected [profiles.<name>]
  std::vector<std::string> add_dirs;            // --add-dir, absolute
  std::string workspace;                        // -C or the current directory, absolute

  std::vector<std::string> warnings;  // printed once, never fatal
};

}  // namespace cordon::config
