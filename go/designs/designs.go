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

// Map is a key-value map of uint64: Get reports whether the key is present. GetMany reads a batch
// as the C++ get_many: values[i] and present[i] are Get(keys[i])'s, in one call that does what
// the design can do for a batch (one lock hold, one request to the owner; sync.Map: a Load a
// key). It panics when the three lengths differ, as get_many throws.
type Map interface {
	Get(key uint64) (uint64, bool)
	GetMany(keys, values []uint64, present []bool)
	Put(key, value uint64)
	Delete(key uint64) bool
	Name() string
}

func checkBatch(keys, values []uint64, present []bool) {
	if len(values) != len(keys) || len(present) != len(keys) {
		panic("GetMany: values and present must be as long as keys")
	}
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

// OwnerHook, when not nil, runs first thing on a design's owner goroutine, on that goroutine,
// before it takes any request. The benchmarks' locked rows pass runtime.LockOSThread (never
// undone: the owner's thread exits with it), so that the owner runs on an OS thread of its own
// as the C++ owner thread does; every other user passes nil and gets the plain goroutine.
type OwnerHook func()

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
