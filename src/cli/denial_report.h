// cordon - telling the user and the agent what the sandbox refused: the summary after the
// command, the live lines of --log-denials, and the records in --json. Shared by
// `cordon sandbox linux` and `cordon run`.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

#include "sandbox/denials.h"
#include "sandbox/linux/supervise.h"

namespace cordon::cli {

// The records as a JSON array of {"operation", "target", "rule", "pid", "executable", "count"}.
nlohmann::ordered_json denials_json(const std::vector<sandbox::Denial>& records);

// The lines to print on stderr after a sandboxed command ended (without "cordon: "): the
// summary per rule, and a note when the observer could not run.
std::vector<std::string> denial_report_lines(const sandbox::linux::Finished& done);

// The on_denial callback for --log-denials: writes "cordon: denied: <record>" on `fd`.
std::function<void(const sandbox::Denial&)> live_denial_printer(int fd);

}  // namespace cordon::cli
