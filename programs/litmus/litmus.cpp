#include "litmus.hpp"

#include <sys/utsname.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "shapes.hpp"

namespace litmus {
namespace {

void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// Spinning, not a futex: a woken thread starts microseconds late, and a batch is only
// microseconds long, so the threads would rarely overlap. Yields after a while so that
// oversubscribed runs (IRIW's four threads on two cores, sanitizers) still make progress.
class SpinBarrier {
 public:
  explicit SpinBarrier(int n) : n_(n) {}
  void arrive_and_wait() {
    const auto gen = gen_.load(std::memory_order_acquire);
    if (arrived_.fetch_add(1, std::memory_order_acq_rel) == n_ - 1) {
      arrived_.store(0, std::memory_order_relaxed);
      gen_.store(gen + 1, std::memory_order_release);
      return;
    }
    for (int spins = 0; gen_.load(std::memory_order_acquire) == gen; ++spins) {
      if (spins < 2000)
        cpu_relax();
      else
        std::this_thread::yield();
    }
  }

 private:
  const int n_;
  std::atomic<int> arrived_{0};
  std::atomic<std::uint64_t> gen_{0};
};

// Per-trial alignment without a full barrier: each thread publishes how far it has got and
// waits until every other thread has reached the same trial. Threads then leave within a
// cache-line transfer of each other, and a small random delay lets that skew land on both
// sides, so the bodies of trial i genuinely overlap (a batch barrier alone left one thread a
// whole batch ahead on this VM: SB relaxed showed 0 reorderings in 2M trials).
struct alignas(64) Progress {
  std::atomic<std::uint64_t> next{0};
};

class Jitter {
 public:
  explicit Jitter(std::uint64_t seed) : s_(seed * 0x9E3779B97F4A7C15ull + 1) {}
  void delay(unsigned max_spins) {
    s_ ^= s_ << 13;
    s_ ^= s_ >> 7;
    s_ ^= s_ << 17;
    for (auto n = static_cast<unsigned>(s_ % (max_spins + 1)); n > 0; --n) asm volatile("" ::: "memory");
  }

 private:
  std::uint64_t s_;
};

template <class Shape>
Result run_shape(std::string_view test, Order order, const Options& opt) {
  const std::size_t batch = std::max<std::size_t>(1, opt.batch);
  Shape shape(batch);
  std::vector<std::uint64_t> counts(Shape::outcomes, 0);
  SpinBarrier start(Shape::threads), done(Shape::threads);
  std::vector<Progress> progress(Shape::threads);

  // With more threads than cores the awaited thread is usually not running: yield at once.
  const int spin_limit =
      static_cast<unsigned>(Shape::threads) > std::thread::hardware_concurrency() ? 20 : 4000;
  auto wait_for_others = [&](int tid, std::uint64_t trial) {
    progress[tid].next.store(trial, std::memory_order_release);
    for (int t = 0; t < Shape::threads; ++t) {
      for (int spins = 0; progress[t].next.load(std::memory_order_acquire) < trial; ++spins) {
        if (spins < spin_limit)
          cpu_relax();
        else
          std::this_thread::yield();
      }
    }
  };

  auto body = [&](int tid) {
    Jitter jitter(static_cast<std::uint64_t>(tid) + 1);
    std::uint64_t trial = 0;
    for (std::uint64_t left = opt.trials; left > 0;) {
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left, batch));
      start.arrive_and_wait();
      for (std::size_t i = 0; i < n; ++i) {
        if (opt.sync == Sync::per_trial) {
          wait_for_others(tid, ++trial);
          jitter.delay(opt.jitter);
        }
        shape.trial(tid, i);
      }
      done.arrive_and_wait();
      // Thread 0 tallies and clears while the others wait at the next start barrier.
      if (tid == 0) {
        for (std::size_t i = 0; i < n; ++i) ++counts[shape.outcome(i)];
        shape.reset(n);
      }
      left -= n;
    }
  };
  {
    std::vector<std::jthread> others;
    for (int t = 1; t < Shape::threads; ++t) others.emplace_back(body, t);
    body(0);
  }

  Result r{std::string(test), order, opt.trials, {}};
  const bool strict = Shape::forbids_reordering(order);
  for (int o = 0; o < Shape::outcomes; ++o) {
    const Class c = Shape::sequentially_consistent(o) ? Class::allowed
                    : strict                          ? Class::forbidden
                                                      : Class::interesting;
    r.outcomes.push_back({Shape::name(o), counts[o], c});
  }
  return r;
}

template <template <Order> class Shape>
Result dispatch(std::string_view test, Order order, const Options& opt) {
  switch (order) {
    case Order::relaxed:
      return run_shape<Shape<Order::relaxed>>(test, order, opt);
    case Order::acq_rel:
      return run_shape<Shape<Order::acq_rel>>(test, order, opt);
    case Order::seq_cst:
      return run_shape<Shape<Order::seq_cst>>(test, order, opt);
  }
  throw std::invalid_argument("bad order");
}

std::string json_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else
      out += c;
  }
  return out;
}

}  // namespace

std::string_view to_string(Order o) {
  switch (o) {
    case Order::relaxed:
      return "relaxed";
    case Order::acq_rel:
      return "acq_rel";
    case Order::seq_cst:
      return "seq_cst";
  }
  return "?";
}

std::string_view to_string(Class c) {
  switch (c) {
    case Class::allowed:
      return "allowed";
    case Class::interesting:
      return "interesting";
    case Class::forbidden:
      return "forbidden";
  }
  return "?";
}

std::uint64_t Result::count(Class c) const {
  std::uint64_t n = 0;
  for (const auto& o : outcomes)
    if (o.cls == c) n += o.count;
  return n;
}

const std::vector<TestInfo>& tests() {
  static const std::vector<TestInfo> all = {
      {"SB", "store buffering: T0 x=1;r1=y | T1 y=1;r2=x", {Order::relaxed, Order::acq_rel, Order::seq_cst}},
      {"MP",
       "message passing: T0 data=1;flag=1 | T1 r1=flag;r2=data",
       {Order::relaxed, Order::acq_rel, Order::seq_cst}},
      {"LB", "load buffering: T0 r1=x;y=1 | T1 r2=y;x=1", {Order::relaxed, Order::acq_rel, Order::seq_cst}},
      {"IRIW",
       "independent reads of independent writes: x=1 | y=1 | r1=x;r2=y | r3=y;r4=x",
       {Order::relaxed, Order::acq_rel, Order::seq_cst}},
      {"publish",
       "4-word payload behind a ready flag; relaxed = the broken plain-flag publish, acq_rel = "
       "release/acquire publish",
       {Order::relaxed, Order::acq_rel}},
      {"wake",
       "a wake-up's skip: T0 word=1;r1=sleepers | T1 sleepers++;r2=word (0 0: lost wake-up); acq_rel = "
       "libstdc++ 12's notify/wait, seq_cst = contend::WakeWord's fences",
       {Order::acq_rel, Order::seq_cst}},
  };
  return all;
}

const TestInfo* find_test(std::string_view name) {
  for (const auto& t : tests())
    if (t.name == name) return &t;
  return nullptr;
}

Result run(std::string_view test, Order order, const Options& opt) {
  const TestInfo* info = find_test(test);
  if (!info) throw std::invalid_argument("unknown litmus test: " + std::string(test));
  if (std::find(info->orders.begin(), info->orders.end(), order) == info->orders.end())
    throw std::invalid_argument(std::string(test) + " does not run with " + std::string(to_string(order)));
  if (test == "SB") return dispatch<shapes::SB>(test, order, opt);
  if (test == "MP") return dispatch<shapes::MP>(test, order, opt);
  if (test == "LB") return dispatch<shapes::LB>(test, order, opt);
  if (test == "IRIW") return dispatch<shapes::IRIW>(test, order, opt);
  if (test == "wake") return dispatch<shapes::Wake>(test, order, opt);
  return dispatch<shapes::Publish>(test, order, opt);
}

Context machine_context() {
  Context c;
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) c.cpu_model = line.substr(line.find_first_not_of(" \t", colon + 1));
      break;
    }
  }
  if (c.cpu_model.empty()) c.cpu_model = "unknown";
  c.cores = std::to_string(std::thread::hardware_concurrency());
  utsname u{};
  c.kernel = uname(&u) == 0 ? std::string(u.sysname) + " " + u.release : "unknown";
#if defined(__clang__)
  c.compiler = "clang " __clang_version__;
#elif defined(__GNUC__)
  c.compiler = "g++ " __VERSION__;
#else
  c.compiler = "unknown";
#endif
  return c;
}

std::string histogram(const Result& r, std::string_view cpu_model) {
  std::ostringstream out;
  const TestInfo* info = find_test(r.test);
  out << r.test << " / " << to_string(r.order) << "  (" << r.trials << " trials on " << cpu_model << ")\n";
  if (info) out << "  " << info->description << "\n";
  std::uint64_t most = 1;
  for (const auto& o : r.outcomes) most = std::max(most, o.count);
  for (const auto& o : r.outcomes) {
    const double pct = r.trials ? 100.0 * static_cast<double>(o.count) / static_cast<double>(r.trials) : 0;
    const auto bar =
        static_cast<std::size_t>(30.0 * static_cast<double>(o.count) / static_cast<double>(most) + 0.5);
    char line[160];
    std::snprintf(line, sizeof line, "  %-26s %11llu %8.4f%%  %-11s |%s\n", o.outcome.c_str(),
                  static_cast<unsigned long long>(o.count), pct, std::string(to_string(o.cls)).c_str(),
                  std::string(o.count ? std::max<std::size_t>(bar, 1) : 0, '#').c_str());
    out << line;
  }
  return out.str();
}

std::string to_json(const Context& ctx, const std::vector<Result>& results) {
  std::ostringstream j;
  j << "{\"context\": {\"cpu_model\": \"" << json_escape(ctx.cpu_model) << "\", \"cores\": \""
    << json_escape(ctx.cores) << "\", \"kernel\": \"" << json_escape(ctx.kernel) << "\", \"compiler\": \""
    << json_escape(ctx.compiler) << "\"},\n \"litmus\": [";
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    j << (i ? ",\n  " : "\n  ") << "{\"test\": \"" << json_escape(r.test) << "\", \"order\": \""
      << to_string(r.order) << "\", \"trials\": " << r.trials << ", \"outcomes\": [";
    for (std::size_t k = 0; k < r.outcomes.size(); ++k) {
      const auto& o = r.outcomes[k];
      j << (k ? ", " : "") << "{\"outcome\": \"" << json_escape(o.outcome) << "\", \"count\": " << o.count
        << ", \"class\": \"" << to_string(o.cls) << "\"}";
    }
    j << "]}";
  }
  j << "\n ]}\n";
  return j.str();
}

void write_file_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) throw std::runtime_error("cannot write " + tmp);
    f << text;
    f.flush();
    if (!f) throw std::runtime_error("write failed: " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw std::runtime_error("cannot rename " + tmp + " to " + path);
  }
}

}  // namespace litmus
