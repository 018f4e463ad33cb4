// A cap on the producers' backlog for channels that never refuse a send (channels/spsc-*, mpsc-*
// and mpmc-* on moody, moody_blocking, tbb_queue, xenium_ms_queue). Without it their producers
// run ahead of the consumers for the whole run: memory grows without bound, and the "small" and
// "large" rows measure the same thing. With it, a producer waits (yielding) while the backlog
// exceeds the row's capacity, as it would on a bounded queue of that capacity.
//
// Why per-thread counts read rarely, not one shared counter: a shared backlog counter would add
// a contended read-modify-write to every send and every receive, a second hot line beside the
// queue's own, and change what is measured. Here each producer and each consumer owns one padded
// counter that only it writes (a store, never a read-modify-write: the line stays in its
// writer's cache between reads); consumers publish their received count after every item, and a
// producer publishes its sent count and sums everyone's only once every check_every() sends. The
// sum is an estimate (a producer's count lags by its sends since its last check), so the backlog
// can overshoot the cap by what the producers send between checks: at most cap + producers x
// check_every() items (bound() below; check_every() is chosen so that this is at most 1.5 x cap
// when cap >= 2 x producers, and at most 256 sends pass between two checks of one producer).
// Only the unbounded designs pay for it (the bounded ones push back by themselves).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <vector>

#include "contend/cache_line.hpp"

namespace contend::bench {

class BacklogCap {
 public:
  BacklogCap(int producers, int consumers, std::uint64_t cap)
      : cap_(cap),
        every_(std::clamp<std::uint64_t>(cap / (2 * static_cast<std::uint64_t>(std::max(1, producers))), 1, 256)),
        sent_(static_cast<std::size_t>(std::max(0, producers))),
        received_(static_cast<std::size_t>(std::max(0, consumers))) {}

  std::uint64_t cap() const { return cap_; }
  // How many sends a producer makes between two checks.
  std::uint64_t check_every() const { return every_; }
  // The most the backlog can reach while every producer keeps to the cap.
  std::uint64_t bound() const { return cap_ + sent_.size() * every_; }

  // Producer `p`, before its send number `sent` (counted from 0): true when it must check first,
  // i.e. once every check_every() sends.
  bool due(std::uint64_t sent) const { return sent % every_ == 0; }

  // Producer `p`, having sent `sent` items so far: publishes the count and tells whether the
  // backlog (all producers' published sends minus all consumers' receipts) exceeds the cap.
  bool over(int p, std::uint64_t sent) {
    // seq_cst, here and in backlog()'s loads of sent counts: two producers checking at once each
    // see the other's published count (no store-buffer reordering), else both could pass with
    // a stale view and overshoot bound(). Once every check_every() sends, so cheap.
    sent_[static_cast<std::size_t>(p)].value.store(sent, std::memory_order_seq_cst);
    return backlog() > static_cast<std::int64_t>(cap_);
  }

  // Consumer `c`, having received `received` items so far. Relaxed: a late receipt only makes
  // the estimate larger, which errs on the side of the cap.
  void received(int c, std::uint64_t received) {
    received_[static_cast<std::size_t>(c)].value.store(received, std::memory_order_relaxed);
  }

  // The published sends minus the published receipts: an estimate, at least the true backlog
  // less the producers' sends since their last check (negative at times, as a receipt can be
  // published before the send that produced it).
  std::int64_t backlog() const {
    std::int64_t b = 0;
    for (const auto& s : sent_) b += static_cast<std::int64_t>(s.value.load(std::memory_order_seq_cst));
    for (const auto& r : received_) b -= static_cast<std::int64_t>(r.value.load(std::memory_order_relaxed));
    return b;
  }

 private:
  std::uint64_t cap_, every_;
  std::vector<Padded<std::atomic<std::uint64_t>>> sent_, received_;
};

}  // namespace contend::bench
