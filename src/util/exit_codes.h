// cordon - cordon's own exit codes. Anything else is the command's own exit code,
// or 128+N when the command was killed by signal N.
#pragma once

namespace cordon::exit_code {

inline constexpr int kUsage = 64;         // a bad flag or argument (EX_USAGE)
inline constexpr int kInternal = 70;      // a bug in cordon (EX_SOFTWARE)
inline constexpr int kSandboxSetup = 71;  // the sandbox could not be set up; nothing ran
inline constexpr int kRefused = 77;  // refused by policy or a rule, or nobody to ask (EX_NOPERM)
inline constexpr int kConfig = 78;   // a bad config file or -c override (EX_CONFIG)
inline constexpr int kDenied = 79;   // the person asked answered no
inline constexpr int kAborted = 80;  // the person asked chose to abort
inline constexpr int kNotExecutable = 126;  // the command exists but cannot be executed
inline constexpr int kNotFound = 127;       // the command was not found

}  // namespace cordon::exit_code
