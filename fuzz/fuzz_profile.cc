// cordon fuzz target: permission profiles, TOML in, sandbox plan out
// (config::load -> policy::filesystem_policy -> sandbox::make_plan).
//
// The input is a config.toml (the user file) followed by one byte of command-line choices
// (the last byte: --full-auto, -C among 8 directories, $TMPDIR among 4 values, --add-dir,
// -P workspace), over a fixed fake host of this target: two projects with .env files at
// several depths, a secrets directory with a public part, a worktree-style `.git` file whose
// gitdir lies outside, /usr with /bin and /lib as links into it, /etc, /tmp with /var/tmp a
// link to it, symlinks inside and outside the writable areas, and a project named "p[1]" (glob
// characters in a root's name). Never crashes, leaks or hits UB; and whenever every stage
// succeeds, the plan is never wider than asked:
//   - the first op is an empty root exactly when the policy restricts reads (":root" not
//     readable), a read-only "/" otherwise; nothing else is an empty root; one fresh /dev and
//     one fresh /proc;
//   - the final view: for every path of the host, the LAST op covering it decides what the
//     command sees (a later op at or above a path hides what an earlier one showed). A Bind
//     that shows a host path finally must have it writable under the policy (protected paths
//     included), a read-only bind must have it readable under what the profile asked for
//     (protected paths do not grant reads, they only take writes away). The host path behind a
//     bind is its source's real path (so a bound link such as /bin shows /usr/bin);
//   - a missing path that a rule denies or protects is never left inside a final Bind (it
//     could be created there);
//   - every deny-read entry of the profile holds: the real path of each plain entry, and each
//     host path its glob matches (below a fixed directory without links, within
//     glob_scan_max_depth), resolves to "none";
//   - no entry went through a symlink lying where the policy lets the command write (such a
//     profile must be refused);
//   - every Bind is a path some write entry, --add-dir or (legacy) writable root asked for;
//     masks are of existing paths of the right type, stubs exactly the StubMask ops, of
//     missing paths; Bind/RoBind ops are of existing paths with `file` set for non-directories
//     (protected paths excepted: their rule calls a `.git` file a directory, reported);
//   - a profile is never run unwrapped; the network is on only when asked.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "config/load.h"
#include "fuzz_common.h"
#include "policy/fs_policy.h"
#include "policy/glob.h"
#include "policy/profile.h"
#include "sandbox/plan.h"

using cordon::FileType;
using cordon::config::FsAccess;
using cordon::config::FsEntry;
using cordon::config::SandboxMode;
using cordon::policy::FsPolicy;
using cordon::policy::FsRule;
using cordon::policy::resolve_access;
using cordon::sandbox::MountOp;
using cordon::sandbox::NetworkMode;
using cordon::sandbox::SandboxPlan;
using namespace cordon::fuzzing;
namespace paths = cordon::paths;

namespace {

FakeFileSystem make_profile_host() {
  FakeFileSystem fs;
  fs.add_dir("/etc/cordon");
  fs.add_dir("/home/u/.cordon");
  // The workspace: .env files at depths 0 to 3, secrets with a public part, links.
  fs.add_file("/ws/.git/config", "[core]\n");
  fs.add_file("/ws/.env", "TOKEN=1\n");
  fs.add_file("/ws/a/.env");
  fs.add_file("/ws/a/b/.env");
  fs.add_file("/ws/a/b/c/.env");
  fs.add_file("/ws/src/main.c");
  fs.add_file("/ws/src/.env.local");
  fs.add_file("/ws/secrets/key.pem");
  fs.add_file("/ws/secrets/public/readme");
  fs.add_symlink("/ws/link", "/home/u/secret");  // a link where the command writes
  fs.add_symlink("/ws/envlink", ".env");
  fs.add_symlink("/ws/out", "/srv/data");
  // A second project whose .git is a pointer to a gitdir outside it.
  fs.add_file("/ws2/.git", "gitdir: /srv/gitdirs/ws2\n");
  fs.add_file("/srv/gitdirs/ws2/HEAD", "ref: refs/heads/main\n");
  fs.add_file("/ws2/.env");
  fs.add_file("/ws2/lib/x/.env");
  fs.add_file("/srv/data/file");
  fs.add_symlink("/srv/data/dlink", "/home/u/secret");
  fs.add_symlink("/srvlink", "/srv");
  // The platform.
  fs.add_executable("/usr/bin/sh");
  fs.add_file("/usr/lib/libc.so.6");
  fs.add_symlink("/bin", "usr/bin");
  fs.add_symlink("/lib", "usr/lib");
  fs.add_symlink("/lib64", "usr/lib");
  fs.add_file("/etc/passwd");
  fs.add_file("/etc/ssl/private/key.pem");
  fs.add_file("/tmp/x");
  fs.add_symlink("/tmp/lnk", "/home/u/secret");
  fs.add_symlink("/var/tmp", "/tmp");
  fs.add_other("/run/docker.sock");
  // Home: secrets, a temp dir, links into the secrets from a read-only area.
  fs.add_file("/home/u/secret/key");
  fs.add_file("/home/u/.ssh/id_rsa");
  fs.add_dir("/home/u/tmp");
  fs.add_symlink("/opt/link", "/home/u/secret");
  fs.add_executable("/opt/tool/bin/run");
  // A project whose name holds glob characters.
  fs.add_file("/srv/p[1]/.env");
  fs.add_file("/srv/p[1]/sub/.env");
  return fs;
}

// Every path of the host (physical: no symlink in it), "/" first.
std::vector<std::string> host_nodes(const FakeFileSystem& fs) {
  std::vector<std::string> out = {"/"};
  for (size_t i = 0; i < out.size(); ++i) {
    if (fs.lstat_type(out[i]) != FileType::Directory) continue;
    auto names = fs.list_dir(out[i]);
    if (!names) continue;
    for (const auto& n : *names) out.push_back(paths::join(out[i], n));
  }
  return out;
}

const char* kind_name(MountOp::Kind k) {
  static const char* const kNames[] = {"RoBind",   "Bind",      "Dev",     "Proc",
                                       "StubMask", "EmptyRoot", "MaskDir", "MaskFile"};
  return kNames[static_cast<int>(k)];
}

std::string describe(const FsPolicy& pol, const SandboxPlan& plan) {
  std::string s = "rules:\n";
  for (const FsRule& r : pol.rules) {
    s += "  " + r.path + " " + cordon::config::to_string(r.access) +
         " type=" + std::to_string(static_cast<int>(r.type)) +
         (r.is_protected ? " protected" : "") + " (" + r.rule + ")\n";
  }
  s += "mounts:\n";
  for (const MountOp& m : plan.mounts) {
    s += std::string("  ") + kind_name(m.kind) + " " + m.path + (m.file ? " (file)" : "") + "\n";
  }
  return s;
}

// The host path an op at `op_path` shows at sandbox path `x` (x at or below op_path).
std::string shown_at(const std::string& source, const std::string& op_path,
                     const std::string& host) {
  // host is at or below source; the same relative part below op_path.
  if (host == source) return op_path;
  const std::string rel = source == "/" ? host : host.substr(source.size());
  return op_path == "/" ? rel : op_path + rel;
}

// The last op whose path is at or above `x`, at or after index `from`; -1 if none.
int last_covering(const std::vector<MountOp>& ops, const std::string& x, size_t from = 0) {
  int last = -1;
  for (size_t j = from; j < ops.size(); ++j) {
    if (paths::is_within(x, ops[j].path)) last = static_cast<int>(j);
  }
  return last;
}

struct Context {
  const cordon::config::EffectiveConfig& cfg;
  const FsPolicy& pol;
  const SandboxPlan& plan;
  const FakeFileSystem& fs;
  const std::vector<std::string>& nodes;
  const char* tmpdir;
  std::vector<FsRule> asked;  // the rules without the protected paths
  std::string d;              // description for failures

  FsAccess full(const std::string& p) const { return resolve_access(pol.rules, p); }
  FsAccess wanted(const std::string& p) const { return resolve_access(asked, p); }
};

// The project roots compile_profile uses: the workspace and the profile's workspace_roots,
// real and existing directories.
std::vector<std::string> project_roots(const Context& c) {
  std::vector<std::string> roots;
  auto add = [&](const std::string& p) {
    auto real = c.fs.realpath(p);
    if (!real || c.fs.lstat_type(*real) != FileType::Directory) return;
    if (std::find(roots.begin(), roots.end(), *real) == roots.end()) roots.push_back(*real);
  };
  add(c.cfg.workspace);
  for (const auto& r : c.cfg.permissions->project_roots) add(r.value);
  return roots;
}

// The paths (or, for a glob entry, patterns) one entry stands for, before symlinks are
// resolved. A project root in a pattern is escaped: its name is no pattern.
std::vector<std::string> entry_paths(const Context& c, const FsEntry& e,
                                     const std::vector<std::string>& roots) {
  std::vector<std::string> out;
  switch (e.base) {
    case FsEntry::Base::Root:
      out.push_back("/");
      break;
    case FsEntry::Base::Minimal:
      for (const char* p : cordon::policy::kMinimalPaths) {
        if (c.fs.lstat_type(p) != FileType::Missing) out.push_back(p);
      }
      break;
    case FsEntry::Base::Tmpdir:
      if (c.tmpdir != nullptr && paths::is_absolute(c.tmpdir)) {
        out.push_back(paths::normalize(c.tmpdir));
      }
      break;
    case FsEntry::Base::SlashTmp:
      out.push_back("/tmp");
      break;
    case FsEntry::Base::Path:
      out.push_back(e.path);
      break;
    case FsEntry::Base::ProjectRoots:
      for (const auto& r : roots) {
        if (e.path == ".") {
          out.push_back(r);
        } else if (cordon::policy::has_glob_chars(e.path)) {
          out.push_back(cordon::policy::glob_escape(r) + "/" + e.path);
        } else {
          out.push_back(paths::join(r, e.path));
        }
      }
      break;
  }
  return out;
}

bool is_protected(const FsPolicy& pol, const std::string& path) {
  return std::any_of(pol.rules.begin(), pol.rules.end(),
                     [&](const FsRule& r) { return r.path == path && r.is_protected; });
}

void check_structure(const Context& c) {
  const auto& ops = c.plan.mounts;
  FUZZ_CHECK(!ops.empty(), c.d);
  FUZZ_CHECK(ops[0].path == "/", c.d);
  FUZZ_CHECK((ops[0].kind == MountOp::Kind::EmptyRoot) == c.pol.restricted_reads(),
             "restricted reads <=> an empty root first\n" + c.d);
  FUZZ_CHECK(ops[0].kind == MountOp::Kind::EmptyRoot || ops[0].kind == MountOp::Kind::RoBind, c.d);
  std::vector<std::string> stubs;
  int dev = 0, proc = 0;
  for (size_t i = 0; i < ops.size(); ++i) {
    const MountOp& m = ops[i];
    FUZZ_CHECK(paths::is_absolute(m.path) && paths::normalize(m.path) == m.path, c.d);
    if (i > 0) FUZZ_CHECK(m.kind != MountOp::Kind::EmptyRoot, c.d);
    const FileType t = c.fs.lstat_type(m.path);
    switch (m.kind) {
      case MountOp::Kind::Dev:
        ++dev;
        FUZZ_CHECK(m.path == "/dev", c.d);
        break;
      case MountOp::Kind::Proc:
        ++proc;
        FUZZ_CHECK(m.path == "/proc", c.d);
        break;
      case MountOp::Kind::StubMask:
        stubs.push_back(m.path);
        FUZZ_CHECK(t == FileType::Missing, "a stub over an existing path " + m.path + "\n" + c.d);
        break;
      case MountOp::Kind::MaskDir:
        FUZZ_CHECK(t == FileType::Directory, "MaskDir of a non-directory " + m.path + "\n" + c.d);
        break;
      case MountOp::Kind::MaskFile:
        FUZZ_CHECK(t != FileType::Missing && t != FileType::Directory,
                   "MaskFile of a directory or nothing " + m.path + "\n" + c.d);
        break;
      case MountOp::Kind::EmptyRoot:
        break;
      case MountOp::Kind::RoBind:
      case MountOp::Kind::Bind:
        FUZZ_CHECK(t != FileType::Missing, "a bind of a missing path " + m.path + "\n" + c.d);
        // (Not for a protected path: its rule says "directory" even for a .git file, reported;
        // its mount point always exists, inside the writable root it protects.)
        if (!is_protected(c.pol, m.path)) {
          FUZZ_CHECK(m.file == (t != FileType::Directory && t != FileType::Symlink),
                     "wrong `file` for " + m.path + "\n" + c.d);
        }
        break;
    }
  }
  FUZZ_CHECK(dev == 1 && proc == 1, c.d);
  FUZZ_CHECK(stubs == c.plan.stubs, c.d);
}

// What the command finally sees of each host path through each bind.
void check_final_view(const Context& c) {
  const auto& ops = c.plan.mounts;
  for (size_t i = 0; i < ops.size(); ++i) {
    const MountOp& m = ops[i];
    if (m.kind != MountOp::Kind::Bind && m.kind != MountOp::Kind::RoBind) continue;
    if (m.kind == MountOp::Kind::Bind) {
      FUZZ_CHECK(c.full(m.path) == FsAccess::Write,
                 "Bind of " + m.path + ", which the policy does not let the command write\n" + c.d);
    }
    const auto source = c.fs.realpath(m.path);
    if (!source) continue;  // a dangling link: nothing to show
    for (const std::string& host : c.nodes) {
      if (!paths::is_within(host, *source)) continue;
      const std::string x = shown_at(*source, m.path, host);
      if (last_covering(ops, x, i + 1) != -1) continue;  // hidden by a later op
      if (m.kind == MountOp::Kind::Bind) {
        FUZZ_CHECK(c.full(host) == FsAccess::Write, host + " is writable in the sandbox (at " + x +
                                                        ", Bind " + m.path +
                                                        ") but not under the policy\n" + c.d);
      } else {
        FUZZ_CHECK(c.wanted(host) != FsAccess::None, host + " is readable in the sandbox (at " + x +
                                                         ", RoBind " + m.path +
                                                         ") but the profile denies it\n" + c.d);
      }
    }
  }
  // A missing path that is denied or protected: never inside a final Bind.
  for (const FsRule& r : c.pol.rules) {
    if (r.type != FileType::Missing) continue;
    if (r.access == FsAccess::Write) continue;
    const int last = last_covering(ops, r.path);
    FUZZ_CHECK(last >= 0, c.d);
    FUZZ_CHECK(ops[last].kind != MountOp::Kind::Bind,
               "the missing " + r.path + " (" + cordon::config::to_string(r.access) +
                   ") could be created: Bind " + ops[last].path + " covers it last\n" + c.d);
  }
}

// Each deny-read entry holds, and no entry went through a link where the command writes.
void check_entries(const Context& c) {
  const auto roots = project_roots(c);
  const int max_depth = c.cfg.permissions->glob_scan_max_depth
                            ? c.cfg.permissions->glob_scan_max_depth->value
                            : 1 << 30;
  for (const FsEntry& e : c.cfg.permissions->filesystem) {
    const bool glob_entry =
        (e.base == FsEntry::Base::Path || e.base == FsEntry::Base::ProjectRoots) &&
        cordon::policy::has_glob_chars(e.path);
    for (const std::string& p : entry_paths(c, e, roots)) {
      const bool keep_link = e.base == FsEntry::Base::Minimal;
      // The fixed part of the path: every link in it must lie where the command cannot write.
      const std::string fixed = glob_entry ? cordon::policy::glob_static_prefix(p) : p;
      if (!keep_link) {
        size_t i = 1;
        while (i <= fixed.size() && fixed != "/") {
          size_t j = fixed.find('/', i);
          if (j == std::string::npos) j = fixed.size();
          const std::string prefix = fixed.substr(0, j);
          const FileType t = c.fs.lstat_type(prefix);
          if (t == FileType::Missing) break;
          if (t == FileType::Symlink) {
            const auto parent = c.fs.realpath(paths::parent(prefix));
            FUZZ_CHECK(!parent || c.full(*parent) != FsAccess::Write,
                       e.key + " (" + e.origin + ") goes through the link " + prefix +
                           ", which lies where the command may write, and was accepted\n" + c.d);
          }
          i = j + 1;
        }
      }
      if (e.access != FsAccess::None) continue;
      if (!glob_entry) {
        if (keep_link && c.fs.lstat_type(p) == FileType::Symlink) {
          FUZZ_CHECK(c.full(p) == FsAccess::None, p + " is denied but not\n" + c.d);
          continue;
        }
        if (e.path.find('\\') != std::string::npos) continue;  // escapes: a known bug
        const auto real = c.fs.realpath(p);
        if (!real) continue;  // missing: checked as a missing rule
        FUZZ_CHECK(c.full(*real) == FsAccess::None, e.key + " (" + e.origin + ") denies " + p +
                                                        " but the policy lets the command "
                                                        "read " +
                                                        *real + "\n" + c.d);
        continue;
      }
      // A glob: every host path it matches below a fixed directory that is no link.
      if (e.path.find('\\') != std::string::npos) continue;  // escapes: a known bug
      if (fixed == "/" || c.fs.realpath(fixed) != fixed) continue;
      const int fixed_depth = paths::depth(fixed);
      for (const std::string& host : c.nodes) {
        if (host == fixed || !paths::is_within(host, fixed)) continue;
        if (paths::depth(host) - fixed_depth > max_depth) continue;
        if (!cordon::policy::glob_match(p, host)) continue;
        std::string target = host;
        if (c.fs.lstat_type(host) == FileType::Symlink) {
          const auto real = c.fs.realpath(host);
          if (!real) continue;
          target = *real;
        }
        FUZZ_CHECK(c.full(target) == FsAccess::None, e.key + " (" + e.origin + ") matches " + host +
                                                         " but the policy lets the command read " +
                                                         target + "\n" + c.d);
      }
    }
  }
}

// Every Bind was asked for.
void check_binds_asked(const Context& c) {
  std::vector<std::string> asked;
  auto add = [&](const std::string& p) {
    asked.push_back(paths::normalize(p));
    if (auto real = c.fs.realpath(p)) asked.push_back(*real);
  };
  for (const std::string& d : c.cfg.add_dirs) add(d);
  if (c.cfg.permissions) {
    const auto roots = project_roots(c);
    for (const FsEntry& e : c.cfg.permissions->filesystem) {
      if (e.access != FsAccess::Write) continue;
      for (const std::string& p : entry_paths(c, e, roots)) add(p);
    }
  } else {
    for (const auto& r : c.pol.writable_roots) asked.push_back(r.path);
  }
  for (const MountOp& m : c.plan.mounts) {
    if (m.kind != MountOp::Kind::Bind) continue;
    FUZZ_CHECK(std::find(asked.begin(), asked.end(), m.path) != asked.end(),
               "Bind of " + m.path + ", which nothing asked to write\n" + c.d);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static FakeFileSystem fs = make_profile_host();
  static const std::vector<std::string> nodes = host_nodes(fs);
  FuzzedDataProvider fdp(data, size);
  // The last byte: bit 0 --full-auto, bits 1-3 -C, bits 4-5 $TMPDIR, bit 6 --add-dir,
  // bit 7 -P workspace.
  const uint8_t flags = fdp.ConsumeIntegral<uint8_t>();
  const std::string text = fdp.ConsumeRemainingBytesAsString();
  fs.add_file(kUserConfig, text);

  cordon::config::LoadInputs in;
  in.system_config = kSystemConfig;
  in.user_config = kUserConfig;
  in.process_cwd = "/ws";
  in.cli.full_auto = flags & 1;
  static const char* const kCd[] = {nullptr,     "/ws2",      "src",       "/opt/link",
                                    "/srv/data", "/ws/a/b/c", "/srv/p[1]", "/"};
  if (const char* cd = kCd[(flags >> 1) & 7]) in.cli.cd = cd;
  static const char* const kTmpdir[] = {nullptr, "/var/tmp", "/home/u/tmp", "rel/tmp"};
  const char* tmpdir = kTmpdir[(flags >> 4) & 3];
  if (flags & 64) in.cli.add_dirs = {"/srv/data"};
  if (flags & 128) in.cli.permissions_profile = "workspace";

  auto cfg = cordon::config::load(in, fs);
  if (!cfg.ok()) {
    FUZZ_CHECK(!cfg.error().message.empty(), "empty error message");
    return 0;
  }
  auto pol = cordon::policy::filesystem_policy(*cfg, tmpdir, fs);
  if (!pol.ok()) {
    FUZZ_CHECK(!pol.error().message.empty(), "empty error message");
    FUZZ_CHECK(
        cfg->permissions.has_value() || cfg->sandbox_mode.value == SandboxMode::WorkspaceWrite,
        "a legacy read-only policy failed: " + pol.error().message);
    return 0;
  }
  const std::vector<std::string> command = {"sh", "-c", "cat .env"};
  auto plan = cordon::sandbox::make_plan(*cfg, *pol, {command, cfg->workspace});
  if (!plan.ok()) {
    FUZZ_CHECK(!plan.error().message.empty(), "empty error message");
    return 0;
  }
  const SandboxMode mode = cfg->sandbox_mode.value;
  // A profile's network.enabled counts whatever the profile lets write.
  const bool asked_network =
      mode == SandboxMode::DangerFullAccess ||
      ((mode == SandboxMode::WorkspaceWrite || cfg->permissions) && cfg->network_access.value);
  FUZZ_CHECK((plan->network == NetworkMode::Full) == asked_network, "network wider than asked");
  if (cfg->permissions) FUZZ_CHECK(!plan->unwrapped, "a permission profile ran unwrapped");
  if (plan->unwrapped) {
    FUZZ_CHECK(mode == SandboxMode::DangerFullAccess && plan->mounts.empty(), "unwrapped");
    return 0;
  }
  Context c{*cfg, *pol, *plan, fs, nodes, tmpdir, {}, {}};
  for (const FsRule& r : pol->rules) {
    if (!r.is_protected) c.asked.push_back(r);
  }
  c.d = describe(*pol, *plan);
  check_structure(c);
  check_final_view(c);
  check_binds_asked(c);
  if (cfg->permissions) check_entries(c);
  return 0;
}
