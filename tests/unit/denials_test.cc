// sandbox/denials: classify() against the kernel's order of checks (a table over a fake
// host, for the mount-based backends, Landlock and a read-only sandbox), refusal_model()
// per backend, the fold of DenialLog, the stderr text, and the decoders of the bytes the
// observer reads from a sandboxed process (socket addresses, socket() arguments, paths).
#include "sandbox/denials.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstring>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_filesystem.h"

namespace cordon::sandbox {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using K = policy::ProtectedPath::Kind;

constexpr uint64_t kTmpfile = 020200000;  // O_TMPFILE (with O_DIRECTORY)
constexpr uint64_t kNoReplace = 1;        // RENAME_NOREPLACE

// ---------------------------------------------------------------- the host and models

// What the sandboxed process sees: workspace /ws (with .git, and .codex as the empty stub
// the sandbox mounts for a missing protected path), /tmp, a root /r whose .git holds
// another root /r/.git/x, a directory /ws2 next to /ws, symlinks in and out of the roots,
// a dangling link, a loop, FIFOs and devices.
fakes::FakeFileSystem host() {
  fakes::FakeFileSystem fs;
  fs.add_file("/ws/src/a.txt", "a");
  fs.add_file("/ws/.git/config", "[core]");
  fs.add_dir("/ws/.git/hooks");
  fs.add_dir("/ws/.codex");
  fs.add_symlink("/ws/link-out", "/etc/passwd");
  fs.add_symlink("/ws/dirlink", "/etc");
  fs.add_symlink("/ws/dangling", "/nowhere/x");
  fs.add_symlink("/ws/loop", "/ws/loop");
  fs.add_file("/ws2/f", "f");
  fs.add_dir("/tmp");
  fs.add_other("/tmp/fifo");
  fs.add_file("/r/.git/config", "[core]");
  fs.add_file("/r/.git/x/f", "f");
  fs.add_file("/etc/passwd", "root:x:0:0");
  fs.add_dir("/etc/sub");
  fs.add_other("/etc/fifo");
  fs.add_symlink("/etc/link-in", "/ws/src/a.txt");
  fs.add_symlink("/etc/dangling", "/ws/new");
  fs.add_dir("/home/u/.cache");
  fs.add_other("/run/live.sock");
  fs.add_other("/dev/null");
  fs.add_other("/dev/sda");
  fs.add_dir("/dev/pts");
  fs.add_file("/proc/1/status", "Name:");
  // The links every /dev has into /proc/self; here fd 1 is a file outside the roots (cordon's
  // own stdout redirected to a file, which the sandboxed process inherited).
  fs.add_file("/home/u/log", "");
  fs.add_symlink("/proc/1/fd/1", "/home/u/log");
  fs.add_symlink("/proc/self", "1");
  fs.add_symlink("/dev/stdout", "/proc/self/fd/1");
  fs.add_symlink("/dev/fd", "/proc/self/fd");
  return fs;
}

enum class M { Bwrap, Landlock, ReadOnly, NetOn };

RefusalModel model(M which) {
  RefusalModel m;
  m.writable = {"/ws", "/tmp", "/r", "/r/.git/x"};
  m.protected_paths = {{"/ws/.git", K::Existing, ".git"},
                       {"/ws/.agents", K::Missing, ".agents"},
                       {"/ws/.codex", K::Missing, ".codex"},
                       {"/r/.git", K::Existing, ".git"}};
  m.writable_extra = {"/dev"};
  m.ignored = {"/proc", "/dev/fd", "/dev/stdin", "/dev/stdout", "/dev/stderr"};
  switch (which) {
    case M::Bwrap:
      break;
    case M::Landlock:
      m.protected_enforced = false;
      m.refuses_before_lookup = false;
      m.writable_extra = {"/dev/null", "/dev/zero", "/dev/full",
                          "/dev/tty",  "/dev/ptmx", "/dev/pts"};
      break;
    case M::ReadOnly:
      m.writable.clear();
      m.protected_paths.clear();
      break;
    case M::NetOn:
      m.network_off = false;
      break;
  }
  return m;
}

const char* name(M m) {
  switch (m) {
    case M::Bwrap:
      return "bwrap";
    case M::Landlock:
      return "landlock";
    case M::ReadOnly:
      return "read-only";
    case M::NetOn:
      return "network-on";
  }
  return "?";
}

// ---------------------------------------------------------------- classify(): the table

struct Expect {
  std::string operation, target, rule;
};

struct Case {
  const char* what;
  M m;
  Attempt a;
  std::optional<Expect> want;
};

Attempt open_(const std::string& path, uint64_t flags) {
  Attempt a;
  a.call = Call::Open;
  a.path = path;
  a.flags = flags;
  return a;
}
Attempt call(Call c, const std::string& path, const std::string& path2 = "", uint64_t flags = 0) {
  Attempt a;
  a.call = c;
  a.path = path;
  a.path2 = path2;
  a.flags = flags;
  return a;
}
Attempt net(Call c, const std::string& address) {
  Attempt a;
  a.call = c;
  a.address = address;
  return a;
}

Attempt net_path(Call c, const std::string& address, const std::string& path) {
  Attempt a = net(c, address);
  a.path = path;
  return a;
}

constexpr const char* kOut = "outside the writable roots";
constexpr const char* kRo = "read-only sandbox";
constexpr const char* kGit = "protected path .git";
constexpr const char* kNet = "network off";

std::optional<Expect> none() {
  return std::nullopt;
}
std::optional<Expect> is(const std::string& op, const std::string& target,
                         const std::string& rule) {
  return Expect{op, target, rule};
}

const Case kCases[] = {
    // open: write intent on existing files
    {"write outside", M::Bwrap, open_("/etc/passwd", O_WRONLY), is("write", "/etc/passwd", kOut)},
    {"read-write outside", M::Bwrap, open_("/etc/passwd", O_RDWR),
     is("write", "/etc/passwd", kOut)},
    {"read outside", M::Bwrap, open_("/etc/passwd", O_RDONLY), none()},
    {"O_TRUNC alone is a write", M::Bwrap, open_("/etc/passwd", O_RDONLY | O_TRUNC),
     is("write", "/etc/passwd", kOut)},
    {"write inside the workspace", M::Bwrap, open_("/ws/src/a.txt", O_WRONLY), none()},
    {"write in /tmp", M::Bwrap, open_("/tmp/fifo", O_WRONLY), none()},
    {"access mode 3 on a read-only mount", M::Bwrap, open_("/etc/passwd", O_ACCMODE),
     is("write", "/etc/passwd", kOut)},
    {"access mode 3 under Landlock gives no write access", M::Landlock,
     open_("/etc/passwd", O_ACCMODE), none()},
    {"O_PATH ignores the write flags", M::Bwrap, open_("/etc/passwd", O_PATH | O_WRONLY), none()},
    // open: creation
    {"create outside", M::Bwrap, open_("/etc/new", O_WRONLY | O_CREAT),
     is("create", "/etc/new", kOut)},
    {"create read-only outside still creates", M::Bwrap, open_("/etc/new", O_RDONLY | O_CREAT),
     is("create", "/etc/new", kOut)},
    {"O_CREAT read-only on an existing file", M::Bwrap, open_("/etc/passwd", O_RDONLY | O_CREAT),
     none()},
    {"O_CREAT|O_EXCL on an existing file: EEXIST", M::Bwrap,
     open_("/etc/passwd", O_WRONLY | O_CREAT | O_EXCL), none()},
    {"O_CREAT|O_EXCL on a dangling link: EEXIST", M::Bwrap,
     open_("/etc/dangling", O_WRONLY | O_CREAT | O_EXCL), none()},
    {"missing parent: ENOENT", M::Bwrap, open_("/etc/nodir/new", O_WRONLY | O_CREAT), none()},
    {"parent is a file: ENOTDIR", M::Bwrap, open_("/etc/passwd/new", O_WRONLY | O_CREAT), none()},
    {"missing without O_CREAT: ENOENT", M::Bwrap, open_("/etc/new", O_WRONLY), none()},
    {"O_CREAT with a trailing slash: EISDIR", M::Bwrap, open_("/etc/new/", O_WRONLY | O_CREAT),
     none()},
    {"O_CREAT|O_DIRECTORY: EINVAL", M::Bwrap, open_("/etc/new", O_RDWR | O_CREAT | O_DIRECTORY),
     none()},
    {"create in the workspace", M::Bwrap, open_("/ws/new", O_WRONLY | O_CREAT), none()},
    {"create in a read-only sandbox", M::ReadOnly, open_("/ws/new", O_WRONLY | O_CREAT),
     is("create", "/ws/new", kRo)},
    {"write in a read-only sandbox", M::ReadOnly, open_("/ws/src/a.txt", O_WRONLY),
     is("write", "/ws/src/a.txt", kRo)},
    // open: directories, O_TMPFILE
    {"a directory opened for writing: EISDIR", M::Bwrap, open_("/etc", O_WRONLY), none()},
    {"/ opened for writing: EISDIR", M::Bwrap, open_("/", O_RDWR), none()},
    {"dot opened for writing: EISDIR", M::Bwrap, open_("/etc/.", O_WRONLY), none()},
    {"O_TMPFILE outside creates in that directory", M::Bwrap, open_("/etc", kTmpfile | O_WRONLY),
     is("create", "/etc", kOut)},
    {"O_TMPFILE through a symlinked directory", M::Bwrap, open_("/ws/dirlink/", kTmpfile | O_RDWR),
     is("create", "/etc", kOut)},
    {"O_TMPFILE in the workspace", M::Bwrap, open_("/ws/src", kTmpfile | O_RDWR), none()},
    {"O_TMPFILE read-only: EINVAL", M::Bwrap, open_("/etc", kTmpfile | O_RDONLY), none()},
    {"O_TMPFILE on a file: ENOTDIR", M::Bwrap, open_("/etc/passwd", kTmpfile | O_WRONLY), none()},
    // open: paths that are not normalised
    {"repeated slashes, dot and dot-dot", M::Bwrap,
     open_("//ws/./src/../..//etc//passwd", O_WRONLY), is("write", "/etc/passwd", kOut)},
    {"dot-dot out of the workspace", M::Bwrap, open_("/ws/../etc/new", O_WRONLY | O_CREAT),
     is("create", "/etc/new", kOut)},
    {"trailing slash on a file: ENOTDIR", M::Bwrap, open_("/etc/passwd/", O_WRONLY), none()},
    {"a sibling that shares a prefix is not inside", M::Bwrap, open_("/ws2/f", O_WRONLY),
     is("write", "/ws2/f", kOut)},
    // open: symlinks
    {"a link in the workspace to a file outside", M::Bwrap, open_("/ws/link-out", O_WRONLY),
     is("write", "/etc/passwd", kOut)},
    {"a link outside to a file in the workspace", M::Bwrap, open_("/etc/link-in", O_WRONLY),
     none()},
    {"O_NOFOLLOW on a link: ELOOP", M::Bwrap, open_("/ws/link-out", O_WRONLY | O_NOFOLLOW), none()},
    {"a symlinked directory in the middle", M::Bwrap, open_("/ws/dirlink/passwd", O_WRONLY),
     is("write", "/etc/passwd", kOut)},
    {"a symlinked directory then dot-dot", M::Bwrap, open_("/ws/dirlink/../ws/src/a.txt", O_WRONLY),
     none()},
    {"O_CREAT through a dangling link: where it creates is unknown", M::Bwrap,
     open_("/etc/dangling", O_WRONLY | O_CREAT), none()},
    {"a dangling link without O_CREAT: ENOENT", M::Bwrap, open_("/etc/dangling", O_WRONLY), none()},
    {"a dangling link in the workspace", M::Bwrap, open_("/ws/dangling", O_WRONLY | O_CREAT),
     none()},
    {"a symlink loop: ELOOP", M::Bwrap, open_("/ws/loop", O_WRONLY), none()},
    // open: protected paths, nested roots, devices, ignored paths
    {"write into .git", M::Bwrap, open_("/ws/.git/config", O_WRONLY),
     is("write", "/ws/.git/config", kGit)},
    {"create a hook", M::Bwrap, open_("/ws/.git/hooks/pre-commit", O_WRONLY | O_CREAT),
     is("create", "/ws/.git/hooks/pre-commit", kGit)},
    {"create under a missing protected path (its stub)", M::Bwrap,
     open_("/ws/.codex/config.toml", O_WRONLY | O_CREAT),
     is("create", "/ws/.codex/config.toml", "protected path .codex")},
    {"a root nested in a protected path is writable", M::Bwrap, open_("/r/.git/x/f", O_WRONLY),
     none()},
    {"the protected path around the nested root", M::Bwrap, open_("/r/.git/config", O_WRONLY),
     is("write", "/r/.git/config", kGit)},
    {"Landlock does not enforce protected paths", M::Landlock, open_("/ws/.git/config", O_WRONLY),
     none()},
    {"/dev is writable (fresh tmpfs)", M::Bwrap, open_("/dev/null", O_WRONLY), none()},
    {"a new file in /dev", M::Bwrap, open_("/dev/shm-x", O_WRONLY | O_CREAT), none()},
    {"Landlock grants /dev/null", M::Landlock, open_("/dev/null", O_WRONLY), none()},
    {"Landlock grants /dev/pts and below", M::Landlock, open_("/dev/pts", kTmpfile | O_RDWR),
     none()},
    {"Landlock refuses other devices", M::Landlock, open_("/dev/sda", O_WRONLY),
     is("write", "/dev/sda", kOut)},
    {"a read-only mount lets FIFOs be written", M::Bwrap, open_("/etc/fifo", O_WRONLY), none()},
    {"Landlock refuses writing a FIFO outside", M::Landlock, open_("/etc/fifo", O_WRONLY),
     is("write", "/etc/fifo", kOut)},
    {"/proc is never reported", M::Bwrap, open_("/proc/1/status", O_WRONLY), none()},
    {"/dev/stdout reopens an inherited file", M::Bwrap,
     open_("/dev/stdout", O_WRONLY | O_CREAT | O_TRUNC), none()},
    {"/dev/stdout under Landlock", M::Landlock, open_("/dev/stdout", O_WRONLY | O_CREAT | O_TRUNC),
     none()},
    {"/dev/fd/1", M::Bwrap, open_("/dev/fd/1", O_WRONLY), none()},
    {"/proc/self/fd/1", M::Landlock, open_("/proc/self/fd/1", O_WRONLY | O_APPEND), none()},
    {"the file behind fd 1 opened by its own path", M::Bwrap, open_("/home/u/log", O_WRONLY),
     is("write", "/home/u/log", kOut)},
    {"relative path", M::Bwrap, open_("etc/passwd", O_WRONLY), none()},
    {"empty path", M::Bwrap, open_("", O_WRONLY), none()},
    // mkdir, mknod, symlink
    {"mkdir outside", M::Bwrap, call(Call::Mkdir, "/etc/newdir"), is("mkdir", "/etc/newdir", kOut)},
    {"mkdir with a trailing slash", M::Bwrap, call(Call::Mkdir, "/etc/newdir//"),
     is("mkdir", "/etc/newdir", kOut)},
    {"mkdir of an existing name: EEXIST", M::Bwrap, call(Call::Mkdir, "/etc/sub"), none()},
    {"mkdir of a dangling link: EEXIST", M::Bwrap, call(Call::Mkdir, "/etc/dangling"), none()},
    {"mkdir of dot-dot: EEXIST", M::Bwrap, call(Call::Mkdir, "/etc/sub/.."), none()},
    {"mkdir in the workspace", M::Bwrap, call(Call::Mkdir, "/ws/newdir"), none()},
    {"mkdir with a missing parent", M::Bwrap, call(Call::Mkdir, "/etc/a/b"), none()},
    {"mkdir in .git", M::Bwrap, call(Call::Mkdir, "/ws/.git/newdir"),
     is("mkdir", "/ws/.git/newdir", kGit)},
    {"mkdir of the missing protected path (stub exists): EEXIST", M::Bwrap,
     call(Call::Mkdir, "/ws/.codex"), none()},
    {"mkdir under Landlock outside", M::Landlock, call(Call::Mkdir, "/home/u/.cache/x"),
     is("mkdir", "/home/u/.cache/x", kOut)},
    {"mknod outside", M::Bwrap, call(Call::Mknod, "/etc/fifo2"), is("create", "/etc/fifo2", kOut)},
    {"mknod with a trailing slash: ENOENT", M::Bwrap, call(Call::Mknod, "/etc/fifo2/"), none()},
    {"symlink outside", M::Bwrap, call(Call::Symlink, "/etc/l"), is("symlink", "/etc/l", kOut)},
    {"symlink over an existing name: EEXIST", M::Bwrap, call(Call::Symlink, "/etc/passwd"), none()},
    {"symlink in /tmp", M::Bwrap, call(Call::Symlink, "/tmp/l"), none()},
    // link
    {"link a workspace file to outside", M::Bwrap, call(Call::Link, "/ws/src/a.txt", "/etc/a"),
     is("link", "/etc/a", kOut)},
    {"link with a missing source: ENOENT", M::Bwrap, call(Call::Link, "/ws/nope", "/etc/a"),
     none()},
    {"link onto an existing name: EEXIST", M::Bwrap,
     call(Call::Link, "/ws/src/a.txt", "/etc/passwd"), none()},
    {"link into the workspace", M::Bwrap, call(Call::Link, "/etc/passwd", "/ws/p"), none()},
    {"link target through a symlinked directory", M::Bwrap,
     call(Call::Link, "/ws/src/a.txt", "/ws/dirlink/a"), is("link", "/etc/a", kOut)},
    // unlink, rmdir
    {"unlink outside", M::Bwrap, call(Call::Unlink, "/etc/passwd"),
     is("delete", "/etc/passwd", kOut)},
    {"unlink a missing name on a read-only mount: EROFS", M::Bwrap,
     call(Call::Unlink, "/etc/missing"), is("delete", "/etc/missing", kOut)},
    {"unlink a missing name under Landlock: ENOENT", M::Landlock,
     call(Call::Unlink, "/etc/missing"), none()},
    {"unlink an existing name under Landlock", M::Landlock, call(Call::Unlink, "/etc/passwd"),
     is("delete", "/etc/passwd", kOut)},
    {"unlink with a trailing slash under Landlock", M::Landlock, call(Call::Unlink, "/etc/passwd/"),
     none()},
    {"unlink with a missing parent: ENOENT", M::Bwrap, call(Call::Unlink, "/etc/nodir/x"), none()},
    {"unlink in the workspace", M::Bwrap, call(Call::Unlink, "/ws/src/a.txt"), none()},
    {"unlink in .git", M::Bwrap, call(Call::Unlink, "/ws/.git/config"),
     is("delete", "/ws/.git/config", kGit)},
    {"unlink of the protected mount point itself: EBUSY", M::Bwrap, call(Call::Unlink, "/ws/.git"),
     none()},
    {"unlink a link: the link, not its target", M::Bwrap, call(Call::Unlink, "/etc/link-in"),
     is("delete", "/etc/link-in", kOut)},
    {"unlinkat AT_REMOVEDIR outside", M::Bwrap, call(Call::Unlink, "/etc/sub", "", AT_REMOVEDIR),
     is("delete", "/etc/sub", kOut)},
    {"rmdir outside", M::Bwrap, call(Call::Rmdir, "/etc/sub/"), is("delete", "/etc/sub", kOut)},
    {"rmdir of a writable root: its entry lies in /", M::Bwrap, call(Call::Rmdir, "/ws"),
     is("delete", "/ws", kOut)},
    {"rmdir of dot: EINVAL", M::Bwrap, call(Call::Rmdir, "/etc/sub/."), none()},
    {"rmdir of a missing name under Landlock", M::Landlock, call(Call::Rmdir, "/etc/nodir"),
     none()},
    {"rmdir in /proc", M::Bwrap, call(Call::Rmdir, "/proc/1"), none()},
    // rename
    {"rename within the read-only root", M::Bwrap, call(Call::Rename, "/etc/passwd", "/etc/p2"),
     is("rename", "/etc/passwd", kOut)},
    {"rename within the workspace", M::Bwrap, call(Call::Rename, "/ws/src/a.txt", "/ws/b"), none()},
    {"rename across mounts: EXDEV", M::Bwrap, call(Call::Rename, "/ws/src/a.txt", "/etc/a"),
     none()},
    {"rename from .git to the workspace: EXDEV", M::Bwrap,
     call(Call::Rename, "/ws/.git/config", "/ws/c"), none()},
    {"rename within .git", M::Bwrap, call(Call::Rename, "/ws/.git/config", "/ws/.git/c2"),
     is("rename", "/ws/.git/config", kGit)},
    {"rename of a missing name on a read-only mount", M::Bwrap,
     call(Call::Rename, "/etc/missing", "/etc/x"), is("rename", "/etc/missing", kOut)},
    {"rename out of the workspace under Landlock: the destination", M::Landlock,
     call(Call::Rename, "/ws/src/a.txt", "/etc/a"), is("rename", "/etc/a", kOut)},
    {"rename into the workspace under Landlock: the source", M::Landlock,
     call(Call::Rename, "/etc/passwd", "/ws/p"), is("rename", "/etc/passwd", kOut)},
    {"rename of a missing name under Landlock: ENOENT", M::Landlock,
     call(Call::Rename, "/etc/missing", "/ws/p"), none()},
    {"RENAME_NOREPLACE onto an existing name under Landlock", M::Landlock,
     call(Call::Rename, "/ws/src/a.txt", "/etc/passwd", kNoReplace), none()},
    {"rename of dot-dot: EBUSY", M::Bwrap, call(Call::Rename, "/etc/sub/..", "/etc/x"), none()},
    // truncate
    {"truncate outside", M::Bwrap, call(Call::Truncate, "/etc/passwd"),
     is("truncate", "/etc/passwd", kOut)},
    {"truncate follows the link", M::Bwrap, call(Call::Truncate, "/ws/link-out"),
     is("truncate", "/etc/passwd", kOut)},
    {"truncate a missing file: ENOENT", M::Bwrap, call(Call::Truncate, "/etc/missing"), none()},
    {"truncate a directory: EISDIR", M::Bwrap, call(Call::Truncate, "/etc"), none()},
    {"truncate in the workspace", M::Bwrap, call(Call::Truncate, "/ws/src/a.txt"), none()},
    {"truncate through /dev/stdout", M::Bwrap, call(Call::Truncate, "/dev/stdout"), none()},
    // network
    {"connect with the network off", M::Bwrap, net(Call::Connect, "unix:/run/x.sock"),
     is("connect", "unix:/run/x.sock", kNet)},
    {"socket with the network off", M::Landlock, net(Call::Socket, "AF_INET stream"),
     is("socket", "AF_INET stream", kNet)},
    {"bind", M::Bwrap, net(Call::Bind, "0.0.0.0:80"), is("bind", "0.0.0.0:80", kNet)},
    {"listen", M::Bwrap, net(Call::Listen, "AF_INET6 stream"),
     is("listen", "AF_INET6 stream", kNet)},
    {"accept", M::Bwrap, net(Call::Accept, "AF_INET stream"), is("accept", "AF_INET stream", kNet)},
    {"sendto", M::ReadOnly, net(Call::Sendto, "1.1.1.1:53"), is("send", "1.1.1.1:53", kNet)},
    {"connect with the network on", M::NetOn, net(Call::Connect, "1.1.1.1:443"), none()},
    // A Unix socket that does not exist: ENOENT with or without the sandbox (nscd's socket).
    {"connect to a missing unix socket", M::Bwrap,
     net_path(Call::Connect, "unix:/run/nscd/socket", "/run/nscd/socket"), none()},
    {"sendto a missing unix socket", M::Bwrap, net_path(Call::Sendto, "unix:/dev/log", "/dev/log"),
     none()},
    {"connect to an existing unix socket", M::Bwrap,
     net_path(Call::Connect, "unix:/run/live.sock", "/run/live.sock"),
     is("connect", "unix:/run/live.sock", kNet)},
    {"bind a new unix socket is refused", M::Bwrap,
     net_path(Call::Bind, "unix:/ws/new.sock", "/ws/new.sock"),
     is("bind", "unix:/ws/new.sock", kNet)},
    {"socket with the network on", M::NetOn, net(Call::Socket, "AF_INET stream"), none()},
    {"a write with the network on is still judged", M::NetOn, open_("/etc/passwd", O_WRONLY),
     is("write", "/etc/passwd", kOut)},
};

class Classify : public ::testing::TestWithParam<Case> {};

TEST_P(Classify, Table) {
  const Case& c = GetParam();
  const auto fs = host();
  Attempt a = c.a;
  a.pid = 42;
  a.exe = "/usr/bin/tool";
  const auto got = classify(a, model(c.m), fs);
  if (!c.want) {
    EXPECT_FALSE(got.has_value()) << c.what << " (" << name(c.m) << "): " << got->operation << " "
                                  << got->target << " (" << got->rule << ")";
    return;
  }
  ASSERT_TRUE(got.has_value()) << c.what << " (" << name(c.m) << ")";
  EXPECT_EQ(got->operation, c.want->operation) << c.what;
  EXPECT_EQ(got->target, c.want->target) << c.what;
  EXPECT_EQ(got->rule, c.want->rule) << c.what;
  EXPECT_EQ(got->pid, 42) << c.what;
  EXPECT_EQ(got->exe, "/usr/bin/tool") << c.what;
  EXPECT_EQ(got->count, 1u) << c.what;
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  std::string out = std::to_string(info.index) + "_";
  for (const char* p = info.param.what; *p; ++p) {
    const char ch = *p;
    out += (std::isalnum(static_cast<unsigned char>(ch)) != 0) ? ch : '_';
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Denials, Classify, ::testing::ValuesIn(kCases), case_name);

TEST(ClassifyTable, HasEnoughCases) {
  EXPECT_GE(std::size(kCases), 45u);
}

// The most specific entry wins in both directions, and at the same place the root wins.
TEST(Classify, MostSpecificEntryWins) {
  fakes::FakeFileSystem fs;
  fs.add_file("/a/p/q/r/f");
  RefusalModel m = model(M::Bwrap);
  m.writable = {"/a", "/a/p/q"};
  m.protected_paths = {{"/a/p", K::Existing, "outer"}, {"/a/p/q/r", K::Existing, "inner"}};
  auto at = [&](const std::string& p) { return classify(open_(p, O_WRONLY | O_CREAT), m, fs); };
  ASSERT_TRUE(at("/a/p/x"));
  EXPECT_EQ(at("/a/p/x")->rule, "protected path outer");
  EXPECT_FALSE(at("/a/p/q/x"));
  ASSERT_TRUE(at("/a/p/q/r/f"));
  EXPECT_EQ(at("/a/p/q/r/f")->rule, "protected path inner");
  EXPECT_FALSE(at("/a/x"));

  m.protected_paths = {{"/a/p/q", K::Existing, "same"}};
  EXPECT_FALSE(at("/a/p/q/x")) << "a root named explicitly wins over its own protection";
}

// The fd links under /proc are judged before they are followed: with only "/proc" ignored,
// /dev/fd/1 (its directory resolves into /proc) is still not reported.
TEST(Classify, ProcLinksAreNotFollowed) {
  const auto fs = host();
  RefusalModel m = model(M::Bwrap);
  m.ignored = {"/proc"};
  EXPECT_FALSE(classify(open_("/dev/fd/1", O_WRONLY | O_TRUNC), m, fs));
  EXPECT_FALSE(classify(open_("/proc/self/fd/1", O_WRONLY), m, fs));
  EXPECT_FALSE(classify(call(Call::Truncate, "/proc/self/fd/1"), m, fs));
  auto d = classify(open_("/dev/stdout", O_WRONLY), m, fs);
  ASSERT_TRUE(d) << "without /dev/stdout in ignored the link is followed";
  EXPECT_EQ(d->target, "/home/u/log");
}

TEST(Classify, WritableRootSlashAndCanonicalForms) {
  auto fs = host();
  RefusalModel m = model(M::Bwrap);
  m.writable = {"/"};
  m.protected_paths = {{"/ws/.git/", K::Existing, ".git"}};
  EXPECT_FALSE(classify(open_("/etc/passwd", O_WRONLY), m, fs));
  auto d = classify(open_("/ws/.git/config", O_WRONLY), m, fs);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->rule, kGit);
}

// ---------------------------------------------------------------- refusal_model()

SandboxPlan workspace_plan() {
  SandboxPlan p;
  p.mode = config::SandboxMode::WorkspaceWrite;
  p.mounts = {{MountOp::Kind::RoBind, "/"},        {MountOp::Kind::Bind, "/ws"},
              {MountOp::Kind::RoBind, "/ws/.git"}, {MountOp::Kind::Bind, "/tmp"},
              {MountOp::Kind::Dev, "/dev"},        {MountOp::Kind::Proc, "/proc"}};
  policy::WritableRoot ws;
  ws.path = "/ws";
  ws.protected_paths = {{"/ws/.git", K::Existing, ".git"}, {"/ws/.codex", K::Missing, ".codex"}};
  policy::WritableRoot tmp;
  tmp.path = "/tmp";
  tmp.protected_paths = {{"/tmp/.git", K::Missing, ".git"}};
  p.writable_roots = {ws, tmp};
  p.network = NetworkMode::Off;
  return p;
}

std::vector<std::string> protected_of(const RefusalModel& m) {
  std::vector<std::string> out;
  for (const auto& p : m.protected_paths) out.push_back(p.path + "=" + p.why);
  return out;
}

TEST(RefusalModel, Bwrap) {
  const RefusalModel m = refusal_model(workspace_plan(), Backend::Bwrap);
  EXPECT_THAT(m.writable, ElementsAre("/ws", "/tmp"));
  EXPECT_THAT(protected_of(m), ElementsAre("/ws/.git=.git", "/ws/.codex=.codex", "/tmp/.git=.git"));
  EXPECT_THAT(m.writable_extra, ElementsAre("/dev"));
  EXPECT_THAT(m.ignored,
              ElementsAre("/proc", "/dev/fd", "/dev/stdin", "/dev/stdout", "/dev/stderr"));
  EXPECT_TRUE(m.protected_enforced);
  EXPECT_TRUE(m.refuses_before_lookup);
  EXPECT_TRUE(m.network_off);
}

TEST(RefusalModel, Native) {
  SandboxPlan p = workspace_plan();
  p.network = NetworkMode::Full;
  const RefusalModel m = refusal_model(p, Backend::Native);
  EXPECT_THAT(m.writable, ElementsAre("/ws", "/tmp"));
  EXPECT_EQ(m.protected_paths.size(), 3u);
  EXPECT_THAT(m.writable_extra, ElementsAre("/dev"));
  EXPECT_THAT(m.ignored,
              ElementsAre("/proc", "/dev/fd", "/dev/stdin", "/dev/stdout", "/dev/stderr"));
  EXPECT_TRUE(m.protected_enforced);
  EXPECT_TRUE(m.refuses_before_lookup);
  EXPECT_FALSE(m.network_off);
}

TEST(RefusalModel, Landlock) {
  const RefusalModel m = refusal_model(workspace_plan(), Backend::Landlock);
  EXPECT_THAT(m.writable, ElementsAre("/ws", "/tmp"));
  EXPECT_EQ(m.protected_paths.size(), 3u);
  EXPECT_THAT(m.writable_extra, ElementsAre("/dev/null", "/dev/zero", "/dev/full", "/dev/tty",
                                            "/dev/ptmx", "/dev/pts"));
  EXPECT_THAT(m.ignored,
              ElementsAre("/proc", "/dev/fd", "/dev/stdin", "/dev/stdout", "/dev/stderr"));
  EXPECT_FALSE(m.protected_enforced);
  EXPECT_FALSE(m.refuses_before_lookup);
  EXPECT_TRUE(m.network_off);
}

TEST(RefusalModel, NoDevMountNoDevExtra) {
  SandboxPlan p = workspace_plan();
  p.mounts = {{MountOp::Kind::RoBind, "/"}, {MountOp::Kind::Bind, "/ws"}};
  EXPECT_THAT(refusal_model(p, Backend::Bwrap).writable_extra, IsEmpty());
  EXPECT_THAT(refusal_model(p, Backend::Native).writable_extra, IsEmpty());
  p.mounts.push_back({MountOp::Kind::Dev, "/elsewhere"});
  EXPECT_THAT(refusal_model(p, Backend::Bwrap).writable_extra, IsEmpty());
}

TEST(RefusalModel, ReadOnlyPlanRefusesEveryWrite) {
  SandboxPlan p;
  p.mode = config::SandboxMode::ReadOnly;
  p.mounts = {
      {MountOp::Kind::RoBind, "/"}, {MountOp::Kind::Dev, "/dev"}, {MountOp::Kind::Proc, "/proc"}};
  const RefusalModel m = refusal_model(p, Backend::Bwrap);
  EXPECT_THAT(m.writable, IsEmpty());
  const auto fs = host();
  auto d = classify(open_("/ws/src/a.txt", O_WRONLY), m, fs);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->rule, kRo);
  EXPECT_FALSE(classify(open_("/dev/null", O_WRONLY), m, fs));
}

TEST(RefusalModel, UnwrappedPlanRefusesNothing) {
  SandboxPlan p;
  p.mode = config::SandboxMode::DangerFullAccess;
  p.unwrapped = true;
  p.network = NetworkMode::Full;
  const RefusalModel m = refusal_model(p, Backend::Bwrap);
  const auto fs = host();
  EXPECT_FALSE(classify(open_("/etc/passwd", O_WRONLY), m, fs));
  EXPECT_FALSE(classify(net(Call::Connect, "1.1.1.1:443"), m, fs));
}

// ---------------------------------------------------------------- DenialLog

Denial denial(const std::string& op, const std::string& target, const std::string& rule,
              int pid = 1, uint64_t count = 1) {
  Denial d;
  d.operation = op;
  d.target = target;
  d.rule = rule;
  d.pid = pid;
  d.exe = "/bin/x";
  d.count = count;
  return d;
}

TEST(DenialLog, FoldsSameOperationTargetAndRule) {
  DenialLog log;
  EXPECT_TRUE(log.add(denial("write", "/etc/a", kOut, 1)));
  EXPECT_FALSE(log.add(denial("write", "/etc/a", kOut, 2)));
  EXPECT_FALSE(log.add(denial("write", "/etc/a", kOut, 3, 5)));
  ASSERT_EQ(log.records().size(), 1u);
  EXPECT_EQ(log.records()[0].count, 7u);
  EXPECT_EQ(log.records()[0].pid, 1) << "the first attempt's pid is kept";
  EXPECT_EQ(log.dropped(), 0u);
}

TEST(DenialLog, DifferentOperationTargetOrRuleIsNew) {
  DenialLog log;
  EXPECT_TRUE(log.add(denial("write", "/etc/a", kOut)));
  EXPECT_TRUE(log.add(denial("create", "/etc/a", kOut)));
  EXPECT_TRUE(log.add(denial("write", "/etc/b", kOut)));
  EXPECT_TRUE(log.add(denial("write", "/etc/a", kRo)));
  EXPECT_FALSE(log.add(denial("create", "/etc/a", kOut)));
  ASSERT_EQ(log.records().size(), 4u);
  EXPECT_EQ(log.records()[0].target, "/etc/a");
  EXPECT_EQ(log.records()[1].operation, "create");
  EXPECT_EQ(log.records()[1].count, 2u);
  EXPECT_EQ(log.records()[2].target, "/etc/b");
  EXPECT_EQ(log.records()[3].rule, kRo);
}

TEST(DenialLog, BoundedAndCountsTheRest) {
  DenialLog log(2);
  EXPECT_TRUE(log.add(denial("write", "/a", kOut)));
  EXPECT_TRUE(log.add(denial("write", "/b", kOut)));
  EXPECT_FALSE(log.add(denial("write", "/c", kOut)));
  EXPECT_FALSE(log.add(denial("write", "/d", kOut)));
  EXPECT_FALSE(log.add(denial("write", "/a", kOut))) << "a known record still folds when full";
  EXPECT_EQ(log.records().size(), 2u);
  EXPECT_EQ(log.records()[0].count, 2u);
  EXPECT_EQ(log.dropped(), 2u);
}

TEST(DenialLog, ZeroCapacityDropsEverything) {
  DenialLog log(0);
  EXPECT_FALSE(log.add(denial("write", "/a", kOut)));
  EXPECT_THAT(log.records(), IsEmpty());
  EXPECT_EQ(log.dropped(), 1u);
}

TEST(DenialLog, CountSaturates) {
  DenialLog log;
  log.add(denial("write", "/a", kOut, 1, UINT64_MAX - 1));
  log.add(denial("write", "/a", kOut, 1, 5));
  EXPECT_EQ(log.records()[0].count, UINT64_MAX);
}

// ---------------------------------------------------------------- summary_lines()

TEST(SummaryLines, EmptyWhenNothingRefused) {
  EXPECT_THAT(summary_lines({}, 0, model(M::Bwrap)), IsEmpty());
}

TEST(SummaryLines, OneLinePerRuleInOrderOfFirstSight) {
  RefusalModel m = model(M::Bwrap);
  m.writable = {"/ws", "/tmp"};
  const std::vector<Denial> records = {
      denial("write", "/home/u/.cache/x", kOut), denial("create", "/ws/.git/hooks/h", kGit),
      denial("delete", "/etc/y", kOut),          denial("connect", "1.1.1.1:443", kNet),
      denial("socket", "AF_INET stream", kNet),
  };
  EXPECT_THAT(
      summary_lines(records, 0, m),
      ElementsAre("blocked 2 writes outside the writable roots (/ws, /tmp): /home/u/.cache/x, "
                  "/etc/y",
                  "blocked 1 write into protected path .git: /ws/.git/hooks/h",
                  "blocked 2 network attempts (the network is off): 1.1.1.1:443, AF_INET stream"));
}

TEST(SummaryLines, AtMostFiveTargetsAndTheRestCounted) {
  std::vector<Denial> records;
  for (int i = 1; i <= 8; ++i) records.push_back(denial("write", "/e/" + std::to_string(i), kRo));
  EXPECT_THAT(summary_lines(records, 0, model(M::ReadOnly)),
              ElementsAre("blocked 8 writes (the sandbox is read-only): /e/1, /e/2, /e/3, /e/4, "
                          "/e/5 and 3 more"));
}

TEST(SummaryLines, FiveTargetsExactlyHasNoMore) {
  std::vector<Denial> records;
  for (int i = 1; i <= 5; ++i) records.push_back(denial("write", "/e/" + std::to_string(i), kRo));
  EXPECT_THAT(summary_lines(records, 0, model(M::ReadOnly)),
              ElementsAre("blocked 5 writes (the sandbox is read-only): /e/1, /e/2, /e/3, /e/4, "
                          "/e/5"));
}

TEST(SummaryLines, CountsRecordsNotAttempts) {
  EXPECT_THAT(summary_lines({denial("connect", "1.1.1.1:53", kNet, 1, 40)}, 0, model(M::Bwrap)),
              ElementsAre("blocked 1 network attempt (the network is off): 1.1.1.1:53"));
}

TEST(SummaryLines, DroppedRecords) {
  EXPECT_THAT(summary_lines({denial("write", "/a", kRo)}, 7, model(M::ReadOnly)),
              ElementsAre("blocked 1 write (the sandbox is read-only): /a",
                          "and 7 more refusals not recorded"));
  EXPECT_THAT(summary_lines({denial("write", "/a", kRo)}, 1, model(M::ReadOnly)),
              ElementsAre("blocked 1 write (the sandbox is read-only): /a",
                          "and 1 more refusal not recorded"));
  EXPECT_THAT(summary_lines({}, 3, model(M::ReadOnly)), ElementsAre("3 refusals not recorded"));
}

TEST(SummaryLines, TargetsAndRootsMadePrintable) {
  RefusalModel m = model(M::Bwrap);
  m.writable = {"/w\ns"};
  EXPECT_THAT(
      summary_lines({denial("write", "/etc/a\x1b[2Jb", kOut)}, 0, m),
      ElementsAre("blocked 1 write outside the writable roots (/w\\x0as): /etc/a\\x1b[2Jb"));
}

TEST(SummaryLines, OtherRulesAsTheyAre) {
  EXPECT_THAT(summary_lines({denial("write", "/a", "protected path gitdir of /r/.git")}, 0,
                            model(M::Bwrap)),
              ElementsAre("blocked 1 write into protected path gitdir of /r/.git: /a"));
}

// ---------------------------------------------------------------- log_line()

TEST(LogLine, Format) {
  Denial d = denial("write", "/etc/passwd", kOut, 42);
  d.exe = "/usr/bin/touch";
  EXPECT_EQ(log_line(d), "write /etc/passwd (outside the writable roots) by touch [pid 42]");
  d.exe = "";
  EXPECT_EQ(log_line(d), "write /etc/passwd (outside the writable roots) by ? [pid 42]");
  d.exe = "python3";
  EXPECT_EQ(log_line(d), "write /etc/passwd (outside the writable roots) by python3 [pid 42]");
  d.exe = "/weird/";
  EXPECT_EQ(log_line(d), "write /etc/passwd (outside the writable roots) by ? [pid 42]");
}

TEST(LogLine, Printable) {
  Denial d = denial("create", "/tmp/x\ny", kOut, 7);
  d.exe = "/bin/e\x1bvil";
  EXPECT_EQ(log_line(d), "create /tmp/x\\x0ay (outside the writable roots) by e\\x1bvil [pid 7]");
}

// ---------------------------------------------------------------- describe_sockaddr()

template <typename T>
std::vector<unsigned char> bytes_of(const T& v, size_t n = sizeof(T)) {
  std::vector<unsigned char> b(n);
  std::memcpy(b.data(), &v, std::min(n, sizeof(T)));
  return b;
}

std::string describe(const std::vector<unsigned char>& b) {
  return describe_sockaddr(std::span<const unsigned char>(b.data(), b.size()));
}

sockaddr_in in4(const char* addr, uint16_t port) {
  sockaddr_in s{};
  s.sin_family = AF_INET;
  s.sin_port = htons(port);
  inet_pton(AF_INET, addr, &s.sin_addr);
  return s;
}

sockaddr_in6 in6(const char* addr, uint16_t port, uint32_t scope = 0) {
  sockaddr_in6 s{};
  s.sin6_family = AF_INET6;
  s.sin6_port = htons(port);
  s.sin6_scope_id = scope;
  inet_pton(AF_INET6, addr, &s.sin6_addr);
  return s;
}

std::vector<unsigned char> un(const std::string& path_bytes) {
  std::vector<unsigned char> b(offsetof(sockaddr_un, sun_path) + path_bytes.size());
  const sa_family_t f = AF_UNIX;
  std::memcpy(b.data(), &f, sizeof f);
  std::memcpy(b.data() + offsetof(sockaddr_un, sun_path), path_bytes.data(), path_bytes.size());
  return b;
}

TEST(DescribeSockaddr, Inet) {
  EXPECT_EQ(describe(bytes_of(in4("127.0.0.1", 80))), "127.0.0.1:80");
  EXPECT_EQ(describe(bytes_of(in4("10.1.2.3", 65535))), "10.1.2.3:65535");
  EXPECT_EQ(describe(bytes_of(in4("0.0.0.0", 0))), "0.0.0.0:0");
  EXPECT_EQ(describe(bytes_of(in4("1.2.3.4", 53), 8)), "1.2.3.4:53") << "no padding needed";
  EXPECT_EQ(describe(bytes_of(in4("1.2.3.4", 53), 7)), "AF_INET (truncated address)");
  EXPECT_EQ(describe(bytes_of(in4("1.2.3.4", 53), 2)), "AF_INET (truncated address)");
}

TEST(DescribeSockaddr, Inet6) {
  EXPECT_EQ(describe(bytes_of(in6("::1", 443))), "[::1]:443");
  EXPECT_EQ(describe(bytes_of(in6("2001:db8::5", 8080))), "[2001:db8::5]:8080");
  EXPECT_EQ(describe(bytes_of(in6("fe80::1", 22, 3))), "[fe80::1%3]:22");
  EXPECT_EQ(describe(bytes_of(in6("::ffff:192.0.2.1", 80))), "[::ffff:192.0.2.1]:80");
  EXPECT_EQ(describe(bytes_of(in6("fe80::1", 22, 3), 24)), "[fe80::1]:22")
      << "the RFC 2133 length has no scope id";
  EXPECT_EQ(describe(bytes_of(in6("::1", 443), 23)), "AF_INET6 (truncated address)");
}

TEST(DescribeSockaddr, UnixPath) {
  EXPECT_EQ(describe(un(std::string("/run/x.sock\0", 12))), "unix:/run/x.sock");
  EXPECT_EQ(describe(un("/run/x.sock")), "unix:/run/x.sock") << "no NUL: bounded by the span";
  EXPECT_EQ(describe(un(std::string("/a\0garbage", 10))), "unix:/a");
  EXPECT_EQ(describe(un("rel.sock")), "unix:rel.sock");
  EXPECT_EQ(describe(un("/x\n\x1b[0m")), "unix:/x\\x0a\\x1b[0m");
  const sockaddr_un full = [] {
    sockaddr_un s{};
    s.sun_family = AF_UNIX;
    std::memset(s.sun_path, 'p', sizeof s.sun_path);  // unterminated, fills the structure
    return s;
  }();
  EXPECT_EQ(describe(bytes_of(full)), "unix:" + std::string(sizeof full.sun_path, 'p'));
}

TEST(DescribeSockaddr, UnixAbstractAndUnnamed) {
  EXPECT_EQ(describe(un(std::string("\0name", 5))), "unix:@name");
  EXPECT_EQ(describe(un(std::string("\0a\0b", 4))), "unix:@a\\x00b");
  EXPECT_EQ(describe(un(std::string("\0", 1))), "unix:@");
  EXPECT_EQ(describe(un("")), "unix:(unnamed)");
}

TEST(DescribeSockaddr, OtherFamiliesAndShortBuffers) {
  const sa_family_t netlink = AF_NETLINK, packet = AF_PACKET, bluetooth = 31, unspec = AF_UNSPEC;
  EXPECT_EQ(describe(bytes_of(netlink, 12)), "netlink");
  EXPECT_EQ(describe(bytes_of(packet, 20)), "packet");
  EXPECT_EQ(describe(bytes_of(bluetooth, 10)), "family 31");
  EXPECT_EQ(describe(bytes_of(unspec, 16)), "family 0");
  EXPECT_EQ(describe({}), "(no address)");
  EXPECT_EQ(describe({0x02}), "(no address)");
  EXPECT_EQ(describe_sockaddr({}), "(no address)");
}

// ---------------------------------------------------------------- describe_socket()

TEST(DescribeSocket, DomainsAndTypes) {
  EXPECT_EQ(describe_socket(AF_INET, SOCK_STREAM), "AF_INET stream");
  EXPECT_EQ(describe_socket(AF_INET6, SOCK_DGRAM), "AF_INET6 datagram");
  EXPECT_EQ(describe_socket(AF_UNIX, SOCK_DGRAM), "AF_UNIX datagram");
  EXPECT_EQ(describe_socket(AF_NETLINK, SOCK_RAW), "AF_NETLINK raw");
  EXPECT_EQ(describe_socket(AF_PACKET, SOCK_SEQPACKET), "AF_PACKET seqpacket");
  EXPECT_EQ(describe_socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC), "AF_INET stream");
  EXPECT_EQ(describe_socket(AF_INET, 4), "AF_INET type 4");
  EXPECT_EQ(describe_socket(AF_INET, 10), "AF_INET type 10");
  EXPECT_EQ(describe_socket(38, SOCK_SEQPACKET), "family 38 seqpacket");
  EXPECT_EQ(describe_socket(UINT64_MAX, 0), "family 18446744073709551615 type 0");
}

// ---------------------------------------------------------------- join_path(), to_string()

TEST(JoinPath, RelativeAbsoluteEmpty) {
  EXPECT_EQ(join_path("/ws", "a/b"), "/ws/a/b");
  EXPECT_EQ(join_path("/", "etc/passwd"), "/etc/passwd");
  EXPECT_EQ(join_path("/ws", "/etc/passwd"), "/etc/passwd");
  EXPECT_EQ(join_path("/ws", ""), "/ws");
  EXPECT_EQ(join_path("/ws", "../x/./y"), "/ws/../x/./y") << "not normalised";
  EXPECT_EQ(join_path("/ws", "//x"), "//x");
  EXPECT_EQ(join_path("/ws/", "a"), "/ws/a");
}

TEST(CallNames, Distinct) {
  const Call all[] = {Call::Open,    Call::Mkdir, Call::Mknod,   Call::Unlink,   Call::Rmdir,
                      Call::Rename,  Call::Link,  Call::Symlink, Call::Truncate, Call::Socket,
                      Call::Connect, Call::Bind,  Call::Listen,  Call::Accept,   Call::Sendto};
  std::vector<std::string> names;
  for (Call c : all) names.push_back(to_string(c));
  std::sort(names.begin(), names.end());
  EXPECT_EQ(std::unique(names.begin(), names.end()), names.end());
  EXPECT_STREQ(to_string(Call::Open), "open");
  EXPECT_STREQ(to_string(Call::Sendto), "sendto");
}

}  // namespace
}  // namespace cordon::sandbox

namespace cordon::sandbox {
namespace {

// Deny-read masks: /ws/src hidden (a MaskDir) with /ws/src/pub bound back, /etc/passwd hidden
// (a MaskFile). Reads are reported only inside the masks and outside what is bound back.
TEST(ClassifyDenyRead, ReadsAndWritesOfHiddenPaths) {
  auto fs = host();
  fs.add_file("/ws/src/pub/p", "p");
  RefusalModel m = model(M::Bwrap);
  m.deny_read = {{"/ws/src", ":project_roots/src"}, {"/etc/passwd", "/etc/passwd"}};
  m.regranted = {"/ws/src/pub"};
  auto read = [&](const std::string& path) {
    Attempt a;
    a.call = Call::Open;
    a.path = path;
    a.flags = 0;  // O_RDONLY
    return classify(a, m, fs);
  };
  auto d = read("/etc/passwd");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->operation, "read");
  EXPECT_EQ(d->target, "/etc/passwd");
  EXPECT_EQ(d->rule, "denied by /etc/passwd (deny-read)");
  d = read("/ws/src/a.txt");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->rule, "denied by :project_roots/src (deny-read)");
  EXPECT_FALSE(read("/ws/src/pub/p").has_value()) << "bound back by a nested grant";
  EXPECT_FALSE(read("/ws2/f").has_value()) << "not hidden";
  EXPECT_FALSE(read("/ws/src").has_value()) << "the mask itself lists empty: no refusal";
  EXPECT_FALSE(read("/ws/src/missing").has_value()) << "missing on the host too";
  // A write into the hidden directory, inside a writable root: the mask refuses it.
  Attempt w;
  w.call = Call::Open;
  w.path = "/ws/src/new";
  w.flags = 0101;  // O_WRONLY | O_CREAT
  d = classify(w, m, fs);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->operation, "create");
  EXPECT_EQ(d->rule, "denied by :project_roots/src (deny-read)");
  // Without masks, a read is never a refusal.
  m.deny_read.clear();
  EXPECT_FALSE(read("/etc/passwd").has_value());
}

TEST(SummaryDenyRead, AccessesPerEntryEachPathOnce) {
  const std::string rule = "denied by **/*.env (deny-read)";
  std::vector<Denial> recs = {{"write", "/ws/.env", rule, 1, "/bin/sh", 1},
                              {"read", "/ws/.env", rule, 1, "/bin/cat", 1},
                              {"read", "/ws/a/.env", rule, 2, "/bin/cat", 1}};
  const auto lines = summary_lines(recs, 0, model(M::Bwrap));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "blocked 3 accesses " + rule + ": /ws/.env, /ws/a/.env");
}

}  // namespace
}  // namespace cordon::sandbox
