// TreiberStack (go_treiber): the memory-model article's LockFreeStack, a Treiber stack on
// sync/atomic.Pointer (Go 1.19): Push and Pop retry a compare-and-swap of the head. Go's garbage
// collector is its memory reclamation: a node a slow Pop still holds is never freed under it,
// and a node's address is not reused while any goroutine can see it, so there are no hazard
// pointers and no ABA on freed nodes (the C++ treiber needs hazard pointers for both).
// Guarantee: lock-free (a failed CAS means another goroutine's succeeded). Every Push allocates a
// node. Safe: every method from any goroutine. Not safe: copying after first use.
package designs

import "sync/atomic"

type treiberNode struct {
	value uint64
	next  *treiberNode
}

type TreiberStack struct {
	head atomic.Pointer[treiberNode]
}

func NewTreiberStack() *TreiberStack { return &TreiberStack{} }

func (s *TreiberStack) Name() string { return "go_treiber" }
func (s *TreiberStack) Info() Info   { return Info{} }

func (s *TreiberStack) Push(v uint64) {
	n := &treiberNode{value: v}
	for {
		old := s.head.Load()
		n.next = old
		if s.head.CompareAndSwap(old, n) {
			return
		}
	}
}

func (s *TreiberStack) Pop() (uint64, bool) {
	for {
		old := s.head.Load()
		if old == nil {
			return 0, false
		}
		// old.next is never written after old was published, so this read is not a race.
		if s.head.CompareAndSwap(old, old.next) {
			return old.value, true
		}
	}
}
