// The codewalk's design: a Resource is owned by whichever thread holds it and moves on
// channels: pending -> worker -> complete -> main loop -> sleeping (timer) -> pending. The
// state monitor alone owns the url -> status map; workers and the ticker talk to it only by
// sending messages. No lock guards a resource or the table.
#pragma once

#include <atomic>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include "contend/thread_placement.hpp"
#include "delay_queue.hpp"
#include "poller.hpp"
#include "ticker.hpp"

namespace poller {

template <template <class> class Chan>
class ChannelPoller final : public Poller {
 public:
  ChannelPoller(std::vector<std::string> urls, PollFn poll, Config config)
      : urls_(std::move(urls)),
        poll_(std::move(poll)),
        config_(std::move(config)),
        // Capacity = number of resources: only that many exist, so sends on pending and
        // complete never block, which rules out a cycle of blocked senders.
        pending_(std::max<std::size_t>(1, urls_.size())),
        complete_(std::max<std::size_t>(1, urls_.size())),
        updates_(std::max<std::size_t>(64, urls_.size())) {}

  ~ChannelPoller() override {
    if (started_) stop();
  }

  void start() override {
    started_ = true;
    for (auto& url : urls_) pending_.send(Resource{url, 0});
    // Each thread announces itself to contend's placement hook (bench_poller --pin).
    monitor_ = std::thread([this] {
      const contend::thread_placement::LibraryThread placed;
      monitor();
    });
    for (std::size_t i = 0; i < std::max<std::size_t>(1, config_.workers); ++i)
      workers_.emplace_back([this] {
        const contend::thread_placement::LibraryThread placed;
        work();
      });
    main_loop_ = std::thread([this] {
      const contend::thread_placement::LibraryThread placed;
      while (auto r = complete_.receive())
        sleeping_.schedule(std::move(*r), Clock::now() + backoff(config_, r->errors));
    });
    timer_ = std::thread([this] {
      const contend::thread_placement::LibraryThread placed;
      while (auto r = sleeping_.pop_due()) pending_.send(std::move(*r));
      pending_.close();  // the timer is pending's last sender
    });
    ticker_.emplace(config_.report_every, [this] { updates_.send(Tick{}); });
  }

  StateTable stop() override {
    if (!started_) return {};
    started_ = false;
    stopping_.store(true, std::memory_order_relaxed);
    sleeping_.close();  // timer exits and closes pending; workers drain it without polling
    timer_.join();
    for (auto& w : workers_) w.join();
    workers_.clear();
    complete_.close();  // workers were its last senders
    main_loop_.join();
    ticker_.reset();
    updates_.close();
    monitor_.join();  // join orders the monitor's writes to table_ before our read
    return std::move(table_);
  }

 private:
  struct Resource {
    std::string url;
    int errors = 0;
  };
  struct State {
    std::string url;
    std::string status;
    int errors = 0;
  };
  struct Tick {};
  using Update = std::variant<State, Tick>;

  void work() {
    while (auto r = pending_.receive()) {
      if (stopping_.load(std::memory_order_relaxed)) continue;  // drain without polling
      PollResult result = poll_(r->url);
      r->errors = result.ok ? 0 : r->errors + 1;
      updates_.send(State{r->url, std::move(result.status), r->errors});
      complete_.send(std::move(*r));
    }
  }

  // Go's StateMonitor: one select over updates and the ticker; here the ticker sends into the
  // same channel, so a single receive serves as the select.
  void monitor() {
    StateTable table;
    for (const auto& url : urls_) table[url];
    while (auto u = updates_.receive()) {
      if (auto* s = std::get_if<State>(&*u)) {
        Entry& e = table[s->url];
        e.status = std::move(s->status);
        e.errors = s->errors;
        ++e.polls;
      } else if (config_.on_report) {
        config_.on_report(table);
      }
    }
    table_ = std::move(table);
  }

  const std::vector<std::string> urls_;
  const PollFn poll_;
  const Config config_;
  Chan<Resource> pending_, complete_;
  Chan<Update> updates_;
  DelayQueue<Resource> sleeping_;
  std::atomic<bool> stopping_{false};
  bool started_ = false;
  std::vector<std::thread> workers_;
  std::thread monitor_, main_loop_, timer_;
  std::optional<Ticker> ticker_;
  StateTable table_;  // written by the monitor thread just before it exits
};

}  // namespace poller
