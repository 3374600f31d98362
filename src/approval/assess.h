// cordon - the approval decision for one command, before anything runs: may it run, must a
// person be asked, or is it refused; and does it run in the sandbox. Pure: the inputs are
// the command, the approval policy, the sandbox mode, the .rules policy and the approvals
// already given in this session.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "command/shell_split.h"
#include "config/types.h"
#include "rules/policy.h"

namespace cordon::approval {

using command::Argv;
using rules::Decision;

// What the caller asks for beyond running the command.
struct Request {
  Argv argv;
  bool escalate = false;      // run outside the sandbox (--escalate)
  std::string justification;  // why (--justification), shown to the person asked
};

// Which approval category a prompt belongs to (granular/reject policies treat them apart).
enum class Category {
  SandboxApproval,  // leaving the sandbox, a dangerous command, untrusted's unknown commands
  Rules,            // a .rules prefix_rule said "prompt"
};

const char* to_string(Category c);

// How one judged command came out.
struct UnitVerdict {
  Argv argv;
  Decision decision = Decision::Allow;
  std::vector<rules::RuleMatch> matches;  // empty: decided by heuristics
  bool known_safe = false;
  std::optional<std::string> danger;  // why it is dangerous
  bool session_approved = false;      // approved earlier in this session
  std::string reason;                 // why this decision
};

struct Assessment {
  // After applying the policy: Prompt only when the policy lets cordon ask for this category.
  Decision decision = Decision::Allow;
  std::string reason;
  Category category = Category::SandboxApproval;
  bool from_script = false;  // the commands come from splitting a shell script
  std::vector<UnitVerdict> units;
  // Where it runs when allowed (or approved): in the sandbox, unless every judged command
  // matched an explicit allow rule, or the escalation was approved, or the mode is
  // danger-full-access.
  bool use_sandbox = true;
  // The prefix_rule(s) "always allow" would write: one per prompting command. Empty when
  // any of them is too broad to save (bash -c, sudo, rm ...) or a rule itself prompted.
  std::vector<Argv> amendments;
  // How to get the command allowed when it was refused (a rule to add, a flag).
  std::string how_to_allow;

  bool known_safe() const;                    // every judged command is known-safe
  std::optional<std::string> danger() const;  // the first dangerous command's reason
};

struct Context {
  config::ApprovalPolicy policy;
  config::SandboxMode mode = config::SandboxMode::ReadOnly;
  // The caller's wish to skip every check (--yolo): danger-full-access + never.
  bool yolo = false;
  // Running outside the sandbox is allowed at all (false when the profile denies reads;
  // then neither rules nor approvals take the command out of the sandbox).
  bool unsandboxed_allowed = true;
  // Commands (and whether outside the sandbox) approved earlier in this session.
  std::vector<std::pair<Argv, bool>> session_approved;
  // Where "always allow" writes, for the how-to-allow text.
  std::string amendment_file;
};

// Decides. Never fails: every input yields a decision.
Assessment assess(const Request& req, const Context& ctx, const rules::Policy& rules);

// The allow rules "always allow" may save for `units` (only the prompting ones when
// `only_prompting`): their argvs, or none when one would be too broad (bash -c, sudo, rm ...)
// or a rule asks about one of them (the strictest rule wins, so an allow rule would change
// nothing).
std::vector<Argv> savable_allow_rules(const std::vector<UnitVerdict>& units, bool only_prompting);

// Whether the policy lets cordon ask a person about a prompt of this category.
bool may_prompt(const config::ApprovalPolicy& p, Category c);

// The rule line "always allow" writes for `prefix`, as it appears in a .rules file.
std::string allow_rule_text(const Argv& prefix);

// A command line for messages: words joined by spaces, quoted where needed.
std::string display_argv(const Argv& argv);

}  // namespace cordon::approval
