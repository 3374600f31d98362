// cordon - bubblewrap argument construction.
#include "sandbox/linux/bwrap_args.h"

namespace cordon::sandbox::linux {

std::vector<std::string> bwrap_argv(const SandboxPlan& plan, const BwrapInvocation& inv) {
  std::vector<std::string> a = {inv.bwrap,      "--new-session",  "--die-with-parent",
                                "--as-pid-1",   "--unshare-user", "--unshare-pid",
                                "--unshare-ipc"};
  if (plan.network == NetworkMode::Off) a.push_back("--unshare-net");
  for (const MountOp& m : plan.mounts) {
    switch (m.kind) {
      case MountOp::Kind::RoBind:
        a.insert(a.end(), {"--ro-bind", m.path, m.path});
        break;
      case MountOp::Kind::Bind:
        a.insert(a.end(), {"--bind", m.path, m.path});
        break;
      case MountOp::Kind::Dev:
        a.insert(a.end(), {"--dev", m.path});
        break;
      case MountOp::Kind::Proc:
        a.insert(a.end(), {"--proc", m.path});
        break;
      // -try: when the stub could not be created because the directory is not writable
      // for this user, the command cannot create the path either.
      case MountOp::Kind::StubMask:
        a.insert(a.end(), {"--ro-bind-try", m.path, m.path});
        break;
    }
  }
  a.insert(a.end(), {"--chdir", plan.cwd, "--cap-drop", "ALL", "--info-fd", std::to_string(kInfoFd),
                     "--", inv.cordon_exe, kInnerStageArg, std::to_string(kStatusFd),
                     std::to_string(kStderrFd), to_string(plan.seccomp), encode_limits(plan.limits),
                     inv.observe ? std::to_string(kObserverFd) : std::string("-1"), "--"});
  a.insert(a.end(), plan.argv.begin(), plan.argv.end());
  return a;
}

}  // namespace cordon::sandbox::linux
