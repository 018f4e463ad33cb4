// The type list of each family, in one place: the tests run every body on every type here and the
// benchmarks register every type here. Adding an implementation is one line.
#pragma once

#include "contend/atomic_counter.hpp"
#include "contend/peers/boost_queue_channel.hpp"
#include "contend/peers/boost_spsc_channel.hpp"
#include "contend/peers/boost_stack.hpp"
#include "contend/cas_counter.hpp"
#include "contend/channel_counter.hpp"
#include "contend/channel_map.hpp"
#include "contend/combining_stack.hpp"
#include "contend/elimination_stack.hpp"
#include "contend/peers/moody_channel.hpp"
#include "contend/mutex_counter.hpp"
#include "contend/mutex_map.hpp"
#include "contend/mutex_queue.hpp"
#include "contend/mutex_stack.hpp"
#include "contend/sharded_counter.hpp"
#include "contend/shared_mutex_map.hpp"
#include "contend/treiber_stack.hpp"
#include "contend/type_list.hpp"

namespace contend {

using CounterTypes = TypeList<MutexCounter, RelaxedAtomicCounter, SeqCstAtomicCounter, CasCounter,
                              ChannelCounter, PackedShardedCounter, PaddedShardedCounter>;

using MapTypes = TypeList<MutexMap<>, SharedMutexMap<>, ChannelMap<>, AsyncChannelMap<>>;

using StackTypes = TypeList<TreiberStack<>, EliminationStack<>, CombiningStack<>, MutexStack<>, BoostStack<>>;

using ChannelTypes =
    TypeList<MoodyChannel<>, BlockingMoodyChannel<>, BoostQueueChannel<>, BoostSpscChannel<>, MutexQueue<>>;

// Channels that allow many senders and many receivers at once.
template <class Ch>
inline constexpr bool is_multi_producer = !requires {
  Ch::single_producer;
};

}  // namespace contend
