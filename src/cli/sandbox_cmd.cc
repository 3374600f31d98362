// cordon - `cordon sandbox linux`.
#include "cli/sandbox_cmd.h"

#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>

#include "cli/capture.h"
#include "cli/denial_report.h"
#include "policy/profile.h"
#include "sandbox/launch.h"
#include "sandbox/linux/limits.h"
#include "sandbox/plan.h"
#include "util/exit_codes.h"
#include "util/io.h"

extern char** environ;

namespace cordon::cli {
namespace {

void say(const std::string& msg) {
  std::fprintf(stderr, "cordon: %s\n", msg.c_str());
}

}  // namespace

void add_config_flags(CLI::App& app, config::CliOptions& o) {
  app.add_option("-c,--config", o.overrides,
                 "Override a config value: key=value (dotted key; value parsed as TOML, else "
                 "taken as a string). Repeatable.")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  auto* sandbox = app.add_option_function<std::string>(
                         "-s,--sandbox", [&o](const std::string& v) { o.sandbox_mode = v; },
                         "Sandbox mode: read-only, workspace-write or danger-full-access")
                      ->type_name("MODE");
  app.add_option_function<std::string>(
         "-a,--ask-for-approval", [&o](const std::string& v) { o.approval_policy = v; },
         "Approval policy: untrusted, on-request, never")
      ->type_name("POLICY");
  auto* full_auto =
      app.add_flag("--full-auto", o.full_auto,
                   "Shorthand for --sandbox workspace-write --ask-for-approval on-request");
  auto* yolo = app.add_flag("--dangerously-bypass-approvals-and-sandbox,--yolo", o.yolo,
                            "Run without any sandbox and without approvals (not recommended)");
  full_auto->excludes(yolo);
  sandbox->excludes(full_auto);
  sandbox->excludes(yolo);
  app.add_option_function<std::string>(
         "--profile", [&o](const std::string& v) { o.profile = v; },
         "Use the settings of [profiles.NAME]")
      ->type_name("NAME");
  app.add_option("--add-dir", o.add_dirs, "Make DIR writable too (workspace-write). Repeatable.")
      ->type_name("DIR")
      ->allow_extra_args(false);
  app.add_option_function<std::string>(
         "-C,--cd", [&o](const std::string& v) { o.cd = v; },
         "Workspace and working directory of the command (default: the current directory)")
      ->type_name("DIR");
  app.add_flag("--strict-config", o.strict_config, "Treat unknown config keys as errors");
  app.add_option_function<std::string>(
         "--backend", [&o](const std::string& v) { o.backend = v; },
         "Linux sandbox backend: auto (default), bwrap, native or landlock "
         "(sets sandbox_linux.backend)")
      ->type_name("BACKEND");
  app.add_option_function<std::string>(
         "-P,--permissions-profile,--permissions",
         [&o](const std::string& v) { o.permissions_profile = v; },
         "Permission profile: a [permissions.<name>] of the config, or :read-only, :workspace, "
         ":danger-full-access (sets default_permissions)")
      ->type_name("NAME");
}

int load_effective(const config::CliOptions& cli, std::vector<std::string> command,
                   const FileSystem& fs, Effective& out) {
  char cwd_buf[PATH_MAX];
  if (::getcwd(cwd_buf, sizeof cwd_buf) == nullptr) {
    say("cannot determine the current directory");
    return exit_code::kUsage;
  }
  config::LoadInputs in;
  in.system_config = config::kSystemConfigPath;
  in.user_config =
      config::default_user_config_path(std::getenv("CORDON_HOME"), std::getenv("HOME"));
  in.process_cwd = cwd_buf;
  in.cli = cli;
  auto cfg = config::load(in, fs);
  if (!cfg) {
    say(cfg.error().describe());
    return exit_code::kConfig;
  }
  for (const auto& w : cfg->warnings) say("warning: " + w);
  auto fsp = policy::filesystem_policy(*cfg, std::getenv("TMPDIR"), fs);
  if (!fsp) {
    if (cfg->permissions) {
      say(fsp.error().describe());
      return exit_code::kConfig;
    }
    say("sandbox setup failed: " + fsp.error().describe());
    return exit_code::kSandboxSetup;
  }
  for (const auto& w : fsp->warnings) say("warning: " + w);
  auto plan = sandbox::make_plan(*cfg, *fsp, {std::move(command), cfg->workspace});
  if (!plan) {
    say(plan.error().describe());
    return exit_code::kConfig;
  }
  out = {std::move(*cfg), std::move(*fsp), std::move(*plan)};
  return 0;
}

sandbox::LaunchContext launch_context(const config::EffectiveConfig& cfg,
                                      std::function<void(const std::string&)> warn) {
  sandbox::LaunchContext ctx;
  for (char** e = environ; *e != nullptr; ++e) ctx.environment.emplace_back(*e);
  ctx.path_env = std::getenv("PATH");
  ctx.config = &cfg;
  ctx.warn = std::move(warn);
  return ctx;
}

int run_sandbox(const SandboxArgs& args) {
  if (args.command.empty()) {
    say("no command given; usage: cordon sandbox linux [OPTIONS] -- COMMAND [ARGS...]");
    return exit_code::kUsage;
  }
  RealFileSystem fs;
  Effective eff;
  if (int rc = load_effective(args.config, args.command, fs, eff); rc != 0) return rc;
  const sandbox::SandboxPlan& plan = eff.plan;
  if (plan.unwrapped) say("danger-full-access: running the command without a sandbox");

  // cordon's own lines go to the real stderr, also while --json captures the command's.
  OutputCapture capture;
  int real_err = STDERR_FILENO;
  if (args.json) {
    if (auto st = capture.start(); !st) {
      say("cannot capture the command's output: " + st.error().describe());
      return exit_code::kInternal;
    }
    real_err = capture.real_stderr();
  }
  auto to_user = [&real_err](const std::string& m) { write_all(real_err, "cordon: " + m + "\n"); };
  sandbox::LaunchContext ctx = launch_context(eff.cfg, to_user);
  if (args.json) ctx.replace_process = false;  // the JSON comes after the command
  if (args.log_denials) ctx.on_denial = live_denial_printer(real_err);
  auto done = sandbox::launch(plan, ctx, fs);
  if (args.json) {
    capture.stop();  // fd 2 is the real stderr again
    real_err = STDERR_FILENO;
  }
  int rc = exit_code::kSandboxSetup;
  if (!done) {
    to_user("sandbox setup failed; the command did not run: " + done.error().describe());
  } else {
    if (auto why = sandbox::linux::limit_report(plan.limits, eff.cfg, done->status, done->usage)) {
      to_user(*why);
    }
    for (const auto& line : denial_report_lines(*done)) to_user(line);
    rc = done->status;
  }
  if (args.json) {
    nlohmann::ordered_json j;
    j["exit_code"] = rc;
    if (!done)
      j["error"] = "sandbox setup failed; the command did not run: " + done.error().describe();
    j["stdout"] = capture.out();
    j["stderr"] = capture.err();
    if (capture.out_dropped() > 0 || capture.err_dropped() > 0) {
      j["stdout_bytes_dropped"] = capture.out_dropped();
      j["stderr_bytes_dropped"] = capture.err_dropped();
    }
    j["denials"] = done ? denials_json(done->denials) : nlohmann::ordered_json::array();
    j["denials_dropped"] = done ? done->denials_dropped : 0;
    write_all(STDOUT_FILENO,
              j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n");
  }
  return rc;
}

}  // namespace cordon::cli
