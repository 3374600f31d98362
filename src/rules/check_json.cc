// cordon - `execpolicy check` JSON.
#include "rules/check_json.h"

#include <optional>

namespace cordon::rules {

nlohmann::json check_json(const std::vector<RuleMatch>& m) {
  nlohmann::json rules = nlohmann::json::array();
  std::optional<Decision> strictest;
  for (const auto& r : m) {
    nlohmann::json body = nlohmann::json::object();
    body["matchedPrefix"] = r.matched_prefix;
    body["decision"] = to_string(r.decision);
    if (r.resolved_program) body["resolvedProgram"] = *r.resolved_program;
    if (r.justification) body["justification"] = *r.justification;
    nlohmann::json entry = nlohmann::json::object();
    entry["prefixRuleMatch"] = std::move(body);
    rules.push_back(std::move(entry));
    if (!strictest || r.decision > *strictest) strictest = r.decision;
  }
  nlohmann::json out = nlohmann::json::object();
  out["matchedRules"] = std::move(rules);
  if (strictest) out["decision"] = to_string(*strictest);
  return out;
}

}  // namespace cordon::rules
