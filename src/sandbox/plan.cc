// cordon - building the SandboxPlan.
#include "sandbox/plan.h"

#include <cerrno>
#include <cstdlib>

#include <algorithm>

#include "util/paths.h"

namespace cordon::sandbox {

const char* to_string(NetworkMode m) {
  return m == NetworkMode::Off ? "off" : "full";
}
const char* to_string(SeccompMode m) {
  return m == SeccompMode::Baseline ? "baseline" : "network-off";
}

std::string seccomp_arg(SeccompMode mode, bool reads) {
  return std::string(to_string(mode)) + (reads ? ",reads" : "");
}

std::optional<SeccompMode> parse_seccomp_mode(std::string_view s) {
  for (SeccompMode m : {SeccompMode::Baseline, SeccompMode::NetworkOff}) {
    if (s == to_string(m)) return m;
  }
  return std::nullopt;
}

std::optional<std::pair<SeccompMode, bool>> parse_seccomp_arg(std::string_view s) {
  const std::string_view suffix = ",reads";
  const bool reads = s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
  if (reads) s.remove_suffix(suffix.size());
  auto mode = parse_seccomp_mode(s);
  if (!mode) return std::nullopt;
  return std::pair{*mode, reads};
}

std::vector<std::string> apply_env(std::vector<std::string> env,
                                   const std::vector<EnvEdit>& edits) {
  for (const auto& e : edits) {
    const std::string prefix = e.name + "=";
    std::erase_if(env,
                  [&](const std::string& kv) { return kv.compare(0, prefix.size(), prefix) == 0; });
    if (e.value) env.push_back(prefix + *e.value);
  }
  return env;
}

std::string encode_limits(const ResourceLimits& l) {
  return std::to_string(l.max_processes) + ":" + std::to_string(l.max_open_files) + ":" +
         std::to_string(l.max_memory) + ":" + std::to_string(l.max_cpu_seconds);
}

std::optional<ResourceLimits> decode_limits(const char* text) {
  unsigned long long v[4];
  const char* p = text;
  for (int i = 0; i < 4; ++i) {
    if (*p < '0' || *p > '9') return std::nullopt;
    char* end = nullptr;
    errno = 0;
    v[i] = std::strtoull(p, &end, 10);
    if (errno != 0) return std::nullopt;
    if (*end != (i == 3 ? '\0' : ':')) return std::nullopt;
    p = end + (i == 3 ? 0 : 1);
  }
  return ResourceLimits{v[0], v[1], v[2], v[3]};
}

Result<std::vector<MountOp>> mounts_for(const policy::FsPolicy& fs) {
  using policy::FsAccess;
  using policy::FsRule;
  std::vector<MountOp> out;
  // "/" read-only, made writable again by its own rule when it is a writable root.
  const FsAccess root = policy::resolve_access(fs.rules, "/");
  out.push_back({root == FsAccess::None ? MountOp::Kind::EmptyRoot : MountOp::Kind::RoBind, "/"});
  // Shallow paths first, so a deeper rule is never covered by a shallower one's mount; at
  // equal depth the read-write binds go last. Fresh /dev and /proc follow (a writable "/"
  // must not bring back the host's), and paths inside /dev or /proc (such as /dev/shm) go
  // on top of them.
  auto in_pseudo_fs = [](const std::string& p) {
    return paths::is_within(p, "/dev") || paths::is_within(p, "/proc");
  };
  for (bool pseudo : {false, true}) {
    std::vector<MountOp> ops;
    for (const FsRule& r : fs.rules) {
      if (in_pseudo_fs(r.path) != pseudo) continue;
      if (r.path == "/") {
        if (r.access == FsAccess::Write) ops.push_back({MountOp::Kind::Bind, "/"});
        continue;
      }
      // What the rule changes: the access its path has from the rules above it.
      const FsAccess above = policy::inherited_access(fs.rules, r.path);
      const bool file = r.type != FileType::Directory && r.type != FileType::Symlink;
      switch (r.access) {
        case FsAccess::Write:
          if (r.type != FileType::Missing) ops.push_back({MountOp::Kind::Bind, r.path, file});
          break;
        case FsAccess::Read:
          if (r.type == FileType::Missing) {
            // A protected path that does not exist must not be created where writes go.
            if (r.is_protected && above == FsAccess::Write) {
              ops.push_back({MountOp::Kind::StubMask, r.path});
            }
          } else if (above == FsAccess::Write || (above == FsAccess::None && !r.is_protected) ||
                     (above == FsAccess::Read && r.is_protected)) {
            // (A protected path is bound read-only even where it already is: a gitdir
            // outside the roots stays fixed for the run. Where nothing is visible, a
            // protected path is not made visible.)
            ops.push_back({MountOp::Kind::RoBind, r.path, file});
          }
          break;
        case FsAccess::None:
          if (above == FsAccess::None) break;  // nothing of it is visible anyway
          if (r.type == FileType::Missing) {
            if (above == FsAccess::Write) ops.push_back({MountOp::Kind::StubMask, r.path});
          } else {
            ops.push_back(
                {r.type == FileType::Directory ? MountOp::Kind::MaskDir : MountOp::Kind::MaskFile,
                 r.path});
          }
          break;
      }
    }
    std::stable_sort(ops.begin(), ops.end(), [](const MountOp& a, const MountOp& b) {
      const int da = paths::depth(a.path), db = paths::depth(b.path);
      if (da != db) return da < db;
      return a.kind != MountOp::Kind::Bind && b.kind == MountOp::Kind::Bind;
    });
    for (MountOp& op : ops) {
      if (std::find(out.begin(), out.end(), op) == out.end()) out.push_back(std::move(op));
    }
    if (!pseudo) {
      out.push_back({MountOp::Kind::Dev, "/dev"});
      out.push_back({MountOp::Kind::Proc, "/proc"});
    }
  }
  return out;
}

Result<SandboxPlan> make_plan(const config::EffectiveConfig& cfg, const policy::FsPolicy& fs,
                              const ExecRequest& req) {
  using config::SandboxMode;
  SandboxPlan plan;
  plan.mode = cfg.sandbox_mode.value;
  plan.argv = req.argv;
  plan.cwd = req.cwd;

  // A permission profile turns the network on with network.enabled, whatever it lets write.
  const bool network_on =
      plan.mode == SandboxMode::DangerFullAccess ||
      ((plan.mode == SandboxMode::WorkspaceWrite || cfg.permissions) && cfg.network_access.value);
  if (network_on && cfg.network_proxy.value && plan.mode != SandboxMode::DangerFullAccess) {
    return Error{"features.network_proxy is on (" + cfg.network_proxy.origin +
                 ") with network access on (" + cfg.network_access.origin +
                 "), but this version of cordon cannot filter network traffic by domain. "
                 "Refusing to run with unfiltered network. Turn network_access off, or turn "
                 "network_proxy off to allow all network traffic."};
  }
  plan.network = network_on ? NetworkMode::Full : NetworkMode::Off;

  if (plan.mode == SandboxMode::DangerFullAccess) {
    plan.unwrapped = true;
    plan.env = {{"CORDON_SANDBOX", std::nullopt},
                {"CORDON_SANDBOX_NETWORK_DISABLED", std::nullopt}};
    return plan;
  }

  plan.seccomp = network_on ? SeccompMode::Baseline : SeccompMode::NetworkOff;
  plan.limits = {cfg.max_processes.value, cfg.max_open_files.value, cfg.max_memory.value,
                 cfg.max_cpu_seconds.value};
  auto mounts = mounts_for(fs);
  if (!mounts) return mounts.error();
  plan.mounts = std::move(*mounts);
  for (const MountOp& op : plan.mounts) {
    if (op.kind == MountOp::Kind::StubMask) plan.stubs.push_back(op.path);
  }
  plan.writable_roots = fs.writable_roots;
  for (const MountOp& op : plan.mounts) {
    if (op.kind != MountOp::Kind::MaskDir && op.kind != MountOp::Kind::MaskFile &&
        op.kind != MountOp::Kind::StubMask) {
      continue;
    }
    for (const policy::FsRule& r : fs.rules) {
      if (r.path == op.path && r.access == policy::FsAccess::None) {
        plan.deny_read.emplace_back(r.path, r.rule);
      }
    }
  }
  plan.watch_reads = !plan.deny_read.empty();
  plan.env.push_back({"CORDON_SANDBOX", "linux"});
  plan.env.push_back({"CORDON_SANDBOX_NETWORK_DISABLED",
                      network_on ? std::nullopt : std::optional<std::string>("1")});
  return plan;
}

}  // namespace cordon::sandbox
