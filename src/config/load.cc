// cordon - layered configuration: validation and precedence.
#include "config/load.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <memory>
#include <sstream>

#include <toml++/toml.h>

#include "config/overrides.h"
#include "config/permissions.h"
#include "config/suggest.h"
#include "config/toml_guard.h"
#include "util/paths.h"
#include "util/printable.h"

namespace cordon::config {
namespace {

constexpr size_t kMaxConfigBytes = 4 << 20;

// One source of settings and how to name a position in it.
struct Layer {
  std::string name;  // file path, "-c 'k=v'", or "--sandbox"
  bool is_file = false;
  // The parsed document, shared by the layers cut from it (a profile is a sub-table of its
  // file's document; pointing into it keeps the source positions, which copies lose).
  std::shared_ptr<toml::table> doc;
  const toml::table* table = nullptr;
  std::string prefix;  // "profile 'x' " for a profile layer

  std::string where(const toml::source_region& src) const {
    if (is_file && src.begin.line > 0) {
      return name + ":" + std::to_string(src.begin.line) + ":" + std::to_string(src.begin.column);
    }
    return name;
  }
  std::string origin(const toml::node& n) const { return prefix + where(n.source()); }
};

enum class Scope { Top, Profile };

// Keys of Codex's config.toml that cordon reads nothing from: accepted silently so a
// Codex config works unchanged.
const std::vector<std::string>& codex_ignored_keys() {
  static const std::vector<std::string> keys = {"model",
                                                "model_provider",
                                                "model_providers",
                                                "model_reasoning_effort",
                                                "model_reasoning_summary",
                                                "model_verbosity",
                                                "model_context_window",
                                                "model_auto_compact_token_limit",
                                                "model_supports_reasoning_summaries",
                                                "review_model",
                                                "personality",
                                                "approvals_reviewer",
                                                "allow_login_shell",
                                                "web_search",
                                                "tools",
                                                "mcp_servers",
                                                "history",
                                                "tui",
                                                "notify",
                                                "otel",
                                                "file_opener",
                                                "shell_environment_policy",
                                                "projects",
                                                "hide_agent_reasoning",
                                                "show_raw_agent_reasoning",
                                                "instructions",
                                                "developer_instructions",
                                                "experimental_instructions_file",
                                                "model_instructions_file",
                                                "project_doc_max_bytes",
                                                "project_doc_fallback_filenames",
                                                "windows",
                                                "chatgpt_base_url",
                                                "preferred_auth_method",
                                                "forced_login_method",
                                                "forced_chatgpt_workspace_id",
                                                "cli_auth_credentials_store",
                                                "mcp_oauth_credentials_store",
                                                "disable_paste_burst",
                                                "check_for_update_on_startup",
                                                "analytics",
                                                "feedback",
                                                "oss_provider",
                                                "skills",
                                                "agents",
                                                "hooks",
                                                "memories",
                                                "apps",
                                                "notice",
                                                "auto_review",
                                                "model_reasoning_summary_format",
                                                "sandbox",
                                                "experimental_use_rmcp_client",
                                                "experimental_use_exec_command_tool",
                                                "show_tooltips",
                                                "tool_output_token_limit",
                                                "zsh_path",
                                                "log_dir",
                                                "sqlite_home"};
  return keys;
}

const std::vector<std::string>& known_top_keys() {
  static const std::vector<std::string> keys = {"sandbox_mode",
                                                "approval_policy",
                                                "sandbox_workspace_write",
                                                "profile",
                                                "profiles",
                                                "features",
                                                "default_permissions",
                                                "permissions",
                                                "network_proxy",
                                                "use_legacy_landlock",
                                                "sandbox_linux"};
  return keys;
}

const std::vector<std::string> kSandboxModes = {"read-only", "workspace-write",
                                                "danger-full-access"};
const std::vector<std::string> kApprovalNames = {"untrusted", "on-request", "on-failure", "never"};
const std::vector<std::string> kWorkspaceWriteKeys = {
    "writable_roots", "network_access", "exclude_tmpdir_env_var", "exclude_slash_tmp"};
const std::vector<std::string> kBackendNames = {"auto", "bwrap", "native", "landlock"};
const std::vector<std::string> kSandboxLinuxKeys = {
    "backend",         "require_full_enforcement", "max_processes", "max_memory",
    "max_cpu_seconds", "max_open_files",           "report_denials"};
const std::vector<std::string> kGranularKeys = {"sandbox_approval", "rules", "mcp_elicitations",
                                                "request_permissions", "skill_approval"};
const std::vector<std::string> kRejectKeys = {"sandbox_approval", "rules", "mcp_elicitations"};

std::string type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    default:
      return "a date/time";
  }
}

std::string quoted_list(const std::vector<std::string>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s += i + 1 == v.size() ? " or " : ", ";
    s += "'" + v[i] + "'";
  }
  return s;
}

std::string join_key(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

// Validates layers and writes their values into the effective config.
class Applier {
 public:
  Applier(EffectiveConfig& out, bool strict) : out_(out), strict_(strict) {}

  // Validates a whole layer and applies its settings (Top scope).
  Status apply(const Layer& layer, Scope scope, const std::string& key_prefix = "") {
    legacy_landlock_ = {};
    layer_mode_ = nullptr;
    layer_permissions_ = nullptr;
    if (auto s = apply_table(layer, *layer.table, scope, key_prefix); !s) return s;
    if (layer_mode_ != nullptr && layer_permissions_ != nullptr) {
      return err(layer, *layer_permissions_,
                 "'default_permissions' and 'sandbox_mode' (at " +
                     layer.where(layer_mode_->source()) +
                     ") are both set here; they choose the sandbox in two different ways. "
                     "Keep one.");
    }
    return Ok{};
  }

  // After every layer: the sandbox chosen by the highest layer that set sandbox_mode or
  // default_permissions, with a profile resolved through its `extends` chain.
  Status finish() {
    if (!default_permissions_) {
      // A profile a higher layer overrode is still checked: a name that goes nowhere is a
      // mistake either way.
      if (last_named_ && !builtin_profile_mode(last_named_->value)) {
        if (auto p = resolve_profile(last_named_->value, last_named_->origin, defs_); !p) {
          return p.error();
        }
      }
      if (first_permissions_ && !last_named_) {
        return Error{*first_permissions_ +
                     ": [permissions] profiles are defined but no 'default_permissions' "
                     "selects one; add default_permissions = \"<name>\" (or remove them)"};
      }
      return Ok{};
    }
    const Setting<std::string>& sel = *default_permissions_;
    if (auto mode = builtin_profile_mode(sel.value)) {
      out_.sandbox_mode = {*mode,
                           "default_permissions = \"" + sel.value + "\" (" + sel.origin + ")"};
      return Ok{};
    }
    auto p = resolve_profile(sel.value, sel.origin, defs_);
    if (!p) return p.error();
    const std::string origin = "default_permissions = \"" + sel.value + "\" (" + sel.origin + ")";
    const bool writes = std::any_of(p->filesystem.begin(), p->filesystem.end(),
                                    [](const FsEntry& e) { return e.access == FsAccess::Write; });
    out_.sandbox_mode = {writes ? SandboxMode::WorkspaceWrite : SandboxMode::ReadOnly, origin};
    out_.network_access = p->network_enabled ? *p->network_enabled : Setting<bool>{false, origin};
    if (p->domains_origin && out_.network_access.value) {
      return Error{*p->domains_origin + ": permission profile '" + sel.value +
                   "' lists network domains, but only a network proxy can filter by domain "
                   "and this version of cordon has none: the network would be open to every "
                   "host. Remove the domains, or set network.enabled = false."};
    }
    out_.permissions = std::move(*p);
    return Ok{};
  }

  Status apply_table(const Layer& L, const toml::table& t, Scope scope,
                     const std::string& key_prefix) {
    for (auto&& [k, v] : t) {
      const std::string key(k.str());
      const std::string full = join_key(key_prefix, key);
      Status s = apply_key(L, key, full, v, scope);
      if (!s) return s;
    }
    return Ok{};
  }

 private:
  Error err(const Layer& L, const toml::node& n, const std::string& msg) const {
    return Error{L.where(n.source()) + ": " + msg};
  }

  Status expect_type(const Layer& L, const std::string& full, const toml::node& v,
                     toml::node_type want, const char* want_name) {
    if (v.type() == want) return Ok{};
    return err(L, v, "'" + full + "' must be " + want_name + ", not " + type_name(v));
  }

  Status unknown_key(const Layer& L, const std::string& full, const std::string& key,
                     const toml::node& v, const std::vector<std::string>& known) {
    std::string msg = "unknown key '" + full + "'" + did_you_mean(key, known);
    if (strict_) return err(L, v, msg + " (--strict-config)");
    out_.warnings.push_back(L.where(v.source()) + ": " + msg + "; ignored");
    return Ok{};
  }

  Status apply_key(const Layer& L, const std::string& key, const std::string& full,
                   const toml::node& v, Scope scope) {
    if (key == "sandbox_mode") return apply_sandbox_mode(L, full, v);
    if (key == "approval_policy") return apply_approval(L, full, v);
    if (key == "sandbox_workspace_write") return apply_workspace_write(L, full, v);
    if (key == "features") return apply_features(L, full, v);
    if (key == "use_legacy_landlock") {
      if (auto s = expect_type(L, full, v, toml::node_type::boolean, "a boolean"); !s) return s;
      if (auto s = set_legacy_landlock(L, full, v); !s) return s;
      return Ok{};
    }
    if (key == "sandbox_linux") return apply_sandbox_linux(L, full, v);
    if (key == "default_permissions") {
      if (auto s = expect_type(L, full, v, toml::node_type::string, "a string"); !s) return s;
      default_permissions_ = Setting<std::string>{*v.value<std::string>(), L.origin(v)};
      last_named_ = default_permissions_;
      layer_permissions_ = &v;
      return Ok{};
    }
    if (key == "permissions") {
      if (scope == Scope::Profile) {
        return err(L, v,
                   "'" + full +
                       "': permission profiles are defined at the top level "
                       "([permissions.<name>]); a config profile can select one with "
                       "default_permissions");
      }
      PermissionsReader r{[&L](const toml::node& n) { return L.origin(n); }, strict_,
                          &out_.warnings};
      if (auto s = read_permissions(r, v, defs_); !s) return s;
      if (!first_permissions_) first_permissions_ = L.origin(v);
      return Ok{};
    }
    if (key == "network_proxy") return apply_proxy_enabled(L, full, v);
    if (scope == Scope::Top && key == "profile") {
      return expect_type(L, full, v, toml::node_type::string, "a string");
    }
    if (scope == Scope::Top && key == "profiles") return validate_profiles(L, full, v);
    const auto& ignored = codex_ignored_keys();
    if (std::find(ignored.begin(), ignored.end(), key) != ignored.end()) return Ok{};
    std::vector<std::string> known = known_top_keys();
    if (scope == Scope::Profile) {
      known.erase(std::remove(known.begin(), known.end(), "profiles"), known.end());
      known.erase(std::remove(known.begin(), known.end(), "profile"), known.end());
    }
    return unknown_key(L, full, key, v, known);
  }

  Status apply_sandbox_mode(const Layer& L, const std::string& full, const toml::node& v) {
    if (auto s = expect_type(L, full, v, toml::node_type::string, "a string"); !s) return s;
    const std::string m = *v.value<std::string>();
    SandboxMode mode;
    if (m == "read-only") {
      mode = SandboxMode::ReadOnly;
    } else if (m == "workspace-write") {
      mode = SandboxMode::WorkspaceWrite;
    } else if (m == "danger-full-access") {
      mode = SandboxMode::DangerFullAccess;
    } else {
      return err(L, v,
                 "unknown sandbox mode '" + m + "'; expected " + quoted_list(kSandboxModes) +
                     did_you_mean(m, kSandboxModes));
    }
    out_.sandbox_mode = {mode, L.origin(v)};
    default_permissions_.reset();  // the legacy way of choosing wins in this layer and above
    layer_mode_ = &v;
    return Ok{};
  }

  Status read_bool_table(const Layer& L, const std::string& full, const toml::table& t,
                         const std::vector<std::string>& keys, ApprovalPolicy& p) {
    for (auto&& [k, v] : t) {
      const std::string key(k.str());
      const std::string sub = full + "." + key;
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
        return err(L, v,
                   "unknown approval category '" + sub + "'; expected one of " + quoted_list(keys) +
                       did_you_mean(key, keys));
      }
      if (auto s = expect_type(L, sub, v, toml::node_type::boolean, "a boolean"); !s) return s;
      bool b = *v.value<bool>();
      if (key == "sandbox_approval") p.sandbox_approval = b;
      if (key == "rules") p.rules = b;
      if (key == "mcp_elicitations") p.mcp_elicitations = b;
      if (key == "request_permissions") p.request_permissions = b;
      if (key == "skill_approval") p.skill_approval = b;
    }
    return Ok{};
  }

  Status apply_approval(const Layer& L, const std::string& full, const toml::node& v) {
    ApprovalPolicy p;
    if (v.is_string()) {
      const std::string a = *v.value<std::string>();
      if (a == "untrusted") {
        p.kind = ApprovalPolicy::Kind::Untrusted;
      } else if (a == "on-request" || a == "on-failure") {
        p.kind = ApprovalPolicy::Kind::OnRequest;
      } else if (a == "never") {
        p.kind = ApprovalPolicy::Kind::Never;
      } else {
        return err(L, v,
                   "unknown approval policy '" + a + "'; expected " + quoted_list(kApprovalNames) +
                       " or a table { granular = { ... } }" + did_you_mean(a, kApprovalNames));
      }
    } else if (v.is_table()) {
      const toml::table& t = *v.as_table();
      if (t.size() != 1) {
        return err(L, v,
                   "'" + full + "' as a table must hold exactly one of 'granular' or 'reject'");
      }
      const auto first = t.cbegin();
      const toml::node& inner = first->second;
      const std::string form(first->first.str());
      const std::string sub = full + "." + form;
      if (form != "granular" && form != "reject") {
        return err(L, inner,
                   "unknown approval policy form '" + form + "'; expected 'granular' or 'reject'" +
                       did_you_mean(form, {"granular", "reject"}));
      }
      if (auto s = expect_type(L, sub, inner, toml::node_type::table, "a table"); !s) return s;
      p.kind = form == "granular" ? ApprovalPolicy::Kind::Granular : ApprovalPolicy::Kind::Reject;
      if (auto s = read_bool_table(L, sub, *inner.as_table(),
                                   form == "granular" ? kGranularKeys : kRejectKeys, p);
          !s) {
        return s;
      }
    } else {
      return err(L, v, "'" + full + "' must be a string or a table, not " + type_name(v));
    }
    out_.approval_policy = {p, L.origin(v)};
    return Ok{};
  }

  Status apply_workspace_write(const Layer& L, const std::string& full, const toml::node& v) {
    if (auto s = expect_type(L, full, v, toml::node_type::table, "a table"); !s) return s;
    for (auto&& [k, sv] : *v.as_table()) {
      const std::string key(k.str());
      const std::string sub = full + "." + key;
      if (key == "writable_roots") {
        if (auto s = expect_type(L, sub, sv, toml::node_type::array, "an array of absolute paths");
            !s) {
          return s;
        }
        std::vector<std::string> roots;
        for (const toml::node& e : *sv.as_array()) {
          if (!e.is_string()) {
            return err(
                L, e,
                "'" + sub + "' entries must be strings (absolute paths), not " + type_name(e));
          }
          const std::string p = *e.value<std::string>();
          if (!paths::is_absolute(p)) {
            return err(L, e,
                       "'" + sub + "' entry '" + p +
                           "' is not an absolute path; write it as '/...' (use --add-dir "
                           "for a directory relative to where you run cordon)");
          }
          roots.push_back(paths::normalize(p));
        }
        out_.writable_roots = {roots, L.origin(sv)};
      } else if (key == "network_access" || key == "exclude_tmpdir_env_var" ||
                 key == "exclude_slash_tmp") {
        if (auto s = expect_type(L, sub, sv, toml::node_type::boolean, "a boolean"); !s) return s;
        Setting<bool> val{*sv.value<bool>(), L.origin(sv)};
        if (key == "network_access") out_.network_access = val;
        if (key == "exclude_tmpdir_env_var") out_.exclude_tmpdir_env_var = val;
        if (key == "exclude_slash_tmp") out_.exclude_slash_tmp = val;
      } else {
        if (auto s = unknown_key(L, sub, key, sv, kWorkspaceWriteKeys); !s) return s;
      }
    }
    return Ok{};
  }

  Status apply_proxy_enabled(const Layer& L, const std::string& full, const toml::node& v) {
    if (v.is_boolean()) {
      out_.network_proxy = {*v.value<bool>(), L.origin(v)};
      return Ok{};
    }
    if (auto s = expect_type(L, full, v, toml::node_type::table, "a boolean or a table"); !s) {
      return s;
    }
    const toml::table& t = *v.as_table();
    if (const toml::node* en = t.get("enabled")) {
      if (auto s = expect_type(L, full + ".enabled", *en, toml::node_type::boolean, "a boolean");
          !s) {
        return s;
      }
      out_.network_proxy = {*en->value<bool>(), L.origin(*en)};
    }
    return Ok{};
  }

  // A limit: a positive integer, "unlimited", or for max_memory a size such as "512M" or
  // "2GiB" (K, M, G, T are powers of 1024).
  Result<unsigned long long> read_limit(const Layer& L, const std::string& full,
                                        const toml::node& v, bool is_size) {
    const char* expected = is_size ? "a positive number of bytes, a size such as \"512M\" or "
                                     "\"2G\", or \"unlimited\""
                                   : "a positive integer or \"unlimited\"";
    if (v.is_integer()) {
      const int64_t n = *v.value<int64_t>();
      if (n <= 0) {
        return err(L, v, "'" + full + "' must be " + expected + ", not " + std::to_string(n));
      }
      return static_cast<unsigned long long>(n);
    }
    if (!v.is_string())
      return err(L, v, "'" + full + "' must be " + expected + ", not " + type_name(v));
    const std::string text = *v.value<std::string>();
    if (text == "unlimited") return kUnlimited;
    if (!is_size) return err(L, v, "'" + full + "' must be " + expected + ", not \"" + text + "\"");
    size_t i = 0;
    unsigned long long n = 0;
    bool overflow = false;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      const unsigned digit = static_cast<unsigned>(text[i] - '0');
      if (n > (~0ULL - digit) / 10) overflow = true;
      n = n * 10 + digit;
      ++i;
    }
    unsigned shift = 0;
    std::string unit = text.substr(i);
    // Units: K, M, G, T (powers of 1024), optionally followed by B or iB; or B alone.
    for (char& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (unit == "B") unit.clear();
    if (!unit.empty()) {
      const std::string units = "KMGT";
      const auto u = units.find(unit[0]);
      const std::string rest = unit.substr(1);
      if (u != std::string::npos && (rest.empty() || rest == "B" || rest == "IB")) {
        shift = 10 * static_cast<unsigned>(u + 1);
        unit.clear();
      }
    }
    if (i == 0 || !unit.empty() || n == 0 || overflow || (shift != 0 && n > (~0ULL >> shift))) {
      return err(L, v, "'" + full + "' must be " + expected + ", not \"" + text + "\"");
    }
    return n << shift;
  }

  Status apply_sandbox_linux(const Layer& L, const std::string& full, const toml::node& v) {
    if (auto s = expect_type(L, full, v, toml::node_type::table, "a table"); !s) return s;
    for (auto&& [k, sv] : *v.as_table()) {
      const std::string key(k.str());
      const std::string sub = full + "." + key;
      if (key == "backend") {
        if (auto s = expect_type(L, sub, sv, toml::node_type::string, "a string"); !s) return s;
        const std::string b = *sv.value<std::string>();
        const auto it = std::find(kBackendNames.begin(), kBackendNames.end(), b);
        if (it == kBackendNames.end()) {
          return err(L, sv,
                     "unknown backend '" + b + "'; expected " + quoted_list(kBackendNames) +
                         did_you_mean(b, kBackendNames));
        }
        out_.backend = {static_cast<BackendChoice>(it - kBackendNames.begin()), L.origin(sv)};
      } else if (key == "require_full_enforcement") {
        if (auto s = expect_type(L, sub, sv, toml::node_type::boolean, "a boolean"); !s) return s;
        out_.require_full_enforcement = {*sv.value<bool>(), L.origin(sv)};
      } else if (key == "report_denials") {
        if (auto s = expect_type(L, sub, sv, toml::node_type::boolean, "a boolean"); !s) return s;
        out_.report_denials = {*sv.value<bool>(), L.origin(sv)};
      } else if (key == "max_processes" || key == "max_memory" || key == "max_cpu_seconds" ||
                 key == "max_open_files") {
        auto n = read_limit(L, sub, sv, key == "max_memory");
        if (!n) return n.error();
        Setting<unsigned long long> val{*n, L.origin(sv)};
        if (key == "max_processes") out_.max_processes = val;
        if (key == "max_memory") out_.max_memory = val;
        if (key == "max_cpu_seconds") out_.max_cpu_seconds = val;
        if (key == "max_open_files") out_.max_open_files = val;
      } else {
        if (auto s = unknown_key(L, sub, key, sv, kSandboxLinuxKeys); !s) return s;
      }
    }
    return Ok{};
  }

  Status apply_features(const Layer& L, const std::string& full, const toml::node& v) {
    if (auto s = expect_type(L, full, v, toml::node_type::table, "a table"); !s) return s;
    for (auto&& [k, fv] : *v.as_table()) {
      const std::string key(k.str());
      const std::string sub = full + "." + key;
      if (key == "network_proxy") {
        if (auto s = apply_proxy_enabled(L, sub, fv); !s) return s;
      } else if (key == "use_linux_sandbox_bwrap") {
        if (auto s = expect_type(L, sub, fv, toml::node_type::boolean, "a boolean"); !s) return s;
        out_.use_linux_sandbox_bwrap = {*fv.value<bool>(), L.origin(fv)};
      } else if (key == "use_legacy_landlock") {
        if (auto s = expect_type(L, sub, fv, toml::node_type::boolean, "a boolean"); !s) return s;
        if (auto s = set_legacy_landlock(L, sub, fv); !s) return s;
      }
      // Other feature flags belong to Codex features cordon does not have; they are
      // accepted so Codex configs load unchanged.
    }
    return Ok{};
  }

  Status validate_profiles(const Layer& L, const std::string& full, const toml::node& v) {
    if (auto s = expect_type(L, full, v, toml::node_type::table, "a table of profiles"); !s) {
      return s;
    }
    for (auto&& [k, pv] : *v.as_table()) {
      const std::string sub = full + "." + std::string(k.str());
      if (auto s = expect_type(L, sub, pv, toml::node_type::table, "a table"); !s) return s;
      EffectiveConfig scratch;
      Applier check(scratch, strict_);
      if (auto s = check.apply_table(L, *pv.as_table(), Scope::Profile, sub); !s) return s;
      out_.warnings.insert(out_.warnings.end(), scratch.warnings.begin(), scratch.warnings.end());
    }
    return Ok{};
  }

  // use_legacy_landlock and features.use_legacy_landlock are one setting: within one layer
  // they must agree (toml++ visits keys in name order, so "the last one" would be arbitrary).
  Status set_legacy_landlock(const Layer& L, const std::string& full, const toml::node& v) {
    const bool value = *v.value<bool>();
    if (legacy_landlock_.node != nullptr && legacy_landlock_.value != value) {
      return err(L, v,
                 "'" + full + "' = " + (value ? "true" : "false") + " contradicts '" +
                     legacy_landlock_.key + "' = " + (legacy_landlock_.value ? "true" : "false") +
                     " at " + L.where(legacy_landlock_.node->source()) +
                     "; they are the same setting, keep one");
    }
    legacy_landlock_ = {&v, full, value};
    out_.use_legacy_landlock = {value, L.origin(v)};
    return Ok{};
  }

  struct LegacyLandlockSeen {
    const toml::node* node = nullptr;  // in the layer being applied
    std::string key;
    bool value = false;
  };

  EffectiveConfig& out_;
  bool strict_;
  LegacyLandlockSeen legacy_landlock_;
  // Permission profiles over every layer, and the selection.
  ProfileDefs defs_;
  std::optional<std::string> first_permissions_;             // where [permissions] first appeared
  std::optional<Setting<std::string>> default_permissions_;  // the selection still in force
  std::optional<Setting<std::string>> last_named_;           // by the highest layer naming one
  const toml::node* layer_mode_ = nullptr;         // sandbox_mode in the layer being applied
  const toml::node* layer_permissions_ = nullptr;  // default_permissions in that layer
};

Result<std::optional<Layer>> read_file_layer(const std::string& path, const FileSystem& fs) {
  if (fs.lstat_type(path) == FileType::Missing) return std::optional<Layer>{};
  auto text = fs.read_file(path, kMaxConfigBytes);
  if (!text) {
    return Error{path +
                 ": cannot read the config file (unreadable, not a regular file, or "
                 "larger than 4 MiB)"};
  }
  Layer layer;
  layer.name = path;
  layer.is_file = true;
  if (auto bad = toml_guard(*text)) {
    return Error{path + ":" + std::to_string(bad->line) + ":" + std::to_string(bad->column) +
                 ": TOML syntax error: " + bad->message};
  }
  try {
    layer.doc =
        std::make_shared<toml::table>(toml::parse(std::string_view(*text), std::string_view(path)));
    layer.table = layer.doc.get();
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    return Error{path + ":" + std::to_string(b.line) + ":" + std::to_string(b.column) +
                 ": TOML syntax error: " + std::string(e.description())};
  }
  return std::optional<Layer>{std::move(layer)};
}

Layer flag_layer(const std::string& flag,
                 std::initializer_list<std::pair<const char*, std::string>> kv) {
  Layer l;
  l.name = flag;
  l.doc = std::make_shared<toml::table>();
  for (const auto& [k, v] : kv) l.doc->insert_or_assign(k, v);
  l.table = l.doc.get();
  return l;
}

Result<std::string> resolve_dir(const std::string& flag, const std::string& given,
                                const std::string& base, const FileSystem& fs) {
  if (given.empty()) return Error{flag + ": expected a directory, got an empty string"};
  const std::string abs = paths::join(base, given);
  auto real = fs.realpath(abs);
  if (!real) return Error{flag + " '" + given + "': no such directory (" + abs + ")"};
  if (fs.lstat_type(*real) != FileType::Directory) {
    return Error{flag + " '" + given + "': not a directory (" + *real + ")"};
  }
  return abs;
}

Result<EffectiveConfig> load_layers(const LoadInputs& in, const FileSystem& fs) {
  EffectiveConfig out;
  std::vector<Layer> files;
  for (const std::string& path : {in.system_config, in.user_config}) {
    if (path.empty()) continue;
    auto layer = read_file_layer(path, fs);
    if (!layer) return layer.error();
    if (*layer) files.push_back(std::move(**layer));
  }

  std::vector<Layer> overrides;
  for (const std::string& text : in.cli.overrides) {
    auto t = parse_override(text);
    if (!t) return t.error();
    Layer l;
    l.name = "-c '" + text + "'";
    l.doc = std::make_shared<toml::table>(std::move(*t));
    l.table = l.doc.get();
    overrides.push_back(std::move(l));
  }

  Applier apply(out, in.cli.strict_config);
  for (const Layer& l : files) {
    if (auto s = apply.apply(l, Scope::Top); !s) return s.error();
  }

  // Profile selection: --profile, else the highest layer's `profile` key.
  std::optional<Setting<std::string>> selected;
  const Layer* selected_by = nullptr;
  const toml::node* selected_node = nullptr;
  for (const auto* group : {&files, &overrides}) {
    for (const Layer& l : *group) {
      if (const toml::node* n = l.table->get("profile"); n != nullptr && n->is_string()) {
        selected = Setting<std::string>{*n->value<std::string>(), l.origin(*n)};
        selected_by = &l;
        selected_node = n;
      }
    }
  }
  if (in.cli.profile) {
    selected = Setting<std::string>{*in.cli.profile, "--profile"};
    selected_by = nullptr;
  }
  if (selected) {
    std::vector<std::string> defined;
    std::vector<Layer> profile_layers;
    for (const auto* group : {&files, &overrides}) {
      for (const Layer& l : *group) {
        const toml::table* profiles = l.table->get_as<toml::table>("profiles");
        if (profiles == nullptr) continue;
        for (auto&& [k, v] : *profiles) {
          if (std::find(defined.begin(), defined.end(), k.str()) == defined.end()) {
            defined.emplace_back(k.str());
          }
          if (k.str() != selected->value || !v.is_table()) continue;
          Layer pl;
          pl.name = l.name;
          pl.is_file = l.is_file;
          pl.prefix = "profile '" + selected->value + "' at ";
          pl.doc = l.doc;
          pl.table = v.as_table();
          profile_layers.push_back(std::move(pl));
        }
      }
    }
    if (profile_layers.empty()) {
      std::string where = selected_by != nullptr ? selected_by->where(selected_node->source())
                                                 : std::string("--profile");
      std::string known =
          defined.empty() ? "no profiles are defined" : "defined: " + quoted_list(defined);
      return Error{where + ": no profile named '" + selected->value + "' (" + known + ")" +
                   did_you_mean(selected->value, defined)};
    }
    // Already validated (and warned about) with the file that holds it.
    const size_t warnings_before = out.warnings.size();
    for (const Layer& pl : profile_layers) {
      if (auto s = apply.apply(pl, Scope::Profile, "profiles." + selected->value); !s) {
        return s.error();
      }
    }
    out.warnings.resize(warnings_before);
    out.profile = selected;
  }

  for (const Layer& l : overrides) {
    if (auto s = apply.apply(l, Scope::Top); !s) return s.error();
  }

  const CliOptions& cli = in.cli;
  std::vector<Layer> flags;
  if (cli.sandbox_mode)
    flags.push_back(flag_layer("--sandbox", {{"sandbox_mode", *cli.sandbox_mode}}));
  if (cli.full_auto) {
    flags.push_back(flag_layer(
        "--full-auto", {{"sandbox_mode", "workspace-write"}, {"approval_policy", "on-request"}}));
  }
  // After --full-auto: an explicit -a wins over the approval policy --full-auto implies.
  if (cli.approval_policy) {
    flags.push_back(flag_layer("--ask-for-approval", {{"approval_policy", *cli.approval_policy}}));
  }
  if (cli.yolo) {
    flags.push_back(
        flag_layer("--dangerously-bypass-approvals-and-sandbox",
                   {{"sandbox_mode", "danger-full-access"}, {"approval_policy", "never"}}));
  }
  if (cli.backend) {
    Layer l = flag_layer("--backend", {});
    toml::table t;
    t.insert_or_assign("backend", *cli.backend);
    l.doc->insert_or_assign("sandbox_linux", std::move(t));
    flags.push_back(std::move(l));
  }
  if (cli.permissions_profile) {
    flags.push_back(
        flag_layer("--permissions-profile", {{"default_permissions", *cli.permissions_profile}}));
  }
  for (const Layer& l : flags) {
    if (auto s = apply.apply(l, Scope::Top); !s) return s.error();
  }
  if (auto s = apply.finish(); !s) return s.error();

  // The workspace: -C or the process's working directory.
  if (cli.cd) {
    auto ws = resolve_dir("-C/--cd", *cli.cd, in.process_cwd, fs);
    if (!ws) return ws.error();
    out.workspace = *ws;
  } else {
    out.workspace = paths::normalize(in.process_cwd);
  }
  for (const std::string& d : cli.add_dirs) {
    if (d.empty()) return Error{"--add-dir: expected a directory, got an empty string"};
    out.add_dirs.push_back(paths::join(in.process_cwd, d));
  }
  return out;
}

}  // namespace

std::string default_user_config_path(const char* cordon_home, const char* home) {
  if (cordon_home != nullptr && *cordon_home != '\0') {
    return paths::join("/", std::string(cordon_home) + "/config.toml");
  }
  std::string h = (home != nullptr && *home != '\0') ? home : "/";
  return paths::join(h, ".cordon/config.toml");
}

Result<EffectiveConfig> load(const LoadInputs& in, const FileSystem& fs) {
  // Messages quote config values and paths: keep them to one printable line.
  auto r = load_layers(in, fs);
  if (!r) return Error{printable(r.error().message)};
  for (auto& w : r->warnings) w = printable(w);
  return r;
}

}  // namespace cordon::config
