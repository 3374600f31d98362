// cordon - the approval decision for one command.
#include "approval/assess.h"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "command/banned_prefix.h"
#include "command/dangerous.h"
#include "command/known_safe.h"

namespace cordon::approval {
namespace {

using config::ApprovalPolicy;
using config::SandboxMode;
using Kind = config::ApprovalPolicy::Kind;

bool plain_word(const std::string& w) {
  if (w.empty()) return false;
  return std::all_of(w.begin(), w.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 ||
           std::string_view("_./=:,+@%-").find(static_cast<char>(c)) != std::string_view::npos;
  });
}

std::string rule_summary(const rules::RuleMatch& m) {
  std::string s = "rule " + m.origin;
  if (m.justification) s += " (" + *m.justification + ")";
  return s;
}

Decision strictest(const std::vector<rules::RuleMatch>& ms) {
  Decision d = Decision::Allow;
  for (const auto& m : ms) d = std::max(d, m.decision);
  return d;
}

// The rule among `ms` that decided: the first with the strictest decision.
const rules::RuleMatch& deciding_rule(const std::vector<rules::RuleMatch>& ms) {
  const Decision d = strictest(ms);
  return *std::find_if(ms.begin(), ms.end(), [d](const auto& m) { return m.decision == d; });
}

bool approved_in_session(const Context& ctx, const Argv& argv, bool outside) {
  return std::any_of(ctx.session_approved.begin(), ctx.session_approved.end(),
                     [&](const auto& a) { return a.first == argv && (a.second || !outside); });
}

std::string policy_name(const ApprovalPolicy& p) {
  switch (p.kind) {
    case Kind::Untrusted:
      return "untrusted";
    case Kind::OnRequest:
      return "on-request";
    case Kind::Never:
      return "never";
    case Kind::Granular:
      return "granular";
    case Kind::Reject:
      return "reject";
  }
  return "?";
}

// The unit's decision before the policy's "may cordon ask?" is applied.
UnitVerdict judge(const Argv& argv, const Request& req, const Context& ctx,
                  const rules::Policy& rules) {
  UnitVerdict u;
  u.argv = argv;
  u.matches = rules.matches(argv, /*resolve_host_executables=*/true);
  u.known_safe = command::is_known_safe(argv);
  if (auto d = command::find_danger(argv)) u.danger = d->reason;
  const bool sandboxed = ctx.mode != SandboxMode::DangerFullAccess;
  const bool leaving = req.escalate && sandboxed;
  u.session_approved = approved_in_session(ctx, argv, leaving);

  if (!u.matches.empty()) {
    const auto& m = deciding_rule(u.matches);
    u.decision = m.decision;
    u.reason = std::string(to_string(m.decision)) + " by " + rule_summary(m);
    // A rule's "prompt" is answered by an approval for this session; "forbidden" is not.
    if (m.decision == Decision::Prompt && u.session_approved) {
      u.decision = Decision::Allow;
      u.reason = "approved earlier in this session (" + rule_summary(m) + " asks)";
    }
    return u;
  }
  if (ctx.yolo) {
    u.reason = "--yolo: no approval checks";
    return u;
  }
  if (u.session_approved) {
    u.reason = "approved earlier in this session";
    return u;
  }
  if (u.danger) {
    u.decision = Decision::Prompt;
    u.reason = "dangerous: " + *u.danger;
    return u;
  }
  if (leaving) {
    u.decision = Decision::Prompt;
    u.reason = "asks to run outside the sandbox" +
               (req.justification.empty() ? std::string() : ": " + req.justification);
    return u;
  }
  if (ctx.policy.kind == Kind::Untrusted) {
    u.decision = u.known_safe ? Decision::Allow : Decision::Prompt;
    u.reason = u.known_safe ? "known-safe read-only command"
                            : "not a known-safe command, and approval_policy is untrusted";
    return u;
  }
  u.reason = sandboxed ? "runs in the sandbox" : "danger-full-access: no sandbox";
  return u;
}

std::string suppressed_reason(const ApprovalPolicy& p, Category c) {
  if (p.kind == Kind::Never) return "approval_policy is never, so cordon does not ask";
  const char* cat = c == Category::Rules ? "rules" : "sandbox_approval";
  if (p.kind == Kind::Granular) {
    return std::string("approval_policy granular.") + cat + " = false, so cordon does not ask";
  }
  return std::string("approval_policy reject.") + cat + " = true, so cordon does not ask";
}

}  // namespace

const char* to_string(Category c) {
  return c == Category::Rules ? "rules" : "sandbox_approval";
}

bool Assessment::known_safe() const {
  return !units.empty() &&
         std::all_of(units.begin(), units.end(), [](const auto& u) { return u.known_safe; });
}

std::optional<std::string> Assessment::danger() const {
  for (const auto& u : units) {
    if (u.danger) return u.danger;
  }
  return std::nullopt;
}

std::vector<Argv> savable_allow_rules(const std::vector<UnitVerdict>& units, bool only_prompting) {
  std::vector<Argv> out;
  for (const auto& u : units) {
    if (only_prompting && u.decision != Decision::Prompt) continue;
    const bool rule_asks = std::any_of(u.matches.begin(), u.matches.end(),
                                       [](const auto& m) { return m.decision != Decision::Allow; });
    if (rule_asks || command::is_banned_prefix(u.argv)) return {};
    out.push_back(u.argv);
  }
  return out;
}

bool may_prompt(const ApprovalPolicy& p, Category c) {
  const bool flag = c == Category::Rules ? p.rules : p.sandbox_approval;
  switch (p.kind) {
    case Kind::Untrusted:
    case Kind::OnRequest:
      return true;
    case Kind::Never:
      return false;
    case Kind::Granular:
      return flag;  // true: such prompts may be shown
    case Kind::Reject:
      return !flag;  // true: such prompts are rejected
  }
  return false;
}

std::string display_argv(const Argv& argv) {
  std::string out;
  for (const auto& w : argv) {
    if (!out.empty()) out += ' ';
    if (plain_word(w)) {
      out += w;
      continue;
    }
    out += '\'';
    for (char c : w) {
      if (c == '\'') {
        out += "'\\''";
      } else {
        out += c;
      }
    }
    out += '\'';
  }
  return out;
}

std::string allow_rule_text(const Argv& prefix) {
  return rules::allow_rule_line(prefix);
}

Assessment assess(const Request& req, const Context& ctx, const rules::Policy& rules) {
  Assessment a;
  command::Units units = command::commands_for_policy(req.argv);
  a.from_script = units.from_script;
  for (const auto& argv : units.commands) a.units.push_back(judge(argv, req, ctx, rules));

  Decision worst = Decision::Allow;
  for (const auto& u : a.units) worst = std::max(worst, u.decision);
  const UnitVerdict* first = &*std::find_if(a.units.begin(), a.units.end(),
                                            [&](const auto& u) { return u.decision == worst; });
  bool rule_prompt = false;
  bool other_prompt = false;
  for (const auto& u : a.units) {
    if (u.decision != Decision::Prompt) continue;
    (u.matches.empty() ? other_prompt : rule_prompt) = true;
  }
  a.category = rule_prompt ? Category::Rules : Category::SandboxApproval;
  a.decision = worst;
  if (a.units.size() == 1) {
    a.reason = first->reason;
  } else if (worst == Decision::Allow) {
    a.reason = "all " + std::to_string(a.units.size()) + " commands allowed";
    std::vector<std::string> seen;
    for (const auto& u : a.units) {
      if (std::find(seen.begin(), seen.end(), u.reason) == seen.end()) seen.push_back(u.reason);
    }
    for (size_t i = 0; i < seen.size(); ++i) a.reason += (i == 0 ? ": " : "; ") + seen[i];
  } else {
    a.reason = "`" + display_argv(first->argv) + "`: " + first->reason;
  }

  const bool sandboxed = ctx.mode != SandboxMode::DangerFullAccess;
  // Only explicit allow rules take a command out of the sandbox (not a session approval of
  // a rule's prompt).
  const bool all_rule_allowed = std::all_of(a.units.begin(), a.units.end(), [](const auto& u) {
    return !u.matches.empty() && strictest(u.matches) == Decision::Allow;
  });
  if (!sandboxed) {
    a.use_sandbox = false;
  } else if (ctx.unsandboxed_allowed && (all_rule_allowed || req.escalate)) {
    a.use_sandbox = false;
  }
  if (req.escalate && sandboxed && !ctx.unsandboxed_allowed && a.decision != Decision::Forbidden) {
    a.decision = Decision::Forbidden;
    a.reason = "the permission profile denies reads, so the command cannot run outside the sandbox";
    return a;
  }

  if (a.decision == Decision::Prompt) a.amendments = savable_allow_rules(a.units, true);

  if (a.decision == Decision::Prompt) {
    const bool may = (!rule_prompt || may_prompt(ctx.policy, Category::Rules)) &&
                     (!other_prompt || may_prompt(ctx.policy, Category::SandboxApproval));
    if (!may) {
      const Category blocked = rule_prompt && !may_prompt(ctx.policy, Category::Rules)
                                   ? Category::Rules
                                   : Category::SandboxApproval;
      a.category = blocked;
      a.decision = Decision::Forbidden;
      a.reason += "; " + suppressed_reason(ctx.policy, blocked);
      if (!a.amendments.empty() && !rule_prompt) {
        a.how_to_allow = "to allow it without being asked, add to " + ctx.amendment_file + ": ";
        for (size_t i = 0; i < a.amendments.size(); ++i) {
          a.how_to_allow += (i > 0 ? " and " : "") + allow_rule_text(a.amendments[i]);
        }
        a.how_to_allow += "; or run it with -a on-request from a terminal to be asked";
      } else if (rule_prompt) {
        a.how_to_allow = "the rule asks for approval; run it with -a on-request (policy now " +
                         policy_name(ctx.policy) + ") from a terminal to be asked";
      } else {
        a.how_to_allow = "run it with -a on-request from a terminal to be asked";
      }
    }
  } else if (a.decision == Decision::Forbidden) {
    a.how_to_allow = "a rule forbids it (" + deciding_rule(first->matches).origin +
                     "); only changing that rule allows it";
  }
  return a;
}

}  // namespace cordon::approval
