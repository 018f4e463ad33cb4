#include "program_args.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <utility>

#include "json_file.hpp"

namespace contend::bench {
namespace {

// A bound as the help text would write it: 10000000, not 1e+07; 0.01 as it is.
std::string bound(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, v == std::floor(v) && std::fabs(v) < 1e15 ? "%.0f" : "%g", v);
  return buffer;
}

// What a value of `flag` must be, as the refusal says it.
std::string expected(const Flag& flag) {
  switch (flag.kind) {
    case Flag::Number:
      return "a number from " + bound(flag.min) + " to " + bound(flag.max);
    case Flag::Whole:
      return "a whole number from " + bound(flag.min) + " to " + bound(flag.max);
    default:
      return std::string(flag.expect);
  }
}

// Checks `value` against `flag` and hands it to the setter; the refusal's message otherwise.
std::string take(const Flag& flag, const std::string& value) {
  const std::string name(flag.name);
  if (value.empty()) return name + " needs " + expected(flag);
  double number = 0;
  if (flag.kind == Flag::Number || flag.kind == Flag::Whole) {
    const std::optional<double> v = parse_number(value, flag.min, flag.max);
    if (!v || (flag.kind == Flag::Whole && *v != std::floor(*v)))
      return "bad value '" + value + "' for " + name + " (" + expected(flag) + ")";
    number = *v;
  } else if (flag.valid && !flag.valid(value)) {
    return "bad value '" + value + "' for " + name + " (" + expected(flag) + ")";
  }
  if (flag.set) flag.set(value, number);
  return "";
}

bool is_option(std::string_view name) { return name.starts_with("--"); }

}  // namespace

Flag switch_flag(std::string_view name, std::function<void()> set) {
  return {.name = name, .kind = Flag::Switch, .set = [set = std::move(set)](const std::string&, double) {
            set();
          }};
}

Flag number_flag(std::string_view name, double min, double max, std::function<void(double)> set) {
  return {.name = name,
          .kind = Flag::Number,
          .min = min,
          .max = max,
          .set = [set = std::move(set)](const std::string&, double v) { set(v); }};
}

Flag whole_flag(std::string_view name, int min, int max, std::function<void(int)> set) {
  return {.name = name,
          .kind = Flag::Whole,
          .min = static_cast<double>(min),
          .max = static_cast<double>(max),
          .set = [set = std::move(set)](const std::string&, double v) { set(static_cast<int>(v)); }};
}

Flag text_flag(std::string_view name, std::string_view expect, std::function<void(const std::string&)> set,
               std::function<bool(const std::string&)> valid) {
  return {.name = name,
          .kind = Flag::Text,
          .set = [set = std::move(set)](const std::string& raw, double) { set(raw); },
          .valid = std::move(valid),
          .expect = expect};
}

FlagOutcome parse_flags_or_error(int argc, char** argv, const std::vector<Flag>& flags) {
  auto next_positional = flags.begin();
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "-h") return {.help = true, .error = ""};
    if (!is_option(arg)) {
      next_positional =
          std::find_if(next_positional, flags.end(), [](const Flag& f) { return !is_option(f.name); });
      if (next_positional == flags.end()) return {.error = "unexpected argument '" + arg + "'"};
      if (std::string error = take(*next_positional++, arg); !error.empty()) return {.error = error};
      continue;
    }
    const std::size_t eq = arg.find('=');
    const std::string name = arg.substr(0, eq);
    if (name == "--help") return {.help = true, .error = ""};
    const auto flag = std::find_if(flags.begin(), flags.end(), [&](const Flag& f) { return f.name == name; });
    if (flag == flags.end()) return {.error = "unknown option '" + name + "'"};
    if (flag->kind == Flag::Switch) {
      if (eq != std::string::npos) return {.error = name + " takes no value"};
      if (flag->set) flag->set("", 0);
      continue;
    }
    std::string value;
    if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
    } else if (i + 1 < argc) {
      value = argv[++i];  // "--flag value": the next argument, whatever it looks like
    }
    if (std::string error = take(*flag, value); !error.empty()) return {.error = error};
  }
  return {};
}

void parse_flags(int argc, char** argv, std::string_view program, std::string_view help,
                 const std::vector<Flag>& flags) {
  const FlagOutcome outcome = parse_flags_or_error(argc, argv, flags);
  if (!outcome.error.empty()) usage_error(program, outcome.error);
  if (outcome.help) {
    std::fwrite(help.data(), 1, help.size(), stdout);
    std::exit(0);
  }
}

void usage_error(std::string_view program, const std::string& message) {
  std::fprintf(stderr, "%.*s: error: %s (see --help)\n", static_cast<int>(program.size()), program.data(),
               message.c_str());
  std::exit(2);
}

}  // namespace contend::bench
