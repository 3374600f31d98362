// cordon - permission profiles: [permissions.<name>] tables, validated per layer and merged,
// then the one default_permissions selects, with its `extends` chain flattened.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "config/types.h"
#include "util/result.h"

namespace cordon::config {

// The built-in profiles: ":read-only", ":workspace", ":danger-full-access".
std::optional<SandboxMode> builtin_profile_mode(const std::string& name);

// One [permissions.<name>] table, merged over every layer that defines it (a higher layer's
// value replaces a lower one's, key by key).
struct ProfileDef {
  std::string name;
  std::string origin;  // the first table that defines it
  std::optional<Setting<std::string>> extends;
  std::vector<FsEntry> filesystem;
  std::optional<Setting<int>> glob_scan_max_depth;
  std::vector<Setting<std::string>> project_roots;
  std::optional<Setting<bool>> network_enabled;
  std::optional<std::string> domains_origin;  // where network.domains was set (non-empty)
};

using ProfileDefs = std::map<std::string, ProfileDef>;

// How a layer names the position of a node ("file:line:column", "-c 'k=v'").
using NodeWhere = std::function<std::string(const toml::node&)>;

struct PermissionsReader {
  NodeWhere where;
  bool strict = false;                 // unknown keys are errors, not warnings
  std::vector<std::string>* warnings;  // where unknown keys are reported otherwise
};

// Validates a layer's `permissions` value and merges its profiles into `defs`.
Status read_permissions(const PermissionsReader& r, const toml::node& permissions,
                        ProfileDefs& defs);

// The profile `name` (selected at `origin`) with its `extends` chain flattened; an error for
// an unknown name, an unknown parent, a cycle or ":danger-full-access" as a parent.
Result<PermissionProfile> resolve_profile(const std::string& name, const std::string& origin,
                                          const ProfileDefs& defs);

}  // namespace cordon::config
