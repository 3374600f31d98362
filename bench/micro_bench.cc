// cordon micro-benchmarks: the pure code cordon runs before it starts a sandbox (with any
// backend), and the seccomp compilation that cordon does when it is built.
//
//   cordon_micro_bench --benchmark_repetitions=20 --benchmark_report_aggregates_only=true
//
// Every input lives in memory (FakeFileSystem), so these figures are the CPU cost of
// cordon's own decisions; the syscalls (stat, realpath, reading the config files) and
// the process start-up are measured by spawn.sh instead.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "config/load.h"
#include "config/overrides.h"
#include "fake_filesystem.h"
#include "policy/writable_roots.h"
#include "sandbox/linux/bwrap_args.h"
#include "sandbox/linux/seccomp_filter.h"
#include "sandbox/plan.h"

namespace {

using cordon::fakes::FakeFileSystem;

constexpr const char* kSystemConfig = "/etc/cordon/config.toml";
constexpr const char* kUserConfig = "/home/dev/.cordon/config.toml";
constexpr const char* kWorkspace = "/home/dev/src/project";

// A typical Codex-style user config: model settings cordon ignores, the sandbox keys,
// two profiles, an MCP server and a few other tables.
constexpr const char* kUserText = R"(model = "gpt-5-codex"
model_reasoning_effort = "high"
approval_policy = "on-request"
sandbox_mode = "workspace-write"
file_opener = "vscode"

[sandbox_workspace_write]
writable_roots = ["/home/dev/.cache/pip", "/home/dev/.cargo/registry"]
network_access = false
exclude_tmpdir_env_var = false
exclude_slash_tmp = false

[profiles.ci]
sandbox_mode = "workspace-write"
approval_policy = "never"

[profiles.ci.sandbox_workspace_write]
network_access = true

[profiles.review]
sandbox_mode = "read-only"
approval_policy = { granular = { sandbox_approval = true, rules = true } }

[mcp_servers.docs]
command = "npx"
args = ["-y", "@acme/docs-mcp"]
env = { "DOCS_TOKEN_FILE" = "/home/dev/.config/docs/token" }

[shell_environment_policy]
inherit = "core"
exclude = ["AWS_*", "AZURE_*"]

[tui]
notifications = true

[history]
persistence = "save-all"
)";

constexpr const char* kSystemText = R"(approval_policy = "on-request"
[features]
use_linux_sandbox_bwrap = true
)";

FakeFileSystem make_host() {
  FakeFileSystem fs;
  fs.add_file(kSystemConfig, kSystemText);
  fs.add_file(kUserConfig, kUserText);
  fs.add_dir(std::string(kWorkspace) + "/.git/hooks");
  fs.add_file(std::string(kWorkspace) + "/.git/config", "[core]\n");
  fs.add_dir(std::string(kWorkspace) + "/src");
  fs.add_dir("/home/dev/.cache/pip");
  fs.add_dir("/home/dev/.cargo/registry");
  fs.add_dir("/tmp");
  return fs;
}

cordon::config::LoadInputs inputs(bool full_auto) {
  cordon::config::LoadInputs in;
  in.system_config = kSystemConfig;
  in.user_config = kUserConfig;
  in.process_cwd = kWorkspace;
  in.cli.full_auto = full_auto;
  in.cli.overrides = {"sandbox_workspace_write.exclude_slash_tmp=false"};
  return in;
}

// A machine without any config file: only the workspace and /tmp exist.
FakeFileSystem make_bare_host() {
  FakeFileSystem fs;
  fs.add_dir(std::string(kWorkspace) + "/.git");
  fs.add_dir("/tmp");
  return fs;
}

cordon::config::LoadInputs bare_inputs(bool full_auto) {
  cordon::config::LoadInputs in;
  in.system_config = kSystemConfig;
  in.user_config = kUserConfig;
  in.process_cwd = kWorkspace;
  in.cli.full_auto = full_auto;
  return in;
}

// An environment of typical size for the command, before the plan's edits.
std::vector<std::string> make_environment() {
  std::vector<std::string> env = {"PATH=/usr/local/bin:/usr/bin:/bin",
                                  "HOME=/home/dev",
                                  "LANG=C.UTF-8",
                                  "TERM=xterm-256color",
                                  "USER=dev",
                                  "SHELL=/bin/bash",
                                  "PWD=/home/dev/src/project"};
  for (int i = 0; i < 33; ++i) env.push_back("VAR_" + std::to_string(i) + "=some value");
  return env;
}

const std::vector<std::string> kCommand = {"cargo", "test", "--workspace"};
const cordon::sandbox::linux::BwrapInvocation kInvocation{"/usr/bin/bwrap", "/usr/bin/cordon"};

void BM_ParseOverride(benchmark::State& state) {
  for (auto _ : state) {
    auto t = cordon::config::parse_override("sandbox_workspace_write.network_access=true");
    benchmark::DoNotOptimize(t);
  }
}
BENCHMARK(BM_ParseOverride);

// Two config files (the user file above is ~45 lines) and one -c override.
void BM_ConfigLoad(benchmark::State& state) {
  const FakeFileSystem fs = make_host();
  const auto in = inputs(/*full_auto=*/true);
  for (auto _ : state) {
    auto cfg = cordon::config::load(in, fs);
    if (!cfg.ok()) state.SkipWithError(cfg.error().message.c_str());
    benchmark::DoNotOptimize(cfg);
  }
}
BENCHMARK(BM_ConfigLoad);

// No config file at all (both paths missing), no flags beyond the mode: the common case.
void BM_ConfigLoadEmpty(benchmark::State& state) {
  const FakeFileSystem fs = make_bare_host();
  const auto in = bare_inputs(/*full_auto=*/state.range(0) == 1);
  for (auto _ : state) {
    auto cfg = cordon::config::load(in, fs);
    if (!cfg.ok()) state.SkipWithError(cfg.error().message.c_str());
    benchmark::DoNotOptimize(cfg);
  }
}
BENCHMARK(BM_ConfigLoadEmpty)->Arg(0)->Arg(1)->ArgName("workspace_write");

// workspace-write: the workspace, two writable_roots and /tmp, with their protected paths.
void BM_WritableRoots(benchmark::State& state) {
  const FakeFileSystem fs = make_host();
  const auto cfg = cordon::config::load(inputs(true), fs);
  for (auto _ : state) {
    auto roots = cordon::policy::writable_roots(*cfg, nullptr, fs);
    benchmark::DoNotOptimize(roots);
  }
}
BENCHMARK(BM_WritableRoots);

// make_plan + bwrap_argv, for read-only (state.range(0) == 0) and workspace-write (1).
void BM_PlanAndArgv(benchmark::State& state) {
  const FakeFileSystem fs = make_host();
  auto in = inputs(state.range(0) == 1);
  if (state.range(0) == 0) in.cli.sandbox_mode = "read-only";
  const auto cfg = cordon::config::load(in, fs);
  const auto roots = cordon::policy::writable_roots(*cfg, nullptr, fs);
  for (auto _ : state) {
    auto plan = cordon::sandbox::make_plan(*cfg, cordon::policy::legacy_fs_policy(*roots),
                                           {kCommand, cfg->workspace});
    auto argv = cordon::sandbox::linux::bwrap_argv(*plan, kInvocation);
    benchmark::DoNotOptimize(argv);
  }
}
BENCHMARK(BM_PlanAndArgv)->Arg(0)->Arg(1)->ArgName("workspace_write");

// The whole pure part of `cordon sandbox linux --full-auto -- cargo test`:
// load -> writable_roots -> make_plan -> bwrap_argv.
void BM_SpawnPathPure(benchmark::State& state) {
  const FakeFileSystem fs = make_host();
  const auto in = inputs(true);
  for (auto _ : state) {
    auto cfg = cordon::config::load(in, fs);
    auto roots = cordon::policy::writable_roots(*cfg, nullptr, fs);
    auto plan = cordon::sandbox::make_plan(*cfg, cordon::policy::legacy_fs_policy(*roots),
                                           {kCommand, cfg->workspace});
    auto argv = cordon::sandbox::linux::bwrap_argv(*plan, kInvocation);
    benchmark::DoNotOptimize(argv);
  }
}
BENCHMARK(BM_SpawnPathPure);

// What the native and Landlock launchers compute in-process before they start the sandbox,
// with no config file: load -> writable_roots -> make_plan -> the command's environment.
void BM_LauncherPreparation(benchmark::State& state) {
  const FakeFileSystem fs = make_bare_host();
  const auto in = bare_inputs(/*full_auto=*/state.range(0) == 1);
  const auto environment = make_environment();
  for (auto _ : state) {
    auto cfg = cordon::config::load(in, fs);
    auto roots = cordon::policy::writable_roots(*cfg, nullptr, fs);
    auto plan = cordon::sandbox::make_plan(*cfg, cordon::policy::legacy_fs_policy(*roots),
                                           {kCommand, cfg->workspace});
    auto env = cordon::sandbox::apply_env(environment, plan->env);
    benchmark::DoNotOptimize(env);
  }
}
BENCHMARK(BM_LauncherPreparation)->Arg(0)->Arg(1)->ArgName("workspace_write");

// Compiling the network-off seccomp filter with libseccomp. cordon does this when it is
// built (tools/seccomp_gen.cc) and loads the finished program at run time; this is the cost
// a launcher compiling the filter on every spawn would pay.
void BM_CompileSeccomp(benchmark::State& state) {
  for (auto _ : state) {
    auto prog =
        cordon::sandbox::linux::compile_seccomp(cordon::sandbox::SeccompMode::NetworkOff, false);
    if (!prog.ok()) state.SkipWithError(prog.error().message.c_str());
    benchmark::DoNotOptimize(prog);
  }
}
BENCHMARK(BM_CompileSeccomp);

}  // namespace

BENCHMARK_MAIN();
