// The benchmarks of each family and the driver that runs their repetitions.
package main

import (
	"fmt"
	"io"
	"runtime"
	"time"

	"contend/go/designs"
)

// Bench is one registered benchmark: family/workload/impl at each of its thread counts; fn runs
// one repetition at T goroutines. A locked benchmark (the hand-off and owner designs' plain rows:
// go/README.md) runs its goroutines and its design's owners on OS threads of their own
// (RunInfo.Locked), with GOMAXPROCS = T + owners so that all of them can run at once; the others
// (and the same designs' <impl>_sched rows) leave placement to Go's scheduler with
// GOMAXPROCS = min(T, allowed CPUs).
type Bench struct {
	family, workload, impl string
	threads                []int
	fn                     func(T int) *Rep
	locked                 bool
	owners                 int // goroutines the design starts (owner_threads), locked too
}

// gomaxprocs: the Ps a repetition at T goroutines runs with.
func (b Bench) gomaxprocs(T int) int {
	if b.locked {
		return T + b.owners
	}
	if n := allowedCount(); T > n {
		return n
	}
	return T
}

// rowNames: the benchmarks (by family/workload/impl) whose rows are not named
// family/workload/impl/real_time/threads:T but as bench_poller's
// (.../resources:R/workers:W/iterations:1/real_time, with threads 1): the name for T.
var rowNames = map[string]func(T int) string{}

// rowName: the result rows' name of b at T goroutines and their "threads" field.
func rowName(b Bench, T int) (string, int) {
	if name := rowNames[b.family+"/"+b.workload+"/"+b.impl]; name != nil {
		return name(T), 1
	}
	return fmt.Sprintf("%s/%s/%s/real_time/threads:%d", b.family, b.workload, b.impl, T), T
}

func register(family string) []Bench {
	switch family {
	case "counters":
		return counterBenches()
	case "maps":
		return mapBenches()
	case "stacks":
		return stackBenches()
	case "channels":
		return channelBenches()
	case "false_sharing":
		return falseSharingBenches()
	case "poller":
		return pollerBenches()
	}
	return nil
}

func runNs() int64 { return int64(opts.runMs * 1e6) }

// runAll runs every repetition of every benchmark, in Google Benchmark's order (a benchmark's
// thread counts in turn, each one's repetitions back to back). Before each repetition, as the
// C++ Setup callback: a garbage collection (so that no run inherits another's garbage), the
// placement probe, then the benchmark's GOMAXPROCS (Bench.gomaxprocs).
func runAll(benches []Bench, o Options, progress io.Writer) []Entry {
	var entries []Entry
	defer runtime.GOMAXPROCS(defaultGOMAXPROCS)
	for fi, b := range benches {
		for ii, T := range b.threads {
			name, threads := rowName(b, T)
			for r := 0; r < o.repetitions; r++ {
				runtime.GOMAXPROCS(defaultGOMAXPROCS)
				runtime.GC()
				quality.lastProbe = runProbe(quality.pairs)
				runtime.GOMAXPROCS(b.gomaxprocs(T))
				started := time.Now()
				rep := b.fn(T)
				status := ""
				if rep.Error != "" {
					status = " ERROR: " + rep.Error
				} else if rep.Label != "" {
					status = " (" + rep.Label + ")"
				}
				fmt.Fprintf(progress, "go_%s: %s rep %d/%d %.0f ops/s %.0f ms%s\n", o.family, name, r+1,
					o.repetitions, rep.Counters["ops_per_sec"], float64(time.Since(started))/1e6, status)
				entries = append(entries, Entry{Name: name, FamilyIndex: fi, InstanceIndex: ii,
					Repetitions: o.repetitions, RepetitionIndex: r, Threads: threads, Rep: rep})
			}
		}
	}
	return entries
}

func closeIf(d interface{}) {
	if c, ok := d.(designs.Closer); ok {
		c.Close()
	}
}

func infoOf(d interface{}) RunInfo {
	i := designs.InfoOf(d)
	return RunInfo{Owners: i.OwnerGoroutines, Blocking: i.Blocking}
}

// atLeast: the sweep's counts of at least min.
func atLeast(min int) []int {
	var out []int
	for _, t := range opts.threads {
		if t >= min {
			out = append(out, t)
		}
	}
	return out
}

// from: the sweep's counts from first on, with first itself whenever the sweep goes past it
// (bench_channels.cpp's threads_from).
func from(first int) []int {
	out := atLeast(first)
	if len(out) > 0 && out[0] != first {
		out = append([]int{first}, out...)
	}
	return out
}

// ---- counters (bench_counters.cpp) ----

type counterMaker struct {
	name   string
	make   func() designs.Counter
	locked bool // go_chan: the client goroutines and the owner on OS threads of their own
}

// go_chan twice: locked, and go_chan_sched where Go's scheduler places the goroutines (it runs a
// woken goroutine on its waker's P, so the rendezvous mostly stays on one CPU).
var counterDesigns = []counterMaker{
	{"go_mutex", func() designs.Counter { return designs.NewMutexCounter() }, false},
	{"go_atomic", func() designs.Counter { return designs.NewAtomicCounter() }, false},
	{"go_chan", func() designs.Counter { return designs.NewChanCounterWithOwner(runtime.LockOSThread) }, true},
	{"go_chan_sched", func() designs.Counter { return designs.NewChanCounter() }, false},
	{"go_sharded_padded", func() designs.Counter { return designs.NewShardedPadded(0) }, false},
	{"go_sharded_packed", func() designs.Counter { return designs.NewShardedPacked(0) }, false},
}

type mix int

const (
	mixIncrement mix = iota
	mixThink
	mixReadHeavy
)

const readsPerIncrement = 9

// localWork: n steps of a dependent LCG (local_work.hpp), private work between shared operations.
func localWork(x uint64, n int) uint64 {
	for i := 0; i < n; i++ {
		x = x*6364136223846793005 + 1442695040888963407
	}
	return x
}

func counterRun(mk func() designs.Counter, m mix, locked bool) func(T int) *Rep {
	return func(T int) *Rep {
		c := mk()
		slotted, _ := c.(designs.Slotted)
		sinks := make([]uint64, T)
		work := func(g int, deadline int64, s *Sampler) (uint64, Role) {
			inc := c.Increment
			if slotted != nil {
				inc = func() { slotted.IncrementAt(g) }
			}
			switch m {
			case mixThink:
				seed := uint64(1)
				n := repeatUntil(deadline, 8, s, func() {
					inc()
					seed = localWork(seed, opts.think)
				})
				sinks[g] = seed
				return n, Worker
			case mixReadHeavy:
				var sum int64
				rounds := repeatUntil(deadline, 1, s, func() {
					inc()
					for r := 0; r < readsPerIncrement; r++ {
						sum += c.Get()
					}
				})
				sinks[g] = uint64(sum)
				return rounds * (1 + readsPerIncrement), Worker
			default:
				return repeatUntil(deadline, 64, s, inc), Worker
			}
		}
		// settle: a Get waits out nothing for these designs (every Increment has been applied
		// when it returns) but is kept as the C++ harness's.
		info := infoOf(c)
		info.Locked = locked
		run := timedRun(T, info, runNs(), work, func() { c.Get() })
		rep := run.Report()
		ops := run.TotalOps()
		increments := ops
		if m == mixReadHeavy {
			increments = ops / (1 + readsPerIncrement)
		}
		seen := c.Get()
		rep.Check(seen >= 0 && uint64(seen) == increments,
			fmt.Sprintf("counter reads %d after %d increments", seen, increments))
		closeIf(c)
		return rep
	}
}

func counterBenches() []Bench {
	var out []Bench
	for _, d := range counterDesigns {
		owners := 0
		if d.locked {
			owners = 1 // go_chan's owner
		}
		for _, w := range []struct {
			name string
			m    mix
		}{{"increment", mixIncrement}, {fmt.Sprintf("think%d", opts.think), mixThink}, {"read_heavy", mixReadHeavy}} {
			out = append(out, Bench{family: "counters", workload: w.name, impl: d.name, threads: opts.threads,
				fn: counterRun(d.make, w.m, d.locked), locked: d.locked, owners: owners})
		}
	}
	return out
}

// ---- false sharing (bench_false_sharing.cpp) ----

func falseSharingBenches() []Bench {
	var out []Bench
	for _, kind := range []string{"atomic", "plain"} {
		for _, layout := range []string{"packed", "pad64", "pad128"} {
			kind, layout := kind, layout
			// The names spelled whole: scripts/contend_lib/designs.py finds every design by its name.
			name := map[string]string{"packed": "go_packed", "pad64": "go_pad64", "pad128": "go_pad128"}[layout]
			out = append(out, Bench{family: "false_sharing", workload: kind, impl: name, threads: opts.threads, fn: func(T int) *Rep {
				slots := designs.NewSlots(layout, T)
				run := timedRun(T, RunInfo{}, runNs(), func(g int, deadline int64, s *Sampler) (uint64, Role) {
					p := slots.Slot(g)
					if kind == "atomic" {
						return repeatUntil(deadline, 256, s, func() { atomicAdd(p) }), Worker
					}
					return repeatUntil(deadline, 256, s, func() { *p++ }), Worker
				}, nil)
				rep := run.Report()
				sum := slots.Sum(T)
				rep.Check(sum == run.TotalOps(), fmt.Sprintf("slots sum to %d", sum))
				return rep
			}})
		}
	}
	return out
}
