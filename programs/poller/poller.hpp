// The URL poller of Go's "Share Memory By Communicating" codewalk, in two designs behind one
// interface: ChannelPoller (resources move between threads over channels, a single thread owns
// the state table) and SharedPoller (one resource list under a mutex, the traditional version
// the article contrasts it with).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace poller {

using Clock = std::chrono::steady_clock;

// ok=false is an error (no HTTP response at all): the resource's error count grows, and with it
// the back-off before its next poll. Any HTTP response, 404 included, is ok=true, as in Go.
struct PollResult {
  bool ok = false;
  std::string status;  // "200 OK", "404 Not Found", or the error text
};

// Injectable so either design can poll real HTTP, a simulation, or a test double.
// Called concurrently from every worker thread.
using PollFn = std::function<PollResult(const std::string& url)>;

struct Entry {
  std::string status = "not polled yet";
  int errors = 0;           // consecutive errors, reset by a successful poll
  std::uint64_t polls = 0;  // polls completed
};
using StateTable = std::map<std::string, Entry>;  // url -> latest state

struct Config {
  std::size_t workers = 2;
  std::chrono::milliseconds interval{60'000};       // Go: pollInterval
  std::chrono::milliseconds error_backoff{10'000};  // Go: errTimeout, times the error count
  std::chrono::milliseconds report_every{10'000};   // Go: statusInterval
  // Called with the state table on every report tick, from the reporting thread.
  std::function<void(const StateTable&)> on_report;
};

enum class Design { channel, shared };
std::string_view to_string(Design d);

class Poller {
 public:
  virtual ~Poller() = default;
  virtual void start() = 0;
  // Stops and joins every thread, then returns the final table. Waits for polls in flight.
  virtual StateTable stop() = 0;
};

// Duplicate URLs are polled once.
std::unique_ptr<Poller> make_poller(Design d, std::vector<std::string> urls, PollFn poll, Config c);

inline Clock::duration backoff(const Config& c, int errors) { return c.interval + c.error_backoff * errors; }

}  // namespace poller
