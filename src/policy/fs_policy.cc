// cordon - filesystem policy: resolution and the legacy sandbox modes.
#include "policy/fs_policy.h"

#include <algorithm>

#include "util/paths.h"

namespace cordon::policy {
namespace {

int tie_rank(FsAccess a) {
  switch (a) {
    case FsAccess::None:
      return 2;
    case FsAccess::Write:
      return 1;
    case FsAccess::Read:
      return 0;
  }
  return 0;
}

}  // namespace

FsAccess resolve_access(const std::vector<FsRule>& rules, std::string_view path,
                        const FsRule** winner) {
  const FsRule* best = nullptr;
  int best_depth = -1;
  for (const FsRule& r : rules) {
    if (!paths::is_within(path, r.path)) continue;
    const int d = r.path == "/" ? 0 : paths::depth(r.path);
    if (d > best_depth || (d == best_depth && wins_tie(r.access, best->access))) {
      best = &r;
      best_depth = d;
    }
  }
  if (winner != nullptr) *winner = best;
  return best != nullptr ? best->access : FsAccess::None;
}

bool wins_tie(FsAccess a, FsAccess b) {
  return tie_rank(a) > tie_rank(b);
}

FsAccess inherited_access(const std::vector<FsRule>& rules, std::string_view path) {
  std::vector<FsRule> above;
  for (const FsRule& o : rules) {
    if (o.path != path && paths::is_within(path, o.path)) above.push_back(o);
  }
  return resolve_access(above, path);
}

bool FsPolicy::has_deny_read() const {
  // A denial inside an area the command could not read anyway masks nothing.
  return std::any_of(rules.begin(), rules.end(), [this](const FsRule& r) {
    return r.access == FsAccess::None && r.path != "/" &&
           inherited_access(rules, r.path) != FsAccess::None;
  });
}

bool FsPolicy::restricted_reads() const {
  return resolve_access(rules, "/") == FsAccess::None;
}

FsPolicy legacy_fs_policy(WritableRootsResult roots) {
  FsPolicy p;
  p.rules.push_back({"/", FsAccess::Read, FileType::Directory, false, ":root", "sandbox mode"});
  for (const WritableRoot& root : roots.roots) {
    FsRule r{root.path, FsAccess::Write, FileType::Directory, false, root.requested, root.source};
    if (root.path == "/") {
      p.rules.front() = std::move(r);  // one rule per path
    } else {
      p.rules.push_back(std::move(r));
    }
  }
  for (const WritableRoot& root : roots.roots) {
    for (const ProtectedPath& pp : root.protected_paths) {
      const bool named = std::any_of(p.rules.begin(), p.rules.end(),
                                     [&](const FsRule& r) { return r.path == pp.path; });
      if (named) continue;  // a writable root named explicitly wins over its protection
      p.rules.push_back(
          {pp.path, FsAccess::Read,
           pp.kind == ProtectedPath::Kind::Missing ? FileType::Missing : FileType::Directory, true,
           pp.why, "protected path of " + root.path});
    }
  }
  p.writable_roots = std::move(roots.roots);
  p.warnings = std::move(roots.warnings);
  return p;
}

}  // namespace cordon::policy
