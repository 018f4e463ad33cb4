// Slots (false_sharing packed, pad64, pad128): one counter slot per goroutine, nothing shared
// logically; the layouts differ only in where the slots sit, as benchmarks/bench_false_sharing.cpp:
// packed 8 bytes apart (every core writes one cache line), pad64 one 64-byte line per slot,
// pad128 a 128-byte block per slot (beyond the adjacent-line prefetcher).
// Guarantee: wait-free. Safe: AddAtomic on any slot from any goroutine; AddPlain on a slot from
// its one owner goroutine only (a plain read-modify-write: two writers lose increments, and the
// race detector reports it); Sum once the writers are done and that happens-before it.
package designs

import (
	"sync/atomic"
	"unsafe"
)

type Slots struct {
	name   string
	stride int // bytes between slots: 8, 64 or 128
	buf    []uint64
	base   int // index of the first slot in buf (aligned to the stride)
}

// NewSlots returns n slots laid out as "packed", "pad64" or "pad128"; nil for another layout.
func NewSlots(layout string, n int) *Slots {
	stride := map[string]int{"packed": 8, "pad64": 64, "pad128": 128}[layout]
	if stride == 0 || n < 1 {
		return nil
	}
	words := stride / 8
	buf := make([]uint64, n*words+words) // one stride of slack to align the first slot
	base := 0
	for uintptr(unsafe.Pointer(&buf[base]))%uintptr(stride) != 0 {
		base++
	}
	return &Slots{name: layout, stride: stride, buf: buf, base: base}
}

func (s *Slots) Name() string { return s.name }

func (s *Slots) slot(i int) *uint64 { return &s.buf[s.base+i*s.stride/8] }

// Slot returns slot i, for a goroutine to keep while it works.
func (s *Slots) Slot(i int) *uint64 { return s.slot(i) }

// AddAtomic adds one to slot i with an atomic add (LOCK XADD).
func (s *Slots) AddAtomic(i int) { atomic.AddUint64(s.slot(i), 1) }

// AddPlain adds one to slot i with an ordinary load, add and store.
func (s *Slots) AddPlain(i int) { *s.slot(i)++ }

// Sum of slots 0..n-1.
func (s *Slots) Sum(n int) uint64 {
	var sum uint64
	for i := 0; i < n; i++ {
		sum += atomic.LoadUint64(s.slot(i))
	}
	return sum
}
