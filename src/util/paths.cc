// cordon - lexical path helpers.
#include "util/paths.h"

#include <vector>

namespace cordon::paths {

bool is_absolute(std::string_view p) {
  return !p.empty() && p[0] == '/';
}

std::string normalize(std::string_view p) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string_view::npos) j = p.size();
    std::string_view part = p.substr(i, j - i);
    if (part.empty() || part == ".") {
      // skip
    } else if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else {
      parts.push_back(part);
    }
    i = j + 1;
  }
  std::string out;
  for (auto part : parts) {
    out += '/';
    out += part;
  }
  return out.empty() ? "/" : out;
}

std::string join(std::string_view base, std::string_view rel) {
  if (is_absolute(rel)) return normalize(rel);
  std::string s(base);
  s += '/';
  s += rel;
  return normalize(s);
}

bool is_within(std::string_view p, std::string_view root) {
  if (root == "/") return is_absolute(p);
  if (p.size() < root.size() || p.substr(0, root.size()) != root) return false;
  return p.size() == root.size() || p[root.size()] == '/';
}

int depth(std::string_view p) {
  int n = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '/' && i + 1 < p.size() && p[i + 1] != '/') ++n;
  }
  return n;
}

std::string parent(std::string_view p) {
  auto pos = p.find_last_of('/');
  if (pos == std::string_view::npos || pos == 0) return "/";
  return std::string(p.substr(0, pos));
}

}  // namespace cordon::paths
