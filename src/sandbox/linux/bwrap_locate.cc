// cordon - bwrap lookup.
#include "sandbox/linux/bwrap_locate.h"

#include <algorithm>

#include "util/paths.h"

namespace cordon::sandbox::linux {

Result<std::string> find_bwrap(const char* path_env, const std::vector<std::string>& writable_roots,
                               const FileSystem& fs) {
  std::string path = path_env != nullptr ? path_env : "";
  std::vector<std::string> skipped;
  size_t i = 0;
  while (i <= path.size() && !path.empty()) {
    size_t j = path.find(':', i);
    if (j == std::string::npos) j = path.size();
    std::string dir = path.substr(i, j - i);
    i = j + 1;
    if (dir.empty() || !paths::is_absolute(dir)) continue;  // relative PATH entries: never
    const std::string cand = paths::join(dir, "bwrap");
    if (!fs.is_executable(cand)) continue;
    auto real = fs.realpath(cand);
    if (!real) continue;
    bool inside = false;
    for (const auto& root : writable_roots) inside = inside || paths::is_within(*real, root);
    if (inside) {
      if (std::find(skipped.begin(), skipped.end(), *real) == skipped.end()) {
        skipped.push_back(*real);
      }
      continue;
    }
    return *real;
  }
  std::string msg = "bubblewrap (bwrap) was not found on PATH";
  if (!skipped.empty()) {
    msg = "no usable bubblewrap (bwrap) on PATH: skipped";
    for (const auto& s : skipped) msg += " " + s;
    msg += " (inside a writable root, where a sandboxed command could have replaced it)";
  }
  msg += ". Install it with your package manager (Debian/Ubuntu: sudo apt-get install bubblewrap).";
  return Error{msg};
}

}  // namespace cordon::sandbox::linux
