// cordon - `cordon run`: decide, ask when the policy says so, run in the sandbox (or outside it
// when approved), and offer a re-run outside the sandbox when the sandbox blocked the command.
#pragma once

#include "cli/approval_cli.h"

namespace cordon::cli {

// Runs the flow; returns the command's exit status or cordon's (77 refused, 79 denied, 80
// aborted, 71 sandbox setup, 78 config, 64 usage).
int run_run(const ApprovalArgs& args);

}  // namespace cordon::cli
