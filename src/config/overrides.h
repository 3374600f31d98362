// cordon - `-c key=value` overrides: a dotted TOML key and a value parsed as TOML,
// else taken as a string.
#pragma once

#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "util/result.h"

namespace cordon::config {

// Parses one override into a table holding exactly that key path:
// "a.b=1" -> { a = { b = 1 } }; "sandbox_mode=read-only" -> { sandbox_mode = "read-only" }.
// Errors name the override ("-c 'x': ...").
Result<toml::table> parse_override(std::string_view text);

}  // namespace cordon::config
