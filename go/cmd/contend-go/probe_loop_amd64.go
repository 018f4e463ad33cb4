// The probe's loop on amd64: pingpong.hpp's instructions, in assembly (probe_loop_amd64.s).
package main

import "runtime"

// cppRoundTrips runs up to rounds round trips from ball n: stores n+1, waits (MOV load, PAUSE)
// for n+2, and so on. It returns the next ball and the rounds left: 0, unless a wait ran out of
// budget pauses; then next-1 is out, next is the ball still awaited and left counts its round.
//
//go:noescape
func cppRoundTrips(flag *uint64, n uint64, rounds int, budget uint64) (next uint64, left int)

// cppAwait waits (MOV load, PAUSE) up to budget pauses for the flag to read want.
//
//go:noescape
func cppAwait(flag *uint64, want uint64, budget uint64) bool

// cppAnswer returns every ball (odd value v: stores v+1) until it reads pingpongStop (true) or
// one wait runs out of budget pauses (false: call again).
//
//go:noescape
func cppAnswer(flag *uint64, budget uint64) bool

var cppPingpongLoop = probeLoop{
	name: "cpp_pingpong",
	trips: func(flag *uint64, n uint64, rounds int) uint64 {
		for {
			next, left := cppRoundTrips(flag, n, rounds, probeSpinBudget)
			if left == 0 {
				return next
			}
			yieldUntil(func() bool { return cppAwait(flag, next, probeSpinBudget) })
			n, rounds = next, left-1
		}
	},
	answer: func(flag *uint64) {
		for !cppAnswer(flag, probeSpinBudget) {
			runtime.Gosched()
		}
	},
}

var probeLoopUsed = cppPingpongLoop
