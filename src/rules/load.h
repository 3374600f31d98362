// cordon - loading the .rules files of the rules directories.
#pragma once

#include <string>
#include <vector>

#include "rules/policy.h"
#include "util/result.h"

namespace cordon::rules {

// Every regular `*.rules` file (symlinks to one count) of each directory, sorted by name,
// the directories in the order given (later ones add to earlier ones). A missing directory
// is skipped; an unreadable directory or file, or any error in a file, is an Error
// ("FILE:LINE:COLUMN: ..." for errors inside a file).
Result<Policy> load_rule_dirs(const std::vector<std::string>& dirs);

// The largest .rules file cordon reads.
inline constexpr size_t kMaxRulesFileBytes = 16u << 20;

// {"/etc/cordon/rules", "$CORDON_HOME/rules"} (CORDON_HOME defaults to $HOME/.cordon).
std::vector<std::string> default_rule_dirs(const char* cordon_home, const char* home);
inline constexpr const char* kSystemRulesDir = "/etc/cordon/rules";

// Where "always allow" appends its rules: $CORDON_HOME/rules/default.rules.
std::string default_amendment_file(const char* cordon_home, const char* home);

}  // namespace cordon::rules
