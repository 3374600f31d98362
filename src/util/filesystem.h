// cordon - the filesystem seam: the facts the pure policy code asks about.
// RealFileSystem asks the kernel; tests use an in-memory fake.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace cordon {

enum class FileType { Missing, Directory, Regular, Symlink, Other };

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // Type of the path itself (symlinks are not followed).
  virtual FileType lstat_type(const std::string& path) const = 0;
  // Canonical absolute path with every symlink resolved; nullopt if it does not exist.
  virtual std::optional<std::string> realpath(const std::string& path) const = 0;
  // Contents of a regular file of at most max_bytes; nullopt if unreadable or larger.
  virtual std::optional<std::string> read_file(const std::string& path, size_t max_bytes) const = 0;
  // A regular file this process may execute.
  virtual bool is_executable(const std::string& path) const = 0;
  // The names in a directory (not "." or ".."), sorted bytewise; nullopt when the path is not
  // a directory this process can list. A symlink at the path itself is not followed (symlinks
  // in its parent directories are).
  virtual std::optional<std::vector<std::string>> list_dir(const std::string& path) const = 0;
};

class RealFileSystem final : public FileSystem {
 public:
  FileType lstat_type(const std::string& path) const override;
  std::optional<std::string> realpath(const std::string& path) const override;
  std::optional<std::string> read_file(const std::string& path, size_t max_bytes) const override;
  bool is_executable(const std::string& path) const override;
  std::optional<std::vector<std::string>> list_dir(const std::string& path) const override;
};

}  // namespace cordon
