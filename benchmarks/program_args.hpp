// The command line of the standalone programs (latency_bias, placement_probe, core_to_core,
// hand_timed_check): one table of flags each, parsed here, so that every program takes
// "--flag=value" and "--flag value" alike, refuses the same mistakes with the same one-line message
// and exit 2 (which tests/bench_smoke.py checks and `contend run` relies on: a refused flag is a
// broken caller, not a failed measurement), and prints its --help the same way. What a program does
// with its values after parsing (--quick's defaults "unless --x says otherwise", a default that
// depends on the machine) stays in the program.
// Not thread-safe: parse_flags calls the table's setters and may exit the process; call it from
// main() before any thread starts. parse_flags_or_error is pure apart from the setters it calls.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace contend::bench {

// One entry of a program's table. A name starting with "--" is an option; any other name is a
// positional argument, taken in table order (hand_timed_check's older "[threads] [milliseconds]"
// form), its name standing for it in messages.
struct Flag {
  enum Kind {
    Switch,  // no value: "--quick"; "--quick=1" is refused
    Number,  // a number from min to max
    Whole,   // a whole number from min to max
    Text,    // any non-empty text that `valid` (when given) accepts
  };
  std::string_view name;
  Kind kind = Switch;
  double min = 0, max = 0;  // Number and Whole only
  // Called once per occurrence, in argv order (a later one overrides), with the text as given and,
  // for Number and Whole, its value (0 otherwise). Only called on a value that passed the checks.
  std::function<void(const std::string& raw, double value)> set;
  // Text only: what a bad value is refused by, and `expect` what the message says is wanted
  // ("bad value 'x' for --threads (<expect>)"; "--json needs <expect>" when the value is empty).
  std::function<bool(const std::string& raw)> valid = nullptr;
  std::string_view expect = "a value";
};

// The table's entries as one line each, the setter taking the value as its kind has it.
Flag switch_flag(std::string_view name, std::function<void()> set);
Flag number_flag(std::string_view name, double min, double max, std::function<void(double)> set);
Flag whole_flag(std::string_view name, int min, int max, std::function<void(int)> set);
Flag text_flag(std::string_view name, std::string_view expect, std::function<void(const std::string&)> set,
               std::function<bool(const std::string&)> valid = nullptr);

// What parsing argv found when it does not simply run: --help / -h asked for (nothing after it is
// read), or the refusal's message, e.g. "bad value '0' for --passes (a whole number from 1 to 1000)",
// "unknown option '--bogus'", "--json needs a file name", "--quick takes no value",
// "unexpected argument 'x'". Neither: every argument was taken and its setter called.
struct FlagOutcome {
  bool help = false;
  std::string error;  // "" = none
};
FlagOutcome parse_flags_or_error(int argc, char** argv, const std::vector<Flag>& flags);

// Parses argv by `flags`: on --help prints `help` on stdout and exits 0; on a refusal prints one
// line "<program>: error: <message> (see --help)" on stderr and exits 2 (usage_error).
void parse_flags(int argc, char** argv, std::string_view program, std::string_view help,
                 const std::vector<Flag>& flags);

// The refusal line of parse_flags, for what a program checks after parsing (a --json folder that
// does not exist): one line on stderr, exit 2.
[[noreturn]] void usage_error(std::string_view program, const std::string& message);

}  // namespace contend::bench
