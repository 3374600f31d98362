// cordon fuzz target: the bytes the denial observer reads from a sandboxed process.
//
// Input: byte 0 the call, byte 1 the sandbox (backend, network, read-only, the directory a
// relative path is joined to), bytes 2-3 open/unlink/rename flags (one bit per flag), then
// the rest: used whole as a socket address, and split at NUL bytes into path, path2 and
// the socket() domain/type. Checked:
//   - describe_sockaddr() of any bytes and describe_socket() of any numbers: never crash,
//     read past the span or hit UB; the text is non-empty, one printable line, and follows
//     its family ("unix:" for AF_UNIX, "[...]:port" for AF_INET6, "family N" for others);
//   - join_path(): an empty path gives the base, an absolute one itself, a relative one
//     the base, one slash and the path;
//   - classify() of the Attempt built from the input, over a small fake host and the
//     refusal model refusal_model() makes for a plan with nested roots and protected paths:
//     deterministic; the same for bwrap and native; pid, exe and count 1 copied; a known
//     operation and rule; a network refusal exactly when the network is off, naming the
//     address; a filesystem target is absolute and normalised, never under an ignored
//     path (/proc, /dev/stdout ...), never the file behind a /dev link into /proc/self/fd,
//     never below /ws/src or /tmp (writable, nothing protected inside), exists for writes
//     and truncates and is missing (or the directory of an O_TMPFILE) for creations, with
//     its directory present; under Landlock a refused change names an
//     existing entry and no protected path; the rule names the read-only sandbox exactly
//     when there is no writable root;
//   - DenialLog, summary_lines() and log_line() over the result: folding is counted, every
//     line printable.
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_common.h"
#include "sandbox/denials.h"
#include "util/paths.h"

using cordon::FileType;
using cordon::fuzzing::starts_with;
using namespace cordon::sandbox;  // NOLINT: the module under test

namespace {

using K = cordon::policy::ProtectedPath::Kind;

constexpr uint64_t kFlagBits[16] = {
    01,         // O_WRONLY, RENAME_NOREPLACE
    02,         // O_RDWR, RENAME_EXCHANGE
    0100,       // O_CREAT
    0200,       // O_EXCL
    01000,      // O_TRUNC, AT_REMOVEDIR
    0400000,    // O_NOFOLLOW
    0200000,    // O_DIRECTORY
    010000000,  // O_PATH
    020000000,  // __O_TMPFILE
    02000,      // O_APPEND
    02000000,   // O_CLOEXEC
    04000,      // O_NONBLOCK
    04,         // RENAME_WHITEOUT
    0100000,    // O_LARGEFILE
    040000,     // O_DIRECT
    uint64_t{1} << 40,
};

const char* const kBases[8] = {"/",           "/ws",     "/ws/src", "/etc",
                               "/ws/dirlink", "/r/.git", "/tmp",    "/proc/1"};

const cordon::fakes::FakeFileSystem& host() {
  static const cordon::fakes::FakeFileSystem fs = [] {
    cordon::fakes::FakeFileSystem f;
    f.add_file("/ws/src/a.txt", "a");
    f.add_file("/ws/.git/config", "[core]");
    f.add_dir("/ws/.git/hooks");
    f.add_dir("/ws/.codex");
    f.add_symlink("/ws/link-out", "/etc/passwd");
    f.add_symlink("/ws/dirlink", "/etc");
    f.add_symlink("/ws/dangling", "/nowhere/x");
    f.add_symlink("/ws/loop", "/ws/loop");
    f.add_symlink("/ws/src/up", "../..");
    f.add_file("/ws2/f", "f");
    f.add_other("/tmp/fifo");
    f.add_file("/r/.git/config", "[core]");
    f.add_file("/r/.git/x/f", "f");
    f.add_file("/etc/passwd", "root");
    f.add_dir("/etc/sub");
    f.add_other("/etc/fifo");
    f.add_symlink("/etc/link-in", "/ws/src/a.txt");
    f.add_symlink("/etc/dangling", "/ws/new");
    f.add_other("/dev/null");
    f.add_dir("/dev/pts");
    f.add_file("/proc/1/status", "Name:");
    f.add_symlink("/proc/self", "1");
    f.add_symlink("/proc/1/fd/1", "/etc/passwd");
    f.add_symlink("/dev/stdout", "/proc/self/fd/1");
    f.add_symlink("/dev/fd", "/proc/self/fd");
    return f;
  }();
  return fs;
}

SandboxPlan plan(bool read_only, bool network_full) {
  SandboxPlan p;
  p.network = network_full ? NetworkMode::Full : NetworkMode::Off;
  p.mounts = {{MountOp::Kind::RoBind, "/"}};
  if (!read_only) {
    cordon::policy::WritableRoot ws, tmp, r, x;
    ws.path = "/ws";
    ws.protected_paths = {{"/ws/.git", K::Existing, ".git"},
                          {"/ws/.codex", K::Missing, ".codex"},
                          {"/ws/.agents", K::Missing, ".agents"}};
    tmp.path = "/tmp";
    r.path = "/r";
    r.protected_paths = {{"/r/.git", K::Existing, ".git"}};
    x.path = "/r/.git/x";
    p.writable_roots = {ws, tmp, r, x};
    for (const char* b : {"/ws", "/tmp", "/r", "/r/.git/x"}) {
      p.mounts.push_back({MountOp::Kind::Bind, b});
    }
  }
  p.mounts.push_back({MountOp::Kind::Dev, "/dev"});
  p.mounts.push_back({MountOp::Kind::Proc, "/proc"});
  return p;
}

bool printable_line(std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return false;
  }
  return true;
}

bool one_of(const std::string& s, std::initializer_list<const char*> items) {
  for (const char* i : items) {
    if (s == i) return true;
  }
  return false;
}

uint64_t read_u64(std::string_view s) {
  uint64_t v = 0;
  for (size_t i = 0; i < s.size() && i < 8; ++i) {
    v |= uint64_t{static_cast<unsigned char>(s[i])} << (8 * i);
  }
  return v;
}

void check_sockaddr(std::span<const unsigned char> bytes) {
  const std::string text = describe_sockaddr(bytes);
  FUZZ_CHECK(!text.empty(), "empty address text");
  FUZZ_CHECK(printable_line(text), "unprintable address text: " + text);
  if (bytes.size() < 2) {
    FUZZ_CHECK(text == "(no address)", text);
    return;
  }
  const unsigned family = bytes[0] | (unsigned{bytes[1]} << 8);  // little-endian host
  if (family == AF_UNIX) FUZZ_CHECK(starts_with(text, "unix:"), text);
  if (family == AF_INET6 && bytes.size() >= 24) {
    FUZZ_CHECK(starts_with(text, "[") && text.find("]:") != std::string::npos, text);
  }
  if (family == AF_INET && bytes.size() >= 8) {
    FUZZ_CHECK(text.find(':') != std::string::npos && text[0] >= '0' && text[0] <= '9', text);
  }
  if (family != AF_UNIX && family != AF_INET && family != AF_INET6 && family != AF_NETLINK &&
      family != AF_PACKET) {
    FUZZ_CHECK(text == "family " + std::to_string(family), text);
  }
}

void check_join(const std::string& base, const std::string& path) {
  const std::string j = join_path(base, path);
  if (path.empty()) {
    FUZZ_CHECK(j == base, "join_path of an empty path: " + j);
  } else if (path[0] == '/') {
    FUZZ_CHECK(j == path, "join_path changed an absolute path: " + j);
  } else {
    const std::string sep = base.empty() || base.back() == '/' ? "" : "/";
    FUZZ_CHECK(j == base + sep + path, "join_path: " + base + " + " + path + " = " + j);
  }
}

void check_denial(const Attempt& a, const RefusalModel& m, const std::optional<Denial>& d,
                  const cordon::FileSystem& fs) {
  const bool network = a.call >= Call::Socket;
  if (network) {
    // Except a connect or send to a Unix socket path that does not exist (ENOENT anyway).
    const bool missing_socket = (a.call == Call::Connect || a.call == Call::Sendto) &&
                                !a.path.empty() &&
                                fs.lstat_type(a.path) == cordon::FileType::Missing;
    FUZZ_CHECK(d.has_value() == (m.network_off && !missing_socket),
               "network refusal iff the network is off (and the socket exists)");
    if (d) FUZZ_CHECK(d->target == a.address && d->rule == "network off", d->target);
  }
  if (!d) return;
  FUZZ_CHECK(d->pid == a.pid && d->exe == a.exe && d->count == 1, "pid/exe/count not copied");
  FUZZ_CHECK(
      one_of(d->operation, {"write", "create", "mkdir", "delete", "rename", "link", "symlink",
                            "truncate", "socket", "connect", "bind", "listen", "accept", "send"}),
      "unknown operation " + d->operation);
  if (network) return;

  const std::string& t = d->target;
  const std::string detail = d->operation + " " + t + " (" + d->rule + ") from " + a.path + " | " +
                             a.path2 + " flags " + std::to_string(a.flags);
  FUZZ_CHECK(
      one_of(d->rule, {"outside the writable roots", "read-only sandbox", "protected path .git",
                       "protected path .codex", "protected path .agents"}),
      "unknown rule: " + detail);
  FUZZ_CHECK((d->rule == "read-only sandbox") == m.writable.empty(), detail);
  if (!m.protected_enforced) FUZZ_CHECK(!starts_with(d->rule, "protected path"), detail);
  FUZZ_CHECK(cordon::paths::is_absolute(t) && cordon::paths::normalize(t) == t,
             "target not canonical: " + detail);
  for (const auto& i : m.ignored) {
    FUZZ_CHECK(!cordon::paths::is_within(t, i), "an ignored target: " + detail);
  }
  if (a.call == Call::Open || a.call == Call::Truncate) {
    FUZZ_CHECK(
        t != "/etc/passwd" || !cordon::paths::is_within(cordon::paths::normalize(a.path), "/dev"),
        "a /proc fd link followed: " + detail);
  }
  // Strictly below: removing or renaming the root itself changes its parent directory.
  auto below = [&](const char* dir) { return cordon::paths::is_within(t, dir) && t != dir; };
  if (!m.writable.empty()) {
    FUZZ_CHECK(!below("/ws/src") && !below("/tmp"),
               "a refusal inside a plain writable directory: " + detail);
  }
  const FileType type = fs.lstat_type(t);
  const std::string dir = cordon::paths::parent(t);
  if (d->operation == "write" || d->operation == "truncate") {
    FUZZ_CHECK(type == FileType::Regular || type == FileType::Other, "write of nothing: " + detail);
  } else if (one_of(d->operation, {"create", "mkdir", "link", "symlink"})) {
    const bool tmpfile = a.call == Call::Open && type == FileType::Directory;
    FUZZ_CHECK(type == FileType::Missing || tmpfile, "creation of an existing name: " + detail);
    FUZZ_CHECK(fs.lstat_type(tmpfile ? t : dir) == FileType::Directory,
               "creation in no directory: " + detail);
  } else {
    FUZZ_CHECK(fs.lstat_type(dir) == FileType::Directory, "change in no directory: " + detail);
    // Landlock looks the name up first: a missing one is ENOENT, not a refusal.
    if (!m.refuses_before_lookup) {
      FUZZ_CHECK(fs.lstat_type(a.path) != FileType::Missing, "a missing name refused: " + detail);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  const std::span<const unsigned char> all(data, size);

  // The decoders alone, on every input.
  check_sockaddr(all);
  if (size > 4) check_sockaddr(all.subspan(4));
  if (size < 4) return 0;

  const Call call = static_cast<Call>(data[0] % (static_cast<int>(Call::Sendto) + 1));
  const uint8_t sel = data[1];
  uint64_t flags = 0;
  const unsigned bits = data[2] | (unsigned{data[3]} << 8);
  for (int i = 0; i < 16; ++i) {
    if (bits & (1u << i)) flags |= kFlagBits[i];
  }
  const std::string rest(reinterpret_cast<const char*>(data + 4), size - 4);
  std::vector<std::string> parts;
  for (size_t i = 0;;) {
    const size_t nul = rest.find('\0', i);
    parts.push_back(rest.substr(i, nul == std::string::npos ? std::string::npos : nul - i));
    if (nul == std::string::npos || parts.size() == 3) break;
    i = nul + 1;
  }
  parts.resize(3);

  const std::string base = kBases[(sel >> 4) & 7];
  check_join(base, parts[0]);
  check_join(base, parts[1]);
  check_join(parts[0], parts[1]);

  const uint64_t domain = read_u64(parts[2]);
  const uint64_t type = parts[2].size() > 8 ? read_u64(parts[2].substr(8)) : 0;
  const std::string sock = describe_socket(domain, type);
  FUZZ_CHECK(!sock.empty() && printable_line(sock) && sock.find(' ') != std::string::npos, sock);

  const Backend backends[4] = {Backend::Bwrap, Backend::Native, Backend::Landlock,
                               Backend::Landlock};
  const Backend backend = backends[sel & 3];
  const RefusalModel m = refusal_model(plan((sel & 8) != 0, (sel & 4) != 0), backend);

  Attempt a;
  a.call = call;
  a.path = join_path(base, parts[0]);
  a.path2 = call == Call::Rename || call == Call::Link ? join_path(base, parts[1]) : "";
  a.flags = flags;
  a.address = call == Call::Socket ? sock : describe_sockaddr(all.subspan(4));
  a.pid = static_cast<int>(size);
  a.exe = parts[1];

  const auto& fs = host();
  const auto d = classify(a, m, fs);
  const auto again = classify(a, m, fs);
  FUZZ_CHECK(d == again, "classify() is not deterministic");
  if (backend != Backend::Landlock) {
    const Backend twin = backend == Backend::Bwrap ? Backend::Native : Backend::Bwrap;
    const auto other_backend = refusal_model(plan((sel & 8) != 0, (sel & 4) != 0), twin);
    FUZZ_CHECK(classify(a, other_backend, fs) == d, "bwrap and native disagree");
  }
  check_denial(a, m, d, fs);

  cordon::sandbox::DenialLog log(2);
  if (d) {
    FUZZ_CHECK(log.add(*d), "the first record is new");
    FUZZ_CHECK(!log.add(*d), "the same record folds");
    FUZZ_CHECK(log.records().size() == 1 && log.records()[0].count == 2, "fold count");
    const std::string line = log_line(log.records()[0]);
    FUZZ_CHECK(printable_line(line) && line.find(" [pid ") != std::string::npos, line);
  }
  Denial other;
  other.operation = "write";
  other.target = parts[0];
  other.rule = parts[1];
  log.add(other);
  log.add(other);
  Denial third = other;
  third.target += "x";
  log.add(third);
  const auto lines = summary_lines(log.records(), log.dropped(), m);
  FUZZ_CHECK(!lines.empty(), "no summary for records");
  for (const auto& l : lines) FUZZ_CHECK(printable_line(l), "unprintable summary line: " + l);
  FUZZ_CHECK(printable_line(log_line(other)), "unprintable log line");
  return 0;
}
