// MutexStack (go_mutex): a slice used as a stack, guarded by one sync.Mutex.
// Guarantee: blocking (sync.Mutex spins briefly, then parks). Safe: every method from any
// goroutine. Not safe: copying after first use. The slice keeps its capacity after pops (a
// drained stack holds the memory of its largest size).
package designs

import "sync"

type MutexStack struct {
	mu    sync.Mutex
	items []uint64
}

func NewMutexStack() *MutexStack { return &MutexStack{} }

func (s *MutexStack) Name() string { return "go_mutex" }
func (s *MutexStack) Info() Info   { return Info{Blocking: true} }

func (s *MutexStack) Push(v uint64) {
	s.mu.Lock()
	s.items = append(s.items, v)
	s.mu.Unlock()
}

func (s *MutexStack) Pop() (uint64, bool) {
	s.mu.Lock()
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
