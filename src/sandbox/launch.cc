// cordon - launch dispatch.
#include "sandbox/launch.h"

#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "sandbox/linux/bwrap_locate.h"
#include "sandbox/linux/landlock.h"
#include "sandbox/linux/launch_bwrap.h"
#include "sandbox/linux/launch_landlock.h"
#include "sandbox/linux/launch_native.h"
#include "sandbox/linux/observer.h"
#include "util/cstrings.h"
#include "util/exit_codes.h"
#include "util/fd.h"
#include "util/io.h"
#include "util/text.h"

namespace cordon::sandbox {
namespace {

// danger-full-access: replace this process with the command.
int exec_unwrapped(const SandboxPlan& plan, const LaunchContext& ctx) {
  std::vector<std::string> env = apply_env(ctx.environment, plan.env);
  std::vector<std::string> args = plan.argv;
  std::vector<char*> envp = c_strings(env);
  std::vector<char*> argv = c_strings(args);
  if (::chdir(plan.cwd.c_str()) != 0) {
    std::fprintf(stderr, "cordon: cannot change to %s: %s\n", plan.cwd.c_str(),
                 std::strerror(errno));
    return exit_code::kUsage;
  }
  ::execvpe(argv[0], argv.data(), envp.data());
  const int e = errno;
  std::fprintf(stderr, "cordon: cannot execute '%s': %s\n", argv[0], std::strerror(e));
  return e == ENOENT ? exit_code::kNotFound : exit_code::kNotExecutable;
}

// danger-full-access, as a child: cordon forwards the usual termination signals and waits.
Result<linux::Finished> spawn_unwrapped(const SandboxPlan& plan, const LaunchContext& ctx) {
  std::vector<std::string> env = apply_env(ctx.environment, plan.env);
  std::vector<std::string> args = plan.argv;
  std::vector<char*> envp = c_strings(env);
  std::vector<char*> argv = c_strings(args);
  auto relay = linux::SignalRelay::start();
  if (!relay) return relay.error();
  Fd err_r, err_w;
  if (auto st = make_pipe(err_r, err_w); !st) return st.error();
  const pid_t pid = ::fork();
  if (pid < 0) return sys_error("fork");
  if (pid == 0) {
    ::sigprocmask(SIG_SETMASK, &relay->old_mask(), nullptr);
    int step = 0;
    if (::chdir(plan.cwd.c_str()) == 0) {
      step = 1;
      ::execvpe(argv[0], argv.data(), envp.data());
    }
    const int e = errno;
    const int msg[2] = {step, e};
    write_all(err_w.fd, reinterpret_cast<const char*>(msg), sizeof msg);
    ::_exit(e == ENOENT && step == 1 ? exit_code::kNotFound : exit_code::kNotExecutable);
  }
  err_w.reset();
  int msg[2] = {0, 0};
  ssize_t got;
  do {
    got = ::read(err_r.fd, msg, sizeof msg);
  } while (got < 0 && errno == EINTR);
  int wstatus = 0;
  for (;;) {
    signalfd_siginfo si{};
    const pid_t w = ::waitpid(pid, &wstatus, WNOHANG);
    if (w == pid) break;
    if (::read(relay->fd(), &si, sizeof si) != static_cast<ssize_t>(sizeof si)) continue;
    if (si.ssi_signo != SIGCHLD) ::kill(pid, static_cast<int>(si.ssi_signo));
  }
  linux::Finished done{linux::shell_status(wstatus), {}};
  ::getrusage(RUSAGE_CHILDREN, &done.usage);
  if (got == static_cast<ssize_t>(sizeof msg)) {
    if (msg[0] == 0) {
      return Error{"cannot change to " + plan.cwd + ": " + std::strerror(msg[1])};
    }
    if (ctx.warn) {
      ctx.warn(std::string("cannot execute '") + plan.argv[0] + "': " + std::strerror(msg[1]));
    }
  }
  return done;
}

Result<linux::Finished> run_landlock(const SandboxPlan& plan, const LaunchContext& ctx, int abi,
                                     linux::Observer* observer) {
  const config::EffectiveConfig& cfg = *ctx.config;
  if (auto why = cannot_build(plan, Backend::Landlock)) return Error{*why};
  const std::vector<std::string> gaps = unenforced(plan, Backend::Landlock, abi);
  if (!gaps.empty()) {
    if (cfg.require_full_enforcement.value) {
      return Error{"the landlock backend cannot enforce: " + join(gaps, "; ") +
                   "; sandbox_linux.require_full_enforcement = true (" +
                   cfg.require_full_enforcement.origin +
                   ") refuses that. Use a backend with namespaces (--backend native or bwrap) "
                   "where user namespaces work, or set require_full_enforcement = false"};
    }
    if (ctx.warn) {
      ctx.warn("warning: the landlock backend cannot enforce: " + join(gaps, "; ") +
               " (sandbox_linux.require_full_enforcement = true refuses to run instead)");
    }
  }
  return linux::launch_landlock(plan, {ctx.environment, abi, observer});
}

// The observer for `backend`, its channel open; nullptr when reports are off.
Result<std::unique_ptr<linux::Observer>> make_observer(const SandboxPlan& plan,
                                                       const LaunchContext& ctx, Backend backend,
                                                       const FileSystem& fs) {
  if (!ctx.config->report_denials.value) return std::unique_ptr<linux::Observer>();
  auto obs = std::make_unique<linux::Observer>(refusal_model(plan, backend), fs, ctx.on_denial);
  if (auto st = obs->open_channel(); !st) return st.error();
  return obs;
}

// The backend's result with what the observer saw.
Result<linux::Finished> with_denials(Result<linux::Finished> r, const linux::Observer* obs) {
  if (!r || obs == nullptr) return r;
  r->denials = obs->log().records();
  r->denials_dropped = obs->log().dropped();
  r->denial_summary = summary_lines(r->denials, r->denials_dropped, obs->model());
  if (obs->unavailable()) {
    r->observer_problem =
        "the kernel did not provide a seccomp listener (it needs Linux 5.5, and a sandbox "
        "already observed by cordon cannot be observed again), so refused calls are not "
        "reported";
  }
  return r;
}

}  // namespace

BackendFacts backend_facts(const SandboxPlan& plan, const LaunchContext& ctx,
                           const FileSystem& fs) {
  const config::EffectiveConfig& cfg = *ctx.config;
  BackendFacts facts;
  const bool bwrap_allowed = cfg.backend.value == config::BackendChoice::Bwrap ||
                             (cfg.backend.value == config::BackendChoice::Auto &&
                              !cfg.use_legacy_landlock.value && cfg.use_linux_sandbox_bwrap.value);
  if (bwrap_allowed) {
    std::vector<std::string> roots;
    for (const auto& r : plan.writable_roots) roots.push_back(r.path);
    roots.push_back(plan.cwd);
    auto bwrap = linux::find_bwrap(ctx.path_env, roots, fs);
    if (bwrap) {
      facts.bwrap = *bwrap;
    } else {
      facts.bwrap_problem = bwrap.error().message;
    }
  }
  // Landlock matters to the automatic choice and to the Landlock backend only.
  if (cfg.backend.value == config::BackendChoice::Auto ||
      cfg.backend.value == config::BackendChoice::Landlock) {
    facts.landlock_abi = linux::landlock_abi();
  }
  return facts;
}

Result<linux::Finished> launch(const SandboxPlan& plan, const LaunchContext& ctx,
                               const FileSystem& fs) {
  if (plan.unwrapped) {
    if (!ctx.replace_process) return spawn_unwrapped(plan, ctx);
    return linux::Finished{exec_unwrapped(plan, ctx), {}};
  }
  if (auto why = unkeepable_limit(plan, *ctx.config, ::geteuid() == 0)) return Error{*why};
  const BackendFacts facts = backend_facts(plan, ctx, fs);
  auto choice = choose_backend(*ctx.config, facts);
  if (!choice) return choice.error();

  auto observer = make_observer(plan, ctx, choice->backend, fs);
  if (!observer) return observer.error();
  linux::Observer* obs = observer->get();
  switch (choice->backend) {
    case Backend::Bwrap: {
      // bwrap runs cordon again inside as the inner stage.
      auto exe = fs.realpath("/proc/self/exe");
      if (!exe) return Error{"cannot find cordon's own executable (/proc/self/exe)"};
      return with_denials(linux::launch_bwrap(plan, {*facts.bwrap, *exe, ctx.environment, obs}),
                          obs);
    }
    case Backend::Landlock:
      return with_denials(run_landlock(plan, ctx, facts.landlock_abi, obs), obs);
    case Backend::Native: {
      bool userns_refused = false;
      auto r = linux::launch_native(plan, {ctx.environment, obs}, &userns_refused);
      if (r || !userns_refused || !choice->landlock_if_no_userns) return with_denials(r, obs);
      if (ctx.warn) {
        ctx.warn("note: " + r.error().describe() + "; using the landlock backend instead");
      }
      auto fallback = make_observer(plan, ctx, Backend::Landlock, fs);
      if (!fallback) return fallback.error();
      return with_denials(run_landlock(plan, ctx, facts.landlock_abi, fallback->get()),
                          fallback->get());
    }
  }
  return Error{"no backend"};
}

}  // namespace cordon::sandbox
