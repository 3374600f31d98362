// cordon - capturing the command's stdout and stderr for `--json`: cordon's own descriptors 1
// and 2 are pointed at pipes while the command runs (the command inherits them), and a
// thread collects what arrives.
#pragma once

#include <atomic>
#include <string>
#include <thread>

#include "util/result.h"

namespace cordon::cli {

class OutputCapture {
 public:
  static constexpr size_t kMaxBytes = 16u << 20;  // per stream; the rest is counted, not kept

  OutputCapture() = default;
  OutputCapture(const OutputCapture&) = delete;
  OutputCapture& operator=(const OutputCapture&) = delete;
  ~OutputCapture();

  // Redirects descriptors 1 and 2. real_stderr() stays the original stderr, for cordon's own
  // messages.
  Status start();
  // Restores 1 and 2 and collects what is left. A background process that keeps a pipe open
  // does not hold cordon up: what it writes after this is lost.
  void stop();

  int real_stderr() const { return saved_err_; }
  int real_stdout() const { return saved_out_; }
  const std::string& out() const { return out_; }
  const std::string& err() const { return err_; }
  size_t out_dropped() const { return out_dropped_; }
  size_t err_dropped() const { return err_dropped_; }

 private:
  void collect();

  int saved_out_ = -1, saved_err_ = -1;
  int out_r_ = -1, err_r_ = -1, stop_r_ = -1, stop_w_ = -1;
  std::string out_, err_;
  size_t out_dropped_ = 0, err_dropped_ = 0;
  std::thread reader_;
  bool started_ = false;
};

}  // namespace cordon::cli
