// cordon - the filesystem policy of one command: concrete paths with an access level each
// (read, write, none), resolved the way permission profiles define it. Both ways of choosing
// a sandbox end here: the legacy sandbox modes (read-only, workspace-write) and the
// [permissions.<name>] profiles (policy/profile.h). Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/types.h"
#include "policy/writable_roots.h"
#include "util/filesystem.h"

namespace cordon::policy {

using config::FsAccess;

struct FsRule {
  std::string path;  // absolute; symlinks resolved (except the :minimal links such as /bin)
  FsAccess access = FsAccess::Read;
  FileType type = FileType::Directory;  // what the path was when the policy was made
  bool is_protected = false;  // a protected path of a writable root (.git ...): masked if missing
  std::string rule;           // what asked for it: ":root", "**/*.env", "/opt/data", ".git" ...
  std::string origin;         // where: "config.toml:4:1", "--add-dir", "workspace" ...

  bool operator==(const FsRule&) const = default;
};

// What one deny-read glob matched when the command started.
struct GlobExpansion {
  std::string pattern;  // absolute
  std::string origin;
  std::vector<std::string> matches;
};

struct FsPolicy {
  std::vector<FsRule> rules;                 // at most one per path
  std::vector<WritableRoot> writable_roots;  // every existing directory with write access
  std::vector<GlobExpansion> globs;
  std::vector<std::string> warnings;
  std::string profile;  // the permission profile's name; empty for a legacy sandbox mode

  // Paths the command may not read although they lie where it may (deny-read entries that
  // mask something). Such a policy is never escalated to run outside the sandbox.
  bool has_deny_read() const;
  // ":root" is not readable: the command sees only what the rules grant.
  bool restricted_reads() const;
};

// The access `path` gets: from the rule with the most path components among those at or
// above it; on a tie none > write > read; no rule: none. `winner` (optional) gets that rule.
FsAccess resolve_access(const std::vector<FsRule>& rules, std::string_view path,
                        const FsRule** winner = nullptr);

// The access `path` would have without a rule of its own: from the rules strictly above it.
FsAccess inherited_access(const std::vector<FsRule>& rules, std::string_view path);

// Which of two accesses wins a tie of depth: none > write > read.
bool wins_tie(FsAccess a, FsAccess b);

// The policy of a legacy sandbox mode: "/" readable, the writable roots writable and their
// protected paths read-only.
FsPolicy legacy_fs_policy(WritableRootsResult roots);

}  // namespace cordon::policy
