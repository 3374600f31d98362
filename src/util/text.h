// cordon - small text helpers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cordon {

// The items with `sep` between each two of them.
std::string join(const std::vector<std::string>& items, std::string_view sep);

}  // namespace cordon
