// cordon - entry point: wiring only.
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli/doctor_cmd.h"
#include "cli/execpolicy_cmd.h"
#include "cli/explain_cmd.h"
#include "cli/run_cmd.h"
#include "cli/sandbox_cmd.h"
#include "cli/status_cmd.h"
#include "sandbox/linux/bwrap_args.h"
#include "sandbox/linux/inner_stage.h"
#include "util/exit_codes.h"

#ifndef CORDON_VERSION
#define CORDON_VERSION "0.0.0"
#endif

namespace {

// CLI11 mishandles "--" inside subcommands: split the command line ourselves.
struct Split {
  std::vector<char*> ours;           // argv up to the first "--"
  std::vector<std::string> command;  // after it
  bool had_separator = false;
};

Split split_at_separator(int argc, char** argv) {
  Split s;
  int i = 0;
  for (; i < argc; ++i) {
    if (i > 0 && std::strcmp(argv[i], "--") == 0) {
      s.had_separator = true;
      break;
    }
    s.ours.push_back(argv[i]);
  }
  for (++i; i < argc; ++i) s.command.emplace_back(argv[i]);
  return s;
}

// The command of a subcommand that takes one: it starts at the first argument that is not an
// option of ours, or after "--". False (after saying why) when that argument looks like an
// option we do not know.
bool command_of(CLI::App& sub, const char* name, const Split& split,
                std::vector<std::string>& command) {
  command = sub.remaining();
  if (!command.empty() && command.front().size() > 1 && command.front()[0] == '-') {
    std::fprintf(stderr,
                 "cordon: unknown option '%s'\nRun '%s --help' for usage; put the command after "
                 "'--' if it starts with '-'.\n",
                 command.front().c_str(), name);
    return false;
  }
  if (!command.empty() && split.had_separator) command.push_back("--");
  command.insert(command.end(), split.command.begin(), split.command.end());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  // The inner stage runs inside the sandbox on every command: keep it off the CLI parser.
  if (argc >= 2 && std::strcmp(argv[1], cordon::sandbox::linux::kInnerStageArg) == 0) {
    // _exit: nothing to flush, and no exit-time hooks (a sanitizer's leak check would
    // need ptrace, which the seccomp filter now refuses).
    ::_exit(cordon::sandbox::linux::run_inner_stage(argc, argv));
  }

  CLI::App app{"cordon: the sandbox-and-approvals layer for AI coding agents"};
  app.set_version_flag("--version", CORDON_VERSION);
  app.require_subcommand(1);

  CLI::App* sandbox =
      app.add_subcommand("sandbox", "Run a command under the sandbox (testing aid)");
  sandbox->alias("debug");
  sandbox->require_subcommand(1);
  cordon::cli::SandboxArgs sargs;
  CLI::App* linux_cmd =
      sandbox->add_subcommand("linux",
                              "Run COMMAND in the Linux sandbox, without approvals: cordon sandbox "
                              "linux [OPTIONS] -- COMMAND...");
  linux_cmd->alias("landlock");
  cordon::cli::add_config_flags(*linux_cmd, sargs.config);
  linux_cmd->add_flag("--json", sargs.json,
                      "Print one JSON object on stdout: the exit code, the command's stdout and "
                      "stderr, and what the sandbox refused");
  linux_cmd->add_flag("--log-denials", sargs.log_denials,
                      "Print each call the sandbox refuses as it happens");
  linux_cmd->prefix_command();

  cordon::cli::ApprovalArgs rargs;
  CLI::App* run_cmd = app.add_subcommand(
      "run",
      "Decide whether COMMAND may run, ask when the policy says so, and run it in the sandbox: "
      "cordon run [OPTIONS] -- COMMAND...");
  cordon::cli::add_approval_flags(*run_cmd, rargs);
  run_cmd->add_flag("--log-denials", rargs.log_denials,
                    "Print each call the sandbox refuses as it happens");
  cordon::cli::ApprovalArgs eargs;
  CLI::App* explain = app.add_subcommand(
      "explain",
      "Show what cordon run would decide for COMMAND, without running it: cordon explain "
      "[OPTIONS] -- COMMAND...");
  cordon::cli::add_approval_flags(*explain, eargs);

  cordon::cli::DoctorArgs dargs;
  CLI::App* doctor = app.add_subcommand(
      "doctor", "Check which sandbox backends work on this machine, and why not");
  cordon::cli::add_doctor_flags(*doctor, dargs);
  cordon::cli::StatusArgs stargs;
  CLI::App* status = app.add_subcommand(
      "status", "Show the effective sandbox for this directory and where each value came from");
  cordon::cli::add_status_flags(*status, stargs);
  cordon::cli::ExecpolicyArgs epargs;
  CLI::App* execpolicy_check = cordon::cli::add_execpolicy_command(app, epargs);

  const Split split = split_at_separator(argc, argv);
  try {
    app.parse(static_cast<int>(split.ours.size()), split.ours.data());
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr,
                 "cordon: %s\nRun 'cordon --help' (or 'cordon sandbox linux --help') for usage.\n",
                 e.what());
    return cordon::exit_code::kUsage;
  }

  if (linux_cmd->parsed()) {
    if (!command_of(*linux_cmd, "cordon sandbox linux", split, sargs.command)) {
      return cordon::exit_code::kUsage;
    }
    return cordon::cli::run_sandbox(sargs);
  }
  if (run_cmd->parsed()) {
    if (!command_of(*run_cmd, "cordon run", split, rargs.command)) return cordon::exit_code::kUsage;
    return cordon::cli::run_run(rargs);
  }
  if (explain->parsed()) {
    if (!command_of(*explain, "cordon explain", split, eargs.command)) {
      return cordon::exit_code::kUsage;
    }
    return cordon::cli::run_explain(eargs);
  }
  if (doctor->parsed()) return cordon::cli::run_doctor(dargs);
  if (status->parsed()) return cordon::cli::run_status(stargs);
  if (execpolicy_check->parsed()) {
    if (!command_of(*execpolicy_check, "cordon execpolicy check", split, epargs.command)) {
      return cordon::exit_code::kUsage;
    }
    return cordon::cli::run_execpolicy_check(epargs);
  }
  return cordon::exit_code::kUsage;
}
