// cordon - where git's own options end and its subcommand starts (pure).
#include "command/git_argv.h"

namespace cordon::command {
namespace {

constexpr std::string_view kGlobalsWithValue[] = {"-C",           "-c",           "--git-dir",
                                                  "--work-tree",  "--namespace",  "--super-prefix",
                                                  "--config-env", "--attr-source"};

bool takes_separate_value(std::string_view arg) {
  for (std::string_view g : kGlobalsWithValue) {
    if (arg == g) return true;
  }
  return false;
}

}  // namespace

GitInvocation parse_git(const Argv& argv) {
  GitInvocation git;
  size_t i = 1;
  for (; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (arg.empty() || arg[0] != '-') break;
    git.global_options.push_back(arg);
    if (arg == "-c" && i + 1 < argv.size()) {
      git.global_options.push_back(argv[i + 1]);
      const std::string& kv = argv[++i];
      const size_t eq = kv.find('=');
      git.config.emplace_back(kv.substr(0, eq), eq == std::string::npos ? "" : kv.substr(eq + 1));
    } else if (arg.size() > 2 && arg.starts_with("-c")) {
      const std::string kv = arg.substr(2);
      const size_t eq = kv.find('=');
      git.config.emplace_back(kv.substr(0, eq), eq == std::string::npos ? "" : kv.substr(eq + 1));
    } else if (takes_separate_value(arg) && i + 1 < argv.size()) {
      git.global_options.push_back(argv[++i]);
    }
  }
  git.subcommand = i;
  return git;
}

bool has_short_option(const std::vector<std::string>& args, char letter,
                      std::string_view takes_value) {
  for (const std::string& arg : args) {
    if (arg == "--") return false;
    if (arg.size() < 2 || arg[0] != '-' || arg[1] == '-') continue;
    for (size_t k = 1; k < arg.size(); ++k) {
      if (arg[k] == letter) return true;
      if (takes_value.find(arg[k]) != std::string_view::npos) break;
    }
  }
  return false;
}

bool has_long_option(const std::vector<std::string>& args, std::string_view name) {
  for (const std::string& arg : args) {
    if (arg == "--") return false;
    if (arg == name) return true;
    if (arg.size() > name.size() && arg.starts_with(name) && arg[name.size()] == '=') return true;
  }
  return false;
}

}  // namespace cordon::command
