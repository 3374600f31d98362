// cordon - the approval flow of `cordon run`: assess, ask when the policy says so, run (in the
// sandbox or outside it), and offer a re-run outside the sandbox when the sandbox blocked the
// command and the policy lets cordon ask. Running, asking and saving approvals go through
// interfaces, so the whole flow is tested with fakes and used unchanged by the CLI.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "approval/assess.h"
#include "approval/prompter.h"
#include "util/result.h"

namespace cordon::approval {

struct RunOutcome {
  int status = 0;                    // the command's exit status (128+N for signal N)
  std::vector<std::string> blocked;  // what the sandbox refused, one line each; empty: nothing
};

class Runner {
 public:
  virtual ~Runner() = default;
  // Runs the command once. An Error means nothing ran (the sandbox could not be set up).
  virtual Result<RunOutcome> run(bool sandboxed) = 0;
};

class ApprovalStore {
 public:
  virtual ~ApprovalStore() = default;
  virtual Status save_session(const Argv& argv, bool outside) = 0;
  virtual Status save_always(const Argv& prefix) = 0;
};

enum class Outcome {
  Ran,          // the command ran (exit_code is its status)
  Refused,      // policy or rule refused it, or approval was needed and nobody could answer
  Denied,       // the person answered no
  Aborted,      // the person chose to abort
  SetupFailed,  // the sandbox could not be set up; nothing ran
};

const char* to_string(Outcome o);

struct FlowResult {
  Assessment assessment;
  Outcome outcome = Outcome::Ran;
  std::optional<Answer> answer;        // to the first question, when one was asked
  std::optional<Answer> retry_answer;  // to "run again outside the sandbox?", when asked
  bool sandboxed = true;               // where the (last) run happened
  bool retried = false;                // the command ran a second time, outside the sandbox
  int exit_code = 0;                   // the command's status, or cordon's code for the outcome
  std::vector<std::string> blocked;    // what the sandbox refused in the sandboxed run
  std::string message;                 // why it did not run (Refused/Denied/Aborted/SetupFailed)
  std::vector<std::string> notes;      // lines for the user (saved rules, failures to save ...)
};

struct FlowInputs {
  Request request;
  Context context;
  std::string cwd;                 // shown in questions
  bool session_available = false;  // a session id is known: "allow for this session" offered
};

FlowResult decide_and_run(const FlowInputs& in, const rules::Policy& rules, Prompter& prompter,
                          Runner& runner, ApprovalStore& store);

}  // namespace cordon::approval
