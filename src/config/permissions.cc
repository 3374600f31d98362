// cordon - permission profiles: parsing, merging and `extends`.
#include "config/permissions.h"

#include <algorithm>
#include <set>

#include "config/suggest.h"
#include "policy/glob.h"
#include "util/paths.h"
#include "util/text.h"

namespace cordon::config {
namespace {

const std::vector<std::string> kProfileKeys = {"description", "extends", "filesystem", "network",
                                               "workspace_roots"};
const std::vector<std::string> kSpecialPaths = {
    ":root", ":minimal", ":project_roots", ":workspace_roots", ":tmpdir", ":slash_tmp"};
const std::vector<std::string> kAccessNames = {"read", "write", "none", "deny"};
const std::vector<std::string> kBuiltins = {":read-only", ":workspace", ":danger-full-access"};
const std::vector<std::string> kNetworkBools = {"enabled",
                                                "enable_socks5",
                                                "enable_socks5_udp",
                                                "allow_upstream_proxy",
                                                "allow_local_binding",
                                                "dangerously_allow_non_loopback_proxy",
                                                "dangerously_allow_all_unix_sockets"};
const std::vector<std::string> kNetworkStrings = {"mode", "proxy_url", "socks_url"};

std::string node_type_name(const toml::node& n) {
  if (n.is_string()) return "a string";
  if (n.is_integer()) return "an integer";
  if (n.is_floating_point()) return "a float";
  if (n.is_boolean()) return "a boolean";
  if (n.is_array()) return "an array";
  if (n.is_table()) return "a table";
  return "a date/time";
}

std::string join_names(const std::vector<std::string>& names) {
  std::vector<std::string> quoted;
  for (const auto& n : names) quoted.push_back("'" + n + "'");
  return join(quoted, ", ");
}

// The entries of a built-in profile (a parent of `extends`).
std::vector<FsEntry> builtin_entries(const std::string& name) {
  const std::string origin = "built-in profile " + name;
  auto entry = [&](FsEntry::Base base, std::string path, FsAccess access, std::string key) {
    return FsEntry{base, std::move(path), access, std::move(key), origin};
  };
  std::vector<FsEntry> e = {entry(FsEntry::Base::Root, "", FsAccess::Read, ":root")};
  if (name == ":workspace") {
    e.push_back(entry(FsEntry::Base::ProjectRoots, ".", FsAccess::Write, ":project_roots"));
    e.push_back(entry(FsEntry::Base::SlashTmp, "", FsAccess::Write, ":slash_tmp"));
    e.push_back(entry(FsEntry::Base::Tmpdir, "", FsAccess::Write, ":tmpdir"));
  }
  return e;
}

class Reader {
 public:
  Reader(const PermissionsReader& r) : r_(r) {}

  Error err(const toml::node& n, const std::string& msg) const {
    return Error{r_.where(n) + ": " + msg};
  }

  Status expect(const toml::node& v, const std::string& full, bool ok, const char* want) const {
    if (ok) return Ok{};
    return err(v, "'" + full + "' must be " + want + ", not " + node_type_name(v));
  }

  Status unknown(const toml::node& v, const std::string& full, const std::string& key,
                 const std::vector<std::string>& known) const {
    std::string msg = "unknown key '" + full + "'" + did_you_mean(key, known);
    if (r_.strict) return err(v, msg + " (--strict-config)");
    r_.warnings->push_back(r_.where(v) + ": " + msg + "; ignored");
    return Ok{};
  }

  Result<FsAccess> access(const toml::node& v, const std::string& full) const {
    if (auto s = expect(v, full, v.is_string(), "\"read\", \"write\" or \"none\""); !s) {
      return s.error();
    }
    const std::string a = *v.value<std::string>();
    if (a == "read") return FsAccess::Read;
    if (a == "write") return FsAccess::Write;
    if (a == "none" || a == "deny") return FsAccess::None;
    return err(v,
               "'" + full + "' = \"" + a +
                   "\": expected \"read\", \"write\" or \"none\" (\"deny\" is read as \"none\")" +
                   did_you_mean(a, kAccessNames));
  }

  // A glob is a deny-read pattern; for read and write only a trailing "/**" (a whole
  // directory) is accepted, and dropped.
  Status check_glob(const toml::node& v, const std::string& full, std::string& path,
                    FsAccess a) const {
    if (!policy::has_glob_chars(path) || a == FsAccess::None) return Ok{};
    if (path == "**") {  // ":project_roots" "./**": the root itself
      path.clear();
      return Ok{};
    }
    const bool whole_dir =
        path.size() >= 3 && path.compare(path.size() - 3, 3, "/**") == 0 &&
        !policy::has_glob_chars(std::string_view(path).substr(0, path.size() - 3));
    if (whole_dir) {
      path.resize(path.size() - 3);
      if (path.empty()) path = "/";
      return Ok{};
    }
    return err(v, "'" + full + "' = \"" + to_string(a) +
                      "\": a glob can only deny reads (\"none\"); for \"read\" or \"write\" name "
                      "the path, or a whole directory as DIR/**");
  }

  Status project_entry(ProfileDef& def, const std::string& full, const std::string& rel,
                       const toml::node& v) const {
    auto a = access(v, full);
    if (!a) return a.error();
    if (rel.empty() || rel[0] == '/') {
      return err(v, "'" + full +
                        "': a path under ':project_roots' is relative to each project "
                        "root (\".\" is the root itself), not \"" +
                        rel + "\"");
    }
    size_t start = 0;
    while (start <= rel.size()) {
      size_t slash = rel.find('/', start);
      if (slash == std::string::npos) slash = rel.size();
      if (rel.compare(start, slash - start, "..") == 0 && slash - start == 2) {
        return err(v, "'" + full + "': \"" + rel +
                          "\" leaves the project root; name paths outside it as absolute "
                          "paths in [permissions.<name>.filesystem]");
      }
      start = slash + 1;
    }
    std::string path = paths::normalize("/" + rel).substr(1);
    if (path.empty()) path = ".";
    if (auto s = check_glob(v, full, path, *a); !s) return s;
    if (path.empty() || path == "/") path = ".";
    add(def, FsEntry{FsEntry::Base::ProjectRoots, path, *a,
                     path == "." ? ":project_roots" : ":project_roots/" + path, r_.where(v)});
    return Ok{};
  }

  static void add(ProfileDef& def, FsEntry e) {
    auto it = std::find_if(def.filesystem.begin(), def.filesystem.end(),
                           [&](const FsEntry& o) { return o.same_target(e); });
    if (it != def.filesystem.end()) {
      *it = std::move(e);
    } else {
      def.filesystem.push_back(std::move(e));
    }
  }

  Status filesystem(ProfileDef& def, const std::string& full, const toml::node& v) const {
    if (auto s = expect(v, full, v.is_table(), "a table"); !s) return s;
    for (auto&& [k, ev] : *v.as_table()) {
      const std::string key(k.str());
      const std::string sub = full + ".\"" + key + "\"";
      if (key == "glob_scan_max_depth") {
        if (auto s = expect(ev, sub, ev.is_integer(), "a positive integer"); !s) return s;
        const int64_t n = *ev.value<int64_t>();
        if (n < 1 || n > 4096) {
          return err(
              ev, "'" + sub + "' must be at least 1 (and at most 4096), not " + std::to_string(n));
        }
        def.glob_scan_max_depth = Setting<int>{static_cast<int>(n), r_.where(ev)};
        continue;
      }
      if (!key.empty() && key[0] == ':') {
        if (key == ":project_roots" || key == ":workspace_roots") {
          if (ev.is_table()) {
            for (auto&& [rk, rv] : *ev.as_table()) {
              const std::string rel(rk.str());
              if (auto s = project_entry(def, sub + ".\"" + rel + "\"", rel, rv); !s) return s;
            }
          } else if (auto s = project_entry(def, sub, ".", ev); !s) {
            return s;
          }
          continue;
        }
        auto a = access(ev, sub);
        if (!a) return a.error();
        FsEntry::Base base;
        if (key == ":root") {
          base = FsEntry::Base::Root;
        } else if (key == ":minimal") {
          base = FsEntry::Base::Minimal;
        } else if (key == ":tmpdir") {
          base = FsEntry::Base::Tmpdir;
        } else if (key == ":slash_tmp") {
          base = FsEntry::Base::SlashTmp;
        } else {
          const std::string msg = "unknown special path '" + key +
                                  "'; known: ':root', "
                                  "':minimal', ':project_roots' (':workspace_roots'), ':tmpdir', "
                                  "':slash_tmp'" +
                                  did_you_mean(key, kSpecialPaths);
          // Skipping a grant only narrows the sandbox; skipping a denial would widen it.
          if (*a == FsAccess::None || r_.strict) return err(ev, msg);
          r_.warnings->push_back(r_.where(ev) + ": " + msg + "; ignored");
          continue;
        }
        add(def, FsEntry{base, "", *a, key, r_.where(ev)});
        continue;
      }
      if (!paths::is_absolute(key)) {
        return err(ev, "'" + sub + "': \"" + key +
                           "\" is not an absolute path; write it as \"/...\", or put paths "
                           "relative to the project under ':project_roots'");
      }
      auto a = access(ev, sub);
      if (!a) return a.error();
      std::string path = paths::normalize(key);
      if (auto s = check_glob(ev, sub, path, *a); !s) return s;
      add(def, FsEntry{FsEntry::Base::Path, path, *a, key, r_.where(ev)});
    }
    return Ok{};
  }

  Status allow_deny_table(const std::string& full, const toml::node& v, bool paths_only) const {
    if (auto s = expect(v, full, v.is_table(), "a table"); !s) return s;
    for (auto&& [k, ev] : *v.as_table()) {
      const std::string key(k.str());
      const std::string sub = full + ".\"" + key + "\"";
      if (auto s = expect(ev, sub, ev.is_string(), "\"allow\" or \"deny\""); !s) return s;
      const std::string d = *ev.value<std::string>();
      if (d != "allow" && d != "deny") {
        return err(ev, "'" + sub + "' = \"" + d + "\": expected \"allow\" or \"deny\"" +
                           did_you_mean(d, {"allow", "deny"}));
      }
      if (paths_only && !paths::is_absolute(key)) {
        return err(ev, "'" + sub + "': a Unix socket is named by its absolute path");
      }
    }
    return Ok{};
  }

  Status network(ProfileDef& def, const std::string& full, const toml::node& v) const {
    if (auto s = expect(v, full, v.is_table(), "a table"); !s) return s;
    for (auto&& [k, nv] : *v.as_table()) {
      const std::string key(k.str());
      const std::string sub = full + "." + key;
      if (std::find(kNetworkBools.begin(), kNetworkBools.end(), key) != kNetworkBools.end()) {
        if (auto s = expect(nv, sub, nv.is_boolean(), "a boolean"); !s) return s;
        if (key == "enabled") def.network_enabled = Setting<bool>{*nv.value<bool>(), r_.where(nv)};
      } else if (std::find(kNetworkStrings.begin(), kNetworkStrings.end(), key) !=
                 kNetworkStrings.end()) {
        if (auto s = expect(nv, sub, nv.is_string(), "a string"); !s) return s;
        const std::string m = *nv.value<std::string>();
        if (key == "mode" && m != "limited" && m != "full") {
          return err(nv, "'" + sub + "' = \"" + m + "\": expected \"limited\" or \"full\"");
        }
      } else if (key == "domains" || key == "unix_sockets") {
        if (auto s = allow_deny_table(sub, nv, key == "unix_sockets"); !s) return s;
        if (key == "domains" && !nv.as_table()->empty()) def.domains_origin = r_.where(nv);
      } else if (key == "mitm") {
        if (auto s = expect(nv, sub, nv.is_table(), "a table"); !s) return s;
      } else {
        std::vector<std::string> known = kNetworkBools;
        known.insert(known.end(), kNetworkStrings.begin(), kNetworkStrings.end());
        known.insert(known.end(), {"domains", "unix_sockets", "mitm"});
        if (auto s = unknown(nv, sub, key, known); !s) return s;
      }
    }
    return Ok{};
  }

  Status workspace_roots(ProfileDef& def, const std::string& full, const toml::node& v) const {
    if (auto s = expect(v, full, v.is_table(), "a table of absolute paths = true/false"); !s) {
      return s;
    }
    for (auto&& [k, rv] : *v.as_table()) {
      const std::string key(k.str());
      const std::string sub = full + ".\"" + key + "\"";
      if (auto s = expect(rv, sub, rv.is_boolean(), "a boolean"); !s) return s;
      if (!paths::is_absolute(key)) {
        return err(rv, "'" + sub + "': a project root is an absolute path, not \"" + key + "\"");
      }
      const std::string path = paths::normalize(key);
      std::erase_if(def.project_roots, [&](const auto& r) { return r.value == path; });
      if (*rv.value<bool>()) def.project_roots.push_back({path, r_.where(rv)});
    }
    return Ok{};
  }

  Status profile(ProfileDefs& defs, const std::string& name, const toml::node& v) const {
    const std::string full = "permissions." + name;
    if (auto s = expect(v, full, v.is_table(), "a table"); !s) return s;
    if (name.empty() || name[0] == ':') {
      return err(v, "'" + full + "': a profile's own name cannot " +
                        (name.empty() ? std::string("be empty")
                                      : "start with ':' (those are the built-in profiles " +
                                            std::string(":read-only, :workspace, "
                                                        ":danger-full-access)")));
    }
    ProfileDef& def = defs[name];
    if (def.name.empty()) {
      def.name = name;
      def.origin = r_.where(v);
    }
    for (auto&& [k, pv] : *v.as_table()) {
      const std::string key(k.str());
      const std::string sub = full + "." + key;
      Status s = Ok{};
      if (key == "description") {
        s = expect(pv, sub, pv.is_string(), "a string");
      } else if (key == "extends") {
        s = expect(pv, sub, pv.is_string(), "a string (the name of another profile)");
        if (s) def.extends = Setting<std::string>{*pv.value<std::string>(), r_.where(pv)};
      } else if (key == "filesystem") {
        s = filesystem(def, sub, pv);
      } else if (key == "network") {
        s = network(def, sub, pv);
      } else if (key == "workspace_roots") {
        s = workspace_roots(def, sub, pv);
      } else {
        s = unknown(pv, sub, key, kProfileKeys);
      }
      if (!s) return s;
    }
    return Ok{};
  }

 private:
  const PermissionsReader& r_;
};

}  // namespace

std::optional<SandboxMode> builtin_profile_mode(const std::string& name) {
  if (name == ":read-only") return SandboxMode::ReadOnly;
  if (name == ":workspace") return SandboxMode::WorkspaceWrite;
  if (name == ":danger-full-access") return SandboxMode::DangerFullAccess;
  return std::nullopt;
}

Status read_permissions(const PermissionsReader& r, const toml::node& permissions,
                        ProfileDefs& defs) {
  Reader reader(r);
  if (auto s = reader.expect(permissions, "permissions", permissions.is_table(),
                             "a table of profiles ([permissions.<name>])");
      !s) {
    return s;
  }
  for (auto&& [k, v] : *permissions.as_table()) {
    if (auto s = reader.profile(defs, std::string(k.str()), v); !s) return s;
  }
  return Ok{};
}

Result<PermissionProfile> resolve_profile(const std::string& name, const std::string& origin,
                                          const ProfileDefs& defs) {
  std::vector<std::string> defined;
  for (const auto& [n, d] : defs) defined.push_back(n);
  if (name.empty() || name[0] == ':') {
    return Error{origin + ": unknown built-in profile '" + name +
                 "'; expected ':read-only', ':workspace' or ':danger-full-access'" +
                 did_you_mean(name, kBuiltins)};
  }
  // The chain from the selected profile up to its root (a built-in or a profile without
  // `extends`).
  std::vector<const ProfileDef*> chain;
  std::string base;  // the built-in at the top of the chain, if any
  std::string current = name;
  std::string asked_at = origin;
  for (;;) {
    auto it = defs.find(current);
    if (it == defs.end()) {
      const std::string known = defined.empty() ? "no [permissions.<name>] profiles are defined"
                                                : "defined: " + join_names(defined) +
                                                      "; built-in: " + join_names(kBuiltins);
      return Error{asked_at + ": no permission profile named '" + current + "' (" + known + ")" +
                   did_you_mean(current, defined)};
    }
    chain.push_back(&it->second);
    if (!it->second.extends) break;
    const Setting<std::string>& parent = *it->second.extends;
    if (builtin_profile_mode(parent.value)) {
      if (parent.value == ":danger-full-access") {
        return Error{parent.origin + ": profile '" + current +
                     "' cannot extend ':danger-full-access' (it has no sandbox to add to)"};
      }
      base = parent.value;
      break;
    }
    for (const ProfileDef* d : chain) {
      if (d->name == parent.value) {
        std::string cycle;
        for (const ProfileDef* c : chain) cycle += c->name + " -> ";
        return Error{parent.origin + ": profile '" + current + "' extends '" + parent.value +
                     "', which is already in its chain (" + cycle + parent.value + "): a cycle"};
      }
    }
    if (!parent.value.empty() && parent.value[0] == ':') {
      return Error{parent.origin + ": unknown built-in profile '" + parent.value +
                   "'; expected ':read-only' or ':workspace'" +
                   did_you_mean(parent.value, kBuiltins)};
    }
    current = parent.value;
    asked_at = parent.origin;
  }

  PermissionProfile p;
  p.name = name;
  p.origin = origin;
  if (!base.empty()) p.filesystem = builtin_entries(base);
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    const ProfileDef& d = **it;
    for (const FsEntry& e : d.filesystem) {
      auto same = std::find_if(p.filesystem.begin(), p.filesystem.end(),
                               [&](const FsEntry& o) { return o.same_target(e); });
      if (same != p.filesystem.end()) {
        *same = e;
      } else {
        p.filesystem.push_back(e);
      }
    }
    if (d.glob_scan_max_depth) p.glob_scan_max_depth = d.glob_scan_max_depth;
    if (d.network_enabled) p.network_enabled = d.network_enabled;
    if (d.domains_origin) p.domains_origin = d.domains_origin;
    for (const auto& r : d.project_roots) {
      std::erase_if(p.project_roots, [&](const auto& o) { return o.value == r.value; });
      p.project_roots.push_back(r);
    }
  }
  for (const ProfileDef* d : chain) p.chain.push_back(d->name);
  if (!base.empty()) p.chain.push_back(base);
  return p;
}

}  // namespace cordon::config
