// cordon fuzz target: config -> load -> writable_roots -> make_plan -> bwrap_argv.
//
// The input is a config.toml followed by one byte of command-line choices (the last
// byte: --full-auto, --yolo, --add-dir, -C, $TMPDIR), over the fake
// host of fuzz_common.h. Checked, whenever every stage succeeds:
//   - "/" read-only first, one fresh /dev and one fresh /proc;
//   - read-only: no writable root, no Bind, nothing but those three mounts, network off;
//   - workspace-write: every Bind is a writable root; every root is the canonical,
//     existing directory of something that was asked for (the workspace, an --add-dir,
//     a writable_roots entry, /tmp, $TMPDIR); every protected path (.git, .agents,
//     .codex, a gitdir: target) ends up covered by a read-only mount, i.e. no later
//     Bind of an ancestor re-exposes it; stubs are exactly the StubMask mounts, each
//     for a path that does not exist;
//   - danger-full-access: unwrapped, no mounts;
//   - network Full only with network_access (workspace-write) or danger-full-access,
//     never with network_proxy outside danger-full-access; --unshare-net exactly when
//     the network is off; seccomp network-off exactly when the network is off;
//   - the bwrap argv starts with bwrap, drops every capability, holds one --bind per
//     Bind, and ends with "--" and the command.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "config/load.h"
#include "fuzz_common.h"
#include "policy/writable_roots.h"
#include "sandbox/linux/bwrap_args.h"
#include "sandbox/plan.h"

using cordon::config::SandboxMode;
using cordon::sandbox::MountOp;
using cordon::sandbox::NetworkMode;
using cordon::sandbox::SandboxPlan;
using namespace cordon::fuzzing;
namespace paths = cordon::paths;

namespace {

std::string describe(const SandboxPlan& plan) {
  std::string s = std::string("mode=") + cordon::config::to_string(plan.mode) +
                  " network=" + cordon::sandbox::to_string(plan.network) + "\n";
  for (const auto& m : plan.mounts) {
    static const char* kinds[] = {"RoBind", "Bind", "Dev", "Proc", "StubMask"};
    s += std::string("  ") + kinds[static_cast<int>(m.kind)] + " " + m.path + "\n";
  }
  for (const auto& r : plan.writable_roots) {
    s += "  root " + r.path + " (" + r.source + ", requested " + r.requested + ")\n";
  }
  return s;
}

void check_plan(const cordon::config::EffectiveConfig& cfg,
                const cordon::policy::WritableRootsResult& roots, const SandboxPlan& plan,
                const std::vector<std::string>& command, const char* tmpdir,
                const FakeFileSystem& fs) {
  const std::string d = describe(plan);
  const SandboxMode mode = cfg.sandbox_mode.value;
  FUZZ_CHECK(plan.mode == mode, d);
  FUZZ_CHECK(plan.argv == command, d);

  // Network: nothing wider than asked.
  const bool asked_network = mode == SandboxMode::DangerFullAccess ||
                             (mode == SandboxMode::WorkspaceWrite && cfg.network_access.value);
  FUZZ_CHECK((plan.network == NetworkMode::Full) == asked_network, d);
  if (plan.network == NetworkMode::Full && mode != SandboxMode::DangerFullAccess) {
    FUZZ_CHECK(!cfg.network_proxy.value, "unfiltered network with network_proxy on\n" + d);
  }

  if (mode == SandboxMode::DangerFullAccess) {
    FUZZ_CHECK(plan.unwrapped, d);
    FUZZ_CHECK(plan.mounts.empty() && plan.stubs.empty(), d);
    return;
  }
  FUZZ_CHECK(!plan.unwrapped, d);
  FUZZ_CHECK((plan.seccomp == cordon::sandbox::SeccompMode::NetworkOff) ==
                 (plan.network == NetworkMode::Off),
             d);
  // "/" read-only first; one fresh /dev and one fresh /proc somewhere after it.
  FUZZ_CHECK(plan.mounts.size() >= 3, d);
  FUZZ_CHECK(plan.mounts[0] == (MountOp{MountOp::Kind::RoBind, "/"}), d);
  FUZZ_CHECK(
      std::count(plan.mounts.begin(), plan.mounts.end(), MountOp{MountOp::Kind::Dev, "/dev"}) == 1,
      d);
  FUZZ_CHECK(std::count(plan.mounts.begin(), plan.mounts.end(),
                        MountOp{MountOp::Kind::Proc, "/proc"}) == 1,
             d);

  if (mode == SandboxMode::ReadOnly) {
    FUZZ_CHECK(plan.mounts.size() == 3, "read-only plan with more mounts\n" + d);
    FUZZ_CHECK(plan.writable_roots.empty() && plan.stubs.empty(), d);
    FUZZ_CHECK(plan.network == NetworkMode::Off, d);
    return;
  }

  // workspace-write: what may be asked for.
  std::vector<std::string> asked = {cfg.workspace, "/tmp"};
  asked.insert(asked.end(), cfg.add_dirs.begin(), cfg.add_dirs.end());
  asked.insert(asked.end(), cfg.writable_roots.value.begin(), cfg.writable_roots.value.end());
  if (tmpdir != nullptr && paths::is_absolute(tmpdir)) asked.push_back(paths::normalize(tmpdir));

  FUZZ_CHECK(plan.writable_roots.size() == roots.roots.size(), d);
  for (const auto& r : plan.writable_roots) {
    FUZZ_CHECK(std::find(asked.begin(), asked.end(), r.requested) != asked.end(),
               "root nobody asked for: " + r.requested + "\n" + d);
    FUZZ_CHECK(fs.realpath(r.requested) == r.path, "root is not the canonical path\n" + d);
    FUZZ_CHECK(fs.lstat_type(r.path) == cordon::FileType::Directory, d);
  }
  if (cfg.exclude_slash_tmp.value) {
    for (const auto& r : plan.writable_roots) FUZZ_CHECK(r.source != "/tmp", d);
  }

  std::vector<std::string> stub_mounts;
  for (const MountOp& m : plan.mounts) {
    if (m.kind == MountOp::Kind::Bind) {
      FUZZ_CHECK(std::any_of(plan.writable_roots.begin(), plan.writable_roots.end(),
                             [&](const auto& r) { return r.path == m.path; }),
                 "Bind of a path that is no writable root: " + m.path + "\n" + d);
    }
    if (m.kind == MountOp::Kind::StubMask) {
      stub_mounts.push_back(m.path);
      FUZZ_CHECK(fs.lstat_type(m.path) == cordon::FileType::Missing, d);
    }
  }
  FUZZ_CHECK(stub_mounts == plan.stubs, d);

  // Every protected path is covered, in the end, by a mount the command cannot write
  // through to the host: the last mount at the path or above it must not be a Bind
  // (a fresh /dev or /proc is private to the sandbox). (Unless a writable root was
  // asked for at or inside the protected path itself: that grant is explicit.)
  for (const auto& r : plan.writable_roots) {
    for (const auto& p : r.protected_paths) {
      if (std::any_of(plan.writable_roots.begin(), plan.writable_roots.end(),
                      [&](const auto& other) { return paths::is_within(other.path, p.path); })) {
        continue;
      }
      const MountOp* last = nullptr;
      for (const auto& m : plan.mounts) {
        if (paths::is_within(p.path, m.path)) last = &m;
      }
      FUZZ_CHECK(last != nullptr && last->kind != MountOp::Kind::Bind,
                 "protected path " + p.path + " (" + p.why + ") is writable in the sandbox: " +
                     (last ? "Bind " + last->path : std::string("no mount")) + " comes last\n" + d);
    }
  }
}

void check_argv(const SandboxPlan& plan, const std::vector<std::string>& argv,
                const std::vector<std::string>& command) {
  std::string d;
  for (const auto& a : argv) d += a + " ";
  FUZZ_CHECK(!argv.empty() && argv[0] == "/usr/bin/bwrap", d);
  FUZZ_CHECK(argv.size() > command.size() + 1, d);
  FUZZ_CHECK(std::equal(command.begin(), command.end(), argv.end() - command.size()), d);
  FUZZ_CHECK(argv[argv.size() - command.size() - 1] == "--", d);
  const bool unshare_net = std::find(argv.begin(), argv.end(), "--unshare-net") != argv.end();
  FUZZ_CHECK(unshare_net == (plan.network == NetworkMode::Off), d);
  auto cap = std::find(argv.begin(), argv.end(), "--cap-drop");
  FUZZ_CHECK(cap != argv.end() && cap + 1 != argv.end() && *(cap + 1) == "ALL", d);
  const auto binds = std::count(argv.begin(), argv.end(), "--bind");
  const auto bind_mounts = std::count_if(plan.mounts.begin(), plan.mounts.end(), [](const auto& m) {
    return m.kind == MountOp::Kind::Bind;
  });
  FUZZ_CHECK(binds == bind_mounts, d);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static FakeFileSystem fs = make_host();
  FuzzedDataProvider fdp(data, size);
  // The last byte: bit 0 --full-auto, bit 1 --yolo, bit 2 --add-dir, bits 3-5 -C,
  // bits 6-7 $TMPDIR.
  const uint8_t flags = fdp.ConsumeIntegral<uint8_t>();
  const std::string text = fdp.ConsumeRemainingBytesAsString();
  fs.add_file(kUserConfig, text);

  cordon::config::LoadInputs in;
  in.system_config = kSystemConfig;
  in.user_config = kUserConfig;
  in.process_cwd = kCwd;
  in.cli.full_auto = flags & 1;
  in.cli.yolo = flags & 2;
  if (flags & 4) in.cli.add_dirs = {"../shared"};
  static const char* const kCd[] = {nullptr, "/home/u/wt", "../sep",       "/home/u/link",
                                    "/ws",   "../rel",     "/home/u/loop", "/home/u/filelink"};
  if (const char* cd = kCd[(flags >> 3) & 7]) in.cli.cd = cd;
  static const char* const kTmpdir[] = {nullptr, "/home/u/tmp", "relative/tmp", "/var/tmp"};
  const char* tmpdir = kTmpdir[(flags >> 6) & 3];

  auto cfg = cordon::config::load(in, fs);
  if (!cfg.ok()) {
    FUZZ_CHECK(!cfg.error().message.empty(), "empty error message");
    return 0;
  }
  auto roots = cordon::policy::writable_roots(*cfg, tmpdir, fs);
  if (!roots.ok()) {
    FUZZ_CHECK(!roots.error().message.empty(), "empty error message");
    return 0;
  }
  const std::vector<std::string> command = {"true", "--", "x y"};
  auto plan = cordon::sandbox::make_plan(*cfg, cordon::policy::legacy_fs_policy(*roots),
                                         {command, cfg->workspace});
  if (!plan.ok()) {
    FUZZ_CHECK(cfg->network_proxy.value, "make_plan refused without network_proxy");
    return 0;
  }
  check_plan(*cfg, *roots, *plan, command, tmpdir, fs);
  if (!plan->unwrapped) {
    auto argv = cordon::sandbox::linux::bwrap_argv(*plan, {"/usr/bin/bwrap", "/usr/bin/cordon"});
    check_argv(*plan, argv, command);
  }
  return 0;
}
