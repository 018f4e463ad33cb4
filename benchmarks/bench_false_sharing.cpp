// false_sharing/<slot kind>/<layout>: every thread increments only its own slot, so nothing is
// shared logically; the layouts differ only in where the slots sit.
//   packed  slots 8 bytes apart: every core writes the same cache line (false sharing);
//   pad64   one 64-byte line per slot;
//   pad128  one 128-byte block per slot (beyond the adjacent-line prefetcher; see cache_line.hpp).
// Slot kinds: atomic (lock xadd) and plain (the owner's ordinary load, add and store: a relaxed
// atomic load/store pair, which compiles to plain moves, so the compiler can neither keep the
// slot in a register nor merge the updates). Self-check: the slots sum to the increments done.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "contend/cache_line.hpp"
#include "family.hpp"
#include "timed_run.hpp"

namespace contend::bench {
namespace {

enum class Kind { atomic, plain };

template <std::size_t Align, Kind kind>
void slots_workload(benchmark::State& state) {
  using Slot = Padded<std::atomic<std::uint64_t>, Align>;
  static std::unique_ptr<Slot[]> slots;
  if (state.thread_index() == 0) slots = std::make_unique<Slot[]>(static_cast<std::size_t>(state.threads()));
  run_timed(state, [&](int thread, Clock::time_point deadline) {
    std::atomic<std::uint64_t>& mine = slots[static_cast<std::size_t>(thread)].value;
    return repeat_until(deadline, 256, [&] {
      if constexpr (kind == Kind::atomic) {
        mine.fetch_add(1, std::memory_order_relaxed);  // relaxed: a private tally
      } else {
        // relaxed: single writer; the atomic type only stops the compiler from caching the slot.
        mine.store(mine.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
      }
    });
  });
  if (state.thread_index() == 0) {
    std::uint64_t sum = 0;
    for (int t = 0; t < state.threads(); ++t) sum += slots[static_cast<std::size_t>(t)].value.load();
    check(state, sum == timed_run().total_ops(), "slots sum to " + std::to_string(sum));
    slots.reset();
  }
}

template <Kind kind>
void register_kind(std::string_view kind_name) {
  add("false_sharing", kind_name, "packed", slots_workload<alignof(std::atomic<std::uint64_t>), kind>);
  add("false_sharing", kind_name, "pad64", slots_workload<64, kind>);
  add("false_sharing", kind_name, "pad128", slots_workload<128, kind>);
}

}  // namespace

std::string family_name() { return "false_sharing"; }

void register_benchmarks() {
  register_kind<Kind::atomic>("atomic");
  register_kind<Kind::plain>("plain");
}

}  // namespace contend::bench
