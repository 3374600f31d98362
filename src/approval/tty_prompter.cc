// cordon - asking on the terminal.
#include "approval/tty_prompter.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

#include "util/fd.h"
#include "util/io.h"
#include "util/printable.h"

namespace cordon::approval {
namespace {

constexpr int kMaxTries = 5;

std::string lower_trimmed(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  std::string out = s.substr(b, e - b + 1);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// One line from the terminal; nullopt at end of input (Ctrl-D) or on an error.
std::optional<std::string> read_line(int fd) {
  std::string line;
  char c;
  for (;;) {
    const ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return line.empty() ? std::nullopt : std::optional<std::string>(line);
    if (c == '\n') return line;
    if (line.size() < 256) line += c;
  }
}

std::string choices(const Question& q) {
  std::string s = "[y]es, run once";
  if (q.offer_session) s += " / [s]ession: allow for this session";
  if (!q.always_rules.empty()) s += " / [a]lways allow";
  return s + " / [n]o / [q]uit (abort)";
}

}  // namespace

const char* to_string(Answer a) {
  switch (a) {
    case Answer::Once:
      return "once";
    case Answer::Session:
      return "session";
    case Answer::Always:
      return "always";
    case Answer::Deny:
      return "deny";
    case Answer::Abort:
      return "abort";
  }
  return "?";
}

std::string render_question(const Question& q) {
  std::string s = q.retry ? "\ncordon: the sandbox blocked this command; run it again OUTSIDE the "
                            "sandbox?\n"
                          : (q.outside ? "\ncordon: approval needed to run OUTSIDE the sandbox\n"
                                       : "\ncordon: approval needed\n");
  s += "  command: " + printable(q.command) + "\n";
  s += "  in:      " + printable(q.cwd) + "\n";
  s += "  why:     " + printable(q.reason) + "\n";
  if (q.retry && !q.blocked.empty()) s += "  blocked: " + printable(q.blocked) + "\n";
  if (!q.always_rules.empty()) {
    s += "  [a]lways adds to " + printable(q.always_file) + ":\n";
    for (const auto& r : q.always_rules) s += "    " + printable(r) + "\n";
  }
  s += choices(q) + "? ";
  return s;
}

std::optional<Answer> parse_answer(const std::string& line, const Question& q) {
  const std::string a = lower_trimmed(line);
  if (a == "y" || a == "yes" || a == "once") return Answer::Once;
  if ((a == "s" || a == "session") && q.offer_session) return Answer::Session;
  if ((a == "a" || a == "always") && !q.always_rules.empty()) return Answer::Always;
  if (a == "n" || a == "no" || a == "deny") return Answer::Deny;
  if (a == "q" || a == "quit" || a == "abort") return Answer::Abort;
  return std::nullopt;
}

std::optional<Answer> TtyPrompter::ask(const Question& q) {
  Fd tty(::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (tty.fd < 0) return std::nullopt;
  write_all(tty.fd, render_question(q));
  for (int i = 0; i < kMaxTries; ++i) {
    auto line = read_line(tty.fd);
    if (!line) {
      write_all(tty.fd, "\ncordon: no answer (end of input): aborting\n");
      return Answer::Abort;
    }
    if (auto a = parse_answer(*line, q)) return a;
    write_all(tty.fd, "cordon: please answer " + choices(q) + "? ");
  }
  write_all(tty.fd, "cordon: no valid answer: denied\n");
  return Answer::Deny;
}

}  // namespace cordon::approval
