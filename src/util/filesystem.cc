// cordon - RealFileSystem.
#include "util/filesystem.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

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

std::optional<std::vector<std::string>> RealFileSystem::list_dir(const std::string& path) const {
  // O_NOFOLLOW | O_DIRECTORY: a symlink at the path is refused rather than listed through.
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  DIR* dir = ::fdopendir(fd);
  if (dir == nullptr) {
    ::close(fd);
    return std::nullopt;
  }
  std::vector<std::string> names;
  for (;;) {
    errno = 0;
    const dirent* e = ::readdir(dir);
    if (e == nullptr) break;
    if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
    names.emplace_back(e->d_name);
  }
  const int err = errno;
  ::closedir(dir);                    // closes fd
  if (err != 0) return std::nullopt;  // a listing cut short is not a listing
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace cordon
