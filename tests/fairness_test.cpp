// Fairness compares like roles (benchmarks/fairness.hpp): workers with workers, producers with
// producers, never consumers (whose count is what the producers gave them).
#include "fairness.hpp"

#include <gtest/gtest.h>

namespace contend::bench {
namespace {

TEST(Fairness, WorkersAreComparedWithEachOther) {
  const Fairness f = fairness_of({100, 50}, {Role::worker, Role::worker});
  EXPECT_DOUBLE_EQ(f.min_max, 0.5);
  EXPECT_NEAR(f.cv, 25.0 / 75.0, 1e-12);
  EXPECT_EQ(f.threads, 2);
}

TEST(Fairness, ConsumersAreLeftOut) {
  // One producer and a consumer that popped an empty stack: nobody was treated unfairly.
  const Fairness one = fairness_of({1000, 0}, {Role::producer, Role::consumer});
  EXPECT_DOUBLE_EQ(one.min_max, 1);
  EXPECT_DOUBLE_EQ(one.cv, 0);
  EXPECT_EQ(one.threads, 1);
  // Two producers and two consumers: the producers' spread only.
  const Fairness two =
      fairness_of({400, 7, 100, 0}, {Role::producer, Role::consumer, Role::producer, Role::consumer});
  EXPECT_DOUBLE_EQ(two.min_max, 0.25);
  EXPECT_EQ(two.threads, 2);
}

TEST(Fairness, EachRoleIsJudgedAloneAndTheWorseReported) {
  // Workers perfectly fair, producers 1:4: producers' figure; never a worker against a producer.
  const Fairness f = fairness_of({10, 10, 100, 400}, {Role::worker, Role::worker, Role::producer, Role::producer});
  EXPECT_DOUBLE_EQ(f.min_max, 0.25);
  EXPECT_NEAR(f.cv, 150.0 / 250.0, 1e-12);
  EXPECT_EQ(f.threads, 4);
}

TEST(Fairness, NothingToCompare) {
  const Fairness f = fairness_of({5}, {Role::consumer});
  EXPECT_EQ(f.threads, 0);
  EXPECT_DOUBLE_EQ(f.min_max, 0);
  EXPECT_DOUBLE_EQ(f.cv, 0);
  EXPECT_DOUBLE_EQ(fairness_of({0, 0}, {Role::worker, Role::worker}).min_max, 0);  // nobody did anything
}

}  // namespace
}  // namespace contend::bench
