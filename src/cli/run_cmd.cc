// cordon - `cordon run`.
#include "cli/run_cmd.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "approval/session.h"
#include "approval/tty_prompter.h"
#include "cli/capture.h"
#include "cli/denial_report.h"
#include "rules/amend.h"
#include "sandbox/launch.h"
#include "sandbox/linux/limits.h"
#include "util/exit_codes.h"
#include "util/io.h"
#include "util/printable.h"

namespace cordon::cli {
namespace {

using Json = nlohmann::ordered_json;

// One message on `fd`, each of its lines made printable (a command's words may hold escape
// sequences meant for the terminal).
void say_to(int fd, const std::string& msg) {
  std::string out = "cordon: ";
  size_t start = 0;
  for (;;) {
    const size_t nl = msg.find('\n', start);
    out +=
        printable(std::string_view(msg).substr(start, nl == std::string::npos ? nl : nl - start));
    out += '\n';
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  write_all(fd, out);
}

class Store final : public approval::ApprovalStore {
 public:
  Store(std::string session_file, std::string rules_file)
      : session_file_(std::move(session_file)), rules_file_(std::move(rules_file)) {}
  Status save_session(const approval::Argv& argv, bool outside) override {
    if (session_file_.empty()) return Error{"no session id (set CORDON_SESSION or --session)"};
    return approval::add_session_approval(session_file_, argv, outside);
  }
  Status save_always(const approval::Argv& prefix) override {
    return rules::append_prefix_rule(rules_file_, prefix);
  }

 private:
  std::string session_file_, rules_file_;
};

// Runs the command through the launcher: in the sandbox the effective config describes, or
// unwrapped. With `capture`, its stdout and stderr are collected instead of passed through.
class LaunchRunner final : public approval::Runner {
 public:
  LaunchRunner(const Effective& eff, const FileSystem& fs, OutputCapture* capture, bool log_denials)
      : eff_(eff), fs_(fs), capture_(capture), log_denials_(log_denials) {}

  // What the sandbox refused in the last sandboxed run.
  const std::vector<sandbox::Denial>& denials() const { return denials_; }
  uint64_t denials_dropped() const { return dropped_; }

  Result<approval::RunOutcome> run(bool sandboxed) override {
    sandbox::SandboxPlan outside;
    const sandbox::SandboxPlan* plan = &eff_.plan;
    if (!sandboxed && !eff_.plan.unwrapped) {
      config::EffectiveConfig cfg = eff_.cfg;
      cfg.sandbox_mode.value = config::SandboxMode::DangerFullAccess;
      auto p = sandbox::make_plan(cfg, eff_.fs, {eff_.plan.argv, eff_.plan.cwd});
      if (!p) return p.error();
      outside = std::move(*p);
      plan = &outside;
    }
    int real_err = 2;  // cordon's own messages go to the real stderr, also while capturing
    if (capture_ != nullptr) {
      if (auto st = capture_->start(); !st)
        return Error{"cannot capture output: " + st.error().describe()};
      real_err = capture_->real_stderr();
    }
    sandbox::LaunchContext ctx =
        launch_context(eff_.cfg, [real_err](const std::string& m) { say_to(real_err, m); });
    ctx.replace_process = false;
    if (log_denials_) ctx.on_denial = live_denial_printer(real_err);
    auto done = sandbox::launch(*plan, ctx, fs_);
    if (done) {
      if (auto why =
              sandbox::linux::limit_report(plan->limits, eff_.cfg, done->status, done->usage)) {
        say_to(real_err, *why);
      }
      for (const auto& line : denial_report_lines(*done)) say_to(real_err, line);
    }
    if (capture_ != nullptr) capture_->stop();
    if (!done) return done.error();
    if (sandboxed) {
      denials_ = done->denials;
      dropped_ = done->denials_dropped;
    }
    // The records, not the command's words, say whether the sandbox blocked it.
    return approval::RunOutcome{done->status, done->denial_summary};
  }

 private:
  const Effective& eff_;
  const FileSystem& fs_;
  OutputCapture* capture_;
  bool log_denials_;
  std::vector<sandbox::Denial> denials_;
  uint64_t dropped_ = 0;
};

Json result_json(const approval::FlowResult& r, const OutputCapture* cap,
                 const LaunchRunner& runner) {
  Json j = assessment_json(r.assessment);
  j["outcome"] = approval::to_string(r.outcome);
  j["asked"] = r.answer.has_value() || r.retry_answer.has_value();
  j["answer"] = r.answer ? Json(approval::to_string(*r.answer)) : Json(nullptr);
  j["retry_answer"] = r.retry_answer ? Json(approval::to_string(*r.retry_answer)) : Json(nullptr);
  const bool ran = r.outcome == approval::Outcome::Ran || r.retried;
  j["ran"] = ran;
  j["sandboxed"] = ran ? Json(r.sandboxed) : Json(nullptr);
  j["retried_outside_sandbox"] = r.retried;
  j["exit_code"] = r.exit_code;
  if (!r.message.empty()) j["message"] = r.message;
  j["notes"] = r.notes;
  j["blocked"] = r.blocked;
  j["denials"] = denials_json(runner.denials());
  j["denials_dropped"] = runner.denials_dropped();
  j["stdout"] = cap != nullptr ? cap->out() : "";
  j["stderr"] = cap != nullptr ? cap->err() : "";
  if (cap != nullptr && (cap->out_dropped() > 0 || cap->err_dropped() > 0)) {
    j["stdout_bytes_dropped"] = cap->out_dropped();
    j["stderr_bytes_dropped"] = cap->err_dropped();
  }
  return j;
}

}  // namespace

int run_run(const ApprovalArgs& args) {
  RealFileSystem fs;
  ApprovalSetup setup;
  if (int rc = prepare_approval(args, fs, setup); rc != 0) return rc;
  if (setup.inputs.context.yolo) {
    say_to(2,
           "danger-full-access with approval_policy never (--yolo): no sandbox and no "
           "approvals; the command runs unwrapped and unasked");
  }
  OutputCapture capture;
  LaunchRunner runner(setup.eff, fs, args.json ? &capture : nullptr, args.log_denials);
  Store store(setup.session_file, setup.inputs.context.amendment_file);
  approval::TtyPrompter prompter;
  const approval::FlowResult r =
      approval::decide_and_run(setup.inputs, setup.rules, prompter, runner, store);

  for (const auto& n : r.notes) say_to(2, n);
  if (!r.message.empty()) say_to(2, r.message);
  if (args.json) {
    const std::string out =
        result_json(r, &capture, runner).dump(-1, ' ', false, Json::error_handler_t::replace) +
        "\n";
    write_all(1, out);
  }
  return r.exit_code;
}

}  // namespace cordon::cli
