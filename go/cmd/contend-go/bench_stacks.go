// stacks/<workload>/<impl>, as bench_stacks.cpp:
//
//	pairs     every goroutine pushes then pops, over and over (the top is always contended);
//	          every push and every successful pop is an operation;
//	prodcons  half the goroutines push (64 at a time, backing off with runtime.Gosched while the
//	          backlog passes 64k values), half pop (64 at a time); an item counts once, when
//	          popped, and fairness compares the producers only. From 2 goroutines.
//
// Self-check: what was popped (during the run and in a final drain) adds up, by count and by
// sum, to what was pushed.
// Extra counter, as bench_stacks.cpp's: lock_run_length (go_mutex) operations per change of lock
// owner, how many operations in a row one goroutine performs while the lock's line stays in its
// cache. Counted under the lock (designs.LockRunLength: a compare and two increments, the
// goroutine naming itself with PushBy/PopBy since Go has no goroutine id), so the go_mutex rows
// carry that small cost, as the C++ mutex rows do.
package main

import (
	"fmt"
	"runtime"
	"sync/atomic"

	"contend/go/designs"
)

type stackMaker struct {
	name string
	make func() designs.Stack
}

var stackDesigns = []stackMaker{
	{"go_mutex", func() designs.Stack { return designs.NewMutexStackProbed() }},
	{"go_treiber", func() designs.Stack { return designs.NewTreiberStack() }},
}

func stackRun(mk func() designs.Stack, prodcons bool) func(T int) *Rep {
	return func(T int) *Rep {
		st := mk()
		probed, _ := st.(*designs.MutexStack)
		var pushed, popped, pushedSum, poppedSum atomic.Uint64
		var backlog atomic.Int64
		producers := 0
		if prodcons {
			producers = T / 2
		}
		work := func(g int, deadline int64, s *Sampler) (uint64, Role) {
			next := uint64(g) << 40
			var pushes, pops, pushSum, popSum uint64
			push := func() {
				if probed != nil {
					probed.PushBy(g, next)
				} else {
					st.Push(next)
				}
				pushSum += next
				next++
				pushes++
			}
			pop := func() {
				var v uint64
				var ok bool
				if probed != nil {
					v, ok = probed.PopBy(g)
				} else {
					v, ok = st.Pop()
				}
				if ok {
					popSum += v
					pops++
				}
			}
			role := Worker
			switch {
			case !prodcons:
				repeatUntil(deadline, 16, s, func() {
					push()
					pop()
				})
			case g < producers:
				role = Producer
				repeatUntil(deadline, 1, s, func() {
					if backlog.Load() > 1<<16 {
						runtime.Gosched()
						return
					}
					for i := 0; i < 64; i++ {
						push()
					}
					backlog.Add(64)
				})
			default:
				role = Consumer
				repeatUntil(deadline, 1, s, func() {
					before := pops
					for i := 0; i < 64; i++ {
						pop()
					}
					backlog.Add(-int64(pops - before))
				})
			}
			pushed.Add(pushes)
			popped.Add(pops)
			pushedSum.Add(pushSum)
			poppedSum.Add(popSum)
			switch role {
			case Producer:
				return pushes, Producer
			case Consumer:
				return pops, Consumer
			}
			return pushes + pops, Worker
		}
		info := infoOf(st)
		if prodcons {
			info.Producers, info.Consumers = producers, T-producers
		}
		run := timedRun(T, info, runNs(), work, nil)
		rep := run.Report()
		if probed != nil { // before the drain, whose pops are not the run's
			rep.Counters["lock_run_length"] = probed.Runs().RunLength()
		}
		n, sum := popped.Load(), poppedSum.Load()
		for v, ok := st.Pop(); ok; v, ok = st.Pop() {
			n++
			sum += v
		}
		rep.Check(n == pushed.Load() && sum == pushedSum.Load(),
			fmt.Sprintf("%d pushed but %d popped", pushed.Load(), n))
		return rep
	}
}

func stackBenches() []Bench {
	var out []Bench
	for _, d := range stackDesigns {
		out = append(out,
			Bench{family: "stacks", workload: "pairs", impl: d.name, threads: opts.threads, fn: stackRun(d.make, false)},
			Bench{family: "stacks", workload: "prodcons", impl: d.name, threads: atLeast(2), fn: stackRun(d.make, true)})
	}
	return out
}
