// cordon - launch dispatch.
#include "sandbox/launch.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "sandbox/linux/bwrap_locate.h"
#include "sandbox/linux/launch_bwrap.h"
#include "util/cstrings.h"
#include "util/exit_codes.h"

namespace cordon::sandbox {
namespace {

// danger-full-access: replace this process with the command.
int exec_unwrapped(const SandboxPlan& plan, const LaunchContext& ctx) {
  std::vector<std::string> env = apply_env(ctx.environment, plan.env);
  std::vector<std::string> args = plan.argv;
  std::vector<char*> envp = c_strings(env);
  std::vector<char*> argv = c_strings(args);
  if (::chdir(plan.cwd.c_str()) != 0) {
    std::fprintf(stderr, "cordon: cannot change to %s: %s\n", plan.cwd.c_str(),
                 std::strerror(errno));
    return exit_code::kUsage;
  }
  ::execvpe(argv[0], argv.data(), envp.data());
  const int e = errno;
  std::fprintf(stderr, "cordon: cannot execute '%s': %s\n", argv[0], std::strerror(e));
  return e == ENOENT ? exit_code::kNotFound : exit_code::kNotExecutable;
}

}  // namespace

Result<int> launch(const SandboxPlan& plan, const LaunchContext& ctx, const FileSystem& fs) {
  if (plan.unwrapped) return exec_unwrapped(plan, ctx);
  std::vector<std::string> roots;
  for (const auto& r : plan.writable_roots) roots.push_back(r.path);
  roots.push_back(plan.cwd);
  auto bwrap = linux::find_bwrap(ctx.path_env, roots, fs);
  if (!bwrap) return bwrap.error();
  return linux::launch_bwrap(plan, {*bwrap, ctx.cordon_exe, ctx.environment});
}

}  // namespace cordon::sandbox
