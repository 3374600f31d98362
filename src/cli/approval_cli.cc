// cordon - shared set-up of `cordon run` and `cordon explain`.
#include "cli/approval_cli.h"

#include <cstdio>
#include <cstdlib>

#include "approval/session.h"
#include "rules/load.h"
#include "util/exit_codes.h"

namespace cordon::cli {
namespace {

void say(const std::string& msg) {
  std::fprintf(stderr, "cordon: %s\n", msg.c_str());
}

}  // namespace

void add_approval_flags(CLI::App& app, ApprovalArgs& a) {
  add_config_flags(app, a.config);
  app.add_flag("--escalate", a.escalate,
               "Ask to run the command outside the sandbox (needs --justification)");
  app.add_option_function<std::string>(
         "--justification", [&a](const std::string& v) { a.justification = v; },
         "Why the command needs what it asks for; shown to the person asked")
      ->type_name("TEXT");
  app.add_option_function<std::string>(
         "--session", [&a](const std::string& v) { a.session = v; },
         "Session id for \"allow for this session\" (default: $CORDON_SESSION)")
      ->type_name("ID");
  app.add_flag("--json", a.json, "Print one JSON object on stdout");
  app.prefix_command();
}

int prepare_approval(const ApprovalArgs& args, const FileSystem& fs, ApprovalSetup& out) {
  if (args.command.empty()) {
    say("no command given; put it after '--'");
    return exit_code::kUsage;
  }
  if (args.escalate && (!args.justification || args.justification->empty())) {
    say("--escalate needs --justification TEXT: the person asked sees why the command must run "
        "outside the sandbox");
    return exit_code::kUsage;
  }
  if (args.justification && !args.escalate) {
    say("--justification is only used with --escalate");
    return exit_code::kUsage;
  }
  std::string session = args.session.value_or("");
  if (session.empty()) {
    if (const char* s = std::getenv("CORDON_SESSION")) session = s;
  }
  if (!session.empty() && !approval::valid_session_id(session)) {
    say("invalid session id '" + session +
        "': use 1 to 128 letters, digits, '.', '_' or '-', not starting with '.'");
    return exit_code::kUsage;
  }
  if (int rc = load_effective(args.config, args.command, fs, out.eff); rc != 0) return rc;

  const char* home = std::getenv("HOME");
  const char* cordon_home = std::getenv("CORDON_HOME");
  auto rules = rules::load_rule_dirs(rules::default_rule_dirs(cordon_home, home));
  if (!rules) {
    say(rules.error().describe());
    return exit_code::kConfig;
  }
  out.rules = std::move(*rules);

  const config::EffectiveConfig& cfg = out.eff.cfg;
  approval::FlowInputs& in = out.inputs;
  in.request.argv = args.command;
  in.request.escalate = args.escalate;
  in.request.justification = args.justification.value_or("");
  in.context.policy = cfg.approval_policy.value;
  in.context.mode = cfg.sandbox_mode.value;
  in.context.yolo = cfg.sandbox_mode.value == config::SandboxMode::DangerFullAccess &&
                    cfg.approval_policy.value.kind == config::ApprovalPolicy::Kind::Never;
  in.context.amendment_file = rules::default_amendment_file(cordon_home, home);
  // Paths the profile keeps unreadable stay so: nothing runs outside the sandbox then.
  in.context.unsandboxed_allowed = !out.eff.fs.has_deny_read();
  in.cwd = cfg.workspace;
  if (!session.empty()) {
    out.session_file =
        approval::session_file(session, std::getenv("XDG_RUNTIME_DIR"), cordon_home, home);
    auto approved = approval::load_session(out.session_file);
    if (approved) {
      in.context.session_approved = std::move(*approved);
    } else {
      say("warning: ignoring this session's earlier approvals: " + approved.error().describe());
    }
    in.session_available = true;
  }
  return 0;
}

nlohmann::ordered_json assessment_json(const approval::Assessment& a) {
  using J = nlohmann::ordered_json;
  J j;
  j["decision"] = rules::to_string(a.decision);
  j["reason"] = a.reason;
  if (a.decision != rules::Decision::Allow) j["category"] = approval::to_string(a.category);
  j["commands"] = J::array();
  j["matched_rules"] = J::array();
  for (const auto& u : a.units) {
    j["commands"].push_back(u.argv);
    for (const auto& m : u.matches) {
      J r;
      r["command"] = u.argv;
      r["matched_prefix"] = m.matched_prefix;
      r["decision"] = rules::to_string(m.decision);
      if (m.justification) r["justification"] = *m.justification;
      if (m.resolved_program) r["resolved_program"] = *m.resolved_program;
      r["origin"] = m.origin;
      j["matched_rules"].push_back(r);
    }
  }
  j["split_from_script"] = a.from_script;
  j["known_safe"] = a.known_safe();
  if (auto d = a.danger()) {
    j["dangerous"] = *d;
  } else {
    j["dangerous"] = nullptr;
  }
  j["sandbox"] = a.use_sandbox;
  j["amendments"] = J::array();
  for (const auto& p : a.amendments) j["amendments"].push_back(approval::allow_rule_text(p));
  if (!a.how_to_allow.empty()) j["how_to_allow"] = a.how_to_allow;
  return j;
}

}  // namespace cordon::cli
