// Every map in MapTypes against a sequential model: disjoint-key writers, same-key writers, and
// get/put/erase mixes.
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <random>
#include <unordered_map>

#include "contend/families.hpp"
#include "test_support.hpp"

namespace contend::test {
namespace {

template <class M>
class TypedMap : public ::testing::Test {};
TYPED_TEST_SUITE(TypedMap, ToGTest<MapTypes>::type, ImplName);

TYPED_TEST(TypedMap, MatchesASequentialModel) {
  TypeParam map;
  std::unordered_map<std::uint64_t, std::uint64_t> model;
  std::mt19937_64 rng(42);
  for (int i = 0; i < 20'000; ++i) {
    const std::uint64_t key = rng() % 500, value = rng();
    switch (rng() % 3) {
      case 0:
        map.put(key, value);
        model[key] = value;
        break;
      case 1:
        ASSERT_EQ(map.erase(key), model.erase(key) == 1) << "erase " << key;
        break;
      default: {
        auto it = model.find(key);
        ASSERT_EQ(map.get(key), it == model.end() ? std::nullopt : std::optional(it->second))
            << "get " << key;
      }
    }
  }
}

TYPED_TEST(TypedMap, DisjointKeyWritersThenContentsEqualTheModel) {
  TypeParam map;
  const std::size_t threads = stress_threads();
  const std::size_t per_thread = scaled(5'000);
  run_together(threads, [&](std::size_t t) {
    for (std::size_t i = 0; i < per_thread; ++i) {
      const std::uint64_t key = t * per_thread + i;
      map.put(key, key * 3 + 1);
      if (i % 4 == 0) map.put(key, key * 7);  // overwrite: the model keeps the last write
      if (i % 10 == 0) map.erase(key);        // and some keys end up absent
    }
  });
  for (std::uint64_t key = 0; key < threads * per_thread; ++key) {
    const std::size_t i = key % per_thread;
    const std::optional<std::uint64_t> expected =
        i % 10 == 0 ? std::nullopt : std::optional<std::uint64_t>(i % 4 == 0 ? key * 7 : key * 3 + 1);
    ASSERT_EQ(map.get(key), expected) << "key " << key;
  }
}

TYPED_TEST(TypedMap, SameKeyWritersLeaveOneOfTheWrittenValues) {
  TypeParam map;
  const std::size_t threads = stress_threads();
  const std::size_t per_thread = scaled(5'000);
  run_together(threads, [&](std::size_t t) {
    for (std::size_t i = 0; i < per_thread; ++i) map.put(7, t * per_thread + i);
  });
  // The last write of some thread wins: each thread's writes to the key are ordered.
  const std::optional<std::uint64_t> last = map.get(7);
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(*last % per_thread, per_thread - 1) << "value " << *last << " is no thread's last write";
}

TYPED_TEST(TypedMap, MixedOperationsStayConsistent) {
  // Each key is only ever absent or mapped to key * 2 + 1, so any other observed value is a torn
  // or mixed-up reply.
  TypeParam map;
  const std::size_t threads = stress_threads();
  const std::size_t per_thread = scaled(10'000);
  run_together(threads, [&](std::size_t t) {
    std::mt19937_64 rng(t);
    for (std::size_t i = 0; i < per_thread; ++i) {
      const std::uint64_t key = rng() % 64;
      switch (rng() % 4) {
        case 0:
          map.put(key, key * 2 + 1);
          break;
        case 1:
          map.erase(key);
          break;
        default:
          if (auto v = map.get(key)) {
            ASSERT_EQ(*v, key * 2 + 1);
          }
      }
    }
  });
  for (std::uint64_t key = 0; key < 64; ++key) {
    if (auto v = map.get(key)) {
      EXPECT_EQ(*v, key * 2 + 1);
    }
  }
}

}  // namespace
}  // namespace contend::test
