// cordon - the JSON of `execpolicy check` (Codex's format).
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "rules/policy.h"

namespace cordon::rules {

// {"matchedRules":[{"prefixRuleMatch":{"matchedPrefix":[...],"decision":"...",
//   "resolvedProgram"?:"...","justification"?:"..."}}, ...], "decision"?:"<strictest>"}
// "decision" is left out when nothing matched.
nlohmann::json check_json(const std::vector<RuleMatch>& m);

}  // namespace cordon::rules
