// cordon - prefixes never offered for "always allow" (pure).
//
// An "always allow" answer appends `prefix_rule(pattern = PREFIX, decision = "allow")`,
// which allows every command whose argv starts with PREFIX. is_banned_prefix(PREFIX) is
// true when such a rule would be too broad: when some command starting with PREFIX can
// run arbitrary code or any other command. The program is recognised by the last
// component of PREFIX[0] ("/usr/bin/python3" is python3). Banned:
//   - the empty prefix;
//   - anything starting with rm, or with a program that runs the command given to it:
//     sudo doas su runuser env nice nohup time timeout xargs stdbuf setsid ionice chroot
//     command builtin exec busybox flock watch eval trap (is_command_wrapper, shells
//     aside);
//   - a shell (bash sh zsh dash ksh mksh yash fish ash rbash pwsh powershell cmd) alone or
//     followed by an option (-c, -lc, --login, +x, /c ...), with anything after it
//     ([bash, script.sh] is allowed);
//   - an interpreter (python python2 python3 python3.N pypy pypy3 py, node nodejs, perl,
//     ruby, php, lua luajit lua5.N, julia, Rscript, osascript) while the prefix names no
//     program for it to run (alone or only options: [python3, -u] is a prefix of
//     [python3, -u, -c, CODE]), or with its code-from-the-command-line option anywhere
//     among its options, with anything after it: python -c and -, node -e --eval -p
//     --print -i, perl -e -E and -, ruby -e and -, php -r -B -R -E -a, lua -e -i and -,
//     julia -e -E -i --eval --print, Rscript -e, osascript -e and - (also inside an
//     option cluster: perl -ne, node -pe);
//   - a package-script or package runner that names nothing to run yet: npm pnpm yarn
//     bun deno alone, or followed by run run-script exec x dlx with no script or package
//     after it ([npm, run] is banned, [npm, run, build] is not); deno eval, deno repl,
//     bun -e/--eval/-p/--print with anything after; npx pnpx bunx alone;
//   - git with no subcommand: exactly [git], or git followed only by global options
//     ([git, -C, DIR], [git, -c, K=V]).
// Every prefix of a banned prefix is itself banned (a shorter rule allows more).
#pragma once

#include "command/argv.h"

namespace cordon::command {

bool is_banned_prefix(const Argv& prefix);

}  // namespace cordon::command
