// MutexStack (go_mutex): a slice used as a stack, guarded by one sync.Mutex.
// Guarantee: blocking (sync.Mutex spins briefly, then parks). Safe: every method from any
// goroutine. Not safe: copying after first use. The slice keeps its capacity after pops (a
// drained stack holds the memory of its largest size).
// Probe: NewMutexStackProbed's stack counts, under the lock, how many acquisitions in a row one
// caller makes (LockRunLength: the C++ MutexStack's RunLengthProbe in bench_stacks.cpp). Go has
// no goroutine id, so a caller names itself: PushBy(who, v) and PopBy(who) are Push and Pop by
// caller `who` (Push and Pop count as caller -1). Without the probe they are Push and Pop.
package designs

import "sync"

// LockRunLength is told of every acquisition of a lock, under it, with the acquirer's index:
// acquisitions over changes of owner is how many operations in a row one caller performs while
// the lock's cache line stays in its core, to set against the lock-free stacks' one head-line
// transfer per operation. Read it only when no goroutine is inside the lock.
type LockRunLength struct {
	owner                      int
	acquisitions, ownerChanges uint64
}

func (p *LockRunLength) acquired(who int) {
	p.acquisitions++
	if who != p.owner || p.ownerChanges == 0 { // the first acquisition is a change from nobody
		p.owner = who
		p.ownerChanges++
	}
}

// RunLength: acquisitions per change of owner (0 before the first acquisition).
func (p *LockRunLength) RunLength() float64 {
	if p.ownerChanges == 0 {
		return 0
	}
	return float64(p.acquisitions) / float64(p.ownerChanges)
}

type MutexStack struct {
	mu     sync.Mutex
	probed bool
	runs   LockRunLength // beside the mutex: on the line the holder already owns, as in C++
	items  []uint64
}

func NewMutexStack() *MutexStack { return &MutexStack{} }

// NewMutexStackProbed: the stack with its lock's run-length probe (Runs).
func NewMutexStackProbed() *MutexStack { return &MutexStack{probed: true} }

func (s *MutexStack) Name() string { return "go_mutex" }
func (s *MutexStack) Info() Info   { return Info{Blocking: true} }

// Runs is the probe's count (all zero without the probe); read it only when no call is running.
func (s *MutexStack) Runs() *LockRunLength { return &s.runs }

func (s *MutexStack) Push(v uint64)       { s.PushBy(-1, v) }
func (s *MutexStack) Pop() (uint64, bool) { return s.PopBy(-1) }

func (s *MutexStack) PushBy(who int, v uint64) {
	s.mu.Lock()
	if s.probed {
		s.runs.acquired(who)
	}
	s.items = append(s.items, v)
	s.mu.Unlock()
}

func (s *MutexStack) PopBy(who int) (uint64, bool) {
	s.mu.Lock()
	if s.probed {
		s.runs.acquired(who) // before the empty check, as in C++: a failed pop held the lock too
	}
	n := len(s.items)
	if n == 0 {
		s.mu.Unlock()
		return 0, false
	}
	v := s.items[n-1]
	s.items = s.items[:n-1]
	s.mu.Unlock()
	return v, true
}
