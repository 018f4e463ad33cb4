// ChanPoller (go_chan): the codewalk's program. A Resource belongs to whichever goroutine holds
// it and moves on unbuffered channels: pending -> a Poller goroutine -> complete -> the main
// loop, which starts a goroutine that sleeps the resource's back-off (Resource.Sleep) and sends
// it to pending again. The StateMonitor goroutine alone owns the url -> state map; Pollers send it
// State messages, and its ticker logs (OnStatus) every StatusInterval. No lock guards a
// resource or the table.
// Guarantee: blocking (every hand-off is a rendezvous). Stop closes a stop channel that every
// goroutine selects on, waits for all of them, then asks the monitor for the table. Safe: Start
// once, then Stop once, from one goroutine. Not safe: Start after Stop.
package designs

import (
	"sync"
	"time"
)

type resource struct {
	url      string
	errCount int
}

type pollerState struct {
	url, status string
	ok          bool
}

type ChanPoller struct {
	urls    []string
	poll    PollFunc
	config  PollerConfig
	stop    chan struct{}
	wg      sync.WaitGroup
	updates chan pollerState
	final   chan chan map[string]PollState
}

func NewChanPoller(urls []string, poll PollFunc, config PollerConfig) *ChanPoller {
	return &ChanPoller{urls: uniqueURLs(urls), poll: poll, config: config}
}

func (p *ChanPoller) Name() string { return "go_chan" }

func (p *ChanPoller) Start() {
	p.stop = make(chan struct{})
	p.updates = make(chan pollerState)
	p.final = make(chan chan map[string]PollState)
	pending, complete := make(chan *resource), make(chan *resource)
	go p.stateMonitor()
	for i := 0; i < p.config.workers(); i++ {
		p.wg.Add(1)
		go p.poller(i, pending, complete)
	}
	p.wg.Add(2)
	go func() { // the codewalk's feeder: every resource into pending once
		defer p.wg.Done()
		for _, u := range p.urls {
			select {
			case pending <- &resource{url: u}:
			case <-p.stop:
				return
			}
		}
	}()
	go func() { // the codewalk's main loop
		defer p.wg.Done()
		for {
			select {
			case r := <-complete:
				p.wg.Add(1)
				go p.sleep(r, pending)
			case <-p.stop:
				return
			}
		}
	}()
}

// poller is the codewalk's Poller: poll, report the state, pass the resource on.
func (p *ChanPoller) poller(worker int, in <-chan *resource, out chan<- *resource) {
	defer p.wg.Done()
	for {
		var r *resource
		select {
		case r = <-in:
		case <-p.stop:
			return
		}
		status, ok := p.poll(worker, r.url)
		if ok {
			r.errCount = 0
		} else {
			r.errCount++
		}
		select {
		case p.updates <- pollerState{r.url, status, ok}:
		case <-p.stop:
			return
		}
		select {
		case out <- r:
		case <-p.stop:
			return
		}
	}
}

// sleep is the codewalk's Resource.Sleep: wait the back-off, then back to pending.
func (p *ChanPoller) sleep(r *resource, done chan<- *resource) {
	defer p.wg.Done()
	if d := p.config.backoff(r.errCount); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-p.stop:
			t.Stop()
			return
		}
	}
	select {
	case done <- r:
	case <-p.stop:
	}
}

// stateMonitor is the codewalk's StateMonitor, plus the final table for Stop.
func (p *ChanPoller) stateMonitor() {
	table := map[string]PollState{}
	for _, u := range p.urls {
		table[u] = PollState{Status: "not polled yet"}
	}
	var tick <-chan time.Time
	if p.config.StatusInterval > 0 {
		t := time.NewTicker(p.config.StatusInterval)
		defer t.Stop()
		tick = t.C
	}
	copyTable := func() map[string]PollState {
		out := make(map[string]PollState, len(table))
		for k, v := range table {
			out[k] = v
		}
		return out
	}
	for {
		select {
		case <-tick:
			if p.config.OnStatus != nil {
				p.config.OnStatus(copyTable())
			}
		case s := <-p.updates:
			e := table[s.url]
			e.Status = s.status
			if s.ok {
				e.Errors = 0
			} else {
				e.Errors++
			}
			e.Polls++
			table[s.url] = e
		case reply := <-p.final:
			reply <- copyTable()
			return
		}
	}
}

func (p *ChanPoller) Stop() map[string]PollState {
	close(p.stop)
	p.wg.Wait()
	reply := make(chan map[string]PollState)
	p.final <- reply
	return <-reply
}
