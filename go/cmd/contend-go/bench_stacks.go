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
	{"go_mutex", func() designs.Stack { return designs.NewMutexStack() }},
	{"go_treiber", func() designs.Stack { return designs.NewTreiberStack() }},
}

func stackRun(mk func() designs.Stack, prodcons bool) func(T int) *Rep {
	return func(T int) *Rep {
		st := mk()
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
				st.Push(next)
				pushSum += next
				next++
				pushes++
			}
			pop := func() {
				if v, ok := st.Pop(); ok {
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
			Bench{"stacks", "pairs", d.name, opts.threads, stackRun(d.make, false)},
			Bench{"stacks", "prodcons", d.name, atLeast(2), stackRun(d.make, true)})
	}
	return out
}
