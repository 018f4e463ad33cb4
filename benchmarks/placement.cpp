#include "placement.hpp"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <mutex>
#include <utility>

#include "contend/thread_placement.hpp"

namespace contend::bench {
namespace {

struct State {
  std::mutex mutex;
  std::vector<int> order;        // empty: --pin=none
  std::vector<pid_t> library;    // live library threads, in start order
  int first_library_slot = 0;    // the run's thread count
};

State& state() {
  static State s;
  return s;
}

// sched_setaffinity on a thread id pins that one thread (pthread_setaffinity_np needs a
// pthread_t, which the hook's bookkeeping of other threads does not have).
void pin(pid_t tid, int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  sched_setaffinity(tid, sizeof set, &set);  // a CPU taken away meanwhile: the thread stays unpinned
}

// Caller holds the mutex.
void pin_library_locked(State& s) {
  for (std::size_t i = 0; i < s.library.size(); ++i) {
    const std::size_t slot = static_cast<std::size_t>(s.first_library_slot) + i;
    pin(s.library[i], s.order[slot % s.order.size()]);
  }
}

void library_thread_started() {
  State& s = state();
  std::lock_guard lock(s.mutex);
  s.library.push_back(gettid());
  pin_library_locked(s);
}

void library_thread_stopping() {
  State& s = state();
  std::lock_guard lock(s.mutex);
  std::erase(s.library, gettid());
}

constexpr thread_placement::Hooks hooks{library_thread_started, library_thread_stopping};

}  // namespace

void configure_placement(std::vector<int> order) {
  State& s = state();
  {
    std::lock_guard lock(s.mutex);
    s.order = std::move(order);
  }
  if (!s.order.empty()) thread_placement::install(&hooks);
}

void place_benchmark_thread(int thread) {
  State& s = state();
  std::lock_guard lock(s.mutex);
  if (s.order.empty()) return;
  pin(gettid(), s.order[static_cast<std::size_t>(thread) % s.order.size()]);
}

void place_library_threads(int threads) {
  State& s = state();
  std::lock_guard lock(s.mutex);
  if (s.order.empty()) return;
  s.first_library_slot = threads;
  pin_library_locked(s);
}

}  // namespace contend::bench
