// cordon - TOML pre-check (see toml_guard.h).
#include "config/toml_guard.h"

#include <algorithm>

namespace cordon::config {
namespace {

enum class State { Normal, Comment, Basic, Literal, MultiBasic, MultiLiteral };

bool starts_with(std::string_view s, size_t i, std::string_view what) {
  return s.substr(i, what.size()) == what;
}

}  // namespace

std::optional<TomlGuardIssue> toml_guard(std::string_view s) {
  State st = State::Normal;
  int line = 1, col = 1;
  bool after_backslash = false;   // in a multi-line basic string, right after '\\'
  bool skipping_newline = false;  // ... after a line-ending backslash, until text resumes
  // Where a quote may open a string: toml++ reads a bare value (a number, a date) up to
  // what it takes as its end, so a quote glued to one is not a string to it. A quote opens
  // a string only at the start of a line or after '=', '[', ',', '{', or after '.' in a key.
  constexpr char kLineStart = '\n';
  char prev = kLineStart;    // last significant character outside strings
  bool key_position = true;  // before '=' (a key), not in a value
  std::string brackets;      // open '[' (array) and '{' (inline table) of values
  // Inside a bare value (number, bool, date): toml++ reads it up to a value terminator
  // (whitespace, ']', '}', ',', '#'), whatever else it meets, quotes included.
  bool in_bare = false;
  auto issue = [&](const char* msg) { return TomlGuardIssue{line, col, msg}; };
  auto new_line = [&] {
    if (brackets.empty()) key_position = true;
    prev = kLineStart;
  };

  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const bool ascii = c < 0x80;
    size_t adv = 1;
    switch (st) {
      case State::Normal: {
        if (!ascii) {
          return issue(
              "unexpected non-ASCII character; outside strings and comments TOML allows only "
              "ASCII (put the text in quotes)");
        }
        if (in_bare) {
          const bool terminator = c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ']' ||
                                  c == '}' || c == ',' || c == '#';
          if (!terminator) {
            prev = static_cast<char>(c);
            break;
          }
          in_bare = false;
        }
        const bool string_may_start = prev == kLineStart || prev == '=' || prev == '[' ||
                                      prev == ',' || prev == '{' || (prev == '.' && key_position);
        if (c == '#') {
          st = State::Comment;
        } else if ((c == '"' || c == '\'') && string_may_start) {
          const bool multi = starts_with(s, i, c == '"' ? "\"\"\"" : "\'\'\'");
          st = c == '"' ? (multi ? State::MultiBasic : State::Basic)
                        : (multi ? State::MultiLiteral : State::Literal);
          adv = multi ? 3 : 1;
          prev = '"';
        } else if (c == '\n') {
          new_line();
        } else if (c != ' ' && c != '\t' && c != '\r') {
          if (c == '=') {
            key_position = false;
          } else if (!key_position && c != '[' && c != '{' && c != ']' && c != '}' && c != ',' &&
                     c != '"' && c != '\'') {
            in_bare = true;
          } else if (c == '[' || c == '{') {
            // A table header "[a.b]" is a key; an array or inline table is a value.
            if (!key_position) brackets.push_back(static_cast<char>(c));
            if (c == '{') key_position = true;
          } else if ((c == ']' || c == '}') && !brackets.empty()) {
            brackets.pop_back();
            key_position = false;
          } else if (c == ',' && !brackets.empty()) {
            key_position = brackets.back() == '{';
          }
          prev = static_cast<char>(c);
        }
        break;
      }
      case State::Comment:
        if (c == '\n') {
          st = State::Normal;
          new_line();
        }
        break;
      case State::Basic:
        if (c == '\\' && i + 1 < s.size() && ascii) {
          adv = s[i + 1] == '\n' ? 1 : 2;  // a newline ends the (invalid) string below
        } else if (c == '"' || c == '\n') {
          st = State::Normal;
          if (c == '\n') new_line();  // unterminated: toml++ reports it
        }
        break;
      case State::Literal:
        if (c == '\'' || c == '\n') {
          st = State::Normal;
          if (c == '\n') new_line();
        }
        break;
      case State::MultiBasic: {
        const bool ws = c == ' ' || c == '\t' || c == '\r' || c == '\n';
        const char* kAfterBackslash =
            "non-ASCII text right after a backslash in a multi-line string is not supported "
            "(a bug in the TOML library this cordon uses); escape it as \\uXXXX or put it "
            "after other text";
        if (after_backslash) {
          if (!ascii) return issue(kAfterBackslash);
          after_backslash = false;
          skipping_newline = ws;  // a line-ending backslash: whitespace up to the text is skipped
          break;                  // otherwise the escaped character itself
        }
        if (skipping_newline) {
          if (ws) break;
          if (!ascii) return issue(kAfterBackslash);
          skipping_newline = false;
        }
        if (c == '\\') {
          after_backslash = true;
        } else if (starts_with(s, i, "\"\"\"")) {
          st = State::Normal;
          adv = 3;
          while (i + adv < s.size() && s[i + adv] == '"' && adv < 5) ++adv;  // up to 2 quotes
        }
        break;
      }
      case State::MultiLiteral:
        if (starts_with(s, i, "'''")) {
          st = State::Normal;
          adv = 3;
          while (i + adv < s.size() && s[i + adv] == '\'' && adv < 5) ++adv;
        }
        break;
    }
    // Advance by whole UTF-8 sequences so columns count code points.
    for (size_t k = 0; k < adv && i < s.size(); ++k) {
      const unsigned char b = static_cast<unsigned char>(s[i]);
      size_t len = b < 0x80           ? 1
                   : (b >> 5) == 0x6  ? 2
                   : (b >> 4) == 0xE  ? 3
                   : (b >> 3) == 0x1E ? 4
                                      : 1;
      if (s[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
      i += std::min(len, s.size() - i);
    }
  }
  return std::nullopt;
}

}  // namespace cordon::config
