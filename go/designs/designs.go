// Package designs holds the Go designs contend measures beside its C++ ones: the shapes of the
// Go blog's "Share Memory By Communicating", its codewalk and the memory-model article's
// SafeCounterMutex, SafeCounterChannel, LockFreeStack and mapManager, each in a file of its own
// that opens with what it is, its guarantee (blocking or lock-free) and what is not safe.
//
// The interfaces mirror the C++ concepts (impl/contend/concepts.hpp): keys, values and elements
// are uint64 as there. Channels are Go's own and have no interface here. Every design has a
// Name(), the implementation name of its result rows (go_mutex, go_atomic, go_chan, ...).
package designs

// Counter is a shared counter: Increment from any goroutine; Get returns the increments that
// happened before it (exact once the incrementing goroutines are done and that happens-before
// the Get).
type Counter interface {
	Increment()
	Get() int64
	Name() string
}

// Map is a key-value map of uint64: Get reports whether the key is present.
type Map interface {
	Get(key uint64) (uint64, bool)
	Put(key, value uint64)
	Delete(key uint64) bool
	Name() string
}

// Stack is a LIFO of uint64: Pop reports false when the stack is empty.
type Stack interface {
	Push(value uint64)
	Pop() (uint64, bool)
	Name() string
}

// Closer is a design that runs goroutines of its own (an owner): Close stops them. No other
// method may be called after, or concurrently with, Close.
type Closer interface {
	Close()
}

// Slotted is a counter whose callers name their slot (one per goroutine): IncrementAt(i) is
// Increment on slot i modulo the slot count, as the C++ ShardedCounter's increment_at; Go has
// no goroutine id to pick the slot itself.
type Slotted interface {
	IncrementAt(slot int)
}

// Info says what the benchmarks need to judge a design's run (concepts.hpp's owner_threads_of
// and blocking_of): goroutines it starts for itself, and whether its goroutines park by design.
type Info struct {
	OwnerGoroutines int
	Blocking        bool
}

// InfoOf returns the Info of a design value.
func InfoOf(design interface{}) Info {
	if d, ok := design.(interface{ Info() Info }); ok {
		return d.Info()
	}
	return Info{}
}
