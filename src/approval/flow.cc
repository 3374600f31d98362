// cordon - the approval flow of `cordon run`.
#include "approval/flow.h"

#include "util/exit_codes.h"
#include "util/text.h"

namespace cordon::approval {
namespace {

using Kind = config::ApprovalPolicy::Kind;

std::vector<std::string> rule_texts(const std::vector<Argv>& prefixes) {
  std::vector<std::string> out;
  for (const auto& p : prefixes) out.push_back(allow_rule_text(p));
  return out;
}

// Saves what the answer asks to remember; failures become notes (the approval stands).
void remember(Answer a, const std::vector<Argv>& prompted, const std::vector<Argv>& amendments,
              bool outside, ApprovalStore& store, FlowResult& r) {
  if (a == Answer::Session) {
    for (const auto& argv : prompted) {
      if (auto st = store.save_session(argv, outside); !st) {
        r.notes.push_back("could not remember the approval for this session: " +
                          st.error().describe());
      }
    }
  }
  if (a == Answer::Always) {
    for (const auto& p : amendments) {
      if (auto st = store.save_always(p); !st) {
        r.notes.push_back("could not save " + allow_rule_text(p) + ": " + st.error().describe());
      } else {
        r.notes.push_back("saved " + allow_rule_text(p));
      }
    }
  }
}

// Ends the flow without running: refused, denied or aborted.
FlowResult& stop(FlowResult& r, Outcome o, std::string message) {
  r.outcome = o;
  r.message = std::move(message);
  r.exit_code = o == Outcome::Denied    ? exit_code::kDenied
                : o == Outcome::Aborted ? exit_code::kAborted
                                        : exit_code::kRefused;
  return r;
}

// Handles an answer that does not run the command; true when the flow ends here.
bool ends_flow(std::optional<Answer> a, FlowResult& r, const std::string& what) {
  if (a == Answer::Deny) {
    stop(r, Outcome::Denied, what + " was denied");
    return true;
  }
  if (a == Answer::Abort) {
    stop(r, Outcome::Aborted, what + " was aborted");
    return true;
  }
  return false;
}

bool run_once(Runner& runner, bool sandboxed, FlowResult& r) {
  auto out = runner.run(sandboxed);
  r.sandboxed = sandboxed;
  if (!out) {
    r.outcome = Outcome::SetupFailed;
    r.exit_code = exit_code::kSandboxSetup;
    r.message = "sandbox setup failed; the command did not run: " + out.error().describe();
    return false;
  }
  r.outcome = Outcome::Ran;
  r.exit_code = out->status;
  if (sandboxed) r.blocked = out->blocked;
  return true;
}

// May cordon offer to run the command again outside the sandbox after the sandbox blocked it?
bool may_offer_retry(const Context& ctx) {
  return ctx.unsandboxed_allowed && !ctx.yolo && ctx.policy.kind != Kind::Never &&
         may_prompt(ctx.policy, Category::SandboxApproval);
}

}  // namespace

const char* to_string(Outcome o) {
  switch (o) {
    case Outcome::Ran:
      return "ran";
    case Outcome::Refused:
      return "refused";
    case Outcome::Denied:
      return "denied";
    case Outcome::Aborted:
      return "aborted";
    case Outcome::SetupFailed:
      return "setup_failed";
  }
  return "?";
}

FlowResult decide_and_run(const FlowInputs& in, const rules::Policy& rules, Prompter& prompter,
                          Runner& runner, ApprovalStore& store) {
  FlowResult r;
  r.assessment = assess(in.request, in.context, rules);
  const Assessment& a = r.assessment;
  const std::string shown = display_argv(in.request.argv);

  if (a.decision == Decision::Forbidden) {
    std::string msg = "refused: " + a.reason;
    if (!a.how_to_allow.empty()) msg += "\n" + a.how_to_allow;
    return stop(r, Outcome::Refused, msg);
  }

  if (a.decision == Decision::Prompt) {
    Question q;
    q.command = shown;
    q.cwd = in.cwd;
    q.reason = a.reason;
    q.outside = !a.use_sandbox && in.context.mode != config::SandboxMode::DangerFullAccess;
    q.offer_session = in.session_available;
    q.always_rules = rule_texts(a.amendments);
    q.always_file = in.context.amendment_file;
    r.answer = prompter.ask(q);
    if (!r.answer) {
      std::string msg = "approval needed, and there is no terminal to ask on: " + a.reason;
      if (!a.amendments.empty()) {
        msg += "\nto allow it without being asked, add to " + in.context.amendment_file + ": " +
               join(rule_texts(a.amendments), " and ");
      }
      msg += "\nor run the command from a terminal to be asked";
      return stop(r, Outcome::Refused, msg);
    }
    if (ends_flow(r.answer, r, "running `" + shown + "`")) return r;
    std::vector<Argv> prompted;
    for (const auto& u : a.units) {
      if (u.decision == Decision::Prompt) prompted.push_back(u.argv);
    }
    remember(*r.answer, prompted, a.amendments, !a.use_sandbox, store, r);
  }

  if (!run_once(runner, a.use_sandbox, r)) return r;
  if (!a.use_sandbox || r.blocked.empty() || r.exit_code == 0) return r;

  // The sandbox blocked the command and it failed.
  if (!may_offer_retry(in.context)) {
    r.notes.push_back("the sandbox blocked: " + join(r.blocked, "; ") +
                      (in.context.policy.kind == Kind::Never
                           ? " (approval_policy never: no re-run outside the sandbox is offered)"
                           : ""));
    return r;
  }
  std::vector<Argv> units;
  for (const auto& u : a.units) units.push_back(u.argv);
  Question q;
  q.command = shown;
  q.cwd = in.cwd;
  q.reason = "the command failed (exit " + std::to_string(r.exit_code) +
             ") and the sandbox refused part of what it did";
  q.retry = true;
  q.outside = true;
  q.blocked = join(r.blocked, "; ");
  q.offer_session = in.session_available;
  const std::vector<Argv> amendments = savable_allow_rules(a.units, false);
  q.always_rules = rule_texts(amendments);
  q.always_file = in.context.amendment_file;
  r.retry_answer = prompter.ask(q);
  if (!r.retry_answer || *r.retry_answer == Answer::Deny) return r;  // the sandboxed result stands
  if (*r.retry_answer == Answer::Abort) {
    return stop(r, Outcome::Aborted, "aborted after the sandbox blocked the command");
  }
  remember(*r.retry_answer, units, amendments, true, store, r);
  r.retried = true;
  std::vector<std::string> first_blocked = r.blocked;
  if (!run_once(runner, false, r)) return r;
  r.blocked = std::move(first_blocked);
  return r;
}

}  // namespace cordon::approval
