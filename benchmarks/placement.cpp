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
  std::vector<int> order;      // empty: --pin=none
  std::vector<pid_t> library;  // live library threads
  int first_library_slot = 0;  // the run's thread count
  int started_this_run = 0;    // library threads started since place_library_threads()
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

int slot_cpu(const State& s, int slot) { return s.order[static_cast<std::size_t>(slot) % s.order.size()]; }

void library_thread_started() {
  State& s = state();
  std::lock_guard lock(s.mutex);
  if (s.order.empty()) return;  // placement was turned off again after the hook was installed
  s.library.push_back(gettid());
  pin(gettid(), slot_cpu(s, s.first_library_slot + s.started_this_run++));
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
  pin(gettid(), slot_cpu(s, thread));
}

void place_library_threads(int threads) {
  State& s = state();
  std::lock_guard lock(s.mutex);
  if (s.order.empty()) return;
  s.first_library_slot = threads;
  s.started_this_run = 0;
  // A thread kept from an earlier run (a prefilled map's owner) is the one design of this run
  // that is alive and awake, or idle: the designs here start at most one thread each.
  for (pid_t tid : s.library) pin(tid, slot_cpu(s, threads));
}

}  // namespace contend::bench
