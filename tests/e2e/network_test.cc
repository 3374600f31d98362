// e2e: the network boundary. The test opens listeners OUTSIDE the sandbox and checks, after
// cordon has exited, whether they received a connection (or a datagram).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <optional>

#include "harness.h"

namespace e2e {
namespace {

using ::testing::Values;

constexpr milliseconds kExpectedWait{5000};  // bounded wait for an expected connection
constexpr milliseconds kUnexpectedWait{100};

bool wait_readable(int fd, milliseconds timeout) {
  pollfd p{fd, POLLIN, 0};
  int rc;
  do {
    rc = ::poll(&p, 1, static_cast<int>(timeout.count()));
  } while (rc < 0 && errno == EINTR);
  return rc > 0;
}

// A listening (or, for UDP, bound) socket of the test process.
class Listener {
 public:
  ~Listener() {
    if (fd_ >= 0) ::close(fd_);
  }
  Listener() = default;
  Listener(Listener&& o) noexcept
      : fd_(o.fd_), port_(o.port_), errno_(o.errno_), error_(std::move(o.error_)) {
    o.fd_ = -1;
  }
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;
  Listener& operator=(Listener&&) = delete;

  static Listener inet(int family, int type, const char* addr) {
    Listener l;
    l.fd_ = ::socket(family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (l.fd_ < 0) return l.failed("socket");
    sockaddr_storage ss{};
    socklen_t len;
    if (family == AF_INET) {
      auto* sa = reinterpret_cast<sockaddr_in*>(&ss);
      sa->sin_family = AF_INET;
      ::inet_pton(AF_INET, addr, &sa->sin_addr);
      len = sizeof(sockaddr_in);
    } else {
      auto* sa = reinterpret_cast<sockaddr_in6*>(&ss);
      sa->sin6_family = AF_INET6;
      ::inet_pton(AF_INET6, addr, &sa->sin6_addr);
      len = sizeof(sockaddr_in6);
    }
    if (::bind(l.fd_, reinterpret_cast<sockaddr*>(&ss), len) != 0) return l.failed("bind");
    if (type == SOCK_STREAM && ::listen(l.fd_, 16) != 0) return l.failed("listen");
    if (::getsockname(l.fd_, reinterpret_cast<sockaddr*>(&ss), &len) != 0) {
      return l.failed("getsockname");
    }
    l.port_ = ntohs(family == AF_INET ? reinterpret_cast<sockaddr_in*>(&ss)->sin_port
                                      : reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
    return l;
  }

  // A stream (or datagram) socket at `name`: a path, or in the abstract namespace.
  static Listener unix_socket(const std::string& name, bool abstract, int type = SOCK_STREAM) {
    Listener l;
    l.fd_ = ::socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (l.fd_ < 0) return l.failed("socket");
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    const size_t off = abstract ? 1 : 0;
    std::memcpy(sa.sun_path + off, name.data(), name.size());
    auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + off + name.size() +
                                      (abstract ? 0 : 1));
    if (::bind(l.fd_, reinterpret_cast<sockaddr*>(&sa), len) != 0) return l.failed("bind");
    if (type == SOCK_STREAM && ::listen(l.fd_, 16) != 0) return l.failed("listen");
    return l;
  }

  bool ok() const { return error_.empty(); }
  int last_errno() const { return errno_; }
  const std::string& error() const { return error_; }
  std::string port() const { return std::to_string(port_); }

  // The first line sent on a connection accepted within `wait`, if any arrived.
  std::optional<std::string> accept_line(milliseconds wait) {
    if (!wait_readable(fd_, wait)) return std::nullopt;
    int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) return std::nullopt;
    std::string line;
    char buf[256];
    while (line.find('\n') == std::string::npos && wait_readable(c, kExpectedWait)) {
      ssize_t n = ::read(c, buf, sizeof buf);
      if (n <= 0) break;
      line.append(buf, static_cast<size_t>(n));
    }
    ::close(c);
    return line;
  }

  // A datagram received within `wait`, if any.
  std::optional<std::string> receive(milliseconds wait) {
    if (!wait_readable(fd_, wait)) return std::nullopt;
    char buf[512];
    ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0) return std::nullopt;
    return std::string(buf, static_cast<size_t>(n));
  }

 private:
  Listener&& failed(const char* what) {
    errno_ = errno;
    error_ = std::string(what) + ": " + std::strerror(errno_);
    return std::move(*this);
  }

  int fd_ = -1;
  int port_ = 0;
  int errno_ = 0;
  std::string error_;
};

class Network : public ModeTest {
 protected:
  void expect_connection(Listener& l, const RunResult& r, const std::string& what) {
    const bool allowed = network_on(mode());
    expect_probe(r, allowed, "EPERM", what);
    auto line = l.accept_line(allowed ? kExpectedWait : kUnexpectedWait);
    EXPECT_EQ(line.has_value(), allowed)
        << what << ": the test's listener " << (line ? "got" : "did not get") << " a connection";
    if (line) {
      EXPECT_EQ(*line, "hello from e2e_probe\n");
    }
  }

  // `how` sends a datagram from an unconnected AF_UNIX socket to a socket of the test.
  void expect_datagram(const char* how) {
    const std::string path = join(outside_, "dgram.sock");
    auto l = Listener::unix_socket(path, false, SOCK_DGRAM);
    ASSERT_TRUE(l.ok()) << "Unix datagram socket " << path << ": " << l.error();
    auto r = probe(mode(), {how, path});
    const bool allowed = network_on(mode());
    expect_probe(r, allowed, "EPERM", std::string(how) + " to " + path);
    auto got = l.receive(allowed ? kExpectedWait : kUnexpectedWait);
    EXPECT_EQ(got.has_value(), allowed)
        << how << ": the test's socket " << (got ? "received" : "did not receive") << " a datagram";
    if (got) {
      EXPECT_EQ(*got, "datagram from e2e_probe");
    }
  }
};

TEST_P(Network, TcpConnectIpv4Loopback) {
  auto l = Listener::inet(AF_INET, SOCK_STREAM, "127.0.0.1");
  ASSERT_TRUE(l.ok()) << "listener on 127.0.0.1: " << l.error();
  auto r = probe(mode(), {"connect4", "127.0.0.1", l.port()});
  expect_connection(l, r, "connect to 127.0.0.1:" + l.port());
}

TEST_P(Network, TcpConnectIpv6Loopback) {
  auto l = Listener::inet(AF_INET6, SOCK_STREAM, "::1");
  if (!l.ok() && (l.last_errno() == EAFNOSUPPORT || l.last_errno() == EADDRNOTAVAIL)) {
    GTEST_SKIP() << "this machine has no IPv6 loopback (" << l.error() << ")";
  }
  ASSERT_TRUE(l.ok()) << "listener on ::1: " << l.error();
  auto r = probe(mode(), {"connect6", "::1", l.port()});
  expect_connection(l, r, "connect to [::1]:" + l.port());
}

TEST_P(Network, UdpSendIpv4Loopback) {
  auto l = Listener::inet(AF_INET, SOCK_DGRAM, "127.0.0.1");
  ASSERT_TRUE(l.ok()) << "UDP socket on 127.0.0.1: " << l.error();
  auto r = probe(mode(), {"udp4", "127.0.0.1", l.port()});
  const bool allowed = network_on(mode());
  expect_probe(r, allowed, "EPERM", "sendto 127.0.0.1:" + l.port());
  auto got = l.receive(allowed ? kExpectedWait : kUnexpectedWait);
  EXPECT_EQ(got.has_value(), allowed) << "datagram " << (got ? "received" : "not received");
  if (got) {
    EXPECT_EQ(*got, "datagram from e2e_probe");
  }
}

TEST_P(Network, ConnectUnixSocketOutside) {
  const std::string path = join(outside_, "listener.sock");
  auto l = Listener::unix_socket(path, false);
  ASSERT_TRUE(l.ok()) << "Unix socket " << path << ": " << l.error();
  auto r = probe(mode(), {"connect_unix", path});
  expect_connection(l, r, "connect to " + path);
}

TEST_P(Network, ConnectAbstractUnixSocket) {
  const std::string name = "cordon-e2e-" + unique_token();
  auto l = Listener::unix_socket(name, true);
  ASSERT_TRUE(l.ok()) << "abstract Unix socket @" << name << ": " << l.error();
  auto r = probe(mode(), {"connect_abstract", name});
  expect_connection(l, r, "connect to @" + name);
}

// A datagram to a Unix socket outside reaches it like connect() would: with the network
// off every way of addressing it is refused.
TEST_P(Network, UnixDatagramSendtoSocketOutside) {
  expect_datagram("dgram_sendto");
}

TEST_P(Network, UnixDatagramSendmsgSocketOutside) {
  expect_datagram("dgram_sendmsg");
}

TEST_P(Network, UnixDatagramSendmmsgSocketOutside) {
  expect_datagram("dgram_sendmmsg");
}

TEST_P(Network, SandboxEnvironmentVariables) {
  RunOptions opts;
  // Values the caller had must not leak through.
  opts.env["CORDON_SANDBOX"] = "preset";
  opts.env["CORDON_SANDBOX_NETWORK_DISABLED"] = "preset";
  auto r =
      sh(mode(), "echo \"S=${CORDON_SANDBOX-unset} N=${CORDON_SANDBOX_NETWORK_DISABLED-unset}\"",
         opts);
  ASSERT_EQ(r.status(), 0) << r.describe();
  std::string expected;
  if (!sandboxed(mode())) {
    expected = "S=unset N=unset\n";
  } else if (network_on(mode())) {
    expected = "S=linux N=unset\n";
  } else {
    expected = "S=linux N=1\n";
  }
  EXPECT_EQ(r.out, expected);
}

INSTANTIATE_TEST_SUITE_P(Modes, Network,
                         Values(Mode::ReadOnly, Mode::WorkspaceWrite, Mode::WorkspaceWriteNetwork,
                                Mode::DangerFullAccess),
                         mode_param_name);

}  // namespace
}  // namespace e2e
