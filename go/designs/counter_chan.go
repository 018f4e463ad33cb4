// ChanCounter (go_chan): the memory-model article's SafeCounterChannel. One owner goroutine holds
// the count and runs the closures sent to it on an unbuffered chan func(*int); nobody else ever
// touches the count ("share memory by communicating"). Increment sends a closure that adds one;
// Get, the read the seed lacks, sends a closure that copies the count into a reply channel and
// waits for it.
// Guarantee: blocking (every call is a rendezvous with the owner: the caller parks until the
// owner receives; Get parks again for the reply). Since the channel is unbuffered, an Increment
// has been received by the owner when it returns, and the owner runs closures in the order it
// receives them, so a Get after an Increment (in happens-before order) sees it.
// Unlike the C++ `channel` counter, whose increments are fire-and-forget (queued to the owner, the
// caller goes on), every Increment here waits for the owner to take it: the article's design.
// Safe: Increment and Get from any goroutine. Not safe: any call after Close (a send on a
// closed channel panics); Close twice.
package designs

type ChanCounter struct {
	ops  chan func(*int)
	done chan struct{}
}

func NewChanCounter() *ChanCounter { return NewChanCounterWithOwner(nil) }

// NewChanCounterWithOwner: the same counter, its owner goroutine running hook first (OwnerHook).
func NewChanCounterWithOwner(hook OwnerHook) *ChanCounter {
	c := &ChanCounter{ops: make(chan func(*int)), done: make(chan struct{})}
	go c.run(hook)
	return c
}

func (c *ChanCounter) run(hook OwnerHook) {
	defer close(c.done)
	if hook != nil {
		hook()
	}
	var count int
	for op := range c.ops {
		op(&count)
	}
}

func increment(count *int) { *count++ } // one closure value for every Increment: no allocation

func (c *ChanCounter) Name() string { return "go_chan" }
func (c *ChanCounter) Info() Info   { return Info{OwnerGoroutines: 1, Blocking: true} }

func (c *ChanCounter) Increment() { c.ops <- increment }

func (c *ChanCounter) Get() int64 {
	reply := make(chan int)
	c.ops <- func(count *int) { reply <- *count }
	return int64(<-reply)
}

// Close stops the owner and waits until it has returned.
func (c *ChanCounter) Close() {
	close(c.ops)
	<-c.done
}
