// The probe's loops: both sides of each loop hand the ball back and forth and stop; the probe
// completes while another goroutine forces garbage collections (a stop-the-world must be able to
// stop both sides: the assembly's waits give up after their budget and yield).
package main

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

func loops() []probeLoop {
	if probeLoopUsed.name == goAtomicLoop.name {
		return []probeLoop{goAtomicLoop}
	}
	return []probeLoop{probeLoopUsed, goAtomicLoop}
}

func TestProbeLoopsBounceAndStop(t *testing.T) {
	for _, loop := range loops() {
		var flag paddedWord
		done := make(chan struct{})
		go func() {
			loop.answer(&flag.v)
			close(done)
		}()
		if n := loop.trips(&flag.v, 0, 100); n != 200 {
			t.Errorf("%s: 100 round trips from 0 ended at %d", loop.name, n)
		}
		if n := loop.trips(&flag.v, 200, 3); n != 206 {
			t.Errorf("%s: 3 more ended at %d", loop.name, n)
		}
		atomic.StoreUint64(&flag.v, pingpongStop)
		<-done
	}
}

func TestProbeSurvivesStopTheWorld(t *testing.T) {
	if len(allowedCPUs) < 2 {
		t.Skip("fewer than 2 CPUs allowed")
	}
	old := runtime.GOMAXPROCS(3)
	defer runtime.GOMAXPROCS(old)
	stop := make(chan struct{})
	collected := make(chan int)
	go func() {
		n := 0
		for {
			select {
			case <-stop:
				collected <- n
				return
			default:
				runtime.GC()
				n++
			}
		}
	}()
	pair := cpuPair{allowedCPUs[0], allowedCPUs[1]}
	for _, loop := range loops() {
		if ns := pairLatencyWith(loop, pair, 20*time.Millisecond); ns <= 0 {
			t.Errorf("%s: %v ns", loop.name, ns)
		}
	}
	close(stop)
	if n := <-collected; n == 0 {
		t.Log("no collection ran during the probes (the machine is slow): nothing was tested")
	}
}
