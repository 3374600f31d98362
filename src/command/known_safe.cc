// cordon - commands known to only read: run without asking under `-a untrusted` (pure).
#include "command/known_safe.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "command/git_argv.h"
#include "command/shell_split.h"

namespace cordon::command {
namespace {

constexpr std::string_view kAlwaysSafe[] = {
    "cat",  "cd",    "cut",   "echo", "expr",  "false",  "grep",   "head", "id",
    "ls",   "nl",    "paste", "pwd",  "rev",   "seq",    "stat",   "tail", "tr",
    "true", "uname", "uniq",  "wc",   "which", "whoami", "numfmt", "tac"};

template <size_t N>
bool one_of(std::string_view word, const std::string_view (&list)[N]) {
  return std::find(std::begin(list), std::end(list), word) != std::end(list);
}

bool is_short_cluster(std::string_view arg) {
  return arg.size() >= 2 && arg[0] == '-' && arg[1] != '-';
}

bool base64_is_safe(const Argv& argv) {
  for (size_t i = 1; i < argv.size(); ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") break;
    if (arg.starts_with("--o")) return false;  // --output, --output=FILE, abbreviations
    if (is_short_cluster(arg) && arg.find('o') != std::string_view::npos) return false;
  }
  return true;
}

bool find_is_safe(const Argv& argv) {
  constexpr std::string_view kUnsafe[] = {"-exec", "-execdir", "-ok",      "-okdir",  "-delete",
                                          "-fls",  "-fprint",  "-fprint0", "-fprintf"};
  return std::none_of(argv.begin() + 1, argv.end(),
                      [&](const std::string& arg) { return one_of(arg, kUnsafe); });
}

bool rg_is_safe(const Argv& argv) {
  for (size_t i = 1; i < argv.size(); ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") break;
    if (arg == "--pre" || arg.starts_with("--pre=") || arg == "--hostname-bin" ||
        arg.starts_with("--hostname-bin=") || arg == "--search-zip") {
      return false;
    }
    if (is_short_cluster(arg) && arg.find('z') != std::string_view::npos) return false;
  }
  return true;
}

// N p or M,N p: digits, an optional comma and digits, then p.
bool is_sed_print_range(std::string_view s) {
  if (s.size() < 2 || s.back() != 'p') return false;
  s.remove_suffix(1);
  const size_t comma = s.find(',');
  auto digits = [](std::string_view d) {
    return !d.empty() &&
           std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (comma == std::string_view::npos) return digits(s);
  return digits(s.substr(0, comma)) && digits(s.substr(comma + 1));
}

bool sed_is_safe(const Argv& argv) {
  return argv.size() >= 3 && argv.size() <= 4 && argv[1] == "-n" && is_sed_print_range(argv[2]);
}

// Global options that change what git reads or runs: a pager, configuration, another
// repository or executable directory.
bool is_rejected_git_global(std::string_view opt) {
  constexpr std::string_view kExact[] = {"-C", "-c", "-p", "--paginate"};
  constexpr std::string_view kWithValue[] = {"--config-env", "--exec-path",    "--git-dir",
                                             "--namespace",  "--super-prefix", "--work-tree"};
  if (one_of(opt, kExact)) return true;
  if (opt.size() > 2 && (opt.starts_with("-C") || opt.starts_with("-c"))) return true;
  for (std::string_view name : kWithValue) {
    if (opt == name ||
        (opt.starts_with(name) && opt.size() > name.size() && opt[name.size()] == '='))
      return true;
  }
  return false;
}

// Subcommand options that write files or run other programs.
bool has_rejected_git_subcommand_option(const std::vector<std::string>& args) {
  for (std::string_view name : {"--output", "--ext-diff", "--textconv", "--exec"}) {
    for (const std::string& arg : args) {
      if (arg == name ||
          (arg.starts_with(name) && arg.size() > name.size() && arg[name.size()] == '='))
        return true;
    }
  }
  return false;
}

bool git_is_safe(const Argv& argv) {
  const GitInvocation git = parse_git(argv);
  // The words of parse_git's global options include the values of -C, -c...: any of
  // them starting like a rejected option is enough to refuse, a value never makes
  // the command safe.
  for (const std::string& opt : git.global_options) {
    if (is_rejected_git_global(opt)) return false;
  }
  if (git.subcommand >= argv.size()) return false;
  const std::string_view sub = argv[git.subcommand];
  const std::vector<std::string> args(argv.begin() + static_cast<long>(git.subcommand) + 1,
                                      argv.end());
  if (has_rejected_git_subcommand_option(args)) return false;
  if (sub == "status" || sub == "log" || sub == "diff" || sub == "show") return true;
  if (sub == "branch") {
    constexpr std::string_view kListing[] = {"--list", "-l",       "--show-current", "-a",
                                             "--all",  "-r",       "--remotes",      "-v",
                                             "-vv",    "--verbose"};
    return std::all_of(args.begin(), args.end(), [&](const std::string& arg) {
      return one_of(arg, kListing) || arg.starts_with("--format=");
    });
  }
  return false;
}

bool is_safe_to_exec(const Argv& argv) {
  if (argv.empty()) return false;
  const std::string_view name = program_name(argv[0]);
  if (one_of(name, kAlwaysSafe)) return true;
  if (name == "base64") return base64_is_safe(argv);
  if (name == "find") return find_is_safe(argv);
  if (name == "rg") return rg_is_safe(argv);
  if (name == "sed") return sed_is_safe(argv);
  if (name == "git") return git_is_safe(argv);
  return false;
}

}  // namespace

bool is_known_safe(const Argv& argv) {
  if (is_safe_to_exec(argv)) return true;
  const std::optional<std::string> script = shell_script(argv);
  if (!script) return false;
  const std::optional<std::vector<Argv>> commands = split_plain(*script);
  return commands && std::all_of(commands->begin(), commands->end(), is_safe_to_exec);
}

}  // namespace cordon::command
