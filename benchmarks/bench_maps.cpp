// maps/r<read%>-k<keys>-<dist>/<impl>: every map in MapTypes, prefilled with every key of the
// range, each thread running its own pre-generated stream of gets and puts.
//   read%  0, 50, 90, 99      keys  1k (fits in L1/L2) or 1m (misses cache)
//   dist   uniform, or zipf (skew 0.99: a few hot keys, the contention real caches see)
// channel_async sends its puts without waiting for the owner (put_async); the run's time includes
// the owner finishing that backlog. Self-check: every get returns the key's one possible value.
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "contend/concepts.hpp"
#include "contend/families.hpp"
#include "family.hpp"
#include "key_stream.hpp"
#include "peers.hpp"
#include "timed_run.hpp"

namespace contend::bench {
namespace {

struct Workload {
  int read_percent;
  std::uint64_t keys;
  bool zipf;
  std::string name() const {
    // Built with append: g++ 12's -Wrestrict misfires on `"literal" + std::string` chains.
    std::string n = "r";
    n.append(std::to_string(read_percent)).append(keys == 1000 ? "-k1k-" : "-k1m-");
    return n.append(zipf ? "zipf" : "uniform");
  }
};

constexpr std::uint64_t value_of(std::uint64_t key) { return key * 2 + 1; }

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

template <class M>
void map_workload(benchmark::State& state, Workload w) {
  constexpr std::size_t stream_length = 1 << 16;
  static std::vector<std::vector<MapOp>> streams;
  static std::atomic<std::uint64_t> wrong;
  static M* map = nullptr;
  if (state.thread_index() == 0) {
    map = &prefilled<M>(w.keys);
    streams.clear();
    for (int t = 0; t < state.threads(); ++t) {
      streams.push_back(make_ops(stream_length, w.keys, w.read_percent, w.zipf ? zipf_for(w.keys) : nullptr,
                                 static_cast<std::uint64_t>(t) + 1));
    }
    wrong = 0;
  }
  run_timed(
      state,
      [&](int thread, Clock::time_point deadline) {
        const std::vector<MapOp>& ops = streams[static_cast<std::size_t>(thread)];
        std::size_t i = 0;
        std::uint64_t mismatches = 0;
        const std::uint64_t done = repeat_until(deadline, 16, [&] {
          const MapOp& op = ops[i++ & (stream_length - 1)];
          if (op.read) {
            const std::optional<std::uint64_t> v = map->get(op.key);
            mismatches += v != value_of(op.key);
            benchmark::DoNotOptimize(v);
          } else {
            map->put(op.key, value_of(op.key));
          }
        });
        wrong.fetch_add(mismatches, std::memory_order_relaxed);  // read after the end barrier
        return done;
      },
      {.owner_threads = owner_threads_of<M>, .blocking = blocking_of<M>},
      [] { benchmark::DoNotOptimize(map->get(0)); });  // channel_async: wait out the owner's backlog
  if (state.thread_index() == 0) {
    check(state, wrong.load() == 0, std::to_string(wrong.load()) + " gets returned a wrong value");
  }
}

std::vector<Workload> workloads() {
  if (options().quick) {
    return {{0, 1000, false}, {50, 1000, false}, {90, 1000, false}, {99, 1000, false}, {90, 1'000'000, true}};
  }
  std::vector<Workload> all;
  for (std::uint64_t keys : {1000ull, 1'000'000ull}) {
    for (bool zipf : {false, true}) {
      for (int read : {0, 50, 90, 99}) all.push_back({read, keys, zipf});
    }
  }
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
  }
}

}  // namespace contend::bench
