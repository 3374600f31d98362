// cordon fuzzing - an in-memory FileSystem with directories, regular files and
// symlinks, resolved the way the kernel resolves them (intermediate and final
// symlinks followed, ".." applied to the resolved path, ENOTDIR through files,
// a loop limit). Header-only; shared by the fuzz targets.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/filesystem.h"

namespace cordon::fuzzing {

class FakeFileSystem final : public FileSystem {
 public:
  FakeFileSystem() { nodes_["/"] = Node{FileType::Directory, {}, {}}; }

  // Each call creates the missing parent directories.
  void add_dir(const std::string& path) {
    add_parents(path);
    nodes_[path] = Node{FileType::Directory, {}, {}};
  }
  void add_file(const std::string& path, std::string content) {
    add_parents(path);
    nodes_[path] = Node{FileType::Regular, std::move(content), {}};
  }
  void add_symlink(const std::string& path, std::string target) {
    add_parents(path);
    nodes_[path] = Node{FileType::Symlink, {}, std::move(target)};
  }
  void remove(const std::string& path) { nodes_.erase(path); }

  FileType lstat_type(const std::string& path) const override {
    auto resolved = resolve(path, /*follow_last=*/false);
    if (!resolved) return FileType::Missing;
    auto it = nodes_.find(*resolved);
    return it == nodes_.end() ? FileType::Missing : it->second.type;
  }

  std::optional<std::string> realpath(const std::string& path) const override {
    return resolve(path, /*follow_last=*/true);
  }

  std::optional<std::string> read_file(const std::string& path, size_t max_bytes) const override {
    auto resolved = resolve(path, /*follow_last=*/true);
    if (!resolved) return std::nullopt;
    auto it = nodes_.find(*resolved);
    if (it == nodes_.end() || it->second.type != FileType::Regular) return std::nullopt;
    if (it->second.content.size() > max_bytes) return std::nullopt;
    return it->second.content;
  }

  bool is_executable(const std::string& path) const override {
    auto resolved = resolve(path, /*follow_last=*/true);
    if (!resolved) return false;
    auto it = nodes_.find(*resolved);
    return it != nodes_.end() && it->second.type == FileType::Regular;
  }

 private:
  struct Node {
    FileType type;
    std::string content;  // Regular
    std::string target;   // Symlink
  };

  static std::string parent_of(const std::string& p) {
    auto pos = p.find_last_of('/');
    if (pos == std::string::npos || pos == 0) return "/";
    return p.substr(0, pos);
  }

  void add_parents(const std::string& path) {
    for (std::string p = parent_of(path); p != "/"; p = parent_of(p)) {
      auto it = nodes_.find(p);
      if (it == nodes_.end()) nodes_[p] = Node{FileType::Directory, {}, {}};
    }
  }

  static void push_components(std::string_view path, std::vector<std::string>& stack) {
    // Pushed in reverse so that the first component is on top.
    std::vector<std::string> parts;
    size_t i = 0;
    while (i <= path.size()) {
      size_t j = path.find('/', i);
      if (j == std::string_view::npos) j = path.size();
      if (j > i) parts.emplace_back(path.substr(i, j - i));
      i = j + 1;
    }
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) stack.push_back(std::move(*it));
  }

  // The canonical path of `path`; with follow_last=false, the final component is
  // not followed when it is a symlink (lstat semantics). nullopt when a component
  // is missing, a non-final component is not a directory, or symlinks loop.
  std::optional<std::string> resolve(const std::string& path, bool follow_last) const {
    if (path.empty() || path[0] != '/') return std::nullopt;
    std::vector<std::string> stack;
    push_components(path, stack);
    std::string cur = "/";
    int hops = 0;
    while (!stack.empty()) {
      std::string comp = std::move(stack.back());
      stack.pop_back();
      if (comp == ".") continue;
      if (comp == "..") {
        cur = parent_of(cur);
        continue;
      }
      std::string next = cur == "/" ? "/" + comp : cur + "/" + comp;
      auto it = nodes_.find(next);
      if (it == nodes_.end()) return std::nullopt;
      const bool last = stack.empty();
      if (it->second.type == FileType::Symlink && (follow_last || !last)) {
        if (++hops > 40) return std::nullopt;
        const std::string& target = it->second.target;
        if (target.empty()) return std::nullopt;  // ENOENT, as the kernel says
        if (target[0] == '/') cur = "/";
        push_components(target, stack);
        continue;
      }
      if (!last && it->second.type != FileType::Directory) return std::nullopt;
      cur = std::move(next);
    }
    return cur;
  }

  std::map<std::string, Node> nodes_;
};

}  // namespace cordon::fuzzing
