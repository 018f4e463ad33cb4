// --pin at run time: places the benchmark's threads and the threads the library starts
// (contend/thread_placement.hpp) on the CPUs of placement_order() (topology.hpp).
// Thread-safe: every function; place_library_threads() while no library thread is starting.
#pragma once

#include <vector>

#include "topology.hpp"

namespace contend::bench {

// Once, before any benchmark runs: remembers the order and, unless it is empty (--pin=none),
// installs the library-thread hook.
void configure_placement(std::vector<int> order);

// Benchmark thread `thread` of a run pins itself to order[thread % size]. No-op for none.
void place_benchmark_thread(int thread);

// Before each run of `threads` threads: the library threads started during the run take the
// slots after the run's threads, in start order; those already alive (the owner of a design kept
// across runs, like a prefilled map's) take the first of them, as the only design of the run.
void place_library_threads(int threads);

}  // namespace contend::bench
