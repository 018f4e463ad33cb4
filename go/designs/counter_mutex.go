// MutexCounter (go_mutex): the memory-model article's SafeCounterMutex, an int guarded by a
// sync.Mutex, with a Get under the same lock.
// Guarantee: blocking (sync.Mutex spins briefly, then parks the goroutine; in starvation mode it
// hands the lock over in FIFO order). Safe: every method from any goroutine. Not safe: copying a
// MutexCounter after first use (it holds a Mutex).
package designs

import "sync"

type MutexCounter struct {
	mu    sync.Mutex
	count int64
}

func NewMutexCounter() *MutexCounter { return &MutexCounter{} }

func (c *MutexCounter) Name() string { return "go_mutex" }
func (c *MutexCounter) Info() Info   { return Info{Blocking: true} }

func (c *MutexCounter) Increment() {
	c.mu.Lock()
	c.count++
	c.mu.Unlock()
}

func (c *MutexCounter) Get() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.count
}
