// cordon - appending "always allow" rules.
#include "rules/amend.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>

#include "rules/policy.h"
#include "util/fd.h"
#include "util/io.h"
#include "util/printable.h"

namespace cordon::rules {
namespace {

bool has_line(std::string_view text, std::string_view line) {
  size_t i = 0;
  while (i < text.size()) {
    size_t j = text.find('\n', i);
    if (j == std::string_view::npos) j = text.size();
    std::string_view l = text.substr(i, j - i);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (l == line) return true;
    i = j + 1;
  }
  return false;
}

}  // namespace

Status append_prefix_rule(const std::string& file, const std::vector<std::string>& prefix) {
  if (prefix.empty()) return Error{"an allow rule needs at least one token"};
  const std::string line = allow_rule_line(prefix);

  const size_t slash = file.find_last_of('/');
  if (slash != std::string::npos && slash > 0) {
    if (auto s = make_private_dirs(file.substr(0, slash)); !s) return s;
  }
  Fd fd(
      ::open(file.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0600));
  if (fd.fd < 0) return sys_error("cannot open " + printable(file));
  struct stat st {};
  if (::fstat(fd.fd, &st) != 0) return sys_error("cannot stat " + printable(file));
  if (!S_ISREG(st.st_mode)) return Error{printable(file) + ": not a regular file"};
  while (::flock(fd.fd, LOCK_EX) != 0) {
    if (errno != EINTR) return sys_error("cannot lock " + printable(file));
  }

  std::string text;
  char buf[65536];
  for (off_t off = 0;;) {
    const ssize_t n = ::pread(fd.fd, buf, sizeof buf, off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys_error("cannot read " + printable(file));
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    off += n;
  }
  if (has_line(text, line)) return Ok{};

  std::string add;
  if (!text.empty() && text.back() != '\n') add += '\n';
  add += line;
  add += '\n';
  Policy check;
  if (auto s = check.add_source(text + add, file); !s) {
    return Error{"not adding a rule to " + printable(file) +
                 ", it would not load: " + s.error().message};
  }
  if (auto s = write_all_checked(fd.fd, add, file); !s) return s;
  if (::fsync(fd.fd) != 0) return sys_error("cannot sync " + printable(file));
  return Ok{};  // closing the descriptor releases the lock
}

}  // namespace cordon::rules
