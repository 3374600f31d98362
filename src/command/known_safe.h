// cordon - commands known to only read: run without asking under `-a untrusted` (pure).
//
// The list is Codex's last one (before its removal on 2026-08-19), with git's read-only
// subcommands as the version before that had them:
//   - always: cat cd cut echo expr false grep head id ls nl paste pwd rev seq stat tail tr
//     true uname uniq wc which whoami numfmt tac;
//   - base64 unless it writes a file (-o, -oFILE, any short cluster with o, --output,
//     --output=FILE);
//   - find unless -exec -execdir -ok -okdir -delete -fls -fprint -fprint0 -fprintf;
//   - rg unless --pre, --hostname-bin (or their =VALUE forms), --search-zip, or a short
//     option cluster holding z (-z, -nz: decompression runs other programs);
//   - sed only as `sed -n Np` / `sed -n M,Np` with at most one file;
//   - git status, log, diff, show, and branch with nothing but listing options (--list -l
//     --show-current -a --all -r --remotes -v -vv --verbose --format=...); never with the
//     global options -C -c -p --paginate --config-env --exec-path --git-dir --namespace
//     --super-prefix --work-tree (also as -CDIR, -cK=V, --opt=VALUE), nor with the
//     subcommand options --output --ext-diff --textconv --exec (also --opt=VALUE).
// The program is recognised by the last component of argv[0] ("/bin/ls" is ls). A shell
// script (`bash|sh|zsh|dash -c|-lc SCRIPT`) is known safe when split_plain splits it and
// every one of its commands is known safe.
#pragma once

#include "command/argv.h"

namespace cordon::command {

bool is_known_safe(const Argv& argv);

}  // namespace cordon::command
