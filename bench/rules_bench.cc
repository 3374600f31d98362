// cordon rules benchmark: deciding one command against a policy of 10,000 prefix rules.
//
//   cordon_rules_bench --benchmark_repetitions=20 --benchmark_report_aggregates_only=true
//
// The policy: 9,950 rules over 2,000 other programs (one to three tokens, some with
// alternatives) and 50 rules for `git`, the command's own program, all loaded from one
// generated .rules text. Target (issue 5): one decision under 5 microseconds (median).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "rules/policy.h"

namespace {

using cordon::rules::Policy;

std::string generated_rules() {
  std::string text = "# generated: 10,000 prefix rules\n";
  const char* decisions[] = {"allow", "prompt", "forbidden"};
  for (int k = 0; k < 9950; ++k) {
    const int prog = k % 2000;
    const std::string p = "\"prog" + std::to_string(prog) + "\"";
    switch (k % 4) {
      case 0:
        text += "prefix_rule(pattern = [" + p + "], decision = \"prompt\")\n";
        break;
      case 1:
        text += "prefix_rule(pattern = [" + p + ", \"sub" + std::to_string(k) +
                "\"], decision = \"" + decisions[k % 3] + "\")\n";
        break;
      case 2:
        text += "prefix_rule(pattern = [" + p + ", [\"a" + std::to_string(k) + "\", \"b" +
                std::to_string(k) + "\"], \"--flag\"], decision = \"" + decisions[k % 3] + "\")\n";
        break;
      default:
        text += "prefix_rule(pattern = [" + p + ", \"run\", \"t" + std::to_string(k) +
                "\"], decision = \"allow\", justification = \"generated\")\n";
        break;
    }
  }
  // The command's own program: two rules that match the command, and 48 others.
  text += "prefix_rule(pattern = [\"git\", [\"commit\", \"push\"]], decision = \"prompt\")\n";
  text += "prefix_rule(pattern = [\"git\", \"commit\"], decision = \"allow\")\n";
  for (int k = 0; k < 48; ++k) {
    text += "prefix_rule(pattern = [\"git\", \"sub" + std::to_string(k) +
            "\", [\"--a\", \"--b\"]], decision = \"prompt\")\n";
  }
  return text;
}

const Policy& policy() {
  static const Policy p = [] {
    Policy q;
    const auto s = q.add_source(generated_rules(), "generated.rules");
    if (!s.ok() || q.prefix_rules().size() != 10000) std::abort();
    return q;
  }();
  return p;
}

void BM_DecisionMatching(benchmark::State& state) {
  const Policy& p = policy();
  const std::vector<std::string> argv = {"git", "commit", "-m", "fix the build"};
  if (p.decision(argv, true) != cordon::rules::Decision::Prompt) std::abort();
  for (auto _ : state) benchmark::DoNotOptimize(p.decision(argv, true));
}
BENCHMARK(BM_DecisionMatching);

// The program has 50 rules, none of which matches.
void BM_DecisionNotMatching(benchmark::State& state) {
  const Policy& p = policy();
  const std::vector<std::string> argv = {"git", "frobnicate", "--all", "now"};
  if (p.decision(argv, true).has_value()) std::abort();
  for (auto _ : state) benchmark::DoNotOptimize(p.decision(argv, true));
}
BENCHMARK(BM_DecisionNotMatching);

// A program without rules (one hash lookup), given as an absolute path (a second lookup).
void BM_DecisionUnknownProgram(benchmark::State& state) {
  const Policy& p = policy();
  const std::vector<std::string> argv = {"/usr/bin/unknown-tool", "build", "--release", "x"};
  if (p.decision(argv, true).has_value()) std::abort();
  for (auto _ : state) benchmark::DoNotOptimize(p.decision(argv, true));
}
BENCHMARK(BM_DecisionUnknownProgram);

// matches(): the matched rules themselves (what `execpolicy check` prints).
void BM_MatchesMatching(benchmark::State& state) {
  const Policy& p = policy();
  const std::vector<std::string> argv = {"git", "commit", "-m", "fix the build"};
  for (auto _ : state) benchmark::DoNotOptimize(p.matches(argv, true));
}
BENCHMARK(BM_MatchesMatching);

// Loading the 10,000-rule text (parse, evaluate, index).
void BM_Load10000Rules(benchmark::State& state) {
  const std::string text = generated_rules();
  for (auto _ : state) {
    Policy q;
    benchmark::DoNotOptimize(q.add_source(text, "generated.rules"));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_Load10000Rules)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
