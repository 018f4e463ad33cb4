#include "perf_events.hpp"

#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#ifdef CONTEND_HAVE_LIBPFM
#include <perfmon/pfmlib_perf_event.h>
#endif

namespace contend::bench {
namespace {

struct Opened {
  int fd = -1;
  bool user_only = false;
  std::string error;  // strerror of the last attempt when fd < 0
};

std::string paranoid_level() {
  std::ifstream in("/proc/sys/kernel/perf_event_paranoid");
  std::string level;
  return in >> level ? level : "unknown";
}

// Opens `attr` for this thread and every thread it creates later. With `user_fallback`, a
// refusal to count the kernel side (perf_event_paranoid >= 2 without CAP_PERFMON) retries in
// user mode only: right for cycles or instructions, wrong for a context switch, which happens
// in the kernel and would read zero.
Opened open_counter(perf_event_attr attr, bool user_fallback) {
  attr.size = sizeof attr;
  attr.inherit = 1;
  attr.disabled = 0;
  attr.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
  attr.exclude_kernel = 0;
  attr.exclude_hv = 1;
  Opened out;
  for (bool user_only : {false, true}) {
    if (user_only && !user_fallback) break;
    attr.exclude_kernel = user_only ? 1 : 0;
    const long fd = syscall(SYS_perf_event_open, &attr, 0 /* this thread */, -1 /* any CPU */, -1, PERF_FLAG_FD_CLOEXEC);
    if (fd >= 0) {
      out.fd = static_cast<int>(fd);
      out.user_only = user_only;
      return out;
    }
    const int err = errno;
    out.error = std::strerror(err);
    if (err == EACCES || err == EPERM) {
      out.error += " (counting kernel-side events needs root or CAP_PERFMON; kernel.perf_event_paranoid = " +
                   paranoid_level() + ")";
      continue;
    }
    break;  // ENOENT, EOPNOTSUPP, ...: user mode would not help
  }
  return out;
}

// A generic event: its counter's name, its perf config and that config's name (the source).
struct GenericEvent {
  const char* name;
  std::uint64_t config;
  const char* source;
};
#define CONTEND_EVENT(name, config) GenericEvent{name, config, #config}
constexpr GenericEvent SOFTWARE_EVENTS[] = {
    CONTEND_EVENT("context_switches", PERF_COUNT_SW_CONTEXT_SWITCHES),
    CONTEND_EVENT("cpu_migrations", PERF_COUNT_SW_CPU_MIGRATIONS),
    CONTEND_EVENT("page_faults", PERF_COUNT_SW_PAGE_FAULTS),
};
constexpr GenericEvent HARDWARE_EVENTS[] = {
    CONTEND_EVENT("cycles", PERF_COUNT_HW_CPU_CYCLES),
    CONTEND_EVENT("instructions", PERF_COUNT_HW_INSTRUCTIONS),
    CONTEND_EVENT("cache_misses", PERF_COUNT_HW_CACHE_MISSES),
};
#undef CONTEND_EVENT

perf_event_attr generic(std::uint32_t type, std::uint64_t config) {
  perf_event_attr attr{};
  attr.type = type;
  attr.config = config;
  return attr;
}

#ifdef CONTEND_HAVE_LIBPFM
// The name of the core PMU libpfm detected (for the reason when no coherence event is known).
std::string core_pmu_name() {
  for (int p = 0; p < PFM_PMU_MAX; ++p) {
    pfm_pmu_info_t info{};
    info.size = sizeof info;
    if (pfm_get_pmu_info(static_cast<pfm_pmu_t>(p), &info) == PFM_SUCCESS && info.is_present &&
        info.type == PFM_PMU_TYPE_CORE && info.name != nullptr)
      return info.name;
  }
  return "none detected";
}
#endif

}  // namespace

bool has_hardware_pmu(const std::string& devices) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(devices, ec)) {
    const std::string name = entry.path().filename().string();
    if (name == "cpu" || name.rfind("cpu_", 0) == 0 || name.rfind("armv", 0) == 0) return true;
  }
  return false;
}

EventCounters::EventCounters(const std::string& devices) {
  auto add = [&](std::string name, bool hardware, std::string source, Opened opened) {
    EventStatus s{.name = std::move(name), .hardware = hardware, .available = opened.fd >= 0,
                  .source = std::move(source), .reason = opened.fd >= 0 ? "" : opened.error};
    if (opened.user_only) s.source += " (user mode only)";
    events_.push_back(std::move(s));
    fds_.push_back(opened.fd);
  };
  auto unavailable = [&](std::string name, std::string reason) {
    events_.push_back({.name = std::move(name), .hardware = true, .available = false, .source = "",
                       .reason = std::move(reason)});
    fds_.push_back(-1);
  };

  // The kernel's generic events; a hardware one may fall back to user mode (open_counter).
  for (const GenericEvent& e : SOFTWARE_EVENTS)
    add(e.name, false, e.source, open_counter(generic(PERF_TYPE_SOFTWARE, e.config), false));

  // Without a PMU the kernel answers ENOENT to every hardware event; the reason says why.
  if (!has_hardware_pmu(devices)) {
    const std::string why = "no hardware PMU exposed by the kernel (" + devices + " has no cpu)";
    for (const GenericEvent& e : HARDWARE_EVENTS) unavailable(e.name, why);
    unavailable("hitm", why);
    return;
  }
  for (const GenericEvent& e : HARDWARE_EVENTS)
    add(e.name, true, e.source, open_counter(generic(PERF_TYPE_HARDWARE, e.config), true));

#ifdef CONTEND_HAVE_LIBPFM
  // libpfm's tables are needed only to encode the name: initialized here, released at once
  // (pfm_terminate frees them, so leak checkers stay quiet).
  if (const int rc = pfm_initialize(); rc != PFM_SUCCESS) {
    unavailable("hitm", std::string("libpfm4 failed to initialize: ") + pfm_strerror(rc));
    return;
  }
  std::string tried;
  Opened hitm;
  std::string used;
  for (const char* name : HITM_CANDIDATES) {
    perf_event_attr attr{};
    pfm_perf_encode_arg_t arg{};
    arg.attr = &attr;
    arg.size = sizeof arg;
    const int rc = pfm_get_os_event_encoding(name, PFM_PLM0 | PFM_PLM3, PFM_OS_PERF_EVENT, &arg);
    if (rc != PFM_SUCCESS) continue;  // not an event of this PMU: try the next name
    hitm = open_counter(attr, true);
    if (hitm.fd >= 0) {
      used = name;
      break;
    }
    tried += (tried.empty() ? "" : ", ") + std::string(name) + ": " + hitm.error;  // "; " separates events
  }
  const std::string pmu = core_pmu_name();
  pfm_terminate();
  if (hitm.fd >= 0) {
    add("hitm", true, used, hitm);
  } else {
    unavailable("hitm", tried.empty() ? "no coherence event known for this PMU (" + pmu + ")" : tried);
  }
#else
  unavailable("hitm", "built without libpfm4 (it resolves the coherence event's name)");
#endif
}

EventCounters::~EventCounters() {
  for (int fd : fds_)
    if (fd >= 0) close(fd);
}

EventSnapshot EventCounters::snapshot() const {
  EventSnapshot out(fds_.size());
  for (std::size_t i = 0; i < fds_.size(); ++i) {
    if (fds_[i] < 0) continue;
    std::uint64_t buffer[3] = {};  // value, time enabled, time running (read_format above)
    if (read(fds_[i], buffer, sizeof buffer) != static_cast<ssize_t>(sizeof buffer)) continue;
    out[i] = EventReading{.value = buffer[0], .enabled = buffer[1], .running = buffer[2]};
  }
  return out;
}

std::string EventCounters::counted() const {
  std::string out;
  for (const EventStatus& e : events_) {
    if (!e.available) continue;
    out += (out.empty() ? "" : ", ") + e.name;
    if (e.name == "hitm" || e.source.find("user mode only") != std::string::npos) out += " (" + e.source + ")";
  }
  return out;
}

std::string EventCounters::not_available() const {
  std::string out;
  for (const EventStatus& e : events_) {
    if (!e.available) out += (out.empty() ? "" : "; ") + e.name + ": " + e.reason;
  }
  return out;
}

std::vector<std::pair<std::string, double>> per_op(const std::vector<EventStatus>& events,
                                                   const EventSnapshot& before, const EventSnapshot& after,
                                                   double ops) {
  std::vector<std::pair<std::string, double>> out;
  if (!(ops > 0)) return out;
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (!events[i].available || i >= before.size() || i >= after.size() || !before[i] || !after[i]) continue;
    const EventReading& a = *before[i];
    const EventReading& b = *after[i];
    if (b.value < a.value || b.enabled < a.enabled || b.running < a.running) continue;
    const double value = static_cast<double>(b.value - a.value);
    const double enabled = static_cast<double>(b.enabled - a.enabled);
    const double running = static_cast<double>(b.running - a.running);
    if (running <= 0) continue;  // multiplexed out for the whole window: nothing was counted
    const double scaled = running < enabled ? value * enabled / running : value;
    out.emplace_back(events[i].name + "_per_op", scaled / ops);
  }
  return out;
}

namespace {
std::unique_ptr<EventCounters>& process_slot() {
  static std::unique_ptr<EventCounters> counters;
  return counters;
}
}  // namespace

void open_process_events() {
  if (!process_slot()) process_slot() = std::make_unique<EventCounters>();
}

const EventCounters* process_events() { return process_slot().get(); }

}  // namespace contend::bench
