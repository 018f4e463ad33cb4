// Shared by the tests: stress sizes, the type-list bridge to GoogleTest, and starting threads
// together so that they really contend.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <future>
#include <latch>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "contend/type_list.hpp"

namespace contend::test {

// CONTEND_STRESS scales every stress size (default 1; CI under TSan keeps the default).
inline double stress_factor() {
  const char* s = std::getenv("CONTEND_STRESS");
  double f = s != nullptr ? std::atof(s) : 1.0;
  return f > 0 ? f : 1.0;
}

inline std::size_t scaled(std::size_t n) {
  return std::max<std::size_t>(1, static_cast<std::size_t>(static_cast<double>(n) * stress_factor()));
}

// More threads than cores, so that preemption inside critical sections is exercised too.
inline std::size_t stress_threads() {
  return std::max<std::size_t>(4, 2 * std::thread::hardware_concurrency());
}

// Runs body(i) on n threads released at once, and joins them.
inline void run_together(std::size_t n, const std::function<void(std::size_t)>& body) {
  std::latch start(static_cast<std::ptrdiff_t>(n));
  std::vector<std::jthread> threads;
  threads.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      body(i);
    });
  }
}

// Runs body on a thread of its own and waits for it at most `limit`. A body still running then is
// a hang (a lost wake-up, a lock never released): a stuck thread can be neither joined nor left
// behind, so the process ends there, failing the test with `what` instead of hanging it.
inline void within(std::chrono::seconds limit, const char* what, const std::function<void()>& body) {
  std::packaged_task<void()> task(body);
  std::future<void> finished = task.get_future();
  std::thread thread(std::move(task));
  if (finished.wait_for(limit) == std::future_status::timeout) {
    std::fprintf(stderr, "FAILED: still running after %llds: %s\n", static_cast<long long>(limit.count()), what);
    std::fflush(stderr);
    std::_Exit(1);
  }
  thread.join();
  finished.get();  // rethrows what body threw
}

// For a stack whose pushes and pops may throw: pushed[v] is 1 when v's push returned, popped[v]
// counts how often v was popped. Every pushed value is popped exactly once, and a value whose push
// threw is never popped.
inline void expect_pushed_popped_once(const std::vector<std::atomic<std::uint32_t>>& pushed,
                                      const std::vector<std::atomic<std::uint32_t>>& popped) {
  std::size_t lost = 0, duplicated = 0, phantom = 0;
  for (std::size_t v = 0; v < pushed.size(); ++v) {
    lost += pushed[v].load() == 1 && popped[v].load() == 0;
    duplicated += popped[v].load() > 1;
    phantom += pushed[v].load() == 0 && popped[v].load() != 0;
  }
  EXPECT_EQ(lost, 0u);
  EXPECT_EQ(duplicated, 0u);
  EXPECT_EQ(phantom, 0u) << "a value whose push threw was popped";
}

// A map value whose copy constructor throws when it is poisoned, but only off the threads that
// called client_thread(): the clients build requests holding it, and the owner or server thread
// that inserts it into its map (insert_or_assign) is where it throws, as a bad_alloc would.
struct ThrowsInTheOwner {
  static bool& on_client() {
    thread_local bool client = false;
    return client;
  }
  static void client_thread() { on_client() = true; }

  std::uint64_t value = 0;
  bool poisoned = false;
  ThrowsInTheOwner() = default;
  ThrowsInTheOwner(std::uint64_t v, bool p) : value(v), poisoned(p) {}
  ThrowsInTheOwner(const ThrowsInTheOwner& o) : value(o.value), poisoned(o.poisoned) {
    if (poisoned && !on_client()) throw std::runtime_error("poisoned value copied into the map");
  }
  ThrowsInTheOwner& operator=(const ThrowsInTheOwner&) = default;
  friend bool operator==(const ThrowsInTheOwner&, const ThrowsInTheOwner&) = default;
};

template <class List>
struct ToGTest;
template <class... Ts>
struct ToGTest<TypeList<Ts...>> {
  using type = ::testing::Types<Ts...>;
};

// Names typed tests after the implementation ("TypedCounter/mutex") instead of "/0".
struct ImplName {
  template <class T>
  static std::string GetName(int) {
    return std::string(T::name);
  }
};

}  // namespace contend::test
