// The standalone programs' flag table (program_args.hpp): a table of argv cases against one table
// of flags of every kind, what each setter received, and every refusal's message; then the exits
// of parse_flags itself (0 on --help, 2 and one line on a refusal), as death tests.
#include "program_args.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace contend::bench {
namespace {

// What the table below's setters received; "unset" markers are values no flag can take.
struct Seen {
  bool quick = false;
  double seconds = -1;
  int passes = -1, count = -1;
  double ms = -1;
  std::string json = "unset", list = "unset";
};

std::vector<Flag> table(Seen& seen) {
  return {switch_flag("--quick", [&] { seen.quick = true; }),
          number_flag("--seconds", 0.01, 86'400, [&](double s) { seen.seconds = s; }),
          whole_flag("--passes", 1, 1000, [&](int n) { seen.passes = n; }),
          text_flag("--json", "a file name", [&](const std::string& file) { seen.json = file; }),
          text_flag(
              "--list", "a, b or c", [&](const std::string& list) { seen.list = list; },
              [](const std::string& list) { return list == "a" || list == "b" || list == "c"; }),
          whole_flag("count", 1, 1024, [&](int n) { seen.count = n; }),
          number_flag("ms", 1, 3'600'000, [&](double ms) { seen.ms = ms; })};
}

// argv as parse_flags takes it: the program's name first.
struct Argv {
  std::vector<std::string> strings;
  std::vector<char*> pointers;
  explicit Argv(const std::vector<const char*>& args) : strings{"program"} {
    strings.insert(strings.end(), args.begin(), args.end());
    for (std::string& s : strings) pointers.push_back(s.data());
  }
  int argc() const { return static_cast<int>(pointers.size()); }
  char** argv() { return pointers.data(); }
};

FlagOutcome parse(Seen& seen, const std::vector<const char*>& args) {
  Argv argv(args);
  return parse_flags_or_error(argv.argc(), argv.argv(), table(seen));
}

TEST(ProgramArgs, TakesEveryKindInBothSpellings) {
  Seen seen;
  const FlagOutcome out = parse(
      seen, {"--quick", "--seconds=0.5", "--passes", "12", "--json", "out.json", "--list=b", "7", "2.5"});
  EXPECT_FALSE(out.help);
  EXPECT_EQ(out.error, "");
  EXPECT_TRUE(seen.quick);
  EXPECT_EQ(seen.seconds, 0.5);
  EXPECT_EQ(seen.passes, 12);
  EXPECT_EQ(seen.json, "out.json");
  EXPECT_EQ(seen.list, "b");
  EXPECT_EQ(seen.count, 7);
  EXPECT_EQ(seen.ms, 2.5);
}

TEST(ProgramArgs, NothingGivenCallsNoSetter) {
  Seen seen;
  EXPECT_EQ(parse(seen, {}).error, "");
  EXPECT_FALSE(seen.quick);
  EXPECT_EQ(seen.passes, -1);
  EXPECT_EQ(seen.json, "unset");
}

TEST(ProgramArgs, BoundsAreIncludedAndALaterValueWins) {
  Seen seen;
  EXPECT_EQ(parse(seen, {"--passes=1", "--seconds=0.01", "--passes=1000", "--seconds=86400"}).error, "");
  EXPECT_EQ(seen.passes, 1000);
  EXPECT_EQ(seen.seconds, 86'400);
  EXPECT_EQ(parse(seen, {"--passes=2e1"}).error, "");  // a whole number however written
  EXPECT_EQ(seen.passes, 20);
}

TEST(ProgramArgs, ASpacedValueIsTheNextArgumentWhateverItLooksLike) {
  Seen seen;
  EXPECT_EQ(parse(seen, {"--json", "--quick"}).error, "");
  EXPECT_EQ(seen.json, "--quick");
  EXPECT_FALSE(seen.quick);
}

TEST(ProgramArgs, HelpStopsTheParse) {
  for (const auto& args : std::vector<std::vector<const char*>>{
           {"--help"}, {"-h"}, {"--quick", "--help", "--bogus"}, {"--help=x"}}) {
    Seen seen;
    const FlagOutcome out = parse(seen, args);
    EXPECT_TRUE(out.help) << args.front();
    EXPECT_EQ(out.error, "") << args.front();
  }
  Seen seen;
  EXPECT_EQ(parse(seen, {"--bogus", "--help"}).error, "unknown option '--bogus'");  // in argv order
}

TEST(ProgramArgs, RefusesEachMistakeWithItsMessage) {
  const std::vector<std::pair<std::vector<const char*>, std::string>> cases = {
      {{"--bogus"}, "unknown option '--bogus'"},
      {{"--bogus=1"}, "unknown option '--bogus'"},
      {{"--quick=1"}, "--quick takes no value"},
      {{"--quick="}, "--quick takes no value"},
      {{"--passes"}, "--passes needs a whole number from 1 to 1000"},
      {{"--passes="}, "--passes needs a whole number from 1 to 1000"},
      {{"--passes=0"}, "bad value '0' for --passes (a whole number from 1 to 1000)"},
      {{"--passes=1001"}, "bad value '1001' for --passes (a whole number from 1 to 1000)"},
      {{"--passes=1.5"}, "bad value '1.5' for --passes (a whole number from 1 to 1000)"},
      {{"--passes=x"}, "bad value 'x' for --passes (a whole number from 1 to 1000)"},
      {{"--passes=5x"}, "bad value '5x' for --passes (a whole number from 1 to 1000)"},
      {{"--seconds=0"}, "bad value '0' for --seconds (a number from 0.01 to 86400)"},
      {{"--seconds=inf"}, "bad value 'inf' for --seconds (a number from 0.01 to 86400)"},
      {{"--seconds=nan"}, "bad value 'nan' for --seconds (a number from 0.01 to 86400)"},
      {{"--seconds", "abc"}, "bad value 'abc' for --seconds (a number from 0.01 to 86400)"},
      {{"--json"}, "--json needs a file name"},
      {{"--json="}, "--json needs a file name"},
      {{"--list=d"}, "bad value 'd' for --list (a, b or c)"},
      {{"0"}, "bad value '0' for count (a whole number from 1 to 1024)"},
      {{"-x"}, "bad value '-x' for count (a whole number from 1 to 1024)"},
      {{"1", "0.5"}, "bad value '0.5' for ms (a number from 1 to 3600000)"},
      {{"1", "2", "3"}, "unexpected argument '3'"},
      {{"--quick", "--passes=3", "--bogus"}, "unknown option '--bogus'"},
  };
  for (const auto& [args, message] : cases) {
    Seen seen;
    const FlagOutcome out = parse(seen, args);
    EXPECT_EQ(out.error, message) << args.front();
    EXPECT_FALSE(out.help) << args.front();
  }
}

TEST(ProgramArgs, ARefusedValueReachesNoSetter) {
  Seen seen;
  EXPECT_NE(parse(seen, {"--passes=0", "--list=d"}).error, "");
  EXPECT_EQ(seen.passes, -1);
  EXPECT_NE(parse(seen, {"--list=d"}).error, "");
  EXPECT_EQ(seen.list, "unset");
}

TEST(ProgramArgsDeathTest, ARefusalIsOneLineAndExit2) {
  Seen seen;
  Argv argv({"--passes=0"});
  EXPECT_EXIT(
      parse_flags(argv.argc(), argv.argv(), "prog", "help\n", table(seen)), ::testing::ExitedWithCode(2),
      "^prog: error: bad value '0' for --passes \\(a whole number from 1 to 1000\\) \\(see --help\\)\n$");
  EXPECT_EXIT(usage_error("prog", "no directory for --json file 'x'"), ::testing::ExitedWithCode(2),
              "^prog: error: no directory for --json file 'x' \\(see --help\\)\n$");
}

TEST(ProgramArgsDeathTest, HelpExits0) {
  Seen seen;
  Argv argv({"--help"});
  EXPECT_EXIT(parse_flags(argv.argc(), argv.argv(), "prog", "help\n", table(seen)),
              ::testing::ExitedWithCode(0), "^$");
}

TEST(ProgramArgs, ParseFlagsReturnsOnAcceptedArgv) {
  Seen seen;
  Argv argv({"--passes=3"});
  parse_flags(argv.argc(), argv.argv(), "prog", "help\n", table(seen));
  EXPECT_EQ(seen.passes, 3);
}

}  // namespace
}  // namespace contend::bench
