// Litmus tests in the style of litmus7/jcstress: run a tiny concurrent program millions of
// times and count every outcome, so the memory model's permitted reorderings become visible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace litmus {

// relaxed: every access relaxed. acq_rel: stores release, loads acquire. seq_cst: all seq_cst.
enum class Order { relaxed, acq_rel, seq_cst };

// allowed: some interleaving of the threads produces it (sequentially consistent).
// interesting: no interleaving does; the C++ model permits it for this order, so seeing it
// means the hardware or compiler reordered. forbidden: the C++ model rules it out here.
enum class Class { allowed, interesting, forbidden };

std::string_view to_string(Order o);
std::string_view to_string(Class c);

struct Outcome {
  std::string outcome;  // e.g. "r1=0 r2=0"
  std::uint64_t count = 0;
  Class cls = Class::allowed;
};

struct Result {
  std::string test;
  Order order = Order::relaxed;
  std::uint64_t trials = 0;
  std::vector<Outcome> outcomes;  // every possible outcome, also those never seen

  std::uint64_t count(Class c) const;
};

// per_trial: threads meet before every trial (a light two-sided handshake); per_batch: only at
// the batch barrier, like litmus7's array mode without its per-iteration barrier.
enum class Sync { per_trial, per_batch };

struct Options {
  std::uint64_t trials = 2'000'000;
  // Trials per batch: threads meet at a spin barrier once per batch to tally; each trial has
  // its own variables (litmus7's array mode), so nothing is reset inside a batch.
  std::size_t batch = 1024;
  Sync sync = Sync::per_trial;
  unsigned jitter = 32;  // random 0..jitter empty-loop spins before each trial body
};

struct TestInfo {
  std::string_view name;         // "SB", "MP", "LB", "IRIW", "publish"
  std::string_view description;  // one line, for the printed histogram
  std::vector<Order> orders;     // orders this test is run with
};

const std::vector<TestInfo>& tests();
const TestInfo* find_test(std::string_view name);

// Runs `trials` trials of one test under one order. Throws std::invalid_argument for an
// unknown test or an order the test does not support.
Result run(std::string_view test, Order order, const Options& options);

struct Context {
  std::string cpu_model, cores, kernel, compiler;
};
Context machine_context();

std::string histogram(const Result& r, std::string_view cpu_model);
std::string to_json(const Context& ctx, const std::vector<Result>& results);
// Writes to FILE.tmp then renames, so a reader never sees half a file. Throws on failure.
void write_file_atomically(const std::string& path, const std::string& text);

}  // namespace litmus
