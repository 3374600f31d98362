// cordon - host probing: bubblewrap, user namespaces, Landlock, seccomp, WSL1.
#include "sandbox/linux/probe.h"

#include "sandbox/linux/landlock.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/seccomp.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <string_view>

#include "sandbox/linux/bwrap_locate.h"
#include "util/cstrings.h"
#include "util/io.h"
#include "util/printable.h"

extern char** environ;

// Debian 12's headers have these; older ones may not.
#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#endif
#ifndef LANDLOCK_CREATE_RULESET_VERSION
#define LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#endif
#ifndef SECCOMP_GET_ACTION_AVAIL
#define SECCOMP_GET_ACTION_AVAIL 2
#endif
#ifndef SECCOMP_RET_KILL_PROCESS
#define SECCOMP_RET_KILL_PROCESS 0x80000000U
#endif
#ifndef SECCOMP_RET_USER_NOTIF
#define SECCOMP_RET_USER_NOTIF 0x7fc00000U
#endif

namespace cordon::sandbox::linux {
namespace {

constexpr auto kSpawnTimeout = std::chrono::seconds(10);  // a hung bwrap must not hang doctor

std::optional<long long> read_number(const FileSystem& fs, const std::string& path) {
  auto text = fs.read_file(path, 64);
  if (!text) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(text->c_str(), &end, 10);
  if (errno != 0 || end == text->c_str()) return std::nullopt;
  return v;
}

// CAP_SYS_ADMIN in this process's effective set (from /proc/self/status).
bool has_cap_sys_admin(const FileSystem& fs) {
  auto status = fs.read_file("/proc/self/status", 1 << 16);
  if (!status) return false;
  const auto at = status->find("\nCapEff:");
  if (at == std::string::npos) return false;
  const unsigned long long caps = std::strtoull(status->c_str() + at + 8, nullptr, 16);
  return (caps >> 21) & 1ULL;  // CAP_SYS_ADMIN = 21
}

// Landlock's ABI version, or minus the errno when the kernel refuses.

bool seccomp_action_available(uint32_t action) {
  return ::syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0;
}

void probe_seccomp(ProbeResult& r) {
  const int mode = ::prctl(PR_GET_SECCOMP, 0, 0, 0, 0);
  if (mode < 0) {
    r.seccomp_problem =
        "the kernel was built without seccomp (CONFIG_SECCOMP, CONFIG_SECCOMP_FILTER); use a "
        "kernel that has it (every mainstream distribution's does)";
    return;
  }
  r.seccomp_inherited = mode == 2;
  if (!seccomp_action_available(SECCOMP_RET_ERRNO) ||
      !seccomp_action_available(SECCOMP_RET_KILL_PROCESS)) {
    r.seccomp_problem =
        "seccomp filters that return errors and kill the process need Linux 4.14 "
        "or newer (" +
        std::string(std::strerror(errno)) + ")";
    return;
  }
  r.seccomp = true;
  r.seccomp_user_notif = seccomp_action_available(SECCOMP_RET_USER_NOTIF);
}

struct Captured {
  int status = -1;     // waitpid status; -1 when the process could not start
  std::string output;  // stdout and stderr together
  std::string error;   // why it could not start or was killed
};

// Runs argv (no shell) with stdin from /dev/null and collects its output.
Captured run_capture(std::vector<std::string> args) {
  Captured c;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    c.error = std::string("pipe: ") + std::strerror(errno);
    return c;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
  std::vector<char*> argv = c_strings(args);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    c.error = "cannot run " + args[0] + ": " + std::strerror(rc);
    return c;
  }
  const auto deadline = std::chrono::steady_clock::now() + kSpawnTimeout;
  char buf[4096];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fds[0], POLLIN, 0};
    const int n = left.count() > 0 ? ::poll(&p, 1, static_cast<int>(left.count())) : 0;
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::kill(pid, SIGKILL);
      c.error = args[0] + " did not finish within 10 seconds";
      break;
    }
    const ssize_t got = ::read(fds[0], buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    if (c.output.size() < (1 << 16)) c.output.append(buf, static_cast<size_t>(got));
  }
  ::close(fds[0]);
  while (::waitpid(pid, &c.status, 0) < 0 && errno == EINTR) {
  }
  return c;
}

std::string first_line(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  return printable(line.empty() ? "no message" : line);
}

void probe_bwrap(ProbeResult& r) {
  const std::string& bwrap = *r.bwrap_path;
  Captured v = run_capture({bwrap, "--version"});
  if (v.error.empty() && WIFEXITED(v.status) && WEXITSTATUS(v.status) == 0) {
    r.bwrap_version = parse_bwrap_version(v.output);
  }
  Captured t = run_capture({bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
                            "--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-net",
                            "--new-session", "--die-with-parent", "--", "true"});
  r.bwrap_works = t.error.empty() && WIFEXITED(t.status) && WEXITSTATUS(t.status) == 0;
  if (r.bwrap_works) return;
  std::string why = !t.error.empty() ? t.error : first_line(t.output);
  if (t.error.empty() && WIFSIGNALED(t.status)) {
    why = "killed by signal " + std::to_string(WTERMSIG(t.status));
  }
  r.bwrap_problem = bwrap + " cannot set up a trial sandbox (" + why + ")";
  if (r.userns == false) r.bwrap_problem += "; user namespaces do not work here either";
}

// What the trial child reports over the pipe: the step that failed and its errno.
struct TrialReport {
  int step = -1;  // index into kSteps; -1: all done
  int err = 0;
};
constexpr const char* kSteps[] = {
    "unshare(CLONE_NEWUSER | CLONE_NEWNS)",
    "writing /proc/self/setgroups",
    "writing /proc/self/uid_map",
    "writing /proc/self/gid_map",
    "making the mounts private",
    "mounting a tmpfs",
};

// Async-signal-safe: runs between fork and _exit.
bool write_proc(const char* path, std::string_view text) {
  const int fd = ::open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const ssize_t n = ::write(fd, text.data(), text.size());
  const int e = errno;
  ::close(fd);
  errno = e;
  return n == static_cast<ssize_t>(text.size());
}

// Tries, in a child process, what the native backend needs first: a user namespace with a
// mapping for our ids and a mount in a new mount namespace.
void probe_userns(ProbeResult& r, bool privileged, const FileSystem& fs) {
  // Everything the child needs is prepared here: it must not allocate.
  const std::string uid_map = "0 " + std::to_string(::geteuid()) + " 1\n";
  const std::string gid_map = "0 " + std::to_string(::getegid()) + " 1\n";
  const char* target = fs.lstat_type("/tmp") == FileType::Directory ? "/tmp" : "/";
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    r.userns_problem = std::string("pipe: ") + std::strerror(errno);
    return;
  }
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    TrialReport rep;
    auto fail = [&](int step) {
      rep = {step, errno};
      write_all(fds[1], reinterpret_cast<const char*>(&rep), sizeof rep);
      ::_exit(1);
    };
    if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) fail(0);
    if (!write_proc("/proc/self/setgroups", "deny") && errno != ENOENT) fail(1);
    if (!write_proc("/proc/self/uid_map", uid_map)) fail(2);
    if (!write_proc("/proc/self/gid_map", gid_map)) fail(3);
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) fail(4);
    if (::mount("cordon-probe", target, "tmpfs", MS_NOSUID | MS_NODEV, "size=16k") != 0) fail(5);
    write_all(fds[1], reinterpret_cast<const char*>(&rep), sizeof rep);
    ::_exit(0);
  }
  ::close(fds[1]);
  if (pid < 0) {
    ::close(fds[0]);
    r.userns_problem = std::string("fork: ") + std::strerror(errno);
    return;
  }
  TrialReport rep;
  ssize_t got;
  while ((got = ::read(fds[0], &rep, sizeof rep)) < 0 && errno == EINTR) {
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (got == static_cast<ssize_t>(sizeof rep) && rep.step == -1) {
    r.userns = true;
    return;
  }
  std::string failure;
  if (got == static_cast<ssize_t>(sizeof rep) && rep.step >= 0 &&
      rep.step < static_cast<int>(std::size(kSteps))) {
    failure = std::string(kSteps[rep.step]) + " failed: " + std::strerror(rep.err);
  } else if (WIFSIGNALED(status)) {
    failure = "the trial process was killed by signal " + std::to_string(WTERMSIG(status));
  } else {
    failure = "the trial process ended without a report";
  }
  r.userns = false;
  r.userns_problem = explain_userns_failure(failure, r.sysctls, privileged);
}

}  // namespace

UsernsSysctls read_userns_sysctls(const FileSystem& fs) {
  UsernsSysctls s;
  s.max_user_namespaces = read_number(fs, "/proc/sys/user/max_user_namespaces");
  s.unprivileged_userns_clone = read_number(fs, "/proc/sys/kernel/unprivileged_userns_clone");
  s.apparmor_restrict = read_number(fs, "/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
  return s;
}

std::string explain_userns_failure(const std::string& failure, const UsernsSysctls& s,
                                   bool privileged) {
  std::string out = failure;
  bool explained = false;
  if (s.max_user_namespaces == 0) {
    out +=
        "; user.max_user_namespaces = 0 allows no user namespace at all (fix: sudo sysctl "
        "-w user.max_user_namespaces=10000)";
    explained = true;
  }
  if (!privileged && s.unprivileged_userns_clone == 0) {
    out +=
        "; kernel.unprivileged_userns_clone = 0 forbids them to users other than root (fix: "
        "sudo sysctl -w kernel.unprivileged_userns_clone=1)";
    explained = true;
  }
  if (!privileged && s.apparmor_restrict.has_value() && *s.apparmor_restrict != 0) {
    out +=
        "; kernel.apparmor_restrict_unprivileged_userns = 1: AppArmor strips every capability "
        "inside a new user namespace (Ubuntu 23.10 and later). Fix for the bwrap backend: load "
        "the bwrap AppArmor profile (sudo apt install apparmor-profiles apparmor-utils; sudo "
        "install -m 0644 /usr/share/apparmor/extra-profiles/bwrap-userns-restrict "
        "/etc/apparmor.d/bwrap-userns-restrict; sudo apparmor_parser -r "
        "/etc/apparmor.d/bwrap-userns-restrict). Fix for every backend: sudo sysctl -w "
        "kernel.apparmor_restrict_unprivileged_userns=0";
    explained = true;
  }
  if (!explained) {
    out +=
        "; no kernel setting explains it: a container runtime (its seccomp or AppArmor "
        "profile) or a security module may forbid user namespaces. Allow them there (Docker: "
        "--security-opt seccomp=unconfined --security-opt apparmor=unconfined), or use the "
        "Landlock backend (--backend landlock)";
  }
  return out;
}

bool is_wsl1(const std::string& proc_version) {
  return proc_version.find("Microsoft") != std::string::npos &&
         proc_version.find("WSL2") == std::string::npos;
}

std::string parse_bwrap_version(const std::string& output) {
  const std::string prefix = "bubblewrap ";
  if (output.compare(0, prefix.size(), prefix) != 0) return "";
  const size_t end = output.find_first_of(" \t\r\n", prefix.size());
  return printable(output.substr(prefix.size(), end - prefix.size()));
}

BackendFacts ProbeResult::facts() const {
  BackendFacts f;
  if (bwrap_path && (!full || bwrap_works)) f.bwrap = bwrap_path;
  f.bwrap_problem = bwrap_problem;
  f.userns = userns;
  f.userns_problem = userns_problem;
  f.landlock_abi = landlock_abi;
  return f;
}

ProbeResult probe_host(const ProbeOptions& opts, const FileSystem& fs) {
  ProbeResult r;
  r.full = opts.full;
  r.sysctls = read_userns_sysctls(fs);
  r.apparmor_restricts_userns = r.sysctls.apparmor_restrict.value_or(0) != 0;
  r.cap_last_cap = static_cast<int>(read_number(fs, "/proc/sys/kernel/cap_last_cap").value_or(0));
  r.wsl1 = is_wsl1(fs.read_file("/proc/version", 4096).value_or(""));

  const int abi = landlock_query();
  r.landlock_abi = abi > 0 ? abi : 0;
  if (abi == -EOPNOTSUPP) {
    r.landlock_problem =
        "Landlock is built into the kernel but not enabled: add 'landlock' to "
        "the lsm= kernel boot parameter";
  } else if (abi <= 0) {
    r.landlock_problem =
        "the kernel has no Landlock (needs Linux 5.13 or newer built with "
        "CONFIG_SECURITY_LANDLOCK)";
  }
  probe_seccomp(r);
  if (r.wsl1) {
    r.seccomp = false;
    r.seccomp_problem = kWsl1Problem;
  }

  auto bwrap = find_bwrap(opts.path_env, opts.exclude_roots, fs);
  if (bwrap) {
    r.bwrap_path = *bwrap;
  } else {
    r.bwrap_problem = bwrap.error().message;
  }
  if (!opts.full) return r;
  probe_userns(r, has_cap_sys_admin(fs), fs);
  if (r.bwrap_path) probe_bwrap(r);
  return r;
}

}  // namespace cordon::sandbox::linux
