// cordon - shell scripts given as `bash -c SCRIPT`: which commands they run (pure).
//
// Debian 12 ships no tree-sitter-bash grammar, so this is a hand-written reader of the
// small part of the shell language cordon needs. It has two modes:
//
// Plain mode (split_plain) proves what a script runs. It accepts only scripts whose every
// byte it understands and refuses everything else; a refused script is judged as one
// opaque unit, which can only make cordon ask more, never less. Accepted:
//   - words made of the unquoted characters  A-Z a-z 0-9 - _ . / : , + @ % =
//     ('=' not as a word's first character: zsh expands `=cmd` to a path),
//     '...' (anything but ') and "..." (anything but $ ` \), concatenated freely:
//     -g"*.py" is the one word -g*.py;
//   - the operators && || | ; and newlines between commands (a newline may also follow
//     && || |, as bash allows).
// Refused, with the reason: every other unquoted character, which covers redirections
// (< >), subshells and grouping (( ) { }), substitutions and expansions ($ and `),
// backslash escapes, globs (* ? [ ]: bash would expand them), ~ (tilde expansion), !
// (pipeline negation), # (comments: refused, as Codex does), ^ (a glob under zsh's
// extendedglob), control characters and non-ASCII bytes outside quotes; a single & (a
// background job) and ;; ;& |& ; a command word that contains '=' (a variable
// assignment), is a reserved word (if for while case function time coproc ...) or a zsh
// precommand modifier (noglob nocorrect -); an empty command (leading or doubled
// operator, trailing && || |); an unterminated quote; two single-quoted strings back to
// back ('a''b': zsh's rc_quotes reads it as a'b); a NUL byte (the kernel would cut the
// script there); an empty script.
// An accepted script's argvs are exactly the argvs bash, dash and zsh run for it under
// their default options. Startup files that define aliases or functions, or change
// options, are outside what a static reader can see (the same holds for Codex).
//
// Literal mode (literal_commands) is for danger detection only: it never fails and
// over-reports rather than misses. It finds the words of every command anywhere in the
// script: inside if/while/for/case bodies, subshells, { } groups, $(...), `...`, <(...),
// ${x:-$(...)}, $((...)), heredoc bodies with an unquoted delimiter, after variable
// assignments and after ! time { then do else coproc noglob...; a case pattern may show
// up as a command of its own. Quotes and backslashes are removed ($'...' is decoded);
// what cannot be known statically ($VAR, $(...), globs) is kept as written. Redirections
// and their targets are not part of a command's words. Nesting deeper than a fixed limit
// falls back to a flat reading that splits the rest at every operator and quote.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "command/argv.h"

namespace cordon::command {

// The script when argv is exactly [SHELL, "-c" or "-lc", SCRIPT] with SHELL bash, sh, zsh
// or dash, by name or by absolute path ("/bin/bash"); otherwise nullopt. A relative
// path ("./bash", "bin/sh") is not taken for a shell: it may be any program. A SCRIPT
// starting with '-' or '+' is not a script either: the shell reads it as more options
// (`bash -c '-x ls'` runs nothing).
std::optional<std::string> shell_script(const Argv& argv);

// Plain mode (see above): the script's commands in order, each a non-empty argv after
// quote removal; nullopt when the script is not plain.
std::optional<std::vector<Argv>> split_plain(std::string_view script);

// Literal mode (see above): the static words of every command anywhere in the script.
// Never fails; words it cannot resolve statically are kept as written.
std::vector<Argv> literal_commands(std::string_view script);

// What the approval engine judges: the split of a plain shell script, or argv as one unit.
struct Units {
  std::vector<Argv> commands;
  bool from_script = false;  // true when commands came from splitting a shell script
};
Units commands_for_policy(const Argv& argv);

}  // namespace cordon::command
