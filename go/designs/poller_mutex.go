// MutexPoller (go_mutex): the blog's "traditional threading" Poller: one list of resources
// under a sync.Mutex; each worker picks the least recently polled resource that is not being
// polled and is due, marks it, polls without the lock, and writes its state back under it. Where
// the blog's sketch spins when nothing is free, workers here wait on a sync.Cond (woken by a
// finished poll, or by a timer at the next due time), as the C++ SharedPoller does.
// Guarantee: blocking. Safe: Start once, then Stop once, from one goroutine.
package designs

import (
	"sync"
	"time"
)

type sharedResource struct {
	url     string
	polling bool
	due     time.Time
	state   PollState
}

type MutexPoller struct {
	poll      PollFunc
	config    PollerConfig
	mu        sync.Mutex
	cond      *sync.Cond
	resources []*sharedResource
	stopping  bool
	wg        sync.WaitGroup
	ticker    *time.Ticker
	tickDone  chan struct{}
}

func NewMutexPoller(urls []string, poll PollFunc, config PollerConfig) *MutexPoller {
	p := &MutexPoller{poll: poll, config: config}
	p.cond = sync.NewCond(&p.mu)
	now := time.Now()
	for _, u := range uniqueURLs(urls) {
		p.resources = append(p.resources, &sharedResource{url: u, due: now, state: PollState{Status: "not polled yet"}})
	}
	return p
}

func (p *MutexPoller) Name() string { return "go_mutex" }

func (p *MutexPoller) Start() {
	for i := 0; i < p.config.workers(); i++ {
		p.wg.Add(1)
		go p.work(i)
	}
	p.tickDone = make(chan struct{})
	if p.config.StatusInterval > 0 {
		p.ticker = time.NewTicker(p.config.StatusInterval)
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			for {
				select {
				case <-p.ticker.C:
					if p.config.OnStatus != nil {
						p.mu.Lock()
						t := p.snapshotLocked()
						p.mu.Unlock()
						p.config.OnStatus(t)
					}
				case <-p.tickDone:
					return
				}
			}
		}()
	}
}

func (p *MutexPoller) work(worker int) {
	defer p.wg.Done()
	p.mu.Lock()
	defer p.mu.Unlock()
	for !p.stopping {
		var next *sharedResource
		for _, r := range p.resources {
			if !r.polling && (next == nil || r.due.Before(next.due)) {
				next = r
			}
		}
		if next == nil {
			p.cond.Wait() // every resource is being polled
			continue
		}
		if wait := time.Until(next.due); wait > 0 {
			t := time.AfterFunc(wait, func() {
				p.mu.Lock()
				p.cond.Broadcast()
				p.mu.Unlock()
			})
			p.cond.Wait()
			t.Stop()
			continue
		}
		next.polling = true
		url := next.url
		p.mu.Unlock()
		status, ok := p.poll(worker, url)
		p.mu.Lock()
		if ok {
			next.state.Errors = 0
		} else {
			next.state.Errors++
		}
		next.state.Status = status
		next.state.Polls++
		next.polling = false
		next.due = time.Now().Add(p.config.backoff(next.state.Errors))
		p.cond.Signal() // one resource became free: one scanner is enough
	}
}

func (p *MutexPoller) snapshotLocked() map[string]PollState {
	t := make(map[string]PollState, len(p.resources))
	for _, r := range p.resources {
		t[r.url] = r.state
	}
	return t
}

func (p *MutexPoller) Stop() map[string]PollState {
	p.mu.Lock()
	p.stopping = true
	p.cond.Broadcast()
	p.mu.Unlock()
	close(p.tickDone)
	if p.ticker != nil {
		p.ticker.Stop()
	}
	p.wg.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.snapshotLocked()
}
