// cordon fuzzing - the host the fuzz targets see, and invariant checks shared by them.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "config/load.h"
#include "config/types.h"
#include "fake_filesystem.h"
#include "util/paths.h"

namespace cordon::fuzzing {

using ::cordon::fakes::FakeFileSystem;

inline constexpr const char* kSystemConfig = "/etc/cordon/config.toml";
inline constexpr const char* kUserConfig = "/home/u/.cordon/config.toml";
inline constexpr const char* kCwd = "/home/u/proj";

// A small host: a git workspace, a worktree whose .git is a `gitdir:` pointer, a
// repository with a separate git dir, a workspace right below "/" whose git dir is in
// /tmp, symlinks (to a directory, to a file, a loop, a
// symlinked protected name), a regular file, and the usual temp directories.
inline FakeFileSystem make_host() {
  FakeFileSystem fs;
  fs.add_dir("/etc/cordon");
  fs.add_dir("/home/u/.cordon");
  fs.add_dir("/home/u/proj/.git/hooks");
  fs.add_file("/home/u/proj/.git/config", "[core]\n");
  fs.add_dir("/home/u/proj/src");
  fs.add_dir("/home/u/main/.git/worktrees/wt");
  fs.add_dir("/home/u/main/.codex");
  fs.add_file("/home/u/wt/.git", "gitdir: /home/u/main/.git/worktrees/wt\n");
  fs.add_file("/home/u/sep/.git", "gitdir: ../gitdirs/sep\n");
  fs.add_dir("/home/u/gitdirs/sep");
  fs.add_dir("/home/u/shared/.agents");
  fs.add_symlink("/home/u/link", "/home/u/proj");
  fs.add_symlink("/home/u/rel", "proj/src");
  fs.add_symlink("/home/u/loop", "/home/u/loop");
  fs.add_dir("/home/u/other");
  fs.add_dir("/home/u/badlink");
  fs.add_symlink("/home/u/badlink/.codex", "/home/u/other");
  fs.add_file("/home/u/notes.txt", "hello\n");
  fs.add_symlink("/home/u/filelink", "/home/u/notes.txt");
  fs.add_dir("/home/u/tmp");
  fs.add_dir("/tmp");
  fs.add_symlink("/var/tmp", "/tmp");
  fs.add_dir("/srv/data");
  // A workspace one level below "/" (a container's /workspace) whose .git points into /tmp.
  fs.add_file("/ws/.git", "gitdir: /tmp/ws.git\n");
  fs.add_dir("/tmp/ws.git/hooks");
  return fs;
}

[[noreturn]] inline void invariant_failed(const char* what, const std::string& detail) {
  std::fprintf(stderr, "\n=== cordon fuzz invariant violated: %s\n%s\n", what, detail.c_str());
  std::abort();
}

#define FUZZ_CHECK(cond, detail)                                     \
  do {                                                               \
    if (!(cond)) ::cordon::fuzzing::invariant_failed(#cond, detail); \
  } while (0)

inline bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// A message names its source first: "<source>:<line>:<col>: ...", "<source>: ...".
inline bool names_source(std::string_view msg, const std::vector<std::string>& sources) {
  for (const auto& src : sources) {
    if (starts_with(msg, src) && msg.size() > src.size() && msg[src.size()] == ':') return true;
  }
  return false;
}

// Everything a load decides, as one comparable string (origins excluded).
inline std::string summary(const config::EffectiveConfig& c) {
  std::string s = std::string(config::to_string(c.sandbox_mode.value)) + "|" +
                  config::to_string(c.approval_policy.value) + "|";
  for (const auto& r : c.writable_roots.value) s += r + ",";
  s += "|" + std::to_string(c.network_access.value) +
       std::to_string(c.exclude_tmpdir_env_var.value) + std::to_string(c.exclude_slash_tmp.value) +
       std::to_string(c.network_proxy.value) + "|";
  s += c.profile ? "profile=" + c.profile->value : std::string("no-profile");
  s += "|" + c.workspace + "|";
  for (const auto& d : c.add_dirs) s += d + ",";
  return s;
}

// Invariants of any successful load. `sources` name every layer that can produce a
// warning (config file paths, "-c '...'" overrides).
inline void check_loaded(const config::EffectiveConfig& c, const std::vector<std::string>& sources,
                         const std::string& cwd) {
  const std::string s = summary(c);
  const int mode = static_cast<int>(c.sandbox_mode.value);
  FUZZ_CHECK(mode >= 0 && mode <= 2, s);
  FUZZ_CHECK(!c.sandbox_mode.origin.empty(), s);
  FUZZ_CHECK(!c.approval_policy.origin.empty(), s);
  FUZZ_CHECK(!c.writable_roots.origin.empty(), s);
  for (const auto& r : c.writable_roots.value) {
    FUZZ_CHECK(paths::is_absolute(r), s);
    FUZZ_CHECK(paths::normalize(r) == r, s);
  }
  FUZZ_CHECK(paths::is_absolute(c.workspace), s);
  FUZZ_CHECK(c.workspace == paths::normalize(cwd), s);
  for (const auto& d : c.add_dirs) FUZZ_CHECK(paths::is_absolute(d), s);
  if (c.profile) FUZZ_CHECK(!c.profile->origin.empty(), s);
  for (const auto& w : c.warnings) FUZZ_CHECK(names_source(w, sources), w);
}

}  // namespace cordon::fuzzing
