// e2e: what the sandbox refused, as cordon reports it (issue 7). Each test runs a command the
// sandbox refuses (or one that fails for reasons of its own), parses cordon's JSON from
// outside, and checks the exact records: operation, target, rule, count, pid, executable.
// The effects are checked on the host too: a refused write left nothing behind, and
// turning the reports off changes nothing about what is refused.
#include <limits.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include <nlohmann/json.hpp>
#include <sstream>

#include "harness.h"
#include "pty.h"

namespace e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Values;
using Json = nlohmann::json;

constexpr milliseconds kWait{20000};
constexpr const char* kOutsideRule = "outside the writable roots";
constexpr const char* kReadOnlyRule = "read-only sandbox";
constexpr const char* kGitRule = "protected path .git";
constexpr const char* kNetworkRule = "network off";
constexpr const char* kBlocked = "cordon: blocked";
constexpr const char* kDenied = "cordon: denied: ";
constexpr const char* kRetryPrompt = "run it again OUTSIDE the sandbox?";

std::string real_path(const std::string& p) {
  char buf[PATH_MAX];
  return ::realpath(p.c_str(), buf) != nullptr ? std::string(buf) : p;
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// How many lines of `text` start with `prefix`.
int lines_starting(const std::string& text, const std::string& prefix) {
  int n = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(prefix, 0) == 0) ++n;
  }
  return n;
}

// Which executable a record may name for a program started as `path`: its real path (what
// /proc/PID/exe says), or the name it was started by.
bool exe_is(const std::string& exe, const std::string& path) {
  if (exe == real_path(path)) return true;
  const std::string base = path.substr(path.rfind('/'));
  return ends_with(exe, base);
}

class Denials : public E2ETest {
 protected:
  // `cordon sandbox linux <mode> --json <flags> -- command`; the JSON object on stdout.
  Json json_run(Mode m, const std::vector<std::string>& command, RunResult& r,
                std::vector<std::string> flags = {}, RunOptions opts = {}) {
    opts.flags = {"--json"};
    opts.flags.insert(opts.flags.end(), flags.begin(), flags.end());
    r = run(m, command, opts);
    Json j = Json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << "stdout is not one JSON object: " << r.describe();
    if (j.is_discarded()) return Json::object();
    EXPECT_TRUE(j.contains("exit_code")) << j.dump(2);
    EXPECT_TRUE(j.contains("stdout")) << j.dump(2);
    EXPECT_TRUE(j.contains("stderr")) << j.dump(2);
    EXPECT_TRUE(j.contains("denials") && j["denials"].is_array())
        << "no \"denials\" array: " << j.dump(2);
    EXPECT_TRUE(j.contains("denials_dropped")) << j.dump(2);
    return j;
  }

  Json json_sh(Mode m, const std::string& script, RunResult& r, std::vector<std::string> flags = {},
               RunOptions opts = {}) {
    return json_run(m, {"/bin/sh", "-c", script}, r, std::move(flags), std::move(opts));
  }

  static Json records(const Json& j) {
    if (!j.contains("denials") || !j["denials"].is_array()) return Json::array();
    return j["denials"];
  }

  // Exactly one record, with these fields (pid > 0; the executable `program` ran as).
  static void expect_one(const Json& j, const std::string& operation, const std::string& target,
                         const std::string& rule, uint64_t count, const std::string& program) {
    const Json recs = records(j);
    ASSERT_EQ(recs.size(), 1u) << j.dump(2);
    EXPECT_EQ(j.value("denials_dropped", uint64_t{1}), 0u) << j.dump(2);
    expect_record(recs[0], operation, target, rule, count, program, j);
  }

  static void expect_record(const Json& rec, const std::string& operation,
                            const std::string& target, const std::string& rule, uint64_t count,
                            const std::string& program, const Json& whole) {
    EXPECT_EQ(rec.value("operation", ""), operation) << whole.dump(2);
    EXPECT_EQ(rec.value("target", ""), target) << whole.dump(2);
    EXPECT_EQ(rec.value("rule", ""), rule) << whole.dump(2);
    EXPECT_EQ(rec.value("count", uint64_t{0}), count) << whole.dump(2);
    EXPECT_GT(rec.value("pid", 0), 0) << whole.dump(2);
    const std::string exe = rec.value("executable", "");
    EXPECT_TRUE(exe_is(exe, program)) << "executable \"" << exe << "\" is not " << program << "\n"
                                      << whole.dump(2);
  }

  // No record, nothing dropped, and no summary line anywhere.
  static void expect_none(const Json& j, const RunResult& r) {
    EXPECT_TRUE(records(j).empty()) << j.dump(2);
    EXPECT_EQ(j.value("denials_dropped", uint64_t{0}), 0u) << j.dump(2);
    EXPECT_THAT(r.err, Not(HasSubstr(kBlocked))) << r.describe();
    EXPECT_THAT(j.value("stderr", ""), Not(HasSubstr(kBlocked))) << j.dump(2);
  }

  static int exit_of(const Json& j) { return j.value("exit_code", -1); }
};

// --- writes -------------------------------------------------------------------------------

TEST_F(Denials, CreateOutsideTheWritableRoots) {
  const std::string f = join(outside_, "newfile");
  RunResult r;
  Json j = json_sh(Mode::WorkspaceWrite, "echo x > " + f, r);
  expect_one(j, "create", f, kOutsideRule, 1, "/bin/sh");
  EXPECT_FALSE(exists(f)) << "the sandbox let the write through: " << r.describe();
  EXPECT_NE(exit_of(j), 0) << j.dump(2);
  EXPECT_TRUE(r.exited && r.code != 0) << r.describe();
}

TEST_F(Denials, CreateOutsideIsSummarisedOnStderr) {
  const std::string f = join(outside_, "newfile");
  RunResult r = sh(Mode::WorkspaceWrite, "echo x > " + f);
  EXPECT_TRUE(r.exited && r.code != 0) << r.describe();
  EXPECT_FALSE(exists(f)) << r.describe();
  EXPECT_EQ(lines_starting(r.err, "cordon: blocked 1 write outside the writable roots"), 1)
      << r.describe();
  EXPECT_THAT(r.err, HasSubstr(f)) << r.describe();
  EXPECT_EQ(lines_starting(r.err, kBlocked), 1) << r.describe();
}

TEST_F(Denials, OverwriteOutsideTheWritableRoots) {
  const std::string f = join(outside_, "secret");
  RunResult r;
  Json j = json_sh(Mode::WorkspaceWrite, "echo x > " + f, r);
  expect_one(j, "write", f, kOutsideRule, 1, "/bin/sh");
  EXPECT_EQ(read_file(f), "secret\n") << "the file changed on the host";
  EXPECT_NE(exit_of(j), 0) << j.dump(2);
}

// Under Landlock, .git is writable by design (the backend can only add access): the write
// succeeds and nothing is reported.
TEST_F(Denials, WriteIntoGitHooks) {
  const std::string f = join(ws_, ".git/hooks/pre-commit");
  RunResult r;
  Json j = json_sh(Mode::WorkspaceWrite, "echo x > .git/hooks/pre-commit", r);
  if (protected_writable(Mode::WorkspaceWrite)) {
    ASSERT_TRUE(landlock());
    EXPECT_EQ(exit_of(j), 0) << j.dump(2);
    EXPECT_TRUE(exists(f)) << j.dump(2);
    expect_none(j, r);
    return;
  }
  expect_one(j, "create", f, kGitRule, 1, "/bin/sh");
  EXPECT_FALSE(exists(f)) << j.dump(2);
  EXPECT_NE(exit_of(j), 0) << j.dump(2);
}

TEST_F(Denials, WriteInTheWorkspaceOfAReadOnlySandbox) {
  const std::string f = join(ws_, "newfile");
  RunResult r;
  Json j = json_sh(Mode::ReadOnly, "echo x > newfile", r);
  expect_one(j, "create", f, kReadOnlyRule, 1, "/bin/sh");
  EXPECT_FALSE(exists(f)) << j.dump(2);
  EXPECT_NE(exit_of(j), 0) << j.dump(2);
}

// A read-only mount refuses unlink before looking the name up (EROFS for a missing name);
// Landlock looks it up first (ENOENT): not a refusal there.
TEST_F(Denials, RemoveMissingFileOutside) {
  const std::string f = join(outside_, "does-not-exist");
  RunResult r;
  Json j = json_run(Mode::WorkspaceWrite, {"rm", "-f", f}, r);
  if (landlock()) {
    EXPECT_EQ(exit_of(j), 0) << j.dump(2);
    expect_none(j, r);
    return;
  }
  // (rm -f exits 0 all the same: it takes the refusal for a missing file.)
  expect_one(j, "delete", f, kOutsideRule, 1, "/usr/bin/rm");
}

TEST_F(Denials, RepeatedWritesFoldIntoOneRecord) {
  const std::string f = join(outside_, "again");
  RunResult r;
  Json j = json_sh(Mode::WorkspaceWrite, "for i in 1 2 3 4 5; do echo $i > " + f + "; done", r);
  expect_one(j, "create", f, kOutsideRule, 5, "/bin/sh");
  EXPECT_FALSE(exists(f)) << j.dump(2);
}

TEST_F(Denials, LogDenialsPrintsEachDistinctRecordOnce) {
  const std::string a = join(outside_, "a"), b = join(outside_, "b");
  RunResult r =
      sh(Mode::WorkspaceWrite, "for i in 1 2 3; do echo $i > " + a + "; done; echo x > " + b);
  // Without --log-denials: only the summary.
  EXPECT_EQ(lines_starting(r.err, kDenied), 0) << r.describe();
  RunOptions o;
  o.flags = {"--log-denials"};
  r = sh(Mode::WorkspaceWrite, "for i in 1 2 3; do echo $i > " + a + "; done; echo x > " + b, o);
  EXPECT_TRUE(r.exited && r.code != 0) << r.describe();
  EXPECT_EQ(lines_starting(r.err, std::string(kDenied) + "create " + a + " (" + kOutsideRule + ")"),
            1)
      << r.describe();
  EXPECT_EQ(lines_starting(r.err, std::string(kDenied) + "create " + b + " (" + kOutsideRule + ")"),
            1)
      << r.describe();
  EXPECT_EQ(lines_starting(r.err, kDenied), 2) << r.describe();
  EXPECT_FALSE(exists(a) || exists(b)) << r.describe();
}

// Turning the reports off changes what is reported, not what is refused.
TEST_F(Denials, ReportDenialsFalseReportsNothingAndStillRefuses) {
  const std::string f = join(outside_, "newfile");
  RunOptions o;
  o.flags = {"--json", "-c", "sandbox_linux.report_denials=false"};
  RunResult r = sh(Mode::WorkspaceWrite, "echo x > " + f, o);
  EXPECT_TRUE(r.exited && r.code != 0) << r.describe();
  EXPECT_FALSE(exists(f)) << "enforcement changed with report_denials=false: " << r.describe();
  Json j = Json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.describe();
  EXPECT_NE(exit_of(j), 0) << j.dump(2);
  expect_none(j, r);

  o.flags = {"-c", "sandbox_linux.report_denials=false", "--log-denials"};
  r = sh(Mode::WorkspaceWrite, "echo x > " + f, o);
  EXPECT_TRUE(r.exited && r.code != 0) << r.describe();
  EXPECT_FALSE(exists(f)) << r.describe();
  EXPECT_THAT(r.err, Not(HasSubstr(kBlocked))) << r.describe();
  EXPECT_THAT(r.err, Not(HasSubstr(kDenied))) << r.describe();
}

// Without a sandbox nothing is observed: the write succeeds and nothing is reported.
TEST_F(Denials, DangerFullAccessObservesNothing) {
  const std::string f = join(outside_, "newfile");
  RunResult r;
  Json j = json_sh(Mode::DangerFullAccess, "echo x > " + f, r);
  EXPECT_EQ(exit_of(j), 0) << j.dump(2);
  EXPECT_EQ(read_file(f), "x\n") << j.dump(2);
  expect_none(j, r);
}

// --- the network ----------------------------------------------------------------------------

TEST_F(Denials, InetSocketWithTheNetworkOff) {
  RunResult r;
  Json j = json_run(Mode::WorkspaceWrite, {probe_bin(), "connect4", "127.0.0.1", "9"}, r);
  EXPECT_EQ(exit_of(j), 1) << j.dump(2);
  EXPECT_THAT(j.value("stdout", ""), HasSubstr("error socket: EPERM")) << j.dump(2);
  expect_one(j, "socket", "AF_INET stream", kNetworkRule, 1, probe_bin());
}

// bash's /dev/tcp: besides the socket() the test means, the C library's name service may try
// nscd's Unix socket, which the network-off filter refuses too. Every record is the network's.
TEST_F(Denials, BashDevTcpWithTheNetworkOff) {
  RunResult r;
  Json j = json_run(Mode::WorkspaceWrite, {"bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9"}, r);
  EXPECT_NE(exit_of(j), 0) << j.dump(2);
  int inet = 0;
  for (const Json& rec : records(j)) {
    EXPECT_EQ(rec.value("rule", ""), kNetworkRule) << j.dump(2);
    EXPECT_TRUE(exe_is(rec.value("executable", ""), "/usr/bin/bash")) << j.dump(2);
    if (rec.value("target", "") == "AF_INET stream") {
      ++inet;
      expect_record(rec, "socket", "AF_INET stream", kNetworkRule, 1, "/usr/bin/bash", j);
    }
  }
  EXPECT_EQ(inet, 1) << j.dump(2);
}

// A Unix socket listening outside the sandbox (as a Docker or D-Bus socket would), for as long
// as the object lives.
class ListeningSocket {
 public:
  explicit ListeningSocket(const std::string& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
    ok_ = fd_ >= 0 && path.size() < sizeof a.sun_path &&
          ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && ::listen(fd_, 1) == 0;
  }
  ~ListeningSocket() {
    if (fd_ >= 0) ::close(fd_);
    ::unlink(path_.c_str());
  }
  bool ok() const { return ok_; }

 private:
  std::string path_;
  int fd_ = -1;
  bool ok_ = false;
};

TEST_F(Denials, UnixConnectWithTheNetworkOff) {
  const std::string sock = join(outside_, "x.sock");
  ListeningSocket listening(sock);
  ASSERT_TRUE(listening.ok()) << "cannot listen on " << sock;
  RunResult r;
  Json j = json_run(Mode::WorkspaceWrite, {probe_bin(), "connect_unix", sock}, r);
  EXPECT_EQ(exit_of(j), 1) << j.dump(2);
  EXPECT_THAT(j.value("stdout", ""), HasSubstr("error connect: EPERM")) << j.dump(2);
  expect_one(j, "connect", "unix:" + sock, kNetworkRule, 1, probe_bin());
}

// Connecting to a Unix socket that does not exist fails with or without the sandbox (glibc
// tries nscd's socket on every user lookup): no record.
TEST_F(Denials, UnixConnectToAMissingSocketIsNotReported) {
  const std::string sock = join(outside_, "missing.sock");
  RunResult r;
  Json j = json_run(Mode::WorkspaceWrite, {probe_bin(), "connect_unix", sock}, r);
  EXPECT_EQ(exit_of(j), 1) << j.dump(2);
  EXPECT_THAT(j.value("stdout", ""), HasSubstr("error connect: EPERM")) << j.dump(2);
  expect_none(j, r);
}

// --- deny-read paths (permission profiles) ------------------------------------------------

constexpr const char* kEnvRule = "denied by :project_roots/**/*.env (deny-read)";

class DenialsDenyRead : public Denials {
 protected:
  void SetUp() override {
    Denials::SetUp();
    write_file(join(ws_, ".env"), "TOKEN=hunter2\n");
    write_file(join(cordon_home_, "config.toml"),
               "default_permissions = \"dev\"\n"
               "[permissions.dev]\n"
               "extends = \":workspace\"\n"
               "[permissions.dev.filesystem]\n"
               "\":project_roots\" = { \".\" = \"write\", \"**/*.env\" = \"none\" }\n");
  }
  // Landlock cannot take back reading below a readable directory: it refuses the profile.
  bool refused_here(const Json& j, const RunResult& r) {
    if (!landlock()) return false;
    EXPECT_EQ(r.code, 71) << r.describe();
    EXPECT_THAT(j.value("error", ""), HasSubstr("landlock backend cannot deny reading"))
        << j.dump(2);
    EXPECT_TRUE(records(j).empty()) << j.dump(2);
    return true;
  }
};

TEST_F(DenialsDenyRead, ReadOfADeniedEnvFile) {
  RunResult r;
  Json j = json_run(Mode::ReadOnly, {"/bin/cat", ".env"}, r);
  if (refused_here(j, r)) return;
  expect_one(j, "read", join(ws_, ".env"), kEnvRule, 1, "/bin/cat");
  EXPECT_THAT(j.value("stdout", ""), Not(HasSubstr("hunter2"))) << j.dump(2);
  EXPECT_THAT(j.value("stderr", ""), HasSubstr("Permission denied")) << j.dump(2);
  EXPECT_NE(exit_of(j), 0) << j.dump(2);
}

TEST_F(DenialsDenyRead, WriteToADeniedEnvFileAndTheSummary) {
  RunResult r = sh(Mode::ReadOnly, "echo x > .env; cat .env; echo ok > new");
  if (landlock()) {
    EXPECT_EQ(r.code, 71) << r.describe();
    EXPECT_FALSE(exists(join(ws_, "new"))) << r.describe();
    return;
  }
  EXPECT_EQ(read_file(join(ws_, ".env")), "TOKEN=hunter2\n") << r.describe();
  EXPECT_EQ(read_file(join(ws_, "new")), "ok\n")
      << "the workspace must stay writable: " << r.describe();
  // One line for the rule: the write and the read of the one path.
  EXPECT_EQ(lines_starting(r.err, std::string("cordon: blocked 2 accesses ") + kEnvRule), 1)
      << r.describe();
  EXPECT_EQ(lines_starting(r.err, kBlocked), 1) << r.describe();
}

TEST_F(DenialsDenyRead, ReadingOtherFilesIsNotReported) {
  write_file(join(ws_, "notes.txt"), "fine\n");
  RunResult r;
  Json j = json_sh(Mode::ReadOnly, "cat notes.txt; cat missing.txt; ls -a > /dev/null", r);
  if (refused_here(j, r)) return;
  EXPECT_THAT(j.value("stdout", ""), HasSubstr("fine")) << j.dump(2);
  expect_none(j, r);
}

TEST_F(Denials, NetworkOnReportsNothing) {
  RunResult r;
  Json j = json_run(Mode::WorkspaceWriteNetwork, {"bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9"}, r);
  expect_none(j, r);
  const std::string sock = join(outside_, "x.sock");
  j = json_run(Mode::WorkspaceWriteNetwork, {probe_bin(), "connect_unix", sock}, r);
  EXPECT_NE(exit_of(j), 0) << "no socket is bound at " << sock << ": " << j.dump(2);
  EXPECT_THAT(j.value("stdout", ""), HasSubstr("ENOENT")) << j.dump(2);
  expect_none(j, r);
}

// --- failures that are not the sandbox's doing --------------------------------------------

class DenialsNone : public Denials, public ::testing::WithParamInterface<Mode> {
 protected:
  Mode mode() const { return GetParam(); }
  // Runs `script` with `sh -c`; checks it failed with `code` (or any failure when -1) and
  // that nothing was reported.
  void expect_nothing(const std::string& script, int code = -1) {
    RunResult r;
    Json j = json_sh(mode(), script, r);
    if (code >= 0) {
      EXPECT_EQ(exit_of(j), code) << j.dump(2);
    } else {
      EXPECT_NE(exit_of(j), 0) << j.dump(2);
    }
    expect_none(j, r);
  }
};

TEST_P(DenialsNone, False) {
  expect_nothing("false", 1);
}

TEST_P(DenialsNone, CatMissingFile) {
  expect_nothing("cat missing-file", 1);
}

TEST_P(DenialsNone, FailingTestScriptNamedSandboxTest) {
  write_file(join(ws_, "sandbox_test.sh"), "echo 'sandbox_test FAILED'\nexit 1\n");
  RunResult r;
  Json j = json_run(mode(), {"/bin/sh", "sandbox_test.sh"}, r);
  EXPECT_EQ(exit_of(j), 1) << j.dump(2);
  EXPECT_EQ(j.value("stdout", ""), "sandbox_test FAILED\n") << j.dump(2);
  expect_none(j, r);
}

TEST_P(DenialsNone, CommandThatPrintsRefusalMessagesItself) {
  expect_nothing(
      "echo 'x: Permission denied' >&2; echo 'y: Read-only file system' >&2; "
      "echo 'sandbox: operation not permitted'; exit 1",
      1);
}

TEST_P(DenialsNone, MkdirOfAnExistingDirectoryOutside) {
  RunResult r;
  Json j = json_run(mode(), {"mkdir", "-p", outside_}, r);
  EXPECT_EQ(exit_of(j), 0) << j.dump(2);
  expect_none(j, r);
  j = json_run(mode(), {"mkdir", outside_}, r);
  EXPECT_NE(exit_of(j), 0) << "mkdir of an existing directory fails: " << j.dump(2);
  expect_none(j, r);
}

TEST_P(DenialsNone, WriteToDevNull) {
  RunResult r;
  Json j = json_sh(mode(), "echo x > /dev/null", r);
  EXPECT_EQ(exit_of(j), 0) << j.dump(2);
  expect_none(j, r);
}

TEST_P(DenialsNone, TouchInTheWorkspaceOrReadOnly) {
  RunResult r;
  Json j = json_run(mode(), {"touch", "made-here"}, r);
  if (workspace_writable(mode())) {
    EXPECT_EQ(exit_of(j), 0) << j.dump(2);
    EXPECT_TRUE(exists(join(ws_, "made-here"))) << j.dump(2);
    expect_none(j, r);
  } else {
    // The control: the same command is reported where the sandbox does refuse it.
    EXPECT_NE(exit_of(j), 0) << j.dump(2);
    EXPECT_FALSE(exists(join(ws_, "made-here"))) << j.dump(2);
    expect_one(j, "create", join(ws_, "made-here"), kReadOnlyRule, 1, "/usr/bin/touch");
  }
}

INSTANTIATE_TEST_SUITE_P(Modes, DenialsNone,
                         Values(Mode::ReadOnly, Mode::WorkspaceWrite, Mode::WorkspaceWriteNetwork),
                         mode_param_name);

// --- cordon run ------------------------------------------------------------------------------

class DenialsRun : public E2ETest {
 protected:
  RunOptions run_opts(std::vector<std::string> flags) const {
    RunOptions o;
    o.subcommand = {"run"};
    o.flags = std::move(flags);
    o.new_session = true;  // no controlling terminal
    return o;
  }

  static std::optional<int> exit_code(const std::optional<int>& wait_status) {
    if (!wait_status || !WIFEXITED(*wait_status)) return std::nullopt;
    return WEXITSTATUS(*wait_status);
  }

  std::unique_ptr<PtyProcess> run_on_tty(Mode m, const std::vector<std::string>& cmd) {
    RunOptions o = run_opts({});
    std::string error;
    auto p = PtyProcess::start(cordon_argv(m, cmd, o), cordon_env(o), ws_, &error);
    EXPECT_TRUE(p) << error;
    return p;
  }

  static int notes_starting(const Json& j, const std::string& prefix) {
    int n = 0;
    if (!j.contains("notes")) return 0;
    for (const auto& note : j["notes"]) {
      if (note.is_string() && note.get<std::string>().rfind(prefix, 0) == 0) ++n;
    }
    return n;
  }
};

TEST_F(DenialsRun, JsonHasTheRecordsAndANoteUnderNever) {
  const std::string f = join(outside_, "f");
  RunResult r = run(Mode::WorkspaceWrite, {"/bin/sh", "-c", "echo x > " + f},
                    run_opts({"-a", "never", "--json"}));
  EXPECT_TRUE(r.exited && r.code != 0) << r.describe();
  EXPECT_FALSE(exists(f)) << r.describe();
  Json j = Json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.describe();
  EXPECT_EQ(j.value("outcome", ""), "ran") << j.dump(2);
  EXPECT_EQ(j.value("retried_outside_sandbox", true), false) << j.dump(2);
  ASSERT_TRUE(j.contains("denials") && j["denials"].is_array()) << j.dump(2);
  ASSERT_EQ(j["denials"].size(), 1u) << j.dump(2);
  const Json& rec = j["denials"][0];
  EXPECT_EQ(rec.value("operation", ""), "create") << j.dump(2);
  EXPECT_EQ(rec.value("target", ""), f) << j.dump(2);
  EXPECT_EQ(rec.value("rule", ""), kOutsideRule) << j.dump(2);
  EXPECT_EQ(rec.value("count", 0), 1) << j.dump(2);
  EXPECT_GT(rec.value("pid", 0), 0) << j.dump(2);
  EXPECT_TRUE(exe_is(rec.value("executable", ""), "/bin/sh")) << j.dump(2);
  ASSERT_TRUE(j.contains("blocked") && j["blocked"].is_array()) << j.dump(2);
  ASSERT_EQ(j["blocked"].size(), 1u) << j.dump(2);
  EXPECT_THAT(j["blocked"][0].get<std::string>(), HasSubstr(f)) << j.dump(2);
  EXPECT_EQ(notes_starting(j, "the sandbox blocked:"), 1) << j.dump(2);
}

TEST_F(DenialsRun, JsonOfAPlainFailureHasNoDenials) {
  RunResult r = run(Mode::WorkspaceWrite, {"false"}, run_opts({"-a", "never", "--json"}));
  EXPECT_TRUE(r.exited && r.code == 1) << r.describe();
  Json j = Json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.describe();
  EXPECT_EQ(j.value("exit_code", -1), 1) << j.dump(2);
  ASSERT_TRUE(j.contains("denials") && j["denials"].is_array()) << j.dump(2);
  EXPECT_TRUE(j["denials"].empty()) << j.dump(2);
  EXPECT_TRUE(j["blocked"].empty()) << j.dump(2);
  EXPECT_EQ(notes_starting(j, "the sandbox blocked"), 0) << j.dump(2);
  EXPECT_THAT(r.err, Not(HasSubstr(kBlocked))) << r.describe();
}

// On a terminal (on-request): a failed command the sandbox blocked is offered the re-run
// outside; declining it leaves the sandboxed result, and the file was never written.
TEST_F(DenialsRun, TerminalOffersTheReRunAndNoKeepsTheSandboxedResult) {
  const std::string f = join(outside_, "f");
  auto p = run_on_tty(Mode::WorkspaceWrite, {"/bin/sh", "-c", "echo x > " + f});
  ASSERT_TRUE(p);
  ASSERT_TRUE(p->expect(kRetryPrompt, kWait)) << strip_terminal(p->output());
  ASSERT_TRUE(p->expect("[n]o", kWait)) << strip_terminal(p->output());
  EXPECT_THAT(strip_terminal(p->output()), HasSubstr(f));
  EXPECT_FALSE(exists(f)) << "written before the answer: " << strip_terminal(p->output());
  ASSERT_TRUE(p->send("n\n"));
  auto code = exit_code(p->wait(kWait));
  ASSERT_TRUE(code.has_value()) << strip_terminal(p->output());
  EXPECT_NE(*code, 0) << strip_terminal(p->output());
  EXPECT_FALSE(exists(f)) << "declined, yet the file was written: " << strip_terminal(p->output());
  expect_no_tmp_stubs(milliseconds(5000), "after the terminal run");
}

TEST_F(DenialsRun, TerminalDoesNotOfferTheReRunForAPlainFailure) {
  auto p = run_on_tty(Mode::WorkspaceWrite, {"false"});
  ASSERT_TRUE(p);
  auto code = exit_code(p->wait(kWait));
  ASSERT_TRUE(code.has_value()) << "no exit (waiting for an answer?): "
                                << strip_terminal(p->output());
  EXPECT_EQ(*code, 1) << strip_terminal(p->output());
  EXPECT_THAT(strip_terminal(p->output()), Not(HasSubstr(kRetryPrompt)));
  EXPECT_THAT(strip_terminal(p->output()), Not(HasSubstr("[n]o")));
}

}  // namespace
}  // namespace e2e
