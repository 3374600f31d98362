// cordon - host-side mount targets for protected paths.
//
// A missing protected path (.git, .codex, .agents under a writable root) is masked by an
// empty read-only directory so the command cannot create it. The directory has to exist
// on the host to be a mount point, so cordon creates it and removes it afterwards, also
// when cordon itself is killed (a detached janitor process waits for cordon to go away).
//
// Concurrent runs share these directories: every run holds a shared flock on each
// protected directory it relies on for its whole run; the directory is removed only
// under an exclusive lock, so one run's clean-up never unmasks another run's path.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "util/result.h"

namespace cordon::sandbox::linux {

class MountStubs {
 public:
  MountStubs() = default;
  MountStubs(const MountStubs&) = delete;
  MountStubs& operator=(const MountStubs&) = delete;
  MountStubs(MountStubs&& o) noexcept;
  MountStubs& operator=(MountStubs&&) = delete;
  ~MountStubs();

  // Creates the missing `stubs` (empty directories) and takes a shared lock on them and
  // on the existing protected directories in `guard` (creating those too when they have
  // gone missing since the plan was made). Starts the janitor if it created anything. A stub whose
  // parent this user cannot write is skipped: the command, running with the same credentials,
  // cannot create it either.
  enum class Janitor { Now, Later };
  static Result<MountStubs> prepare(const std::vector<std::string>& stubs,
                                    const std::vector<std::string>& guard,
                                    Janitor janitor = Janitor::Now);

  // Starts the janitor (prepare() does, unless asked to leave it for later): a detached
  // process that removes the stubs this run created once cordon is gone, however it ended.
  // Does nothing when it runs already or nothing was created.
  void start_janitor();

  // Removes the stubs this run created, unless another run still uses them (its janitor,
  // or the last run's janitor, removes them then). Idempotent.
  void release();

 private:
  struct Entry {
    std::string path;
    int fd = -1;
    bool created = false;
    dev_t dev = 0;
    ino_t ino = 0;
  };
  Status hold(const std::string& path, bool planned_missing);

  std::vector<Entry> entries_;
  int janitor_pipe_ = -1;  // write end; the janitor acts when it reads EOF
};

}  // namespace cordon::sandbox::linux
