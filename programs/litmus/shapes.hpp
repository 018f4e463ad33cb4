// The litmus shapes. Each trial i has its own variables (x[i], y[i], ...), as in litmus7's
// array mode, so nothing is reset between the trials of a batch.
//
// A shape provides: threads, outcomes (count), trial(tid, i), outcome(i), reset(n),
// name(o), sequentially_consistent(o) (some interleaving yields o), forbids_reordering(order)
// (the C++ model forbids every non-SC outcome under that order).
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "litmus.hpp"

namespace litmus::shapes {

constexpr std::memory_order store_order(Order o) {
  return o == Order::relaxed   ? std::memory_order_relaxed
         : o == Order::acq_rel ? std::memory_order_release
                               : std::memory_order_seq_cst;
}
constexpr std::memory_order load_order(Order o) {
  return o == Order::relaxed   ? std::memory_order_relaxed
         : o == Order::acq_rel ? std::memory_order_acquire
                               : std::memory_order_seq_cst;
}

using Cells = std::unique_ptr<std::atomic<int>[]>;
inline Cells cells(std::size_t n) { return std::make_unique<std::atomic<int>[]>(n); }
inline void clear(const Cells& c, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) c[i].store(0, std::memory_order_relaxed);
}
inline std::string bits(const char* const* names, int count, int o) {
  std::string s;
  for (int k = 0; k < count; ++k) {
    if (k) s += ' ';
    s += names[k];
    s += (o >> (count - 1 - k)) & 1 ? "=1" : "=0";
  }
  return s;
}

// Store buffering (Dekker): T0: x=1; r1=y   T1: y=1; r2=x.   r1=0 r2=0 needs store->load reordering.
template <Order O>
struct SB {
  static constexpr int threads = 2, outcomes = 4;
  Cells x, y;
  std::vector<int> r1, r2;
  explicit SB(std::size_t n) : x(cells(n)), y(cells(n)), r1(n), r2(n) {}
  void trial(int tid, std::size_t i) {
    constexpr auto st = store_order(O), ld = load_order(O);
    if (tid == 0) {
      x[i].store(1, st);
      r1[i] = y[i].load(ld);
    } else {
      y[i].store(1, st);
      r2[i] = x[i].load(ld);
    }
  }
  int outcome(std::size_t i) const { return r1[i] << 1 | r2[i]; }
  void reset(std::size_t n) {
    clear(x, n);
    clear(y, n);
  }
  static std::string name(int o) {
    static const char* n[] = {"r1", "r2"};
    return bits(n, 2, o);
  }
  static bool sequentially_consistent(int o) { return o != 0; }
  static bool forbids_reordering(Order o) { return o == Order::seq_cst; }
};

// Message passing: T0: data=1; flag=1   T1: r1=flag; r2=data.   flag=1 data=0 is the bug.
template <Order O>
struct MP {
  static constexpr int threads = 2, outcomes = 4;
  Cells data, flag;
  std::vector<int> r1, r2;
  explicit MP(std::size_t n) : data(cells(n)), flag(cells(n)), r1(n), r2(n) {}
  void trial(int tid, std::size_t i) {
    constexpr auto st = store_order(O), ld = load_order(O);
    // Under acq_rel only the flag carries ordering; data stays relaxed, as in real code.
    constexpr auto data_st = O == Order::seq_cst ? st : std::memory_order_relaxed;
    constexpr auto data_ld = O == Order::seq_cst ? ld : std::memory_order_relaxed;
    if (tid == 0) {
      data[i].store(1, data_st);
      flag[i].store(1, st);
    } else {
      r1[i] = flag[i].load(ld);
      r2[i] = data[i].load(data_ld);
    }
  }
  int outcome(std::size_t i) const { return r1[i] << 1 | r2[i]; }
  void reset(std::size_t n) {
    clear(data, n);
    clear(flag, n);
  }
  static std::string name(int o) {
    static const char* n[] = {"flag", "data"};
    return bits(n, 2, o);
  }
  static bool sequentially_consistent(int o) { return o != 0b10; }
  static bool forbids_reordering(Order o) { return o != Order::relaxed; }
};

// Load buffering: T0: r1=x; y=1   T1: r2=y; x=1.   r1=1 r2=1 needs load->store reordering.
template <Order O>
struct LB {
  static constexpr int threads = 2, outcomes = 4;
  Cells x, y;
  std::vector<int> r1, r2;
  explicit LB(std::size_t n) : x(cells(n)), y(cells(n)), r1(n), r2(n) {}
  void trial(int tid, std::size_t i) {
    constexpr auto st = store_order(O), ld = load_order(O);
    if (tid == 0) {
      r1[i] = x[i].load(ld);
      y[i].store(1, st);
    } else {
      r2[i] = y[i].load(ld);
      x[i].store(1, st);
    }
  }
  int outcome(std::size_t i) const { return r1[i] << 1 | r2[i]; }
  void reset(std::size_t n) {
    clear(x, n);
    clear(y, n);
  }
  static std::string name(int o) {
    static const char* n[] = {"r1", "r2"};
    return bits(n, 2, o);
  }
  static bool sequentially_consistent(int o) { return o != 0b11; }
  static bool forbids_reordering(Order o) { return o != Order::relaxed; }
};

// Independent reads of independent writes: T0: x=1  T1: y=1  T2: r1=x; r2=y  T3: r3=y; r4=x.
// r1=1 r2=0 r3=1 r4=0 means the readers saw the two writes in opposite orders.
template <Order O>
struct IRIW {
  static constexpr int threads = 4, outcomes = 16;
  Cells x, y;
  std::vector<int> r1, r2, r3, r4;
  explicit IRIW(std::size_t n) : x(cells(n)), y(cells(n)), r1(n), r2(n), r3(n), r4(n) {}
  void trial(int tid, std::size_t i) {
    constexpr auto st = store_order(O), ld = load_order(O);
    switch (tid) {
      case 0:
        x[i].store(1, st);
        break;
      case 1:
        y[i].store(1, st);
        break;
      case 2:
        r1[i] = x[i].load(ld);
        r2[i] = y[i].load(ld);
        break;
      default:
        r3[i] = y[i].load(ld);
        r4[i] = x[i].load(ld);
        break;
    }
  }
  int outcome(std::size_t i) const { return r1[i] << 3 | r2[i] << 2 | r3[i] << 1 | r4[i]; }
  void reset(std::size_t n) {
    clear(x, n);
    clear(y, n);
  }
  static std::string name(int o) {
    static const char* n[] = {"r1", "r2", "r3", "r4"};
    return bits(n, 4, o);
  }
  static bool sequentially_consistent(int o) { return o != 0b1010; }
  static bool forbids_reordering(Order o) { return o == Order::seq_cst; }
};

// A wake-up's skip (contend/futex.hpp): T0, the notifier, stores the word, then reads how many
// threads sleep on it and calls futex_wake only if any; T1, the waiter, counts itself in, then
// reads the word and sleeps if it still holds the old value. r1=0 r2=0 is a lost wake-up: the
// notifier skips the wake while the waiter goes to sleep on the old value. acq_rel is libstdc++
// 12's std::atomic<T>::notify_one/wait (a release store of the word, then a seq_cst load of its
// waiter count; a seq_cst increment, then the caller's acquire load): store->load, which the C++
// model and x86 both allow. seq_cst is contend::WakeWord's: a seq_cst fence on each side.
template <Order O>
struct Wake {
  static constexpr int threads = 2, outcomes = 4;
  Cells word, sleepers;
  std::vector<int> r1, r2;
  explicit Wake(std::size_t n) : word(cells(n)), sleepers(cells(n)), r1(n), r2(n) {}
  void trial(int tid, std::size_t i) {
    // Not run relaxed (tests() lists acq_rel and seq_cst); dispatch instantiates it all the same.
    constexpr bool fenced = O == Order::seq_cst, as_libstdcxx = O == Order::acq_rel;
    constexpr auto relaxed = std::memory_order_relaxed;
    if (tid == 0) {
      word[i].store(1, as_libstdcxx ? std::memory_order_release : relaxed);
      if (fenced) std::atomic_thread_fence(std::memory_order_seq_cst);
      r1[i] = sleepers[i].load(as_libstdcxx ? std::memory_order_seq_cst : relaxed);
    } else {
      sleepers[i].fetch_add(1, as_libstdcxx ? std::memory_order_seq_cst : relaxed);
      if (fenced) std::atomic_thread_fence(std::memory_order_seq_cst);
      r2[i] = word[i].load(as_libstdcxx ? std::memory_order_acquire : relaxed);
    }
  }
  int outcome(std::size_t i) const { return r1[i] << 1 | r2[i]; }
  void reset(std::size_t n) {
    clear(word, n);
    clear(sleepers, n);
  }
  static std::string name(int o) {
    static const char* n[] = {"sleepers", "word"};
    return bits(n, 2, o);
  }
  static bool sequentially_consistent(int o) { return o != 0; }
  static bool forbids_reordering(Order o) { return o == Order::seq_cst; }
};

// Publishing a four-word payload behind a ready flag. With Order::relaxed this is the
// "plain flag" publish: the well-defined C++ spelling of a flag with no ordering at all.
template <Order O>
struct Publish {
  static constexpr int threads = 2, outcomes = 3;
  static constexpr int words = 4;
  Cells payload, ready;  // payload[i * words + k]
  std::vector<int> seen;
  explicit Publish(std::size_t n) : payload(cells(n * words)), ready(cells(n)), seen(n) {}
  void trial(int tid, std::size_t i) {
    constexpr auto relaxed = std::memory_order_relaxed;
    if (tid == 0) {
      for (int k = 0; k < words; ++k) payload[i * words + k].store(1, relaxed);
      ready[i].store(1, store_order(O));
    } else if (!ready[i].load(load_order(O))) {
      seen[i] = 0;
    } else {
      int sum = 0;
      for (int k = 0; k < words; ++k) sum += payload[i * words + k].load(relaxed);
      seen[i] = sum == words ? 1 : 2;
    }
  }
  int outcome(std::size_t i) const { return seen[i]; }
  void reset(std::size_t n) {
    clear(payload, n * words);
    clear(ready, n);
  }
  static std::string name(int o) {
    return o == 0 ? "ready=0" : o == 1 ? "ready=1 payload=complete" : "ready=1 payload=torn";
  }
  static bool sequentially_consistent(int o) { return o != 2; }
  static bool forbids_reordering(Order o) { return o != Order::relaxed; }
};

}  // namespace litmus::shapes
