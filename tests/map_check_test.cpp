// The maps' checked pass (benchmarks/map_check.hpp) on deliberately broken test-only maps: a map
// whose get returns an older value, one that loses puts, one that answers with another key's
// value must all fail it; the library's maps pass it.
#include "map_check.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "contend/channel_map.hpp"
#include "contend/delegated_map.hpp"
#include "contend/mutex_map.hpp"

namespace contend::bench {
namespace {

// A get returns the value the key had before its latest put (once it has had two): a stale
// read, which the timed workloads cannot see as they always put the prefill value.
class StaleMap {
 public:
  void put(std::uint64_t key, std::uint64_t value) {
    std::lock_guard lock(mutex_);
    auto it = now_.find(key);
    if (it != now_.end()) before_[key] = it->second;
    now_[key] = value;
  }
  std::optional<std::uint64_t> get(std::uint64_t key) const {
    std::lock_guard lock(mutex_);
    if (auto it = before_.find(key); it != before_.end()) return it->second;
    if (auto it = now_.find(key); it != now_.end()) return it->second;
    return std::nullopt;
  }

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::uint64_t, std::uint64_t> now_, before_;
};

// Each thread sees its own puts (from a thread-local cache) but only a key's first put reaches
// the shared map: read-your-writes holds during the pass, and the contents after the join are
// stale.
class WriteBackNeverMap {
 public:
  void put(std::uint64_t key, std::uint64_t value) {
    local()[key] = value;
    std::lock_guard lock(mutex_);
    shared_.try_emplace(key, value);
  }
  std::optional<std::uint64_t> get(std::uint64_t key) const {
    if (auto it = local().find(key); it != local().end()) return it->second;
    std::lock_guard lock(mutex_);
    auto it = shared_.find(key);
    return it == shared_.end() ? std::nullopt : std::optional<std::uint64_t>(it->second);
  }

 private:
  std::unordered_map<std::uint64_t, std::uint64_t>& local() const {
    thread_local std::unordered_map<const void*, std::unordered_map<std::uint64_t, std::uint64_t>> caches;
    return caches[this];
  }
  mutable std::mutex mutex_;
  std::unordered_map<std::uint64_t, std::uint64_t> shared_;
};

// Drops every 97th put.
class LossyMap {
 public:
  void put(std::uint64_t key, std::uint64_t value) {
    std::lock_guard lock(mutex_);
    if (++puts_ % 97 != 0) map_[key] = value;
  }
  std::optional<std::uint64_t> get(std::uint64_t key) const {
    std::lock_guard lock(mutex_);
    auto it = map_.find(key);
    return it == map_.end() ? std::nullopt : std::optional<std::uint64_t>(it->second);
  }

 private:
  mutable std::mutex mutex_;
  std::uint64_t puts_ = 0;
  std::unordered_map<std::uint64_t, std::uint64_t> map_;
};

const MapCheckShape shape{.threads = 3, .keys_per_thread = 64, .puts_per_thread = 512};

TEST(MapCheck, StaleReadsFail) {
  StaleMap stale;
  const MapCheckResult r = check_read_your_writes(stale, shape);
  EXPECT_FALSE(r.ok());
  EXPECT_GT(r.wrong_reads, 0u);
  EXPECT_NE(r.first_error.find("get after put"), std::string::npos) << r.first_error;
  EXPECT_NE(r.what().find("seq"), std::string::npos) << r.what();
}

TEST(MapCheck, StaleFinalContentsFail) {
  WriteBackNeverMap cached;
  const MapCheckResult r = check_read_your_writes(cached, shape);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.wrong_reads, 0u) << r.what();  // every thread read its own writes
  EXPECT_EQ(r.wrong_final, 3u * 64u) << r.what();  // every key holds its first put
  EXPECT_NE(r.first_error.find("after the join"), std::string::npos) << r.first_error;
}

TEST(MapCheck, LostWritesFail) {
  LossyMap lossy;
  const MapCheckResult r = check_read_your_writes(lossy, shape);
  EXPECT_FALSE(r.ok());
  EXPECT_GT(r.wrong_reads + r.wrong_final, 0u);
}

TEST(MapCheck, TheLibrarysMapsPass) {
  MutexMap<> mutex_map;
  EXPECT_TRUE(check_read_your_writes(mutex_map, shape).ok());
  ChannelMap<> channel;
  const MapCheckResult c = check_read_your_writes(channel, shape);
  EXPECT_TRUE(c.ok()) << c.what();
  AsyncChannelMap<> async;  // put_async then get from the same client: read-your-writes
  const MapCheckResult a = check_read_your_writes(async, shape);
  EXPECT_TRUE(a.ok()) << a.what();
  DelegatedMap<> delegated;
  const MapCheckResult d = check_read_your_writes(delegated, shape);
  EXPECT_TRUE(d.ok()) << d.what();
}

TEST(MapCheck, ValuesNameTheirKeyAndSequence) {
  const std::uint64_t v = versioned(map_check_key_base + 5, 42);
  EXPECT_EQ(key_of_value(v), map_check_key_base + 5);
  EXPECT_EQ(seq_of_value(v), 42u);
}

}  // namespace
}  // namespace contend::bench
