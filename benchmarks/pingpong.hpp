// Cache-line ping-pong: two threads hand one cache line back and forth through a spinning atomic
// flag (odd: the ball is with the answerer; even: with the initiator). One round trip is two
// one-way hand-offs, each a cache-line transfer between the two cores: the floor that no
// hand-off between two threads can beat. baseline/pingpong/cache_line measures it, and the
// placement probe (probe.hpp) uses the same code between pinned CPU pairs.
// Thread-safe: one initiator and one answerer per flag.
#pragma once

#include <atomic>
#include <cstdint>

#include "contend/backoff.hpp"

namespace contend::bench {

inline constexpr std::uint64_t pingpong_stop = ~std::uint64_t{0};

// Initiator: one round trip from ball value `n` (even; start at 0). Returns the next value.
inline std::uint64_t pingpong_round_trip(std::atomic<std::uint64_t>& flag, std::uint64_t n) {
  flag.store(n + 1, std::memory_order_release);  // release/acquire: a real hand-off of data
  while (flag.load(std::memory_order_acquire) != n + 2) Backoff::cpu_relax();
  return n + 2;
}

// Initiator, when done: releases the answerer.
inline void pingpong_finish(std::atomic<std::uint64_t>& flag) {
  flag.store(pingpong_stop, std::memory_order_release);  // release: as every hand-off, so the cost is alike
}

// Answerer: returns every ball until pingpong_finish().
inline void pingpong_answer(std::atomic<std::uint64_t>& flag) {
  for (std::uint64_t seen = 0;;) {
    while ((seen = flag.load(std::memory_order_acquire)) % 2 == 0) Backoff::cpu_relax();  // acquire: as above
    if (seen == pingpong_stop) return;
    flag.store(seen + 1, std::memory_order_release);  // release: the answer is a hand-off of data too
  }
}

}  // namespace contend::bench
