// cordon - approvals given for this session.
#include "approval/session.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "config/load.h"
#include "util/fd.h"
#include "util/io.h"

namespace cordon::approval {
namespace {

constexpr size_t kMaxSessionFile = 4 << 20;

Result<std::string> read_all(int fd) {
  std::string out;
  char buf[8192];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys_error("read");
    }
    if (n == 0) return out;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > kMaxSessionFile) return Error{"larger than 4 MiB"};
  }
}

Result<SessionApprovals> parse(const std::string& text, const std::string& file) {
  SessionApprovals out;
  if (text.empty()) return out;
  const auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  const auto bad = Error{file + ": not a cordon session file; delete it to start afresh"};
  if (!j.is_object() || !j.contains("approved") || !j["approved"].is_array()) return bad;
  for (const auto& a : j["approved"]) {
    if (!a.is_object() || !a.contains("argv") || !a["argv"].is_array() || a["argv"].empty() ||
        !a.contains("outside") || !a["outside"].is_boolean()) {
      return bad;
    }
    std::vector<std::string> argv;
    for (const auto& w : a["argv"]) {
      if (!w.is_string()) return bad;
      argv.push_back(w.get<std::string>());
    }
    out.emplace_back(std::move(argv), a["outside"].get<bool>());
  }
  return out;
}

}  // namespace

bool valid_session_id(const std::string& id) {
  if (id.empty() || id.size() > 128 || id[0] == '.') return false;
  return std::all_of(id.begin(), id.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || c == '.' || c == '_' || c == '-';
  });
}

std::string session_file(const std::string& id, const char* runtime_dir, const char* cordon_home,
                         const char* home) {
  std::string dir;
  if (runtime_dir != nullptr && runtime_dir[0] == '/') {
    dir = std::string(runtime_dir) + "/cordon/sessions";
  } else {
    // The directory of $CORDON_HOME/config.toml is $CORDON_HOME.
    const std::string cfg = config::default_user_config_path(cordon_home, home);
    dir = cfg.substr(0, cfg.rfind('/')) + "/sessions";
  }
  return dir + "/" + id + ".json";
}

Result<SessionApprovals> load_session(const std::string& file) {
  Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.fd < 0) {
    if (errno == ENOENT) return SessionApprovals{};
    return sys_error("cannot open " + file);
  }
  ::flock(fd.fd, LOCK_SH);
  auto text = read_all(fd.fd);
  if (!text) return Error{file + ": " + text.error().describe()};
  return parse(*text, file);
}

Status add_session_approval(const std::string& file, const std::vector<std::string>& argv,
                            bool outside) {
  const std::string dir = file.substr(0, file.rfind('/'));
  if (auto st = make_private_dirs(dir); !st) return st;
  ::chmod(dir.c_str(), 0700);  // also when it existed: the approvals are the user's alone
  Fd fd(::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (fd.fd < 0) return sys_error("cannot open " + file);
  if (::flock(fd.fd, LOCK_EX) != 0) return sys_error("cannot lock " + file);
  auto text = read_all(fd.fd);
  if (!text) return Error{file + ": " + text.error().describe()};
  auto have = parse(*text, file);
  if (!have) return have.error();
  const bool present = std::any_of(have->begin(), have->end(), [&](const auto& a) {
    return a.first == argv && (a.second || !outside);
  });
  if (present) return Ok{};
  have->emplace_back(argv, outside);
  nlohmann::json j;
  j["approved"] = nlohmann::json::array();
  for (const auto& [words, out] : *have)
    j["approved"].push_back({{"argv", words}, {"outside", out}});
  std::string body;
  try {
    body = j.dump(1) + "\n";
  } catch (const nlohmann::json::exception&) {
    // JSON holds only UTF-8; replacing bytes would store a different command.
    return Error{"the command has bytes that are not UTF-8, which a session file cannot hold"};
  }
  if (::ftruncate(fd.fd, 0) != 0 || ::lseek(fd.fd, 0, SEEK_SET) != 0) {
    return sys_error("cannot rewrite " + file);
  }
  if (auto st = write_all_checked(fd.fd, body, file); !st) return st;
  if (::fsync(fd.fd) != 0) return sys_error("cannot write " + file);
  return Ok{};
}

}  // namespace cordon::approval
