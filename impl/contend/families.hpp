// The type list of each family, in one place: the tests run every body on every type here and the
// benchmarks register every type here. Adding an implementation is one line.
//
// Each family lists our own designs, then its peers: adapters of the libraries users would pick
// instead (impl/contend/peers/). Boost and moodycamel are required; TBB, libcuckoo, xenium and
// Abseil are optional: CMake defines CONTEND_HAVE_<PEER> for each one it found, and a missing one
// leaves its types out of the lists. <Family>Peers lists the peers alone, so that the benchmarks
// can say which were built (context key "peers").
#pragma once

#include <mutex>

#include "contend/atomic_counter.hpp"
#include "contend/cas_counter.hpp"
#include "contend/channel_counter.hpp"
#include "contend/channel_map.hpp"
#include "contend/combining_stack.hpp"
#include "contend/delegated_counter.hpp"
#include "contend/delegated_map.hpp"
#include "contend/elimination_stack.hpp"
#include "contend/mutex_counter.hpp"
#include "contend/mutex_map.hpp"
#include "contend/mutex_queue.hpp"
#include "contend/mutex_stack.hpp"
#include "contend/peers/boost_queue_channel.hpp"
#include "contend/peers/boost_spsc_channel.hpp"
#include "contend/peers/boost_stack.hpp"
#include "contend/peers/moody_channel.hpp"
#include "contend/sharded_counter.hpp"
#include "contend/shared_mutex_map.hpp"
#include "contend/spsc_ring.hpp"
#include "contend/treiber_stack.hpp"
#include "contend/type_list.hpp"

#ifdef CONTEND_HAVE_TBB
#include "contend/peers/tbb_hash_map.hpp"
#include "contend/peers/tbb_queue_channel.hpp"
#include "contend/peers/tbb_spin_mutex.hpp"
#endif
#ifdef CONTEND_HAVE_CUCKOO
#include "contend/peers/cuckoo_map.hpp"
#endif
#ifdef CONTEND_HAVE_XENIUM
#include "contend/peers/xenium_queue_channel.hpp"
#endif
#ifdef CONTEND_HAVE_ABSL
#include "contend/peers/absl_mutex.hpp"
#endif

namespace contend {

namespace peers {
#ifdef CONTEND_HAVE_TBB
using TbbMaps = TypeList<TbbHashMap<>, MutexMap<std::uint64_t, std::uint64_t, tbb::spin_mutex>>;
using TbbChannels = TypeList<TbbQueueChannel<>, TbbBoundedQueueChannel<>>;
#else
using TbbMaps = TypeList<>;
using TbbChannels = TypeList<>;
#endif
#ifdef CONTEND_HAVE_CUCKOO
using CuckooMaps = TypeList<CuckooMap<>>;
#else
using CuckooMaps = TypeList<>;
#endif
#ifdef CONTEND_HAVE_XENIUM
using XeniumChannels = TypeList<XeniumQueueChannel<>>;
#else
using XeniumChannels = TypeList<>;
#endif
#ifdef CONTEND_HAVE_ABSL
using AbslMaps = TypeList<MutexMap<std::uint64_t, std::uint64_t, AbslMutex>>;
#else
using AbslMaps = TypeList<>;
#endif
}  // namespace peers

using CounterTypes = TypeList<MutexCounter, RelaxedAtomicCounter, SeqCstAtomicCounter, CasCounter,
                              ChannelCounter, DelegatedCounter, PackedShardedCounter, PaddedShardedCounter>;
using CounterPeers = TypeList<>;

using MapPeers = ConcatT<peers::AbslMaps, peers::TbbMaps, peers::CuckooMaps>;
using MapTypes =
    ConcatT<TypeList<MutexMap<>, SharedMutexMap<>, ChannelMap<>, AsyncChannelMap<>, DelegatedMap<>>,
            MapPeers>;

using StackPeers = TypeList<BoostStack<>>;
using StackTypes = ConcatT<
    TypeList<TreiberStack<>, CachedTreiberStack<>, EliminationStack<>, CombiningStack<>, MutexStack<>>,
    StackPeers>;

using ChannelPeers =
    ConcatT<TypeList<MoodyChannel<>, BlockingMoodyChannel<>, BoostQueueChannel<>, BoostSpscChannel<>>,
            peers::TbbChannels, peers::XeniumChannels>;
using ChannelTypes = ConcatT<TypeList<SpscRing<>, MutexQueue<>>, ChannelPeers>;

// Channels that allow many senders and many receivers at once.
template <class Ch>
inline constexpr bool is_multi_producer = !requires {
  Ch::single_producer;
};

}  // namespace contend
