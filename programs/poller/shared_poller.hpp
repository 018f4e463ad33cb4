// The traditional design the codewalk contrasts with: one list of resources under a mutex.
// Each worker scans it for the resource due soonest that nobody is polling, marks it
// `polling`, polls without the lock, then retakes the lock for the bookkeeping.
#pragma once

#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "poller.hpp"
#include "ticker.hpp"

namespace poller {

class SharedPoller final : public Poller {
 public:
  SharedPoller(std::vector<std::string> urls, PollFn poll, Config config);
  ~SharedPoller() override;
  void start() override;
  StateTable stop() override;

 private:
  struct Resource {
    std::string url;
    bool polling = false;
    Clock::time_point due{};
    Entry entry;
  };
  void work();
  StateTable snapshot_locked() const;

  const PollFn poll_;
  const Config config_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Resource> resources_;  // guarded by mu_
  bool stopping_ = false;            // guarded by mu_
  bool started_ = false;
  std::vector<std::thread> workers_;
  std::optional<Ticker> ticker_;
};

}  // namespace poller
