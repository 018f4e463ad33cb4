// Forces the ABA interleaving on TreiberStack, CachedTreiberStack and EliminationStack (the same
// hazard-pointer stack; the cache hands freed blocks straight back to pushes, and a failed CAS in
// EliminationStack also visits the elimination array: neither may change the outcome). Thread A starts a pop:
// it has read top (node X, value 1) and X->next (node Y), and is paused just before its CAS. Thread B then
// pops X and Y, asks for reclamation, and pushes a new value. Without protection, X could be freed and its
// memory reused for the new node, so A's CAS (expecting X) would succeed and install the freed Y
// as the top: values lost or popped twice, and a use-after-free that ASan reports. With hazard
// pointers X stays allocated while A protects it, so A's CAS fails, A retries, and every value is
// popped exactly once.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <optional>
#include <semaphore>
#include <set>
#include <thread>

#include "contend/elimination_stack.hpp"
#include "contend/treiber_stack.hpp"
#include "test_support.hpp"

namespace contend::test {
namespace {

struct PauseHook {
  static inline std::atomic<bool> armed{false};
  static inline std::binary_semaphore reached{0};
  static inline std::binary_semaphore resume{0};
  static void before_pop_cas() {
    if (armed.exchange(false)) {  // only the first pop after arming pauses
      reached.release();
      resume.acquire();
    }
  }
};

template <class S>
class HazardStackAba : public ::testing::Test {};
using AbaTypes =
    TypeList<TreiberStack<std::uint64_t, PauseHook>, CachedTreiberStack<std::uint64_t, PauseHook>,
             EliminationStack<std::uint64_t, PauseHook>>;
TYPED_TEST_SUITE(HazardStackAba, ToGTest<AbaTypes>::type, ImplName);

TYPED_TEST(HazardStackAba, PausedPopSurvivesPopPopReclaimPush) {
  TypeParam stack;
  stack.push(2);  // Y
  stack.push(1);  // X, the top

  PauseHook::armed = true;
  std::optional<std::uint64_t> a_result;
  std::thread a([&] { a_result = stack.pop(); });
  PauseHook::reached.acquire();  // A holds X and X->next == Y, before its CAS

  std::set<std::uint64_t> b_results;
  std::thread b([&] {
    b_results.insert(*stack.pop());  // X
    b_results.insert(*stack.pop());  // Y
    stack.reclaim();                 // frees Y; X is protected by A's hazard pointer
    EXPECT_EQ(stack.retired_count(), 1u) << "X must stay retired (not freed) while A holds it";
    stack.push(3);
  });
  b.join();
  PauseHook::resume.release();
  a.join();

  EXPECT_EQ(b_results, (std::set<std::uint64_t>{1, 2}));
  EXPECT_EQ(a_result, std::optional<std::uint64_t>(3)) << "A's stale CAS must fail and retry";
  EXPECT_EQ(stack.pop(), std::nullopt);
}

}  // namespace
}  // namespace contend::test
