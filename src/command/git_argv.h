// cordon - where git's own options end and its subcommand starts (pure).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "command/argv.h"

namespace cordon::command {

// A git command line split at its subcommand: `git [GLOBAL OPTIONS] SUBCOMMAND ARGS`.
struct GitInvocation {
  // The global options before the subcommand, as written ("-C", "dir" are two entries).
  std::vector<std::string> global_options;
  // The key=value of every `-c key=value` (also `-ckey=value`).
  std::vector<std::pair<std::string, std::string>> config;
  // argv index of the subcommand; argv.size() when there is none.
  size_t subcommand = 0;
};

// Parses a git argv (the caller has checked that program_name(argv[0]) is "git"). Options that take
// a value (-C, -c,
// --git-dir, --work-tree, --namespace, --super-prefix, --config-env, --attr-source)
// consume the next word unless written with '=' (or attached, for -C and -c); every
// other word starting with '-' is taken for a flag; the first other word is the
// subcommand.
GitInvocation parse_git(const Argv& argv);

// The short option `letter` in the option words of args (before "--"), also inside a
// cluster such as -fdx. A cluster stops at a letter of `takes_value`: the rest of the
// word is that option's value ("-bfix" holds -b with value "fix", no -f).
bool has_short_option(const std::vector<std::string>& args, char letter,
                      std::string_view takes_value = "");

// The long option `name` ("--force") in args before "--", also as "--force=VALUE".
bool has_long_option(const std::vector<std::string>& args, std::string_view name);

}  // namespace cordon::command
