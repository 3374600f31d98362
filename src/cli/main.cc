// cordon - entry point: wiring only.
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli/doctor_cmd.h"
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
  linux_cmd->prefix_command();

  cordon::cli::DoctorArgs dargs;
  CLI::App* doctor = app.add_subcommand(
      "doctor", "Check which sandbox backends work on this machine, and why not");
  cordon::cli::add_doctor_flags(*doctor, dargs);
  cordon::cli::StatusArgs stargs;
  CLI::App* status = app.add_subcommand(
      "status", "Show the effective sandbox for this directory and where each value came from");
  cordon::cli::add_status_flags(*status, stargs);

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
    // The command starts at the first argument that is not an option of ours, or after "--".
    sargs.command = linux_cmd->remaining();
    if (!sargs.command.empty() && sargs.command.front().size() > 1 &&
        sargs.command.front()[0] == '-') {
      std::fprintf(stderr,
                   "cordon: unknown option '%s'\nRun 'cordon sandbox linux --help' for usage; put "
                   "the command after '--' if it starts with '-'.\n",
                   sargs.command.front().c_str());
      return cordon::exit_code::kUsage;
    }
    if (!sargs.command.empty() && split.had_separator) sargs.command.push_back("--");
    sargs.command.insert(sargs.command.end(), split.command.begin(), split.command.end());
    return cordon::cli::run_sandbox(sargs);
  }
  if (doctor->parsed()) return cordon::cli::run_doctor(dargs);
  if (status->parsed()) return cordon::cli::run_status(stargs);
  return cordon::exit_code::kUsage;
}
