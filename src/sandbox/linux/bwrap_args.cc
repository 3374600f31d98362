// cordon - bubblewrap argument construction.
#include "sandbox/linux/bwrap_args.h"

namespace cordon::sandbox::linux {

int mask_file_count(const SandboxPlan& plan) {
  int n = 0;
  for (const MountOp& m : plan.mounts) n += m.kind == MountOp::Kind::MaskFile ? 1 : 0;
  return n;
}

std::vector<std::string> bwrap_argv(const SandboxPlan& plan, const BwrapInvocation& inv) {
  std::vector<std::string> a = {inv.bwrap,      "--new-session",  "--die-with-parent",
                                "--as-pid-1",   "--unshare-user", "--unshare-pid",
                                "--unshare-ipc"};
  if (plan.network == NetworkMode::Off) a.push_back("--unshare-net");
  // bwrap starts from an empty tmpfs root: "/" is bound into it unless reads are restricted.
  bool empty_root = false;
  std::vector<std::string> read_only_later;  // tmpfs masks, once their nested binds exist
  int mask_fd = kFirstFreeFd;
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
      case MountOp::Kind::EmptyRoot:
        empty_root = true;
        break;
      case MountOp::Kind::MaskDir:
        a.insert(a.end(), {"--perms", "0555", "--tmpfs", m.path});
        read_only_later.push_back(m.path);
        break;
      // An empty file with no permissions, filled from an fd that reads nothing.
      case MountOp::Kind::MaskFile:
        a.insert(a.end(), {"--perms", "0000", "--ro-bind-data", std::to_string(mask_fd++), m.path});
        break;
    }
  }
  if (empty_root) {
    // The inner stage is cordon itself: it must be there to be executed.
    a.insert(a.end(), {"--ro-bind", inv.cordon_exe, inv.cordon_exe});
    read_only_later.push_back("/");
  }
  // Not recursive: the binds nested in them keep their own flags.
  for (auto it = read_only_later.rbegin(); it != read_only_later.rend(); ++it) {
    a.insert(a.end(), {"--remount-ro", *it});
  }
  a.insert(a.end(),
           {"--chdir", plan.cwd, "--cap-drop", "ALL", "--info-fd", std::to_string(kInfoFd), "--",
            inv.cordon_exe, kInnerStageArg, std::to_string(kStatusFd), std::to_string(kStderrFd),
            seccomp_arg(plan.seccomp, inv.observe && plan.watch_reads), encode_limits(plan.limits),
            inv.observe ? std::to_string(kObserverFd) : std::string("-1"), "--"});
  a.insert(a.end(), plan.argv.begin(), plan.argv.end());
  return a;
}

}  // namespace cordon::sandbox::linux
