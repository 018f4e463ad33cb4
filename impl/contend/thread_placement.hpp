// Thread placement hook: every thread the library starts for itself (the owner of a single-owner
// design) announces itself here when it starts and when it ends, so that a benchmark can place
// it on a CPU (benchmarks/placement.cpp, --pin=spread|compact). By default no hook is installed
// and a LibraryThread costs one atomic load at each end of the thread's life.
// Thread-safe: install() and LibraryThread from any thread; the hooks are called on the library
// thread itself and must be thread-safe.
#pragma once

#include <atomic>

namespace contend::thread_placement {

struct Hooks {
  void (*started)();   // on the new thread, before it does any work
  void (*stopping)();  // on the thread, just before it returns
};

inline std::atomic<const Hooks*>& installed_hooks() {
  static std::atomic<const Hooks*> hooks{nullptr};
  return hooks;
}

// `hooks` must outlive every library thread (a static object). nullptr uninstalls.
inline void install(const Hooks* hooks) {
  installed_hooks().store(hooks, std::memory_order_release);  // release: publishes *hooks
}

// Declared first thing in the body of a thread the library starts.
class LibraryThread {
 public:
  LibraryThread() : hooks_(installed_hooks().load(std::memory_order_acquire)) {  // acquire: see install()
    if (hooks_ != nullptr) hooks_->started();
  }
  ~LibraryThread() {
    if (hooks_ != nullptr) hooks_->stopping();
  }
  LibraryThread(const LibraryThread&) = delete;
  LibraryThread& operator=(const LibraryThread&) = delete;

 private:
  const Hooks* hooks_;  // the same hooks at both ends, even if another set is installed meanwhile
};

}  // namespace contend::thread_placement
