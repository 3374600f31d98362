// cordon - `cordon explain`: the assessment `cordon run` would make, without running anything.
#pragma once

#include "cli/approval_cli.h"

namespace cordon::cli {

// Prints the assessment (words, or JSON with --json); returns 0, or cordon's exit status for a
// usage, config or rules error.
int run_explain(const ApprovalArgs& args);

}  // namespace cordon::cli
