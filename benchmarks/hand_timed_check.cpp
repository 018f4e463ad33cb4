// A hand-timed loop, outside Google Benchmark, to check once what the harness reports: N threads
// increment one atomic for a fixed time; aggregate operations per second = total increments /
// wall time between a common start and the last thread's stop. Compare with
// baseline/increment/contended/real_time/threads:N (ops_per_sec and Google Benchmark's own
// items_per_second) from the same machine.
//   usage: hand_timed_check [threads] [milliseconds]
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <latch>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 2;
  const int ms = argc > 2 ? std::atoi(argv[2]) : 1000;
  if (threads < 1 || threads > 1024 || ms < 1) {
    std::fprintf(stderr, "usage: hand_timed_check [threads 1-1024] [milliseconds >= 1]\n");
    return 2;
  }
  alignas(128) std::atomic<std::uint64_t> counter{0};
  std::vector<std::uint64_t> done(static_cast<std::size_t>(threads));
  std::latch start(threads + 1);
  using Clock = std::chrono::steady_clock;
  const auto run_for = std::chrono::milliseconds(ms);
  Clock::time_point deadline;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      start.arrive_and_wait();
      std::uint64_t n = 0;
      do {
        for (int i = 0; i < 64; ++i) counter.fetch_add(1, std::memory_order_relaxed);  // relaxed: a tally
        n += 64;
      } while (Clock::now() < deadline);
      done[static_cast<std::size_t>(t)] = n;
    });
  }
  const Clock::time_point begin = Clock::now();
  deadline = begin + run_for;  // written before the latch releases the threads
  start.arrive_and_wait();
  for (auto& th : pool) th.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - begin).count();
  std::uint64_t total = 0;
  for (std::uint64_t n : done) total += n;
  std::printf("threads=%d increments=%llu (counter %llu) wall=%.3f s  ops_per_sec=%.4g  ns_per_op=%.3f\n",
              threads, static_cast<unsigned long long>(total),
              static_cast<unsigned long long>(counter.load()), seconds, total / seconds,
              seconds * 1e9 / total);
  return total == counter.load() ? 0 : 1;
}
