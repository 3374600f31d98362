// cordon - the denial observer: sees the calls of a sandboxed command that the boundary may
// refuse, through seccomp user notification, and records those it refuses.
//
// The process that loads the observed seccomp program (seccomp_programs.h) in the sandbox
// sends the notification listener to the launcher over the observer's channel. From then
// on every watched call stops until the observer has copied its arguments (paths from the
// caller's memory, its cwd or dirfd) and answered: a filesystem call continues into the
// kernel, which refuses it or not exactly as without the observer (mounts, Landlock); a
// network call made while the network is off is refused with EPERM, as the plain filter
// would. If the observer goes away, the kernel answers ENOSYS to everything still waiting.
// So the observer never widens the boundary: a caller that changes its arguments while it
// waits can only make a record wrong.
//
// The launcher runs it inside its supervise() loop: poll channel_fd() and listener_fd(),
// call on_channel() and on_listener() when they are readable.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "sandbox/denials.h"
#include "util/fd.h"
#include "util/filesystem.h"
#include "util/result.h"

namespace cordon::sandbox::linux {

class Observer {
 public:
  // `on_new` is called for each new record (for --log-denials); may be empty.
  Observer(RefusalModel model, const FileSystem& fs, std::function<void(const Denial&)> on_new);
  ~Observer();
  Observer(const Observer&) = delete;
  Observer& operator=(const Observer&) = delete;

  // Creates the channel. child_end() is the socket to hand to the sandbox (inherited across
  // fork/exec; the launcher calls close_child_end() once the sandbox has it).
  Status open_channel();
  int child_end() const { return child_.fd; }
  void close_child_end() { child_.reset(); }

  // -1 when closed. Poll both for POLLIN.
  int channel_fd() const { return channel_.fd; }
  int listener_fd() const { return listener_.fd; }

  // The channel is readable: take the listener (or learn that none will come).
  void on_channel();
  // poll() reported `revents` on the listener: answer the waiting call and record a
  // refusal, or close the listener when the sandbox hung up.
  void on_listener(short revents);

  // True when the sandbox closed the channel without sending a listener: the kernel could
  // not give one (older than Linux 5.5, or an observed sandbox inside another one).
  bool unavailable() const { return unavailable_; }

  const DenialLog& log() const { return log_; }
  const RefusalModel& model() const { return model_; }

 private:
  struct Decoded;
  bool decode(const void* notif, Decoded& out);
  void record(Decoded& d);

  RefusalModel model_;
  std::unique_ptr<FileSystem> fs_;  // caches directory resolution over the caller's seam
  std::function<void(const Denial&)> on_new_;
  Fd channel_, child_, listener_;
  std::unique_ptr<char[]> notif_, resp_;  // sized by SECCOMP_GET_NOTIF_SIZES
  size_t notif_size_ = 0, resp_size_ = 0;
  bool unavailable_ = false;
  DenialLog log_;
};

}  // namespace cordon::sandbox::linux
