// cordon - an argument vector, and the program name the command analysis looks at.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cordon::command {

using Argv = std::vector<std::string>;

// The last path component of argv[0]: "/usr/bin/git" -> "git", "git" -> "git".
// An argv[0] ending in '/' has an empty program name.
inline std::string_view program_name(std::string_view argv0) {
  const size_t slash = argv0.rfind('/');
  return slash == std::string_view::npos ? argv0 : argv0.substr(slash + 1);
}

}  // namespace cordon::command
