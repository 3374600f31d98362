// cordon - what the sandbox refused, as facts an agent can act on (pure).
//
// The observer (linux/observer.h) sees the calls that can be refusals (opens with write
// intent, creates, unlinks, renames, links; network calls when the network is off) and
// decodes each into an Attempt. classify() decides, from the boundary the backend enforces
// (RefusalModel) and what the filesystem holds, whether the kernel refuses that attempt and
// by which rule; DenialLog folds the refusals into records; summary_lines() and log_line()
// turn them into text for stderr.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "policy/writable_roots.h"
#include "sandbox/backend.h"
#include "sandbox/plan.h"
#include "util/filesystem.h"

namespace cordon::sandbox {

// The system calls the observer is sent.
enum class Call {
  Open,      // open, openat, openat2 with write intent (flags tell), creat
  Mkdir,     // mkdir, mkdirat
  Mknod,     // mknod, mknodat
  Unlink,    // unlink, unlinkat (flags & AT_REMOVEDIR: rmdir)
  Rmdir,     // rmdir
  Rename,    // rename, renameat, renameat2
  Link,      // link, linkat
  Symlink,   // symlink, symlinkat (path: the new link)
  Truncate,  // truncate
  Socket,    // socket, socketpair refused by the network-off filter
  Connect,
  Bind,
  Listen,
  Accept,
  Sendto,  // sendto with an address
};

const char* to_string(Call c);

// One observed call, decoded by the observer.
struct Attempt {
  Call call = Call::Open;
  // Absolute (joined with the caller's cwd or dirfd), not normalised. Connect, Bind, Sendto:
  // the Unix socket's path when the address has one, else empty.
  std::string path;
  std::string path2;    // Rename, Link: the destination; empty otherwise
  uint64_t flags = 0;   // Open: the open flags; Unlink: AT_REMOVEDIR or 0
  std::string address;  // network calls: describe_sockaddr() or describe_socket()
  int pid = 0;          // as seen by cordon (the host's pid namespace)
  std::string exe;      // the caller's executable, "" when unknown
};

// The boundary a backend enforces, as far as the classifier needs it.
struct RefusalModel {
  std::vector<std::string> writable;                   // canonical writable roots
  std::vector<policy::ProtectedPath> protected_paths;  // read-only inside the writable roots
  // Deny-read paths hidden by masks (read-only, unreadable), with the entry denying each.
  std::vector<std::pair<std::string, std::string>> deny_read;
  std::vector<std::string> regranted;  // paths inside those masks bound back (nested grants)
  // Writable besides the roots: "/dev" for the namespace backends (a fresh tmpfs), the
  // device nodes the Landlock ruleset grants for the Landlock backend.
  std::vector<std::string> writable_extra;
  // Never reported: what the kernel refuses there is not the sandbox's doing ("/proc").
  std::vector<std::string> ignored;
  bool protected_enforced = true;  // false under Landlock (it can only add access)
  // Read-only mounts refuse unlink/rmdir/rename before looking the name up (EROFS even
  // when it is missing); Landlock looks it up first (ENOENT).
  bool refuses_before_lookup = true;
  bool network_off = true;
};

RefusalModel refusal_model(const SandboxPlan& plan, Backend backend);

// One refusal, or several folded into one record.
struct Denial {
  std::string operation;  // "write", "create", "mkdir", "delete", "rename", "link", "symlink",
                          // "truncate", "socket", "connect", "bind", "listen", "accept", "send"
  std::string target;     // the path refused, or the address
  std::string rule;       // "outside the writable roots", "read-only sandbox",
                          // "protected path .git", "network off",
                          // "denied by **/*.env (deny-read)"
  int pid = 0;            // of the first attempt
  std::string exe;        // of the first attempt
  uint64_t count = 1;     // attempts folded into this record

  bool operator==(const Denial&) const = default;
};

// The refusal `a` meets under `m`, or nullopt when the kernel lets it through or refuses it
// for reasons of its own (a missing parent, an existing name for mkdir, a path under
// `ignored`). `fs` answers as the sandbox sees the filesystem (symlinks, existence).
std::optional<Denial> classify(const Attempt& a, const RefusalModel& m, const FileSystem& fs);

// Refusal records, duplicates (same operation, target and rule) folded, in order of first
// sight, at most max_distinct of them (the rest are counted).
class DenialLog {
 public:
  explicit DenialLog(size_t max_distinct = 256) : max_(max_distinct) {}
  // True when `d` is new (not folded into an earlier record, and not dropped).
  bool add(Denial d);
  const std::vector<Denial>& records() const { return records_; }
  uint64_t dropped() const { return dropped_; }  // distinct records beyond max_distinct

 private:
  size_t max_;
  std::vector<Denial> records_;
  uint64_t dropped_ = 0;
};

// Short lines for stderr after the command ended, one per rule, without the "cordon: "
// prefix, e.g. "blocked 2 writes outside the writable roots (/ws, /tmp): /home/u/.cache/x,
// /etc/y". Empty when nothing was refused.
std::vector<std::string> summary_lines(const std::vector<Denial>& records, uint64_t dropped,
                                       const RefusalModel& m);

// One line for --log-denials, without the "cordon: " prefix.
std::string log_line(const Denial& d);

// A socket address as text: "127.0.0.1:80", "[::1]:443", "unix:/run/x.sock",
// "unix:@name" (abstract), "unix:(unnamed)", "netlink", "family 38" ... Never fails.
std::string describe_sockaddr(std::span<const unsigned char> addr);
// socket(domain, type, ...) as text: "AF_INET stream", "AF_INET6 datagram", "AF_UNIX datagram".
std::string describe_socket(uint64_t domain, uint64_t type);

// `path` made absolute against `base` (an absolute directory) when relative; no other
// change. Used with the caller's cwd or the directory of its dirfd.
std::string join_path(const std::string& base, const std::string& path);

}  // namespace cordon::sandbox
