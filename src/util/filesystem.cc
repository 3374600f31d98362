// cordon - RealFileSystem.
#include "util/filesystem.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>

namespace cordon {

FileType RealFileSystem::lstat_type(const std::string& path) const {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return FileType::Missing;
  if (S_ISDIR(st.st_mode)) return FileType::Directory;
  if (S_ISREG(st.st_mode)) return FileType::Regular;
  if (S_ISLNK(st.st_mode)) return FileType::Symlink;
  return FileType::Other;
}

std::optional<std::string> RealFileSystem::realpath(const std::string& path) const {
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf) == nullptr) return std::nullopt;
  return std::string(buf);
}

std::optional<std::string> RealFileSystem::read_file(const std::string& path,
                                                     size_t max_bytes) const {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return std::nullopt;
  std::string out;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > max_bytes) {
      ::close(fd);
      return std::nullopt;
    }
  }
  ::close(fd);
  return out;
}

bool RealFileSystem::is_executable(const std::string& path) const {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

}  // namespace cordon
