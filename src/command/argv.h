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

// Whether `word` is one of the space-separated words of `list` ("npm pnpm yarn").
inline bool in_list(std::string_view list, std::string_view word) {
  size_t i = 0;
  while (i < list.size()) {
    size_t end = list.find(' ', i);
    if (end == std::string_view::npos) end = list.size();
    if (list.substr(i, end - i) == word) return true;
    i = end + 1;
  }
  return false;
}

}  // namespace cordon::command
