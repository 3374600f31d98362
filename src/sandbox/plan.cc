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

Result<SandboxPlan> make_plan(const config::EffectiveConfig& cfg,
                              const policy::WritableRootsResult& roots, const ExecRequest& req) {
  using config::SandboxMode;
  SandboxPlan plan;
  plan.mode = cfg.sandbox_mode.value;
  plan.argv = req.argv;
  plan.cwd = req.cwd;

  const bool network_on = plan.mode == SandboxMode::DangerFullAccess ||
                          (plan.mode == SandboxMode::WorkspaceWrite && cfg.network_access.value);
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
  // The read-only root; then every writable root and every protected path, shallow
  // first, so a protected path is never uncovered by another root's later read-write bind
  // (a gitdir inside an --add-dir, say); at equal depth the read-write bind goes last, so a
  // writable root named explicitly wins over the same path's protection. Fresh /dev and /proc
  // follow (a writable "/" must not bring back the host's), and writable roots inside
  // /dev or /proc (such as /dev/shm) go on top of them.
  plan.mounts.push_back({MountOp::Kind::RoBind, "/"});
  plan.writable_roots = roots.roots;
  auto in_pseudo_fs = [](const std::string& p) {
    return paths::is_within(p, "/dev") || paths::is_within(p, "/proc");
  };
  for (bool pseudo : {false, true}) {
    std::vector<MountOp> ops;
    for (const auto& root : roots.roots) {
      if (in_pseudo_fs(root.path) != pseudo) continue;
      ops.push_back({MountOp::Kind::Bind, root.path});
      for (const auto& p : root.protected_paths) {
        const bool missing = p.kind == policy::ProtectedPath::Kind::Missing;
        ops.push_back({missing ? MountOp::Kind::StubMask : MountOp::Kind::RoBind, p.path});
      }
    }
    std::stable_sort(ops.begin(), ops.end(), [](const MountOp& a, const MountOp& b) {
      const int da = paths::depth(a.path), db = paths::depth(b.path);
      if (da != db) return da < db;
      return a.kind != MountOp::Kind::Bind && b.kind == MountOp::Kind::Bind;
    });
    for (const MountOp& op : ops) {
      if (std::find(plan.mounts.begin(), plan.mounts.end(), op) != plan.mounts.end()) continue;
      plan.mounts.push_back(op);
      if (op.kind == MountOp::Kind::StubMask) plan.stubs.push_back(op.path);
    }
    if (!pseudo) {
      plan.mounts.push_back({MountOp::Kind::Dev, "/dev"});
      plan.mounts.push_back({MountOp::Kind::Proc, "/proc"});
    }
  }
  plan.env.push_back({"CORDON_SANDBOX", "linux"});
  plan.env.push_back({"CORDON_SANDBOX_NETWORK_DISABLED",
                      network_on ? std::nullopt : std::optional<std::string>("1")});
  return plan;
}

}  // namespace cordon::sandbox
