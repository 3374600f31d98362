// cordon - capturing the command's output.
#include "cli/capture.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>

namespace cordon::cli {
namespace {

void append(int fd, std::string& to, size_t& dropped, bool& open) {
  char buf[65536];
  const ssize_t n = ::read(fd, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n <= 0) {
    open = false;
    return;
  }
  const size_t keep = std::min(static_cast<size_t>(n), OutputCapture::kMaxBytes - to.size());
  to.append(buf, keep);
  dropped += static_cast<size_t>(n) - keep;
}

}  // namespace

OutputCapture::~OutputCapture() {
  stop();
}

Status OutputCapture::start() {
  int out[2], err[2], stop[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return sys_error("pipe");
  if (::pipe2(err, O_CLOEXEC) != 0) {
    ::close(out[0]);
    ::close(out[1]);
    return sys_error("pipe");
  }
  if (::pipe2(stop, O_CLOEXEC) != 0) {
    for (int fd : {out[0], out[1], err[0], err[1]}) ::close(fd);
    return sys_error("pipe");
  }
  saved_out_ = ::fcntl(1, F_DUPFD_CLOEXEC, 10);
  saved_err_ = ::fcntl(2, F_DUPFD_CLOEXEC, 10);
  ::dup2(out[1], 1);
  ::dup2(err[1], 2);
  ::close(out[1]);
  ::close(err[1]);
  out_r_ = out[0];
  err_r_ = err[0];
  stop_r_ = stop[0];
  stop_w_ = stop[1];
  started_ = true;
  // The reader thread takes no signals: they belong to the main thread, which reads them from
  // its signalfd (a SIGCHLD delivered to this thread would be lost to the supervisor).
  sigset_t all, old;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &old);
  reader_ = std::thread([this] { collect(); });
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return Ok{};
}

void OutputCapture::collect() {
  bool out_open = true, err_open = true;
  bool stopping = false;
  auto deadline = std::chrono::steady_clock::time_point::max();
  while ((out_open || err_open) && std::chrono::steady_clock::now() < deadline) {
    pollfd p[3] = {{out_open ? out_r_ : -1, POLLIN, 0},
                   {err_open ? err_r_ : -1, POLLIN, 0},
                   {stopping ? -1 : stop_r_, POLLIN, 0}};
    // Once stopping, only what is already in the pipes is collected.
    const int n = ::poll(p, 3, stopping ? 0 : -1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 && stopping) break;
    if (p[0].revents != 0) append(out_r_, out_, out_dropped_, out_open);
    if (p[1].revents != 0) append(err_r_, err_, err_dropped_, err_open);
    if (p[2].revents != 0 && !stopping) {
      stopping = true;
      deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
    }
  }
}

void OutputCapture::stop() {
  if (!started_) return;
  started_ = false;
  ::dup2(saved_out_, 1);
  ::dup2(saved_err_, 2);
  const char x = 'x';
  (void)!::write(stop_w_, &x, 1);
  reader_.join();
  for (int fd : {out_r_, err_r_, stop_r_, stop_w_, saved_out_, saved_err_}) ::close(fd);
  out_r_ = err_r_ = stop_r_ = stop_w_ = saved_out_ = saved_err_ = -1;
}

}  // namespace cordon::cli
