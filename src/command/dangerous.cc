// cordon - commands that destroy data without asking (pure).
#include "command/dangerous.h"

#include <algorithm>
#include <cctype>
#include <utility>
#include <vector>

#include "command/git_argv.h"
#include "command/shell_split.h"

namespace cordon::command {
namespace {

// Wrapper and shell levels followed; a command nested deeper is reported.
constexpr int kMaxDepth = 8;
// Commands examined (and option-parsing alternatives tried) for one find_danger call.
constexpr int kBudget = 4096;

// How a wrapper's options are read to find the command it runs.
struct WrapperSpec {
  std::string_view name;
  std::string_view short_value;     // letters taking a value (attached, or the next word)
  std::string_view short_attached;  // letters whose optional value can only be attached
  std::string_view short_flags;     // letters without a value
  std::string_view long_value;      // space-separated names (no "--") taking a value
  std::string_view long_flags;      // space-separated names without a value
  bool assignments = false;         // NAME=VALUE words may come before the command
  bool dash_is_option = false;      // a lone "-" is an option (env: same as -i)
  int operands = 0;                 // words between the options and the command
};

constexpr WrapperSpec kWrappers[] = {
    // -h is both --help and --host=HOST: left out, so it is tried both ways.
    {"sudo", "CDgpRrtTuU", "", "AbBEeHiKklnNPSsVv",
     "close-from chdir group host prompt chroot role type command-timeout user other-user",
     "askpass background bell preserve-env edit preserve-groups set-home login "
     "remove-timestamp reset-timestamp list non-interactive shell stdin validate version help"},
    {"doas", "uC", "", "nsL", "", ""},
    {"env", "uCS", "", "i0v", "unset chdir split-string",
     "ignore-environment null debug list-signal-handling help version", true, true},
    {"nice", "n", "", "0123456789", "adjustment", "help version"},
    {"nohup", "", "", "", "", "help version"},
    {"time", "of", "", "pvqa", "output format", "append verbose quiet portability help version"},
    {"timeout", "sk", "", "v", "signal kill-after",
     "foreground preserve-status verbose help version", false, false, 1},
    {"xargs", "adEILnPs", "eil", "0oprtx",
     "arg-file delimiter max-args max-procs max-chars process-slot-var",
     "null open-tty interactive no-run-if-empty verbose exit show-limits help version eof replace "
     "max-lines"},
    {"stdbuf", "ioe", "", "", "input output error", "help version"},
    {"setsid", "", "", "cfw", "", "ctty fork wait help version"},
    {"ionice", "cnpPu", "", "t", "class classdata pid pgid uid", "ignore help version"},
    {"chroot", "", "", "", "userspec groups", "skip-chdir help version", false, false, 1},
    {"command", "", "", "pvV", "", ""},
    {"builtin", "", "", "", "", ""},
    {"exec", "a", "", "cl", "", ""},
    {"busybox", "", "", "", "", ""},
    {"runuser", "ugGsw", "", "lmpfP", "user group supp-group shell whitelist-environment",
     "login preserve-environment pty help version"},
    {"flock", "wE", "", "sxeunoF", "timeout conflict-exit-code",
     "shared exclusive unlock nonblock close no-fork verbose help version", false, false, 1},
    {"watch", "nq", "", "bcCdegptwxr", "interval equexit",
     "beep color no-color differences errexit chgexit exec precise no-title no-wrap no-rerun "
     "help version"},
};

constexpr std::string_view kShells[] = {"bash", "sh",   "zsh",  "dash", "ksh",
                                        "mksh", "yash", "fish", "ash",  "rbash"};

bool is_shell(std::string_view name) {
  return std::find(std::begin(kShells), std::end(kShells), name) != std::end(kShells);
}

const WrapperSpec* wrapper_spec(std::string_view name) {
  for (const WrapperSpec& w : kWrappers) {
    if (w.name == name) return &w;
  }
  return nullptr;
}

bool is_env_assignment(std::string_view w) {
  const size_t eq = w.find('=');
  if (eq == 0 || eq == std::string_view::npos) return false;
  return std::all_of(w.begin(), w.begin() + static_cast<long>(eq), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

std::string join(const Argv& argv, size_t from) {
  std::string s;
  for (size_t i = from; i < argv.size(); ++i) {
    if (i > from) s.push_back(' ');
    s += argv[i];
  }
  return s;
}

Argv tail(const Argv& argv, size_t from) {
  return from < argv.size() ? Argv(argv.begin() + static_cast<long>(from), argv.end()) : Argv{};
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

class Checker {
 public:
  std::optional<Danger> check(const Argv& argv, int depth);

 private:
  std::optional<Danger> check_script(std::string_view script, int depth);
  std::optional<Danger> check_tail(const Argv& argv, size_t from, int depth) {
    return from < argv.size() ? check(tail(argv, from), depth) : std::nullopt;
  }
  std::optional<Danger> check_wrapped(const Argv& argv, const WrapperSpec& spec, int depth);
  void command_starts(const Argv& argv, size_t i, const WrapperSpec& spec, int operands,
                      std::vector<size_t>* starts);
  std::optional<Danger> shell(const Argv& argv, int depth);
  std::optional<Danger> git(const Argv& argv, int depth);
  std::optional<Danger> find_exec(const Argv& argv, int depth);
  std::optional<Danger> dash_c_option(const Argv& argv, int depth);
  std::optional<Danger> env_split_string(const Argv& argv, int depth);
  std::optional<Danger> watch(const Argv& argv, int depth);

  int budget_ = kBudget;
};

std::optional<Danger> rm_danger(const Argv& argv) {
  for (size_t i = 1; i < argv.size(); ++i) {
    const std::string_view a = argv[i];
    if (a == "--") break;
    if (a.starts_with("--")) {
      const std::string_view name = a.substr(0, a.find('='));
      const std::string_view value =
          name.size() < a.size() ? a.substr(name.size() + 1) : std::string_view{};
      // GNU rm takes any unambiguous abbreviation of a long option.
      if (name.size() >= 3 && std::string_view("--force").starts_with(name)) {
        return Danger{"rm " + std::string(a) + " deletes without asking (forced rm)", argv};
      }
      if (name.size() >= 3 && std::string_view("--interactive").starts_with(name) &&
          (value == "never" || value == "no" || value == "none")) {
        return Danger{"rm " + std::string(a) + " deletes without asking (forced rm)", argv};
      }
      if (name.size() >= 4 && std::string_view("--no-preserve-root").starts_with(name)) {
        return Danger{"rm " + std::string(a) + " may delete the whole file system", argv};
      }
      continue;
    }
    if (a.size() >= 2 && a[0] == '-' && a.find('f') != std::string_view::npos) {
      return Danger{"rm " + std::string(a) + " deletes without asking (forced rm)", argv};
    }
  }
  return std::nullopt;
}

// The first word of args not starting with '-'.
std::string_view first_operand(const std::vector<std::string>& args) {
  for (const std::string& a : args) {
    if (!a.empty() && a[0] != '-') return a;
  }
  return {};
}

// The destructive git operations of the table in dangerous.h: the reason, or empty.
std::string git_destruction(std::string_view sub, const std::vector<std::string>& args) {
  auto has_long = [&](std::string_view name) { return has_long_option(args, name); };
  auto has_short = [&](char c, std::string_view value_letters = "") {
    return has_short_option(args, c, value_letters);
  };
  auto has_word = [&](std::string_view w) {
    return std::find(args.begin(), args.end(), w) != args.end();
  };
  if (sub == "reset" && has_long("--hard")) return "git reset --hard discards uncommitted changes";
  if (sub == "clean" && !has_short('n', "e") && !has_long("--dry-run")) {
    return "git clean deletes untracked files";
  }
  if (sub == "push") {
    if (has_short('f', "o") || has_long("--force") || has_long("--force-with-lease") ||
        has_long("--force-if-includes")) {
      return "git push --force overwrites the remote history";
    }
    if (has_short('d', "o") || has_long("--delete") || has_long("--mirror") ||
        has_long("--prune")) {
      return "git push --delete/--mirror/--prune deletes remote branches";
    }
    bool after_dashes = false;
    for (const std::string& a : args) {
      if (a == "--" && !after_dashes) {
        after_dashes = true;
        continue;
      }
      if (a.empty() || (a[0] == '-' && !after_dashes)) continue;
      if (a[0] == '+') return "git push +REFSPEC overwrites the remote history";
      if (a[0] == ':') return "git push :REFSPEC deletes a remote branch";
    }
  }
  if (sub == "branch") {
    if (has_short('D', "u")) return "git branch -D deletes a branch even when it is not merged";
    if (has_short('M', "u") || has_short('C', "u") || has_short('f', "u") || has_long("--force")) {
      return "git branch -f/-M/-C overwrites an existing branch";
    }
  }
  if (sub == "checkout") {
    if (has_short('f', "bB") || has_long("--force")) {
      return "git checkout --force discards local changes";
    }
    const auto dashes = std::find(args.begin(), args.end(), "--");
    if ((dashes != args.end() && dashes + 1 != args.end()) || has_word(".") || has_long("--ours") ||
        has_long("--theirs")) {
      return "git checkout of paths overwrites local changes to those files";
    }
  }
  if (sub == "switch" &&
      (has_short('f', "cC") || has_long("--force") || has_long("--discard-changes"))) {
    return "git switch --force discards local changes";
  }
  if (sub == "restore") {
    const bool staged = has_long("--staged") || has_short('S', "s");
    const bool worktree = has_long("--worktree") || has_short('W', "s");
    if (!staged || worktree)
      return "git restore overwrites working-tree files, losing local changes";
  }
  if (sub == "rm" && (has_short('f') || has_long("--force"))) {
    return "git rm --force deletes files with uncommitted changes";
  }
  if (sub == "stash") {
    const std::string_view op = first_operand(args);
    if (op == "drop" || op == "clear") return "git stash drop/clear deletes stashed changes";
  }
  if (sub == "reflog") {
    const std::string_view op = first_operand(args);
    if (op == "expire" || op == "delete") {
      return "git reflog expire/delete removes what recovers lost commits";
    }
  }
  if (sub == "update-ref" && (has_short('d', "m") || has_long("--delete") || has_long("--stdin"))) {
    return "git update-ref -d/--stdin deletes or rewrites refs";
  }
  if (sub == "filter-branch" || sub == "filter-repo") {
    return "git " + std::string(sub) + " rewrites the whole history";
  }
  if (sub == "worktree" && first_operand(args) == "remove" &&
      (has_short('f') || has_long("--force"))) {
    return "git worktree remove --force deletes a worktree with uncommitted changes";
  }
  if ((sub == "gc" && (has_word("--prune=now") || has_word("--prune=all"))) ||
      (sub == "prune" && !has_short('n') && !has_long("--dry-run"))) {
    return "git " + std::string(sub) + " deletes unreachable objects at once";
  }
  return {};
}

std::optional<Danger> Checker::check(const Argv& argv, int depth) {
  if (argv.empty()) return std::nullopt;
  if (depth > kMaxDepth) {
    return Danger{"nested more than 8 wrapper or shell levels deep, too deep to check", argv};
  }
  if (--budget_ < 0) return Danger{"too many nested commands to check", argv};
  const std::string_view name = program_name(argv[0]);
  if (name == "rm") return rm_danger(argv);
  if (name == "git") return git(argv, depth);
  if (is_shell(name)) return shell(argv, depth);
  if (name == "find") return find_exec(argv, depth);
  if (name == "eval") return check_script(join(argv, 1), depth + 1);
  if (name == "trap") {
    size_t i = 1;
    while (i < argv.size() &&
           (argv[i] == "-p" || argv[i] == "-l" || argv[i] == "-lp" || argv[i] == "-pl")) {
      ++i;
    }
    if (i < argv.size() && argv[i] == "--") ++i;
    return i < argv.size() ? check_script(argv[i], depth + 1) : std::nullopt;
  }
  if (name == "su" || name == "runuser" || name == "flock") {
    if (auto d = dash_c_option(argv, depth)) return d;
    if (name == "su") return std::nullopt;
  }
  if (name == "env") {
    if (auto d = env_split_string(argv, depth)) return d;
  }
  if (name == "watch") return watch(argv, depth);
  if (const WrapperSpec* spec = wrapper_spec(name)) return check_wrapped(argv, *spec, depth);
  return std::nullopt;
}

std::optional<Danger> Checker::check_script(std::string_view script, int depth) {
  for (const Argv& command : literal_commands(script)) {
    if (auto d = check(command, depth)) return d;
  }
  return std::nullopt;
}

// Where the wrapped command may start, past the wrapper's options. An option the spec
// does not know is read as a flag, and also (while the budget lasts) as taking the next
// word as its value.
void Checker::command_starts(const Argv& argv, size_t i, const WrapperSpec& spec, int operands,
                             std::vector<size_t>* starts) {
  for (; i < argv.size(); ++i) {
    const std::string_view w = argv[i];
    if (w == "--") {
      const size_t start = i + 1 + static_cast<size_t>(operands);
      if (start < argv.size()) starts->push_back(start);
      return;
    }
    if (w == "-" && spec.dash_is_option) continue;
    if (w.size() > 2 && w.starts_with("--")) {
      if (w.find('=') != std::string_view::npos) continue;
      const std::string_view long_name = w.substr(2);
      if (in_list(spec.long_value, long_name)) {
        ++i;
      } else if (!in_list(spec.long_flags, long_name) && --budget_ >= 0) {
        command_starts(argv, i + 2, spec, operands, starts);
      }
      continue;
    }
    if (w.size() > 1 && w[0] == '-') {
      bool value_in_next_word = false;
      for (size_t k = 1; k < w.size(); ++k) {
        const char c = w[k];
        if (spec.short_value.find(c) != std::string_view::npos) {
          value_in_next_word = k + 1 == w.size();
          break;
        }
        if (spec.short_attached.find(c) != std::string_view::npos) break;
        if (spec.short_flags.find(c) != std::string_view::npos) continue;
        if (k + 1 == w.size() && --budget_ >= 0)
          command_starts(argv, i + 2, spec, operands, starts);
      }
      if (value_in_next_word) ++i;
      continue;
    }
    if (spec.assignments && is_env_assignment(w)) continue;
    if (operands > 0) {
      --operands;
      continue;
    }
    starts->push_back(i);
    return;
  }
}

std::optional<Danger> Checker::check_wrapped(const Argv& argv, const WrapperSpec& spec, int depth) {
  std::vector<size_t> starts;
  command_starts(argv, 1, spec, spec.operands, &starts);
  std::sort(starts.begin(), starts.end());
  starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
  for (size_t start : starts) {
    if (auto d = check_tail(argv, start, depth + 1)) return d;
  }
  if (budget_ < 0) return Danger{"too many ways to read the command's options to check it", argv};
  return std::nullopt;
}

// bash sh zsh ...: the script of -c (in any option cluster: -lc, -ec, -xc), which is the
// first word after the options.
std::optional<Danger> Checker::shell(const Argv& argv, int depth) {
  bool dash_c = false;
  size_t i = 1;
  for (; i < argv.size(); ++i) {
    const std::string_view a = argv[i];
    if (a == "--" || a == "-") {
      ++i;
      break;
    }
    if (a.size() < 2 || (a[0] != '-' && a[0] != '+')) break;
    // An option-looking word is not a script to the shell (`bash -c '-x; rm -rf /'`
    // runs nothing), but another shell might differ: one that holds more than an option
    // is read as a script too.
    if (a.find_first_of(" \t\n;&|`$(") != std::string_view::npos) {
      if (auto d = check_script(a, depth + 1)) return d;
    }
    if (a.starts_with("--")) {
      if (a == "--rcfile" || a == "--init-file") {
        ++i;
      } else if (a == "--command") {
        dash_c = true;
      } else if (a.starts_with("--command=")) {
        if (auto d = check_script(a.substr(10), depth + 1)) return d;
      }
      continue;
    }
    for (size_t k = 1; k < a.size(); ++k) {
      if (a[k] == 'c') dash_c = true;
      if (a[k] == 'o' || a[k] == 'O') {
        ++i;  // -o OPTION, -O SHOPT
        break;
      }
    }
  }
  if (dash_c && i < argv.size()) return check_script(argv[i], depth + 1);
  return std::nullopt;
}

std::optional<Danger> Checker::git(const Argv& argv, int depth) {
  const GitInvocation inv = parse_git(argv);
  const std::string_view sub =
      inv.subcommand < argv.size() ? std::string_view(argv[inv.subcommand]) : std::string_view{};
  // Aliases given on the command line: "!CMD" runs a shell command; any other value
  // replaces the subcommand it names.
  for (const auto& [key, value] : inv.config) {
    const std::string lower = to_lower(key);
    if (!lower.starts_with("alias.")) continue;
    if (!value.empty() && value[0] == '!') {
      if (auto d = check_script(std::string_view(value).substr(1), depth + 1)) return d;
    } else if (!sub.empty() && lower.substr(6) == to_lower(sub)) {
      Argv expanded{argv[0]};
      for (const Argv& words : literal_commands(value)) {
        expanded.insert(expanded.end(), words.begin(), words.end());
      }
      const Argv rest = tail(argv, inv.subcommand + 1);
      expanded.insert(expanded.end(), rest.begin(), rest.end());
      if (auto d = check(expanded, depth + 1)) return d;
    }
  }
  if (sub.empty()) return std::nullopt;
  std::string reason = git_destruction(sub, tail(argv, inv.subcommand + 1));
  if (reason.empty()) return std::nullopt;
  return Danger{std::move(reason), argv};
}

// find ... -exec CMD ... ; (also -execdir -ok -okdir, and ending with +).
std::optional<Danger> Checker::find_exec(const Argv& argv, int depth) {
  for (size_t i = 1; i < argv.size(); ++i) {
    const std::string_view a = argv[i];
    if (a != "-exec" && a != "-execdir" && a != "-ok" && a != "-okdir") continue;
    size_t end = i + 1;
    while (end < argv.size() && argv[end] != ";" && argv[end] != "+") ++end;
    const Argv command(argv.begin() + static_cast<long>(i) + 1,
                       argv.begin() + static_cast<long>(end));
    if (auto d = check(command, depth + 1)) return d;
    i = end;
  }
  return std::nullopt;
}

// su/runuser/flock -c CMD, -cCMD, --command CMD, --command=CMD: CMD is a shell script.
std::optional<Danger> Checker::dash_c_option(const Argv& argv, int depth) {
  for (size_t i = 1; i < argv.size(); ++i) {
    const std::string_view a = argv[i];
    if (a == "--") break;
    std::optional<std::string_view> script;
    if ((a == "-c" || a == "--command" || a == "--session-command") && i + 1 < argv.size()) {
      script = argv[++i];
    } else if (a.starts_with("--command=")) {
      script = a.substr(10);
    } else if (a.starts_with("--session-command=")) {
      script = a.substr(18);
    } else if (a.size() > 2 && a.starts_with("-c")) {
      script = a.substr(2);
    }
    if (script) {
      if (auto d = check_script(*script, depth + 1)) return d;
    }
  }
  return std::nullopt;
}

// env -S STRING / --split-string=STRING: STRING is split into words that go before the
// remaining arguments.
std::optional<Danger> Checker::env_split_string(const Argv& argv, int depth) {
  for (size_t i = 1; i < argv.size(); ++i) {
    const std::string_view a = argv[i];
    if (a == "--" || (!a.starts_with("-") && !is_env_assignment(a))) break;
    std::optional<std::string_view> value;
    if (a.starts_with("--split-string=")) {
      value = a.substr(15);
    } else if (a == "--split-string" && i + 1 < argv.size()) {
      value = argv[++i];
    } else if (a.size() > 1 && a[0] == '-' && a[1] != '-') {
      const size_t s = a.find('S');
      if (s == std::string_view::npos) continue;
      if (s + 1 < a.size()) {
        value = a.substr(s + 1);
      } else if (i + 1 < argv.size()) {
        value = argv[++i];
      }
    }
    if (!value) continue;
    Argv command;
    for (const Argv& words : literal_commands(*value)) {
      command.insert(command.end(), words.begin(), words.end());
    }
    const Argv rest = tail(argv, i + 1);
    command.insert(command.end(), rest.begin(), rest.end());
    if (auto d = check(command, depth + 1)) return d;
  }
  return std::nullopt;
}

// watch runs its arguments joined by spaces as an `sh -c` script, or as an argv with -x.
std::optional<Danger> Checker::watch(const Argv& argv, int depth) {
  const WrapperSpec& spec = *wrapper_spec("watch");
  std::vector<size_t> starts;
  command_starts(argv, 1, spec, 0, &starts);
  for (size_t start : starts) {
    const Argv options(argv.begin() + 1, argv.begin() + static_cast<long>(start));
    const bool exec = has_short_option(options, 'x', "nq") || has_long_option(options, "--exec");
    auto d = exec ? check_tail(argv, start, depth + 1) : check_script(join(argv, start), depth + 1);
    if (d) return d;
  }
  return std::nullopt;
}

}  // namespace

std::optional<Danger> find_danger(const Argv& argv) {
  return Checker().check(argv, 0);
}

bool is_command_wrapper(std::string_view program) {
  return wrapper_spec(program) != nullptr || is_shell(program) || program == "eval" ||
         program == "trap" || program == "su";
}

}  // namespace cordon::command
