// channels/<workload>/<impl>, as bench_channels.cpp, on Go's own channels of uint64:
//
//	spsc-*   1 producer, 1 consumer (threads:2)
//	mpsc-*   T-1 producers, 1 consumer; from 3 goroutines
//	mpmc-*   T/2 producers, the rest consumers; from 4 goroutines
//	*-small / *-large: capacity 64 / 8192 (go_chan_buffered; --quick runs small only).
//	go_chan_unbuffered (capacity 0: every send is a rendezvous) runs in the -small workloads
//	only, beside the small bounded C++ channels: its impl name says its capacity.
//	pingpong two goroutines bounce one value over two channels (go_chan_buffered: capacity 64
//	         as the C++ pingpong; go_chan_unbuffered: 0); ns_per_op is the one-way hand-off
//	         latency, to hold against baseline/pingpong/cache_line.
//
// Producers send until the deadline, the last one closes the channel, consumers drain it (range):
// an item counts when received, and the run's time includes the drain. Self-check: every item
// sent was received, by count and by sum. Channels park their goroutines: blocking.
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

func exchangeRun(sh shape, capacity int) func(T int) *Rep {
	return func(T int) *Rep {
		ch := make(chan uint64, capacity)
		producers := producersFor(sh, T)
		var sent, received, sentSum, receivedSum atomic.Uint64
		var producersLeft atomic.Int64
		producersLeft.Store(int64(producers))
		work := func(g int, deadline int64, s *Sampler) (uint64, Role) {
			var count, sum uint64
			if g < producers {
				next := uint64(g) << 40
				count = repeatUntil(deadline, 16, s, func() {
					ch <- next
					sum += next
					next++
				})
				sent.Add(count)
				sentSum.Add(sum)
				if producersLeft.Add(-1) == 0 { // the last producer closes, after every send
					close(ch)
				}
				return count, Producer
			}
			for v := range ch {
				sum += v
				count++
			}
			received.Add(count)
			receivedSum.Add(sum)
			return count, Consumer
		}
		run := timedRun(T, RunInfo{Producers: producers, Consumers: T - producers, Blocking: true}, runNs(), work, nil)
		rep := run.Report()
		rep.Check(sent.Load() == received.Load() && sentSum.Load() == receivedSum.Load(),
			fmt.Sprintf("%d sent but %d received", sent.Load(), received.Load()))
		return rep
	}
}

func pingpongRun(capacity int) func(T int) *Rep {
	return func(T int) *Rep {
		ping, pong := make(chan uint64, capacity), make(chan uint64, capacity)
		var mismatch atomic.Bool
		work := func(g int, deadline int64, s *Sampler) (uint64, Role) {
			if g == 0 {
				i := uint64(0)
				rounds := repeatUntil(deadline, 32, s, func() {
					i++
					ping <- i
					if <-pong != i {
						mismatch.Store(true)
					}
				})
				close(ping)
				return 2 * rounds, Worker // two one-way hand-offs per round trip
			}
			for v := range ping {
				pong <- v
			}
			return 0, Consumer
		}
		run := timedRun(T, RunInfo{Blocking: true}, runNs(), work, nil)
		rep := run.Report()
		rep.Check(!mismatch.Load(), "a reply did not match its request")
		return rep
	}
}

func channelBenches() []Bench {
	var out []Bench
	type variant struct {
		impl, suffix string
		capacity     int
	}
	variants := []variant{{"go_chan_buffered", "small", smallCapacity}}
	if !opts.quick {
		variants = append(variants, variant{"go_chan_buffered", "large", largeCapacity})
	}
	variants = append(variants, variant{"go_chan_unbuffered", "small", 0})
	for _, v := range variants {
		out = append(out,
			Bench{"channels", "spsc-" + v.suffix, v.impl, []int{2}, exchangeRun(spsc, v.capacity)},
			Bench{"channels", "mpsc-" + v.suffix, v.impl, from(3), exchangeRun(mpsc, v.capacity)},
			Bench{"channels", "mpmc-" + v.suffix, v.impl, from(4), exchangeRun(mpmc, v.capacity)})
	}
	out = append(out,
		Bench{"channels", "pingpong", "go_chan_buffered", []int{2}, pingpongRun(smallCapacity)},
		Bench{"channels", "pingpong", "go_chan_unbuffered", []int{2}, pingpongRun(0)})
	// A benchmark with no thread count (mpsc under --threads=1,2) is left out, as in C++.
	kept := out[:0]
	for _, b := range out {
		if len(b.threads) > 0 {
			kept = append(kept, b)
		}
	}
	return kept
}
