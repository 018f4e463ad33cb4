// --placement=LO:HI: wait, before a repetition, until the placement probe (probe.hpp) says the
// threads sit where the window says (e.g. 25:60 for "one CCX" on a VM whose vCPUs move between
// SMT siblings, CCXs and CCDs), so that repetitions of one placement class can be compared.
// The window's parse and the wait's decisions are pure functions of the probe, clock and sleep
// they are given, so the tests drive them without timing anything.
// Thread-safe: every function (wait_for_placement calls only what it is given).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "probe.hpp"

namespace contend::bench {

// Sleep between two probes while waiting: long enough for the scheduler or the hypervisor to move
// a vCPU, short next to the wait limit.
inline constexpr std::chrono::milliseconds PLACEMENT_POLL{5};
// Then the repetition runs anyway (placement_missed = 1): a machine that never offers the window
// costs at most this per repetition, never a run that does not end.
inline constexpr std::chrono::milliseconds PLACEMENT_WAIT_LIMIT{2000};

// A probe median lands when lo_ns <= median < hi_ns.
struct PlacementWindow {
  double lo_ns = 0, hi_ns = 0;
  bool contains(double ns) const { return ns >= lo_ns && ns < hi_ns; }
  std::string describe() const;  // "LO:HI" (the context's placement_window_ns), no exponent
};

// "LO:HI" in ns, both numbers (json_file's parse_number), 0 <= LO < HI; nullopt otherwise.
std::optional<PlacementWindow> parse_placement_window(const std::string& text);

struct PlacementWait {
  ProbeResult probe;     // the last probe taken: the one that starts the repetition
  double waited_ms = 0;  // from the end of the first probe to the end of the last; 0 if it landed at once
  bool missed = false;   // the limit ran out with the last probe outside the window
  int probes = 0;
};

// Probes; while the median lies outside `window`, sleeps `poll` and probes again, until
// `limit` has passed since the first probe ended (checked before each sleep, so the wait ends
// within a poll and a probe past the limit). `now` is any monotonic clock.
using Nanos = std::chrono::nanoseconds;
PlacementWait wait_for_placement(const PlacementWindow& window, const std::function<ProbeResult()>& probe,
                                 const std::function<Nanos()>& now, const std::function<void(Nanos)>& sleep,
                                 Nanos poll = PLACEMENT_POLL, Nanos limit = PLACEMENT_WAIT_LIMIT);

}  // namespace contend::bench
