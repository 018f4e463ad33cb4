// What the standalone programs (hand_timed_check, core_to_core) share: their JSON side files (a
// quoted string, the machine context as an object, a file written whole or not at all), the
// splitting of their "--flag=value" / "--flag value" arguments and their numeric values (which
// the benchmark binaries' main() reads the same way).
// Thread-safe: pure functions; write_file_whole must not race another writer of the same path.
#pragma once

#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace contend::bench {

// `s` as a JSON string literal, quotes included.
std::string json_quoted(const std::string& s);

// {"key": "value", ...}, one pair a line, indented for a top-level "context" member.
std::string json_context_object(const std::map<std::string, std::string>& context);

// Writes `text` to a hidden temp file beside `path` (`.<name>.tmp`, which `contend run` sweeps if
// a kill leaves it), then renames it over `path`; false (and no temp file) on any failure.
bool write_file_whole(const std::string& path, const std::string& text);

// Whether `path`'s folder exists: checked before a run is spent on a file that cannot be written.
bool json_destination_ok(const std::string& path);

// argv[i] as a flag and its value: "--flag=value", or "--flag value" taking argv[i + 1] (and
// advancing i) unless the flag is one of `bare`, which take no value. `flag` is false for a
// positional argument (`name` is then the whole argument). `missing_value` is set when a flag
// needing a value is the last argument.
struct ProgramArg {
  std::string name, value;
  bool flag = false, missing_value = false;
};
ProgramArg next_program_arg(int argc, char** argv, int& i, std::initializer_list<std::string_view> bare);

// `text` as a number from `min` to `max`; nullopt when it is empty, has anything after the number,
// or is out of range (nan and inf included: a run of infinite length would never end).
std::optional<double> parse_number(const std::string& text, double min, double max);

}  // namespace contend::bench
