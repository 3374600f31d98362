// cordon - "did you mean" for names that are close to a known one.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cordon::config {

// The closest candidate within a small edit distance, if any.
std::optional<std::string> closest(std::string_view word,
                                   const std::vector<std::string>& candidates);

// "; did you mean 'x'?" or "".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace cordon::config
