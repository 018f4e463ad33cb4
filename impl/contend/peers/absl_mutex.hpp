// Promises (Abseil): blocking mutex (brief spin, then futex queue), no FIFO or fairness guarantee.
// AbslMutex: absl::Mutex (libabsl-dev) as a BasicLockable for MutexMap. Abseil promises: a
// blocking mutex that spins briefly, then queues waiters and sleeps (futex); no FIFO or fairness
// guarantee, writer/reader modes (only the writer mode is used here). Debian's abseil is not built
// with ThreadSanitizer, so the TSan build leaves this lock out (CMakeLists.txt).
// Thread-safe: lock, unlock.
#pragma once

#include <absl/synchronization/mutex.h>

#include <string_view>

namespace contend {

class AbslMutex {
 public:
  static constexpr std::string_view map_name = "absl_mutex";
  void lock() { mutex_.Lock(); }
  void unlock() { mutex_.Unlock(); }

 private:
  absl::Mutex mutex_;
};

}  // namespace contend
