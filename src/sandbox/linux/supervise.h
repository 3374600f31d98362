// cordon - the launcher's side of a running sandbox: forward signals to it, collect what
// its stages report, wait for it. Shared by every backend.
//
// Status protocol on the status pipe (first byte): 'R' the inner stage is ready and takes
// signals; 'E' followed by an error text; other bytes are backend-specific failures. After
// 'R', a stage may send a Verdict (the command has ended and nothing of it is left running):
// the launcher then stops waiting, and the kernel finishes tearing the namespaces down on
// its own time.
#pragma once

#include <signal.h>
#include <sys/resource.h>
#include <sys/types.h>

#include <string>
#include <vector>

#include "sandbox/denials.h"

#include "util/result.h"

namespace cordon::sandbox::linux {

class Observer;

// Blocks SIGINT, SIGTERM, SIGHUP, SIGQUIT and SIGCHLD and reads them from a signalfd from
// now on; restores the old mask when destroyed. Create it before forking the sandbox so no
// signal is lost in between; the child restores old_mask() itself.
class SignalRelay {
 public:
  static Result<SignalRelay> start();
  SignalRelay(SignalRelay&& o) noexcept;
  SignalRelay(const SignalRelay&) = delete;
  SignalRelay& operator=(const SignalRelay&) = delete;
  SignalRelay& operator=(SignalRelay&&) = delete;
  ~SignalRelay();

  int fd() const { return fd_; }
  const sigset_t& old_mask() const { return old_; }
  const sigset_t& blocked() const { return mask_; }

 private:
  SignalRelay() = default;
  int fd_ = -1;
  sigset_t mask_{};
  sigset_t old_{};
};

// The command's end, sent by the sandbox's init after 'R'.
struct Verdict {
  char tag = 'X';
  int status = 0;          // exit code, or 128+N
  struct rusage usage {};  // RUSAGE_CHILDREN of the init: every process it reaped
};

struct Watch {
  pid_t pid = -1;                // the child the launcher forked and waits for
  int status_fd = -1;            // read end of the status pipe
  int err_fd = -1;               // read end of a pipe on the child's stderr, or -1
  int info_fd = -1;              // bwrap --info-fd read end ("child-pid"), or -1
  pid_t sandbox_pid = 0;         // who gets forwarded signals; 0: learn it from info_fd
  int real_stderr = -1;          // where err_fd's text goes once the inner stage is ready
  bool signal_group = false;     // forward to sandbox_pid's process group too (no init there)
  Observer* observer = nullptr;  // serviced while the sandbox runs, or nullptr
};

struct Outcome {
  int wait_status = 0;     // of Watch::pid
  std::string status;      // everything read from the status pipe
  std::string errtext;     // everything read from err_fd (bounded)
  struct rusage usage {};  // of Watch::pid and the descendants it waited for
  bool ready() const { return !status.empty() && status[0] == 'R'; }
  // The Verdict that followed 'R', when one arrived.
  bool has_verdict() const;
  Verdict verdict() const;
};

// How a sandboxed command ended.
struct Finished {
  Finished() = default;
  Finished(int st, const struct rusage& u) : status(st), usage(u) {}

  int status = 0;                // exit code, or 128+N when killed by signal N
  struct rusage usage {};        // of the sandbox and every process it waited for (ru_maxrss: peak)
  std::vector<Denial> denials;   // what the sandbox refused (observer on), folded
  uint64_t denials_dropped = 0;  // distinct refusals beyond those kept
  std::vector<std::string> denial_summary;  // summary_lines() of the above
  // The observer was asked for and the kernel could not provide it (why, one phrase).
  std::string observer_problem;
};

// Runs until Watch::pid has exited and returns what happened. Signals that arrive before
// the inner stage is ready are held and delivered once it is.
Outcome supervise(const SignalRelay& relay, const Watch& w);

// The shell's view of a wait status: the exit code, or 128+N when killed by signal N.
int shell_status(int wait_status);

}  // namespace cordon::sandbox::linux
