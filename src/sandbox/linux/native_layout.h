// cordon - where the native backend mounts each op of a plan, and what it has to create
// first (pure: the host is asked through the FileSystem seam and a link reader).
//
// With a RoBind "/" first, every op is mounted at its own path, on the host's tree made
// read-only. With an EmptyRoot first, the new root is a tmpfs on a scratch directory of
// the host (the first of kScratchCandidates that is a directory): every op is mounted at
// scratch + path, and the root is switched to it once they are all in place.
//
// A mount point is created only inside cordon's own tmpfs mounts (the empty root and the
// MaskDir masks): the missing directories between that mount and the op's path, then the
// op's path itself (a directory, or an empty file for a non-directory). Inside a bind, the
// host's path is there already. A Bind or RoBind whose host path is a symlink and would
// need creating is recreated as the same symlink (same link text) instead of being mounted,
// so /bin -> usr/bin keeps working in an empty root.
//
// The scratch directory also holds, for a moment before anything else is covered, the
// tmpfs with the one empty file (mode 0000) that every MaskFile op mounts a copy of.
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sandbox/plan.h"
#include "util/filesystem.h"
#include "util/result.h"

namespace cordon::sandbox::linux {

inline constexpr const char* kScratchCandidates[] = {"/tmp", "/mnt", "/run", "/var", "/dev"};

struct OpLayout {
  // What the op's own path is made of before the op is applied.
  enum class Leaf {
    Existing,   // nothing to create: the path is in a bind of the host (or is "/")
    Directory,  // mkdir
    File,       // an empty file
    Symlink,    // the op is this symlink (link) and is not mounted at all
  };
  std::string target;                // where the op is applied
  std::vector<std::string> parents;  // directories to create first, outermost first
  Leaf leaf = Leaf::Existing;
  mode_t dir_mode = 0755;  // of the directories created: 0755 in the empty root, 0555 in a mask
  std::string link;        // Leaf::Symlink: the host's link text
  int container = -1;      // the op whose tmpfs the point is created in, or -1
};

struct NativeLayout {
  bool empty_root = false;
  std::string scratch;        // empty when neither an empty root nor a MaskFile needs one
  std::string mask_source;    // scratch + "/mask": the empty file MaskFile ops copy
  std::vector<OpLayout> ops;  // one per plan.mounts, in the same order
};

// The host's link text of a symlink, or nullopt when it cannot be read.
using ReadLink = std::function<std::optional<std::string>(const std::string&)>;

// The layout, or an error when the plan cannot be built natively: it does not start with
// RoBind "/" or EmptyRoot "/", an EmptyRoot appears later, no scratch directory exists, or
// a symlink to recreate cannot be read.
Result<NativeLayout> native_layout(const SandboxPlan& plan, const FileSystem& fs,
                                   const ReadLink& read_link);

}  // namespace cordon::sandbox::linux
