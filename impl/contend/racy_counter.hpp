// RacyCounter: a plain ++ with no synchronization. A data race (undefined behaviour) kept only to
// show what it costs to be wrong: it looks fast, loses increments, and ThreadSanitizer reports it
// (tests/racy_counter_tsan.cpp). Not in any type list; never use it.
// Progress: none meaningful. Thread-safe: nothing.
#pragma once

#include <cstdint>
#include <string_view>

namespace contend {

class RacyCounter {
 public:
  static constexpr std::string_view name = "racy";

  void increment() { ++count_; }
  std::uint64_t read() const { return count_; }

 private:
  std::uint64_t count_ = 0;
};

}  // namespace contend
