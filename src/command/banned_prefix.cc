// cordon - prefixes never offered for "always allow" (pure).
#include "command/banned_prefix.h"

#include <algorithm>
#include <string_view>

#include "command/dangerous.h"
#include "command/git_argv.h"

namespace cordon::command {
namespace {

// name followed by digits and dots only ("python3.12", "lua5.4"), or exactly name.
bool is_versioned(std::string_view program, std::string_view name) {
  if (!program.starts_with(name)) return false;
  const std::string_view version = program.substr(name.size());
  return std::all_of(version.begin(), version.end(),
                     [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

struct InterpreterSpec {
  std::string_view eval_short;     // letters that take code from the command line (or stdin)
  std::string_view eval_long;      // space-separated long names doing the same
  std::string_view value_short;    // letters whose value is the next word (or attached)
  std::string_view value_long;     // space-separated long names whose value is the next word
  std::string_view program_short;  // letters whose value names the program (python -m)
  bool dash_is_eval = false;       // a lone "-": the program is read from stdin
};

constexpr InterpreterSpec kPython{"c", "", "WXQ", "", "m", true};
constexpr InterpreterSpec kNode{"epi",
                                "eval print interactive",
                                "rC",
                                "require import loader experimental-loader conditions "
                                "input-type title env-file",
                                "",
                                true};
constexpr InterpreterSpec kPerl{"eE", "", "", "", "", true};
constexpr InterpreterSpec kRuby{"e", "", "IrCE", "", "", true};
constexpr InterpreterSpec kPhp{"rBREa", "", "cdzt", "", "f", true};
constexpr InterpreterSpec kLua{"ei", "", "l", "", "", true};
constexpr InterpreterSpec kJulia{"eEi", "eval print", "pJtCL", "project", "", true};
constexpr InterpreterSpec kRscript{"e", "", "", "", "", true};
constexpr InterpreterSpec kOsascript{"e", "", "ls", "", "", true};

const InterpreterSpec* interpreter(std::string_view program) {
  if (program == "py" || is_versioned(program, "python") || is_versioned(program, "pypy")) {
    return &kPython;
  }
  if (program == "node" || program == "nodejs") return &kNode;
  if (is_versioned(program, "perl")) return &kPerl;
  if (is_versioned(program, "ruby")) return &kRuby;
  if (is_versioned(program, "php")) return &kPhp;
  if (is_versioned(program, "lua") || program == "luajit") return &kLua;
  if (is_versioned(program, "julia")) return &kJulia;
  if (program == "Rscript") return &kRscript;
  if (program == "osascript") return &kOsascript;
  return nullptr;
}

// True when the prefix names no program for the interpreter yet, or uses an eval option.
bool interpreter_prefix_is_banned(const Argv& p, const InterpreterSpec& spec) {
  for (size_t i = 1; i < p.size(); ++i) {
    const std::string_view w = p[i];
    if (w == "-") return spec.dash_is_eval;
    if (w == "--") return i + 1 >= p.size();  // the program follows
    if (w.starts_with("--")) {
      const std::string_view name = w.substr(2, w.find('=') - 2);
      if (in_list(spec.eval_long, name)) return true;
      if (in_list(spec.value_long, name) && w.find('=') == std::string_view::npos) ++i;
      continue;
    }
    if (w.size() > 1 && w[0] == '-') {
      for (size_t k = 1; k < w.size(); ++k) {
        const char c = w[k];
        if (spec.eval_short.find(c) != std::string_view::npos) return true;
        if (spec.program_short.find(c) != std::string_view::npos) {
          return k + 1 == w.size() && i + 1 >= p.size();  // -m MODULE names the program
        }
        if (spec.value_short.find(c) != std::string_view::npos) {
          if (k + 1 == w.size()) ++i;
          break;
        }
      }
      continue;
    }
    return false;  // the program (a script file)
  }
  return true;  // no program yet: some longer command adds an eval option
}

// npm run SCRIPT, deno run FILE...: banned while nothing to run is named.
bool runner_prefix_is_banned(const Argv& p, std::string_view program) {
  size_t i = 1;
  while (i < p.size() && p[i].starts_with("-")) {
    if ((program == "bun") &&
        (p[i] == "-e" || p[i] == "--eval" || p[i] == "-p" || p[i] == "--print")) {
      return true;
    }
    ++i;
  }
  if (i >= p.size()) return true;  // nothing but options: a prefix of `X run`
  const std::string_view sub = p[i];
  if (program == "deno" && (sub == "eval" || sub == "repl")) return true;
  if (sub != "run" && sub != "run-script" && sub != "exec" && sub != "x" && sub != "dlx") {
    return false;  // a subcommand, or (bun) a script file
  }
  for (size_t j = i + 1; j < p.size(); ++j) {
    if (!p[j].starts_with("-")) return false;  // the script or package
  }
  return true;
}

}  // namespace

bool is_banned_prefix(const Argv& prefix) {
  if (prefix.empty()) return true;
  const std::string_view program = program_name(prefix[0]);
  if (program == "rm") return true;
  if (in_list("bash sh zsh dash ksh mksh yash fish ash rbash pwsh powershell cmd", program)) {
    if (prefix.size() == 1) return true;
    const std::string_view first = prefix[1];
    return first.starts_with("-") || first.starts_with("+") || first.starts_with("/");
  }
  if (is_command_wrapper(program)) return true;
  if (const InterpreterSpec* spec = interpreter(program)) {
    return interpreter_prefix_is_banned(prefix, *spec);
  }
  if (in_list("npm pnpm yarn bun deno", program)) return runner_prefix_is_banned(prefix, program);
  if (in_list("npx pnpx bunx", program)) {
    return std::all_of(prefix.begin() + 1, prefix.end(),
                       [](const std::string& w) { return w.starts_with("-"); });
  }
  if (program == "git") return parse_git(prefix).subcommand >= prefix.size();
  return false;
}

}  // namespace cordon::command
