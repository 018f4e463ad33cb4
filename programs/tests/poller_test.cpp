// Both poller designs against a loopback HTTP server and a simulated poll. No timing
// assertions: waits are for progress, with generous deadlines that only bound a hung test.
#include "poller.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "delay_queue.hpp"
#include "polls.hpp"
#include "stress.hpp"
#include "test_server.hpp"

namespace {

using namespace std::chrono_literals;
using poller::Design;

template <class Pred>
bool eventually(Pred pred, std::chrono::seconds limit = 30s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// Wraps a poll function: counts polls per URL and catches two workers polling one URL at once.
class Watch {
 public:
  explicit Watch(const std::vector<std::string>& urls) {
    for (const auto& u : urls) slots_.emplace(u, std::make_unique<Slot>());
  }
  poller::PollFn wrap(poller::PollFn inner) {
    return [this, inner = std::move(inner)](const std::string& url) {
      Slot& s = *slots_.at(url);
      if (s.in_poll.exchange(true, std::memory_order_acq_rel)) overlaps_.fetch_add(1);
      auto result = inner(url);
      s.in_poll.store(false, std::memory_order_release);
      s.polls.fetch_add(1, std::memory_order_relaxed);
      return result;
    };
  }
  bool each_polled_at_least(std::uint64_t n) const {
    for (const auto& [url, s] : slots_)
      if (s->polls.load(std::memory_order_relaxed) < n) return false;
    return true;
  }
  std::uint64_t total() const {
    std::uint64_t t = 0;
    for (const auto& [url, s] : slots_) t += s->polls.load(std::memory_order_relaxed);
    return t;
  }
  std::uint64_t overlaps() const { return overlaps_.load(); }

 private:
  struct Slot {
    std::atomic<bool> in_poll{false};
    std::atomic<std::uint64_t> polls{0};
  };
  std::map<std::string, std::unique_ptr<Slot>> slots_;  // read-only once polling starts
  std::atomic<std::uint64_t> overlaps_{0};
};

poller::Config fast_config(std::size_t workers) {
  poller::Config c;
  c.workers = workers;
  c.interval = 2ms;
  c.error_backoff = 2ms;
  c.report_every = 20ms;
  return c;
}

class PollerDesign : public testing::TestWithParam<Design> {};

TEST_P(PollerDesign, ReportsEveryUrlsStatusFromLoopbackServer) {
  poller::TestServer server([](const std::string& path) { return path.rfind("/ok", 0) == 0 ? 200 : 404; });
  const std::string refused = "http://127.0.0.1:" + std::to_string(poller::TestServer::unused_port()) + "/";
  const std::vector<std::string> urls = {server.url("/ok/a"), server.url("/ok/b"), server.url("/missing"),
                                         refused, "not-a-url"};
  Watch watch(urls);
  auto p = poller::make_poller(GetParam(), urls,
                               watch.wrap([](const std::string& u) { return poller::http_head(u); }),
                               fast_config(3));
  p->start();
  ASSERT_TRUE(eventually([&] { return watch.each_polled_at_least(2); }));
  const auto table = p->stop();

  ASSERT_EQ(table.size(), urls.size());
  EXPECT_EQ(table.at(urls[0]).status, "200 OK");
  EXPECT_EQ(table.at(urls[1]).status, "200 OK");
  EXPECT_EQ(table.at(urls[2]).status, "404 Not Found");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(table.at(urls[i]).errors, 0) << urls[i];
  EXPECT_GE(table.at(refused).errors, 2) << table.at(refused).status;
  EXPECT_NE(table.at(refused).status.find("onnect"), std::string::npos) << table.at(refused).status;
  EXPECT_GE(table.at("not-a-url").errors, 2);
  EXPECT_NE(table.at("not-a-url").status.find("invalid URL"), std::string::npos);
  for (const auto& [url, e] : table) EXPECT_GE(e.polls, 2u) << url;
  EXPECT_EQ(watch.overlaps(), 0u);
  EXPECT_GT(server.requests(), 0u);
}

TEST_P(PollerDesign, NoResourceIsPolledByTwoWorkersAtOnce) {
  std::vector<std::string> urls;
  for (int i = 0; i < 6; ++i) urls.push_back("sim://" + std::to_string(i));
  Watch watch(urls);
  auto sim = poller::simulated_poll({0us, 0.1, 7});
  auto poll = watch.wrap([&](const std::string& u) {
    std::this_thread::yield();  // widen the window in which a second poller could slip in
    return sim(u);
  });
  auto config = fast_config(4);
  config.interval = 0ms;
  config.error_backoff = 0ms;
  auto p = poller::make_poller(GetParam(), urls, poll, config);
  p->start();
  const auto target = programs_test::scaled(3000);
  ASSERT_TRUE(eventually([&] { return watch.total() >= target; }));
  const auto table = p->stop();
  EXPECT_EQ(watch.overlaps(), 0u);
  std::uint64_t polls = 0;
  for (const auto& [url, e] : table) polls += e.polls;
  EXPECT_EQ(polls, watch.total());  // every poll reached the table, none was lost in shutdown
}

TEST_P(PollerDesign, BackOffGrowsWithConsecutiveErrors) {
  const std::vector<std::string> urls = {"sim://down"};
  std::atomic<std::uint64_t> n{0};
  auto config = fast_config(2);
  config.interval = 0ms;
  config.error_backoff = 3ms;
  auto p = poller::make_poller(
      GetParam(), urls,
      [&](const std::string&) {
        n.fetch_add(1);
        return poller::PollResult{false, "down"};
      },
      config);
  p->start();
  ASSERT_TRUE(eventually([&] { return n.load() >= 4; }));
  const auto table = p->stop();
  EXPECT_EQ(table.at("sim://down").errors, static_cast<int>(table.at("sim://down").polls));
  EXPECT_EQ(table.at("sim://down").status, "down");
}

TEST_P(PollerDesign, ReportsOnTheTicker) {
  std::atomic<int> reports{0};
  auto config = fast_config(1);
  config.report_every = 5ms;
  config.on_report = [&](const poller::StateTable& t) {
    if (t.size() == 2) reports.fetch_add(1);
  };
  auto p = poller::make_poller(GetParam(), {"sim://a", "sim://b"}, poller::simulated_poll({}), config);
  p->start();
  EXPECT_TRUE(eventually([&] { return reports.load() >= 2; }));
  p->stop();
}

TEST_P(PollerDesign, ShutdownJoinsEveryThreadEvenMidPoll) {
  std::atomic<int> in_poll{0};
  auto slow = [&](const std::string&) {
    in_poll.fetch_add(1);
    std::this_thread::sleep_for(50ms);
    return poller::PollResult{true, "200 OK"};
  };
  std::vector<std::string> urls;
  for (int i = 0; i < 8; ++i) urls.push_back("sim://" + std::to_string(i));
  {
    auto p = poller::make_poller(GetParam(), urls, slow, fast_config(4));
    p->start();
    ASSERT_TRUE(eventually([&] { return in_poll.load() >= 2; }));
    const auto table = p->stop();  // returns: every thread joined
    EXPECT_EQ(table.size(), urls.size());
    EXPECT_TRUE(p->stop().empty());  // a second stop is harmless
  }
  {
    auto p = poller::make_poller(GetParam(), urls, slow, fast_config(2));
    p->start();  // destroyed without stop(): the destructor stops it
  }
  {
    auto p = poller::make_poller(GetParam(), urls, slow, fast_config(2));  // never started
  }
}

INSTANTIATE_TEST_SUITE_P(Programs, PollerDesign, testing::Values(Design::channel, Design::shared),
                         [](const auto& p) { return std::string(poller::to_string(p.param)); });

TEST(DelayQueue, ReleasesInDueOrderAndCloseWakesTheWaiter) {
  poller::DelayQueue<int> q;
  const auto now = poller::Clock::now();
  q.schedule(3, now + 3ms);
  q.schedule(1, now + 1ms);
  q.schedule(2, now + 1ms);  // equal due times keep FIFO order
  EXPECT_EQ(q.pop_due(), 1);
  EXPECT_EQ(q.pop_due(), 2);
  EXPECT_EQ(q.pop_due(), 3);
  q.schedule(4, now + 1h);
  std::thread closer([&] {
    std::this_thread::sleep_for(5ms);
    q.close();
  });
  EXPECT_EQ(q.pop_due(), std::nullopt);
  closer.join();
  EXPECT_FALSE(q.schedule(5, now));
}

TEST(SimulatedPoll, SameSeedSameSequence) {
  auto a = poller::simulated_poll({0us, 0.5, 42});
  auto b = poller::simulated_poll({0us, 0.5, 42});
  int failures = 0;
  for (int i = 0; i < 200; ++i) {
    const auto ra = a("x"), rb = b("y");
    EXPECT_EQ(ra.ok, rb.ok) << i;
    failures += !ra.ok;
  }
  EXPECT_GT(failures, 0);
  EXPECT_LT(failures, 200);
}

TEST(HttpHead, ErrorsAreResultsNotExceptions) {
  poller::TestServer server([](const std::string&) { return 503; });
  const auto up = poller::http_head(server.url("/"));
  EXPECT_TRUE(up.ok);
  EXPECT_EQ(up.status, "503 Service Unavailable");
  const auto refused =
      poller::http_head("http://127.0.0.1:" + std::to_string(poller::TestServer::unused_port()) + "/");
  EXPECT_FALSE(refused.ok);
  EXPECT_FALSE(poller::http_head("ftp://127.0.0.1/").ok);
  EXPECT_FALSE(poller::http_head("").ok);
}

}  // namespace
