// What makes a run's figures trustworthy, as benchmarks/interference.hpp, run_quality.hpp and
// probe.hpp: the process's CPU time, foreign load and steal from /proc/stat over the CPUs the
// process may use (the same rule and thresholds as interference.cpp), the peak RSS, and the
// placement probe.
//
// The probe. C++ pins two threads with pthread_setaffinity_np and bounces a cache line between
// them (pingpong.hpp). Go cannot pin a goroutine, so each side of the probe is a goroutine locked
// to its OS thread (runtime.LockOSThread) that pins that thread with sched_setaffinity(2) on
// itself; the goroutines never unlock, so their threads exit with them and no pinned thread
// goes back to the runtime's pool. The rest is the C++ protocol: one word, odd with the
// answerer, even with the initiator; 32 round trips a sample, timed with the monotonic clock;
// the median one-way latency over PROBE_PER_PAIR (1 ms) a pair; the median over the pairs. The
// loop itself is pingpong.hpp's instructions on amd64 (probe_loop.go: MOV store, MOV load, PAUSE,
// in assembly; the context's probe_loop says which loop ran). Differences from the C++ probe:
// the clock is the vDSO's (one read per 32 round trips, so it does not weigh), and the two OS
// threads are created for each probe (about 0.1 ms, outside the timing). It runs with GOMAXPROCS
// of at least 2 (both sides spin at once).
package main

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

const (
	taintForeignCPU       = 0.10
	taintParallelismShare = 0.80
	procStatTickNs        = 10_000_000
	probePerPair          = time.Millisecond
)

// processCPUNs: CLOCK_PROCESS_CPUTIME_ID, as the C++ harness; getrusage where it fails.
// contextSwitches: the process's context switches so far, voluntary and involuntary, over all its
// threads (getrusage(RUSAGE_SELF) sums them on Linux); -1 where it fails.
func contextSwitches() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return -1
	}
	return ru.Nvcsw + ru.Nivcsw
}

func processCPUNs() int64 {
	var ts syscall.Timespec
	const clockProcessCPUTimeID = 2
	if _, _, e := syscall.RawSyscall(syscall.SYS_CLOCK_GETTIME, clockProcessCPUTimeID,
		uintptr(unsafe.Pointer(&ts)), 0); e == 0 {
		return ts.Nano()
	}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

type cpuTicks struct{ busy, steal, total uint64 }

type procStat struct {
	all    cpuTicks
	cpus   int
	perCPU map[int]cpuTicks
}

func parseTicks(fields []string) (cpuTicks, bool) {
	if len(fields) < 8 {
		return cpuTicks{}, false
	}
	var v [8]uint64
	for i := 0; i < 8; i++ {
		n, err := strconv.ParseUint(fields[i], 10, 64)
		if err != nil {
			return cpuTicks{}, false
		}
		v[i] = n
	}
	return cpuTicks{busy: v[0] + v[1] + v[2] + v[5] + v[6], steal: v[7],
		total: v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7]}, true
}

// parseProcStat: nil when the text has no well-formed "cpu" line.
func parseProcStat(text string) *procStat {
	var st *procStat
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || !strings.HasPrefix(f[0], "cpu") {
			continue
		}
		if f[0] == "cpu" {
			t, ok := parseTicks(f[1:])
			if !ok {
				return nil
			}
			st = &procStat{all: t, perCPU: map[int]cpuTicks{}}
		} else if st != nil {
			st.cpus++
			if id, err := strconv.Atoi(f[0][3:]); err == nil && id >= 0 {
				if t, ok := parseTicks(f[1:]); ok {
					st.perCPU[id] = t
				}
			}
		}
	}
	return st
}

func ticksOf(st *procStat, allowed []int) (cpuTicks, bool) {
	if len(allowed) == 0 {
		return st.all, true
	}
	var sum cpuTicks
	found := false
	for _, c := range allowed {
		if t, ok := st.perCPU[c]; ok {
			sum.busy += t.busy
			sum.steal += t.steal
			sum.total += t.total
			found = true
		}
	}
	return sum, found
}

func readProcStat() string {
	b, _ := os.ReadFile("/proc/stat")
	return string(b)
}

type interference struct {
	foreignCPU, stealCPU, parallelism, resolutionCPU float64
	parallelismNeeded                                int
	taintForeign, taintParallelism, valid            bool
}

func (in interference) tainted() bool { return in.taintForeign || in.taintParallelism }

func (in interference) label() string {
	if !in.tainted() {
		return ""
	}
	out := "tainted: "
	if in.taintForeign {
		out += fmt.Sprintf("foreign load %.2f CPU, steal %.2f CPU", in.foreignCPU, in.stealCPU)
	}
	if in.taintParallelism {
		if in.taintForeign {
			out += "; "
		}
		out += fmt.Sprintf("parallelism %.2f of %d", in.parallelism, in.parallelismNeeded)
	}
	return out
}

func parallelismNeeded(blocking bool, threads, owners, cpus int) int {
	if blocking {
		return 0
	}
	if cpus < 1 {
		cpus = 1
	}
	if threads+owners < cpus {
		return threads + owners
	}
	return cpus
}

// classify is interference.cpp's classify(): the same rule, the same thresholds.
func classify(before, after string, processCPU, wallNs int64, needed int, allowed []int, tickNs int64) interference {
	r := interference{parallelismNeeded: needed}
	bs, as := parseProcStat(before), parseProcStat(after)
	if bs == nil || as == nil {
		return r
	}
	b, okb := ticksOf(bs, allowed)
	a, oka := ticksOf(as, allowed)
	if !okb || !oka || wallNs <= 0 || a.busy < b.busy || a.steal < b.steal {
		return r
	}
	counted := bs.cpus
	if as.cpus > counted {
		counted = as.cpus
	}
	if len(allowed) > 0 {
		counted = 0
		for _, c := range allowed {
			_, x := bs.perCPU[c]
			_, y := as.perCPU[c]
			if x || y {
				counted++
			}
		}
	}
	wall, tick := float64(wallNs), float64(tickNs)
	busy := float64(a.busy-b.busy) * tick
	r.foreignCPU = math.Max(0, busy-float64(processCPU)) / wall
	r.stealCPU = float64(a.steal-b.steal) * tick / wall
	r.parallelism = float64(processCPU) / wall
	r.resolutionCPU = float64(counted) * tick / wall
	r.taintForeign = r.foreignCPU+r.stealCPU > taintForeignCPU+r.resolutionCPU
	r.taintParallelism = needed > 0 && r.parallelism < float64(needed)*taintParallelismShare
	r.valid = true
	return r
}

// stealPct: the machine's stolen share over the run, as timed_run.cpp's steal_pct.
func stealPct(before, after string) float64 {
	b, a := parseProcStat(before), parseProcStat(after)
	if b == nil || a == nil {
		return 0
	}
	ticks := float64(a.all.total) - float64(b.all.total)
	if ticks <= 0 {
		return 0
	}
	return 100 * (float64(a.all.steal) - float64(b.all.steal)) / ticks
}

// Affinity, read once at start-up, before any thread is pinned.
type cpuMask [16]uint64 // 1024 CPUs

func getAffinity() []int {
	var m cpuMask
	if _, _, e := syscall.RawSyscall(syscall.SYS_SCHED_GETAFFINITY, 0, unsafe.Sizeof(m),
		uintptr(unsafe.Pointer(&m))); e != 0 {
		return nil
	}
	var cpus []int
	for i := 0; i < len(m)*64; i++ {
		if m[i/64]&(1<<uint(i%64)) != 0 {
			cpus = append(cpus, i)
		}
	}
	return cpus
}

var allowedCPUs = getAffinity()

func allowedCount() int {
	if len(allowedCPUs) == 0 {
		return runtime.NumCPU()
	}
	return len(allowedCPUs)
}

// pinSelf pins the calling OS thread (locked to the calling goroutine by the caller) to cpu.
func pinSelf(cpu int) bool {
	var m cpuMask
	if cpu < 0 || cpu >= len(m)*64 {
		return false
	}
	m[cpu/64] |= 1 << uint(cpu%64)
	_, _, e := syscall.RawSyscall(syscall.SYS_SCHED_SETAFFINITY, 0, unsafe.Sizeof(m), uintptr(unsafe.Pointer(&m)))
	return e == 0
}

type logicalCPU struct{ id, pkg, core int }

func readInt(path string) (int, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	return n, err == nil
}

// readTopology: /sys/devices/system/cpu/cpuN/topology, in CPU order (topology.cpp).
func readTopology() []logicalCPU {
	entries, _ := os.ReadDir("/sys/devices/system/cpu")
	var cpus []logicalCPU
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, "cpu") {
			continue
		}
		id, err := strconv.Atoi(name[3:])
		if err != nil {
			continue
		}
		dir := "/sys/devices/system/cpu/" + name + "/topology/"
		pkg, ok1 := readInt(dir + "physical_package_id")
		core, ok2 := readInt(dir + "core_id")
		if !ok1 || !ok2 {
			continue
		}
		cpus = append(cpus, logicalCPU{id, pkg, core})
	}
	sort.Slice(cpus, func(i, j int) bool { return cpus[i].id < cpus[j].id })
	return cpus
}

type cpuPair [2]int

// probePairs is probe.cpp's probe_pairs().
func probePairs(topo []logicalCPU, allowed []int) []cpuPair {
	var pairs []cpuPair
	if len(allowed) <= 4 {
		for i := range allowed {
			for j := i + 1; j < len(allowed); j++ {
				pairs = append(pairs, cpuPair{allowed[i], allowed[j]})
			}
		}
		return pairs
	}
	c0 := allowed[0]
	add := func(cpu int) {
		if cpu == c0 || len(pairs) >= 4 {
			return
		}
		for _, p := range pairs {
			if p == (cpuPair{c0, cpu}) {
				return
			}
		}
		pairs = append(pairs, cpuPair{c0, cpu})
	}
	find := func(id int) *logicalCPU {
		for i := range topo {
			if topo[i].id == id {
				return &topo[i]
			}
		}
		return nil
	}
	first := func(rel func(h, c *logicalCPU) bool) {
		home := find(c0)
		for _, cpu := range allowed {
			if c := find(cpu); home != nil && c != nil && cpu != c0 && rel(home, c) {
				add(cpu)
				return
			}
		}
	}
	first(func(h, c *logicalCPU) bool { return c.pkg == h.pkg && c.core == h.core })
	first(func(h, c *logicalCPU) bool { return c.pkg == h.pkg && c.core != h.core })
	first(func(h, c *logicalCPU) bool { return c.pkg != h.pkg })
	for q := 1; q <= 3; q++ {
		add(allowed[q*len(allowed)/4])
	}
	add(allowed[1])
	add(allowed[len(allowed)-1])
	return pairs
}

func describePairs(pairs []cpuPair) string {
	var parts []string
	for _, p := range pairs {
		parts = append(parts, fmt.Sprintf("%d-%d", p[0], p[1]))
	}
	return strings.Join(parts, ",")
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	mid := len(s) / 2
	if len(s)%2 == 1 {
		return s[mid]
	}
	return (s[mid-1] + s[mid]) / 2
}

// paddedWord: the flag alone on its cache line (offset 64 of a 128-byte object, which Go's
// allocator places 128-aligned), 8-aligned for the 64-bit atomics on every architecture.
type paddedWord struct {
	_ [64]byte
	v uint64
	_ [56]byte
}

const pingpongStop = ^uint64(0)

// pairLatencyNs: the median one-way latency of a cache line bounced between two OS threads
// pinned to pair[0] (the initiator, which times) and pair[1]; 0 if either could not be pinned.
func pairLatencyNs(pair cpuPair, budget time.Duration) float64 {
	return pairLatencyWith(probeLoopUsed, pair, budget)
}

// pairLatencyWith: the same with a given loop (the tests run both).
func pairLatencyWith(loop probeLoop, pair cpuPair, budget time.Duration) float64 {
	flag := &paddedWord{}
	pinned := make(chan bool, 1)
	result := make(chan float64, 1)
	go func() { // the answerer
		runtime.LockOSThread() // never unlocked: the pinned thread exits with this goroutine
		ok := pinSelf(pair[1])
		pinned <- ok
		if ok {
			loop.answer(&flag.v)
		}
	}()
	go func() { // the initiator
		runtime.LockOSThread()
		answererOK := <-pinned
		if !pinSelf(pair[0]) {
			if answererOK {
				atomic.StoreUint64(&flag.v, pingpongStop)
			}
			result <- 0
			return
		}
		if !answererOK {
			result <- 0
			return
		}
		const rounds = 32
		n := loop.trips(&flag.v, 0, rounds) // warm up
		samples := make([]float64, 0, 1<<14)
		end := mono() + int64(budget)
		for t0 := mono(); t0 < end && len(samples) < cap(samples); {
			n = loop.trips(&flag.v, n, rounds)
			t1 := mono()
			samples = append(samples, float64(t1-t0)/(2*rounds))
			t0 = t1
		}
		atomic.StoreUint64(&flag.v, pingpongStop)
		result <- median(samples)
	}()
	return <-result
}

type probeResult struct {
	pairNs   []float64
	medianNs float64
}

// runProbe takes the probe over every pair, with GOMAXPROCS raised to 2 meanwhile if lower.
func runProbe(pairs []cpuPair) probeResult {
	if len(pairs) == 0 {
		return probeResult{}
	}
	if old := runtime.GOMAXPROCS(0); old < 2 {
		runtime.GOMAXPROCS(2)
		defer runtime.GOMAXPROCS(old)
	}
	var r probeResult
	var measured []float64
	for _, p := range pairs {
		ns := pairLatencyNs(p, probePerPair)
		r.pairNs = append(r.pairNs, ns)
		if ns > 0 {
			measured = append(measured, ns)
		}
	}
	r.medianNs = median(measured)
	return r
}

// Peak RSS, as timed_run.cpp: reset the high-water mark (clear_refs 5), read VmHWM after.
func resetPeakRSS() bool {
	f, err := os.OpenFile("/proc/self/clear_refs", os.O_WRONLY, 0)
	if err != nil {
		return false
	}
	_, werr := f.WriteString("5")
	return f.Close() == nil && werr == nil
}

func peakRSSMB() float64 {
	if f, err := os.Open("/proc/self/status"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			var kb float64
			if n, _ := fmt.Sscanf(sc.Text(), "VmHWM: %f kB", &kb); n == 1 {
				return kb / 1024
			}
		}
	}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		return float64(ru.Maxrss) / 1024
	}
	return 0
}
