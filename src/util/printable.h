// cordon - making untrusted text safe to print on a terminal.
#pragma once

#include <string>
#include <string_view>

namespace cordon {

// Control characters (and DEL) become \xNN, so a config value cannot break a message
// across lines or send terminal escape sequences. Everything else is kept.
std::string printable(std::string_view s);

}  // namespace cordon
