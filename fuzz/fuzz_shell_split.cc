// cordon fuzz target: the input is a shell script, as in `bash -lc SCRIPT`.
//
// Checked:
//   - split_plain, literal_commands, commands_for_policy, is_known_safe and find_danger
//     (of {"bash", "-lc", SCRIPT}) never crash, hang, leak or hit undefined behaviour;
//   - a split is non-empty and every argv in it is non-empty; quoting every word in
//     single quotes and joining the commands again splits to the same argvs (with ";",
//     "&&", "|" and newlines between them);
//   - on a plain script, literal mode finds exactly the commands plain mode splits;
//   - every argv literal_commands returns is non-empty;
//   - shell_script takes SCRIPT unless it starts with '-' or '+' (the shells read such a
//     word as options); commands_for_policy splits exactly when shell_script and
//     split_plain both succeed;
//   - a known-safe script is never dangerous, and a script with a dangerous plain command
//     is dangerous (also one starting with '-': find_danger over-reports there).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "command/dangerous.h"
#include "command/known_safe.h"
#include "command/shell_split.h"
#include "fuzz_common.h"

using namespace cordon::fuzzing;
using cordon::command::Argv;

namespace {

std::string show(const std::vector<Argv>& commands) {
  std::string s;
  for (const Argv& a : commands) {
    s += "[";
    for (const std::string& w : a) s += "<" + w + ">";
    s += "]";
  }
  return s;
}

std::string requote(const std::vector<Argv>& commands, const std::string& separator) {
  std::string s;
  for (size_t i = 0; i < commands.size(); ++i) {
    if (i > 0) s += separator;
    for (size_t j = 0; j < commands[i].size(); ++j) {
      if (j > 0) s += ' ';
      s += '\'';
      for (char c : commands[i][j]) {
        if (c == '\'') {
          s += "'\"'\"'";
        } else {
          s += c;
        }
      }
      s += '\'';
    }
  }
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string script(reinterpret_cast<const char*>(data), size);
  const Argv argv = {"bash", "-lc", script};

  const auto split = cordon::command::split_plain(script);
  const std::vector<Argv> literal = cordon::command::literal_commands(script);
  for (const Argv& a : literal) FUZZ_CHECK(!a.empty(), "empty literal command: " + show(literal));

  // A script starting like an option is taken for options by the shells.
  const bool is_script = cordon::command::shell_script(argv).has_value();
  FUZZ_CHECK(is_script == (script.empty() || (script[0] != '-' && script[0] != '+')),
             "shell_script: " + script);
  const cordon::command::Units units = cordon::command::commands_for_policy(argv);
  FUZZ_CHECK(units.from_script == (is_script && split.has_value()),
             "commands_for_policy disagrees: " + script);

  if (split) {
    FUZZ_CHECK(!split->empty(), "empty split: " + script);
    for (const Argv& a : *split) FUZZ_CHECK(!a.empty(), "empty argv: " + show(*split));
    if (is_script) FUZZ_CHECK(units.commands == *split, "commands_for_policy differs: " + script);
    for (const char* sep : {" ; ", " && ", " | ", "\n"}) {
      const std::string again = requote(*split, sep);
      const auto resplit = cordon::command::split_plain(again);
      FUZZ_CHECK(resplit.has_value() && *resplit == *split,
                 "requoted split differs: " + show(*split) + " -> " + again);
    }
    FUZZ_CHECK(literal == *split, "literal " + show(literal) + " != plain " + show(*split));
  }

  const bool safe = cordon::command::is_known_safe(argv);
  const auto danger = cordon::command::find_danger(argv);
  FUZZ_CHECK(!(safe && danger), "known safe and dangerous: " + script);
  if (safe) FUZZ_CHECK(split.has_value(), "known safe without a plain split: " + script);
  if (split) {
    for (const Argv& a : *split) {
      if (cordon::command::find_danger(a)) {
        FUZZ_CHECK(danger.has_value(), "dangerous command " + show({a}) + " missed in: " + script);
      }
    }
  }
  return 0;
}
