// channels/<workload>/<impl>: every channel in ChannelTypes, one-word payload.
//   spsc-*   1 producer, 1 consumer (threads:2)
//   mpsc-*   threads-1 producers, 1 consumer; from 3 threads (2 producers: fewer is spsc)
//   mpmc-*   threads/2 producers, the rest consumers; from 4 threads (2 x 2: fewer is spsc or mpsc)
//   Both start at their first meaningful count even when the sweep skips it (1,2,4 on two
//   cores gives mpsc 3 and 4), unless the sweep stops below it.
//   *-small / *-large: capacity 64 / 8192. The queues that never refuse a send (moody,
//            moody_blocking, tbb_queue, xenium_ms_queue: the capacity is at most preallocated)
//            have their producers' backlog capped at the capacity instead (backlog_cap.hpp: a
//            producer yields while it is over; counter backlog_cap), so that memory stays bounded
//            and the two rows differ for them as for the bounded ones; spsc too, for the same
//            reason. The bounded designs run without the cap's code (if constexpr).
//   pingpong two threads bounce one value over two channels; ns_per_op is the one-way hand-off
//            latency, to hold against baseline/pingpong/cache_line.
//   idle     (threads:2) the receiver waits in receive() on an empty open channel for an idle
//            window (50 ms; 10 ms under --quick), then the sender sends one item and closes.
//            idle_cpu_fraction = the receiver thread's CPU time inside receive() / its wall time
//            there: what an idle channel costs (target: under 0.01 for blocking channels, whose
//            waiters must be asleep; near 1 for spinning ones). ops = the one item; the window is
//            fixed, --run_ms does not apply.
// Producers send until the deadline, the last one closes the channel, consumers drain it: an
// item counts when received, and the run's time includes the drain. Self-check: every item sent
// was received, by count and by sum.
#include <time.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "contend/concepts.hpp"
#include "contend/families.hpp"
#include "backlog_cap.hpp"
#include "family.hpp"
#include "peers.hpp"
#include "timed_run.hpp"

namespace contend::bench {
namespace {

constexpr std::size_t small_capacity = 64, large_capacity = 8192;

// The designs whose send never refuses an item however far the consumers lag (no trait in the
// library says so: their headers do, in words).
template <class Ch>
inline constexpr bool is_unbounded = Ch::name == std::string_view("moody") ||
                                     Ch::name == std::string_view("moody_blocking") ||
                                     Ch::name == std::string_view("tbb_queue") ||
                                     Ch::name == std::string_view("xenium_ms_queue");

struct Tally {
  std::atomic<std::uint64_t> sent{0}, received{0}, sent_sum{0}, received_sum{0};
  std::atomic<int> producers_left{0};
};

enum class Shape { spsc, mpsc, mpmc };

int producers_for(Shape shape, int threads) {
  switch (shape) {
    case Shape::spsc:
      return 1;
    case Shape::mpsc:
      return threads - 1;
    case Shape::mpmc:
      return threads / 2;
  }
  return 1;
}

template <class Ch>
void exchange_workload(benchmark::State& state, Shape shape, std::size_t capacity) {
  static std::unique_ptr<Ch> channel;
  static std::unique_ptr<Tally> tally;
  static std::unique_ptr<BacklogCap> cap;  // unbounded designs only
  const int producers = producers_for(shape, state.threads());
  constexpr bool capped = is_unbounded<Ch>;
  if (state.thread_index() == 0) {
    channel = std::make_unique<Ch>(capacity);
    tally = std::make_unique<Tally>();
    tally->producers_left = producers;
    cap = capped ? std::make_unique<BacklogCap>(producers, state.threads() - producers, capacity) : nullptr;
  }
  run_timed(state,
            [&](int thread, Clock::time_point deadline) -> std::pair<std::uint64_t, Role> {
              std::uint64_t count = 0, sum = 0;
              if (thread < producers) {
                std::uint64_t next = static_cast<std::uint64_t>(thread) << 40;
                if constexpr (capped) {
                  std::uint64_t sent = 0;
                  count = repeat_until(deadline, 16, [&] {
                    if (cap->due(sent)) {
                      while (cap->over(thread, sent) && Clock::now() < deadline) std::this_thread::yield();
                    }
                    channel->send(next);
                    sum += next++;
                    ++sent;
                  });
                } else {
                  count = repeat_until(deadline, 16, [&] {
                    channel->send(next);
                    sum += next++;
                  });
                }
                tally->sent.fetch_add(count, std::memory_order_relaxed);    // relaxed: read after the
                tally->sent_sum.fetch_add(sum, std::memory_order_relaxed);  // end barrier
                // acq_rel: the last producer's close() comes after every producer's sends.
                if (tally->producers_left.fetch_sub(1, std::memory_order_acq_rel) == 1) channel->close();
                return {count, Role::producer};
              }
              while (std::optional<std::uint64_t> v = channel->receive()) {
                sum += *v;
                ++count;
                if constexpr (capped) cap->received(thread - producers, count);
              }
              tally->received.fetch_add(count, std::memory_order_relaxed);
              tally->received_sum.fetch_add(sum, std::memory_order_relaxed);
              return {count, Role::consumer};
            },
            {.producers = producers, .consumers = state.threads() - producers, .blocking = blocking_of<Ch>});
  if (state.thread_index() == 0) {
    check(state, tally->sent == tally->received && tally->sent_sum == tally->received_sum,
          std::to_string(tally->sent.load()) + " sent but " + std::to_string(tally->received.load()) +
              " received");
    if (cap) state.counters["backlog_cap"] = static_cast<double>(cap->cap());
    channel.reset();
    cap.reset();
  }
}

template <class Ch>
void pingpong_workload(benchmark::State& state) {
  static std::unique_ptr<Ch> ping, pong;
  static std::atomic<bool> mismatch;
  if (state.thread_index() == 0) {
    ping = std::make_unique<Ch>(small_capacity);
    pong = std::make_unique<Ch>(small_capacity);
    mismatch = false;
  }
  run_timed(state,
            [&](int thread, Clock::time_point deadline) -> std::pair<std::uint64_t, Role> {
              if (thread == 0) {
                std::uint64_t i = 0;
                // Batches of 32 round trips keep the clock read (tens of ns) out of the latency.
                const std::uint64_t rounds = repeat_until(deadline, 32, [&] {
                  ping->send(++i);
                  if (pong->receive() != i) mismatch = true;
                });
                ping->close();
                return {2 * rounds, Role::worker};  // two one-way hand-offs per round trip
              }
              while (std::optional<std::uint64_t> v = ping->receive()) pong->send(*v);
              return {0, Role::consumer};
            },
            {.blocking = blocking_of<Ch>});
  if (state.thread_index() == 0) {
    check(state, !mismatch, "a reply did not match its request");
    ping.reset();
    pong.reset();
  }
}

std::int64_t thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

template <class Ch>
void idle_workload(benchmark::State& state) {
  static std::unique_ptr<Ch> channel;
  static double cpu_fraction;  // written by the receiver, read by thread 0 after the end barrier
  static bool delivered;
  if (state.thread_index() == 0) {
    channel = std::make_unique<Ch>(small_capacity);
    cpu_fraction = 0;
    delivered = false;
  }
  const auto window = std::chrono::milliseconds(options().quick ? 10 : 50);
  run_timed(state,
            [&](int thread, Clock::time_point) -> std::pair<std::uint64_t, Role> {
              if (thread == 0) {
                std::this_thread::sleep_for(window);
                channel->send(1);
                channel->close();
                return {1, Role::producer};
              }
              const Clock::time_point wall_start = Clock::now();
              const std::int64_t cpu_start = thread_cpu_ns();
              const std::optional<std::uint64_t> item = channel->receive();
              const double cpu = static_cast<double>(thread_cpu_ns() - cpu_start);
              const double wall = static_cast<double>(
                  std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - wall_start).count());
              cpu_fraction = wall > 0 ? cpu / wall : 0;
              delivered = item == 1u && !channel->receive();
              return {1, Role::consumer};
            },
            // blocking: the sender sleeps by design, so the run's parallelism is not judged.
            {.producers = 1, .consumers = 1, .blocking = true});
  if (state.thread_index() == 0) {
    check(state, delivered, "the item sent after the idle window was not received exactly once");
    state.counters["idle_cpu_fraction"] = cpu_fraction;
    channel.reset();
  }
}

// The sweep's counts from `first` on, with `first` itself whenever the sweep goes past it.
std::vector<int> threads_from(int first) {
  std::vector<int> out = threads_at_least(first);
  if (!out.empty() && out.front() != first) out.insert(out.begin(), first);
  return out;
}

template <class Ch>
void register_channel() {
  const std::string impl(Ch::name);
  for (auto [cap_name, cap] : {std::pair{"small", small_capacity}, std::pair{"large", large_capacity}}) {
    if (options().quick && cap == large_capacity) continue;
    add("channels", std::string("spsc-") + cap_name, impl,
        [c = cap](benchmark::State& s) { exchange_workload<Ch>(s, Shape::spsc, c); }, {2});
    if constexpr (is_multi_producer<Ch>) {
      add(
          "channels", std::string("mpsc-") + cap_name, impl,
          [c = cap](benchmark::State& s) { exchange_workload<Ch>(s, Shape::mpsc, c); }, threads_from(3));
      add(
          "channels", std::string("mpmc-") + cap_name, impl,
          [c = cap](benchmark::State& s) { exchange_workload<Ch>(s, Shape::mpmc, c); }, threads_from(4));
    }
  }
  add("channels", "pingpong", impl, pingpong_workload<Ch>, {2});
  add("channels", "idle", impl, idle_workload<Ch>, {2});
}

}  // namespace

std::string family_name() { return "channels"; }

void register_benchmarks() {
  add_peers_context<ChannelPeers>();
  for_each_type(ChannelTypes{}, []<class Ch>() { register_channel<Ch>(); });
}

}  // namespace contend::bench
