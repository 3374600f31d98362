// cordon - what `cordon run` and `cordon explain` share: their flags, loading the config and
// the .rules files, and the assessment as JSON.
#pragma once

#include <CLI/CLI.hpp>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "approval/flow.h"
#include "cli/sandbox_cmd.h"
#include "rules/policy.h"

namespace cordon::cli {

struct ApprovalArgs {
  config::CliOptions config;
  bool escalate = false;
  std::optional<std::string> justification;
  std::optional<std::string> session;  // --session, else $CORDON_SESSION
  bool json = false;
  bool log_denials = false;  // cordon run: print each refusal as it happens
  std::vector<std::string> command;
};

void add_approval_flags(CLI::App& app, ApprovalArgs& args);

// Everything the flow needs, loaded.
struct ApprovalSetup {
  Effective eff;
  rules::Policy rules;
  approval::FlowInputs inputs;
  std::string session_file;  // empty: no session
};

// Loads config, sandbox plan and rules and fills the flow's inputs; prints errors to stderr.
// Returns 0, or cordon's exit status (64 usage, 78 config or rules, 71 writable roots).
int prepare_approval(const ApprovalArgs& args, const FileSystem& fs, ApprovalSetup& out);

// The assessment's fields for JSON output (decision, reason, commands, matched_rules,
// known_safe, dangerous, sandbox ...).
nlohmann::ordered_json assessment_json(const approval::Assessment& a);

}  // namespace cordon::cli
