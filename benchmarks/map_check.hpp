// The maps' checked pass: read-your-writes with versioned values, on a fresh map of the design.
//
// The timed workloads put the prefill value, so a stale read or a lost put still returns the
// right answer there. Here every value encodes its key and a sequence number, and each thread
// writes only keys that no other thread writes:
//   - after each put, a get of the same key returns that put's value, and a get of one of the
//     thread's other keys returns the last value the thread put there (nothing if none yet):
//     read-your-writes, which every design here promises (the channel maps included: a get
//     that happens-after a put_async from the same client sees it);
//   - after the threads join, every key holds the last value its thread wrote (read with get(),
//     and with get_many() where the map has it).
// Any wrong value is reported with the key and the sequence it carried, so a stale read (an
// older sequence of the right key) reads differently from a mixed-up key.
// Header-only and free of Google Benchmark so that tests/map_check_test.cpp runs it on
// deliberately broken test-only maps.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

namespace contend::bench {

struct MapCheckShape {
  int threads = 2;
  std::uint64_t keys_per_thread = 64;
  std::uint64_t puts_per_thread = 2048;
};

// Keys of the checked pass: thread t owns [key_base + t * keys_per_thread, ... + keys_per_thread).
inline constexpr std::uint64_t map_check_key_base = 1ull << 20;

// A value that names its key (high 32 bits) and the writer's sequence number (low 32, from 1).
constexpr std::uint64_t versioned(std::uint64_t key, std::uint64_t seq) { return (key << 32) | (seq & 0xffffffffu); }
constexpr std::uint64_t key_of_value(std::uint64_t value) { return value >> 32; }
constexpr std::uint64_t seq_of_value(std::uint64_t value) { return value & 0xffffffffu; }

struct MapCheckResult {
  std::uint64_t wrong_reads = 0;   // gets during the pass that missed the thread's latest put
  std::uint64_t wrong_final = 0;   // keys whose content after the join is not their last put
  std::string first_error;         // the first wrong value, described

  bool ok() const { return wrong_reads == 0 && wrong_final == 0; }
  std::string what() const {
    return std::to_string(wrong_reads) + " read-your-writes gets and " + std::to_string(wrong_final) +
           " final contents wrong; first: " + first_error;
  }
};

namespace detail {

inline std::string describe(const std::optional<std::uint64_t>& v) {
  if (!v) return "nothing";
  return "key " + std::to_string(key_of_value(*v)) + " seq " + std::to_string(seq_of_value(*v));
}

template <class M>
concept CheckedGetMany = requires(M& m, std::span<const std::uint64_t> keys,
                                  std::span<std::optional<std::uint64_t>> out) { m.get_many(keys, out); };

}  // namespace detail

// Runs the checked pass on `map` (empty of the pass's keys) with shape.threads threads.
template <class M>
MapCheckResult check_read_your_writes(M& map, const MapCheckShape& shape = {}) {
  const std::size_t threads = static_cast<std::size_t>(shape.threads);
  const std::uint64_t n = shape.keys_per_thread;
  std::vector<std::vector<std::uint64_t>> last(threads, std::vector<std::uint64_t>(n, 0));  // 0: never put
  std::atomic<std::uint64_t> wrong_reads{0};
  std::mutex error_mutex;
  std::string first_error;
  auto note = [&](const std::string& error) {
    std::lock_guard lock(error_mutex);
    if (first_error.empty()) first_error = error;
  };
  auto key_at = [&](std::size_t t, std::uint64_t i) { return map_check_key_base + t * n + i; };
  auto expect = [&](std::uint64_t key, std::uint64_t want, const std::optional<std::uint64_t>& got,
                    const char* when) {
    const std::optional<std::uint64_t> wanted = want == 0 ? std::nullopt : std::optional<std::uint64_t>(want);
    if (got == wanted) return true;
    note(std::string(when) + ": key " + std::to_string(key) + " returned " + detail::describe(got) +
         ", expected " + detail::describe(wanted));
    return false;
  };
  {
    std::atomic<std::size_t> ready{0};
    std::vector<std::jthread> pool;
    pool.reserve(threads);
    for (std::size_t t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        ready.fetch_add(1);
        while (ready.load() < threads) std::this_thread::yield();  // start together, to contend
        std::vector<std::uint64_t>& mine = last[t];
        std::uint64_t wrong = 0;
        for (std::uint64_t seq = 1; seq <= shape.puts_per_thread; ++seq) {
          const std::uint64_t i = (seq * 7) % n;  // revisits every key, in an order unlike 0,1,2
          const std::uint64_t key = key_at(t, i);
          map.put(key, versioned(key, seq));
          mine[i] = versioned(key, seq);
          wrong += !expect(key, mine[i], map.get(key), "get after put");
          const std::uint64_t j = (seq * 13 + 5) % n;  // another of this thread's keys
          wrong += !expect(key_at(t, j), mine[j], map.get(key_at(t, j)), "get of an earlier put");
        }
        wrong_reads.fetch_add(wrong);
      });
    }
  }  // joined
  MapCheckResult r;
  r.wrong_reads = wrong_reads.load();
  for (std::size_t t = 0; t < threads; ++t) {
    for (std::uint64_t i = 0; i < n; ++i) {
      if (!expect(key_at(t, i), last[t][i], map.get(key_at(t, i)), "after the join")) ++r.wrong_final;
    }
    if constexpr (detail::CheckedGetMany<M>) {
      std::vector<std::uint64_t> keys(n);
      std::vector<std::optional<std::uint64_t>> found(n);
      for (std::uint64_t i = 0; i < n; ++i) keys[i] = key_at(t, i);
      map.get_many(std::span<const std::uint64_t>(keys), std::span(found));
      for (std::uint64_t i = 0; i < n; ++i) {
        if (!expect(keys[i], last[t][i], found[i], "get_many after the join")) ++r.wrong_final;
      }
    }
  }
  r.first_error = first_error;
  return r;
}

}  // namespace contend::bench
