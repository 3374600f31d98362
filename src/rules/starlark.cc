// cordon - the .rules Starlark subset: lexer, parser (to a small syntax tree), evaluator.
#include "rules/starlark.h"

#include <algorithm>
#include <array>
#include <deque>
#include <unordered_map>
#include <utility>

#include "config/suggest.h"
#include "util/printable.h"

namespace cordon::rules::starlark {
namespace {

// ---------------------------------------------------------------------------------------
// Lexer

enum class Tok {
  Name,
  String,
  LParen,
  RParen,
  LBracket,
  RBracket,
  Comma,
  Assign,
  PlusAssign,
  Plus,
  Semicolon,
  Newline,
  End,
};

struct Token {
  Tok kind = Tok::End;
  Pos pos;
  std::string text;  // Name: the identifier; String: the decoded value
};

bool is_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_name_char(char c) {
  return is_name_start(c) || (c >= '0' && c <= '9');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
bool is_continuation(unsigned char c) {
  return (c & 0xC0) == 0x80;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Length of the well-formed UTF-8 sequence at s[i], or 0 when it is not one.
size_t utf8_length(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  size_t n = 0;
  uint32_t min = 0;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
    min = 0x80;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    min = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  uint32_t cp = c & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if (!is_continuation(b)) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

// Where the first byte that is not well-formed UTF-8 is, if any.
std::optional<Pos> invalid_utf8(std::string_view s) {
  int line = 1, col = 1;
  for (size_t i = 0; i < s.size();) {
    const size_t n = utf8_length(s, i);
    if (n == 0) return Pos{line, col};
    if (s[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
    i += n;
  }
  return std::nullopt;
}

// The character at s[i] (one whole UTF-8 sequence), made printable.
std::string char_at(std::string_view s, size_t i) {
  const size_t n = std::max<size_t>(1, utf8_length(s, i));
  return printable(s.substr(i, n));
}

class Lexer {
 public:
  Lexer(std::string_view text, Budget& budget) : s_(text), budget_(budget) {
    if (s_.substr(0, 3) == "\xEF\xBB\xBF") {  // a UTF-8 byte order mark
      i_ = 3;
      line_start_ = 3;
      col_off_ = 3;
    }
  }

  // The next token, or an error.
  bool next(Token& t, std::optional<Diag>& err) {
    if (!scan(t, err)) return false;
    if (!budget_.spend(1 + t.text.size())) {
      err = Diag{t.pos, kTooComplex};
      return false;
    }
    return true;
  }

 private:
  char at(size_t k) const { return k < s_.size() ? s_[k] : '\0'; }
  bool end() const { return i_ >= s_.size(); }

  // The position of byte offset `off` on the current line. Offsets are asked in increasing
  // order, so the column count goes on from the previous answer.
  Pos pos_of(size_t off) {
    if (col_off_ < line_start_ || off < col_off_) {
      col_off_ = line_start_;
      col_ = 1;
    }
    for (; col_off_ < off; ++col_off_) {
      if (!is_continuation(static_cast<unsigned char>(s_[col_off_]))) ++col_;
    }
    return Pos{line_, col_};
  }
  Pos here() { return pos_of(i_); }

  // s_[i_] is '\n': step over it.
  void newline() {
    ++i_;
    ++line_;
    line_start_ = i_;
  }

  bool fail(std::optional<Diag>& err, Pos p, std::string msg) {
    err = Diag{p, std::move(msg)};
    return false;
  }

  bool scan(Token& t, std::optional<Diag>& err) {
    t.text.clear();
    for (;;) {
      if (at_line_start_ && depth_ == 0) {
        size_t j = i_;
        while (j < s_.size() && (s_[j] == ' ' || s_[j] == '\t' || s_[j] == '\r' || s_[j] == '\f')) {
          ++j;
        }
        if (j >= s_.size()) {
          i_ = j;
        } else if (s_[j] == '#') {
          i_ = j;
          while (!end() && s_[i_] != '\n') ++i_;
          continue;
        } else if (s_[j] == '\n') {
          i_ = j;
          newline();
          continue;
        } else if (j > i_) {
          return fail(err, pos_of(j), "unexpected indentation (statements start in column 1)");
        }
        at_line_start_ = false;
      }
      while (!end() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\r' || s_[i_] == '\f')) ++i_;
      if (end()) {
        t.kind = Tok::End;
        t.pos = here();
        return true;
      }
      const char c = s_[i_];
      if (c == '#') {
        while (!end() && s_[i_] != '\n') ++i_;
        continue;
      }
      if (c == '\\' && (at(i_ + 1) == '\n' || (at(i_ + 1) == '\r' && at(i_ + 2) == '\n'))) {
        i_ += at(i_ + 1) == '\r' ? 2 : 1;
        newline();
        continue;
      }
      if (c == '\n') {
        if (depth_ > 0) {
          newline();
          continue;
        }
        t.kind = Tok::Newline;
        t.pos = here();
        newline();
        at_line_start_ = true;
        return true;
      }
      break;
    }

    const char c = s_[i_];
    t.pos = here();
    if (is_name_start(c)) {
      size_t j = i_;
      while (j < s_.size() && is_name_char(s_[j])) ++j;
      const std::string_view word = s_.substr(i_, j - i_);
      if ((at(j) == '"' || at(j) == '\'') && word.size() <= 2) {
        std::string lower;
        for (char w : word) lower += static_cast<char>(w | 0x20);
        if (lower == "r") {
          i_ = j;
          return string(t, true, err);
        }
        if (lower == "f" || lower == "rf" || lower == "fr") {
          return fail(err, t.pos, "f-strings are not supported in .rules files");
        }
        if (lower == "b" || lower == "rb" || lower == "br") {
          return fail(err, t.pos, "bytes literals are not supported in .rules files");
        }
      }
      t.kind = Tok::Name;
      t.text.assign(word);
      i_ = j;
      return true;
    }
    if (c == '"' || c == '\'') return string(t, false, err);
    if (is_digit(c) || (c == '.' && is_digit(at(i_ + 1)))) {
      return fail(err, t.pos,
                  "numbers are not supported in .rules files (only strings, lists and tuples)");
    }
    switch (c) {
      case '(':
      case '[':
        ++depth_;
        t.kind = c == '(' ? Tok::LParen : Tok::LBracket;
        ++i_;
        return true;
      case ')':
      case ']':
        if (depth_ > 0) --depth_;
        t.kind = c == ')' ? Tok::RParen : Tok::RBracket;
        ++i_;
        return true;
      case ',':
        t.kind = Tok::Comma;
        ++i_;
        return true;
      case ';':
        t.kind = Tok::Semicolon;
        ++i_;
        return true;
      case '=':
        if (at(i_ + 1) == '=') return fail(err, t.pos, "'==' is not supported in .rules files");
        t.kind = Tok::Assign;
        ++i_;
        return true;
      case '+':
        if (at(i_ + 1) == '=') {
          t.kind = Tok::PlusAssign;
          i_ += 2;
          return true;
        }
        t.kind = Tok::Plus;
        ++i_;
        return true;
      case '{':
      case '}':
        return fail(err, t.pos, "dicts are not supported in .rules files");
      case '.':
      case ':':
      case '-':
      case '*':
      case '/':
      case '%':
      case '<':
      case '>':
      case '!':
      case '&':
      case '|':
      case '^':
      case '~':
      case '@':
        return fail(err, t.pos, std::string("'") + c + "' is not supported in .rules files");
      default:
        return fail(err, t.pos, "unexpected character '" + char_at(s_, i_) + "'");
    }
  }

  // A string literal starting at s_[i_] (the quote); `t.pos` is where its prefix starts.
  bool string(Token& t, bool raw, std::optional<Diag>& err) {
    const char q = s_[i_];
    const bool triple = at(i_ + 1) == q && at(i_ + 2) == q;
    i_ += triple ? 3 : 1;
    t.kind = Tok::String;
    std::string& out = t.text;
    for (;;) {
      if (end()) return fail(err, t.pos, "unterminated string");
      const char c = s_[i_];
      if (c == q) {
        if (!triple) {
          ++i_;
          return true;
        }
        if (at(i_ + 1) == q && at(i_ + 2) == q) {
          i_ += 3;
          return true;
        }
        out += c;
        ++i_;
        continue;
      }
      if (c == '\n' || (c == '\r' && at(i_ + 1) == '\n')) {
        if (!triple)
          return fail(err, t.pos,
                      "unterminated string (a line break inside '...' or \"...\"; use triple "
                      "quotes or \\n)");
        if (c == '\r') ++i_;
        out += '\n';
        newline();
        continue;
      }
      if (c != '\\') {
        out += c;
        ++i_;
        continue;
      }
      // A backslash.
      const Pos bs = here();
      const char e = at(i_ + 1);
      if (i_ + 1 >= s_.size()) return fail(err, t.pos, "unterminated string");
      if (raw) {
        out += '\\';
        ++i_;
        if (e == '\n') {
          if (!triple) return fail(err, t.pos, "unterminated string");
          out += '\n';
          newline();
        } else {
          out += e;
          ++i_;
        }
        continue;
      }
      if (e == '\n' || (e == '\r' && at(i_ + 2) == '\n')) {  // a continued line
        i_ += e == '\r' ? 2 : 1;
        newline();
        continue;
      }
      i_ += 2;
      switch (e) {
        case 'n':
          out += '\n';
          continue;
        case 't':
          out += '\t';
          continue;
        case 'r':
          out += '\r';
          continue;
        case 'a':
          out += '\a';
          continue;
        case 'b':
          out += '\b';
          continue;
        case 'f':
          out += '\f';
          continue;
        case 'v':
          out += '\v';
          continue;
        case '\\':
          out += '\\';
          continue;
        case '\'':
          out += '\'';
          continue;
        case '"':
          out += '"';
          continue;
        default:
          break;
      }
      if (e >= '0' && e <= '7') {
        unsigned v = static_cast<unsigned>(e - '0');
        for (int k = 0; k < 2 && at(i_) >= '0' && at(i_) <= '7'; ++k) {
          v = v * 8 + static_cast<unsigned>(at(i_) - '0');
          ++i_;
        }
        if (v > 0xFF) return fail(err, bs, "octal escape out of range (at most \\377)");
        out += static_cast<char>(v);
        continue;
      }
      if (e == 'x' || e == 'u' || e == 'U') {
        const int digits = e == 'x' ? 2 : (e == 'u' ? 4 : 8);
        uint32_t v = 0;
        for (int k = 0; k < digits; ++k) {
          const int h = hex_value(at(i_));
          if (h < 0 || i_ >= s_.size()) {
            return fail(err, bs,
                        std::string("invalid \\") + e + " escape: expected " +
                            std::to_string(digits) + " hexadecimal digits");
          }
          v = v * 16 + static_cast<uint32_t>(h);
          ++i_;
        }
        if (e == 'x') {
          out += static_cast<char>(v);
        } else if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
          return fail(err, bs,
                      std::string("invalid \\") + e + " escape: not a Unicode scalar value");
        } else {
          append_utf8(out, v);
        }
        continue;
      }
      return fail(err, bs, "invalid escape sequence '\\" + char_at(s_, i_ - 1) + "'");
    }
  }

  std::string_view s_;
  Budget& budget_;
  size_t i_ = 0;
  int line_ = 1;
  size_t line_start_ = 0;
  size_t col_off_ = 0;  // pos_of's cache: the offset whose column is col_
  int col_ = 1;
  int depth_ = 0;  // open brackets and parentheses: line breaks inside them are spaces
  bool at_line_start_ = true;
};

// ---------------------------------------------------------------------------------------
// Syntax tree

struct Expr {
  enum class Kind { String, Name, List, Tuple, Call, Add };
  Kind kind = Kind::String;
  Pos pos;
  std::string text;               // String: the value; Name, Call: the name
  std::vector<Expr> items;        // List, Tuple: elements; Call: arguments; Add: operands
  std::vector<std::string> keys;  // Call: each argument's keyword ("" when positional)
  std::vector<Pos> key_pos;       // Call: where each keyword is; Add: where each '+' is
};

struct Stmt {
  enum class Kind { Expr, Assign, AddAssign };
  Kind kind = Kind::Expr;
  std::string target;
  Pos target_pos;
  Pos op_pos;
  Expr value;
};

constexpr std::array<const char*, 33> kKeywords = {
    "and",    "as",   "assert", "async",  "await",    "break", "class", "continue", "def",
    "del",    "elif", "else",   "except", "finally",  "for",   "from",  "global",   "if",
    "import", "in",   "is",     "lambda", "nonlocal", "not",   "or",    "pass",     "raise",
    "return", "try",  "while",  "with",   "yield",    "load"};

bool is_keyword(std::string_view w) {
  return std::find(kKeywords.begin(), kKeywords.end(), w) != kKeywords.end();
}

std::string describe(const Token& t) {
  switch (t.kind) {
    case Tok::Name:
      return "'" + t.text + "'";
    case Tok::String:
      return "a string";
    case Tok::LParen:
      return "'('";
    case Tok::RParen:
      return "')'";
    case Tok::LBracket:
      return "'['";
    case Tok::RBracket:
      return "']'";
    case Tok::Comma:
      return "','";
    case Tok::Assign:
      return "'='";
    case Tok::PlusAssign:
      return "'+='";
    case Tok::Plus:
      return "'+'";
    case Tok::Semicolon:
      return "';'";
    case Tok::Newline:
      return "the end of the line";
    case Tok::End:
      return "the end of the file";
  }
  return "?";
}

class Parser {
 public:
  Parser(std::string_view text, const Limits& limits, Budget& budget)
      : lex_(text, budget), limits_(limits), budget_(budget) {}

  // Parses statement after statement, handing each to `each` (which returns false, with
  // its own error, to stop). Only one statement's tree is held at a time.
  template <typename F>
  bool parse(F&& each, std::optional<Diag>& err) {
    for (;;) {
      const Token* t = peek(0);
      if (t == nullptr) return fail(err);
      if (t->kind == Tok::End) return true;
      if (t->kind == Tok::Newline) {
        take();
        continue;
      }
      for (;;) {
        Stmt s;
        if (!statement(s)) return fail(err);
        t = peek(0);
        if (t == nullptr) return fail(err);
        if (t->kind != Tok::Semicolon && t->kind != Tok::Newline && t->kind != Tok::End) {
          if (t->kind == Tok::String) {
            error(t->pos, "adjacent strings are not joined in Starlark; use '+'");
          } else if (t->kind == Tok::Assign) {
            error(t->pos, "only a plain name can be assigned to");
          } else {
            error(t->pos, "expected the end of the statement, found " + describe(*t));
          }
          return fail(err);
        }
        if (!each(s)) return false;
        if (t->kind != Tok::Semicolon) break;
        take();
        t = peek(0);
        if (t == nullptr) return fail(err);
        if (t->kind == Tok::Newline || t->kind == Tok::End) break;
      }
    }
  }

 private:
  bool fail(std::optional<Diag>& err) {
    err = std::move(err_);
    return false;
  }
  bool error(Pos p, std::string msg) {
    if (!err_) err_ = Diag{p, std::move(msg)};
    return false;
  }

  // The k-th token ahead (k < 2), or nullptr on a lexer error (then err_ is set).
  const Token* peek(size_t k) {
    while (ahead_.size() <= k) {
      Token t;
      std::optional<Diag> e;
      if (!lex_.next(t, e)) {
        error(e->pos, std::move(e->message));
        return nullptr;
      }
      ahead_.push_back(std::move(t));
    }
    return &ahead_[k];
  }
  Token take() {
    Token t = std::move(ahead_.front());
    ahead_.pop_front();
    return t;
  }

  bool unsupported_keyword(const Token& t) {
    if (t.text == "load") return error(t.pos, "load() is not supported in .rules files");
    if (t.text == "def" || t.text == "lambda") {
      return error(t.pos, "defining functions ('" + t.text + "') is not supported in .rules files");
    }
    return error(t.pos, "'" + t.text + "' is not supported in .rules files");
  }

  bool statement(Stmt& s) {
    const Token* t = peek(0);
    if (t == nullptr) return false;
    if (t->kind == Tok::Name && is_keyword(t->text)) return unsupported_keyword(*t);
    if (t->kind == Tok::Name) {
      const Token* t2 = peek(1);
      if (t2 == nullptr) return false;
      if (t2->kind == Tok::Assign || t2->kind == Tok::PlusAssign) {
        Token name = take();
        Token op = take();
        s.kind = op.kind == Tok::Assign ? Stmt::Kind::Assign : Stmt::Kind::AddAssign;
        s.target = std::move(name.text);
        s.target_pos = name.pos;
        s.op_pos = op.pos;
        return expr(s.value, 0);
      }
    }
    s.kind = Stmt::Kind::Expr;
    return expr(s.value, 0);
  }

  bool expr(Expr& e, int depth) {
    Expr first;
    if (!primary(first, depth)) return false;
    const Token* t = peek(0);
    if (t == nullptr) return false;
    if (t->kind != Tok::Plus) {
      e = std::move(first);
      return true;
    }
    e.kind = Expr::Kind::Add;
    e.pos = first.pos;
    e.items.push_back(std::move(first));
    while (t->kind == Tok::Plus) {
      e.key_pos.push_back(take().pos);
      Expr next;
      if (!primary(next, depth)) return false;
      e.items.push_back(std::move(next));
      t = peek(0);
      if (t == nullptr) return false;
    }
    return true;
  }

  bool open(const Token& t, int depth) {
    if (depth + 1 > limits_.max_depth) {
      return error(t.pos, "nested more than " + std::to_string(limits_.max_depth) + " levels deep");
    }
    return true;
  }

  bool primary(Expr& e, int depth) {
    const Token* p = peek(0);
    if (p == nullptr) return false;
    if (!budget_.spend(sizeof(Expr))) return error(p->pos, kTooComplex);
    switch (p->kind) {
      case Tok::String: {
        Token t = take();
        e.kind = Expr::Kind::String;
        e.pos = t.pos;
        e.text = std::move(t.text);
        return true;
      }
      case Tok::Name: {
        if (is_keyword(p->text)) return unsupported_keyword(*p);
        Token t = take();
        const Token* n = peek(0);
        if (n == nullptr) return false;
        e.pos = t.pos;
        e.text = std::move(t.text);
        if (n->kind != Tok::LParen) {
          e.kind = Expr::Kind::Name;
          return true;
        }
        e.kind = Expr::Kind::Call;
        const Token paren = take();
        if (!open(paren, depth)) return false;
        return call_args(e, paren, depth + 1);
      }
      case Tok::LBracket:
      case Tok::LParen: {
        const Token t = take();
        if (!open(t, depth)) return false;
        e.pos = t.pos;
        if (t.kind == Tok::LBracket) {
          e.kind = Expr::Kind::List;
          return elements(e, t, Tok::RBracket, depth + 1);
        }
        const Token* n = peek(0);
        if (n == nullptr) return false;
        if (n->kind == Tok::RParen) {
          take();
          e.kind = Expr::Kind::Tuple;
          return true;
        }
        Expr inner;
        if (!expr(inner, depth + 1)) return false;
        n = peek(0);
        if (n == nullptr) return false;
        if (n->kind == Tok::RParen) {  // a parenthesised expression
          take();
          e = std::move(inner);
          return true;
        }
        if (n->kind != Tok::Comma) return unclosed(t, *n, "')' or ','");
        take();
        e.kind = Expr::Kind::Tuple;
        e.items.push_back(std::move(inner));
        return elements(e, t, Tok::RParen, depth + 1);
      }
      default:
        return error(p->pos, "expected a value, found " + describe(*p));
    }
  }

  bool unclosed(const Token& opener, const Token& found, const char* expected) {
    if (found.kind == Tok::End) {
      return error(opener.pos, "'" + std::string(opener.kind == Tok::LBracket ? "[" : "(") +
                                   "' is never closed");
    }
    return error(found.pos, std::string("expected ") + expected + ", found " + describe(found));
  }

  // Elements up to the closing bracket (trailing comma allowed).
  bool elements(Expr& e, const Token& opener, Tok close, int depth) {
    const char* expected = close == Tok::RBracket ? "']' or ','" : "')' or ','";
    for (;;) {
      const Token* n = peek(0);
      if (n == nullptr) return false;
      if (n->kind == close) {
        take();
        return true;
      }
      if (n->kind == Tok::End) return unclosed(opener, *n, expected);
      Expr item;
      if (!expr(item, depth)) return false;
      e.items.push_back(std::move(item));
      n = peek(0);
      if (n == nullptr) return false;
      if (n->kind == Tok::Comma) {
        take();
        continue;
      }
      if (n->kind != close) return unclosed(opener, *n, expected);
    }
  }

  bool call_args(Expr& e, const Token& opener, int depth) {
    bool keywords = false;
    for (;;) {
      const Token* n = peek(0);
      if (n == nullptr) return false;
      if (n->kind == Tok::RParen) {
        take();
        return true;
      }
      if (n->kind == Tok::End) return unclosed(opener, *n, "')' or ','");
      const Token* n2 = nullptr;
      if (n->kind == Tok::Name) {
        n2 = peek(1);
        if (n2 == nullptr) return false;
        n = peek(0);
      }
      if (n->kind == Tok::Name && n2->kind == Tok::Assign) {
        Token key = take();
        take();
        keywords = true;
        e.keys.push_back(std::move(key.text));
        e.key_pos.push_back(key.pos);
      } else {
        if (keywords) return error(n->pos, "positional argument after keyword arguments");
        e.keys.emplace_back();
        e.key_pos.push_back(n->pos);
      }
      Expr arg;
      if (!expr(arg, depth)) return false;
      e.items.push_back(std::move(arg));
      n = peek(0);
      if (n == nullptr) return false;
      if (n->kind == Tok::Comma) {
        take();
        continue;
      }
      if (n->kind != Tok::RParen) return unclosed(opener, *n, "')' or ','");
    }
  }

  Lexer lex_;
  const Limits& limits_;
  Budget& budget_;
  std::deque<Token> ahead_;
  std::optional<Diag> err_;
};

// ---------------------------------------------------------------------------------------
// Evaluator

// Budget units roughly follow the bytes allocated: a value costs its size.
constexpr uint64_t kValueCost = sizeof(Value);

class Evaluator {
 public:
  Evaluator(const std::vector<Builtin>& builtins, const Limits& limits, Budget& budget)
      : limits_(limits), budget_(budget) {
    for (const auto& b : builtins) {
      builtins_.emplace(b.name, &b);
      builtin_names_.push_back(b.name);
    }
  }

  // Evaluates one statement; on failure error() has the reason.
  bool run(const Stmt& s) { return statement(s); }
  std::optional<Diag> take_error() { return std::move(err_); }

 private:
  bool error(Pos p, std::string msg) {
    if (!err_) err_ = Diag{p, std::move(msg)};
    return false;
  }
  bool spend(uint64_t n, Pos p) {
    if (budget_.spend(n)) return true;
    return error(p, kTooComplex);
  }

  bool statement(const Stmt& s) {
    if (s.kind == Stmt::Kind::Expr) {
      Value v;
      return eval(s.value, v);
    }
    if (builtins_.count(s.target) != 0) {
      return error(s.target_pos, "cannot assign to the builtin '" + s.target + "'");
    }
    if (s.target == "None" || s.target == "True" || s.target == "False") {
      return error(s.target_pos, "cannot assign to '" + s.target + "'");
    }
    Value v;
    if (!eval(s.value, v)) return false;
    if (s.kind == Stmt::Kind::AddAssign) {
      auto it = globals_.find(s.target);
      if (it == globals_.end()) {
        return error(s.target_pos, "name '" + s.target + "' is not defined");
      }
      Value left = it->second;
      left.pos = s.target_pos;
      if (!add(left, v, s.op_pos)) return false;
      v = std::move(left);
    }
    if (!spend(1 + s.target.size(), s.target_pos)) return false;
    globals_[s.target] = std::move(v);
    return true;
  }

  bool eval(const Expr& e, Value& out) {
    switch (e.kind) {
      case Expr::Kind::String:
        if (!spend(kValueCost + e.text.size(), e.pos)) return false;
        out = Value{};
        out.kind = Value::Kind::String;
        out.str = e.text;
        out.pos = e.pos;
        return true;
      case Expr::Kind::Name:
        return name(e, out);
      case Expr::Kind::List:
      case Expr::Kind::Tuple: {
        auto items = std::make_shared<std::vector<Value>>();
        items->reserve(e.items.size());
        int depth = 0;
        for (const auto& x : e.items) {
          Value v;
          if (!eval(x, v)) return false;
          depth = std::max(depth, v.depth);
          items->push_back(std::move(v));
        }
        if (!spend(kValueCost * (1 + items->size()), e.pos)) return false;
        if (depth + 1 > limits_.max_depth) {
          return error(e.pos, "value nested more than " + std::to_string(limits_.max_depth) +
                                  " levels deep");
        }
        out = Value{};
        out.kind = e.kind == Expr::Kind::List ? Value::Kind::List : Value::Kind::Tuple;
        out.items = std::move(items);
        out.depth = depth + 1;
        out.pos = e.pos;
        return true;
      }
      case Expr::Kind::Add: {
        if (!eval(e.items[0], out)) return false;
        for (size_t k = 1; k < e.items.size(); ++k) {
          Value r;
          if (!eval(e.items[k], r)) return false;
          if (!add(out, r, e.key_pos[k - 1])) return false;
        }
        return true;
      }
      case Expr::Kind::Call:
        return call(e, out);
    }
    return error(e.pos, "internal error: unknown expression");
  }

  bool name(const Expr& e, Value& out) {
    out = Value{};
    out.pos = e.pos;
    if (e.text == "None") return true;
    if (e.text == "True" || e.text == "False") {
      out.kind = Value::Kind::Bool;
      out.boolean = e.text == "True";
      return true;
    }
    if (builtins_.count(e.text) != 0) {
      return error(e.pos, "'" + e.text + "' is a builtin function: call it as " + e.text + "(...)");
    }
    auto it = globals_.find(e.text);
    if (it == globals_.end()) {
      std::vector<std::string> known;
      for (const auto& [k, v] : globals_) known.push_back(k);
      return error(e.pos,
                   "name '" + e.text + "' is not defined" + config::did_you_mean(e.text, known));
    }
    if (!spend(kValueCost + it->second.str.size(), e.pos)) return false;
    out = it->second;
    out.pos = e.pos;
    return true;
  }

  // left = left + right.
  bool add(Value& left, const Value& right, Pos op) {
    if (left.kind == Value::Kind::String && right.kind == Value::Kind::String) {
      if (!spend(kValueCost + left.str.size() + right.str.size(), op)) return false;
      left.str += right.str;
      return true;
    }
    if (left.is_sequence() && left.kind == right.kind) {
      if (!spend(kValueCost * (1 + left.items->size() + right.items->size()), op)) return false;
      auto items = std::make_shared<std::vector<Value>>();
      items->reserve(left.items->size() + right.items->size());
      items->insert(items->end(), left.items->begin(), left.items->end());
      items->insert(items->end(), right.items->begin(), right.items->end());
      left.items = std::move(items);
      left.depth = std::max(left.depth, right.depth);
      return true;
    }
    return error(op, std::string("unsupported operand types for +: ") + type_name(left.kind) +
                         " and " + type_name(right.kind));
  }

  // Charges the whole size of `v` (elements and string bytes), stopping once over budget.
  bool charge(const Value& v, Pos p) {
    if (v.kind == Value::Kind::String) return spend(1 + v.str.size(), p);
    if (!v.is_sequence()) return spend(1, p);
    if (!spend(1 + v.items->size(), p)) return false;
    for (const auto& x : *v.items) {
      if (x.kind == Value::Kind::String) {
        if (!spend(x.str.size(), p)) return false;
      } else if (x.is_sequence()) {
        if (!charge(x, p)) return false;
      }
    }
    return true;
  }

  bool call(const Expr& e, Value& out) {
    auto it = builtins_.find(e.text);
    if (it == builtins_.end()) {
      if (globals_.count(e.text) != 0 || e.text == "None" || e.text == "True" ||
          e.text == "False") {
        return error(e.pos, "'" + e.text + "' is not a function");
      }
      return error(e.pos, "unknown function '" + e.text + "'" +
                              config::did_you_mean(e.text, builtin_names_));
    }
    const Builtin& b = *it->second;
    Call c;
    c.function = b.name;
    c.pos = e.pos;
    c.args.resize(b.params.size());
    std::vector<std::string> param_names;
    for (const auto& p : b.params) param_names.push_back(p.name);
    size_t positional = 0;
    for (size_t k = 0; k < e.items.size(); ++k) {
      size_t slot = 0;
      if (e.keys[k].empty()) {
        if (positional >= b.params.size()) {
          return error(e.key_pos[k], b.name + "() takes at most " +
                                         std::to_string(b.params.size()) + " positional arguments");
        }
        slot = positional++;
      } else {
        auto p = std::find(param_names.begin(), param_names.end(), e.keys[k]);
        if (p == param_names.end()) {
          return error(e.key_pos[k], b.name + "() has no parameter '" + e.keys[k] + "'" +
                                         config::did_you_mean(e.keys[k], param_names));
        }
        slot = static_cast<size_t>(p - param_names.begin());
        if (c.args[slot]) {
          return error(e.key_pos[k], b.name + "() got more than one value for '" + e.keys[k] + "'");
        }
      }
      Value v;
      if (!eval(e.items[k], v)) return false;
      if (!charge(v, v.pos)) return false;
      c.args[slot] = std::move(v);
    }
    for (size_t k = 0; k < b.params.size(); ++k) {
      if (b.params[k].required && !c.args[k]) {
        return error(e.pos,
                     b.name + "() is missing the required argument '" + b.params[k].name + "'");
      }
    }
    if (auto d = b.fn(c, budget_)) return error(d->pos, std::move(d->message));
    out = Value{};
    out.pos = e.pos;
    return true;
  }

  const Limits& limits_;
  Budget& budget_;
  std::unordered_map<std::string, const Builtin*> builtins_;
  std::vector<std::string> builtin_names_;
  std::unordered_map<std::string, Value> globals_;
  std::optional<Diag> err_;
};

}  // namespace

const std::vector<Value>& Value::elements() const {
  static const std::vector<Value> kNone;
  return is_sequence() && items ? *items : kNone;
}

const char* type_name(Value::Kind k) {
  switch (k) {
    case Value::Kind::None:
      return "NoneType";
    case Value::Kind::Bool:
      return "bool";
    case Value::Kind::String:
      return "string";
    case Value::Kind::List:
      return "list";
    case Value::Kind::Tuple:
      return "tuple";
  }
  return "?";
}

std::string format_error(const std::string& name, const Diag& d) {
  return printable(name) + ":" + std::to_string(d.pos.line) + ":" + std::to_string(d.pos.column) +
         ": " + printable(d.message);
}

std::string quote(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const size_t n = utf8_length(s, i);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c == 0x7f || n == 0) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out.append(s.substr(i, n));
      i += n;
      continue;
    }
    ++i;
  }
  out += '"';
  return out;
}

Status evaluate(std::string_view text, const std::string& name,
                const std::vector<Builtin>& builtins, const Limits& limits) {
  try {
    if (auto bad = invalid_utf8(text)) {
      return Error{format_error(name, Diag{*bad, "the file is not valid UTF-8"})};
    }
    Budget budget(limits.max_work);
    Evaluator ev(builtins, limits, budget);
    Parser parser(text, limits, budget);
    std::optional<Diag> err;
    if (!parser.parse([&](const Stmt& s) { return ev.run(s); }, err)) {
      if (!err) err = ev.take_error();
      if (!err) err = Diag{Pos{1, 1}, "internal error: no diagnostic"};
      return Error{format_error(name, *err)};
    }
    return Ok{};
  } catch (const std::exception& ex) {
    return Error{printable(name) + ": cannot evaluate: " + ex.what()};
  }
}

}  // namespace cordon::rules::starlark
