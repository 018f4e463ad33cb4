#include "context.hpp"

#include <benchmark/benchmark.h>
#include <sys/utsname.h>

#include <boost/version.hpp>
#include <cstdio>
#include <fstream>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#include "perf_events.hpp"
#include "topology.hpp"

namespace contend::bench {
namespace {

std::string read_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return "unavailable";
  return line;
}

std::string command_output(const std::string& command) {
  std::string out;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    char buffer[256];
    while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) out += buffer;
    pclose(pipe);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out.empty() ? "unknown" : out;
}

// The first "key : value" line of /proc/cpuinfo whose key is one of `keys`.
std::string cpuinfo(std::initializer_list<std::string_view> keys) {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string key = line.substr(0, colon);
    while (!key.empty() && (key.back() == ' ' || key.back() == '\t')) key.pop_back();
    for (std::string_view k : keys) {
      if (key == k) {
        const auto start = line.find_first_not_of(' ', colon + 1);
        return start == std::string::npos ? "unknown" : line.substr(start);
      }
    }
  }
  return "unknown";
}

// "yes" when the CPU flags say a hypervisor runs this kernel (x86's "hypervisor" flag), "no"
// when the flags are there without it, "unknown" elsewhere (arm64 has no such flag): on a guest
// the topology is the hypervisor's story, and placement classes are named "as seen by the guest".
std::string virtualized() {
  const std::string flags = cpuinfo({"flags"});
  if (flags == "unknown") return "unknown";
  const std::string padded = " " + flags + " ";
  return padded.find(" hypervisor ") != std::string::npos ? "yes" : "no";
}

}  // namespace

std::map<std::string, std::string> machine_context(const std::string& family, const std::string& mode,
                                                   double run_ms) {
  const Topology topo = read_topology();
  const int cores = topo.cores();
  utsname u{};
  uname(&u);
  return {
      {"schema_version", RESULT_SCHEMA_VERSION},
      {"contend_family", family},
      {"contend_mode", mode},
      {"run_ms", std::to_string(static_cast<long long>(run_ms))},
      {"cpu_model", cpuinfo({"model name", "Model"})},
      // x86 family/model/stepping (arm64: implementer/part/revision), to tell CPU generations
      // apart when the model name is generic (a VM's "Intel Xeon Processor").
      {"cpu_family", cpuinfo({"cpu family", "CPU implementer"})},
      {"cpu_model_number", cpuinfo({"model", "CPU part"})},
      {"cpu_stepping", cpuinfo({"stepping", "CPU revision"})},
      {"virtualized", virtualized()},
      {"cores", std::to_string(cores)},
      {"logical_cpus", std::to_string(topo.cpus.size())},
      {"threads_per_core", cores ? std::to_string(static_cast<int>(topo.cpus.size()) / cores) : "unknown"},
      {"sockets", std::to_string(topo.sockets())},
      {"topology", topo.description()},
      {"hardware_concurrency", std::to_string(std::thread::hardware_concurrency())},
      {"kernel", std::string(u.sysname) + " " + u.release + " " + u.machine},
      {"compiler", "g++ " __VERSION__},
      {"cxx_flags", CONTEND_CXX_FLAGS},
      {"build_type", CONTEND_BUILD_TYPE},
      {"benchmark_version", CONTEND_BENCHMARK_VERSION},
      {"boost_version", BOOST_LIB_VERSION},
      {"moodycamel_version", CONTEND_MOODYCAMEL_VERSION},
      {"governor", read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor")},
      // Dirty means changed sources: the result files a run writes (results/) do not count, or
      // every family after the first would name a dirty tree.
      {"git_commit",
       command_output("cd '" CONTEND_SOURCE_DIR "' && c=$(git rev-parse --short=12 HEAD 2>/dev/null) && "
                      "{ git diff --quiet HEAD -- . ':(exclude)results' 2>/dev/null && echo \"$c\" || "
                      "echo \"$c-dirty\"; }")},
  };
}

void add_machine_context(const std::string& family, const std::string& mode, double run_ms) {
  for (const auto& [key, value] : machine_context(family, mode, run_ms))
    benchmark::AddCustomContext(key, value);
}

void add_event_context(const EventCounters& events) {
  benchmark::AddCustomContext("events_counted", events.counted());
  benchmark::AddCustomContext("events_not_available", events.not_available());
}

}  // namespace contend::bench
