// ShardedCounter (go_sharded_padded, go_sharded_packed): one atomic slot per goroutine, Get sums
// the slots, as the C++ ShardedCounter. The padded layout gives every slot a 128-byte block of
// its own (two 64-byte lines: beyond the adjacent-line prefetcher, the C++ design's
// false_sharing_range); the packed one puts the slots 8 bytes apart, so goroutines on different
// cores write one cache line (false sharing).
// Guarantee: wait-free IncrementAt (one atomic add on the caller's slot); Get is a sum of atomic
// loads, not a snapshot while increments run (exact once they are done and happen-before it).
// Safe: every method from any goroutine; two goroutines may share a slot (the add is atomic).
// Not safe: Increment without a slot works but puts every caller on slot 0 (Go has no goroutine
// id): callers that want the design use IncrementAt(their index).
package designs

import (
	"runtime"
	"sync/atomic"
)

// PaddedSlotBytes is the block each padded slot owns.
const PaddedSlotBytes = 128

type paddedSlot struct {
	n atomic.Int64
	_ [PaddedSlotBytes - 8]byte
}

type ShardedCounter struct {
	padded []paddedSlot
	packed []atomic.Int64
}

// DefaultSlots is the C++ default: two slots per CPU.
func DefaultSlots() int { return 2 * runtime.NumCPU() }

func NewShardedPadded(slots int) *ShardedCounter {
	if slots < 1 {
		slots = DefaultSlots()
	}
	return &ShardedCounter{padded: make([]paddedSlot, slots)}
}

func NewShardedPacked(slots int) *ShardedCounter {
	if slots < 1 {
		slots = DefaultSlots()
	}
	return &ShardedCounter{packed: make([]atomic.Int64, slots)}
}

func (c *ShardedCounter) Name() string {
	if c.padded != nil {
		return "go_sharded_padded"
	}
	return "go_sharded_packed"
}
func (c *ShardedCounter) Info() Info { return Info{} }

func (c *ShardedCounter) Slots() int {
	if c.padded != nil {
		return len(c.padded)
	}
	return len(c.packed)
}

func (c *ShardedCounter) IncrementAt(slot int) {
	if c.padded != nil {
		c.padded[slot%len(c.padded)].n.Add(1)
	} else {
		c.packed[slot%len(c.packed)].Add(1)
	}
}

func (c *ShardedCounter) Increment() { c.IncrementAt(0) }

func (c *ShardedCounter) Get() int64 {
	var sum int64
	for i := range c.padded {
		sum += c.padded[i].n.Load()
	}
	for i := range c.packed {
		sum += c.packed[i].Load()
	}
	return sum
}
