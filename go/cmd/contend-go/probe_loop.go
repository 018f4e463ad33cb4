// The placement probe's ping-pong loop, one per architecture, so that Go's probe reads on the
// C++ probe's scale. The C++ loop (benchmarks/pingpong.hpp) stores with release order (a plain MOV
// on x86), loads with acquire order (a plain MOV) and runs PAUSE (Backoff::cpu_relax) between
// loads while it waits. Go's sync/atomic has no release store (atomic.Store is an XCHG on amd64: a
// locked, fully fenced store) and no pause hint, and a fenced store followed by a spin without
// PAUSE bounces the line at another rate: measured on a Zen 5 guest, the fast placement read
// ~33 ns in C++ and 55-70 ns in Go. So on amd64 the initiator's round trips and the answerer's
// loop are assembly (probe_loop_amd64.s: MOV store, MOV load, PAUSE, the instructions g++ emits
// for pingpong.hpp), and the context says which loop a file's probes ran (probe_loop:
// "cpp_pingpong"); elsewhere they are the pure-Go loop below ("go_atomic", the loop every file
// without the key ran).
//
// One thing the assembly adds: Go cannot preempt a goroutine inside an assembly function, and a
// stop-the-world (a GC phase) waits for every running goroutine, so a side that spun there
// unboundedly while the other was stopped would never let the world stop. Each wait therefore
// gives up after probeSpinBudget pauses (a count and a decrement beside the PAUSE, off the path
// the cache line takes), returns to Go, yields (runtime.Gosched: a preemption point) and waits
// on. A probe's waits last a few pauses; the budget runs out only when the other side has been
// descheduled for far longer, and that round trip's time is kept as C++ keeps it.
package main

import (
	"runtime"
	"sync/atomic"
)

// probeSpinBudget: pauses in one wait before it yields (about 0.1-1 ms: a PAUSE takes 10 to 140
// cycles by CPU).
const probeSpinBudget = 1 << 14

// probeLoop is one implementation of the ping-pong's two sides on one flag word (odd: the ball is
// with the answerer; even: with the initiator; pingpongStop: the end).
type probeLoop struct {
	name string // the context's probe_loop
	// trips: rounds round trips from ball n (even); returns the next n.
	trips func(flag *uint64, n uint64, rounds int) uint64
	// answer returns every ball until the initiator stores pingpongStop.
	answer func(flag *uint64)
}

// goAtomicLoop: the pure-Go loop (sync/atomic: Store is XCHG on amd64; no pause in the spin).
var goAtomicLoop = probeLoop{
	name: "go_atomic",
	trips: func(flag *uint64, n uint64, rounds int) uint64 {
		for i := 0; i < rounds; i++ {
			atomic.StoreUint64(flag, n+1)
			for atomic.LoadUint64(flag) != n+2 {
			}
			n += 2
		}
		return n
	},
	answer: func(flag *uint64) {
		for {
			seen := atomic.LoadUint64(flag)
			for ; seen%2 == 0; seen = atomic.LoadUint64(flag) {
			}
			if seen == pingpongStop {
				return
			}
			atomic.StoreUint64(flag, seen+1)
		}
	},
}

// yieldUntil waits, from Go, for a wait that ran out of budget: await(budget) spins again and
// reports whether it saw what it waits for.
func yieldUntil(await func() bool) {
	for !await() {
		runtime.Gosched()
	}
}
