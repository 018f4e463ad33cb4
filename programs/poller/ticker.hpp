// Calls a function every period on its own thread until destroyed (Go's time.Ticker loop).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <stop_token>
#include <thread>

namespace poller {

class Ticker {
 public:
  Ticker(std::chrono::milliseconds period, std::function<void()> tick)
      : thread_([this, period, tick = std::move(tick)](std::stop_token st) {
          std::unique_lock lock(mu_);
          while (!cv_.wait_for(lock, st, period, [] { return false; })) {
            if (st.stop_requested()) break;
            lock.unlock();
            tick();
            lock.lock();
          }
        }) {}
  ~Ticker() { stop(); }
  void stop() {
    if (thread_.joinable()) {
      thread_.request_stop();
      thread_.join();
    }
  }

 private:
  std::mutex mu_;
  std::condition_variable_any cv_;
  std::jthread thread_;  // last: starts after mu_/cv_ exist
};

}  // namespace poller
