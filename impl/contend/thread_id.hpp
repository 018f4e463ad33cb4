// Small dense thread ids, recycled when a thread exits: the index of a thread's slot in the
// sharded counters and in the hazard-pointer table. Google Benchmark starts new threads for every
// run, so ids from a plain ever-growing counter would spread over unbounded slots.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <mutex>
#include <stdexcept>

namespace contend {

inline constexpr std::size_t max_threads = 1024;

class ThreadIds {
 public:
  static ThreadIds& instance() {
    static ThreadIds ids;
    return ids;
  }

  std::size_t acquire() {
    std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < max_threads; ++i) {
      if (!used_[i]) {
        used_[i] = true;
        if (i >= high_water_.load(std::memory_order_relaxed)) {
          // seq_cst: a hazard scan (seq_cst load, after its seq_cst unlink) must not miss the
          // slot of a thread that then publishes a hazard; acquire/release would not order that.
          high_water_.store(i + 1, std::memory_order_seq_cst);
        }
        return i;
      }
    }
    throw std::runtime_error("contend: more than 1024 threads alive at once");
  }

  void release(std::size_t id) {
    std::lock_guard lock(mutex_);
    used_[id] = false;
  }

  // One past the highest id ever handed out: scanners look at slots [0, high_water).
  std::size_t high_water() const { return high_water_.load(std::memory_order_seq_cst); }  // see acquire()

 private:
  std::mutex mutex_;
  std::array<bool, max_threads> used_{};
  std::atomic<std::size_t> high_water_{0};
};

namespace detail {
struct ThreadIdHolder {
  std::size_t id = ThreadIds::instance().acquire();
  ThreadIdHolder() = default;
  ThreadIdHolder(const ThreadIdHolder&) = delete;
  ThreadIdHolder& operator=(const ThreadIdHolder&) = delete;
  ~ThreadIdHolder() { ThreadIds::instance().release(id); }
};
}  // namespace detail

// This thread's id, in [0, max_threads); unique among live threads.
inline std::size_t this_thread_id() {
  thread_local detail::ThreadIdHolder holder;
  return holder.id;
}

}  // namespace contend
