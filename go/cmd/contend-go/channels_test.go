// The channels family's own code: the producer/consumer exchange and the ping-pong, with their
// self-checks. Between the producers' channel and the consumers' the tests put a relay that
// passes every item on, or loses one, or passes one twice, or changes one (the count stays right,
// the sum does not): the run must pass with the first and fail its self-check with the others.
// Then every registered channel benchmark, locked and _sched rows, runs briefly and must pass.
package main

import (
	"strings"
	"testing"
)

// relay copies in to out, applying fault to the n-th item (0-based); it closes out when in is
// closed and drained, as the benchmark's one channel would be.
func relay(in <-chan uint64, out chan<- uint64, fault func(n int, v uint64) []uint64) {
	n := 0
	for v := range in {
		for _, w := range fault(n, v) {
			out <- w
		}
		n++
	}
	close(out)
}

var faults = map[string]func(n int, v uint64) []uint64{
	"faithful": func(n int, v uint64) []uint64 { return []uint64{v} },
	"loses": func(n int, v uint64) []uint64 {
		if n == 5 {
			return nil
		}
		return []uint64{v}
	},
	"duplicates": func(n int, v uint64) []uint64 {
		if n == 5 {
			return []uint64{v, v}
		}
		return []uint64{v}
	},
	"changes": func(n int, v uint64) []uint64 {
		if n == 5 {
			return []uint64{v + 1}
		}
		return []uint64{v}
	},
}

func TestExchangeSelfCheckCatchesAFaultyChannel(t *testing.T) {
	opts = Options{runMs: 2, think: 1}
	for name, fault := range faults {
		for _, tc := range []struct {
			T, producers, capacity int
		}{{2, 1, 0}, {3, 2, 64}, {4, 2, 8}} {
			in, out := make(chan uint64, tc.capacity), make(chan uint64, tc.capacity)
			go relay(in, out, fault)
			rep := exchange(tc.T, tc.producers, in, out, false)
			failed := strings.HasPrefix(rep.Error, "self-check failed:")
			if failed != (name != "faithful") {
				t.Errorf("a channel that %s items, %d goroutines (%d producers), capacity %d: error %q",
					name, tc.T, tc.producers, tc.capacity, rep.Error)
			}
			if rep.Counters["ops"] < 6 && name == "faithful" {
				t.Errorf("faithful relay: %v items received, at least one batch of 16 expected", rep.Counters["ops"])
			}
		}
	}
}

func TestPingpongSelfCheckCatchesAWrongReply(t *testing.T) {
	opts = Options{runMs: 2, think: 1}
	for name, fault := range faults {
		if name == "loses" || name == "duplicates" {
			continue // a lost reply blocks the initiator for good, a duplicate answers the next round
		}
		ping, pongSend, pongRecv := make(chan uint64), make(chan uint64), make(chan uint64)
		go relay(pongSend, pongRecv, fault)
		rep := pingpong(ping, pongSend, pongRecv, false)
		close(pongSend)
		if failed := rep.Error != ""; failed != (name != "faithful") {
			t.Errorf("a pong channel that %s replies: error %q", name, rep.Error)
		}
	}
}

// Every channel benchmark (both rows of each design, every capacity class, quick or not) runs,
// passes its self-check and moves items; the locked rows say so, the _sched rows too.
func TestEveryChannelBenchmarkRuns(t *testing.T) {
	opts = Options{threads: []int{1, 2, 4}, runMs: 2, think: 1}
	defer func() { opts = Options{} }()
	seen := map[string]bool{}
	for _, b := range channelBenches() {
		for _, T := range b.threads {
			rep := b.fn(T)
			name := b.workload + "/" + b.impl
			seen[b.impl] = true
			if rep.Error != "" || rep.Counters["ops"] <= 0 {
				t.Errorf("%s at %d: ops %v, error %q", name, T, rep.Counters["ops"], rep.Error)
			}
			if locked := rep.Counters["go_locked"] == 1; locked != b.locked || locked == strings.HasSuffix(b.impl, "_sched") {
				t.Errorf("%s at %d: go_locked %v", name, T, rep.Counters["go_locked"])
			}
		}
	}
	for _, impl := range []string{"go_chan_buffered", "go_chan_buffered_sched", "go_chan_unbuffered", "go_chan_unbuffered_sched"} {
		if !seen[impl] {
			t.Errorf("no %s benchmark", impl)
		}
	}
}
