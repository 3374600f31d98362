// cordon fuzz target: the input is a .rules file.
//
// It is added to a policy that already holds rules, then commands are matched. Checked:
//   - add_source() never crashes, leaks, hangs or hits undefined behaviour;
//   - an error is "t.rules:LINE:COLUMN: message" (or "t.rules: message") on one printable
//     line, and leaves the policy exactly as it was;
//   - on success every new rule has an origin in t.rules, a program and no empty position;
//     a command made of each rule's first alternatives matches that rule, and decision() is
//     the strictest decision of matches(), with and without resolving host executables;
//   - the "always allow" line for such a command (policy.h allow_rule_line quoting) loads back into
//   a policy
//     whose only rule matches exactly those tokens.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_common.h"
#include "rules/policy.h"

using cordon::fuzzing::starts_with;
using cordon::rules::Decision;
using cordon::rules::Policy;
using cordon::rules::RuleMatch;

namespace {

constexpr const char* kName = "t.rules";
constexpr const char* kBase = R"(prefix_rule(pattern = ["git"], decision = "prompt")
host_executable(name = "git", paths = ["/usr/bin/git"])
network_rule(host = "example.com", protocol = "https", decision = "allow")
)";

bool is_digits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

// "t.rules:L:C: msg" or "t.rules: msg", printable, one line.
void check_error(const std::string& msg) {
  FUZZ_CHECK(starts_with(msg, std::string(kName) + ":"), msg);
  for (char c : msg) {
    const auto u = static_cast<unsigned char>(c);
    FUZZ_CHECK(u >= 0x20 && u != 0x7f, "unprintable byte in the message: " + msg);
  }
  std::string_view rest = std::string_view(msg).substr(std::string_view(kName).size() + 1);
  if (starts_with(rest, " ")) return;
  for (int part = 0; part < 2; ++part) {  // LINE, then COLUMN: 1-based numbers
    const size_t colon = rest.find(':');
    FUZZ_CHECK(colon != std::string_view::npos && is_digits(rest.substr(0, colon)), msg);
    FUZZ_CHECK(rest[0] != '0', "a position that is not 1-based: " + msg);
    rest.remove_prefix(colon + 1);
  }
  FUZZ_CHECK(starts_with(rest, " ") && rest.size() > 1, msg);
}

std::optional<Decision> strictest(const std::vector<RuleMatch>& ms) {
  std::optional<Decision> d;
  for (const auto& m : ms) {
    if (!d || m.decision > *d) d = m.decision;
  }
  return d;
}

void check_command(const Policy& p, const std::vector<std::string>& argv) {
  for (bool resolve : {false, true}) {
    const auto ms = p.matches(argv, resolve);
    FUZZ_CHECK(p.decision(argv, resolve) == strictest(ms), "decision() disagrees with matches()");
    for (const auto& m : ms) {
      FUZZ_CHECK(!m.matched_prefix.empty() && m.matched_prefix.size() <= argv.size(),
                 "matched prefix length");
      FUZZ_CHECK(m.resolved_program.has_value() == (m.matched_prefix[0] != argv[0]),
                 "resolvedProgram set exactly when the program was resolved");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;  // large inputs only slow the search down
  const std::string text(reinterpret_cast<const char*>(data), size);

  Policy p;
  FUZZ_CHECK(p.add_source(kBase, "base.rules").ok(), "the base rules do not load");
  const size_t rules_before = p.prefix_rules().size();
  const size_t net_before = p.network_rules().size();
  const size_t hosts_before = p.host_executables().size();

  const cordon::Status s = p.add_source(text, kName);
  if (!s.ok()) {
    check_error(s.error().message);
    FUZZ_CHECK(p.prefix_rules().size() == rules_before && p.network_rules().size() == net_before &&
                   p.host_executables().size() == hosts_before &&
                   p.host_executables().at("git") == std::vector<std::string>{"/usr/bin/git"},
               "a failed load changed the policy");
    check_command(p, {"git", "status"});
    return 0;
  }

  for (const auto& n : p.network_rules()) FUZZ_CHECK(!n.host.empty(), "empty network host");
  const auto& rules = p.prefix_rules();
  for (size_t k = rules_before; k < rules.size() && k < rules_before + 16; ++k) {
    const auto& r = rules[k];
    FUZZ_CHECK(starts_with(r.origin, std::string(kName) + ":"), r.origin);
    std::vector<std::string> argv = {r.program};
    for (const auto& alts : r.rest) {
      FUZZ_CHECK(!alts.empty(), "a pattern position without alternatives");
      argv.push_back(alts.front());
    }
    const auto ms = p.matches(argv, false);
    bool found = false;
    for (const auto& m : ms) found |= m.origin == r.origin && m.matched_prefix == argv;
    FUZZ_CHECK(found, "a rule does not match its own first alternatives: " + r.origin);
    check_command(p, argv);
    argv.push_back("--extra");
    check_command(p, argv);
    check_command(p, {"/usr/bin/" + r.program});

    // The amendment line for this command loads back to exactly one rule for it.
    argv.pop_back();
    Policy back;
    const cordon::Status b = back.add_source(cordon::rules::allow_rule_line(argv), "amend.rules");
    FUZZ_CHECK(b.ok(), "an amendment line does not load: " + b.error().message);
    FUZZ_CHECK(back.prefix_rules().size() == 1, "an amendment line made several rules");
    std::vector<std::string> again = {back.prefix_rules()[0].program};
    for (const auto& alts : back.prefix_rules()[0].rest) {
      FUZZ_CHECK(alts.size() == 1, "an amendment token became alternatives");
      again.push_back(alts[0]);
    }
    FUZZ_CHECK(again == argv, "an amendment line reads back differently");
  }
  check_command(p, {"git", "status"});
  check_command(p, {"/usr/bin/git", "status"});
  check_command(p, {});
  return 0;
}
