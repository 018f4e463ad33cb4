// TEST ONLY: CONTEND_TEST_HANG=REGEX makes every benchmark whose full name (family/workload/impl/
// real_time/threads:N) matches the POSIX extended regular expression hang: each of its threads
// waits forever in futex(2) on a word nobody ever wakes, the failure mode of a lost wake-up (the
// Zen 5 run's futex ping-pong, both threads asleep). It exists so that tests can check what
// contend run's watchdog does with a hung benchmark (tests/python/test_watchdog.py); nothing else
// sets it, and a measurement must never run with it.
#pragma once

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <regex>
#include <string>

namespace contend::bench {

class TestHang {
 public:
  // Reads CONTEND_TEST_HANG; false (with why) when it is set but not a valid expression.
  bool configure_from_env(std::string* error) {
    const char* text = std::getenv("CONTEND_TEST_HANG");
    if (text == nullptr || *text == '\0') return true;
    try {
      pattern_.emplace(text, std::regex::extended | std::regex::nosubs);
    } catch (const std::regex_error&) {
      *error = std::string("CONTEND_TEST_HANG='") + text + "' is not a regular expression";
      return false;
    }
    return true;
  }
  bool on() const { return pattern_.has_value(); }
  bool matches(const std::string& name) const { return pattern_ && std::regex_search(name, *pattern_); }

  // Never returns: a futex wait on a private word that stays 0 and that nobody wakes (a spurious
  // or signal wake-up waits again).
  [[noreturn]] static void forever() {
    static std::uint32_t word = 0;
    for (;;) ::syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0u, nullptr, nullptr, 0u);
  }

 private:
  std::optional<std::regex> pattern_;
};

inline TestHang& test_hang() {
  static TestHang h;
  return h;
}

}  // namespace contend::bench
