#include "test_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>
#include <system_error>

namespace poller {
namespace {

[[noreturn]] void fail(const char* what) { throw std::system_error(errno, std::generic_category(), what); }

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

std::uint16_t bound_port(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) fail("getsockname");
  return ntohs(a.sin_port);
}

std::uint64_t thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(ts.tv_nsec);
}

const char* reason(int code) {
  switch (code) {
    case 200:
      return "OK";
    case 301:
      return "Moved Permanently";
    case 404:
      return "Not Found";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

bool send_all(int fd, std::string_view s) {
  while (!s.empty()) {
    const ssize_t n = ::send(fd, s.data(), s.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    s.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

TestServer::TestServer(Handler handler) : handler_(std::move(handler)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) fail("socket");
  const auto addr = loopback(0);
  if (::bind(listen_fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 128) != 0) {
    ::close(listen_fd_);
    fail("bind/listen on 127.0.0.1");
  }
  port_ = bound_port(listen_fd_);
  if (::pipe2(wake_pipe_, O_CLOEXEC) != 0) {
    ::close(listen_fd_);
    fail("pipe2");
  }
  acceptor_ = std::thread([this] { accept_loop(); });
}

TestServer::~TestServer() {
  std::vector<std::thread> connections;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);  // wakes a blocked recv
  }
  const char byte = 0;
  [[maybe_unused]] auto n = ::write(wake_pipe_[1], &byte, 1);
  acceptor_.join();
  {
    std::lock_guard lock(mu_);
    connections.swap(connections_);
  }
  for (auto& t : connections) t.join();
  ::close(listen_fd_);
  ::close(wake_pipe_[0]);
  ::close(wake_pipe_[1]);
}

std::string TestServer::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

std::uint16_t TestServer::unused_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) fail("socket");
  const auto addr = loopback(0);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    fail("bind");
  }
  const auto port = bound_port(fd);
  ::close(fd);
  return port;
}

void TestServer::accept_loop() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents) return;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::lock_guard lock(mu_);
    if (stopping_) {
      ::close(fd);
      return;
    }
    open_fds_.insert(fd);
    connections_.emplace_back([this, fd] { serve(fd); });
  }
}

void TestServer::serve(int fd) {
  std::string buf;
  char chunk[4096];
  auto cpu_mark = thread_cpu_ns();
  for (bool open = true; open;) {
    const auto end = buf.find("\r\n\r\n");
    if (end == std::string::npos) {
      if (buf.size() > 64 * 1024) break;  // not HTTP; drop it
      const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) break;
      buf.append(chunk, static_cast<std::size_t>(n));
      continue;
    }
    const std::string head = buf.substr(0, end);
    buf.erase(0, end + 4);
    // "METHOD /path HTTP/1.1"
    const auto sp1 = head.find(' ');
    const auto sp2 = sp1 == std::string::npos ? sp1 : head.find(' ', sp1 + 1);
    const std::string path = sp2 == std::string::npos ? "/" : head.substr(sp1 + 1, sp2 - sp1 - 1);
    open = head.find("Connection: close") == std::string::npos &&
           head.find("connection: close") == std::string::npos;
    const int code = handler_(path);
    const std::string response = "HTTP/1.1 " + std::to_string(code) + " " + reason(code) +
                                 "\r\nContent-Length: 0\r\nConnection: " + (open ? "keep-alive" : "close") +
                                 "\r\n\r\n";
    open = send_all(fd, response) && open;
    requests_.fetch_add(1, std::memory_order_relaxed);
    const auto now = thread_cpu_ns();  // a blocked recv costs no CPU, so count it all
    cpu_ns_.fetch_add(now - cpu_mark, std::memory_order_relaxed);
    cpu_mark = now;
  }
  std::lock_guard lock(mu_);
  open_fds_.erase(fd);
  ::close(fd);
}

}  // namespace poller
