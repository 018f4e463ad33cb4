// poller/<workload>/<impl>/resources:64/workers:W, as programs/poller/bench_poller.cpp: both Go
// pollers (designs/poller*.go: the codewalk's go_chan, the blog's go_mutex) over 64 resources,
// every resource due again at once (interval 0), errors backing off 1 ms each, for one run of
// --run_ms (default 1500, quick 250):
//
//	sim-0           a poll that returns at once: the designs' coordination is the bottleneck;
//	sim-1ms         a poll that sleeps 1 ms;
//	sim-1ms-fail20  ... and fails one call in five (splitmix, as polls.cpp: the n-th call of a run
//	                fails as the n-th call of any other run);
//	loopback        an HTTP HEAD (net/http, keep-alive) to an httptest server in this process,
//	                answering 200 to every path.
//
// Counters as bench_poller's: ops (polls completed), ops_per_sec, ns_per_op, cpu_ns_per_op (the
// whole process: for loopback the server's goroutines are included, since Go cannot separate
// their CPU time; server_cpu_included = 1 says so, where C++ reports server_cpu_ns_per_op
// instead), the interference (parallelism not judged: pollers sleep), the probes, the sampled
// latency of single polls, and Go's gc_cycles, gc_pause_ns, allocs_per_op. W workers run with
// GOMAXPROCS = min(W, allowed CPUs), the monitor, the main loop, the sleepers and the server on
// the same Ps. Self-check: the table's polls never exceed the poll function's calls, and fall
// short of them by at most the polls in flight at the stop (one per worker).
package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"time"

	"contend/go/designs"
)

const pollerResources = 64

type pollerWorkload struct {
	name     string
	loopback bool
	latency  time.Duration
	failRate float64
}

var pollerWorkloads = []pollerWorkload{
	{"sim-0", false, 0, 0},
	{"sim-1ms", false, time.Millisecond, 0},
	{"sim-1ms-fail20", false, time.Millisecond, 0.2},
	{"loopback", true, 0, 0},
}

type pollerMaker struct {
	name string
	make func([]string, designs.PollFunc, designs.PollerConfig) designs.URLPoller
}

var pollerDesigns = []pollerMaker{
	{"go_chan", func(u []string, f designs.PollFunc, c designs.PollerConfig) designs.URLPoller {
		return designs.NewChanPoller(u, f, c)
	}},
	{"go_mutex", func(u []string, f designs.PollFunc, c designs.PollerConfig) designs.URLPoller {
		return designs.NewMutexPoller(u, f, c)
	}},
}

var testServer *httptest.Server
var httpClient *http.Client

func loopbackServer() *httptest.Server {
	if testServer == nil {
		testServer = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusOK)
		}))
		// Keep-alive for every worker's connection, as the C++ poller's one curl handle a thread.
		httpClient = &http.Client{Timeout: 2 * time.Second,
			Transport: &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024, Proxy: nil}}
	}
	return testServer
}

func httpHead(url string) (string, bool) {
	resp, err := httpClient.Head(url)
	if err != nil {
		return err.Error(), false
	}
	resp.Body.Close()
	return resp.Status, true
}

func splitmix(x uint64) uint64 {
	x += 0x9E3779B97F4A7C15
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9
	x = (x ^ (x >> 27)) * 0x94D049BB133111EB
	return x ^ (x >> 31)
}

func pollerRun(d pollerMaker, w pollerWorkload) func(W int) *Rep {
	return func(W int) *Rep {
		urls := make([]string, pollerResources)
		for i := range urls {
			if w.loopback {
				urls[i] = fmt.Sprintf("%s/r%d", loopbackServer().URL, i)
			} else {
				urls[i] = fmt.Sprintf("sim://r%d", i)
			}
		}
		var calls atomic.Uint64
		inner := func(url string) (string, bool) {
			if w.loopback {
				return httpHead(url)
			}
			n := calls.Add(1) - 1
			if w.latency > 0 {
				time.Sleep(w.latency)
			}
			u := float64(splitmix(1^splitmix(n))>>11) * (1.0 / (1 << 53))
			if u < w.failRate {
				return "simulated failure", false
			}
			return "200 OK", true
		}
		samplers := make([]Sampler, W)
		poll := func(worker int, url string) (string, bool) {
			if w.loopback {
				calls.Add(1)
			}
			s := &samplers[worker]
			if !s.due(1) {
				return inner(url)
			}
			t0 := mono()
			status, ok := inner(url)
			s.record(t0, mono())
			return status, ok
		}
		p := d.make(urls, poll, designs.PollerConfig{Workers: W, Interval: 0, ErrTimeout: time.Millisecond,
			StatusInterval: time.Hour})
		r := &Run{threads: W, info: RunInfo{Blocking: true}, roles: []Role{Worker}}
		r.begin()
		for i := range samplers {
			samplers[i].start(r.wallStart)
		}
		p.Start()
		time.Sleep(time.Duration(runNs()))
		table := p.Stop()
		r.end()
		var polls uint64
		for _, e := range table {
			polls += e.Polls
		}
		r.ops = []uint64{polls}
		for i := range samplers {
			r.hists = append(r.hists, &samplers[i].hist)
		}
		rep := r.Report()
		for _, k := range []string{"fairness_min_max", "fairness_cv", "fairness_threads"} {
			delete(rep.Counters, k) // bench_poller has none: its workers share the resources
		}
		if w.loopback {
			rep.Counters["server_cpu_included"] = 1
		}
		if rep.Label == "" {
			rep.Label = fmt.Sprintf("%d resources, %d workers", pollerResources, W)
		}
		n := calls.Load()
		rep.Check(len(table) == pollerResources && polls > 0 && polls <= n && n-polls <= uint64(W),
			fmt.Sprintf("the table holds %d URLs and %d polls after %d calls", len(table), polls, n))
		return rep
	}
}

func pollerBenches() []Bench {
	var out []Bench
	for _, w := range pollerWorkloads {
		for _, d := range pollerDesigns {
			w, d := w, d
			out = append(out, Bench{family: "poller", workload: w.name, impl: d.name, threads: opts.threads, fn: pollerRun(d, w)})
			rowNames["poller/"+w.name+"/"+d.name] = func(W int) string {
				return fmt.Sprintf("poller/%s/%s/resources:%d/workers:%d/iterations:1/real_time", w.name, d.name,
					pollerResources, W)
			}
		}
	}
	return out
}
