// Event counts per operation: the kernel's perf_event_open counters around each timed run.
//
// What is counted. Software events the kernel always has (context switches, CPU migrations,
// page faults) and, where the kernel exposes a hardware PMU, cycles, instructions, cache misses
// and one coherence event (a load that found the line modified in another core's cache: HITM).
// The hardware event names are resolved by libpfm4 (the first name of HITM_CANDIDATES that this
// CPU's PMU knows and the kernel opens); cycles, instructions and cache misses are the kernel's
// generic PERF_TYPE_HARDWARE events. An event that cannot be counted is `available = false` with
// its reason, and is never read or reported as zero: a KVM guest without a virtual PMU has no
// `cpu` in /sys/bus/event_source/devices, and then every hardware event says so.
//
// Whose events. The counters are opened once per process, on the calling thread (pid 0, any CPU)
// with `inherit`, so every thread it creates afterwards, and every thread those create, counts
// into them: benchmark threads, owner and server threads of the designs, Google Benchmark's
// worker threads. A read of an inherited counter sums the parent, its live children and the
// children that have exited (the kernel folds an exiting child's count into its parent), so a
// snapshot is the whole process's count so far. Threads that existed before opening are not
// counted: open them in main() before anything starts a thread (register_benchmarks() does).
// Counting kernel-side events (a context switch happens in the kernel) needs root or
// CAP_PERFMON when perf_event_paranoid >= 2; a software event the kernel refuses is not
// available (counting it in user mode only would read zero); a hardware event falls back to
// user mode only, and says so in its source. Counting costs: with these counters open every
// context switch of the process also switches its perf contexts.
//
// Thread-safety: construct from one thread before the threads to be counted exist; snapshot()
// reads only (one read() per counter) and may be called from any thread, but a snapshot is not
// atomic across events. per_op() is a pure function.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace contend::bench {

// Where the kernel lists its event sources (PMUs); a hardware PMU appears as `cpu` (x86),
// `cpu_core`/`cpu_atom` (hybrid Intel) or `armv*` (arm64).
inline constexpr const char* EVENT_SOURCE_DEVICES = "/sys/bus/event_source/devices";

// The coherence event, tried in this order: Intel's loads that hit L3 and needed a snoop that
// found the line modified (HITM) or forwarded in another core (Sapphire Rapids names it FWD;
// Skylake to Ice Lake HITM; Haswell/Broadwell and Sandy/Ivy Bridge use older event names).
inline constexpr const char* HITM_CANDIDATES[] = {
    "MEM_LOAD_L3_HIT_RETIRED:XSNP_FWD",
    "MEM_LOAD_L3_HIT_RETIRED:XSNP_HITM",
    "MEM_LOAD_UOPS_L3_HIT_RETIRED:XSNP_HITM",
    "MEM_LOAD_UOPS_LLC_HIT_RETIRED:XSNP_HITM",
};

struct EventStatus {
  std::string name;      // context_switches, cpu_migrations, page_faults, cycles, instructions,
                         // cache_misses, hitm: the counter is <name>_per_op
  bool hardware = false;
  bool available = false;
  std::string source;    // what was opened: PERF_COUNT_SW_CONTEXT_SWITCHES, the libpfm name, ...
  std::string reason;    // why not available; empty when available
};

// One counter's value with the times it was enabled and actually running (hardware counters are
// multiplexed when there are more events than PMU registers: running < enabled).
struct EventReading {
  std::uint64_t value = 0, enabled = 0, running = 0;
};

// One reading per event, in events() order; nullopt for an event not available (or whose read
// failed).
using EventSnapshot = std::vector<std::optional<EventReading>>;

class EventCounters {
 public:
  // Opens every event; `devices` is where the kernel lists its PMUs (a test points it at a
  // fixture). The events that cannot be opened are recorded with their reason.
  explicit EventCounters(const std::string& devices = EVENT_SOURCE_DEVICES);
  ~EventCounters();
  EventCounters(const EventCounters&) = delete;
  EventCounters& operator=(const EventCounters&) = delete;

  const std::vector<EventStatus>& events() const { return events_; }
  EventSnapshot snapshot() const;

  // The machine context: "context_switches, ..., hitm (MEM_LOAD_L3_HIT_RETIRED:XSNP_HITM)" and
  // "cycles: <reason>; instructions: <reason>; ..." (empty when everything is counted).
  std::string counted() const;
  std::string not_available() const;

 private:
  std::vector<EventStatus> events_;
  std::vector<int> fds_;  // per event; -1 when not available
};

// The per-operation figures between two snapshots: {"<name>_per_op", delta / ops}, only for
// events available in both (scaled by enabled / running when multiplexed; none when the counter
// never ran in the window) and only when ops > 0. An unavailable event yields no entry, never 0.
std::vector<std::pair<std::string, double>> per_op(const std::vector<EventStatus>& events,
                                                   const EventSnapshot& before, const EventSnapshot& after,
                                                   double ops);

// Whether `devices` lists a hardware PMU (see EVENT_SOURCE_DEVICES).
bool has_hardware_pmu(const std::string& devices);

// The binary's counters: open_process_events() opens them (main(), before any thread starts);
// process_events() is null until then (hand_timed_check, the poller's benchmark: not opened).
void open_process_events();
const EventCounters* process_events();

}  // namespace contend::bench
