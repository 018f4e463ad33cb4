// Promises (oneTBB): unfair test-and-set spin lock, backoff then yield, never sleeps in the kernel.
// tbb::spin_mutex (libtbb-dev) as MutexMap's lock. TBB promises: a non-recursive, unfair
// test-and-set spin lock that spins with exponential backoff and then yields; blocking, never
// sleeps in the kernel. Thread-safe: lock, unlock.
#pragma once

#include <tbb/spin_mutex.h>

#include <string_view>

#include "contend/mutex_map.hpp"

namespace contend {

template <>
inline constexpr std::string_view map_lock_name<tbb::spin_mutex> = "tbb_spin";
template <>
inline constexpr bool map_lock_blocks<tbb::spin_mutex> = false;  // backs off and yields, never sleeps

}  // namespace contend
