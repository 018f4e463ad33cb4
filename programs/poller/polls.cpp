#include "polls.hpp"

#include <curl/curl.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace poller {
namespace {

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};

// libcurl hands headers over one line at a time; keep the reason phrase of the status line.
size_t on_header(char* data, size_t size, size_t count, void* user) {
  const size_t n = size * count;
  std::string line(data, n);
  if (line.rfind("HTTP/", 0) == 0) {
    auto* status = static_cast<std::string*>(user);
    const auto sp = line.find(' ');
    *status = sp == std::string::npos ? line : line.substr(sp + 1);
    while (!status->empty() && (status->back() == '\r' || status->back() == '\n' || status->back() == ' '))
      status->pop_back();
  }
  return n;
}

bool looks_like_http_url(const std::string& url) {
  for (const char* scheme : {"http://", "https://"}) {
    const std::string s = scheme;
    if (url.size() > s.size() && url.compare(0, s.size(), s) == 0) return true;
  }
  return false;
}

std::uint64_t splitmix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

}  // namespace

void http_global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

PollResult http_head(const std::string& url, const HttpOptions& options) {
  if (!looks_like_http_url(url)) return {false, "invalid URL (want http:// or https://)"};
  http_global_init();
  thread_local std::unique_ptr<CURL, CurlDeleter> handle(curl_easy_init());
  CURL* c = handle.get();
  if (!c) return {false, "curl_easy_init failed"};
  curl_easy_reset(c);  // keeps the connection cache, drops the previous poll's options
  std::string status;
  char error[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_NOBODY, 1L);    // HEAD
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // timeouts without SIGALRM: we are multithreaded
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options.total_timeout.count()));
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  // Loopback never goes through an http_proxy from the environment.
  curl_easy_setopt(c, CURLOPT_NOPROXY, "127.0.0.1,localhost");
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &status);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  const CURLcode rc = curl_easy_perform(c);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, nullptr);  // `error` dies with this frame
  curl_easy_setopt(c, CURLOPT_HEADERDATA, nullptr);
  if (rc != CURLE_OK) return {false, *error ? std::string(error) : curl_easy_strerror(rc)};
  if (status.empty()) {
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    status = std::to_string(code);
  }
  return {true, status};
}

PollFn simulated_poll(const SimOptions& options) {
  auto calls = std::make_shared<std::atomic<std::uint64_t>>(0);
  return [options, calls](const std::string&) -> PollResult {
    const auto n = calls->fetch_add(1, std::memory_order_relaxed);
    if (options.latency.count() > 0) std::this_thread::sleep_for(options.latency);
    const double u = static_cast<double>(splitmix(options.seed ^ splitmix(n)) >> 11) * 0x1.0p-53;
    if (u < options.failure_rate) return {false, "simulated failure"};
    return {true, "200 OK"};
  };
}

}  // namespace poller
