#include "context.hpp"

#include <benchmark/benchmark.h>
#include <sys/utsname.h>

#include <boost/version.hpp>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>

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

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) == 0 || line.rfind("Model", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
    }
  }
  return "unknown";
}

// Physical cores, threads per core and sockets from sysfs (what /proc/cpuinfo's "cpu cores"
// does not say on every architecture).
struct Topology {
  int logical = 0, cores = 0, sockets = 0;
  std::string description;
};

Topology topology() {
  Topology t;
  std::set<std::pair<std::string, std::string>> cores;
  std::set<std::string> sockets;
  std::ostringstream desc;
  for (int cpu = 0;; ++cpu) {
    const std::string base = "/sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/topology/";
    const std::string package = read_line(base + "physical_package_id");
    if (package == "unavailable") break;
    const std::string core = read_line(base + "core_id");
    ++t.logical;
    cores.insert({package, core});
    sockets.insert(package);
    desc << (cpu ? " " : "") << "cpu" << cpu << "=s" << package << "c" << core;
  }
  t.cores = static_cast<int>(cores.size());
  t.sockets = static_cast<int>(sockets.size());
  t.description = desc.str();
  return t;
}

}  // namespace

void add_machine_context(const std::string& family, const std::string& mode, double run_ms) {
  const Topology topo = topology();
  utsname u{};
  uname(&u);
  const std::map<std::string, std::string> context = {
      {"contend_family", family},
      {"contend_mode", mode},
      {"run_ms", std::to_string(static_cast<long long>(run_ms))},
      {"cpu_model", cpu_model()},
      {"cores", std::to_string(topo.cores)},
      {"logical_cpus", std::to_string(topo.logical)},
      {"threads_per_core", topo.cores ? std::to_string(topo.logical / topo.cores) : "unknown"},
      {"sockets", std::to_string(topo.sockets)},
      {"topology", topo.description},
      {"hardware_concurrency", std::to_string(std::thread::hardware_concurrency())},
      {"kernel", std::string(u.sysname) + " " + u.release + " " + u.machine},
      {"compiler", "g++ " __VERSION__},
      {"cxx_flags", CONTEND_CXX_FLAGS},
      {"build_type", CONTEND_BUILD_TYPE},
      {"benchmark_version", CONTEND_BENCHMARK_VERSION},
      {"boost_version", BOOST_LIB_VERSION},
      {"moodycamel_version", CONTEND_MOODYCAMEL_VERSION},
      {"governor", read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor")},
      {"git_commit",
       command_output("git -C '" CONTEND_SOURCE_DIR "' describe --always --dirty --abbrev=12 2>/dev/null")},
  };
  for (const auto& [key, value] : context) benchmark::AddCustomContext(key, value);
}

}  // namespace contend::bench
