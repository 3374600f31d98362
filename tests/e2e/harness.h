// e2e harness: runs the real cordon binary and checks its effects from outside the sandbox.
//
// Every test gets a fresh base directory under /var/tmp (not /tmp: /tmp is itself a writable
// root in workspace-write) holding:
//   ws/           the workspace (cwd of cordon), with an empty git repository in ws/.git
//   outside/      a directory outside every writable root, with outside/secret in it
//   home/         the fake $HOME
//   cordon_home/  $CORDON_HOME (empty: no user config)
//   extra/        a spare directory (for --add-dir, $TMPDIR, ...)
// and removes it afterwards.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace e2e {

using std::chrono::milliseconds;

// The sandbox configurations the matrix runs in.
enum class Mode {
  ReadOnly,               // no flags and no config: the default
  WorkspaceWrite,         // --full-auto
  WorkspaceWriteNetwork,  // --full-auto -c sandbox_workspace_write.network_access=true
  DangerFullAccess,       // --yolo
};

const char* mode_name(Mode m);
std::vector<std::string> mode_flags(Mode m);
inline bool sandboxed(Mode m) {
  return m != Mode::DangerFullAccess;
}
inline bool network_on(Mode m) {
  return m == Mode::WorkspaceWriteNetwork || m == Mode::DangerFullAccess;
}
inline bool workspace_writable(Mode m) {
  return m != Mode::ReadOnly;
}
// The Linux backend the sandboxed runs use: $CORDON_E2E_BACKEND (bwrap, native or landlock;
// default bwrap). ctest registers every test once per backend (e2e.root.<backend>.*,
// e2e.user.<backend>.*); the harness adds `--backend <backend>` to every sandboxed run.
enum class Backend { Bwrap, Native, Landlock };
Backend backend();
const char* backend_name(Backend b);
inline bool landlock() {
  return backend() == Backend::Landlock;
}
// The errno of a write the sandbox refuses: EROFS from the read-only mounts of bwrap and
// native, EACCES from Landlock.
const char* denied_errno();
// Whether .git, .codex, .agents (and gitdir targets) inside the workspace can be written:
// only without a sandbox, and (by design, with a warning) under Landlock in workspace-write.
bool protected_writable(Mode m);

// The one line the Landlock backend prints about what it cannot enforce.
inline constexpr const char* kLandlockWarning =
    "cordon: warning: the landlock backend cannot enforce";
// How many lines of `err` start with kLandlockWarning.
int landlock_warnings(const std::string& err);
// `err` without the lines that start with kLandlockWarning.
std::string without_landlock_warning(const std::string& err);
// How many such lines a run of a command in mode `m` prints: one under Landlock in every
// sandboxed mode (file metadata, and in workspace-write the protected paths, are not
// enforced), else none.
int expected_landlock_warnings(Mode m);

// For INSTANTIATE_TEST_SUITE_P.
std::string mode_param_name(const ::testing::TestParamInfo<Mode>& info);
void PrintTo(Mode m, std::ostream* os);

// Paths of the binaries under test: $CORDON_BIN / $E2E_PROBE, else the build tree's.
std::string cordon_bin();
std::string probe_bin();

bool is_root();
std::string join(const std::string& a, const std::string& b);
bool exists(const std::string& path);            // lstat succeeds
std::string read_file(const std::string& path);  // "" when unreadable
void write_file(const std::string& path, const std::string& content);
void make_dir(const std::string& path);
std::string unique_token();  // differs between tests and processes

// The outcome of one process run.
struct RunResult {
  bool exited = false;      // exited normally (then `code` is valid)
  int code = -1;            // exit status
  int sig = 0;              // terminating signal when !exited
  bool timed_out = false;   // killed by the harness after the deadline
  bool pipes_open = false;  // stdout/stderr still open (by a leftover process) after it ended
  std::string out;
  std::string err;

  // The shell's view: the exit status, or 128+N when killed by signal N.
  int status() const { return exited ? code : 128 + sig; }
  std::string describe() const;
};

// One started process with its stdin, stdout and stderr on pipes.
class Process {
 public:
  struct Spec {
    std::vector<std::string> argv;
    std::vector<std::string> env;  // KEY=VALUE, the whole environment
    std::string cwd;
    int fd3 = -1;              // given to the child as its fd 3 (else it gets only 0, 1 and 2)
    bool new_session = false;  // setsid: no controlling terminal
  };
  explicit Process(const Spec& spec);
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  ~Process();  // kills the process group if it is still running

  pid_t pid() const { return pid_; }
  bool started() const { return pid_ > 0; }
  const std::string& start_error() const { return start_error_; }

  // Queues data for stdin (written while reading outputs).
  void write_stdin(const std::string& data) { pending_in_ += data; }
  void close_stdin();
  // Reads outputs until stdout contains `needle` or the deadline passes.
  bool wait_for_stdout(const std::string& needle, milliseconds timeout);
  const std::string& out_so_far() const { return result_.out; }
  void send_signal(int sig);
  // Writes pending stdin, closes it, and collects output until the process is gone and both
  // pipes reach EOF. After `timeout` the process group is killed (timed_out). Once the
  // process is gone, waits at most `drain` for the pipes to close (else pipes_open).
  RunResult finish(milliseconds timeout = milliseconds(30000),
                   milliseconds drain = milliseconds(10000));

 private:
  // One round of I/O, waiting at most until `deadline`.
  void pump(std::chrono::steady_clock::time_point deadline);
  void kill_group();
  void reap_blocking();

  pid_t pid_ = -1;
  int in_ = -1, out_ = -1, err_ = -1, pidfd_ = -1;
  bool reaped_ = false;
  std::string pending_in_;
  bool close_in_after_pending_ = false;
  std::string start_error_;
  RunResult result_;
};

// Options of one cordon run.
struct RunOptions {
  std::vector<std::string> subcommand = {"sandbox", "linux"};  // or {"run"}, {"explain"}
  std::vector<std::string> flags;                         // extra cordon flags, after the mode's
  std::map<std::string, std::optional<std::string>> env;  // set (or unset with nullopt)
  std::string cwd;                                        // default: the workspace
  std::string stdin_data;
  milliseconds timeout{30000};
  milliseconds drain{10000};
  bool check_stubs = true;  // sandboxed runs: no stub left in the workspace or /tmp
  // The command may create .git/.codex/.agents in the workspace, which Landlock allows by
  // design: under Landlock the workspace part of the stub check is left to the test.
  bool creates_protected = false;
  // Add `--backend <backend>` (sandboxed modes). Off for tests of the automatic choice.
  bool backend_flag = true;
  int fd3 = -1;              // passed to cordon as fd 3
  bool new_session = false;  // cordon starts without a controlling terminal (like an agent's)
};

// A shared or exclusive flock on the directory /var/tmp itself (no lock file is left
// behind). Every sandboxed run holds it shared; the /tmp stub check holds it exclusively, so no run
// of these tests (in either matrix, in any build dir) has a stub in /tmp at that moment.
class TmpStubLock {
 public:
  explicit TmpStubLock(bool exclusive);
  ~TmpStubLock();
  TmpStubLock(const TmpStubLock&) = delete;
  TmpStubLock& operator=(const TmpStubLock&) = delete;

 private:
  int fd_ = -1;
};

inline constexpr const char* kProtectedNames[] = {".git", ".codex", ".agents"};

class E2ETest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // `cordon <opts.subcommand> <mode flags> <opts.flags> -- <command>`.
  std::vector<std::string> cordon_argv(Mode mode, const std::vector<std::string>& command,
                                       const RunOptions& opts) const;
  std::vector<std::string> cordon_env(const RunOptions& opts) const;
  RunResult run(Mode mode, const std::vector<std::string>& command, const RunOptions& opts = {});
  // `sh -c SCRIPT`.
  RunResult sh(Mode mode, const std::string& script, const RunOptions& opts = {});
  // `e2e_probe ARGS...`.
  RunResult probe(Mode mode, const std::vector<std::string>& args, const RunOptions& opts = {});
  std::unique_ptr<Process> start(Mode mode, const std::vector<std::string>& command,
                                 const RunOptions& opts = {});

  // Protected names missing in `root` now (the ones a sandboxed run stubs).
  static std::vector<std::string> missing_protected(const std::string& root);
  // Checks that none of `names` exists in `root`, waiting up to `wait` for a janitor.
  static void expect_absent(const std::string& root, const std::vector<std::string>& names,
                            milliseconds wait, const std::string& context);
  // Checks that no stub is left in /tmp (under the exclusive lock), waiting up to `wait`.
  void expect_no_tmp_stubs(milliseconds wait, const std::string& context) const;

  std::string base_, ws_, outside_, home_, cordon_home_, extra_;
  std::vector<std::string> tmp_preexisting_;  // protected names present in /tmp at SetUp
  std::vector<std::string> cleanup_paths_;    // removed in TearDown (outside base_)
};

class ModeTest : public E2ETest, public ::testing::WithParamInterface<Mode> {
 protected:
  Mode mode() const { return GetParam(); }
};

// Expects the probe's one-line report: "ok ..." when allowed, else an "error ..." line
// naming `errno_name` (when given) and exit status 1.
void expect_probe(const RunResult& r, bool allowed, const char* errno_name,
                  const std::string& what);

}  // namespace e2e
