// Allocation failure on demand. A test binary that links failing_new.cpp replaces the global
// operator new and delete (every form: plain, array, aligned, nothrow) with malloc and free behind
// a per-thread switch, so that a test can make an allocation of one thread throw std::bad_alloc
// (nothrow forms: return nullptr) exactly where the library would meet a real one. Other threads
// are never affected. Not for contend_tests: one binary per replacement.
#pragma once

#include <cstdint>

namespace contend::test {

// The n-th operator new of this thread from now fails, once (n >= 1); 0 disarms.
void fail_nth_allocation(std::uint64_t n);

// True unless a failure armed by fail_nth_allocation is still to come (it disarms itself when it
// happens): false after a run means the run made fewer than n allocations.
bool nth_allocation_failed();

// About one in k of this thread's allocations from now fails, picked by a per-thread generator
// seeded with `seed` (k = 0: none).
void fail_one_allocation_in(std::uint64_t k, std::uint64_t seed);

// Arms fail_nth_allocation(n) for the lifetime of the object, and disarms both modes after.
class FailingAllocations {
 public:
  explicit FailingAllocations(std::uint64_t nth) { fail_nth_allocation(nth); }
  FailingAllocations(std::uint64_t one_in, std::uint64_t seed) { fail_one_allocation_in(one_in, seed); }
  FailingAllocations(const FailingAllocations&) = delete;
  FailingAllocations& operator=(const FailingAllocations&) = delete;
  ~FailingAllocations() {
    fail_nth_allocation(0);
    fail_one_allocation_in(0, 0);
  }
};

}  // namespace contend::test
