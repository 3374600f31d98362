// cordon - an owned file descriptor, and pipes for talking to child processes.
#pragma once

#include "util/result.h"

namespace cordon {

class Fd {
 public:
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  Fd(Fd&& o) noexcept : fd(o.fd) { o.fd = -1; }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd& operator=(Fd&&) = delete;
  ~Fd() { reset(); }
  void reset();

  int fd = -1;
};

// A close-on-exec pipe whose ends are numbered 10 or higher, so a child's dup2 onto the
// low descriptors it hands on cannot clobber them.
Status make_pipe(Fd& read_end, Fd& write_end);

}  // namespace cordon
