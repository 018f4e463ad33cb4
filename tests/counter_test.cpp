// Every counter in CounterTypes: no increment lost under contention (threads > cores).
#include <gtest/gtest.h>

#include <cstdint>

#include "contend/families.hpp"
#include "test_support.hpp"

namespace contend::test {
namespace {

template <class C>
class TypedCounter : public ::testing::Test {};
TYPED_TEST_SUITE(TypedCounter, ToGTest<CounterTypes>::type, ImplName);

TYPED_TEST(TypedCounter, StartsAtZeroAndCountsSequentially) {
  TypeParam counter;
  EXPECT_EQ(counter.read(), 0u);
  for (int i = 0; i < 10; ++i) counter.increment();
  EXPECT_EQ(counter.read(), 10u);
}

TYPED_TEST(TypedCounter, NoIncrementLostUnderContention) {
  TypeParam counter;
  const std::size_t threads = stress_threads();
  const std::size_t per_thread = scaled(20'000);
  run_together(threads, [&](std::size_t) {
    for (std::size_t i = 0; i < per_thread; ++i) counter.increment();
  });
  EXPECT_EQ(counter.read(), threads * per_thread);
}

TYPED_TEST(TypedCounter, ReadsDuringIncrementsNeverDecreaseNorExceedTheTotal) {
  TypeParam counter;
  const std::size_t writers = stress_threads();
  const std::size_t per_thread = scaled(5'000);
  const std::uint64_t total = writers * per_thread;
  run_together(writers + 1, [&](std::size_t i) {
    if (i == writers) {  // the reader
      std::uint64_t last = 0;
      for (std::size_t r = 0; r < scaled(200); ++r) {
        std::uint64_t now = counter.read();
        ASSERT_GE(now, last);
        ASSERT_LE(now, total);
        last = now;
      }
    } else {
      for (std::size_t k = 0; k < per_thread; ++k) counter.increment();
    }
  });
  EXPECT_EQ(counter.read(), total);
}

}  // namespace
}  // namespace contend::test
