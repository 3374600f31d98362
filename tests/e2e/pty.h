// e2e pseudo-terminal driver: runs a program with a fresh pseudo-terminal as its controlling
// terminal and its stdin, stdout and stderr, so a test can type at it (send) and read what it
// shows (expect, output), the way a person at a terminal would.
//
//   std::string error;
//   auto p = PtyProcess::start({"/bin/sh", "-c", "printf 'name? '; read x; echo \"[$x]\""},
//                              {}, "/", &error);
//   ASSERT_TRUE(p) << error;
//   ASSERT_TRUE(p->expect("name? ", milliseconds(10000))) << p->output();
//   p->send("bob\n");
//   EXPECT_TRUE(p->expect("[bob]", milliseconds(10000))) << p->output();
//   EXPECT_EQ(p->wait(milliseconds(10000)), 0) << p->output();  // a raw wait status
//
// The terminal starts with the kernel's default settings (canonical mode, echo, ISIG, ONLCR):
// what is sent is echoed back into output(), lines end in "\r\n", and "\x03" (Ctrl-C) makes
// the line discipline send SIGINT to the foreground process group. strip_terminal() turns
// output into plain text for assertions.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace e2e {

// `raw` terminal output without carriage returns and escape sequences (CSI such as colours
// and cursor movement, OSC such as window titles, and two-byte escapes).
std::string strip_terminal(std::string_view raw);

class PtyProcess {
 public:
  static constexpr unsigned short kRows = 24;
  static constexpr unsigned short kColumns = 120;

  // Starts argv (argv[0] with a '/' is used as it is, relative to `cwd`; otherwise it is
  // looked up in the PATH of `env`, else of this process) with the environment `env`
  // (KEY=VALUE; empty: this process's environment) in `cwd` (empty: this process's), in a new
  // session whose controlling terminal is a new pseudo-terminal of kRows x kColumns, which is
  // also its stdin, stdout and stderr. Signal dispositions are reset to their defaults and no
  // signal is blocked; no other file descriptor is passed on. Returns once the program runs
  // (execve succeeded), or nullptr with a message in *error (when not null).
  static std::unique_ptr<PtyProcess> start(const std::vector<std::string>& argv,
                                           const std::vector<std::string>& env,
                                           const std::string& cwd, std::string* error);

  PtyProcess(const PtyProcess&) = delete;
  PtyProcess& operator=(const PtyProcess&) = delete;
  // Kills the process group (SIGKILL) and reaps the process if it was not reaped yet, and
  // closes the terminal.
  ~PtyProcess();

  // Reads output until `text` appears in what was read after the previous successful
  // expect's match (the end of that match), or `timeout` passes, or no more output can come
  // (nothing holds the terminal open any more). Returns whether it appeared; only a success
  // moves the match point.
  bool expect(std::string_view text, std::chrono::milliseconds timeout);

  // Writes `bytes` to the terminal as if typed (reading output meanwhile, so an echo cannot
  // fill the terminal and block). Returns false when not everything could be written within
  // 10 s or the terminal is gone. In canonical mode, keep lines under 4 KiB.
  bool send(std::string_view bytes);

  // Waits for the process to end, reading output meanwhile, then reads what it left in the
  // terminal (until nothing holds the terminal open, for at most 2 s). Returns its wait
  // status (for WIFEXITED, WEXITSTATUS, WIFSIGNALED, WTERMSIG; -1 if something else in this
  // process reaped it), or nullopt when it did not end within `timeout`: then its process
  // group is killed (SIGKILL) and it is reaped, and later calls return that status.
  std::optional<int> wait(std::chrono::milliseconds timeout);

  // Everything read from the terminal so far, as is.
  const std::string& output() const { return output_; }
  pid_t pid() const { return pid_; }
  // The terminal's device path (/dev/pts/N).
  const std::string& tty_name() const { return tty_name_; }

 private:
  PtyProcess() = default;

  // Reads what the terminal has now, without waiting. Sets eof_ on EIO (Linux, once no
  // process holds the terminal's slave side open): no more output can come.
  void read_available();
  // Waits until output arrives (or, with `watch_exit`, the process ends) or `until`, and
  // reads what arrived.
  void pump(std::chrono::steady_clock::time_point until, bool watch_exit);
  // Reaps the process if it has ended (sets status_), without blocking.
  bool try_reap();
  // Reads until EIO, for at most `limit`.
  void drain(std::chrono::milliseconds limit);
  void kill_and_reap();

  pid_t pid_ = -1;
  int master_ = -1;
  int pidfd_ = -1;
  bool eof_ = false;
  std::optional<int> status_;
  std::string tty_name_;
  std::string output_;
  size_t match_pos_ = 0;
};

}  // namespace e2e
