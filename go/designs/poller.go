// The URL poller of the Go blog's "Share Memory By Communicating" and its codewalk, in the two
// designs the blog contrasts (poller_chan.go, poller_mutex.go), behind one interface so that a
// benchmark drives either: Start, then Stop returns the final state table.
package designs

import "time"

// PollFunc polls url for worker `worker` (0..Workers-1: a benchmark keeps per-worker state by
// it) and returns the status text and whether it was a response at all (ok=false is an error,
// which backs the resource off by ErrTimeout times its error count). Called concurrently.
type PollFunc func(worker int, url string) (status string, ok bool)

type PollerConfig struct {
	Workers        int
	Interval       time.Duration // the codewalk's pollInterval
	ErrTimeout     time.Duration // the codewalk's errTimeout, times the error count
	StatusInterval time.Duration // the codewalk's statusInterval (0: no reports)
	OnStatus       func(map[string]PollState)
}

// PollState is one URL's line of the state table.
type PollState struct {
	Status string
	Errors int    // consecutive errors, reset by a successful poll
	Polls  uint64 // polls completed
}

type URLPoller interface {
	Start()
	Stop() map[string]PollState // stops every goroutine, then returns the table
	Name() string
}

func (c PollerConfig) backoff(errors int) time.Duration {
	return c.Interval + c.ErrTimeout*time.Duration(errors)
}

func (c PollerConfig) workers() int {
	if c.Workers < 1 {
		return 1
	}
	return c.Workers
}

func uniqueURLs(urls []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, u := range urls {
		if !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
	return out
}
