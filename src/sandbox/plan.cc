// cordon - building the SandboxPlan.
#include "sandbox/plan.h"

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
  plan.mounts.push_back({MountOp::Kind::RoBind, "/"});
  plan.mounts.push_back({MountOp::Kind::Dev, "/dev"});
  plan.mounts.push_back({MountOp::Kind::Proc, "/proc"});
  plan.writable_roots = roots.roots;
  for (const auto& root : roots.roots) {
    plan.mounts.push_back({MountOp::Kind::Bind, root.path});
    for (const auto& p : root.protected_paths) {
      if (p.kind == policy::ProtectedPath::Kind::Missing) {
        plan.mounts.push_back({MountOp::Kind::StubMask, p.path});
        plan.stubs.push_back(p.path);
      } else {
        plan.mounts.push_back({MountOp::Kind::RoBind, p.path});
      }
    }
  }
  plan.env.push_back({"CORDON_SANDBOX", "linux"});
  plan.env.push_back({"CORDON_SANDBOX_NETWORK_DISABLED",
                      network_on ? std::nullopt : std::optional<std::string>("1")});
  return plan;
}

}  // namespace cordon::sandbox
