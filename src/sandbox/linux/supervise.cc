// cordon - supervising a running sandbox.
#include "sandbox/linux/supervise.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "sandbox/linux/observer.h"
#include "util/io.h"

namespace cordon::sandbox::linux {
namespace {

constexpr int kForwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
constexpr size_t kMaxCollected = 64 * 1024;

// Reads what is available; false at EOF or error.
bool drain(int fd, std::string& into) {
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      if (into.size() < kMaxCollected) into.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return true;
    return false;
  }
}

pid_t parse_child_pid(const std::string& info) {
  auto k = info.find("\"child-pid\"");
  if (k == std::string::npos) return 0;
  auto c = info.find(':', k);
  if (c == std::string::npos) return 0;
  long v = std::strtol(info.c_str() + c + 1, nullptr, 10);
  return v > 1 ? static_cast<pid_t>(v) : 0;
}

}  // namespace

bool Outcome::has_verdict() const {
  return ready() && status.size() >= 1 + sizeof(Verdict) && status[1] == 'X';
}

Verdict Outcome::verdict() const {
  Verdict v;
  std::memcpy(&v, status.data() + 1, sizeof v);
  return v;
}

Result<SignalRelay> SignalRelay::start() {
  SignalRelay r;
  sigemptyset(&r.mask_);
  for (int s : kForwarded) sigaddset(&r.mask_, s);
  sigaddset(&r.mask_, SIGCHLD);
  sigprocmask(SIG_BLOCK, &r.mask_, &r.old_);
  r.fd_ = ::signalfd(-1, &r.mask_, SFD_CLOEXEC | SFD_NONBLOCK);
  if (r.fd_ < 0) {
    const int e = errno;
    sigprocmask(SIG_SETMASK, &r.old_, nullptr);
    return sys_error("signalfd", e);
  }
  return r;
}

SignalRelay::SignalRelay(SignalRelay&& o) noexcept : fd_(o.fd_), mask_(o.mask_), old_(o.old_) {
  o.fd_ = -1;
}

SignalRelay::~SignalRelay() {
  if (fd_ < 0) return;
  ::close(fd_);
  sigprocmask(SIG_SETMASK, &old_, nullptr);
}

int shell_status(int st) {
  if (WIFEXITED(st)) return WEXITSTATUS(st);
  if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
  return 1;
}

Outcome supervise(const SignalRelay& relay, const Watch& w) {
  Outcome out;
  for (int fd : {w.status_fd, w.err_fd, w.info_fd}) {
    if (fd >= 0) ::fcntl(fd, F_SETFL, O_NONBLOCK);
  }
  pid_t sandbox_pid = w.sandbox_pid;
  std::string info;
  std::vector<int> pending;
  bool done = false;
  bool status_open = w.status_fd >= 0, err_open = w.err_fd >= 0, info_open = w.info_fd >= 0;
  size_t err_forwarded = 0;
  auto forward = [&](int sig) {
    if (w.signal_group) ::kill(-sandbox_pid, sig);
    ::kill(sandbox_pid, sig);
  };

  for (;;) {
    Observer* obs = w.observer;
    pollfd fds[6] = {{relay.fd(), POLLIN, 0},
                     {status_open ? w.status_fd : -1, POLLIN, 0},
                     {err_open ? w.err_fd : -1, POLLIN, 0},
                     {info_open ? w.info_fd : -1, POLLIN, 0},
                     {obs != nullptr ? obs->channel_fd() : -1, POLLIN, 0},
                     {obs != nullptr ? obs->listener_fd() : -1, POLLIN, 0}};
    // Once the child is gone nothing can write any more: drain without waiting.
    int rc = ::poll(fds, 6, done ? 0 : -1);
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) break;
    // The sandbox's calls wait for the observer: answer them first.
    if (obs != nullptr && fds[5].revents != 0) obs->on_listener(fds[5].revents);
    if (obs != nullptr && fds[4].revents != 0) obs->on_channel();
    if (status_open && (fds[1].revents != 0 || done)) status_open = drain(w.status_fd, out.status);
    if (err_open && (fds[2].revents != 0 || done)) err_open = drain(w.err_fd, out.errtext);
    if (info_open && (fds[3].revents != 0 || done)) {
      info_open = drain(w.info_fd, info);
      if (sandbox_pid == 0) sandbox_pid = parse_child_pid(info);
    }
    // The sandbox's pid 1 takes signals only once the inner stage has blocked them (before
    // that the kernel drops them: init with the default action); it says "R" after that.
    if (out.ready() && sandbox_pid != 0 && !pending.empty()) {
      for (int s : pending) forward(s);
      pending.clear();
    }
    // After the inner stage is ready, the stage's own messages go to the real stderr.
    if (out.ready() && w.real_stderr >= 0 && out.errtext.size() > err_forwarded) {
      write_all(w.real_stderr, out.errtext.data() + err_forwarded,
                out.errtext.size() - err_forwarded);
      err_forwarded = out.errtext.size();
    }
    if (done) break;
    if (out.has_verdict()) {
      // The command and everything it started are gone; only the kernel's clean-up of the
      // namespaces remains. Reap the init if it is already done, else leave it to the kernel.
      if (::wait4(w.pid, &out.wait_status, WNOHANG, &out.usage) != w.pid) out.wait_status = 0;
      return out;
    }
    if (fds[0].revents != 0) {
      signalfd_siginfo si{};
      while (::read(relay.fd(), &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
        const int sig = static_cast<int>(si.ssi_signo);
        if (sig == SIGCHLD) continue;
        if (sandbox_pid != 0 && out.ready()) {
          forward(sig);
        } else {
          pending.push_back(sig);
        }
      }
      if (::wait4(w.pid, &out.wait_status, WNOHANG, &out.usage) == w.pid) done = true;
    }
  }
  if (!done) ::wait4(w.pid, &out.wait_status, 0, &out.usage);
  return out;
}

}  // namespace cordon::sandbox::linux
