#include "placement_wait.hpp"

#include <cstdio>
#include <limits>

#include "json_file.hpp"

namespace contend::bench {

std::string PlacementWindow::describe() const {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.10g:%.10g", lo_ns, hi_ns);  // 1e9 as 1000000000
  return buffer;
}

std::optional<PlacementWindow> parse_placement_window(const std::string& text) {
  const auto colon = text.find(':');
  if (colon == std::string::npos) return std::nullopt;
  constexpr double max = std::numeric_limits<double>::max();  // finite: parse_number refuses inf
  const std::optional<double> lo = parse_number(text.substr(0, colon), 0, max);
  const std::optional<double> hi = parse_number(text.substr(colon + 1), 0, max);
  if (!lo || !hi || !(*lo < *hi)) return std::nullopt;
  return PlacementWindow{*lo, *hi};
}

PlacementWait wait_for_placement(const PlacementWindow& window, const std::function<ProbeResult()>& probe,
                                 const std::function<Nanos()>& now, const std::function<void(Nanos)>& sleep,
                                 Nanos poll, Nanos limit) {
  PlacementWait w;
  w.probe = probe();
  w.probes = 1;
  const Nanos start = now();
  Nanos waited{0};
  while (!window.contains(w.probe.median_ns)) {
    if (waited >= limit) {
      w.missed = true;
      break;
    }
    sleep(poll);
    w.probe = probe();
    ++w.probes;
    waited = now() - start;
  }
  w.waited_ms = std::chrono::duration<double, std::milli>(waited).count();
  return w;
}

}  // namespace contend::bench
