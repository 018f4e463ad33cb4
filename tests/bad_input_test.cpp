// Bad input is refused with a clear exception, not undefined behaviour.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "contend/families.hpp"
#include "test_support.hpp"

namespace contend::test {
namespace {

template <class Ch>
class ChannelCapacity : public ::testing::Test {};
TYPED_TEST_SUITE(ChannelCapacity, ToGTest<ChannelTypes>::type, ImplName);

TYPED_TEST(ChannelCapacity, ZeroCapacityIsRefused) {
  try {
    TypeParam ch(0);
    FAIL() << "capacity 0 was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("capacity"), std::string::npos) << e.what();
  }
}

TEST(ShardedCounter, ZeroSlotsAreRefused) {
  EXPECT_THROW(PackedShardedCounter(0), std::invalid_argument);
  EXPECT_THROW(PaddedShardedCounter(0), std::invalid_argument);
}

TEST(ShardedCounter, PaddedSlotsSitOnSeparateBlocksAndPackedOnesDoNot) {
  EXPECT_EQ(sizeof(Padded<std::atomic<std::uint64_t>, false_sharing_range>), false_sharing_range);
  EXPECT_EQ(sizeof(Padded<std::atomic<std::uint64_t>, alignof(std::atomic<std::uint64_t>)>), 8u);
}

TEST(ShardedCounter, MoreThreadsThanSlotsStillCountsEverything) {
  PaddedShardedCounter counter(1);
  run_together(stress_threads(), [&](std::size_t) {
    for (int i = 0; i < 1000; ++i) counter.increment();
  });
  EXPECT_EQ(counter.read(), stress_threads() * 1000);
}

}  // namespace
}  // namespace contend::test
