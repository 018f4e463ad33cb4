// RacyCounter under ThreadSanitizer, in a child process: TSan must report the data race.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

#ifndef RACY_COUNTER_TSAN_BINARY
#error "RACY_COUNTER_TSAN_BINARY must name the TSan-built child program"
#endif

namespace {

TEST(RacyCounter, ThreadSanitizerReportsTheDataRace) {
  // No suppressions file for the child: the race is in our own code and must be reported.
  const std::string command = std::string("TSAN_OPTIONS=exitcode=66 ") + RACY_COUNTER_TSAN_BINARY + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  std::array<char, 4096> buffer;
  while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) output += buffer.data();
  const int status = pclose(pipe);
  ASSERT_TRUE(WIFEXITED(status)) << output;
  EXPECT_EQ(WEXITSTATUS(status), 66) << output;
  EXPECT_NE(output.find("WARNING: ThreadSanitizer: data race"), std::string::npos) << output;
  EXPECT_NE(output.find("RacyCounter::increment"), std::string::npos) << output;
}

}  // namespace
