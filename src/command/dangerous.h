// cordon - commands that destroy data without asking: always prompt, refused under
// `-a never` (pure).
//
// Dangerous:
//   - rm with a force option before "--": -f or any short cluster holding f (-rf, -fr,
//     -r -f, also after the operands: rm DIR -f), --force and its abbreviations (--f,
//     --fo...), --interactive=never; and rm --no-preserve-root (and abbreviations);
//   - destructive git operations (git's global options -C DIR, -c K=V, --git-dir... are
//     skipped to find the subcommand):
//       reset --hard                       discards uncommitted changes
//       clean (unless -n/--dry-run)        deletes untracked files (without -f git refuses
//                                          only while clean.requireForce is left true)
//       push --force/-f/--force-with-lease/--force-if-includes, a +REFSPEC
//                                          overwrites remote history
//       push --delete/-d, a :REFSPEC, --mirror, --prune
//                                          deletes remote branches
//       branch -D, -f/--force, -M, -C      deletes or overwrites a branch
//       checkout -f/--force, --ours/--theirs, "--" PATHS, "."
//                                          overwrites local changes to files
//       switch -f/--force/--discard-changes
//                                          discards local changes
//       restore without --staged/-S, or with --worktree/-W
//                                          overwrites working-tree files
//       rm -f/--force                      deletes files with uncommitted changes
//       stash drop, stash clear            deletes stashed changes
//       reflog expire, reflog delete       removes what recovers lost commits
//       update-ref -d/--delete/--stdin     deletes or rewrites refs
//       filter-branch, filter-repo         rewrites the whole history
//       worktree remove -f/--force         deletes a worktree with uncommitted changes
//       gc --prune=now|all, prune          deletes unreachable objects at once
//     A `-c alias.NAME=VALUE` is followed: "!CMD" is checked as a shell script, an alias
//     used as the subcommand is expanded.
//   - any of the above run through a wrapper, which is unwrapped (at most 8 levels; a
//     command nested deeper is dangerous because it cannot be checked):
//       sudo doas env nice nohup time timeout xargs stdbuf setsid ionice chroot command
//       builtin exec busybox (their options parsed; an option a wrapper's table does not
//       know is tried both as a flag and as taking a value), env -S STRING, runuser -u,
//       su/runuser -c CMD, flock ... -c CMD, watch (its command is an `sh -c` script
//       unless -x), eval ARGS (a script), trap 'ACTION' (a script), find -exec/-execdir/
//       -ok/-okdir CMD ... ; and every command of a shell script: bash sh zsh dash ksh
//       mksh yash fish ash rbash with -c (also -lc, -ec, -o OPT -c, --login -c ...), read
//       with literal_commands (control flow, substitutions, nested shells included); an
//       option-looking word holding more than an option ("-x; rm -rf /") is read as a
//       script too, although bash takes it for options and runs nothing.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "command/argv.h"

namespace cordon::command {

struct Danger {
  std::string
      reason;    // one line an agent understands, e.g. "rm -rf deletes without asking (forced rm)"
  Argv command;  // the offending command as found
};

std::optional<Danger> find_danger(const Argv& argv);

// True for the programs find_danger unwraps to check the command they run (sudo, env,
// timeout, xargs, shells, ...), by program name.
bool is_command_wrapper(std::string_view program);

}  // namespace cordon::command
