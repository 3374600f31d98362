// cordon - "always allow": appending a prefix_rule to a rules file.
#pragma once

#include <string>
#include <vector>

#include "util/result.h"

namespace cordon::rules {

// The line append_prefix_rule() writes for `prefix` (without a newline):
//   prefix_rule(pattern=["tok1", "tok2"], decision="allow")
// Tokens are quoted so that the parser reads them back exactly (any bytes).
std::string allow_rule_line(const std::vector<std::string>& prefix);

// Appends allow_rule_line(prefix) to `file` under an exclusive flock() on it, creating the
// missing parent directories (0700) and the file (0600). Nothing is written when the file
// already has that line; a newline is added first when the file does not end with one. The
// file as it would be afterwards must parse (Policy::add_source), else nothing is written and
// the parse error is returned.
Status append_prefix_rule(const std::string& file, const std::vector<std::string>& prefix);

}  // namespace cordon::rules
