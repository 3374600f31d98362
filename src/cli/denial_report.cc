// cordon - denial reports for the CLI.
#include "cli/denial_report.h"

#include "util/io.h"

namespace cordon::cli {

nlohmann::ordered_json denials_json(const std::vector<sandbox::Denial>& records) {
  nlohmann::ordered_json a = nlohmann::ordered_json::array();
  for (const auto& d : records) {
    a.push_back({{"operation", d.operation},
                 {"target", d.target},
                 {"rule", d.rule},
                 {"pid", d.pid},
                 {"executable", d.exe},
                 {"count", d.count}});
  }
  return a;
}

std::vector<std::string> denial_report_lines(const sandbox::linux::Finished& done) {
  std::vector<std::string> lines = done.denial_summary;
  if (!done.observer_problem.empty()) lines.push_back("note: " + done.observer_problem);
  return lines;
}

std::function<void(const sandbox::Denial&)> live_denial_printer(int fd) {
  return [fd](const sandbox::Denial& d) {
    write_all(fd, "cordon: denied: " + sandbox::log_line(d) + "\n");
  };
}

}  // namespace cordon::cli
