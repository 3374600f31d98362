// cordon - `cordon explain`.
#include "cli/explain_cmd.h"

#include <cstdio>

#include "approval/assess.h"
#include "util/printable.h"

namespace cordon::cli {

int run_explain(const ApprovalArgs& args) {
  RealFileSystem fs;
  ApprovalSetup setup;
  if (int rc = prepare_approval(args, fs, setup); rc != 0) return rc;
  const approval::Assessment a =
      approval::assess(setup.inputs.request, setup.inputs.context, setup.rules);
  if (args.json) {
    std::printf("%s\n", assessment_json(a)
                            .dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
                            .c_str());
    return 0;
  }
  // Everything taken from the command is made printable: its words may hold escapes.
  auto p = [](const std::string& s) { return printable(s); };
  std::printf("decision: %s\n", rules::to_string(a.decision));
  std::printf("reason:   %s\n", p(a.reason).c_str());
  std::printf("sandbox:  %s\n", a.use_sandbox ? "yes" : "no");
  for (const auto& u : a.units) {
    std::printf("command:  %s\n", p(approval::display_argv(u.argv)).c_str());
    std::printf("  %s: %s%s%s\n", rules::to_string(u.decision), p(u.reason).c_str(),
                u.known_safe ? " [known-safe]" : "", u.danger ? " [dangerous]" : "");
  }
  for (const auto& rule : a.amendments) {
    std::printf("always allow would add: %s\n", p(approval::allow_rule_text(rule)).c_str());
  }
  if (!a.how_to_allow.empty()) std::printf("to allow: %s\n", p(a.how_to_allow).c_str());
  return 0;
}

}  // namespace cordon::cli
