#pragma once

#include <map>
#include <string>

namespace contend::bench {

class EventCounters;

// The version of the result format: "2" adds the interference and probe counters and the pin,
// probe and taint context keys; "3" the probe after each repetition (probe_after_ns), the
// placement wait's counters and context, and `virtualized`. Files without schema_version are
// version 1.
inline constexpr const char* RESULT_SCHEMA_VERSION = "3";

// The machine and build context every result file carries: schema version, CPU model and
// family/model/stepping, cores and topology, kernel, compiler and flags, library versions,
// governor, commit. mode is "quick" or "default"; run_ms the length of one run.
std::map<std::string, std::string> machine_context(const std::string& family, const std::string& mode,
                                                   double run_ms);

// The same, added to Google Benchmark's output (benchmark::AddCustomContext).
void add_machine_context(const std::string& family, const std::string& mode, double run_ms);

// The event counters' context (perf_events.hpp): events_counted, the events each run reports per
// operation, and events_not_available, "<event>: <reason>; ..." (empty when all are counted).
void add_event_context(const EventCounters& events);

}  // namespace contend::bench
