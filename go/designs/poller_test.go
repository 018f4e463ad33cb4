package designs

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Both pollers: every URL is polled, never by two workers at once (a resource has one holder),
// failures back off and count, the table's polls add up to the calls, the status reports come,
// and Stop leaves no goroutine behind.
func TestPollers(t *testing.T) {
	makers := map[string]func([]string, PollFunc, PollerConfig) URLPoller{
		"go_chan":  func(u []string, f PollFunc, c PollerConfig) URLPoller { return NewChanPoller(u, f, c) },
		"go_mutex": func(u []string, f PollFunc, c PollerConfig) URLPoller { return NewMutexPoller(u, f, c) },
	}
	for name, mk := range makers {
		t.Run(name, func(t *testing.T) {
			before := runtime.NumGoroutine()
			var urls []string
			for i := 0; i < 16; i++ {
				urls = append(urls, fmt.Sprintf("sim://r%d", i))
			}
			urls = append(urls, "sim://r0") // a duplicate is polled once
			var mu sync.Mutex
			inFlight := map[string]bool{}
			var calls, overlaps, badWorker atomic.Int64
			const workers = 4
			poll := func(worker int, url string) (string, bool) {
				if worker < 0 || worker >= workers {
					badWorker.Add(1)
				}
				mu.Lock()
				if inFlight[url] {
					overlaps.Add(1)
				}
				inFlight[url] = true
				mu.Unlock()
				calls.Add(1)
				time.Sleep(50 * time.Microsecond)
				mu.Lock()
				inFlight[url] = false
				mu.Unlock()
				if strings.HasSuffix(url, "r3") {
					return "simulated failure", false
				}
				return "200 OK", true
			}
			var reports atomic.Int64
			p := mk(urls, poll, PollerConfig{Workers: workers, ErrTimeout: time.Millisecond,
				StatusInterval: 5 * time.Millisecond, OnStatus: func(map[string]PollState) { reports.Add(1) }})
			if p.Name() != name {
				t.Fatal(p.Name())
			}
			started := time.Now()
			p.Start()
			time.Sleep(60 * time.Millisecond)
			table := p.Stop()
			elapsed := time.Since(started)
			if len(table) != 16 {
				t.Fatalf("%d URLs in the table", len(table))
			}
			var polls uint64
			for url, e := range table {
				polls += e.Polls
				if e.Polls == 0 {
					t.Errorf("%s never polled", url)
				}
				if url == "sim://r3" && (e.Errors == 0 || e.Status != "simulated failure") {
					t.Errorf("the failing URL: %+v", e)
				}
				if url != "sim://r3" && (e.Errors != 0 || e.Status != "200 OK") {
					t.Errorf("%s: %+v", url, e)
				}
			}
			// The n-th failure backs r3 off n ms (ErrTimeout times its errors), so k polls of it take
			// at least k(k-1)/2 ms: a bound that a slow machine cannot break (sleeps never end early),
			// where comparing with r0's polls failed when a loaded machine slowed r0 down as well.
			if r3 := table["sim://r3"].Polls; time.Duration(r3*(r3-1)/2)*time.Millisecond > elapsed {
				t.Errorf("the failing URL was not backed off: %d polls in %v", r3, elapsed)
			}
			// A poll in flight when Stop came may be missing from the table, never the reverse.
			if polls > uint64(calls.Load()) || uint64(calls.Load())-polls > workers {
				t.Errorf("table counts %d polls, %d calls", polls, calls.Load())
			}
			if overlaps.Load() != 0 || badWorker.Load() != 0 {
				t.Errorf("%d overlapping polls of one URL, %d bad worker indexes", overlaps.Load(), badWorker.Load())
			}
			if reports.Load() == 0 {
				t.Error("no status report")
			}
			for i := 0; i < 100 && runtime.NumGoroutine() > before; i++ {
				time.Sleep(time.Millisecond)
			}
			if n := runtime.NumGoroutine(); n > before {
				t.Errorf("%d goroutines left after Stop (%d before)", n, before)
			}
		})
	}
}
