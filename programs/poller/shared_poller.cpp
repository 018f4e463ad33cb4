#include "shared_poller.hpp"

#include <utility>

#include "contend/thread_placement.hpp"

namespace poller {

SharedPoller::SharedPoller(std::vector<std::string> urls, PollFn poll, Config config)
    : poll_(std::move(poll)), config_(std::move(config)) {
  resources_.reserve(urls.size());  // never reallocated after this: workers hold pointers
  for (auto& u : urls) resources_.push_back(Resource{std::move(u), false, Clock::now(), {}});
}

SharedPoller::~SharedPoller() {
  if (started_) stop();
}

void SharedPoller::start() {
  started_ = true;
  for (std::size_t i = 0; i < std::max<std::size_t>(1, config_.workers); ++i)
    workers_.emplace_back([this] {
      const contend::thread_placement::LibraryThread placed;  // bench_poller --pin places it
      work();
    });
  ticker_.emplace(config_.report_every, [this] {
    StateTable table;
    {
      std::lock_guard lock(mu_);
      table = snapshot_locked();
    }
    if (config_.on_report) config_.on_report(table);
  });
}

StateTable SharedPoller::stop() {
  if (!started_) return {};
  started_ = false;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& w : workers_) w.join();
  workers_.clear();
  ticker_.reset();
  std::lock_guard lock(mu_);
  return snapshot_locked();
}

void SharedPoller::work() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    Resource* next = nullptr;
    for (auto& r : resources_)
      if (!r.polling && (!next || r.due < next->due)) next = &r;
    if (!next) {
      cv_.wait(lock);  // every resource is being polled
      continue;
    }
    if (next->due > Clock::now()) {
      cv_.wait_until(lock, next->due);
      continue;
    }
    next->polling = true;
    const std::string url = next->url;
    lock.unlock();
    PollResult result = poll_(url);
    lock.lock();
    Entry& e = next->entry;
    e.errors = result.ok ? 0 : e.errors + 1;
    e.status = std::move(result.status);
    ++e.polls;
    next->polling = false;
    next->due = Clock::now() + backoff(config_, e.errors);
    // One resource became free: one scanner is enough to pick it up.
    cv_.notify_one();
  }
}

StateTable SharedPoller::snapshot_locked() const {
  StateTable table;
  for (const auto& r : resources_) table[r.url] = r.entry;
  return table;
}

}  // namespace poller
