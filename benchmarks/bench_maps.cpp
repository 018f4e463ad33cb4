// maps/r<read%>-k<keys>-<dist>/<impl>: every map in MapTypes, prefilled with every key of the
// range, each thread running its own pre-generated stream of gets and puts.
//   read%  0, 50, 90, 99      keys  1k (fits in L1/L2) or 1m (misses cache)
//   dist   uniform, or zipf (skew 0.99: a few hot keys, the contention real caches see)
// maps/get_many-k1k-uniform/<impl>: reads only, in batches of 16 keys; a map with a get_many
// member (the channel maps: one request, many keys) reads a batch with one call, the others with
// 16 get()s; ops are keys read.
// maps/<workload>/single_thread: the ceiling of one thread on the map alone (the owner's
// std::unordered_map, no synchronisation), at 1 thread only, whatever the sweep.
// channel_async sends its puts without waiting for the owner (put_async); the run's time includes
// the owner finishing that backlog. Designs with an owner report its statistics (owner_stats.hpp).
// Self-checks: every get of the timed run returns the key's one possible value (the prefill's);
// and, since that cannot see a stale read or a lost put (every put writes the prefill value),
// each design also passes a checked pass once, on a fresh map, before its first timed run
// (map_check.hpp: versioned values, read-your-writes, final contents). Its verdict is checked in
// every run of the design, so a failure marks each of them with an error. The pass is not timed:
// it runs on thread 0 before the run's start barrier, its map gone before the run begins.
#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "contend/concepts.hpp"
#include "contend/families.hpp"
#include "family.hpp"
#include "key_stream.hpp"
#include "map_check.hpp"
#include "owner_stats.hpp"
#include "peers.hpp"
#include "timed_run.hpp"

namespace contend::bench {
namespace {

constexpr std::size_t batch_size = 16;  // keys per get_many

constexpr std::uint64_t value_of(std::uint64_t key) { return key * 2 + 1; }

struct Workload {
  int read_percent;
  std::uint64_t keys;
  bool zipf;
  bool batched = false;  // get_many: reads only, batch_size keys at a time
  std::string name() const {
    // Built with append: g++ 12's -Wrestrict misfires on `"literal" + std::string` chains.
    std::string n = batched ? "get_many" : "r";
    if (!batched) n.append(std::to_string(read_percent));
    n.append(keys == 1000 ? "-k1k-" : "-k1m-");
    return n.append(zipf ? "zipf" : "uniform");
  }
};

// The ceiling the single-owner maps are held against: what one thread does on the same
// std::unordered_map with no synchronisation at all. Not in MapTypes (whose typed tests are
// concurrent). Progress: n.a. Thread-safe: nothing; benchmarked at 1 thread only.
class SingleThreadMap {
 public:
  static constexpr std::string_view name = "single_thread";
  void put(std::uint64_t key, std::uint64_t value) { map_.insert_or_assign(key, value); }
  std::optional<std::uint64_t> get(std::uint64_t key) const {
    const auto it = map_.find(key);
    return it == map_.end() ? std::nullopt : std::optional<std::uint64_t>(it->second);
  }

 private:
  std::unordered_map<std::uint64_t, std::uint64_t> map_;
};

template <class M>
concept HasGetMany = requires(M& m, std::span<const std::uint64_t> keys,
                              std::span<std::optional<std::uint64_t>> out) { m.get_many(keys, out); };

// Reads keys[0..batch_size), with one get_many call when M has it; returns how many were wrong.
template <class M>
std::uint64_t read_batch(M& map, const std::uint64_t* keys) {
  std::array<std::optional<std::uint64_t>, batch_size> found;
  if constexpr (HasGetMany<M>) {
    map.get_many(std::span<const std::uint64_t>(keys, batch_size), std::span(found));
  } else {
    for (std::size_t k = 0; k < batch_size; ++k) found[k] = map.get(keys[k]);
  }
  std::uint64_t mismatches = 0;
  for (std::size_t k = 0; k < batch_size; ++k) mismatches += found[k] != value_of(keys[k]);
  benchmark::DoNotOptimize(found);
  return mismatches;
}

Zipf* zipf_for(std::uint64_t keys) {
  static std::map<std::uint64_t, std::unique_ptr<Zipf>> cache;
  auto& z = cache[keys];
  if (!z) z = std::make_unique<Zipf>(keys, 0.99);
  return z.get();
}

// One prefilled map per implementation and key range, kept across runs: prefilling a million
// keys costs more than a run, and with Google Benchmark's random interleaving the key ranges
// alternate. Puts write the same value as the prefill, so the contents stay as they were.
template <class M>
M& prefilled(std::uint64_t keys) {
  static std::map<std::uint64_t, std::unique_ptr<M>> maps;
  std::unique_ptr<M>& map = maps[keys];
  if (!map) {
    map = std::make_unique<M>();
    for (std::uint64_t k = 0; k < keys; ++k) {
      if constexpr (requires { map->put_async(k, k); }) {
        map->put_async(k, value_of(k));  // a million synchronous round trips would take seconds
      } else {
        map->put(k, value_of(k));
      }
    }
    benchmark::DoNotOptimize(map->get(0));  // a channel map has applied every put once this returns
  }
  return *map;
}

// The checked pass of design M, run once (on the first call) and remembered for every run of M.
// 4 threads: more than cores on the 2-vCPU machines, so preemption between a put and its get is
// exercised too; the single-threaded ceiling gets 1.
template <class M>
const MapCheckResult& checked_pass() {
  static const MapCheckResult result = [] {
    M fresh;
    return check_read_your_writes(fresh, {.threads = std::is_same_v<M, SingleThreadMap> ? 1 : 4,
                                          .keys_per_thread = 64,
                                          .puts_per_thread = 512});
  }();
  return result;
}

template <class M>
void map_workload(benchmark::State& state, Workload w) {
  constexpr std::size_t stream_length = 1 << 16;
  static_assert(stream_length % batch_size == 0, "a batch never wraps around its stream");
  static std::vector<std::vector<MapOp>> streams;
  static std::vector<std::vector<std::uint64_t>> key_streams;  // the keys alone, for get_many
  static std::atomic<std::uint64_t> wrong;
  static M* map = nullptr;
  static OwnerStats<M> owner_stats;
  if (state.thread_index() == 0) {
    checked_pass<M>();  // before the run's clocks start; once per design
    map = &prefilled<M>(w.keys);
    streams.clear();
    key_streams.clear();
    for (int t = 0; t < state.threads(); ++t) {
      streams.push_back(make_ops(stream_length, w.keys, w.read_percent, w.zipf ? zipf_for(w.keys) : nullptr,
                                 static_cast<std::uint64_t>(t) + 1));
      key_streams.emplace_back();
      if (w.batched) {
        for (const MapOp& op : streams.back()) key_streams.back().push_back(op.key);
      }
    }
    wrong = 0;
    owner_stats.start(*map);
  }
  run_timed(
      state,
      [&](int thread, Clock::time_point deadline) {
        const std::vector<MapOp>& ops = streams[static_cast<std::size_t>(thread)];
        std::size_t i = 0;
        std::uint64_t mismatches = 0, done = 0;
        if (w.batched) {
          const std::uint64_t* batch = key_streams[static_cast<std::size_t>(thread)].data();
          // 4 batches between clock reads: 64 keys, as many as the other workloads' 16 ops cost.
          done = batch_size * repeat_until(deadline, 4, [&] {
                   mismatches += read_batch(*map, batch + (i & (stream_length - 1)));
                   i += batch_size;
                 });
        } else {
          done = repeat_until(deadline, 16, [&] {
            const MapOp& op = ops[i++ & (stream_length - 1)];
            if (op.read) {
              const std::optional<std::uint64_t> v = map->get(op.key);
              mismatches += v != value_of(op.key);
              benchmark::DoNotOptimize(v);
            } else {
              map->put(op.key, value_of(op.key));
            }
          });
        }
        wrong.fetch_add(mismatches, std::memory_order_relaxed);  // read after the end barrier
        return done;
      },
      {.owner_threads = owner_threads_of<M>, .blocking = blocking_of<M>},
      [] { benchmark::DoNotOptimize(map->get(0)); });  // channel_async: wait out the owner's backlog
  if (state.thread_index() == 0) {
    const MapCheckResult& checked = checked_pass<M>();
    check(state, checked.ok(), "checked pass: " + checked.what());
    if (checked.ok()) check(state, wrong.load() == 0, std::to_string(wrong.load()) + " gets returned a wrong value");
    owner_stats.report(state, *map);
  }
}

std::vector<Workload> workloads() {
  const Workload get_many{100, 1000, false, true};
  if (options().quick) {
    return {{0, 1000, false}, {50, 1000, false}, {90, 1000, false}, {99, 1000, false}, {90, 1'000'000, true},
            get_many};
  }
  std::vector<Workload> all;
  for (std::uint64_t keys : {1000ull, 1'000'000ull}) {
    for (bool zipf : {false, true}) {
      for (int read : {0, 50, 90, 99}) all.push_back({read, keys, zipf});
    }
  }
  all.push_back(get_many);
  return all;
}

}  // namespace

std::string family_name() { return "maps"; }

void register_benchmarks() {
  add_peers_context<MapPeers>();
  for (const Workload& w : workloads()) {
    for_each_type(MapTypes{}, [&]<class M>() {
      add("maps", w.name(), M::name, [w](benchmark::State& s) { map_workload<M>(s, w); });
    });
    add("maps", w.name(), SingleThreadMap::name,
        [w](benchmark::State& s) { map_workload<SingleThreadMap>(s, w); }, {1});
  }
}

}  // namespace contend::bench
