// cordon - building the SandboxPlan.
#include "sandbox/plan.h"

#include "util/paths.h"

namespace cordon::sandbox {

const char* to_string(NetworkMode m) {
  return m == NetworkMode::Off ? "off" : "full";
}
const char* to_string(SeccompMode m) {
  return m == SeccompMode::Baseline ? "baseline" : "network-off";
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
  // Read-only root, then the writable roots with their protected paths, then fresh /dev
  // and /proc (so a writable root such as "/" cannot bring back the host's), then any
  // writable root inside /dev or /proc (such as /dev/shm), which must go on top of them.
  plan.mounts.push_back({MountOp::Kind::RoBind, "/"});
  plan.writable_roots = roots.roots;
  auto in_pseudo_fs = [](const std::string& p) {
    return paths::is_within(p, "/dev") || paths::is_within(p, "/proc");
  };
  auto add_root = [&plan](const policy::WritableRoot& root) {
    plan.mounts.push_back({MountOp::Kind::Bind, root.path});
    for (const auto& p : root.protected_paths) {
      if (p.kind == policy::ProtectedPath::Kind::Missing) {
        plan.mounts.push_back({MountOp::Kind::StubMask, p.path});
        plan.stubs.push_back(p.path);
      } else {
        plan.mounts.push_back({MountOp::Kind::RoBind, p.path});
      }
    }
  };
  for (const auto& root : roots.roots) {
    if (!in_pseudo_fs(root.path)) add_root(root);
  }
  plan.mounts.push_back({MountOp::Kind::Dev, "/dev"});
  plan.mounts.push_back({MountOp::Kind::Proc, "/proc"});
  for (const auto& root : roots.roots) {
    if (in_pseudo_fs(root.path)) add_root(root);
  }
  plan.env.push_back({"CORDON_SANDBOX", "linux"});
  plan.env.push_back({"CORDON_SANDBOX_NETWORK_DISABLED",
                      network_on ? std::nullopt : std::optional<std::string>("1")});
  return plan;
}

}  // namespace cordon::sandbox
