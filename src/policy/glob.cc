// cordon - glob patterns of deny-read entries.
//
// A pattern is compiled once into tokens, one per component: "**" (any number of whole
// components), "one component" (the first half of a trailing "**"), or a component pattern made
// of atoms (a byte, any byte, a class, a star). Both levels are matched with the same greedy
// two-pointer method: on a mismatch, only the most recent star (or "**") takes one more unit.
// This is exact when every other atom (token) matches exactly one byte (component), and costs
// at most O(|pattern| * |path|). The walk of expand_glob() instead carries the set of tokens the
// path so far can have reached (a small NFA), which also tells when nothing below a directory
// can match.
#include "policy/glob.h"

#include <algorithm>
#include <bitset>
#include <cstdint>
#include <utility>

#include "util/printable.h"

namespace cordon::policy {
namespace {

// Non-empty components of p; the views point into p.
std::vector<std::string_view> split_components(std::string_view p) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string_view::npos) j = p.size();
    if (j > i) out.push_back(p.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// The literal text of a component without glob characters: "\x" is x.
std::string unescape(std::string_view c) {
  std::string out;
  out.reserve(c.size());
  for (size_t i = 0; i < c.size(); ++i) {
    if (c[i] == '\\' && i + 1 < c.size()) ++i;
    out += c[i];
  }
  return out;
}

struct Atom {
  enum class Kind : uint8_t { Byte, AnyByte, Class, Star };
  Kind kind;
  unsigned char byte = 0;  // Byte
  uint32_t cls = 0;        // Class: index into CompiledGlob::classes_
};

struct Token {
  enum class Kind : uint8_t { Component, AnyOne, AnyMany };
  Kind kind;
  uint32_t first = 0;  // Component: atoms_[first, first + count)
  uint32_t count = 0;
};

class CompiledGlob {
 public:
  explicit CompiledGlob(std::string_view pattern) {
    absolute_ = !pattern.empty() && pattern[0] == '/';
    const auto comps = split_components(pattern);
    tokens_.reserve(comps.size() + 1);
    for (size_t k = 0; k < comps.size(); ++k) {
      if (comps[k] == "**") {
        // A trailing "**" needs at least one component: "a/**" is what lies inside a.
        if (k + 1 == comps.size()) tokens_.push_back(Token{Token::Kind::AnyOne});
        tokens_.push_back(Token{Token::Kind::AnyMany});
      } else {
        compile_component(comps[k]);
      }
    }
  }

  bool absolute() const { return absolute_; }
  size_t size() const { return tokens_.size(); }

  bool matches(std::string_view path) const {
    const bool path_absolute = !path.empty() && path[0] == '/';
    if (path_absolute != absolute_) return false;
    const auto comps = split_components(path);
    const size_t n = comps.size();
    const size_t m = tokens_.size();
    size_t i = 0;
    size_t j = 0;
    size_t star = m;  // the last "**" seen (m: none)
    size_t star_i = 0;
    while (i < n) {
      if (j < m && tokens_[j].kind == Token::Kind::AnyMany) {
        star = j++;
        star_i = i;
      } else if (j < m && token_matches(tokens_[j], comps[i])) {
        ++j;
        ++i;
      } else if (star != m) {
        j = star + 1;
        i = ++star_i;
      } else {
        return false;
      }
    }
    while (j < m && tokens_[j].kind == Token::Kind::AnyMany) ++j;
    return j == m;
  }

  // The NFA: `states` is a sorted set of token indices (index size(): the whole pattern
  // matched). closure() adds what a "**" lets through without consuming anything.
  // Linear in the states and tokens: a run of "**" is walked once, not once per state in it.
  void closure(std::vector<uint32_t>& states) const {
    std::sort(states.begin(), states.end());
    std::vector<uint32_t> out;
    out.reserve(states.size());
    uint64_t covered = 0;  // every index below this is in `out` or was passed over
    for (uint32_t s : states) {
      if (s < covered) continue;
      out.push_back(s);
      while (s < tokens_.size() && tokens_[s].kind == Token::Kind::AnyMany) out.push_back(++s);
      covered = uint64_t{s} + 1;
    }
    states = std::move(out);
  }

  std::vector<uint32_t> step(const std::vector<uint32_t>& states, std::string_view name) const {
    std::vector<uint32_t> next;
    for (uint32_t s : states) {
      if (s >= tokens_.size()) continue;
      const Token& t = tokens_[s];
      if (t.kind == Token::Kind::AnyMany) {
        next.push_back(s);
      } else if (token_matches(t, name)) {
        next.push_back(s + 1);
      }
    }
    closure(next);
    return next;
  }

 private:
  bool token_matches(const Token& t, std::string_view c) const {
    if (t.kind != Token::Kind::Component) return true;  // AnyOne (AnyMany is handled apart)
    return component_matches(t.first, t.first + t.count, c);
  }

  bool atom_matches(const Atom& a, unsigned char ch) const {
    switch (a.kind) {
      case Atom::Kind::Byte:
        return a.byte == ch;
      case Atom::Kind::AnyByte:
        return true;
      case Atom::Kind::Class:
        return classes_[a.cls].test(ch);
      case Atom::Kind::Star:
        return false;
    }
    return false;
  }

  bool component_matches(size_t first, size_t end, std::string_view s) const {
    size_t p = first;
    size_t i = 0;
    size_t star = end;  // the last '*' seen (end: none)
    size_t star_i = 0;
    while (i < s.size()) {
      if (p < end && atoms_[p].kind == Atom::Kind::Star) {
        star = p++;
        star_i = i;
      } else if (p < end && atom_matches(atoms_[p], static_cast<unsigned char>(s[i]))) {
        ++p;
        ++i;
      } else if (star != end) {
        p = star + 1;
        i = ++star_i;
      } else {
        return false;
      }
    }
    while (p < end && atoms_[p].kind == Atom::Kind::Star) ++p;
    return p == end;
  }

  void compile_component(std::string_view c) {
    Token t{Token::Kind::Component, static_cast<uint32_t>(atoms_.size())};
    // Once a '[' turns out unclosed, every later '[' of the component is unclosed too (its
    // scan sees the same escapes and finds no closing ']' either), so it is not scanned
    // again: "[[[[..." stays linear.
    bool classes_possible = true;
    size_t i = 0;
    while (i < c.size()) {
      const char ch = c[i];
      if (ch == '*') {
        if (atoms_.size() == t.first || atoms_.back().kind != Atom::Kind::Star) {
          atoms_.push_back(Atom{Atom::Kind::Star});
        }
        ++i;
      } else if (ch == '?') {
        atoms_.push_back(Atom{Atom::Kind::AnyByte});
        ++i;
      } else if (ch == '\\' && i + 1 < c.size()) {
        atoms_.push_back(Atom{Atom::Kind::Byte, static_cast<unsigned char>(c[i + 1])});
        i += 2;
      } else if (ch == '[' && classes_possible) {
        std::bitset<256> set;
        const size_t end = parse_class(c, i, set);
        if (end == 0) {
          classes_possible = false;
          atoms_.push_back(Atom{Atom::Kind::Byte, '['});
          ++i;
        } else {
          atoms_.push_back(Atom{Atom::Kind::Class, 0, static_cast<uint32_t>(classes_.size())});
          classes_.push_back(set);
          i = end;
        }
      } else {
        atoms_.push_back(Atom{Atom::Kind::Byte, static_cast<unsigned char>(ch)});
        ++i;
      }
    }
    t.count = static_cast<uint32_t>(atoms_.size() - t.first);
    tokens_.push_back(t);
  }

  // The class starting at c[open] == '['. Returns the index after its ']' and fills `set`,
  // or 0 when there is no closing ']'.
  static size_t parse_class(std::string_view c, size_t open, std::bitset<256>& set) {
    size_t j = open + 1;
    bool negate = false;
    if (j < c.size() && (c[j] == '!' || c[j] == '^')) {
      negate = true;
      ++j;
    }
    // One member byte at c[j] ("\x" is x); advances j.
    auto member = [&c, &j]() {
      if (c[j] == '\\' && j + 1 < c.size()) ++j;
      return static_cast<unsigned char>(c[j++]);
    };
    bool first = true;
    while (j < c.size()) {
      if (c[j] == ']' && !first) {
        if (negate) set.flip();
        return j + 1;
      }
      first = false;
      const unsigned char lo = member();
      if (j + 1 < c.size() && c[j] == '-' && c[j + 1] != ']') {
        ++j;
        const unsigned char hi = member();
        for (unsigned v = lo; v <= hi; ++v) set.set(v);
      } else {
        set.set(lo);
      }
    }
    return 0;
  }

  bool absolute_ = false;
  std::vector<Token> tokens_;
  std::vector<Atom> atoms_;
  std::vector<std::bitset<256>> classes_;
};

// How many leading components form the static prefix: those before the first one with a glob
// character, and never the last one.
size_t static_components(const std::vector<std::string_view>& comps) {
  size_t k = 0;
  while (k + 1 < comps.size() && !has_glob_chars(comps[k])) ++k;
  return k;
}

std::string quoted(const std::string& pattern) {
  return "deny-read glob '" + printable(pattern) + "'";
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view path) {
  return CompiledGlob(pattern).matches(path);
}

bool has_glob_chars(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '\\') {
      ++i;
    } else if (c == '*' || c == '?' || c == '[' || c == ']') {
      return true;
    }
  }
  return false;
}

std::string glob_escape(std::string_view literal) {
  std::string out;
  for (char c : literal) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string glob_unescape(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) ++i;
    out += text[i];
  }
  return out;
}

std::string glob_static_prefix(std::string_view absolute_pattern) {
  const bool absolute = !absolute_pattern.empty() && absolute_pattern[0] == '/';
  const auto comps = split_components(absolute_pattern);
  std::string out;
  for (size_t k = 0; k < static_components(comps); ++k) {
    if (absolute || k > 0) out += '/';
    out += unescape(comps[k]);
  }
  if (absolute && out.empty()) out.push_back('/');
  return out;
}

Result<std::vector<std::string>> expand_glob(const std::string& absolute_pattern,
                                             const GlobLimits& limits, const FileSystem& fs) {
  const std::string& p = absolute_pattern;
  if (p.empty() || p[0] != '/') {
    return Error{quoted(p) + " is not an absolute path"};
  }
  if (limits.max_depth && *limits.max_depth < 1) {
    return Error{quoted(p) + ": glob_scan_max_depth must be at least 1, got " +
                 std::to_string(*limits.max_depth)};
  }
  const auto comps = split_components(p);
  for (auto c : comps) {
    if (c == "." || c == "..") {
      return Error{quoted(p) + " has a '" + std::string(c) +
                   "' component; write the path without '.' and '..'"};
    }
  }
  const std::string prefix = glob_static_prefix(p);
  if (prefix == "/") {
    return Error{quoted(p) +
                 " has no fixed directory before its first wildcard, so it would scan the whole "
                 "filesystem; start it with a directory, such as /home/me/project/**/*.env"};
  }

  const CompiledGlob glob(p);
  std::vector<uint32_t> start{static_cast<uint32_t>(static_components(comps))};
  glob.closure(start);

  std::vector<std::string> matches;

  // The prefix itself is followed when it is a symlink; nothing below it is.
  std::string first_listing = prefix;
  switch (fs.lstat_type(prefix)) {
    case FileType::Directory:
      break;
    case FileType::Symlink: {
      auto real = fs.realpath(prefix);
      if (!real || fs.lstat_type(*real) != FileType::Directory) return matches;
      first_listing = *real;
      break;
    }
    default:
      return matches;
  }

  struct Dir {
    std::string path;              // the prefix as written, then the names listed
    std::vector<uint32_t> states;  // the tokens reached at it
    int depth;                     // components below the prefix
  };
  std::vector<Dir> todo;
  todo.push_back(Dir{prefix, std::move(start), 0});
  size_t entries = 0;
  bool first = true;
  while (!todo.empty()) {
    Dir dir = std::move(todo.back());
    todo.pop_back();
    auto names = fs.list_dir(first ? first_listing : dir.path);
    first = false;
    if (!names) continue;  // unreadable: skipped
    // Pushed in reverse so that directories are entered in sorted order.
    const size_t pushed_from = todo.size();
    for (const std::string& name : *names) {
      if (++entries > limits.max_entries) {
        return Error{quoted(p) + " looks at more than " + std::to_string(limits.max_entries) +
                     " entries below " + printable(prefix) +
                     "; narrow it or set glob_scan_max_depth"};
      }
      if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos) {
        continue;
      }
      auto states = glob.step(dir.states, name);
      if (states.empty()) continue;
      std::string path = dir.path + "/" + name;
      if (states.back() == glob.size()) {
        matches.push_back(path);
        if (matches.size() > limits.max_matches) {
          return Error{quoted(p) + " matches more than " + std::to_string(limits.max_matches) +
                       " paths; narrow it or set glob_scan_max_depth"};
        }
      }
      const bool more = states.front() < glob.size();
      const int depth = dir.depth + 1;
      if (more && (!limits.max_depth || depth < *limits.max_depth) &&
          fs.lstat_type(path) == FileType::Directory) {
        todo.push_back(Dir{std::move(path), std::move(states), depth});
      }
    }
    std::reverse(todo.begin() + static_cast<std::ptrdiff_t>(pushed_from), todo.end());
  }
  std::sort(matches.begin(), matches.end());
  return matches;
}

}  // namespace cordon::policy
