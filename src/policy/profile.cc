// cordon - compiling a permission profile into a filesystem policy.
#include "policy/profile.h"

#include <algorithm>
#include <map>

#include "policy/glob.h"
#include "util/paths.h"

namespace cordon::policy {
namespace {

using config::FsEntry;

// An entry with its special path resolved, before symlinks and globs.
struct Wanted {
  std::string path;  // absolute; a pattern when `glob`
  FsAccess access;
  std::string rule;
  std::string origin;
  bool glob = false;
  bool keep_link = false;  // a :minimal path such as /bin -> usr/bin: bound as it is
};

class Compiler {
 public:
  Compiler(const config::EffectiveConfig& cfg, const char* tmpdir, const FileSystem& fs)
      : cfg_(cfg), prof_(*cfg.permissions), tmpdir_(tmpdir), fs_(fs) {
    out_.profile = prof_.name;
  }

  Result<FsPolicy> run() {
    if (auto s = project_roots(); !s) return s.error();
    if (auto s = wanted(); !s) return s.error();
    for (const Wanted& w : wanted_) {
      if (w.glob) continue;
      const auto real = fs_.realpath(w.path);
      lexical_.push_back(
          {real ? *real : w.path, w.access, FileType::Directory, false, w.rule, w.origin});
    }
    for (const Wanted& w : wanted_) {
      Status s = w.glob ? expand(w) : concrete(w);
      if (!s) return s.error();
    }
    if (auto s = finish(); !s) return s.error();
    return std::move(out_);
  }

 private:
  Status project_roots() {
    auto add = [&](const std::string& p, const std::string& what) {
      auto real = fs_.realpath(p);
      if (!real || fs_.lstat_type(*real) != FileType::Directory) {
        out_.warnings.push_back("project root " + p + " (" + what +
                                ") is not an existing directory; skipped");
        return;
      }
      if (std::find(roots_.begin(), roots_.end(), *real) == roots_.end()) roots_.push_back(*real);
    };
    add(cfg_.workspace, "the workspace");
    for (const auto& r : prof_.project_roots) add(r.value, r.origin);
    return Ok{};
  }

  Status wanted() {
    for (const FsEntry& e : prof_.filesystem) {
      auto want = [&](std::string path, bool glob = false, bool keep_link = false) {
        wanted_.push_back({std::move(path), e.access, e.key, e.origin, glob, keep_link});
      };
      switch (e.base) {
        case FsEntry::Base::Root:
          want("/");
          break;
        case FsEntry::Base::Minimal:
          for (const char* p : kMinimalPaths) {
            // A link such as /bin -> usr/bin is kept as it is when granted; a denial
            // applies to what it names.
            if (fs_.lstat_type(p) != FileType::Missing) want(p, false, e.access != FsAccess::None);
          }
          break;
        case FsEntry::Base::Tmpdir:
          if (tmpdir_ != nullptr && paths::is_absolute(tmpdir_)) {
            want(paths::normalize(tmpdir_));
          } else if (tmpdir_ != nullptr && *tmpdir_ != '\0') {
            out_.warnings.push_back("TMPDIR '" + std::string(tmpdir_) +
                                    "' is not an absolute path; ':tmpdir' is skipped");
          }
          break;
        case FsEntry::Base::SlashTmp:
          want("/tmp");
          break;
        case FsEntry::Base::Path:
          if (has_glob_chars(e.path)) {
            want(e.path, true);
          } else {
            want(glob_unescape(e.path));  // "\\*" names a file called "*"
          }
          break;
        case FsEntry::Base::ProjectRoots:
          for (const std::string& root : roots_) {
            const bool glob = has_glob_chars(e.path);
            // A root's own name is literal inside a pattern.
            want(e.path == "." ? root : paths::join(glob ? glob_escape(root) : root, e.path), glob);
          }
          break;
      }
    }
    for (const std::string& d : cfg_.add_dirs) {
      wanted_.push_back({paths::normalize(d), FsAccess::Write, "--add-dir " + d, "--add-dir"});
    }
    return Ok{};
  }

  // The path with its symlinks resolved; an error when one of them lies where the command
  // may write (it could point it elsewhere before the sandbox is built).
  Result<std::string> canonical(const std::string& path, const std::string& rule,
                                const std::string& origin) {
    size_t i = 1;
    while (i <= path.size() && path != "/") {
      size_t j = path.find('/', i);
      if (j == std::string::npos) j = path.size();
      const std::string prefix = path.substr(0, j);
      const FileType t = fs_.lstat_type(prefix);
      if (t == FileType::Missing) break;
      const auto dir = fs_.realpath(paths::parent(prefix));
      if (t == FileType::Symlink &&
          resolve_access(lexical_, dir ? *dir : paths::parent(prefix)) == FsAccess::Write) {
        const auto target = fs_.realpath(prefix);
        return Error{origin + ": " + rule + ": " + path + " goes through the symlink " + prefix +
                     ", which lies where the sandboxed command may write: it could point it "
                     "elsewhere before the sandbox is built. Name the real path" +
                     (target ? " (" + *target + ")" : std::string()) + " instead."};
      }
      i = j + 1;
    }
    if (auto real = fs_.realpath(path)) return *real;
    // Missing: resolve the part that exists.
    std::string head = path, tail;
    while (head != "/") {
      const std::string name = head.substr(head.find_last_of('/') + 1);
      tail = tail.empty() ? name : name + "/" + tail;
      head = paths::parent(head);
      if (auto real = fs_.realpath(head)) return paths::join(*real, tail);
    }
    return path;
  }

  // A :minimal link (/bin -> usr/bin) is bound as it is only when its target is readable with
  // nothing denied inside it; else the link would show what an entry hides.
  bool link_target_plain(const std::string& link) const {
    const auto target = fs_.realpath(link);
    if (!target) return false;
    for (const Wanted& o : wanted_) {
      if (o.access == FsAccess::None &&
          (paths::is_within(o.path, *target) || paths::is_within(*target, o.path))) {
        return false;
      }
      if (o.glob && paths::is_within(glob_static_prefix(o.path), *target)) return false;
    }
    return true;
  }

  void add_rule(FsRule r) {
    auto it = std::find_if(out_.rules.begin(), out_.rules.end(),
                           [&](const FsRule& o) { return o.path == r.path; });
    if (it == out_.rules.end()) {
      out_.rules.push_back(std::move(r));
    } else if (wins_tie(r.access, it->access)) {
      *it = std::move(r);
    }
  }

  Status concrete(const Wanted& w) {
    std::string path = w.path;
    FileType type = fs_.lstat_type(path);
    const bool kept_link = w.keep_link && type == FileType::Symlink && link_target_plain(path);
    if (!kept_link) {
      auto c = canonical(w.path, w.rule, w.origin);
      if (!c) return c.error();
      path = *c;
      type = fs_.lstat_type(path);
    }
    if (type == FileType::Missing) {
      if (w.access != FsAccess::None) {
        if (w.rule.rfind(':', 0) != 0) {
          out_.warnings.push_back(w.rule + " (" + w.origin + ") = \"" + to_string(w.access) +
                                  "\": " + path + " does not exist; skipped");
        }
        return Ok{};
      }
      // A denied path that does not exist is masked so it cannot be created; when its
      // parent is missing too, the first missing directory is.
      const auto first = first_missing_component(path, fs_);
      if (!first) return Ok{};  // under a file: it can never be created
      if (*first != path) {
        out_.warnings.push_back(w.rule + " (" + w.origin + "): " + path +
                                " does not exist, nor does " + *first +
                                "; that directory is kept from being created instead");
      }
      path = *first;
    }
    add_rule({path, w.access, type, false, w.rule, w.origin});
    return Ok{};
  }

  Status expand(const Wanted& w) {
    // The fixed directory part may go through symlinks like any configured path.
    const std::string prefix = glob_static_prefix(w.path);
    std::string pattern = w.path;
    if (prefix != "/" && !prefix.empty()) {
      auto c = canonical(prefix, w.rule, w.origin);
      if (!c) return c.error();
      // The pattern's components after the prefix's (escaped in the pattern, not in prefix).
      size_t at = 0;
      for (int n = paths::depth(prefix); n > 0 && at != std::string::npos; --n) {
        at = w.path.find_first_not_of('/', at);
        at = at == std::string::npos ? at : w.path.find('/', at);
      }
      pattern = glob_escape(*c) + (at == std::string::npos ? "" : w.path.substr(at));
    }
    GlobLimits limits;
    if (prof_.glob_scan_max_depth) limits.max_depth = prof_.glob_scan_max_depth->value;
    limits.max_matches = kMaxDeniedPaths;
    auto matches = expand_glob(pattern, limits, fs_);
    if (!matches) return Error{w.origin + ": " + matches.error().describe()};
    GlobExpansion g{pattern, w.origin, {}};
    for (const std::string& m : *matches) {
      std::string path = m;
      FileType type = fs_.lstat_type(m);
      if (type == FileType::Symlink) {
        // Reading through the link reads its target: that is what gets masked.
        auto target = fs_.realpath(m);
        if (!target) continue;
        path = *target;
        type = fs_.lstat_type(path);
      }
      g.matches.push_back(m);
      add_rule({path, FsAccess::None, type, false, w.rule, w.origin});
    }
    out_.globs.push_back(std::move(g));
    return Ok{};
  }

  Status finish() {
    size_t denied = 0;
    for (const FsRule& r : out_.rules) denied += r.access == FsAccess::None ? 1 : 0;
    if (denied > kMaxDeniedPaths) {
      return Error{"permission profile '" + prof_.name + "' denies reading " +
                   std::to_string(denied) + " paths, more than the " +
                   std::to_string(kMaxDeniedPaths) +
                   " cordon can mask; narrow its deny-read globs or set glob_scan_max_depth"};
    }
    // Every writable directory is a writable root, with its protected paths.
    std::stable_sort(out_.rules.begin(), out_.rules.end(), [](const FsRule& a, const FsRule& b) {
      return paths::depth(a.path) < paths::depth(b.path);
    });
    std::vector<FsRule> protect;
    for (const FsRule& r : out_.rules) {
      if (r.access != FsAccess::Write || r.type != FileType::Directory) continue;
      auto prot = protected_paths(r.path, fs_);
      if (!prot) return prot.error();
      WritableRoot root{r.path, r.rule, r.origin, {}};
      for (const ProtectedPath& pp : *prot) {
        const bool named = std::any_of(out_.rules.begin(), out_.rules.end(),
                                       [&](const FsRule& o) { return o.path == pp.path; });
        if (named) continue;  // an explicit entry for the path decides
        root.protected_paths.push_back(pp);
        protect.push_back(
            {pp.path, FsAccess::Read,
             pp.kind == ProtectedPath::Kind::Missing ? FileType::Missing : fs_.lstat_type(pp.path),
             true, pp.why, "protected path of " + r.path});
      }
      out_.writable_roots.push_back(std::move(root));
    }
    for (FsRule& p : protect) {
      const bool dup = std::any_of(out_.rules.begin(), out_.rules.end(),
                                   [&](const FsRule& o) { return o.path == p.path; });
      if (!dup) out_.rules.push_back(std::move(p));
    }
    if (out_.restricted_reads() && resolve_access(out_.rules, "/usr") == FsAccess::None) {
      out_.warnings.push_back("permission profile '" + prof_.name +
                              "' makes neither ':root' nor ':minimal' readable: the command "
                              "will find no shell and no libraries (add ':minimal' = \"read\")");
    }
    return Ok{};
  }

  const config::EffectiveConfig& cfg_;
  const config::PermissionProfile& prof_;
  const char* tmpdir_;
  const FileSystem& fs_;
  std::vector<std::string> roots_;
  std::vector<Wanted> wanted_;
  std::vector<FsRule> lexical_;  // the non-glob entries, resolved: where may the command write?
  FsPolicy out_;
};

}  // namespace

Result<FsPolicy> compile_profile(const config::EffectiveConfig& cfg, const char* tmpdir_env,
                                 const FileSystem& fs) {
  if (!cfg.permissions) return Error{"no permission profile is selected"};
  return Compiler(cfg, tmpdir_env, fs).run();
}

Result<FsPolicy> filesystem_policy(const config::EffectiveConfig& cfg, const char* tmpdir_env,
                                   const FileSystem& fs) {
  if (cfg.permissions && cfg.sandbox_mode.value != config::SandboxMode::DangerFullAccess) {
    return compile_profile(cfg, tmpdir_env, fs);
  }
  auto roots = writable_roots(cfg, tmpdir_env, fs);
  if (!roots) return roots.error();
  return legacy_fs_policy(std::move(*roots));
}

}  // namespace cordon::policy
