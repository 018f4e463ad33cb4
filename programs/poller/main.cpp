// poller: polls the URLs in a file with HTTP HEAD and prints a state table periodically.
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "poller.hpp"
#include "polls.hpp"

namespace {

constexpr const char* kUsage =
    "usage: poller --urls FILE [--workers N] [--interval S] [--duration S]\n"
    "              [--design channel|shared] [--report S] [--backoff S]\n"
    "  Polls every URL in FILE (one per line, '#' starts a comment) with HTTP HEAD,\n"
    "  re-polling each every --interval seconds plus --backoff seconds per consecutive error,\n"
    "  and prints the state table every --report seconds (default 10) and at the end.\n"
    "  --workers N      polling threads (default 2)\n"
    "  --interval S     seconds between polls of one URL (default 60)\n"
    "  --backoff S      extra seconds per consecutive error (default 10)\n"
    "  --duration S     stop after S seconds (default: run until interrupted)\n"
    "  --design D       channel (share memory by communicating, default) or shared (mutex)\n"
    "Exit status: 0, or 2 on bad usage or an unreadable file.\n";

[[noreturn]] void usage_error(const std::string& msg) {
  std::cerr << "poller: " << msg << " (try --help)\n";
  std::exit(2);
}

double parse_seconds(const std::string& flag, const char* text, bool allow_zero) {
  char* end = nullptr;
  const double v = std::strtod(text, &end);
  if (!*text || *end || !(v >= 0) || (!allow_zero && v == 0) || v > 1e7)
    usage_error(flag + " needs a " + (allow_zero ? "non-negative" : "positive") +
                " number of seconds, not '" + text + "'");
  return v;
}

std::chrono::milliseconds ms(double seconds) {
  return std::chrono::milliseconds(static_cast<long long>(seconds * 1000.0 + 0.5));
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

void print_table(const poller::StateTable& t) {
  std::size_t width = 3;
  for (const auto& [url, e] : t) width = std::max(width, url.size());
  std::ostringstream out;
  out << std::left << std::setw(static_cast<int>(width)) << "URL"
      << "  " << std::setw(6) << "polls"
      << "  " << std::setw(6) << "errors"
      << "  status\n";
  for (const auto& [url, e] : t)
    out << std::setw(static_cast<int>(width)) << url << "  " << std::setw(6) << e.polls << "  "
        << std::setw(6) << e.errors << "  " << e.status << "\n";
  static std::mutex print_mu;  // the final table may race a last tick
  std::lock_guard lock(print_mu);
  std::cout << out.str() << std::endl;
}

volatile std::sig_atomic_t interrupted = 0;
extern "C" void on_signal(int) { interrupted = 1; }

}  // namespace

int main(int argc, char** argv) {
  std::string path;
  poller::Config config;
  config.interval = std::chrono::seconds(60);
  config.error_backoff = std::chrono::seconds(10);
  config.report_every = std::chrono::seconds(10);
  double duration = 0;
  poller::Design design = poller::Design::channel;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) usage_error(a + " needs a value");
      return argv[++i];
    };
    if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      return 0;
    } else if (a == "--urls")
      path = value();
    else if (a == "--workers") {
      const double w = parse_seconds(a, value(), false);
      if (w != static_cast<double>(static_cast<int>(w)) || w > 1024)
        usage_error("--workers needs an integer 1..1024");
      config.workers = static_cast<std::size_t>(w);
    } else if (a == "--interval")
      config.interval = ms(parse_seconds(a, value(), true));
    else if (a == "--backoff")
      config.error_backoff = ms(parse_seconds(a, value(), true));
    else if (a == "--report")
      config.report_every = std::max(ms(parse_seconds(a, value(), false)), std::chrono::milliseconds(1));
    else if (a == "--duration")
      duration = parse_seconds(a, value(), false);
    else if (a == "--design") {
      const std::string d = value();
      if (d == "channel")
        design = poller::Design::channel;
      else if (d == "shared")
        design = poller::Design::shared;
      else
        usage_error("--design takes channel or shared, not '" + d + "'");
    } else
      usage_error("unknown argument '" + a + "'");
  }
  if (path.empty()) usage_error("--urls FILE is required");

  std::ifstream in(path);
  if (!in) {
    std::cerr << "poller: cannot read " << path << ": " << std::strerror(errno) << "\n";
    return 2;
  }
  std::vector<std::string> urls;
  for (std::string line; std::getline(in, line);) {
    line = trim(line.substr(0, line.find('#')));
    if (!line.empty()) urls.push_back(line);  // bad URLs stay: they show up as errors
  }
  if (urls.empty()) {
    std::cerr << "poller: no URLs in " << path << "\n";
    return 2;
  }

  poller::http_global_init();
  config.on_report = print_table;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::cout << "polling " << urls.size() << " URLs with " << config.workers << " workers ("
            << poller::to_string(design) << " design)\n"
            << std::endl;
  auto p = poller::make_poller(
      design, urls, [](const std::string& u) { return poller::http_head(u); }, config);
  p->start();
  const auto deadline = poller::Clock::now() + ms(duration);
  while (!interrupted && (duration == 0 || poller::Clock::now() < deadline))
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::cout << "final state:\n";
  print_table(p->stop());
  return 0;
}
