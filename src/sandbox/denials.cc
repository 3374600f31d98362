// cordon - refusal records: the classifier, the fold, and the text for stderr (pure).
//
// classify() predicts the kernel's answer to one observed call from the boundary the
// backend built. Two kinds of backend differ in what the kernel checks first:
//   - mount-based (bwrap, native: RefusalModel::refuses_before_lookup): the boundary is a
//     read-only bind of "/" with read-write binds of the writable roots and read-only binds
//     (or empty stub directories) on the protected paths. A read-only mount answers EROFS as
//     soon as a call asks to change a directory on it, before the name is looked up; it
//     does not stop writes to FIFOs and sockets (nor to devices, which it does not hold);
//     a rename between two mounts fails with EXDEV before any EROFS.
//   - Landlock: the kernel looks the names up first (ENOENT, EEXIST come first) and then
//     checks the rights the ruleset grants beneath each directory.
// A call that changes a directory entry (create, mkdir, mknod, symlink, link, unlink, rmdir,
// rename) is judged by where that entry's directory lies, like the kernel (the mount of the
// parent, the Landlock rights of the parent); a call that writes an existing file (open for
// writing, truncate) by where the file lies.
#include "sandbox/denials.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <limits>
#include <string_view>

#include "util/paths.h"
#include "util/printable.h"
#include "util/text.h"

namespace cordon::sandbox {
namespace {

// open(2) flags, spelled out so the meaning does not depend on the libc headers.
constexpr uint64_t kAccMode = O_ACCMODE;
constexpr uint64_t kRdOnly = O_RDONLY;
constexpr uint64_t kAccRdWrIoctl = 3;  // O_ACCMODE itself: read and write permission checked
constexpr uint64_t kCreat = O_CREAT;
constexpr uint64_t kExcl = O_EXCL;
constexpr uint64_t kTrunc = O_TRUNC;
constexpr uint64_t kNoFollow = O_NOFOLLOW;
constexpr uint64_t kDirectory = O_DIRECTORY;
constexpr uint64_t kPath = O_PATH;
constexpr uint64_t kTmpfileBit = 020000000;  // __O_TMPFILE; O_TMPFILE = this | O_DIRECTORY
constexpr uint64_t kRemoveDir = AT_REMOVEDIR;
constexpr uint64_t kRenameNoReplace = 1;  // renameat2 flags, when the observer passes them
constexpr uint64_t kRenameExchange = 2;

constexpr const char* kRuleOutside = "outside the writable roots";
constexpr const char* kRuleReadOnly = "read-only sandbox";
constexpr const char* kRuleNetwork = "network off";
constexpr const char* kProtectedPrefix = "protected path ";

bool within(const std::string& p, const std::string& root) {
  return paths::is_within(p, paths::normalize(root));
}

bool within_any(const std::string& p, const std::vector<std::string>& roots) {
  return std::any_of(roots.begin(), roots.end(),
                     [&](const std::string& r) { return within(p, r); });
}

// The rule that refuses a change at canonical path `p`, or nullopt when `p` is writable.
// The most specific entry wins: a protected path inside a root refuses, a root inside a
// protected path is writable again; a root and a protected path at the same place: the
// root (the plan binds it last).
// The deny-read entry hiding `p`, unless a nested grant binds it back.
std::optional<std::string> deny_rule(const std::string& p, const RefusalModel& m) {
  if (within_any(p, m.regranted)) return std::nullopt;
  for (const auto& [path, rule] : m.deny_read) {
    if (paths::is_within(p, paths::normalize(path))) return "denied by " + rule + " (deny-read)";
  }
  return std::nullopt;
}

std::optional<std::string> location_rule(const std::string& p, const RefusalModel& m) {
  if (within_any(p, m.writable_extra)) return std::nullopt;
  size_t best_root = 0;
  bool in_root = false;
  for (const auto& r : m.writable) {
    const std::string n = paths::normalize(r);
    if (paths::is_within(p, n) && (!in_root || n.size() > best_root)) {
      best_root = n.size();
      in_root = true;
    }
  }
  // A deny-read mask is read-only (and its file unopenable), wherever it lies.
  if (auto rule = deny_rule(p, m)) return rule;
  if (m.protected_enforced) {
    const policy::ProtectedPath* best = nullptr;
    size_t best_len = 0;
    for (const auto& pp : m.protected_paths) {
      const std::string n = paths::normalize(pp.path);
      if (paths::is_within(p, n) && (!best || n.size() > best_len)) {
        best = &pp;
        best_len = n.size();
      }
    }
    if (best && (!in_root || best_len > best_root)) return kProtectedPrefix + best->why;
  }
  if (in_root) return std::nullopt;
  return m.writable.empty() ? kRuleReadOnly : kRuleOutside;
}

// The mount a directory lies in under a mount-based backend: the innermost root,
// protected path, extra or ignored path holding it ("/" for the read-only root).
std::string mount_of(const std::string& dir, const RefusalModel& m) {
  std::string best = "/";
  auto consider = [&](const std::string& raw) {
    const std::string n = paths::normalize(raw);
    if (paths::is_within(dir, n) && n.size() >= best.size()) best = n;
  };
  for (const auto& r : m.writable) consider(r);
  for (const auto& pp : m.protected_paths) consider(pp.path);
  for (const auto& e : m.writable_extra) consider(e);
  for (const auto& i : m.ignored) consider(i);
  return best;
}

// A path split the way the kernel walks it: the directory part, then the last component.
struct Split {
  std::string dir;   // as given (not resolved)
  std::string last;  // "" for "/" itself
  bool trailing_slash = false;
  bool dots = false;  // the last component is ".", ".." or the path is "/": not a name
};

Split split(const std::string& path) {
  Split s;
  size_t end = path.size();
  while (end > 0 && path[end - 1] == '/') --end;
  s.trailing_slash = end < path.size();
  if (end == 0) {
    s.dir = "/";
    s.dots = true;
    return s;
  }
  const size_t slash = path.rfind('/', end - 1);
  s.last = path.substr(slash + 1, end - slash - 1);
  s.dir = slash == 0 ? "/" : path.substr(0, slash);
  s.dots = s.last == "." || s.last == "..";
  return s;
}

// A name to be changed: its directory resolved (nullopt: the walk fails with ENOENT,
// ENOTDIR or ELOOP before any sandbox check).
struct Entry {
  Split split;
  std::string dir;   // canonical directory holding the name
  std::string path;  // dir + "/" + name (the name itself not followed)
};

std::optional<Entry> entry_of(const std::string& path, const FileSystem& fs) {
  if (!paths::is_absolute(path)) return std::nullopt;
  Entry e;
  e.split = split(path);
  if (e.split.dots) return std::nullopt;  // handled by the callers that accept it
  auto dir = fs.realpath(e.split.dir);
  if (!dir || fs.lstat_type(*dir) != FileType::Directory) return std::nullopt;
  e.dir = *dir;
  e.path = e.dir == "/" ? "/" + e.split.last : e.dir + "/" + e.split.last;
  return e;
}

bool ignored(const std::string& p, const RefusalModel& m) {
  return within_any(p, m.ignored);
}

bool mount_based(const RefusalModel& m) {
  return m.refuses_before_lookup;
}

Denial make(const Attempt& a, std::string operation, std::string target, std::string rule) {
  Denial d;
  d.operation = std::move(operation);
  d.target = std::move(target);
  d.rule = std::move(rule);
  d.pid = a.pid;
  d.exe = a.exe;
  d.count = 1;
  return d;
}

// A new name at `path` (mkdir, mknod, symlink, the new name of link, open's O_CREAT).
std::optional<Denial> create_at(const Attempt& a, const std::string& path, bool want_dir,
                                const std::string& operation, const RefusalModel& m,
                                const FileSystem& fs) {
  auto e = entry_of(path, fs);
  if (!e) return std::nullopt;  // ENOENT/ENOTDIR for the directory, EEXIST for "." ".." "/"
  // The place first: it needs no system call, and most creates are where they may be.
  if (ignored(e->path, m)) return std::nullopt;
  auto rule = location_rule(e->dir, m);
  if (!rule) return std::nullopt;
  if (fs.lstat_type(e->path) != FileType::Missing) return std::nullopt;  // EEXIST first
  if (e->split.trailing_slash && !want_dir) return std::nullopt;         // ENOENT
  return make(a, operation, e->path, *rule);
}

std::optional<Denial> classify_open(const Attempt& a, const RefusalModel& m, const FileSystem& fs) {
  const uint64_t f = a.flags;
  if (f & kPath) return std::nullopt;  // O_PATH ignores every other access flag
  const uint64_t acc = f & kAccMode;
  if (!paths::is_absolute(a.path)) return std::nullopt;

  if (f & kTmpfileBit) {
    // O_TMPFILE: an unnamed file created in the directory `path` names.
    if ((f & (kTmpfileBit | kDirectory | kCreat)) != (kTmpfileBit | kDirectory)) {
      return std::nullopt;  // EINVAL
    }
    if (acc == kRdOnly) return std::nullopt;  // EINVAL
    std::optional<std::string> dir;
    if (f & kNoFollow) {
      const Split s = split(a.path);
      if (!s.dots && fs.lstat_type(a.path) == FileType::Symlink) return std::nullopt;  // ENOTDIR
    }
    dir = fs.realpath(a.path);
    if (!dir || fs.lstat_type(*dir) != FileType::Directory) return std::nullopt;
    if (ignored(*dir, m)) return std::nullopt;
    auto rule = location_rule(*dir, m);
    if (!rule) return std::nullopt;
    return make(a, "create", *dir, *rule);
  }

  if ((f & (kDirectory | kCreat)) == (kDirectory | kCreat)) return std::nullopt;  // EINVAL
  // Write intent: a writable access mode or O_TRUNC. The access mode 3 asks the permission
  // check for writing but gives no write access to the file: a read-only mount refuses it,
  // Landlock (which looks at the file's access mode) does not.
  const bool write =
      (acc != kRdOnly && (mount_based(m) || acc != kAccRdWrIoctl)) || (f & kTrunc) != 0;
  const bool creat = (f & kCreat) != 0;

  const Split s = split(a.path);
  // ".", ".." and "/" name directories (or fail): EISDIR for writes, EEXIST, ENOTDIR.
  if (s.dots) return std::nullopt;
  std::string object;  // the existing file the call opens
  {
    auto e = entry_of(a.path, fs);
    if (!e) return std::nullopt;
    // Before following: /proc/<pid>/fd/N and the /dev links into /proc/self name files
    // opened elsewhere, which the kernel reopens as they are, not by their path.
    if (ignored(e->path, m)) return std::nullopt;
    const FileType t = fs.lstat_type(e->path);
    if (t == FileType::Missing) {
      if (!creat || s.trailing_slash) return std::nullopt;  // ENOENT, EISDIR
      return create_at(a, a.path, false, "create", m, fs);
    }
    if (creat && (f & kExcl)) return std::nullopt;  // EEXIST (a symlink is not followed)
    if (t == FileType::Symlink) {
      if (f & kNoFollow) return std::nullopt;  // ELOOP
      auto real = fs.realpath(a.path);
      // A dangling link (or a loop): ENOENT, ELOOP; with O_CREAT the kernel creates the
      // file the link names, which the seam cannot read (it has no readlink). Neither the
      // link's own place nor its directory tells where that file would be (a link outside
      // the roots may name a file inside them), so nothing is reported: a missed record
      // leaves the agent with the kernel's error, a wrong one sends it the wrong way.
      if (!real) return std::nullopt;
      object = *real;
    } else {
      object = e->path;
    }
  }
  const FileType t = fs.lstat_type(object);
  if (t == FileType::Missing) return std::nullopt;
  if (t == FileType::Directory) return std::nullopt;              // EISDIR for writes; reads pass
  if (s.trailing_slash || (f & kDirectory)) return std::nullopt;  // ENOTDIR
  if (!write) {
    // Reads are watched only when the plan hides paths (RefusalModel::deny_read).
    if (ignored(object, m)) return std::nullopt;
    auto rule = deny_rule(object, m);
    if (!rule) return std::nullopt;
    return make(a, "read", object, *rule);
  }
  // A read-only mount does not stop writes to FIFOs and sockets; Landlock checks them.
  if (t == FileType::Other && mount_based(m)) return std::nullopt;
  if (ignored(object, m)) return std::nullopt;
  auto rule = location_rule(object, m);
  if (!rule) return std::nullopt;
  return make(a, "write", object, *rule);
}

std::optional<Denial> classify_remove(const Attempt& a, bool rmdir, const RefusalModel& m,
                                      const FileSystem& fs) {
  auto e = entry_of(a.path, fs);
  if (!e) return std::nullopt;  // "." ".." "/": EISDIR, EINVAL, ENOTEMPTY, EBUSY first
  if (ignored(e->path, m)) return std::nullopt;
  auto rule = location_rule(e->dir, m);
  if (!rule) return std::nullopt;
  if (!m.refuses_before_lookup) {
    if (fs.lstat_type(e->path) == FileType::Missing) return std::nullopt;  // ENOENT
    if (!rmdir && e->split.trailing_slash) return std::nullopt;            // EISDIR/ENOTDIR first
  }
  return make(a, "delete", e->path, *rule);
}

std::optional<Denial> classify_rename(const Attempt& a, const RefusalModel& m,
                                      const FileSystem& fs) {
  auto from = entry_of(a.path, fs);
  if (!from) return std::nullopt;
  auto to = entry_of(a.path2, fs);
  if (!to) return std::nullopt;
  if (ignored(from->path, m) || ignored(to->path, m)) return std::nullopt;
  auto from_rule = location_rule(from->dir, m);
  auto to_rule = location_rule(to->dir, m);
  if (!from_rule && !to_rule) return std::nullopt;
  if (mount_based(m)) {
    // Both names must be on one mount (else EXDEV); that mount is refused or not.
    if (mount_of(from->dir, m) != mount_of(to->dir, m)) return std::nullopt;
  } else {
    if (fs.lstat_type(from->path) == FileType::Missing) return std::nullopt;  // ENOENT
    const bool to_exists = fs.lstat_type(to->path) != FileType::Missing;
    if ((a.flags & kRenameNoReplace) && to_exists) return std::nullopt;  // EEXIST
    if ((a.flags & kRenameExchange) && !to_exists) return std::nullopt;  // ENOENT
  }
  if (from_rule) return make(a, "rename", from->path, *from_rule);
  return make(a, "rename", to->path, *to_rule);
}

std::optional<Denial> classify_truncate(const Attempt& a, const RefusalModel& m,
                                        const FileSystem& fs) {
  if (!paths::is_absolute(a.path)) return std::nullopt;
  if (auto e = entry_of(a.path, fs); e && ignored(e->path, m)) return std::nullopt;
  auto real = fs.realpath(a.path);  // truncate(2) follows symlinks
  if (!real) return std::nullopt;   // ENOENT
  if (fs.lstat_type(*real) != FileType::Regular) return std::nullopt;  // EISDIR, EINVAL
  if (split(a.path).trailing_slash) return std::nullopt;               // ENOTDIR
  if (ignored(*real, m)) return std::nullopt;
  auto rule = location_rule(*real, m);
  if (!rule) return std::nullopt;
  return make(a, "truncate", *real, *rule);
}

const char* network_operation(Call c) {
  switch (c) {
    case Call::Socket:
      return "socket";
    case Call::Connect:
      return "connect";
    case Call::Bind:
      return "bind";
    case Call::Listen:
      return "listen";
    case Call::Accept:
      return "accept";
    case Call::Sendto:
      return "send";
    default:
      return nullptr;
  }
}

std::string rule_phrase(const std::string& rule, const RefusalModel& m) {
  if (rule == kRuleOutside) {
    std::vector<std::string> roots;
    for (const auto& r : m.writable) roots.push_back(printable(r));
    return std::string(kRuleOutside) + " (" + join(roots, ", ") + ")";
  }
  if (rule == kRuleReadOnly) return "(the sandbox is read-only)";
  if (rule == kRuleNetwork) return "(the network is off)";
  if (rule.rfind(kProtectedPrefix, 0) == 0) return "into " + printable(rule);
  return printable(rule);
}

std::string basename_of(const std::string& exe) {
  const size_t slash = exe.rfind('/');
  std::string base = slash == std::string::npos ? exe : exe.substr(slash + 1);
  return base.empty() ? "?" : base;
}

template <typename T>
T load(std::span<const unsigned char> b, size_t offset) {
  T v{};
  std::memcpy(&v, b.data() + offset, sizeof v);
  return v;
}

}  // namespace

const char* to_string(Call c) {
  switch (c) {
    case Call::Open:
      return "open";
    case Call::Mkdir:
      return "mkdir";
    case Call::Mknod:
      return "mknod";
    case Call::Unlink:
      return "unlink";
    case Call::Rmdir:
      return "rmdir";
    case Call::Rename:
      return "rename";
    case Call::Link:
      return "link";
    case Call::Symlink:
      return "symlink";
    case Call::Truncate:
      return "truncate";
    case Call::Socket:
      return "socket";
    case Call::Connect:
      return "connect";
    case Call::Bind:
      return "bind";
    case Call::Listen:
      return "listen";
    case Call::Accept:
      return "accept";
    case Call::Sendto:
      return "sendto";
  }
  return "?";
}

RefusalModel refusal_model(const SandboxPlan& plan, Backend backend) {
  RefusalModel m;
  // /proc, and the links into /proc/self every /dev has (bwrap's and the native backend's
  // fresh /dev too): what they name was opened before, maybe outside the sandbox (cordon's
  // own stdout redirected to a file), and reopening it keeps that file's own mount; the
  // observer would also resolve "self" as itself.
  m.ignored = {"/proc", "/dev/fd", "/dev/stdin", "/dev/stdout", "/dev/stderr"};
  m.protected_enforced = backend != Backend::Landlock;
  m.refuses_before_lookup = backend != Backend::Landlock;
  m.network_off = plan.network == NetworkMode::Off;
  if (plan.unwrapped) {  // no sandbox: nothing is the sandbox's refusal
    m.writable = {"/"};
    m.network_off = false;
    return m;
  }
  for (const auto& root : plan.writable_roots) {
    m.writable.push_back(root.path);
    for (const auto& p : root.protected_paths) m.protected_paths.push_back(p);
  }
  m.deny_read = plan.deny_read;
  for (const MountOp& op : plan.mounts) {
    if (op.kind != MountOp::Kind::Bind && op.kind != MountOp::Kind::RoBind) continue;
    for (const auto& d : plan.deny_read) {
      if (op.path != d.first && paths::is_within(op.path, d.first)) m.regranted.push_back(op.path);
    }
  }
  if (backend == Backend::Landlock) {
    for (const char* dev : kLandlockWritableDevices) m.writable_extra.emplace_back(dev);
  } else {
    const MountOp dev{MountOp::Kind::Dev, "/dev"};
    if (std::find(plan.mounts.begin(), plan.mounts.end(), dev) != plan.mounts.end()) {
      m.writable_extra.emplace_back("/dev");
    }
  }
  return m;
}

std::optional<Denial> classify(const Attempt& a, const RefusalModel& m, const FileSystem& fs) {
  if (const char* op = network_operation(a.call)) {
    if (!m.network_off) return std::nullopt;
    // Reaching a Unix socket that does not exist fails with or without the sandbox (glibc
    // tries nscd's socket on every user lookup): not the sandbox's doing.
    if ((a.call == Call::Connect || a.call == Call::Sendto) && !a.path.empty() &&
        fs.lstat_type(a.path) == FileType::Missing) {
      return std::nullopt;
    }
    return make(a, op, a.address, kRuleNetwork);
  }
  switch (a.call) {
    case Call::Open:
      return classify_open(a, m, fs);
    case Call::Mkdir:
      return create_at(a, a.path, true, "mkdir", m, fs);
    case Call::Mknod:
      return create_at(a, a.path, false, "create", m, fs);
    case Call::Symlink:
      return create_at(a, a.path, false, "symlink", m, fs);
    case Call::Link: {
      // The existing name is looked up first (ENOENT), then the new one is created.
      if (!paths::is_absolute(a.path) || fs.lstat_type(a.path) == FileType::Missing) {
        return std::nullopt;
      }
      return create_at(a, a.path2, false, "link", m, fs);
    }
    case Call::Unlink:
      return classify_remove(a, (a.flags & kRemoveDir) != 0, m, fs);
    case Call::Rmdir:
      return classify_remove(a, true, m, fs);
    case Call::Rename:
      return classify_rename(a, m, fs);
    case Call::Truncate:
      return classify_truncate(a, m, fs);
    default:
      return std::nullopt;
  }
}

bool DenialLog::add(Denial d) {
  for (auto& r : records_) {
    if (r.operation == d.operation && r.target == d.target && r.rule == d.rule) {
      const uint64_t room = std::numeric_limits<uint64_t>::max() - r.count;
      r.count += std::min(d.count, room);
      return false;
    }
  }
  if (records_.size() >= max_) {
    ++dropped_;
    return false;
  }
  records_.push_back(std::move(d));
  return true;
}

std::vector<std::string> summary_lines(const std::vector<Denial>& records, uint64_t dropped,
                                       const RefusalModel& m) {
  constexpr size_t kShown = 5;
  std::vector<std::string> rules;  // in order of first sight
  for (const auto& r : records) {
    if (std::find(rules.begin(), rules.end(), r.rule) == rules.end()) rules.push_back(r.rule);
  }
  std::vector<std::string> out;
  for (const auto& rule : rules) {
    std::vector<std::string> targets;
    size_t n = 0;  // records: a read and a write of one path are two
    for (const auto& r : records) {
      if (r.rule != rule) continue;
      ++n;
      if (std::find(targets.begin(), targets.end(), r.target) == targets.end()) {
        targets.push_back(r.target);
      }
    }
    const bool network = rule == kRuleNetwork;
    const bool deny_read = rule.rfind("denied by ", 0) == 0;  // reads and writes alike
    std::string line = "blocked " + std::to_string(n) + " " +
                       (network     ? (n == 1 ? "network attempt" : "network attempts")
                        : deny_read ? (n == 1 ? "access" : "accesses")
                                    : (n == 1 ? "write" : "writes")) +
                       " " + rule_phrase(rule, m) + ": ";
    for (size_t i = 0; i < targets.size() && i < kShown; ++i) {
      if (i > 0) line += ", ";
      line += printable(targets[i]);
    }
    if (targets.size() > kShown)
      line += " and " + std::to_string(targets.size() - kShown) + " more";
    out.push_back(std::move(line));
  }
  if (dropped > 0) {
    const std::string what = dropped == 1 ? " refusal" : " refusals";
    out.push_back((records.empty() ? "" : "and ") + std::to_string(dropped) +
                  (records.empty() ? what : " more" + what) + " not recorded");
  }
  return out;
}

std::string log_line(const Denial& d) {
  return printable(d.operation + " " + d.target + " (" + d.rule + ") by " + basename_of(d.exe) +
                   " [pid " + std::to_string(d.pid) + "]");
}

std::string describe_sockaddr(std::span<const unsigned char> addr) {
  if (addr.size() < sizeof(sa_family_t)) return "(no address)";
  const auto family = load<sa_family_t>(addr, 0);
  switch (family) {
    case AF_INET: {
      // sin_port and sin_addr follow the family; the padding need not be there.
      constexpr size_t kNeed = offsetof(sockaddr_in, sin_addr) + sizeof(in_addr);
      if (addr.size() < kNeed) return "AF_INET (truncated address)";
      const auto port = ntohs(load<in_port_t>(addr, offsetof(sockaddr_in, sin_port)));
      const auto a4 = load<in_addr>(addr, offsetof(sockaddr_in, sin_addr));
      char text[INET_ADDRSTRLEN] = {};
      if (!inet_ntop(AF_INET, &a4, text, sizeof text)) return "AF_INET (bad address)";
      return std::string(text) + ":" + std::to_string(port);
    }
    case AF_INET6: {
      constexpr size_t kNeed = offsetof(sockaddr_in6, sin6_addr) + sizeof(in6_addr);
      if (addr.size() < kNeed) return "AF_INET6 (truncated address)";
      const auto port = ntohs(load<in_port_t>(addr, offsetof(sockaddr_in6, sin6_port)));
      const auto a6 = load<in6_addr>(addr, offsetof(sockaddr_in6, sin6_addr));
      char text[INET6_ADDRSTRLEN] = {};
      if (!inet_ntop(AF_INET6, &a6, text, sizeof text)) return "AF_INET6 (bad address)";
      std::string out = "[";
      out += text;
      constexpr size_t kScope = offsetof(sockaddr_in6, sin6_scope_id);
      if (addr.size() >= kScope + sizeof(uint32_t)) {
        const auto scope = load<uint32_t>(addr, kScope);
        if (scope != 0) {
          out += '%';
          out += std::to_string(scope);
        }
      }
      out += "]:";
      out += std::to_string(port);
      return out;
    }
    case AF_UNIX: {
      constexpr size_t kPathAt = offsetof(sockaddr_un, sun_path);
      if (addr.size() <= kPathAt) return "unix:(unnamed)";
      const auto* p = reinterpret_cast<const char*>(addr.data() + kPathAt);
      const size_t n = addr.size() - kPathAt;
      std::string out = p[0] == '\0' ? "unix:@" : "unix:";
      const std::string_view path(p, n);
      out += p[0] == '\0' ? printable(path.substr(1)) : printable(path.substr(0, path.find('\0')));
      return out;
    }
    case AF_NETLINK:
      return "netlink";
    case AF_PACKET:
      return "packet";
    default:
      return "family " + std::to_string(family);
  }
}

std::string describe_socket(uint64_t domain, uint64_t type) {
  std::string d;
  switch (domain) {
    case AF_INET:
      d = "AF_INET";
      break;
    case AF_INET6:
      d = "AF_INET6";
      break;
    case AF_UNIX:
      d = "AF_UNIX";
      break;
    case AF_NETLINK:
      d = "AF_NETLINK";
      break;
    case AF_PACKET:
      d = "AF_PACKET";
      break;
    default:
      d = "family " + std::to_string(domain);
  }
  const uint64_t t = type & 0xf;
  switch (t) {
    case SOCK_STREAM:
      return d + " stream";
    case SOCK_DGRAM:
      return d + " datagram";
    case SOCK_RAW:
      return d + " raw";
    case SOCK_SEQPACKET:
      return d + " seqpacket";
    default:
      return d + " type " + std::to_string(t);
  }
}

std::string join_path(const std::string& base, const std::string& path) {
  if (path.empty()) return base;
  if (path[0] == '/') return path;
  if (base.empty() || base.back() == '/') return base + path;
  return base + "/" + path;
}

}  // namespace cordon::sandbox
