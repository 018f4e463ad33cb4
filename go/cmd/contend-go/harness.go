// Time-bounded runs, the C++ protocol (benchmarks/timed_run.hpp) in Go: T goroutines start
// together (they wait on a channel the main goroutine closes once all have arrived: the start
// barrier), work until one shared deadline and count their own operations; the main goroutine
// waits for all of them (the end barrier), lets the design settle (an owner's backlog, inside
// the timed region) and computes the figures from its own clocks: ops_per_sec is the total over
// the wall time, cpu_ns_per_op the process's CPU time (every thread of the Go runtime, the GC's
// included) over the total. What Go adds: gc_cycles and gc_pause_ns (runtime.ReadMemStats
// around the run, outside the timed region: it stops the world) and allocs_per_op (heap
// allocations of the whole process over the run / operations).
//
// Locked runs (RunInfo.Locked: the hand-off and owner designs' plain rows, go/README.md): each
// goroutine locks itself to an OS thread of its own (runtime.LockOSThread, never undone: the
// thread exits with the goroutine, so no pinned thread goes back to the runtime's pool) and, when
// the run has no more goroutines than allowed CPUs, pins that thread to a CPU of its own
// (allowed CPU g for goroutine g), before the start barrier: outside the timed region, as the C++
// threads start on CPUs of their own. With more goroutines than CPUs they stay locked, unpinned,
// and the kernel multiplexes the threads as it does C++'s oversubscribed ones. go_locked and
// go_pinned say which a row's repetition had (go_pinned: every goroutine pinned).
package main

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
)

type Role int

const (
	Worker   Role = iota // counted in the total and in fairness
	Producer             // in fairness only: an item counts once, at its consumer
	Consumer             // in the total only
)

// RunInfo as timed_run.hpp's: goroutines the design starts, producer/consumer roles, and
// whether the design parks by design (its parallelism is then not judged).
type RunInfo struct {
	Owners, Producers, Consumers int
	Blocking                     bool
	Locked                       bool // each goroutine on an OS thread of its own, pinned when they fit
}

// Work is one goroutine's share of a run: it returns its count and its role.
// The probe pairs (fixed for the binary) and the probe the driver took before the current
// repetition.
var quality struct {
	pairs     []cpuPair
	lastProbe probeResult
}

type Work func(g int, deadline int64, s *Sampler) (uint64, Role)

type Run struct {
	threads            int
	info               RunInfo
	ops                []uint64
	roles              []Role
	hists              []*Histogram
	deadline           int64
	wallStart, wallEnd int64
	cpuStart, cpuEnd   int64
	csStart, csEnd     int64 // the process's context switches (contextSwitches)
	statStart, statEnd string
	memStart, memEnd   runtime.MemStats
	rssReset           bool
	peakRSS            float64
	probeAfter         probeResult
	pinFailed          atomic.Bool // a locked goroutine that could not be pinned (or was not: too many)
}

// timedRun runs work on T goroutines until runNs after the start; settle runs once they have
// all stopped, inside the timed region.
func timedRun(T int, info RunInfo, runNs int64, work Work, settle func()) *Run {
	r := &Run{threads: T, info: info, ops: make([]uint64, T), roles: make([]Role, T), hists: make([]*Histogram, T)}
	var arrived, done sync.WaitGroup
	start := make(chan struct{})
	arrived.Add(T)
	done.Add(T)
	for g := 0; g < T; g++ {
		go func(g int) {
			defer done.Done()
			if info.Locked {
				runtime.LockOSThread() // never unlocked: the thread exits with this goroutine
				if T > len(allowedCPUs) || !pinSelf(allowedCPUs[g]) {
					r.pinFailed.Store(true)
				}
			}
			s := &Sampler{}
			arrived.Done()
			<-start // the deadline was written before the close: the close publishes it
			s.start(mono())
			ops, role := work(g, r.deadline, s)
			r.ops[g], r.roles[g], r.hists[g] = ops, role, &s.hist
		}(g)
	}
	arrived.Wait()
	r.begin()
	r.deadline = r.wallStart + runNs
	close(start)
	done.Wait()
	if settle != nil {
		settle()
	}
	r.end()
	return r
}

// begin takes the snapshots at the start of the timed region.
func (r *Run) begin() {
	runtime.ReadMemStats(&r.memStart)
	r.rssReset = resetPeakRSS()
	r.statStart = readProcStat()
	r.csStart = contextSwitches()
	r.cpuStart = processCPUNs()
	r.wallStart = mono()
}

// end takes them at its end, then the probe after the run.
func (r *Run) end() {
	r.wallEnd = mono()
	r.cpuEnd = processCPUNs()
	r.csEnd = contextSwitches()
	r.statEnd = readProcStat()
	r.peakRSS = peakRSSMB()
	runtime.ReadMemStats(&r.memEnd)
	// The sooner after the run, the more surely the probe sees the run's placement; owners are
	// still alive, as in C++ (the workload tears the design down after this returns).
	r.probeAfter = runProbe(quality.pairs)
}

// TotalOps: every count but the producers' (an item counts once, when received).
func (r *Run) TotalOps() uint64 {
	var t uint64
	for i, n := range r.ops {
		if r.roles[i] != Producer {
			t += n
		}
	}
	return t
}

type fairness struct {
	minMax, cv float64
	threads    int
}

// fairnessOf is fairness.hpp's: spread within a role (workers, producers), the worse group.
func fairnessOf(ops []uint64, roles []Role) fairness {
	worst := fairness{minMax: 1}
	any := false
	for _, role := range []Role{Worker, Producer} {
		var counts []float64
		for i := range ops {
			if i < len(roles) && roles[i] == role {
				counts = append(counts, float64(ops[i]))
			}
		}
		if len(counts) == 0 {
			continue
		}
		mean, lo, hi := 0.0, counts[0], counts[0]
		for _, c := range counts {
			mean += c
			lo, hi = math.Min(lo, c), math.Max(hi, c)
		}
		mean /= float64(len(counts))
		v := 0.0
		for _, c := range counts {
			v += (c - mean) * (c - mean)
		}
		v /= float64(len(counts))
		mm := 0.0
		if hi > 0 {
			mm = lo / hi
		}
		cv := 0.0
		if mean > 0 {
			cv = math.Sqrt(v) / mean
		}
		worst.minMax = math.Min(worst.minMax, mm)
		worst.cv = math.Max(worst.cv, cv)
		worst.threads += len(counts)
		any = true
	}
	if !any {
		return fairness{}
	}
	return worst
}

// Rep is one repetition's result: its counters, its label (the taint reason) and its error.
type Rep struct {
	Counters map[string]float64
	Label    string
	Error    string
	RealMs   float64 // wall time of the run
	CPUMs    float64 // process CPU time of the run
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// Report computes the repetition's counters (the C++ names).
func (r *Run) Report() *Rep {
	total := float64(r.TotalOps())
	wall := float64(r.wallEnd - r.wallStart)
	cpu := float64(r.cpuEnd - r.cpuStart)
	per := func(x float64) float64 {
		if total > 0 {
			return x / total
		}
		return 0
	}
	fair := fairnessOf(r.ops, r.roles)
	c := map[string]float64{
		"ops":              total,
		"ops_per_sec":      0,
		"ns_per_op":        per(wall),
		"cpu_ns_per_op":    per(cpu),
		"wall_ms":          wall / 1e6,
		"fairness_min_max": fair.minMax,
		"fairness_cv":      fair.cv,
		"fairness_threads": float64(fair.threads),
		"owner_threads":    float64(r.info.Owners),
		"producers":        float64(r.info.Producers),
		"consumers":        float64(r.info.Consumers),
		"peak_rss_mb":      r.peakRSS,
		"steal_pct":        stealPct(r.statStart, r.statEnd),
		"gc_cycles":        float64(r.memEnd.NumGC - r.memStart.NumGC),
		"gc_pause_ns":      float64(r.memEnd.PauseTotalNs - r.memStart.PauseTotalNs),
		"allocs_per_op":    per(float64(r.memEnd.Mallocs - r.memStart.Mallocs)),
		"gomaxprocs":       float64(runtime.GOMAXPROCS(0)),
		"go_locked":        b2f(r.info.Locked),
		"go_pinned":        b2f(r.info.Locked && !r.pinFailed.Load()),
	}
	// As the C++ context_switches_per_op (a software perf event over every thread): a hand-off
	// whose sides sleep in the kernel costs at least one; goroutines multiplexed on one thread
	// switch in the runtime and cost none (what the analysis's "one core" reads).
	if r.csStart >= 0 && r.csEnd >= 0 {
		c["context_switches_per_op"] = per(float64(r.csEnd - r.csStart))
	}
	if wall > 0 {
		c["ops_per_sec"] = total / wall * 1e9
		c["items_per_second"] = c["ops_per_sec"]
	}
	if !r.rssReset {
		c["peak_rss_process_wide"] = 1
	}
	var h Histogram
	for _, x := range r.hists {
		h.Merge(x)
	}
	if h.samples > 0 {
		c["p50_ns"] = h.Percentile(50)
		c["p90_ns"] = h.Percentile(90)
		c["p99_ns"] = h.Percentile(99)
		c["p99.9_ns"] = h.Percentile(99.9)
		c["max_ns"] = float64(h.max)
		c["latency_samples"] = float64(h.samples)
	}
	in := classify(r.statStart, r.statEnd, r.cpuEnd-r.cpuStart, r.wallEnd-r.wallStart,
		parallelismNeeded(r.info.Blocking, r.threads, r.info.Owners, allowedCount()), allowedCPUs, procStatTickNs)
	c["foreign_cpu"] = in.foreignCPU
	c["steal_cpu"] = in.stealCPU
	c["parallelism"] = in.parallelism
	c["parallelism_needed"] = float64(in.parallelismNeeded)
	c["foreign_resolution_cpu"] = in.resolutionCPU
	c["tainted"] = b2f(in.tainted())
	c["taint_foreign"] = b2f(in.taintForeign)
	c["taint_parallelism"] = b2f(in.taintParallelism)
	rep := &Rep{Counters: c, Label: in.label(), RealMs: wall / 1e6, CPUMs: cpu / 1e6}
	rep.AddProbes(quality.pairs, quality.lastProbe, r.probeAfter)
	return rep
}

// AddProbes sets probe_ns, probe_ns_<a>_<b>, probe_after_ns, probe_after_ns_<a>_<b> and the
// placement wait counters (no --placement here: never a wait, never a miss).
func (rep *Rep) AddProbes(pairs []cpuPair, before, after probeResult) {
	for _, x := range []struct {
		prefix string
		p      probeResult
	}{{"probe_ns", before}, {"probe_after_ns", after}} {
		rep.Counters[x.prefix] = x.p.medianNs
		for i, pair := range pairs {
			if i < len(x.p.pairNs) {
				rep.Counters[fmt.Sprintf("%s_%d_%d", x.prefix, pair[0], pair[1])] = x.p.pairNs[i]
			}
		}
	}
	rep.Counters["placement_wait_ms"] = 0
	rep.Counters["placement_missed"] = 0
}

// Check fails the repetition (error_occurred) when a self-check does not hold.
func (rep *Rep) Check(ok bool, what string) {
	if !ok && rep.Error == "" {
		rep.Error = "self-check failed: " + what
	}
}
