// cordon - approvals given "for this session": a small file per session id, so an agent that
// runs many `cordon run` commands in one session (CORDON_SESSION or --session) is asked once.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "util/result.h"

namespace cordon::approval {

using SessionApprovals = std::vector<std::pair<std::vector<std::string>, bool>>;  // argv, outside

// Whether `id` may name a session: 1-128 of [A-Za-z0-9._-], not starting with '.'.
bool valid_session_id(const std::string& id);

// Where session `id` keeps its approvals: $XDG_RUNTIME_DIR/cordon/sessions/ID.json when
// XDG_RUNTIME_DIR is set (a tmpfs emptied at logout), else $CORDON_HOME/sessions/ID.json.
std::string session_file(const std::string& id, const char* runtime_dir, const char* cordon_home,
                         const char* home);

// The approvals in `file`; none when it does not exist. An unreadable or malformed file is an
// Error (the caller treats it as no approvals and says so).
Result<SessionApprovals> load_session(const std::string& file);

// Adds one approval under an exclusive lock, creating the directory (0700) and the file (0600)
// when missing; an approval already present is not added again.
Status add_session_approval(const std::string& file, const std::vector<std::string>& argv,
                            bool outside);

}  // namespace cordon::approval
