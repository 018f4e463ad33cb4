// A tiny HTTP/1.1 server on 127.0.0.1 (ephemeral port), for the poller tests and benchmark.
// One thread accepts; one thread per connection serves keep-alive requests, answering each
// with the status code the handler picks for the request path and an empty body.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace poller {

class TestServer {
 public:
  using Handler = std::function<int(const std::string& path)>;  // thread-safe; returns a status

  explicit TestServer(Handler handler);  // throws std::system_error if it cannot listen
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  std::uint16_t port() const { return port_; }
  std::string url(const std::string& path) const;  // "http://127.0.0.1:PORT" + path
  std::uint64_t requests() const { return requests_.load(std::memory_order_relaxed); }
  // CPU time the server's threads spent serving requests, so benchmarks can subtract it.
  std::uint64_t cpu_ns() const { return cpu_ns_.load(std::memory_order_relaxed); }

  // A loopback port with nothing listening (bound, then closed): connecting is refused.
  static std::uint16_t unused_port();

 private:
  void accept_loop();
  void serve(int fd);

  Handler handler_;
  int listen_fd_ = -1;
  int wake_pipe_[2] = {-1, -1};
  std::uint16_t port_ = 0;
  std::atomic<std::uint64_t> requests_{0}, cpu_ns_{0};
  std::mutex mu_;
  bool stopping_ = false;                 // guarded by mu_
  std::set<int> open_fds_;                // guarded by mu_; shut down on destruction to unblock recv
  std::vector<std::thread> connections_;  // guarded by mu_
  std::thread acceptor_;
};

}  // namespace poller
