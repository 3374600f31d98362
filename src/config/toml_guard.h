// cordon - a pre-check of TOML text before toml++ sees it.
//
// toml++ 3.3.0 (Debian 12) reaches __builtin_unreachable() when it asks whether some
// non-ASCII code points are whitespace (U+00A1..U+0499 and U+2CDE..U+30D7 but U+3000;
// marzer/tomlplusplus#190, fixed upstream after 3.3). It asks only for characters outside
// strings and comments, and in a multi-line basic string right after a backslash. TOML 1.0
// allows non-ASCII only inside strings and comments, so rejecting it elsewhere is correct,
// and the one valid case (non-ASCII text right after a line-ending backslash) gets an error
// that says so instead of undefined behaviour.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cordon::config {

struct TomlGuardIssue {
  int line = 0;    // 1-based
  int column = 0;  // 1-based, in code points (as toml++ counts)
  std::string message;
};

std::optional<TomlGuardIssue> toml_guard(std::string_view text);

}  // namespace cordon::config
