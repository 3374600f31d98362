// cordon - SandboxPlan: pure data describing the boundary for one command.
// Built from the effective config and the resolved writable roots; turned into
// a backend's invocation (bwrap arguments today) by the launcher.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/types.h"
#include "policy/fs_policy.h"
#include "util/result.h"

namespace cordon::sandbox {

enum class NetworkMode { Off, Full };
enum class SeccompMode {
  Baseline,    // ptrace, process_vm_*, io_uring_*, terminal injection: EPERM
  NetworkOff,  // Baseline + every socket family but AF_UNIX, connect/bind/listen/accept*
};

const char* to_string(NetworkMode m);
const char* to_string(SeccompMode m);

// The mode named by to_string(SeccompMode).
std::optional<SeccompMode> parse_seccomp_mode(std::string_view s);

// The inner stage's seccomp argument: to_string(mode), with ",reads" when the observer
// watches every open; and back.
std::string seccomp_arg(SeccompMode mode, bool reads);
std::optional<std::pair<SeccompMode, bool>> parse_seccomp_arg(std::string_view s);

struct MountOp {
  enum class Kind {
    RoBind,     // read-only bind of a host path onto itself
    Bind,       // read-write bind of a host path onto itself
    Dev,        // fresh minimal /dev
    Proc,       // fresh /proc for the new pid namespace
    StubMask,   // read-only bind of an empty directory cordon creates for a missing
                // protected or deny-read path (removed again after the run)
    EmptyRoot,  // (first op only, path "/") restricted reads: a fresh empty root, made
                // read-only once every later op has its mount point in it
    MaskDir,    // a deny-read directory: an empty directory (mode 0555, lists empty), made
                // read-only once the ops nested in it have their mount points in it
    MaskFile,   // a deny-read file (or other non-directory): an empty file, mode 0000,
                // read-only
  };
  Kind kind;
  std::string path;
  // Bind/RoBind: the source is not a directory, so a mount point that has to be made (in an
  // EmptyRoot or a MaskDir) is an empty file.
  bool file = false;

  bool operator==(const MountOp&) const = default;
};

struct EnvEdit {
  std::string name;
  std::optional<std::string> value;  // nullopt: unset

  bool operator==(const EnvEdit&) const = default;
};

// Resource limits for the command and everything it starts; 0 = no limit. Applied as caps:
// a limit never raises what the caller already had.
struct ResourceLimits {
  unsigned long long max_processes = 0;    // RLIMIT_NPROC
  unsigned long long max_open_files = 0;   // RLIMIT_NOFILE
  unsigned long long max_memory = 0;       // RLIMIT_DATA, bytes
  unsigned long long max_cpu_seconds = 0;  // RLIMIT_CPU (SIGXCPU, then SIGKILL a second later)

  bool operator==(const ResourceLimits&) const = default;
};

struct SandboxPlan {
  bool unwrapped = false;  // danger-full-access: the command runs without any sandbox
  config::SandboxMode mode = config::SandboxMode::ReadOnly;
  std::vector<MountOp> mounts;     // applied in order
  std::vector<std::string> stubs;  // paths of the StubMask mounts
  std::vector<policy::WritableRoot> writable_roots;
  // Deny-read paths the mounts hide (Mask*, and StubMask for a missing one), each with the
  // entry that denies it ("**/*.env", "/home/me/.ssh").
  std::vector<std::pair<std::string, std::string>> deny_read;
  // The denial observer (when on) watches every open, not only writes: deny_read is not
  // empty, so reading can be refused too.
  bool watch_reads = false;
  NetworkMode network = NetworkMode::Off;
  SeccompMode seccomp = SeccompMode::NetworkOff;
  std::vector<EnvEdit> env;
  ResourceLimits limits;
  std::string cwd;
  std::vector<std::string> argv;
};

struct ExecRequest {
  std::vector<std::string> argv;
  std::string cwd;  // absolute; the command's working directory
};

// "max_processes:max_open_files:max_memory:max_cpu_seconds", for the inner stage's argv.
std::string encode_limits(const ResourceLimits& limits);
std::optional<ResourceLimits> decode_limits(const char* text);

// The caller's environment (KEY=VALUE) with the plan's edits applied.
std::vector<std::string> apply_env(std::vector<std::string> env, const std::vector<EnvEdit>& edits);

// The plan, or an error when the requested boundary cannot be expressed
// (for example a domain-filtered network, which this version cannot enforce).
Result<SandboxPlan> make_plan(const config::EffectiveConfig& cfg, const policy::FsPolicy& fs,
                              const ExecRequest& req);

// The mounts that give the command the filesystem `fs` describes: "/" read-only (or an empty
// root when ":root" is not readable), then each rule that changes what its parent area
// allows, shallow first: read-write binds, read-only binds, masks for deny-read paths, stubs
// for missing protected or denied paths; then fresh /dev and /proc.
Result<std::vector<MountOp>> mounts_for(const policy::FsPolicy& fs);

}  // namespace cordon::sandbox
