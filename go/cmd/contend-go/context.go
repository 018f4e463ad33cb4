// The result file's context: the machine keys of benchmarks/context.cpp (the same names, read
// the same way), Google Benchmark's own (date, host_name, num_cpus, ...), the quality keys of
// run_quality.cpp and latency_counters.cpp, and what only Go has: lang "go", go_version,
// gomaxprocs (the runtime's default for this process, before any run sets its own), gogc.
package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const schemaVersion = "3"

var defaultGOMAXPROCS = runtime.GOMAXPROCS(0)

// cpuinfo: the first "key : value" line of /proc/cpuinfo whose key is one of keys.
func cpuinfo(keys ...string) string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		colon := strings.IndexByte(line, ':')
		if colon < 0 {
			continue
		}
		key := strings.TrimRight(line[:colon], " \t")
		for _, k := range keys {
			if key == k {
				if v := strings.TrimLeft(line[colon+1:], " "); v != "" {
					return v
				}
				return "unknown"
			}
		}
	}
	return "unknown"
}

func virtualized() string {
	flags := cpuinfo("flags")
	if flags == "unknown" {
		return "unknown"
	}
	if strings.Contains(" "+flags+" ", " hypervisor ") {
		return "yes"
	}
	return "no"
}

func readLine(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "unavailable"
	}
	line := strings.SplitN(string(b), "\n", 2)[0]
	if line == "" {
		return "unavailable"
	}
	return line
}

// sourceDir: the repository this binary was built from (its source files' compile-time path:
// go/cmd/contend-go/ three levels down), "" if that path is not known (a -trimpath build).
func sourceDir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return ""
	}
	return filepath.Dir(filepath.Dir(filepath.Dir(filepath.Dir(file))))
}

// gitCommit as context.cpp: the short commit, "-dirty" when sources changed (results/ aside);
// the build's own VCS stamp where the source tree is not at hand.
func gitCommit() string {
	if dir := sourceDir(); dir != "" {
		cmd := exec.Command("sh", "-c", `c=$(git rev-parse --short=12 HEAD 2>/dev/null) && `+
			`{ git diff --quiet HEAD -- . ':(exclude)results' 2>/dev/null && echo "$c" || echo "$c-dirty"; }`)
		cmd.Dir = dir
		if out, err := cmd.Output(); err == nil && strings.TrimSpace(string(out)) != "" {
			return strings.TrimSpace(string(out))
		}
	}
	if info, ok := debug.ReadBuildInfo(); ok {
		rev, dirty := "", ""
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				if len(s.Value) > 12 {
					rev = s.Value[:12]
				} else {
					rev = s.Value
				}
			case "vcs.modified":
				if s.Value == "true" {
					dirty = "-dirty"
				}
			}
		}
		if rev != "" {
			return rev + dirty
		}
	}
	return "unknown"
}

func kernel() string {
	var u syscall.Utsname
	if syscall.Uname(&u) != nil {
		return "unknown"
	}
	str := func(a [65]int8) string {
		var b []byte
		for _, c := range a {
			if c == 0 {
				break
			}
			b = append(b, byte(c))
		}
		return string(b)
	}
	return str(u.Sysname) + " " + str(u.Release) + " " + str(u.Machine)
}

func loadAvg() []float64 {
	f := strings.Fields(readLine("/proc/loadavg"))
	var out []float64
	for i := 0; i < 3 && i < len(f); i++ {
		if v, err := strconv.ParseFloat(f[i], 64); err == nil {
			out = append(out, v)
		}
	}
	return out
}

func onlineCPUs(topo []logicalCPU) int {
	if len(topo) > 0 {
		return len(topo)
	}
	return runtime.NumCPU()
}

// machineContext: context.cpp's keys and the Go-only ones.
func machineContext(family, mode string, runMs float64, think int) map[string]interface{} {
	topo := readTopology()
	cores := map[[2]int]bool{}
	sockets := map[int]bool{}
	var desc []string
	for _, c := range topo {
		cores[[2]int{c.pkg, c.core}] = true
		sockets[c.pkg] = true
		desc = append(desc, fmt.Sprintf("cpu%d=s%dc%d", c.id, c.pkg, c.core))
	}
	perCore := "unknown"
	if len(cores) > 0 {
		perCore = strconv.Itoa(len(topo) / len(cores))
	}
	host, _ := os.Hostname()
	exe, _ := os.Executable()
	gogc := os.Getenv("GOGC")
	if gogc == "" {
		gogc = "100"
	}
	mhz := 0.0
	if v, err := strconv.ParseFloat(cpuinfo("cpu MHz"), 64); err == nil {
		mhz = v
	}
	resolution := float64(len(topo)) * (procStatTickNs / 1e6) / runMs
	return map[string]interface{}{
		// Google Benchmark's own keys
		"date":                time.Now().Format("2006-01-02T15:04:05-07:00"),
		"host_name":           host,
		"executable":          exe,
		"num_cpus":            onlineCPUs(topo),
		"mhz_per_cpu":         int(mhz),
		"cpu_scaling_enabled": false,
		"load_avg":            loadAvg(),
		// context.cpp's
		"schema_version":       schemaVersion,
		"contend_family":       "go_" + family,
		"contend_mode":         mode,
		"run_ms":               strconv.FormatInt(int64(runMs), 10),
		"cpu_model":            cpuinfo("model name", "Model"),
		"cpu_family":           cpuinfo("cpu family", "CPU implementer"),
		"cpu_model_number":     cpuinfo("model", "CPU part"),
		"cpu_stepping":         cpuinfo("stepping", "CPU revision"),
		"virtualized":          virtualized(),
		"cores":                strconv.Itoa(len(cores)),
		"logical_cpus":         strconv.Itoa(len(topo)),
		"threads_per_core":     perCore,
		"sockets":              strconv.Itoa(len(sockets)),
		"topology":             strings.Join(desc, " "),
		"hardware_concurrency": strconv.Itoa(onlineCPUs(topo)),
		"kernel":               kernel(),
		"compiler":             runtime.Version() + " " + runtime.Compiler,
		"build_type":           "Release",
		"governor":             readLine("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"),
		"git_commit":           gitCommit(),
		// run_quality.cpp's and latency_counters.cpp's
		"pin":                         "none",
		"probe_pairs":                 describePairs(quality.pairs),
		"probe_us_per_pair":           strconv.Itoa(int(probePerPair / time.Microsecond)),
		"taint_foreign_cpu":           fmt.Sprintf("%.2f", taintForeignCPU),
		"taint_parallelism_share":     fmt.Sprintf("%.2f", taintParallelismShare),
		"interference_resolution_cpu": fmt.Sprintf("%.2f", resolution),
		"latency_sampling":            "on",
		"latency_clock":               "go_monotonic",
		"latency_clock_ns":            fmt.Sprintf("%.1f", clockReadNs),
		"latency_budget":              fmt.Sprintf("%g", samplingBudget),
		"events_counted":              "",
		"events_not_available":        "all: the Go binary does not open perf events",
		"probe_loop":                  probeLoopUsed.name,
		"think":                       strconv.Itoa(think),
		// Go's
		"lang":       "go",
		"go_version": runtime.Version(),
		"gomaxprocs": strconv.Itoa(defaultGOMAXPROCS),
		"gogc":       gogc,
		"go_threads_rule": "T goroutines do the work with GOMAXPROCS = min(T, allowed CPUs) and a design's " +
			"owner goroutines share those Ps; locked rows (go_locked = 1) run every goroutine and owner on " +
			"an OS thread of its own, pinned to a CPU of its own while the T goroutines fit (go_pinned = 1), " +
			"with GOMAXPROCS = T + owners",
	}
}
