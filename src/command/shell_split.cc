// cordon - shell scripts given as `bash -c SCRIPT`: which commands they run (pure).
#include "command/shell_split.h"

#include <algorithm>
#include <cstdint>
#include <utility>

namespace cordon::command {
namespace {

bool is_splittable_shell(std::string_view argv0) {
  // A bare name is looked up in PATH; a relative path could name any file.
  if (argv0.find('/') != std::string_view::npos && argv0.front() != '/') return false;
  const std::string_view name = program_name(argv0);
  return name == "bash" || name == "sh" || name == "zsh" || name == "dash";
}

// ---------------------------------------------------------------------------------------
// Plain mode

bool is_plain_unquoted(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '-':
    case '_':
    case '.':
    case '/':
    case ':':
    case ',':
    case '+':
    case '@':
    case '%':
    case '=':
      return true;
    default:
      return false;
  }
}

// Words that are not a plain command when they stand in command position: bash, dash
// and zsh reserved words, and zsh's precommand modifiers that change what runs.
constexpr std::string_view kNotACommandWord[] = {
    "!",    "[[",     "]]",        "{",      "}",     "case",  "coproc",   "do",
    "done", "elif",   "else",      "esac",   "fi",    "for",   "function", "if",
    "in",   "select", "then",      "time",   "until", "while", "repeat",   "foreach",
    "end",  "always", "nocorrect", "noglob", "-"};

bool is_not_a_command_word(std::string_view w) {
  return std::find(std::begin(kNotACommandWord), std::end(kNotACommandWord), w) !=
         std::end(kNotACommandWord);
}

// ---------------------------------------------------------------------------------------
// Literal mode

// Deeper nesting of $( ), ` `, ${ } than this is read flat (see flat_commands).
constexpr int kMaxNesting = 32;

bool is_meta(char c) {
  switch (c) {
    case ' ':
    case '\t':
    case '\n':
    case ';':
    case '&':
    case '|':
    case '(':
    case ')':
    case '<':
    case '>':
      return true;
    default:
      return false;
  }
}

bool is_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_name_char(char c) {
  return is_name_start(c) || (c >= '0' && c <= '9');
}

// NAME=..., NAME+=..., NAME[subscript]=... as written.
bool is_assignment(std::string_view raw) {
  if (raw.empty() || !is_name_start(raw[0])) return false;
  size_t i = 1;
  while (i < raw.size() && is_name_char(raw[i])) ++i;
  if (i < raw.size() && raw[i] == '[') {
    const size_t close = raw.find(']', i);
    if (close == std::string_view::npos) return false;
    i = close + 1;
  }
  if (i < raw.size() && raw[i] == '+') ++i;
  return i < raw.size() && raw[i] == '=';
}

// A redirection's file descriptor written right before it: "2>", "{fd}>".
bool is_fd_spec(std::string_view raw) {
  if (raw.empty()) return false;
  if (std::all_of(raw.begin(), raw.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return true;
  }
  return raw.size() > 2 && raw.front() == '{' && raw.back() == '}' &&
         std::all_of(raw.begin() + 1, raw.end() - 1, is_name_char);
}

// Words at the start of a command that are syntax, not the command: the command follows.
constexpr std::string_view kLeadingKeywords[] = {"!",     "if",    "then",   "else",     "elif",
                                                 "while", "until", "do",     "{",        "}",
                                                 "fi",    "done",  "noglob", "nocorrect"};

bool is_leading_keyword(std::string_view raw) {
  return std::find(std::begin(kLeadingKeywords), std::end(kLeadingKeywords), raw) !=
         std::end(kLeadingKeywords);
}

void append_utf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | ((cp >> 18) & 0x07)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

struct Word {
  std::string text;  // quotes removed, escapes applied, dynamic parts as written
  std::string raw;   // as written
  bool quoted = false;
};

// Turns the words of one command into its argv: drops leading assignments and keywords.
// `case_depth` counts open case statements of the list the command belongs to.
void emit_command(std::vector<Word>& words, int* case_depth, std::vector<Argv>* out) {
  size_t k = 0;
  while (k < words.size()) {
    const std::string& raw = words[k].raw;
    if (is_assignment(raw)) {
      ++k;
    } else if (raw == "case") {
      ++*case_depth;  // "case WORD in PATTERN": no command here
      return;
    } else if (raw == "for" || raw == "select" || raw == "foreach") {
      return;  // "for NAME in WORDS": no command here
    } else if (raw == "esac") {
      if (*case_depth > 0) --*case_depth;
      ++k;
    } else if (raw == "function" || raw == "repeat") {
      k += 2;  // "function NAME", zsh's "repeat COUNT"
    } else if (raw == "coproc") {
      ++k;
      if (k + 1 < words.size() && words[k + 1].raw == "{") ++k;  // "coproc NAME { ...; }"
    } else if (raw == "time") {
      ++k;
      while (k < words.size() && (words[k].raw == "-p" || words[k].raw == "--")) ++k;
    } else if (is_leading_keyword(raw)) {
      ++k;
    } else {
      break;
    }
  }
  if (k >= words.size()) return;
  Argv argv;
  argv.reserve(words.size() - k);
  for (size_t j = k; j < words.size(); ++j) argv.push_back(std::move(words[j].text));
  out->push_back(std::move(argv));
}

// The fallback past kMaxNesting: no recursion at all. Quotes and backslashes are dropped,
// every operator, parenthesis, brace and backtick ends a command.
void flat_commands(std::string_view t, std::vector<Argv>* out) {
  std::vector<Word> words;
  Word cur;
  bool in_word = false;
  int case_depth = 0;
  auto end_word = [&] {
    if (in_word) {
      cur.raw = cur.text;
      words.push_back(std::move(cur));
      cur = Word{};
      in_word = false;
    }
  };
  auto end_command = [&] {
    end_word();
    emit_command(words, &case_depth, out);
    words.clear();
  };
  for (size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    switch (c) {
      case ' ':
      case '\t':
      case '<':
      case '>':
        end_word();
        break;
      case '\n':
      case ';':
      case '&':
      case '|':
      case '(':
      case ')':
      case '`':
      case '{':
      case '}':
        end_command();
        break;
      case '\'':
      case '"':
      case '\\':
        in_word = true;  // removed, but '' still makes a word
        break;
      case '$':
        if (i + 1 < t.size() && (t[i + 1] == '(' || t[i + 1] == '{')) break;
        [[fallthrough]];
      default:
        cur.text.push_back(c);
        in_word = true;
        break;
    }
  }
  end_command();
}

struct PendingHeredoc {
  std::string delimiter;
  bool strip_tabs = false;  // <<-
  bool expands = false;     // unquoted delimiter: the body is subject to $( ) and ` `
};
struct PendingHeredocs {
  std::vector<PendingHeredoc> items;
};

// Reads one script (or the text of a backtick substitution, or a heredoc body).
class LiteralReader {
 public:
  LiteralReader(std::string_view s, std::vector<Argv>* out) : s_(s), n_(s.size()), out_(out) {}

  // A command list from i. With stop_at_paren (the inside of "$(", "<(", ">("), returns
  // the position after the ')' that closes it; otherwise, and when none does, n_.
  size_t list(size_t i, bool stop_at_paren, int depth);

  // The inside of "..." from i (after the opening quote) to the position after the
  // closing one; as a heredoc body (heredoc=true) to the end, '"' being an ordinary
  // character. Appends the text to *text.
  size_t dquote(size_t i, int depth, bool heredoc, std::string* text);

 private:
  size_t word(size_t i, int depth, Word* w);
  size_t substitution(size_t i, int depth);          // after "$(" "<(" ">("; returns after ')'
  size_t backtick(size_t i, int depth);              // after '`'; returns after the closing '`'
  size_t parameter(size_t i, int depth);             // after "${"; returns after '}'
  size_t ansi_c(size_t i, std::string* text) const;  // after "$'"; returns after '\''
  size_t redirection(size_t i, int depth, PendingHeredocs* heredocs);
  size_t heredoc_bodies(size_t i, int depth, PendingHeredocs* heredocs);

  char at(size_t i) const { return i < n_ ? s_[i] : '\0'; }

  std::string_view s_;
  size_t n_;
  std::vector<Argv>* out_;
};

size_t LiteralReader::list(size_t i, bool stop_at_paren, int depth) {
  std::vector<Word> words;
  PendingHeredocs heredocs;
  int paren = 0;
  int case_depth = 0;
  auto finish = [&] {
    emit_command(words, &case_depth, out_);
    words.clear();
  };
  while (i < n_) {
    const char c = s_[i];
    const char d = at(i + 1);
    if (c == ' ' || c == '\t') {
      ++i;
    } else if (c == '\\' && d == '\n') {
      i += 2;
    } else if (c == '\n') {
      finish();
      i = heredoc_bodies(i + 1, depth, &heredocs);
    } else if (c == '#') {
      while (i < n_ && s_[i] != '\n') ++i;  // a comment, at a word's start
    } else if (((c == '<' || c == '>') && d != '(') || (c == '&' && d == '>')) {
      i = redirection(i, depth, &heredocs);
    } else if (c == ';' || c == '&' || c == '|') {
      finish();
      if (c == ';' && d == ';') {
        i += at(i + 2) == '&' ? 3 : 2;  // ;; ;;&
      } else if ((c == ';' && d == '&') || (c == '&' && d == '&') || (c == '|' && d == '|') ||
                 (c == '|' && d == '&')) {
        i += 2;
      } else {
        ++i;
      }
    } else if (c == '(') {
      finish();
      ++paren;
      ++i;
    } else if (c == ')') {
      finish();
      ++i;
      if (paren > 0) {
        --paren;
      } else if (case_depth > 0) {
        // the end of a case pattern
      } else if (stop_at_paren) {
        return i;
      }
    } else {
      Word w;
      i = word(i, depth, &w);
      // "2>file": the number belongs to the redirection.
      if ((at(i) == '<' || at(i) == '>') && at(i + 1) != '(' && is_fd_spec(w.raw)) continue;
      words.push_back(std::move(w));
    }
  }
  finish();
  return n_;
}

size_t LiteralReader::redirection(size_t i, int depth, PendingHeredocs* heredocs) {
  const std::string_view rest = s_.substr(i);
  bool heredoc = false;
  bool strip_tabs = false;
  size_t len = 1;
  if (rest.starts_with("<<<") || rest.starts_with("&>>")) {
    len = 3;
  } else if (rest.starts_with("<<-")) {
    len = 3;
    heredoc = strip_tabs = true;
  } else if (rest.starts_with("<<")) {
    len = 2;
    heredoc = true;
  } else if (rest.starts_with("<>") || rest.starts_with("<&") || rest.starts_with(">>") ||
             rest.starts_with(">&") || rest.starts_with(">|") || rest.starts_with("&>")) {
    len = 2;
  }
  i += len;
  while (at(i) == ' ' || at(i) == '\t') ++i;
  if (i >= n_) return i;
  const bool process_substitution = (s_[i] == '<' || s_[i] == '>') && at(i + 1) == '(';
  if (is_meta(s_[i]) && !process_substitution) return i;
  Word target;
  i = word(i, depth, &target);  // substitutions in it still count
  if (heredoc) {
    heredocs->items.push_back(PendingHeredoc{target.text, strip_tabs, !target.quoted});
  }
  return i;
}

size_t LiteralReader::heredoc_bodies(size_t i, int depth, PendingHeredocs* heredocs) {
  for (const PendingHeredoc& h : heredocs->items) {
    std::string body;
    while (i < n_) {
      size_t eol = s_.find('\n', i);
      if (eol == std::string_view::npos) eol = n_;
      std::string_view line = s_.substr(i, eol - i);
      i = std::min(eol + 1, n_);
      if (h.strip_tabs) {
        while (!line.empty() && line.front() == '\t') line.remove_prefix(1);
      }
      if (line == h.delimiter) break;
      body.append(line);
      body.push_back('\n');
    }
    if (h.expands) {
      std::string ignored;
      LiteralReader(body, out_).dquote(0, depth, /*heredoc=*/true, &ignored);
    }
  }
  heredocs->items.clear();
  return i;
}

size_t LiteralReader::word(size_t i, int depth, Word* w) {
  const size_t start = i;
  while (i < n_) {
    const char c = s_[i];
    const char d = at(i + 1);
    if ((c == '<' || c == '>') && d == '(') {
      const size_t end = substitution(i + 2, depth + 1);
      w->text.append(s_.substr(i, end - i));
      i = end;
      continue;
    }
    if (is_meta(c)) break;
    if (c == '\\') {
      if (i + 1 >= n_) {
        w->text.push_back('\\');
        ++i;
      } else if (d == '\n') {
        i += 2;  // line continuation
      } else {
        w->text.push_back(d);
        w->quoted = true;
        i += 2;
      }
    } else if (c == '\'') {
      size_t close = s_.find('\'', i + 1);
      if (close == std::string_view::npos) close = n_;
      w->text.append(s_.substr(i + 1, close - i - 1));
      w->quoted = true;
      i = std::min(close + 1, n_);
    } else if (c == '"') {
      w->quoted = true;
      i = dquote(i + 1, depth, /*heredoc=*/false, &w->text);
    } else if (c == '`') {
      const size_t end = backtick(i + 1, depth + 1);
      w->text.append(s_.substr(i, end - i));
      i = end;
    } else if (c == '$' && d == '\'') {
      w->quoted = true;
      i = ansi_c(i + 2, &w->text);
    } else if (c == '$' && d == '"') {
      w->quoted = true;
      i = dquote(i + 2, depth, /*heredoc=*/false, &w->text);
    } else if (c == '$' && (d == '(' || d == '{')) {
      const size_t end = d == '(' ? substitution(i + 2, depth + 1) : parameter(i + 2, depth + 1);
      w->text.append(s_.substr(i, end - i));
      i = end;
    } else {
      w->text.push_back(c);
      ++i;
    }
  }
  w->raw = std::string(s_.substr(start, i - start));
  return i;
}

size_t LiteralReader::dquote(size_t i, int depth, bool heredoc, std::string* text) {
  while (i < n_) {
    const char c = s_[i];
    const char d = at(i + 1);
    if (c == '"' && !heredoc) return i + 1;
    if (c == '\\' && i + 1 < n_) {
      if (d == '\n') {
        i += 2;
      } else if (d == '$' || d == '`' || d == '\\' || (d == '"' && !heredoc)) {
        text->push_back(d);
        i += 2;
      } else {
        text->push_back('\\');
        ++i;
      }
    } else if (c == '`') {
      const size_t end = backtick(i + 1, depth + 1);
      text->append(s_.substr(i, end - i));
      i = end;
    } else if (c == '$' && (d == '(' || d == '{')) {
      const size_t end = d == '(' ? substitution(i + 2, depth + 1) : parameter(i + 2, depth + 1);
      text->append(s_.substr(i, end - i));
      i = end;
    } else {
      text->push_back(c);
      ++i;
    }
  }
  return n_;
}

size_t LiteralReader::substitution(size_t i, int depth) {
  if (depth <= kMaxNesting) return list(i, /*stop_at_paren=*/true, depth);
  // Too deep: find the closing ')' by counting parentheses, and read the inside flat.
  size_t j = i;
  int open = 1;
  for (; j < n_; ++j) {
    if (s_[j] == '(') ++open;
    if (s_[j] == ')' && --open == 0) break;
  }
  flat_commands(s_.substr(i, j - i), out_);
  return std::min(j + 1, n_);
}

size_t LiteralReader::backtick(size_t i, int depth) {
  std::string inner;
  size_t j = i;
  for (; j < n_ && s_[j] != '`'; ++j) {
    if (s_[j] == '\\' && j + 1 < n_) {
      const char e = s_[j + 1];
      if (e == '`' || e == '\\' || e == '$') {
        inner.push_back(e);
        ++j;
        continue;
      }
    }
    inner.push_back(s_[j]);
  }
  if (depth <= kMaxNesting) {
    LiteralReader(inner, out_).list(0, /*stop_at_paren=*/false, depth);
  } else {
    flat_commands(inner, out_);
  }
  return std::min(j + 1, n_);
}

size_t LiteralReader::parameter(size_t i, int depth) {
  if (depth > kMaxNesting) {
    size_t j = i;
    int open = 1;
    for (; j < n_; ++j) {
      if (s_[j] == '{') ++open;
      if (s_[j] == '}' && --open == 0) break;
    }
    flat_commands(s_.substr(i, j - i), out_);
    return std::min(j + 1, n_);
  }
  std::string ignored;
  while (i < n_) {
    const char c = s_[i];
    const char d = at(i + 1);
    if (c == '}') return i + 1;
    if (c == '\\') {
      i = std::min(i + 2, n_);
    } else if (c == '\'') {
      const size_t close = s_.find('\'', i + 1);
      i = close == std::string_view::npos ? n_ : close + 1;
    } else if (c == '"') {
      i = dquote(i + 1, depth, /*heredoc=*/false, &ignored);
    } else if (c == '`') {
      i = backtick(i + 1, depth + 1);
    } else if (c == '$' && d == '(') {
      i = substitution(i + 2, depth + 1);
    } else if (c == '$' && d == '{') {
      i = parameter(i + 2, depth + 1);
    } else {
      ++i;
    }
  }
  return n_;
}

size_t LiteralReader::ansi_c(size_t i, std::string* text) const {
  while (i < n_) {
    const char c = s_[i];
    if (c == '\'') return i + 1;
    if (c != '\\' || i + 1 >= n_) {
      text->push_back(c);
      ++i;
      continue;
    }
    const char e = s_[i + 1];
    i += 2;
    switch (e) {
      case 'a':
        text->push_back('\a');
        break;
      case 'b':
        text->push_back('\b');
        break;
      case 'e':
      case 'E':
        text->push_back('\x1b');
        break;
      case 'f':
        text->push_back('\f');
        break;
      case 'n':
        text->push_back('\n');
        break;
      case 'r':
        text->push_back('\r');
        break;
      case 't':
        text->push_back('\t');
        break;
      case 'v':
        text->push_back('\v');
        break;
      case '\\':
      case '\'':
      case '"':
      case '?':
        text->push_back(e);
        break;
      case 'c':
        if (i < n_) text->push_back(static_cast<char>(s_[i++] & 0x1F));
        break;
      case 'x':
      case 'u':
      case 'U': {
        const int max_digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        uint32_t value = 0;
        int digits = 0;
        while (digits < max_digits && i < n_ && hex_value(s_[i]) >= 0) {
          value = value * 16 + static_cast<uint32_t>(hex_value(s_[i++]));
          ++digits;
        }
        if (digits == 0) {
          text->push_back('\\');
          text->push_back(e);
        } else if (e == 'x') {
          text->push_back(static_cast<char>(value));
        } else if (value <= 0x10FFFF) {
          append_utf8(text, value);
        }
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          uint32_t value = static_cast<uint32_t>(e - '0');
          for (int k = 0; k < 2 && i < n_ && s_[i] >= '0' && s_[i] <= '7'; ++k) {
            value = value * 8 + static_cast<uint32_t>(s_[i++] - '0');
          }
          text->push_back(static_cast<char>(value & 0xFF));
        } else {
          text->push_back('\\');
          text->push_back(e);
        }
        break;
    }
  }
  return n_;
}

}  // namespace

std::optional<std::string> shell_script(const Argv& argv) {
  if (argv.size() != 3 || argv[0].empty() || !is_splittable_shell(argv[0])) return std::nullopt;
  if (argv[1] != "-c" && argv[1] != "-lc") return std::nullopt;
  // The shells take a following word that starts like an option for options.
  if (!argv[2].empty() && (argv[2][0] == '-' || argv[2][0] == '+')) return std::nullopt;
  return argv[2];
}

std::optional<std::vector<Argv>> split_plain(std::string_view s) {
  // execve() would cut the script at a NUL: what the shell sees is not what we see.
  if (s.find('\0') != std::string_view::npos) return std::nullopt;
  enum class Expect {
    Start,    // the start of the script or after ; or a newline: a command or nothing
    Command,  // after && || | (newlines may come first): a command
    More,     // inside a command: more words, or what ends it
  };
  Expect state = Expect::Start;
  std::vector<Argv> out;
  Argv cur;
  const size_t n = s.size();
  size_t i = 0;
  auto finish = [&] {
    out.push_back(std::move(cur));
    cur.clear();
  };
  while (i < n) {
    const char c = s[i];
    const char d = i + 1 < n ? s[i + 1] : '\0';
    if (c == ' ' || c == '\t') {
      ++i;
      continue;
    }
    if (c == '\n') {
      if (state == Expect::More) {
        finish();
        state = Expect::Start;
      }
      ++i;
      continue;
    }
    if (c == '&' || c == '|' || c == ';') {
      if (state != Expect::More) return std::nullopt;  // an empty command
      if (c == '&') {
        if (d != '&') return std::nullopt;  // a background job
        i += 2;
      } else if (c == '|') {
        if (d == '&') return std::nullopt;  // |& redirects stderr
        i += d == '|' ? 2 : 1;
      } else {
        if (d == ';' || d == '&') return std::nullopt;  // ;; ;& belong to case
        ++i;
      }
      finish();
      state = c == ';' ? Expect::Start : Expect::Command;
      continue;
    }
    // A word: quoted and plain parts, up to a blank or an operator.
    std::string w;
    const size_t start = i;
    while (i < n) {
      const char ch = s[i];
      if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '&' || ch == '|' || ch == ';') break;
      if (ch == '\'') {
        const size_t close = s.find('\'', i + 1);
        if (close == std::string_view::npos) return std::nullopt;
        w.append(s.substr(i + 1, close - i - 1));
        i = close + 1;
        if (i < n && s[i] == '\'') return std::nullopt;  // 'a''b': zsh's rc_quotes
      } else if (ch == '"') {
        size_t j = i + 1;
        for (; j < n && s[j] != '"'; ++j) {
          if (s[j] == '$' || s[j] == '`' || s[j] == '\\') return std::nullopt;
        }
        if (j == n) return std::nullopt;
        w.append(s.substr(i + 1, j - i - 1));
        i = j + 1;
      } else if (is_plain_unquoted(ch) && !(ch == '=' && i == start)) {
        w.push_back(ch);
        ++i;
      } else {
        return std::nullopt;
      }
    }
    if (state != Expect::More) {
      // The command word: no assignment, no reserved word.
      if (w.find('=') != std::string::npos || is_not_a_command_word(w)) return std::nullopt;
      state = Expect::More;
    }
    cur.push_back(std::move(w));
  }
  if (state == Expect::Command) return std::nullopt;  // a trailing && || |
  if (state == Expect::More) finish();
  if (out.empty()) return std::nullopt;
  return out;
}

std::vector<Argv> literal_commands(std::string_view script) {
  std::vector<Argv> out;
  LiteralReader(script, &out).list(0, /*stop_at_paren=*/false, 0);
  return out;
}

Units commands_for_policy(const Argv& argv) {
  if (auto script = shell_script(argv)) {
    if (auto commands = split_plain(*script)) return Units{std::move(*commands), true};
  }
  return Units{{argv}, false};
}

}  // namespace cordon::command
