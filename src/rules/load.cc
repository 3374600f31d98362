// cordon - reading the rules directories.
#include "rules/load.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "config/load.h"
#include "util/fd.h"
#include "util/paths.h"
#include "util/printable.h"

namespace cordon::rules {
namespace {

bool has_rules_suffix(const std::string& name) {
  constexpr std::string_view kSuffix = ".rules";
  return name.size() > kSuffix.size() &&
         std::string_view(name).substr(name.size() - kSuffix.size()) == kSuffix;
}

// The *.rules names in dir, sorted; nullopt (no error) when dir does not exist.
Result<std::optional<std::vector<std::string>>> rules_names(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    if (errno == ENOENT) return std::optional<std::vector<std::string>>{};
    return sys_error(printable(dir) + ": cannot read the rules directory");
  }
  std::vector<std::string> names;
  errno = 0;
  while (const dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (has_rules_suffix(n)) names.push_back(std::move(n));
    errno = 0;
  }
  const int err = errno;
  ::closedir(d);
  if (err != 0) return sys_error(printable(dir) + ": cannot read the rules directory", err);
  std::sort(names.begin(), names.end());
  return std::optional<std::vector<std::string>>(std::move(names));
}

// The contents of a regular file; nullopt (no error) when `path` is something else.
Result<std::optional<std::string>> read_rules_file(const std::string& path) {
  // O_NONBLOCK: a FIFO named *.rules must not block the open.
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (fd.fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>{};  // a dangling symlink
    return sys_error(printable(path) + ": cannot open");
  }
  struct stat st {};
  if (::fstat(fd.fd, &st) != 0) return sys_error(printable(path) + ": cannot stat");
  if (!S_ISREG(st.st_mode)) return std::optional<std::string>{};
  if (static_cast<unsigned long long>(st.st_size) > kMaxRulesFileBytes) {
    return Error{printable(path) + ": larger than " + std::to_string(kMaxRulesFileBytes >> 20) +
                 " MiB"};
  }
  std::string text;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd.fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys_error(printable(path) + ": cannot read");
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > kMaxRulesFileBytes) {
      return Error{printable(path) + ": larger than " + std::to_string(kMaxRulesFileBytes >> 20) +
                   " MiB"};
    }
  }
  return std::optional<std::string>(std::move(text));
}

}  // namespace

Result<Policy> load_rule_dirs(const std::vector<std::string>& dirs) {
  Policy policy;
  for (const auto& dir : dirs) {
    auto names = rules_names(dir);
    if (!names) return names.error();
    if (!*names) continue;
    for (const auto& n : **names) {
      const std::string path = (!dir.empty() && dir.back() == '/') ? dir + n : dir + "/" + n;
      auto text = read_rules_file(path);
      if (!text) return text.error();
      if (!*text) continue;
      if (auto s = policy.add_source(**text, path); !s) return s.error();
    }
  }
  return policy;
}

std::vector<std::string> default_rule_dirs(const char* cordon_home, const char* home) {
  // $CORDON_HOME is where the user config lives.
  const std::string user = paths::parent(config::default_user_config_path(cordon_home, home));
  return {kSystemRulesDir, paths::join(user, "rules")};
}

std::string default_amendment_file(const char* cordon_home, const char* home) {
  return paths::join(default_rule_dirs(cordon_home, home)[1], "default.rules");
}

}  // namespace cordon::rules
