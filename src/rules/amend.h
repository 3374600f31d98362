// cordon - "always allow": appending a prefix_rule to a rules file (file I/O; the rule
// text itself is rules::allow_rule_line in policy.h).
#pragma once

#include <string>
#include <vector>

#include "rules/policy.h"  // allow_rule_line
#include "util/result.h"

namespace cordon::rules {

// Appends allow_rule_line(prefix) to `file` under an exclusive flock() on it, creating the
// missing parent directories (0700) and the file (0600). Nothing is written when the file
// already has that line; a newline is added first when the file does not end with one. The
// file as it would be afterwards must parse (Policy::add_source), else nothing is written and
// the parse error is returned.
Status append_prefix_rule(const std::string& file, const std::vector<std::string>& prefix);

}  // namespace cordon::rules
