// cordon - writable roots and the protected paths inside them (pure, over the
// FileSystem seam).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/types.h"
#include "util/filesystem.h"
#include "util/result.h"

namespace cordon::policy {

// A path under a writable root that stays read-only.
struct ProtectedPath {
  enum class Kind {
    Existing,  // exists (directory or file): re-bound read-only
    Missing,   // does not exist: masked by an empty read-only directory so it cannot be created
  };
  std::string path;
  Kind kind = Kind::Existing;
  std::string why;  // ".git", ".codex", "gitdir of /repo/.git" ...

  bool operator==(const ProtectedPath&) const = default;
};

struct WritableRoot {
  std::string path;       // canonical: every symlink resolved
  std::string requested;  // as configured
  std::string source;     // "workspace", "--add-dir", "writable_roots", "/tmp", "$TMPDIR"
  std::vector<ProtectedPath> protected_paths;
};

struct WritableRootsResult {
  std::vector<WritableRoot> roots;  // deduplicated, in mount order (shallow first)
  std::vector<std::string> warnings;
};

// The names protected under every writable root.
inline constexpr const char* kProtectedNames[] = {".git", ".agents", ".codex"};

// Writable roots for workspace-write: the workspace, --add-dir, writable_roots, /tmp
// (unless exclude_slash_tmp) and $TMPDIR (when set and absolute, unless
// exclude_tmpdir_env_var). Missing roots are skipped with a warning. Fails when a
// protected name is a symlink the command could replace.
Result<WritableRootsResult> writable_roots(const config::EffectiveConfig& cfg,
                                           const char* tmpdir_env, const FileSystem& fs);

// The shortest prefix of `path` that does not exist; nullopt when an existing prefix is
// not a plain directory (a symlink could be re-pointed: nothing sound to mask).
std::optional<std::string> first_missing_component(const std::string& path, const FileSystem& fs);

// Protected paths of one root (exposed for tests).
Result<std::vector<ProtectedPath>> protected_paths(const std::string& root, const FileSystem& fs);

}  // namespace cordon::policy
