// cordon - names of config values.
#include "config/types.h"

namespace cordon::config {

const char* to_string(SandboxMode m) {
  switch (m) {
    case SandboxMode::ReadOnly:
      return "read-only";
    case SandboxMode::WorkspaceWrite:
      return "workspace-write";
    case SandboxMode::DangerFullAccess:
      return "danger-full-access";
  }
  return "?";
}

const char* to_string(FsAccess a) {
  switch (a) {
    case FsAccess::Read:
      return "read";
    case FsAccess::Write:
      return "write";
    case FsAccess::None:
      return "none";
  }
  return "?";
}

const char* to_string(BackendChoice b) {
  switch (b) {
    case BackendChoice::Auto:
      return "auto";
    case BackendChoice::Bwrap:
      return "bwrap";
    case BackendChoice::Native:
      return "native";
    case BackendChoice::Landlock:
      return "landlock";
  }
  return "?";
}

std::string to_string(const ApprovalPolicy& p) {
  using K = ApprovalPolicy::Kind;
  auto flags = [&](bool with_extra) {
    std::string s = "sandbox_approval=" + std::string(p.sandbox_approval ? "true" : "false") +
                    ", rules=" + (p.rules ? "true" : "false") +
                    ", mcp_elicitations=" + (p.mcp_elicitations ? "true" : "false");
    if (with_extra) {
      s += std::string(", request_permissions=") + (p.request_permissions ? "true" : "false") +
           ", skill_approval=" + (p.skill_approval ? "true" : "false");
    }
    return s;
  };
  switch (p.kind) {
    case K::Untrusted:
      return "untrusted";
    case K::OnRequest:
      return "on-request";
    case K::Never:
      return "never";
    case K::Granular:
      return "granular { " + flags(true) + " }";
    case K::Reject:
      return "reject { " + flags(false) + " }";
  }
  return "?";
}

}  // namespace cordon::config
