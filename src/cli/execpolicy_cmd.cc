// cordon - `cordon execpolicy check`.
#include "cli/execpolicy_cmd.h"

#include <cstdio>

#include "rules/check_json.h"
#include "rules/load.h"
#include "rules/policy.h"
#include "util/exit_codes.h"
#include "util/printable.h"

namespace cordon::cli {
namespace {

// The whole file, or an error naming it.
Result<std::string> read_text(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rbe");
  if (f == nullptr) return sys_error(printable(path) + ": cannot read");
  std::string text;
  char buf[65536];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) {
    text.append(buf, n);
    if (text.size() > rules::kMaxRulesFileBytes) {
      std::fclose(f);
      return Error{printable(path) + ": larger than " +
                   std::to_string(rules::kMaxRulesFileBytes >> 20) + " MiB"};
    }
  }
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) return Error{printable(path) + ": cannot read"};
  return text;
}

}  // namespace

CLI::App* add_execpolicy_command(CLI::App& app, ExecpolicyArgs& args) {
  CLI::App* ep = app.add_subcommand("execpolicy", "Check commands against .rules files");
  ep->require_subcommand(1);
  CLI::App* check = ep->add_subcommand(
      "check",
      "Print the rules that match COMMAND and the strictest decision, as JSON: cordon "
      "execpolicy check --rules FILE [--rules FILE]... -- COMMAND...");
  check->add_option("-r,--rules", args.rules, "A .rules file (repeatable; loaded in order)")
      ->required()
      ->allow_extra_args(false)  // one file per --rules: the command may follow without "--"
      ->type_name("FILE");
  check->add_flag("--pretty", args.pretty, "Indent the JSON");
  check->add_flag("--resolve-host-executables", args.resolve_host_executables,
                  "Match an absolute program path by its basename (see host_executable())");
  check->prefix_command();
  return check;
}

int run_execpolicy_check(const ExecpolicyArgs& args) {
  const std::vector<std::string>& command = args.command;
  if (command.empty()) {
    std::fprintf(stderr,
                 "cordon: execpolicy check needs a command: cordon execpolicy check --rules FILE "
                 "-- COMMAND...\n");
    return exit_code::kUsage;
  }

  rules::Policy policy;
  for (const auto& path : args.rules) {
    auto text = read_text(path);
    if (!text) {
      std::fprintf(stderr, "cordon: %s\n", text.error().describe().c_str());
      return exit_code::kConfig;
    }
    if (auto s = policy.add_source(*text, path); !s) {
      std::fprintf(stderr, "cordon: %s\n", s.error().message.c_str());
      return exit_code::kConfig;
    }
  }
  const auto json = rules::check_json(policy.matches(command, args.resolve_host_executables));
  const std::string out =
      json.dump(args.pretty ? 2 : -1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::printf("%s\n", out.c_str());
  return std::fflush(stdout) == 0 ? 0 : exit_code::kInternal;
}

}  // namespace cordon::cli
