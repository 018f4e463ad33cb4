// RWMutexMap (go_rwmutex): a Go map guarded by a sync.RWMutex: Get takes the read lock, so gets
// run in parallel, and GetMany reads a whole batch in one hold of it; Put and Delete take the
// write lock. (RLock is an atomic add on one shared
// word: readers still bounce its cache line between cores.)
// Guarantee: blocking (a writer parks until the readers leave; readers park behind a waiting
// writer, which keeps writers from starving). Safe: every method from any goroutine. Not safe:
// copying after first use.
package designs

import "sync"

type RWMutexMap struct {
	mu sync.RWMutex
	m  map[uint64]uint64
}

func NewRWMutexMap() *RWMutexMap { return &RWMutexMap{m: make(map[uint64]uint64)} }

func (m *RWMutexMap) Name() string { return "go_rwmutex" }
func (m *RWMutexMap) Info() Info   { return Info{Blocking: true} }

func (m *RWMutexMap) Get(key uint64) (uint64, bool) {
	m.mu.RLock()
	v, ok := m.m[key]
	m.mu.RUnlock()
	return v, ok
}

func (m *RWMutexMap) GetMany(keys, values []uint64, present []bool) {
	checkBatch(keys, values, present)
	m.mu.RLock()
	for i, k := range keys {
		values[i], present[i] = m.m[k]
	}
	m.mu.RUnlock()
}

func (m *RWMutexMap) Put(key, value uint64) {
	m.mu.Lock()
	m.m[key] = value
	m.mu.Unlock()
}

func (m *RWMutexMap) Delete(key uint64) bool {
	m.mu.Lock()
	_, ok := m.m[key]
	delete(m.m, key)
	m.mu.Unlock()
	return ok
}
