// cordon - the built-in seccomp programs.
#include "sandbox/linux/seccomp_programs.h"

#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace cordon::sandbox::linux {
namespace {

#include "seccomp_programs.inc"

}  // namespace

std::optional<SeccompMode> parse_seccomp_mode(std::string_view s) {
  if (s == to_string(SeccompMode::Baseline)) return SeccompMode::Baseline;
  if (s == to_string(SeccompMode::NetworkOff)) return SeccompMode::NetworkOff;
  return std::nullopt;
}

std::span<const sock_filter> seccomp_program(SeccompMode mode) {
  if (mode == SeccompMode::Baseline) return kBaseline;
  return kNetworkOff;
}

int load_seccomp(SeccompMode mode) {
  const std::span<const sock_filter> p = seccomp_program(mode);
  sock_fprog prog{};
  prog.len = static_cast<unsigned short>(p.size());
  // The kernel copies the program and never writes to it.
  prog.filter = const_cast<sock_filter*>(p.data());
  return ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0 ? 0 : errno;
}

}  // namespace cordon::sandbox::linux
