// cordon - argv/envp arrays for execve.
#pragma once

#include <string>
#include <vector>

namespace cordon {

// Pointers into `v` (which must outlive the result), terminated by nullptr.
std::vector<char*> c_strings(std::vector<std::string>& v);

}  // namespace cordon
