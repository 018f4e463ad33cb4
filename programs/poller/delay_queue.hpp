// A timer for the channel design: items go in with a due time and come out of pop_due() no
// earlier than that. Replaces Go's goroutine-per-sleeping-resource with one thread and a heap;
// like Go's runtime timers it locks internally, but a resource is only ever in one place.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

#include "poller.hpp"

namespace poller {

template <class T>
class DelayQueue {
 public:
  // False once closed (the item is dropped).
  bool schedule(T item, Clock::time_point due) {
    {
      std::lock_guard lock(mu_);
      if (closed_) return false;
      heap_.push_back({due, seq_++, std::move(item)});
      std::push_heap(heap_.begin(), heap_.end(), Later{});
    }
    cv_.notify_one();
    return true;
  }

  // Blocks until the earliest item is due; nullopt once closed (items still waiting are dropped).
  std::optional<T> pop_due() {
    std::unique_lock lock(mu_);
    for (;;) {
      if (closed_) return std::nullopt;
      if (heap_.empty()) {
        cv_.wait(lock);
      } else if (const auto due = heap_.front().due; due > Clock::now()) {
        cv_.wait_until(lock, due);
      } else {
        std::pop_heap(heap_.begin(), heap_.end(), Later{});
        std::optional<T> item(std::move(heap_.back().item));
        heap_.pop_back();
        return item;
      }
    }
  }

  void close() {
    {
      std::lock_guard lock(mu_);
      closed_ = true;
    }
    cv_.notify_all();
  }

 private:
  struct Slot {
    Clock::time_point due;
    std::uint64_t seq;  // FIFO among equal due times
    T item;
  };
  struct Later {
    bool operator()(const Slot& a, const Slot& b) const {
      return a.due != b.due ? a.due > b.due : a.seq > b.seq;
    }
  };
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Slot> heap_;
  std::uint64_t seq_ = 0;
  bool closed_ = false;
};

}  // namespace poller
