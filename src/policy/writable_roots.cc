// cordon - writable roots and protected paths.
#include "policy/writable_roots.h"

#include <algorithm>

#include "util/paths.h"

namespace cordon::policy {
namespace {

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

// "gitdir: <path>" -> the path, resolved against the directory holding the .git file.
std::optional<std::string> gitdir_target(const std::string& dotgit, const FileSystem& fs) {
  auto text = fs.read_file(dotgit, 4096);
  if (!text) return std::nullopt;
  std::string content = trim(*text);
  auto colon = content.find(':');
  if (colon == std::string::npos || trim(content.substr(0, colon)) != "gitdir") {
    return std::nullopt;
  }
  std::string target = trim(content.substr(colon + 1));
  if (target.empty()) return std::nullopt;
  return paths::join(paths::parent(dotgit), target);
}

}  // namespace

std::optional<std::string> first_missing_component(const std::string& path, const FileSystem& fs) {
  std::string prefix;
  size_t i = 1;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    prefix = path.substr(0, j);
    const FileType t = fs.lstat_type(prefix);
    if (t == FileType::Missing) return prefix;
    if (t != FileType::Directory) return std::nullopt;
    i = j + 1;
  }
  return std::nullopt;
}

Result<std::vector<ProtectedPath>> protected_paths(const std::string& root, const FileSystem& fs) {
  std::vector<ProtectedPath> out;
  for (const char* name : kProtectedNames) {
    const std::string p = paths::join(root, name);
    switch (fs.lstat_type(p)) {
      case FileType::Missing:
        out.push_back({p, ProtectedPath::Kind::Missing, name});
        break;
      case FileType::Symlink:
        return Error{"cannot protect " + p + ": it is a symlink inside the writable root " + root +
                     ", and a sandboxed command could replace it with a directory of its own. "
                     "Replace the symlink with the directory it points to, or run with the "
                     "symlink's target as the workspace (-C)."};
      default:
        out.push_back({p, ProtectedPath::Kind::Existing, name});
        break;
    }
    if (std::string(name) == ".git" && fs.lstat_type(p) == FileType::Regular) {
      if (auto target = gitdir_target(p, fs)) {
        if (auto real = fs.realpath(*target)) {
          out.push_back({*real, ProtectedPath::Kind::Existing, "gitdir of " + p});
        } else if (auto missing = first_missing_component(*target, fs)) {
          // A gitdir that does not exist yet must not be created with hooks in it.
          out.push_back({*missing, ProtectedPath::Kind::Missing, "gitdir of " + p});
        }
      }
    }
  }
  return out;
}

Result<WritableRootsResult> writable_roots(const config::EffectiveConfig& cfg,
                                           const char* tmpdir_env, const FileSystem& fs) {
  WritableRootsResult res;
  if (cfg.sandbox_mode.value != config::SandboxMode::WorkspaceWrite) return res;

  std::vector<std::pair<std::string, std::string>> wanted;  // (requested, source)
  wanted.emplace_back(cfg.workspace, "workspace");
  for (const auto& d : cfg.add_dirs) wanted.emplace_back(d, "--add-dir");
  for (const auto& d : cfg.writable_roots.value) wanted.emplace_back(d, "writable_roots");
  if (!cfg.exclude_slash_tmp.value) wanted.emplace_back("/tmp", "/tmp");
  if (!cfg.exclude_tmpdir_env_var.value && tmpdir_env != nullptr && *tmpdir_env != '\0') {
    if (paths::is_absolute(tmpdir_env)) {
      wanted.emplace_back(paths::normalize(tmpdir_env), "$TMPDIR");
    } else {
      res.warnings.push_back("TMPDIR '" + std::string(tmpdir_env) +
                             "' is not an absolute path; it is not made writable");
    }
  }

  for (const auto& [requested, source] : wanted) {
    auto real = fs.realpath(requested);
    if (!real) {
      // /tmp missing is unusual but not worth a warning of its own kind.
      res.warnings.push_back("writable root " + requested + " (" + source +
                             ") does not exist; skipped");
      continue;
    }
    if (fs.lstat_type(*real) != FileType::Directory) {
      res.warnings.push_back("writable root " + requested + " (" + source +
                             ") is not a directory; skipped");
      continue;
    }
    bool dup = std::any_of(res.roots.begin(), res.roots.end(),
                           [&](const WritableRoot& r) { return r.path == *real; });
    if (dup) continue;
    auto prot = protected_paths(*real, fs);
    if (!prot) return prot.error();
    res.roots.push_back({*real, requested, source, std::move(*prot)});
  }
  std::stable_sort(res.roots.begin(), res.roots.end(), [](const auto& a, const auto& b) {
    return paths::depth(a.path) < paths::depth(b.path);
  });
  // A missing path the command could not create anyway needs no mask (and no directory
  // created for one): outside every writable root, or inside an existing protected path.
  std::vector<std::string> existing;
  for (const auto& root : res.roots) {
    for (const auto& p : root.protected_paths) {
      if (p.kind == ProtectedPath::Kind::Existing) existing.push_back(p.path);
    }
  }
  auto under_any = [](const std::string& p, const auto& dirs, auto dir_of) {
    return std::any_of(dirs.begin(), dirs.end(),
                       [&](const auto& d) { return paths::is_within(p, dir_of(d)); });
  };
  for (auto& root : res.roots) {
    std::erase_if(root.protected_paths, [&](const ProtectedPath& p) {
      if (p.kind != ProtectedPath::Kind::Missing) return false;
      return !under_any(p.path, res.roots, [](const WritableRoot& r) { return r.path; }) ||
             under_any(p.path, existing, [](const std::string& e) { return e; });
    });
  }
  return res;
}

}  // namespace cordon::policy
