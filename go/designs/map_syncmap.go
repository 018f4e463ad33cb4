// SyncMap (go_syncmap): the standard library's sync.Map, keyed and valued by uint64 (boxed in
// interfaces: a Put of a new value allocates). Reads of keys in its read-only part take no lock
// (an atomic load of the read map); Put of a present key is a CAS on its entry; new keys go to a
// mutex-guarded dirty map that is promoted after enough misses. Built for keys written once and
// read many times, or disjoint key sets per goroutine (its documentation's two cases). GetMany is
// a Load a key: sync.Map has no batched read (no lock to hold once, no owner to ask once), so a
// batch costs what its gets cost.
// Guarantee: lock-free Get and overwriting Put of a key in the read map; blocking (its mutex)
// for new keys and misses. Safe: every method from any goroutine. Not safe: copying after first
// use.
package designs

import "sync"

type SyncMap struct {
	m sync.Map
}

func NewSyncMap() *SyncMap { return &SyncMap{} }

func (m *SyncMap) Name() string { return "go_syncmap" }
func (m *SyncMap) Info() Info   { return Info{Blocking: true} }

func (m *SyncMap) Get(key uint64) (uint64, bool) {
	v, ok := m.m.Load(key)
	if !ok {
		return 0, false
	}
	return v.(uint64), true
}

func (m *SyncMap) GetMany(keys, values []uint64, present []bool) {
	checkBatch(keys, values, present)
	for i, k := range keys {
		values[i], present[i] = m.Get(k)
	}
}

func (m *SyncMap) Put(key, value uint64) { m.m.Store(key, value) }

func (m *SyncMap) Delete(key uint64) bool {
	_, ok := m.m.LoadAndDelete(key)
	return ok
}
