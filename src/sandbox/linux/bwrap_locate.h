// cordon - finding a bubblewrap executable we can trust.
#pragma once

#include <string>
#include <vector>

#include "util/filesystem.h"
#include "util/result.h"

namespace cordon::sandbox::linux {

// The first `bwrap` on PATH whose real location is not inside any of the writable
// roots (a repository could ship its own fake bwrap). The error says what was found,
// what was skipped and how to install bubblewrap.
Result<std::string> find_bwrap(const char* path_env, const std::vector<std::string>& writable_roots,
                               const FileSystem& fs);

}  // namespace cordon::sandbox::linux
