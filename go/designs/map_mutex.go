// MutexMap (go_mutex): a Go map guarded by one sync.Mutex, the memory-model article's sharedMap
// and mapMutex ("BAD: shared memory"), with Get and Delete under the same lock; GetMany reads a
// whole batch in one hold of the lock.
// Guarantee: blocking (sync.Mutex spins briefly, then parks). Safe: every method from any
// goroutine. Not safe: copying after first use.
package designs

import "sync"

type MutexMap struct {
	mu sync.Mutex
	m  map[uint64]uint64
}

func NewMutexMap() *MutexMap { return &MutexMap{m: make(map[uint64]uint64)} }

func (m *MutexMap) Name() string { return "go_mutex" }
func (m *MutexMap) Info() Info   { return Info{Blocking: true} }

func (m *MutexMap) Get(key uint64) (uint64, bool) {
	m.mu.Lock()
	v, ok := m.m[key]
	m.mu.Unlock()
	return v, ok
}

func (m *MutexMap) GetMany(keys, values []uint64, present []bool) {
	checkBatch(keys, values, present)
	m.mu.Lock()
	for i, k := range keys {
		values[i], present[i] = m.m[k]
	}
	m.mu.Unlock()
}

func (m *MutexMap) Put(key, value uint64) {
	m.mu.Lock()
	m.m[key] = value
	m.mu.Unlock()
}

func (m *MutexMap) Delete(key uint64) bool {
	m.mu.Lock()
	_, ok := m.m[key]
	delete(m.m, key)
	m.mu.Unlock()
	return ok
}
