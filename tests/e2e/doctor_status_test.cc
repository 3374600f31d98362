// e2e: `cordon doctor` and `cordon status`, in words and in JSON. What they report is
// compared with what this test finds out by itself (the kernel's Landlock ABI, whether a
// user namespace can be created, the bwrap on PATH) and with the config it wrote.
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/landlock.h>

#include <climits>
#include <cstdlib>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "harness.h"

namespace e2e {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using Json = nlohmann::json;

constexpr int kConfig = 78;
constexpr const char* kPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// The kernel's Landlock ABI, asked directly (0: none).
int own_landlock_abi() {
  const long v =
      ::syscall(SYS_landlock_create_ruleset, nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION);
  return v > 0 ? static_cast<int>(v) : 0;
}

// Whether this process may create a user namespace (tried in a child).
bool own_userns() {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(::unshare(CLONE_NEWUSER) == 0 ? 0 : 1);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// The real path of the first bwrap on kPath, "" when there is none.
std::string own_bwrap() {
  std::istringstream dirs(kPath);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::string cand = join(dir, "bwrap");
    char real[PATH_MAX];
    if (::access(cand.c_str(), X_OK) == 0 && ::realpath(cand.c_str(), real) != nullptr) {
      return real;
    }
  }
  return "";
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

class DoctorStatus : public E2ETest {
 protected:
  // `cordon ARGS...` in the workspace, with the harness's environment.
  RunResult cordon(const std::vector<std::string>& args, const RunOptions& opts = {}) {
    std::vector<std::string> argv = {cordon_bin()};
    argv.insert(argv.end(), args.begin(), args.end());
    Process p({argv, cordon_env(opts), opts.cwd.empty() ? ws_ : opts.cwd, -1});
    if (!p.started()) {
      ADD_FAILURE() << p.start_error();
      return {};
    }
    RunResult r = p.finish(opts.timeout, opts.drain);
    EXPECT_FALSE(r.timed_out) << r.describe();
    return r;
  }
  // stdout as JSON; a test failure (and null) when it is not one valid JSON value.
  static Json json_of(const RunResult& r) {
    Json j = Json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << "not valid JSON: " << r.describe();
    return j.is_discarded() ? Json() : j;
  }
  static const char* current() { return backend_name(backend()); }
  // The backend under test is missing here: the caller skips.
  static std::string missing_backend() {
    if (backend() == Backend::Landlock && own_landlock_abi() == 0) return "no Landlock here";
    if (backend() == Backend::Native && !own_userns()) return "no user namespaces here";
    if (backend() == Backend::Bwrap && own_bwrap().empty()) return "no bwrap on PATH";
    return "";
  }
  // The entry of status --json's writable_roots whose path is `path` (null when absent).
  static Json root_named(const Json& status, const std::string& path) {
    for (const auto& r : status["writable_roots"]) {
      if (r["path"] == path) return r;
    }
    return Json();
  }
};

// ---------------------------------------------------------------------------------------
// doctor

TEST_F(DoctorStatus, DoctorPrintsOneLinePerCheck) {
  if (auto why = missing_backend(); !why.empty()) GTEST_SKIP() << why;
  auto r = cordon({"doctor", "--backend", current()});
  EXPECT_TRUE(r.exited && r.code == 0) << r.describe();
  const auto lines = lines_of(r.out);
  for (const char* check :
       {"bwrap", "user namespaces", "landlock", "seccomp", "wsl", "backend bwrap", "backend native",
        "backend landlock", "chosen backend"}) {
    int found = 0;
    const std::regex re(std::string("^(ok|missing) +") + check + ": .+");
    for (const auto& l : lines) found += std::regex_match(l, re);
    EXPECT_EQ(found, 1) << "the '" << check << "' line, in:\n" << r.out;
  }
  const int abi = own_landlock_abi();
  if (abi > 0) {
    EXPECT_THAT(r.out, HasSubstr("\nok       landlock: ABI " + std::to_string(abi) + ":"));
  } else {
    EXPECT_THAT(r.out, HasSubstr("\nmissing  landlock: "));
  }
  EXPECT_THAT(r.out, HasSubstr(std::string("\nok       backend ") + current() + ": works here"));
  EXPECT_THAT(r.out, HasSubstr(std::string("\nok       chosen backend: ") + current() +
                               " (sandbox_linux.backend = " + current() + " from --backend"));
}

TEST_F(DoctorStatus, DoctorJsonMatchesThisHost) {
  if (auto why = missing_backend(); !why.empty()) GTEST_SKIP() << why;
  auto r = cordon({"doctor", "--json", "--backend", current()});
  EXPECT_TRUE(r.exited && r.code == 0) << r.describe();
  const Json j = json_of(r);
  ASSERT_TRUE(j.is_object()) << r.out;
  EXPECT_EQ(j["ok"], true);
  for (const char* check : {"bwrap", "user_namespaces", "landlock", "seccomp", "wsl"}) {
    ASSERT_TRUE(j["checks"][check].is_object()) << check;
    EXPECT_TRUE(j["checks"][check]["ok"].is_boolean()) << check;
    EXPECT_TRUE(j["checks"][check]["detail"].is_string()) << check;
  }
  const Json& c = j["checks"];
  EXPECT_EQ(c["landlock"]["abi"], own_landlock_abi());
  EXPECT_EQ(c["landlock"]["ok"], own_landlock_abi() > 0);
  EXPECT_EQ(c["user_namespaces"]["ok"], own_userns());
  EXPECT_EQ(c["seccomp"]["ok"], ::prctl(PR_GET_SECCOMP, 0, 0, 0, 0) >= 0);
  EXPECT_EQ(c["wsl"]["wsl1"], false);
  const std::string bwrap = own_bwrap();
  if (bwrap.empty()) {
    EXPECT_TRUE(c["bwrap"]["path"].is_null());
  } else {
    EXPECT_EQ(c["bwrap"]["path"], bwrap);
    EXPECT_THAT(c["bwrap"]["version"].get<std::string>(), ContainsRegex("^[0-9]+\\.[0-9]+"));
  }
  for (const char* b : {"bwrap", "native", "landlock"}) {
    ASSERT_TRUE(j["backends"][b].is_object()) << b;
    EXPECT_TRUE(j["backends"][b]["works"].is_boolean()) << b;
    EXPECT_TRUE(j["backends"][b]["unenforced"].is_array()) << b;
  }
  EXPECT_EQ(j["backends"]["landlock"]["works"], own_landlock_abi() > 0);
  EXPECT_EQ(j["backends"][current()]["works"], true);
  EXPECT_EQ(j["chosen"]["backend"], current());
  EXPECT_EQ(j["chosen"]["works"], true);
}

// Without bwrap on PATH, doctor says so with the fix, and an explicit --backend bwrap
// makes it fail (exit 1).
TEST_F(DoctorStatus, DoctorWithoutBwrap) {
  RunOptions opts;
  opts.env["PATH"] = "/nonexistent";
  auto r = cordon({"doctor", "--json"}, opts);
  const Json j = json_of(r);
  ASSERT_TRUE(j.is_object()) << r.out;
  EXPECT_EQ(j["checks"]["bwrap"]["ok"], false);
  EXPECT_THAT(j["checks"]["bwrap"]["detail"].get<std::string>(),
              HasSubstr("apt-get install bubblewrap"));
  EXPECT_EQ(j["backends"]["bwrap"]["works"], false);
  EXPECT_NE(j["chosen"]["backend"], "bwrap");
  EXPECT_EQ(r.exited && r.code == 0, j["ok"] == true) << r.describe();

  r = cordon({"doctor", "--backend", "bwrap"}, opts);
  EXPECT_TRUE(r.exited && r.code == 1) << r.describe();
  EXPECT_THAT(r.out, HasSubstr("\nmissing  chosen backend: the bwrap backend was asked for"));
}

// What Landlock cannot enforce depends on the plan: under --full-auto it names the
// workspace's .git.
TEST_F(DoctorStatus, DoctorNamesWhatLandlockCannotEnforce) {
  if (own_landlock_abi() == 0) GTEST_SKIP() << "no Landlock here";
  auto r = cordon({"doctor", "--json", "--full-auto"});
  const Json j = json_of(r);
  ASSERT_TRUE(j.is_object()) << r.out;
  const Json& gaps = j["backends"]["landlock"]["unenforced"];
  ASSERT_FALSE(gaps.empty()) << r.out;
  EXPECT_THAT(gaps[0].get<std::string>(), HasSubstr(join(ws_, ".git")));
  EXPECT_TRUE(j["backends"]["native"]["unenforced"].empty());
  EXPECT_TRUE(j["backends"]["bwrap"]["unenforced"].empty());
}

// ---------------------------------------------------------------------------------------
// status

TEST_F(DoctorStatus, StatusReadOnlyByDefault) {
  auto r = cordon({"status", "--json"});
  EXPECT_TRUE(r.exited && r.code == 0) << r.describe();
  const Json j = json_of(r);
  ASSERT_TRUE(j.is_object()) << r.out;
  EXPECT_EQ(j["workspace"], ws_);
  EXPECT_EQ(j["sandbox_mode"]["value"], "read-only");
  EXPECT_EQ(j["sandbox_mode"]["origin"], "built-in default");
  EXPECT_EQ(j["approval_policy"]["value"], "on-request");
  EXPECT_TRUE(j["writable_roots"].empty()) << r.out;
  EXPECT_EQ(j["network"]["value"], "off");

  r = cordon({"status"});
  EXPECT_TRUE(r.exited && r.code == 0) << r.describe();
  EXPECT_THAT(r.out, HasSubstr("Sandbox mode:     read-only  (built-in default)\n"));
  EXPECT_THAT(r.out, HasSubstr("Writable roots:   none"));
}

TEST_F(DoctorStatus, StatusFullAutoWorkspaceWritableGitProtected) {
  auto r = cordon({"status", "--json", "--full-auto"});
  EXPECT_TRUE(r.exited && r.code == 0) << r.describe();
  const Json j = json_of(r);
  ASSERT_TRUE(j.is_object()) << r.out;
  EXPECT_EQ(j["sandbox_mode"]["value"], "workspace-write");
  EXPECT_EQ(j["sandbox_mode"]["origin"], "--full-auto");
  const Json ws = root_named(j, ws_);
  ASSERT_TRUE(ws.is_object()) << "the workspace is not a writable root: " << r.out;
  EXPECT_EQ(ws["source"], "workspace");
  bool git = false;
  for (const auto& p : ws["protected_paths"]) {
    if (p["path"] == join(ws_, ".git")) git = p["exists"] == true && p["why"] == ".git";
  }
  EXPECT_TRUE(git) << ".git is not protected: " << ws.dump();
  EXPECT_TRUE(root_named(j, "/tmp").is_object()) << r.out;

  r = cordon({"status", "--full-auto"});
  EXPECT_TRUE(r.exited && r.code == 0) << r.describe();
  EXPECT_THAT(r.out, HasSubstr("\n  " + ws_ + "  (the current directory)\n"));
  EXPECT_THAT(r.out, HasSubstr("    protected: " + join(ws_, ".git") + " (.git, read-only)\n"));
}

TEST_F(DoctorStatus, StatusNamesTheOriginOfEachValue) {
  const std::string file = join(cordon_home_, "config.toml");
  write_file(file, "sandbox_mode = \"workspace-write\"\n[sandbox_linux]\nmax_memory = \"2G\"\n");
  auto r = cordon({"status", "--json", "-c", "sandbox_linux.max_processes=100"});
  EXPECT_TRUE(r.exited && r.code == 0) << r.describe();
  const Json j = json_of(r);
  ASSERT_TRUE(j.is_object()) << r.out;
  EXPECT_EQ(j["sandbox_mode"]["value"], "workspace-write");
  EXPECT_EQ(j["sandbox_mode"]["origin"], file + ":1:16");
  EXPECT_EQ(j["limits"]["max_memory"]["value"], 2ULL << 30);
  EXPECT_EQ(j["limits"]["max_memory"]["origin"], file + ":3:14");
  EXPECT_EQ(j["limits"]["max_processes"]["value"], 100);
  EXPECT_EQ(j["limits"]["max_processes"]["origin"], "-c 'sandbox_linux.max_processes=100'");
  EXPECT_EQ(j["limits"]["max_cpu_seconds"]["value"], "unlimited");
  EXPECT_EQ(j["limits"]["max_cpu_seconds"]["origin"], "built-in default");

  r = cordon({"status", "-c", "sandbox_linux.max_processes=100"});
  EXPECT_THAT(r.out, HasSubstr("Sandbox mode:     workspace-write  (" + file + ":1:16)\n"));
  EXPECT_THAT(r.out, HasSubstr("  max_memory: 2G  (" + file + ":3:14)\n"));
  EXPECT_THAT(r.out, HasSubstr("  max_processes: 100  (-c 'sandbox_linux.max_processes=100')\n"));
}

TEST_F(DoctorStatus, StatusShowsTheBackendAskedFor) {
  auto r = cordon({"status", "--json", "--backend", "native"});
  EXPECT_TRUE(r.exited && r.code == 0) << r.describe();
  Json j = json_of(r);
  ASSERT_TRUE(j.is_object()) << r.out;
  EXPECT_EQ(j["backend"]["value"], "native");
  EXPECT_THAT(j["backend"]["why"].get<std::string>(),
              HasSubstr("sandbox_linux.backend = native from --backend"));
  EXPECT_EQ(j["settings"]["sandbox_linux.backend"]["origin"], "--backend");

  r = cordon({"status", "--backend", "native"});
  EXPECT_THAT(r.out, HasSubstr("Backend:          native  (sandbox_linux.backend = native from "
                               "--backend)\n"));

  if (auto why = missing_backend(); !why.empty()) GTEST_SKIP() << why;
  r = cordon({"status", "--json", "--backend", current()});
  j = json_of(r);
  ASSERT_TRUE(j.is_object()) << r.out;
  EXPECT_EQ(j["backend"]["value"], current());
}

TEST_F(DoctorStatus, StatusConfigErrorExits78) {
  auto r = cordon({"status", "-c", "sandbox_mode=read-onyl"});
  EXPECT_TRUE(r.exited && r.code == kConfig) << r.describe();
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr("-c 'sandbox_mode=read-onyl': unknown sandbox mode 'read-onyl'"));
  EXPECT_THAT(r.err, HasSubstr("did you mean 'read-only'?"));
}

}  // namespace
}  // namespace e2e
