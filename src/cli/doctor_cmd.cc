// cordon - `cordon doctor`.
#include "cli/doctor_cmd.h"

#include <cstdio>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "cli/sandbox_cmd.h"
#include "cli/status_cmd.h"
#include "sandbox/backend.h"
#include "sandbox/linux/probe.h"
#include "util/text.h"

namespace cordon::cli {
namespace {

using Json = nlohmann::ordered_json;
using sandbox::Backend;
using sandbox::linux::ProbeResult;

constexpr int kChosenBackendFails = 1;

// One line of the report: what was checked, whether it is there, and what was found or
// why not (with the fix).
struct Check {
  std::string name;
  bool ok = false;
  std::string detail;
};

std::string landlock_features(int abi) {
  std::string s = "ABI " + std::to_string(abi) + ": filesystem rules";
  if (abi >= 2) s += ", renames across directories";
  if (abi >= 3) s += ", truncate";
  if (abi >= 4) s += ", TCP bind/connect";
  if (abi >= 5) s += ", device ioctl";
  if (abi >= 6) s += ", abstract Unix sockets and signals scoped";
  return s;
}

std::vector<Check> host_checks(const ProbeResult& p) {
  std::vector<Check> out;
  if (p.bwrap_path && p.bwrap_works) {
    const std::string ver =
        p.bwrap_version.empty() ? "version unknown" : "bubblewrap " + p.bwrap_version;
    out.push_back({"bwrap", true, *p.bwrap_path + " (" + ver + "): a trial sandbox ran"});
  } else {
    out.push_back({"bwrap", false, p.bwrap_problem});
  }
  if (p.userns == true) {
    out.push_back({"user namespaces", true,
                   "a trial user namespace with a uid map and a tmpfs mount worked"});
  } else {
    out.push_back({"user namespaces", false, p.userns_problem});
  }
  if (p.landlock_abi > 0) {
    out.push_back({"landlock", true, landlock_features(p.landlock_abi)});
  } else {
    out.push_back({"landlock", false, p.landlock_problem});
  }
  if (p.seccomp) {
    std::string d = "filters available; user notification ";
    d += p.seccomp_user_notif ? "available" : "not available (needs Linux 5.0)";
    if (p.seccomp_inherited) d += "; cordon itself already runs under a seccomp filter";
    out.push_back({"seccomp", true, d});
  } else {
    out.push_back({"seccomp", false, p.seccomp_problem});
  }
  if (p.wsl1) {
    out.push_back({"wsl", false, sandbox::linux::kWsl1Problem});
  } else {
    out.push_back({"wsl", true, "not Windows Subsystem for Linux 1"});
  }
  return out;
}

struct BackendRow {
  Backend backend = Backend::Bwrap;
  bool works = false;
  std::string problem;                  // why it does not work here, with the fix
  std::vector<std::string> unenforced;  // what it cannot enforce of this plan
};

std::vector<BackendRow> backend_rows(const ProbeResult& p, const sandbox::SandboxPlan& plan) {
  std::vector<BackendRow> rows;
  for (Backend b : {Backend::Bwrap, Backend::Native, Backend::Landlock}) {
    BackendRow r;
    r.backend = b;
    if (b == Backend::Bwrap) {
      r.works = p.facts().bwrap.has_value();
      r.problem = p.bwrap_problem;
    } else if (b == Backend::Native) {
      r.works = p.userns == true;
      r.problem = p.userns_problem;
    } else {
      r.works = p.landlock_abi > 0;
      r.problem = p.landlock_problem;
    }
    if (r.works && !p.seccomp) {
      r.works = false;
      r.problem = "every backend installs a seccomp filter: " + p.seccomp_problem;
    }
    r.unenforced = sandbox::unenforced(plan, b, p.landlock_abi);
    rows.push_back(std::move(r));
  }
  return rows;
}

struct Report {
  std::vector<Check> checks;
  std::vector<BackendRow> rows;
  Result<sandbox::BackendDecision> chosen = Error{""};
  bool chosen_works = false;
};

Report make_report(const ProbeResult& p, const Effective& e) {
  Report r;
  r.checks = host_checks(p);
  r.rows = backend_rows(p, e.plan);
  r.chosen = sandbox::choose_backend(e.cfg, p.facts());
  if (r.chosen) {
    for (const auto& row : r.rows) {
      if (row.backend == r.chosen->backend) r.chosen_works = row.works;
    }
  }
  return r;
}

void print_line(bool ok, const std::string& name, const std::string& detail) {
  std::printf("%-8s %s: %s\n", ok ? "ok" : "missing", name.c_str(), detail.c_str());
}

void print_text(const Report& r) {
  for (const auto& c : r.checks) print_line(c.ok, c.name, c.detail);
  for (const auto& row : r.rows) {
    std::string d = row.works ? "works here" : row.problem;
    if (!row.unenforced.empty()) d += "; cannot enforce: " + join(row.unenforced, "; ");
    print_line(row.works, std::string("backend ") + sandbox::to_string(row.backend), d);
  }
  if (r.chosen) {
    print_line(r.chosen_works, "chosen backend",
               std::string(sandbox::to_string(r.chosen->backend)) + " (" + r.chosen->why + ")");
  } else {
    print_line(false, "chosen backend", r.chosen.error().message);
  }
}

Json to_json(const Report& r, const ProbeResult& p) {
  Json checks;
  for (const auto& c : r.checks) {
    std::string key = c.name;
    for (char& ch : key) ch = ch == ' ' ? '_' : ch;
    checks[key] = {{"ok", c.ok}, {"detail", c.detail}};
  }
  auto opt = [](const std::optional<long long>& v) { return v ? Json(*v) : Json(nullptr); };
  checks["bwrap"]["path"] = p.bwrap_path ? Json(*p.bwrap_path) : Json(nullptr);
  checks["bwrap"]["version"] = p.bwrap_version;
  checks["bwrap"]["trial_ran"] = p.bwrap_works;
  auto& userns = checks["user_namespaces"];
  userns["max_user_namespaces"] = opt(p.sysctls.max_user_namespaces);
  userns["unprivileged_userns_clone"] = opt(p.sysctls.unprivileged_userns_clone);
  userns["apparmor_restrict_unprivileged_userns"] = opt(p.sysctls.apparmor_restrict);
  checks["landlock"]["abi"] = p.landlock_abi;
  checks["seccomp"]["user_notification"] = p.seccomp_user_notif;
  checks["seccomp"]["inherited_filter"] = p.seccomp_inherited;
  checks["wsl"]["wsl1"] = p.wsl1;
  Json backends;
  for (const auto& row : r.rows) {
    backends[sandbox::to_string(row.backend)] = {{"works", row.works},
                                                 {"problem", row.works ? "" : row.problem},
                                                 {"unenforced", row.unenforced}};
  }
  Json chosen;
  chosen["backend"] = r.chosen ? Json(sandbox::to_string(r.chosen->backend)) : Json(nullptr);
  chosen["why"] = r.chosen ? r.chosen->why : "";
  chosen["error"] = r.chosen ? "" : r.chosen.error().message;
  chosen["works"] = r.chosen_works;
  return Json{{"ok", r.chosen_works},
              {"checks", checks},
              {"backends", backends},
              {"chosen", chosen},
              {"cap_last_cap", p.cap_last_cap}};
}

}  // namespace

void add_doctor_flags(CLI::App& app, DoctorArgs& args) {
  add_config_flags(app, args.config);
  app.add_flag("--json", args.json, "Print one JSON object instead of words");
}

int run_doctor(const DoctorArgs& args) {
  RealFileSystem fs;
  Effective e;
  if (int rc = load_effective(args.config, {}, fs, e); rc != 0) return rc;
  sandbox::linux::ProbeOptions po;
  po.path_env = std::getenv("PATH");
  for (const auto& r : e.plan.writable_roots) po.exclude_roots.push_back(r.path);
  po.exclude_roots.push_back(e.plan.cwd);
  po.full = true;
  const ProbeResult p = sandbox::linux::probe_host(po, fs);
  const Report r = make_report(p, e);
  if (args.json) {
    std::printf("%s\n", to_json(r, p).dump(2, ' ', false, Json::error_handler_t::replace).c_str());
  } else {
    print_text(r);
  }
  return r.chosen_works ? 0 : kChosenBackendFails;
}

}  // namespace cordon::cli
