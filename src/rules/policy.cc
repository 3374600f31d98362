// cordon - .rules builtins (prefix_rule, host_executable, network_rule) and matching.
#include "rules/policy.h"

#include <algorithm>

#include "rules/starlark.h"
#include "util/printable.h"

namespace cordon::rules {
namespace {

using starlark::Builtin;
using starlark::Call;
using starlark::Diag;
using starlark::Pos;
using starlark::quote;
using starlark::Value;

std::string origin_of(const std::string& name, Pos p) {
  return printable(name) + ":" + std::to_string(p.line) + ":" + std::to_string(p.column);
}

std::string got(const Value& v) {
  return std::string(" (got ") + starlark::type_name(v.kind) + ")";
}

bool is_blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  });
}

// An optional argument: nullptr when not given or None.
const Value* optional_arg(const Call& c, size_t k) {
  const auto& a = c.args[k];
  return (a && a->kind != Value::Kind::None) ? &*a : nullptr;
}

std::optional<Diag> want_string(const Value& v, const char* what) {
  if (v.kind == Value::Kind::String) return std::nullopt;
  return Diag{v.pos, std::string(what) + " must be a string" + got(v)};
}

std::optional<Diag> justification_arg(const Call& c, size_t k, std::optional<std::string>& out) {
  const Value* v = optional_arg(c, k);
  if (v == nullptr) return std::nullopt;
  if (auto d = want_string(*v, "justification")) return d;
  if (is_blank(v->str)) return Diag{v->pos, "justification cannot be empty"};
  out = v->str;
  return std::nullopt;
}

// Splits an example command line into words like a POSIX shell (quotes, backslashes,
// comments), without expansions. nullopt on an unterminated quote or trailing backslash.
std::optional<std::vector<std::string>> shell_words(std::string_view s) {
  std::vector<std::string> words;
  std::string cur;
  bool in_word = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (in_word) words.push_back(std::move(cur));
      cur.clear();
      in_word = false;
      continue;
    }
    if (c == '#' && !in_word) {
      while (i < s.size() && s[i] != '\n') ++i;
      continue;
    }
    if (c == '\\') {
      if (++i >= s.size()) return std::nullopt;
      if (s[i] != '\n') {
        cur += s[i];
        in_word = true;
      }
      continue;
    }
    in_word = true;
    if (c == '\'') {
      const size_t close = s.find('\'', i + 1);
      if (close == std::string_view::npos) return std::nullopt;
      cur.append(s.substr(i + 1, close - i - 1));
      i = close;
      continue;
    }
    if (c == '"') {
      for (++i;; ++i) {
        if (i >= s.size()) return std::nullopt;
        if (s[i] == '"') break;
        if (s[i] == '\\' && i + 1 < s.size() &&
            (s[i + 1] == '$' || s[i + 1] == '`' || s[i + 1] == '"' || s[i + 1] == '\\' ||
             s[i + 1] == '\n')) {
          ++i;
          if (s[i] != '\n') cur += s[i];
          continue;
        }
        cur += s[i];
      }
      continue;
    }
    cur += c;
  }
  if (in_word) words.push_back(std::move(cur));
  return words;
}

struct Example {
  std::vector<std::string> argv;
  Pos pos;
};

std::optional<Diag> examples_arg(const Call& c, size_t k, const char* what,
                                 std::vector<Example>& out) {
  const Value* v = optional_arg(c, k);
  if (v == nullptr) return std::nullopt;
  if (!v->is_sequence()) {
    return Diag{v->pos, std::string(what) + " must be a list of examples" + got(*v)};
  }
  for (const auto& ex : v->elements()) {
    Example e;
    e.pos = ex.pos;
    if (ex.kind == Value::Kind::String) {
      auto words = shell_words(ex.str);
      if (!words) return Diag{ex.pos, "example " + quote(ex.str) + " is not valid shell syntax"};
      if (words->empty()) return Diag{ex.pos, "example cannot be an empty command"};
      e.argv = std::move(*words);
    } else if (ex.is_sequence()) {
      for (const auto& tok : ex.elements()) {
        if (tok.kind != Value::Kind::String) {
          return Diag{tok.pos, "example tokens must be strings" + got(tok)};
        }
        e.argv.push_back(tok.str);
      }
      if (e.argv.empty()) return Diag{ex.pos, "example cannot be an empty list"};
    } else {
      return Diag{ex.pos, "an example must be a string or a list of strings" + got(ex)};
    }
    out.push_back(std::move(e));
  }
  return std::nullopt;
}

std::string render_tokens(const std::vector<std::string>& toks) {
  std::string out = "[";
  for (size_t k = 0; k < toks.size(); ++k) {
    if (k > 0) out += ", ";
    out += quote(toks[k]);
  }
  return out + "]";
}

std::string render_pattern(const std::vector<std::vector<std::string>>& pattern) {
  std::string out = "[";
  for (size_t k = 0; k < pattern.size(); ++k) {
    if (k > 0) out += ", ";
    out += pattern[k].size() == 1 ? quote(pattern[k][0]) : render_tokens(pattern[k]);
  }
  return out + "]";
}

// "/usr//bin/./git" -> "/usr/bin/git": repeated slashes and "." removed, ".." kept.
std::string clean_path(std::string_view p) {
  std::string out;
  size_t i = 0;
  while (i < p.size()) {
    while (i < p.size() && p[i] == '/') ++i;
    const size_t j = std::min(p.find('/', i), p.size());
    const std::string_view part = p.substr(i, j - i);
    if (!part.empty() && part != ".") {
      out += '/';
      out.append(part);
    }
    i = j;
  }
  return out.empty() ? "/" : out;
}

// The program name an absolute argv[0] stands for ("" when there is none).
std::string_view basename_of(std::string_view p) {
  if (p.empty() || p[0] != '/') return {};
  const std::string_view base = p.substr(p.rfind('/') + 1);
  if (base == "." || base == "..") return {};
  return base;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A network_rule host as the proxy compares it, or the reason it is not one.
Result<std::string> normalize_host(std::string_view raw) {
  std::string_view h = trim(raw);
  if (h.empty()) return Error{"network_rule host cannot be empty"};
  if (h.find("://") != std::string_view::npos || h.find_first_of("/?#") != std::string_view::npos) {
    return Error{"network_rule host must be a host name or an IP address, without scheme or path"};
  }
  if (h.front() == '[') {
    const size_t close = h.find(']');
    if (close == std::string_view::npos) return Error{"network_rule host has an unclosed '['"};
    const std::string_view after = h.substr(close + 1);
    if (!after.empty() && !(after.front() == ':' && all_digits(after.substr(1)))) {
      return Error{"network_rule host has something after its IPv6 address other than a port"};
    }
    h = h.substr(1, close - 1);
  } else if (std::count(h.begin(), h.end(), ':') == 1) {
    const size_t colon = h.find(':');
    if (colon > 0 && all_digits(h.substr(colon + 1))) h = h.substr(0, colon);
  }
  while (!h.empty() && h.back() == '.') h.remove_suffix(1);
  h = trim(h);
  std::string out;
  for (char c : h) out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  if (out.empty()) return Error{"network_rule host cannot be empty"};
  if (out.find('*') != std::string::npos) {
    return Error{"network_rule host must name one host: wildcards are not allowed"};
  }
  if (std::any_of(out.begin(), out.end(), is_space)) {
    return Error{"network_rule host cannot contain whitespace"};
  }
  return out;
}

// Everything one text adds, kept apart until the whole text has been checked.
struct Staged {
  struct Examples {
    size_t first_rule = 0, rule_count = 0;  // into rules
    std::vector<Example> match, not_match;
  };
  std::vector<PrefixRule> rules;
  std::vector<NetworkRule> network;
  std::vector<std::pair<std::string, std::vector<std::string>>> hosts;
  std::vector<Examples> examples;
};

std::optional<Diag> prefix_rule(const Call& c, const std::string& name, starlark::Budget& budget,
                                Staged& st) {
  // Parameters: pattern, decision, match, not_match, justification.
  const Value& pattern = *c.args[0];
  if (!pattern.is_sequence()) return Diag{pattern.pos, "pattern must be a list" + got(pattern)};
  if (pattern.elements().empty()) return Diag{pattern.pos, "pattern cannot be empty"};
  std::vector<std::vector<std::string>> positions;
  for (const auto& el : pattern.elements()) {
    std::vector<std::string> alts;
    if (el.kind == Value::Kind::String) {
      alts.push_back(el.str);
    } else if (el.is_sequence()) {
      for (const auto& a : el.elements()) {
        if (a.kind != Value::Kind::String) {
          return Diag{a.pos, "pattern alternatives must be strings" + got(a)};
        }
        alts.push_back(a.str);
      }
      if (alts.empty()) return Diag{el.pos, "pattern alternatives cannot be empty"};
    } else {
      return Diag{el.pos, "pattern elements must be strings or lists of strings" + got(el)};
    }
    positions.push_back(std::move(alts));
  }

  Decision decision = Decision::Allow;
  if (const Value* d = optional_arg(c, 1)) {
    if (auto e = want_string(*d, "decision")) return e;
    if (d->str == "allow") {
      decision = Decision::Allow;
    } else if (d->str == "prompt") {
      decision = Decision::Prompt;
    } else if (d->str == "forbidden") {
      decision = Decision::Forbidden;
    } else {
      return Diag{d->pos, "decision must be \"allow\", \"prompt\" or \"forbidden\" (got " +
                              quote(d->str) + ")"};
    }
  }
  Staged::Examples ex;
  if (auto e = examples_arg(c, 2, "match", ex.match)) return e;
  if (auto e = examples_arg(c, 3, "not_match", ex.not_match)) return e;
  std::optional<std::string> justification;
  if (auto e = justification_arg(c, 4, justification)) return e;

  // One rule per first-position alternative (each named once).
  std::vector<std::string> programs;
  for (auto& p : positions[0]) {
    if (std::find(programs.begin(), programs.end(), p) == programs.end()) programs.push_back(p);
  }
  // Budget: about the memory the rules take.
  uint64_t rest_size = sizeof(PrefixRule);
  for (size_t k = 1; k < positions.size(); ++k) {
    for (const auto& a : positions[k]) rest_size += sizeof(std::string) + a.size();
  }
  if (!budget.spend(programs.size() * rest_size)) return Diag{c.pos, starlark::kTooComplex};
  ex.first_rule = st.rules.size();
  ex.rule_count = programs.size();
  const std::string origin = origin_of(name, c.pos);
  for (auto& program : programs) {
    PrefixRule r;
    r.program = std::move(program);
    r.rest.assign(positions.begin() + 1, positions.end());
    r.decision = decision;
    r.justification = justification;
    r.origin = origin;
    st.rules.push_back(std::move(r));
  }
  if (!ex.match.empty() || !ex.not_match.empty()) st.examples.push_back(std::move(ex));
  return std::nullopt;
}

std::optional<Diag> host_executable(const Call& c, Staged& st) {
  const Value& name = *c.args[0];
  if (auto e = want_string(name, "host_executable name")) return e;
  if (name.str.empty() || name.str.find('/') != std::string::npos || name.str == "." ||
      name.str == "..") {
    return Diag{name.pos, "host_executable name must be a bare program name such as \"git\" (got " +
                              quote(name.str) + ")"};
  }
  const Value& paths = *c.args[1];
  if (!paths.is_sequence())
    return Diag{paths.pos, "host_executable paths must be a list" + got(paths)};
  std::vector<std::string> out;
  for (const auto& p : paths.elements()) {
    if (auto e = want_string(p, "a host_executable path")) return e;
    if (p.str.empty() || p.str[0] != '/') {
      return Diag{p.pos, "host_executable paths must be absolute (got " + quote(p.str) + ")"};
    }
    std::string clean = clean_path(p.str);
    if (basename_of(clean) != name.str) {
      return Diag{p.pos,
                  "host_executable path " + quote(p.str) + " must end in " + quote("/" + name.str)};
    }
    if (std::find(out.begin(), out.end(), clean) == out.end()) out.push_back(std::move(clean));
  }
  st.hosts.emplace_back(name.str, std::move(out));
  return std::nullopt;
}

std::optional<Diag> network_rule(const Call& c, const std::string& name, Staged& st) {
  // Parameters: host, protocol, decision, justification.
  NetworkRule r;
  const Value& host = *c.args[0];
  if (auto e = want_string(host, "network_rule host")) return e;
  auto h = normalize_host(host.str);
  if (!h) return Diag{host.pos, h.error().message + " (got " + quote(host.str) + ")"};
  r.host = std::move(*h);

  const Value& proto = *c.args[1];
  if (auto e = want_string(proto, "protocol")) return e;
  if (proto.str == "http" || proto.str == "socks5_tcp" || proto.str == "socks5_udp") {
    r.protocol = proto.str;
  } else if (proto.str == "https" || proto.str == "https_connect" || proto.str == "http-connect") {
    r.protocol = "https";
  } else {
    return Diag{proto.pos,
                "protocol must be \"http\", \"https\", \"socks5_tcp\" or \"socks5_udp\" (got " +
                    quote(proto.str) + ")"};
  }

  const Value& d = *c.args[2];
  if (auto e = want_string(d, "decision")) return e;
  if (d.str == "allow") {
    r.action = NetworkRule::Action::Allow;
  } else if (d.str == "prompt") {
    r.action = NetworkRule::Action::Prompt;
  } else if (d.str == "deny" || d.str == "forbidden") {
    r.action = NetworkRule::Action::Deny;
  } else {
    return Diag{d.pos, "decision must be \"allow\", \"prompt\", \"deny\" or \"forbidden\" (got " +
                           quote(d.str) + ")"};
  }
  if (auto e = justification_arg(c, 3, r.justification)) return e;
  r.origin = origin_of(name, c.pos);
  st.network.push_back(std::move(r));
  return std::nullopt;
}

size_t prefix_length(const PrefixRule& r, const std::vector<std::string>& argv) {
  const size_t n = r.rest.size() + 1;
  if (argv.size() < n) return 0;
  for (size_t k = 0; k < r.rest.size(); ++k) {
    const std::string& tok = argv[k + 1];
    const auto& alts = r.rest[k];
    if (std::find(alts.begin(), alts.end(), tok) == alts.end()) return 0;
  }
  return n;
}

}  // namespace

const char* to_string(Decision d) {
  switch (d) {
    case Decision::Allow:
      return "allow";
    case Decision::Prompt:
      return "prompt";
    case Decision::Forbidden:
      return "forbidden";
  }
  return "?";
}

template <typename F>
void Policy::visit(const std::vector<std::string>& argv, bool resolve_host_executables,
                   F&& f) const {
  if (argv.empty()) return;
  bool any = false;
  if (auto it = by_program_.find(argv[0]); it != by_program_.end()) {
    for (uint32_t idx : it->second) {
      const PrefixRule& r = prefix_rules_[idx];
      if (const size_t n = prefix_length(r, argv)) {
        any = true;
        if (!f(r, n, false)) return;
      }
    }
  }
  if (any || !resolve_host_executables) return;
  const std::string_view base = basename_of(argv[0]);
  if (base.empty()) return;
  auto it = by_program_.find(base);
  if (it == by_program_.end()) return;
  if (auto h = host_executables_.find(std::string(base)); h != host_executables_.end()) {
    const std::string clean = clean_path(argv[0]);
    if (std::find(h->second.begin(), h->second.end(), clean) == h->second.end()) return;
  }
  for (uint32_t idx : it->second) {
    const PrefixRule& r = prefix_rules_[idx];
    if (const size_t n = prefix_length(r, argv)) {
      if (!f(r, n, true)) return;
    }
  }
}

std::vector<RuleMatch> Policy::matches(const std::vector<std::string>& argv,
                                       bool resolve_host_executables) const {
  std::vector<RuleMatch> out;
  visit(argv, resolve_host_executables, [&](const PrefixRule& r, size_t n, bool by_basename) {
    RuleMatch m;
    m.matched_prefix.reserve(n);
    m.matched_prefix.push_back(by_basename ? r.program : argv[0]);
    m.matched_prefix.insert(m.matched_prefix.end(), argv.begin() + 1,
                            argv.begin() + static_cast<std::ptrdiff_t>(n));
    m.decision = r.decision;
    if (by_basename) m.resolved_program = argv[0];
    m.justification = r.justification;
    m.origin = r.origin;
    out.push_back(std::move(m));
    return true;
  });
  return out;
}

std::optional<Decision> Policy::decision(const std::vector<std::string>& argv,
                                         bool resolve_host_executables) const {
  std::optional<Decision> out;
  visit(argv, resolve_host_executables, [&](const PrefixRule& r, size_t, bool) {
    if (!out || r.decision > *out) out = r.decision;
    return *out != Decision::Forbidden;
  });
  return out;
}

void Policy::add_prefix_rule(PrefixRule rule) {
  by_program_[rule.program].push_back(static_cast<uint32_t>(prefix_rules_.size()));
  prefix_rules_.push_back(std::move(rule));
}

void Policy::add_network_rule(NetworkRule rule) {
  std::erase_if(network_rules_, [&](const NetworkRule& r) {
    return r.host == rule.host && r.protocol == rule.protocol;
  });
  network_rules_.push_back(std::move(rule));
}

Status Policy::add_source(std::string_view text, const std::string& name) {
  Staged st;
  const std::vector<Builtin> builtins = {
      {"prefix_rule",
       {{"pattern", true},
        {"decision", false},
        {"match", false},
        {"not_match", false},
        {"justification", false}},
       [&](const Call& c, starlark::Budget& b) { return prefix_rule(c, name, b, st); }},
      {"host_executable",
       {{"name", true}, {"paths", true}},
       [&](const Call& c, starlark::Budget&) { return host_executable(c, st); }},
      {"network_rule",
       {{"host", true}, {"protocol", true}, {"decision", true}, {"justification", false}},
       [&](const Call& c, starlark::Budget&) { return network_rule(c, name, st); }},
  };
  if (auto s = starlark::evaluate(text, name, builtins); !s) return s;
  if (prefix_rules_.size() + st.rules.size() > UINT32_MAX) {
    return Error{printable(name) + ": too many rules"};
  }

  // The examples, each against the rules of its own prefix_rule() call, with the
  // host_executable() definitions as they stand after this text.
  if (!st.examples.empty()) {
    Policy one;
    one.host_executables_ = host_executables_;
    for (auto& [n, paths] : st.hosts) one.host_executables_[n] = paths;
    for (const auto& ex : st.examples) {
      one.prefix_rules_.clear();
      one.by_program_.clear();
      for (size_t k = 0; k < ex.rule_count; ++k) one.add_prefix_rule(st.rules[ex.first_rule + k]);
      const PrefixRule& r = st.rules[ex.first_rule];
      std::vector<std::vector<std::string>> pattern = {{}};
      for (size_t k = 0; k < ex.rule_count; ++k) {
        pattern[0].push_back(st.rules[ex.first_rule + k].program);
      }
      pattern.insert(pattern.end(), r.rest.begin(), r.rest.end());
      const std::string rule_text = "prefix_rule(pattern=" + render_pattern(pattern) + ")";
      for (const auto& e : ex.not_match) {
        if (!one.matches(e.argv, true).empty()) {
          return Error{starlark::format_error(
              name,
              Diag{e.pos, "not_match example " + render_tokens(e.argv) + " matches " + rule_text})};
        }
      }
      for (const auto& e : ex.match) {
        if (one.matches(e.argv, true).empty()) {
          return Error{
              starlark::format_error(name, Diag{e.pos, "match example " + render_tokens(e.argv) +
                                                           " does not match " + rule_text})};
        }
      }
    }
  }

  for (auto& r : st.rules) add_prefix_rule(std::move(r));
  for (auto& [n, paths] : st.hosts) host_executables_[n] = std::move(paths);
  for (auto& r : st.network) add_network_rule(std::move(r));
  return Ok{};
}

std::string allow_rule_line(const std::vector<std::string>& prefix) {
  std::string line = "prefix_rule(pattern=[";
  for (size_t k = 0; k < prefix.size(); ++k) {
    if (k > 0) line += ", ";
    line += starlark::quote(prefix[k]);
  }
  return line + "], decision=\"allow\")";
}

}  // namespace cordon::rules
