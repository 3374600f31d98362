// cordon - the rules of .rules files and how a command is matched against them.
//
// `prefix_rule(pattern, decision, match, not_match, justification)`: a command matches when
// its first tokens equal the pattern's, position by position (a position may list
// alternatives). Exact string comparison only: no globs, no flag parsing. Every matching
// rule is reported; the strictest decision wins (forbidden > prompt > allow).
// `host_executable(name, paths)`: which absolute paths count as `name` when an absolute
// argv[0] is matched by its basename. `network_rule(host, protocol, decision,
// justification)`: a host the network proxy allows, asks about or denies.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "util/result.h"

namespace cordon::rules {

enum class Decision { Allow = 0, Prompt = 1, Forbidden = 2 };  // ordered: stricter is larger
const char* to_string(Decision d);                             // "allow" | "prompt" | "forbidden"

struct PrefixRule {
  std::string program;  // first token (first-position alternatives expand into one rule each)
  std::vector<std::vector<std::string>> rest;  // each later position: its alternatives
  Decision decision = Decision::Allow;
  std::optional<std::string> justification;
  std::string origin;  // "file:line:column" of the prefix_rule call
};

struct NetworkRule {
  enum class Action { Allow, Prompt, Deny };  // "forbidden" and "deny" both give Deny
  std::string host;      // normalised: lower case, no trailing dot, no :port, IPv6 without brackets
  std::string protocol;  // "http" | "https" | "socks5_tcp" | "socks5_udp"
  Action action = Action::Allow;
  std::optional<std::string> justification;
  std::string origin;
};

struct RuleMatch {
  std::vector<std::string> matched_prefix;  // the command's tokens the rule matched
  Decision decision = Decision::Allow;
  // Set when an absolute argv[0] matched a rule for its basename (then matched_prefix starts
  // with the basename).
  std::optional<std::string> resolved_program;
  std::optional<std::string> justification;
  std::string origin;
};

class Policy {
 public:
  // Parses one .rules text and adds its rules. `name` (usually the path) prefixes every
  // error position. On error nothing from this text is added, and the Error's message is
  // "name:line:col: ...". match/not_match examples are checked here.
  Status add_source(std::string_view text, const std::string& name);

  // Every rule that matches argv, in the order the rules were added. Rules for argv[0]
  // itself come first; only when none of them matches, and `resolve_host_executables`, an
  // absolute argv[0] is matched by its basename (if a host_executable() for that basename
  // lists this path, or none exists for it).
  std::vector<RuleMatch> matches(const std::vector<std::string>& argv,
                                 bool resolve_host_executables) const;
  // The strictest decision over matches(), or nullopt when nothing matched.
  std::optional<Decision> decision(const std::vector<std::string>& argv,
                                   bool resolve_host_executables) const;

  const std::vector<PrefixRule>& prefix_rules() const { return prefix_rules_; }
  // The network rules; of several for the same (host, protocol) only the last is kept.
  const std::vector<NetworkRule>& network_rules() const { return network_rules_; }
  // host_executable() paths by name (the last definition of a name wins).
  const std::unordered_map<std::string, std::vector<std::string>>& host_executables() const {
    return host_executables_;
  }

 private:
  void add_prefix_rule(PrefixRule rule);
  void add_network_rule(NetworkRule rule);
  // Calls f(rule, matched_length, by_basename) for each rule that matches argv, in order,
  // until f returns false.
  template <typename F>
  void visit(const std::vector<std::string>& argv, bool resolve_host_executables, F&& f) const;

  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::vector<PrefixRule> prefix_rules_;
  // Program -> indexes into prefix_rules_, in the order the rules were added.
  std::unordered_map<std::string, std::vector<uint32_t>, Hash, std::equal_to<>> by_program_;
  std::vector<NetworkRule> network_rules_;
  std::unordered_map<std::string, std::vector<std::string>> host_executables_;
};

// The text of an allow rule for `prefix`, as "always allow" writes it (without a newline):
//   prefix_rule(pattern=["tok1", "tok2"], decision="allow")
// Tokens are quoted so that the parser reads them back exactly (any bytes).
std::string allow_rule_line(const std::vector<std::string>& prefix);

}  // namespace cordon::rules
