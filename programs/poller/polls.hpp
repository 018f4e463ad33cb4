// Poll functions to inject into either design.
#pragma once

#include <chrono>
#include <cstdint>

#include "poller.hpp"

namespace poller {

struct HttpOptions {
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds total_timeout{2000};
};

// Once, before any thread polls (curl_global_init is not safe to race).
void http_global_init();

// HTTP HEAD via libcurl. Never throws: a bad URL, DNS failure, refused connection or timeout
// comes back as {ok=false, error text}. Each calling thread keeps one curl handle, so
// connections are reused across polls of the same host.
PollResult http_head(const std::string& url, const HttpOptions& options = {});

struct SimOptions {
  std::chrono::microseconds latency{0};
  double failure_rate = 0.0;  // 0..1
  std::uint64_t seed = 1;
};

// Sleeps `latency`, then fails with probability failure_rate. The n-th call of a run fails or
// not as the n-th call of any other run with the same seed, so runs repeat.
PollFn simulated_poll(const SimOptions& options);

}  // namespace poller
