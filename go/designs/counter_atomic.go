// AtomicCounter (go_atomic): the memory-model article's SafeCounterAtomic, a sync/atomic.Int64
// (Go 1.19): Increment is one atomic add (LOCK XADD on amd64), Get one atomic load. Go's atomics
// are sequentially consistent; there is no relaxed order to choose.
// Guarantee: wait-free. Safe: every method from any goroutine. Not safe: nothing beyond copying
// after first use (go vet's copylocks flags it).
package designs

import "sync/atomic"

type AtomicCounter struct {
	count atomic.Int64
}

func NewAtomicCounter() *AtomicCounter { return &AtomicCounter{} }

func (c *AtomicCounter) Name() string { return "go_atomic" }
func (c *AtomicCounter) Info() Info   { return Info{} }

func (c *AtomicCounter) Increment() { c.count.Add(1) }
func (c *AtomicCounter) Get() int64 { return c.count.Load() }
