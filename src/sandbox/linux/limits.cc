// cordon - resource limits.
#include "sandbox/linux/limits.h"

#include <signal.h>

#include <cerrno>

namespace cordon::sandbox::linux {
namespace {

int cap_limit(int resource, unsigned long long value) {
  if (value == 0) return 0;
  struct rlimit cur {};
  if (::getrlimit(resource, &cur) != 0) return errno;
  const rlim_t v = static_cast<rlim_t>(value);
  struct rlimit next = cur;
  if (next.rlim_max == RLIM_INFINITY || next.rlim_max > v) next.rlim_max = v;
  if (next.rlim_cur == RLIM_INFINITY || next.rlim_cur > v) next.rlim_cur = v;
  if (resource == RLIMIT_CPU) {
    // SIGXCPU at the limit, which a command may catch; SIGKILL one second later (never
    // above the hard limit the caller had).
    const rlim_t grace = v + 1;
    next.rlim_max = cur.rlim_max == RLIM_INFINITY || cur.rlim_max > grace ? grace : cur.rlim_max;
  }
  if (next.rlim_cur == cur.rlim_cur && next.rlim_max == cur.rlim_max) return 0;
  return ::setrlimit(resource, &next) == 0 ? 0 : errno;
}

std::string mib(unsigned long long bytes) {
  return std::to_string(bytes >> 20) + " MiB";
}

}  // namespace

int apply_limits(const ResourceLimits& l, const char** failed) {
  struct Item {
    int resource;
    unsigned long long value;
    const char* key;
  };
  const Item items[] = {{RLIMIT_NPROC, l.max_processes, "sandbox_linux.max_processes"},
                        {RLIMIT_NOFILE, l.max_open_files, "sandbox_linux.max_open_files"},
                        {RLIMIT_DATA, l.max_memory, "sandbox_linux.max_memory"},
                        {RLIMIT_CPU, l.max_cpu_seconds, "sandbox_linux.max_cpu_seconds"}};
  for (const Item& it : items) {
    if (int e = cap_limit(it.resource, it.value); e != 0) {
      *failed = it.key;
      return e;
    }
  }
  return 0;
}

std::optional<std::string> limit_report(const ResourceLimits& l, const config::EffectiveConfig& cfg,
                                        int status, const struct rusage& usage) {
  if (status == 0) return std::nullopt;
  if (l.max_cpu_seconds != 0 && (status == 128 + SIGXCPU || status == 128 + SIGKILL)) {
    const double used = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                        static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    if (status == 128 + SIGXCPU || used + 0.5 >= static_cast<double>(l.max_cpu_seconds)) {
      return "the command was stopped by its CPU time limit: sandbox_linux.max_cpu_seconds = " +
             std::to_string(l.max_cpu_seconds) + " (" + cfg.max_cpu_seconds.origin + ")";
    }
  }
  if (l.max_memory != 0) {
    // ru_maxrss is in KiB: the peak resident size of the largest process.
    const unsigned long long peak = static_cast<unsigned long long>(usage.ru_maxrss) * 1024;
    if (peak * 10 >= l.max_memory * 9) {
      return "the command reached its memory limit: its largest process used " + mib(peak) +
             " of sandbox_linux.max_memory = " + mib(l.max_memory) + " (" + cfg.max_memory.origin +
             "); allocations beyond it fail";
    }
    // A single allocation larger than what is left fails without the memory ever being
    // touched; a command that then aborts or crashes likely met the limit. Ordinary failures
    // (a grep that found nothing) say nothing.
    if (status == 128 + SIGABRT || status == 128 + SIGSEGV || status == 128 + SIGBUS) {
      return "the command crashed while sandbox_linux.max_memory = " + mib(l.max_memory) + " (" +
             cfg.max_memory.origin + ") was in force; its largest process used " + mib(peak) +
             ", and an allocation beyond the limit fails";
    }
  }
  return std::nullopt;
}

}  // namespace cordon::sandbox::linux
