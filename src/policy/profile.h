// cordon - a permission profile made concrete for one command: special paths resolved, the
// project roots joined in, deny-read globs expanded, symlinks resolved. Pure, over the
// FileSystem seam.
#pragma once

#include "config/types.h"
#include "policy/fs_policy.h"
#include "util/filesystem.h"
#include "util/result.h"

namespace cordon::policy {

// The platform paths ":minimal" stands for (those that exist are used).
inline constexpr const char* kMinimalPaths[] = {"/bin",   "/sbin",  "/usr",    "/lib",
                                                "/lib32", "/lib64", "/libx32", "/etc"};

// At most this many paths are masked for deny-read entries (globs included); more fails
// closed with a message.
inline constexpr size_t kMaxDeniedPaths = 8192;

// The policy of cfg.permissions. Errors: a glob without a fixed directory or matching too
// much, a path that crosses a symlink inside a writable area (the command could re-point it
// between this check and the mounts).
Result<FsPolicy> compile_profile(const config::EffectiveConfig& cfg, const char* tmpdir_env,
                                 const FileSystem& fs);

// The filesystem policy of the effective config: its permission profile, or the legacy
// sandbox mode's writable roots (policy::writable_roots).
Result<FsPolicy> filesystem_policy(const config::EffectiveConfig& cfg, const char* tmpdir_env,
                                   const FileSystem& fs);

}  // namespace cordon::policy
