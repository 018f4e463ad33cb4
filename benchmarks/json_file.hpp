// What the standalone programs (hand_timed_check, core_to_core, ...) share: their JSON side files (a
// quoted string, the machine context as an object, a file written whole or not at all) and the
// reading of a numeric value (which the benchmark binaries' main() and the programs' flag table,
// program_args.hpp, both use).
// Thread-safe: pure functions; write_file_whole must not race another writer of the same path.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace contend::bench {

// `s` as a JSON string literal, quotes included.
std::string json_quoted(const std::string& s);

// {"key": "value", ...}, one pair a line, indented for a top-level "context" member.
std::string json_context_object(const std::map<std::string, std::string>& context);

// Writes `text` to a hidden temp file beside `path` (`.<name>.tmp`, which `contend run` sweeps if
// a kill leaves it), then renames it over `path`; false (and no temp file) on any failure.
bool write_file_whole(const std::string& path, const std::string& text);

// `v` with `decimals` digits after the point ("%.*f"): JSON numbers without an exponent.
std::string json_fixed(double v, int decimals);

// A latency in ns with 2 decimals, or null when there is none (0: a pair that could not be pinned).
std::string json_ns_or_null(double ns);

// The local time as ISO 8601 with its offset ("2026-12-02T09:16:50+0000"): a side file's "date".
std::string local_date();

// Whether `path`'s folder exists: checked before a run is spent on a file that cannot be written.
bool json_destination_ok(const std::string& path);

// `text` as a number from `min` to `max`; nullopt when it is empty, has anything after the number,
// or is out of range (nan and inf included: a run of infinite length would never end).
std::optional<double> parse_number(const std::string& text, double min, double max);

}  // namespace contend::bench
