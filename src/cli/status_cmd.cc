// cordon - `cordon status`.
#include "cli/status_cmd.h"

#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "cli/sandbox_cmd.h"
#include "sandbox/backend.h"
#include "sandbox/launch.h"
#include "util/exit_codes.h"

namespace cordon::cli {
namespace {

using Json = nlohmann::ordered_json;
using config::Setting;

// "8192", "unlimited", "2G" (sizes: the largest binary unit that divides exactly).
std::string limit_text(unsigned long long v, bool bytes) {
  if (v == config::kUnlimited) return "unlimited";
  if (bytes) {
    const char* units = "KMGT";
    for (int i = 3; i >= 0; --i) {
      const unsigned shift = 10 * static_cast<unsigned>(i + 1);
      if (v % (1ULL << shift) == 0) return std::to_string(v >> shift) + units[i];
    }
  }
  return std::to_string(v);
}

// The setting that put a writable root on the list.
std::string root_origin(const policy::WritableRoot& r, const Effective& e,
                        const config::CliOptions& cli) {
  if (r.source == "workspace") return cli.cd ? "-C/--cd" : "the current directory";
  if (r.source == "writable_roots") {
    return "sandbox_workspace_write.writable_roots from " + e.cfg.writable_roots.origin;
  }
  if (r.source == "/tmp") return "exclude_slash_tmp = false from " + e.cfg.exclude_slash_tmp.origin;
  if (r.source == "$TMPDIR") {
    return "$TMPDIR, exclude_tmpdir_env_var = false from " + e.cfg.exclude_tmpdir_env_var.origin;
  }
  return r.source;
}

std::string network_origin(const Effective& e) {
  if (e.cfg.permissions && !e.plan.unwrapped) {
    return "permission profile network.enabled from " + e.cfg.network_access.origin;
  }
  if (e.plan.mode == config::SandboxMode::WorkspaceWrite) {
    return "sandbox_workspace_write.network_access from " + e.cfg.network_access.origin;
  }
  return std::string("sandbox_mode = ") + config::to_string(e.plan.mode) + " from " +
         e.cfg.sandbox_mode.origin;
}

template <typename T>
Json setting(const T& value, const std::string& origin) {
  return Json{{"value", value}, {"origin", origin}};
}

struct BackendView {
  std::optional<sandbox::BackendDecision> decision;
  std::string error;
  std::vector<std::string> unenforced;
};

BackendView backend_view(const Effective& e, const FileSystem& fs) {
  BackendView v;
  if (e.plan.unwrapped) return v;
  sandbox::LaunchContext ctx;
  ctx.path_env = std::getenv("PATH");
  ctx.config = &e.cfg;
  const sandbox::BackendFacts facts = sandbox::backend_facts(e.plan, ctx, fs);
  auto d = sandbox::choose_backend(e.cfg, facts);
  if (!d) {
    v.error = d.error().message;
    return v;
  }
  v.decision = *d;
  v.unenforced = sandbox::unenforced(e.plan, d->backend, facts.landlock_abi);
  if (auto why = sandbox::cannot_build(e.plan, d->backend)) {
    v.unenforced.insert(v.unenforced.begin(), "refuses to run this profile: " + *why);
  }
  // A limit that cannot be kept makes the launch refuse; say so here too.
  if (auto why = sandbox::unkeepable_limit(e.plan, e.cfg, ::geteuid() == 0)) {
    v.unenforced.push_back(*why);
  }
  return v;
}

struct Limit {
  const char* name;
  const Setting<unsigned long long>* s;
  bool bytes;
};

std::vector<Limit> limits(const config::EffectiveConfig& c) {
  return {{"max_processes", &c.max_processes, false},
          {"max_memory", &c.max_memory, true},
          {"max_cpu_seconds", &c.max_cpu_seconds, false},
          {"max_open_files", &c.max_open_files, false}};
}

// The permission profile as applied: every rule, what is denied, what each glob matched.
Json permissions_json(const Effective& e) {
  if (!e.cfg.permissions) return Json(nullptr);
  const auto& p = *e.cfg.permissions;
  Json rules = Json::array(), denied = Json::array(), globs = Json::array();
  for (const auto& r : e.fs.rules) {
    rules.push_back({{"path", r.path},
                     {"access", config::to_string(r.access)},
                     {"rule", r.rule},
                     {"origin", r.origin}});
    if (r.access == config::FsAccess::None) {
      denied.push_back({{"path", r.path},
                        {"rule", r.rule},
                        {"origin", r.origin},
                        {"exists", r.type != FileType::Missing}});
    }
  }
  for (const auto& g : e.fs.globs) {
    globs.push_back({{"pattern", g.pattern}, {"origin", g.origin}, {"matches", g.matches}});
  }
  return Json{{"name", p.name},     {"origin", p.origin},
              {"extends", p.chain}, {"restricted_reads", e.fs.restricted_reads()},
              {"rules", rules},     {"deny_read", denied},
              {"globs", globs}};
}

Json to_json(const Effective& e, const config::CliOptions& cli, const BackendView& b) {
  const auto& c = e.cfg;
  Json j;
  j["workspace"] = c.workspace;
  j["profile"] = c.profile ? setting(c.profile->value, c.profile->origin) : Json(nullptr);
  j["sandbox_mode"] = setting(config::to_string(c.sandbox_mode.value), c.sandbox_mode.origin);
  j["approval_policy"] =
      setting(config::to_string(c.approval_policy.value), c.approval_policy.origin);
  j["sandboxed"] = !e.plan.unwrapped;
  j["permissions"] = permissions_json(e);
  Json roots = Json::array();
  for (const auto& r : e.plan.writable_roots) {
    Json prot = Json::array();
    for (const auto& p : r.protected_paths) {
      prot.push_back({{"path", p.path},
                      {"why", p.why},
                      {"exists", p.kind == policy::ProtectedPath::Kind::Existing}});
    }
    roots.push_back({{"path", r.path},
                     {"requested", r.requested},
                     {"source", r.source},
                     {"origin", root_origin(r, e, cli)},
                     {"protected_paths", prot}});
  }
  j["writable_roots"] = roots;
  j["network"] =
      setting(e.plan.network == sandbox::NetworkMode::Full ? "on" : "off", network_origin(e));
  Json backend;
  backend["value"] = b.decision ? Json(sandbox::to_string(b.decision->backend)) : Json(nullptr);
  backend["why"] =
      b.decision ? b.decision->why : (e.plan.unwrapped ? "danger-full-access: no sandbox" : "");
  backend["error"] = b.error;
  backend["unenforced"] = b.unenforced;
  j["backend"] = backend;
  Json lim;
  for (const auto& l : limits(c)) {
    lim[l.name] = setting(l.s->value == config::kUnlimited ? Json("unlimited") : Json(l.s->value),
                          l.s->origin);
  }
  j["limits"] = lim;
  j["settings"] = {
      {"sandbox_workspace_write.writable_roots",
       setting(c.writable_roots.value, c.writable_roots.origin)},
      {"sandbox_workspace_write.network_access",
       setting(c.network_access.value, c.network_access.origin)},
      {"sandbox_workspace_write.exclude_tmpdir_env_var",
       setting(c.exclude_tmpdir_env_var.value, c.exclude_tmpdir_env_var.origin)},
      {"sandbox_workspace_write.exclude_slash_tmp",
       setting(c.exclude_slash_tmp.value, c.exclude_slash_tmp.origin)},
      {"features.network_proxy", setting(c.network_proxy.value, c.network_proxy.origin)},
      {"sandbox_linux.backend", setting(config::to_string(c.backend.value), c.backend.origin)},
      {"use_legacy_landlock", setting(c.use_legacy_landlock.value, c.use_legacy_landlock.origin)},
      {"features.use_linux_sandbox_bwrap",
       setting(c.use_linux_sandbox_bwrap.value, c.use_linux_sandbox_bwrap.origin)},
      {"sandbox_linux.require_full_enforcement",
       setting(c.require_full_enforcement.value, c.require_full_enforcement.origin)},
      {"sandbox_linux.report_denials", setting(c.report_denials.value, c.report_denials.origin)},
  };
  j["warnings"] = c.warnings;
  return j;
}

const char* bool_text(bool b) {
  return b ? "true" : "false";
}

void line(std::string& out, const std::string& label, const std::string& value,
          const std::string& origin) {
  out += label + value + (origin.empty() ? "" : "  (" + origin + ")") + "\n";
}

std::string to_text(const Effective& e, const config::CliOptions& cli, const BackendView& b) {
  const auto& c = e.cfg;
  std::string o;
  line(o, "Workspace:        ", c.workspace, "");
  if (c.profile) line(o, "Profile:          ", c.profile->value, c.profile->origin);
  line(o, "Sandbox mode:     ", config::to_string(c.sandbox_mode.value), c.sandbox_mode.origin);
  line(o, "Approval policy:  ", config::to_string(c.approval_policy.value),
       c.approval_policy.origin);
  if (e.plan.unwrapped) {
    o += "Writable roots:   everywhere (danger-full-access: no sandbox)\n";
  } else if (e.plan.writable_roots.empty()) {
    o += "Writable roots:   none (read-only: only /dev/null can be written)\n";
  } else {
    o += "Writable roots:\n";
    for (const auto& r : e.plan.writable_roots) {
      line(o, "  ", r.path, root_origin(r, e, cli));
      for (const auto& p : r.protected_paths) {
        const bool exists = p.kind == policy::ProtectedPath::Kind::Existing;
        o += "    protected: " + p.path + " (" + p.why +
             (exists ? ", read-only" : ", missing: cannot be created") + ")\n";
      }
    }
  }
  if (c.permissions && !e.plan.unwrapped) {
    const auto& p = *c.permissions;
    std::string chain;
    for (size_t i = 1; i < p.chain.size(); ++i)
      chain += (i == 1 ? " (extends " : ", ") + p.chain[i];
    if (!chain.empty()) chain += ")";
    line(o, "Permissions:      ", p.name + chain, p.origin);
    o += e.fs.restricted_reads() ? "  reads: only the paths listed read or write below\n"
                                 : "  reads: everywhere except the paths listed none below\n";
    for (const auto& r : e.fs.rules) {
      if (r.is_protected) continue;  // listed with their writable root
      o += "  " + std::string(config::to_string(r.access)) + "  " + r.path +
           (r.type == FileType::Missing ? " (missing)" : "") + "  (" + r.rule + ", " + r.origin +
           ")\n";
    }
    for (const auto& g : e.fs.globs) {
      o += "  deny-read glob " + g.pattern + "  (" + g.origin +
           "): " + std::to_string(g.matches.size()) +
           (g.matches.size() == 1 ? " match" : " matches") + " now\n";
      for (const auto& m : g.matches) o += "    " + m + "\n";
    }
    if (!e.fs.globs.empty()) {
      o += "  (globs are expanded when a command starts: a file created later is not hidden)\n";
    }
  }
  line(o, "Network:          ", e.plan.network == sandbox::NetworkMode::Full ? "on" : "off",
       network_origin(e));
  if (e.plan.unwrapped) {
    o += "Backend:          none (danger-full-access: commands run without a sandbox)\n";
  } else if (b.decision) {
    line(o, "Backend:          ", sandbox::to_string(b.decision->backend), b.decision->why);
  } else {
    o += "Backend:          none works here: " + b.error + "\n";
  }
  for (const auto& u : b.unenforced) o += "  cannot enforce: " + u + "\n";
  line(o, "  sandbox_linux.backend: ", config::to_string(c.backend.value), c.backend.origin);
  line(o, "  use_legacy_landlock: ", bool_text(c.use_legacy_landlock.value),
       c.use_legacy_landlock.origin);
  line(o, "  features.use_linux_sandbox_bwrap: ", bool_text(c.use_linux_sandbox_bwrap.value),
       c.use_linux_sandbox_bwrap.origin);
  line(o, "  sandbox_linux.require_full_enforcement: ", bool_text(c.require_full_enforcement.value),
       c.require_full_enforcement.origin);
  line(o, "  sandbox_linux.report_denials: ", bool_text(c.report_denials.value),
       c.report_denials.origin);
  o += "Limits:\n";
  for (const auto& l : limits(c)) {
    line(o, std::string("  ") + l.name + ": ", limit_text(l.s->value, l.bytes), l.s->origin);
  }
  return o;
}

}  // namespace

void add_status_flags(CLI::App& app, StatusArgs& args) {
  add_config_flags(app, args.config);
  app.add_flag("--json", args.json, "Print one JSON object instead of words");
}

int run_status(const StatusArgs& args) {
  RealFileSystem fs;
  Effective e;
  if (int rc = load_effective(args.config, {}, fs, e); rc != 0) return rc;
  const BackendView b = backend_view(e, fs);
  if (args.json) {
    std::printf(
        "%s\n",
        to_json(e, args.config, b).dump(2, ' ', false, Json::error_handler_t::replace).c_str());
  } else {
    std::fputs(to_text(e, args.config, b).c_str(), stdout);
  }
  return 0;
}

}  // namespace cordon::cli
