// The heartbeat of a benchmark binary, for contend run's watchdog (scripts/contend_lib/watchdog.py).
//
// With CONTEND_HEARTBEAT=FILE in the environment the binary appends one line to FILE when it is
// ready to run ("begin"), and when each repetition starts and ends, from the benchmark's thread 0
// (family.hpp wraps every registered benchmark):
//     begin <monotonic s> <pid>
//     start <monotonic s> <benchmark name>
//     end <monotonic s> <benchmark name>
// The clock is CLOCK_MONOTONIC, the one Python's time.monotonic() reads, so the watchdog judges
// each repetition against its own bound without guessing when it started. Why not the console or
// the JSON: Google Benchmark reports a benchmark only once all its repetitions are done, and with
// random interleaving that is near the end of the family; a repetition that never returns is
// otherwise invisible. Each line is one write(2) to a file opened O_APPEND: it reaches the file
// whole even when the process is killed right after.
#pragma once

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace contend::bench {

class Heartbeat {
 public:
  // Opens the file CONTEND_HEARTBEAT names, if it names one; false when it cannot be opened.
  bool open_from_env() {
    const char* path = std::getenv("CONTEND_HEARTBEAT");
    if (path == nullptr || *path == '\0') return true;
    fd_ = ::open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    return fd_ >= 0;
  }
  bool on() const { return fd_ >= 0; }

  void begin() const { say("begin", std::to_string(::getpid())); }
  void start(const std::string& name) const { say("start", name); }
  void end(const std::string& name) const { say("end", name); }

 private:
  void say(const char* event, const std::string& what) const {
    if (fd_ < 0) return;
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    char stamp[48];
    std::snprintf(stamp, sizeof stamp, " %lld.%06ld ", static_cast<long long>(now.tv_sec), now.tv_nsec / 1000);
    const std::string line = event + (stamp + what) + "\n";
    // A short write leaves a line without its newline, which the reader ignores: nothing to retry.
    [[maybe_unused]] const ssize_t written = ::write(fd_, line.data(), line.size());
  }

  int fd_ = -1;
};

// The binary's one heartbeat (main.cpp opens it; family.hpp beats it).
inline Heartbeat& heartbeat() {
  static Heartbeat h;
  return h;
}

}  // namespace contend::bench
