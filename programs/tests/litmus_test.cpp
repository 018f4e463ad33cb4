// Forbidden outcomes must never appear; how often allowed reorderings appear is only reported.
#include "litmus.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <string>

#include "stress.hpp"

namespace {

struct Case {
  const char* test;
  litmus::Order order;
};

std::string case_name(const testing::TestParamInfo<Case>& p) {
  return std::string(p.param.test) + "_" + std::string(litmus::to_string(p.param.order));
}

class Litmus : public testing::TestWithParam<Case> {};

TEST_P(Litmus, ForbiddenOutcomesNeverObserved) {
  const auto [test, order] = GetParam();
  litmus::Options opt;
  // TSan serialises atomics through its runtime; the four-thread IRIW also oversubscribes.
  const std::uint64_t base = std::string(test) == "IRIW" ? 10'000 : 40'000;
  opt.trials = programs_test::scaled(base);
  const auto r = litmus::run(test, order, opt);

  std::uint64_t total = 0;
  for (const auto& o : r.outcomes) {
    total += o.count;
    if (o.cls == litmus::Class::forbidden) {
      EXPECT_EQ(o.count, 0u) << test << "/" << litmus::to_string(order) << ": " << o.outcome;
    }
  }
  EXPECT_EQ(total, opt.trials);
  const auto interesting = r.count(litmus::Class::interesting);
  RecordProperty("interesting", std::to_string(interesting));
  std::cout << "[ info ] " << test << "/" << litmus::to_string(order) << ": " << interesting
            << " interesting of " << r.trials << " trials\n";
}

INSTANTIATE_TEST_SUITE_P(
    Programs, Litmus,
    testing::Values(Case{"SB", litmus::Order::relaxed}, Case{"SB", litmus::Order::acq_rel},
                    Case{"SB", litmus::Order::seq_cst}, Case{"MP", litmus::Order::relaxed},
                    Case{"MP", litmus::Order::acq_rel}, Case{"MP", litmus::Order::seq_cst},
                    Case{"LB", litmus::Order::relaxed}, Case{"LB", litmus::Order::acq_rel},
                    Case{"LB", litmus::Order::seq_cst}, Case{"IRIW", litmus::Order::acq_rel},
                    Case{"IRIW", litmus::Order::seq_cst}, Case{"publish", litmus::Order::relaxed},
                    Case{"publish", litmus::Order::acq_rel}, Case{"wake", litmus::Order::acq_rel},
                    Case{"wake", litmus::Order::seq_cst}),
    case_name);

TEST(LitmusClassification, MatchesTheCppModel) {
  litmus::Options opt;
  opt.trials = 8;
  auto cls = [&](const char* t, litmus::Order o, const std::string& outcome) {
    for (const auto& x : litmus::run(t, o, opt).outcomes)
      if (x.outcome == outcome) return x.cls;
    ADD_FAILURE() << "no outcome " << outcome;
    return litmus::Class::allowed;
  };
  using litmus::Class;
  using litmus::Order;
  EXPECT_EQ(cls("SB", Order::relaxed, "r1=0 r2=0"), Class::interesting);
  EXPECT_EQ(cls("SB", Order::acq_rel, "r1=0 r2=0"), Class::interesting);
  EXPECT_EQ(cls("SB", Order::seq_cst, "r1=0 r2=0"), Class::forbidden);
  EXPECT_EQ(cls("SB", Order::seq_cst, "r1=0 r2=1"), Class::allowed);
  EXPECT_EQ(cls("MP", Order::relaxed, "flag=1 data=0"), Class::interesting);
  EXPECT_EQ(cls("MP", Order::acq_rel, "flag=1 data=0"), Class::forbidden);
  EXPECT_EQ(cls("LB", Order::relaxed, "r1=1 r2=1"), Class::interesting);
  EXPECT_EQ(cls("LB", Order::acq_rel, "r1=1 r2=1"), Class::forbidden);
  EXPECT_EQ(cls("IRIW", Order::acq_rel, "r1=1 r2=0 r3=1 r4=0"), Class::interesting);
  EXPECT_EQ(cls("IRIW", Order::seq_cst, "r1=1 r2=0 r3=1 r4=0"), Class::forbidden);
  EXPECT_EQ(cls("publish", Order::relaxed, "ready=1 payload=torn"), Class::interesting);
  EXPECT_EQ(cls("publish", Order::acq_rel, "ready=1 payload=torn"), Class::forbidden);
  EXPECT_EQ(cls("wake", Order::acq_rel, "sleepers=0 word=0"), Class::interesting);
  EXPECT_EQ(cls("wake", Order::seq_cst, "sleepers=0 word=0"), Class::forbidden);
  EXPECT_EQ(cls("wake", Order::seq_cst, "sleepers=1 word=0"), Class::allowed);
}

TEST(LitmusJson, HasTheReportFormat) {
  litmus::Options opt;
  opt.trials = 16;
  const auto json = litmus::to_json({"cpu \"x\"", "2", "Linux 6", "g++ 12"},
                                    {litmus::run("SB", litmus::Order::relaxed, opt)});
  EXPECT_NE(json.find(R"("context": {"cpu_model": "cpu \"x\"", "cores": "2")"), std::string::npos);
  EXPECT_NE(json.find(R"({"test": "SB", "order": "relaxed", "trials": 16, "outcomes": [)"),
            std::string::npos);
  EXPECT_NE(json.find(R"({"outcome": "r1=0 r2=0", "count": )"), std::string::npos);
  EXPECT_NE(json.find(R"("class": "interesting"})"), std::string::npos);
}

}  // namespace
