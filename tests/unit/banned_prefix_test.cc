// Prefixes never offered for "always allow".
#include "command/banned_prefix.h"

#include <vector>

#include <gtest/gtest.h>

namespace cordon::command {
namespace {

const std::vector<Argv> kBanned = {
    {},
    // Shells
    {"bash"},
    {"bash", "-lc"},
    {"bash", "-c", "ls"},
    {"/bin/sh", "-c"},
    {"zsh", "-lc", "git status"},
    {"dash", "-e"},
    {"bash", "--login"},
    {"sh", "+x"},
    {"pwsh", "-Command"},
    {"cmd", "/c"},
    // Interpreters
    {"python"},
    {"python3"},
    {"python3", "-c"},
    {"python3", "-c", "print(1)"},
    {"python3.12", "-"},
    {"/usr/bin/python3", "-u"},
    {"python3", "-u", "-c", "x"},
    {"python3", "-W", "ignore"},
    {"python3", "-Ic", "x"},
    {"python3", "-m"},
    {"py", "-c"},
    {"pypy3", "-c"},
    {"node"},
    {"node", "-e", "x"},
    {"nodejs", "--eval"},
    {"node", "--eval=x"},
    {"node", "-p", "1"},
    {"node", "-r", "dotenv/config"},
    {"perl", "-e", "x"},
    {"perl", "-ne", "print"},
    {"ruby", "-e"},
    {"php", "-r", "x"},
    {"lua5.4", "-e"},
    {"julia", "--eval", "x"},
    {"Rscript", "-e", "x"},
    {"osascript", "-e", "x"},
    {"deno"},
    {"deno", "eval", "x"},
    {"deno", "run"},
    {"bun"},
    {"bun", "-e", "x"},
    // Wrappers and rm: anything starting with them
    {"sudo"},
    {"sudo", "apt", "update"},
    {"env"},
    {"env", "FOO=1", "make"},
    {"rm"},
    {"rm", "build/a.o"},
    {"/bin/rm", "-r"},
    {"xargs", "grep"},
    {"timeout", "10"},
    {"nohup"},
    {"eval"},
    {"su", "-c"},
    // Package-script runners with nothing named to run
    {"npm"},
    {"npm", "run"},
    {"pnpm", "run"},
    {"yarn", "run"},
    {"bun", "run"},
    {"npm", "exec"},
    {"npm", "run", "--silent"},
    {"npx"},
    // git without a subcommand
    {"git"},
    {"git", "-C", "/repo"},
    {"git", "-c", "core.pager=less"},
};

const std::vector<Argv> kAllowed = {
    {"ls"},
    {"cargo", "test"},
    {"make"},
    {"git", "status"},
    {"git", "commit"},
    {"git", "-C", "/repo", "log"},
    {"bash", "scripts/test.sh"},
    {"python3", "scripts/gen.py"},
    {"python3", "-u", "scripts/gen.py"},
    {"python3", "-W", "ignore", "gen.py"},
    {"python3", "-m", "pytest"},
    {"node", "build.js"},
    {"node", "--require", "ts-node/register", "build.ts"},
    {"perl", "script.pl"},
    {"php", "-f", "index.php"},
    {"npm", "run", "build"},
    {"npm", "test"},
    {"npm", "install"},
    {"pnpm", "run", "lint"},
    {"yarn", "build"},
    {"bun", "run", "dev"},
    {"bun", "script.ts"},
    {"deno", "run", "main.ts"},
    {"deno", "fmt"},
    {"npx", "prettier"},
    {"gitk"},
    {"rmdir", "x"},
    {"sudoku"},
    {"environment"},
};

TEST(BannedPrefix, Banned) {
  for (const Argv& p : kBanned) EXPECT_TRUE(is_banned_prefix(p)) << ::testing::PrintToString(p);
}

TEST(BannedPrefix, Allowed) {
  for (const Argv& p : kAllowed) EXPECT_FALSE(is_banned_prefix(p)) << ::testing::PrintToString(p);
}

TEST(BannedPrefix, EveryPrefixOfABannedPrefixIsBanned) {
  // A shorter rule allows more: if a prefix is too broad, so is every shorter one.
  for (const std::vector<Argv>* table : {&kBanned, &kAllowed}) {
    for (const Argv& p : *table) {
      if (!is_banned_prefix(p)) continue;
      for (size_t n = 0; n < p.size(); ++n) {
        const Argv shorter(p.begin(), p.begin() + static_cast<long>(n));
        EXPECT_TRUE(is_banned_prefix(shorter))
            << ::testing::PrintToString(shorter) << " (from " << ::testing::PrintToString(p) << ")";
      }
    }
  }
}

}  // namespace
}  // namespace cordon::command
