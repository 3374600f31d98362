// e2e harness: process running, the per-test directories, the /tmp stub checks.
#include "harness.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <thread>

#ifndef CORDON_E2E_CORDON_BIN
#error "CORDON_E2E_CORDON_BIN must be defined by the build"
#endif
#ifndef CORDON_E2E_PROBE_BIN
#error "CORDON_E2E_PROBE_BIN must be defined by the build"
#endif

namespace e2e {

namespace {

using Clock = std::chrono::steady_clock;

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return (v != nullptr && *v != '\0') ? v : fallback;
}

std::string truncated(const std::string& s, size_t max = 4000) {
  if (s.size() <= max) return s;
  return s.substr(0, max) + "... (" + std::to_string(s.size() - max) + " more bytes)";
}

std::vector<char*> c_strings(std::vector<std::string>& v) {
  std::vector<char*> out;
  out.reserve(v.size() + 1);
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Reads what is available from a non-blocking fd; closes it (fd = -1) at EOF.
void drain_fd(int& fd, std::string& into) {
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      into.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    ::close(fd);
    fd = -1;
    return;
  }
}

int ms_until(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
  if (left < 0) return 0;
  return static_cast<int>(std::min<long long>(left, INT_MAX));
}

}  // namespace

const char* mode_name(Mode m) {
  switch (m) {
    case Mode::ReadOnly:
      return "read_only";
    case Mode::WorkspaceWrite:
      return "workspace_write";
    case Mode::WorkspaceWriteNetwork:
      return "workspace_write_network";
    case Mode::DangerFullAccess:
      return "danger_full_access";
  }
  return "?";
}

std::vector<std::string> mode_flags(Mode m) {
  switch (m) {
    case Mode::ReadOnly:
      return {};  // the default with no flags and no config
    case Mode::WorkspaceWrite:
      return {"--full-auto"};
    case Mode::WorkspaceWriteNetwork:
      return {"--full-auto", "-c", "sandbox_workspace_write.network_access=true"};
    case Mode::DangerFullAccess:
      return {"--yolo"};
  }
  return {};
}

namespace {

std::optional<Backend> parse_backend(const std::string& name) {
  if (name.empty() || name == "bwrap") return Backend::Bwrap;
  if (name == "native") return Backend::Native;
  if (name == "landlock") return Backend::Landlock;
  return std::nullopt;
}

}  // namespace

Backend backend() {
  static const Backend chosen = [] {
    const std::string name = env_or("CORDON_E2E_BACKEND", "");
    auto b = parse_backend(name);
    if (!b) {
      std::fprintf(stderr, "CORDON_E2E_BACKEND=%s: expected bwrap, native or landlock\n",
                   name.c_str());
      std::abort();
    }
    return *b;
  }();
  return chosen;
}

const char* backend_name(Backend b) {
  switch (b) {
    case Backend::Bwrap:
      return "bwrap";
    case Backend::Native:
      return "native";
    case Backend::Landlock:
      return "landlock";
  }
  return "?";
}

const char* denied_errno() {
  return landlock() ? "EACCES" : "EROFS";
}

bool protected_writable(Mode m) {
  return !sandboxed(m) || (landlock() && workspace_writable(m));
}

int landlock_warnings(const std::string& err) {
  int n = 0;
  std::istringstream in(err);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(kLandlockWarning, 0) == 0) ++n;
  }
  return n;
}

std::string without_landlock_warning(const std::string& err) {
  std::string out;
  size_t i = 0;
  while (i < err.size()) {
    size_t j = err.find('\n', i);
    j = (j == std::string::npos) ? err.size() : j + 1;
    if (err.compare(i, std::strlen(kLandlockWarning), kLandlockWarning) != 0) {
      out.append(err, i, j - i);
    }
    i = j;
  }
  return out;
}

int expected_landlock_warnings(Mode m) {
  // Landlock cannot stop chmod/utime/setxattr of the user's own files: always one line.
  return landlock() && sandboxed(m) ? 1 : 0;
}

std::string mode_param_name(const ::testing::TestParamInfo<Mode>& info) {
  return mode_name(info.param);
}

void PrintTo(Mode m, std::ostream* os) {
  *os << mode_name(m);
}

std::string cordon_bin() {
  return env_or("CORDON_BIN", CORDON_E2E_CORDON_BIN);
}

std::string probe_bin() {
  return env_or("E2E_PROBE", CORDON_E2E_PROBE_BIN);
}

bool is_root() {
  return ::geteuid() == 0;
}

std::string join(const std::string& a, const std::string& b) {
  if (!a.empty() && a.back() == '/') return a + b;
  return a + "/" + b;
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out) ADD_FAILURE() << "test setup: cannot write " << path;
}

void make_dir(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) ADD_FAILURE() << "test setup: cannot create " << path << ": " << ec.message();
}

std::string unique_token() {
  static std::atomic<int> counter{0};
  std::random_device rd;
  std::ostringstream ss;
  ss << ::getpid() << "-" << counter++ << "-" << std::hex << rd();
  return ss.str();
}

std::string RunResult::describe() const {
  std::ostringstream ss;
  if (timed_out) ss << "timed out (killed by the test); ";
  if (exited) {
    ss << "exit status " << code;
  } else {
    ss << "killed by signal " << sig;
  }
  if (pipes_open) ss << "; stdout/stderr still open after it ended";
  ss << "\n--- stdout ---\n" << truncated(out) << "\n--- stderr ---\n" << truncated(err);
  return ss.str();
}

// ---------------------------------------------------------------------------------------
// Process

Process::Process(const Spec& spec) {
  int pin[2] = {-1, -1}, pout[2] = {-1, -1}, perr[2] = {-1, -1}, pexec[2] = {-1, -1};
  if (::pipe2(pin, O_CLOEXEC) != 0 || ::pipe2(pout, O_CLOEXEC) != 0 ||
      ::pipe2(perr, O_CLOEXEC) != 0 || ::pipe2(pexec, O_CLOEXEC) != 0) {
    start_error_ = std::string("pipe: ") + std::strerror(errno);
    for (int fd : {pin[0], pin[1], pout[0], pout[1], perr[0], perr[1], pexec[0], pexec[1]}) {
      if (fd >= 0) ::close(fd);
    }
    return;
  }
  std::vector<std::string> argv_s = spec.argv, env_s = spec.env;
  std::vector<char*> argv = c_strings(argv_s), envp = c_strings(env_s);
  const char* cwd = spec.cwd.c_str();
  const int fd3 = spec.fd3;
  const bool new_session = spec.new_session;

  const pid_t pid = ::fork();
  if (pid < 0) {
    start_error_ = std::string("fork: ") + std::strerror(errno);
    for (int fd : {pin[0], pin[1], pout[0], pout[1], perr[0], perr[1], pexec[0], pexec[1]}) {
      ::close(fd);
    }
    return;
  }
  if (pid == 0) {
    // Child: a clean slate (default signal dispositions, nothing blocked, no core files),
    // its own process group so the harness can kill everything it started (and, on request,
    // its own session: no controlling terminal, as under an agent).
    if (new_session) {
      ::setsid();
    } else {
      ::setpgid(0, 0);
    }
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int s = 1; s < NSIG; ++s) {
      if (s != SIGKILL && s != SIGSTOP) ::sigaction(s, &dfl, nullptr);
    }
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    struct rlimit no_core {
      0, 0
    };
    ::setrlimit(RLIMIT_CORE, &no_core);
    int err = 0;
    if (::dup2(pin[0], 0) < 0 || ::dup2(pout[1], 1) < 0 || ::dup2(perr[1], 2) < 0) {
      err = errno;
    } else if (fd3 >= 0 && (fd3 == 3 ? ::fcntl(3, F_SETFD, 0) : ::dup2(fd3, 3)) < 0) {
      err = errno;
    } else if (::chdir(cwd) != 0) {
      err = errno;
    } else {
      ::execve(argv[0], argv.data(), envp.data());
      err = errno;
    }
    ssize_t ignored = ::write(pexec[1], &err, sizeof err);
    (void)ignored;
    ::_exit(127);
  }
  if (!new_session) ::setpgid(pid, pid);
  ::close(pin[0]);
  ::close(pout[1]);
  ::close(perr[1]);
  ::close(pexec[1]);
  int err = 0;
  ssize_t got;
  do {
    got = ::read(pexec[0], &err, sizeof err);
  } while (got < 0 && errno == EINTR);
  ::close(pexec[0]);
  if (got == static_cast<ssize_t>(sizeof err)) {
    start_error_ = "cannot start " + spec.argv[0] + " in " + spec.cwd + ": " + std::strerror(err);
    int st;
    ::waitpid(pid, &st, 0);
    ::close(pin[1]);
    ::close(pout[0]);
    ::close(perr[0]);
    return;
  }
  pid_ = pid;
  in_ = pin[1];
  out_ = pout[0];
  err_ = perr[0];
  for (int fd : {in_, out_, err_}) ::fcntl(fd, F_SETFL, O_NONBLOCK);
  pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}

Process::~Process() {
  if (pid_ > 0 && !reaped_) {
    kill_group();
    reap_blocking();
  }
  for (int fd : {in_, out_, err_, pidfd_}) {
    if (fd >= 0) ::close(fd);
  }
}

void Process::close_stdin() {
  close_in_after_pending_ = true;
  if (pending_in_.empty() && in_ >= 0) {
    ::close(in_);
    in_ = -1;
  }
}

void Process::send_signal(int sig) {
  if (pid_ > 0 && !reaped_) ::kill(pid_, sig);
}

void Process::kill_group() {
  ::kill(-pid_, SIGKILL);
  ::kill(pid_, SIGKILL);
}

void Process::reap_blocking() {
  int st = 0;
  pid_t w;
  do {
    w = ::waitpid(pid_, &st, 0);
  } while (w < 0 && errno == EINTR);
  reaped_ = true;
  if (w == pid_) {
    result_.exited = WIFEXITED(st);
    result_.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    result_.sig = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
  }
}

void Process::pump(Clock::time_point deadline) {
  if (in_ >= 0 && pending_in_.empty() && close_in_after_pending_) {
    ::close(in_);
    in_ = -1;
  }
  pollfd fds[4] = {{in_ >= 0 && !pending_in_.empty() ? in_ : -1, POLLOUT, 0},
                   {out_, POLLIN, 0},
                   {err_, POLLIN, 0},
                   {reaped_ ? -1 : pidfd_, POLLIN, 0}};
  // Without a pidfd, look for the exit now and then.
  int timeout = ms_until(deadline);
  if (pidfd_ < 0 && !reaped_) timeout = std::min(timeout, 20);
  int rc = ::poll(fds, 4, timeout);
  if (rc < 0 && errno != EINTR) return;
  if (fds[0].revents != 0 && in_ >= 0) {
    ssize_t n = ::write(in_, pending_in_.data(), std::min<size_t>(pending_in_.size(), 65536));
    if (n > 0) {
      pending_in_.erase(0, static_cast<size_t>(n));
    } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
      pending_in_.clear();  // EPIPE: the reader is gone
      ::close(in_);
      in_ = -1;
    }
  }
  if (out_ >= 0 && fds[1].revents != 0) drain_fd(out_, result_.out);
  if (err_ >= 0 && fds[2].revents != 0) drain_fd(err_, result_.err);
  if (!reaped_) {
    int st = 0;
    pid_t w = ::waitpid(pid_, &st, WNOHANG);
    if (w == pid_) {
      reaped_ = true;
      result_.exited = WIFEXITED(st);
      result_.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
      result_.sig = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
    }
  }
}

bool Process::wait_for_stdout(const std::string& needle, milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (result_.out.find(needle) == std::string::npos) {
    if (Clock::now() >= deadline) return false;
    if (reaped_ && out_ < 0) return false;
    pump(deadline);
  }
  return true;
}

RunResult Process::finish(milliseconds timeout, milliseconds drain) {
  if (pid_ <= 0) return result_;
  close_in_after_pending_ = true;
  const auto deadline = Clock::now() + timeout;
  std::optional<Clock::time_point> drain_deadline;
  for (;;) {
    if (reaped_ && out_ < 0 && err_ < 0) break;
    if (!reaped_ && Clock::now() >= deadline) {
      result_.timed_out = true;
      kill_group();
      reap_blocking();
    }
    if (reaped_ && !drain_deadline) drain_deadline = Clock::now() + drain;
    if (drain_deadline && Clock::now() >= *drain_deadline) {
      result_.pipes_open = true;
      break;
    }
    pump(drain_deadline ? *drain_deadline : deadline);
  }
  for (int* fd : {&in_, &out_, &err_}) {
    if (*fd >= 0) ::close(*fd);
    *fd = -1;
  }
  return result_;
}

// ---------------------------------------------------------------------------------------
// The /tmp stub lock: a flock on the /var/tmp directory itself, which every user can open
// and which nothing has to create or clean up.

TmpStubLock::TmpStubLock(bool exclusive) {
  fd_ = ::open("/var/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd_ < 0) {
    ADD_FAILURE() << "cannot open /var/tmp to lock it: " << std::strerror(errno);
    return;
  }
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  while (::flock(fd_, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      ADD_FAILURE() << "flock(/var/tmp): " << std::strerror(errno);
      break;
    }
    if (Clock::now() >= deadline) {
      ADD_FAILURE() << "could not lock /var/tmp within 60 s (a hung e2e run?)";
      break;
    }
    std::this_thread::sleep_for(milliseconds(5));
  }
}

TmpStubLock::~TmpStubLock() {
  if (fd_ >= 0) ::close(fd_);
}

// ---------------------------------------------------------------------------------------
// E2ETest

void E2ETest::SetUp() {
  ::signal(SIGPIPE, SIG_IGN);
  char tmpl[] = "/var/tmp/cordon-e2e-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr) << "mkdtemp under /var/tmp: " << std::strerror(errno);
  char real[PATH_MAX];
  ASSERT_NE(::realpath(tmpl, real), nullptr);
  base_ = real;
  ws_ = join(base_, "ws");
  outside_ = join(base_, "outside");
  home_ = join(base_, "home");
  cordon_home_ = join(base_, "cordon_home");
  extra_ = join(base_, "extra");
  for (const auto& d : {ws_, outside_, home_, cordon_home_, extra_}) make_dir(d);
  // An empty git repository, made by hand (what `git init` leaves that matters here).
  for (const char* d : {".git/hooks", ".git/objects/info", ".git/refs/heads", ".git/info"}) {
    make_dir(join(ws_, d));
  }
  write_file(join(ws_, ".git/HEAD"), "ref: refs/heads/main\n");
  write_file(join(ws_, ".git/config"),
             "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n");
  write_file(join(ws_, "README"), "hello\n");
  write_file(join(outside_, "secret"), "secret\n");
  write_file(join(home_, ".profile"), "# fake home\n");

  TmpStubLock lock(true);
  for (const char* name : kProtectedNames) {
    if (exists(join("/tmp", name))) tmp_preexisting_.push_back(name);
  }
}

void E2ETest::TearDown() {
  std::error_code ec;
  for (const auto& p : cleanup_paths_) std::filesystem::remove_all(p, ec);
  if (!base_.empty()) {
    // Make everything removable (a test may have dropped write permission somewhere).
    for (auto it = std::filesystem::recursive_directory_iterator(
             base_, std::filesystem::directory_options::skip_permission_denied, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_directory(ec) && !it->is_symlink(ec)) {
        ::chmod(it->path().c_str(), 0700);
      }
    }
    std::filesystem::remove_all(base_, ec);
    if (ec) ADD_FAILURE() << "cannot remove " << base_ << ": " << ec.message();
  }
}

std::vector<std::string> E2ETest::cordon_argv(Mode mode, const std::vector<std::string>& command,
                                              const RunOptions& opts) const {
  std::vector<std::string> a = {cordon_bin()};
  a.insert(a.end(), opts.subcommand.begin(), opts.subcommand.end());
  for (auto& f : mode_flags(mode)) a.push_back(f);
  if (opts.backend_flag && sandboxed(mode)) {
    a.push_back("--backend");
    a.push_back(backend_name(backend()));
  }
  a.insert(a.end(), opts.flags.begin(), opts.flags.end());
  a.push_back("--");
  a.insert(a.end(), command.begin(), command.end());
  return a;
}

std::vector<std::string> E2ETest::cordon_env(const RunOptions& opts) const {
  std::map<std::string, std::string> env = {
      {"PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
      {"HOME", home_},
      {"CORDON_HOME", cordon_home_},
      {"LC_ALL", "C"},
  };
  // The sanitizer build's settings reach cordon (outer and inner stage).
  for (const char* name : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"}) {
    if (const char* v = std::getenv(name)) env[name] = v;
  }
  for (const auto& [k, v] : opts.env) {
    if (v) {
      env[k] = *v;
    } else {
      env.erase(k);
    }
  }
  std::vector<std::string> out;
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

std::vector<std::string> E2ETest::missing_protected(const std::string& root) {
  std::vector<std::string> out;
  for (const char* name : kProtectedNames) {
    if (!exists(join(root, name))) out.push_back(name);
  }
  return out;
}

void E2ETest::expect_absent(const std::string& root, const std::vector<std::string>& names,
                            milliseconds wait, const std::string& context) {
  const auto deadline = Clock::now() + wait;
  std::vector<std::string> left;
  for (;;) {
    left.clear();
    for (const auto& n : names) {
      if (exists(join(root, n))) left.push_back(join(root, n));
    }
    if (left.empty() || Clock::now() >= deadline) break;
    std::this_thread::sleep_for(milliseconds(20));
  }
  for (const auto& p : left) {
    ADD_FAILURE() << context << ": " << p
                  << " exists on the host (a protected-path stub cordon did not remove)";
  }
}

void E2ETest::expect_no_tmp_stubs(milliseconds wait, const std::string& context) const {
  std::vector<std::string> names;
  for (const char* n : kProtectedNames) {
    if (std::find(tmp_preexisting_.begin(), tmp_preexisting_.end(), n) == tmp_preexisting_.end()) {
      names.push_back(n);
    }
  }
  TmpStubLock lock(true);
  expect_absent("/tmp", names, wait, context);
}

std::unique_ptr<Process> E2ETest::start(Mode mode, const std::vector<std::string>& command,
                                        const RunOptions& opts) {
  Process::Spec spec{cordon_argv(mode, command, opts), cordon_env(opts),
                     opts.cwd.empty() ? ws_ : opts.cwd, opts.fd3, opts.new_session};
  auto p = std::make_unique<Process>(spec);
  if (!p->started()) ADD_FAILURE() << p->start_error();
  p->write_stdin(opts.stdin_data);
  return p;
}

RunResult E2ETest::run(Mode mode, const std::vector<std::string>& command, const RunOptions& opts) {
  const auto missing_before = missing_protected(ws_);
  RunResult r;
  {
    std::optional<TmpStubLock> shared;
    if (sandboxed(mode)) shared.emplace(false);
    auto p = start(mode, command, opts);
    if (!p->started()) return r;
    r = p->finish(opts.timeout, opts.drain);
  }
  EXPECT_FALSE(r.timed_out) << "cordon did not finish in time: " << r.describe();
  // Never more than one Landlock warning, and none from the other backends (a test that
  // lets cordon choose the backend checks for itself).
  EXPECT_LE(landlock_warnings(r.err), landlock() || !opts.backend_flag ? 1 : 0) << r.describe();
  if (opts.check_stubs && sandboxed(mode)) {
    // After a normal exit cordon has removed its stubs before exiting: no waiting.
    if (!(landlock() && opts.creates_protected)) {
      expect_absent(ws_, missing_before, milliseconds(0), "after the run");
    }
    expect_no_tmp_stubs(milliseconds(5000), "after the run");
  }
  return r;
}

RunResult E2ETest::sh(Mode mode, const std::string& script, const RunOptions& opts) {
  return run(mode, {"/bin/sh", "-c", script}, opts);
}

RunResult E2ETest::probe(Mode mode, const std::vector<std::string>& args, const RunOptions& opts) {
  std::vector<std::string> cmd = {probe_bin()};
  cmd.insert(cmd.end(), args.begin(), args.end());
  return run(mode, cmd, opts);
}

void expect_probe(const RunResult& r, bool allowed, const char* errno_name,
                  const std::string& what) {
  if (allowed) {
    EXPECT_TRUE(r.exited && r.code == 0 && r.out.rfind("ok", 0) == 0)
        << what << ": expected the probe to succeed\n"
        << r.describe();
    return;
  }
  EXPECT_TRUE(r.exited && r.code == 1 && r.out.find("error ") != std::string::npos)
      << what << ": expected the probe to be refused\n"
      << r.describe();
  if (errno_name != nullptr) {
    EXPECT_NE(r.out.find(std::string(": ") + errno_name + " "), std::string::npos)
        << what << ": expected " << errno_name << "\n"
        << r.describe();
  }
}

}  // namespace e2e
