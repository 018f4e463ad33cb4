// Every implementation compiles against the interface in concepts.hpp (checked at compile time;
// the runtime test only lists what was checked).
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>

#include "contend/contend.hpp"

namespace contend {
namespace {

template <class... Ts>
constexpr bool all_counters(TypeList<Ts...>) {
  return ((Counter<Ts> && Named<Ts>)&&...);
}
template <class... Ts>
constexpr bool all_maps(TypeList<Ts...>) {
  return ((KeyValueMap<Ts> && Named<Ts>)&&...);
}
template <class... Ts>
constexpr bool all_stacks(TypeList<Ts...>) {
  return ((Stack<Ts> && Named<Ts>)&&...);
}
template <class... Ts>
constexpr bool all_channels(TypeList<Ts...>) {
  return ((Channel<Ts> && Named<Ts>)&&...);
}

static_assert(all_counters(CounterTypes{}));
static_assert(all_maps(MapTypes{}));
static_assert(all_stacks(StackTypes{}));
static_assert(all_channels(ChannelTypes{}));
static_assert(Counter<RacyCounter>);
static_assert(Channel<MutexQueue<std::string>, std::string>, "MutexQueue takes any movable T");
static_assert(!Counter<int> && !Stack<MutexMap<>> && !Channel<MutexStack<>>, "concepts are not vacuous");

template <class... Ts>
std::set<std::string_view> names(TypeList<Ts...>) {
  return {Ts::name...};
}

TEST(Interface, ImplementationNamesAreUniqueWithinAFamily) {
  EXPECT_EQ(names(CounterTypes{}).size(), CounterTypes::size);
  EXPECT_EQ(names(MapTypes{}).size(), MapTypes::size);
  EXPECT_EQ(names(StackTypes{}).size(), StackTypes::size);
  EXPECT_EQ(names(ChannelTypes{}).size(), ChannelTypes::size);
}

}  // namespace
}  // namespace contend
