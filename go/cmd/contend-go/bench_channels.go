// channels/<workload>/<impl>, as bench_channels.cpp, on Go's own channels of uint64:
//
//	spsc-*   1 producer, 1 consumer (threads:2)
//	mpsc-*   T-1 producers, 1 consumer; from 3 goroutines
//	mpmc-*   T/2 producers, the rest consumers; from 4 goroutines
//	*-small / *-large: capacity 64 / 8192, go_chan_buffered (--quick runs small only), as the
//	         C++ channels of those capacities.
//	*-unbuffered: capacity 0, go_chan_unbuffered (every send a rendezvous with a receiver): a
//	         capacity class of its own, which no C++ design has, so that a rendezvous is never
//	         ranked among the buffered channels of the -small rows. Go-only workloads.
//	pingpong two goroutines bounce one value over two channels (go_chan_buffered: capacity 64
//	         as the C++ pingpong; go_chan_unbuffered: 0); ns_per_op is the one-way hand-off
//	         latency, to hold against baseline/pingpong/cache_line. With one item in flight the
//	         capacity does not change the hand-off (the receiver always waits on an empty
//	         channel), so both rows stand beside the C++ pingpong rows.
//
// Every design has two rows. The plain name (go_chan_buffered, go_chan_unbuffered) runs each
// goroutine locked to an OS thread of its own and pinned to a CPU of its own while they fit
// (RunInfo.Locked, harness.go), with GOMAXPROCS = T: the hand-off crosses cores, as the C++
// threads' does. <impl>_sched leaves placement to Go's scheduler (GOMAXPROCS = min(T, CPUs)),
// which runs a woken goroutine on its waker's P (runnext), so that hand-offs mostly stay on one
// CPU: what Go programs get by default, but not the C++ experiment.
//
// Producers send until the deadline, the last one closes the channel, consumers drain it (range):
// an item counts when received, and the run's time includes the drain. Self-check: every item
// sent was received, by count and by sum (pingpong: every reply is its request). Channels park
// their goroutines: blocking.
package main

import (
	"fmt"
	"sync/atomic"
)

const smallCapacity, largeCapacity = 64, 8192

type shape int

const (
	spsc shape = iota
	mpsc
	mpmc
)

func producersFor(sh shape, T int) int {
	switch sh {
	case mpsc:
		return T - 1
	case mpmc:
		return T / 2
	}
	return 1
}

func exchangeRun(sh shape, capacity int, locked bool) func(T int) *Rep {
	return func(T int) *Rep {
		ch := make(chan uint64, capacity)
		return exchange(T, producersFor(sh, T), ch, ch, locked)
	}
}

// exchange runs one repetition: producers send on in, consumers receive from out until it is
// closed. The benchmark passes one channel as both; the tests put a relay between the two, which
// may lose or invent items, to see the self-check catch it. The last producer closes in.
func exchange(T, producers int, in chan<- uint64, out <-chan uint64, locked bool) *Rep {
	var sent, received, sentSum, receivedSum atomic.Uint64
	var producersLeft atomic.Int64
	producersLeft.Store(int64(producers))
	work := func(g int, deadline int64, s *Sampler) (uint64, Role) {
		var count, sum uint64
		if g < producers {
			next := uint64(g) << 40
			count = repeatUntil(deadline, 16, s, func() {
				in <- next
				sum += next
				next++
			})
			sent.Add(count)
			sentSum.Add(sum)
			if producersLeft.Add(-1) == 0 { // the last producer closes, after every send
				close(in)
			}
			return count, Producer
		}
		for v := range out {
			sum += v
			count++
		}
		received.Add(count)
		receivedSum.Add(sum)
		return count, Consumer
	}
	run := timedRun(T, RunInfo{Producers: producers, Consumers: T - producers, Blocking: true, Locked: locked},
		runNs(), work, nil)
	rep := run.Report()
	rep.Check(sent.Load() == received.Load() && sentSum.Load() == receivedSum.Load(),
		fmt.Sprintf("%d sent but %d received (sums %d, %d)", sent.Load(), received.Load(), sentSum.Load(),
			receivedSum.Load()))
	return rep
}

func pingpongRun(capacity int, locked bool) func(T int) *Rep {
	return func(T int) *Rep {
		ping, pong := make(chan uint64, capacity), make(chan uint64, capacity)
		return pingpong(ping, pong, pong, locked)
	}
}

// pingpong runs one repetition: goroutine 0 sends i on ping and waits for it on pongRecv; the
// answerer returns every value it receives on ping to pongSend. The benchmark passes one pong
// channel as both ends; the tests put a relay between them.
func pingpong(ping chan uint64, pongSend chan<- uint64, pongRecv <-chan uint64, locked bool) *Rep {
	var mismatch atomic.Bool
	work := func(g int, deadline int64, s *Sampler) (uint64, Role) {
		if g == 0 {
			i := uint64(0)
			rounds := repeatUntil(deadline, 32, s, func() {
				i++
				ping <- i
				if <-pongRecv != i {
					mismatch.Store(true)
				}
			})
			close(ping)
			return 2 * rounds, Worker // two one-way hand-offs per round trip
		}
		for v := range ping {
			pongSend <- v
		}
		return 0, Consumer
	}
	run := timedRun(2, RunInfo{Blocking: true, Locked: locked}, runNs(), work, nil)
	rep := run.Report()
	rep.Check(!mismatch.Load(), "a reply did not match its request")
	return rep
}

func channelBenches() []Bench {
	type class struct {
		suffix, impl, sched string // the workloads' suffix, the locked row's impl, the _sched row's
		capacity            int
	}
	// The names spelled whole: scripts/contend_lib/designs.py finds every design by its name.
	classes := []class{{"small", "go_chan_buffered", "go_chan_buffered_sched", smallCapacity}}
	if !opts.quick {
		classes = append(classes, class{"large", "go_chan_buffered", "go_chan_buffered_sched", largeCapacity})
	}
	classes = append(classes, class{"unbuffered", "go_chan_unbuffered", "go_chan_unbuffered_sched", 0})
	var out []Bench
	for _, c := range classes {
		for _, sh := range []struct {
			name    string
			s       shape
			threads []int
		}{{"spsc-", spsc, []int{2}}, {"mpsc-", mpsc, from(3)}, {"mpmc-", mpmc, from(4)}} {
			out = append(out,
				Bench{family: "channels", workload: sh.name + c.suffix, impl: c.impl, threads: sh.threads,
					fn: exchangeRun(sh.s, c.capacity, true), locked: true},
				Bench{family: "channels", workload: sh.name + c.suffix, impl: c.sched, threads: sh.threads,
					fn: exchangeRun(sh.s, c.capacity, false)})
		}
	}
	for _, c := range []class{classes[0], classes[len(classes)-1]} { // capacity 64 and 0
		out = append(out,
			Bench{family: "channels", workload: "pingpong", impl: c.impl, threads: []int{2},
				fn: pingpongRun(c.capacity, true), locked: true},
			Bench{family: "channels", workload: "pingpong", impl: c.sched, threads: []int{2},
				fn: pingpongRun(c.capacity, false)})
	}
	// A benchmark with no thread count (mpsc under --threads=1,2) is left out, as in C++.
	kept := out[:0]
	for _, b := range out {
		if len(b.threads) > 0 {
			kept = append(kept, b)
		}
	}
	return kept
}
