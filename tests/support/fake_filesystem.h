// cordon tests - an in-memory FileSystem: directories, regular files with contents,
// symlinks with targets, executables. Paths given to the add_* helpers are physical
// (no symlink in them); missing parent directories are created. realpath() resolves
// symlinks component by component like the kernel does (absolute and relative
// targets, ".." applied after resolution, at most 40 links, so a loop gives nullopt).
// Relative paths are Missing unless set_cwd() gave a working directory. list_dir() gives the
// entries below a directory, sorted, and refuses a symlink at the path itself (O_NOFOLLOW).
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "util/filesystem.h"
#include "util/paths.h"

namespace cordon::fakes {

class FakeFileSystem final : public FileSystem {
 public:
  FakeFileSystem() { nodes_["/"] = Node{FileType::Directory, {}, {}, false, true}; }

  FakeFileSystem& add_dir(const std::string& path) {
    put(path, Node{FileType::Directory, {}, {}, false, true});
    return *this;
  }
  FakeFileSystem& add_file(const std::string& path, const std::string& content = "") {
    put(path, Node{FileType::Regular, content, {}, false, true});
    return *this;
  }
  FakeFileSystem& add_executable(const std::string& path, const std::string& content = "") {
    put(path, Node{FileType::Regular, content, {}, true, true});
    return *this;
  }
  // A regular file whose contents cannot be read (permission denied).
  FakeFileSystem& add_unreadable_file(const std::string& path) {
    put(path, Node{FileType::Regular, {}, {}, false, false});
    return *this;
  }
  FakeFileSystem& add_symlink(const std::string& path, const std::string& target) {
    put(path, Node{FileType::Symlink, {}, target, false, true});
    return *this;
  }
  // A directory that cannot be listed (no read permission); it can still be traversed.
  FakeFileSystem& add_unreadable_dir(const std::string& path) {
    put(path, Node{FileType::Directory, {}, {}, false, false});
    return *this;
  }
  // A FIFO, socket or device.
  FakeFileSystem& add_other(const std::string& path) {
    put(path, Node{FileType::Other, {}, {}, false, true});
    return *this;
  }
  // Removes one entry (not what lies below it).
  void remove(const std::string& path) { nodes_.erase(path); }
  // Working directory for relative paths (none by default: relative paths are Missing).
  void set_cwd(const std::string& cwd) { cwd_ = cwd; }

  FileType lstat_type(const std::string& path) const override {
    auto abs = absolute(path);
    if (!abs) return FileType::Missing;
    std::vector<std::string> parts = split(*abs);
    if (parts.empty()) return FileType::Directory;
    const std::string last = parts.back();
    if (last == "." || last == "..") {
      auto real = resolve(*abs);
      return real ? nodes_.at(*real).type : FileType::Missing;
    }
    parts.pop_back();
    auto dir = resolve(rejoin(parts));
    if (!dir || nodes_.at(*dir).type != FileType::Directory) return FileType::Missing;
    auto it = nodes_.find(paths::join(*dir, last));
    return it == nodes_.end() ? FileType::Missing : it->second.type;
  }

  std::optional<std::string> realpath(const std::string& path) const override {
    auto abs = absolute(path);
    if (!abs) return std::nullopt;
    return resolve(*abs);
  }

  std::optional<std::string> read_file(const std::string& path, size_t max_bytes) const override {
    auto real = realpath(path);
    if (!real) return std::nullopt;
    const Node& n = nodes_.at(*real);
    if (n.type != FileType::Regular || !n.readable || n.content.size() > max_bytes) {
      return std::nullopt;
    }
    return n.content;
  }

  bool is_executable(const std::string& path) const override {
    auto real = realpath(path);
    if (!real) return false;
    const Node& n = nodes_.at(*real);
    return n.type == FileType::Regular && n.executable;
  }

  std::optional<std::vector<std::string>> list_dir(const std::string& path) const override {
    // The directory itself, its last component not followed (like lstat_type()).
    auto abs = absolute(path);
    if (!abs) return std::nullopt;
    std::vector<std::string> parts = split(*abs);
    std::optional<std::string> dir;
    if (parts.empty() || parts.back() == "." || parts.back() == "..") {
      dir = resolve(*abs);
    } else {
      const std::string last = parts.back();
      parts.pop_back();
      auto parent = resolve(rejoin(parts));
      if (parent && nodes_.at(*parent).type == FileType::Directory) {
        dir = paths::join(*parent, last);
      }
    }
    if (!dir) return std::nullopt;
    auto it = nodes_.find(*dir);
    if (it == nodes_.end() || it->second.type != FileType::Directory || !it->second.readable) {
      return std::nullopt;
    }
    // The keys below "<dir>/" are sorted, so the names of the direct children are too.
    const std::string under = *dir == "/" ? "/" : *dir + "/";
    std::vector<std::string> names;
    for (auto c = nodes_.upper_bound(under); c != nodes_.end(); ++c) {
      if (c->first.compare(0, under.size(), under) != 0) break;
      std::string name = c->first.substr(under.size());
      if (name.find('/') == std::string::npos) names.push_back(std::move(name));
    }
    return names;
  }

 private:
  struct Node {
    FileType type = FileType::Missing;
    std::string content;
    std::string target;
    bool executable = false;
    bool readable = true;
  };

  static std::vector<std::string> split(const std::string& p) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i <= p.size()) {
      size_t j = p.find('/', i);
      if (j == std::string::npos) j = p.size();
      if (j > i) out.push_back(p.substr(i, j - i));
      i = j + 1;
    }
    return out;
  }

  static std::string rejoin(const std::vector<std::string>& parts) {
    std::string s;
    for (const auto& part : parts) s += "/" + part;
    return s.empty() ? "/" : s;
  }

  std::optional<std::string> absolute(const std::string& path) const {
    if (path.empty()) return std::nullopt;
    if (path[0] == '/') return path;
    if (cwd_.empty()) return std::nullopt;
    return cwd_ + "/" + path;
  }

  void put(const std::string& path, Node node) {
    if (!paths::is_absolute(path)) throw std::invalid_argument("fake fs: relative path " + path);
    const std::string p = paths::normalize(path);
    for (std::string dir = paths::parent(p); dir != "/"; dir = paths::parent(dir)) {
      auto it = nodes_.find(dir);
      if (it == nodes_.end()) {
        nodes_[dir] = Node{FileType::Directory, {}, {}, false, true};
      } else if (it->second.type != FileType::Directory) {
        throw std::invalid_argument("fake fs: parent of " + p + " is not a directory");
      }
    }
    nodes_[p] = std::move(node);
  }

  // Every component resolved; nullopt when a component is missing, a non-final
  // component is not a directory, or more than 40 symlinks are followed.
  std::optional<std::string> resolve(const std::string& abs) const {
    std::vector<std::string> todo = split(abs);  // consumed from the front
    std::string cur = "/";
    int links = 0;
    size_t i = 0;
    while (i < todo.size()) {
      const std::string comp = todo[i++];
      if (comp == ".") continue;
      if (comp == "..") {
        cur = paths::parent(cur);
        continue;
      }
      const std::string next = paths::join(cur, comp);
      auto it = nodes_.find(next);
      if (it == nodes_.end()) return std::nullopt;
      const Node& n = it->second;
      if (n.type == FileType::Symlink) {
        if (++links > 40) return std::nullopt;
        std::vector<std::string> rest(todo.begin() + static_cast<std::ptrdiff_t>(i), todo.end());
        todo = split(n.target);
        todo.insert(todo.end(), rest.begin(), rest.end());
        i = 0;
        if (paths::is_absolute(n.target))
          cur.assign(1, '/');  // not = "/": g++ 12 -O3 -Wrestrict false positive
        continue;
      }
      if (n.type != FileType::Directory && i < todo.size()) return std::nullopt;
      cur = next;
    }
    return cur;
  }

  std::map<std::string, Node> nodes_;
  std::string cwd_;
};

}  // namespace cordon::fakes
